"""Probable duplicates: a new imported offer that resembles one Lotse already had.

"Already had" means: offered by an organisation that existed before the import (same id or
same name) and was not brought by the same source, and not itself brought by that source (in
this run or an earlier one, such as a run killed midway). A pair is flagged once. Names are
compared after folding case, umlauts and punctuation; a looser name match counts when both
offers share an address.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import dataclass
from difflib import SequenceMatcher

from directory import api as directory
from directory.api import NamedRecord
from hsds import source_trust
from hsds.bundle import Bundle, Row
from hsds.tables import DuplicateFlag

SIMILAR = 0.85
SIMILAR_AT_SAME_ADDRESS = 0.6
_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def fold(text: str | None) -> str:
    text = (text or "").casefold().translate(_FOLD)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text).split())


def similarity(a: str, b: str) -> float:
    left, right = fold(a), fold(b)
    if not left or not right:
        return 0.0
    if left == right:
        return 1.0
    return SequenceMatcher(None, left, right).ratio()


@dataclass
class Duplicate:
    service_id: uuid.UUID
    service_name: str
    existing_id: uuid.UUID
    existing_name: str
    reason: str
    score: float


class DuplicateFinder:
    def __init__(self) -> None:
        self.orgs_by_name: dict[str, set[uuid.UUID]] = {}
        self.before: set[uuid.UUID] = set()
        # Offers this import created under organisations that existed before it.
        self.created: set[uuid.UUID] = set()

    async def load(self, source: uuid.UUID) -> None:
        # The source's own organisations and offers are its earlier work, not another's.
        own_orgs = await source_trust.organizations(source, created_only=True)
        self.created |= await source_trust.imported(source, "service")
        for org in await directory.organization_choices(include_retired=True):
            if org.id in own_orgs:
                continue
            self.before.add(org.id)
            self.orgs_by_name.setdefault(fold(org.name), set()).add(org.id)

    @staticmethod
    async def unflagged(found: list[Duplicate]) -> list[Duplicate]:
        """``found`` without the pairs flagged before (by any run)."""
        services = list({d.service_id for d in found})
        flagged: set[tuple[uuid.UUID, uuid.UUID]] = set()
        for start in range(0, len(services), 2000):
            rows = await DuplicateFlag.select(
                DuplicateFlag.service, DuplicateFlag.existing_service
            ).where(DuplicateFlag.service.is_in(services[start : start + 2000]))
            flagged |= {(row["service"], row["existing_service"]) for row in rows}
        fresh = []
        for duplicate in found:
            pair = (duplicate.service_id, duplicate.existing_id)
            if pair not in flagged:
                flagged.add(pair)
                fresh.append(duplicate)
        return fresh

    def _organizations(self, bundle: Bundle, org_id: uuid.UUID) -> set[uuid.UUID]:
        found = {org_id} & self.before
        for row in bundle.upserted("organization"):
            if row["id"] == org_id:
                found |= self.orgs_by_name.get(fold(row["name"]), set())
        return found

    @staticmethod
    def _addresses(bundle: Bundle, service_id: uuid.UUID) -> set[tuple[str, str]]:
        locations = {row["id"]: row for row in bundle.upserted("location")}
        found = set()
        for child in bundle.children:
            if child.table == "service_at_location" and child.parent_id == service_id:
                for sal in child.rows:
                    location = locations.get(sal["location"])
                    if location and location.get("address_1"):
                        found.add((fold(location["address_1"]), fold(location.get("postal_code"))))
        return found

    async def find(self, bundles: list[Bundle], created: set[uuid.UUID]) -> list[Duplicate]:
        """Duplicates among the services of ``bundles`` that are new (in ``created``)."""
        wanted: list[tuple[Bundle, Row, set[uuid.UUID]]] = []
        for bundle in bundles:
            for row in bundle.upserted("service"):
                if row["id"] not in created:
                    continue
                orgs = self._organizations(bundle, row["organization"])
                if orgs:
                    wanted.append((bundle, row, orgs))
                    self.created.add(row["id"])
        if not wanted:
            return []
        all_orgs = list(set().union(*(orgs for _b, _r, orgs in wanted)))
        candidates = [
            c for c in await directory.live_service_names(all_orgs) if c.id not in self.created
        ]
        found: list[Duplicate] = []
        addresses: dict[uuid.UUID, set[tuple[str, str]]] | None = None
        for bundle, row, orgs in wanted:
            for candidate in candidates:
                if candidate.organization not in orgs:
                    continue
                score = similarity(str(row["name"]), candidate.name)
                reason = "similar name" if score >= SIMILAR else ""
                if not reason and score >= SIMILAR_AT_SAME_ADDRESS:
                    if addresses is None:
                        addresses = await self._candidate_addresses(candidates)
                    mine = self._addresses(bundle, row["id"])
                    if mine & addresses.get(candidate.id, set()):
                        reason = "similar name at the same address"
                if reason:
                    found.append(
                        Duplicate(
                            row["id"],
                            str(row["name"]),
                            candidate.id,
                            candidate.name,
                            reason,
                            round(score, 3),
                        )
                    )
        return found

    @staticmethod
    async def _candidate_addresses(
        candidates: list[NamedRecord],
    ) -> dict[uuid.UUID, set[tuple[str, str]]]:
        found = await directory.service_addresses([c.id for c in candidates])
        return {
            service: {(fold(street), fold(postcode)) for street, postcode in addresses}
            for service, addresses in found.items()
        }
