"""Streaming the file: the top level is walked event by event, each list's records are built one at
a time (by ijson's C code when available) and handed to a sink. Lists may come in any order."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Generator, Iterator
from itertools import takewhile
from typing import Any, Protocol

import ijson

from .errors import ImportRefused, show
from .schema import LISTS, Schema
from .source import CountingReader, Source


def _backend() -> Any:
    try:
        return ijson.get_backend("yajl2_c")
    except ImportError:  # pragma: no cover - the wheels ship the C backend
        return ijson


BACKEND = _backend()
_CONTAINER_START: dict[str, Callable[[], Any]] = {"start_map": dict, "start_array": list}


class Sink(Protocol):
    def send(self, record: Any) -> None: ...  # the next record of the list

    def finish(self) -> None: ...  # the list has ended


class MalformedJSON(Exception):
    """The parser gave up; `resolve` finds where, which needs a second pass over the file."""

    def __init__(self, error: Exception, reader: CountingReader) -> None:
        super().__init__(str(error))
        self.error = error
        self.position = reader.position
        self.last = reader.last

    def resolve(self, source: Source) -> ImportRefused:
        head = source.reopen().read(1 << 16).lstrip(b" \t\r\n")
        if not head:
            return ImportRefused(f"{source.subject} är tom.")
        where = locate(source, max(0, self.position - self.last))
        if head[:1] not in b'{["-0123456789tfn':
            return ImportRefused(f"{source.subject} är inte JSON{where}. "
                                 "En katalogfil är ett JSON-objekt som börjar med {.")
        return ImportRefused(f"Filen är inte giltig JSON: {_json_error_text(str(self.error))}{where}.")


def read_directory(reader: CountingReader, schema: Schema, sink_for: Callable[[str], Sink]) -> None:
    """Walk the whole file; each record of list L goes to sink_for(L).send, in file order."""
    try:
        events = BACKEND.parse(reader)
        _, event, value = next(events)
        if event != "start_map":
            kind = {"start_array": "en lista"}.get(event, f"värdet {show(value)}")
            raise ImportRefused(f"Filen ska innehålla ett JSON-objekt ({{ … }}) på översta nivån, inte {kind}.")
        skeleton = _walk_top(events, schema, sink_for)
        for _ in events:  # the parser refuses anything after the object
            pass
    except ijson.JSONError as exc:
        raise MalformedJSON(exc, reader) from None
    error = schema.top_error(skeleton)
    if error is not None:
        path, text = error
        raise ImportRefused(f"{'.'.join(map(str, path))}: {text}" if path else f"Filen {text}.")


def _walk_top(events: Iterator[tuple[str, str, Any]], schema: Schema,
              sink_for: Callable[[str], Sink]) -> dict[str, Any]:
    skeleton: dict[str, Any] = {}  # the top level with each list as [] (a few keys at most)
    for prefix, event, key in events:
        if prefix == "" and event == "end_map":
            return skeleton
        if key in skeleton:
            raise ImportRefused(f"{key}: fältet finns två gånger i filen")
        if key not in schema.properties:
            allowed = ", ".join(schema.properties)
            raise ImportRefused(f"{key}: okänt fält på översta nivån (tillåtna fält: {allowed})")
        _, kind, scalar = next(events)
        placeholder = _CONTAINER_START[kind]() if kind in _CONTAINER_START else scalar
        error = schema.property_error(key, placeholder)
        if error is not None:
            raise ImportRefused(f"{key}: {error}")
        skeleton[key] = placeholder
        if kind == "start_array" and key in LISTS:
            sink = sink_for(key)
            coroutine = BACKEND.items_basecoro(sink, f"{key}.item")
            # runs in C: events up to this list's end are fed to the coroutine that builds records
            deque(map(coroutine.send, takewhile((key, "end_array", None).__ne__, events)), maxlen=0)
            sink.finish()
        elif kind in _CONTAINER_START:
            _skip(events)
    return skeleton  # pragma: no cover - the parser raises first on a truncated file


def _skip(events: Iterator[tuple[str, str, Any]]) -> None:
    depth = 1
    for _, event, _ in events:
        if event in _CONTAINER_START:
            depth += 1
        elif event in ("end_map", "end_array"):
            depth -= 1
            if depth == 0:
                return


def iter_list(reader: CountingReader, list_name: str) -> Generator[Any, None, None]:
    """The records of one list, for a second pass (stops quietly at a JSON error)."""
    try:
        yield from BACKEND.items(reader, f"{list_name}.item")
    except ijson.JSONError:
        return


def locate(source: Source, fast_until: int) -> str:
    """ " (rad 3, kolumn 17, byte 52)" for the parser's error: found by reading the file again,
    one byte at a time past `fast_until`. Empty if the second reading finds no error."""
    reader = source.reopen(slow_after=fast_until)
    try:
        for _ in BACKEND.basic_parse(reader):
            pass
    except ijson.JSONError:
        offset = max(0, reader.position - 1) if reader.last else reader.position
    else:
        return ""
    line, column = _line_and_column(source.reopen(), offset)
    return f" (rad {line}, kolumn {column}, byte {offset})"


def _line_and_column(reader: CountingReader, offset: int) -> tuple[int, int]:
    line, line_start, position = 1, 0, 0
    tail = b""
    while position < offset:
        chunk = reader.raw.read(min(1 << 16, offset - position))
        if not chunk:
            break
        newlines = chunk.count(b"\n")
        if newlines:
            line += newlines
            line_start = position + chunk.rindex(b"\n") + 1
            tail = chunk[chunk.rindex(b"\n") + 1:]
        else:
            tail += chunk
        tail = tail[-4096:]
        position += len(chunk)
    if position - line_start <= len(tail):  # the whole line is known: count characters
        return line, len(tail.decode("utf-8", "replace")) + 1
    return line, position - line_start + 1


# The parser's messages (yajl's, and the Python backend's), in Swedish.
_JSON_ERRORS = [
    ("premature EOF", "filen tar slut för tidigt; den verkar vara avkortad"),
    ("Incomplete JSON", "filen tar slut för tidigt; den verkar vara avkortad"),
    ("trailing garbage", "det finns mer text efter JSON-objektets slut"),
    ("Additional data", "det finns mer text efter JSON-objektets slut"),
    ("invalid bytes in UTF8", "tecken som inte är UTF-8; filen ska vara kodad i UTF-8"),
    ("invalid object key", "en nyckel ska vara en text inom citattecken (eller så finns ett komma för mycket)"),
    ("I expect ',' or '}'", "komma eller } saknas efter ett värde i ett objekt"),
    ("I expect ',' or ']'", "komma eller ] saknas efter ett värde i en lista"),
    ("separated by a colon", "kolon saknas mellan nyckel och värde"),
    ("invalid string in json text", "ett ord som inte finns i JSON (true, false och null skrivs med små "
                                    "bokstäver, text inom citattecken)"),
    ("invalid character inside string", "ett otillåtet tecken (till exempel en radbrytning) i en text"),
    ("which it may not", "ett ogiltigt \\-tecken i en text"),
    ("number", "ett felskrivet tal"),
    ("decimal point", "ett felskrivet tal"),
    ("exponent", "ett felskrivet tal"),
    ("invalid char in json text", "ett tecken som inte hör hemma där"),
    ("unallowed token", "ett tecken som inte hör hemma där"),
    ("Unexpected symbol", "ett tecken som inte hör hemma där"),
]


def _json_error_text(message: str) -> str:
    for needle, text in _JSON_ERRORS:
        if needle in message:
            return text
    first = message.strip().splitlines()[0] if message.strip() else "okänt fel"
    return f"parsern säger \"{first}\""
