"""The page language: Swedish first, English and the guardians' own languages too.

The choice, in order: a language the person picked in the menu every page shows (kept in the
session), else the browser's `Accept-Language`, else Swedish. Only languages whose compiled catalogue
is installed (translations/<code>/LC_MESSAGES/messages.mo) are offered or chosen. The staff inbox
(/inkorg) is Swedish or English only: a person who picked Arabic reads it in Swedish. Outside a
request (the worker, the CLI) it is always Swedish; a person's own mails name their locale
(`jobs.locale`). The menu's links are plain GETs that work without JavaScript and send the person
back (303) to the page they were on, never to another site.

Arabic and Persian are written right to left: their pages and mails carry `dir="rtl"`, and every value
put into a translated sentence (a name, an address, a case reference) is isolated with U+2068/U+2069
(first-strong isolate, what `<bdi>` does), so Latin text keeps its left-to-right order inside them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    g,
    has_request_context,
    redirect,
    request,
    session,
    url_for,
)
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup
from werkzeug.wrappers import Response

# every language the portal knows, in the order the menu lists them, each named in its own language
NAMES = {"ar": "العربية", "so": "Soomaali", "ti": "ትግርኛ", "fa": "فارسی", "uk": "Українська", "fi": "Suomi",
         "en": "English", "sv": "Svenska"}
LANGUAGES = tuple(NAMES)
RTL = frozenset({"ar", "fa"})
DEFAULT = "sv"
STAFF = ("sv", "en")  # the staff inbox and contacts' mails
MAX_BACK = 512  # a longer address (a long search text) returns to its page without the query
FSI, PDI = "\u2068", "\u2069"
ALIASES = {"prs": "fa"}  # a browser set to Dari gets the Persian pages (written to be understood by Dari readers)

bp = Blueprint("language", __name__)


def installed(translations: Path) -> tuple[str, ...]:
    """The languages with a compiled catalogue under `translations` (Swedish always), in menu order."""
    return tuple(code for code in LANGUAGES
                 if code == DEFAULT or (translations / code / "LC_MESSAGES" / "messages.mo").is_file())


def offered() -> tuple[str, ...]:
    """The languages this request may be shown in: the staff inbox's two, or every installed one."""
    available: tuple[str, ...] = current_app.extensions["portal_languages"]
    if request.path == "/inkorg" or request.path.startswith("/inkorg/"):
        return tuple(code for code in available if code in STAFF)
    return available


def select_locale() -> str:
    if not has_request_context():
        return DEFAULT
    codes = offered()
    chosen = session.get("lang")
    if chosen in codes:
        return str(chosen)
    for value, quality in request.accept_languages:  # the browser's order of preference
        if quality <= 0:
            continue
        if value == "*":
            break
        primary = value.lower().replace("_", "-").split("-", 1)[0]
        primary = ALIASES.get(primary, primary)
        if primary in codes:  # "ar-SE" is Arabic, whatever comes after it
            return primary
    return DEFAULT


def direction(locale: str) -> str:
    return "rtl" if locale in RTL else "ltr"


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
    """Called before an error page is rendered: its language links lead to the start of its part of
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
    if code not in current_app.extensions["portal_languages"]:
        abort(404)
    session["lang"] = code
    return redirect(local_path(request.args.get("nasta", "/")), code=303)


def isolated(value: object) -> object:
    """A text value wrapped in a first-strong isolate (a number stays as it is)."""
    return FSI + value + PDI if isinstance(value, str) else value


def ltr(text: str) -> Markup:
    """An example value inside a sentence (a personnummer, an address): left to right in every language's
    sentence, and never broken over two lines (a narrow phone would split 19800101-1234 at its hyphen)."""
    return Markup('<span class="nowrap" dir="ltr">{}</span>').format(text)


def _isolating(original: Callable[..., Any]) -> Callable[..., Any]:
    """Jinja's gettext/ngettext, with every text value isolated when the page is right to left."""

    @pass_context
    def call(context: Context, *args: Any, **variables: Any) -> Any:
        from flask_babel import get_locale

        if variables and str(get_locale() or DEFAULT) in RTL:
            variables = {name: isolated(value) for name, value in variables.items()}
        return original(context, *args, **variables)

    return call


def init_app(app: Flask) -> None:
    app.extensions["portal_languages"] = installed(Path(app.config["BABEL_TRANSLATION_DIRECTORIES"]))
    app.register_blueprint(bp)
    for name in ("gettext", "_", "ngettext"):
        app.jinja_env.globals[name] = _isolating(app.jinja_env.globals[name])  # type: ignore[arg-type]
    app.jinja_env.globals["ltr"] = ltr

    @app.context_processor
    def language_menu() -> dict[str, object]:
        from flask_babel import get_locale

        lang = str(get_locale() or DEFAULT)
        if not has_request_context():  # a mail rendered by the worker: no page, no menu
            return {"page_lang": lang, "page_dir": direction(lang)}
        back = here()
        menu = [{"code": code, "name": NAMES[code], "dir": direction(code), "current": code == lang,
                 "href": url_for("language.choose", code=code, nasta=back)} for code in offered()]
        return {"page_lang": lang, "page_dir": direction(lang), "languages": menu}
