"""How a refused import names what was wrong: `persons[2] (id "p-17").personnummer: …`."""

from __future__ import annotations

import json
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

# The field that identifies a record of each list in a message, and the word shown for it.
RECORD_KEY: dict[str, tuple[str, str]] = {
    "organisations": ("id", "id"),
    "schools": ("code", "kod"),
    "persons": ("id", "id"),
    "accounts": ("id", "id"),
    "groups": ("id", "id"),
    "contacts": ("id", "id"),
    "notices": ("id", "id"),
}


class ImportRefused(Exception):
    """The file was refused; str(exc) is a Swedish message naming the record and the field.

    Nothing was changed in the database.
    """


def show(value: Any, limit: int = 60) -> str:
    """A value as the file would spell it, shortened: for messages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
        return text if len(text) <= limit else text[: limit - 2] + "…\""
    if isinstance(value, list):
        return "en lista"
    if isinstance(value, dict):
        return "ett objekt"
    return type(value).__name__


def field_path(parts: Iterable[str | int]) -> str:
    """["emails", 1] → ".emails[1]"."""
    out = []
    for part in parts:
        out.append(f"[{part}]" if isinstance(part, int) else f".{part}")
    return "".join(out)


def record_label(list_name: str, index: int, key: str | None = None) -> str:
    """`persons[2] (id "p-17")`, or `roles[3]` for lists without ids."""
    label = f"{list_name}[{index}]"
    if key is not None and list_name in RECORD_KEY:
        label += f" ({RECORD_KEY[list_name][1]} {show(key)})"
    return label


def record_key(list_name: str, record: Any) -> str | None:
    """The record's id (or school code) if it has a usable one."""
    if list_name not in RECORD_KEY or not isinstance(record, dict):
        return None
    key = record.get(RECORD_KEY[list_name][0])
    return key if isinstance(key, str) and 0 < len(key) <= 64 else None


def refused(list_name: str, index: int, record: Any, path: Iterable[str | int], text: str) -> ImportRefused:
    """ImportRefused for one record: `persons[2] (id "p-17").personnummer: text`."""
    where = record_label(list_name, index, record_key(list_name, record)) + field_path(path)
    return ImportRefused(f"{where}: {text}")
