"""Error pages in Swedish: a request we cannot read (400, a stale or forged form among them), a page
that does not exist (404), a method a page does not take (405), a request too large (413) and an
error of ours (500). Never werkzeug's English default and never a traceback."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import BadRequest, HTTPException, InternalServerError

from . import language

PAGES = (400, 404, 405, 413)


def init_app(app: Flask) -> None:
    for code in PAGES:
        app.register_error_handler(code, page)
    app.register_error_handler(InternalServerError, server_error)
    app.register_error_handler(UnicodeDecodeError, undecodable_query)


def page(exc: HTTPException) -> tuple[str, int, list[tuple[str, str]]]:
    code = exc.code or 400
    # keep what the error says about the request (405's Allow), not werkzeug's content type
    headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
    language.error_page()
    body = render_template(f"errors/{code}.html", stale_form=isinstance(exc, CSRFError))
    return body, code, headers


def undecodable_query(exc: UnicodeDecodeError) -> tuple[str, int, list[tuple[str, str]]]:
    """Werkzeug decodes the query string strictly (`request.args` raises): bytes that are not
    UTF-8 there are the client's error, a 400. Any other decoding error is ours."""
    try:
        request.query_string.decode()
    except UnicodeDecodeError:
        return page(BadRequest())
    raise exc


def server_error(_exc: InternalServerError) -> tuple[str, int]:
    language.error_page()
    return render_template("errors/500.html"), 500
