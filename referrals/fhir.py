"""FHIR R4 (SDOH Clinical Care) shapes of a referral: ServiceRequest, Task, Consent, Patient.

Pure: a referral row, the reader's disclosure level, the consent and the personal data the
reader may see go in; resources come out. Task updates coming in are `referrals.fhir_updates`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from referrals.disclosure import Level, json_list
from referrals.states import (
    LOTSE_NEED_SYSTEM,
    State,
    parse_state,
    to_fhir_task,
)

SDOHCC = "http://hl7.org/fhir/us/sdoh-clinicalcare"
PROFILE_SERVICE_REQUEST = f"{SDOHCC}/StructureDefinition/SDOHCC-ServiceRequest"
PROFILE_TASK = f"{SDOHCC}/StructureDefinition/SDOHCC-TaskForReferralManagement"
PROFILE_CONSENT = f"{SDOHCC}/StructureDefinition/SDOHCC-Consent"
SDOHCC_CODES = f"{SDOHCC}/CodeSystem/SDOHCC-CodeSystemTemporaryCodes"
LOTSE_DATA_CATEGORY_SYSTEM = "urn:lotse:data-category"
LOTSE_PSEUDONYM_SYSTEM = "urn:lotse:client-pseudonym"
FHIR_JSON = "application/fhir+json"
# Patient ids a provider sees are derived from the referral, never the client's own id, so
# that two referrals of one person cannot be linked before anyone is allowed to know who it is.
_PATIENT_NAMESPACE = uuid.UUID("9b2f6c1e-4d0a-4f7e-9a55-3c1f0d2e8b71")

# Lotse's needs as SDOHCC SDOH categories (value set SDOHCC-ValueSetSDOHCategory).
SDOH_CATEGORY: dict[str, str] = {
    "language_course": "educational-attainment",
    "integration_course": "educational-attainment",
    "education": "educational-attainment",
    "work": "employment-status",
    "housing": "housing-instability",
    "counselling": "social-connection",
}
SDOH_CATEGORY_UNSPECIFIED = "sdoh-category-unspecified"

SERVICE_REQUEST_STATUS: dict[State, str] = {
    State.DRAFT: "draft",
    State.SENT: "active",
    State.ACCEPTED: "active",
    State.WAITLISTED: "active",
    State.IN_PROGRESS: "active",
    State.COMPLETED: "completed",
    State.DECLINED: "revoked",
    State.FAILED: "revoked",
    State.CANCELLED: "revoked",
}


@dataclass(frozen=True)
class ConsentFacts:
    """What the export says of the consent a referral was sent under."""

    id: str
    active: bool
    recipient_ids: list[str]
    data_categories: list[str]
    valid_from: str
    valid_until: str
    recorded_at: str
    evidence: str
    # The consent text the client read: its catalog language and version.
    text_language: str = "de"
    text_version: str = ""


@dataclass(frozen=True)
class Disclosed:
    """What the reader may see: their level and the personal data revealed to them."""

    level: Level
    personal: Mapping[str, Any] = field(default_factory=dict)
    consent: ConsentFacts | None = None
    last_reason: str = ""


def patient_id(referral: Mapping[str, Any], level: Level) -> str:
    """The client's id for its own organisation; a pseudonymous one for anyone else."""
    if level is Level.OWNER:
        return str(referral["client"])
    return str(uuid.uuid5(_PATIENT_NAMESPACE, f"referral:{referral['id']}"))


def consent_id(referral: Mapping[str, Any], facts: ConsentFacts, level: Level) -> str:
    """Likewise for the consent: one consent may cover several referrals of the same person."""
    if level is Level.OWNER:
        return facts.id
    return str(uuid.uuid5(_PATIENT_NAMESPACE, f"consent:{referral['id']}"))


def _ref(kind: str, ident: object, display: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"reference": f"{kind}/{ident}"}
    if display:
        out["display"] = display
    return out


def _meta(profile: str, version: object | None = None, updated: object | None = None
          ) -> dict[str, Any]:
    meta: dict[str, Any] = {"profile": [profile]}
    if version is not None:
        meta["versionId"] = str(version)
    if updated is not None and hasattr(updated, "isoformat"):
        meta["lastUpdated"] = updated.isoformat()
    return meta


def _sees_content(level: Level) -> bool:
    return level in {Level.OWNER, Level.FULL, Level.DECIDE}


