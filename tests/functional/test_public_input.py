"""Bad input on every field of the public flow (issue 4).

Empty, 1 000 characters, control characters, HTML, a value outside the vocabulary, two values for one
field, bytes that are not UTF-8, a forged CSRF token and a missing session: each gives a Swedish
message beside the field, a redirect (303) to a step, or a clean Swedish 400 page. Never a 500, never
a traceback, never the raw HTML back. Hypothesis then posts random data to every form.

Rate limits are off in this module (another module tests them): the random posts would hit them.
"""

from __future__ import annotations

import html
import logging
import os
import re
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from flask import request as flask_request
from flask import request_started
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from werkzeug.test import encode_multipart

from checks.vocab import ROLES, SERVICES, SYMPTOMS
from portal.extensions import db
from portal.models import Case

from .directory_builder import Directory, personnummer

ON_POSTGRES = os.environ.get("PORTAL_DATABASE_URL", "").startswith("postgresql")

SCHOOL = "11111111"
PNR = personnummer("19800101")  # 12 digits
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')

HTML = '"><script>alert(1)</script>'
LONG = "å" * 1_000  # past every field's limit, within the body limit (8 kB; portal/security.py)
CONTROL = "a\x00b\x07c\x1b[2J\r\n\x7fd\u200be"  # NUL, bell, escape, CR LF, DEL, zero-width space

# the flow's steps: path, field, a right answer, the step after it
ANSWERS = (
    ("/", "role", "guardian", "/hjalp/tjanst"),
    ("/hjalp/tjanst", "service", "school_platform", "/hjalp/problem"),
    ("/hjalp/problem", "symptom", "forgot_password", "/hjalp/skola"),
    ("/hjalp/skola", "school", SCHOOL, "/hjalp/uppgift"),
    ("/hjalp/uppgift", "identifier", "g1@exempel.se", "/hjalp/resultat"),
)
FIELD = {path: field for path, field, _answer, _after in ANSWERS}
RIGHT = {field: answer for _path, field, answer, _after in ANSWERS}
AFTER = {path: after for path, _field, _answer, after in ANSWERS}
STEP_PATHS = {"/", *AFTER.values()}
RESTART = "/hjalp/borja-om"
POST_PATHS = (*FIELD, RESTART)

# the message beside a radio group when nothing among its choices was chosen
CHOOSE = {
    "role": "Välj vem du är.",
    "service": "Välj en tjänst.",
    "symptom": "Välj det som stämmer bäst.",
    "school": "Välj en i listan.",
}
EMPTY_IDENTIFIER = "Skriv din e-postadress, ditt personnummer eller ditt användarnamn."
STALE_FORM = "Sidan hann bli för gammal"
REFUSED = "Det gick inte att skicka formuläret"
NO_HITS = "Vi hittade ingen som matchar"



@pytest.fixture(autouse=True)
def _rate_limits_off(monkeypatch):
    """Before the conftest's app is created: the limiter reads its switch once, at init_app."""
    monkeypatch.setenv("PORTAL_RATELIMIT_ENABLED", "0")


@pytest.fixture
def app(app):
    assert app.config["RATELIMIT_ENABLED"] is False
    return app


@pytest.fixture
def directory(runner, tmp_path: Path) -> Directory:
    d = Directory(name="Björkhagaskolan")
    d.add_guardian("g1", child="c1", personnummer=PNR)
    assert runner.invoke(args=["import", str(d.write(tmp_path / "dir.json"))]).exit_code == 0
    return d


# -- helpers -----------------------------------------------------------------------------------------

def visible(page: str) -> str:
    """The text a person sees: tags dropped, entities read, white space collapsed."""
    body = page.split("<body>", 1)[-1]
    return " ".join(html.unescape(re.sub(r"<[^>]*>", " ", body)).split())


def form_token(client, path: str) -> str:
    """The CSRF token of the page that carries the form posted to `path`."""
    page = {"/hjalp/skola": f"/hjalp/skola?q={SCHOOL}", RESTART: "/hjalp/uppgift"}.get(path, path)
    response = client.get(page)
    assert response.status_code == 200, (page, response.status_code)
    match = TOKEN.search(response.get_data(as_text=True))
    assert match
    return match.group(1)


