"""`portal db upgrade` is the one command that changes the schema; `portal db current` says where the
database stands; a web process on a database whose schema is behind answers /healthz 503, logs what to do
and does not migrate (docs/contracts/README.md, "Running in production")."""

from __future__ import annotations

import logging
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command

from portal import create_app
from portal.database import alembic_config, head_revisions, prepare, upgrade
from portal.extensions import db
from portal.health import check_at_start

from ..conftest import ON_POSTGRES

HEAD = head_revisions()[0]


def portal(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "portal.cli", *args], env=env, capture_output=True, text=True,
                          timeout=120)


@pytest.fixture
def empty(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[dict[str, str], Path]:
    """An environment naming an SQLite file that does not exist yet."""
    database = tmp_path / "db" / "portal.sqlite3"
    database.parent.mkdir()
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("PORTAL_DATABASE_URL", f"sqlite:///{database}")
    return dict(os.environ), database


def tables(database: Path) -> set[str]:
    with sqlite3.connect(database) as connection:
        return {r[0] for r in connection.execute("select name from sqlite_master where type = 'table'")}


def test_db_current_says_the_schema_is_missing_then_upgrade_brings_it_to_the_newest(empty):
    env, database = empty
    before = portal(env, "db", "current")
    assert before.returncode == 1
    assert before.stderr.strip() == (f"Fel: Databasen har inget schema ännu. Senaste version: {HEAD}. "
                                     "Kör `portal db upgrade`.")

    upgraded = portal(env, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    assert upgraded.stdout.strip() == f"Databasen har den senaste versionen av schemat ({HEAD})."
    assert {"cases", "jobs", "outbox", "alembic_version"} <= tables(database)

    after = portal(env, "db", "current")
    assert (after.returncode, after.stdout.strip()) == (0, f"Databasen har den senaste versionen av schemat ({HEAD}).")


def test_db_current_names_an_older_schema_and_the_command_that_upgrades_it(empty):
    env, _database = empty
    command.upgrade(alembic_config(env["PORTAL_DATABASE_URL"]), "0007")
    result = portal(env, "db", "current")
    assert result.returncode == 1
    assert result.stderr.strip() == (f"Fel: Databasen har schemaversion 0007; senaste version är {HEAD}. "
                                     "Kör `portal db upgrade`.")


def test_a_web_process_on_an_empty_database_answers_503_logs_why_and_creates_nothing(empty, caplog):
    _env, database = empty
    app = create_app({"TESTING": True})
    with caplog.at_level(logging.ERROR, logger="portal.health"):
        check_at_start(app)
        response = app.test_client().get("/healthz")
    assert (response.status_code, response.get_data(as_text=True)) == (503, "unavailable")
    assert "portal db upgrade" in caplog.text and "does not migrate" in caplog.text
    assert "alembic_version" not in tables(database)  # nothing was migrated

    upgrade(app)  # what the operator's `portal db upgrade` does
    assert app.test_client().get("/healthz").status_code == 200
    with app.app_context():
        db.engine.dispose()


def test_a_web_process_on_an_older_schema_answers_503_until_the_upgrade(empty):
    env, _database = empty
    command.upgrade(alembic_config(env["PORTAL_DATABASE_URL"]), "0007")
    app = create_app({"TESTING": True})
    client = app.test_client()
    assert client.get("/healthz").status_code == 503
    assert portal(env, "db", "upgrade").returncode == 0
    assert client.get("/healthz").status_code == 200
    with app.app_context():
        db.engine.dispose()


def test_a_schema_newer_than_the_code_knows_stays_healthy(empty):
    """The next release's `portal db upgrade` runs before the old processes are replaced."""
    env, database = empty
    assert portal(env, "db", "upgrade").returncode == 0
    with sqlite3.connect(database) as connection:
        connection.execute("update alembic_version set version_num = '9999'")
    app = create_app({"TESTING": True})
    assert app.test_client().get("/healthz").status_code == 200
    result = portal(env, "db", "current")
    assert result.returncode == 1 and "som den här versionen av portalen inte känner till" in result.stderr
    with app.app_context():
        db.engine.dispose()


def test_the_worker_upgrades_the_embedded_sqlite_default(empty):
    env, database = empty
    result = portal(env, "worker")
    assert result.returncode == 0, result.stderr
    assert "jobs" in tables(database)


@pytest.mark.skipif(not ON_POSTGRES, reason="a database server: the worker must not migrate it")
def test_a_worker_on_a_database_server_whose_schema_is_behind_is_refused_and_migrates_nothing(app):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    try:
        command.downgrade(alembic_config(url), "0007")
        with pytest.raises(Exception, match="Kör `portal db upgrade`"):
            prepare(app)
        env = {**os.environ, "PORTAL_DATABASE_URL": url, "PORTAL_INSTANCE_PATH": app.instance_path}
        result = portal(env, "worker")
        assert result.returncode == 1
        assert f"schemaversion 0007; senaste version är {HEAD}" in result.stderr
        with app.app_context(), db.engine.connect() as connection:
            from portal.database import schema_state

            assert schema_state(connection).current == ("0007",)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        upgrade(app)
