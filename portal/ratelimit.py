"""Rate limits (PRODUCT.md N6), with Flask-Limiter and its storage (memory, or Redis shared by
every process).

Three keys, each counted on every request alike, so a limit reveals nothing about an account:

- the client address: every public page (`PORTAL_LIMIT_PAGES`), and the identifier form's POST
  (`PORTAL_LIMIT_SUBMIT`). Over either, a 429 page that is the same for everyone.
- the identifier, by its keyed hash (`PORTAL_LIMIT_IDENTIFIER`), and
- the typed e-mail address, folded, by its keyed hash (`PORTAL_LIMIT_TYPED_EMAIL`; for an identifier
  that is not an e-mail address the identifier's own hash is counted, so the work is the same).
  Over either of these the page stays exactly the same and the case is recorded; only the mail to
  the person is quietly not sent.

Never an account id: a missing identifier reaches its limit after the same count as an existing one.
The client address is the socket's peer; `X-Forwarded-For` counts only when
`PORTAL_TRUSTED_PROXIES` says how many proxies in front of the portal to trust (werkzeug's ProxyFix).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, current_app, render_template, request
from flask_limiter import Limiter
from limits import RateLimitItem, parse_many
from werkzeug.exceptions import TooManyRequests
from werkzeug.middleware.proxy_fix import ProxyFix

from .config import ConfigError
from .settings import Feature

DEFAULTS = {
    "PORTAL_LIMIT_PAGES": "120 per minute",
    "PORTAL_LIMIT_SUBMIT": "20 per minute; 200 per hour",
    "PORTAL_LIMIT_IDENTIFIER": "5 per hour; 20 per day",
    "PORTAL_LIMIT_TYPED_EMAIL": "3 per hour; 10 per day",
}
EXTENSION = "portal_limiter"


def client_address() -> str:
    return request.remote_addr or "unknown"


def read_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """The four limits from the environment, each checked (portal/settings.py)."""
    config: dict[str, Any] = {}
    for key, default in DEFAULTS.items():
        value = (env.get(key) or "").strip() or default
        try:
            if not parse_many(value):
                raise ValueError(key)
        except ValueError:
            raise ConfigError(f"{key} ska vara gränser som \"5 per hour; 20 per day\", inte {value!r}") from None
        config[key] = value
    return config


FEATURE = Feature(title="Begränsningar per adress och uppgift", variables=tuple(DEFAULTS), read=read_settings)


def init_app(app: Flask) -> Limiter:
    for key, value in DEFAULTS.items():  # an app made without read_settings (never in practice)
        app.config.setdefault(key, value)
    proxies = int(app.config.get("PORTAL_TRUSTED_PROXIES") or 0)
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    # one limiter per app (not a module global), so two apps in one process never share switches
    limiter = Limiter(
        client_address,
        default_limits=[lambda: current_app.config["PORTAL_LIMIT_PAGES"]],
        default_limits_exempt_when=lambda: request.endpoint in (None, "static", "health.healthz", "metrics.metrics"),
        headers_enabled=False,  # the same headers for everyone; no Retry-After countdown to compare
        key_prefix="portal",
    )
    limiter.init_app(app)
    app.extensions[EXTENSION] = limiter
    app.register_error_handler(429, too_many)  # Flask-Limiter's own and ours alike
    return limiter


def too_many(_exc: Exception) -> tuple[str, int]:
    from .language import error_page

    error_page()
    return render_template("public/too_many.html"), 429


def _limits(name: str) -> list[RateLimitItem]:
    return list(parse_many(current_app.config[name]))


def _hit(name: str, key: str) -> bool:
    """Count one hit on every window of the limit `name` for `key`; False when any is over."""
    limiter: Limiter = current_app.extensions[EXTENSION]
    if not limiter.enabled:
        return True
    allowed = True
    for item in _limits(name):  # every window is counted, even after one is over
        allowed = limiter.limiter.hit(item, name, key) and allowed
    return allowed


def check_submit() -> None:
    """The identifier form's POST, per client address: over the limit, the 429 page."""
    limiter: Limiter = current_app.extensions[EXTENSION]
    if limiter.enabled and not _hit("PORTAL_LIMIT_SUBMIT", client_address()):
        raise TooManyRequests()


def address_allowed(typed_email_hash: str) -> bool:
    """Count a typed e-mail address (its keyed hash); False means: send it no mail."""
    return _hit("PORTAL_LIMIT_TYPED_EMAIL", typed_email_hash)


def mail_allowed(identifier_hash: str, typed_email_hash: str) -> bool:
    """Count the identifier and the typed address; False means: record the case, send no mail."""
    by_identifier = _hit("PORTAL_LIMIT_IDENTIFIER", identifier_hash)
    return address_allowed(typed_email_hash) and by_identifier
