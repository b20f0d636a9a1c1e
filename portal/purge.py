"""Retention (`portal purge`): what the portal keeps no longer than it needs.

- cases created more than `PORTAL_CASE_RETENTION_DAYS` days ago, with their findings, history
  (events), jobs and outbox rows; outbox rows that belong to no case (sign-in links) after as long;
- spent tokens older than the longest token lifetime (a token that old is refused as expired
  anyway, so its row no longer protects anything);
- staff sessions past their idle or absolute timeout;
- sign-in requests that no worker took within a sign-in link's lifetime (the typed address).

Children go before their case, all in one transaction. Times come from the portal's clock (portal/clock.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, delete, func, select

from . import clock, tokens
from .extensions import db
from .inbox import sessions
from .models import Case, CaseEvent, CaseFinding, Job, OutboxMessage, SignInRequest, SpentToken, StaffSession


@dataclass(frozen=True)
class Purged:
    findings: int = 0
    events: int = 0
    jobs: int = 0
    outbox: int = 0
    cases: int = 0
    tokens: int = 0
    sessions: int = 0
    requests: int = 0

    def summary(self, *, dry_run: bool = False) -> str:
        head = "Skulle rensa" if dry_run else "Rensat"
        return (f"{head}: {self.cases} ärenden med {self.findings} kontrollresultat, {self.events} händelser i "
                f"historiken, {self.jobs} jobb och {self.outbox} meddelanden i utkorgen; {self.tokens} använda "
                f"länkar; {self.sessions} utgångna inloggningar i inkorgen; {self.requests} obehandlade "
                f"begäranden om inloggningslänk.")


def _targets(now: dt.datetime) -> dict[str, tuple[Any, ColumnElement[bool]]]:
    cutoff = now - dt.timedelta(days=int(current_app.config["PORTAL_CASE_RETENTION_DAYS"]))
    old_cases = select(Case.id).where(Case.created_at < cutoff).scalar_subquery()
    longest = max(tokens.lifetime(purpose) for purpose in tokens.LIFETIMES)
    outbox = (OutboxMessage.case_id.in_(old_cases)
              | (OutboxMessage.case_id.is_(None) & (OutboxMessage.created_at < cutoff)))
    return {
        "findings": (CaseFinding, CaseFinding.case_id.in_(old_cases)),
        "events": (CaseEvent, CaseEvent.case_id.in_(old_cases)),
        "jobs": (Job, Job.case_id.in_(old_cases)),
        "outbox": (OutboxMessage, outbox),
        "cases": (Case, Case.created_at < cutoff),  # last: the others select by it
        "tokens": (SpentToken, SpentToken.spent_at < now - dt.timedelta(seconds=longest)),
        "sessions": (StaffSession, sessions.expired_clause(now)),
        "requests": (SignInRequest,
                     SignInRequest.created_at < now - dt.timedelta(seconds=tokens.lifetime("sign-in"))),
    }


def purge(*, dry_run: bool = False) -> Purged:
    """Delete (or with `dry_run` only count) what has outlived its retention; the counts."""
    now = clock.now()
    counts: dict[str, int] = {}
    for name, (model, condition) in _targets(now).items():
        if dry_run:
            counts[name] = int(db.session.scalar(select(func.count()).select_from(model).where(condition)) or 0)
        else:
            result = db.session.execute(delete(model).where(condition).execution_options(synchronize_session=False))
            counts[name] = int(result.rowcount)  # type: ignore[attr-defined]
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    return Purged(**{f.name: counts[f.name] for f in fields(Purged)})
