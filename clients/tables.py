"""Clients and their consents: the personal data of the network, scoped by organisation.

The tables were born in the referrals app (its first migration created them); their names in
the database stay `client`, `consent` and `consent_recipient`.
"""

from __future__ import annotations

from piccolo.columns import JSON, UUID, Boolean, Date, ForeignKey, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from core.references import TableReference, table_ref


def _organization() -> TableReference:
    """Named, not imported: the directory owns organisations, clients only point at them."""
    return table_ref("Organization", "directory")


class Client(Table, tablename="client"):
    """A person a case manager supports; known to others only by pseudonym unless consented."""

    id = UUID(primary_key=True)
    organization: ForeignKey[Table] = ForeignKey(references=_organization(), index=True)
    pseudonym = Varchar(length=100)
    # Personal data (name, birth date, contact, languages, district, notes), encrypted with the
    # client's own key; destroying that key erases it everywhere, backups included.
    sealed_data = Text(default="")
    created_by = UUID()
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    erased_at = Timestamptz(null=True, default=None)


class Consent(Table, tablename="consent"):
    id = UUID(primary_key=True)
    client = ForeignKey(references=Client, index=True)
    purpose = Varchar(length=100)
    # Codes of the data categories covered, e.g. ["identity", "contact", "languages"].
    data_categories = JSON(default="[]")
    special_categories = Boolean(default=False)
    valid_from = Date()
    valid_until = Date()
    # written, electronic, verbal_witnessed
    evidence = Varchar(length=30)
    # Sealed with the client's key (clients.free_text): longer than the 255 characters typed.
    evidence_note = Text(default="")
    recorded_by = UUID()
    recorded_at = Timestamptz(default=TimestamptzNow())
    withdrawn_at = Timestamptz(null=True, default=None)
    withdrawn_by = UUID(null=True, default=None)
    # The consent text the client read (evidence): its catalog language and version.
    text_language = Varchar(length=20, default="de")
    text_version = Varchar(length=40, default="")


class ConsentRecipient(Table, tablename="consent_recipient"):
    id = UUID(primary_key=True)
    consent = ForeignKey(references=Consent, index=True)
    organization: ForeignKey[Table] = ForeignKey(references=_organization(), index=True)
