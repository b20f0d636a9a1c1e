"""The per-request signing (the session cookie, the CSRF token) built once, not per request.

Flask builds a new itsdangerous serializer to open the session and another to save it, and
Flask-WTF one to check the posted CSRF token and another to sign a new one for every form it
constructs, even for a POST that only redirects. Each serializer checks its JSON serializer by
running it, and each signature derives its key with one more HMAC. Here:

- `CachedSessionInterface`: Flask's cookie session with its serializer kept per secret;
- `PortalCSRF`: Flask-WTF's CSRF check with its serializer kept per secret;
- `PortalForm`: forms whose hidden `csrf_token` is signed only when a page renders it;
- every one of them signs with `CachedKeySigner`, whose derived key is kept per secret and salt.

The cookies, tokens and checks are byte for byte those of Flask and Flask-WTF (the same salts, keys,
digests and formats): a token signed by one verifies with the other.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from typing import Any

from flask import Flask, current_app, g, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFProtect, _FlaskFormCSRF
from itsdangerous import BadData, SignatureExpired, TimestampSigner, URLSafeTimedSerializer, want_bytes
from markupsafe import escape
from wtforms import ValidationError

CSRF_SALT = "wtf-csrf-token"  # Flask-WTF's


class CachedKeySigner(TimestampSigner):
    """itsdangerous' timestamp signer with the derived key kept per (secret, salt, derivation, digest)."""

    _derived: dict[tuple[bytes, bytes, str, Any], bytes] = {}

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        secret = self.secret_keys[-1] if secret_key is None else want_bytes(secret_key)
        key = (secret, self.salt, self.key_derivation, self.digest_method)
        derived = self._derived.get(key)
        if derived is None:
            derived = self._derived[key] = super().derive_key(secret)
        return derived


class CachedSessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie session, its serializer built once per set of secrets."""

    def __init__(self) -> None:
        self._serializers: dict[tuple[Any, ...], URLSafeTimedSerializer] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        if not app.secret_key:
            return None
        keys = (*(app.config["SECRET_KEY_FALLBACKS"] or ()), app.secret_key)
        serializer = self._serializers.get(keys)
        if serializer is None:
            serializer = self._serializers[keys] = URLSafeTimedSerializer(
                list(keys), salt=self.salt, serializer=self.serializer, signer=CachedKeySigner,
                signer_kwargs={"key_derivation": self.key_derivation, "digest_method": self.digest_method})
        return serializer


_csrf_serializers: dict[str | bytes, URLSafeTimedSerializer] = {}


def _csrf_serializer() -> URLSafeTimedSerializer:
    secret = current_app.config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
    if not secret:
        raise RuntimeError("A secret key is required to use CSRF.")
    serializer = _csrf_serializers.get(secret)
    if serializer is None:
        serializer = _csrf_serializers[secret] = URLSafeTimedSerializer(secret, salt=CSRF_SALT,
                                                                        signer=CachedKeySigner)
    return serializer


def generate_csrf() -> str:
    """Flask-WTF's `generate_csrf`: one signed token per request, the raw token kept in the session."""
    field = current_app.config["WTF_CSRF_FIELD_NAME"]
    if field not in g:
        if not isinstance(session.get(field), str):
            session[field] = hashlib.sha1(os.urandom(64)).hexdigest()  # noqa: S324 - Flask-WTF's raw token
        setattr(g, field, _csrf_serializer().dumps(session[field]))
    return str(g.get(field))


def validate_csrf(data: str | None) -> None:
    """Flask-WTF's `validate_csrf`, with the same messages (they go to its log, never to a page)."""
    field = current_app.config["WTF_CSRF_FIELD_NAME"]
    if not data:
        raise ValidationError("The CSRF token is missing.")
    if field not in session:
        raise ValidationError("The CSRF session token is missing.")
    try:
        token = _csrf_serializer().loads(data, max_age=current_app.config["WTF_CSRF_TIME_LIMIT"])
    except SignatureExpired as exc:
        raise ValidationError("The CSRF token has expired.") from exc
    except BadData as exc:
        raise ValidationError("The CSRF token is invalid.") from exc
    if not isinstance(token, str) or not isinstance(session[field], str) or not _same(session[field], token):
        raise ValidationError("The CSRF tokens do not match.")


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


class PortalCSRF(CSRFProtect):
    """Flask-WTF's CSRF protection for every POST, checked with the kept serializer."""

    def protect(self, apply_exemptions: bool = False) -> None:
        if apply_exemptions and (not request.endpoint or self._is_exempt()):
            return
        if request.method not in current_app.config["WTF_CSRF_METHODS"]:
            return
        try:
            validate_csrf(self._get_csrf_token())
        except ValidationError as exc:
            self._error_response(exc.args[0])
        if request.is_secure and current_app.config["WTF_CSRF_SSL_STRICT"]:  # off in this portal (config.py)
            super().protect(apply_exemptions)
        g.csrf_valid = True


class _Token:
    """The form's signed CSRF token, made when the page is rendered: a POST that redirects signs none."""

    def __str__(self) -> str:
        return generate_csrf()

    def __html__(self) -> str:
        return str(escape(generate_csrf()))


class _LazyCSRF(_FlaskFormCSRF):
    def generate_csrf_token(self, csrf_token_field: Any) -> Any:
        return _Token()


class PortalForm(FlaskForm):
    """Every form of the portal: Flask-WTF's, with the CSRF token signed only when rendered."""

    class Meta(FlaskForm.Meta):
        csrf_class = _LazyCSRF


def init_app(app: Flask) -> None:
    app.session_interface = CachedSessionInterface()
    # templates that call csrf_token() themselves get the same token, made the same way
    app.jinja_env.globals["csrf_token"] = generate_csrf
    app.context_processor(lambda: {"csrf_token": generate_csrf})
