"""`portal sync ss12000`, and the sync's part of `portal worker --loop` and `--status`."""

from __future__ import annotations

import datetime as dt
import logging

import click
from flask import current_app
from flask.cli import AppGroup

from ...database import upgrade
from ...importer.result import NOUNS, counted
from ...importer.rows import STOCKHOLM
from .config import read_config
from .state import last_sync
from .sync import SUMMARY_LISTS

log = logging.getLogger(__name__)

_OUTCOMES = {"ok": "lyckades", "refused": "källan godtogs inte", "failed": "avbröts"}


@click.group("sync", cls=AppGroup)
def sync_group() -> None:
    """Läs katalogen från en extern källa."""


@sync_group.command("ss12000")
@click.option("--settings", "settings_path", type=click.Path(dir_okay=False),
              help="Inställningsfil (importformatet, alla listor valfria) som läggs ovanpå det som lästs "
                   "(standard: PORTAL_SS12000_SETTINGS).")
@click.option("--dump", "dump_path", type=click.Path(dir_okay=False, allow_dash=False),
              help="Skriv katalogen som importfil till FILE i stället för att läsa in den.")
@click.option("--full", is_flag=True, help="Läs hela källan, inte bara det som ändrats sedan förra gången.")
def sync_ss12000_command(settings_path: str | None, dump_path: str | None, full: bool) -> None:
    """Läs katalogen från SS 12000 (PORTAL_SS12000_URL) och ersätt katalogen, allt eller inget."""
    from ...cli import Refused
    from .progress import SyncProgress
    from .sync import SyncRefused, run_sync

    config = read_config()
    if config is None:
        raise Refused("PORTAL_SS12000_URL är inte satt: ange adressen till SS 12000-källan.")
    upgrade(current_app._get_current_object())  # type: ignore[attr-defined]
    try:
        result = run_sync(config, settings_path=settings_path, dump_path=dump_path, full=full,
                          progress=SyncProgress())
    except SyncRefused as exc:
        raise Refused(str(exc)) from None
    except (KeyboardInterrupt, SystemExit, click.ClickException):
        raise
    except Exception as exc:  # everything was rolled back; a message, never a traceback
        log.error("ss12000 sync failed unexpectedly: %s", type(exc).__name__)
        raise Refused(f"Synkroniseringen avbröts av ett oväntat fel ({type(exc).__name__}); inget ändrades.") \
            from None
    if result is not None:  # (always: only the worker's schedule skips)
        click.echo(result.summary())


def sync_if_due() -> str | None:
    """In `portal worker --loop`: a sync when PORTAL_SS12000_URL is set and the last one started at
    least PORTAL_SS12000_INTERVAL seconds ago, unless another worker runs it. The summary, or None."""
    from .sync import SyncRefused, run_sync

    config = read_config()
    if config is None:
        return None
    due_since = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=config.interval)
    try:
        result = run_sync(config, due_since=due_since)
    except SyncRefused as exc:
        log.warning("ss12000 sync failed")
        return f"Fel: {exc}"
    except Exception as exc:  # rolled back; the worker goes on with the queue and the mail
        log.error("ss12000 sync failed unexpectedly: %s", type(exc).__name__)
        return f"Fel: synkroniseringen avbröts av ett oväntat fel ({type(exc).__name__}); inget ändrades."
    return result.summary() if result is not None else None


def describe_last_sync() -> str:
    """`portal worker --status`'s lines about the sync ("" when it has never run)."""
    from ...extensions import db

    last = last_sync(db.engine)
    if last is None:
        return ""
    def when(moment: dt.datetime | None) -> str:
        if moment is None:
            return "aldrig"
        moment = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
        return moment.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M:%S")

    lines = ["Synkronisering från SS 12000:"]
    if last.running:
        lines.append(f"  pågår, startade {when(last.started_at)}")
    elif last.outcome is not None:
        lines.append(f"  senaste: {when(last.finished_at)}, {_OUTCOMES.get(last.outcome, last.outcome)}")
    lines.append(f"  senast lyckad: {when(last.succeeded_at)}")
    if last.counts:
        lines.append("  " + ", ".join(counted(last.counts.get(attr, 0), singular, plural)
                                      for attr, singular, plural in NOUNS if attr in SUMMARY_LISTS))
    return "\n".join(lines)
