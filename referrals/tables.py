"""Referrals between organisations, their history, messages, notifications and webhooks."""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    UUID,
    Boolean,
    Date,
    DoublePrecision,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from core.references import table_ref

# Other domains' tables, named instead of imported: referrals reach them through their front
# doors (directory.api, clients.api); the foreign keys stay as they are in the database.
SERVICE = table_ref("Service", "directory")
ORGANIZATION = table_ref("Organization", "directory")


class Referral(Table):
    id = UUID(primary_key=True)
    client: ForeignKey[Table] = ForeignKey(
        references=table_ref("Client", "clients"), index=True
    )
    consent: ForeignKey[Table] = ForeignKey(
        references=table_ref("Consent", "clients"),
        null=True,
        default=None,
        index=True,
    )
    service: ForeignKey[Table] = ForeignKey(references=SERVICE, index=True)
    sender_organization: ForeignKey[Table] = ForeignKey(references=ORGANIZATION, index=True)
    # Denormalised from the service so that every inbox query scopes by one column.
    recipient_organization: ForeignKey[Table] = ForeignKey(references=ORGANIZATION, index=True)
    sender_user = UUID()
    state = Varchar(length=20, default="draft", index=True)
    need_category = Varchar(length=100, default="")
    need_text = Text(default="")
    # normal, high, urgent
    urgency = Varchar(length=10, default="normal")
    languages = JSON(default="[]")
    interpreter_needed = Boolean(default=False)
    accessibility_needs = Text(default="")
    preferred_times = Text(default="")
    notes = Text(default="")
    shared_categories = JSON(default="[]")
    age_band = Varchar(length=20, default="")
    district = Varchar(length=100, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    sent_at = Timestamptz(null=True, default=None)
    answer_due = Date(null=True, default=None)
    answered_at = Timestamptz(null=True, default=None)
    waitlisted_at = Timestamptz(null=True, default=None)
    expected_wait = Varchar(length=30, default="")
    # A freed place offered to this waitlisted referral must be taken up before this moment.
    place_offered_until = Timestamptz(null=True, default=None)
    holds_place = Boolean(default=False)
    appointment_slot = UUID(null=True, default=None)
    appointment_text = Varchar(length=255, default="")
    closed_at = Timestamptz(null=True, default=None)
    # Bumped on every change, so a stale form cannot overwrite a newer state.
    version = Integer(default=1)


class ReferralTransition(Table):
    """Every state change of a referral: who, when, from, to, reason and note."""

    id = UUID(primary_key=True)
    referral = ForeignKey(references=Referral, index=True)
    from_state = Varchar(length=20)
    to_state = Varchar(length=20)
    actor_user = UUID(null=True, default=None)
    actor_organization = UUID(null=True, default=None)
    reason = Varchar(length=30, default="")
    note = Text(default="")
    at = Timestamptz(default=TimestamptzNow())


class ReferralMonthCount(Table):
    """One monthly count behind the analysis (`referrals.monthly`): how many referrals sent in
    `month` (a Berlin month) fall under `measure` for need, district and `grp` (the receiving
    organisation, a language or the need referred to next, by measure). Duration measures carry
    a bucket (`monthly.bucket`) and the hours summed in it. Rebuilt per month from the referral
    tables, so it is never the only record of anything."""

    month = Varchar(length=7)
    measure = Varchar(length=20)
    need = Varchar(length=100, default="")
    district = Varchar(length=100, default="")
    grp = Varchar(length=100, default="")
    state = Varchar(length=20, default="")
    reason = Varchar(length=30, default="")
    bucket = Integer(default=0)
    number = Integer(default=0)
    hours = DoublePrecision(default=0.0)


class ReferralMessage(Table):
    id = UUID(primary_key=True)
    referral = ForeignKey(references=Referral, index=True)
    author_user = UUID()
    author_organization = UUID()
    body = Text()
    created_at = Timestamptz(default=TimestamptzNow())


# --- Waitlist place offers, notifications, webhooks and mail (referral exchange) ----------


class PlaceOffer(Table):
    """A freed place held for a waitlisted referral until it is taken or its deadline passes.

    One freed place makes one `offer_round`; it passes down the waitlist, one offer at a time.
    """

    id = UUID(primary_key=True)
    referral = ForeignKey(references=Referral, index=True)
    service = UUID(index=True)
    offer_round = UUID(index=True)
    offered_at = Timestamptz(default=TimestamptzNow())
    offered_until = Timestamptz()
    # open, taken, lapsed, released
    outcome = Varchar(length=20, default="open", index=True)
    closed_at = Timestamptz(null=True, default=None)


class ReferralReminder(Table):
    """Marks a deadline reminder as issued, so that the periodic check issues it once."""

    id = UUID(primary_key=True)
    referral = ForeignKey(references=Referral, index=True)
    kind = Varchar(length=40)
    dedupe_key = Varchar(length=200, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())


class Notification(Table):
    """An in-app notification, rendered from `kind` and `params` in the reader's language."""

    id = UUID(primary_key=True)
    # An accounts user id (no foreign key across domains).
    user = UUID(index=True)
    referral = ForeignKey(references=Referral, null=True, default=None, index=True)
    kind = Varchar(length=40)
    # Only non-personal values: states, reason codes, offer name, dates.
    params = JSON(default="{}")
    dedupe_key = Varchar(length=200, unique=True)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    read_at = Timestamptz(null=True, default=None)


class MailDelivery(Table):
    """One e-mail handed to the mail server, so that a retried outbox event does not resend it."""

    id = UUID(primary_key=True)
    dedupe_key = Varchar(length=200, unique=True)
    recipient_user = UUID(index=True)
    subject = Varchar(length=255, default="")
    sent_at = Timestamptz(default=TimestamptzNow())


class SlipMail(Table):
    """A referral slip e-mailed to the client: language, size and who sent it (not the text).

    Part of the referral's history; `dedupe_key` keeps a retried outbox event from resending.
    """

    id = UUID(primary_key=True)
    referral = ForeignKey(references=Referral, index=True)
    language = Varchar(length=20)
    size = Varchar(length=5, default="a4")
    sent_by = UUID()
    with_calendar = Boolean(default=False)
    dedupe_key = Varchar(length=200, unique=True)
    sent_at = Timestamptz(default=TimestamptzNow())


class WebhookEndpoint(Table):
    """A provider system that receives signed referral events of its organisation."""

    id = UUID(primary_key=True)
    organization: ForeignKey[Table] = ForeignKey(references=ORGANIZATION, index=True)
    url = Varchar(length=500)
    # Shared secret for the HMAC-SHA256 signature; shown once when the endpoint is created.
    secret = Varchar(length=100)
    description = Varchar(length=255, default="")
    active = Boolean(default=True)
    created_by = UUID(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    last_success_at = Timestamptz(null=True, default=None)
    last_failure_at = Timestamptz(null=True, default=None)
    last_error = Text(default="")


class WebhookDelivery(Table):
    """One event for one endpoint; retried by the outbox until delivered or given up."""

    id = UUID(primary_key=True)
    endpoint = ForeignKey(references=WebhookEndpoint, index=True)
    dedupe_key = Varchar(length=200, unique=True)
    topic = Varchar(length=100)
    payload = JSON(default="{}")
    # pending, delivered, failed
    status = Varchar(length=20, default="pending", index=True)
    attempts = Integer(default=0)
    last_status_code = Integer(null=True, default=None)
    last_error = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    delivered_at = Timestamptz(null=True, default=None)
