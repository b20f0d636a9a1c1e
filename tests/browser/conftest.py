"""Browser tests: Playwright's sync API driving Debian's chromium against a real HTTP server.

- `live_server` (per module): an app on the test database of tests/conftest.py (SQLite copy, or the
  emptied PostgreSQL database), a small directory loaded with the Directory builder, rate limits off,
  served by werkzeug on 127.0.0.1 with a free port in a background thread.
- `browser` (per session): /usr/bin/chromium, never a browser that Playwright downloads. Missing, the
  browser tests stand aside with one line saying what to install (tests/conftest.py), so a newcomer's
  `pytest` ends green; under CI (`CI` set; .ci/run installs chromium) they fail instead, saying the same.
- `new_page` (per test): opens pages in a fresh context (Swedish, a viewport, JavaScript on or off)
  whose every request is checked: anything not for 127.0.0.1 is recorded and aborted, and the test
  fails at teardown if there was any.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from werkzeug.serving import make_server

from portal import create_app
from portal.extensions import db
from portal.importer import import_path
from portal.logs import RequestHandler

from ..conftest import CHROMIUM, MISSING_CHROMIUM, ON_POSTGRES, _empty_all_tables, chromium_present
from ..functional.directory_builder import Directory, personnummer

os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")

from playwright.sync_api import Browser, BrowserContext, Page, Playwright, Route, sync_playwright  # noqa: E402

LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
LOCAL_HOSTS = {"127.0.0.1"}

# The directory every browser test runs on (names and addresses as long as real ones get).
SOLVIK = "22222222"
SOLVIK_ADMIN = ("Expeditionen på Solviksskolan", "expeditionen.solviksskolan@utbildningsforvaltningen.exempelby.se")
NOTICE = ("Driftstörning i lärplattformen: inloggningen går långsamt och kan ge ett felmeddelande. "
          "Leverantören felsöker. Du behöver inte byta lösenord.")


def build_directory() -> Directory:
    d = Directory(name="Björkhagaskolan")  # 11111111, in Exempelby kommun ("kommun")
    d.add_guardian("anna", child="c1", personnummer=personnummer("19800101"), emails=["anna.andersson@exempel.se"])
    d.add_school(code=SOLVIK, name="Solviksskolan", guardian_login=False)
    d.add_contact(kind="school_admin", name=SOLVIK_ADMIN[0], email=SOLVIK_ADMIN[1], school=SOLVIK)
    d.add_organisation(id="sjostad", name="Sjöstads kommun")  # no e-service agreement
    d.add_person(id="mats", name="Mats Ek", emails=["mats.ek@exempelby.se"])
    d.add_role(person="mats", role="teacher")
    d.add_account(id="acc-mats", person="mats", service="learning_platform", username="mats.ek")
    d.add_person(id="pernilla", name="Pernilla Strand", emails=["pernilla.strand@exempelby.se"])
    d.add_role(person="pernilla", role="exam_admin")
    d.add_account(id="acc-pernilla", person="pernilla", service="eservice_permissions", username="pernilla.strand",
                  school="11111111")
    d.add_person(id="karl", name="Karl Sjögren", emails=["karl.sjogren@sjostad.exempel.se"], hsa_id="SE2321000016-K1")
    d.add_role(person="karl", role="eservice_user", organisation="sjostad")
    d.add_account(id="acc-karl", person="karl", service="agency_eservice", username="karl.sjogren",
                  organisation="sjostad")
    d.add_notice(id="drift-larplattform", text=NOTICE, service="learning_platform", **{"from": "2020-01-01T07:40:00+01:00"})
    return d


@contextmanager
def served_portal(folder: Path, template: Path | None, directory: Directory,
                  config: dict[str, Any] | None = None) -> Iterator[tuple[Flask, str]]:
    """The portal with `directory` imported, on a database of its own (a copy of the migrated SQLite
    template, or the emptied PostgreSQL database), served on 127.0.0.1; mail links lead to it."""
    mp = pytest.MonkeyPatch()
    mp.setenv("PORTAL_INSTANCE_PATH", str(folder / "instance"))
    if template is not None:
        database = folder / "portal.sqlite3"
        shutil.copyfile(template, database)
        mp.setenv("PORTAL_DATABASE_URL", f"sqlite:///{database}")
    try:
        app = create_app({"TESTING": True, "RATELIMIT_ENABLED": False, **(config or {})})
        with app.app_context():
            if ON_POSTGRES:
                _empty_all_tables()
            import_path(str(directory.write(folder / "directory.json")))
        with serving(app) as url:
            app.config["PORTAL_BASE_URL"] = url
            yield app, url
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    finally:
        mp.undo()


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory, _migrated_database: Path | None) -> Iterator[str]:
    """The base URL of the portal, served on 127.0.0.1 for the module's tests."""
    with served_portal(tmp_path_factory.mktemp("browser"), _migrated_database, build_directory()) as (_app, url):
        yield url


class serving:  # noqa: N801  (used as `with serving(app) as url`)
    """Serve `app` on 127.0.0.1 (a free port) in a background thread for the `with` block."""

    def __init__(self, app: Flask) -> None:
        # the portal's request lines, as `portal run` writes them (no raw path: reset links hold tokens)
        self.server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=RequestHandler)
        self.thread = threading.Thread(target=self.server.serve_forever, name="live-server", daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        return f"http://127.0.0.1:{self.server.server_port}"

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not chromium_present():  # only under CI: elsewhere tests/conftest.py left these tests out
        pytest.fail(f"CI: {MISSING_CHROMIUM}", pytrace=False)
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
    yield browser
    browser.close()


@dataclass
class Requests:
    """Every URL a context asked for; those not for 127.0.0.1 are aborted and listed in `foreign`."""

    seen: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)

    def handle(self, route: Route) -> None:
        url = route.request.url
        self.seen.append(url)
        if urlsplit(url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            self.foreign.append(url)
            route.abort()


PageFactory = Callable[..., Page]


@pytest.fixture
def requests_seen() -> Requests:
    return Requests()


@pytest.fixture
def new_page(browser: Browser, requests_seen: Requests) -> Iterator[PageFactory]:
    """`new_page(width=360, height=740, javascript=True, locale="sv-SE")`: a page in a fresh context whose
    browser asks for `locale`'s language (Swedish by default)."""
    contexts: list[BrowserContext] = []

    def make(*, width: int = 360, height: int = 740, javascript: bool = True, locale: str = "sv-SE") -> Page:
        context = browser.new_context(locale=locale, viewport={"width": width, "height": height},
                                      java_script_enabled=javascript)
        context.set_default_timeout(10_000)
        context.route("**/*", requests_seen.handle)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
    assert requests_seen.foreign == [], f"requests left 127.0.0.1: {requests_seen.foreign}"


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
