#!/usr/bin/env python3
"""How long a referral slip takes as a PDF: one slip (first and warm), and a batch of 100.

    nice .venv/bin/python scripts/bench_slip.py [--batch 100] [--size a4|a5] [--out DIR]

Renders the whole pipeline a request runs after reading the database: the slip's HTML from the
template, its QR code (segno) and the PDF (WeasyPrint, Noto fonts embedded). The batch cycles
through every language of the slip catalog (Arabic, Dari, Tigrinya, ... right to left and left
to right). Prints seconds per slip and pages per second. --out keeps the PDFs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from uuid import uuid4

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PICCOLO_CONF", "piccolo_conf")

import domains  # noqa: E402
from referrals.slip import Contact, SlipData, slip_texts  # noqa: E402
from referrals.slip_render import Size, document_html, pdf_from_html  # noqa: E402


def sample(code: str) -> SlipData:
    texts = slip_texts()
    return SlipData(
        referral_id=uuid4(), state="accepted", text=texts[code], german=texts["de"],
        person_name="Amal Haddad", offer_name="Deutschkurs am Vormittag",
        offer_name_de="Deutschkurs am Vormittag", description="",
        description_de="Deutschkurs für Erwachsene, vier Vormittage in der Woche. " * 3,
        description_fallback=code != "de", provider="AWO Mülheim",
        address=["Haus der Bildung", "Bergstraße 1", "45479 Mülheim an der Ruhr"],
        transport="Straßenbahn 102, Haltestelle Stadtmitte",
        appointment="10.12.2026, 09:00–09:45",
        opening=["Kurs: Mo–Do 09:00–12:15", "Sprechzeit: Di 14:00–16:00"],
        bring=["Reisepass", "Aufenthaltstitel", "Berechtigungsschein"],
        contacts=[Contact("Frau Demir", "0208 455 0", "kurse@example.org")],
        waitlist_position=None, waitlist_length=None, expected_wait="",
        qr_url="https://lotse.example.org/slip-calendar/" + "x" * 120 + ".ics", qr_kind="ics",
    )


def render(code: str, size: Size) -> bytes:
    return pdf_from_html(document_html(sample(code), size))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--size", choices=["a4", "a5"], default="a4")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    domains.install()
    size: Size = args.size
    codes = list(slip_texts())

    started = time.perf_counter()
    first = render("ar", size)
    cold = time.perf_counter() - started
    warm = []
    for _ in range(5):
        started = time.perf_counter()
        render("ar", size)
        warm.append(time.perf_counter() - started)
    print(f"one slip (Arabic, {size.upper()}): first {cold:.3f} s, then median "
          f"{statistics.median(warm):.3f} s ({len(first) / 1024:.0f} KiB)")

    times = []
    started = time.perf_counter()
    for n in range(args.batch):
        code = codes[n % len(codes)]
        one = time.perf_counter()
        pdf = render(code, size)
        times.append(time.perf_counter() - one)
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            (args.out / f"slip-{n:03d}-{code}.pdf").write_bytes(pdf)
    total = time.perf_counter() - started
    times.sort()
    p95 = times[max(0, int(len(times) * 0.95) - 1)]
    print(f"batch of {args.batch} slips in {len(codes)} languages: {total:.2f} s, "
          f"median {statistics.median(times):.3f} s, p95 {p95:.3f} s, "
          f"max {times[-1]:.3f} s, {args.batch / total:.1f} slips/s")


if __name__ == "__main__":
    main()
