"""The page language: Swedish first, English too.

The choice, in order: a language the person picked with the link every page shows (kept in the
session), else the browser's `Accept-Language` (sv or en), else Swedish. Outside a request (the
worker, the CLI) it is always Swedish. The link is a plain GET that works without JavaScript and
sends the person back (303) to the page they were on, never to another site.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, g, has_request_context, redirect, request, session, url_for
from werkzeug.wrappers import Response

LOCALES = ("sv", "en")
DEFAULT = "sv"
# the link offering the other language, in that language (WCAG 3.1.2: marked with its own lang)
OTHER = {"sv": ("en", "English"), "en": ("sv", "Svenska")}
MAX_BACK = 512  # a longer address (a long search text) returns to its page without the query

bp = Blueprint("language", __name__)


def select_locale() -> str:
    if not has_request_context():
        return DEFAULT
    chosen = session.get("lang")
    if chosen in LOCALES:
        return str(chosen)
    return request.accept_languages.best_match(LOCALES, default=DEFAULT) or DEFAULT


def current() -> str:
    """The page language's code, as `flask_babel.get_locale()` names it, without building a babel
    Locale when nothing in this request has (the final POST, which only redirects)."""
    built = getattr(g.get("_flask_babel"), "babel_locale", None) if has_request_context() else None
    return str(built) if built is not None else select_locale()


def local_path(target: str) -> str:
    """`target` if it is a path on this site, else "/": never a redirect to another site."""
    if (not target.startswith("/") or target.startswith(("//", "/\\")) or not target.isprintable()
            or "\\" in target):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target


def error_page() -> None:
    """Called before an error page is rendered: its language link leads to the start of its part of
    the site, not back to the address asked for. So a 404 never echoes the address (another contact's
    case and a case that does not exist answer with the same bytes) and a 400 or 429 never sends the
    person back into the request that failed."""
    g.language_back_to_start = True


def here() -> str:
    """The page being shown, as a path to come back to (with its query when it is short); on an
    error page, the start of the public flow or of the staff inbox."""
    if g.get("language_back_to_start"):
        return "/inkorg/" if request.path.startswith("/inkorg") else "/"
    try:
        query = request.query_string.decode()
    except UnicodeDecodeError:  # the 400 page for a query that is not UTF-8
        query = ""
    path = f"{request.path}?{query}" if query else request.path
    return path if len(path) <= MAX_BACK else request.path


@bp.get("/sprak/<code>")
def choose(code: str) -> Response:
    if code not in LOCALES:
        abort(404)
    session["lang"] = code
    return redirect(local_path(request.args.get("nasta", "/")), code=303)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)

    @app.context_processor
    def language_link() -> dict[str, object]:
        from flask_babel import get_locale

        lang = str(get_locale() or DEFAULT)
        if not has_request_context():  # a mail rendered by the worker: no page, no language link
            return {"page_lang": lang}
        code, name = OTHER.get(lang, OTHER[DEFAULT])
        return {"page_lang": lang,
                "other_language": {"code": code, "name": name,
                                   "href": url_for("language.choose", code=code, nasta=here())}}

    @app.after_request
    def vary(response: Response) -> Response:
        # the same address answers in the language the request asks for
        response.vary.add("Accept-Language")
        return response
