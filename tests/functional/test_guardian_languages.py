"""Guardians in their own language (issue 13): Accept-Language and the menu choose among all eight
languages, each menu entry named in its own language and script; Arabic and Persian pages and mails
are right to left with Latin values isolated; the staff inbox stays Swedish or English; a person's
mails, through a real SMTP server, are in the language they used, with its Content-Language.

A language whose catalogue is not installed yet (it comes from another branch) is skipped, by name."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo

from portal import language

from . import pages, reset_support, smtp
from .flow import post, walk
from .pages import check_page, visible
from .reset_support import (
    BASE_URL,
    FIRST_ADDRESS,
    GOOD,
    open_link,
    submit,
    work,
)

smtp_server = smtp.smtp_server  # the fixture
school = reset_support.school  # the fixture
two_schools = pages.two_schools  # the fixture
SIX = ("ar", "so", "ti", "fa", "uk", "fi")
TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations"
LINK = re.compile(re.escape(BASE_URL) + r"(/aterstall/[A-Za-z0-9_.\-]+)")
FSI, PDI = "\u2068", "\u2069"


def installed(code: str) -> None:
    if code not in language.installed(TRANSLATIONS):
        pytest.skip(f"no compiled catalogue for {code!r} yet (translations/{code}/ comes from another branch)")


def translated(code: str, msgid: str) -> str:
    """The committed catalogue's translation of `msgid`."""
    with (TRANSLATIONS / code / "LC_MESSAGES" / "messages.mo").open("rb") as handle:
        found = read_mo(handle).get(msgid)
    assert found is not None and found.string, msgid
    return str(found.string)


def html_lang(page: str) -> tuple[str, str | None]:
    match = re.search(r'<html lang="([^"]+)"(?: dir="([a-z]+)")?>', page)
    assert match, page[:200]
    return match.group(1), match.group(2)


@pytest.mark.parametrize("code", SIX)
def test_the_browser_s_language_chooses_each_of_the_six(client, two_schools, code):
    installed(code)
    page = client.get("/", headers={"Accept-Language": f"{code}, en;q=0.5"}).get_data(as_text=True)
    assert html_lang(page) == (code, "rtl" if code in ("ar", "fa") else None)
    assert translated(code, "Vem är du?") in visible(page) and "Vem är du?" not in visible(page)
    check_page(page, code)


@pytest.mark.parametrize(("accept", "lang"), [("ar-SE, sv;q=0.8", "ar"), ("fa-IR", "fa"), ("prs, fa;q=0.9", "fa"),
                                              ("de, ar;q=0.3, en;q=0.5", "en"), ("*", "sv"), ("xx", "sv")])
def test_the_best_of_the_browser_s_languages_wins_and_swedish_is_the_default(client, two_schools, accept, lang):
    installed(lang)
    assert html_lang(client.get("/", headers={"Accept-Language": accept}).get_data(as_text=True))[0] == lang


