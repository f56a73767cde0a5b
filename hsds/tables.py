"""The review list of HSDS imports: taxonomy terms Lotse does not know, probable duplicates."""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    UUID,
    DoublePrecision,
    ForeignKey,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.reference import LazyTableReference
from piccolo.table import Table

# The directory's tables, named rather than imported: only the directory reads and writes them.
Service = LazyTableReference(table_class_name="Service", app_name="directory")
TaxonomyTerm = LazyTableReference(table_class_name="TaxonomyTerm", app_name="directory")


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
