"""A quick check of one record against a `$defs` entry of the schema.

jsonschema takes ~80 µs per record, which a file of half a million records cannot afford. This module
compiles the keywords the import schema uses into plain closures (~2 µs per record). The check is one-
sided: it answers True only when jsonschema would accept the record too; when it answers False (an
invalid record, or a keyword it does not know, or anything it is unsure of) the caller asks jsonschema,
which has the last word and describes the error.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from numbers import Number
from typing import Any

from jsonschema import FormatChecker

Check = Callable[[Any], bool]

# Every text, whatever the schema says, is at most MAX_TEXT characters and holds no lone surrogate
# (schema.text_error says why); the quick check answers False for one that does not, so the caller asks.
MAX_TEXT = 10_000
LONE_SURROGATE = re.compile("[\ud800-\udfff]")

# Keywords that never make an instance invalid.
_ANNOTATIONS = frozenset({"description", "title", "default", "examples", "$comment", "deprecated",
                          "readOnly", "writeOnly", "$schema", "$id", "$defs"})
_STRING = ("minLength", "maxLength", "pattern", "format")
_OBJECT = ("required", "properties", "additionalProperties")
_ARRAY = ("items", "minItems", "maxItems", "uniqueItems")
_KNOWN = frozenset({"type", "enum", "const", "$ref", "anyOf", "oneOf", "allOf", *_STRING, *_OBJECT, *_ARRAY})


def _never(instance: Any) -> bool:
    return False


def _always(instance: Any) -> bool:
    return True


def _is_number(x: Any) -> bool:
    return isinstance(x, Number) and not isinstance(x, bool)


def _is_integer(x: Any) -> bool:
    # as jsonschema: a float counts when whole; a Decimal never does
    return (isinstance(x, int) and not isinstance(x, bool)) or (isinstance(x, float) and x.is_integer())


_TYPE_TESTS: dict[str, Check] = {
    "string": lambda x: isinstance(x, str),
    "boolean": lambda x: isinstance(x, bool),
    "object": lambda x: isinstance(x, dict),
    "array": lambda x: isinstance(x, list),
    "null": lambda x: x is None,
    "number": _is_number,
    "integer": _is_integer,
}


def _all(checks: list[Check]) -> Check:
    if not checks:
        return _always
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda x: first(x) and second(x)
    return lambda x: all(check(x) for check in checks)


class _Compiler:
    def __init__(self, document: dict[str, Any], format_checker: FormatChecker) -> None:
        self.defs: dict[str, Any] = document.get("$defs", {})
        self.base = document.get("$id", "")
        self.formats = format_checker
        self.cache: dict[str, tuple[Check, bool]] = {}
        self.active: set[str] = set()

    def definition(self, name: str) -> tuple[Check, bool]:
        if name not in self.cache:
            if name in self.active or name not in self.defs:
                return _never, False  # a cycle or a missing entry: let jsonschema decide
            self.active.add(name)
            self.cache[name] = self.compile(self.defs[name])
            self.active.discard(name)
        return self.cache[name]

    def compile(self, node: Any) -> tuple[Check, bool]:
        """(check, exact): exact when a False answer is certain too (needed under oneOf)."""
        if node is True:
            return _always, True
        if node is False:
            return _never, True
        if not isinstance(node, dict):
            return _never, False
        keys = set(node) - _ANNOTATIONS
        if keys - _KNOWN:
            return _never, False
        checks: list[Check] = []
        exact = True
        kind = node.get("type")
        kinds = kind if isinstance(kind, list) else [kind] if kind is not None else []
        if any(not isinstance(k, str) or k not in _TYPE_TESTS for k in kinds):
            return _never, False
        strict = kinds[0] if len(kinds) == 1 else None  # the one type a sub-check may insist on
        if kinds and strict not in ("string", "object", "array"):
            tests = [_TYPE_TESTS[k] for k in kinds]
            checks.append(tests[0] if len(tests) == 1 else (lambda x: any(t(x) for t in tests)))
        for group, kind_name, build in ((_STRING, "string", self._string), (_OBJECT, "object", self._object),
                                        (_ARRAY, "array", self._array)):
            if strict == kind_name or any(k in node for k in group) or (kind_name == "string" and "string" in kinds):
                check, sure = build(node, strict == kind_name)
                checks.append(check)
                exact = exact and sure
        if "enum" in node:
            check, sure = self._enum(node["enum"])
            checks.append(check)
            exact = exact and sure
        if "const" in node:
            check, sure = self._enum([node["const"]])
            checks.append(check)
            exact = exact and sure
        if "$ref" in node:
            check, sure = self._ref(node["$ref"])
            checks.append(check)
            exact = exact and sure
        for keyword in ("allOf", "anyOf", "oneOf"):
            if keyword in node:
                check, sure = self._combine(keyword, node[keyword])
                checks.append(check)
                exact = exact and sure
        return _all(checks), exact

    def _ref(self, ref: Any) -> tuple[Check, bool]:
        if not isinstance(ref, str):
            return _never, False
        local = ref.removeprefix(self.base)
        if not local.startswith("#/$defs/") or "/" in local[len("#/$defs/"):]:
            return _never, False
        name = local[len("#/$defs/"):]
        self.definition(name)
        if name in self.cache:
            return self.cache[name]
        # a cycle: look the entry up when called, once it has been compiled
        return (lambda x: self.cache.get(name, (_never, False))[0](x)), False

    def _string(self, node: dict[str, Any], strict: bool) -> tuple[Check, bool]:
        low = node.get("minLength", 0)
        high = node.get("maxLength")
        pattern = re.compile(node["pattern"]).search if "pattern" in node else None
        fmt = self._format(node["format"]) if "format" in node else None
        if not isinstance(low, int) or not (high is None or isinstance(high, int)):
            return _never, False

        most = MAX_TEXT if high is None else min(high, MAX_TEXT)
        surrogate = LONE_SURROGATE.search

        def check(x: Any) -> bool:
            if not isinstance(x, str):
                return not strict
            if not low <= len(x) <= most:
                return False
            if not x.isascii() and surrogate(x):
                return False
            if pattern is not None and pattern(x) is None:
                return False
            return fmt is None or fmt(x)

        if pattern is not None or fmt is not None:
            return check, True

        def plain(x: Any) -> bool:  # the common text: only its length and its characters to look at
            if not isinstance(x, str):
                return not strict
            return low <= len(x) <= most and (x.isascii() or surrogate(x) is None)

        return plain, True

    def _format(self, name: Any) -> Check | None:
        """The format checker's own test for `name` (None for a format it does not check)."""
        if name not in self.formats.checkers:
            return None
        func, raises = self.formats.checkers[name]

        def conforms(x: Any) -> bool:
            try:
                return bool(func(x))
            except raises:
                return False

        return conforms

    def _object(self, node: dict[str, Any], strict: bool) -> tuple[Check, bool]:
        required = tuple(node.get("required", ()))
        compiled = {key: self.compile(sub) for key, sub in node.get("properties", {}).items()}
        props = {key: check for key, (check, _) in compiled.items()}
        extra = node.get("additionalProperties", True)
        extra_check, extra_exact = self.compile(extra)
        exact = extra_exact and all(sure for _, sure in compiled.values())

        required_keys = frozenset(required)
        find = props.get

        def check(x: Any) -> bool:
            if not isinstance(x, dict):
                return not strict
            if not x.keys() >= required_keys:
                return False
            for key, value in x.items():
                sub = find(key)
                if sub is None:
                    if not extra_check(value):
                        return False
                elif not sub(value):
                    return False
            return True

        return check, exact

    def _array(self, node: dict[str, Any], strict: bool) -> tuple[Check, bool]:
        item, exact = self.compile(node.get("items", True))
        low = node.get("minItems", 0)
        high = node.get("maxItems")
        unique = node.get("uniqueItems", False)

        def check(x: Any) -> bool:
            if not isinstance(x, list):
                return not strict
            if len(x) < low or (high is not None and len(x) > high):
                return False
            if unique and not (all(isinstance(v, str) for v in x) and len(set(x)) == len(x)):
                return False  # unsure unless all are distinct strings
            return all(map(item, x))

        return check, exact and not unique

    def _enum(self, values: Any) -> tuple[Check, bool]:
        if not isinstance(values, list):
            return _never, False
        strings = frozenset(v for v in values if isinstance(v, str))
        numbers = [v for v in values if _is_number(v) and not isinstance(v, float | Decimal)]
        if len(strings) + len(numbers) == len(values):
            if not numbers:
                return (lambda x: isinstance(x, str) and x in strings), True
            return (lambda x: (isinstance(x, str) and x in strings) or (_is_number(x) and x in numbers)), True
        return (lambda x: isinstance(x, str) and x in strings), False

    def _combine(self, keyword: str, options: Any) -> tuple[Check, bool]:
        if not isinstance(options, list) or not options:
            return _never, False
        compiled = [self.compile(option) for option in options]
        checks = [check for check, _ in compiled]
        exact = all(sure for _, sure in compiled)
        if keyword == "allOf":
            return _all(checks), exact
        if keyword == "anyOf":
            return (lambda x: any(check(x) for check in checks)), exact
        if not exact:  # oneOf counts failures too, so an unsure one spoils it
            return _never, False
        return (lambda x: sum(1 for check in checks if check(x)) == 1), True


def compile_definition(document: dict[str, Any], name: str, format_checker: FormatChecker) -> Check:
    """The quick check for `$defs/<name>` of `document`."""
    return _Compiler(document, format_checker).definition(name)[0]
