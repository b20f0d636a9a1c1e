"""Creating and upgrading the schema with Alembic (portal/migrations)."""

from __future__ import annotations

import select
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from flask import Flask
from sqlalchemy import Engine, event
from sqlalchemy.exc import DisconnectionError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(app: Flask) -> None:
    """Bring the database to the newest schema (creates it if missing)."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), "head")


def tune_sqlite(engine: Engine) -> None:
    """The embedded database: WAL so the web and the worker can read while one writes, and a busy
    timeout instead of "database is locked". (A larger page cache or a memory map did not make
    look-ups faster in bench/bench_diagnose.py, and they make an import's memory grow with the file.)"""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=5000"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()


def check_postgresql_connections(engine: Engine) -> None:
    """Instead of a pre-ping (a round trip before every request's first statement): at checkout, a
    pooled connection the server has closed meanwhile (a restart, an idle timeout, a terminated
    backend) is dropped and another taken. The server says goodbye on the socket, so an idle
    connection whose socket is readable, or that psycopg already knows is closed, is not used."""

    @event.listens_for(engine, "checkout")
    def _still_open(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        pgconn = getattr(dbapi_connection, "pgconn", None)
        if pgconn is None:  # not psycopg: nothing to look at
            return
        try:
            if dbapi_connection.closed or pgconn.status != 0:  # 0: CONNECTION_OK
                raise DisconnectionError("closed")
            readable, _, _ = select.select([pgconn.socket], [], [], 0)
        except (OSError, ValueError) as exc:
            raise DisconnectionError("no socket") from exc
        if readable:
            raise DisconnectionError("the server closed it")
