"""Which cases a signed-in contact may see: one rule, written once as a pure function and once as
the single SQL WHERE clause the inbox's queries use (a test holds the two to the same answers).

A contact sees a case when
- the case is routed to their address (`route_email`, compared as the directory's `email_key`), or
- the case's contact kind is one of theirs and the case lies within that contact row's scope:
  every scope field the row names matches the case (as `checks.routing.applies` decides whom a
  kind resolves to): a school contact their school, an organisation contact all its schools (and
  its own agency e-service cases), a service-wide contact that service, a portal-wide contact all.

One address may hold several contact rows (a rector at two schools, an administrator who is also
the exam administrator): the scopes are OR-ed. Anything outside answers exactly as a case that
does not exist (the views turn both into the same 404).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, false, or_

from ..models import Case


@dataclass(frozen=True)
class Scope:
    """One contact row's reach: its kind and the scope fields it names (None: any)."""

    kind: str
    school: str | None = None
    organisation: str | None = None
    service: str | None = None


@dataclass(frozen=True)
class CaseFacts:
    """What the rule reads of a case."""

    route_kind: str | None
    route_email_key: str | None
    place: str
    organisation: str | None
    service: str


def in_scope(scope: Scope, case: CaseFacts) -> bool:
    return (
        case.route_kind == scope.kind
        and (scope.school is None or case.place == scope.school)
        and (scope.organisation is None or case.organisation == scope.organisation)
        and (scope.service is None or case.service == scope.service)
    )


def sees(email_key: str, scopes: Iterable[Scope], case: CaseFacts) -> bool:
    """The rule: routed to this address, or of one of the contact's kinds within its scope."""
    if case.route_email_key is not None and case.route_email_key == email_key:
        return True
    return any(in_scope(scope, case) for scope in scopes)


def _scope_clause(scope: Scope) -> ColumnElement[bool]:
    conditions = [Case.route_kind == scope.kind]
    if scope.school is not None:
        conditions.append(Case.place == scope.school)
    if scope.organisation is not None:
        conditions.append(Case.organisation_id == scope.organisation)
    if scope.service is not None:
        conditions.append(Case.service == scope.service)
    return and_(*conditions)


def where(email_key: str, scopes: Iterable[Scope]) -> ColumnElement[bool]:
    """`sees` as one SQL condition on the cases table."""
    clauses = [Case.route_email_key == email_key, *(_scope_clause(s) for s in dict.fromkeys(scopes))]
    return or_(false(), *clauses)
