"""Delivering the outbox (STYLE.md 6; docs/contracts/README.md `portal worker`, `portal send-mail`).

Up to `BATCH` due rows are claimed at a time, atomically (PostgreSQL `SELECT … FOR UPDATE SKIP
LOCKED`, so several workers never take one row; SQLite one conditional `UPDATE … RETURNING`, whose
rows decide). A row claimed for the first time is given its Message-ID and rendered, and both are
stored, so a message whose fate is unknown (its worker died mid-send) goes out again byte for byte.
After a temporary failure, when no server took it, it is rendered afresh under the same Message-ID
(a reset link must not arrive expired after an outage). Each is sent, then marked sent at once (the
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
import email.utils
import logging
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from sqlalchemy import ColumnElement, or_, select, update

from .. import stopping
from ..clock import now
from ..config import ConfigError
from ..extensions import db
from ..models import OutboxMessage
from ..settings import Feature, flag, number
from . import render
from .mime import compose
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

BATCH = 20  # rows claimed in one transaction; a slow server gives back the rest (see `deliver`)

# one @, a local part and a domain of dot-separated labels, nothing that breaks a header or a command
ADDRESS = re.compile(r"[^@\s<>()\[\],;:\"\\]{1,64}@(?=.{1,253}$)[^@\s<>()\[\],;:\"\\.]+(\.[^@\s<>()\[\],;:\"\\.]+)*")


def read_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """The delivery settings from the environment (names as above), each checked (portal/settings.py)."""
    config: dict[str, Any] = {
        "PORTAL_MAIL_MAX_ATTEMPTS": int(number(env, "PORTAL_MAIL_MAX_ATTEMPTS", 10, minimum=1, integer=True)),
        "PORTAL_MAIL_RETRY_DELAY": number(env, "PORTAL_MAIL_RETRY_DELAY", 60, minimum=1),
        "PORTAL_MAIL_RETRY_MAX_DELAY": number(env, "PORTAL_MAIL_RETRY_MAX_DELAY", 3600, minimum=1),
        "PORTAL_MAIL_STALE_AFTER": number(env, "PORTAL_MAIL_STALE_AFTER", 600, minimum=1),
        "PORTAL_MAIL_TIMEOUT": number(env, "PORTAL_MAIL_TIMEOUT", 30, minimum=1),
        "PORTAL_MAIL_REQUIRE_TLS": "1" if flag(env, "PORTAL_MAIL_REQUIRE_TLS", False) else "0",
        "PORTAL_MAIL_TLS_CA_FILE": (env.get("PORTAL_MAIL_TLS_CA_FILE") or "").strip(),
    }
    ca_file = config["PORTAL_MAIL_TLS_CA_FILE"]
    if ca_file and not Path(ca_file).is_file():
        raise ConfigError(f"PORTAL_MAIL_TLS_CA_FILE ska vara en fil med CA-certifikat; {ca_file!r} finns inte")
    return config


FEATURE = Feature(title="Utskick av e-post", variables=tuple(DEFAULTS), read=read_settings)


def init_app(app: Flask) -> None:
    """Defaults for an app made without read_settings; the messages' context builders."""
    for key, default in DEFAULTS.items():
        app.config.setdefault(key, default)
    from . import messages  # noqa: F401  (registers the context builders)


def _number(key: str) -> float:
    return float(current_app.config[key])


def sender_from_config() -> Sender:
    """The sender PORTAL_MAIL_URL names; ConfigError (a Swedish message, exit 1) for one it does not."""
    config = current_app.config
    try:
        return from_url(config["PORTAL_MAIL_URL"], instance_path=Path(current_app.instance_path),
                        timeout=_number("PORTAL_MAIL_TIMEOUT"),
                        require_tls=str(config["PORTAL_MAIL_REQUIRE_TLS"]).lower() in ("1", "true", "yes", "ja"),
                        ca_file=config["PORTAL_MAIL_TLS_CA_FILE"] or None)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


@dataclass(frozen=True)
class Claimed:
    """What a worker holds while it sends: plain values, no session needed."""

    id: int
    template: str
    to: str
    message_id: str
    message: bytes
    attempts: int


@dataclass
class Batch:
    """Rows claimed together: those ready to send, and how many could not be rendered."""

    at: dt.datetime
    claimed: list[Claimed]
    retrying: int = 0
    failed: int = 0


@dataclass
class DeliveryRun:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def _due(at: dt.datetime) -> ColumnElement[bool]:
    stale = at - dt.timedelta(seconds=_number("PORTAL_MAIL_STALE_AFTER"))
    return or_(
        (OutboxMessage.status == "pending")
        & (OutboxMessage.next_attempt_at.is_(None) | (OutboxMessage.next_attempt_at <= at)),
        (OutboxMessage.status == "sending") & (OutboxMessage.claimed_at < stale),
    )


def claim(size: int = BATCH) -> Batch:
    """Take up to `size` of the oldest due rows (or rows whose claim went stale) and render those
    claimed for the first time. A row that cannot be rendered is postponed like a temporary failure
    (a malformed address fails for good) and not returned."""
    at = now()
    values = {"status": "sending", "claimed_at": at, "attempts": OutboxMessage.attempts + 1}
    oldest = select(OutboxMessage.id).where(_due(at)).order_by(OutboxMessage.id).limit(size)
    if db.engine.dialect.name == "postgresql":
        # rows another worker is claiming right now are skipped, never waited for or taken twice
        ids = list(db.session.scalars(oldest.with_for_update(skip_locked=True)))
        if ids:
            db.session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids)).values(**values)
                               .execution_options(synchronize_session=False))
    else:
        # one conditional update: SQLite lets one writer in at a time, and RETURNING names the rows
        # this one changed (a row another worker took first no longer matches `_due`)
        ids = list(db.session.scalars(
            update(OutboxMessage).where(OutboxMessage.id.in_(oldest), _due(at)).values(**values)
            .returning(OutboxMessage.id).execution_options(synchronize_session=False)))
    db.session.commit()
    return _prepare(sorted(ids), at)


