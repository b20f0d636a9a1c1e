"""Turning a case's rows into what its page says: findings with their steps, the route and why,
the history in words. Pure functions over the rows; the texts are Swedish source strings that
the templates pass through Babel."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from checks import BY_ID, default_route

from ..models import CaseEvent, CaseFinding
from .labels import KIND_LABELS, OUTCOME_LABELS, ROLE_LABELS

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def when(moment: dt.datetime | None) -> str:
    """A stored time in Stockholm's local time, e.g. 2026-11-23 14:05."""
    if moment is None:
        return ""
    if moment.tzinfo is None:  # SQLite gives UTC back without its zone
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M")


def kind_label(kind: str | None) -> str:
    return _(KIND_LABELS[kind]) if kind in KIND_LABELS else (kind or "")


def in_sentence(label: str) -> str:
    """A label inside a sentence: its first letter in lower case, acronyms (IT, BankID) kept."""
    words = label.split(" ")
    first = words[0]
    if len(first) > 1 and first[1].isupper():
        return label
    return " ".join([first[:1].lower() + first[1:], *words[1:]])


@dataclass(frozen=True)
class ShownFinding:
    check: str
    title: str
    outcome: str
    outcome_label: str
    steps: str  # for a failing check: what the contact does; for advice: what the person was told


def findings(rows: list[CaseFinding]) -> list[ShownFinding]:
    shown = []
    for row in rows:
        entry = BY_ID.get(row.check)
        title = _(entry.texts.title) if entry else row.check
        steps = ""
        if entry is not None and row.outcome == "fail":
            steps = _(entry.texts.fix or entry.texts.user)
        elif entry is not None and row.outcome == "advice":
            steps = _(entry.texts.user)
        shown.append(ShownFinding(check=row.check, title=title, outcome=row.outcome,
                                  outcome_label=_(OUTCOME_LABELS.get(row.outcome, row.outcome)), steps=steps))
    return shown


def route_reason(rows: list[CaseFinding], role: str, service: str) -> str:
    """Why the worker routed the case where it did (CHECKS.md routing rule): the first failing check
    with a route, else the role's default."""
    first = next((r for r in rows if r.outcome == "fail" and r.route), None)
    if first is not None:
        entry = BY_ID.get(first.check)
        title = _(entry.texts.title) if entry else first.check
        return _("Kontrollen ”%(check)s” stämde inte, och den hör till %(kind)s.",
                 check=title, kind=in_sentence(kind_label(first.route)))
    return _("Ingen kontroll pekade ut någon särskild, så ärendet gick dit %(role)s hör som standard: %(kind)s.",
             role=in_sentence(_(ROLE_LABELS.get(role, role))),
             kind=in_sentence(kind_label(default_route(role, service))))


def event_text(event: CaseEvent) -> str:
    if event.action == "received":
        return _("Ärendet kom in.")
    if event.action == "diagnosed":
        if event.detail == "self_service":
            return _("Kontrollerna gjordes. Personen fick en länk och kunde lösa det själv.")
        return _("Kontrollerna gjordes och ärendet gick till %(kind)s.", kind=in_sentence(kind_label(event.detail)))
    if event.action == "resolved":
        if event.detail == "message":
            return _("Markerat som löst, med ett meddelande till personen.")
        return _("Markerat som löst.")
    if event.action == "passed_on":
        try:
            moved = json.loads(event.detail or "{}")
        except ValueError:
            moved = {}
        return _("Skickat vidare från %(before)s till %(after)s (%(name)s).",
                 before=in_sentence(kind_label(moved.get("from"))),
                 after=in_sentence(kind_label(moved.get("to"))),
                 name=moved.get("name", ""))
    if event.action == "note":
        return _("Anteckning: %(text)s", text=event.detail or "")
    return event.action


def actor(event: CaseEvent) -> str:
    if event.actor == "contact":
        return event.actor_name or ""
    return _("Portalen")
