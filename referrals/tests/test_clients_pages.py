"""The client pages in a logged-in browser session: German first, English complete."""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar.testing import TestClient

from accounts.tables import AuditEntry
from app import create_app
from clients.keystore import get_keystore
from clients.tables import Client
from conftest import run

PERSON_FORM = {
    "given_name": "Aylin",
    "family_name": "Yilmaz",
    "birth_date": "1990-05-17",
    "phone": "+49 208 123456",
    "email": "aylin@example.org",
    "district": "Styrum",
    "languages": ["tr", "ar"],
    "other_languages": "ln",
    "notes": "Sucht einen Deutschkurs",
}


@pytest.fixture
def browser(make_user: Any, make_org: Any, login: Any) -> Any:
    user = make_user("case_manager", make_org("Caritas Mülheim"))
    with TestClient(app=create_app()) as session:
        login(session, user)
        yield session


def _create(browser: Any, **changes: Any) -> str:
    response = browser.post("/clients/new", data={**PERSON_FORM, **changes}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return response.headers["location"].split("?")[0]


def test_recorded_client_is_listed_by_pseudonym_without_personal_data(browser: Any) -> None:
    url = _create(browser, pseudonym="Akte 2026/17")
    detail = browser.get(url + "?done=created")
    assert "Die Person wurde erfasst." in detail.text
    assert "Akte 2026/17" in detail.text
    listing = browser.get("/clients")
    assert '<html lang="de">' in listing.text and "Akte 2026/17" in listing.text
    for page in (detail.text, listing.text):
        assert "Aylin" not in page and "Yilmaz" not in page and "123456" not in page
    assert browser.get("/clients?q=2026/1").text.count("Akte 2026/17") == 1
    assert "Akte 2026/17" not in browser.get("/clients?q=nothing").text


def test_showing_personal_data_is_logged(browser: Any) -> None:
    url = _create(browser)
    client_id = url.rsplit("/", 1)[1]
    page = browser.get(url + "/personal")
    assert page.status_code == 200
    assert "Aylin" in page.text and "Styrum" in page.text
    assert "Türkisch" in page.text and "Lingala" in page.text
    assert "Dieser Blick wurde protokolliert." in page.text
    reads = run(AuditEntry.select().where(AuditEntry.action == "client.read"))
    assert [str(r["subject_id"]) for r in reads] == [client_id]


def test_form_problems_are_shown_in_german_next_to_their_field(browser: Any) -> None:
    response = browser.post(
        "/clients/new",
        data={**PERSON_FORM, "email": "no-address", "other_languages": "Deutsch"},
    )
    assert response.status_code == 400
    assert "Das ist keine E-Mail-Adresse." in response.text
    assert "Verwenden Sie zwei- oder dreibuchstabige Sprachcodes" in response.text
    assert 'aria-invalid="true"' in response.text and 'href="#email"' in response.text
    # What was typed stays in the form.
    assert 'value="Yilmaz"' in response.text
    assert run(Client.count()) == 0


def test_pages_are_complete_in_english(browser: Any) -> None:
    url = _create(browser)
    english = {"Accept-Language": "en"}
    assert "Record a new client" in browser.get("/clients", headers=english).text
    assert "Show personal data" in browser.get(url, headers=english).text
    problems = browser.post(
        "/clients/new", data={**PERSON_FORM, "birth_date": "2999-01-01"}, headers=english
    )
    assert "The date of birth must lie in the past." in problems.text


def test_editing_changes_only_what_was_changed(browser: Any) -> None:
    url = _create(browser)
    form = browser.get(url + "/edit")
    assert 'value="Aylin"' in form.text
    body = {**PERSON_FORM, "family_name": "Demir", "district": "Eppinghofen"}
    saved = browser.post(url + "/edit", data=body, follow_redirects=False)
    assert saved.status_code == 303
    assert "Demir" in browser.get(url + "/personal").text
    update = run(AuditEntry.select().where(AuditEntry.action == "client.update").first())
    assert update is not None
    detail = update["detail"] if isinstance(update["detail"], str) else str(update["detail"])
    assert "identity" in detail and "district" in detail and "contact" not in detail


def test_export_page_and_download_hold_everything(browser: Any) -> None:
    url = _create(browser)
    page = browser.get(url + "/export")
    assert "Auskunft nach Art. 15 DSGVO" in page.text and "Yilmaz" in page.text
    download = browser.get(url + "/export.json")
    assert download.headers["content-disposition"].startswith("attachment")
    assert download.json()["personal_data"]["identity"]["family_name"] == "Yilmaz"


def test_erasure_needs_the_pseudonym_typed_and_then_destroys_the_key(browser: Any) -> None:
    url = _create(browser, pseudonym="K-ERASE")
    client_id = url.rsplit("/", 1)[1]
    wrong = browser.post(url + "/erase", data={"confirm_pseudonym": "K-ERAS"})
    assert wrong.status_code == 400
    assert "Geben Sie zur Bestätigung das Pseudonym genau ein." in wrong.text
    done = browser.post(
        url + "/erase", data={"confirm_pseudonym": "K-ERASE"}, follow_redirects=False
    )
    assert done.status_code == 303
    page = browser.get(done.headers["location"])
    assert "Der Schlüssel ist vernichtet" in page.text and "K-ERASE" not in page.text
    from uuid import UUID

    assert run(get_keystore().get(UUID(client_id))) is None
    gone = browser.get(url + "/personal")
    assert gone.status_code == 410
    assert "Diese Person wurde gelöscht" in gone.text


def test_forms_without_the_csrf_token_are_refused(
    make_user: Any, make_org: Any, login: Any
) -> None:
    user = make_user("case_manager", make_org("Caritas Mülheim"))
    with TestClient(app=create_app()) as session:
        login(session, user)
        del session.headers["X-CSRF-Token"]
        response = session.post("/clients/new", data=PERSON_FORM, follow_redirects=False)
        assert response.status_code == 403
    assert run(Client.count()) == 0


def test_client_list_counts_in_german_plural(browser: Any) -> None:
    _create(browser)
    assert re.search(r"1 Klient:in\b", browser.get("/clients").text)
    _create(browser)
    assert "2 Klient:innen" in browser.get("/clients").text


def test_personal_data_never_reaches_the_log(
    browser: Any, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    caplog.set_level(logging.DEBUG)
    url = _create(browser)
    browser.get(url + "/personal")
    browser.post("/clients/new", data={**PERSON_FORM, "email": "broken"})
    browser.post(url + "/erase", data={"confirm_pseudonym": "wrong"})
    browser.get(url + "/export.json")
    for secret in ("Aylin", "Yilmaz", "123456", "aylin@example.org", "Styrum", "Deutschkurs"):
        assert secret not in caplog.text
