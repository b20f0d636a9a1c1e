"""Mail (STYLE.md 6): each message is a named template folder, `templates/mail/<name>/` with
`subject.txt`, `body.txt` and `body.html`, plus an optional function that builds its context.

An outbox row (`OutboxMessage`: template name, recipient, a small JSON context) is written where
the work happens (the worker, the reset page, the staff inbox) and rendered here when it is
delivered. Rendering sees the row's stored context, the case reference shown `XXXX-XXXX`, the
portal's name and `link(path)`: every link in a mail is built from `PORTAL_BASE_URL`, never from
a request's Host header. A module that owns a message registers its context builder with
`@context_builder("name")`; the builder gets the row and returns what its templates need.

The subject is one line and never carries personal data: only the portal's name, what the message
is about and the case reference.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale

from ..language import RTL, direction
from ..models import OutboxMessage

ContextBuilder = Callable[[OutboxMessage], dict[str, Any]]
_BUILDERS: dict[str, ContextBuilder] = {}


def context_builder(name: str) -> Callable[[ContextBuilder], ContextBuilder]:
    """Register the function that builds the template context of message `name`."""

    def register(function: ContextBuilder) -> ContextBuilder:
        if name in _BUILDERS and _BUILDERS[name] is not function:
            raise ValueError(f"two context builders for the message {name!r}")
        _BUILDERS[name] = function
        return function

    return register


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    language: str = "sv"  # the Content-Language


def link(path: str) -> str:
    """An absolute link for a mail: the configured base URL and a path that starts with `/`."""
    if not path.startswith("/"):
        raise ValueError("a mail link's path starts with /")
    return current_app.config["PORTAL_BASE_URL"].rstrip("/") + path


def render(message: OutboxMessage) -> Rendered:
    """Subject, plain text and HTML of an outbox row, in its locale (Swedish unless it says)."""
    from ..cases import show_reference

    stored: dict[str, Any] = dict(message.context or {})
    context: dict[str, Any] = {**stored, "link": link, "to_address": message.to_address}
    if stored.get("reference"):
        context["reference"] = show_reference(str(stored["reference"]))
    builder = _BUILDERS.get(message.template)
    if builder is not None:
        context.update(builder(message))
    folder = f"mail/{message.template}"
    locale = str(stored.get("locale") or "sv")
    context["dir"] = direction(locale)
    with force_locale(locale):
        subject = " ".join(render_template(f"{folder}/subject.txt", **context).split())
        text = render_template(f"{folder}/body.txt", **context).strip() + "\n"
        html = render_template(f"{folder}/body.html", **context)
    if locale in RTL:
        text = right_to_left_lines(text)
    return Rendered(subject=subject, text=text, html=html, language=locale)


def right_to_left_lines(text: str) -> str:
    """The plain text of a right-to-left mail: a line in Arabic script that begins with Latin text (the
    portal's name, a reference) starts with U+200F RIGHT-TO-LEFT MARK, so a mail program that lays out
    each paragraph by its first strong letter still shows it right to left. A line with no Arabic
    letters (a link, an address) stays left to right."""
    lines = []
    for line in text.split("\n"):
        strong = [unicodedata.bidirectional(c) for c in line if unicodedata.bidirectional(c) in STRONG]
        if strong and strong[0] == "L" and ("R" in strong or "AL" in strong):
            line = "\u200f" + line
        lines.append(line)
    return "\n".join(lines)


STRONG = frozenset({"L", "R", "AL"})
