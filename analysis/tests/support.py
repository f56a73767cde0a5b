"""A small known network for the analysis tests: offers with categories and districts, and
referrals written straight into the tables with the transitions they went through."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from clients.tables import Client
from conftest import run
from directory.tables import (
    Capacity,
    Location,
    Organization,
    Service,
    ServiceAtLocation,
    ServiceLanguage,
    ServiceTerm,
)
from directory.taxonomy_data import ensure_taxonomies, term_id
from referrals.tables import Referral, ReferralTransition

SECRET_TEXT = "Frau Mustermann aus der Kettwiger Straße"
PSEUDONYM = "KL-4711-geheim"


def at(day: str, hour: int = 10) -> datetime:
    """A moment in UTC on a day given as YYYY-MM-DD."""
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


@dataclass
class Net:
    admin_org: UUID
    sender: UUID
    provider: UUID
    other_provider: UUID
    services: dict[str, UUID] = field(default_factory=dict)


def _org(name: str) -> UUID:
    org = Organization(name=name, kind="welfare", description="")
    run(org.save())
    return org.id


def _offer(org: UUID, name: str, category: str, district: str, languages: list[str],
           available: int, updated: datetime | None = None) -> UUID:
    service = Service(organization=org, name=name)
    run(service.save())
    place = Location(organization=org, name=f"Ort {name}", district=district,
                     latitude=51.42, longitude=6.88)
    run(place.save())
    run(ServiceAtLocation(service=service.id, location=place.id).save())
    run(ServiceTerm(service=service.id, term=term_id(category)).save())
    for code in languages:
        run(ServiceLanguage(service=service.id, code=code).save())
    run(Capacity(service=service.id, maximum=10, available=available,
                 updated=updated or datetime.now(UTC)).save())
    return service.id


def build_net() -> Net:
    run(ensure_taxonomies())
    net = Net(admin_org=_org("KIM Koordinierung"), sender=_org("Kommunales Integrationszentrum"),
              provider=_org("Sprachschule Ruhr"), other_provider=_org("Beratung Styrum"))
    net.services["course"] = _offer(net.provider, "Deutschkurs A1", "sprache", "Altstadt",
                                    ["de", "ar"], 4)
    net.services["advice"] = _offer(net.other_provider, "Migrationsberatung",
                                    "migrationsberatung", "Styrum", ["de", "tr"], 2,
                                    updated=datetime.now(UTC) - timedelta(days=400))
    return net


def client_of(org: UUID) -> UUID:
    client = Client(organization=org, pseudonym=PSEUDONYM, created_by=uuid4())
    run(client.save())
    return client.id


def referral(net: Net, *, need: str, district: str, sent: datetime, service: str = "course",
             steps: tuple[tuple[str, datetime, str], ...] = (), client: UUID | None = None,
             languages: tuple[str, ...] = ("ar",), interpreter: bool = False,
             due: date | None = None) -> UUID:
    """A referral sent at `sent` that then went through `steps` ((state, when, reason))."""
    recipient = net.provider if service == "course" else net.other_provider
    fields: dict[str, Any] = {}
    state = "sent"
    for to_state, when, _reason in steps:
        if state == "sent" and to_state in {"accepted", "waitlisted", "declined"}:
            fields["answered_at"] = when
        if to_state == "waitlisted":
            fields["waitlisted_at"] = when
        if to_state in {"declined", "completed", "failed", "cancelled"}:
            fields["closed_at"] = when
        state = to_state
    row = Referral(client=client or client_of(net.sender), service=net.services[service],
                   sender_organization=net.sender, recipient_organization=recipient,
                   sender_user=uuid4(), state=state, need_category=need, need_text=SECRET_TEXT,
                   notes=SECRET_TEXT, languages=list(languages), interpreter_needed=interpreter,
                   district=district, sent_at=sent,
                   answer_due=due or (sent + timedelta(days=7)).date(), **fields)
    run(row.save())
    previous = "draft"
    for to_state, when, reason in (("sent", sent, ""), *steps):
        run(ReferralTransition(referral=row.id, from_state=previous, to_state=to_state,
                               reason=reason, note=SECRET_TEXT, at=when).save())
        previous = to_state
    return row.id


def known_year(net: Net) -> None:
    """The data set the figure tests count by hand (all in 2026, Berlin daytime):

    January: 6 language-course referrals (Altstadt): 5 declined for lack of a place after 24 h,
      1 waitlisted after 48 h and given a place 10 days later.
    February: 7 language-course referrals (Altstadt) accepted after 12 h and completed on
      20 February; 5 counselling referrals (Styrum, Turkish, interpreter) waitlisted after
      24 h and given a place after 2, 4, 6, 8 and 10 days.
    March: 3 language-course referrals (Altstadt) expired unanswered; 5 work referrals
      (Altstadt) sent to 5 of the February clients after they completed their course.
    """
    for i in range(5):
        sent = at(f"2026-01-{5 + i:02d}")
        referral(net, need="language_course", district="Altstadt", sent=sent,
                 steps=(("declined", sent + timedelta(hours=24), "no_capacity"),))
    sent = at("2026-01-12")
    referral(net, need="language_course", district="Altstadt", sent=sent,
             steps=(("waitlisted", sent + timedelta(hours=48), ""),
                    ("accepted", sent + timedelta(hours=48, days=10), "")))
    completed_clients = []
    for i in range(7):
        sent = at(f"2026-02-{2 + i:02d}")
        client = client_of(net.sender)
        completed_clients.append(client)
        referral(net, need="language_course", district="Altstadt", sent=sent, client=client,
                 steps=(("accepted", sent + timedelta(hours=12), ""),
                        ("completed", at("2026-02-20"), "")))
    for i in range(5):
        sent = at(f"2026-02-{10 + i:02d}")
        referral(net, need="counselling", district="Styrum", sent=sent, service="advice",
                 languages=("tr",), interpreter=True,
                 steps=(("waitlisted", sent + timedelta(hours=24), ""),
                        ("accepted", sent + timedelta(hours=24, days=2 * (i + 1)), "")))
    for i in range(3):
        sent = at(f"2026-03-{2 + i:02d}")
        referral(net, need="language_course", district="Altstadt", sent=sent,
                 steps=(("cancelled", sent + timedelta(days=8), "answer_expired"),))
    for i, client in enumerate(completed_clients[:5]):
        referral(net, need="work", district="Altstadt", sent=at(f"2026-03-{10 + i:02d}"),
                 service="advice", client=client)
