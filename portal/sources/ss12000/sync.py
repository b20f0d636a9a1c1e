"""One sync: take the lease, fetch every resource into the run's staged rows (page by page, committed
as they come), then in one transaction lay them over the mirror, map the mirror and load the result
through the importer's loader: all of it or nothing."""

from __future__ import annotations

import datetime as dt
import json
import logging
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

from sqlalchemy import Connection

from ...extensions import db
from ...importer import ImportRefused
from ...importer.errors import show
from ...importer.load import RecordFeed, replace_directory
from ...importer.loader import Loader
from ...importer.result import NOUNS, ImportResult, counted
from ...importer.rows import today_in_stockholm
from ...importer.schema import LISTS
from . import staging
from .client import Client, NotSupported, PageExpired, SourceFailed
from .config import SyncConfig
from .explain import explain_refusal
from .mapping import Mapper
from .progress import SyncProgress
from .settings import Settings, load_settings
from .state import Lease, owner_id, watermark

# what /deletedEntities calls each resource we read ("activitites" as spelt in SS 12000 v2.1)
DELETED_KEYS = {"organisations": ("organisations",), "persons": ("persons",), "duties": ("duties",),
                "groups": ("groups",), "activities": ("activities", "activitites")}
DELETED_ENTITIES = ["Organisation", "Person", "Duty", "Group", "Activity"]
SKEW = dt.timedelta(minutes=5)  # the next incremental run asks from this long before this one began
log = logging.getLogger(__name__)
SUMMARY_LISTS = ("organisations", "schools", "persons", "roles", "guardianships", "groups", "contacts")


class SyncRefused(Exception):
    """The sync changed nothing; str() is a Swedish sentence naming the resource and the record."""


@dataclass
class SyncResult:
    counts: dict[str, int]
    mode: str  # "full" or "incremental"
    settings: str  # what the settings file changed, in Swedish
    dumped: str | None = None

    def summary(self) -> str:
        how = "hela källan lästes" if self.mode == "full" else "bara ändringar sedan förra gången hämtades"
        parts = [counted(self.counts.get(attr, 0), singular, plural)
                 for attr, singular, plural in NOUNS if attr in SUMMARY_LISTS]
        head = f"Katalogen skrevs till {self.dumped}" if self.dumped else "Katalogen synkroniserad från SS 12000"
        text = f"{head} ({how}): " + ", ".join(parts) + "."
        return text + (" " + self.settings if self.settings else "")


def run_sync(config: SyncConfig, *, settings_path: str | None = None, dump_path: str | None = None,
             full: bool = False, progress: SyncProgress | None = None,
             sleep: Callable[[float], None] = time.sleep, due_since: dt.datetime | None = None) -> SyncResult | None:
    """Raises SyncRefused (nothing changed) or returns the SyncResult. With `due_since` (the worker's
    schedule): None, doing nothing, when another sync runs or one started after that moment."""
    bar = progress if progress is not None else SyncProgress(enabled=False)
    try:
        settings = load_settings(settings_path or config.settings)
    except ImportRefused as exc:
        raise SyncRefused(str(exc)) from None
    engine = db.engine
    lease = Lease(engine, owner_id())
    if not lease.take(not_if_since=due_since):
        if due_since is not None:
            return None
        raise SyncRefused("En annan synkronisering från SS 12000 pågår redan; försök igen när den är klar.")
    stage = staging.Stage(engine, str(uuid.uuid4()))
    outcome, mode, counts, mark = "failed", None, None, None
    try:
        staging.discard_abandoned(engine)
        began = dt.datetime.now(dt.UTC)
        with Client(config, sleep=sleep) as client:
            mode = _fetch(client, stage, lease, bar, None if full or dump_path else watermark(engine))
        result = _load(config, stage.run, mode == "full", settings, bar, dump_path)
        outcome, counts = "ok", result.counts
        mark = (began - SKEW).isoformat().replace("+00:00", "Z")
        return result
    except SourceFailed as exc:
        bar.abort()
        raise SyncRefused(f"Synkroniseringen avbröts, inget ändrades: {exc}") from None
    except ImportRefused as exc:
        outcome = "refused"
        bar.abort()
        raise SyncRefused(f"SS 12000-källan godtogs inte, inget ändrades: {exc}") from None
    finally:
        stage.discard()
        lease.release(outcome, mode, counts, mark if not dump_path else watermark(engine))
        # no identifier, name or address: the outcome, the mode and the counts only
        log.info("ss12000 sync: %s, %s, %s", outcome, mode or "-",
                 " ".join(f"{name}={count}" for name, count in (counts or {}).items()))


def _fetch(client: Client, stage: staging.Stage, lease: Lease, bar: SyncProgress, since: str | None) -> str:
    """Stage every resource (or what changed since `since`); "full" or "incremental"."""
    if since is not None and staging.has_mirror(db.session.connection()):
        db.session.rollback()
        try:
            # deletions first: a record deleted and made again since then is staged as it is now
            _fetch_deleted(client, stage, lease, bar, since)
            for resource in staging.RESOURCES:
                _fetch_resource(client, stage, lease, bar, resource, {"meta.modified.after": since})
            return "incremental"
        except NotSupported:
            stage.discard()  # the source cannot say what changed: read it all
    db.session.rollback()
    for resource in staging.RESOURCES:
        _fetch_resource(client, stage, lease, bar, resource, {})
    return "full"


