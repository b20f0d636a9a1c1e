"""`portal import`: replace the directory with the contents of one file, all of it or nothing.

One transaction: empty the directory tables, stream the file into them (each record checked
against import.schema.json as it passes), check references in SQL, let the file's password hashes
replace passwords set through the portal, commit. Any refusal rolls everything back and raises
ImportRefused, whose message names the record and the field. Must run inside an app context.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, delete, exists, text

import portal

from ..extensions import db
from ..models import Account, PortalPassword
from .errors import ImportRefused
from .loader import Loader, StoreFailed, directory_tables, emptying
from .progress import NoProgress, Progress
from .reader import MalformedJSON
from .references import check_references, find_nul, find_store_problem
from .schema import load_schema
from .source import Source

__all__ = ["DEMO_PATH", "ImportRefused", "ImportResult", "import_demo", "import_path"]

DEMO_PATH = Path(portal.__file__).parent / "demo" / "demo.json"

# (count attribute, singular, plural) in the order the summary names them
_NOUNS = [
    ("organisations", "huvudman", "huvudmän"),
    ("schools", "skola", "skolor"),
    ("persons", "person", "personer"),
    ("accounts", "konto", "konton"),
    ("roles", "roll", "roller"),
    ("placements", "placering", "placeringar"),
    ("guardianships", "vårdnadsförhållande", "vårdnadsförhållanden"),
    ("groups", "grupp", "grupper"),
    ("contacts", "kontakt", "kontakter"),
    ("notices", "driftmeddelande", "driftmeddelanden"),
]


@dataclass
class ImportResult:
    """What an import loaded: records per list, and rows per table."""

    organisations: int = 0
    schools: int = 0
    persons: int = 0
    accounts: int = 0
    roles: int = 0
    placements: int = 0
    guardianships: int = 0
    groups: int = 0
    contacts: int = 0
    notices: int = 0
    # passwords set through the portal that the file's password_hash replaced
    portal_passwords_replaced: int = 0
    rows: dict[str, int] = field(default_factory=dict)

    def total_rows(self) -> int:
        """Rows written in all directory tables (e-mail addresses, group members… included)."""
        return sum(self.rows.values())

    def summary(self) -> str:
        parts = [f"{count} {singular if count == 1 else plural}"
                 for attr, singular, plural in _NOUNS
                 for count in [getattr(self, attr)]]
        text = "Katalogen inläst: " + ", ".join(parts) + "."
        if self.portal_passwords_replaced:
            text += (f" {self.portal_passwords_replaced} lösenord som satts i portalen ersattes av"
                     " lösenordet i filen.")
        return text


def import_path(path: str, *, progress: bool = False) -> ImportResult:
    """Import the file at `path` (`-`: standard input). Raises ImportRefused; then nothing changed."""
    # The import makes millions of short-lived objects; the collector need not rescan the app's own.
    freeze = gc.isenabled() and gc.get_freeze_count() == 0
    if freeze:
        gc.freeze()
    try:
        return _import(path, progress)
    finally:
        if freeze:
            gc.unfreeze()


def _import(path: str, progress: bool) -> ImportResult:
    with Source(path) as source:
        reader = source.open()
        bar: Progress = Progress(source.size) if progress else NoProgress()
        session = db.session
        try:
            connection = session.connection()
            loader = Loader(connection, load_schema(), bar)
            _empty_directory(connection)
            loader.load(reader)
            bar.finish(reader.position, loader.total_records())
            check_references(connection)
            nul = find_nul(source) if reader.nul_seen else None
            if nul is not None:
                raise nul
            replaced = _settle_portal_passwords(connection)
        except BaseException as exc:
            session.rollback()
            bar.abort()
            if isinstance(exc, MalformedJSON):
                raise exc.resolve(source) from None
            if isinstance(exc, StoreFailed):
                raise find_store_problem(source, exc.list_name, exc.error) from None
            raise
        session.commit()
    _refresh_statistics()
    counts: dict[str, Any] = dict(loader.records)
    return ImportResult(**counts, portal_passwords_replaced=replaced, rows=dict(loader.batches.rows))


def _refresh_statistics() -> None:
    """Let the query planner see the new directory's shape (the look-ups' indexes depend on it)."""
    db.session.execute(text("ANALYZE"))
    db.session.commit()


def import_demo() -> ImportResult:
    """Import the demo directory shipped with the portal (portal/demo/demo.json)."""
    if not DEMO_PATH.is_file():
        raise ImportRefused(f"Demokatalogen {DEMO_PATH} finns inte.")
    return import_path(str(DEMO_PATH))


def _empty_directory(connection: Connection) -> None:
    for table in reversed(directory_tables()):
        connection.execute(emptying(table))


def _settle_portal_passwords(connection: Connection) -> int:
    """A password_hash in the file wins over a password set through the portal; others stay."""
    accounts = Account.__table__
    passwords = PortalPassword.__table__
    with_hash = exists().where(accounts.c.id == passwords.c.account_id, accounts.c.password_hash.is_not(None))
    return connection.execute(delete(passwords).where(with_hash)).rowcount or 0
