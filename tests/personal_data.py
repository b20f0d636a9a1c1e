"""Everything the test suite logs is scanned for personal data (PRODUCT.md N5; issue 15 item 5).

`Collector` (installed by tests/conftest.py for the whole session) keeps every log record of the test
process, formatted as the portal writes it (portal.logs.JsonFormatter: an exception's type and frames,
never its text), with the portal's loggers at DEBUG. `remember` is given every directory a test imports
(tests/functional/directory_builder.py) and the shipped demo; at the session's end `leaks` looks for each
of their names, addresses, personnummer, HSA-ids and usernames, and for anything shaped like an e-mail
address, a personnummer, a token or a token's path, in every line. One leak fails the run.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from portal.logs import JsonFormatter

DEMO = Path(__file__).resolve().parent.parent / "portal" / "demo" / "demo.json"

SHAPES = {
    "an e-mail address": re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"),
    "a personnummer": re.compile(r"(?<![\w.])(19|20)?\d{6}[-+]?\d{4}(?![\w.])"),
    "a token": re.compile(r"[\w-]{16,}\.[\w-]{5,}\.[\w-]{16,}"),
    "a reset or sign-in path": re.compile(r"/aterstall/(?!nytt-losenord\b|klart\b)[\w.-]+"
                                          r"|/inkorg/logga-in/(?!skickat\b|bekrafta\b)[\w.-]+"),
}

KNOWN: set[str] = set()  # personal details of every directory the tests imported


def remember(directory: dict[str, Any]) -> None:
    """The personal details a directory holds: names (with a space, as people's are), addresses,
    personnummer, HSA-ids, and usernames long enough not to be an ordinary word."""
    for person in directory.get("persons", []):
        KNOWN.update(e for e in person.get("emails") or [] if isinstance(e, str))
        for key in ("personnummer", "hsa_id"):
            if isinstance(person.get(key), str):
                KNOWN.add(person[key])
        name = person.get("name")
        if isinstance(name, str) and " " in name.strip() and len(name) >= 6:
            KNOWN.add(name)
    for account in directory.get("accounts", []):
        username = account.get("username")
        if isinstance(username, str) and len(username) >= 6:
            KNOWN.add(username)
    for contact in directory.get("contacts", []):
        if isinstance(contact.get("email"), str):
            KNOWN.add(contact["email"])


def remember_demo() -> None:
    remember(json.loads(DEMO.read_text(encoding="utf-8")))


class Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.NOTSET)
        self.lines: list[str] = []
        self.setFormatter(JsonFormatter())

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(self.format(record))
        except Exception:  # noqa: BLE001 - a record that cannot be formatted is reported, not lost
            self.lines.append(f"<unformattable record from {record.name}>")


def leaks(lines: Iterable[str], known: Iterable[str]) -> list[str]:
    """Each line holding a personal detail, with what it holds."""
    lines = list(lines)
    found: list[str] = []
    text = "\n".join(lines)
    lowered = text.lower()
    details = [k for k in known if k and k.lower() in lowered]  # one pass per detail over all the text
    shapes = {what: shape for what, shape in SHAPES.items() if shape.search(text)}
    if not details and not shapes:
        return found
    for line in lines:
        low = line.lower()
        for detail in details:
            if detail.lower() in low:
                found.append(f"{detail!r} in: {line[:300]}")
        for what, shape in shapes.items():
            match = shape.search(line)
            if match:
                found.append(f"{what} ({match.group(0)!r}) in: {line[:300]}")
    return found
