"""Every PORTAL_* variable is read from the environment and checked when a process starts (issue 16 row 7,
issue 15 item 6), and `portal check` shows the effective configuration with its secrets masked."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest

from portal import create_app
from portal.config import ConfigError
from portal.settings import features, mask_value, read_all

README = Path(__file__).resolve().parents[2] / "README.md"

# a usable value for every variable, different from its default
EXAMPLES = {
    "PORTAL_INSTANCE_PATH": "{tmp}/elsewhere",
    "PORTAL_DATABASE_URL": "postgresql+psycopg://portal:hemligt@db/portal",
    "PORTAL_SECRET_KEY": "from-the-secret-store-0123456789",
    "PORTAL_BASE_URL": "https://inloggningshjalp.example.se",
    "PORTAL_MAIL_URL": "smtp://user:p%40ss@mail.example.se:587",
    "PORTAL_MAIL_FROM": "Skolan <noreply@example.se>",
    "PORTAL_RATELIMIT_STORAGE_URL": "redis://:redispass@cache:6379/0",
    "PORTAL_RATELIMIT_ENABLED": "0",
    "PORTAL_TRUSTED_PROXIES": "1",
    "PORTAL_FALLBACK_CONTACT": "IT <it@example.se>",
    "PORTAL_CONTROLLER": "Exempelby kommun <dataskydd@exempelby.se>",
    "PORTAL_ACCESSIBILITY_CONTACT": "webb@exempelby.se",
    "PORTAL_CASE_RETENTION_DAYS": "30",
    "PORTAL_LIMIT_PAGES": "60 per minute",
    "PORTAL_LIMIT_SUBMIT": "10 per minute",
    "PORTAL_LIMIT_IDENTIFIER": "2 per hour",
    "PORTAL_LIMIT_TYPED_EMAIL": "1 per hour",
    "PORTAL_MAIL_MAX_ATTEMPTS": "3",
    "PORTAL_MAIL_RETRY_DELAY": "5",
    "PORTAL_MAIL_RETRY_MAX_DELAY": "50",
    "PORTAL_MAIL_STALE_AFTER": "120",
    "PORTAL_MAIL_TIMEOUT": "7",
    "PORTAL_MAIL_REQUIRE_TLS": "1",
    "PORTAL_MAIL_TLS_CA_FILE": "{tmp}/ca.pem",
    "PORTAL_TOKEN_MAX_AGE_RESET": "600",
    "PORTAL_STAFF_IDLE_MINUTES": "5",
    "PORTAL_STAFF_MAX_HOURS": "2",
    "PORTAL_STAFF_COOKIE": "personal",
    "PORTAL_STAFF_COOKIE_SECURE": "1",
    "PORTAL_JOB_STALE_AFTER": "90",
    "PORTAL_LOG_FORMAT": "json",
    "PORTAL_METRICS_TOKEN": "scrape-token-0123456789abcdef",
    "PORTAL_BIND": "unix:/run/portal/web.sock",
    "PORTAL_SS12000_URL": "https://api.exempelby.se/ss12000/v2.1",
    "PORTAL_SS12000_TOKEN": "bearer-from-elsewhere",
    "PORTAL_SS12000_TOKEN_URL": "https://idp.exempelby.se/oauth2/token",
    "PORTAL_SS12000_CLIENT_ID": "inloggningshjalpen",
    "PORTAL_SS12000_CLIENT_SECRET": "klienthemlighet",
    "PORTAL_SS12000_SCOPE": "ss12000.read",
    "PORTAL_SS12000_CLIENT_CERT": "{tmp}/ca.pem",
    "PORTAL_SS12000_CLIENT_KEY": "{tmp}/ca.pem",
    "PORTAL_SS12000_CA_FILE": "{tmp}/ca.pem",
    "PORTAL_SS12000_SERVICES": "school_platform,learning_platform",
    "PORTAL_SS12000_INTERVAL": "600",
    "PORTAL_SS12000_TIMEOUT": "5",
    "PORTAL_SS12000_PAGE_SIZE": "200",
    "PORTAL_SS12000_SETTINGS": "{tmp}/ca.pem",
    "PORTAL_OIDC_ISSUER": "https://login.exempelby.se",
    "PORTAL_OIDC_CLIENT_ID": "inloggningshjalpen-inkorg",
    "PORTAL_OIDC_CLIENT_SECRET": "oidc-klienthemlighet",
    "PORTAL_OIDC_EMAIL_CLAIM": "upn",
}

BAD = [
    ("PORTAL_OIDC_ISSUER", "login.exempelby.se"), ("PORTAL_OIDC_ISSUER", "http://login.exempelby.se"),
    ("PORTAL_OIDC_CLIENT_ID", "inkorgen"),
    ("PORTAL_SS12000_URL", "api.exempelby.se"), ("PORTAL_SS12000_SERVICES", "skolplattform"),
    ("PORTAL_SS12000_INTERVAL", "en timme"), ("PORTAL_SS12000_TIMEOUT", "0"), ("PORTAL_SS12000_PAGE_SIZE", "0"),
    ("PORTAL_SS12000_CA_FILE", "/finns/inte.pem"), ("PORTAL_SS12000_SETTINGS", "/finns/inte.json"), ("PORTAL_SS12000_TOKEN_URL", "ftp://idp"),
    ("PORTAL_JOB_STALE_AFTER", "tio minuter"), ("PORTAL_LOG_FORMAT", "xml"), ("PORTAL_METRICS_TOKEN", "kort"),
    ("PORTAL_BIND", "8000"),
    ("PORTAL_TOKEN_MAX_AGE_RESET", "en timme"), ("PORTAL_TOKEN_MAX_AGE_RESET", "0"),
    ("PORTAL_STAFF_IDLE_MINUTES", "trettio"), ("PORTAL_STAFF_IDLE_MINUTES", "-5"),
    ("PORTAL_STAFF_MAX_HOURS", "nan"), ("PORTAL_STAFF_COOKIE", "in korg;"), ("PORTAL_STAFF_COOKIE_SECURE", "kanske"),
    ("PORTAL_MAIL_MAX_ATTEMPTS", "tio"), ("PORTAL_MAIL_RETRY_DELAY", "0"), ("PORTAL_MAIL_TIMEOUT", "inf"),
    ("PORTAL_MAIL_STALE_AFTER", "x"), ("PORTAL_MAIL_RETRY_MAX_DELAY", "-1"), ("PORTAL_MAIL_REQUIRE_TLS", "kanske"),
    ("PORTAL_MAIL_TLS_CA_FILE", "/finns/inte.pem"), ("PORTAL_MAIL_URL", "gmail"), ("PORTAL_RATELIMIT_ENABLED", "kanske"),
    ("PORTAL_RATELIMIT_STORAGE_URL", "memcached://x"), ("PORTAL_BASE_URL", "inloggningshjalp.example.se"),
    ("PORTAL_CASE_RETENTION_DAYS", "0"), ("PORTAL_TRUSTED_PROXIES", "en"), ("PORTAL_LIMIT_PAGES", "många"),
]


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """No PORTAL_* variable but the instance folder, in an empty working directory."""
    for name in list(os.environ):
        if name.startswith("PORTAL_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ca.pem").write_text("not read at start\n")
    return {"PORTAL_INSTANCE_PATH": str(tmp_path / "instance")}


def _example(name: str, tmp_path: Path) -> str:
    return EXAMPLES[name].format(tmp=tmp_path)


def test_every_variable_the_readme_names_is_read_by_a_feature_of_the_portal():
    documented = set(re.findall(r"`(PORTAL_[A-Z0-9_]+)`", README.read_text(encoding="utf-8")))
    registered = {name for feature in features() for name in feature.variables}
    assert documented, "the README's configuration table names no variable"
    assert documented - registered == set(), "documented but read by no feature (portal/settings.py FEATURES)"
    assert registered - documented == set(), "read but not in the README's configuration table"
    assert set(EXAMPLES) == registered


# variables that are only usable together with another (a key needs its certificate, a token endpoint
# its client id and secret)
COMPANIONS = {
    "PORTAL_SS12000_CLIENT_KEY": ("PORTAL_SS12000_CLIENT_CERT",),
    "PORTAL_SS12000_TOKEN_URL": ("PORTAL_SS12000_CLIENT_ID", "PORTAL_SS12000_CLIENT_SECRET"),
    "PORTAL_OIDC_ISSUER": ("PORTAL_OIDC_CLIENT_ID",),
    "PORTAL_OIDC_CLIENT_ID": ("PORTAL_OIDC_ISSUER",),
    "PORTAL_OIDC_CLIENT_SECRET": ("PORTAL_OIDC_ISSUER", "PORTAL_OIDC_CLIENT_ID"),
    "PORTAL_OIDC_EMAIL_CLAIM": ("PORTAL_OIDC_ISSUER", "PORTAL_OIDC_CLIENT_ID"),
}


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_each_variable_changes_the_effective_configuration(env, tmp_path, name):
    default = read_all(env)
    companions = {other: _example(other, tmp_path) for other in COMPANIONS.get(name, ())}
    given = read_all({**env, **companions, name: _example(name, tmp_path)})
    assert given[name] != default[name]


@pytest.mark.parametrize(("name", "value"), BAD)
def test_a_value_that_cannot_be_used_stops_the_app_factory_with_a_swedish_message_naming_it(env, monkeypatch,
                                                                                          name, value):
    for key, val in env.items():
        monkeypatch.setenv(key, val)
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=name) as refused:
        create_app()
    assert re.search(r"\b(ska|saknar|finns inte|kräver|har en port)\b", str(refused.value))


def test_the_documented_staff_and_token_settings_reach_the_code_that_uses_them(env, monkeypatch):
    for key, value in {**env, "PORTAL_TOKEN_MAX_AGE_RESET": "600", "PORTAL_STAFF_IDLE_MINUTES": "5",
                       "PORTAL_STAFF_MAX_HOURS": "2", "PORTAL_STAFF_COOKIE": "personal",
                       "PORTAL_STAFF_COOKIE_SECURE": "0"}.items():
        monkeypatch.setenv(key, value)
    from portal import tokens
    from portal.inbox import sessions

    app = create_app({"TESTING": True})
    with app.test_request_context():
        assert tokens.lifetime("reset") == 600
        assert sessions.idle_limit() == dt.timedelta(minutes=5)
        assert sessions.absolute_limit() == dt.timedelta(hours=2)
        assert sessions.cookie_name() == "personal"
        assert app.config["PORTAL_STAFF_COOKIE_SECURE"] is False


def test_the_staff_cookie_follows_the_base_url_unless_set(env):
    assert read_all({**env, "PORTAL_BASE_URL": "https://x.example.se"})["PORTAL_STAFF_COOKIE"] == "__Host-inkorg"
    assert read_all(env)["PORTAL_STAFF_COOKIE"] == "inkorg"
    with pytest.raises(ConfigError, match="PORTAL_STAFF_COOKIE"):
        read_all({**env, "PORTAL_STAFF_COOKIE": "__Host-x", "PORTAL_STAFF_COOKIE_SECURE": "0"})


@pytest.mark.parametrize(("given", "shown"), [
    ("smtp://user:p%40ss@mail.example.se:587", "smtp://user:********@mail.example.se:587"),
    ("postgresql+psycopg://portal:hemligt@db/portal?sslmode=require",
     "postgresql+psycopg://portal:********@db/portal?sslmode=require"),
    ("redis://:pw@cache:6379/0", "redis://:********@cache:6379/0"),
    ("https://api.example.se/v1?token=abc&x=1", "https://api.example.se/v1?token=********&x=1"),
    ("outbox:", "outbox:"),
    ("memory://", "memory://"),
    ("redis://cache:6379/0?ssl_cert_reqs=none", "redis://cache:6379/0?ssl_cert_reqs=none"),
])
def test_urls_lose_their_passwords_and_tokens(given, shown):
    assert mask_value(given) == shown


def test_portal_check_lists_the_effective_configuration_with_secrets_masked(env, monkeypatch, tmp_path):
    from click.testing import CliRunner

    from portal.cli import main

    # a static SS 12000 token and client credentials exclude each other: all but the token
    for key, value in {**env, **{n: _example(n, tmp_path) for n in EXAMPLES if n != "PORTAL_SS12000_TOKEN"}}.items():
        monkeypatch.setenv(key, value)
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 0, result.output
    for name in EXAMPLES:
        assert name in result.output
    for secret in ("from-the-secret-store", "hemligt", "p%40ss", "redispass", "klienthemlighet", "scrape-token", "oidc-klienthemlighet"):
        assert secret not in result.output
    assert "PORTAL_STAFF_IDLE_MINUTES" in result.output and "  5" in result.output
    assert "postgresql+psycopg://portal:********@db/portal" in result.output


def test_portal_check_names_every_variable_it_cannot_use_and_exits_1(env, monkeypatch):
    from click.testing import CliRunner

    from portal.cli import main

    for key, value in {**env, "PORTAL_STAFF_MAX_HOURS": "åtta", "PORTAL_MAIL_TIMEOUT": "lång"}.items():
        monkeypatch.setenv(key, value)
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 1
    assert "PORTAL_STAFF_MAX_HOURS ska vara ett tal, inte 'åtta'" in result.output
    assert "PORTAL_MAIL_TIMEOUT ska vara ett tal, inte 'lång'" in result.output
    assert "Traceback" not in result.output


def test_every_portal_command_refuses_a_bad_setting_in_swedish_with_exit_1(env, monkeypatch):
    from click.testing import CliRunner

    from portal.cli import main

    for key, value in {**env, "PORTAL_TOKEN_MAX_AGE_RESET": "halvtimme"}.items():
        monkeypatch.setenv(key, value)
    result = CliRunner().invoke(main, ["purge", "--dry-run"])
    assert result.exit_code == 1
    assert "Fel: PORTAL_TOKEN_MAX_AGE_RESET ska vara ett heltal, inte 'halvtimme'" in result.output
