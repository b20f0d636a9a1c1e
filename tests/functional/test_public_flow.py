"""The public flow with plain form posts and redirects, as a phone without JavaScript uses it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Case, Job
from portal.worker import process_queue

from .directory_builder import Directory, personnummer
from .flow import REFERENCE, TOKEN, post, token, walk  # noqa: F401  (token, post: used by other modules)


@pytest.fixture
def directory(runner, tmp_path: Path) -> Directory:
    d = Directory(name="Björkhagaskolan")
    d.add_guardian("g1", child="c1", personnummer=personnummer("19800101"))
    d.add_guardian("locked", child="c2", account={"locked": True})
    d.add_school(code="22222222", name="Solviksskolan", guardian_login=False)
    d.add_contact(kind="school_admin", name="Expeditionen Solvik", email="solvik@exempel.se", school="22222222")
    assert runner.invoke(args=["import", str(d.write(tmp_path / "dir.json"))]).exit_code == 0
    return d


def test_a_guardian_walks_the_flow_and_gets_a_case_reference(app, client, directory):
    response, seen = walk(client, "g1@exempel.se")
    assert response.status_code == 303
    assert seen[-1].endswith("/hjalp/resultat")
    page = client.get("/hjalp/resultat").get_data(as_text=True)
    assert REFERENCE.search(page)
    assert "Om uppgifterna stämmer med ett konto har vi skickat ett meddelande" in page
    assert '<html lang="sv">' in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Job)) == 1


def _result(app, typed: str, language: str = "") -> tuple[int, dict[str, str], str]:
    """The result page's status, headers and masked body. `language`: "" (none asked for), an
    Accept-Language value, or "link:en" (English chosen with the link every page shows)."""
    client = app.test_client()
    if language.startswith("link:"):
        assert client.get(f"/sprak/{language[5:]}?nasta=/").status_code == 303
    elif language:
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    walk(client, typed)
    response = client.get("/hjalp/resultat")
    body = REFERENCE.sub("<strong dir=\"ltr\">XXXX-XXXX</strong>", response.get_data(as_text=True))
    body = TOKEN.sub('name="csrf_token" value="MASKED"', body)
    headers = {k: v for k, v in response.headers.items() if k != "Set-Cookie"}
    return response.status_code, headers, body


@pytest.mark.parametrize("language", ["", "en", "link:en"], ids=["swedish", "accept-language-en", "link-en"])
@pytest.mark.parametrize("typed", ["locked@exempel.se", "nobody@exempel.se", personnummer("19700101"), "okand"])
def test_the_result_is_the_same_byte_for_byte_whether_or_not_an_account_exists(app, directory, typed, language):
    # The session cookie carries the case reference, so it is left out like the reference itself.
    existing = _result(app, "g1@exempel.se", language)
    assert _result(app, typed, language) == existing
    assert ('<html lang="en">' in existing[2]) is (language != "")


def test_the_identifier_never_reaches_a_url(app, client, directory):
    pnr = personnummer("19800101")
    _response, seen = walk(client, pnr)
    assert all(pnr not in location and pnr[2:] not in location for location in seen)


def test_a_bad_personnummer_is_explained_beside_the_field_and_nothing_is_recorded(app, client, directory):
    walk(client, "g1@exempel.se")  # fill the earlier answers
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Case))
    response = post(client, "/hjalp/uppgift", identifier="19800101-1235")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Personnumret stämmer inte" in page
    assert 'class="error-summary"' in page and 'href="#identifier"' in page
    assert 'value="19800101-1235"' in page  # what was typed is kept
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Case)) == before


def test_a_school_that_turned_guardian_login_off_is_named_with_its_administrator(app, client, directory):
    walk(client, "g1@exempel.se", school="22222222")
    page = client.get("/hjalp/resultat").get_data(as_text=True)
    assert "Skolan har stängt av inloggningen för vårdnadshavare" in page
    assert "Expeditionen Solvik" in page


def test_a_link_with_answers_skips_the_steps_already_answered(client, directory):
    response = client.get("/?role=guardian&service=school_platform&school=11111111")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/hjalp/problem")


def test_a_school_search_without_hits_says_what_to_try(client, directory):
    walk(client, "g1@exempel.se")
    page = client.get("/hjalp/skola?q=finnsinte").get_data(as_text=True)
    assert "Vi hittade ingen som matchar" in page


def test_a_post_without_the_csrf_token_is_refused_cleanly(client, directory):
    response = client.post("/", data={"role": "guardian"})
    assert response.status_code in (200, 400)
    assert "Traceback" not in response.get_data(as_text=True)


def test_pages_load_nothing_from_elsewhere(client, directory):
    response = client.get("/")
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert "http" not in re.sub(r'href="/[^"]*"', "", response.get_data(as_text=True)).split("<body>")[0]


def test_the_flow_and_diagnose_agree_after_the_worker(app, client, runner, directory):
    walk(client, "locked@exempel.se")
    with app.app_context():
        process_queue()
        case = db.session.scalars(select(Case)).one()
        assert (case.matched, case.route_kind, case.self_service) == (True, "school_admin", False)