def answer_until(client, path: str) -> None:
    """Answer every step before `path` rightly, as a person would (every step for the restart form)."""
    for step, field, answer, after in ANSWERS[:4]:
        if step == path:
            return
        response = submit(client, step, {field: answer}, form_token(client, step))
        assert (response.status_code, location(response)) == (303, after)


def submit(client, path: str, fields: dict, token: str | None):
    """Post `fields` to `path` with `token`, and the search text the school form carries."""
    data = dict(fields)
    if token is not None:
        data["csrf_token"] = token
    if path == "/hjalp/skola":
        data.setdefault("q", SCHOOL)
    return client.post(path, data=data)


def submit_raw(client, path: str, body: bytes, token: str):
    """Post a body as written, with the token (and the school form's search text) after it."""
    rest = {"csrf_token": token, **({"q": SCHOOL} if path == "/hjalp/skola" else {})}
    return client.post(path, data=body + b"&" + urlencode(rest).encode(),
                       content_type="application/x-www-form-urlencoded")


def location(response) -> str:
    return urlsplit(response.headers.get("Location", "")).path


def assert_clean(response) -> str:
    """What every answer to bad input must be; returns the page."""
    page = response.get_data(as_text=True)
    assert response.status_code in (200, 303, 400), (response.status_code, page[:500])
    assert "<script" not in page  # the portal has no script of its own: any is what was sent
    text = visible(page)  # what was typed comes back only inside a field's value, escaped
    assert "Traceback" not in text and 'File "' not in text
    for english in ("Bad Request", "Internal Server Error", "CSRF", "Not a valid choice", "browser (or proxy)"):
        assert english not in text
    if response.status_code == 303:
        assert location(response) in STEP_PATHS, response.headers["Location"]
    else:
        assert '<html lang="sv">' in page
    if response.status_code == 400:
        assert REFUSED in visible(page)
    return page


def assert_explained(response, field: str, message: str) -> str:
    """A 200 with `message` in the error summary and beside `field`."""
    page = assert_clean(response)
    assert response.status_code == 200, (response.status_code, location(response))
    text = visible(page)
    assert "Något behöver rättas" in text
    summary = page.split('class="error-summary"', 1)[1].split(">", 1)[1].split("</div>", 1)[0]
    assert f'href="#{field}"' in summary
    assert message in visible("<body>" + summary)
    beside = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', page)
    assert beside and html.unescape(beside.group(1)) == message
    return page


def assert_refused_in_swedish(response) -> None:
    page = assert_clean(response)
    assert response.status_code == 400
    text = visible(page)
    assert STALE_FORM in text and "Börja om från början och försök igen." in text
    assert '<a href="/">Till början</a>' in page


def cases(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Case))


# -- every field, every kind of bad value -----------------------------------------------------------

BAD_CHOICES = [
    pytest.param("", id="empty"),
    pytest.param(LONG, id="1000-characters"),
    pytest.param(CONTROL, id="control-characters"),
    pytest.param(HTML, id="html"),
    pytest.param("administrator", id="outside-the-vocabulary"),
    pytest.param("teacher school_platform", id="two-words-of-the-vocabulary"),
    pytest.param([HTML, "guardian"], id="two-values-the-first-bad"),
    pytest.param(b"%FF%FE%C0%AF", id="percent-encoded-not-utf8"),
]


@pytest.mark.parametrize("value", BAD_CHOICES)
@pytest.mark.parametrize("path", list(FIELD)[:4])
def test_a_bad_choice_is_explained_beside_the_field_in_swedish(client, directory, path, value):
    field = FIELD[path]
    answer_until(client, path)
    token = form_token(client, path)
    if isinstance(value, bytes):
        response = submit_raw(client, path, field.encode() + b"=" + value, token)
    else:
        if isinstance(value, list):
            value = [value[0], RIGHT[field]]
        response = submit(client, path, {field: value}, token)
    assert_explained(response, field, CHOOSE[field])


