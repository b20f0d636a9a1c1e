"""Staff sessions: a cookie of their own, a row on the server, two timeouts.

The cookie holds a random id signed with the portal's secret (itsdangerous, its own salt); the
`staff_sessions` row holds only the id's SHA-256, the address the session belongs to and the
fingerprint of that address's contact rows. Every request looks the row up: a session that was
signed out (row deleted), has been idle longer than `PORTAL_STAFF_IDLE_MINUTES` or is older than
`PORTAL_STAFF_MAX_HOURS` is refused, whatever the cookie says. Signing in always makes a new id
(rotation) and deletes the browser's earlier row.

The cookie is `HttpOnly`, `SameSite=Lax`, `Path=/`, without `Domain`, and has no expiry (it goes
with the browser). Served over HTTPS (`PORTAL_BASE_URL` starts with `https://`) it is `Secure` and
named `__Host-inkorg`, a prefix the browser accepts only with exactly those attributes. Over plain
HTTP (the development server, the tests) a browser refuses a `Secure` cookie and with it the
`__Host-` prefix, so there the cookie is named `inkorg` and not `Secure`. Both are configurable
(`PORTAL_STAFF_COOKIE`, `PORTAL_STAFF_COOKIE_SECURE`).

Times come from the portal's clock (portal/clock.py), so tests move the clock (`PORTAL_CLOCK`) instead of sleeping.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Mapping
from typing import Any

from flask import Flask, current_app, request
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import ColumnElement, delete, or_
from werkzeug.wrappers import Response

from ..clock import aware, now
from ..config import ConfigError
from ..extensions import db
from ..models import StaffSession
from ..settings import Feature, flag, number

TOUCH_EVERY = dt.timedelta(seconds=60)  # seen_at is written at most once a minute per session


COOKIE_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")


def read_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """The staff session's variables, each checked (portal/settings.py). The cookie's defaults follow
    `PORTAL_BASE_URL`: `Secure` and `__Host-inkorg` under https://, else `inkorg`."""
    https = (env.get("PORTAL_BASE_URL") or "").strip().lower().startswith("https://")
    secure = flag(env, "PORTAL_STAFF_COOKIE_SECURE", https)
    name = (env.get("PORTAL_STAFF_COOKIE") or "").strip() or ("__Host-inkorg" if secure else "inkorg")
    if not COOKIE_NAME.fullmatch(name):
        raise ConfigError(f"PORTAL_STAFF_COOKIE ska vara ett cookienamn av bokstäver a-z, siffror, - och _ "
                          f"(högst 64 tecken), inte {name!r}")
    if name.startswith("__Host-") and not secure:
        raise ConfigError(f"PORTAL_STAFF_COOKIE {name!r} börjar med __Host- och kräver "
                          "PORTAL_STAFF_COOKIE_SECURE=1 (och https)")
    return {
        "PORTAL_STAFF_COOKIE_SECURE": secure,
        "PORTAL_STAFF_COOKIE": name,
        "PORTAL_STAFF_IDLE_MINUTES": number(env, "PORTAL_STAFF_IDLE_MINUTES", 30, minimum=1),
        "PORTAL_STAFF_MAX_HOURS": number(env, "PORTAL_STAFF_MAX_HOURS", 8, minimum=0.1),
    }


FEATURE = Feature(title="Personalens inkorg",
                  variables=("PORTAL_STAFF_IDLE_MINUTES", "PORTAL_STAFF_MAX_HOURS", "PORTAL_STAFF_COOKIE",
                             "PORTAL_STAFF_COOKIE_SECURE"),
                  read=read_settings)


def init_app(app: Flask) -> None:
    """Defaults for an app made without read_settings."""
    https = app.config["PORTAL_BASE_URL"].startswith("https://")
    app.config.setdefault("PORTAL_STAFF_COOKIE_SECURE", https)
    app.config.setdefault("PORTAL_STAFF_COOKIE",
                          "__Host-inkorg" if app.config["PORTAL_STAFF_COOKIE_SECURE"] else "inkorg")
    app.config.setdefault("PORTAL_STAFF_IDLE_MINUTES", 30)
    app.config.setdefault("PORTAL_STAFF_MAX_HOURS", 8)


def idle_limit() -> dt.timedelta:
    return dt.timedelta(minutes=float(current_app.config["PORTAL_STAFF_IDLE_MINUTES"]))


def absolute_limit() -> dt.timedelta:
    return dt.timedelta(hours=float(current_app.config["PORTAL_STAFF_MAX_HOURS"]))


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="portal.staff-session")


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def cookie_name() -> str:
    return str(current_app.config["PORTAL_STAFF_COOKIE"])


def _raw_id() -> str | None:
    """The random id in this request's cookie, if the cookie is ours and unaltered."""
    value = request.cookies.get(cookie_name())
    if not value or len(value) > 200:
        return None
    try:
        raw = _serializer().loads(value)
    except (BadSignature, ValueError, UnicodeError):
        return None
    return raw if isinstance(raw, str) else None


def open_session(email_key: str, fingerprint: str, method: str) -> str:
    """Add a new session row (the caller commits) and return the cookie value for it. The
    browser's earlier session, if any, is deleted: a sign-in never reuses an id."""
    end_current()
    raw = secrets.token_urlsafe(32)
    moment = now()
    db.session.add(StaffSession(digest=_digest(raw), email_key=email_key, fingerprint=fingerprint,
                                method=method, created_at=moment, seen_at=moment))
    return str(_serializer().dumps(raw))


def expired(row: StaffSession, moment: dt.datetime) -> bool:
    return (moment - aware(row.seen_at) > idle_limit()
            or moment - aware(row.created_at) > absolute_limit())


def current_row() -> StaffSession | None:
    """This request's live session row; an expired one is deleted and None returned."""
    raw = _raw_id()
    if raw is None:
        return None
    row = db.session.get(StaffSession, _digest(raw))
    if row is None:
        return None
    moment = now()
    if expired(row, moment):
        db.session.delete(row)
        db.session.commit()
        return None
    if moment - aware(row.seen_at) >= TOUCH_EVERY:
        row.seen_at = moment
        db.session.commit()
    return row


def end_current() -> None:
    """Delete this browser's session row, if any (the caller commits)."""
    raw = _raw_id()
    if raw is not None:
        db.session.execute(delete(StaffSession).where(StaffSession.digest == _digest(raw)))


def set_cookie(response: Response, value: str) -> None:
    response.set_cookie(cookie_name(), value, path="/", secure=bool(current_app.config["PORTAL_STAFF_COOKIE_SECURE"]),
                        httponly=True, samesite="Lax")


def clear_cookie(response: Response) -> None:
    response.delete_cookie(cookie_name(), path="/", secure=bool(current_app.config["PORTAL_STAFF_COOKIE_SECURE"]),
                           httponly=True, samesite="Lax")


def has_cookie() -> bool:
    return cookie_name() in request.cookies


def expired_clause(moment: dt.datetime) -> ColumnElement[bool]:
    """Rows that no request can use any more (for `portal purge`)."""
    return or_(StaffSession.seen_at < moment - idle_limit(), StaffSession.created_at < moment - absolute_limit())
