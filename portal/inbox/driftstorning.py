"""Disruption notices from the inbox (views; the work is in portal/notices.py).

    GET  /inkorg/driftstorningar                    the contact's notices and the form to publish one
    POST /inkorg/driftstorningar                    publish (fields reach, service, starts, ends, text)
    POST /inkorg/driftstorningar/<id>/ta-tillbaka   withdraw one; another contact's notice is a 404
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from checks.vocab import SERVICES

from .. import notices
from ..clock import now
from . import bp
from .auth import Identity
from .labels import SERVICE_LABELS
from .notice_forms import NoticeForm, WithdrawForm, parse_moment, show_moment


def _who() -> Identity:
    identity: Identity = g.contact
    return identity


def _reach_label(reach: notices.Reach, names: dict[str, str]) -> str:
    if reach.school:
        where = _("%(name)s (skola)", name=names.get(reach.school, reach.school))
    elif reach.organisation:
        where = _("alla skolor hos %(name)s", name=names.get(reach.organisation, reach.organisation))
    else:
        where = _("hela portalen")
    if reach.service:
        where += ", " + (_(SERVICE_LABELS[reach.service]) if reach.service in SERVICE_LABELS else reach.service)
    return where


def _choices(form: NoticeForm, names: dict[str, str]) -> None:
    form.reach.choices = [(r.key, _reach_label(r, names)) for r in notices.reaches(_who())]
    form.service.choices = [("", _("Alla tjänster"))] + [(s, _(SERVICE_LABELS[s])) for s in SERVICES]


def _page(form: NoticeForm, names: dict[str, str], status: int = 200) -> tuple[str, int]:
    moment = now()
    rows = [(n, notices.state(n, moment)) for n in notices.own_notices(_who())]
    return render_template("inbox/notices.html", form=form, rows=rows, who=_who(), withdraw_form=WithdrawForm(),
                           where=lambda n: _reach_label(notices.Reach(n.school_code, n.organisation_id, n.service),
                                                        names),
                           show=show_moment), status


@bp.get("/driftstorningar")
def notices_page() -> tuple[str, int]:
    names = notices.place_names(_who())
    form = NoticeForm(formdata=None, starts=show_moment(now()))
    _choices(form, names)
    return _page(form, names)


def _chosen_reach(form: NoticeForm) -> notices.Reach | None:
    """The scope asked for, narrowed to the chosen service; None (with the field's error) otherwise."""
    reach = notices.Reach.from_key(form.reach.data or "")
    if reach is None or (form.reach.data or "") not in {key for key, _label in form.reach.choices or []}:
        form.reach.errors = [_("Välj var störningen gäller.")]
        return None
    service = form.service.data or ""
    if service and service not in SERVICES:
        form.service.errors = [_("Välj en av tjänsterna i listan.")]
        return None
    if service and reach.service and service != reach.service:
        form.service.errors = [_("Du kan bara publicera för %(service)s.", service=_(SERVICE_LABELS[reach.service]))]
        return None
    return notices.Reach(reach.school, reach.organisation, reach.service or service or None)


@bp.post("/driftstorningar")
def publish_notice() -> Response | tuple[str, int]:
    names = notices.place_names(_who())
    form = NoticeForm()
    _choices(form, names)
    valid = form.validate_on_submit()
    reach = _chosen_reach(form)
    starts = parse_moment(form.starts.data or "")
    ends = parse_moment(form.ends.data or "") if form.ends.data else None
    if valid and starts is not None and ends is not None:
        if ends <= starts:
            form.ends.errors = [_("Sluttiden måste vara efter starttiden.")]
        elif ends <= now():
            form.ends.errors = [_("Sluttiden har redan passerat. Välj en tid framåt eller lämna fältet tomt.")]
    if not valid or reach is None or starts is None or form.ends.errors:
        return _page(form, names, 400)
    try:
        notices.publish(_who(), reach, starts, ends, (form.text.data or "").strip())
    except notices.NotAllowed:
        abort(404)
    flash(_("Driftstörningen är publicerad. Den syns på sidorna för %(where)s från starttiden.",
            where=_reach_label(reach, names)))
    return redirect(url_for("inbox.notices_page"), code=303)


@bp.post("/driftstorningar/<notice_id>/ta-tillbaka")
def withdraw_notice(notice_id: str) -> Response:
    notice = notices.own_notice(_who(), notice_id[:64])
    if notice is None:
        abort(404)
    WithdrawForm().validate_on_submit()  # the CSRF check itself runs for every POST (CSRFProtect)
    notices.withdraw(_who(), notice)
    flash(_("Driftstörningen är borttagen från sidorna."))
    return redirect(url_for("inbox.notices_page"), code=303)


@bp.app_template_global()
def case_disruptions(case: Any) -> list[Any]:
    """The notices active now at the case's place and service (inbox/_case_disruptions.html)."""
    return notices.active_for(case.service, case.place)
