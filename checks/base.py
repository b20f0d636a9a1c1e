"""What a check is, and the context it reads.

A check is one entry: its id, where it applies, its visibility, what happens when it fails, the
seed documents behind it, a function from context to outcome, and its Swedish texts. Adding a
check is adding one entry to a module in `checks/catalogue/`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property

from .i18n import N_
from .identifiers import age_on, birth_date_of, normalise_email
from .snapshot import AccountInfo, GroupInfo, PersonInfo, PlacementInfo, RoleInfo, Snapshot, Subject
from .vocab import ORGANISATION_SERVICES

__all__ = ["ADVICE", "ANY", "DEFAULT", "N_", "REMEDY", "Check", "Context", "Texts", "check", "ok"]

ANY = None
ADVICE = "advice"  # on fail: guidance only, never decides the route
DEFAULT = "default"  # on fail: the role's default route (routing rule 3)
REMEDY = "remedy"  # account.password_reset: a reset link, never a route


@dataclass(frozen=True)
class Texts:
    """Swedish texts of a check. `title` names what is checked (for contacts and `diagnose`);
    `user` tells the person what it means and what to do (on screen for public checks, in the
    e-mail for private ones), shown when the outcome is fail or advice; `fix` is the exact steps
    for the contact who fixes a failing check."""

    title: str
    user: str
    fix: str = ""


@dataclass(frozen=True)
class Check:
    id: str
    roles: frozenset[str] | None
    services: frozenset[str] | None
    symptoms: frozenset[str] | None
    visibility: str
    on_fail: str  # a contact kind, DEFAULT, ADVICE or REMEDY
    seeds: tuple[str, ...]
    evaluate: Callable[[Context], str]
    texts: Texts
    # evaluated when the identifier matches a person even if no account matched (rule 3)
    about_person: bool = False

    def applies(self, role: str, service: str, symptom: str) -> bool:
        return (
            (self.roles is None or role in self.roles)
            and (self.services is None or service in self.services)
            and (self.symptoms is None or symptom in self.symptoms)
        )


def check(
    id: str,
    roles: Iterable[str] | None,
    services: Iterable[str] | None,
    symptoms: Iterable[str] | None,
    visibility: str,
    on_fail: str,
    seeds: Iterable[str],
    texts: Texts,
    *,
    about_person: bool = False,
) -> Callable[[Callable[[Context], str]], Check]:
    """Decorator: turn an outcome function into a catalogue entry."""

    def wrap(fn: Callable[[Context], str]) -> Check:
        return Check(
            id=id,
            roles=None if roles is None else frozenset(roles),
            services=None if services is None else frozenset(services),
            symptoms=None if symptoms is None else frozenset(symptoms),
            visibility=visibility,
            on_fail=on_fail,
            seeds=tuple(seeds),
            evaluate=fn,
            texts=texts,
            about_person=about_person,
        )

    return wrap


def ok(condition: bool) -> str:
    return "pass" if condition else "fail"


def school_year_start(today: dt.date) -> dt.date:
    """The school year starts on 1 August."""
    year = today.year if (today.month, today.day) >= (8, 1) else today.year - 1
    return dt.date(year, 8, 1)


class Context:
    """The snapshot with the look-ups the checks share. Outcome functions only read it."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.question = snapshot.question
        self.school = snapshot.school
        self.organisation = snapshot.organisation
        self.today = snapshot.question.today
        # set by the engine before account.password_reset: another check failed with a route
        self.routed_failure = False

    # -- the place ---------------------------------------------------------------------------
    @property
    def place(self) -> str:
        return self.question.place

    @property
    def org_scoped(self) -> bool:
        return self.question.service in ORGANISATION_SERVICES

    @cached_property
    def external(self) -> bool:
        """The school's (else its organisation's) accounts are managed outside the portal."""
        school_setting = self.school.account_management if self.school else None
        return (school_setting or self.organisation.account_management) == "external"

    @cached_property
    def school_tenant(self) -> str | None:
        return (self.school.tenant if self.school else None) or self.organisation.tenant

    # -- the person ----------------------------------------------------------------------------
    @property
    def subject(self) -> Subject | None:
        return self.snapshot.subject

    @property
    def person(self) -> PersonInfo:
        assert self.subject is not None
        return self.subject.person

    @property
    def account(self) -> AccountInfo | None:
        return self.subject.account if self.subject else None

    def _at_place(self, role: RoleInfo) -> bool:
        if self.org_scoped:
            return role.school is None and role.organisation == self.place
        return role.school == self.place

    def roles_here(self, name: str) -> list[RoleInfo]:
        """The person's roles of this kind at the place, a non-archived one first."""
        if self.subject is None:
            return []
        found = [r for r in self.subject.roles if r.role == name and self._at_place(r)]
        return sorted(found, key=lambda r: r.archived)

    def active_role_here(self, name: str) -> bool:
        return any(not r.archived for r in self.roles_here(name))

    @cached_property
    def asked_role(self) -> RoleInfo | None:
        """The role that was asked about, at the place (non-archived read first)."""
        roles = self.roles_here(self.question.role)
        return roles[0] if roles else None

    def groups_here(self, kinds: Iterable[str]) -> list[GroupInfo]:
        if self.subject is None:
            return []
        wanted = set(kinds)
        return [g for g in self.subject.groups if g.school == self.place and g.kind in wanted and g.connected]

    # -- children (guardians) ----------------------------------------------------------------
    @cached_property
    def placements_here(self) -> list[tuple[PersonInfo, PlacementInfo]]:
        """Each linked child's placements at this school."""
        if self.subject is None:
            return []
        return [
            (child.person, placement)
            for child in self.subject.children
            for placement in child.placements
            if placement.school == self.place
        ]

    def child_is_adult(self, child: PersonInfo) -> bool:
        born = child.birth_date or (birth_date_of(child.personnummer) if child.personnummer else None)
        return born is not None and age_on(born, self.today) >= 18

    # -- the identifier -------------------------------------------------------------------------
    def typed_email_position(self) -> int | None:
        """Where the typed e-mail address stands among the person's addresses (0 = the first)."""
        ident = self.snapshot.identifier
        if ident is None or ident.kind != "email" or self.subject is None:
            return None
        for position, address in enumerate(self.person.emails):
            if normalise_email(address) == ident.value:
                return position
        return None
