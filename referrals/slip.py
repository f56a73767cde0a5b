"""What goes on a client's referral slip ("Laufzettel"), gathered for one referral.

The slip is for the person referred: where to go, when, what to bring, whom to ask, in their
language with German alongside. It carries only what the client's consent lets the provider
see (the name, once accepted and covered), never the need, notes or anything else of the case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from uuid import UUID

from itsdangerous import BadSignature, URLSafeTimedSerializer
from litestar.exceptions import ClientException, NotFoundException

from accounts.identity import CurrentUser
from calendars import api as calendars
from clients.api import ERASED_TEXT, IDENTITY, ClientErased, open_text, reveal_personal_data
from core.i18n import N_, translations
from core.text_catalog import LanguageText, load_catalog
from core.time import in_berlin
from core.urls import absolute_url
from directory import api as directory
from referrals import disclosure, waitlist
from referrals.states import Side, State
from referrals.tables import Referral
from referrals.views import load_visible
from settings import get_settings

FOLDER = Path(__file__).resolve().parent / "slip_texts"
REQUIRED = (
    "title", "accepted", "waitlisted", "person", "offer", "about", "provider", "address",
    "transport", "when", "opening", "bring", "ask", "waitlist", "waitlist_position",
    "expected_wait", "qr_ics", "qr_page", "german_only", "unreviewed", "wait",
)
# A slip exists once the provider has said yes or put the person on its waitlist.
SLIP_STATES = frozenset({State.ACCEPTED.value, State.WAITLISTED.value, State.IN_PROGRESS.value})
# The calendar link in the QR code keeps working for half a year.
CALENDAR_LINK_DAYS = 183
_SALT = "lotse.slip-calendar"

NO_SLIP = N_("A slip can be made once the referral is accepted or on the waitlist.")


@cache
def slip_texts() -> dict[str, LanguageText]:
    """Every language of the slip, German first."""
    found = load_catalog(FOLDER, REQUIRED)
    return {"de": found["de"], **{c: t for c, t in found.items() if c != "de"}}


def slip_language(code: str | None, preferred: list[str] | None = None) -> LanguageText:
    """The catalog language asked for; else the first of the client's languages that has one;
    else German."""
    texts = slip_texts()
    for candidate in [code or "", *(preferred or [])]:
        if candidate in texts:
            return texts[candidate]
    return texts["de"]


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class SlipData:
    referral_id: UUID
    state: str
    text: LanguageText
    german: LanguageText
    person_name: str
    offer_name: str
    offer_name_de: str
    description: str
    description_de: str
    # The description exists only in German: the client's column says so.
    description_fallback: bool
    provider: str
    address: list[str]
    transport: str
    appointment: str
    opening: list[str]
    bring: list[str]
    contacts: list[Contact]
    waitlist_position: int | None
    waitlist_length: int | None
    expected_wait: str
    qr_url: str
    qr_kind: str
    latitude: float | None = None
    longitude: float | None = None

    @property
    def same_language(self) -> bool:
        return self.text.code == "de"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().secret_key, salt=_SALT)


def calendar_token(referral_id: UUID) -> str:
    return str(_serializer().dumps(str(referral_id)))


def read_calendar_token(token: str) -> UUID:
    """The referral a calendar link names; 404 for a forged or expired link."""
    try:
        raw = _serializer().loads(token, max_age=CALENDAR_LINK_DAYS * 86400)
        return UUID(str(raw))
    except (BadSignature, ValueError):
        raise NotFoundException(N_("This calendar link is not valid (any more).")) from None


def calendar_url(referral_id: UUID) -> str:
    return absolute_url(f"/slip-calendar/{calendar_token(referral_id)}.ics")


def _appointment_text(starts_at: datetime, ends_at: datetime) -> str:
    start, end = in_berlin(starts_at), in_berlin(ends_at)
    return f"{start:%d.%m.%Y}, {start:%H:%M}–{end:%H:%M}"


async def _appointment_words(row: dict[str, Any]) -> str:
    """The appointment as the provider described it (sealed with the client's key)."""
    words = await open_text(row["client"], "appointment_text", row["appointment_text"] or "")
    return "" if words == ERASED_TEXT else words


async def _person_name(
    row: dict[str, Any], actor: CurrentUser, remote_addr: str
) -> str:
    """The name, only where the provider may see it too: identity shared, accepted, covered."""
    if IDENTITY not in disclosure.revealed_categories(row):
        return ""
    if row["state"] not in disclosure.ACCEPTED_STATES or not await disclosure.consent_covers(row):
        return ""
    try:
        found = await reveal_personal_data(
            row["client"], [IDENTITY], actor, remote_addr, purpose="referral"
        )
    except (NotFoundException, ClientErased):
        return ""
    identity = found.get(IDENTITY) or {}
    return " ".join(p for p in (identity.get("given_name"), identity.get("family_name")) if p)


def _contacts(detail: directory.ServiceDetail) -> list[Contact]:
    people = [Contact(c.name, c.phone or "", c.email or "") for c in detail.contacts]
    if not people:
        phone = next((p.number for p in detail.phones), "")
        if not phone:
            phone = next((p.number for loc in detail.locations for p in loc.phones), "")
        people = [Contact(detail.organization.name, phone, detail.email or "")]
    return people


async def _opening(service_id: UUID) -> list[str]:
    german = translations("de").gettext
    texts = (await calendars.label_texts([service_id], "de", german)).get(service_id)
    if texts is None:
        return []
    lines = list(texts.times)
    if texts.course:
        lines.append(texts.course)
    return lines


def _qr_target(
    detail: directory.ServiceDetail, referral_id: UUID, has_slot: bool, language: str
) -> tuple[str, str]:
    """The appointment for the phone's calendar; else the offer's public page (in the client's
    language where the provider gave one); else the offer's own web address."""
    if has_slot:
        return calendar_url(referral_id), "ics"
    if get_settings().public_directory:
        query = f"?text={language}" if language != "de" else ""
        return absolute_url(f"/offers/{detail.id}{query}"), "page"
    if detail.url:
        return detail.url, "page"
    return "", ""


async def gather(
    referral_id: UUID, actor: CurrentUser, remote_addr: str, language: str | None
) -> SlipData:
    """The slip of a referral the actor sent; 404 for others, 400 before an answer."""
    row, sides = await load_visible(referral_id, actor)
    if Side.SENDER not in sides:
        raise NotFoundException("No such referral.")
    if row["state"] not in SLIP_STATES:
        raise ClientException(NO_SLIP)
    detail = await directory.service_detail(row["service"])
    if detail is None:
        raise NotFoundException("No such referral.")
    text = slip_language(language, disclosure.json_list(row["languages"]))
    translated = next((t for t in detail.translations if t.language == text.code), None)
    slot = await calendars.slot_of_referral(referral_id)
    # The place of the booked slot where it names one, else the offer's first place.
    place = next(
        (p for p in detail.locations if slot and p.id == slot.location_id),
        detail.locations[0] if detail.locations else None,
    )
    address = (
        [line for line in (place.name, place.address_1, f"{place.postal_code} {place.city}".strip())
         if line]
        if place else []
    )
    position = length = None
    expected = ""
    if row["state"] == State.WAITLISTED.value:
        found = await waitlist.position_of(row["id"], row["service"])
        if found is not None:
            position, length, expected = found.position, found.length, found.expected_wait
    appointment = (
        _appointment_text(slot.starts_at, slot.ends_at) if slot else await _appointment_words(row)
    )
    qr_url, qr_kind = _qr_target(detail, referral_id, slot is not None, text.lang)
    return SlipData(
        referral_id=referral_id,
        state=row["state"],
        text=text,
        german=slip_texts()["de"],
        person_name=await _person_name(row, actor, remote_addr),
        offer_name=translated.name if translated and translated.name else detail.name,
        offer_name_de=detail.name,
        description=translated.description if translated and translated.description else "",
        description_de=detail.description,
        description_fallback=text.code != "de" and not (translated and translated.description),
        provider=detail.organization.name,
        address=address,
        transport=place.transportation if place else "",
        appointment=appointment or "",
        opening=await _opening(detail.id),
        bring=[d.document for d in detail.required_documents],
        contacts=_contacts(detail),
        waitlist_position=position,
        waitlist_length=length,
        expected_wait=expected,
        qr_url=qr_url,
        qr_kind=qr_kind,
        latitude=place.latitude if place else None,
        longitude=place.longitude if place else None,
    )


async def calendar_for_link(token: str) -> bytes:
    """The appointment of the referral a signed slip link names, for the client's phone."""
    referral_id = read_calendar_token(token)
    row = await Referral.select(Referral.state, Referral.service).where(
        Referral.id == referral_id
    ).first()
    if row is None or row["state"] not in SLIP_STATES:
        raise NotFoundException(N_("This calendar link is not valid (any more)."))
    detail = await directory.service_detail(row["service"])
    if detail is None:
        raise NotFoundException(N_("This calendar link is not valid (any more)."))
    place = detail.locations[0] if detail.locations else None
    location = ", ".join(
        p for p in ((place.address_1, f"{place.postal_code} {place.city}".strip()) if place else ())
        if p
    )
    body = await calendars.appointment_calendar(
        referral_id, f"{detail.name} ({detail.organization.name})", location
    )
    if body is None:
        raise NotFoundException(N_("This calendar link is not valid (any more)."))
    return body
