"""Signing in to the inbox through the organisation's identity provider (issue 14, part 3): OpenID
Connect with PKCE against a provider the test runs on 127.0.0.1 (tests/functional/oidc_provider.py),
every hop between the portal and the provider over real HTTP. A verified address of a contact signs
in through the same start_session as the mailed link; everything that does not verify is refused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from flask import Flask
from sqlalchemy import select

from portal import create_app
from portal.config import ConfigError
from portal.extensions import db
from portal.inbox.oidc import OidcSettings, settings_from_env
from portal.models import StaffSession

from .inbox_flow import EXP_BJORKHAGA, ask_for_link, build_directory, sign_in
from .oidc_provider import Provider

VERIFIED = {"email": "exp.bjorkhaga@exempelby.se", "email_verified": True}


@pytest.fixture
def provider() -> Iterator[Provider]:
    with Provider() as running:
        yield running


def _app(**settings: str) -> Flask:
    """An app whose provider is given to create_app (as an embedding program or a test would), not by the
    environment, which names none."""
    return create_app({"TESTING": True, "PORTAL_SECRET_KEY_FOR_TESTS": True,
                       **{"PORTAL_OIDC_" + name.upper(): value for name, value in settings.items()}})


@pytest.fixture
def oidc_app(app, runner, tmp_path: Path, provider: Provider) -> Iterator[Flask]:
    assert runner.invoke(args=["import", str(build_directory().write(tmp_path / "dir.json"))]).exit_code == 0
    configured = _app(issuer=provider.issuer, client_id="inkorgen", client_secret="hemligt")
    yield configured
    with configured.app_context():
        db.session.remove()
        db.engine.dispose()


def through_provider(client, provider: Provider, user: dict, *, state: str | None = None):
    """Press "Logga in via din organisation", let the provider sign `user` in, come back; the answer."""
    provider.user = user
    start = client.get("/inkorg/logga-in/organisation")
    assert start.status_code == 302, start.get_data(as_text=True)
    location = start.headers["Location"]
    assert location.startswith(provider.issuer + "/authorize?")
    asked = parse_qs(urlsplit(location).query)
    assert asked["code_challenge_method"] == ["S256"] and asked["nonce"] and asked["state"]
    assert asked["redirect_uri"] == ["http://127.0.0.1:5000/inkorg/logga-in/organisation/svar"]
    back = requests.get(location, allow_redirects=False, timeout=10)  # the browser at the provider
    assert back.status_code == 302, back.text
    answer = urlsplit(back.headers["Location"])
    query = parse_qs(answer.query)
    if state is not None:
        query["state"] = [state]
    return client.get(answer.path + "?" + urlencode({k: v[0] for k, v in query.items()}))


def signed_in(client) -> bool:
    response = client.get("/inkorg/")
    return response.status_code == 200 and "Inloggad som" in response.get_data(as_text=True)


def test_a_contacts_verified_address_signs_in_through_start_session(oidc_app, provider):
    client = oidc_app.test_client()
    page = client.get("/inkorg/logga-in").get_data(as_text=True)
    assert "Logga in via din organisation" in page and "Skicka inloggningslänk" in page  # the link stays
    answer = through_provider(client, provider, {**VERIFIED, "email": "Exp.Bjorkhaga@EXEMPELBY.se"})
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/inkorg/")
    assert signed_in(client)
    assert f"Inloggad som {EXP_BJORKHAGA[1]}" in client.get("/inkorg/").get_data(as_text=True)
    with oidc_app.app_context():
        assert db.session.scalars(select(StaffSession.method)).all() == ["oidc"]
    # PKCE: the code went back with its verifier, and the client authenticated
    assert provider.token_requests[-1]["code_verifier"]


def test_an_address_no_contact_has_gets_what_a_stranger_gets(oidc_app, provider):
    client = oidc_app.test_client()
    answer = through_provider(client, provider, {"email": "okand@exempelby.se", "email_verified": True})
    stranger = ask_for_link(oidc_app.test_client(), "okand@exempelby.se")
    assert answer.status_code == stranger.status_code == 303
    assert answer.headers["Location"] == stranger.headers["Location"]
    assert not signed_in(client)


@pytest.mark.parametrize("user", [
    {"email": VERIFIED["email"], "email_verified": False},
    {"email": VERIFIED["email"]},  # no email_verified claim at all
    {"email": VERIFIED["email"], "email_verified": "true"},  # a string is not the boolean true
    {"email_verified": True},  # no address
])
def test_an_address_that_is_not_verified_does_not_count(oidc_app, provider, user):
    client = oidc_app.test_client()
    answer = through_provider(client, provider, user)
    assert answer.status_code == 400
    assert "Inloggningen gick inte att slutföra" in answer.get_data(as_text=True)
    assert not signed_in(client)


@pytest.mark.parametrize("fault", ["nonce", "expired", "signature", "other_key", "issuer", "audience"])
def test_an_id_token_that_does_not_verify_is_refused(oidc_app, provider, fault):
    provider.fault = fault
    client = oidc_app.test_client()
    answer = through_provider(client, provider, VERIFIED)
    assert answer.status_code == 400
    assert "Inloggningen gick inte att slutföra" in answer.get_data(as_text=True)
    assert not signed_in(client)
    with oidc_app.app_context():
        assert db.session.scalars(select(StaffSession)).first() is None


def test_a_wrong_state_is_refused_and_spends_nothing(oidc_app, provider):
    client = oidc_app.test_client()
    answer = through_provider(client, provider, VERIFIED, state="en-annan-state")
    assert answer.status_code == 400
    assert not signed_in(client)
    assert provider.token_requests == []  # the code was never exchanged


def test_an_answer_from_another_browser_is_refused(oidc_app, provider):
    """The state lives in the session of the browser that started: a code sent to another is refused."""
    provider.user = VERIFIED
    started = oidc_app.test_client().get("/inkorg/logga-in/organisation")
    back = requests.get(started.headers["Location"], allow_redirects=False, timeout=10)
    answer = urlsplit(back.headers["Location"])
    other = oidc_app.test_client()
    assert other.get(answer.path + "?" + answer.query).status_code == 400
    assert not signed_in(other)


def test_a_provider_whose_discovery_names_another_issuer_is_refused(oidc_app, provider):
    provider.discovery_issuer = "https://login.annan.example.se"
    response = oidc_app.test_client().get("/inkorg/logga-in/organisation")
    assert response.status_code == 400


def test_the_e_mail_claim_can_be_another(app, runner, tmp_path, provider):
    assert runner.invoke(args=["import", str(build_directory().write(tmp_path / "dir.json"))]).exit_code == 0
    configured = _app(issuer=provider.issuer, client_id="inkorgen", client_secret="hemligt", email_claim="upn")
    client = configured.test_client()
    answer = through_provider(client, provider, {"email": "okand@exempelby.se", "upn": VERIFIED["email"],
                                                 "email_verified": True})
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/inkorg/")
    assert signed_in(client)
    with configured.app_context():
        db.session.remove()
        db.engine.dispose()


def test_without_an_issuer_there_is_no_organisation_sign_in_and_the_link_works(app, client, runner, tmp_path):
    assert runner.invoke(args=["import", str(build_directory().write(tmp_path / "dir.json"))]).exit_code == 0
    assert client.get("/inkorg/logga-in/organisation").status_code == 404
    assert client.get("/inkorg/logga-in/organisation/svar?code=x&state=y").status_code == 404
    assert "Logga in via din organisation" not in client.get("/inkorg/logga-in").get_data(as_text=True)
    sign_in(app, client, EXP_BJORKHAGA)
    assert signed_in(client)


def test_the_settings_are_read_from_the_environment():
    assert settings_from_env({}) is None
    read = settings_from_env({"PORTAL_OIDC_ISSUER": "https://login.exempelby.se/", "PORTAL_OIDC_CLIENT_ID": "inkorgen",
                              "PORTAL_OIDC_CLIENT_SECRET": "s"})
    assert read == OidcSettings("https://login.exempelby.se", "inkorgen", "s", "email")
    public = settings_from_env({"PORTAL_OIDC_ISSUER": "https://login.exempelby.se", "PORTAL_OIDC_CLIENT_ID": "x",
                                "PORTAL_OIDC_EMAIL_CLAIM": "upn"})
    assert public is not None and public.client_secret is None and public.email_claim == "upn"


@pytest.mark.parametrize(("env", "named"), [
    ({"PORTAL_OIDC_ISSUER": "login.exempelby.se", "PORTAL_OIDC_CLIENT_ID": "x"}, "PORTAL_OIDC_ISSUER"),
    ({"PORTAL_OIDC_ISSUER": "http://login.exempelby.se", "PORTAL_OIDC_CLIENT_ID": "x"}, "PORTAL_OIDC_ISSUER"),
    ({"PORTAL_OIDC_ISSUER": "https://login.exempelby.se"}, "PORTAL_OIDC_CLIENT_ID"),
    ({"PORTAL_OIDC_ISSUER": "https://login.exempelby.se", "PORTAL_OIDC_CLIENT_ID": "x",
      "PORTAL_OIDC_EMAIL_CLAIM": "e post"}, "PORTAL_OIDC_EMAIL_CLAIM"),
])
def test_a_setting_the_portal_cannot_use_is_refused_in_swedish(env, named):
    with pytest.raises(ConfigError, match=named) as refused:
        settings_from_env(env)
    assert "ska" in str(refused.value) or "saknas" in str(refused.value)


def test_the_portal_does_not_start_with_an_issuer_it_cannot_use(app, runner, monkeypatch):
    monkeypatch.setenv("PORTAL_OIDC_ISSUER", "http://login.exempelby.se")
    monkeypatch.setenv("PORTAL_OIDC_CLIENT_ID", "inkorgen")
    with pytest.raises(ConfigError, match="PORTAL_OIDC_ISSUER ska börja med https://"):
        create_app({"TESTING": True})


def test_the_provider_given_to_create_app_is_the_one_used_whatever_the_environment_says(app, runner, tmp_path,
                                                                                       provider, monkeypatch):
    assert runner.invoke(args=["import", str(build_directory().write(tmp_path / "dir.json"))]).exit_code == 0
    monkeypatch.delenv("PORTAL_OIDC_ISSUER", raising=False)
    monkeypatch.delenv("PORTAL_OIDC_CLIENT_ID", raising=False)
    # nothing in the environment
    alone = _app(issuer=provider.issuer, client_id="inkorgen", client_secret="hemligt")
    monkeypatch.setenv("PORTAL_OIDC_ISSUER", "https://login.annan.example.se")
    monkeypatch.setenv("PORTAL_OIDC_CLIENT_ID", "en-annan-klient")
    # the environment names another provider
    over = _app(issuer=provider.issuer + "/", client_id="inkorgen", client_secret="hemligt")
    for configured in (alone, over):
        client = configured.test_client()
        assert "Logga in via din organisation" in client.get("/inkorg/logga-in").get_data(as_text=True)
        answer = through_provider(client, provider, VERIFIED)  # to this provider, as client "inkorgen"
        assert answer.status_code == 303 and signed_in(client)
        with configured.app_context():
            db.session.remove()
            db.engine.dispose()


def test_an_issuer_given_to_create_app_is_checked_as_the_environments_is(app):
    with pytest.raises(ConfigError, match="PORTAL_OIDC_ISSUER ska börja med https://"):
        _app(issuer="http://login.exempelby.se", client_id="inkorgen")
    with pytest.raises(ConfigError, match="PORTAL_OIDC_CLIENT_ID saknas"):
        _app(issuer="https://login.exempelby.se")
