"""Every page, in Swedish and in English, passes the page checks (tests/functional/pages.py), and the
accessibility statement and the privacy page say what the law and the configuration say."""

from __future__ import annotations

import re

import pytest

from . import pages
from .flow import walk
from .pages import check_page, visible

directory = pages.two_schools  # the fixture

# names that stay as they are in English (the service's name, the schools in the directory)
NAMES = ("Inloggningshjälpen", "Björkhagaskolan", "Solviksskolan")
SWEDISH_LETTERS = re.compile(r"[åäöÅÄÖ]")




def every_page(client) -> dict[str, tuple[int, str]]:
    """Each page a person can reach, by name: its status and body."""
    pages = {}

    def get(name: str, path: str) -> None:
        response = client.get(path)
        pages[name] = (response.status_code, response.get_data(as_text=True))

    for name, path in (("role", "/"), ("accessibility", "/tillganglighet"), ("privacy", "/personuppgifter"),
                       ("not found", "/finns-inte")):
        get(name, path)
    pages["refused form"] = (400, client.post("/", data={"role": "guardian"}).get_data(as_text=True))
    walk(client, "")  # every step answered but the last
    for name, path in (("service", "/hjalp/tjanst"), ("symptom", "/hjalp/problem"), ("school", "/hjalp/skola"),
                       ("school results", "/hjalp/skola?q=skolan"), ("no school found", "/hjalp/skola?q=inget"),
                       ("identifier", "/hjalp/uppgift")):
        get(name, path)
    pages["identifier error"] = (200, client.post("/hjalp/uppgift", data={
        "csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"', pages["identifier"][1]).group(1),
        "identifier": "19800101-1235"}).get_data(as_text=True))
    walk(client, "g1@exempel.se", school="22222222")
    get("result", "/hjalp/resultat")
    return pages


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_every_page_passes_the_page_checks_in_both_languages(app, directory, lang):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = lang
    pages = every_page(client)
    assert {name: status for name, (status, _body) in pages.items()} == {
        "role": 200, "accessibility": 200, "privacy": 200, "not found": 404, "refused form": 400, "service": 200,
        "symptom": 200, "school": 200, "school results": 200, "no school found": 200, "identifier": 200,
        "identifier error": 200, "result": 200}
    for name, (_status, body) in pages.items():
        try:
            check_page(body, lang)
        except AssertionError as exc:
            raise AssertionError(f"{name}: {exc}") from exc
        if lang == "en":  # nothing left in Swedish but names
            text = visible(body)
            for kept in NAMES:
                text = text.replace(kept, "")
            assert not SWEDISH_LETTERS.search(text), f"{name}: {text}"


def test_the_accessibility_statement_says_what_the_law_asks(client, directory):
    text = visible(client.get("/tillganglighet").get_data(as_text=True))
    page = client.get("/tillganglighet").get_data(as_text=True)
    assert "delvis förenlig med lagen om tillgänglighet till digital offentlig service" in text
    assert "Brister vi känner till" in text and "skärmläsare" in text
    assert "Myndigheten för digital förvaltning (Digg)" in text
    assert 'href="https://www.digg.se/tdosanmalan"' in page
    assert "granskades senast den 1 december 2026" in text
    # no address configured: it says so, and where to turn meanwhile
    assert "har ännu inte angett någon e-postadress" in text and "mailto:" not in page


def test_the_accessibility_statement_shows_the_configured_address(app, directory):
    app.config["PORTAL_ACCESSIBILITY_CONTACT"] = "Webbredaktionen <tillganglighet@exempelby.se>"
    page = app.test_client().get("/tillganglighet").get_data(as_text=True)
    assert 'Webbredaktionen, <a href="mailto:tillganglighet@exempelby.se">tillganglighet@exempelby.se</a>' in page


def test_the_accessibility_contact_falls_back_to_the_controller_then_the_fallback_contact(monkeypatch):
    from portal.config import Settings

    env = {"PORTAL_SECRET_KEY": "x", "PORTAL_FALLBACK_CONTACT": "IT <it@exempel.se>"}
    assert Settings.from_env(env).accessibility_contact == "IT <it@exempel.se>"
    env["PORTAL_CONTROLLER"] = "Exempelby kommun <dataskydd@exempelby.se>"
    assert Settings.from_env(env).accessibility_contact == "Exempelby kommun <dataskydd@exempelby.se>"
    env["PORTAL_ACCESSIBILITY_CONTACT"] = "webb@exempelby.se"
    assert Settings.from_env(env).accessibility_contact == "webb@exempelby.se"


def test_the_privacy_page_says_what_a_case_keeps_and_for_how_long(client, directory):
    text = visible(client.get("/personuppgifter").get_data(as_text=True))
    assert "sparas aldrig i ärendet så som du skrev det" in text
    assert "19800101-****" in text  # the masked form
    assert "raderas med allt som hör till det 90 dagar efter" in text
    assert "internetadress (IP-adress)" in text and "kaka" in text
    assert "Integritetsskyddsmyndigheten (IMY)" in text
    assert "Personuppgiftsansvarig är den kommun eller huvudman" in text


@pytest.mark.parametrize(("days", "lang", "says"), [
    (30, "sv", "30 dagar efter"), (1, "sv", "1 dag efter"), (30, "en", "30 days after"), (1, "en", "1 day after")])
def test_the_privacy_page_shows_the_configured_retention(app, directory, days, lang, says):
    app.config["PORTAL_CASE_RETENTION_DAYS"] = days
    page = app.test_client().get("/personuppgifter", headers={"Accept-Language": lang}).get_data(as_text=True)
    assert says in visible(page)


def test_the_privacy_page_names_the_configured_controller(app, directory):
    app.config["PORTAL_CONTROLLER"] = "Exempelby kommun, utbildningsnämnden <dataskydd@exempelby.se>"
    text = visible(app.test_client().get("/personuppgifter").get_data(as_text=True))
    assert "Personuppgiftsansvarig är Exempelby kommun, utbildningsnämnden. Du når oss på: dataskydd@exempelby.se" in text
