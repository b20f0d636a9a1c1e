"""The generated quick check (portal/importer/fastcode.py) answers exactly as fastcheck's closures, also
for schema keywords the import schema does not use today (those it leaves to the closures), and
never lets through what jsonschema refuses."""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from portal.importer.fastcheck import _Compiler
from portal.importer.fastcode import generate_source
from portal.importer.schema import _format_checker

DOCUMENT: dict[str, Any] = {
    "$id": "urn:test",
    "$defs": {
        "code": {"type": "string", "pattern": "^[0-9]{2}$"},
        "tree": {"type": "object", "properties": {"name": {"type": "string"},
                                                  "children": {"type": "array", "items": {"$ref": "#/$defs/tree"}}}},
        "picky": {"type": "object", "additionalProperties": False, "properties": {"d": {}, "e": {}, "f": True, "g": {}},
                  "anyOf": [{"required": ["d"]}, {"required": ["e"], "description": "or e"}],
                  "allOf": [{"required": ["f"]}, {"required": ["g"]}]},
        "closed": {
            "type": "object", "required": ["a"], "additionalProperties": False,
            "oneOf": [{"required": ["b"]}, {"required": ["c"]}],
            "properties": {
                "a": {"$ref": "#/$defs/code"},
                "b": {"type": ["string", "null"]},
                "c": {"enum": ["x", 1, None]},
                "d": {"const": "k"},
                "e": {"type": "array", "items": {"enum": ["p", "q"]}, "minItems": 1, "maxItems": 2,
                      "uniqueItems": True},
                "f": {"anyOf": [{"type": "integer"}, {"type": "string", "maxLength": 2}]},
                "g": {"type": "string", "minLength": 2, "format": "date"},
                "h": {"type": "object", "additionalProperties": {"type": "boolean"}},
                "i": {"allOf": [{"minLength": 1}, {"maxLength": 3}]},
                "j": {"type": "number"},
                "k": {"unknownKeyword": 1},
                "l": {"$ref": "#/$defs/missing"},
                "m": False,
                "n": True,
                "o": {"type": "string", "minLength": True},
                "p": {"$ref": "#/$defs/tree"},
                "q": {"type": "array", "items": {"type": "string"}, "maxItems": 2},
                "r": {"type": "string", "maxLength": 3},
                "s": {"type": "string"},
                "t": {"enum": ["p", "q"]},
                "u": {"type": "string", "minLength": 2, "maxLength": 4},
                "v": {"type": "boolean"},
            },
        },
    },
}

_INTERESTING = ["", "x", "p", "q", "k", "12", "123", "abcd", "abcdefg", "2026-01-01", "2026-02-30", "a\ud800", "x" * 10_001,
                ["p", "p"], ["p", "q"], ["x", "p", "q"], ["x"], [], {"name": "n"}, {"z": True}, {"z": 1}]
_values = st.sampled_from(_INTERESTING) | st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(_INTERESTING),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["name", "children", "z"]), inner,
                                                                 max_size=2),
    max_leaves=6,
)
_FIELDS = [chr(c) for c in range(ord("a"), ord("w"))] + ["zz"]


@st.composite
def _records(draw: st.DrawFn) -> Any:
    """A valid record ({"a": "12", "b": null}) with up to three fields changed, added or taken out."""
    record: dict[str, Any] = {"a": "12", "b": None}
    for _ in range(draw(st.integers(0, 3))):
        key = draw(st.sampled_from(_FIELDS))
        if draw(st.booleans()):
            record.pop(key, None)
        else:
            record[key] = draw(_values)
    return record


def _checks(name: str) -> tuple[Any, Any]:
    checker = _format_checker()
    closures = _Compiler(DOCUMENT, checker).definition(name)[0]
    generated, _ = generate_source(_Compiler(DOCUMENT, checker), name)
    return closures, generated


@settings(max_examples=1000, deadline=None)
@given(record=_records() | _values)
def test_the_generated_check_answers_as_the_closures(record):
    validator = Draft202012Validator({"$ref": "urn:test#/$defs/closed", **DOCUMENT}, format_checker=_format_checker())
    for name in ("closed", "tree", "code", "picky"):
        closures, generated = _checks(name)
        assert generated(record) == closures(record), (name, record)
    if _checks("closed")[1](record):
        assert validator.is_valid(record), record



def test_every_field_with_every_value_is_answered_as_by_the_closures():
    closures, generated = _checks("closed")
    values = [*_INTERESTING, None, True, False, 0, 1, 2.0, 2.5, [None], [["p"]], {"name": "n", "children": [{}]}]
    for field in _FIELDS:
        for value in values:
            for record in ({"a": "12", "b": None, field: value}, {"a": "12", "c": "x", field: value}):
                assert generated(record) == closures(record), record


def test_fields_required_one_of_any_of_all_of_are_answered_as_by_the_closures():
    closures, generated = _checks("picky")
    for size in range(6):
        for fields in itertools.combinations("defgh", size):
            record = dict.fromkeys(fields, 1)
            assert generated(record) == closures(record), record
