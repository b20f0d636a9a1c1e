"""The staff inbox in chromium (issue 6): a contact signs in through the link in the mail a real SMTP
server on 127.0.0.1 received, finds a
case by its reference, resolves it with a message, passes another on and signs out: by keyboard
only on a laptop (1280 px), and by pointer on a phone (360 px). axe-core runs on every inbox page
at both widths; the phone pages must not scroll sideways; full-page screenshots go to
test-output/screenshots/inbox-*.png.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from portal.extensions import db
from portal.models import Case, OutboxMessage

from ..functional.inbox_flow import (
    ANNA,
    EXP_BJORKHAGA,
    HIDDEN,
    IT_KOMMUN,
    build_directory,
    make_case,
)
from ..functional.smtp import SmtpServer
from .conftest import PageFactory, served_portal
from .flow import (
    check_axe,
    choose_by_keyboard,
    no_horizontal_scroll,
    press_enter,
    screenshot,
    submits,
    tab_to,
)
from .mailbox import deliver_all, link_in

FINDINGS = [("notice.active_disruption", "pass", None), ("account.exists", "pass", None),
            ("guardian.child_at_school", "fail", "school_admin"), ("guardian.child_active", "skip", None),
            ("guardian.email_is_primary", "advice", None)]
START = dt.datetime(2026, 11, 2, 7, 30, tzinfo=dt.UTC)


@dataclass
class Inbox:
    url: str
    app: Flask
    references: list[str]
    mailbox: SmtpServer


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory, _migrated_database: Path | None) -> Iterator[Inbox]:
    """The portal on 127.0.0.1 with the inbox's test directory and 30 cases for Björkhaga's office, and
    the SMTP server on 127.0.0.1 it delivers to."""
    mailbox = SmtpServer()
    mailbox.up()
    try:
        with served_portal(tmp_path_factory.mktemp("inbox"), _migrated_database, build_directory(),
                           {"PORTAL_MAIL_URL": mailbox.url}) as (app, url):
            with app.app_context():
                refs = [make_case(created=START + dt.timedelta(hours=i), findings=FINDINGS,
                                  account=f"acc-{(HIDDEN if i % 3 == 0 else ANNA)['username']}",
                                  symptom=("no_access_to_content", "forgot_password")[i % 2],
                                  status="resolved" if i % 7 == 6 else "open")
                        for i in range(30)]
            yield Inbox(url, app, refs, mailbox)
    finally:
        mailbox.down()


def sign_in_link(inbox: Inbox, address: str) -> str:
    """The worker delivers; the link in the newest sign-in mail that reached `address` by SMTP."""
    deliver_all(inbox.app)
    return link_in(inbox.mailbox, address, "/inkorg/logga-in/")


def dashed(reference: str) -> str:
    return f"{reference[:4]}-{reference[4:]}"


def looked_at(page: Page, screenshots: Path, name: str, width: int) -> None:
    """Every inbox page: axe-core with no violations, no sideways scrolling, a screenshot."""
    page.wait_for_load_state("load")
    check_axe(page, f"{name} at {width} px")
    no_horizontal_scroll(page, width)
    screenshot(page, screenshots, f"inbox-{width}-{name}")


def outbox_rows(app: Flask, template: str, reference: str) -> list[OutboxMessage]:
    with app.app_context():
        rows = list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == template)))
        db.session.expunge_all()
    return [r for r in rows if (r.context or {}).get("reference") == reference]


def status_of(app: Flask, reference: str) -> str:
    with app.app_context():
        return db.session.scalars(select(Case.status).where(Case.reference == reference)).one()


def test_a_contact_works_the_inbox_by_keyboard_only_on_a_laptop(inbox: Inbox, new_page: PageFactory,
                                                                screenshots: Path) -> None:
    page = new_page(width=1280, height=800)
    snap = lambda name: looked_at(page, screenshots, name, 1280)  # noqa: E731

    page.goto(inbox.url + "/inkorg/")
    page.wait_for_url(re.compile(r"/inkorg/logga-in$"))
    snap("01-sign-in")
    tab_to(page, "input#email")
    page.keyboard.type(EXP_BJORKHAGA[2])
    press_enter(page)
    page.wait_for_url(re.compile(r"/inkorg/logga-in/skickat$"))
    snap("02-sent")

    page.goto(sign_in_link(inbox, EXP_BJORKHAGA[2]))
    page.wait_for_url(re.compile(r"/inkorg/logga-in/bekrafta$"))  # the token has left the address bar
    snap("03-confirm")
    tab_to(page, "main button[type=submit]")
    press_enter(page)
    page.wait_for_url(re.compile(r"/inkorg/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Inkorgen")
    expect(page.locator(".open-count")).to_have_text("26 öppna ärenden")
    snap("04-inbox")

    # find a case by its reference, typed with its dash in lower case
    wanted = inbox.references[4]
    tab_to(page, "input#q")
    page.keyboard.type(dashed(wanted).lower())
    press_enter(page)
    rows = page.locator("table.cases tbody tr")
    expect(rows).to_have_count(1)
    snap("05-search")
    tab_to(page, f"a[href='/inkorg/arenden/{wanted}']")
    press_enter(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Ärende {dashed(wanted)}")
    expect(page.locator("main")).to_contain_text(ANNA["name"])
    snap("06-case")

    # resolve it with a message to the person
    tab_to(page, "textarea#message")
    page.keyboard.type("Vi har lagt in placeringen. Logga in igen i morgon.")
    tab_to(page, f"form[action='/inkorg/arenden/{wanted}/los'] button")
    press_enter(page)
    expect(page.locator(".notice")).to_contain_text("Ärendet är markerat som löst. Personen får ditt meddelande.")
    expect(page.locator("dl.facts")).to_contain_text("Löst")
    snap("07-resolved")
    assert status_of(inbox.app, wanted) == "resolved"
    (message,) = outbox_rows(inbox.app, "case_resolved", wanted)
    assert message.to_address == ANNA["email"]
    deliver_all(inbox.app)
    (arrived,) = [m for m in inbox.mailbox.messages if dashed(wanted) in m.part("plain")]
    assert arrived.rcpt_tos == [ANNA["email"]]
    assert "Vi har lagt in placeringen. Logga in igen i morgon." in arrived.part("plain")

    # pass another on to the municipality's IT support
    tab_to(page, "a[href='/inkorg/']")
    press_enter(page)
    other = inbox.references[0]  # a protected identity's case: never named
    tab_to(page, f"a[href='/inkorg/arenden/{other}']")
    press_enter(page)
    expect(page.locator("main")).to_contain_text("skyddade personuppgifter")
    assert HIDDEN["name"] not in page.content() and HIDDEN["username"] not in page.content()
    snap("08-case-protected")
    choose_by_keyboard(page, "kind", "municipal_it")
    tab_to(page, f"form[action='/inkorg/arenden/{other}/vidare'] button")
    press_enter(page)
    page.wait_for_url(re.compile(r"/inkorg/$"))
    expect(page.locator(".notice")).to_contain_text(f"Ärende {dashed(other)} är skickat vidare till {IT_KOMMUN[1]}")
    expect(page.locator(f"a[href='/inkorg/arenden/{other}']")).to_have_count(0)
    snap("09-passed-on")
    (notification,) = outbox_rows(inbox.app, "contact_notification", other)
    assert notification.to_address == IT_KOMMUN[2]
    deliver_all(inbox.app)
    assert link_in(inbox.mailbox, IT_KOMMUN[2], f"/inkorg/arenden/{other}") == f"{inbox.url}/inkorg/arenden/{other}"

    # sign out; the inbox is closed behind
    tab_to(page, ".inbox-bar button")
    press_enter(page)
    page.wait_for_url(re.compile(r"/inkorg/utloggad$"))
    snap("10-signed-out")
    page.goto(inbox.url + "/inkorg/")
    page.wait_for_url(re.compile(r"/inkorg/logga-in$"))


def test_the_inbox_on_a_phone_by_pointer(inbox: Inbox, new_page: PageFactory, screenshots: Path) -> None:
    page = new_page(width=360, height=740)
    snap = lambda name: looked_at(page, screenshots, name, 360)  # noqa: E731

    page.goto(inbox.url + "/inkorg/logga-in")
    submits(page, page.get_by_role("button", name="Skicka inloggningslänk").click)
    expect(page.locator("#email-error")).to_be_visible()  # an empty address: the error beside the field
    snap("01-sign-in-error")
    page.get_by_label("Din e-postadress").fill(EXP_BJORKHAGA[2])
    submits(page, page.get_by_role("button", name="Skicka inloggningslänk").click)
    snap("02-sent")
    link = sign_in_link(inbox, EXP_BJORKHAGA[2])
    page.goto(link)
    snap("03-confirm")
    submits(page, page.get_by_role("button", name="Logga in").click)
    snap("04-inbox")
    page.screenshot(path=str(screenshots / "inbox-360-04-inbox-first-screen.png"))  # what the phone shows first
    submits(page, page.get_by_role("link", name="Nästa sida").click)
    expect(page.locator("table.cases caption")).to_contain_text("sida 2")
    snap("05-inbox-page-2")
    page.get_by_text("Filtrera på status, skola, tjänst eller problem").click()
    page.get_by_label("Status").select_option("resolved")
    submits(page, page.get_by_role("button", name="Visa").click)
    snap("06-filtered")

    wanted = inbox.references[8]
    page.goto(f"{inbox.url}/inkorg/arenden/{wanted}")
    snap("07-case")
    page.get_by_label("Intern anteckning").fill("Ringde vårdnadshavaren, hen återkommer.")
    submits(page, page.get_by_role("button", name="Spara anteckningen").click)
    expect(page.locator(".history")).to_contain_text("Anteckning: Ringde vårdnadshavaren, hen återkommer.")
    snap("08-note")
    # nobody holds the e-service administrator's kind for this school: it is not offered
    expect(page.get_by_label("Kommunens administratör för e-tjänsten")).to_have_count(0)
    submits(page, page.get_by_role("button", name="Skicka vidare").click)  # nothing chosen
    expect(page.locator("#kind-error")).to_be_visible()
    snap("09-pass-on-error")
    page.get_by_label("Rektor").check()
    submits(page, page.get_by_role("button", name="Skicka vidare").click)
    expect(page.locator(".notice")).to_contain_text("är skickat vidare till Rektor Björkhaga")
    snap("10-passed-on")

    # the same used link again: one calm page
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Länken fungerar inte längre")
    snap("11-link-refused")
    page.goto(inbox.url + "/inkorg/arenden/ZZZZZZZZ")
    snap("12-not-found")
    page.goto(inbox.url + "/inkorg/")
    submits(page, page.get_by_role("button", name="Logga ut").click)
    snap("13-signed-out")
