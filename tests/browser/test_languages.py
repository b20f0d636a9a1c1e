"""The guardians' six languages in chromium at 360 px (issue 13): for each, a browser set to that
language walks the whole guardian flow to the result page, meets an error beside a field, opens the
reset link from the mail a real SMTP server received and sets a new password; every page passes
axe-core, fits a 320 px screen, loads nothing from another host, and is saved as
test-output/screenshots/lang-<code>-<page>.png. Arabic and Persian pages lay out mirrored (the radio
button right of its label, the portal's name at the right of the header) with the case reference left
to right.

The glyphs come from the system's fonts (no web fonts): Debian's fonts-noto-core has Arabic and
Ethiopic; without it the test fails with the command that installs it. A language whose catalogue is
not installed yet (another branch writes it) is skipped, by name."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from flask import Flask
from playwright.sync_api import Page, expect

from portal import language

from ..functional.smtp import SmtpServer
from .conftest import build_directory, served_portal
from .flow import REFERENCE, check_axe, no_horizontal_scroll, screenshot
from .mailbox import deliver_all, link_in

SIX = ("ar", "so", "ti", "fa", "uk", "fi")
TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations"
ANNA = "anna.andersson@exempel.se"
NEW_PASSWORD = "mormors blåbärssylt är bäst 🫐"
# a script the system must have a font for: fontconfig's language tag for it
FONT_FOR = {"ar": "ar", "fa": "fa", "ti": "ti", "uk": "uk"}


def translated(code: str, msgid: str) -> str:
    with (TRANSLATIONS / code / "LC_MESSAGES" / "messages.mo").open("rb") as handle:
        found = read_mo(handle).get(msgid)
    assert found is not None and found.string, msgid
    return str(found.string)


def families_for(lang: str) -> set[str]:
    """The font families fontconfig says cover the language's letters."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return set()
    out = subprocess.run([fc_list, f":lang={lang}", "family"], capture_output=True, text=True).stdout
    return {name.strip() for line in out.splitlines() for name in line.split(",") if name.strip()}


def has_font(lang: str) -> bool:
    return bool(families_for(lang))


def rendered_with(page: Page, selector: str) -> set[str]:
    """The fonts chromium drew `selector`'s text with (DevTools: CSS.getPlatformFontsForNode). A letter no
    font has is drawn as an empty box and still reported under the first font of the stack."""
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument")["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        return {str(font["familyName"]) for font in fonts}
    finally:
        cdp.detach()


def letters_have_glyphs(page: Page, selector: str, code: str) -> None:
    """`selector`'s text in `code`'s script is drawn with a font that has that script's letters (the Latin
    letters, digits and punctuation in the same text may come from another font: Noto Sans Ethiopic has none)."""
    if code not in FONT_FOR:
        return
    used, covering = rendered_with(page, selector), families_for(FONT_FOR[code])
    assert used & covering, f"{selector} in {code!r} drawn with {used}; fonts with its letters: {covering}"


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory,
           _migrated_database: Path | None) -> Iterator[tuple[Flask, str, SmtpServer]]:
    mailbox = SmtpServer()
    mailbox.up()
    try:
        with served_portal(tmp_path_factory.mktemp("languages-browser"), _migrated_database, build_directory(),
                           {"PORTAL_MAIL_URL": mailbox.url}) as (app, url):
            yield app, url, mailbox
    finally:
        mailbox.down()


@pytest.fixture
def page_in(new_page):  # type: ignore[no-untyped-def]
    """`page_in(code)`: a page at 360 px whose browser asks for `code`'s language (tests/browser/conftest.py)."""
    return lambda code: new_page(locale=code)


def shown(page: Page, code: str, name: str, screenshots: Path) -> None:
    """The page is in the language and direction asked for, passes axe-core, fits 320 px; a screenshot
    at 360 px."""
    rtl = code in language.RTL
    assert page.locator("html").get_attribute("lang") == code, name
    assert page.evaluate("getComputedStyle(document.body).direction") == ("rtl" if rtl else "ltr"), name
    check_axe(page, f"{code} {name}")
    screenshot(page, screenshots, f"lang-{code}-{name}")
    page.set_viewport_size({"width": 320, "height": 640})
    no_horizontal_scroll(page, 320)
    page.set_viewport_size({"width": 360, "height": 740})


