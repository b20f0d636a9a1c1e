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
from checks.sentences import sentence

from ..models import CaseEvent, CaseFinding
from ..reset.mail import KIND_WORDS, names_kind
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
    found: str  # what was found, in a sentence of the check's own for this outcome
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
                                  outcome_label=_(OUTCOME_LABELS.get(row.outcome, row.outcome)),
                                  found=found_text(row.check, row.outcome), steps=steps))
    return shown


def found_text(check: str, outcome: str) -> str:
    """The check's sentence for the outcome; a check the catalogue no longer has is named as stored."""
    text = sentence(check, outcome)
    if text is not None:
        return _(text)
    return f"{check}: {_(OUTCOME_LABELS.get(outcome, outcome))}"


def deciding_text(check: str | None, status: str) -> str:
    """What to fix, for the list: the deciding finding's sentence."""
    if check:
        return found_text(check, "fail")
    if status == "self_served":
        return _("Inget: personen fick en länk och löste det själv.")
    return _("Ingen kontroll visade något fel.")


def kind_words(kind: str | None) -> str:
    """A contact kind inside a sentence ("skolans administratör")."""
    return _(KIND_WORDS[kind]) if kind in KIND_WORDS else kind_label(kind)


def contact_named(kind: str | None, name: str | None) -> str:
    """A contact as "Malin Ek, rektor Björkhagaskolan", or "Lotta Holmgren (skolans administratör)" when
    the name does not say the kind."""
    if not name:
        return kind_words(kind)
    return name if names_kind(kind, name) else f"{name} ({kind_words(kind)})"


def route_reason(rows: list[CaseFinding], role: str, service: str) -> str:
    """Why the worker routed the case where it did (CHECKS.md routing rule): the first failing check
    with a route, else the role's default."""
    first = next((r for r in rows if r.outcome == "fail" and r.route), None)
    if first is not None:
        return _("Det här avgjorde: %(finding)s Det kan %(kind)s åtgärda.",
                 finding=found_text(first.check, "fail"), kind=kind_words(first.route))
    return _("Ingen kontroll visade vem som ska åtgärda det. Därför gick ärendet till den som tar hand om "
             "ärenden från %(role)s: %(kind)s.",
             role=in_sentence(_(ROLE_LABELS.get(role, role))), kind=kind_words(default_route(role, service)))


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
        text = _("Skickat vidare från %(before)s till %(after)s.", before=kind_words(moved.get("from")),
                 after=contact_named(moved.get("to"), moved.get("name")))
        if moved.get("reason"):
            text += " " + _("Skäl: %(reason)s", reason=moved["reason"])
        return text
    if event.action == "note":
        return _("Anteckning: %(text)s", text=event.detail or "")
    return event.action


def actor(event: CaseEvent) -> str:
    if event.actor == "contact":
        return event.actor_name or ""
    return _("Portalen")
