"""Creating and upgrading the schema with Alembic (portal/migrations).

`portal db upgrade` is the one command that changes the schema in production (docs/contracts/README.md,
"Running in production"); web processes only look at where the database stands (`schema_state`) and
answer /healthz 503 while it is behind. `portal run`, `portal demo` and `portal import` still upgrade,
and the other commands upgrade the embedded SQLite default (`prepare`), so a newcomer needs no extra step.
"""

from __future__ import annotations

import functools
import logging
import select
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import Connection, Engine, event
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


@functools.cache
def head_revisions() -> tuple[str, ...]:
    """The newest revision(s) the shipped migrations define (read once per process)."""
    return tuple(sorted(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()))


@dataclass(frozen=True)
class SchemaState:
    current: tuple[str, ...]  # the revisions the database is at; () for an empty database
    head: tuple[str, ...]

    @property
    def at_head(self) -> bool:
        return self.current == self.head

    @property
    def usable(self) -> bool:
        """At the newest schema, or at one newer than this code knows (`portal db upgrade` of the next
        release ran before this process was replaced: its migrations keep the old code working)."""
        return self.at_head or bool(self.current) and bool(set(self.current) - set(_known_revisions()))

    def describe(self) -> str:
        """In Swedish, for `portal db current` and the log."""
        head = ", ".join(self.head)
        if not self.current:
            return f"Databasen har inget schema ännu. Senaste version: {head}. Kör `portal db upgrade`."
        current = ", ".join(self.current)
        if self.at_head:
            return f"Databasen har den senaste versionen av schemat ({current})."
        if set(self.current) - set(_known_revisions()):
            return (f"Databasen har schemaversion {current}, som den här versionen av portalen inte känner till "
                    f"(senaste kända: {head}). Den har uppgraderats av en nyare version.")
        return f"Databasen har schemaversion {current}; senaste version är {head}. Kör `portal db upgrade`."


@functools.cache
def _known_revisions() -> tuple[str, ...]:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return tuple(r.revision for r in script.walk_revisions())


def schema_state(connection: Connection) -> SchemaState:
    """Where the database stands, read on `connection` (Alembic's version table)."""
    quiet = logging.getLogger("alembic.runtime.migration")  # its "Context impl ..." lines say nothing here
    level = quiet.level
    quiet.setLevel(logging.WARNING)
    try:
        current = MigrationContext.configure(connection).get_current_heads()
    finally:
        quiet.setLevel(level)
    return SchemaState(current=tuple(sorted(current)), head=head_revisions())


def state_of(revisions: list[str] | tuple[str, ...]) -> SchemaState:
    return SchemaState(current=tuple(sorted(revisions)), head=head_revisions())


def is_embedded(app: Flask) -> bool:
    """The embedded default: an SQLite database (a file of the instance, or one named by the URL)."""
    return str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("sqlite")


class SchemaBehind(RuntimeError):
    """The database's schema is older than this code (a Swedish message: run `portal db upgrade`)."""


def prepare(app: Flask) -> None:
    """Before a command that is not a schema command runs: the embedded SQLite database is upgraded
    (a newcomer's one process); a database server is only checked, and SchemaBehind is raised when its
    schema is older than this code needs. Only `portal db upgrade` migrates it."""
    if is_embedded(app):
        upgrade(app)
        return
    from .extensions import db

    with app.app_context(), db.engine.connect() as connection:
        state = schema_state(connection)
    if not state.usable:
        raise SchemaBehind(state.describe())


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