def _fetch_resource(client: Client, stage: staging.Stage, lease: Lease, bar: SyncProgress, resource: str,
                    params: dict[str, Any]) -> None:
    for attempt in (1, 2):
        pages = records = 0
        try:
            for page in client.pages(resource, params):
                rows = staging.reduce_page(resource, page)
                stage.write(resource, list(rows))
                pages, records = pages + 1, records + len(rows)
                _renew(lease)
                bar.page(resource, pages, records)
        except PageExpired:
            if attempt == 2:
                raise SourceFailed(f"/{resource} svarade 410 (sidan finns inte längre) två gånger; "
                                   "resursen lästes om en gång.") from None
            stage.forget(resource)
            continue
        bar.page(resource, pages, records, done=True)
        return


def _renew(lease: Lease) -> None:
    if not lease.renew():
        raise SourceFailed("synkroniseringen tappade sitt lås (den stod still längre än låsets tid) och en annan "
                           "har tagit över.")


def _fetch_deleted(client: Client, stage: staging.Stage, lease: Lease, bar: SyncProgress, since: str) -> None:
    pages = records = 0
    for page in client.pages("deletedEntities", {"after": since, "entities": DELETED_ENTITIES}):
        data = page.get("data")
        if not isinstance(data, dict):
            raise SourceFailed("/deletedEntities svarade med data som inte är ett objekt.")
        for resource, keys in DELETED_KEYS.items():
            ids = [i for key in keys for i in (data.get(key) or []) if isinstance(i, str) and 0 < len(i) <= 128]
            stage.write(resource, [(i, None) for i in ids])
            records += len(ids)
        pages += 1
        _renew(lease)
        bar.page("deletedEntities", pages, records)
    bar.page("deletedEntities", pages, records, done=True)


def _load(config: SyncConfig, run: str, full: bool, settings: Settings, bar: SyncProgress,
          dump_path: str | None) -> SyncResult:
    mapper = Mapper(config.services, today_in_stockholm())
    mode = "full" if full else "incremental"
    if dump_path is not None:
        return _dump(mapper, run, full, settings, dump_path, mode)
    origin: list[tuple[str, str]] = [("", "")]

    def fill(loader: Loader, connection: Connection) -> None:
        staging.apply(connection, run, full=full)
        feed = RecordFeed(loader)
        loading = bar.loading()

        def send(list_name: str, record: dict[str, Any], where: tuple[str, str]) -> None:
            origin[0] = where
            feed.send(list_name, record)
            if not feed.total() & 1023:
                loading.update(0, feed.total())

        emit = settings.merging(send)
        mapper.run(lambda resource: staging.read(connection, resource),
                   lambda resource, ids: staging.read_some(connection, resource, ids), emit)
        settings.add_rest(emit)
        feed.finish()
        loading.finish(0, feed.total())

    def explain(exc: BaseException, connection: Connection) -> ImportRefused | None:
        if isinstance(exc, ImportRefused):
            return explain_refusal(str(exc), origin[0], connection)
        return None

    result: ImportResult = replace_directory(fill, bar.loading(), explain=explain)
    return SyncResult(result.counts(), mode, settings.describe())


def _dump(mapper: Mapper, run: str, full: bool, settings: Settings, path: str, mode: str) -> SyncResult:
    """Write the merged directory as an import file; the mirror is left as it was."""
    connection = db.session.connection()
    spools: dict[str, IO[str]] = {name: tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115
                                  for name in LISTS}
    counts = dict.fromkeys(LISTS, 0)
    try:
        staging.apply(connection, run, full=full)

        def send(list_name: str, record: dict[str, Any], where: tuple[str, str]) -> None:
            spool = spools[list_name]
            spool.write(("," if counts[list_name] else "") + "\n  " + json.dumps(record, ensure_ascii=False))
            counts[list_name] += 1

        emit = settings.merging(send)
        mapper.run(lambda resource: staging.read(connection, resource),
                   lambda resource, ids: staging.read_some(connection, resource, ids), emit)
        settings.add_rest(emit)
        try:
            with open(path, "w", encoding="utf-8") as out:
                out.write('{"format": 1')
                for name, spool in spools.items():
                    out.write(f',\n"{name}": [')
                    spool.seek(0)
                    while chunk := spool.read(1 << 16):
                        out.write(chunk)
                    out.write("\n]" if counts[name] else "]")
                out.write("}\n")
        except OSError as exc:
            raise ImportRefused(f"Filen {show(path)} gick inte att skriva ({exc.strerror or exc}).") from None
    finally:
        db.session.rollback()
        for spool in spools.values():
            spool.close()
    return SyncResult(counts, mode, settings.describe(), dumped=path)
