"""Signing in and out of the staff inbox (views; the work is in auth.py and sessions.py).

    GET  /inkorg/logga-in             the form (field `email`)
    POST /inkorg/logga-in             queue a link if the address is a contact's; 303 to "sent", the
                                      same for everyone
    GET  /inkorg/logga-in/<token>     the mail's link: the token goes into the session, 303 to the
                                      confirmation page (the token leaves the address bar and every
                                      Referer; a mail scanner's GET spends nothing)
    GET  /inkorg/logga-in/bekrafta    "sign in?" with one button
    POST /inkorg/logga-in/bekrafta    spend the token and sign in (auth.start_session)
    POST /inkorg/logga-ut             end the session on the server; 303 to "signed out"

Every other page under /inkorg asks `auth.current()` first; without a live session it answers
with a 303 to the sign-in form.
"""

from __future__ import annotations

from flask import g, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from .. import ratelimit
from ..mail.status import masked_address
from . import auth, bp, sessions
from .forms import ConfirmForm, SignInForm, SignOutForm

OPEN_ENDPOINTS = {"inbox.sign_in", "inbox.sent", "inbox.link", "inbox.confirm", "inbox.signed_out",
                  "inbox.oidc_start", "inbox.oidc_callback"}
LINK_KEY = "inkorg_link"


@bp.before_request
def require_contact() -> Response | None:
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    identity = auth.current()
    if identity is None:
        response = redirect(url_for("inbox.sign_in"), code=303)
        if sessions.has_cookie():
            sessions.clear_cookie(response)
        return response
    g.contact = identity
    return None


@bp.route("/logga-in", methods=["GET", "POST"])
def sign_in() -> Response | str:
    if request.method == "POST":
        ratelimit.check_submit()
    form = SignInForm()
    if form.validate_on_submit():
        auth.request_link(form.email.data or "")
        return redirect(url_for("inbox.sent"), code=303)
    return render_template("inbox/sign_in.html", form=form)


@bp.get("/logga-in/skickat")
def sent() -> str:
    return render_template("inbox/sent.html")


@bp.get("/logga-in/<token>")
def link(token: str) -> Response:
    session[LINK_KEY] = token[:2000]
    return redirect(url_for("inbox.confirm"), code=303)


def _refused() -> tuple[str, int]:
    """One calm page for every link that does not work: used, expired, forged, or its contact changed."""
    session.pop(LINK_KEY, None)
    return render_template("inbox/link_refused.html"), 400


@bp.route("/logga-in/bekrafta", methods=["GET", "POST"])
def confirm() -> Response | str | tuple[str, int]:
    token = session.get(LINK_KEY)
    if not isinstance(token, str):
        return _refused()
    try:
        identity = auth.identity_from_link(token)
    except auth.LinkRefused:
        return _refused()
    form = ConfirmForm()
    if form.validate_on_submit():
        if not auth.spend_link(token):  # another request spent it a moment ago
            return _refused()
        session.pop(LINK_KEY, None)
        return auth.start_session(identity, method="link")
    # the address this link signs in, masked: a link someone else sent (login CSRF) shows whose inbox it opens
    return render_template("inbox/confirm.html", form=form, address=masked_address(identity.email))


@bp.post("/logga-ut")
def sign_out() -> Response:
    form = SignOutForm()
    form.validate_on_submit()  # the CSRF check itself runs for every POST (CSRFProtect)
    return auth.end_session()


@bp.get("/utloggad")
def signed_out() -> str:
    return render_template("inbox/signed_out.html")