def task(referral: Mapping[str, Any], shown: Disclosed, base_url: str = "") -> dict[str, Any]:
    """The SDOHCC TaskForReferralManagement: its focus is the referral's ServiceRequest."""
    out = to_fhir_task(referral, last_reason=shown.last_reason, base_url=base_url)
    out["meta"] = _meta(PROFILE_TASK, referral.get("version"), referral.get("updated_at"))
    out["focus"] = _ref("ServiceRequest", referral["id"])
    out["for"] = _ref("Patient", patient_id(referral, shown.level))
    out["requester"] = _ref("Organization", referral["sender_organization"],
                            referral.get("sender_organization.name"))
    out["owner"] = _ref("Organization", referral["recipient_organization"],
                        referral.get("recipient_organization.name"))
    state = parse_state(str(referral["state"]))
    if state is State.COMPLETED:
        out["output"] = [{
            "type": {"coding": [{"system": SDOHCC_CODES, "code": "resulting-activity",
                                 "display": "Resulting Activity"}]},
            "valueReference": _ref("HealthcareService", referral["service"],
                                   referral.get("service.name")),
        }]
    return out


def _notes(referral: Mapping[str, Any], level: Level) -> list[dict[str, str]]:
    """What a provider needs to decide, as plain annotations (no SDOHCC element carries it)."""
    if not _sees_content(level):
        return []
    parts: list[str] = []
    languages = json_list(referral.get("languages"))
    if languages:
        parts.append("languages: " + ", ".join(languages))
    if referral.get("interpreter_needed"):
        parts.append("interpreter needed")
    for key in ("age_band", "district", "accessibility_needs"):
        if referral.get(key):
            parts.append(f"{key.replace('_', ' ')}: {referral[key]}")
    if level in {Level.OWNER, Level.FULL} and referral.get("notes"):
        parts.append(str(referral["notes"]))
    return [{"text": part} for part in parts]


def service_request(
    referral: Mapping[str, Any], shown: Disclosed, base_url: str = ""
) -> dict[str, Any]:
    """The SDOHCC ServiceRequest: what is asked of whom for whom, under which consent."""
    state = parse_state(str(referral["state"]))
    need = str(referral.get("need_category") or "other")
    sees = _sees_content(shown.level)
    out: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "id": str(referral["id"]),
        "meta": _meta(PROFILE_SERVICE_REQUEST, referral.get("version"),
                      referral.get("updated_at")),
        "identifier": [{"system": f"{base_url.rstrip('/')}/api/referrals",
                        "value": str(referral["id"])}],
        "status": SERVICE_REQUEST_STATUS[state],
        "intent": "order",
        "category": [{"coding": [{"system": SDOHCC_CODES,
                                  "code": SDOH_CATEGORY.get(need, SDOH_CATEGORY_UNSPECIFIED)}]}],
        "priority": {"normal": "routine", "high": "urgent", "urgent": "asap"}.get(
            str(referral.get("urgency", "normal")), "routine"),
        "code": {"coding": [{"system": LOTSE_NEED_SYSTEM, "code": need}]},
        "subject": _ref("Patient", patient_id(referral, shown.level)),
        "requester": _ref("Organization", referral["sender_organization"],
                          referral.get("sender_organization.name")),
        "performer": [
            _ref("Organization", referral["recipient_organization"],
                 referral.get("recipient_organization.name")),
            _ref("HealthcareService", referral["service"], referral.get("service.name")),
        ],
    }
    if sees and referral.get("need_text"):
        out["code"]["text"] = str(referral["need_text"])
    when = referral.get("appointment_text") or referral.get("preferred_times")
    if sees and when:
        out["occurrenceTiming"] = {"code": {"text": str(when)}}
    if referral.get("sent_at") is not None:
        out["authoredOn"] = referral["sent_at"].isoformat()
    if shown.consent is not None:
        out["supportingInfo"] = [
            _ref("Consent", consent_id(referral, shown.consent, shown.level))
        ]
    notes = _notes(referral, shown.level)
    if notes:
        out["note"] = notes
    return out


def consent(referral: Mapping[str, Any], shown: Disclosed) -> dict[str, Any] | None:
    """The SDOHCC Consent (privacy, disclosure to the named organisations); None for a draft."""
    facts = shown.consent
    if facts is None:
        return None
    return {
        "resourceType": "Consent",
        "id": consent_id(referral, facts, shown.level),
        "meta": _meta(PROFILE_CONSENT),
        "status": "active" if facts.active else "inactive",
        "scope": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/consentscope",
                              "code": "patient-privacy"}]},
        "category": [
            {"coding": [{"system": "http://loinc.org", "code": "59284-0",
                         "display": "Patient Consent"}]},
            {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                         "code": "IDSCL"}]},
        ],
        "patient": _ref("Patient", patient_id(referral, shown.level)),
        "dateTime": facts.recorded_at,
        "organization": [_ref("Organization", referral["sender_organization"])],
        "sourceAttachment": {
            "language": facts.text_language,
            "title": f"Consent recorded in Lotse ({facts.evidence}); text "
                     f"{facts.text_language}, version {facts.text_version or 'unknown'}",
        },
        "policyRule": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                                   "code": "OPTIN"}]},
        "provision": {
            "type": "permit",
            "period": {"start": facts.valid_from, "end": facts.valid_until},
            "actor": [{
                "role": {"coding": [{
                    "system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
                    "code": "IRCP"}]},
                "reference": _ref("Organization", org),
            } for org in facts.recipient_ids],
            "action": [{"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/consentaction",
                "code": "disclose"}]}],
            "class": [{"system": LOTSE_DATA_CATEGORY_SYSTEM, "code": c}
                      for c in facts.data_categories],
        },
    }


