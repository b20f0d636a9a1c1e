"""GET /metrics in the Prometheus text format (docs/contracts/README.md, "Running in production").

Only with `Authorization: Bearer <PORTAL_METRICS_TOKEN>`; without that variable, or with another token, the
answer is the portal's ordinary 404 page. Under gunicorn `PROMETHEUS_MULTIPROC_DIR` (set by
deploy/gunicorn.conf.py before any worker starts) makes prometheus_client keep each process's counts in a
file there, and a scrape sums them over every process of that gunicorn master.

- `portal_http_requests_total{endpoint,status}`: counted per request (the route's endpoint name, never
  its path; `none` when no route matched), a few microseconds and no database statement.
- `portal_jobs{status}`, `portal_outbox{status}`, `portal_outbox_oldest_unsent_seconds`,
  `portal_cases_total` (cases stored now) and `portal_sync_last_success_timestamp_seconds`: read from the
  database when scraped (a handful of aggregate statements), the same for every process.

No label holds a personal detail: endpoint names, status codes and the tables' status words only.
"""

from __future__ import annotations

import datetime as dt
import hmac
import os
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from flask import Blueprint, Response, abort, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import Select, func, select

from .extensions import db
from .models import Case, Job, OutboxMessage

bp = Blueprint("metrics", __name__)

JOB_STATUSES = ("queued", "running", "done", "failed")
OUTBOX_STATUSES = ("pending", "sending", "sent", "failed")

_LOCAL = CollectorRegistry(auto_describe=True)  # this process's counters (outside multiprocess mode)
REQUESTS = Counter("portal_http_requests", "HTTP requests answered, by the route's endpoint name and status.",
                   ("endpoint", "status"), registry=_LOCAL)

# When the directory was last synchronised (SS 12000), as a Unix time; None: never. A sync module sets it
# with `set_sync_source` (a function reading its own record of the last successful run from the database).
_sync_source: Callable[[], float | None] | None = None


def set_sync_source(source: Callable[[], float | None]) -> None:
    """Register where `portal_sync_last_success_timestamp_seconds` comes from (called at app start by the
    sync's module); it is called at scrape time inside the app context."""
    global _sync_source
    _sync_source = source


def request_counter() -> Callable[[str, int], None]:
    """`count(endpoint, status)` for the request hook (portal/logs.py): label children cached."""
    children: dict[tuple[str, int], Callable[[], None]] = {}

    def count(endpoint: str, status: int) -> None:
        child = children.get((endpoint, status))
        if child is None:
            child = children[(endpoint, status)] = REQUESTS.labels(endpoint, str(status)).inc
        child()

    return count


def _by_status(statement: Select[str, int]) -> dict[str, int]:
    return {str(row[0]): int(row[1]) for row in db.session.execute(statement)}


def _by_status_gauge(name: str, documentation: str, column: Any, statuses: Iterable[str]) -> GaugeMetricFamily:
    """One gauge per status of `column`'s table, every known status present (0 when no row has it)."""
    gauge = GaugeMetricFamily(name, documentation, labels=["status"])
    counts = dict.fromkeys(statuses, 0)
    counts.update(_by_status(select(column, func.count()).group_by(column)))
    for status, n in sorted(counts.items()):
        gauge.add_metric([status], n)
    return gauge


class DatabaseCollector:
    """The gauges read from the database at scrape time."""

    def collect(self) -> Iterator[Metric]:
        yield _by_status_gauge("portal_jobs", "Jobs in the queue by status.", Job.status, JOB_STATUSES)
        yield _by_status_gauge("portal_outbox", "Messages in the outbox by status.", OutboxMessage.status,
                               OUTBOX_STATUSES)

        oldest = db.session.execute(select(func.min(OutboxMessage.created_at))
                                    .where(OutboxMessage.status.in_(("pending", "sending")))).scalar()
        age = 0.0
        if oldest is not None:
            stamp = oldest.timestamp() if oldest.tzinfo else oldest.replace(tzinfo=dt.UTC).timestamp()
            age = max(time.time() - stamp, 0.0)
        yield GaugeMetricFamily("portal_outbox_oldest_unsent_seconds",
                                "Age of the oldest message not yet sent (0 when none waits).", value=age)

        cases = db.session.execute(select(func.count()).select_from(Case)).scalar_one()
        yield GaugeMetricFamily("portal_cases_total", "Cases stored (purged ones no longer count).", value=cases)

        last = _sync_source() if _sync_source is not None else None
        yield GaugeMetricFamily("portal_sync_last_success_timestamp_seconds",
                                "When the directory sync last succeeded (Unix time; 0: never).", value=last or 0)


class _LocalCollector:
    def collect(self) -> Iterator[Metric]:
        yield from _LOCAL.collect()


def exposition() -> bytes:
    """Every metric, summed over the processes of this gunicorn master in multiprocess mode."""
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        registry.register(_LocalCollector())
    registry.register(DatabaseCollector())
    try:
        return generate_latest(registry)
    finally:
        db.session.remove()


def authorised() -> bool:
    token = current_app.config.get("PORTAL_METRICS_TOKEN")
    given = request.headers.get("Authorization", "")
    return bool(token) and hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


@bp.get("/metrics")
def metrics() -> Response:
    if not authorised():
        abort(404)
    return Response(exposition(), status=200, headers={"Content-Type": CONTENT_TYPE_LATEST,
                                                       "Cache-Control": "no-store"})
