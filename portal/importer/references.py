"""Checks that need the whole file, run in SQL after loading: every id a record points to exists,
and contact ids are unique. The first offending record by its index in the file is named.

Duplicate ids and school codes are primary keys, so the database itself refuses them while loading;
`find_store_problem` then reads that one list again to name the record."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table, exists, select
from sqlalchemy.orm import aliased

from ..models import (
    Account,
    Contact,
    Group,
    GroupMember,
    GroupOwner,
    Guardianship,
    Notice,
    Organisation,
    Person,
    Placement,
    Role,
    School,
)
from .errors import RECORD_KEY, ImportRefused, field_path, record_key, record_label, show
from .reader import iter_list
from .schema import LISTS
from .source import Source

# (list, the pointing column, its field in the file, the column it points to, what it names)
_PERSON, _SCHOOL, _ORGANISATION = (Person.__table__.c.id, "personen"), (School.__table__.c.code, "skolan"), \
    (Organisation.__table__.c.id, "organisationen")
REFERENCES: list[tuple[str, Any, str, tuple[Any, str]]] = [
    ("schools", School.__table__.c.organisation_id, "organisation", _ORGANISATION),
    ("accounts", Account.__table__.c.person_id, "person", _PERSON),
    ("accounts", Account.__table__.c.school_code, "school", _SCHOOL),
    ("accounts", Account.__table__.c.organisation_id, "organisation", _ORGANISATION),
    ("roles", Role.__table__.c.person_id, "person", _PERSON),
    ("roles", Role.__table__.c.school_code, "school", _SCHOOL),
    ("roles", Role.__table__.c.organisation_id, "organisation", _ORGANISATION),
    ("placements", Placement.__table__.c.student_id, "student", _PERSON),
    ("placements", Placement.__table__.c.school_code, "school", _SCHOOL),
    ("guardianships", Guardianship.__table__.c.guardian_id, "guardian", _PERSON),
    ("guardianships", Guardianship.__table__.c.child_id, "child", _PERSON),
    ("groups", Group.__table__.c.school_code, "school", _SCHOOL),
    ("groups", GroupOwner.__table__.c.person_id, "owners", _PERSON),
    ("groups", GroupMember.__table__.c.person_id, "members", _PERSON),
    ("contacts", Contact.__table__.c.school_code, "school", _SCHOOL),
    ("contacts", Contact.__table__.c.organisation_id, "organisation", _ORGANISATION),
    ("notices", Notice.__table__.c.school_code, "school", _SCHOOL),
    ("notices", Notice.__table__.c.organisation_id, "organisation", _ORGANISATION),
]

# The column holding the record's id, for naming it (group owners and members: their group's id).
_LABEL_COLUMN = {
    "schools": "code", "organisations": "id", "persons": "id", "accounts": "id", "notices": "id",
    "contacts": "ext_id", "groups": "id", "group_owners": "group_id", "group_members": "group_id",
}


def _from_the_file(table: Table) -> list[Any]:
    """Only the rows the file brought: a notice published from the inbox (kept through imports) may
    name a school that has since left the directory."""
    return [table.c.origin == "file"] if "origin" in table.c else []


def check_references(connection: Connection) -> None:
    """Raise ImportRefused naming the first record (by index) that points to nothing."""
    for list_name, column, field, (target, noun) in REFERENCES:
        table: Table = column.table
        labels = [table.c[_LABEL_COLUMN[table.name]]] if table.name in _LABEL_COLUMN else []
        query = (
            select(table.c.src, column, *labels)
            .where(column.is_not(None), ~exists().where(target == column), *_from_the_file(table))
            .order_by(table.c.src)
            .limit(1)
        )
        row = connection.execute(query).first()
        if row is not None:
            src, value = row[0], row[1]
            key = row[2] if labels else None
            shown = value if field == "school" else show(value)
            raise ImportRefused(f"{record_label(list_name, src, key)}.{field}: {noun} {shown} finns inte i filen")
    _check_unique_contact_ids(connection)


def _check_unique_contact_ids(connection: Connection) -> None:
    contacts = Contact.__table__
    earlier = aliased(contacts)
    first = select(earlier.c.src).where(earlier.c.ext_id == contacts.c.ext_id).order_by(earlier.c.src).limit(1)
    query = (
        select(contacts.c.src, contacts.c.ext_id, first.scalar_subquery())
        .where(contacts.c.ext_id.is_not(None),
               exists().where(earlier.c.ext_id == contacts.c.ext_id, earlier.c.src < contacts.c.src))
        .order_by(contacts.c.src)
        .limit(1)
    )
    row = connection.execute(query).first()
    if row is not None:
        src, ext_id, first_src = row
        raise _duplicate("contacts", src, ext_id, "id", first_src)


def find_nul(source: Source) -> ImportRefused | None:
    """The first record holding NUL in a string, or None. Only asked when the file has the escape."""
    for list_name in LISTS:
        records = iter_list(source.reopen(), list_name)
        try:
            for index, record in enumerate(records):
                problem = _nul_problem(list_name, index, record)
                if problem is not None:
                    return problem
        finally:
            records.close()
    return None


def _nul_problem(list_name: str, index: int, record: Any) -> ImportRefused | None:
    path = _nul_path(record)
    if path is None:
        return None
    where = record_label(list_name, index, record_key(list_name, record)) + field_path(path)
    return ImportRefused(f"{where}: innehåller tecknet NUL (\\u0000), som inte kan lagras")


def find_store_problem(source: Source, list_name: str, error: Exception) -> ImportRefused:
    """Read `list_name` again and name the first record the database could not take."""
    key_field = RECORD_KEY.get(list_name, ("", ""))[0]
    first_index: dict[str, int] = {}  # only on this error path: the ids of one list
    records = iter_list(source.reopen(), list_name)
    try:
        for index, record in enumerate(records):
            problem = _nul_problem(list_name, index, record)
            if problem is not None:
                return problem
            key = _key(record, key_field)
            if key is None:
                continue
            if key in first_index:
                return _duplicate(list_name, index, key, key_field, first_index[key])
            first_index[key] = index
    finally:
        records.close()
    detail = str(getattr(error, "orig", error)).strip().splitlines()
    return ImportRefused(f"Databasen tog inte emot {list_name}: {detail[0] if detail else 'okänt fel'}")


def _duplicate(list_name: str, index: int, key: str, field: str, first: int) -> ImportRefused:
    what = f"skolenhetskoden {key}" if field == "code" else f"id {show(key)}"
    return ImportRefused(f"{record_label(list_name, index, key)}.{field}: {what} finns redan i {list_name}[{first}]")


def _key(record: Any, field: str) -> str | None:
    value = record.get(field) if isinstance(record, dict) else None
    return value if isinstance(value, str) else None


def _nul_path(value: Any, path: tuple[str | int, ...] = ()) -> tuple[str | int, ...] | None:
    """Where in a record a string holds NUL (PostgreSQL cannot store it), or None."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    items: Any = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        found = _nul_path(item, (*path, key))
        if found is not None:
            return found
    return None
