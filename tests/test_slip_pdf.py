"""The referral slip as a PDF: in the client's language beside German, right to left where the
script is, every glyph from an embedded Noto font, and a QR code that opens the appointment."""

from __future__ import annotations

from pathlib import Path

import pytest
from icalendar import Calendar
from litestar.testing import TestClient

from app import create_app
from tests.journeys import Network
from tests.slip_support import (
    GERMAN_DESCRIPTION,
    TRANSLATIONS,
    accepted_with_appointment,
    decode_qr,
    first_page_png,
    page_size,
    pdf_fonts,
    pdf_text,
    tools_present,
    word_boxes,
)

pytestmark = pytest.mark.skipif(not tools_present(), reason="poppler-utils or zbar missing")


def slip_pdf(net: Network, referral_id: str, lang: str, size: str = "a4") -> bytes:
    response = net.sender.get(f"/referrals/{referral_id}/slip/pdf",
                              params={"lang": lang, "size": size})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    return bytes(response.content)


def assert_every_glyph_from_embedded_noto(pdf: bytes, tmp: Path, families: set[str]) -> None:
    """No tofu: each font is embedded with a Unicode map, all are Noto, and the script's own
    family is among them (a missing glyph would fall back to another family or a box)."""
    fonts = pdf_fonts(pdf, tmp)
    assert fonts
    assert all(f["emb"] == "yes" and f["uni"] == "yes" for f in fonts), fonts
    names = {f["name"].split("+", 1)[1] for f in fonts}
    assert all(name.startswith("Noto-") for name in names), names
    assert families <= names, names


def test_arabic_slip_reads_right_to_left_beside_german(network: Network, tmp_path: Path) -> None:
    scene = accepted_with_appointment(network, ["ar"])
    pdf = slip_pdf(network, scene.referral_id, "ar")

    text = pdf_text(pdf, tmp_path)
    assert "العنوان" in text and "Adresse" in text
    assert "Bergstraße 1" in text and "Reisepass" in text and "Frau Demir" in text
    assert TRANSLATIONS["ar"][0].split()[0] in text
    boxes = word_boxes(pdf, tmp_path)
    # Right to left: the Arabic label column stands right of the address it labels.
    assert boxes["العنوان"][0] > boxes["Bergstraße"][1]
    assert_every_glyph_from_embedded_noto(pdf, tmp_path, {"Noto-Sans-Arabic", "Noto-Sans"})
    first_page_png(pdf, tmp_path, "slip-ar-a4")


def test_german_slip_reads_left_to_right(network: Network, tmp_path: Path) -> None:
    scene = accepted_with_appointment(network, [])
    pdf = slip_pdf(network, scene.referral_id, "de")
    boxes = word_boxes(pdf, tmp_path)
    assert boxes["Adresse"][1] < boxes["Bergstraße"][0]
    assert GERMAN_DESCRIPTION.split()[0] in pdf_text(pdf, tmp_path)


def test_qr_code_opens_the_appointment_without_the_case(network: Network, tmp_path: Path) -> None:
    scene = accepted_with_appointment(network, ["uk"])
    pdf = slip_pdf(network, scene.referral_id, "uk")
    image = first_page_png(pdf, tmp_path, "slip-uk-a4")

    link = decode_qr(image)
    assert "/slip-calendar/" in link
    path = link.split("://", 1)[1].split("/", 1)[1]
    # The phone is not logged in.
    with TestClient(app=create_app()) as phone:
        response = phone.get("/" + path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    event = next(iter(Calendar.from_ical(response.content).walk("VEVENT")))
    assert "Deutschkurs am Vormittag" in str(event["SUMMARY"])
    assert "Bergstraße 1" in str(event["LOCATION"])
    assert b"Aylin" not in response.content and b"Geheime" not in response.content


def test_forged_calendar_link_is_refused(network: Network) -> None:
    scene = accepted_with_appointment(network, [])
    response = network.sender.get(f"/slip-calendar/{scene.referral_id}.ics")
    assert response.status_code == 404


def test_ukrainian_slip_uses_the_offer_translation(network: Network, tmp_path: Path) -> None:
    scene = accepted_with_appointment(network, ["uk"])
    pdf = slip_pdf(network, scene.referral_id, "uk")
    text = pdf_text(pdf, tmp_path)
    assert "Адреса" in text and "Курс німецької мови" in text
    assert "лише німецькою" not in text
    assert_every_glyph_from_embedded_noto(pdf, tmp_path, {"Noto-Sans"})


def test_dari_slip_falls_back_to_german_with_a_notice(network: Network, tmp_path: Path) -> None:
    scene = accepted_with_appointment(network, ["prs"])
    pdf = slip_pdf(network, scene.referral_id, "prs", size="a5")
    text = pdf_text(pdf, tmp_path)
    assert "آدرس" in text and "Adresse" in text
    assert "آلمانی" in text  # "only in German"
    assert "Deutschkurs für Erwachsene" in text
    assert "419.5" in page_size(pdf, tmp_path)  # A5: 148 x 210 mm
    boxes = word_boxes(pdf, tmp_path)
    assert boxes["آدرس"][0] > boxes["Bergstraße"][1]
    assert_every_glyph_from_embedded_noto(pdf, tmp_path, {"Noto-Sans-Arabic"})
    first_page_png(pdf, tmp_path, "slip-prs-a5")


def test_tigrinya_slip_is_set_in_ethiopic(network: Network, tmp_path: Path) -> None:
    scene = accepted_with_appointment(network, ["ti"])
    pdf = slip_pdf(network, scene.referral_id, "ti", size="a5")
    assert "ኣድራሻ" in pdf_text(pdf, tmp_path)
    assert_every_glyph_from_embedded_noto(pdf, tmp_path, {"Noto-Sans-Ethiopic"})
    first_page_png(pdf, tmp_path, "slip-ti-a5")


def test_without_appointment_the_qr_code_opens_the_offer_in_the_clients_language(
    network: Network, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataclasses import replace

    from settings import get_settings
    from tests.journeys import answer, new_client_with_consent, ok
    from tests.slip_support import furnish_offer, send_referral_in

    public = replace(get_settings(), public_directory=True)
    monkeypatch.setattr("referrals.slip.get_settings", lambda: public)
    furnish_offer(network)
    client_id, _consent = new_client_with_consent(network)
    referral_id = send_referral_in(network, client_id, ["ar"])
    ok(answer(network.receiver, referral_id, to="accepted",
              appointment="Di 14 Uhr, nach Absprache"))

    pdf = slip_pdf(network, referral_id, "ar", size="a5")
    link = decode_qr(first_page_png(pdf, tmp_path, "slip-ar-a5-offer-link"))
    assert link.endswith(f"/offers/{network.service_id}?text=ar")
    text = pdf_text(pdf, tmp_path)
    assert "Di 14 Uhr, nach Absprache" in text and "Das Angebot im Internet" in text
