"""Helpers of the FHIR tests: referrals in a given state and independent validation."""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.consent import Consent
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.servicerequest import ServiceRequest
from fhir.resources.R4B.task import Task

from referrals.tests.test_api import send_one

MODELS: dict[str, Any] = {
    "Bundle": Bundle,
    "CapabilityStatement": CapabilityStatement,
    "Consent": Consent,
    "OperationOutcome": OperationOutcome,
    "Patient": Patient,
    "ServiceRequest": ServiceRequest,
    "Task": Task,
}


def valid(resource: dict[str, Any]) -> dict[str, Any]:
    """Validate with the R4B models of fhir.resources (not Lotse's code); returns the resource.

    A Bundle's entries are validated as their own types as well."""
    MODELS[resource["resourceType"]].model_validate(resource)
    for entry in resource.get("entry", []):
        inner = entry["resource"]
        MODELS[inner["resourceType"]].model_validate(inner)
    return resource


def valid_capabilities(statement: dict[str, Any]) -> None:
    CapabilityStatement.model_validate(statement)


def resources(bundle: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["resource"]["resourceType"]: e["resource"] for e in bundle["entry"]}


def sent_referral(exchange: Any, api_client: Any) -> str:
    return send_one(exchange, api_client(exchange.case_manager))
