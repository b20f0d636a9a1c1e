"""Streaming the file: the top level is walked event by event, each list's records are built one at
a time (by ijson's C code when available) and handed to a sink. Lists may come in any order."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Generator, Iterator
from itertools import takewhile
from typing import Any, Protocol

import ijson

from .errors import ImportRefused, record_key, record_label, show
from .schema import LISTS, Schema
from .source import CountingReader, Source


def _backend() -> Any:
    try:
        return ijson.get_backend("yajl2_c")
    except ImportError:  # pragma: no cover - the wheels ship the C backend
        return ijson


BACKEND = _backend()
_CONTAINER_START: dict[str, Callable[[], Any]] = {"start_map": dict, "start_array": list}


MAX_DEPTH = 32  # levels of [ and { (a directory file needs five); deeper is refused before it is parsed
MAX_NUMBER = 100  # characters of one number (a directory file's numbers are short)
_ESCAPE = re.compile(rb"\\.", re.DOTALL)
_LONG_NUMBER = re.compile(rb"[-+0-9.eE]{%d,}" % (MAX_NUMBER + 1))
# the same test for a whole chunk: number characters become 1, all others 0, and a run of 1s is looked for
# (bytes operations in C; the regular expression's work at every position was a tenth of the guard's time)
_NUMBER_MARKS = bytes(1 if chr(byte) in "-+0123456789.eE" else 0 for byte in range(256))
_LONG_RUN = bytes([1]) * (MAX_NUMBER + 1)
# a \uD800-\uDBFF escape not followed by a \uDC00-\uDFFF one, or the latter alone (the parser would store "?")
_LONE_SURROGATE = re.compile(
    rb"(?<!\\)(?:\\\\)*(?:(?P<high>\\u[dD][89abAB][0-9a-fA-F]{2})(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    rb"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})(?P<low>\\u[dD][c-fC-F][0-9a-fA-F]{2}))")
_BRACKETS_ONLY = bytes(range(256)).translate(None, b"[]{}")
_OPEN_CLOSE = bytes.maketrans(b"{}", b"[]")


class TooDeep(Exception):
    """Raised by ShapeGuard; becomes an ImportRefused once the list being read is known."""

    def __init__(self, offset: int) -> None:
        super().__init__(offset)
        self.offset = offset


class ShapeGuard:
    """A reader in front of the parser that refuses, in flat memory, what would make ijson's C backend
    use memory without bound or crash: nesting deeper than MAX_DEPTH (its prefixes grow with the square
    of the depth: 80 KB of [ took 4 GB) and a number longer than MAX_NUMBER characters (4 301 digits
    crashed the process). Each chunk is looked at before the parser sees it, with C-speed bytes
    operations: strings are taken out, then only brackets and number characters are counted."""

    def __init__(self, raw: CountingReader) -> None:
        self.raw = raw
        self.depth = 0
        self.in_string = 0  # 0 outside a string, 1 inside, 2 inside just after a backslash
        self.number_tail = b""
        self.carry = b""  # the last bytes, looked at again with the next chunk for a surrogate pair

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self._surrogates(data)
        if data:
            self._scan(data)
        return data

    def _surrogates(self, data: bytes) -> None:
        text = self.carry + data
        start = len(self.carry) - 12 if self.carry else 0  # the carry's first 12 bytes were looked at
        end = len(text) - 12 if data else len(text)  # the last 12 wait for what follows
        self.carry = text[-24:] if data else b""
        if b"\\u" not in text:
            return
        for found in _LONE_SURROGATE.finditer(text):
            at = found.start("high") if found.group("high") else found.start("low")
            if start <= at < end:
                raise LoneSurrogate(found.group(0)[-6:].decode(), self.raw.position - len(text) + at)

    def _scan(self, data: bytes) -> None:
        start = len(data)
        if self.in_string == 2:  # the last chunk ended on a backslash inside a string
            data = data[1:]
        escaped = False
        if b"\\" in data:  # escapes taken out first (a pair at a time), so every " left is a real quote
            data = _ESCAPE.sub(b"", data)
            escaped = data.endswith(b"\\")  # a backslash whose escaped byte is in the next chunk
            if escaped:
                data = data[:-1]
        # Split at the quotes rather than replacing each string with a regular expression: a chunk
        # holds thousands of strings, and re's per-match work was a tenth of the whole import.
        parts = data.split(b'"')
        inside = 1 if self.in_string else 0
        outside = b" ".join(parts[inside::2])  # the parts between strings; a string counts as a space
        ends_inside = (inside + len(parts) - 1) % 2
        self.in_string = (2 if escaped else 1) if ends_inside else 0
        if _LONG_NUMBER.search(self.number_tail + outside[:MAX_NUMBER + 1]) \
                or _LONG_RUN in outside.translate(_NUMBER_MARKS):
            raise ImportRefused(f"Filen innehåller ett tal med fler än {MAX_NUMBER} tecken (byte "
                                f"{self.raw.position - start} eller senare). En katalogfil har inga så långa tal.")
        self.number_tail = b"" if ends_inside else outside[-MAX_NUMBER:]
        self._count(outside.translate(_OPEN_CLOSE, _BRACKETS_ONLY))

    def _count(self, brackets: bytes) -> None:
        nesting = 0  # how deep matched pairs go within this chunk
        while b"[]" in brackets:
            brackets = brackets.replace(b"[]", b"")
            nesting += 1
            if self.depth + nesting > MAX_DEPTH:
                raise TooDeep(self.raw.position - self.raw.last)
        closing = len(brackets) - len(brackets.lstrip(b"]"))
        opening = len(brackets) - closing
        if self.depth + opening > MAX_DEPTH:
            raise TooDeep(self.raw.position - self.raw.last)
        self.depth = max(0, self.depth - closing) + opening


def too_deep(where: str | None, exc: TooDeep) -> ImportRefused:
    text = (f"listor och objekt är nästlade i fler än {MAX_DEPTH} nivåer (från byte {exc.offset} i filen). "
            "En katalogfil har högst fem nivåer.")
    return ImportRefused(f"{where}: {text}" if where else f"Filen går inte att läsa in: {text}")


class DuplicateKey(Exception):
    def __init__(self, key: str, record: dict[str, Any]) -> None:
        super().__init__(key)
        self.key = key
        self.record = record


class UniqueKeys(dict[str, Any]):
    """A record's object: a key given twice is refused, not quietly the last value kept."""

    def __setitem__(self, key: str, value: Any, _set: Callable[[dict[str, Any], str, Any], None] = dict.__setitem__,
                    ) -> None:  # called for every key of every record: dict's own method bound once
        if key in self:
            raise DuplicateKey(key, self)
        _set(self, key, value)


class LoneSurrogate(Exception):
    """An escape yajl would store as "?"; `resolve` names the line and column (the importer calls it, as
    for MalformedJSON)."""

    def __init__(self, escape: str, offset: int) -> None:
        super().__init__(escape)
        self.escape = escape
        self.offset = offset

    def resolve(self, source: Source) -> ImportRefused:
        line, column = _line_and_column(source.reopen(), self.offset)
        return ImportRefused(f"Filen innehåller ett ensamt surrogattecken ({self.escape}) på rad {line}, kolumn "
                             f"{column} (byte {self.offset}): hälften av ett UTF-16-par, som inte är ett tecken och "
                             "inte går att spara. Skriv tecknet som ett helt par eller ta bort det.")


class Sink(Protocol):
    def send(self, record: Any) -> None: ...  # the next record of the list

    def finish(self) -> None: ...  # the list has ended

    def sent(self) -> int: ...  # how many records it has been sent (to name the one a refusal is about)


class MalformedJSON(Exception):
    """The parser gave up; `resolve` finds where, which needs a second pass over the file."""

    def __init__(self, error: Exception, reader: CountingReader) -> None:
        super().__init__(str(error))
        self.error = error
        self.position = reader.position
        self.last = reader.last

    def resolve(self, source: Source) -> ImportRefused:
        if isinstance(self.error, LoneSurrogate):
            return self.error.resolve(source)
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
        events = BACKEND.parse(ShapeGuard(reader))
        _, event, value = next(events)
        if event != "start_map":
            kind = {"start_array": "en lista"}.get(event, f"värdet {show(value)}")
            raise ImportRefused(f"Filen ska innehålla ett JSON-objekt ({{ … }}) på översta nivån, inte {kind}.")
        skeleton = _walk_top(events, schema, sink_for)
        for _ in events:  # the parser refuses anything after the object
            pass
    except (ijson.JSONError, UnicodeDecodeError) as exc:  # the C backend decodes bytes yajl let through
        raise MalformedJSON(exc, reader) from None
    except TooDeep as exc:
        raise too_deep(None, exc) from None
    except LoneSurrogate as exc:
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
            coroutine = BACKEND.items_basecoro(sink, f"{key}.item", map_type=UniqueKeys)
            # runs in C: events up to this list's end are fed to the coroutine that builds records
            try:
                deque(map(coroutine.send, takewhile((key, "end_array", None).__ne__, events)), maxlen=0)
            except DuplicateKey as exc:
                where = record_label(key, sink.sent(), record_key(key, exc.record))
                raise ImportRefused(f"{where}.{exc.key}: fältet finns två gånger i posten") from None
            except TooDeep as exc:
                raise too_deep(key, exc) from None
            sink.finish()
        elif kind in _CONTAINER_START:
            try:
                _skip(events)
            except TooDeep as exc:
                raise too_deep(key, exc) from None
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
    except (ijson.JSONError, UnicodeDecodeError):
        return


def locate(source: Source, fast_until: int) -> str:
    """ " (rad 3, kolumn 17, byte 52)" for the parser's error: found by reading the file again,
    one byte at a time past `fast_until`. Empty if the second reading finds no error."""
    reader = source.reopen(slow_after=fast_until)
    try:
        for _ in BACKEND.basic_parse(reader):
            pass
    except (ijson.JSONError, UnicodeDecodeError):
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
    ("codec can't decode", "tecken som inte är UTF-8; filen ska vara kodad i UTF-8"),
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
