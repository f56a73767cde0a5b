"""A referral with everything a slip shows: a place with directions, documents to bring, a
contact person, offer translations (Arabic, Ukrainian; none in Dari) and a booked appointment."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from conftest import run
from directory.tables import (
    Contact,
    Location,
    RequiredDocument,
    ServiceAtLocation,
    ServiceTranslation,
)
from tests.journeys import Network, answer, new_client_with_consent, ok
from tests.test_appointment_journeys import publish_slots

# Rendered pages kept for people to look at (the brief of the slip names this folder).
SAMPLES = Path("/tmp/slip-samples")  # noqa: S108
GERMAN_DESCRIPTION = "Deutschkurs für Erwachsene, vier Vormittage in der Woche."
TRANSLATIONS = {
    "ar": ("دورة اللغة الألمانية", "دورة لغة ألمانية للكبار، أربعة صباحات في الأسبوع."),
    "uk": ("Курс німецької мови", "Курс німецької мови для дорослих, чотири ранки на тиждень."),
}


@dataclass
class SlipScene:
    network: Network
    referral_id: str
    client_id: str


def furnish_offer(net: Network) -> None:
    """Place, directions, documents, a contact person and two translations of the offer."""
    from directory.tables import Service

    run(Service.update({Service.description: GERMAN_DESCRIPTION}).where(
        Service.id == net.service_id))
    place = Location(organization=net.provider_org, name="Haus der Bildung",
                     address_1="Bergstraße 1", postal_code="45479",
                     city="Mülheim an der Ruhr",
                     transportation="Straßenbahn 102, Haltestelle Stadtmitte",
                     latitude=51.43, longitude=6.88)
    run(place.save())
    run(ServiceAtLocation(service=net.service_id, location=place.id).save())
    for document in ("Reisepass", "Aufenthaltstitel"):
        run(RequiredDocument(service=net.service_id, document=document).save())
    run(Contact(service=net.service_id, name="Frau Demir", phone="0208 455 0").save())
    for code, (name, description) in TRANSLATIONS.items():
        run(ServiceTranslation(service=net.service_id, language=code, name=name,
                               description=description).save())


def send_referral_in(net: Network, client_id: str, languages: list[str],
                     shared: tuple[str, ...] = ("identity", "contact")) -> str:
    draft = ok(net.sender.post("/api/referrals", json={
        "client_id": client_id, "service_id": str(net.service_id),
        "need_category": "language_course", "need_text": "Geheime Notiz zum Bedarf",
        "urgency": "normal", "languages": languages,
        "shared_categories": list(shared), "district": "Styrum",
    }), 201)
    ok(net.sender.post(f"/api/referrals/{draft['id']}/transitions", json={"to": "sent"}))
    return str(draft["id"])


def accepted_with_appointment(net: Network, languages: list[str]) -> SlipScene:
    furnish_offer(net)
    slot = publish_slots(net.receiver, net.service_id)[0]
    client_id, _consent = new_client_with_consent(net)
    referral_id = send_referral_in(net, client_id, languages)
    ok(answer(net.receiver, referral_id, to="accepted", appointment={"slot_id": slot["id"]}))
    return SlipScene(net, referral_id, client_id)


def pdf_text(pdf: bytes, tmp: Path, *args: str) -> str:
    source = tmp / "slip.pdf"
    source.write_bytes(pdf)
    done = subprocess.run(["pdftotext", *args, str(source), "-"], capture_output=True,
                          check=True, text=True)
    return done.stdout


def pdf_fonts(pdf: bytes, tmp: Path) -> list[dict[str, str]]:
    """pdffonts as rows: name, type, emb (yes/no)."""
    source = tmp / "fonts.pdf"
    source.write_bytes(pdf)
    lines = subprocess.run(["pdffonts", str(source)], capture_output=True, check=True,
                           text=True).stdout.splitlines()[2:]
    rows = []
    for line in lines:
        parts = line.split()
        # name type... encoding emb sub uni id gen: the last five columns are fixed.
        rows.append({"name": parts[0], "emb": parts[-5], "uni": parts[-3]})
    return rows


def first_page_png(pdf: bytes, tmp: Path, name: str) -> Path:
    source = tmp / "page.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", "-singlefile",
                    str(source), str(tmp / name)], check=True)
    image = tmp / f"{name}.png"
    SAMPLES.mkdir(parents=True, exist_ok=True)
    shutil.copy(image, SAMPLES / f"{name}.png")
    shutil.copy(source, SAMPLES / f"{name}.pdf")
    return image


def decode_qr(image: Path) -> str:
    done = subprocess.run(["zbarimg", "--quiet", "--raw", str(image)], capture_output=True,
                          text=True, check=True)
    return done.stdout.strip()


def tools_present() -> bool:
    return all(shutil.which(tool) for tool in ("pdftotext", "pdftoppm", "pdffonts", "zbarimg"))






def word_boxes(pdf: bytes, tmp: Path) -> dict[str, tuple[float, float]]:
    """Each word of the first page with its horizontal extent (xMin, xMax), first seen.

    Poppler gives words of right-to-left scripts in visual order: those are kept reversed too,
    so that a test looks them up as they are written."""
    import re

    found: dict[str, tuple[float, float]] = {}
    pattern = re.compile(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">'
                         r"([^<]*)</word>")
    for x_min, x_max, word in pattern.findall(pdf_text(pdf, tmp, "-bbox", "-l", "1")):
        found.setdefault(word, (float(x_min), float(x_max)))
        found.setdefault(word[::-1], (float(x_min), float(x_max)))
    return found


def page_size(pdf: bytes, tmp: Path) -> str:
    source = tmp / "info.pdf"
    source.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(source)], capture_output=True, check=True,
                          text=True).stdout
    return next(line for line in info.splitlines() if line.startswith("Page size:"))
