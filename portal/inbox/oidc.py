"""Signing in to the staff inbox through the organisation's identity provider (OpenID Connect,
authorization code flow with PKCE, by Authlib's Flask client).

    GET /inkorg/logga-in/organisation        to the provider (state, nonce, PKCE S256 kept in the session)
    GET /inkorg/logga-in/organisation/svar   the provider's answer: the code is exchanged for tokens, the
                                             ID token checked (signature by the provider's JWKS, issuer,
                                             audience, expiry, nonce), and the contact whose directory
                                             address is the verified e-mail claim signed in by
                                             `auth.start_session(identity, method="oidc")`

Configured by PORTAL_OIDC_ISSUER, PORTAL_OIDC_CLIENT_ID, PORTAL_OIDC_CLIENT_SECRET and
PORTAL_OIDC_EMAIL_CLAIM (default `email`); without an issuer these pages answer 404 and the mailed link
is the only way in (it stays the fallback either way). The redirect URI to register at the provider is
PORTAL_BASE_URL + /inkorg/logga-in/organisation/svar. Only an address whose `email_verified` claim is
true counts. An address no contact has gets exactly what a stranger gets from the e-mail form: the
"if the address is a contact's, a link is on its way" page. Anything else that goes wrong (a wrong
state, a token that does not verify, the provider refusing) gets one calm page, and the log names only
the kind of fault.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, redirect, render_template, url_for
from werkzeug.wrappers import Response

from checks.identifiers import normalise_email

from ..config import ConfigError
from . import auth, bp

if TYPE_CHECKING:
    from authlib.integrations.flask_client import OAuth

# Authlib (with requests, joserfc and cryptography: some 15 MiB a process) is imported only where a provider is
# configured and used, not by every web process of a portal that signs contacts in by e-mail only.


def _errors() -> tuple[type[BaseException], ...]:
    """What a provider's answers may raise that the portal turns into the calm refusal page."""
    from authlib.integrations.base_client.errors import OAuthError
    from joserfc.errors import JoseError
    from requests import RequestException

    return OAuthError, JoseError, RequestException, ValueError, KeyError

log = logging.getLogger(__name__)
NAME = "organisation"
CALLBACK = "/inkorg/logga-in/organisation/svar"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
OIDC_VARIABLES = ("PORTAL_OIDC_ISSUER", "PORTAL_OIDC_CLIENT_ID", "PORTAL_OIDC_CLIENT_SECRET", "PORTAL_OIDC_EMAIL_CLAIM")


@dataclass(frozen=True)
class OidcSettings:
    issuer: str
    client_id: str
    client_secret: str | None
    email_claim: str = "email"


def settings_from_env(env: Mapping[str, str]) -> OidcSettings | None:
    """The provider's settings, None when PORTAL_OIDC_ISSUER is not set; ConfigError (Swedish) for a value
    the portal cannot use."""
    issuer = (env.get("PORTAL_OIDC_ISSUER") or "").strip()
    if not issuer:
        return None
    parts = urlsplit(issuer)
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError(f"PORTAL_OIDC_ISSUER ska vara en https-adress, till exempel https://login.example.se, "
                          f"inte {issuer!r}")
    if parts.scheme == "http" and parts.hostname not in LOCAL_HOSTS:
        raise ConfigError("PORTAL_OIDC_ISSUER ska börja med https:// (http går bara till den egna datorn, "
                          "127.0.0.1 eller localhost)")
    client_id = (env.get("PORTAL_OIDC_CLIENT_ID") or "").strip()
    if not client_id:
        raise ConfigError("PORTAL_OIDC_CLIENT_ID saknas: det behövs när PORTAL_OIDC_ISSUER är satt")
    claim = (env.get("PORTAL_OIDC_EMAIL_CLAIM") or "email").strip()
    if not claim.replace("_", "").replace("-", "").replace(":", "").replace(".", "").replace("/", "").isalnum():
        raise ConfigError(f"PORTAL_OIDC_EMAIL_CLAIM ska vara namnet på ett claim, till exempel email, inte {claim!r}")
    return OidcSettings(issuer=issuer.rstrip("/"), client_id=client_id,
                        client_secret=env.get("PORTAL_OIDC_CLIENT_SECRET") or None, email_claim=claim)


