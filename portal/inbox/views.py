"""The inbox and a case (views: validate, call a query or an action, redirect or render).

    GET  /inkorg/                               the list: filters (GET), search by reference, paging
    GET  /inkorg/arenden/<reference>            a case (8 characters; the dashed form redirects)
    POST /inkorg/arenden/<reference>/los        resolve, optionally with a message to the person
    POST /inkorg/arenden/<reference>/vidare     pass on to another contact kind
    POST /inkorg/arenden/<reference>/anteckning add an internal note

A case outside the contact's scope and a case that does not exist are the same `abort(404)`.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from checks.i18n import N_
from checks.vocab import CONTACT_KINDS, SERVICES, SYMPTOMS

from ..cases import show_reference
from ..mail.status import failed_for_case
from ..models import Case
from ..public.choices import symptom_label
from . import actions, bp, present, queries, scope
from .auth import Identity
from .forms import FilterForm, NoteForm, PassOnForm, ResolveForm
from .labels import KIND_LABELS, MAIL_LABELS, ROLE_LABELS, SERVICE_LABELS, STATUS_LABELS, SYMPTOM_LABELS

STATUS_FILTERS = (("open", N_("Öppna")), ("passed_on", N_("Skickat vidare")), ("resolved", N_("Löst")))


@bp.app_template_filter("when")
def _when(moment: Any) -> str:
    return present.when(moment)


@bp.app_template_filter("reference")
def _reference(reference: str) -> str:
    return show_reference(reference)


def _who() -> Identity:
    identity: Identity = g.contact
    return identity


def _visible() -> Any:
    who = _who()
    return scope.where(who.email_key, who.scopes)


def _labels() -> dict[str, Any]:
    return {"role_labels": ROLE_LABELS, "service_labels": SERVICE_LABELS, "symptom_labels": SYMPTOM_LABELS,
            "symptom_label": symptom_label,
            "status_labels": STATUS_LABELS, "kind_labels": KIND_LABELS, "who": _who()}


# -- the list ------------------------------------------------------------------------------------------
def _filter_form(schools: list[tuple[str, str]]) -> tuple[FilterForm, queries.Filters]:
    form = FilterForm(request.args)
    form.status.choices = [("", _("Alla"))] + [(v, _(label)) for v, label in STATUS_FILTERS]
    form.school.choices = [("", _("Alla"))] + schools
    form.service.choices = [("", _("Alla"))] + [(s, _(SERVICE_LABELS[s])) for s in SERVICES]
    form.symptom.choices = [("", _("Alla"))] + [(s, _(SYMPTOM_LABELS[s])) for s in SYMPTOMS]
    form.validate()

    def chosen(field: Any) -> str:
        value = field.data or ""
        return value if value in {v for v, _label in field.choices} else ""

    page = form.page.data if not form.page.errors and form.page.data else 1
    reference = queries.normalise_reference(form.q.data or "") if not form.q.errors else "?"
    filters = queries.Filters(status=chosen(form.status), school=chosen(form.school),
                              service=chosen(form.service), symptom=chosen(form.symptom),
                              reference=reference, page=max(1, min(int(page), 100_000)))
    return form, filters


@bp.get("/")
def cases() -> str:
    who = _who()
    form, filters = _filter_form(queries.schools_for_filter(who.scopes))
    visible = _visible()
    open_count = queries.open_count(visible)
    page = queries.page_of_cases(visible, filters)
    args: dict[str, Any] = {k: v for k, v in request.args.items() if k != "page" and v}

    def page_url(number: int) -> str:
        return url_for("inbox.cases", **args, page=number)

    return render_template("inbox/cases.html", form=form, filters=filters, open_count=open_count, rows=page.rows,
                           has_next=page.has_next, page_url=page_url, deciding=present.deciding_text, **_labels())


# -- a case --------------------------------------------------------------------------------------------
def _case_or_404(reference: str) -> Case:
    wanted = queries.normalise_reference(reference)
    if len(wanted) != 8:
        abort(404)
    found = queries.case_with_school(_visible(), wanted)
    if found is None:
        abort(404)
    g.school_name = found[1]
    return found[0]


def _case_page(case: Case, *, resolve_form: ResolveForm | None = None, pass_on_form: PassOnForm | None = None,
               note_form: NoteForm | None = None, status: int = 200) -> tuple[str, int]:
    rows = queries.findings_of(case.id)
    account = queries.matched_account(case.matched_account_id)
    can_message = account is not None and queries.first_address(account.person_id) is not None
    pass_on_form = pass_on_form or PassOnForm(formdata=None)
    pass_on_form.kind.choices = _pass_on_choices(case)
    reachable = actions.reachable_kinds(case) if actions.is_open(case) else set()
    body = render_template(
        "inbox/case.html", case=case, school_name=g.get("school_name"), account=account,
        can_message=can_message, findings=present.findings(rows),
        route_reason=present.route_reason(rows, case.role, case.service),
        route_label=present.kind_label(case.route_kind), history=queries.history_of(case.id),
        route_who=_first_upper(present.contact_named(case.route_kind, case.route_name)),
        undelivered=failed_for_case(case.id), mail_labels=MAIL_LABELS, reachable=reachable,
        event_text=present.event_text, actor=present.actor, is_open=actions.is_open(case),
        resolve_form=resolve_form or ResolveForm(formdata=None), pass_on_form=pass_on_form,
        note_form=note_form or NoteForm(formdata=None), **_labels())
    return body, status


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def _pass_on_choices(case: Case) -> list[tuple[str, str]]:
    fitting = actions.fitting_kinds(case)
    return [(k, _(KIND_LABELS[k])) for k in CONTACT_KINDS if k != case.route_kind and k in fitting]


@bp.get("/arenden/<reference>")
def case(reference: str) -> Response | tuple[str, int]:
    found = _case_or_404(reference)
    if reference != found.reference:  # 7KQ2-M9XD, or lower case: the one address of the case
        return redirect(url_for("inbox.case", reference=found.reference), code=301)
    return _case_page(found)


def _back(case: Case) -> Response:
    return redirect(url_for("inbox.case", reference=case.reference), code=303)


@bp.post("/arenden/<reference>/los")
def resolve(reference: str) -> Response | tuple[str, int]:
    found = _case_or_404(reference)
    form = ResolveForm()
    if not form.validate_on_submit():
        return _case_page(found, resolve_form=form, status=400)
    if actions.is_open(found):
        sent = actions.resolve(found, _who(), (form.message.data or "").strip())
        flash(_("Ärendet är markerat som löst. Personen får ditt meddelande.") if sent
              else _("Ärendet är markerat som löst."))
    return _back(found)


@bp.post("/arenden/<reference>/vidare")
def pass_on(reference: str) -> Response | tuple[str, int]:
    found = _case_or_404(reference)
    form = PassOnForm()
    form.kind.choices = _pass_on_choices(found)
    if not form.validate_on_submit():
        return _case_page(found, pass_on_form=form, status=400)
    kind = form.kind.data or ""
    contact = actions.pass_on(found, _who(), kind, (form.reason.data or "").strip())
    if contact is None:
        form.kind.errors = [_("Det finns ingen %(kind)s registrerad för den här skolan. Välj någon annan.",
                              kind=present.in_sentence(_(KIND_LABELS[kind])))]
        return _case_page(found, pass_on_form=form, status=400)
    flash(_("Ärende %(reference)s är skickat vidare till %(who)s.",
            reference=show_reference(found.reference), who=present.contact_named(kind, contact.name)))
    return redirect(url_for("inbox.cases"), code=303)


@bp.post("/arenden/<reference>/anteckning")
def note(reference: str) -> Response | tuple[str, int]:
    found = _case_or_404(reference)
    form = NoteForm()
    if not form.validate_on_submit():
        return _case_page(found, note_form=form, status=400)
    actions.add_note(found, _who(), (form.note.data or "").strip())
    flash(_("Anteckningen är sparad."))
    return _back(found)
