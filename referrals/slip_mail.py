"""Sending the slip to the client by e-mail, with the PDF and the appointment (.ics) attached.

Only where the consent the referral runs under covers contact data. The request is an outbox
event written in the caller's transaction; the consumer renders and sends it, then records the
language and size in the referral's history (never the text or the address).
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

from litestar.exceptions import ClientException, NotFoundException

from accounts.identity import CurrentUser, load_user
from clients.api import CONTACT, PURPOSE_REFERRAL, ClientErased, covering_consent
from clients.api import reveal_personal_data as reveal
from core.db import atomic
from core.i18n import N_
from core.mail import Attachment, send_mail
from outbox.publish import publish
from outbox.registry import OutboxMessage, consumer
from referrals import slip as slips
from referrals.slip_render import Size, pdf_filename, slip_pdf
from referrals.states import Side
from referrals.tables import Referral, SlipMail
from referrals.views import load_visible

SLIP_MAIL_TOPIC = "referrals.slip_mail"
# The consumer reads the address as the case manager who asked, and says so in the audit log.
OUTBOX_ADDRESS = "outbox"

NO_CONTACT_CONSENT = N_(
    "The client's consent for this referral does not cover contact data: hand the slip over "
    "printed instead."
)
NO_ADDRESS = N_("No e-mail address is recorded for this client.")


async def can_mail(referral_id: UUID) -> bool:
    """Does the consent under which the referral runs cover the client's contact data?"""
    row = await Referral.select(Referral.client, Referral.recipient_organization).where(
        Referral.id == referral_id
    ).first()
    if row is None:
        return False
    found = await covering_consent(
        row["client"], row["recipient_organization"], PURPOSE_REFERRAL, [CONTACT]
    )
    return found is not None


async def _email_of(client_id: UUID, actor: CurrentUser, remote_addr: str) -> str:
    try:
        found = await reveal(client_id, [CONTACT], actor, remote_addr, purpose=PURPOSE_REFERRAL)
    except (NotFoundException, ClientErased):
        return ""
    return str((found.get(CONTACT) or {}).get("email") or "").strip()


async def request_mail(
    referral_id: UUID, actor: CurrentUser, lang: str, size: Size, remote_addr: str
) -> None:
    """Queue the slip for the client's e-mail address; refuses what cannot be sent, at once."""
    row, sides = await load_visible(referral_id, actor)
    if Side.SENDER not in sides:
        raise NotFoundException("No such referral.")
    if row["state"] not in slips.SLIP_STATES:
        raise ClientException(slips.NO_SLIP)
    if not await can_mail(referral_id):
        raise ClientException(NO_CONTACT_CONSENT)
    if not await _email_of(row["client"], actor, remote_addr):
        raise ClientException(NO_ADDRESS)
    language = slips.slip_language(lang).code
    async with atomic():
        await publish(SLIP_MAIL_TOPIC, {
            "referral_id": str(referral_id), "actor_user_id": str(actor.id),
            "lang": language, "size": size, "request": uuid4().hex,
        })


def _mail_text(data: slips.SlipData) -> tuple[str, str]:
    """Subject and body: the client's language first, German below."""
    status = "waitlisted" if data.state == "waitlisted" else "accepted"
    parts = [data.text, data.german] if not data.same_language else [data.german]
    subject = f"{data.text['title']}: {data.offer_name}"
    blocks = []
    for text in parts:
        lines = [str(text["title"]), str(text[status]), f"{text['offer']}: {data.offer_name}"]
        if data.appointment:
            lines.append(f"{text['when']}: {data.appointment}")
        if data.address:
            lines.append(f"{text['address']}: {', '.join(data.address)}")
        blocks.append("\n".join(lines))
    return subject, "\n\n---\n\n".join(blocks) + "\n"


async def _send_one(payload: dict[str, str]) -> None:
    key = f"slip:{payload['request']}"
    if await SlipMail.exists().where(SlipMail.dedupe_key == key):
        return
    referral_id = UUID(payload["referral_id"])
    actor = await load_user(UUID(payload["actor_user_id"]))
    if actor is None or not await can_mail(referral_id):
        # The consent ended or the person left since the request: nothing goes out.
        return
    size: Size = "a5" if payload.get("size") == "a5" else "a4"
    data = await slips.gather(referral_id, actor, OUTBOX_ADDRESS, payload["lang"])
    row = await Referral.select(Referral.client).where(Referral.id == referral_id).first()
    address = await _email_of(row["client"], actor, OUTBOX_ADDRESS) if row else ""
    if not address:
        return
    attachments = [
        Attachment(pdf_filename(data, size), await slip_pdf(data, size), "application/pdf")
    ]
    calendar = None
    if data.qr_kind == "ics":
        calendar = await slips.calendar_for_link(slips.calendar_token(referral_id))
        attachments.append(Attachment("termin.ics", calendar, "text/calendar"))
    subject, body = _mail_text(data)
    await send_mail(address, subject, body, attachments=attachments)
    async with atomic():
        if not await SlipMail.exists().where(SlipMail.dedupe_key == key):
            await SlipMail.insert(SlipMail(
                id=uuid4(), referral=referral_id, language=data.text.code, size=size,
                sent_by=actor.id, with_calendar=calendar is not None, dedupe_key=key,
                sent_at=datetime.now(UTC),
            ))


@consumer("referral-slip-mail", topics=[SLIP_MAIL_TOPIC], batch_size=5)
async def send_slips(events: list[OutboxMessage]) -> None:
    for event in events:
        await _send_one(event.payload)


async def mails_of(referral_id: UUID) -> list[dict[str, object]]:
    """The slips mailed for a referral, oldest first: when, which language and size."""
    return list(
        await SlipMail.select(
            SlipMail.language, SlipMail.size, SlipMail.with_calendar, SlipMail.sent_at
        )
        .where(SlipMail.referral == referral_id)
        .order_by(SlipMail.sent_at)
    )
