"""The contacts' statistics and disruption notices in chromium (issue 14): cases made through the
public flow and the worker, a contact signed in through the mailed link; the statistics page (with and
without a date error) and the notices page at 360 and 1280 px, each checked by axe-core, without
sideways scrolling on the phone; a notice published by the form shows on the school's public page.
Screenshots go to test-output/screenshots/statistics-*.png."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from portal.worker import process_queue

from ..functional.flow import walk
from ..functional.inbox_flow import (
    BJORKHAGA,
    EXP_BJORKHAGA,
    SOLVIK,
    ask_for_link,
    build_directory,
    sign_in_link,
)
from .conftest import PageFactory, served_portal
from .flow import check_axe, no_horizontal_scroll, screenshot, submits

ASKED = [("anna.andersson", BJORKHAGA), ("ingen.alls@exempel.se", BJORKHAGA), ("nomail", BJORKHAGA),
         ("hedda.holm.hemlig", BJORKHAGA), ("okand", SOLVIK)]


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory, _migrated_database: Path | None) -> Iterator[tuple[Flask, str]]:
    with served_portal(tmp_path_factory.mktemp("statistics"), _migrated_database, build_directory()) as (app, url):
        for identifier, school in ASKED:
            response, _seen = walk(app.test_client(), identifier, school=school)
            assert response.status_code == 303
        with app.app_context():
            assert process_queue().failed == 0
        yield app, url


def signed_in_page(portal: tuple[Flask, str], new_page: PageFactory, width: int) -> Page:
    app, url = portal
    assert ask_for_link(app.test_client(), EXP_BJORKHAGA[2]).status_code == 303
    page = new_page(width=width, height=800)
    page.goto(sign_in_link(app, EXP_BJORKHAGA[2]))
    submits(page, page.get_by_role("button", name="Logga in").click)
    page.wait_for_url(re.compile(r"/inkorg/$"))
    return page


def looked_at(page: Page, screenshots: Path, name: str, width: int) -> None:
    page.wait_for_load_state("load")
    check_axe(page, f"{name} at {width} px")
    no_horizontal_scroll(page, width)
    screenshot(page, screenshots, f"statistics-{width}-{name}")


@pytest.mark.parametrize("width", [360, 1280])
def test_the_statistics_page(portal, new_page: PageFactory, screenshots: Path, width: int) -> None:
    page = signed_in_page(portal, new_page, width)
    submits(page, page.get_by_role("link", name="Statistik").click)
    expect(page.get_by_role("heading", level=1)).to_have_text("Statistik")
    expect(page.locator("#antal-arenden")).to_have_text("4")  # Björkhaga's four; Solvik's is not counted
    expect(page.locator("table.stats tbody tr").first).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("Stapeldiagram"))).to_be_visible()
    looked_at(page, screenshots, "01-page", width)
    page.get_by_label("Från och med").fill("2026-12-31")
    page.get_by_label("Till och med").fill("2026-01-01")
    submits(page, page.get_by_role("button", name="Visa").click)
    expect(page.locator("#fran-error")).to_contain_text("Startdatumet ligger efter slutdatumet")
    looked_at(page, screenshots, "02-date-error", width)


@pytest.mark.parametrize("width", [360, 1280])
def test_the_notices_page_publishes_to_the_schools_public_pages(portal, new_page: PageFactory, screenshots: Path,
                                                                width: int) -> None:
    app, url = portal
    page = signed_in_page(portal, new_page, width)
    submits(page, page.get_by_role("link", name="Driftstörningar").click)
    expect(page.get_by_role("heading", level=1)).to_have_text("Driftstörningar")
    looked_at(page, screenshots, "03-notices", width)
    submits(page, page.get_by_role("button", name="Publicera").click)  # no text: the error beside the field
    expect(page.locator("#text-error")).to_be_visible()
    looked_at(page, screenshots, "04-notice-error", width)
    text = f"Skolplattformen är långsam ({width})."
    page.get_by_label("Meddelande till dem som söker hjälp").fill(text)
    submits(page, page.get_by_role("button", name="Publicera").click)
    expect(page.locator(".notice").first).to_contain_text("Driftstörningen är publicerad")
    looked_at(page, screenshots, "05-published", width)

    public = new_page(width=width, height=800)
    public.goto(f"{url}/?role=guardian&service=school_platform&symptom=forgot_password&school={BJORKHAGA}")
    expect(public.locator(".notice")).to_contain_text(text)
    check_axe(public, f"a public page with a notice at {width} px")
    no_horizontal_scroll(public, width)

    submits(page, page.get_by_role("button", name="Ta bort från sidorna").first.click)
    expect(page.locator(".notice").first).to_contain_text("Driftstörningen är borttagen")
    public.reload()
    expect(public.get_by_text(text)).to_have_count(0)


def typed_fields_too_small(page: Page) -> list[str]:
    """The fields typed into (text, e-mail, dates, times) that are less than 40 px tall or 200 px wide: a date field
    once kept the browser's own small look (20 px tall) beside full-size text fields."""
    return page.evaluate("""() => [...document.querySelectorAll(
            'input:not([type=hidden]):not([type=radio]):not([type=checkbox]), textarea')]
        .filter((field) => { const box = field.getBoundingClientRect(); return box.height < 40 || box.width < 200; })
        .map((field) => `${field.type} #${field.id}`)""")


def test_on_a_phone_the_date_and_time_fields_are_as_easy_to_tap_as_the_text_fields(portal, new_page: PageFactory,
                                                                                     screenshots: Path) -> None:
    page = signed_in_page(portal, new_page, 360)
    for link, kinds in (("Statistik", {"date"}), ("Driftstörningar", {"datetime-local"})):
        submits(page, page.get_by_role("link", name=link).click)
        types = set(page.eval_on_selector_all("main input", "fields => fields.map((f) => f.type)"))
        assert kinds <= types, (link, types)
        assert typed_fields_too_small(page) == [], link
