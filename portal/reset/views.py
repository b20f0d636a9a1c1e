"""The reset pages (Swedish URLs under /aterstall).

- GET /aterstall/<token>: opening the link only moves the token into the session and redirects (303)
  to /aterstall/nytt-losenord, so the token is in neither the address bar, the history nor a Referer.
  Mail scanners and link previews open links too: nothing is spent by a GET.
- /aterstall/nytt-losenord: the form (GET), and its POST, the only request that spends the link.
- /aterstall/klart: the confirmation after the 303 from a successful POST. Nobody is logged in.

Every dead link (expired, used, forged, or made before the password, address or account changed)
gets the same calm page offering to start again. Every response here says `Referrer-Policy:
no-referrer` and `Cache-Control: no-store`; the pages load nothing but the portal's own CSS.
"""

from __future__ import annotations

from flask import redirect, render_template, session, url_for
from flask_babel import get_locale
from werkzeug.wrappers import Response

from .. import passwords
from ..cases import show_reference
from . import bp, links, service
from .forms import NewPasswordForm

TOKEN_KEY = "reset_token"  # noqa: S105  (a session key, not a secret)
DONE_KEY = "reset_done"
MAX_TOKEN = 2000


@bp.after_request
def private_page(response: Response) -> Response:
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.get("/aterstall/<token>")
def open_link(token: str) -> Response:
    session.pop(DONE_KEY, None)
    if len(token) <= MAX_TOKEN:
        session[TOKEN_KEY] = token
    else:
        session.pop(TOKEN_KEY, None)
    return redirect(url_for("reset.new_password"), code=303)


def dead_link() -> str:
    session.pop(TOKEN_KEY, None)
    return render_template("reset/dead.html")


@bp.route("/aterstall/nytt-losenord", methods=["GET", "POST"])
def new_password() -> Response | str:
    token = session.get(TOKEN_KEY)
    claim = links.claim(token)
    if claim is None or token is None:
        return dead_link()
    form = NewPasswordForm()
    if form.validate_on_submit():
        password, confirmation = form.password.data or "", form.confirmation.data or ""
        problems = passwords.check(password, confirmation, username=claim.state.username,
                                   name=claim.state.person_name)
        if not problems:
            case = service.change_password(token, claim, password, locale=str(get_locale() or "sv"))
            if case is None:
                return dead_link()
            session.pop(TOKEN_KEY, None)
            session[DONE_KEY] = {"reference": case.reference, "service": claim.state.service, "role": case.role}
            return redirect(url_for("reset.done"), code=303)
        form.add_problems(problems)
    return render_template("reset/new_password.html", form=form, reference=show_reference(claim.case.reference),
                           min_length=passwords.MIN_LENGTH, recommended=passwords.RECOMMENDED_LENGTH)


@bp.get("/aterstall/klart")
def done() -> Response | str:
    info = session.get(DONE_KEY)
    if not isinstance(info, dict) or "reference" not in info:
        return redirect(url_for("public.start"), code=303)
    return render_template("reset/done.html", reference=show_reference(str(info["reference"])),
                           service=str(info.get("service", "")), role=str(info.get("role", "")))

