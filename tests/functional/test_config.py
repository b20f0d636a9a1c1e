"""Configuration from PORTAL_* variables (docs/contracts/README.md), and the `portal` command's
exit status for help and wrong usage."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from portal import create_app


@pytest.fixture(autouse=True)
def no_portal_variables(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Start each test with no PORTAL_* variable set, in an empty working directory (the default
    instance folder is ./instance)."""
    for name in list(os.environ):
        if name.startswith("PORTAL_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    yield


def test_with_no_variables_the_database_is_an_sqlite_file_in_the_instance_folder(tmp_path):
    app = create_app()

    instance = tmp_path / "instance"
    assert Path(app.instance_path) == instance
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'portal.sqlite3'}"


def test_with_no_variables_the_contract_defaults_apply():
    app = create_app()

    assert app.config["PORTAL_BASE_URL"] == "http://127.0.0.1:5000"
    assert app.config["PORTAL_MAIL_URL"] == "outbox:"
    assert app.config["PORTAL_MAIL_FROM"] == "Inloggningshjälpen <noreply@localhost>"
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert app.config["RATELIMIT_ENABLED"] is True
    assert app.config["PORTAL_FALLBACK_CONTACT"] is None
    assert app.config["PORTAL_CASE_RETENTION_DAYS"] == 90


def test_the_secret_is_generated_once_and_kept_in_the_instance_folder_for_its_owner_only(tmp_path):
    first = create_app()

    kept = tmp_path / "instance" / "secret_key"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert len(first.secret_key) >= 32
    assert kept.read_text(encoding="ascii").strip() == first.secret_key
    assert create_app().secret_key == first.secret_key


def test_another_instance_folder_gets_another_secret(tmp_path, monkeypatch):
    first = create_app()
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path / "elsewhere"))

    second = create_app()

    assert Path(second.instance_path) == tmp_path / "elsewhere"
    assert (tmp_path / "elsewhere" / "secret_key").exists()
    assert second.secret_key != first.secret_key


def test_portal_secret_key_overrides_and_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_SECRET_KEY", "from-the-operators-secret-store")

    app = create_app()

    assert app.secret_key == "from-the-operators-secret-store"
    assert not (tmp_path / "instance" / "secret_key").exists()


def test_portal_database_url_is_used_as_given(monkeypatch):
    monkeypatch.setenv("PORTAL_DATABASE_URL", "postgresql+psycopg://portal@db/portal")

    assert create_app().config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://portal@db/portal"


@pytest.mark.parametrize(
    "given", ["https://inloggningshjalp.example.se/", "https://inloggningshjalp.example.se"]
)
def test_the_base_url_loses_its_trailing_slash(monkeypatch, given):
    monkeypatch.setenv("PORTAL_BASE_URL", given)

    assert create_app().config["PORTAL_BASE_URL"] == "https://inloggningshjalp.example.se"


@pytest.mark.parametrize(("given", "enabled"), [("0", False), ("1", True), ("", True)])
def test_portal_ratelimit_enabled(monkeypatch, given, enabled):
    monkeypatch.setenv("PORTAL_RATELIMIT_ENABLED", given)

    assert create_app().config["RATELIMIT_ENABLED"] is enabled


def test_the_other_variables_reach_the_app(monkeypatch):
    monkeypatch.setenv("PORTAL_MAIL_URL", "smtp://mail.example.se:587")
    monkeypatch.setenv("PORTAL_MAIL_FROM", "Skolan <noreply@example.se>")
    monkeypatch.setenv("PORTAL_RATELIMIT_STORAGE_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("PORTAL_FALLBACK_CONTACT", "IT-support <it@example.se>")
    monkeypatch.setenv("PORTAL_CASE_RETENTION_DAYS", "30")

    config = create_app().config

    assert config["PORTAL_MAIL_URL"] == "smtp://mail.example.se:587"
    assert config["PORTAL_MAIL_FROM"] == "Skolan <noreply@example.se>"
    assert config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"
    assert config["PORTAL_FALLBACK_CONTACT"] == "IT-support <it@example.se>"
    assert config["PORTAL_CASE_RETENTION_DAYS"] == 30


def test_a_bad_case_retention_is_refused_with_a_message_naming_the_variable(monkeypatch):
    monkeypatch.setenv("PORTAL_CASE_RETENTION_DAYS", "nittio")

    with pytest.raises(ValueError, match=r"PORTAL_CASE_RETENTION_DAYS ska vara ett heltal, inte 'nittio'"):
        create_app()


def test_config_given_to_create_app_wins_over_the_environment(monkeypatch):
    monkeypatch.setenv("PORTAL_BASE_URL", "https://from-the-environment.example.se")

    app: Flask = create_app({"PORTAL_BASE_URL": "https://given.example.se"})

    assert app.config["PORTAL_BASE_URL"] == "https://given.example.se"


# -- the installed `portal` command --------------------------------------------------------------

PORTAL = Path(sys.executable).with_name("portal")


def _portal(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PORTAL_INSTANCE_PATH": str(tmp_path / "instance")}
    return subprocess.run(
        [str(PORTAL), *args], capture_output=True, text=True, env=env, timeout=60, check=False
    )


@pytest.mark.slow
def test_portal_help_exits_0_and_lists_the_commands(tmp_path):
    result = _portal("--help", tmp_path=tmp_path)

    assert result.returncode == 0, result.stderr
    for command in ("run", "import", "demo"):
        assert f"  {command} " in result.stdout


@pytest.mark.slow
def test_an_unknown_portal_command_exits_2(tmp_path):
    result = _portal("no-such-command", tmp_path=tmp_path)

    assert result.returncode == 2
    assert "no-such-command" in result.stderr
