"""Every kind of mail in chromium, as a mail program would show it: the HTML part at 360 px (a phone) and
the plain-text part, screenshot under test-output/screenshots/mail-NN-<recipient>-<html|text>.png. The
mails are made on the demo directory the way people make them (tests/functional/mail_gallery.py)."""

from __future__ import annotations

import html
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..functional.mail_gallery import every_mail
from ..functional.smtp import Received, SmtpServer
from .conftest import PageFactory, served_portal
from .flow import AXE_TAGS, _axe, no_horizontal_scroll

DEMO = Path(__file__).resolve().parents[2] / "portal" / "demo" / "demo.json"


class DemoDirectory:
    """The shipped demo directory, for served_portal (which writes a directory before importing it)."""

    def write(self, path: Path) -> Path:
        shutil.copyfile(DEMO, path)
        return path


@pytest.fixture(scope="module")
def received(tmp_path_factory: pytest.TempPathFactory, _migrated_database: Path | None) -> Iterator[list[Received]]:
    """Made before the browser starts: the SMTP server's loop and Playwright's do not share a thread."""
    server = SmtpServer()
    server.up()
    try:
        with served_portal(tmp_path_factory.mktemp("mails"), _migrated_database, DemoDirectory()) as (app, _url):  # type: ignore[arg-type]
            yield every_mail(app, server)
    finally:
        server.down()


def test_every_mail_reads_well_on_a_phone(received: list[Received], new_page: PageFactory, screenshots: Path) -> None:
    page = new_page(width=360, height=740)  # axe-core runs as a script
    for number, message in enumerate(received, start=1):
        name = f"mail-{number:02d}-{message.rcpt_tos[0].split('@')[0]}"
        page.set_content(message.part("html"))
        assert page.title().startswith("Inloggningshjälpen")
        no_horizontal_scroll(page, 360)
        # WCAG only: a mail is not a page of its own (no landmarks or h1 expected, best-practice rules)
        results = _axe.run(page, options={"runOnly": {"type": "tag", "values": [t for t in AXE_TAGS if t != "best-practice"]},
                                          "resultTypes": ["violations"]})
        assert results.violations_count == 0, f"{name}:\n{results.generate_report()}"
        page.screenshot(path=str(screenshots / f"{name}-html.png"), full_page=True)
        subject = html.escape(str(message.message["Subject"]))
        page.set_content(f'<!doctype html><html lang="sv"><title>{subject}</title><body style="margin:8px">'
                         f'<p><b>{subject}</b></p><pre style="white-space:pre-wrap;font:15px/1.4 monospace">'
                         f"{html.escape(message.part('plain'))}</pre></body></html>")
        page.screenshot(path=str(screenshots / f"{name}-text.png"), full_page=True)
    assert len(received) >= 15
