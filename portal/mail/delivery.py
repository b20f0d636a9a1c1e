"""Delivering the outbox (STYLE.md 6; docs/contracts/README.md `portal worker`, `portal send-mail`).

One row at a time: it is claimed atomically (PostgreSQL `SELECT … FOR UPDATE SKIP LOCKED`, so
several workers never take one row; SQLite a conditional update whose row count decides), and at
its first claim, in the same transaction, rendered and given its Message-ID. The rendered bytes are
stored, so every later attempt sends the very same message. Then it is sent and marked sent (the
stored bytes are dropped then: they may hold a live reset link).

A worker killed after the server accepted a message but before it was marked sent loses nothing:
a claim older than `PORTAL_MAIL_STALE_AFTER` seconds is taken again, and the message goes out
again with the same Message-ID (at least once). A temporary failure is tried again after a
growing back-off (`PORTAL_MAIL_RETRY_DELAY` doubled per attempt, at most `PORTAL_MAIL_RETRY_MAX_DELAY`)
until `PORTAL_MAIL_MAX_ATTEMPTS`; a permanent one is not. The final failure stays on the row (status
`failed`, a short reason without personal data) for `portal worker --status` and `failed_for_case`.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import email.utils
import logging
import os
import re
import secrets
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import or_, select, update

from ..extensions import db
from ..models import OutboxMessage
from . import render
from .senders import DeliveryFailure, PermanentFailure, Sender, TemporaryFailure, from_url

log = logging.getLogger(__name__)

DEFAULTS: dict[str, str] = {
    "PORTAL_MAIL_MAX_ATTEMPTS": "10",
    "PORTAL_MAIL_RETRY_DELAY": "60",  # seconds before the 2nd attempt; doubled for each next one
    "PORTAL_MAIL_RETRY_MAX_DELAY": "3600",
    "PORTAL_MAIL_STALE_AFTER": "600",  # a claim this old belonged to a worker that died
    "PORTAL_MAIL_TIMEOUT": "30",  # seconds for each SMTP connection and command
    "PORTAL_MAIL_REQUIRE_TLS": "0",
    "PORTAL_MAIL_TLS_CA_FILE": "",  # trust this CA file instead of the system's (a private CA)
}

# one @, a local part and a domain of dot-separated labels, nothing that breaks a header or a command
ADDRESS = re.compile(r"[^@\s<>()\[\],;:\"\\]{1,64}@(?=.{1,253}$)[^@\s<>()\[\],;:\"\\.]+(\.[^@\s<>()\[\],;:\"\\.]+)*")


def init_app(app: Flask) -> None:
    """Settings from the environment (names as above), with defaults; the messages' context builders."""
    for key, default in DEFAULTS.items():
        app.config.setdefault(key, os.environ.get(key) or default)
    from . import messages  # noqa: F401  (registers the context builders)


def _number(key: str) -> float:
    return float(current_app.config[key])


def now() -> dt.datetime:
    from ..tokens import clock  # the injectable clock (PORTAL_CLOCK) the tokens use too

    return dt.datetime.fromtimestamp(clock(), dt.UTC)


def sender_from_config() -> Sender:
    config = current_app.config
    return from_url(config["PORTAL_MAIL_URL"], instance_path=Path(current_app.instance_path),
                    timeout=_number("PORTAL_MAIL_TIMEOUT"),
                    require_tls=str(config["PORTAL_MAIL_REQUIRE_TLS"]).lower() in ("1", "true", "yes", "ja"),
                    ca_file=config["PORTAL_MAIL_TLS_CA_FILE"] or None)


@dataclass(frozen=True)
class Claimed:
    """What a worker holds while it sends: plain values, no session needed."""

    id: int
    template: str
    to: str
    message_id: str
    message: bytes
    attempts: int


class NotRendered(Exception):
    """The claimed row could not be rendered; it has been postponed (or failed) like a send."""

    def __init__(self, status: str) -> None:
        super().__init__(status)
        self.status = status


@dataclass
class DeliveryRun:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def _due(at: dt.datetime):  # type: ignore[no-untyped-def]
    stale = at - dt.timedelta(seconds=_number("PORTAL_MAIL_STALE_AFTER"))
    return or_(
        (OutboxMessage.status == "pending")
        & (OutboxMessage.next_attempt_at.is_(None) | (OutboxMessage.next_attempt_at <= at)),
        (OutboxMessage.status == "sending") & (OutboxMessage.claimed_at < stale),
    )


def claim_next() -> Claimed | None:
    """Take the oldest due row (or one whose claim went stale), render it at its first claim;
    None when nothing is due. A row that cannot be rendered is postponed like a temporary failure
    (a malformed address fails for good), and NotRendered raised."""
    at = now()
    if db.engine.dialect.name == "postgresql":
        row = db.session.scalars(
            select(OutboxMessage).where(_due(at)).order_by(OutboxMessage.id).limit(1)
            .with_for_update(skip_locked=True).execution_options(populate_existing=True)
        ).first()
        if row is None:
            db.session.commit()
            return None
        row.status, row.claimed_at, row.attempts = "sending", at, row.attempts + 1
        return _prepare(row)
    while True:
        candidates = db.session.scalars(select(OutboxMessage.id).where(_due(at)).order_by(OutboxMessage.id)
                                        .limit(5)).all()
        if not candidates:
            db.session.commit()
            return None
        for row_id in candidates:
            result = db.session.execute(
                update(OutboxMessage).where(OutboxMessage.id == row_id, _due(at))
                .values(status="sending", claimed_at=at, attempts=OutboxMessage.attempts + 1)
            )
            if result.rowcount == 1:  # type: ignore[attr-defined]
                row = db.session.get(OutboxMessage, row_id, populate_existing=True)
                assert row is not None
                return _prepare(row)
            db.session.rollback()  # another worker took it first: the next one, or a fresh look


