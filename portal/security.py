"""What every request and response goes through: nothing loads from anywhere but the portal itself,
the session cookie's flags and HSTS under https, and a small body limit for every form.

- The session cookie (it carries the flow, and reset and sign-in tokens between two requests) is always
  `HttpOnly` and `SameSite=Lax`, and `Secure` whenever `PORTAL_BASE_URL` is https://; such a portal also
  sends `Strict-Transport-Security` (one year). Set here, not with `setdefault`: Flask's defaults
  already hold these keys (`SESSION_COOKIE_SECURE` False, `SESSION_COOKIE_SAMESITE` None).
- Every form is small (the longest, a note, is 2 000 characters): a body over `MAX_BODY` bytes is
  refused with the 413 page before anything reads it, whether it says how long it is or not (werkzeug
  would quietly cut a chunked body at the limit). The case pages' forms get `MAX_NOTE_BODY`.
- A form is posted as a browser posts it (`application/x-www-form-urlencoded`, or multipart without
  files): a JSON body or a file part would give a field something that is not text; a 400 page.
"""

from __future__ import annotations

import io

from flask import Flask, Response, abort, request

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
HSTS = "max-age=31536000"  # a year (at least 180 days); no includeSubDomains: the portal's domain may have siblings
MAX_BODY = 8 * 1024  # a new password of 256 four-byte characters, percent-encoded, twice: 6 kB
MAX_NOTE_BODY = 32 * 1024  # a note of 2 000 characters, each up to 4 bytes percent-encoded (12 bytes)
NOTE_PATHS = ("/inkorg/arenden/",)
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)


def init_app(app: Flask) -> None:
    https = str(app.config["PORTAL_BASE_URL"]).startswith("https://")
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_SECURE"] = https
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    app.config["MAX_FORM_MEMORY_SIZE"] = MAX_BODY
    app.config["MAX_FORM_PARTS"] = 50
    # before CSRFProtect's check, which reads the form: registered first, runs first
    app.before_request_funcs.setdefault(None, []).insert(0, limit_body)

    @app.after_request
    def headers(response: Response) -> Response:
        # in one pass: the header names present are read once, the missing ones appended together
        # (a setdefault each would scan the headers six times)
        present = {key.lower() for key in response.headers.keys()}  # noqa: SIM118 - Headers iterates pairs
        missing = [(key, value) for key, value in HEADERS if key.lower() not in present]
        if "cache-control" not in present and response.mimetype == "text/html":
            missing.append(("Cache-Control", "no-store"))
        if "strict-transport-security" not in present and https:
            missing.append(("Strict-Transport-Security", HSTS))
        # the same address answers in the language the request asks for (portal/language.py)
        if "vary" in present:
            response.vary.add("Accept-Language")
        else:
            missing.append(("Vary", "Accept-Language"))
        response.headers.extend(missing)
        return response


def limit_body() -> None:
    req = request._get_current_object()  # type: ignore[attr-defined]  # one look-up, not one per attribute
    limit = MAX_NOTE_BODY if req.path.startswith(NOTE_PATHS) else MAX_BODY
    req.max_content_length = limit
    req.max_form_memory_size = limit
    length = req.content_length
    if length is not None and length > limit:
        abort(413)
    environ = req.environ
    if length is None and environ.get("wsgi.input_terminated"):
        # a chunked body (gunicorn): werkzeug would quietly cut it at the limit; read it here instead
        data = environ["wsgi.input"].read(limit + 1)
        if len(data) > limit:
            abort(413)
        environ.update({"wsgi.input": io.BytesIO(data), "CONTENT_LENGTH": str(len(data))})
        environ.pop("wsgi.input_terminated")
        length = len(data)
    if req.method in ("GET", "HEAD", "OPTIONS"):
        return
    if length or req.headers.get("Transfer-Encoding"):
        if req.mimetype not in FORM_TYPES:
            abort(400)
        if req.files:
            abort(400)
