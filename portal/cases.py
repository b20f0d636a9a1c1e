"""Recording a case and queueing its one job: all the request may do (PRODUCT.md N3).

The work here is the same whatever was typed: three keyed hashes and one lean write (the case,
unless today's exists for the same question: role, service, symptom, place and identifier; and the
job). Matching the account, the private checks, the route and every message happen in the worker.
"""

from __future__ import annotations

import base64
import hmac
import secrets
from dataclasses import dataclass

from flask import current_app

from checks.identifiers import Identifier, mailbox_key, mask
from checks.snapshot import Question

from . import ratelimit, recording
from .extensions import db
from .models.cases import utcnow

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


# base32's alphabet (RFC 4648) to Crockford's, symbol for symbol
_TO_CROCKFORD = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", CROCKFORD.encode("ascii"))


def new_reference() -> str:
    """8 characters of Crockford base32 (40 random bits), stored without the dash."""
    return reference_of(secrets.token_bytes(5))


def reference_of(five_bytes: bytes) -> str:
    """40 bits as 8 Crockford characters, 5 bits each, the highest first: base32 of the five bytes, in
    Crockford's alphabet (two C calls, not a loop in Python: this runs on every public POST)."""
    return base64.b32encode(five_bytes).translate(_TO_CROCKFORD).decode("ascii")


def show_reference(reference: str) -> str:
    return f"{reference[:4]}-{reference[4:]}"


def keyed_hash(*parts: str) -> str:
    """HMAC-SHA256 with the portal's secret; what a case keeps instead of the identifier."""
    key = current_app.config["SECRET_KEY"].encode("utf-8")
    return hmac.digest(key, "\x1f".join(parts).encode("utf-8"), "sha256").hex()  # one C call


def identifier_key(ident: Identifier) -> str:
    return keyed_hash("identifier", ident.kind, ident.value)


def same_day_key(q: Question, ident_hash: str) -> str:
    """One case per distinct question within a Stockholm day: the role, the service, the symptom,
    the place and the identifier (its keyed hash) asked about on `q.today`. A second question that
    differs in any of them (a teacher asking about the learning platform, then about the assessment
    portal) is a case of its own, with its own diagnosis, route and contact (issue 16 row 4)."""
    return keyed_hash("same-day-question", ident_hash, q.role, q.service, q.symptom, q.place, q.today.isoformat())


@dataclass(frozen=True)
class Recorded:
    """What the request keeps of the case it recorded: its id and its reference."""

    id: int
    reference: str


def open_case(q: Question, ident: Identifier, *, typed_email: str | None = None, locale: str = "sv") -> Recorded:
    """Record (or reuse today's) case and queue one job for the worker: durable before it returns.

    Three keyed hashes, whatever was typed: the identifier's, the typed address's (the identifier's
    own hash stands in when no address was typed) and the same-day key. The first two are counted
    against their rate limits; over either, the job is queued with `send_mail=False`.

    This is the one write every public request makes, and it sets the flow's throughput, so it is one
    lean write (portal/recording.py): no ORM session, no unit of work, nothing loaded back; the case
    inserted unless today's exists (`ON CONFLICT DO NOTHING`), and the job. The "received" event is
    written by the worker from the job's time.
    """
    ident_hash = identifier_key(ident)
    address_hash = keyed_hash("typed-email", mailbox_key(typed_email) if typed_email else ident_hash)
    send_mail = ratelimit.mail_allowed(ident_hash, address_hash)
    now = utcnow()
    values = {
        "created_at": now, "updated_at": now, "role": q.role, "service": q.service, "symptom": q.symptom,
        "place": q.place, "identifier_hash": ident_hash, "identifier_masked": mask(ident),
        "same_day_key": same_day_key(q, ident_hash), "identifier": f"{ident.kind}:{ident.value}",
        "typed_email": typed_email, "send_mail": send_mail, "locale": locale, "run_after": now,
    }
    for _attempt in range(3):  # a new reference each time: 40 random bits may, once in a great while, repeat
        found = recording.record(db.engine, {**values, "reference": new_reference()})
        if found is not None:
            return Recorded(id=found[0], reference=found[1])
    raise RuntimeError("could not record the case")
