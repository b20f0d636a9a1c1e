"""Served over HTTPS, as in production: every page sends `Referrer-Policy: no-referrer`, so a browser
posts forms without a Referer, and the forms must still work (Flask-WTF's strict Referer check is off;
the CSRF token and SameSite cookies protect them)."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

from .directory_builder import Directory
from .flow import post, walk

BASE = "https://inloggningshjalp.example.se"


class HttpsClient(FlaskClient):
    """Every request to the portal's HTTPS address (the browser's view behind a TLS proxy)."""

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if args and isinstance(args[0], str):
            kwargs.setdefault("base_url", BASE)
        return super().open(*args, **kwargs)


@pytest.fixture(autouse=True)
def https_base_url(monkeypatch):
    """The deployment's setting, in the environment before the app is made; nothing else is set by hand."""
    monkeypatch.setenv("PORTAL_BASE_URL", BASE)


@pytest.fixture
def https_client(app, runner, tmp_path: Path):
    d = Directory(name="Björkhagaskolan")
    d.add_guardian("g1", child="c1")
    assert runner.invoke(args=["import", str(d.write(tmp_path / "dir.json"))]).exit_code == 0
    assert app.config["SESSION_COOKIE_SECURE"] is True  # from PORTAL_BASE_URL alone
    app.test_client_class = HttpsClient
    client = app.test_client()
    assert client.get("/").request.is_secure
    return client


def test_the_whole_public_flow_works_over_https_without_a_referer(https_client):
    response, seen = walk(https_client, "g1@exempel.se")
    assert response.status_code == 303, response.get_data(as_text=True)
    assert seen[-1].endswith("/hjalp/resultat")
    page = https_client.get("/hjalp/resultat")
    assert page.status_code == 200
    assert page.headers["Referrer-Policy"] == "no-referrer"


def test_a_form_with_a_forged_token_is_still_refused_over_https(https_client):
    https_client.get("/")
    response = https_client.post("/", data={"csrf_token": "forged", "role": "guardian"})
    assert response.status_code == 400


def test_the_staff_sign_in_form_works_over_https_without_a_referer(https_client):
    response = post(https_client, "/inkorg/logga-in", email="nobody@exempel.se")
    assert response.status_code in (200, 303), response.get_data(as_text=True)
