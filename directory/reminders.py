"""Capacity links per organisation, and the reminder e-mail that carries them to provider staff."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from accounts.roles import Role
from accounts.users import members_with_role
from core.i18n import translations
from core.mail import send_mail
from directory.signing import LINK_LIFETIME, capacity_url
from directory.tables import Organization, Service


@dataclass(frozen=True)
class CapacityLink:
    service_id: UUID
    service_name: str
    url: str


async def capacity_links(organization_id: UUID, user_id: UUID | None = None) -> list[CapacityLink]:
    """One signed link per active offer of the organisation, optionally bound to a staff member."""
    rows = await Service.select(Service.id, Service.name).where(
        Service.organization == organization_id, Service.retired_at.is_null()
    ).order_by(Service.name)
    return [CapacityLink(row["id"], row["name"], capacity_url(row["id"], user_id))
            for row in rows]


def reminder_text(display_name: str, organization_name: str, links: list[CapacityLink],
                  lang: str) -> tuple[str, str]:
    """(subject, body) of the reminder in the recipient's language."""
    t = translations(lang if lang in {"de", "en"} else "de")
    subject = t.gettext("Are your free places up to date? (%(organization)s)") % {
        "organization": organization_name
    }
    lines = [
        t.gettext("Hello %(name)s,") % {"name": display_name},
        "",
        t.gettext("please check the free places of your offers. One click on a link opens the "
                  "offer's figures; you do not need to log in.") ,
        "",
    ]
    for link in links:
        lines += [link.service_name, link.url, ""]
    lines.append(t.gettext("The links are valid for %(days)d days and only for you.")
                 % {"days": LINK_LIFETIME.days})
    return subject, "\n".join(lines)


async def send_capacity_reminders(organization_id: UUID | None = None) -> int:
    """Mails every provider staff member their organisation's links; returns mails sent."""
    orgs = Organization.select(Organization.id, Organization.name).where(
        Organization.retired_at.is_null()
    )
    if organization_id is not None:
        orgs = orgs.where(Organization.id == organization_id)
    names = {row["id"]: row["name"] for row in await orgs}
    sent = 0
    for member in await members_with_role(Role.PROVIDER_STAFF, list(names)):
        links = await capacity_links(member.organization_id, member.user_id)
        if not links:
            continue
        subject, text = reminder_text(member.display_name, names[member.organization_id],
                                      links, member.locale)
        await send_mail(member.email, subject, text)
        sent += 1
    return sent