IDENTIFIER_CASES = [
    pytest.param("", EMPTY_IDENTIFIER, id="empty"),
    pytest.param("   ", EMPTY_IDENTIFIER, id="only-spaces"),
    pytest.param(LONG, "Uppgiften är för lång. Skriv högst 254 tecken.", id="1000-characters"),
    pytest.param(CONTROL, "Uppgiften innehåller tecken som inte kan användas.", id="control-characters"),
    pytest.param("g1@exempel.se\x00", "Uppgiften innehåller tecken som inte kan användas.", id="nul-after-an-address"),
    pytest.param(HTML + "@", "Skriv e-postadressen så här: namn@exempel.se.", id="html"),
    pytest.param("19800101-1235", "Personnumret stämmer inte. Kontrollera siffrorna, särskilt de fyra sista.", id="wrong-check-digit"),
    pytest.param(["", "g1@exempel.se"], EMPTY_IDENTIFIER, id="two-values-the-first-empty"),
    pytest.param(b"%FF%FE%3Cb%3E@", "Skriv e-postadressen så här: namn@exempel.se.", id="percent-encoded-not-utf8"),
]


@pytest.mark.parametrize(("value", "message"), IDENTIFIER_CASES)
def test_a_bad_identifier_is_explained_beside_the_field_and_nothing_is_recorded(app, client, directory,
                                                                               value, message):
    answer_until(client, "/hjalp/uppgift")
    token = form_token(client, "/hjalp/uppgift")
    if isinstance(value, bytes):
        response = submit_raw(client, "/hjalp/uppgift", b"identifier=" + value, token)
    else:
        response = submit(client, "/hjalp/uppgift", {"identifier": value}, token)
    page = assert_explained(response, "identifier", message)
    if value == HTML + "@":  # what was typed is kept in the field, escaped
        assert 'value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;@"' in page
    assert cases(app) == 0


def test_the_longest_address_the_field_takes_is_accepted(app, client, directory):
    address = "a@" + "b" * 248 + ".se"  # 253 characters: within the field's 254
    answer_until(client, "/hjalp/uppgift")
    response = submit(client, "/hjalp/uppgift", {"identifier": address}, form_token(client, "/hjalp/uppgift"))
    assert (response.status_code, location(response)) == (303, "/hjalp/resultat")
    assert cases(app) == 1
    with app.app_context():
        masked = db.session.scalar(select(Case.identifier_masked))
    assert masked is not None and len(masked) == 64 and masked.startswith("a***@bbb") and masked.endswith("…")


@pytest.mark.parametrize("path", POST_PATHS)
def test_a_second_value_for_a_field_is_ignored(client, directory, path):
    answer_until(client, path)
    field = FIELD.get(path, "role")
    response = submit(client, path, {field: [RIGHT[field], HTML]}, form_token(client, path))
    assert_clean(response)
    assert (response.status_code, location(response)) == (303, AFTER.get(path, "/"))


def test_html_typed_as_a_username_is_taken_and_never_shown(client, directory):
    answer_until(client, "/hjalp/uppgift")
    response = submit(client, "/hjalp/uppgift", {"identifier": "<script>alert(1)</script>"},
                      form_token(client, "/hjalp/uppgift"))
    assert (response.status_code, location(response)) == (303, "/hjalp/resultat")
    result = client.get("/hjalp/resultat")
    assert result.status_code == 200
    assert "alert(1)" not in assert_clean(result)


@pytest.mark.parametrize("path", POST_PATHS)
def test_a_body_that_is_not_utf8_gets_a_clean_swedish_400(app, client, directory, path):
    answer_until(client, path)
    field = FIELD.get(path, "role")
    response = submit_raw(client, path, field.encode() + b"=\xff\xfe<script>", form_token(client, path))
    # werkzeug drops a body it cannot decode, the CSRF token with it
    assert_refused_in_swedish(response)
    assert cases(app) == 0


