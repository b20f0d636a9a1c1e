"""Evaluating the catalogue: docs/CHECKS.md "How a check reaches its outcome" and the routing rule."""

from __future__ import annotations

from dataclasses import dataclass

from .base import ADVICE, DEFAULT, REMEDY, Check, Context
from .catalogue import CATALOGUE
from .snapshot import Snapshot

RESET_CHECK = "account.password_reset"
EXTERNAL_CHECK = "school.account_management_external"


@dataclass(frozen=True)
class Finding:
    check: str
    outcome: str  # pass | fail | skip | advice
    visibility: str  # public | private
    route: str | None  # the contact kind the row names, for a failing row that routes

    def as_json(self) -> dict[str, object]:
        return {"check": self.check, "outcome": self.outcome, "visibility": self.visibility, "route": self.route}


@dataclass(frozen=True)
class Diagnosis:
    role: str
    service: str
    symptom: str
    place: str
    matched: bool
    findings: tuple[Finding, ...]
    route_kind: str | None  # None exactly when self-served
    self_service: bool

    @property
    def public_findings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.visibility == "public")


def default_route(role: str, service: str) -> str:
    """Routing rule 3: the role's default contact kind."""
    if role == "teacher":
        return "exam_admin" if service == "assessment_portal" else "school_admin"
    return {
        "guardian": "school_admin",
        "student": "school_admin",
        "mentor": "school_admin",
        "exam_admin": "rector",
        "eservice_user": "eservice_admin",
        "eservice_admin": "agency_support",
    }[role]


def applicable(role: str, service: str, symptom: str) -> tuple[Check, ...]:
    """Every check that applies to the role, service and symptom, in catalogue order."""
    return tuple(c for c in CATALOGUE if c.applies(role, service, symptom))


def finding_route(check: Check, outcome: str, role: str, service: str) -> str | None:
    """Rule 8: the contact kind a failing row names (role default resolved); else None."""
    if outcome != "fail" or check.on_fail in (ADVICE, REMEDY):
        return None
    if check.on_fail == DEFAULT:
        return default_route(role, service)
    return check.on_fail


def _outcome(check: Check, ctx: Context, external: bool) -> str:
    if check.visibility == "public":
        return check.evaluate(ctx)
    if external:  # rule 2: the portal does not look into accounts it does not manage
        return "skip"
    if ctx.account is None:  # rule 3
        if check.id == "account.exists":
            return "fail"
        if check.about_person and ctx.subject is not None:
            return check.evaluate(ctx)
        return "skip"
    return check.evaluate(ctx)


def diagnose(snapshot: Snapshot, *, public_only: bool = False) -> Diagnosis:
    """Run every applicable check over the snapshot and decide the route.

    With `public_only`, only the public rows are evaluated: what a web request may do before the
    worker has looked at the person (PRODUCT.md N3). The route is then not decided.
    """
    q = snapshot.question
    ctx = Context(snapshot)
    checks = applicable(q.role, q.service, q.symptom)
    if public_only:
        checks = tuple(c for c in checks if c.visibility == "public")

    outcomes: dict[str, str] = {}
    external = False
    for check in checks:
        if check.id == RESET_CHECK:
            continue
        outcome = _outcome(check, ctx, external)
        outcomes[check.id] = outcome
        if check.id == EXTERNAL_CHECK and outcome == "fail":
            external = True

    routes = {c.id: finding_route(c, outcomes[c.id], q.role, q.service) for c in checks if c.id in outcomes}
    if any(c.id == RESET_CHECK for c in checks):
        ctx.routed_failure = any(r is not None for r in routes.values())
        reset = next(c for c in checks if c.id == RESET_CHECK)
        outcomes[RESET_CHECK] = _outcome(reset, ctx, external)
        routes[RESET_CHECK] = None

    findings = tuple(Finding(c.id, outcomes[c.id], c.visibility, routes[c.id]) for c in checks)
    self_service = outcomes.get(RESET_CHECK) == "pass"
    route_kind = next((f.route for f in findings if f.route is not None), None)
    if route_kind is None and not self_service and not public_only:
        route_kind = default_route(q.role, q.service)
    return Diagnosis(
        role=q.role,
        service=q.service,
        symptom=q.symptom,
        place=q.place,
        matched=ctx.account is not None and not external,
        findings=findings,
        route_kind=None if self_service else route_kind,
        self_service=self_service,
    )
