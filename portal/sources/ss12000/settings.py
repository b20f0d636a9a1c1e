"""The settings file (`--settings`): what SS 12000 does not hold, in the import format with every list
optional. Its records are partial (docs/contracts/README.md): organisations by id, schools by code,
persons, accounts and groups by id, roles by (person, role, school, organisation) replace the fields
they name of the mapped record with that key, or are added when nothing mapped has it; placements,
guardianships, contacts and notices are added. An added record that lacks a field the import format
requires is left out and named in the summary."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...importer import ImportRefused
from ...importer.result import NOUNS, counted
from ...importer.schema import LISTS, load_schema
from .mapping import Emit

KEYED: dict[str, Callable[[dict[str, Any]], Any]] = {
    "organisations": lambda r: r.get("id"),
    "schools": lambda r: r.get("code"),
    "persons": lambda r: r.get("id"),
    "accounts": lambda r: r.get("id"),
    "groups": lambda r: r.get("id"),
    "roles": lambda r: (r.get("person"), r.get("role"), r.get("school"), r.get("organisation")),
}
ADDED = ("placements", "guardianships", "contacts", "notices")


@dataclass
class Settings:
    keyed: dict[str, dict[Any, dict[str, Any]]] = field(default_factory=dict)
    added: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    changed: dict[str, int] = field(default_factory=dict)  # mapped records the file changed
    new: dict[str, int] = field(default_factory=dict)  # records the file added
    left_out: list[str] = field(default_factory=list)  # "skolan 12345678 (saknar fältet name)"

    def merging(self, emit: Emit) -> Emit:
        """`emit`, with each mapped record's settings laid over it."""
        keyed, changed = self.keyed, self.changed

        def send(list_name: str, record: dict[str, Any], origin: tuple[str, str]) -> None:
            own = keyed.get(list_name)
            if own:
                extra = own.pop(KEYED[list_name](record), None)
                if extra is not None:
                    record = {**record, **extra}
                    changed[list_name] = changed.get(list_name, 0) + 1
            emit(list_name, record, origin)

        return send

    def add_rest(self, emit: Emit) -> None:
        """The settings records nothing mapped had, and the lists that are only added."""
        definitions = load_schema().document["$defs"]
        for list_name in LISTS:
            records = list(self.keyed.pop(list_name, {}).values()) + self.added.pop(list_name, [])
            required = definitions[LISTS[list_name]].get("required", [])
            for index, record in enumerate(records):
                missing = [name for name in required if name not in record]
                if missing and list_name in KEYED:
                    self.left_out.append(f"{list_name} {_key_text(list_name, record)} (saknar fältet {missing[0]})")
                    continue
                self.new[list_name] = self.new.get(list_name, 0) + 1
                emit(list_name, record, ("settings", f"{list_name}[{index}]"))
        self.keyed.clear()
        self.added.clear()

    def describe(self) -> str:
        """What the settings file did, in Swedish ("" when nothing)."""
        parts = []
        for verb, counts in (("ändrade", self.changed), ("lade till", self.new)):
            named = [counted(counts[attr], singular, plural) for attr, singular, plural in NOUNS if counts.get(attr)]
            if named:
                parts.append(f"{verb} " + ", ".join(named))
        text = ("Inställningsfilen " + "; ".join(parts) + ".") if parts else ""
        if self.left_out:
            text += (" " if text else "") + "Utelämnat ur inställningsfilen (finns inte i SS 12000 och saknar " \
                "obligatoriska fält): " + "; ".join(self.left_out) + "."
        return text


def _key_text(list_name: str, record: dict[str, Any]) -> str:
    key = KEYED[list_name](record)
    return "/".join(str(part) for part in key if part) if isinstance(key, tuple) else str(key)


def load_settings(path: str | None) -> Settings:
    settings = Settings()
    if path is None:
        return settings
    try:
        document = json.loads(Path(path).read_bytes())
    except FileNotFoundError:
        raise ImportRefused(f"Inställningsfilen {path} finns inte.") from None
    except OSError as exc:
        raise ImportRefused(f"Inställningsfilen {path} går inte att läsa ({exc.strerror or exc}).") from None
    except ValueError as exc:
        raise ImportRefused(f"Inställningsfilen {path} är inte giltig JSON ({exc}).") from None
    if not isinstance(document, dict):
        raise ImportRefused(f"Inställningsfilen {path} ska innehålla ett JSON-objekt ({{ … }}).")
    for key, records in document.items():
        if key in ("format", "exported_at"):
            continue
        if key not in LISTS:
            raise ImportRefused(f"Inställningsfilen: okänt fält {key} (tillåtna: {', '.join(LISTS)})")
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise ImportRefused(f"Inställningsfilen: {key} ska vara en lista med objekt")
        if key in KEYED:
            own = settings.keyed.setdefault(key, {})
            for index, record in enumerate(records):
                record_key = KEYED[key](record)
                if record_key in own:
                    raise ImportRefused(f"Inställningsfilen: {key}[{index}] ({_key_text(key, record)}) finns redan "
                                        "tidigare i listan")
                if record_key is None:
                    raise ImportRefused(f"Inställningsfilen: {key}[{index}] saknar fältet "
                                        f"{'code' if key == 'schools' else 'id'}")
                own[record_key] = record
        else:
            settings.added[key] = records
    return settings
