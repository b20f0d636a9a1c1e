"""import.schema.json: validators for one record of each list, and their errors in Swedish.

jsonschema (Draft 2020-12 with format checking) is the authority. Records are first run through a
compiled check (fastcheck.py, generated as one function per list by fastcode.py) that only ever says
"valid" when jsonschema would; whenever it is unsure, jsonschema decides and, if the record is invalid,
its error is described here.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker, ValidationError
from jsonschema.exceptions import best_match
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from checks.identifiers import is_email_address

from .errors import show
from .fastcheck import LONE_SURROGATE, MAX_TEXT
from .fastcode import generate_definition

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schema" / "import.schema.json"

# Top-level keys holding a list of records, and the $defs entry each record follows.
LISTS: dict[str, str] = {
    "organisations": "organisation",
    "schools": "school",
    "persons": "person",
    "accounts": "account",
    "roles": "role",
    "placements": "placement",
    "guardianships": "guardianship",
    "groups": "group",
    "contacts": "contact",
    "notices": "notice",
}

# ISO 8601 date and time; seconds, fraction and offset optional (no offset: Europe/Stockholm).
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?([Zz]|[+-]\d{2}:\d{2})?", re.ASCII)


def parse_date_time(text: str) -> dt.datetime:
    """The datetime a `date-time` string names (naive when it has no offset); ValueError if none."""
    if not _DATE_TIME.fullmatch(text):
        raise ValueError(text)
    return dt.datetime.fromisoformat(text.upper().replace("Z", "+00:00"))


def _is_date_time(instance: object) -> bool:
    if not isinstance(instance, str):
        return True
    parse_date_time(instance)
    return True


def _is_email(instance: object) -> bool:
    """The `email` format as an address mail can reach: the public form's own test
    (`checks.identifiers.is_email_address`, email-validator with a fast path for the everyday address), so
    that an address the directory holds is one a guardian can type. jsonschema's own only wants an @."""
    if not isinstance(instance, str):
        return True
    return is_email_address(instance)


def _format_checker() -> FormatChecker:
    checker = FormatChecker()
    # jsonschema checks "date-time" only when an optional package is installed; check it always.
    checker.checks("date-time", raises=ValueError)(_is_date_time)
    checker.checks("email")(_is_email)
    return checker


def text_error(value: Any, path: list[str | int] | None = None) -> tuple[list[str | int], str] | None:
    """What the schema does not say but the portal needs of every text: at most MAX_TEXT characters, and
    no lone surrogate (half of a UTF-16 pair, which no database can store). The first such field, or None."""
    path = path or []
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            return path, f"är för långt: {len(value)} tecken, högst {MAX_TEXT}"
        if not value.isascii() and LONE_SURROGATE.search(value):
            return path, "innehåller ett ensamt surrogattecken (\\ud800–\\udfff), som inte är ett tecken"
        return None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        found = text_error(item, [*path, key])
        if found is not None:
            return found
    return None


RecordCheck = Callable[[Any], bool]


class Schema:
    """The loaded schema: a fast check and a jsonschema validator per list, the top level."""

    def __init__(self, path: Path = SCHEMA_PATH) -> None:
        self.document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        base = self.document.get("$id", "urn:inloggningshjalpen:import")
        registry: Registry[Any] = Registry().with_resource(base, DRAFT202012.create_resource(self.document))
        self.format_checker = _format_checker()

        def validator(pointer: str) -> Draft202012Validator:
            return Draft202012Validator({"$ref": f"{base}#{pointer}"}, registry=registry,
                                        format_checker=self.format_checker)

        self.top = validator("")
        self.records = {name: validator(f"/$defs/{definition}") for name, definition in LISTS.items()}
        self.fast: dict[str, RecordCheck] = {
            name: generate_definition(self.document, definition, self.format_checker)
            for name, definition in LISTS.items()
        }
        self.properties: dict[str, Any] = self.document.get("properties", {})
        self.top_properties = {key: validator(f"/properties/{_pointer_escape(key)}") for key in self.properties}
        self._hints = _pattern_hints(self.document)

    def record_error(self, list_name: str, record: Any) -> tuple[list[str | int], str] | None:
        """The record's most relevant error as (field path, Swedish text), or None if it is valid.

        This asks jsonschema; callers ask `fast[list_name]` first and come here when it says no."""
        error = best_match(self.records[list_name].iter_errors(record))
        return text_error(record) if error is None else self.describe(error)

    def property_error(self, key: str, value: Any) -> str | None:
        """What is wrong with the top-level field `key` (a list given as [] or {})."""
        error = best_match(self.top_properties[key].iter_errors(value))
        return None if error is None else self.describe(error)[1]

    def top_error(self, skeleton: dict[str, Any]) -> tuple[list[str | int], str] | None:
        """An error of the top level; lists are given as placeholders ([] for an array)."""
        error = best_match(self.top.iter_errors(skeleton))
        return None if error is None else self.describe(error)

    def describe(self, error: ValidationError) -> tuple[list[str | int], str]:
        """(path to the field, what is wrong with it), in Swedish."""
        path: list[str | int] = list(error.absolute_path)
        keyword, expected, value = error.validator, error.validator_value, error.instance
        named = _one_of_fields(expected) if keyword == "oneOf" else []
        if named and isinstance(value, dict):
            present = [name for name in named if name in value]
            if not present:
                return path, "saknar fältet " + " eller ".join(named) + " (ett av dem ska finnas)"
            if len(present) > 1:
                return path, "får bara ha ett av fälten " + " och ".join(present)
        if keyword in ("anyOf", "oneOf") and error.context:
            if all(sub.validator == "type" for sub in error.context):
                types = [t for sub in error.context for t in _as_list(sub.validator_value)]
                return path, f"ska vara {_types(types)}, inte {_kind(value)}"
            inner = best_match(sub for sub in error.context if sub.validator != "type")
            if inner is not None:
                return self.describe(inner)
        return path + _extra_path(keyword, expected, value, error), self._text(keyword, expected, value)

    def _text(self, keyword: Any, expected: Any, value: Any) -> str:
        if keyword == "required":
            missing = [name for name in expected if isinstance(value, dict) and name not in value]
            return f"saknar fältet {missing[0] if missing else expected[0]}"
        if keyword in ("additionalProperties", "unevaluatedProperties"):
            return "okänt fält"
        if keyword == "type":
            return f"ska vara {_types(_as_list(expected))}, inte {_kind(value)}"
        if keyword == "enum":
            allowed = ", ".join(str(v) for v in expected)
            return f"har ett ogiltigt värde {show(value)} (tillåtna värden: {allowed})"
        if keyword == "const":
            return f"ska vara {show(expected)}, inte {show(value)}"
        if keyword == "pattern":
            hint = self._hints.get(expected)
            return hint(value) if hint else f"har ett ogiltigt värde {show(value)}"
        if keyword == "minLength":
            return "får inte vara tomt" if expected == 1 else f"ska ha minst {expected} tecken"
        if keyword == "maxLength":
            return f"får ha högst {expected} tecken"
        if keyword == "minItems":
            return "får inte vara en tom lista" if expected == 1 else f"ska ha minst {expected} värden"
        if keyword == "maxItems":
            return f"får ha högst {expected} värden"
        if keyword == "uniqueItems":
            return "innehåller samma värde mer än en gång"
        if keyword == "format":
            return _FORMAT_TEXT.get(expected, "har ett ogiltigt värde").format(value=show(value))
        if keyword == "oneOf":
            return "passar mer än ett av de tillåtna alternativen"
        return f"har ett ogiltigt värde {show(value)}"