def init_app(app: Flask) -> None:
    """Register the provider when configured: by the PORTAL_OIDC_* entries of app.config (what
    portal/settings.py read from the environment, or what `create_app` was given), checked as the
    environment is; app.config["PORTAL_OIDC"] holds the result (None: no provider)."""
    settings = settings_from_env({name: app.config.get(name) or "" for name in OIDC_VARIABLES})
    app.config["PORTAL_OIDC"] = settings
    if settings is None:
        return
    from authlib.integrations.flask_client import OAuth

    oauth = OAuth(app)
    client_kwargs: dict[str, Any] = {"scope": "openid email", "code_challenge_method": "S256", "timeout": 10}
    if settings.client_secret is None:
        client_kwargs["token_endpoint_auth_method"] = "none"  # noqa: S105  (a public client: PKCE only)
    oauth.register(NAME, client_id=settings.client_id, client_secret=settings.client_secret,
                   server_metadata_url=settings.issuer + "/.well-known/openid-configuration",
                   client_kwargs=client_kwargs)
    app.extensions["portal_oidc"] = oauth


def _client() -> Any:
    oauth: OAuth | None = current_app.extensions.get("portal_oidc")
    if oauth is None:
        abort(404)
    return oauth.create_client(NAME)


def _settings() -> OidcSettings:
    settings: OidcSettings = current_app.config["PORTAL_OIDC"]
    return settings


@bp.app_template_global()
def oidc_enabled() -> bool:
    return "portal_oidc" in current_app.extensions


def _refused(reason: str) -> tuple[str, int]:
    log.warning("organisation sign-in refused: %s", reason)
    return render_template("inbox/oidc_refused.html"), 400


@bp.get("/logga-in/organisation")
def oidc_start() -> Response | tuple[str, int]:
    client = _client()
    try:
        client.load_server_metadata()
        if client.server_metadata.get("issuer", "").rstrip("/") != _settings().issuer:
            return _refused("the discovery document names another issuer")
        response: Response = client.authorize_redirect(current_app.config["PORTAL_BASE_URL"] + CALLBACK)
    except _errors() as exc:
        return _refused(type(exc).__name__)
    return response


@bp.get("/logga-in/organisation/svar")
def oidc_callback() -> Response | tuple[str, int]:
    client = _client()
    try:
        token = client.authorize_access_token()
    except _errors() as exc:
        return _refused(type(exc).__name__)
    claims = token.get("userinfo") or {}
    email = claims.get(_settings().email_claim)
    if claims.get("email_verified") is not True:
        return _refused("the e-mail claim is not verified")
    if not isinstance(email, str) or "@" not in email:
        return _refused("no e-mail claim")
    identity = auth.identity_for(normalise_email(email))
    if identity is None:  # what a stranger gets from the e-mail form
        return redirect(url_for("inbox.sent"), code=303)
    return auth.start_session(identity, method="oidc")


def read_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """For the settings registry (portal/settings.py): the PORTAL_OIDC_* variables checked when a process
    starts. The others without PORTAL_OIDC_ISSUER have no effect: that is said, not silently ignored."""
    settings = settings_from_env(env)
    if settings is None:
        for name in OIDC_VARIABLES[1:]:
            if (env.get(name) or "").strip():
                raise ConfigError(f"{name} är satt men inte PORTAL_OIDC_ISSUER: inloggning genom organisationens "
                                  "identitetstjänst kräver båda")
        return dict.fromkeys(OIDC_VARIABLES) | {"PORTAL_OIDC_EMAIL_CLAIM": "email"}
    return {"PORTAL_OIDC_ISSUER": settings.issuer, "PORTAL_OIDC_CLIENT_ID": settings.client_id,
            "PORTAL_OIDC_CLIENT_SECRET": settings.client_secret, "PORTAL_OIDC_EMAIL_CLAIM": settings.email_claim}


def _feature() -> Any:
    from ..settings import Feature

    return Feature(title="Inloggning genom organisationens identitetstjänst (OpenID Connect)",
                   variables=OIDC_VARIABLES, read=read_settings, secret=frozenset({"PORTAL_OIDC_CLIENT_SECRET"}))


FEATURE = _feature()
