"""`portal import`: replace the directory with the contents of one file, all of it or nothing.

The file is one source of the one loader (load.replace_directory; SS 12000 is the other,
portal/sources/ss12000/): one transaction, the directory tables emptied, the file streamed into them
(each record checked against import.schema.json as it passes), references checked in SQL, the file's
password hashes replacing passwords set through the portal, commit. Any refusal rolls everything back and raises
ImportRefused, whose message names the record and the field. Must run inside an app context.
"""

from __future__ import annotations

import gc
from pathlib import Path

from sqlalchemy import Connection

import portal

from .errors import ImportRefused
from .load import replace_directory
from .loader import Loader, StoreFailed
from .progress import NoProgress, Progress
from .reader import MalformedJSON
from .references import find_nul, find_store_problem
from .result import ImportResult
from .source import Source

__all__ = ["DEMO_PATH", "ImportRefused", "ImportResult", "import_demo", "import_path"]

DEMO_PATH = Path(portal.__file__).parent / "demo" / "demo.json"
GC_THRESHOLD = 50_000  # new objects (that live) between two collections of the youngest generation


def import_path(path: str, *, progress: bool = False) -> ImportResult:
    """Import the file at `path` (`-`: standard input). Raises ImportRefused; then nothing changed."""
    # The import makes millions of short-lived objects; the collector need not rescan the app's own.
    # Its rows wait in batches of thousands, which the youngest generation's threshold (700 by default) had
    # the collector scan again and again; a record's objects hold no cycles, so reference counting frees them.
    freeze = gc.isenabled() and gc.get_freeze_count() == 0
    threshold = gc.get_threshold()
    if freeze:
        gc.freeze()
        gc.set_threshold(max(threshold[0], GC_THRESHOLD), *threshold[1:])
    try:
        return _import(path, progress)
    finally:
        if freeze:
            gc.set_threshold(*threshold)
            gc.unfreeze()


def _import(path: str, progress: bool) -> ImportResult:
    with Source(path) as source:
        reader = source.open()
        bar: Progress = Progress(source.size) if progress else NoProgress()

        def fill(loader: Loader, connection: Connection) -> None:
            loader.load(reader)
            bar.finish(reader.position, loader.total_records())
            nul = find_nul(source) if reader.nul_seen else None
            if nul is not None:
                raise nul

        def explain(exc: BaseException, connection: Connection) -> ImportRefused | None:
            if isinstance(exc, MalformedJSON):
                return exc.resolve(source)
            if isinstance(exc, StoreFailed):
                return find_store_problem(source, exc.list_name, exc.error)
            return None

        return replace_directory(fill, bar, explain=explain)


def import_demo() -> ImportResult:
    """Import the demo directory shipped with the portal (portal/demo/demo.json)."""
    if not DEMO_PATH.is_file():
        raise ImportRefused(f"Demokatalogen {DEMO_PATH} finns inte.")
    return import_path(str(DEMO_PATH))