_FORMAT_TEXT = {
    "date": "är inte ett giltigt datum: {value} (skriv ÅÅÅÅ-MM-DD)",
    "date-time": "är inte en giltig tidpunkt: {value} (skriv till exempel 2025-01-31T08:00:00+01:00)",
    "email": "är inte en giltig e-postadress: {value}",
}


def _extra_path(keyword: Any, expected: Any, value: Any, error: ValidationError) -> list[str | int]:
    """The field a keyword is about when it is not the instance itself (an unknown field)."""
    if keyword in ("additionalProperties", "unevaluatedProperties") and isinstance(value, dict):
        known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        extra = [key for key in value if key not in known]
        if extra:
            return [extra[0]]
    return []


def _pointer_escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _pattern_hints(document: dict[str, Any]) -> dict[str, Callable[[Any], str]]:
    """Swedish explanations of the schema's patterns, keyed by the pattern text."""
    defs = document.get("$defs", {})

    def pattern(*keys: str) -> str | None:
        node: Any = defs
        for key in keys:
            node = node.get(key, {}) if isinstance(node, dict) else {}
        found = node.get("pattern") if isinstance(node, dict) else None
        return found if isinstance(found, str) else None

    hints: dict[str | None, Callable[[Any], str]] = {
        pattern("id"): lambda v: f"{show(v)} får bara innehålla bokstäverna a–z och A–Z, siffror och . _ : -",
        pattern("school_code"): lambda v: f"ska vara en skolenhetskod med åtta siffror, inte {show(v)}",
        pattern("person", "properties", "personnummer"):
            lambda v: "ska vara ett personnummer eller samordningsnummer med 10 eller 12 siffror (ÅÅÅÅMMDD-NNNN)",
        pattern("person", "properties", "hsa_id"):
            lambda v: f"ska vara ett HSA-id (SE, tio siffror, bindestreck, bokstäver eller siffror), inte {show(v)}",
        pattern("organisation", "properties", "org_number"):
            lambda v: f"ska vara ett organisationsnummer med tio siffror (NNNNNN-NNNN), inte {show(v)}",
    }
    return {key: hint for key, hint in hints.items() if key is not None}


def _one_of_fields(options: Any) -> list[str]:
    """["school", "organisation"] for oneOf: [{required: [school]}, {required: [organisation]}]."""
    names = []
    for option in options if isinstance(options, list) else []:
        required = option.get("required") if isinstance(option, dict) else None
        if not (isinstance(required, list) and len(required) == 1 and set(option) == {"required"}):
            return []
        names.append(required[0])
    return names


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


_TYPE_NAMES = {
    "string": "en text",
    "boolean": "true eller false",
    "object": "ett objekt",
    "array": "en lista",
    "null": "null",
    "number": "ett tal",
    "integer": "ett heltal",
}


def _types(names: list[Any]) -> str:
    words = list(dict.fromkeys(_TYPE_NAMES.get(name, str(name)) for name in names))
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " eller " + words[-1]


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return f"{show(value)}"
    if value is None:
        return "null"
    if isinstance(value, str):
        return f"texten {show(value)}"
    if isinstance(value, list):
        return "en lista"
    if isinstance(value, dict):
        return "ett objekt"
    return f"talet {show(value)}"


@cache
def load_schema() -> Schema:
    """The schema shipped with the portal, loaded once per process."""
    return Schema()
