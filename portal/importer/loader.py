"""Loading: every record is checked against the schema as it streams past, turned into rows, and
the rows are written in batches with executemany. Nothing is kept per record after its batch."""

from __future__ import annotations

from collections.abc import Callable
from itertools import repeat
from operator import itemgetter
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, Delete, Table, delete, insert
from sqlalchemy.exc import DataError, IntegrityError

from ..models import DIRECTORY_TABLES
from .errors import refused
from .progress import Progress
from .reader import Sink, read_directory
from .rows import COLUMNS, Add, RowBuilder, today_in_stockholm
from .schema import LISTS, Schema
from .source import CountingReader

BATCH_SIZE = 2000

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
    """executemany of one table's rows, tuples in the order of rows.COLUMNS with every value already in
    the driver's form (RowBuilder converts them): the INSERT is compiled by SQLAlchemy once and the
    rows go to the driver as they are, which saves SQLAlchemy's per-row parameter handling."""

    def __init__(self, connection: Connection, table: Table) -> None:
        self.connection = connection
        self.table = table
        self.columns = COLUMNS[table.name]
        self.sql = ""
        self.arrange: Callable[[list[tuple[Any, ...]]], list[Any]] | None = None

    def processor(self, column: str) -> Callable[[Any], Any] | None:
        """SQLAlchemy's conversion of a value of `column` for the driver (None: none)."""
        dialect = self.connection.dialect
        return self.table.c[column].type.dialect_impl(dialect).bind_processor(dialect)

    def _prepare(self) -> None:
        columns = list(self.columns)
        compiled = insert(self.table).compile(dialect=self.connection.dialect, column_keys=columns,
                                              for_executemany=True)
        escaped: dict[str, str] = dict(compiled.escaped_bind_names or {})
        column_of = {escaped.get(name, name): name for name in columns}  # bind name -> column
        binds = list(compiled.positiontup or []) if compiled.positional else list(compiled.binds)
        if sorted(column_of) != sorted(binds):
            raise RuntimeError(f"INSERT into {self.table.name}: binds {binds}, columns {columns}")
        self.sql = compiled.string
        if not compiled.positional:  # named parameters (PostgreSQL): a dict per row
            names = list(column_of)
            self.arrange = lambda rows: list(map(dict, map(zip, repeat(names), rows)))
        elif [column_of[name] for name in binds] != columns:
            order = itemgetter(*(columns.index(column_of[name]) for name in binds))
            self.arrange = lambda rows: list(map(order, rows))
        else:  # the driver's order is the tuples' own
            self.arrange = None

    def write(self, rows: list[tuple[Any, ...]]) -> None:
        if not self.sql:
            self._prepare()
        self.connection.exec_driver_sql(self.sql, rows if self.arrange is None else self.arrange(rows))


class Batches:
    """A buffer per table, written with executemany whenever it holds BATCH_SIZE rows."""

    def __init__(self, connection: Connection, tables: list[Table], size: int = BATCH_SIZE) -> None:
        self.size = size
        self.tables = tables
        self.buffers: dict[str, list[tuple[Any, ...]]] = {table.name: [] for table in tables}
        self.rows: dict[str, int] = dict.fromkeys(self.buffers, 0)
        self._writers = {table.name: _Writer(connection, table) for table in tables}

    def processor(self, table: str, column: str) -> Callable[[Any], Any] | None:
        return self._writers[table].processor(column)

    def adders(self) -> dict[str, Add]:
        return {name: self._adder(name) for name in self.buffers}

    def _adder(self, name: str) -> Add:
        buffer = self.buffers[name]
        size = self.size
        append = buffer.append

        def add(row: tuple[Any, ...]) -> None:
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
        self.builder = RowBuilder(self.batches.adders(), today_in_stockholm(), self.batches.processor)
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

        def sent() -> int:
            return index - first

        first = index
        return SimpleNamespace(send=send, finish=finish, sent=sent)
