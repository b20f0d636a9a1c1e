"""Every PORTAL_* variable, read and checked when a process starts; what `portal check` lists.

Each feature owns its variables. A feature module exposes `FEATURE = Feature(...)`: a Swedish title,
the names it reads, the names whose whole value is a secret, and `read(env)`, which takes the
environment as a mapping, checks every value and returns the Flask config entries, raising
`ConfigError` (a Swedish message naming the variable) for a value it cannot use. The returned entries
hold each of its PORTAL_* names with its effective value (the default filled in), which is what
`portal check` shows, masked.

`create_app` calls `read_all` before anything else, so a web process (gunicorn, `portal run`) never
starts with a setting it cannot use, and every `portal` command says so in Swedish and exits 1.

To add a feature's variables: give its module a `FEATURE` and add the module's name to `FEATURES`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .config import ConfigError, Settings

FEATURES: tuple[str, ...] = (
    "portal.settings",  # the core below: database, secret, base URL, mail sender, rate-limit storage, ...
    "portal.ratelimit",
    "portal.mail.delivery",
    "portal.tokens",
    "portal.inbox.sessions",
    "portal.operations",
    "portal.sources.ss12000.config",
    "portal.inbox.oidc",
)

Reader = Callable[[Mapping[str, str]], dict[str, Any]]
MASK = "********"
# query parameters whose value is masked in any URL shown
SECRET_PARAMETERS = ("password", "passwd", "pass", "secret", "token", "key", "apikey", "api_key")


@dataclass(frozen=True)
class Feature:
    title: str
    variables: tuple[str, ...]
    read: Reader
    secret: frozenset[str] = field(default_factory=frozenset)


FLAGS_TRUE = {"1", "true", "yes", "on", "ja"}
FLAGS_FALSE = {"0", "false", "no", "off", "nej"}


def flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    """A yes/no variable: 1/0, true/false, yes/no, on/off, ja/nej; unset or empty is `default`."""
    value = (env.get(name) or "").strip().lower()
    if not value:
        return default
    if value in FLAGS_TRUE:
        return True
    if value in FLAGS_FALSE:
        return False
    raise ConfigError(f"{name} ska vara 1 eller 0 (ja eller nej), inte {env.get(name)!r}")


def number(env: Mapping[str, str], name: str, default: float, *, minimum: float = 0,
           integer: bool = False) -> float:
    """A number at least `minimum` (an integer when `integer`); unset or empty is `default`."""
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = float(int(raw)) if integer else float(raw)
    except ValueError:
        kind = "ett heltal" if integer else "ett tal"
        raise ConfigError(f"{name} ska vara {kind}, inte {raw!r}") from None
    if not value >= minimum or value != value or value in (float("inf"), float("-inf")):
        raise ConfigError(f"{name} ska vara minst {minimum:g}, inte {raw!r}")
    return value


def _read_core(env: Mapping[str, str]) -> dict[str, Any]:
    settings = Settings.from_env(env)
    base = urlsplit(settings.base_url)
    if base.scheme not in ("http", "https") or not base.hostname:
        raise ConfigError(f"PORTAL_BASE_URL ska vara en adress som börjar med https:// (eller http:// på "
                          f"den egna datorn), inte {settings.base_url!r}")
    if settings.case_retention_days < 1:
        raise ConfigError(f"PORTAL_CASE_RETENTION_DAYS ska vara minst 1, inte {settings.case_retention_days}")
    flag(env, "PORTAL_RATELIMIT_ENABLED", True)  # refuses a value that is neither yes nor no
    storage = settings.ratelimit_storage_url
    if storage.partition("://")[0] not in ("memory", "redis", "rediss", "redis+unix", "redis+sentinel",
                                           "redis+cluster"):
        raise ConfigError(f"PORTAL_RATELIMIT_STORAGE_URL ska börja med memory:// eller redis://, "
                          f"inte {mask_value(storage)!r}")
    from .mail.senders import from_url

    try:
        from_url(settings.mail_url, instance_path=settings.instance_path)  # only checks the form; connects nowhere
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    config = settings.flask_config()
    config.update({
        "PORTAL_INSTANCE_PATH": str(settings.instance_path),
        "PORTAL_DATABASE_URL": settings.database_url,
        "PORTAL_SECRET_KEY": settings.secret_key,
        "PORTAL_RATELIMIT_STORAGE_URL": settings.ratelimit_storage_url,
        "PORTAL_RATELIMIT_ENABLED": settings.ratelimit_enabled,
    })
    return config


FEATURE = Feature(
    title="Grund",
    variables=("PORTAL_INSTANCE_PATH", "PORTAL_DATABASE_URL", "PORTAL_SECRET_KEY", "PORTAL_BASE_URL",
               "PORTAL_MAIL_URL", "PORTAL_MAIL_FROM", "PORTAL_RATELIMIT_STORAGE_URL", "PORTAL_RATELIMIT_ENABLED",
               "PORTAL_TRUSTED_PROXIES", "PORTAL_FALLBACK_CONTACT", "PORTAL_CONTROLLER",
               "PORTAL_ACCESSIBILITY_CONTACT", "PORTAL_CASE_RETENTION_DAYS"),
    read=_read_core,
    secret=frozenset({"PORTAL_SECRET_KEY"}),
)


def features() -> list[Feature]:
    return [importlib.import_module(name).FEATURE for name in FEATURES]


def read_all(env: Mapping[str, str]) -> dict[str, Any]:
    """Every feature's config entries; ConfigError for the first value that cannot be used."""
    config: dict[str, Any] = {}
    for feature in features():
        config.update(feature.read(env))
    return config


def mask_value(value: str) -> str:
    """A URL's password and secret query parameters masked; anything else as it is."""
    if "://" not in value:
        return value
    try:
        parts = urlsplit(value)
        netloc = parts.netloc
        if parts.password is not None:
            user, _, host = netloc.rpartition("@")
            name = user.partition(":")[0]
            netloc = f"{name}:{MASK}@{host}"
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        secret = [any(s in k.lower() for s in SECRET_PARAMETERS) for k, _ in pairs]
        if netloc == parts.netloc and not any(secret):
            return value  # nothing to hide: as given (memory:// stays memory://)
        query = urlencode([(k, MASK if hide else v) for (k, v), hide in zip(pairs, secret, strict=True)],
                          safe="*") if any(secret) else parts.query
        return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
    except ValueError:
        return MASK


def shown(feature: Feature, name: str, value: Any) -> str:
    if value is None or value == "":
        return "(inget)"
    if name in feature.secret:
        return MASK
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return mask_value(str(value))


@dataclass(frozen=True)
class Report:
    lines: list[str]
    problems: list[str]


def check(env: Mapping[str, str]) -> Report:
    """The effective configuration, feature by feature, secrets masked; and every problem found."""
    lines: list[str] = []
    problems: list[str] = []
    for feature in features():
        lines.append(f"{feature.title}:")
        try:
            config = feature.read(env)
        except ConfigError as exc:
            problems.append(str(exc))
            lines.append(f"  FEL: {exc}")
            continue
        width = max(len(name) for name in feature.variables)
        for name in feature.variables:
            origin = "" if (env.get(name) or "").strip() else "  (standard)"
            lines.append(f"  {name.ljust(width)}  {shown(feature, name, config.get(name))}{origin}")
    return Report(lines, problems)
