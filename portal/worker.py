"""The worker (PRODUCT.md N3; docs/contracts/README.md `portal worker`): the diagnosis half here, then
the outbox's delivery (portal/mail/delivery.py).

Each queued job is claimed atomically (a conditional update whose row count decides), diagnosed
with the same code as `portal diagnose`, and its findings, matched account and route stored on the
case; the outbox rows are written and the identifier erased from the job, all in one transaction.
A job that fails is retried with growing back-off and never lost.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import delete, or_, select, update

from checks.engine import EXTERNAL_CHECK, Diagnosis
from checks.identifiers import Identifier

from . import diagnosis, statistics, stopping
from .extensions import db
from .mail.delivery import DeliveryRun, deliver
from .models import Case, CaseEvent, CaseFinding, Job, OutboxMessage
from .models.cases import utcnow

log = logging.getLogger(__name__)

BACKOFF = (30, 120, 600, 1800, 3600)  # seconds before attempt 2, 3, …; then hourly, never dropped


@dataclass
class QueueRun:
    processed: int = 0
    failed: int = 0


def claim_next() -> Job | None:
    """Take the oldest due job, or a stale running one; None when there is nothing to do."""
    now = utcnow()
    # a job "running" this long belonged to a worker that died (PORTAL_JOB_STALE_AFTER, portal/operations.py)
    stale_after = dt.timedelta(seconds=int(current_app.config["PORTAL_JOB_STALE_AFTER"]))
    due = or_(
        (Job.status == "queued") & (Job.run_after <= now),
        (Job.status == "running") & (Job.claimed_at < now - stale_after),
    )
    for job_id in db.session.scalars(select(Job.id).where(due).order_by(Job.id).limit(5)):
        result = db.session.execute(
            update(Job).where(Job.id == job_id, due)
            .values(status="running", claimed_at=now, attempts=Job.attempts + 1)
        )
        claimed = result.rowcount  # type: ignore[attr-defined]
        db.session.commit()
        if claimed == 1:
            return db.session.get(Job, job_id)
    return None


def process_queue(limit: int | None = None) -> QueueRun:
    """Process due jobs until none is left (or `limit` were taken), after the staff inbox's waiting
    sign-in requests (portal/inbox/auth.py: a link for an address a contact has)."""
    from .inbox.auth import process_sign_in_requests

    process_sign_in_requests()
    run = QueueRun()
    while (limit is None or run.processed + run.failed < limit) and not stopping.requested.is_set():
        job = claim_next()
        if job is None:
            break
        try:
            process(job)
            run.processed += 1
        except Exception as exc:  # noqa: BLE001 - any fault: keep the job, try again later
            db.session.rollback()
            _postpone(job.id, exc)
            run.failed += 1
    return run


def _postpone(job_id: int, exc: Exception) -> None:
    job = db.session.get(Job, job_id)
    if job is None:  # pragma: no cover - jobs are never deleted while queued
        return
    delay = BACKOFF[min(job.attempts - 1, len(BACKOFF) - 1)]
    job.status = "queued"
    job.run_after = utcnow() + dt.timedelta(seconds=delay)
    job.last_error = type(exc).__name__  # never the message: it may quote personal data
    db.session.commit()
    log.warning("job %s failed (%s); attempt %s, next in %s s", job_id, type(exc).__name__, job.attempts, delay)


def process(job: Job) -> None:
    case = db.session.get(Case, job.case_id)
    assert case is not None and job.identifier is not None
    kind, _, value = job.identifier.partition(":")
    question = diagnosis.question(case.role, case.service, case.symptom, case.place,
                                  diagnosis.moment(None)[0])
    outcome = diagnosis.diagnose_question(question, Identifier(kind, value))
    result, snap = outcome.diagnosis, outcome.snapshot

    _count(case, result, snap.organisation.id)
    db.session.execute(delete(CaseFinding).where(CaseFinding.case_id == case.id))
    db.session.add_all(
        CaseFinding(case_id=case.id, position=i, check=f.check, outcome=f.outcome, visibility=f.visibility,
                    route=f.route)
        for i, f in enumerate(result.findings)
    )
    account = snap.subject.account if snap.subject and result.matched else None
    case.organisation_id = snap.organisation.id
    case.matched = result.matched
    case.matched_account_id = account.id if account else None
    case.self_service = result.self_service
    case.route_kind = result.route_kind
    case.route_name = outcome.contact.name if outcome.contact else None
    case.route_email = outcome.contact.email if outcome.contact else None
    if case.status not in ("resolved", "passed_on"):
        case.status = "self_served" if result.self_service else "open"
    case.updated_at = utcnow()

    for template, address, context in messages(case, outcome, job.typed_email, send_mail=job.send_mail,
                                               locale=job.locale):
        db.session.add(OutboxMessage(case_id=case.id, job_id=job.id, template=template, to_address=address,
                                     context=context))
    # the request that queued the job wrote no event (portal/recording.py: its one lean write); its
    # "received" is written here, at the moment the job was queued
    db.session.add(CaseEvent(case_id=case.id, at=job.created_at, actor="portal", action="received"))
    db.session.add(CaseEvent(case_id=case.id, actor="worker", action="diagnosed",
                             detail=result.route_kind or "self_service"))
    job.identifier = None
    job.typed_email = None
    job.status = "done"
    db.session.commit()


def _count(case: Case, result: Diagnosis, organisation: str) -> None:
    """The statistics (portal/statistics.py): this diagnosis counted, a previous one of the same case
    (a second job for it) taken back first. Called before the case's fields are overwritten."""
    earlier: list[tuple[statistics.CaseShape, Counter[str]]] = []
    if case.matched is not None:  # diagnosed before: its stored findings are counted
        before = db.session.scalars(select(CaseFinding.check).where(CaseFinding.case_id == case.id,
                                                                    CaseFinding.outcome == "fail"))
        taken_back = statistics.metrics(case.self_service, before)
        earlier.append((statistics.CaseShape(case.created_at, case.place, case.organisation_id, case.service),
                        Counter({metric: -n for metric, n in taken_back.items()})))
    counted = statistics.metrics(result.self_service, (f.check for f in result.findings if f.outcome == "fail"))
    statistics.add(statistics.CaseShape(case.created_at, case.place, organisation, case.service), counted, *earlier)


