"""GET /healthz (docs/contracts/README.md): 200 `ok` when the database answers, 503 otherwise."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from portal import create_app
from portal.extensions import db


def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert response.get_data(as_text=True) == "ok"


UNREACHABLE = {
    # a PostgreSQL server where nothing listens: the connection is refused at once
    "postgresql": "postgresql+psycopg://portal@127.0.0.1:1/portal?connect_timeout=2",
    # an SQLite file in a folder that does not exist: it cannot be opened
    "sqlite": "sqlite:///{tmp}/no-such-folder/portal.sqlite3",
}


@pytest.fixture(params=sorted(UNREACHABLE))
def app_without_database(request, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("PORTAL_DATABASE_URL", UNREACHABLE[request.param].format(tmp=tmp_path))
    application = create_app({"TESTING": True})
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def test_healthz_answers_503_when_the_database_does_not_answer(app_without_database):
    response = app_without_database.test_client().get("/healthz")

    assert response.status_code == 503
    assert response.mimetype == "text/plain"
    assert response.get_data(as_text=True) == "unavailable"
