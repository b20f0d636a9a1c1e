"""Shared fixtures: `app` (an app on an empty database of its own per test), `client` and `runner`.

SQLite by default: Alembic builds the schema once per session into a template file and every test
gets a copy of it. PostgreSQL when PORTAL_DATABASE_URL points there: the database is wiped and
upgraded once per session, and every test starts with all tables emptied. That database is wiped, so
its name must contain "test" (CI uses `test`).
"""

from __future__ import annotations

import logging
import os
import shutil
import time
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_sqlalchemy.extension import SQLAlchemy
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.pool import NullPool

from portal import create_app
from portal.database import upgrade
from portal.extensions import db

from . import personal_data

LOG_COLLECTOR = personal_data.Collector()


def pytest_configure(config: pytest.Config) -> None:
    """Collect every log record of the session, the portal's at every level (tests/personal_data.py)."""
    logging.getLogger().addHandler(LOG_COLLECTOR)
    logging.getLogger("portal").setLevel(logging.DEBUG)
    logging.getLogger("werkzeug").setLevel(logging.INFO)  # the browser tests' servers' request lines


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """No personal detail in anything the suite logged: one found fails the run."""
    logging.getLogger().removeHandler(LOG_COLLECTOR)
    personal_data.remember_demo()
    found = personal_data.leaks(LOG_COLLECTOR.lines, personal_data.KNOWN)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if found:
        if reporter is not None:
            reporter.write_sep("=", f"personal data in {len(found)} logged line(s)", red=True)
            for leak in found[:50]:
                reporter.write_line(leak)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    elif reporter is not None and LOG_COLLECTOR.lines:
        reporter.write_line(f"Logs scanned for personal data: {len(LOG_COLLECTOR.lines)} lines, none found.")


# The browser tests (tests/browser) drive Debian's chromium. Without it they stand aside, with one line at
# the end of the run saying what to install, so a newcomer's `pytest` ends green; under CI (`CI` set,
# as .ci/run is run, which installs chromium) they run and fail instead. TEST_CHROMIUM: another path,
# for the test of this.
CHROMIUM = Path(os.environ.get("TEST_CHROMIUM") or "/usr/bin/chromium")
BROWSER_TESTS = Path(__file__).resolve().parent / "browser"
MISSING_CHROMIUM = (f"the browser tests (tests/browser) need Debian's chromium at {CHROMIUM}: install it with "
                    "`sudo apt-get install -y --no-install-recommends chromium fonts-noto-core` (fonts-noto-core: the Arabic "
                    "and Ethiopic letters of the pages in Arabic, Persian and Tigrinya; never `playwright install`)")


def chromium_present() -> bool:
    return CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)


def _browser_tests_stand_aside() -> bool:
    return not chromium_present() and not os.environ.get("CI")


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if collection_path == BROWSER_TESTS and _browser_tests_stand_aside():
        return True
    return None


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _browser_tests_stand_aside():
        terminalreporter.write_line(f"SKIPPED {MISSING_CHROMIUM}", yellow=True)


POSTGRES_URL = os.environ.get("PORTAL_DATABASE_URL", "")
ON_POSTGRES = POSTGRES_URL.startswith("postgresql")


def _wipe_postgres(url: str) -> None:
    """Drop everything in the connection's schema, so the migrations run from nothing."""
    name = make_url(url).database or ""
    if "test" not in name:
        pytest.exit(
            f"PORTAL_DATABASE_URL names the database {name!r}; the tests wipe it, so its name "
            "must contain 'test'.",
            returncode=2,
        )
    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()


@pytest.fixture(scope="session")
def _migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    """Run the migrations once per session: the SQLite template file, or None on PostgreSQL."""
    folder = tmp_path_factory.mktemp("template")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PORTAL_INSTANCE_PATH", str(folder / "instance"))
        if ON_POSTGRES:
            _wipe_postgres(POSTGRES_URL)
            template = None
        else:
            template = folder / "portal.sqlite3"
            mp.setenv("PORTAL_DATABASE_URL", f"sqlite:///{template}")
        upgrade(create_app())
    return template


def _empty_all_tables() -> None:
    """Empty the tables that hold rows (TRUNCATE costs ~20 ms even on empty tables). Their
    sequences restart; those of tables emptied by the test itself do not, so never assert on
    generated ids."""
    tables = [t.name for t in db.metadata.sorted_tables]
    probe = " UNION ALL ".join(f"SELECT '{t}' WHERE EXISTS (SELECT 1 FROM \"{t}\")" for t in tables)
    used = db.session.execute(text(probe)).scalars().all()
    if used:
        db.session.execute(
            text("TRUNCATE " + ", ".join(f'"{t}"' for t in used) + " RESTART IDENTITY CASCADE")
        )
    db.session.commit()


# Every engine an app of a test makes, so that its pooled connections are closed when the test ends: many tests
# make apps of their own (create_app with other settings) and never dispose them, and a PostgreSQL connection
# that is garbage collected while still open makes psycopg warn in whatever test runs then.
_engines: weakref.WeakSet[Engine] = weakref.WeakSet()
_make_engine = SQLAlchemy._make_engine


def _remembered_engine(self: SQLAlchemy, bind_key: str | None, options: dict, app: Flask) -> Engine:  # type: ignore[type-arg]
    engine = _make_engine(self, bind_key, options, app)
    _engines.add(engine)
    return engine


SQLAlchemy._make_engine = _remembered_engine  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _close_the_tests_engines() -> Iterator[None]:
    yield
    for engine in list(_engines):
        engine.dispose()


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, _migrated_database: Path | None) -> Iterator[Flask]:
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path / "instance"))
    if _migrated_database is not None:
        database = tmp_path / "portal.sqlite3"
        shutil.copyfile(_migrated_database, database)
        monkeypatch.setenv("PORTAL_DATABASE_URL", f"sqlite:///{database}")
    application = create_app({"TESTING": True, "PORTAL_SECRET_KEY_FOR_TESTS": True})
    if ON_POSTGRES:
        with application.app_context():
            _empty_all_tables()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


class Clock:
    """The portal's clock (`PORTAL_CLOCK`, portal/clock.py) in a test's hands: it stands still at the
    moment the test began and moves only when told, so expiry seconds, timeouts and back-offs need no
    sleeping. `clock(s)` makes "now" s seconds after the start; `clock.move(s)` moves it on by s."""

    def __init__(self, app: Flask) -> None:
        self.start = self.t = time.time()
        app.config["PORTAL_CLOCK"] = lambda: self.t

    def __call__(self, seconds: float) -> None:
        self.t = self.start + seconds

    def move(self, seconds: float) -> None:
        self.t += seconds


@pytest.fixture
def clock(app: Flask) -> Clock:
    return Clock(app)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    from portal.cli import main

    class _Runner(FlaskCliRunner):
        def invoke(self, cli=None, args=None, **kwargs):  # type: ignore[no-untyped-def,override]
            return super().invoke(cli or main, args, **kwargs)

    return _Runner(app)
