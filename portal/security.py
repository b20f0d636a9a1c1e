"""Headers every response carries: nothing loads from anywhere but the portal itself."""

from __future__ import annotations

from flask import Flask, Response

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'; object-src 'none'")


HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)


def init_app(app: Flask) -> None:
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("SESSION_COOKIE_SECURE", app.config["PORTAL_BASE_URL"].startswith("https://"))

    @app.after_request
    def headers(response: Response) -> Response:
        # in one pass: the header names present are read once, the missing ones appended together
        # (a setdefault each would scan the headers six times)
        present = {key.lower() for key in response.headers.keys()}  # noqa: SIM118 - Headers iterates pairs
        missing = [(key, value) for key, value in HEADERS if key.lower() not in present]
        if "cache-control" not in present and response.mimetype == "text/html":
            missing.append(("Cache-Control", "no-store"))
        response.headers.extend(missing)
        return response
