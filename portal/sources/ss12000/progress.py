"""The sync's progress on a terminal: pages and records per resource, then the loading; nothing when
stderr is not a terminal."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from ...importer.progress import NoProgress, Progress
from ...importer.result import counted

NAMES = {"organisations": "organisationer", "persons": "personer", "duties": "tjänstgöringar",
         "groups": "grupper", "activities": "aktiviteter", "deletedEntities": "borttagna poster"}


class SyncProgress:
    def __init__(self, stream: TextIO | None = None, enabled: bool | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.drawn_at = 0.0
        self.open_line = False

    def page(self, resource: str, pages: int, records: int, done: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not done and now - self.drawn_at < 0.1:
            return
        self.drawn_at = now
        self.stream.write(f"\rHämtar /{resource} ({NAMES.get(resource, resource)}): "
                          f"{counted(pages, 'sida', 'sidor')}, {counted(records, 'post', 'poster')}")
        self.open_line = True
        if done:
            self.stream.write("\n")
            self.open_line = False
        self.stream.flush()

    def loading(self) -> Progress:
        """The loader's bar (records written)."""
        self.abort()
        return Progress(None, self.stream) if self.enabled else NoProgress()

    def abort(self) -> None:
        if self.enabled and self.open_line:
            self.stream.write("\n")
            self.stream.flush()
            self.open_line = False