@pytest.mark.parametrize("path", POST_PATHS)
def test_restarting_or_a_step_with_unknown_fields_of_every_kind_is_harmless(client, directory, path):
    answer_until(client, path)
    field = FIELD.get(path, "role")
    junk = {"x" * 100: LONG, "<b>": HTML, "\x00": CONTROL, "role2": ["a", "b"], field: RIGHT[field]}
    response = submit(client, path, junk, form_token(client, path))
    assert_clean(response)
    assert (response.status_code, location(response)) == (303, AFTER.get(path, "/"))
    if path == RESTART:  # the answers are gone
        assert location(client.get("/hjalp/uppgift")) == "/"


# -- the school search -------------------------------------------------------------------------------

SEARCHES = [
    pytest.param(LONG, id="1000-characters"),
    pytest.param(CONTROL, id="control-characters"),
    pytest.param(HTML, id="html"),
    pytest.param("99999999", id="no-such-school-code"),
    pytest.param("%", id="a-like-wildcard"),
    pytest.param([HTML, SCHOOL], id="two-values-the-first-bad"),
    pytest.param("%FF%FE", id="percent-encoded-not-utf8"),
]


@pytest.mark.parametrize("q", ["", "   "])
def test_an_empty_search_says_what_to_type(client, directory, q):
    answer_until(client, "/hjalp/skola")
    page = assert_clean(client.get("/hjalp/skola", query_string={"q": q}))
    assert "Skriv skolans namn, eller en del av det, eller skolenhetskoden." in visible(page)
    assert NO_HITS not in visible(page)
    assert 'aria-invalid="true"' in page


@pytest.mark.parametrize("q", ["bjorkhaga", "BJÖRKHAGA", "björkhagaskolan", "Bjorkhagaskolan"])
def test_a_school_is_found_without_diacritics_and_whatever_the_case(client, directory, q):
    answer_until(client, "/hjalp/skola")
    page = assert_clean(client.get("/hjalp/skola", query_string={"q": q}))
    assert "Björkhagaskolan (11111111)" in visible(page)


@pytest.mark.parametrize("q", SEARCHES)
def test_a_bad_search_says_nothing_matched(client, directory, q):
    answer_until(client, "/hjalp/skola")
    if q == "%FF%FE":
        response = client.get(f"/hjalp/skola?q={q}")  # as written: the client does not quote it again
    else:
        response = client.get("/hjalp/skola", query_string={"q": q})
    page = assert_clean(response)
    assert response.status_code == 200
    assert NO_HITS in visible(page)
    assert "Björkhagaskolan" not in page
    if q == HTML:  # what was typed is kept in the search field, escaped
        assert 'value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in page


@pytest.mark.parametrize("q", [CONTROL, HTML, LONG], ids=["control-characters", "html", "1000-characters"])
def test_a_school_chosen_with_a_bad_search_text_is_explained_beside_the_field(client, directory, q):
    answer_until(client, "/hjalp/skola")
    response = submit(client, "/hjalp/skola", {"school": SCHOOL, "q": q}, form_token(client, "/hjalp/skola"))
    # the search found nothing, so the school is not among the choices
    page = assert_explained(response, "school", CHOOSE["school"])
    assert re.search(r'<fieldset id="school"[^>]* aria-describedby="school-error"', page)  # the link's target
    assert NO_HITS in visible(page)  # and why the list is empty


def test_a_search_query_that_is_not_utf8_gets_a_clean_swedish_400(client, directory):
    answer_until(client, "/hjalp/skola")
    response = client.get("/hjalp/skola", environ_overrides={"QUERY_STRING": "q=\xff\xfe"})
    page = assert_clean(response)
    assert response.status_code == 400
    assert "Det som skickades gick inte att läsa." in visible(page)


# -- a link with answers -----------------------------------------------------------------------------

JUNK = [
    pytest.param("", id="empty"),
    pytest.param(LONG, id="1000-characters"),
    pytest.param(CONTROL, id="control-characters"),
    pytest.param(HTML, id="html"),
    pytest.param("administrator", id="outside-the-vocabulary"),
    pytest.param([HTML, "x"], id="two-values"),
]


# after answering the question asked, the next one not yet answered (answers after a dropped one are
# dropped too, except the school, which is only checked once the service is known)
NEXT_AFTER_LINK = {"role": "/hjalp/tjanst", "service": "/hjalp/problem", "symptom": "/hjalp/uppgift",
                   "school": "/hjalp/uppgift"}
