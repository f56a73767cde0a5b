"""Outbox consumers of the referral exchange: in-app notifications, e-mail and webhooks, and
the end of a client's consent or of the client (published by the clients domain).

Each is idempotent: a notification, an e-mail or a webhook delivery is recorded under a key
made of the event and the recipient, and an event delivered again skips what exists; an ended
consent cancels only what is still open.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any
from uuid import UUID, uuid4

from jinja2 import Environment, FileSystemLoader

from accounts.contacts import Contact
from clients import api as clients
from core.db import atomic
from core.i18n import LANGUAGES, translations
from core.mail import send_mail
from core.templates import template_dirs
from core.urls import absolute_url
from outbox.registry import OutboxMessage, consumer
from referrals import monthly, notifications, outgoing, sealed, webhooks, withdrawals
from referrals.outgoing import Audience, Plan
from referrals.tables import MailDelivery, Notification


class WebhookDeliveryError(RuntimeError):
    """Some endpoints did not take the event; the outbox retries it later."""


@cache
def _mail_templates() -> Environment:
    # Plain-text mails: no HTML escaping.
    return Environment(
        loader=FileSystemLoader([str(p) for p in template_dirs()]),
        autoescape=False,  # noqa: S701
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _lang(person: Contact) -> str:
    return person.locale if person.locale in LANGUAGES else "de"


def _link(plan: Plan, audience: Audience) -> str:
    if plan.referral is None:
        return absolute_url("/notifications")
    page = "referrals" if audience.side == "sender" else "inbox"
    return absolute_url(f"/{page}/{plan.referral['id']}")


def _key(plan: Plan, audience: Audience, person: Contact) -> str:
    return f"{plan.event_key}:{audience.kind}:{person.user_id}"[:200]


async def _plans(events: list[OutboxMessage]) -> list[Plan]:
    return await outgoing.plans([(event.topic, event.payload) for event in events])


@consumer("referral-notifications", topics=outgoing.TOPICS, batch_size=50)
async def notify_in_app(events: list[OutboxMessage]) -> None:
    woken: set[UUID] = set()
    for plan in await _plans(events):
        referral_id = plan.referral["id"] if plan.referral else None
        client_id = plan.referral["client"] if plan.referral else None
        for audience in plan.audiences:
            params = await sealed.seal_params(client_id, audience.params)
            for person in audience.people:
                key = _key(plan, audience, person)
                async with atomic():
                    if await Notification.exists().where(Notification.dedupe_key == key):
                        continue
                    await Notification.insert(
                        Notification(
                            id=uuid4(),
                            user=person.user_id,
                            referral=referral_id,
                            kind=audience.kind,
                            params=params,
                            dedupe_key=key,
                            created_at=datetime.now(UTC),
                        )
                    )
                woken.add(person.user_id)
    await notifications.broker.announce(woken)


def _mail_text(lang: str, context: dict[str, Any]) -> str:
    template = _mail_templates().get_template(f"referrals/mail/notification.{lang}.txt")
    return template.render(**context)


@consumer("referral-mail", topics=outgoing.TOPICS, batch_size=10)
async def send_mails(events: list[OutboxMessage]) -> None:
    for plan in await _plans(events):
        for audience in plan.audiences:
            for person in audience.people:
                key = _key(plan, audience, person)
                if await MailDelivery.exists().where(MailDelivery.dedupe_key == key):
                    continue
                lang = _lang(person)
                t = translations(lang)
                title, body = notifications.render(
                    audience.kind, sealed.erased_translated(audience.params, t), t, lang
                )
                # The calendars domain mails the invitation itself when a slot is booked.
                invitation = bool(
                    plan.referral
                    and plan.referral["appointment_slot"] is not None
                    and audience.kind == "referral_accepted"
                )
                text = _mail_text(
                    lang,
                    {
                        "name": person.display_name,
                        "title": title,
                        "body": body,
                        "link": _link(plan, audience),
                        "invitation": invitation,
                    },
                )
                await send_mail(person.email, f"Lotse: {title}", text)
                async with atomic():
                    if not await MailDelivery.exists().where(MailDelivery.dedupe_key == key):
                        await MailDelivery.insert(
                            MailDelivery(
                                id=uuid4(), dedupe_key=key, recipient_user=person.user_id,
                                subject=title[:255], sent_at=datetime.now(UTC),
                            )
                        )


@consumer("referral-webhooks", topics=outgoing.TOPICS, batch_size=1)
async def call_webhooks(events: list[OutboxMessage]) -> None:
    failures: list[str] = []
    for plan in await _plans(events):
        failures += await webhooks.deliver(
            plan.event_key, plan.webhook_type, plan.webhook_orgs, plan.webhook_data
        )
    if failures:
        raise WebhookDeliveryError("; ".join(failures)[:400])


@consumer(
    "referral-consent-ends",
    topics=[clients.CONSENT_WITHDRAWN_TOPIC, clients.CLIENT_ERASED_TOPIC],
    batch_size=20,
)
async def end_with_consent(events: list[OutboxMessage]) -> None:
    # In publishing order: an erasure's consent withdrawals come before the erasure itself.
    for event in events:
        await withdrawals.on_event(event.topic, event.payload)


@consumer("referral-figures", topics=[outgoing.TRANSITION], batch_size=200)
async def keep_figures(events: list[OutboxMessage]) -> None:
    # The months the batch touches are marked; the tick rebuilds each once (`monthly`).
    await monthly.mark_stale(list({UUID(e.payload["referral_id"]) for e in events
                                   if e.payload.get("referral_id")}))
