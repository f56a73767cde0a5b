"""The review list of HSDS imports: taxonomy terms Lotse does not know, probable duplicates."""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    UUID,
    Boolean,
    DoublePrecision,
    ForeignKey,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from core.references import table_ref

# The directory's tables, named rather than imported: only the directory reads and writes them.
Service = table_ref("Service", "directory")
TaxonomyTerm = table_ref("TaxonomyTerm", "directory")


class TermReview(Table, tablename="hsds_term_review"):
    """A taxonomy term met in an import that matches no Lotse term.

    A network admin maps it to a Lotse term, adopts it (with its taxonomy) or dismisses it;
    later imports apply that decision by themselves.
    """

    id = UUID(primary_key=True)
    external_term_id = UUID(unique=True)
    external_taxonomy_id = UUID(null=True, default=None)
    taxonomy_name = Varchar(length=255, default="")
    taxonomy_uri = Varchar(length=500, null=True, default=None)
    code = Varchar(length=255, default="")
    name = Varchar(length=255, default="")
    description = Text(default="")
    # The term as received (with its taxonomy), so that it can be adopted later.
    term_json = JSON(default="{}")
    source = Varchar(length=1000, default="")
    # open | mapped | adopted | dismissed
    status = Varchar(length=20, default="open", index=True)
    mapped_term: ForeignKey[Table] = ForeignKey(
        references=TaxonomyTerm, null=True, default=None, on_delete=OnDelete.set_null
    )
    first_seen = Timestamptz(default=TimestamptzNow())
    last_seen = Timestamptz(default=TimestamptzNow())


class TermReviewLink(Table, tablename="hsds_term_review_link"):
    """An imported offer that carries a term under review (the HSDS attribute id is kept)."""

    id = UUID(primary_key=True)
    review = ForeignKey(references=TermReview, index=True, on_delete=OnDelete.cascade)
    service: ForeignKey[Table] = ForeignKey(
        references=Service, index=True, on_delete=OnDelete.cascade
    )
    attribute_id = UUID()


class DuplicateFlag(Table, tablename="hsds_duplicate_flag"):
    """An imported offer that looks like one Lotse already had (same provider, similar)."""

    id = UUID(primary_key=True)
    service: ForeignKey[Table] = ForeignKey(
        references=Service, index=True, on_delete=OnDelete.cascade
    )
    existing_service: ForeignKey[Table] = ForeignKey(
        references=Service, index=True, on_delete=OnDelete.cascade
    )
    reason = Varchar(length=255, default="")
    score = DoublePrecision(default=0.0)
    source = Varchar(length=1000, default="")
    # open | same | different
    status = Varchar(length=20, default="open", index=True)
    created_at = Timestamptz(default=TimestamptzNow())


Organization = table_ref("Organization", "directory")


class ImportSource(Table, tablename="hsds_import_source"):
    """A system or file HSDS records are imported from, by the name the import gives it.

    A source may create new organisations (which then belong to it) and change only the
    organisations bound to it (``SourceOrganization``); a network admin binds others explicitly.
    """

    id = UUID(primary_key=True)
    name = Varchar(length=1000, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())


class SourceOrganization(Table, tablename="hsds_source_organization"):
    """An organisation whose records a source may maintain; id derived from (source, org)."""

    id = UUID(primary_key=True)
    source = ForeignKey(references=ImportSource, index=True, on_delete=OnDelete.cascade)
    organization: ForeignKey[Table] = ForeignKey(
        references=Organization, index=True, on_delete=OnDelete.cascade
    )
    # True when the import created the organisation, False when a network admin allowed it.
    created = Boolean(default=False)


class ImportedRecord(Table, tablename="hsds_imported_record"):
    """A record a source has imported, keyed by (source, HSDS id) through the derived id.

    Lets a re-run recognise its own earlier records (never duplicates of its new ones).
    """

    id = UUID(primary_key=True)
    source = ForeignKey(references=ImportSource, index=True, on_delete=OnDelete.cascade)
    kind = Varchar(length=30)
    record_id = UUID(index=True)


class ExtensionData(Table, tablename="hsds_extension_data"):
    """An imported HSDS record as it came, for what Lotse's own tables cannot hold.

    The export and the API add its properties that Lotse's record lacks (a foreign country, a
    program, metadata, a second address, ...), so that nothing an import read is lost; what
    Lotse's tables hold always comes from them. Keyed by the record's id.
    """

    id = UUID(primary_key=True)
    kind = Varchar(length=30)
    data = JSON(default="{}")
    source = Varchar(length=1000, default="")
    updated = Timestamptz(default=TimestamptzNow())
