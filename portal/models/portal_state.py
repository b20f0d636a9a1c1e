"""State the portal owns itself; it survives every import."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, String, Text
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
