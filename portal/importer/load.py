"""The one loader of the directory, whatever its source (a file: `portal import`; SS 12000:
`portal sync ss12000`): empty the directory tables, let the source fill them through the Loader
(each record checked against import.schema.json), check references in SQL, let password hashes
from the source replace passwords set through the portal, commit. All of it or nothing: any
exception rolls everything back. Must run inside an app context."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, delete, exists, text

from ..extensions import db
from ..models import Account, PortalPassword
from .errors import ImportRefused
from .loader import Loader, directory_tables, emptying
from .progress import Progress
from .references import check_references
from .result import ImportResult
from .schema import load_schema

Fill = Callable[[Loader, Connection], None]
# Turns an exception into the refusal to show (None: raise it as it is). Called before the rollback,
# so it may still read what was loaded.
Explain = Callable[[BaseException, Connection], ImportRefused | None]


def replace_directory(fill: Fill, progress: Progress, *, explain: Explain | None = None,
                      commit: bool = True) -> ImportResult:
    """Replace the directory with what `fill` sends to the loader; `commit=False` rolls back at the
    end (a dry run that validated everything)."""
    session = db.session
    try:
        connection = session.connection()
        loader = Loader(connection, load_schema(), progress)
        _empty_directory(connection)
        set_aside = _drop_secondary_indexes(connection)
        fill(loader, connection)
        loader.batches.write_all()
        _create_indexes(connection, set_aside)
        check_references(connection)
        replaced = _settle_portal_passwords(connection)
    except BaseException as exc:
        better = explain(exc, session.connection()) if explain is not None else None
        session.rollback()
        progress.abort()
        if better is not None:
            raise better from None
        raise
    counts: dict[str, Any] = dict(loader.records)
    result = ImportResult(**counts, portal_passwords_replaced=replaced, rows=dict(loader.batches.rows))
    if not commit:
        session.rollback()
        return result
    session.commit()
    _refresh_statistics()
    return result


class RecordFeed:
    """Records sent one by one to the loader, list by list in any order (one sink per list, kept
    open until `finish`)."""

    def __init__(self, loader: Loader) -> None:
        self.loader = loader
        self._sinks: dict[str, Any] = {}

    def send(self, list_name: str, record: dict[str, Any]) -> None:
        sink = self._sinks.get(list_name)
        if sink is None:
            sink = self._sinks[list_name] = self.loader.sink_for(list_name)
        sink.send(record)

    def finish(self) -> None:
        for sink in self._sinks.values():
            sink.finish()

    def total(self) -> int:
        return self.loader.total_records()


def _refresh_statistics() -> None:
    """Let the query planner see the new directory's shape (the look-ups' indexes depend on it).

    SQLite: the whole database, the cases as they stand included (the inbox's plans use them).
    PostgreSQL: the directory's tables only; autovacuum analyzes the portal's own as they grow. Analyzed
    here, the cases and the jobs would be recorded as they stand, empty on a new installation; PostgreSQL
    then trusts "empty", and the generic plan of a prepared statement made from that (psycopg prepares
    what a connection has run five times) looks up today's case by reading the whole table, for as long
    as the connection lives, however many cases come. Never analyzed, a table is assumed to have some
    size, and the plan keeps to the index."""
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{table.name}"' for table in directory_tables())
        db.session.execute(text(f"ANALYZE {names}"))
    else:
        db.session.execute(text("ANALYZE"))
    db.session.commit()


def _empty_directory(connection: Connection) -> None:
    for table in reversed(directory_tables()):
        connection.execute(emptying(table))


def _drop_secondary_indexes(connection: Connection) -> list[str]:
    """SQLite: drop the directory tables' plain (non-unique) indexes for the bulk load and return
    their CREATE statements, to be made again once the rows are in. Building an index from a full
    table sorts once; keeping it up to date took a B-tree insert at a random place for every row.
    Inside the load's one transaction (SQLite's DDL is transactional): a refused import rolls the
    drop back with everything else, and readers (WAL) keep seeing the old directory with its indexes
    until the commit. PostgreSQL keeps its indexes: DROP INDEX would lock the tables against every
    reader until the commit. Primary keys and unique indexes stay, so a duplicate is still refused
    while loading."""
    if connection.dialect.name != "sqlite" or not connection.connection.dbapi_connection.in_transaction:  # type: ignore[union-attr]
        return []
    tables = {table.name for table in directory_tables()}
    rows = connection.exec_driver_sql(
        "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name").all()
    plain = [(name, sql) for name, table, sql in rows
             if table in tables and not sql.lstrip().upper().startswith("CREATE UNIQUE")]
    for name, _ in plain:
        connection.exec_driver_sql(f'DROP INDEX "{name}"')
    return [sql for _, sql in plain]


def _create_indexes(connection: Connection, statements: list[str]) -> None:
    for sql in statements:
        connection.exec_driver_sql(sql)


def _settle_portal_passwords(connection: Connection) -> int:
    """A password_hash from the source wins over a password set through the portal; others stay."""
    accounts = Account.__table__
    passwords = PortalPassword.__table__
    with_hash = exists().where(accounts.c.id == passwords.c.account_id, accounts.c.password_hash.is_not(None))
    return connection.execute(delete(passwords).where(with_hash)).rowcount or 0
