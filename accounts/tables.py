"""Users, their memberships in organisations, log-in sessions, API tokens and log-in attempts."""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    UUID,
    BigSerial,
    Boolean,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from core.references import table_ref


class User(Table, tablename="lotse_user"):
    id = UUID(primary_key=True)
    email = Varchar(length=255, unique=True)
    display_name = Varchar(length=255)
    password_hash = Text()
    is_active = Boolean(default=True)
    locale = Varchar(length=5, default="de")
    # Set once the person (or an admin for them) chose a language: German chosen then outweighs
    # an English browser, while the default German of a new account does not.
    locale_chosen = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow())
    last_login_at = Timestamptz(null=True, default=None)


class Membership(Table):
    """A user's role in one organisation: network_admin, case_manager, provider_staff, viewer,
    committee."""

    id = UUID(primary_key=True)
    user = ForeignKey(references=User, index=True)
    # Named, not imported: the directory owns organisations, accounts only points at them.
    organization: ForeignKey[Table] = ForeignKey(
        references=table_ref("Organization", "directory"),
        index=True,
    )
    role = Varchar(length=30)


class LoginSession(Table):
    """A server-side session of the web pages; the cookie holds a token, the table its hash."""

    id = UUID(primary_key=True)
    token_hash = Varchar(length=64, unique=True)
    user = ForeignKey(references=User, index=True)
    csrf_token = Varchar(length=64)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()


class ApiToken(Table):
    """A per-user token for the JSON API, shown once and stored hashed."""

    id = UUID(primary_key=True)
    user = ForeignKey(references=User, index=True)
    name = Varchar(length=100, default="")
    prefix = Varchar(length=12)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class AuditEntry(Table):
    """Append-only record of reads of personal data and changes; each entry hashes the previous."""

    id = BigSerial(primary_key=True)
    at = Timestamptz(default=TimestamptzNow(), index=True)
    actor_user = UUID(null=True, default=None, index=True)
    actor_organization = UUID(null=True, default=None, index=True)
    # e.g. client.read, client.update, consent.withdraw, referral.transition
    action = Varchar(length=60)
    subject_type = Varchar(length=30)
    subject_id = UUID(null=True, default=None, index=True)
    # Organisation whose data was touched, for the organisation's own audit page.
    owner_organization = UUID(null=True, default=None, index=True)
    detail = JSON(default="{}")
    remote_addr = Varchar(length=64, default="")
    prev_hash = Varchar(length=64, default="")
    entry_hash = Varchar(length=64, unique=True)


class LoginAttempt(Table):
    """Log-in attempts of one e-mail or address within one minute, for the rate limit.

    `key` is a keyed digest (no e-mail or address in plain text); `slot` is "minute:key", unique,
    so that one upsert counts an attempt atomically in every process.
    """

    slot = Varchar(length=80, unique=True)
    key = Varchar(length=64, index=True)
    minute = Integer(index=True)
    attempts = Integer(default=0)
