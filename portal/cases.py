"""Recording a case and queueing its one job: all the request may do (PRODUCT.md N3).

The work here is the same whatever was typed: three keyed hashes, one look-up of today's case for
the same question (role, service, symptom, place and identifier), and the writes. Matching the account, the private checks,
the route and every message happen in the worker.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import bindparam, insert, select
from sqlalchemy.exc import IntegrityError

from checks.identifiers import Identifier, mask, normalise_email
from checks.snapshot import Question

from . import ratelimit
from .extensions import db
from .models import Case, CaseEvent, Job
from .models.cases import utcnow

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_reference() -> str:
    """8 characters of Crockford base32 (40 random bits), stored without the dash."""
    return "".join(secrets.choice(CROCKFORD) for _ in range(8))


def show_reference(reference: str) -> str:
    return f"{reference[:4]}-{reference[4:]}"


def keyed_hash(*parts: str) -> str:
    """HMAC-SHA256 with the portal's secret; what a case keeps instead of the identifier."""
    key = current_app.config["SECRET_KEY"].encode("utf-8")
    return hmac.new(key, "\x1f".join(parts).encode("utf-8"), hashlib.sha256).hexdigest()


def identifier_key(ident: Identifier) -> str:
    return keyed_hash("identifier", ident.kind, ident.value)


def same_day_key(q: Question, ident_hash: str) -> str:
    """One case per distinct question within a Stockholm day: the role, the service, the symptom,
    the place and the identifier (its keyed hash) asked about on `q.today`. A second question that
    differs in any of them (a teacher asking about the learning platform, then about the assessment
    portal) is a case of its own, with its own diagnosis, route and contact (issue 16 row 4)."""
    return keyed_hash("same-day-question", ident_hash, q.role, q.service, q.symptom, q.place, q.today.isoformat())


# built once: the request's statements, executed with their parameters (columns left out take their
# defaults from the tables)
_TODAYS_CASE = select(Case.__table__.c.id, Case.__table__.c.reference).where(
    Case.__table__.c.same_day_key == bindparam("key"))
_NEW_CASE = insert(Case.__table__).returning(Case.__table__.c.id)
_NEW_JOB = insert(Job.__table__)
_NEW_EVENT = insert(CaseEvent.__table__)


@dataclass(frozen=True)
class Recorded:
    """What the request keeps of the case it recorded: its id and its reference."""

    id: int
    reference: str


def open_case(q: Question, ident: Identifier, *, typed_email: str | None = None, locale: str = "sv") -> Recorded:
    """Record (or reuse today's) case and queue one job for the worker, in one transaction.

    Three keyed hashes, whatever was typed: the identifier's, the typed address's (the identifier's
    own hash stands in when no address was typed) and the same-day key. The first two are counted
    against their rate limits; over either, the job is queued with `send_mail=False`.

    The statements are plain Core inserts (no unit of work, nothing loaded back after the commit):
    this is the one write every request makes, and it sets the public flow's throughput.
    """
    ident_hash = identifier_key(ident)
    address_hash = keyed_hash("typed-email", normalise_email(typed_email) if typed_email else ident_hash)
    send_mail = ratelimit.mail_allowed(ident_hash, address_hash)
    day_key = same_day_key(q, ident_hash)
    for _attempt in range(3):
        now = utcnow()
        connection = db.session.connection()
        found = connection.execute(_TODAYS_CASE, {"key": day_key}).first()
        if found is None:
            reference = new_reference()
            try:
                case_id = connection.execute(_NEW_CASE, {
                    "reference": reference, "created_at": now, "updated_at": now, "role": q.role,
                    "service": q.service, "symptom": q.symptom, "place": q.place, "identifier_hash": ident_hash,
                    "identifier_masked": mask(ident), "same_day_key": day_key,
                }).scalar_one()
            except IntegrityError:  # another request made today's case (or took the reference) first
                db.session.rollback()
                continue
        else:
            case_id, reference = found
        connection.execute(_NEW_JOB, {
            "case_id": case_id, "identifier": f"{ident.kind}:{ident.value}", "typed_email": typed_email,
            "send_mail": send_mail, "locale": locale, "run_after": now, "created_at": now})
        connection.execute(_NEW_EVENT, {"case_id": case_id, "at": now, "actor": "portal", "action": "received"})
        db.session.commit()
        return Recorded(id=int(case_id), reference=str(reference))
    raise RuntimeError("could not record the case")
