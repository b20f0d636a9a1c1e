"""The page language: Swedish unless the person asks for English, by the link every page shows or by
their browser's Accept-Language. The link comes back to the page it was on, and only to this site."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from . import pages
from .flow import post, walk
from .pages import visible

directory = pages.two_schools  # the fixture




def language_of(page: str) -> str:
    return page.split('<html lang="', 1)[1].split('"', 1)[0]


@pytest.mark.parametrize(("accept", "lang"), [
    (None, "sv"), ("sv-SE,sv;q=0.9,en;q=0.8", "sv"), ("en", "en"), ("en-GB,en;q=0.9", "en"),
    ("de-DE,de;q=0.9", "sv"), ("de, en;q=0.5", "en"), ("*", "sv"), ("nonsense;;q=x", "sv")])
def test_the_browser_language_chooses_between_swedish_and_english(client, directory, accept, lang):
    response = client.get("/", headers={"Accept-Language": accept} if accept else {})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert language_of(page) == lang
    assert ("Vem är du?" in page) is (lang == "sv") and ("Who are you?" in page) is (lang == "en")
    assert "Accept-Language" in response.headers["Vary"]


def test_an_english_browser_gets_every_step_its_errors_and_the_result_in_english(client, directory):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en-US,en;q=0.9"
    page = client.post("/", data={"csrf_token": ""}).get_data(as_text=True)
    assert "The page became too old" in visible(page)
    role = client.get("/").get_data(as_text=True)
    assert "Parent or guardian" in visible(role) and "Step 1 of 6" in visible(role)
    response = post(client, "/", role="")
    assert "Choose who you are." in visible(response.get_data(as_text=True))
    walk(client, "")
    response = post(client, "/hjalp/uppgift", identifier="19800101-1235")
    assert "The personal identity number is not right." in visible(response.get_data(as_text=True))
    walk(client, "g1@exempel.se", school="22222222")
    result = visible(client.get("/hjalp/resultat").get_data(as_text=True))
    assert "What happens now" in result
    # a public finding's text, from checks/catalogue, and the contact it names
    assert "The school has turned off login for parents and guardians." in result
    assert "Contact the school's administrator: Expeditionen Solvik, solvik@exempel.se." in result


def test_the_link_switches_the_language_and_comes_back_to_the_same_page(client, directory):
    walk(client, "")
    page = client.get("/hjalp/skola?q=skolan").get_data(as_text=True)
    assert language_of(page) == "sv"
    assert '<a href="/sprak/en?nasta=/hjalp/skola?q%3Dskolan" lang="en" hreflang="en">English</a>' in page
    response = client.get("/sprak/en?nasta=/hjalp/skola?q%3Dskolan", headers={"Accept-Language": "sv"})
    assert (response.status_code, response.headers["Location"]) == (303, "/hjalp/skola?q=skolan")
    # the choice is kept for the pages after it, over the browser's own language
    page = client.get("/hjalp/skola?q=skolan", headers={"Accept-Language": "sv"}).get_data(as_text=True)
    assert language_of(page) == "en" and "Which school?" in page and "Björkhagaskolan" in page
    assert '<a href="/sprak/sv?nasta=/hjalp/skola?q%3Dskolan" lang="sv" hreflang="sv">Svenska</a>' in page
    response = client.get("/sprak/sv?nasta=/hjalp/uppgift", headers={"Accept-Language": "en"})
    assert (response.status_code, response.headers["Location"]) == (303, "/hjalp/uppgift")
    assert language_of(client.get("/hjalp/uppgift", headers={"Accept-Language": "en"}).get_data(as_text=True)) == "sv"


def test_switching_language_keeps_the_answers(client, directory):
    walk(client, "")
    client.get("/sprak/en?nasta=/hjalp/uppgift")
    response = client.get("/hjalp/uppgift")
    assert response.status_code == 200  # not sent back to the first step
    assert "Email address, personal identity number or username" in response.get_data(as_text=True)


@pytest.mark.parametrize("target", [
    "//evil.example/", "https://evil.example/", "http:evil.example", "/\\evil.example", "\\\\evil.example",
    "javascript:alert(1)", "evil.example", "/\x00/", "/%0d%0aSet-Cookie:x=1", "", "///evil.example"])
def test_the_link_never_sends_anyone_to_another_site(client, target):
    response = client.get("/sprak/en", query_string={"nasta": target})
    assert response.status_code == 303
    location = urlsplit(response.headers["Location"])
    assert not location.scheme and not location.netloc, response.headers["Location"]
    assert location.path.startswith("/") and not location.path.startswith("//")


def test_the_link_without_a_page_goes_to_the_start_and_an_unknown_language_is_not_found(client):
    response = client.get("/sprak/de?nasta=/")
    assert response.status_code == 404
    assert language_of(response.get_data(as_text=True)) == "sv"  # and nothing was chosen
    assert language_of(client.get("/").get_data(as_text=True)) == "sv"
    response = client.get("/sprak/en")
    assert (response.status_code, response.headers["Location"]) == (303, "/")


def test_the_worker_and_the_command_line_stay_in_swedish(app, runner, directory):
    from flask_babel import get_locale, gettext

    with app.app_context():
        assert str(get_locale()) == "sv"
        assert gettext("Vem är du?") == "Vem är du?"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert gettext("Vem är du?") == "Who are you?"
