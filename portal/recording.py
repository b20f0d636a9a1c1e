"""The public POST's one write (portal/cases.py): the case, unless today's exists for the same
question, and its job. Durable when `record` returns; the same statements for every identifier.

It sets the public flow's throughput, so it is written lean: hand-written statements through the
driver's connection, checked out of the engine's pool (its connect and checkout events still apply), no
SQLAlchemy Connection, no ORM session, no unit of work, nothing loaded back.

- SQLite (no writable CTEs): `INSERT INTO cases … ON CONFLICT DO NOTHING` (the new row's id from the
  cursor, nothing returned to read), the SELECT of today's case when it was already there, the job's INSERT and the COMMIT, inside a write lock held
  by every web process on one file beside the database (flock): a process that waits sleeps in the
  kernel and wakes the moment the other commits, instead of in SQLite's busy handler, which retries
  after 1, 2, 5, 10 … ms. (Other writers, the worker and the inbox, keep the busy handler.)
- PostgreSQL: one statement in autocommit (one round trip): the case insert, today's case, and the
  job insert as data-modifying CTEs.

`None` when no case came back: the new reference was taken (or, on PostgreSQL, another request
made today's case for the same question in the same instant); the caller tries again.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import re
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import DateTime, Engine

_SQL_LOG = logging.getLogger("sqlalchemy.engine.Engine")  # where SQLAlchemy writes its statement log

CASE_INSERT = """
INSERT INTO cases (reference, created_at, updated_at, role, service, symptom, place, identifier_hash,
                   identifier_masked, same_day_key, self_service, status)
VALUES (:reference, :created_at, :created_at, :role, :service, :symptom, :place, :identifier_hash,
        :identifier_masked, :same_day_key, FALSE, 'received')