def _prepare(row: OutboxMessage) -> Claimed:
    """Give the claimed row its Message-ID and rendered bytes if it has none; commit the claim."""
    if row.message_id is None or row.rendered is None:
        try:
            message_id = make_message_id(row.id)
            message = build(row, message_id)
        except Exception as exc:  # noqa: BLE001 - a template or builder fault: keep the row, try later
            row_id, attempts = row.id, row.attempts
            db.session.rollback()
            if isinstance(exc, DeliveryFailure):
                failure: DeliveryFailure = exc
            else:
                log.exception("outbox %s could not be rendered", row_id)
                failure = TemporaryFailure(f"render: {type(exc).__name__}")
            raise NotRendered(_after_failure(row_id, attempts, failure)) from None
        row.message_id, row.rendered = message_id, message.decode("utf-8")
    claimed = Claimed(id=row.id, template=row.template, to=row.to_address, message_id=str(row.message_id),
                      message=str(row.rendered).encode("utf-8"), attempts=row.attempts)
    db.session.commit()
    return claimed


def make_message_id(row_id: int) -> str:
    """`<outbox-id.random@domain of PORTAL_MAIL_FROM>`: unique, and the same for every attempt."""
    address = email.utils.parseaddr(current_app.config["PORTAL_MAIL_FROM"])[1]
    domain = address.rpartition("@")[2] or "localhost"
    return f"<{row_id}.{secrets.token_hex(8)}@{domain}>"


def build(row: OutboxMessage, message_id: str) -> bytes:
    """The whole message: headers, then the plain text and the HTML as alternatives, UTF-8."""
    if not ADDRESS.fullmatch(row.to_address or ""):
        raise PermanentFailure("malformed address")
    rendered = render(row)
    plain = row.to_address.isascii() and envelope_from().isascii()  # else the server must take SMTPUTF8
    message = EmailMessage(policy=email.policy.SMTP if plain else email.policy.SMTPUTF8)
    message["From"] = current_app.config["PORTAL_MAIL_FROM"]
    message["To"] = row.to_address
    message["Subject"] = rendered.subject
    message["Date"] = email.utils.format_datetime(now())
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(rendered.text, charset="utf-8", cte="quoted-printable")
    message.add_alternative(rendered.html, subtype="html", charset="utf-8", cte="quoted-printable")
    return message.as_bytes()


def envelope_from() -> str:
    return email.utils.parseaddr(current_app.config["PORTAL_MAIL_FROM"])[1]


def deliver(limit: int | None = None, sender: Sender | None = None) -> DeliveryRun:
    """Send due rows until none is left (or `limit` were taken)."""
    run = DeliveryRun()
    own = sender is None
    sender = sender or sender_from_config()
    taken = 0
    try:
        while limit is None or taken < limit:
            taken += 1
            try:
                claimed = claim_next()
            except NotRendered as postponed:
                run.failed += postponed.status == "failed"
                run.retrying += postponed.status != "failed"
                continue
            if claimed is None:
                break
            try:
                sender.send(envelope_from(), claimed.to, claimed.message, claimed.message_id)
            except DeliveryFailure as failure:
                if _after_failure(claimed.id, claimed.attempts, failure) == "failed":
                    run.failed += 1
                else:
                    run.retrying += 1
                continue
            _mark_sent(claimed.id)
            run.sent += 1
    finally:
        if own:
            sender.close()
    return run


def _mark_sent(row_id: int) -> None:
    db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id == row_id)
        .values(status="sent", sent_at=now(), rendered=None, claimed_at=None, next_attempt_at=None,
                last_error=None)
    )
    db.session.commit()
    log.info("outbox %s sent", row_id)


def backoff(attempts: int) -> float:
    """Seconds to wait after the `attempts`-th attempt failed."""
    delay = _number("PORTAL_MAIL_RETRY_DELAY") * 2 ** max(attempts - 1, 0)
    return min(delay, _number("PORTAL_MAIL_RETRY_MAX_DELAY"))


def _after_failure(row_id: int, attempts: int, failure: DeliveryFailure) -> str:
    """Postpone the row, or mark it failed for good; returns the new status."""
    final = isinstance(failure, PermanentFailure) or attempts >= _number("PORTAL_MAIL_MAX_ATTEMPTS")
    values: dict[str, object] = {"last_error": failure.reason, "claimed_at": None}
    if final:
        values.update(status="failed", rendered=None, next_attempt_at=now())
    else:
        values.update(status="pending", next_attempt_at=now() + dt.timedelta(seconds=backoff(attempts)))
    db.session.execute(update(OutboxMessage).where(OutboxMessage.id == row_id).values(**values))
    db.session.commit()
    status = str(values["status"])
    log.warning("outbox %s: %s (attempt %s) -> %s", row_id, failure.reason, attempts, status)
    return status
