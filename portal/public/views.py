"""The public flow's steps. Views validate, call a service, then redirect (303) or render.

Answers live in the session, never the identifier: it goes from the last form straight into the
case and the queued job (PRODUCT.md N3, N5).
"""

from __future__ import annotations

from typing import Any

from flask import g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from werkzeug.wrappers import Response

from checks import BY_ID, diagnose
from checks.base import Context
from checks.catalogue.organisation import active_notices
from checks.identifiers import InvalidIdentifier, parse_identifier
from checks.vocab import ORGANISATION_SERVICES, ROLES

from .. import diagnosis, directory, language, ratelimit
from ..cases import open_case, show_reference
from ..extensions import db
from ..models import Organisation, School
from ..search_key import search_key
from . import bp
from .choices import ROLE_LABELS, SERVICE_LABELS, SYMPTOM_LABELS, services_for, symptom_label, symptoms_for
from .forms import IdentifierForm, RoleForm, SchoolForm, ServiceForm, SymptomForm

STEPS = ("role", "service", "symptom", "school")
ENDPOINTS = {"role": "public.start", "service": "public.service", "symptom": "public.symptom",
             "school": "public.school", "identifier": "public.identifier"}
# a changed answer asks again what it decides: another role has other services and symptoms, another
# service other symptoms (a school stays while it still fits the service: _save checks)
INVALIDATES = {"role": ("service", "symptom"), "service": ("symptom",)}
QUESTIONS = {"role": _l("Vem är du?"), "service": _l("Vad försökte du logga in i?"),
             "symptom": _l("Vad hände?")}
MAX_RESULTS = 10
# whom a person in each role asks when no mail comes (result page; the same for everyone in the role): a whole
# sentence for each helper, so that a language that inflects the one asked (Finnish "koululta", Ukrainian
# "до школи") can say it properly
ASK = {"school": _l("Fråga sedan skolan och ange ärendenumret."),
       "rector": _l("Fråga sedan rektorn och ange ärendenumret."),
       "municipal_it": _l("Fråga sedan kommunens IT-support och ange ärendenumret."),
       "agency_support": _l("Fråga sedan myndighetens support för e-tjänsten och ange ärendenumret.")}
WHO_HELPS = {"guardian": "school", "student": "school", "mentor": "school", "teacher": "school",
             "exam_admin": "rector", "eservice_user": "municipal_it", "eservice_admin": "agency_support"}
SUMMARY_QUESTIONS = {"role": _l("Du är"), "service": _l("Tjänst"), "symptom": _l("Problem")}


def _flow() -> dict[str, str]:
    return dict(session.get("flow", {}))


def _auto() -> list[str]:
    """The steps the portal answered because they had one possible answer."""
    return list(session.get("auto", []))


def _choices(step: str, flow: dict[str, str]) -> tuple[str, ...]:
    if step == "role":
        return ROLES
    if step == "service":
        return services_for(flow.get("role", ""))
    if step == "symptom":
        return symptoms_for(flow.get("role", ""), flow.get("service", ""))
    return ()


def _save(**answers: str) -> None:
    flow, auto = _flow(), _auto()
    earlier = dict(session.get("earlier", {}))  # answers asked again, shown selected if they still fit
    for step, value in answers.items():
        if flow.get(step) != value:
            for later in INVALIDATES.get(step, ()):
                if later in flow:
                    earlier[later] = flow.pop(later)
                if later in auto:
                    auto.remove(later)
        flow[step] = value
        if step in auto:
            auto.remove(step)
    # a later answer may no longer fit an earlier one: drop what does not
    if flow.get("service") and flow["service"] not in services_for(flow.get("role", "")):
        flow.pop("service")
    if flow.get("symptom") and flow["symptom"] not in symptoms_for(flow.get("role", ""), flow.get("service", "")):
        flow.pop("symptom")
    if "school" in flow and "service" in flow and not _place_exists(flow["service"], flow["school"]):
        flow.pop("school")
    session["flow"], session["auto"], session["earlier"] = flow, [s for s in auto if s in flow], earlier


def _place_exists(service: str, code: str) -> bool:
    try:
        directory.place(service, code)
    except directory.UnknownPlace:
        return False
    return True


def _answer_the_only_choice(step: str) -> bool:
    """A step with one possible answer is answered for the person (and the next page says so)."""
    flow = _flow()
    choices = _choices(step, flow)
    if step not in flow and len(choices) == 1:
        _save(**{step: choices[0]})
        session["auto"] = [*_auto(), step]
        return True
    return False


def _next() -> Response:
    """The first step not answered yet, else the last one (the identifier, with the summary)."""
    for step in STEPS:
        if step not in _flow() and not _answer_the_only_choice(step):
            return redirect(url_for(ENDPOINTS[step]), code=303)
    return redirect(url_for(ENDPOINTS["identifier"]), code=303)


