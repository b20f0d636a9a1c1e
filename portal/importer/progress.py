"""A progress bar on stderr: bytes read of the file's size, or a running count of records."""

from __future__ import annotations

import sys
import time
from typing import TextIO

_WIDTH = 30
_INTERVAL = 0.1  # seconds between redraws


class Progress:
    """Call `update` often (it redraws at most ten times a second) and `finish` once."""

    def __init__(self, total_bytes: int | None, stream: TextIO | None = None) -> None:
        self.total = total_bytes if total_bytes else None
        self.stream = stream if stream is not None else sys.stderr
        self.drawn_at = 0.0
        self.started = False
        self.done = False

    def update(self, bytes_read: int, records: int) -> None:
        now = time.monotonic()
        if now - self.drawn_at >= _INTERVAL:
            self.drawn_at = now
            self._draw(bytes_read, records)

    def finish(self, bytes_read: int, records: int) -> None:
        if self.done:
            return
        self.done = True
        self._draw(bytes_read, records)
        self.stream.write("\n")
        self.stream.flush()

    def abort(self) -> None:
        """End the bar's line after an error, so the message starts on a line of its own."""
        if self.started and not self.done:
            self.done = True
            self.stream.write("\n")
            self.stream.flush()

    def _draw(self, bytes_read: int, records: int) -> None:
        self.started = True
        if self.total:
            share = min(bytes_read / self.total, 1.0)
            filled = int(share * _WIDTH)
            bar = "#" * filled + "-" * (_WIDTH - filled)
            line = (f"Läser in katalogen [{bar}] {share * 100:3.0f} %  "
                    f"{_megabytes(bytes_read)} av {_megabytes(self.total)} MB, {records} poster")
        else:
            line = f"Läser in katalogen: {records} poster, {_megabytes(bytes_read)} MB"
        self.stream.write("\r" + line)
        self.stream.flush()


class NoProgress(Progress):
    """Draws nothing."""

    def __init__(self) -> None:
        super().__init__(None)

    def update(self, bytes_read: int, records: int) -> None:
        return

    def finish(self, bytes_read: int, records: int) -> None:
        return


def _megabytes(count: int) -> str:
    return f"{count / 1_000_000:.1f}".replace(".", ",")