def messages(case: Case, outcome: diagnosis.Outcome, typed_email: str | None, *,
             send_mail: bool = True, locale: str = "sv") -> list[tuple[str, str, dict]]:
    """The outbox rows for one diagnosis (PRODUCT.md step 6 and N4).

    - the matched account's first registered address gets the personal findings (and, where the
      remedy is self-service, a reset link, made when the message is rendered);
    - a typed e-mail address that matches no account gets "no account at this address", or, where
      the school's accounts are managed outside the portal, the public guidance instead;
    - the routed contact gets a notification with a link, never the findings, once per case and
      address (the same question asked again the same day reuses the case and tells nobody twice).

    Over the identifier's or the typed address's rate limit (`send_mail` False) nothing goes to the
    person; the contact is still told about a case they have not heard of. The person's messages are
    written in the language of the pages they used (`locale`); the contact's in Swedish.
    """
    result, snap = outcome.diagnosis, outcome.snapshot
    found: list[tuple[str, str, dict]] = []
    external = any(f.check == EXTERNAL_CHECK and f.outcome == "fail" for f in result.findings)
    base = {"reference": case.reference}
    own = {**base, "locale": locale}  # the person's own messages
    if not send_mail:
        pass
    elif result.matched and snap.subject is not None and snap.subject.person.emails:
        found.append(("personal_findings", snap.subject.person.emails[0],
                      {**own, "reset": result.self_service,
                       "account": snap.subject.account.id if snap.subject.account else None}))
    elif typed_email is not None:
        found.append(("public_guidance" if external else "no_account", typed_email, own))
    if not result.self_service and outcome.contact is not None and not _told(case.id, outcome.contact.email):
        found.append(("contact_notification", outcome.contact.email, {**base, "kind": result.route_kind}))
    return found


def _told(case_id: int, address: str) -> bool:
    return db.session.execute(
        select(OutboxMessage.id).where(OutboxMessage.case_id == case_id,
                                       OutboxMessage.template == "contact_notification",
                                       OutboxMessage.to_address == address).limit(1)
    ).first() is not None


def work_once() -> tuple[QueueRun, DeliveryRun]:
    """One round of `portal worker`: the due jobs and the staff's sign-in requests, then the due outbox
    rows (those just written too)."""
    queue = process_queue()
    return queue, deliver()


def describe(queue: QueueRun, mail: DeliveryRun) -> str:
    return (f"Kön: {queue.processed} ärenden behandlade, {queue.failed} försöks igen senare. "
            f"Utkorgen: {mail.sent} brev skickade, {mail.retrying} försöks igen senare, "
            f"{mail.failed} misslyckades.")


def start_background_worker(app: object, interval: float = 2.0) -> threading.Thread:
    """`portal run --worker`: the queue and the outbox in a daemon thread beside the development server."""

    def loop() -> None:
        while True:
            try:
                with app.app_context():  # type: ignore[attr-defined]
                    work_once()
                    db.session.remove()
            except Exception:  # noqa: BLE001 - e.g. the database restarting: wait and go on
                log.exception("the background worker could not process the queue or the outbox")
            time.sleep(interval)

    thread = threading.Thread(target=loop, name="portal-worker", daemon=True)
    thread.start()
    return thread
