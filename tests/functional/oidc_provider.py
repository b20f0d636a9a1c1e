"""A small OpenID Connect provider for the tests, served over real HTTP on 127.0.0.1 (werkzeug in a
thread): discovery, JWKS, authorize and token endpoints, ID tokens signed with its own RSA key
(joserfc, the JOSE library Authlib itself uses). It signs in whoever `user` names, checks the client,
the redirect URI and PKCE (S256) as a provider must, and can be told to hand out a bad ID token
(`fault`) so the tests see the portal refuse it."""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from typing import Any
from urllib.parse import urlencode

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from portal.logs import RequestHandler  # quiet: no request lines (they would hold tokens and states)

FAULTS = ("nonce", "expired", "signature", "issuer", "audience", "other_key")


class Provider:
    def __init__(self, client_id: str = "inkorgen", client_secret: str = "hemligt") -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "nyckel-1", "use": "sig", "alg": "RS256"})
        self.client_id = client_id
        self.client_secret = client_secret
        self.user: dict[str, Any] = {}
        self.fault: str | None = None
        self.codes: dict[str, dict[str, Any]] = {}
        self.token_requests: list[dict[str, str]] = []
        self.discovery_issuer: str | None = None  # None: its own
        self._server = make_server("127.0.0.1", 0, self, threaded=True, request_handler=RequestHandler)
        self.issuer = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> Provider:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- WSGI ----------------------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        handler = {"/.well-known/openid-configuration": self.discovery, "/jwks": self.jwks,
                   "/authorize": self.authorize, "/token": self.token}.get(request.path)
        response = handler(request) if handler else Response("not found", status=404)
        return response(environ, start_response)

    def discovery(self, _request: Request) -> Response:
        return _json({
            "issuer": self.discovery_issuer or self.issuer,
            "authorization_endpoint": self.issuer + "/authorize",
            "token_endpoint": self.issuer + "/token",
            "jwks_uri": self.issuer + "/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        })

    def jwks(self, _request: Request) -> Response:
        return _json(KeySet([self.key]).as_dict(private=False))

    def authorize(self, request: Request) -> Response:
        args = request.args
        if args.get("client_id") != self.client_id or args.get("response_type") != "code":
            return Response("invalid client or response type", status=400)
        if args.get("code_challenge_method") != "S256" or not args.get("code_challenge"):
            return Response("PKCE required", status=400)
        code = secrets.token_urlsafe(16)
        self.codes[code] = {"redirect_uri": args["redirect_uri"], "nonce": args.get("nonce"),
                            "challenge": args["code_challenge"], "user": dict(self.user)}
        return Response(status=302, headers={
            "Location": args["redirect_uri"] + "?" + urlencode({"code": code, "state": args.get("state", "")})})

    def token(self, request: Request) -> Response:
        form = request.form
        self.token_requests.append(dict(form))
        client_id, secret = _client_credentials(request)
        if (client_id, secret) != (self.client_id, self.client_secret):
            return _json({"error": "invalid_client"}, 401)
        grant = self.codes.pop(form.get("code", ""), None)
        if grant is None or form.get("redirect_uri") != grant["redirect_uri"]:
            return _json({"error": "invalid_grant"}, 400)
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if challenge != grant["challenge"]:
            return _json({"error": "invalid_grant", "error_description": "PKCE"}, 400)
        return _json({"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "expires_in": 300,
                      "id_token": self.id_token(grant)})

    def id_token(self, grant: dict[str, Any]) -> str:
        now = int(time.time())
        claims = {"iss": self.issuer, "sub": "person-1", "aud": self.client_id, "iat": now, "exp": now + 300,
                  "nonce": grant["nonce"], **grant["user"]}
        key = self.key
        if self.fault == "nonce":
            claims["nonce"] = "en-annan-nonce"
        elif self.fault == "expired":
            claims["iat"], claims["exp"] = now - 3600, now - 600
        elif self.fault == "issuer":
            claims["iss"] = "https://login.annan.example.se"
        elif self.fault == "audience":
            claims["aud"] = "en-annan-klient"
        elif self.fault == "other_key":
            key = RSAKey.generate_key(2048, parameters={"kid": "nyckel-1"})
        token = jwt.encode({"alg": "RS256", "kid": "nyckel-1"}, claims, key)
        if self.fault == "signature":  # the payload changed after signing: the signature no longer holds
            header, payload, signature = token.split(".")
            changed = {**claims, "email": "rektor@exempelby.se"}
            forged = jwt.encode({"alg": "RS256", "kid": "nyckel-1"}, changed, key).split(".")[1]
            token = ".".join((header, forged, signature))
        return token


def _client_credentials(request: Request) -> tuple[str | None, str | None]:
    if request.authorization is not None and request.authorization.type == "basic":
        return request.authorization.username, request.authorization.password
    return request.form.get("client_id"), request.form.get("client_secret")


def _json(data: Any, status: int = 200) -> Response:
    import json

    return Response(json.dumps(data), status=status, mimetype="application/json")
