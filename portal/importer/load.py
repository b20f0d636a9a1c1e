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
        fill(loader, connection)
        loader.batches.write_all()
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
    """Let the query planner see the new directory's shape (the look-ups' indexes depend on it)."""
    db.session.execute(text("ANALYZE"))
    db.session.commit()


def _empty_directory(connection: Connection) -> None:
    for table in reversed(directory_tables()):
        connection.execute(emptying(table))


def _settle_portal_passwords(connection: Connection) -> int:
    """A password_hash from the source wins over a password set through the portal; others stay."""
    accounts = Account.__table__
    passwords = PortalPassword.__table__
    with_hash = exists().where(accounts.c.id == passwords.c.account_id, accounts.c.password_hash.is_not(None))
    return connection.execute(delete(passwords).where(with_hash)).rowcount or 0
