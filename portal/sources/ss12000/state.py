"""The sync's row in sync_state: a lease (a conditional UPDATE, the same on SQLite and PostgreSQL)
so that one sync runs at a time across every worker and host, and the last outcome for
`portal worker --status`. A worker that dies holding the lease loses it when it expires."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import uuid
from dataclasses import dataclass

from sqlalchemy import Engine, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from ...models import SyncState

NAME = "ss12000"
LEASE = dt.timedelta(minutes=10)  # renewed at every page

_state = SyncState.__table__


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def owner_id() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _ensure_row(engine: Engine) -> None:
    with engine.begin() as connection:
        if connection.execute(select(_state.c.name).where(_state.c.name == NAME)).first() is None:
            try:
                with connection.begin_nested():
                    connection.execute(insert(_state).values(name=NAME))
            except IntegrityError:  # another process made it meanwhile
                pass


class Lease:
    def __init__(self, engine: Engine, owner: str) -> None:
        self.engine = engine
        self.owner = owner

    def take(self, not_if_since: dt.datetime | None = None) -> bool:
        """Take the lease if nobody holds it (and, with `not_if_since`, no sync started after that)."""
        _ensure_row(engine=self.engine)
        now = _now()
        condition = [_state.c.name == NAME, or_(_state.c.locked_until.is_(None), _state.c.locked_until < now)]
        if not_if_since is not None:
            condition.append(or_(_state.c.started_at.is_(None), _state.c.started_at <= not_if_since))
        with self.engine.begin() as connection:
            taken = connection.execute(update(_state).where(*condition).values(
                locked_by=self.owner, locked_until=now + LEASE, started_at=now)).rowcount
        return taken == 1

    def renew(self) -> bool:
        """Hold the lease longer; False when it was lost (it expired and another process took it)."""
        with self.engine.begin() as connection:
            return connection.execute(update(_state).where(_state.c.name == NAME, _state.c.locked_by == self.owner)
                                      .values(locked_until=_now() + LEASE)).rowcount == 1

    def release(self, outcome: str, mode: str | None, counts: dict[str, int] | None,
                watermark: str | None) -> None:
        values: dict[str, object] = {"locked_by": None, "locked_until": None, "finished_at": _now(),
                                     "outcome": outcome, "mode": mode}
        if outcome == "ok":
            values.update(succeeded_at=values["finished_at"], counts=json.dumps(counts or {}), watermark=watermark)
        with self.engine.begin() as connection:
            connection.execute(update(_state).where(_state.c.name == NAME, _state.c.locked_by == self.owner)
                               .values(**values))


def watermark(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return connection.execute(select(_state.c.watermark).where(_state.c.name == NAME)).scalar()


@dataclass
class LastSync:
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    succeeded_at: dt.datetime | None
    outcome: str | None
    mode: str | None
    counts: dict[str, int]
    running: bool


def last_sync(engine: Engine) -> LastSync | None:
    with engine.connect() as connection:
        row = connection.execute(select(_state).where(_state.c.name == NAME)).first()
    if row is None or row.started_at is None:
        return None
    locked_until = row.locked_until
    if locked_until is not None and locked_until.tzinfo is None:
        locked_until = locked_until.replace(tzinfo=dt.UTC)
    return LastSync(row.started_at, row.finished_at, row.succeeded_at, row.outcome, row.mode,
                    json.loads(row.counts) if row.counts else {},
                    running=row.locked_by is not None and locked_until is not None and locked_until > _now())


def last_success_timestamp() -> float | None:
    """For /metrics (portal_sync_last_success_timestamp_seconds): when the last sync succeeded, Unix time."""
    from ...extensions import db

    last = last_sync(db.engine)
    if last is None or last.succeeded_at is None:
        return None
    stamp = last.succeeded_at
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.UTC)
    return stamp.timestamp()
