"""State the portal owns itself; it survives every import."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class PortalPassword(db.Model):  # type: ignore[name-defined]
    """A password set through the portal's reset page. Kept across imports unless the import
    file carries a password_hash for the same account id."""

    __tablename__ = "portal_passwords"
    account_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    password_hash: Mapped[str] = mapped_column(Text)
    set_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class SpentToken(db.Model):  # type: ignore[name-defined]
    """A reset or sign-in token that has been used. The primary key makes a token single use even
    under concurrent requests (portal/tokens.py). `portal purge` removes rows older than every
    token's lifetime."""

    __tablename__ = "spent_tokens"
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the token
    purpose: Mapped[str] = mapped_column(String(16))
    spent_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)


class StaffSession(db.Model):  # type: ignore[name-defined]
    """A contact signed in to the staff inbox (portal/inbox/sessions.py).

    The cookie carries a random id, signed; this row keeps only its digest, so a copy of the table
    signs nobody in. A contact is re-numbered by every import, so the session is bound to the
    address (`email_key`) and to a fingerprint of every contact row with that address (kind,
    scope, address): a re-import that changes any of them ends the session at the next request.
    Signing out deletes the row; `portal purge` deletes the expired ones.
    """

    __tablename__ = "staff_sessions"
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the random id
    email_key: Mapped[str] = mapped_column(String(254))
    fingerprint: Mapped[str] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(16))  # "link" (e-mail) or "oidc" (portal/inbox/oidc.py)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)


class SignInRequest(db.Model):  # type: ignore[name-defined]
    """An address typed into the staff inbox's sign-in form, waiting for the worker (like a job's
    identifier, kept only until the worker has looked at it). The request itself does the same work
    for a contact's address and a stranger's: the worker decides whether a link goes out."""

    __tablename__ = "sign_in_requests"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    email_key: Mapped[str] = mapped_column(String(254))  # folded as the directory's email_key
    allowed: Mapped[bool] = mapped_column(Boolean)  # False: over the per-address limit, send nothing
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