LINKS = [
    pytest.param(key, junk.values[0], id=f"{key}-{junk.id}")
    for key in NEXT_AFTER_LINK for junk in JUNK
]


@pytest.mark.parametrize(("key", "junk"), LINKS)
def test_a_link_with_junk_in_one_answer_asks_that_question_and_the_flow_goes_on(client, directory, key, junk):
    answers = {field: RIGHT[field] for field in NEXT_AFTER_LINK}
    answers[key] = junk
    response = client.get("/", query_string=answers)
    assert_clean(response)
    step = next(path for path, field in FIELD.items() if field == key)
    assert (response.status_code, location(response)) == (303, step)
    shown = client.get(response.headers["Location"], query_string={"q": SCHOOL})
    assert_clean(shown)
    assert shown.status_code == 200
    response = submit(client, step, {key: RIGHT[key]}, form_token(client, step))
    assert (response.status_code, location(response)) == (303, NEXT_AFTER_LINK[key])


def test_a_junk_school_in_a_link_without_a_service_is_dropped_once_the_service_is_chosen(client, directory):
    response = client.get("/", query_string={"role": "guardian", "school": CONTROL})
    assert (response.status_code, location(response)) == (303, "/hjalp/tjanst")
    response = submit(client, "/hjalp/tjanst", {"service": "school_platform"}, form_token(client, "/hjalp/tjanst"))
    assert (response.status_code, location(response)) == (303, "/hjalp/problem")
    response = submit(client, "/hjalp/problem", {"symptom": "forgot_password"}, form_token(client, "/hjalp/problem"))
    assert (response.status_code, location(response)) == (303, "/hjalp/skola")


def test_a_link_that_is_not_utf8_gets_a_clean_swedish_400(client, directory):
    response = client.get("/", environ_overrides={"QUERY_STRING": "role=\xff\xfe&service=school_platform"})
    page = assert_clean(response)
    assert response.status_code == 400
    assert "Det som skickades gick inte att läsa." in visible(page)


# -- a forged token, a missing session ---------------------------------------------------------------

def _forged(client, app, how: str) -> str | None:
    token = form_token(client, "/")
    if how == "tampered":
        return token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    if how == "another-visitors":
        return form_token(app.test_client(), "/")
    return None


@pytest.mark.parametrize("how", ["tampered", "another-visitors", "missing"])
@pytest.mark.parametrize("path", POST_PATHS)
def test_a_forged_csrf_token_gets_a_clean_swedish_400_and_changes_nothing(app, client, directory, path, how):
    answer_until(client, path)
    field = FIELD.get(path, "role")
    response = submit(client, path, {field: RIGHT[field]}, _forged(client, app, how))
    assert_refused_in_swedish(response)
    assert cases(app) == 0
    # the answers given so far are still there: the same step asks again
    still = client.get("/hjalp/uppgift" if path == RESTART else path, query_string={"q": SCHOOL})
    assert still.status_code == 200


@pytest.mark.parametrize("path", POST_PATHS)
def test_a_post_without_a_session_gets_a_clean_swedish_400(app, directory, path):
    token = form_token(app.test_client(), "/")  # a real token, from someone else's session
    field = FIELD.get(path, "role")
    response = submit(app.test_client(), path, {field: RIGHT[field]}, token)
    assert_refused_in_swedish(response)
    assert cases(app) == 0


@pytest.mark.parametrize("path", ["/hjalp/tjanst", "/hjalp/problem", "/hjalp/skola", "/hjalp/uppgift",
                                  "/hjalp/resultat"])
def test_a_later_step_without_a_session_leads_to_the_first_question(client, directory, path):
    response = client.get(path)
    assert_clean(response)
    assert (response.status_code, location(response)) == (303, "/")


# -- the other error pages ---------------------------------------------------------------------------

def test_a_page_that_does_not_exist_is_a_swedish_404(client, directory):
    response = client.get("/hjalp/<script>alert(1)</script>")
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert '<html lang="sv">' in page and "Sidan finns inte" in visible(page)
    assert "<script" not in page and "Not Found" not in page


