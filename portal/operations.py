"""Settings for running the portal as operators do (docs/contracts/README.md, "Running in production"):
how long a claim by a worker that died is honoured, the log format, and the metrics token.

`read(env)` validates them (ConfigError with a Swedish message naming the variable); the settings registry
(portal/settings.py) puts them in the app's config when a process starts, and `init_app` takes them from
there, so a value given to `create_app` (or set in app.config by an embedding program) is the one used,
checked the same way.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask

from .config import ConfigError

LOG_FORMATS = ("text", "json")


@dataclass(frozen=True)
class Operations:
    job_stale_after: int  # seconds: a job "running" this long belonged to a worker that died
    mail_stale_after: int  # seconds: the same for an outbox row being sent
    log_format: str  # "text" (readable) or "json" (one object a line)
    metrics_token: str | None  # GET /metrics answers only with `Authorization: Bearer <this>`; None: 404
    bind: str = "127.0.0.1:8000"  # where gunicorn listens with deploy/gunicorn.conf.py (host:port or unix:path)

    def flask_config(self) -> dict[str, Any]:
        return {name: getattr(self, field) for field, name in VARIABLES.items()}


VARIABLES = {"job_stale_after": "PORTAL_JOB_STALE_AFTER", "mail_stale_after": "PORTAL_MAIL_STALE_AFTER",
             "log_format": "PORTAL_LOG_FORMAT", "metrics_token": "PORTAL_METRICS_TOKEN", "bind": "PORTAL_BIND"}


def _seconds(env: Mapping[str, str], name: str, default: int) -> int:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ConfigError(f"{name} ska vara ett helt antal sekunder (minst 1), inte {raw!r}")
    return int(raw)


def read(env: Mapping[str, str] | None = None) -> Operations:
    env = os.environ if env is None else env
    log_format = (env.get("PORTAL_LOG_FORMAT") or "text").strip().lower()
    if log_format not in LOG_FORMATS:
        raise ConfigError(f"PORTAL_LOG_FORMAT ska vara text eller json, inte {env.get('PORTAL_LOG_FORMAT')!r}")
    token = (env.get("PORTAL_METRICS_TOKEN") or "").strip() or None
    if token is not None and len(token) < 16:
        raise ConfigError("PORTAL_METRICS_TOKEN ska vara minst 16 tecken långt (en slumpad hemlighet), "
                          "eller inte satt (då svarar /metrics 404)")
    bind = (env.get("PORTAL_BIND") or "127.0.0.1:8000").strip()
    host, _colon, port = bind.rpartition(":")
    if not (bind.startswith("unix:") and len(bind) > 5) and not (host and port.isdigit() and 0 < int(port) < 65536):
        raise ConfigError(f"PORTAL_BIND ska vara värd:port (till exempel 127.0.0.1:8000) eller unix:/sökväg, "
                          f"inte {env.get('PORTAL_BIND')!r}")
    return Operations(bind=bind, job_stale_after=_seconds(env, "PORTAL_JOB_STALE_AFTER", 600),
                      mail_stale_after=_seconds(env, "PORTAL_MAIL_STALE_AFTER", 600),
                      log_format=log_format, metrics_token=token)


def _read_settings(env: Mapping[str, str]) -> dict[str, Any]:
    return read(env).flask_config()


def _feature() -> Any:
    from .settings import Feature

    # PORTAL_MAIL_STALE_AFTER is listed (and checked) with the mail's other settings (portal/mail/delivery.py)
    return Feature(title="Drift: arbetare, loggar och mätvärden",
                   variables=("PORTAL_JOB_STALE_AFTER", "PORTAL_LOG_FORMAT", "PORTAL_METRICS_TOKEN", "PORTAL_BIND"),
                   read=lambda env: {key: value for key, value in _read_settings(env).items()
                                     if key != "PORTAL_MAIL_STALE_AFTER"},
                   secret=frozenset({"PORTAL_METRICS_TOKEN"}))


FEATURE = _feature()


def _as_text(value: Any) -> str:
    """A config value as the environment would give it: None is unset, 600.0 is "600"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def init_app(app: Flask) -> Operations:
    """The settings from app.config (what portal/settings.py read, or what `create_app` was given), checked
    as `read` checks the environment; the config holds the checked values afterwards."""
    operations = read({name: _as_text(app.config.get(name)) for name in VARIABLES.values()})
    app.config.update({key: value for key, value in operations.flask_config().items()
                       if key in FEATURE.variables})  # PORTAL_MAIL_STALE_AFTER stays the mail's (delivery.py)
    return operations