def test_the_menu_names_every_installed_language_in_its_own_script_and_marks_the_current_one(client, two_schools):
    page = client.get("/tillganglighet", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    menu = page.split('<nav class="languages">', 1)[1].split("</nav>", 1)[0]
    entries = re.findall(r'<(a|span) ([^>]*)>([^<]+)</\1>', menu)
    shown = [name for _tag, _attrs, name in entries]
    codes = language.installed(TRANSLATIONS)
    assert shown == [language.NAMES[code] for code in codes]  # in the menu's order, each in its own name
    assert {"العربية", "فارسی", "English", "Svenska"} <= set(shown)
    for tag, attrs, name in entries:
        code = next(c for c, n in language.NAMES.items() if n == name)
        assert f'lang="{code}"' in attrs and ('dir="rtl"' in attrs) is (code in ("ar", "fa"))
        if code == "ar":  # the page's own language: not a link, marked current
            assert tag == "span" and 'aria-current="true"' in attrs
        else:
            assert tag == "a" and f'href="/sprak/{code}?nasta=/tillganglighet"' in attrs


@pytest.mark.parametrize("code", SIX)
def test_the_menu_switches_to_each_language_and_back_without_javascript(client, two_schools, code):
    installed(code)
    response = client.get(f"/sprak/{code}?nasta=/personuppgifter", headers={"Accept-Language": "sv"})
    assert (response.status_code, response.headers["Location"]) == (303, "/personuppgifter")
    page = client.get("/personuppgifter", headers={"Accept-Language": "sv"}).get_data(as_text=True)
    assert html_lang(page)[0] == code
    assert translated(code, "Så hanterar vi dina personuppgifter") in visible(page)
    client.get("/sprak/sv?nasta=/")
    assert html_lang(client.get("/").get_data(as_text=True))[0] == "sv"


def test_a_language_without_a_catalogue_is_neither_offered_nor_chosen(tmp_path):
    (tmp_path / "ar" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "ar" / "LC_MESSAGES" / "messages.mo").write_bytes(b"")
    (tmp_path / "so" / "LC_MESSAGES").mkdir(parents=True)  # a folder, nothing compiled
    assert language.installed(tmp_path) == ("ar", "sv")


def test_the_staff_inbox_stays_in_swedish_or_english_whatever_the_person_chose(client, two_schools):
    installed("ar")
    client.get("/sprak/ar?nasta=/")
    assert html_lang(client.get("/").get_data(as_text=True)) == ("ar", "rtl")
    page = client.get("/inkorg/logga-in").get_data(as_text=True)
    assert html_lang(page) == ("sv", None)
    assert re.findall(r'href="/sprak/([a-z]+)\?', page) == ["en"]  # only English is offered there
    # the session's Arabic is not for the inbox: the browser's next language that is, else Swedish
    page = client.get("/inkorg/logga-in", headers={"Accept-Language": "ar, en;q=0.5"}).get_data(as_text=True)
    assert html_lang(page) == ("en", None)
    page = client.get("/inkorg/logga-in", headers={"Accept-Language": "fa, ar;q=0.5"}).get_data(as_text=True)
    assert html_lang(page) == ("sv", None)


@pytest.mark.parametrize("code", ["ar", "fa"])
def test_right_to_left_pages_keep_names_addresses_and_references_left_to_right(client, two_schools, code):
    installed(code)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = code
    walk(client, "g1@exempel.se", school="22222222")
    page = client.get("/hjalp/resultat").get_data(as_text=True)
    assert html_lang(page) == (code, "rtl")
    # the contact's name and address inside the translated sentence, each in its own isolate
    assert f"{FSI}Expeditionen Solvik{PDI}" in page and f"{FSI}solvik@exempel.se{PDI}" in page
    assert re.search(r'<strong dir="ltr">[0-9A-Z]{4}-[0-9A-Z]{4}</strong>', page)  # the case reference
    refused = client.post("/hjalp/uppgift", data={"identifier": "x"})  # no CSRF token: the 400 page
    assert refused.status_code == 400 and html_lang(refused.get_data(as_text=True)) == (code, "rtl")


def test_a_right_to_left_text_line_that_begins_with_latin_text_gets_a_right_to_left_mark():
    from portal.mail import right_to_left_lines

    text = "Inloggningshjälpen: طلبك ABCD-1234\nhttps://example.se/aterstall/x\nمرحبًا،\n\n19800101-1234 رقم"
    assert right_to_left_lines(text).split("\n") == [
        "\u200fInloggningshjälpen: طلبك ABCD-1234", "https://example.se/aterstall/x", "مرحبًا،", "",
        "19800101-1234 رقم"]  # digits are not a strong direction: the line already reads right to left


def test_left_to_right_pages_carry_no_isolates(client, two_schools):
    walk(client, "g1@exempel.se", school="22222222")
    page = client.get("/hjalp/resultat").get_data(as_text=True)
    assert FSI not in page and "Expeditionen Solvik, solvik@exempel.se" in page



def first_strong(line: str) -> str | None:
    return next((unicodedata.bidirectional(c) for c in line if unicodedata.bidirectional(c) in ("L", "R", "AL")),
                None)


@pytest.mark.parametrize("code", SIX)
def test_a_person_s_mails_come_in_their_language_through_real_smtp(app, school, smtp_server, code):
    installed(code)
    rtl = code in ("ar", "fa")
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = code
    walk(client, FIRST_ADDRESS)
    walk(client, "locked@exempel.se")  # a locked account: the school is told too, in Swedish
    work(app)
    by_recipient = {m.rcpt_tos[0]: m for m in smtp_server.messages}
    personal, contact = by_recipient[FIRST_ADDRESS], by_recipient["exp@exempel.se"]
    assert personal.message["Content-Language"] == code and contact.message["Content-Language"] == "sv"
    wanted = translated(code, "Inloggningshjälpen: svar på ärende %(reference)s").split("%(reference)s")[0]
    assert str(personal.message["Subject"]).startswith(wanted.replace(FSI, "").replace(PDI, "").strip())
    html, text = personal.part("html"), personal.part("plain")
    assert html_lang(html) == (code, "rtl" if rtl else None)
    assert ('<div dir="rtl"' in html) is rtl
    assert translated(code, "Välj ett nytt lösenord") in html
    assert translated(code, "Hej!") in text
    if rtl:  # the plain text: every line with Arabic letters reads right to left, the link left to right
        lines = [line for line in text.splitlines() if any(unicodedata.bidirectional(c) == "AL" for c in line)]
        assert lines and all(first_strong(line) in ("R", "AL") for line in lines), lines
        assert any(line.startswith(BASE_URL) for line in text.splitlines())
    else:
        assert "\u200f" not in text
    assert "Hej" not in text or code == "sv"

    link = LINK.findall(text)[0]
    page = open_link(client, link)
    assert html_lang(page.get_data(as_text=True))[0] == code
    assert translated(code, "Spara det nya lösenordet") in page.get_data(as_text=True)
    assert submit(client, GOOD, page=page.get_data(as_text=True)).status_code == 303
    work(app)
    changed = smtp_server.messages[-1]
    assert changed.message["Content-Language"] == code
    assert translated(code, "Var det du? Då behöver du inte göra något mer. Logga in som vanligt med ditt nya "
                            "lösenord.") in changed.part("plain").replace("\u200f", "")


@pytest.mark.parametrize(("code", "role", "service", "symptom", "asks"), [
    ("fi", "guardian", "school_platform", "forgot_password", "Kysy sitten koululta ja kerro asianumero."),
    ("uk", "guardian", "school_platform", "forgot_password", "Потім зверніться до школи й назвіть номер звернення."),
    ("fi", "exam_admin", "eservice_permissions", "lost_credentials", "Kysy sitten rehtorilta ja kerro asianumero."),
    ("uk", "exam_admin", "eservice_permissions", "lost_credentials", "зверніться до директора школи й назвіть"),
    ("sv", "exam_admin", "eservice_permissions", "lost_credentials", "Fråga sedan rektorn och ange ärendenumret."),
])
def test_the_result_page_names_whom_to_ask_in_a_whole_sentence_of_the_person_s_language(
        client, two_schools, code, role, service, symptom, asks):
    """Finnish and Ukrainian inflect the one asked ("koululta", "до школи"): the sentence is written whole for
    each helper, not a noun dropped into a gap ("Kysy sitten apua (koulu)", "зверніться до: школа")."""
    if code != "sv":
        installed(code)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = code
    opened = client.get(f"/?role={role}&service={service}&symptom={symptom}&school=11111111")
    assert opened.status_code == 303 and opened.headers["Location"].endswith("/hjalp/uppgift")
    assert post(client, "/hjalp/uppgift", identifier="ingen@exempel.se").status_code == 303
    page = client.get("/hjalp/resultat").get_data(as_text=True)
    assert asks in page
    assert "%(" not in page and "(koulu)" not in page and "до: " not in page