def test_a_get_of_the_restart_form_is_a_swedish_405_that_says_what_it_takes(client, directory):
    response = client.get(RESTART)
    page = response.get_data(as_text=True)
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    assert '<html lang="sv">' in page and "Sidan kan inte öppnas så" in visible(page)
    assert "Method Not Allowed" not in page


def test_a_form_too_large_to_read_is_a_swedish_413(client, directory):
    token = form_token(client, "/")
    # encoded here, in memory: the client's own encoding spools to a file it leaves open
    boundary, body = encode_multipart({"csrf_token": token, "role": "x" * 1_000_000})
    response = client.post("/", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert '<html lang="sv">' in page and "Det du skickade var för stort" in visible(page)
    assert "Request Entity Too Large" not in page


def test_an_error_of_ours_is_a_swedish_500_without_a_traceback(app, directory):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production

    def broken() -> str:
        raise RuntimeError("Traceback: en bugg hos oss")

    app.add_url_rule("/trasig", view_func=broken)
    response = app.test_client().get("/trasig")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert '<html lang="sv">' in page and "Något gick fel hos oss" in visible(page)
    assert "Traceback" not in page and "RuntimeError" not in page and "Internal Server Error" not in page


# -- no personnummer in a log, a URL or a page -------------------------------------------------------

TYPED_PNR = f"{PNR[:8]}-{PNR[8:]}"  # as the page's hint asks: twelve digits with a dash
PNR_FORMS = (PNR, PNR[2:], TYPED_PNR, TYPED_PNR[2:])  # 12 and 10 digits, with and without the dash


def walk_typing_a_personnummer(client, caplog) -> tuple[list[str], list[str], list[str]]:
    """One full walk, the personnummer typed at the last step; the URLs, pages and log lines seen."""
    paths: list[str] = []

    def seen(_sender, **_extra) -> None:
        paths.append(flask_request.full_path)

    responses = []
    with request_started.connected_to(seen, client.application):
        for step, field, answer, _after in ANSWERS[:4]:
            token = form_token(client, step)
            responses.append(submit(client, step, {field: answer}, token))
        responses.append(client.get("/hjalp/uppgift"))
        token = form_token(client, "/hjalp/uppgift")
        responses.append(submit(client, "/hjalp/uppgift", {"identifier": TYPED_PNR}, token))
        assert (responses[-1].status_code, location(responses[-1])) == (303, "/hjalp/resultat")
        responses.append(client.get("/hjalp/resultat"))
        assert responses[-1].status_code == 200
    assert len(paths) >= 12
    urls = paths + [r.headers.get("Location", "") for r in responses]
    pages = [r.get_data(as_text=True) for r in responses]
    logged = [caplog.text] + [f"{r.getMessage()} {r.args!r} {r.exc_text}" for r in caplog.records]
    return urls, pages, logged


def test_a_personnummer_reaches_no_log_no_url_and_no_page(client, directory, caplog):
    caplog.set_level(logging.DEBUG)
    assert client.application.logger.isEnabledFor(logging.DEBUG)
    urls, pages, logged = walk_typing_a_personnummer(client, caplog)
    for number in PNR_FORMS:
        assert not [url for url in urls if number in url]
        assert not [page for page in pages if number in page]
        assert not [line for line in logged if number in line]


def test_a_personnummer_reaches_no_log_even_with_the_database_log_switched_on(client, directory, caplog):
    # what an operator chasing a database problem does (PRODUCT.md N5: never in a log line)
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
    _urls, _pages, logged = walk_typing_a_personnummer(client, caplog)
    assert [line for line in logged if "INSERT INTO jobs" in line]  # the log is on, the job's insert in it
    for number in PNR_FORMS:
        assert not [line for line in logged if number in line]


def test_a_personnummer_in_a_link_is_never_taken_into_the_flow(client, directory):
    response = client.get("/", query_string={"role": "guardian", "identifier": PNR})
    assert (response.status_code, location(response)) == (303, "/hjalp/tjanst")
    assert PNR not in response.headers["Location"]
    assert PNR not in client.get(response.headers["Location"]).get_data(as_text=True)
    with client.session_transaction() as session:
        assert PNR not in repr(dict(session))


# -- random data to every form -----------------------------------------------------------------------

CHARS = st.characters(exclude_categories=("Cs",))  # every code point a form can carry, control characters too
TEXT = st.text(CHARS, max_size=80)
KNOWN = st.sampled_from((*ROLES, *SERVICES, *SYMPTOMS, SCHOOL, "g1@exempel.se", PNR, HTML, LONG))
VALUE = st.one_of(TEXT, KNOWN)
VALUES = st.one_of(VALUE, st.lists(VALUE, min_size=2, max_size=3))
NAMES = st.one_of(st.sampled_from(("role", "service", "symptom", "school", "identifier", "q", "csrf_token")),
                  st.text(CHARS, max_size=10))
FIELDS = st.dictionaries(NAMES, VALUES, max_size=6)
RANDOM = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def token_at(client, directory, path) -> str:
    """The step `path` reached with the right answers; its form's token (examples share the client)."""
    answer_until(client, path)
    return form_token(client, path)


@pytest.mark.parametrize("path", POST_PATHS)
@RANDOM
@given(own=VALUES, fields=FIELDS, raw=st.binary(max_size=200), multipart=st.booleans())
# a NUL in the search text and an address masked past 64 characters, every time rather than when chance finds them
@example(own="a@" + "b" * 70 + ".se", fields={"q": "\x00"}, raw=b"", multipart=False)
def test_random_posts_with_a_valid_token_and_session_are_answered_cleanly(client, token_at, path, own, fields,
                                                                         raw, multipart):
    data = {FIELD.get(path, "role"): own, **({"q": SCHOOL} if path == "/hjalp/skola" else {}), **fields,
            "csrf_token": token_at}
    kind = {"content_type": "multipart/form-data"} if multipart else {}
    for response in (client.post(path, data=data, **kind), submit_raw(client, path, raw, token_at)):
        assert_clean(response)
        event(f"{response.status_code} {location(response)}")


@pytest.mark.parametrize("path", POST_PATHS)
@RANDOM
@given(fields=FIELDS, raw=st.binary(max_size=200))
def test_random_posts_without_a_session_get_the_swedish_400(app, directory, path, fields, raw):
    stranger = app.test_client()
    assert_refused_in_swedish(stranger.post(path, data=fields))
    assert_refused_in_swedish(stranger.post(path, data=raw, content_type="application/x-www-form-urlencoded"))


@pytest.fixture
def at_school_step(client, directory):
    answer_until(client, "/hjalp/skola")
    return client


@RANDOM
@given(q=st.one_of(TEXT, st.lists(TEXT, min_size=2, max_size=3)), raw=st.binary(max_size=100))
@example(q="\x00", raw=b"")
def test_random_search_text_is_answered_cleanly(at_school_step, q, raw):
    response = at_school_step.get("/hjalp/skola", query_string={"q": q})
    assert_clean(response)
    assert response.status_code == 200
    response = at_school_step.get("/hjalp/skola", environ_overrides={"QUERY_STRING": raw.decode("latin-1")})
    assert_clean(response)
    assert response.status_code in (200, 400)


LINK_NAMES = st.one_of(st.sampled_from(("role", "service", "symptom", "school", "identifier")), st.text(CHARS, max_size=10))


@RANDOM
@given(params=st.dictionaries(LINK_NAMES, VALUES, max_size=6), raw=st.binary(max_size=100))
@example(params={"role": "guardian", "service": "school_platform", "school": "\x00"}, raw=b"")
def test_random_links_are_answered_cleanly(client, directory, params, raw):
    response = client.get("/", query_string=params)
    assert_clean(response)
    assert response.status_code in (200, 303)
    if response.status_code == 303:
        assert_clean(client.get(response.headers["Location"]))
    response = client.get("/", environ_overrides={"QUERY_STRING": raw.decode("latin-1")})
    assert_clean(response)
