"""Signed, expiring, single-use tokens: reset links and contacts' sign-in links (STYLE.md 5).

itsdangerous is wrapped once here. Each purpose has its own salt, so a token made for one purpose
is refused by every other, and its own lifetime. Its exceptions become ours: `TokenExpired` and
`TokenInvalid` (a forged, altered or other-purpose token; `TokenExpired` is a kind of it, so a
page that treats both alike catches one). Spending is a database constraint: `spend` inserts the
token's digest into `spent_tokens`, whose primary key lets exactly one transaction in; never a
check-then-act.

The clock is the portal's one clock (portal/clock.py; `PORTAL_CLOCK` in tests), so tests reach
the expiry second without sleeping. A token is valid at its last second and
invalid one second later.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError

from .clock import timestamp
from .extensions import db
from .models import SpentToken
from .models.cases import utcnow
from .settings import Feature, number

# purpose -> default lifetime in seconds; `PORTAL_TOKEN_MAX_AGE_<PURPOSE>` in the config overrides
LIFETIMES: dict[str, int] = {
    "reset": 30 * 60,
    "sign-in": 15 * 60,
}


def read_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """`PORTAL_TOKEN_MAX_AGE_RESET`: a reset link's lifetime in seconds (portal/settings.py)."""
    return {"PORTAL_TOKEN_MAX_AGE_RESET": int(number(env, "PORTAL_TOKEN_MAX_AGE_RESET", LIFETIMES["reset"],
                                                      minimum=60, integer=True))}


FEATURE = Feature(title="Länkar", variables=("PORTAL_TOKEN_MAX_AGE_RESET",), read=read_settings)


class TokenInvalid(Exception):
    """Forged, altered, malformed, of another purpose, or already spent."""


class TokenExpired(TokenInvalid):
    """Signed by us, but older than its purpose allows."""



class _ClockSigner(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(timestamp())


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    if purpose not in LIFETIMES:
        raise ValueError(f"unknown token purpose {purpose!r}")
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"portal.token.{purpose}",
                                  signer=_ClockSigner)


def lifetime(purpose: str) -> int:
    key = f"PORTAL_TOKEN_MAX_AGE_{purpose.upper().replace('-', '_')}"
    return int(current_app.config.get(key) or LIFETIMES[purpose])


def make(purpose: str, payload: dict[str, Any]) -> str:
    """A URL-safe token carrying `payload` (keep it small and free of personal data)."""
    return str(_serializer(purpose).dumps(payload))


def read(purpose: str, token: str) -> dict[str, Any]:
    """The payload, or TokenExpired / TokenInvalid. Does not spend the token (a GET may read it)."""
    if not isinstance(token, str) or not token or len(token) > 2000:
        raise TokenInvalid()
    try:
        payload = _serializer(purpose).loads(token, max_age=lifetime(purpose))
    except SignatureExpired as exc:
        raise TokenExpired() from exc
    except (BadSignature, ValueError, UnicodeError) as exc:
        raise TokenInvalid() from exc
    if not isinstance(payload, dict):
        raise TokenInvalid()
    if is_spent(token):
        raise TokenInvalid()
    return payload


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def is_spent(token: str) -> bool:
    return db.session.get(SpentToken, digest(token)) is not None


def spend(purpose: str, token: str) -> bool:
    """Mark the token spent in the current transaction; False when another transaction spent it.

    Call it in the same transaction as the work the token allows, and commit both together: the
    primary key decides which of several concurrent requests goes on. On False the transaction has
    been rolled back.
    """
    db.session.add(SpentToken(digest=digest(token), purpose=purpose, spent_at=utcnow()))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return False
    return True
