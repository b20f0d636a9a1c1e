"""Configuration from PORTAL_* environment variables (docs/contracts/README.md).

Nothing is required: with no variable set the portal runs on an SQLite file, writes mail to
an outbox folder and keeps a generated secret in the instance folder.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_MAIL_FROM = "Inloggningshjälpen <noreply@localhost>"


class ConfigError(ValueError):
    """A PORTAL_* variable has a value the portal cannot use (message in Swedish)."""


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() not in {"0", "false", "no", "off", "nej"}


def _instance_secret(instance: Path) -> str:
    """Read the secret kept in the instance folder, or create it once (mode 0600)."""
    path = instance / "secret_key"
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process won the race: use theirs
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key)
    return key


@dataclass(frozen=True)
class Settings:
    instance_path: Path
    database_url: str
    secret_key: str
    base_url: str
    mail_url: str
    mail_from: str
    ratelimit_storage_url: str
    ratelimit_enabled: bool
    fallback_contact: str | None
    controller: str | None
    accessibility_contact: str | None
    case_retention_days: int
    trusted_proxies: int

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        instance = Path(env.get("PORTAL_INSTANCE_PATH") or "instance").resolve()
        database_url = env.get("PORTAL_DATABASE_URL") or f"sqlite:///{instance / 'portal.sqlite3'}"
        secret = env.get("PORTAL_SECRET_KEY") or _instance_secret(instance)
        retention = env.get("PORTAL_CASE_RETENTION_DAYS") or "90"
        try:
            retention_days = int(retention)
        except ValueError as exc:
            raise ConfigError(f"PORTAL_CASE_RETENTION_DAYS ska vara ett heltal, inte {retention!r}") from exc
        proxies = env.get("PORTAL_TRUSTED_PROXIES") or "0"
        if not proxies.isdigit():
            raise ConfigError(f"PORTAL_TRUSTED_PROXIES ska vara ett heltal (antal proxyer), inte {proxies!r}")
        return cls(
            instance_path=instance,
            database_url=database_url,
            secret_key=secret,
            base_url=(env.get("PORTAL_BASE_URL") or "http://127.0.0.1:5000").rstrip("/"),
            mail_url=env.get("PORTAL_MAIL_URL") or "outbox:",
            mail_from=env.get("PORTAL_MAIL_FROM") or DEFAULT_MAIL_FROM,
            ratelimit_storage_url=env.get("PORTAL_RATELIMIT_STORAGE_URL") or "memory://",
            ratelimit_enabled=_flag(env.get("PORTAL_RATELIMIT_ENABLED"), True),
            fallback_contact=env.get("PORTAL_FALLBACK_CONTACT") or None,
            controller=env.get("PORTAL_CONTROLLER") or None,
            accessibility_contact=(env.get("PORTAL_ACCESSIBILITY_CONTACT") or env.get("PORTAL_CONTROLLER")
                                   or env.get("PORTAL_FALLBACK_CONTACT") or None),
            case_retention_days=retention_days,
            trusted_proxies=int(proxies),
        )

    def flask_config(self) -> dict[str, Any]:
        return {
            "SECRET_KEY": self.secret_key,
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            # hide_parameters: the SQL log (echo, or the sqlalchemy.engine logger at INFO) never shows
            # a statement's values, such as a queued job's identifier (PRODUCT.md N5). No pre-ping: it
            # costs every request a round trip; an SQLite file's connection cannot be dropped, and a
            # PostgreSQL connection the server closed is found at checkout without one
            # (portal.database.check_postgresql_connections)
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": False, "hide_parameters": True},
            "PORTAL_BASE_URL": self.base_url,
            "PORTAL_MAIL_URL": self.mail_url,
            "PORTAL_MAIL_FROM": self.mail_from,
            "RATELIMIT_STORAGE_URI": self.ratelimit_storage_url,
            "RATELIMIT_ENABLED": self.ratelimit_enabled,
            "PORTAL_FALLBACK_CONTACT": self.fallback_contact,
            "PORTAL_CONTROLLER": self.controller,
            "PORTAL_ACCESSIBILITY_CONTACT": self.accessibility_contact,
            "PORTAL_CASE_RETENTION_DAYS": self.case_retention_days,
            "PORTAL_TRUSTED_PROXIES": self.trusted_proxies,
            "PORTAL_SETTINGS": self,
            # Flask-WTF's strict mode refuses an HTTPS POST without a same-site Referer, and every page
            # sends `Referrer-Policy: no-referrer`, so browsers send none: over HTTPS every form would
            # fail. The CSRF token (tied to the session) and SameSite=Lax cookies protect the forms.
            "WTF_CSRF_SSL_STRICT": False,
            "BABEL_DEFAULT_LOCALE": "sv",
            "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).resolve().parent.parent / "translations"),
        }
