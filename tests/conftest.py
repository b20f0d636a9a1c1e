"""Shared fixtures: an app on a fresh database per test (SQLite by default, PostgreSQL when
PORTAL_DATABASE_URL points there), a test client and a CLI runner."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner, FlaskClient
from sqlalchemy import text

from portal import create_app
from portal.database import upgrade
from portal.extensions import db

POSTGRES_URL = os.environ.get("PORTAL_DATABASE_URL", "")
ON_POSTGRES = POSTGRES_URL.startswith("postgresql")


def _empty_all_tables() -> None:
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    if ON_POSTGRES:
        db.session.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(text(f'DELETE FROM "{table}"'))
    db.session.commit()


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path / "instance"))
    if not ON_POSTGRES:
        monkeypatch.setenv("PORTAL_DATABASE_URL", f"sqlite:///{tmp_path / 'portal.sqlite3'}")
    application = create_app({"TESTING": True, "PORTAL_SECRET_KEY_FOR_TESTS": True})
    with application.app_context():
        upgrade(application)
        if ON_POSTGRES:
            _empty_all_tables()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


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