def patient(referral: Mapping[str, Any], shown: Disclosed) -> dict[str, Any]:
    """Only what the reader may see now: an id before acceptance, what consent covers after."""
    out: dict[str, Any] = {"resourceType": "Patient", "id": patient_id(referral, shown.level)}
    if shown.level is Level.OWNER and referral.get("client.pseudonym"):
        out["identifier"] = [{"system": LOTSE_PSEUDONYM_SYSTEM,
                              "value": str(referral["client.pseudonym"])}]
    if shown.level is not Level.FULL:
        return out
    data = shown.personal
    identity = data.get("identity") or {}
    if identity.get("given_name") or identity.get("family_name"):
        name: dict[str, Any] = {"use": "official"}
        if identity.get("family_name"):
            name["family"] = identity["family_name"]
        if identity.get("given_name"):
            name["given"] = [identity["given_name"]]
        out["name"] = [name]
    contact = data.get("contact") or {}
    telecom = [{"system": kind, "value": contact[key]}
               for kind, key in (("phone", "phone"), ("email", "email")) if contact.get(key)]
    if telecom:
        out["telecom"] = telecom
    born = (data.get("birth_date") or {}).get("birth_date")
    if born:
        out["birthDate"] = born if isinstance(born, str) else born.isoformat()
    languages = json_list(referral.get("languages"))
    if languages:
        out["communication"] = [{"language": {"coding": [
            {"system": "urn:ietf:bcp:47", "code": code}]}} for code in languages]
    if referral.get("district"):
        out["address"] = [{"district": str(referral["district"]), "country": "DE"}]
    return out


def bundle(referral: Mapping[str, Any], shown: Disclosed, base_url: str = "") -> dict[str, Any]:
    """The referral as a collection Bundle: ServiceRequest, Task, Consent and Patient."""
    prefix = f"{base_url.rstrip('/')}/fhir"
    resources = [
        service_request(referral, shown, base_url),
        task(referral, shown, base_url),
        consent(referral, shown),
        patient(referral, shown),
    ]
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"fullUrl": f"{prefix}/{r['resourceType']}/{r['id']}", "resource": r}
            for r in resources if r is not None
        ],
    }


def searchset(resources: list[dict[str, Any]], total: int, base_url: str = ""
              ) -> dict[str, Any]:
    prefix = f"{base_url.rstrip('/')}/fhir"
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": total,
        "entry": [{"fullUrl": f"{prefix}/{r['resourceType']}/{r['id']}", "resource": r,
                   "search": {"mode": "match"}} for r in resources],
    }


def operation_outcome(status: int, detail: str, code: str | None = None) -> dict[str, Any]:
    """A FHIR error: `code` from the issue-type value set, chosen from the HTTP status."""
    issue_code = code or {
        400: "invalid", 401: "login", 403: "forbidden", 404: "not-found", 409: "conflict",
        412: "conflict", 415: "not-supported",
    }.get(status, "processing")
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": issue_code, "diagnostics": detail}],
    }


def capability_statement(base_url: str, released: str) -> dict[str, Any]:
    """What the /fhir API offers, for systems that ask before they call (`GET /fhir/metadata`)."""

    def params(*names: str) -> list[dict[str, str]]:
        kinds = {"status": "token"}
        return [{"name": n, "type": kinds.get(n, "reference")} for n in names]

    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": released,
        "kind": "instance",
        "fhirVersion": "4.0.1",
        "format": [FHIR_JSON, "json"],
        "implementation": {"description": "Lotse referral exchange",
                           "url": f"{base_url.rstrip('/')}/fhir"},
        "rest": [{
            "mode": "server",
            "resource": [
                {"type": "Task", "supportedProfile": [PROFILE_TASK],
                 "interaction": [{"code": "read"}, {"code": "search-type"}, {"code": "update"}],
                 "versioning": "versioned-update",
                 "searchParam": params("status", "owner", "requester")},
                {"type": "ServiceRequest", "supportedProfile": [PROFILE_SERVICE_REQUEST],
                 "interaction": [{"code": "read"}, {"code": "search-type"}],
                 "searchParam": params("status", "performer", "requester")},
            ],
        }],
    }
