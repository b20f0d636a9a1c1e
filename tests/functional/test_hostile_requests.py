"""The outside review's web findings (issue 16): a body limit on every form (row 1), the session cookie's
flags and HSTS under https (row 2), and a field that is not text (row 6)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from portal import create_app

from .flow import token
from .inbox_flow import EXP_BJORKHAGA, build_directory, csrf, make_case, sign_in

BIG = "å" * 20_000  # 120 kB percent-encoded
TOO_LARGE = "Det du skickade var för stort"


@pytest.fixture
def directory(runner, tmp_path: Path) -> None:
    assert runner.invoke(args=["import", str(build_directory().write(tmp_path / "dir.json"))]).exit_code == 0


def answer_steps(client) -> str:
    """The public flow up to its last step; returns that page's CSRF token."""
    for path, field, value in (("/", "role", "guardian"), ("/hjalp/tjanst", "service", "school_platform"),
                               ("/hjalp/problem", "symptom", "forgot_password")):
        page = client.get(path).get_data(as_text=True)
        assert client.post(path, data={"csrf_token": token(page), field: value}).status_code == 303
    page = client.get("/hjalp/skola?q=11111111").get_data(as_text=True)
    assert client.post("/hjalp/skola", data={"csrf_token": token(page), "q": "11111111",
                                             "school": "11111111"}).status_code == 303
    return token(client.get("/hjalp/uppgift").get_data(as_text=True))


def assert_calm_413(response) -> None:
    page = response.get_data(as_text=True)
    assert response.status_code == 413, (response.status_code, page[:300])
    assert f"<h1>{TOO_LARGE}</h1>" in page and '<html lang="sv">' in page
    assert len(page) < 10_000  # nothing that was sent comes back


# -- row 1: a body limit of a few kB ------------------------------------------------------------------------
def test_a_100_kb_address_to_the_staff_sign_in_without_cookie_or_token_gets_the_calm_413_page(client):
    assert_calm_413(client.post("/inkorg/logga-in", data={"email": "a" * 100_000}))


def test_a_body_that_does_not_say_its_length_is_cut_off_at_the_same_limit(client):
    body = b"email=" + b"a" * 100_000
    response = client.post("/inkorg/logga-in", input_stream=io.BytesIO(body),
                           content_type="application/x-www-form-urlencoded",
                           headers={"Transfer-Encoding": "chunked"},
                           environ_overrides={"wsgi.input_terminated": True})  # as gunicorn says of chunked
    assert_calm_413(response)


def test_a_huge_identifier_with_a_valid_token_does_not_come_back_as_a_huge_page(client, directory):
    csrf_token = answer_steps(client)
    assert_calm_413(client.post("/hjalp/uppgift", data={"csrf_token": csrf_token, "identifier": BIG}))


def test_a_huge_new_password_gets_the_413_page(client):
    assert_calm_413(client.post("/aterstall/nytt-losenord", data={"password": BIG, "confirmation": BIG}))


def test_the_longest_texts_the_forms_allow_still_fit(app, client, directory):
    """A note of 2 000 four-byte characters (24 kB encoded) and a password of 256 of them pass the limit."""
    with app.app_context():
        ref = make_case(findings=[])
    sign_in(app, client, EXP_BJORKHAGA)
    page = client.get("/inkorg/").get_data(as_text=True)
    response = client.post(f"/inkorg/arenden/{ref}/anteckning", data={"csrf_token": csrf(page), "note": "😀" * 2000})
    assert response.status_code == 303
    assert "😀" * 2000 in client.get(f"/inkorg/arenden/{ref}").get_data(as_text=True)
    # not the note's limit anywhere else: the same body to the sign-in form is too large
    assert_calm_413(client.post("/inkorg/logga-in", data={"csrf_token": csrf(page), "email": "😀" * 2000}))
    response = client.post("/aterstall/nytt-losenord", data={"password": "😀" * 256, "confirmation": "😀" * 256})
    assert response.status_code != 413


# -- row 2: the session cookie and HSTS under https ------------------------------------------------------------
def _cookie(response, name: str) -> list[str]:
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(f"{name}="):
            return [part.strip().lower() for part in header.split(";")]
    raise AssertionError(f"no {name} cookie in {response.headers.getlist('Set-Cookie')}")