def mirrored(page: Page, rtl: bool) -> None:
    """Right to left: the radio button sits right of its label and the portal's name at the header's
    right; left to right the other way round."""
    choice = page.locator(".choice").first
    button, label = choice.locator("input").bounding_box(), choice.locator("label").bounding_box()
    assert button and label
    assert (button["x"] > label["x"]) is rtl, (button, label)
    brand = page.locator("header .brand").bounding_box()
    assert brand
    assert (brand["x"] + brand["width"] > 300) is rtl, brand


def answer(page: Page, name: str, value: str) -> None:
    page.locator(f"input[name={name}][value='{value}']").check()
    with page.expect_navigation():
        page.locator("main form[method=post] button[type=submit]").click()


@pytest.mark.parametrize("code", SIX)
def test_a_guardian_walks_errs_and_resets_in_their_language_at_360_px(
        portal: tuple[Flask, str, SmtpServer], page_in, screenshots: Path, code: str) -> None:
    if code not in language.installed(TRANSLATIONS):
        pytest.skip(f"no compiled catalogue for {code!r} yet (translations/{code}/ comes from another branch)")
    if code in FONT_FOR and not has_font(FONT_FOR[code]):
        pytest.fail(f"no system font for {code!r}: the pages would show empty boxes. Install Debian's Noto fonts:\n"
                    "    sudo apt-get install -y --no-install-recommends fonts-noto-core", pytrace=False)
    app, url, mailbox = portal
    rtl = code in language.RTL
    page: Page = page_in(code)  # type: ignore[operator]

    page.goto(url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text(translated(code, "Få hjälp att logga in"))
    letters_have_glyphs(page, "main h1", code)
    letters_have_glyphs(page, "main form", code)
    mirrored(page, rtl)
    shown(page, code, "1-role", screenshots)
    answer(page, "role", "guardian")
    shown(page, code, "2-service", screenshots)
    answer(page, "service", "school_platform")
    shown(page, code, "3-symptom", screenshots)
    answer(page, "symptom", "forgot_password")
    page.locator("input#q").fill("11111111")
    with page.expect_navigation():
        page.locator("input#q").press("Enter")
    shown(page, code, "4-school", screenshots)
    answer(page, "school", "11111111")

    # an error beside the field: a personnummer with a wrong check digit
    page.locator("input#identifier").fill("19800101-1235")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    error = translated(code, "Personnumret stämmer inte. Kontrollera siffrorna, särskilt de fyra sista.")
    expect(page.locator("#identifier-error")).to_have_text(error)
    expect(page.locator(".error-summary a")).to_have_text(error)
    field, message = page.locator("input#identifier").bounding_box(), page.locator("#identifier-error").bounding_box()
    assert field and message and 0 <= field["y"] - (message["y"] + message["height"]) < 40  # right above the field
    shown(page, code, "5-identifier-error", screenshots)

    page.locator("input#identifier").fill(ANNA)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(translated(code, "Det här händer nu"))
    reference = page.locator(".reference strong")
    assert REFERENCE.match(reference.inner_text())
    assert reference.evaluate("el => getComputedStyle(el).direction") == "ltr"
    shown(page, code, "6-result", screenshots)

    deliver_all(app)
    link = link_in(mailbox, ANNA, "/aterstall/")
    arrived = [m for m in mailbox.messages if m.rcpt_tos == [ANNA]][-1]
    assert arrived.message["Content-Language"] == code
    page.goto("about:blank")  # not under the portal's Content-Security-Policy, which refuses inline styles
    page.set_content(arrived.part("html"))  # the mail as a mail program shows its HTML
    no_horizontal_scroll(page, 360)
    assert page.evaluate("getComputedStyle(document.querySelector('div')).direction") == ("rtl" if rtl else "ltr")
    expect(page.get_by_role("link", name=translated(code, "Välj ett nytt lösenord"))).to_be_visible()
    screenshot(page, screenshots, f"lang-{code}-0-mail")
    page.goto(link)
    expect(page.locator("main form button[type=submit]")).to_have_text(translated(code, "Spara det nya lösenordet"))
    shown(page, code, "7-reset", screenshots)
    page.locator("input[type=password]").nth(0).fill("kort")
    page.locator("input[type=password]").nth(1).fill("kort")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator(".field-error").first).to_be_visible()
    shown(page, code, "8-reset-error", screenshots)
    page.locator("input[type=password]").nth(0).fill(NEW_PASSWORD)
    page.locator("input[type=password]").nth(1).fill(NEW_PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(translated(code, "Ditt nya lösenord är sparat"))
    shown(page, code, "9-reset-done", screenshots)


def test_every_language_s_name_in_the_menu_is_drawn_with_a_font_that_has_its_letters(
        portal: tuple[Flask, str, SmtpServer], page_in, screenshots: Path) -> None:
    """All eight names (العربية, Soomaali, ትግርኛ, فارسی, Українська, Suomi, English, Svenska), whatever catalogues
    this checkout has: the menu is shown as if every language were installed."""
    missing = [code for code in set(FONT_FOR.values()) if not has_font(code)]
    if missing:
        pytest.fail(f"no system font for {missing}: install Debian's Noto fonts:\n"
                    "    sudo apt-get install -y --no-install-recommends fonts-noto-core", pytrace=False)
    app, url, _mailbox = portal
    installed = app.extensions["portal_languages"]
    app.extensions["portal_languages"] = language.LANGUAGES
    try:
        page: Page = page_in("sv")  # type: ignore[operator]
        page.goto(url + "/tillganglighet")
        names = page.locator("nav.languages li")
        expect(names).to_have_text([language.NAMES[code] for code in language.LANGUAGES])
        for code in language.LANGUAGES:
            letters_have_glyphs(page, f"nav.languages [lang={code}]", code)
        check_axe(page, "the menu with all eight languages")
        no_horizontal_scroll(page, 360)
        page.locator("header").screenshot(path=str(screenshots / "lang-menu-all-eight.png"))
    finally:
        app.extensions["portal_languages"] = installed


# Where in `selector`'s text `text` is drawn: how many lines it takes, and the x of its first and last character.
_DRAWN = """([selector, text]) => {
    const root = document.querySelector(selector);
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const nodes = [];
    let whole = "";
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        nodes.push([node, whole.length]);
        whole += node.data;
    }
    const start = whole.indexOf(text);
    if (start < 0) return null;
    // the text node and offset of a character index: a start lies in the node holding that character,
    // an end may be just after a node's last character
    const point = (index, end) => {
        for (const [node, from] of nodes) {
            const to = from + node.data.length;
            if (index < to || (end && index === to)) return [node, index - from];
        }
        return null;
    };
    const range = (from, to) => {
        const r = document.createRange();
        r.setStart(...point(from, false));
        r.setEnd(...point(to, true));
        return r;
    };
    const tops = new Set([...range(start, start + text.length).getClientRects()].map((r) => Math.round(r.top)));
    const first = range(start, start + 1).getBoundingClientRect();
    const last = range(start + text.length - 1, start + text.length).getBoundingClientRect();
    return {lines: tops.size, first: first.left, last: last.left};
}"""


@pytest.mark.parametrize("code", ("sv", *SIX))
def test_the_example_personnummer_and_address_stay_whole_and_left_to_right_on_a_320_px_screen(
        portal: tuple[Flask, str, SmtpServer], page_in, code: str) -> None:
    """An example a person copies by eye (19800101-1234 beside the identifier field, 19800101-**** and
    a***@exempel.se on the privacy page) is drawn on one line and reads left to right, also inside an Arabic or
    Persian sentence: a narrow phone once broke 19800101-1234 at its hyphen, the two halves at opposite ends
    of two right-to-left lines."""
    if code not in language.installed(TRANSLATIONS):
        pytest.skip(f"no compiled catalogue for {code!r} yet")
    _app, url, _mailbox = portal
    page: Page = page_in(code)  # type: ignore[operator]
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(url + "/?role=guardian&service=school_platform&symptom=forgot_password&school=11111111")
    page.goto(url + "/hjalp/uppgift")
    examples = [("#identifier-hint", "19800101-1234")]
    for selector, text in examples:
        drawn = page.evaluate(_DRAWN, [selector, text])
        assert drawn is not None, f"{code}: {text} is not in {selector}"
        assert drawn["lines"] == 1, f"{code}: {text} is broken over {drawn['lines']} lines"
        assert drawn["first"] < drawn["last"], f"{code}: {text} reads right to left"
    page.goto(url + "/personuppgifter")
    for text in ("19800101-****", "a***@exempel.se"):
        drawn = page.evaluate(_DRAWN, ["main", text])
        assert drawn is not None and drawn["lines"] == 1 and drawn["first"] < drawn["last"], (code, text, drawn)