ON CONFLICT DO NOTHING
RETURNING id, reference"""
CASE_INSERT_SQLITE = CASE_INSERT.removesuffix("\nRETURNING id, reference")  # rowcount and lastrowid say it
TODAYS_CASE = "SELECT id, reference FROM cases WHERE same_day_key = :same_day_key"
JOB_COLUMNS = "case_id, identifier, typed_email, send_mail, locale, status, attempts, run_after, created_at"
JOB_VALUES = ":identifier, :typed_email, :send_mail, :locale, 'queued', 0, :created_at, :created_at"
JOB_INSERT = f"INSERT INTO jobs ({JOB_COLUMNS}) VALUES (:case_id, {JOB_VALUES})"  # noqa: S608 - constants

# PostgreSQL: all of it in one statement. Within one statement the SELECT does not see the row the
# CTE above it inserts, so `the_case` holds one row: the new case, or today's when it existed.
ONE_STATEMENT = re.sub(r":(\w+)", r"%(\1)s", f"""
WITH new_case AS ({CASE_INSERT}),
the_case AS (SELECT id, reference FROM new_case UNION ALL ({TODAYS_CASE})),
job AS (INSERT INTO jobs ({JOB_COLUMNS}) SELECT id, {JOB_VALUES} FROM the_case LIMIT 1)
SELECT id, reference FROM the_case LIMIT 1""")  # noqa: S608 - built from the constants above


def record(engine: Engine, values: dict[str, Any]) -> tuple[int, str] | None:
    """Write the case (unless today's exists) and its job; (case id, reference), or None to try again.

    `values`: reference, created_at (the job's run_after too), role, service, symptom, place,
    identifier_hash, identifier_masked, same_day_key, identifier, typed_email, send_mail, locale.

    Through the driver's own connection and cursor, checked out of the engine's pool (its connect and
    checkout events apply: the SQLite pragmas, the PostgreSQL liveness check): SQLAlchemy's Connection,
    its transaction objects and result wrappers cost more than the statements. A connection that failed
    is invalidated, not given back. Listeners of the engine's `before_cursor_execute` event are told of
    each statement as SQLAlchemy would tell them (the N3 tests count them), and SQLAlchemy's statement log,
    when an operator switches it on, shows each statement (its values hidden, as everywhere: N5)."""
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        if engine.dialect.name == "postgresql":
            found = _record_postgresql(engine, connection, cursor, values)
        else:
            with write_lock(engine):
                found = _record_sqlite(engine, connection, cursor, values)
        cursor.close()
    except BaseException:
        connection.invalidate()
        raise
    connection.close()  # back to the pool
    return found


def _execute(engine: Engine, cursor: Any, statement: str, parameters: dict[str, Any]) -> None:
    if _SQL_LOG.isEnabledFor(logging.INFO):  # the database log an operator may switch on: the statement, never its values
        _SQL_LOG.info(statement)
        _SQL_LOG.info("[SQL parameters hidden: the public POST's write]")
    if engine.dispatch.before_cursor_execute:
        for listener in engine.dispatch.before_cursor_execute:
            listener(None, cursor, statement, parameters, None, False)
    cursor.execute(statement, parameters)


def _record_postgresql(engine: Engine, connection: Any, cursor: Any, values: dict[str, Any]) -> tuple[int, str] | None:
    driver = connection.driver_connection
    driver.autocommit = True  # one statement, one round trip: no BEGIN, no COMMIT
    try:
        _execute(engine, cursor, ONE_STATEMENT, values)
        row = cursor.fetchone()
    finally:
        driver.autocommit = False  # as the pool hands it out
    return None if row is None else (int(row[0]), str(row[1]))


def _record_sqlite(engine: Engine, connection: Any, cursor: Any, values: dict[str, Any]) -> tuple[int, str] | None:
    params = {**values, "created_at": _datetime_bind(engine)(values["created_at"])}
    _execute(engine, cursor, CASE_INSERT_SQLITE, params)
    if cursor.rowcount == 1:  # a new case: its id is the row's, its reference ours (nothing to read back)
        found: tuple[Any, Any] = (cursor.lastrowid, values["reference"])
    else:
        _execute(engine, cursor, TODAYS_CASE, params)
        row = cursor.fetchone()
        if row is None:  # not today's case: the reference was taken
            connection.rollback()
            return None
        found = (row[0], row[1])
    _execute(engine, cursor, JOB_INSERT, {**params, "case_id": found[0]})
    connection.commit()
    return int(found[0]), str(found[1])


_binds: dict[str, Callable[[Any], Any]] = {}


def _datetime_bind(engine: Engine) -> Callable[[Any], Any]:
    """A timestamp as the dialect stores it (on SQLite SQLAlchemy's text form, which the rest of the
    portal compares with), so a driver-level statement writes what the ORM would."""
    name = engine.dialect.name
    if name not in _binds:
        process = DateTime(timezone=True).dialect_impl(engine.dialect).bind_processor(engine.dialect)
        _binds[name] = process or (lambda value: value)
    return _binds[name]


class FileLock:
    """An exclusive lock shared by every process that opens the same file (flock), and by the
    threads of one process (a threading lock in front of it). Opened again in a forked child, whose
    inherited descriptor would share the parent's lock."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._threads = threading.Lock()
        self._fd: int | None = None
        self._pid = 0

    def __enter__(self) -> None:  # a class, not a generator: this runs on every public POST
        self._threads.acquire()
        try:
            if self._pid != os.getpid() or self._fd is None:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
                self._pid = os.getpid()
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        except BaseException:
            self._threads.release()
            raise

    def __exit__(self, *exc: object) -> None:
        try:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()


_locks: dict[str, FileLock] = {}
_locks_guard = threading.Lock()


def write_lock(engine: Engine) -> contextlib.AbstractContextManager[None]:
    """The web processes' write lock for an SQLite file: `<database>-lock` beside it."""
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return contextlib.nullcontext()
    lock = _locks.get(database)
    if lock is None:
        with _locks_guard:
            lock = _locks.setdefault(database, FileLock(database + "-lock"))
    return lock