def test_under_https_the_session_cookie_is_secure_httponly_lax_and_hsts_is_sent(app, monkeypatch):
    monkeypatch.setenv("PORTAL_BASE_URL", "https://inloggningshjalp.example.se")
    https = create_app({"TESTING": True})  # only the environment, as a deployment sets it
    client = https.test_client()

    response = client.get("/", base_url="https://inloggningshjalp.example.se")

    parts = _cookie(response, "session")
    assert "secure" in parts and "httponly" in parts and "samesite=lax" in parts
    hsts = response.headers["Strict-Transport-Security"]
    assert int(hsts.split("max-age=")[1].split(";")[0]) >= 180 * 24 * 3600
    # every response, an error page too
    assert "Strict-Transport-Security" in client.get("/finns-inte", base_url="https://inloggningshjalp.example.se").headers


def test_over_plain_http_the_session_cookie_is_still_httponly_and_lax_but_not_secure(client):
    response = client.get("/")
    parts = _cookie(response, "session")
    assert "httponly" in parts and "samesite=lax" in parts
    assert "secure" not in parts
    assert "Strict-Transport-Security" not in response.headers


# -- row 6: a field that is not text ---------------------------------------------------------------------------
def _refused(response) -> None:
    page = response.get_data(as_text=True)
    assert response.status_code == 400, (response.status_code, page[:300])
    assert '<html lang="sv">' in page and "Traceback" not in page


def _json_and_file(client, path: str, csrf_token: str, field: str) -> None:
    _refused(client.post(path, data=json.dumps({field: 1}), content_type="application/json",
                         headers={"X-CSRFToken": csrf_token}))
    _refused(client.post(path, data=json.dumps({field: ["a", {"b": None}]}), content_type="application/json",
                         headers={"X-CSRFToken": csrf_token}))
    _refused(client.post(path, data={"csrf_token": csrf_token, field: (io.BytesIO(b"x"), "x.txt")},
                         content_type="multipart/form-data"))


def test_the_identifier_as_a_number_or_a_file_is_a_400_never_a_500(client, directory):
    _json_and_file(client, "/hjalp/uppgift", answer_steps(client), "identifier")


def test_the_staff_address_as_a_number_or_a_file_is_a_400_never_a_500(client):
    page = client.get("/inkorg/logga-in").get_data(as_text=True)
    _json_and_file(client, "/inkorg/logga-in", csrf(page), "email")


def test_the_resolve_message_and_the_note_as_numbers_or_files_are_a_400_never_a_500(app, client, directory):
    with app.app_context():
        ref = make_case(findings=[])
    sign_in(app, client, EXP_BJORKHAGA)
    page = client.get("/inkorg/").get_data(as_text=True)
    _json_and_file(client, f"/inkorg/arenden/{ref}/los", csrf(page), "message")
    _json_and_file(client, f"/inkorg/arenden/{ref}/anteckning", csrf(page), "note")
    _json_and_file(client, f"/inkorg/arenden/{ref}/vidare", csrf(page), "kind")


def test_the_new_password_as_a_number_or_a_file_is_a_400_never_a_500(client):
    page = client.get("/inkorg/logga-in").get_data(as_text=True)  # any page: the session's CSRF token
    _json_and_file(client, "/aterstall/nytt-losenord", csrf(page), "password")


def test_a_plain_multipart_form_without_files_still_works(client, directory):
    csrf_token = answer_steps(client)
    response = client.post("/hjalp/uppgift", data={"csrf_token": csrf_token, "identifier": "anna.andersson@exempel.se"},
                           content_type="multipart/form-data")
    assert response.status_code == 303


# -- row 12: a@b@c is not an address ------------------------------------------------------------------------
@pytest.mark.parametrize("typed", ["a@b@c", "anna@b@exempel.se", "anna@exempel"])
def test_an_address_with_two_at_signs_or_no_domain_is_a_field_error_and_no_case(app, client, directory, typed):
    from sqlalchemy import func, select

    from portal.extensions import db
    from portal.models import Job

    csrf_token = answer_steps(client)
    response = client.post("/hjalp/uppgift", data={"csrf_token": csrf_token, "identifier": typed})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Skriv e-postadressen så här: namn@exempel.se." in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Job)) == 0


def test_the_staff_confirmation_page_names_the_masked_address_it_signs_in(app, client, directory):
    """Row 12, login CSRF: a link someone else sent would sign this browser into their inbox; the page says whose."""
    from urllib.parse import urlsplit

    from .inbox_flow import ask_for_link, sign_in_link

    assert ask_for_link(client, EXP_BJORKHAGA[2]).status_code == 303
    opened = client.get(urlsplit(sign_in_link(app, EXP_BJORKHAGA[2])).path)
    page = client.get(opened.headers["Location"]).get_data(as_text=True)
    assert "Du loggar in som E***@Exempelby.se." in page
    assert EXP_BJORKHAGA[2] not in page and "Bjorkhaga@" not in page
