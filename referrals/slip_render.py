"""The referral slip as HTML and as PDF (WeasyPrint), with a QR code (segno).

Fonts come from the system's Noto families (Latin, Cyrillic, Arabic script, Ethiopic); the PDF
embeds the glyphs it uses, so it prints the same on any machine.
"""

from __future__ import annotations

import base64
import io
import logging
from functools import cache
from typing import Literal

import anyio.to_thread
import segno
from jinja2 import Environment

from core.templates import make_environment
from referrals.slip import SlipData
from referrals.slip_map import map_data_uri
from settings import get_settings

# WeasyPrint logs seven progress lines per PDF at INFO: noise in the server's log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

Size = Literal["a4", "a5"]
SIZES: tuple[Size, ...] = ("a4", "a5")


@cache
def _environment() -> Environment:
    return make_environment()


def qr_data_uri(url: str) -> str:
    """The address as a QR code (SVG, medium error correction) for an <img> in the sheet."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=4, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def sheet_context(slip: SlipData, size: Size, map_uri: str = "") -> dict[str, object]:
    return {
        "slip": slip, "size": size, "qr": qr_data_uri(slip.qr_url) if slip.qr_url else "",
        "map": map_uri, "map_attribution": get_settings().map_attribution,
    }


async def sheet_with_map(slip: SlipData, size: Size) -> dict[str, object]:
    """The sheet's context with the map, where a tile server is configured and answers."""
    return sheet_context(slip, size, await map_data_uri(slip.latitude, slip.longitude))


def document_html(slip: SlipData, size: Size, map_uri: str = "") -> str:
    """The slip as a whole HTML document, as the PDF is made from it."""
    template = _environment().get_template("referrals/slip_document.html")
    return template.render(sheet_context(slip, size, map_uri))


def pdf_from_html(html: str) -> bytes:
    # Imported here: WeasyPrint takes seconds to import, and every process (each `lotse`
    # command, each server start) would pay for it, most of them never making a PDF.
    from weasyprint import HTML

    return bytes(HTML(string=html).write_pdf())


async def slip_pdf(slip: SlipData, size: Size) -> bytes:
    """The PDF, made in a worker thread: layout takes tens of milliseconds of CPU."""
    html = document_html(slip, size, await map_data_uri(slip.latitude, slip.longitude))
    return await anyio.to_thread.run_sync(pdf_from_html, html)


def pdf_filename(slip: SlipData, size: Size) -> str:
    return f"laufzettel-{slip.text.code}-{size}-{str(slip.referral_id)[:8]}.pdf"
