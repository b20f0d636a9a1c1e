"""Cases, the queue and the outbox: what the portal owns itself. An import never touches them.

A case never holds an identifier in clear: a keyed hash (HMAC with the portal's secret) and a
masked form. The job holds the normalised identifier only until the worker has processed it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, DateTime, Index, Integer, String, Text, event, text, true
from sqlalchemy.orm import Mapped, mapped_column

from checks.identifiers import normalise_email

from ..extensions import db


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _set_later(name: str, *columns: str) -> Index:
    """An index of the rows whose first column is set (not NULL): on SQLite and PostgreSQL alike."""
    where = text(f"{columns[0]} IS NOT NULL")
    return Index(name, *columns, sqlite_where=where, postgresql_where=where)


class Case(db.Model):  # type: ignore[name-defined]
    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reference: Mapped[str] = mapped_column(String(8), unique=True)  # Crockford base32, shown XXXX-XXXX
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    role: Mapped[str] = mapped_column(String(32))
    service: Mapped[str] = mapped_column(String(32))
    symptom: Mapped[str] = mapped_column(String(32))
    place: Mapped[str] = mapped_column(String(64), index=True)  # school code, or organisation id
    organisation_id: Mapped[str | None] = mapped_column(String(64))  # set by the worker
    identifier_hash: Mapped[str] = mapped_column(String(64))
    identifier_masked: Mapped[str] = mapped_column(String(64))
    # HMAC of the question (role, service, symptom, place, identifier) and the Stockholm day: the
    # same question asked again within a day is one case (portal.cases.same_day_key)
    same_day_key: Mapped[str] = mapped_column(String(64), unique=True)
    matched: Mapped[bool | None] = mapped_column(Boolean)  # None until the worker has run
    matched_account_id: Mapped[str | None] = mapped_column(String(64))
    route_kind: Mapped[str | None] = mapped_column(String(32))
    route_name: Mapped[str | None] = mapped_column(Text)
    route_email: Mapped[str | None] = mapped_column(String(254))
    # normalise_email(route_email), kept by the listener below: the staff inbox compares a contact's
    # address with it as the directory's email_key does
    route_email_key: Mapped[str | None] = mapped_column(String(254))
    self_service: Mapped[bool] = mapped_column(Boolean, default=False)
    # received (queued) | open | self_served | resolved | passed_on
    status: Mapped[str] = mapped_column(String(16), default="received", index=True)

    # The staff inbox's WHERE (portal/inbox/scope.py), its open count and its ORDER BY: by the routed
    # address, and by the contact kind within a school, an organisation or a service. `status` sits in
    # each so that every branch of the scope's OR is read from the index alone. These and the
    # organisation's index lead with a column the worker sets: partial (migration 0010), so the public
    # POST's insert, where it is NULL, writes no page in them; every query that uses them compares
    # that column with a value, which implies it is not NULL.
    __table_args__ = (
        _set_later("ix_cases_organisation_id", "organisation_id"),
        _set_later("ix_cases_route_email_key_status", "route_email_key", "status", "created_at"),
        _set_later("ix_cases_route_kind_place_status", "route_kind", "place", "status", "created_at"),
        _set_later("ix_cases_route_kind_org_status", "route_kind", "organisation_id", "status", "created_at"),
        _set_later("ix_cases_route_kind_service_status", "route_kind", "service", "status", "created_at"),
    )


@event.listens_for(Case.route_email, "set")
def _route_email_key(target: Case, value: str | None, _old: object, _initiator: object) -> None:
    target.route_email_key = normalise_email(value) if value is not None else None


class CaseFinding(db.Model):  # type: ignore[name-defined]
    __tablename__ = "case_findings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(Integer, index=True)
    position: Mapped[int] = mapped_column(Integer)
    check: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(8))
    visibility: Mapped[str] = mapped_column(String(8))
    route: Mapped[str | None] = mapped_column(String(32))


class CaseEvent(db.Model):  # type: ignore[name-defined]
    """The case's history: who did what, when."""

    __tablename__ = "case_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(Integer, index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))  # "portal", "worker", or "contact"
    # for actor "contact": who, as the directory named them when they acted
    actor_name: Mapped[str | None] = mapped_column(Text)
    actor_email: Mapped[str | None] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str | None] = mapped_column(Text)


class Job(db.Model):  # type: ignore[name-defined]
    """One queued diagnosis. `identifier` ("kind:value", normalised) is erased once processed."""

    __tablename__ = "jobs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(Integer, index=True)
    identifier: Mapped[str | None] = mapped_column(Text)
    # the typed e-mail address as typed, only while queued (for the "no account here" message)
    typed_email: Mapped[str | None] = mapped_column(String(254))
    # False when the identifier or the typed address is over its rate limit (N6): the case is
    # recorded as usual, but no mail goes to the person
    send_mail: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # the language of the pages the person used: their own messages are written in it
    locale: Mapped[str] = mapped_column(String(8), default="sv", server_default="sv")
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued | running | done | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    run_after: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (Index("ix_jobs_status_run_after", "status", "run_after"),)


class OutboxMessage(db.Model):  # type: ignore[name-defined]
    """A message to send, written where the work happens; rendered and delivered by id
    (portal/mail/delivery.py). At its first claim it gets its Message-ID and its rendered bytes, so a
    second attempt sends the very same message; both the bytes and the claim are cleared once sent."""

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # None for a message that belongs to no case (a contact's sign-in link)
    case_id: Mapped[int | None] = mapped_column(Integer, index=True)
    job_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # personal_findings | no_account | public_guidance | contact_notification | sign_in | case_resolved
    template: Mapped[str] = mapped_column(String(32))
    to_address: Mapped[str] = mapped_column(String(254))
    context: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    # pending | sending (claimed by a worker) | sent | failed (for good)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # not before this moment (None: at once); set by a temporary failure's back-off
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    claimed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    message_id: Mapped[str | None] = mapped_column(String(255))
    rendered: Mapped[str | None] = mapped_column(Text)  # the whole message, as sent, until it is sent
    last_error: Mapped[str | None] = mapped_column(String(200))  # short, never personal data
