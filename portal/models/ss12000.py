"""What `portal sync ss12000` keeps between runs (portal/sources/ss12000/). Not part of the directory:
an import or a sync never empties these tables."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class Ss12000Record(db.Model):  # type: ignore[name-defined]
    """One SS 12000 record, reduced to the fields the mapping reads (compact JSON in `body`).

    `run` is "mirror" for the source as of the last successful sync (what an incremental run
    updates), or a sync's own id for the pages it has fetched so far; `body` NULL in a run's rows
    means the source deleted that record (/deletedEntities)."""

    __tablename__ = "ss12000_records"
    run: Mapped[str] = mapped_column(String(36), primary_key=True)
    resource: Mapped[str] = mapped_column(String(16), primary_key=True)
    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    body: Mapped[str | None] = mapped_column(Text)


class SyncState(db.Model):  # type: ignore[name-defined]
    """One row per source ("ss12000"): the lease that keeps two syncs from running at once across
    every worker and host, and the time, outcome and counts of the last sync."""

    __tablename__ = "sync_state"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    locked_by: Mapped[str | None] = mapped_column(String(64))
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    succeeded_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str | None] = mapped_column(String(16))  # ok, refused, failed
    mode: Mapped[str | None] = mapped_column(String(16))  # full, incremental
    counts: Mapped[str | None] = mapped_column(Text)  # JSON: records per list of the last success
    watermark: Mapped[str | None] = mapped_column(String(40))  # meta.modified.after for the next run
