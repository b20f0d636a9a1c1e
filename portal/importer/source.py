"""The file being imported: opened once for the streaming pass, reopened when a refusal needs a
second look (a duplicate id, the exact place of a JSON error). Standard input is copied to a
temporary file as it is read, so it can be reopened too."""

from __future__ import annotations

import errno
import os
import stat
import sys
import tempfile
from typing import IO, Any

from .errors import ImportRefused

_BOM = b"\xef\xbb\xbf"
_NUL_ESCAPE = b"\\u0000"  # how NUL is written in JSON; PostgreSQL cannot store it


class CountingReader:
    """A binary reader that counts the bytes it hands out, drops a UTF-8 byte order mark, and
    optionally copies what it reads to a spool. With `slow_after`, reads past that offset return
    one byte at a time, so a parser error is raised at the very byte it concerns. `nul_seen` tells
    whether the text `\\u0000` occurs (a string may hold NUL: worth a closer look)."""

    def __init__(self, raw: IO[bytes], spool: IO[bytes] | None = None, slow_after: int | None = None) -> None:
        self.raw = raw
        self.spool = spool
        self.slow_after = slow_after
        self.position = 0  # bytes of the file read so far
        self.last = 0  # size of the last read
        self.nul_seen = False
        self._first = True
        self._tail = b""

    def read(self, size: int = -1) -> bytes:
        if self.slow_after is not None and size != 0:
            left = self.slow_after - self.position
            size = 1 if left <= 0 else left if size < 0 else min(size, left)
        data = self.raw.read(size)
        if self.spool is not None and data:
            self.spool.write(data)
        self.position += len(data)
        self.last = len(data)
        if data and not self.nul_seen:
            self.nul_seen = _NUL_ESCAPE in data or _NUL_ESCAPE in self._tail + data[:8]
            self._tail = data[-8:]
        if self._first and data:
            self._first = False
            if data.startswith(_BOM):
                data = data[len(_BOM):]
        return data


class Source:
    """A path, or `-` for standard input (binary). Standard input and other pipes are copied to a
    temporary file as they are read, so that they can be read again."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.is_stdin = path == "-"
        # how a message names it: "Filen x.json är tom."
        self.subject = "Standardinmatningen (stdin)" if self.is_stdin else f"Filen {path}"
        self._handles: list[IO[bytes]] = []
        self._spool: IO[bytes] | None = None
        self.size: int | None = None

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def open(self) -> CountingReader:
        """The reader for the streaming pass."""
        if self.is_stdin:
            raw: IO[bytes] = sys.stdin.buffer if hasattr(sys.stdin, "buffer") else sys.stdin  # type: ignore[assignment]
        else:
            raw = self._open_file()
            status = os.fstat(raw.fileno())
            if stat.S_ISREG(status.st_mode):
                self.size = status.st_size
                return CountingReader(raw)
        # a pipe can be read only once: keep a copy for a second look
        self._spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        self._handles.append(self._spool)
        return CountingReader(raw, spool=self._spool)

    def reopen(self, slow_after: int | None = None) -> CountingReader:
        """A reader from the start again (what standard input gave so far)."""
        if self._spool is not None:
            self._spool.flush()
            self._spool.seek(0)
            return CountingReader(self._spool, slow_after=slow_after)
        return CountingReader(self._open_file(), slow_after=slow_after)

    def close(self) -> None:
        for handle in reversed(self._handles):
            handle.close()
        self._handles.clear()
        self._spool = None

    def _open_file(self) -> IO[bytes]:
        try:
            handle = open(self.path, "rb")  # noqa: SIM115 - closed by close()
        except OSError as exc:
            raise ImportRefused(_os_error_text(self.path, exc)) from None
        self._handles.append(handle)
        return handle


def _os_error_text(path: str, exc: OSError) -> str:
    if exc.errno == errno.ENOENT:
        return f"Filen {path} finns inte."
    if exc.errno == errno.EISDIR:
        return f"{path} är en mapp, inte en fil."
    if exc.errno == errno.EACCES:
        return f"Filen {path} går inte att läsa: behörighet saknas."
    return f"Filen {path} går inte att läsa ({exc.strerror or exc})."
