"""A reset link in chromium: a guardian walks the public flow, the worker diagnoses the case, the link is
taken from the message that a real SMTP server on 127.0.0.1 received, opened, and a new password set by
keyboard alone; the link's second use gets the calm page, and the "password changed" message reaches the
first registered address and no other. axe-core on every reset page at 360 px and 1280 px, screenshots
under test-output/screenshots/reset-*.png.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from portal import passwords
from portal.extensions import db
from portal.models import PortalPassword

from ..functional.smtp import SmtpServer
from .conftest import PageFactory, build_directory, served_portal
from .flow import (
    Walk,
    assert_focus_visible,
    check_axe,
    no_horizontal_scroll,
    press_enter,
    screenshot,
    tab_to,
    walk,
)
from .mailbox import deliver_all, link_in

ANNA = Walk("guardian", "school_platform", "forgot_password", "11111111", "11111111", "anna.andersson@exempel.se")
NEW_PASSWORD = "mormors blåbärssylt är bäst 🫐"
SIZES = {"phone": (360, 740), "desktop": (1280, 800)}


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory,
           _migrated_database: Path | None) -> Iterator[tuple[Flask, str, SmtpServer]]:
    """The app and its base URL, served on 127.0.0.1 (mail links are built from that URL), and the SMTP
    server on 127.0.0.1 it delivers to."""
    mailbox = SmtpServer()
    mailbox.up()
    try:
        with served_portal(tmp_path_factory.mktemp("reset-browser"), _migrated_database, build_directory(),
                           {"PORTAL_MAIL_URL": mailbox.url}) as (app, url):
            yield app, url, mailbox
    finally:
        mailbox.down()


def link_from_the_message(app: Flask, mailbox: SmtpServer, reference: str) -> str:
    """The worker runs and delivers; the reset link in the message Anna's first address received."""
    deliver_all(app)
    return link_in(mailbox, ANNA.identifier, "/aterstall/",
                   subject=f"Inloggningshjälpen: svar på ärende {reference}")


def checked(page: Page, screenshots: Path, name: str) -> None:
    """axe-core at 360 px and 1280 px, no sideways scrolling at 320 px, a screenshot at each size."""
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        check_axe(page, f"{name} at {width} px")
        screenshot(page, screenshots, f"reset-{name}-{size}")
    page.set_viewport_size({"width": 320, "height": 640})
    no_horizontal_scroll(page, 320)
    page.set_viewport_size({"width": 360, "height": 740})


def type_into(page: Page, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.type(text)


def test_a_guardian_sets_a_new_password_from_the_link_by_keyboard(
        portal: tuple[Flask, str, SmtpServer], new_page: PageFactory, screenshots: Path) -> None:
    app, base, mailbox = portal
    page = new_page(width=360, height=740)
    reference = walk(page, base, ANNA, keyboard=False)
    link = link_from_the_message(app, mailbox, reference)
    token = link.rsplit("/", 1)[1]

    page.goto(link)
    page.wait_for_url(re.compile(r"/aterstall/nytt-losenord$"))
    assert token not in page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("Välj ett nytt lösenord")
    checked(page, screenshots, "form")

    # a common password first: the reason beside the field, the summary focused at the top
    type_into(page, "#password", "Sunshine1")
    type_into(page, "#confirmation", "Sunshine1")
    tab_to(page, "button[type=submit]")
    press_enter(page)
    expect(page.locator(".error-summary")).to_be_focused()
    assert_focus_visible(page)
    expect(page.locator("#password-error")).to_contain_text("ett av de vanligaste")
    expect(page.locator("#password")).to_have_attribute("aria-invalid", "true")
    checked(page, screenshots, "form-error")

    type_into(page, "#password", NEW_PASSWORD)
    type_into(page, "#confirmation", NEW_PASSWORD)
    # "Visa lösenordet" shows what was typed, and hides it again
    show = page.locator("button.show-password[aria-controls=password]")
    show.click()
    expect(page.locator("#password")).to_have_attribute("type", "text")
    expect(show).to_have_attribute("aria-pressed", "true")
    expect(show).to_have_text("Dölj lösenordet")
    screenshot(page, screenshots, "reset-form-password-shown-phone")
    show.click()
    expect(page.locator("#password")).to_have_attribute("type", "password")
    tab_to(page, "button[type=submit]")
    screenshot(page, screenshots, "reset-form-filled-phone")
    press_enter(page)
    page.wait_for_url(re.compile(r"/aterstall/klart$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Ditt nya lösenord är sparat")
    expect(page.locator(".reference strong")).to_have_text(reference)
    checked(page, screenshots, "done")
    with app.app_context():
        (stored,) = db.session.scalars(select(PortalPassword.password_hash)).all()
        assert passwords.verify(stored, NEW_PASSWORD)

    # the second use of the link: the calm page, offering to start again
    page.goto(link)
    page.wait_for_url(re.compile(r"/aterstall/nytt-losenord$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Länken går inte att använda")
    checked(page, screenshots, "used")
    tab_to(page, "a.button")
    press_enter(page)
    page.wait_for_url(base + "/")
    with app.app_context():
        assert len(db.session.scalars(select(PortalPassword.password_hash)).all()) == 1

    deliver_all(app)  # "your password was changed", to the registered address only
    assert [m.rcpt_tos for m in mailbox.messages] == [[ANNA.identifier], [ANNA.identifier]]
    assert mailbox.messages[-1].message["Subject"] == f"Inloggningshjälpen: ditt lösenord är bytt (ärende {reference})"
