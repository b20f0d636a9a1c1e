"""What operators and the staff inbox see of the outbox: counts, the oldest waiting message, and the
messages that failed for good. A recipient is only ever shown masked (`a***@exempel.se`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from checks.identifiers import Identifier, mask

from ..clock import aware
from ..extensions import db
from ..models import Job, OutboxMessage

STATUSES = ("pending", "sending", "sent", "failed")


@dataclass(frozen=True)
class FailedMessage:
    id: int
    case_id: int | None
    template: str
    to_masked: str
    attempts: int
    error: str
    at: dt.datetime | None  # when it failed for good


@dataclass(frozen=True)
class OutboxStatus:
    outbox: dict[str, int]
    queue: dict[str, int]
    oldest_pending: dt.datetime | None
    failed: list[FailedMessage]
    failed_total: int


def masked_address(address: str) -> str:
    return mask(Identifier("email", address)) if "@" in address else "***"


def _failed(row: OutboxMessage) -> FailedMessage:
    return FailedMessage(id=row.id, case_id=row.case_id, template=row.template,
                         to_masked=masked_address(row.to_address), attempts=row.attempts,
                         error=row.last_error or "", at=aware(row.next_attempt_at))


def outbox_status(show_failed: int = 50) -> OutboxStatus:
    """Counts by status (outbox and queue), the oldest message not yet sent, the newest failures."""
    outbox = dict.fromkeys(STATUSES, 0)
    outbox.update(db.session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
    queue = dict.fromkeys(("queued", "running", "done", "failed"), 0)
    queue.update(db.session.execute(select(Job.status, func.count()).group_by(Job.status)).all())
    oldest = db.session.scalar(select(func.min(OutboxMessage.created_at))
                               .where(OutboxMessage.status.in_(("pending", "sending"))))
    failed = db.session.scalars(select(OutboxMessage).where(OutboxMessage.status == "failed")
                                .order_by(OutboxMessage.id.desc()).limit(show_failed)).all()
    return OutboxStatus(outbox=outbox, queue=queue, oldest_pending=aware(oldest),
                        failed=[_failed(r) for r in failed], failed_total=outbox["failed"])


def failed_for_case(case_id: int) -> list[FailedMessage]:
    """The case's messages that could not be delivered (e.g. its contact's notification), oldest first."""
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.case_id == case_id,
                                                          OutboxMessage.status == "failed")
                              .order_by(OutboxMessage.id)).all()
    return [_failed(r) for r in rows]


def describe(status: OutboxStatus, at: dt.datetime) -> str:
    """`portal worker --status`, in Swedish like the rest of the command."""
    o, q = status.outbox, status.queue
    lines = [
        f"Kön: {q['queued']} väntar, {q['running']} pågår, {q['done']} klara, {q['failed']} misslyckade.",
        f"Utkorgen: {o['pending']} väntar, {o['sending']} skickas, {o['sent']} skickade, "
        f"{o['failed']} misslyckade.",
    ]
    if status.oldest_pending is not None:
        minutes = max(int((at - status.oldest_pending).total_seconds() // 60), 0)
        lines.append(f"Äldsta brev som inte skickats: {status.oldest_pending:%Y-%m-%d %H:%M} UTC "
                     f"({minutes} min sedan).")
    if status.failed:
        lines.append("Misslyckade brev (id, mall, försök, fel, mottagare):")
        lines += [f"  {f.id}  {f.template}  {f.attempts}  {f.error}  {f.to_masked}" for f in status.failed]
        if status.failed_total > len(status.failed):
            lines.append(f"  … och {status.failed_total - len(status.failed)} till.")
    return "\n".join(lines)
