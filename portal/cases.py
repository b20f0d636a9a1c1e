"""Recording a case and queueing its one job: all the request may do (PRODUCT.md N3).

The work here is the same whatever was typed: two keyed hashes, one look-up of today's case for
the same identifier, place and symptom, and the writes. Matching the account, the private checks,
the route and every message happen in the worker.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from checks.identifiers import Identifier, mask, normalise_email
from checks.snapshot import Question

from . import ratelimit
from .extensions import db
from .models import Case, CaseEvent, Job

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


def open_case(q: Question, ident: Identifier, *, typed_email: str | None = None, locale: str = "sv") -> Case:
    """Record (or reuse today's) case and queue one job for the worker, in one transaction.

    Three keyed hashes, whatever was typed: the identifier's, the typed address's (the identifier's
    own hash stands in when no address was typed) and the same-day key. The first two are counted
    against their rate limits; over either, the job is queued with `send_mail=False`.
    """
    ident_hash = identifier_key(ident)
    address_hash = keyed_hash("typed-email", normalise_email(typed_email) if typed_email else ident_hash)
    send_mail = ratelimit.mail_allowed(ident_hash, address_hash)
    day_key = keyed_hash("same-day", ident_hash, q.place, q.symptom, q.today.isoformat())
    for _attempt in range(3):
        case = db.session.execute(select(Case).where(Case.same_day_key == day_key)).scalar_one_or_none()
        if case is None:
            case = Case(
                reference=new_reference(), role=q.role, service=q.service, symptom=q.symptom, place=q.place,
                identifier_hash=ident_hash, identifier_masked=mask(ident), same_day_key=day_key,
            )
            db.session.add(case)
        try:
            db.session.flush()
        except IntegrityError:  # another request made today's case (or took the reference) first
            db.session.rollback()
            continue
        db.session.add(Job(case_id=case.id, identifier=f"{ident.kind}:{ident.value}", typed_email=typed_email,
                           send_mail=send_mail, locale=locale))
        db.session.add(CaseEvent(case_id=case.id, actor="portal", action="received"))
        db.session.commit()
        return case
    raise RuntimeError("could not record the case")