def _after(step: str) -> Response:
    """Where a step's answer leads: the next step, showing its answer if it has one (so a person who
    went back walks forward again), or, after a change from the summary, the first step to ask again."""
    if session.get("changing"):
        return _next()
    for later in STEPS[STEPS.index(step) + 1:]:
        if later in _auto() or _answer_the_only_choice(later):
            continue
        return redirect(url_for(ENDPOINTS[later]), code=303)
    return redirect(url_for(ENDPOINTS["identifier"]), code=303)


def _back(step: str) -> str:
    """The step before, skipping those answered for the person."""
    earlier = [s for s in STEPS[:STEPS.index(step)] if s not in _auto()] if step in STEPS else \
        [s for s in STEPS if s not in _auto()]
    return url_for(ENDPOINTS[earlier[-1]] if earlier else "public.start")


def _answered_for_you(step: str) -> list[dict[str, str]]:
    """The steps just before `step` that the portal answered, in words for the page's notice."""
    notes: list[dict[str, str]] = []
    flow = _flow()
    for before in reversed(STEPS[:STEPS.index(step)] if step in STEPS else STEPS):
        if before not in _auto():
            break
        notes.insert(0, {"question": str(QUESTIONS.get(before, "")), "answer": _answer_label(before, flow)})
    return notes


def _answer_label(step: str, flow: dict[str, str]) -> str:
    value = flow.get(step, "")
    if step == "role":
        return _(ROLE_LABELS[value]) if value in ROLE_LABELS else value
    if step == "service":
        return _(SERVICE_LABELS[value]) if value in SERVICE_LABELS else value
    if step == "symptom":
        return _(symptom_label(flow.get("role", ""), flow.get("service", ""), value)) if value in SYMPTOM_LABELS \
            else value
    return _place_label(flow.get("service", ""), value)


def _place_label(service: str, code: str) -> str:
    try:
        organisation, school = directory.place(service, code)
    except directory.UnknownPlace:
        return code
    return organisation.name if school is None else f"{school.name} ({school.code})"


def _preselect(step: str, field: Any) -> None:
    """On a GET, the answer given before (kept, or asked again after a change) is selected."""
    if request.method == "GET":
        value = _flow().get(step) or session.get("earlier", {}).get(step)
        if value in [v for v, _label in field.choices]:
            field.data = value


def _page(template: str, step: str, **context: Any) -> str:
    return render_template(template, step=STEPS.index(step) + 1, back=_back(step) if step != "role" else None,
                           answered_for_you=_answered_for_you(step), **context)


@bp.route("/", methods=["GET", "POST"])
def start() -> Response | str:
    if request.method == "GET" and any(k in request.args for k in STEPS):
        prefill = {}
        role = request.args.get("role", "")
        if role in ROLES:
            prefill["role"] = role
        for key in ("service", "symptom", "school"):
            value = request.args.get(key, "")
            if value and len(value) <= 64 and value.isprintable():  # no NUL for PostgreSQL to refuse
                prefill[key] = value
        session["flow"], session["auto"], session["earlier"] = {}, [], {}
        session["changing"] = True  # the answers of the link are skipped after the one asked
        _save(**prefill)
        return _next()
    _changing()
    form = RoleForm()
    form.role.choices = [(r, _(ROLE_LABELS[r])) for r in ROLES]
    _preselect("role", form.role)
    if form.validate_on_submit():
        _save(role=form.role.data)
        return _after("role")
    return _page("public/role.html", "role", form=form)


def _changing() -> None:
    """An "Ändra" link from the summary: after the change, the flow returns to the summary."""
    if request.method == "GET" and request.args.get("andra") == "1":
        session["changing"] = True


@bp.route("/hjalp/tjanst", methods=["GET", "POST"])
def service() -> Response | str:
    if (missing := _needs("role")) is not None:
        return missing
    _changing()
    form = ServiceForm()
    form.service.choices = [(s, _(SERVICE_LABELS[s])) for s in services_for(_flow()["role"])]
    _preselect("service", form.service)
    if form.validate_on_submit():
        _save(service=form.service.data)
        return _after("service")
    return _page("public/service.html", "service", form=form)


@bp.route("/hjalp/problem", methods=["GET", "POST"])
def symptom() -> Response | str:
    if (missing := _needs("role", "service")) is not None:
        return missing
    _changing()
    flow = _flow()
    form = SymptomForm()
    form.symptom.choices = [(s, _(symptom_label(flow["role"], flow["service"], s)))
                            for s in symptoms_for(flow["role"], flow["service"])]
    _preselect("symptom", form.symptom)
    if form.validate_on_submit():
        _save(symptom=form.symptom.data)
        return _after("symptom")
    return _page("public/symptom.html", "symptom", form=form)