def claim_next() -> Claimed | None:
    """Claim one row (see `claim`)."""
    batch = claim(1)
    return batch.claimed[0] if batch.claimed else None


def _prepare(ids: list[int], at: dt.datetime) -> Batch:
    """Give each claimed row its Message-ID at its first claim, and its rendered bytes whenever it has
    none (the first claim, or after a temporary failure), then store them."""
    batch = Batch(at=at, claimed=[])
    if not ids:
        return batch
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids)).order_by(OutboxMessage.id)
                              .execution_options(populate_existing=True)).all()
    fields = [(r.id, r.template, r.to_address, r.attempts, r.message_id, r.rendered) for r in rows]
    new: list[dict[str, object]] = []
    unrendered: list[tuple[int, int, DeliveryFailure]] = []
    for row, (row_id, template, to, attempts, message_id, rendered) in zip(rows, fields, strict=True):
        if message_id is None or rendered is None:
            try:
                message_id = message_id or make_message_id(row_id)
                rendered = build(row, message_id).decode("utf-8")
            except Exception as exc:  # noqa: BLE001 - a template or builder fault: keep the row, try later
                db.session.rollback()
                # the kind of error and the message's name only: an exception's text may quote context
                failure = exc if isinstance(exc, DeliveryFailure) else TemporaryFailure(
                    f"render: {type(exc).__name__}")
                log.error("outbox %s (%s) could not be rendered: %s", row_id, template, failure.reason)
                unrendered.append((row_id, attempts, failure))
                continue
            new.append({"id": row_id, "message_id": message_id, "rendered": rendered})
        batch.claimed.append(Claimed(id=row_id, template=template, to=to, message_id=message_id,
                                     message=rendered.encode("utf-8"), attempts=attempts))
    if new:
        db.session.execute(update(OutboxMessage), new)  # by primary key, one executemany
    db.session.commit()
    for row_id, attempts, failure in unrendered:
        if _after_failure(row_id, attempts, failure) == "failed":
            batch.failed += 1
        else:
            batch.retrying += 1
    return batch


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
    return compose(sender=current_app.config["PORTAL_MAIL_FROM"], to=row.to_address, subject=rendered.subject,
                   date=now(), message_id=message_id, text=rendered.text, html=rendered.html,
                   language=rendered.language)


def envelope_from() -> str:
    return email.utils.parseaddr(current_app.config["PORTAL_MAIL_FROM"])[1]


def deliver(limit: int | None = None, sender: Sender | None = None, *, batch: int = BATCH) -> DeliveryRun:
    """Send due rows until none is left (or about `limit` were taken)."""
    run = DeliveryRun()
    own = sender is None
    sender = sender or sender_from_config()
    taken = 0
    stale = dt.timedelta(seconds=_number("PORTAL_MAIL_STALE_AFTER"))
    try:
        while (limit is None or taken < limit) and not stopping.requested.is_set():
            claimed = claim(batch if limit is None else max(min(batch, limit - taken), 1))
            taken += len(claimed.claimed) + claimed.retrying + claimed.failed
            run.retrying += claimed.retrying
            run.failed += claimed.failed
            if not (claimed.claimed or claimed.retrying or claimed.failed):
                break
            for i, message in enumerate(claimed.claimed):
                # a slow server: let the rest go before others may take it; asked to stop: give them back now
                if now() - claimed.at > stale / 2 or stopping.requested.is_set():
                    _release(claimed.claimed[i:], claimed.at)
                    break
                try:
                    sender.send(envelope_from(), message.to, message.message, message.message_id)
                except DeliveryFailure as failure:
                    if _after_failure(message.id, message.attempts, failure) == "failed":
                        run.failed += 1
                    else:
                        run.retrying += 1
                    continue
                _mark_sent(message.id)
                run.sent += 1
    finally:
        if own:
            sender.close()
    return run


def _release(messages: list[Claimed], at: dt.datetime) -> None:
    """Give claimed rows back untried (the attempt is not counted)."""
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_([m.id for m in messages]), OutboxMessage.status == "sending",
               OutboxMessage.claimed_at == at)
        .values(status="pending", claimed_at=None, attempts=OutboxMessage.attempts - 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


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
    if final:  # next_attempt_at keeps the moment it failed for good (FailedMessage.at)
        values.update(status="failed", rendered=None, next_attempt_at=now())
    else:
        # No server took it: the next attempt renders it afresh under the same Message-ID, so a reset
        # link that waited out an SMTP outage is not already expired when it arrives. (A worker that
        # died mid-send records no failure: its row keeps the stored bytes and is sent as it was.)
        values.update(status="pending", rendered=None,
                      next_attempt_at=now() + dt.timedelta(seconds=backoff(attempts)))
    db.session.execute(update(OutboxMessage).where(OutboxMessage.id == row_id).values(**values))
    db.session.commit()
    status = str(values["status"])
    log.warning("outbox %s: %s (attempt %s) -> %s", row_id, failure.reason, attempts, status)
    return status
