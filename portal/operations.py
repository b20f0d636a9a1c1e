"""Settings for running the portal as operators do (docs/contracts/README.md, "Running in production"):
how long a claim by a worker that died is honoured, the log format, and the metrics token.

`read(env)` validates them (ConfigError with a Swedish message naming the variable); `init_app` puts them
in the app's config (values given to `create_app` win).
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
        return {"PORTAL_JOB_STALE_AFTER": self.job_stale_after, "PORTAL_MAIL_STALE_AFTER": self.mail_stale_after,
                "PORTAL_LOG_FORMAT": self.log_format, "PORTAL_METRICS_TOKEN": self.metrics_token,
                "PORTAL_BIND": self.bind}


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


def init_app(app: Flask) -> Operations:
    operations = read()
    for key, value in operations.flask_config().items():
        app.config.setdefault(key, value)
    return operations