def _needs(*steps: str) -> Response | None:
    flow = _flow()
    return _next() if any(s not in flow for s in steps) else None


def _search(service: str, query: str) -> list[tuple[str, str]]:
    text = query.strip()[:100]
    if not text or "\x00" in text:  # no name holds a NUL, and PostgreSQL refuses one in a query
        return []
    key = search_key(text)
    if service in ORGANISATION_SERVICES:
        table = Organisation.__table__
        # few organisations: compared here, with the same key as the schools' stored one
        rows = db.session.execute(select(table.c.id, table.c.name).order_by(table.c.name)).all()
        return [(r.id, r.name) for r in rows if r.id == text or key in search_key(r.name)][:MAX_RESULTS]
    stmt = select(School.code, School.name).where(
        or_(School.code == text, School.name_search.contains(key, autoescape=True)))
    return [(r.code, f"{r.name} ({r.code})") for r in db.session.execute(stmt.order_by(School.name).limit(MAX_RESULTS))]


@bp.route("/hjalp/skola", methods=["GET", "POST"])
def school() -> Response | str:
    if (missing := _needs("role", "service", "symptom")) is not None:
        return missing
    _changing()
    flow = _flow()
    query = request.values.get("q", "")
    searched = "q" in request.values
    results = _search(flow["service"], query)
    if not searched and "school" in flow:  # back again: the school chosen before, selected
        results = [(flow["school"], _place_label(flow["service"], flow["school"]))]
    form = SchoolForm()
    form.school.choices = results
    _preselect("school", form.school)
    if form.validate_on_submit():
        _save(school=form.school.data)
        return _after("school")
    organisation = flow["service"] in ORGANISATION_SERVICES
    return _page("public/school.html", "school", form=form, query=query, results=results,
                 searched=searched, empty_search=searched and not query.strip(), organisation=organisation)


@bp.route("/hjalp/uppgift", methods=["GET", "POST"])
def identifier() -> Response | str:
    if (missing := _needs(*STEPS)) is not None:
        return missing
    flow = _flow()
    if request.method == "POST":
        ratelimit.check_submit()
    form = None
    typed = IdentifierForm.accepted(request.form, g.get("csrf_valid", False)) if request.method == "POST" else None
    if typed is None:
        form = IdentifierForm()
        if form.validate_on_submit():
            typed = form.identifier.data or ""
    if typed is not None:
        q = diagnosis.question(flow["role"], flow["service"], flow["symptom"], flow["school"])
        try:
            ident = parse_identifier(typed, q.today)
        except InvalidIdentifier as exc:
            form = form or IdentifierForm()
            form.identifier.errors = [_(str(exc))]
        else:
            case = open_case(q, ident, typed_email=typed.strip() if ident.kind == "email" else None,
                             locale=language.current())
            session["reference"] = case.reference
            return redirect(url_for("public.result"), code=303)
    session.pop("changing", None)
    summary = [{"step": step, "question": _(SUMMARY_QUESTIONS[step]) if step != "school" else
                (_("Kommun") if flow["service"] in ORGANISATION_SERVICES else _("Skola")),
                "answer": _answer_label(step, flow), "auto": step in _auto(),
                "change": url_for(ENDPOINTS[step], andra=1)} for step in STEPS]
    return render_template("public/identifier.html", form=form, step=5, back=_back("identifier"),
                           summary=summary)


@bp.get("/hjalp/resultat")
def result() -> Response | str:
    flow = _flow()
    reference = session.get("reference")
    if reference is None or any(s not in flow for s in STEPS):
        return _next()
    q = diagnosis.question(flow["role"], flow["service"], flow["symptom"], flow["school"])
    snap = directory.snapshot(q, None, look_up_person=False)
    public = diagnose(snap, public_only=True)
    notices = active_notices(Context(snap))
    shown = [f for f in public.findings if f.outcome in ("fail", "advice") and f.check != "notice.active_disruption"]
    if any(f.outcome == "fail" for f in shown):
        # a failure that already explains why nobody gets in: advice assuming otherwise would contradict it
        shown = [f for f in shown if f.outcome == "fail"]
    contact = None
    if any(f.check == "school.guardian_login_enabled" and f.outcome == "fail" for f in public.findings):
        contact = diagnosis.contact_for("school_admin", snap, use_fallback=False)
    place_name = snap.school.name if snap.school else snap.organisation.name
    return render_template("public/result.html", notices=notices, shown=[BY_ID[f.check] for f in shown],
                           contact=contact, ask=ASK[WHO_HELPS.get(flow["role"], "school")],
                           reference=show_reference(reference), place_name=place_name, step=6)


@bp.post("/hjalp/borja-om")
def restart() -> Response:
    for key in ("flow", "reference", "auto", "earlier", "changing"):
        session.pop(key, None)
    return redirect(url_for("public.start"), code=303)
