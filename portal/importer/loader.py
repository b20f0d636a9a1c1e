"""Loading: every record is checked against the schema as it streams past, turned into rows, and
the rows are written in batches with executemany. Nothing is kept per record after its batch."""

from __future__ import annotations

from collections.abc import Callable
from itertools import repeat
from operator import itemgetter
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Boolean, Connection, Delete, Table, delete, insert
from sqlalchemy.exc import DataError, IntegrityError

from ..models import DIRECTORY_TABLES
from .errors import refused
from .progress import Progress
from .reader import Sink, read_directory
from .rows import Add, RowBuilder, today_in_stockholm
from .schema import LISTS, Schema
from .source import CountingReader

BATCH_SIZE = 2000
MEMO_SIZE = 4096  # processed values kept per column

# The list in the file whose records a table's rows come from.
TABLE_LIST = {
    "organisations": "organisations",
    "schools": "schools",
    "persons": "persons",
    "person_emails": "persons",
    "accounts": "accounts",
    "roles": "roles",
    "placements": "placements",
    "guardianships": "guardianships",
    "groups": "groups",
    "group_owners": "groups",
    "group_members": "groups",
    "contacts": "contacts",
    "notices": "notices",
}


def directory_tables() -> list[Table]:
    return [model.__table__ for model in DIRECTORY_TABLES]  # type: ignore[attr-defined]


def emptying(table: Table) -> Delete:
    """The statement that empties a directory table before a file or a sync is loaded into it. Notices
    published from the staff inbox (origin "inbox", portal/notices.py) stay: the load replaces only
    the notices that came from a file or a sync."""
    if "origin" in table.c:
        return delete(table).where(table.c.origin == "file")
    return delete(table)


class StoreFailed(Exception):
    """The database refused a batch (a duplicate key, a value it cannot hold): the records of
    `list_name` need a second look to name the one at fault."""

    def __init__(self, list_name: str, error: Exception) -> None:
        super().__init__(str(error))
        self.list_name = list_name
        self.error = error


class _Writer:
    """executemany of one table's rows. The INSERT is compiled by SQLAlchemy once; each batch goes to
    the driver with the columns' own bind processors applied column by column, which saves
    SQLAlchemy's per-row parameter handling (the larger part of the import's time otherwise)."""

    def __init__(self, connection: Connection, table: Table) -> None:
        self.connection = connection
        self.table = table
        self.keys: list[str] | None = None
        self.sql = ""
        self.positional = True
        self.processors: list[Callable[[Any], Any] | None] = []
        self.whole_row: Callable[[dict[str, Any]], tuple[Any, ...]] | None = None

    def _prepare(self, keys: list[str]) -> None:
        dialect = self.connection.dialect
        compiled = insert(self.table).compile(dialect=dialect, column_keys=keys, for_executemany=True)
        names = list(compiled.positiontup or []) if compiled.positional else list(compiled.binds)
        if compiled.escaped_bind_names or sorted(names) != sorted(keys):
            names = []  # unusual bind names: let SQLAlchemy do the whole job
        self.keys, self.sql, self.positional = names, compiled.string, bool(compiled.positional)
        # Booleans are left to the driver: the schema made them real bools, which both drivers take
        processors = [None if isinstance(self.table.c[name].type, Boolean)
                      else self.table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
                      for name in names]
        self.processors = [_remembering(process) if process else None for process in processors]
        self.whole_row = itemgetter(*names) if len(names) > 1 and not any(processors) else None

    def write(self, rows: list[dict[str, Any]]) -> None:
        if self.keys is None:
            self._prepare(list(rows[0]))
        if not self.keys:
            self.connection.execute(insert(self.table), rows)
            return
        params: list[Any]
        if self.whole_row is not None:  # nothing to convert: each row's tuple in one C call
            params = list(map(self.whole_row, rows))
        else:
            columns = [list(map(process, map(itemgetter(key), rows))) if process else list(map(itemgetter(key), rows))
                       for key, process in zip(self.keys, self.processors, strict=True)]
            params = list(zip(*columns, strict=True))
        if not self.positional:
            params = list(map(dict, map(zip, repeat(self.keys), params)))
        self.connection.exec_driver_sql(self.sql, params)


def _remembering(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`process` with its answers for the most common values kept (dates, login_portals…)."""
    memo: dict[Any, Any] = {}

    def run(value: Any) -> Any:
        key = (list, *value) if type(value) is list else value
        try:
            return memo[key]
        except KeyError:
            pass
        except TypeError:  # unhashable
            return process(value)
        result = process(value)
        if len(memo) < MEMO_SIZE:
            memo[key] = result
        return result

    return run


class Batches:
    """A buffer per table, written with executemany whenever it holds BATCH_SIZE rows."""

    def __init__(self, connection: Connection, tables: list[Table], size: int = BATCH_SIZE) -> None:
        self.size = size
        self.tables = tables
        self.buffers: dict[str, list[dict[str, Any]]] = {table.name: [] for table in tables}
        self.rows: dict[str, int] = dict.fromkeys(self.buffers, 0)
        self._writers = {table.name: _Writer(connection, table) for table in tables}

    def adders(self) -> dict[str, Add]:
        return {name: self._adder(name) for name in self.buffers}

    def _adder(self, name: str) -> Add:
        buffer = self.buffers[name]
        size = self.size
        append = buffer.append

        def add(row: dict[str, Any]) -> None:
            append(row)
            if len(buffer) >= size:
                self._write(name)

        return add

    def _write(self, name: str) -> None:
        buffer = self.buffers[name]
        if not buffer:
            return
        try:
            self._writers[name].write(buffer)
        except (IntegrityError, DataError) as exc:
            raise StoreFailed(TABLE_LIST.get(name, name), exc) from exc
        self.rows[name] += len(buffer)
        buffer.clear()

    def write_all(self, list_name: str | None = None) -> None:
        """Write what the buffers hold (only those filled from `list_name` if given)."""
        for table in self.tables:
            if list_name is None or TABLE_LIST.get(table.name) == list_name:
                self._write(table.name)


class Loader:
    """Streams one file into the (already emptied) directory tables."""

    def __init__(self, connection: Connection, schema: Schema, progress: Progress) -> None:
        self.schema = schema
        self.progress = progress
        self.batches = Batches(connection, directory_tables())
        self.builder = RowBuilder(self.batches.adders(), today_in_stockholm())
        self.records: dict[str, int] = dict.fromkeys(LISTS, 0)
        self.reader: CountingReader | None = None

    def load(self, reader: CountingReader) -> None:
        self.reader = reader
        read_directory(reader, self.schema, self.sink_for)
        self.batches.write_all()

    def total_records(self) -> int:
        return sum(self.records.values())

    def sink_for(self, list_name: str) -> Sink:
        fast = self.schema.fast[list_name]
        slow = self.schema.record_error
        build: Callable[[dict[str, Any], int], None] = getattr(self.builder, list_name)
        records = self.records
        index = records[list_name]  # 0: a list appears once (the reader refuses a repeated key)
        update = self.progress.update
        reader = self.reader

        def send(record: Any) -> None:
            nonlocal index
            if not fast(record):
                error = slow(list_name, record)
                if error is not None:
                    raise refused(list_name, index, record, *error)
            build(record, index)
            index += 1
            records[list_name] = index
            if not index & 511 and reader is not None:
                update(reader.position, self.total_records())

        def finish() -> None:  # nothing of this list stays in memory once it has ended
            self.batches.write_all(list_name)

        return SimpleNamespace(send=send, finish=finish)
