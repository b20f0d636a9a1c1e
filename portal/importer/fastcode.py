"""The quick check of one list's records written out as one generated Python function.

fastcheck.py compiles the schema into closures: one Python call per field of every record, which was
about half of the quick check's time. Here the same check is generated as source text, one function
per `$defs` entry, with the common keywords written inline (an object's fields, texts with their
lengths, patterns and formats, booleans, enums of texts, arrays of these, `$ref` to such entries). A
node outside that set is checked by fastcheck's closure for it, called from the generated code, so
the generated function answers exactly as the closures do (tested on arbitrary records) and is, like
them, one-sided: True only when jsonschema would accept the record too.
"""

from __future__ import annotations

import re
from typing import Any

from jsonschema import FormatChecker

from .fastcheck import _ANNOTATIONS, _KNOWN, _OBJECT, _STRING, LONE_SURROGATE, MAX_TEXT, Check, _Compiler

_ARRAY_KEYS = ("items", "minItems", "maxItems", "uniqueItems")
_PLAIN_INT = int  # minLength and the like must be plain integers (not bools) to be written inline


class _Generator:
    def __init__(self, compiler: _Compiler) -> None:
        self.compiler = compiler
        self.names: dict[str, Any] = {"_sur": LONE_SURROGATE.search, "_M": object()}
        self.lines: list[str] = []
        self.inlining: set[str] = set()  # $defs entries being written out (a cycle falls back)
        self.counter = 0

    def constant(self, value: Any) -> str:
        self.counter += 1
        name = f"_k{self.counter}"
        self.names[name] = value
        return name

    def variable(self) -> str:
        self.counter += 1
        return f"v{self.counter}"

    def emit(self, depth: int, line: str) -> None:
        self.lines.append("    " * depth + line)

    def fallback(self, node: Any, var: str, depth: int) -> None:
        """The closure fastcheck compiles for `node`, called from the generated code."""
        check = self.compiler.compile(node)[0]
        self.emit(depth, f"if not {self.constant(check)}({var}): return False")

    def node(self, node: Any, var: str, depth: int) -> None:
        """Lines that return False where fastcheck's closure for `node` answers False about `var`."""
        if node is True:
            return
        if node is False:
            self.emit(depth, "return False")
            return
        if not isinstance(node, dict):
            self.fallback(node, var, depth)
            return
        keys = set(node) - _ANNOTATIONS
        if keys - _KNOWN:
            self.emit(depth, "return False")  # as fastcheck: a keyword it does not know means "ask jsonschema"
            return
        kind = node.get("type")
        if keys == {"$ref"}:
            self.ref(node["$ref"], var, depth)
        elif keys == {"enum"}:
            self.enum(node, var, depth)
        elif kind == "boolean" and keys == {"type"}:
            self.emit(depth, f"if {var} is not True and {var} is not False: return False")
        elif kind == "string" and keys <= {"type", *_STRING}:
            self.string(node, var, depth)
        elif kind == "array" and keys <= {"type", *_ARRAY_KEYS}:
            self.array(node, var, depth)
        elif kind == "object" and node.get("additionalProperties", True) is False:
            self.object(node, keys, var, depth)
        else:
            self.fallback(node, var, depth)

    def ref(self, ref: Any, var: str, depth: int) -> None:
        compiler = self.compiler
        local = ref.removeprefix(compiler.base) if isinstance(ref, str) else ""
        name = local[len("#/$defs/"):]
        if not local.startswith("#/$defs/") or "/" in name or name not in compiler.defs or name in self.inlining:
            self.fallback({"$ref": ref}, var, depth)
            return
        self.inlining.add(name)
        self.node(compiler.defs[name], var, depth)
        self.inlining.discard(name)

    def enum(self, node: dict[str, Any], var: str, depth: int) -> None:
        values = node["enum"]
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            self.fallback(node, var, depth)
            return
        allowed = self.constant(frozenset(values))
        self.emit(depth, f"if not (isinstance({var}, str) and {var} in {allowed}): return False")

    def string(self, node: dict[str, Any], var: str, depth: int) -> None:
        low, high = node.get("minLength", 0), node.get("maxLength")
        if type(low) is not _PLAIN_INT or not (high is None or type(high) is _PLAIN_INT):
            self.fallback(node, var, depth)
            return
        most = MAX_TEXT if high is None else min(high, MAX_TEXT)
        tests = [f"isinstance({var}, str)", f"{low} <= len({var}) <= {most}" if low > 0 else f"len({var}) <= {most}",
                 f"({var}.isascii() or _sur({var}) is None)"]
        if "pattern" in node:
            tests.append(f"{self.constant(re.compile(node['pattern']).search)}({var}) is not None")
        conforms = self.compiler._format(node["format"]) if "format" in node else None
        if conforms is not None:
            tests.append(f"{self.constant(conforms)}({var})")
        self.emit(depth, f"if not ({' and '.join(tests)}): return False")  # one test: fewer jumps

    def array(self, node: dict[str, Any], var: str, depth: int) -> None:
        low, high = node.get("minItems", 0), node.get("maxItems")
        if type(low) is not _PLAIN_INT or not (high is None or type(high) is _PLAIN_INT):
            self.fallback(node, var, depth)
            return
        self.emit(depth, f"if not isinstance({var}, list): return False")
        if low > 0:
            self.emit(depth, f"if len({var}) < {low}: return False")
        if high is not None:
            self.emit(depth, f"if len({var}) > {high}: return False")
        if node.get("uniqueItems", False):  # as fastcheck: sure only of distinct texts
            each = self.variable()
            self.emit(depth, f"for {each} in {var}:")
            self.emit(depth + 1, f"if not isinstance({each}, str): return False")
            self.emit(depth, f"if len(set({var})) != len({var}): return False")
        item = node.get("items", True)
        if item is not True:
            each = self.variable()
            self.emit(depth, f"for {each} in {var}:")
            mark = len(self.lines)
            self.node(item, each, depth + 1)
            if len(self.lines) == mark:
                self.emit(depth + 1, "pass")

    def object(self, node: dict[str, Any], keys: set[str], var: str, depth: int) -> None:
        properties = node.get("properties", {})
        required = node.get("required", [])
        if not isinstance(properties, dict) or not isinstance(required, list):
            self.fallback(node, var, depth)
            return
        self.emit(depth, f"if not isinstance({var}, dict): return False")
        get = self.variable()
        self.emit(depth, f"{get} = {var}.get")
        held = self.variable()
        self.emit(depth, f"{held} = {var}.keys()")
        if required:
            self.emit(depth, f"if not {held} >= {self.constant(frozenset(required))}: return False")
        self.emit(depth, f"if not {held} <= {self.constant(frozenset(properties))}: return False")
        for key, sub in properties.items():
            if sub is True:
                continue
            value = self.variable()
            self.emit(depth, f"{value} = {get}({key!r}, _M)")
            self.emit(depth, f"if {value} is not _M:")
            mark = len(self.lines)
            self.node(sub, value, depth + 1)
            if len(self.lines) == mark:
                self.emit(depth + 1, "pass")
        rest = {key: value for key, value in node.items() if key not in ("type", *_OBJECT)}
        for keyword in ("oneOf", "anyOf", "allOf"):
            if self.choice(keyword, rest.get(keyword), var, depth):
                del rest[keyword]
        if set(rest) - _ANNOTATIONS:  # anything else about the whole object: fastcheck's closure
            self.fallback(rest, var, depth)

    def choice(self, keyword: str, options: Any, var: str, depth: int) -> bool:
        """oneOf/anyOf/allOf of options that only require fields ("school" or "organisation"), about the
        dict `var`, written out; False (nothing written) for any other options."""
        if not isinstance(options, list) or not options:
            return False
        wanted = []
        for option in options:
            required = option.get("required") if isinstance(option, dict) else None
            if set(option) - _ANNOTATIONS != {"required"} or not isinstance(required, list) \
                    or not all(isinstance(key, str) for key in required):
                return False
            wanted.append(f"({var}.keys() >= {self.constant(frozenset(required))})")
        held = " + ".join(wanted)
        test = {"oneOf": f"{held} != 1", "anyOf": f"{held} == 0", "allOf": f"{held} != {len(wanted)}"}[keyword]
        self.emit(depth, f"if {test}: return False")
        return True


def generate_definition(document: dict[str, Any], name: str, format_checker: FormatChecker) -> Check:
    """The generated quick check for `$defs/<name>` of `document` (as fastcheck.compile_definition's)."""
    return generate_source(_Compiler(document, format_checker), name)[0]


def generate_source(compiler: _Compiler, name: str) -> tuple[Check, str]:
    """The generated quick check of `$defs/<name>` and its source text."""
    generator = _Generator(compiler)
    generator.inlining.add(name)
    generator.node(compiler.defs.get(name, False), "record", 1)
    source = "\n".join([f"def check_{name}(record):", *generator.lines, "    return True", ""])
    namespace = dict(generator.names)
    exec(compile(source, f"<quick check of {name}>", "exec"), namespace)  # noqa: S102 - our own text
    return namespace[f"check_{name}"], source
