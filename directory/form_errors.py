"""Why a directory form was refused, in the person's language (German first), never a trace.

The writers and structs of the JSON API speak English to programs; the forms name the field by
its label and say what to do.
"""

from __future__ import annotations

import re

from litestar import Request
from litestar.exceptions import HTTPException

from core.errors import ReadableError
from core.i18n import N_, gettext_for
from core.validation import readable

# Field of the input structs -> the label the form shows for it.
LABELS = {
    "name": N_("Name"), "alternate_name": N_("Other name (optional)"),
    "description": N_("Description"), "email": N_("E-mail"), "website": N_("Website"),
    "url": N_("Website"), "kind": N_("Kind"), "number": N_("Phone"), "phones": N_("Phone"),
    "status": N_("Status"), "minimum_age": N_("Minimum age"), "maximum_age": N_("Maximum age"),
    "eligibility_description": N_("Who can take part"), "fees_description": N_("Costs"),
    "application_process": N_("How to apply"), "wait_time": N_("Waiting time"),
    "languages": N_("Languages spoken"), "category_ids": N_("Categories"),
    "target_group_ids": N_("Target groups"),
    "location_ids": N_("Places where the offer takes place"),
}
# Refusals of the writers (English, for programs) -> what the form says instead.
WRITER_REASONS = (
    ("is higher than maximum_age", N_("The minimum age is higher than the maximum age.")),
    ("location_ids:", N_("Choose only places of this organisation that are still in use.")),
    ("category_ids:", N_("A chosen category no longer exists. Please reload the form.")),
    ("target_group_ids:", N_("A chosen target group no longer exists. Please reload the form.")),
    ("Unknown language code", N_("A chosen language is not known. Please reload the form.")),
    ("offer has been retired", N_("This offer has been retired and can no longer be changed.")),
    ("organisation is retired", N_("This organisation has been retired and can no longer be "
                                   "changed.")),
)
FIELD = re.compile(r"\$\.(?:phones\[\d+\]\.)?([a-z_]+)")
CHECK = N_("Please check this field: %(field)s")


def reason(error: Exception, request: Request) -> str:
    _ = gettext_for(request).gettext
    if isinstance(error, ReadableError):
        return error.translated(_)
    text = str(error.detail) if isinstance(error, HTTPException) else str(error)
    for marker, message in WRITER_REASONS:
        if marker in text:
            return _(message)
    found = FIELD.search(text)
    label = _(LABELS.get(found.group(1), found.group(1))) if found else ""
    if found:
        # Without the struct's path the sentence names the field by its label.
        return readable(FIELD.sub("", text), _, label) or _(CHECK) % {"field": label}
    # A plain ValueError carries the label of the number field that was not a number.
    return readable(text, _) or _(CHECK) % {"field": text}
