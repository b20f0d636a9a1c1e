"""The public flow's steps. Views validate, call a service, then redirect (303) or render.

Answers live in the session, never the identifier: it goes from the last form straight into the
case and the queued job (PRODUCT.md N3, N5).
"""

from __future__ import annotations

from flask import redirect, render_template, request, session, url_for
from flask_babel import gettext as _
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
from . import bp
from .choices import ROLE_LABELS, SERVICE_LABELS, SYMPTOM_LABELS, services_for, symptoms_for
from .forms import IdentifierForm, RoleForm, SchoolForm, ServiceForm, SymptomForm

STEPS = ("role", "service", "symptom", "school")
ENDPOINTS = {"role": "public.start", "service": "public.service", "symptom": "public.symptom",
             "school": "public.school", "identifier": "public.identifier"}
MAX_RESULTS = 10


def _flow() -> dict[str, str]:
    return dict(session.get("flow", {}))


def _save(**answers: str) -> None:
    flow = _flow()
    flow.update(answers)
    # a later answer may no longer fit an earlier one: drop what does not
    if flow.get("service") and flow["service"] not in services_for(flow.get("role", "")):
        flow.pop("service")
    if flow.get("symptom") and flow["symptom"] not in symptoms_for(flow.get("role", ""), flow.get("service", "")):
        flow.pop("symptom")
    if "school" in flow and "service" in flow and not _place_exists(flow["service"], flow["school"]):
        flow.pop("school")
    session["flow"] = flow


def _place_exists(service: str, code: str) -> bool:
    try:
        directory.place(service, code)
    except directory.UnknownPlace:
        return False
    return True


def _next() -> Response:
    flow = _flow()
    for step in STEPS:
        if step not in flow:
            return redirect(url_for(ENDPOINTS[step]), code=303)
    return redirect(url_for(ENDPOINTS["identifier"]), code=303)


def _needs(*steps: str) -> Response | None:
    flow = _flow()
    return _next() if any(s not in flow for s in steps) else None


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
        session["flow"] = {}
        _save(**prefill)
        return _next()
    form = RoleForm()
    form.role.choices = [(r, _(ROLE_LABELS[r])) for r in ROLES]
    if form.validate_on_submit():
        _save(role=form.role.data)
        return _next()
    return render_template("public/role.html", form=form, step=1)


@bp.route("/hjalp/tjanst", methods=["GET", "POST"])
def service() -> Response | str:
    if (missing := _needs("role")) is not None:
        return missing
    form = ServiceForm()
    form.service.choices = [(s, _(SERVICE_LABELS[s])) for s in services_for(_flow()["role"])]
    if form.validate_on_submit():
        _save(service=form.service.data)
        return _next()
    return render_template("public/service.html", form=form, step=2, back=url_for("public.start"))


@bp.route("/hjalp/problem", methods=["GET", "POST"])
def symptom() -> Response | str:
    if (missing := _needs("role", "service")) is not None:
        return missing
    flow = _flow()
    form = SymptomForm()
    form.symptom.choices = [(s, _(SYMPTOM_LABELS[s])) for s in symptoms_for(flow["role"], flow["service"])]
    if form.validate_on_submit():
        _save(symptom=form.symptom.data)
        return _next()
    return render_template("public/symptom.html", form=form, step=3, back=url_for("public.service"))


def _search(service: str, query: str) -> list[tuple[str, str]]:
    text = query.strip().lower()[:100]
    if not text or "\x00" in text:  # no name holds a NUL, and PostgreSQL refuses one in a query
        return []
    if service in ORGANISATION_SERVICES:
        table = Organisation.__table__
        stmt = select(table.c.id, table.c.name).where(
            or_(table.c.id == text, db.func.lower(table.c.name).contains(text, autoescape=True)))
        return [(r.id, r.name) for r in db.session.execute(stmt.order_by(table.c.name).limit(MAX_RESULTS))]
    stmt = select(School.code, School.name).where(
        or_(School.code == text, School.name_search.contains(text, autoescape=True)))
    return [(r.code, f"{r.name} ({r.code})") for r in db.session.execute(stmt.order_by(School.name).limit(MAX_RESULTS))]


@bp.route("/hjalp/skola", methods=["GET", "POST"])
def school() -> Response | str:
    if (missing := _needs("role", "service", "symptom")) is not None:
        return missing
    flow = _flow()
    query = request.values.get("q", "")
    results = _search(flow["service"], query)
    form = SchoolForm()
    form.school.choices = results
    if form.validate_on_submit():
        _save(school=form.school.data)
        return _next()
    organisation = flow["service"] in ORGANISATION_SERVICES
    return render_template("public/school.html", form=form, step=4, query=query, results=results,
                           searched="q" in request.values, organisation=organisation,
                           back=url_for("public.symptom"))


@bp.route("/hjalp/uppgift", methods=["GET", "POST"])
def identifier() -> Response | str:
    if (missing := _needs(*STEPS)) is not None:
        return missing
    flow = _flow()
    if request.method == "POST":
        ratelimit.check_submit()
    form = IdentifierForm()
    if form.validate_on_submit():
        q = diagnosis.question(flow["role"], flow["service"], flow["symptom"], flow["school"])
        typed = form.identifier.data or ""
        try:
            ident = parse_identifier(typed, q.today)
        except InvalidIdentifier as exc:
            form.identifier.errors = [_(str(exc))]
        else:
            case = open_case(q, ident, typed_email=typed.strip() if ident.kind == "email" else None,
                             locale=language.current())
            session["reference"] = case.reference
            return redirect(url_for("public.result"), code=303)
    return render_template("public/identifier.html", form=form, step=5, back=url_for("public.school"))


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
    shown = [BY_ID[f.check] for f in public.findings
             if f.outcome in ("fail", "advice") and f.check != "notice.active_disruption"]
    contact = None
    if any(f.check == "school.guardian_login_enabled" and f.outcome == "fail" for f in public.findings):
        contact = diagnosis.contact_for("school_admin", snap, use_fallback=False)
    place_name = snap.school.name if snap.school else snap.organisation.name
    return render_template("public/result.html", notices=notices, shown=shown, contact=contact,
                           reference=show_reference(reference), place_name=place_name, step=6)


@bp.post("/hjalp/borja-om")
def restart() -> Response:
    session.pop("flow", None)
    session.pop("reference", None)
    return redirect(url_for("public.start"), code=303)
