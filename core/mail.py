"""Sending e-mail: over SMTP when LOTSE_SMTP_HOST is set, else into DATA_DIR/mail/ as .eml files.

Callers run inside outbox consumers, so a failure raises and the delivery is retried. Header
values are made one line first: a line break in an offer name must not break (or fail) a mail.
"""

from __future__ import annotations

import smtplib
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import anyio.to_thread

from core.validation import one_line
from settings import get_settings


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str = "application/octet-stream"
    # e.g. {"method": "REQUEST"} for text/calendar invitations
    params: dict[str, str] = field(default_factory=dict)


def build_message(
    to: str, subject: str, text: str, html: str | None = None,
    attachments: list[Attachment] | None = None, message_id: str | None = None,
) -> EmailMessage:
    settings = get_settings()
    message = EmailMessage()
    message["From"] = one_line(settings.mail_from)
    message["To"] = one_line(to)
    message["Subject"] = one_line(subject)
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = message_id or make_msgid(domain="lotse.local")
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    for item in attachments or []:
        maintype, _, subtype = item.mimetype.partition("/")
        message.add_attachment(item.content, maintype=maintype, subtype=subtype,
                               filename=item.filename, params=item.params)
    return message


def deliver(message: EmailMessage) -> None:
    settings = get_settings()
    if settings.smtp_host:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
            smtp.send_message(message)
        return
    folder = settings.data_dir / "mail"
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{time.time_ns()}-{uuid.uuid4().hex[:8]}.eml"
    (folder / name).write_bytes(message.as_bytes())


async def send_mail(
    to: str, subject: str, text: str, html: str | None = None,
    attachments: list[Attachment] | None = None, message_id: str | None = None,
) -> None:
    """Build and deliver one e-mail without blocking the event loop."""
    message = build_message(to, subject, text, html, attachments, message_id)
    await anyio.to_thread.run_sync(deliver, message)
