"""PORTAL_SS12000_* variables, read and checked; a bad value is a ConfigError naming the variable."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from ...config import ConfigError

SERVICES = ("school_platform", "learning_platform", "assessment_portal", "eservice_permissions", "agency_eservice")
DEFAULT_INTERVAL = 3600
DEFAULT_TIMEOUT = 30.0
DEFAULT_PAGE_SIZE = 1000


@dataclass(frozen=True)
class SyncConfig:
    url: str
    token: str | None = None
    token_url: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    scope: str | None = None
    client_cert: str | None = None
    client_key: str | None = None
    ca_file: str | None = None
    services: tuple[str, ...] = ("school_platform",)
    interval: int = DEFAULT_INTERVAL
    timeout: float = DEFAULT_TIMEOUT
    page_size: int = DEFAULT_PAGE_SIZE
    settings: str | None = None  # the settings file of scheduled runs (and of the command without --settings)


def _get(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    return value or None


def _url(name: str, value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise ConfigError(f"{name} ska vara en adress som börjar med https://, inte {value!r}")
    return value.rstrip("/")


def _file(env: Mapping[str, str], name: str) -> str | None:
    value = _get(env, name)
    if value is not None and not Path(value).is_file():
        raise ConfigError(f"{name}: filen {value} finns inte")
    return value


def _number(env: Mapping[str, str], name: str, default: float, *, whole: bool, least: float) -> float:
    value = _get(env, name)
    if value is None:
        return default
    try:
        number = int(value) if whole else float(value)
    except ValueError:
        kind = "ett heltal" if whole else "ett tal"
        raise ConfigError(f"{name} ska vara {kind}, inte {value!r}") from None
    if number < least:
        raise ConfigError(f"{name} ska vara minst {least:g}, inte {value!r}")
    return number


def read_config(env: Mapping[str, str] | None = None) -> SyncConfig | None:
    """The sync's settings, or None when PORTAL_SS12000_URL is not set."""
    env = os.environ if env is None else env
    url = _get(env, "PORTAL_SS12000_URL")
    if url is None:
        return None
    url = _url("PORTAL_SS12000_URL", url)
    token, token_url = _get(env, "PORTAL_SS12000_TOKEN"), _get(env, "PORTAL_SS12000_TOKEN_URL")
    client_id, secret = _get(env, "PORTAL_SS12000_CLIENT_ID"), _get(env, "PORTAL_SS12000_CLIENT_SECRET")
    if token and token_url:
        raise ConfigError("PORTAL_SS12000_TOKEN och PORTAL_SS12000_TOKEN_URL är båda satta: ange antingen en "
                          "färdig token eller klientuppgifter för OAuth 2.0, inte båda")
    if token_url is not None:
        token_url = _url("PORTAL_SS12000_TOKEN_URL", token_url)
        for name, value in (("PORTAL_SS12000_CLIENT_ID", client_id), ("PORTAL_SS12000_CLIENT_SECRET", secret)):
            if value is None:
                raise ConfigError(f"{name} saknas: den behövs när PORTAL_SS12000_TOKEN_URL är satt")
    cert, key = _file(env, "PORTAL_SS12000_CLIENT_CERT"), _file(env, "PORTAL_SS12000_CLIENT_KEY")
    if key is not None and cert is None:
        raise ConfigError("PORTAL_SS12000_CLIENT_KEY är satt men inte PORTAL_SS12000_CLIENT_CERT")
    services = tuple(s.strip() for s in (_get(env, "PORTAL_SS12000_SERVICES") or "school_platform").split(","))
    for service in services:
        if service not in SERVICES:
            raise ConfigError(f"PORTAL_SS12000_SERVICES ska vara tjänster ur listan {', '.join(SERVICES)} "
                              f"(med komma emellan), och {service!r} finns inte bland dem")
    return SyncConfig(
        url=url, token=token, token_url=token_url, client_id=client_id, client_secret=secret,
        scope=_get(env, "PORTAL_SS12000_SCOPE"), client_cert=cert, client_key=key,
        ca_file=_file(env, "PORTAL_SS12000_CA_FILE"), services=tuple(dict.fromkeys(services)),
        interval=int(_number(env, "PORTAL_SS12000_INTERVAL", DEFAULT_INTERVAL, whole=True, least=1)),
        timeout=_number(env, "PORTAL_SS12000_TIMEOUT", DEFAULT_TIMEOUT, whole=False, least=0.1),
        page_size=int(_number(env, "PORTAL_SS12000_PAGE_SIZE", DEFAULT_PAGE_SIZE, whole=True, least=1)),
        settings=_file(env, "PORTAL_SS12000_SETTINGS"),
    )


VARIABLES = ("PORTAL_SS12000_URL", "PORTAL_SS12000_TOKEN", "PORTAL_SS12000_TOKEN_URL", "PORTAL_SS12000_CLIENT_ID",
             "PORTAL_SS12000_CLIENT_SECRET", "PORTAL_SS12000_SCOPE", "PORTAL_SS12000_CLIENT_CERT",
             "PORTAL_SS12000_CLIENT_KEY", "PORTAL_SS12000_CA_FILE", "PORTAL_SS12000_SERVICES",
             "PORTAL_SS12000_INTERVAL", "PORTAL_SS12000_TIMEOUT", "PORTAL_SS12000_PAGE_SIZE",
             "PORTAL_SS12000_SETTINGS")


def read_settings(env: Mapping[str, str]) -> dict[str, object]:
    """For the settings registry (portal/settings.py): every PORTAL_SS12000_* checked when a process starts.
    Without PORTAL_SS12000_URL the others are still checked (as they would be once it is set)."""
    given = {name: value for name in VARIABLES if (value := env.get(name, "").strip())}
    if "PORTAL_SS12000_URL" not in given and not given:
        return dict.fromkeys(VARIABLES) | {"PORTAL_SS12000_SERVICES": "school_platform",
                                           "PORTAL_SS12000_INTERVAL": DEFAULT_INTERVAL,
                                           "PORTAL_SS12000_TIMEOUT": DEFAULT_TIMEOUT,
                                           "PORTAL_SS12000_PAGE_SIZE": DEFAULT_PAGE_SIZE}
    config = read_config({**env, "PORTAL_SS12000_URL": given.get("PORTAL_SS12000_URL", "https://ss12000.invalid")})
    assert config is not None
    return {
        "PORTAL_SS12000_URL": config.url if "PORTAL_SS12000_URL" in given else None,
        "PORTAL_SS12000_TOKEN": config.token, "PORTAL_SS12000_TOKEN_URL": config.token_url,
        "PORTAL_SS12000_CLIENT_ID": config.client_id, "PORTAL_SS12000_CLIENT_SECRET": config.client_secret,
        "PORTAL_SS12000_SCOPE": config.scope, "PORTAL_SS12000_CLIENT_CERT": config.client_cert,
        "PORTAL_SS12000_CLIENT_KEY": config.client_key, "PORTAL_SS12000_CA_FILE": config.ca_file,
        "PORTAL_SS12000_SERVICES": ",".join(config.services), "PORTAL_SS12000_INTERVAL": config.interval,
        "PORTAL_SS12000_TIMEOUT": config.timeout, "PORTAL_SS12000_PAGE_SIZE": config.page_size,
        "PORTAL_SS12000_SETTINGS": config.settings,
    }


def _feature() -> object:
    from ...settings import Feature

    return Feature(title="Katalogen från SS 12000", variables=VARIABLES, read=read_settings,
                   secret=frozenset({"PORTAL_SS12000_TOKEN", "PORTAL_SS12000_CLIENT_SECRET"}))


FEATURE = _feature()
