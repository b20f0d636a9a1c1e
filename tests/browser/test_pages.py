"""Keyboard, focus, error states, narrow screens and the network, page by page in chromium.

Error pages are checked with axe-core and saved as screenshots at 360 px like the steps of the flow.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from axe_playwright_python.base import AXE_FILE_PATH
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from .conftest import PageFactory, Requests
from .flow import (
    REFERENCE,
    assert_focus_visible,
    at,
    check_axe,
    no_horizontal_scroll,
    press_enter,
    screenshot,
    submits,
    tab_to,
)

JS = pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
# A link from a school platform's login page: every answer but the identifier (contract: prefill)
TO_IDENTIFIER = "/?role=guardian&service=school_platform&symptom=forgot_password&school=11111111"


def shown(page: Page, screenshots: Path, name: str, *, javascript: bool) -> None:
    """What every error state is checked for: fits 320 px, and (with JavaScript, which axe needs)
    axe-core and a screenshot at 360 px."""
    size = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 640})
    no_horizontal_scroll(page, 320)
    if size:
        page.set_viewport_size(size)
    if javascript:
        check_axe(page, name)
        screenshot(page, screenshots, name)


@JS
def test_the_first_tab_reaches_the_skip_link_and_enter_moves_focus_to_main(
        live_server: str, new_page: PageFactory, screenshots: Path, javascript: bool) -> None:
    page = new_page(javascript=javascript)
    page.goto(live_server + "/")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip")
    expect(skip).to_be_focused()
    assert_focus_visible(page)
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0, f"the focused skip link is off screen: {box}"
    assert skip.inner_text() == "Hoppa till innehållet"
    if javascript:
        screenshot(page, screenshots, "skip-link-focused")
    page.keyboard.press("Enter")
    expect(page.locator("main#innehall")).to_be_focused()
    assert_focus_visible(page)
    if javascript:
        screenshot(page, screenshots, "skip-link-followed")
    # the next Tab continues inside main, not back at the top of the page
    page.keyboard.press("Tab")
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)")


@JS
def test_a_wrong_check_digit_is_summarised_linked_to_the_field_and_kept(
        live_server: str, new_page: PageFactory, screenshots: Path, javascript: bool) -> None:
    page = new_page(javascript=javascript)
    page.goto(live_server + TO_IDENTIFIER)
    at(page, "identifier")
    tab_to(page, "input#identifier")
    page.keyboard.type("19800101-1235")
    press_enter(page)
    at(page, "identifier")

    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()  # autofocus: the summary is where the reloaded page starts, also without JS
    assert_focus_visible(page)
    assert summary.get_attribute("role") == "alert"
    expect(summary.get_by_role("heading")).to_have_text("Något behöver rättas")
    link = summary.get_by_role("link")
    expect(link).to_contain_text("Personnumret stämmer inte.")
    field = page.locator("input#identifier")
    expect(field).to_have_value("19800101-1235")  # what was typed is kept
    assert field.get_attribute("aria-invalid") == "true"
    assert "identifier-error" in (field.get_attribute("aria-describedby") or "")
    expect(page.locator("#identifier-error")).to_have_text(link.inner_text())
    assert page.title().startswith("Vad loggar du in med?")
    shown(page, screenshots, "error-identifier-check-digit", javascript=javascript)

    # by keyboard: the summary's link takes focus to the field, where the value can be corrected
    tab_to(page, ".error-summary a")
    page.keyboard.press("Enter")
    expect(field).to_be_focused()
    assert_focus_visible(page)
    page.keyboard.press("End")
    page.keyboard.press("Backspace")
    page.keyboard.type("1")
    press_enter(page)
    at(page, "result")
    assert REFERENCE.match(page.locator(".reference strong").inner_text())

    # and "Börja om" by keyboard leads back to the first question
    tab_to(page, "button.secondary")
    press_enter(page)
    at(page, "role")
    expect(page.get_by_role("heading", level=1)).to_have_text("Få hjälp att logga in")


@JS
def test_an_empty_identifier_is_explained(live_server: str, new_page: PageFactory, screenshots: Path,
                                          javascript: bool) -> None:
    page = new_page(javascript=javascript)
    page.goto(live_server + TO_IDENTIFIER)
    at(page, "identifier")
    tab_to(page, "button[type=submit]")
    press_enter(page)
    at(page, "identifier")
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.locator(".error-summary a")).to_have_text(
        "Skriv din e-postadress, ditt personnummer eller ditt användarnamn.")
    shown(page, screenshots, "error-identifier-empty", javascript=javascript)


@JS
def test_a_question_left_unanswered_is_summarised_and_linked_to_its_choices(
        live_server: str, new_page: PageFactory, screenshots: Path, javascript: bool) -> None:
    page = new_page(javascript=javascript)
    page.goto(live_server + "/")
    tab_to(page, "button[type=submit]")
    press_enter(page)
    at(page, "role")
    expect(page.locator(".error-summary")).to_be_focused()
    link = page.locator(".error-summary a")
    expect(link).to_have_text("Välj vem du är.")
    expect(page.locator("#role-error")).to_have_text("Välj vem du är.")
    shown(page, screenshots, "error-role-unanswered", javascript=javascript)
    tab_to(page, ".error-summary a")
    page.keyboard.press("Enter")
    # focus moves to the question (its legend and error are read out), the next Tab to its first choice
    expect(page.locator("fieldset#role")).to_be_focused()
    assert_focus_visible(page)
    if javascript:
        screenshot(page, screenshots, "error-role-question-focused")
    page.keyboard.press("Tab")
    expect(page.locator("input[name=role]").first).to_be_focused()
    assert_focus_visible(page)
    page.keyboard.press("Space")
    if javascript:
        screenshot(page, screenshots, "error-role-first-choice-focused")
    tab_to(page, "button[type=submit]")
    press_enter(page)
    at(page, "service")


@JS
def test_a_school_search_without_hits_says_what_to_try(live_server: str, new_page: PageFactory, screenshots: Path,
                                                       javascript: bool) -> None:
    page = new_page(javascript=javascript)
    page.goto(live_server + "/?role=teacher&service=assessment_portal&symptom=forgot_password")
    at(page, "school")
    tab_to(page, "input#q")
    page.keyboard.type("Finns inte skolan")
    press_enter(page)
    at(page, "school")
    expect(page.locator("input#q")).to_have_value("Finns inte skolan")
    expect(page.get_by_role("status")).to_contain_text("Vi hittade ingen som matchar det du skrev.")
    assert page.locator("input[name=school]").count() == 0
    shown(page, screenshots, "school-no-hits", javascript=javascript)


def test_the_network_guard_records_and_stops_a_request_elsewhere(new_page: PageFactory,
                                                                 requests_seen: Requests) -> None:
    page = new_page()
    page.set_content('<img src="http://192.0.2.1/pixel.png" alt="">')
    page.wait_for_load_state("load")
    assert requests_seen.foreign == ["http://192.0.2.1/pixel.png"]
    requests_seen.foreign.clear()  # seen and stopped, as it should be: the teardown check passes


def test_axe_runs_from_the_installed_package_and_requests_nothing(live_server: str, new_page: PageFactory,
                                                                   requests_seen: Requests) -> None:
    assert AXE_FILE_PATH.is_file() and AXE_FILE_PATH.stat().st_size > 100_000
    page = new_page()
    page.goto(live_server + "/")
    page.wait_for_load_state("networkidle")
    requests_seen.seen.clear()
    results = Axe().run(page)
    assert results.response["testEngine"]["name"] == "axe-core"
    assert requests_seen.seen == []


ABOUT = [("/tillganglighet", "Tillgänglighet för Inloggningshjälpen", "Accessibility of Inloggningshjälpen"),
         ("/personuppgifter", "Så hanterar vi dina personuppgifter", "How we handle your personal data")]


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize(("path", "swedish", "english"), ABOUT, ids=["accessibility", "privacy"])
def test_the_pages_about_the_service_are_reached_from_every_page_and_pass_axe(
        live_server: str, new_page: PageFactory, screenshots: Path, path: str, swedish: str, english: str,
        lang: str) -> None:
    page = new_page()
    page.goto(live_server + TO_IDENTIFIER)
    at(page, "identifier")
    if lang == "en":  # the language menu in the header, by keyboard
        tab_to(page, "header a[hreflang=en]")
        press_enter(page)
        at(page, "identifier")
        expect(page.locator("html")).to_have_attribute("lang", "en")
    # the footer's link, by keyboard
    tab_to(page, f"footer a[href='{path}']")
    press_enter(page)
    page.wait_for_url(live_server + path)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.get_by_role("heading", level=1)).to_have_text(swedish if lang == "sv" else english)
    shown(page, screenshots, f"about-{path.strip('/')}-{lang}", javascript=True)


@JS
def test_the_language_link_works_by_keyboard_and_keeps_the_answers(
        live_server: str, new_page: PageFactory, screenshots: Path, javascript: bool) -> None:
    page = new_page(javascript=javascript)
    page.goto(live_server + TO_IDENTIFIER)
    at(page, "identifier")
    link = page.locator("header a[hreflang=en]")
    expect(link).to_have_text("English")
    assert link.get_attribute("lang") == "en"
    tab_to(page, "header a[hreflang=en]")
    press_enter(page)
    at(page, "identifier")  # back on the same step, the answers kept
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("What do you log in with?")
    tab_to(page, "button[type=submit]")
    press_enter(page)
    expect(page.locator(".error-summary a")).to_have_text(
        "Enter your email address, your personal identity number or your username.")
    shown(page, screenshots, "english-identifier-empty", javascript=javascript)
    page.get_by_label("Email address, personal identity number or username").fill("anna.andersson@exempel.se")
    submits(page, page.get_by_role("button", name="Send").click)
    at(page, "result")
    expect(page.get_by_role("heading", level=1)).to_have_text("What happens now")
    shown(page, screenshots, "english-result", javascript=javascript)
    page.locator("header a[hreflang=sv]").click()
    at(page, "result")
    expect(page.get_by_role("heading", level=1)).to_have_text("Det här händer nu")
