"""The per-request signing (the session cookie, the CSRF token) built once, not per request.

Flask builds a new itsdangerous serializer to open the session and another to save it, and
Flask-WTF one to check the posted CSRF token and another to sign a new one for every form it
constructs, even for a POST that only redirects. Each serializer checks its JSON serializer by
running it, and each signature derives its key with one more HMAC. Here:

- `CachedSessionInterface`: Flask's cookie session with its serializer kept per secret, its JSON not
  compressed;
- `PortalCSRF`: Flask-WTF's CSRF check with its serializer kept per secret;
- `PortalForm`: forms whose hidden `csrf_token` is signed only when a page renders it;
- every one of them signs with `CachedKeySigner`, whose derived key is kept per secret and salt and whose
  HMAC is computed in one call to OpenSSL (`hmac.digest`) instead of building an `hmac.HMAC` object;
- `SessionJSON`: Flask's tagged JSON for the session cookie, with a fast path for what the session
  usually holds (dicts with text keys, lists, text, numbers, booleans, None), for which tagging changes
  nothing: plain `json` then writes the same text and reads the same values.

The CSRF tokens and checks are byte for byte Flask-WTF's, and the session cookie is Flask's (the same
salt, key derivation and digest) except that its JSON is not compressed: a cookie or token signed by one
opens in the other.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from typing import Any

from flask import Flask, current_app, g, request, session
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SecureCookieSessionInterface
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFProtect, _FlaskFormCSRF
from itsdangerous import BadData, SignatureExpired, TimestampSigner, URLSafeTimedSerializer, want_bytes
from itsdangerous.encoding import base64_encode
from itsdangerous.signer import HMACAlgorithm
from markupsafe import escape
from wtforms import ValidationError

CSRF_SALT = "wtf-csrf-token"  # Flask-WTF's


class OneCallHMAC(HMACAlgorithm):
    """itsdangerous' HMAC, the same bytes, computed by `hmac.digest` (one call into OpenSSL)."""

    _names: dict[Any, str] = {}

    def __init__(self, digest_method: Any = None) -> None:
        super().__init__(digest_method)
        name = self._names.get(self.digest_method)
        if name is None:
            name = self._names[self.digest_method] = self.digest_method(b"").name  # "sha1", as hmac.digest takes it
        self.name = name

    def get_signature(self, key: bytes, value: bytes) -> bytes:
        return hmac.digest(key, value, self.name)


class CachedKeySigner(TimestampSigner):
    """itsdangerous' timestamp signer with the derived key kept per (secret, salt, derivation, digest),
    signing with `OneCallHMAC`."""

    _derived: dict[tuple[bytes, bytes, str, Any], bytes] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if type(self.algorithm) is HMACAlgorithm:
            self.algorithm = OneCallHMAC(self.digest_method)

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        secret = self.secret_keys[-1] if secret_key is None else want_bytes(secret_key)
        key = (secret, self.salt, self.key_derivation, self.digest_method)
        derived = self._derived.get(key)
        if derived is None:
            derived = self._derived[key] = super().derive_key(secret)
        return derived


_PLAIN_SCALARS = (str, int, float, bool, type(None))


def _plain(value: Any) -> bool:
    """True when Flask's tagging would leave `value` as it is: only dicts with text keys, lists, and
    exact text, numbers, booleans and None (no tuple, bytes, Markup, datetime, UUID, subclass of str), and no
    key that starts with a space (a tag's key: Flask would wrap such a dict)."""
    kind = type(value)
    if kind in _PLAIN_SCALARS:
        return True
    if kind is dict:
        return all(type(k) is str and k[:1] != " " and _plain(v) for k, v in value.items())
    if kind is list:
        return all(_plain(v) for v in value)
    return False


class SessionJSON:
    """Flask's `TaggedJSONSerializer`, byte for byte, faster for a plain session.

    Written: a plain value (see `_plain`) by `json.dumps` with Flask's settings (compact, keys sorted,
    ASCII), which is exactly the text tagging would give; anything else (the inbox's flashed messages are
    tuples) by the tagged serializer. Read: text in which no tag can occur (every tag is an object whose
    one key starts with a space: `{" t":`) by `json.loads`; the rest by the tagged serializer."""

    def __init__(self) -> None:
        self.tagged = TaggedJSONSerializer()

    def dumps(self, value: Any) -> str:
        if _plain(value):
            return json.dumps(value, separators=(",", ":"), ensure_ascii=True, sort_keys=True)
        return self.tagged.dumps(value)

    def loads(self, value: str) -> Any:
        if '{" ' in value:
            return self.tagged.loads(value)
        return json.loads(value)


class KeptSignerSerializer(URLSafeTimedSerializer):
    """itsdangerous' URL-safe timed serializer that builds its signer once per salt, not for every
    `dumps` and `loads` (a signer holds nothing that changes between calls)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._signers: dict[Any, Any] = {}

    def make_signer(self, salt: str | bytes | None = None) -> Any:
        signer = self._signers.get(salt)
        if signer is None:
            signer = self._signers[salt] = super().make_signer(salt)
        return signer


class SessionSerializer(KeptSignerSerializer):
    """The session cookie's serializer: its JSON not compressed (a flow's session is a few hundred
    bytes, and zlib cost more than the bytes it saved). Flask and this portal read both forms: a
    compressed payload is marked by a leading "."."""

    def dump_payload(self, obj: Any) -> bytes:
        return base64_encode(want_bytes(self.serializer.dumps(obj)))


class CachedSessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie session, its serializer built once per set of secrets."""

    serializer = SessionJSON()  # type: ignore[assignment]

    def __init__(self) -> None:
        self._serializers: dict[tuple[Any, ...], URLSafeTimedSerializer] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        if not app.secret_key:
            return None
        keys = (*(app.config["SECRET_KEY_FALLBACKS"] or ()), app.secret_key)
        serializer = self._serializers.get(keys)
        if serializer is None:
            serializer = self._serializers[keys] = SessionSerializer(
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
        serializer = _csrf_serializers[secret] = KeptSignerSerializer(secret, salt=CSRF_SALT,
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
