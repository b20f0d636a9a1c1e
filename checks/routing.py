"""Routing rule 4: a contact kind resolves to a person or mailbox by the narrowest scope.

school → organisation (huvudman) → service-wide → portal-wide → the portal's configured fallback.
A contact applies when every scope field it names matches the case; among those of one level, one
that also names the service is narrower; then the first in the directory.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import parseaddr


@dataclass(frozen=True)
class ContactInfo:
    kind: str
    name: str
    email: str
    school: str | None = None
    organisation: str | None = None
    service: str | None = None
    id: str | None = None
    order: int = 0  # position in the directory's contact list

    @property
    def level(self) -> int:
        """0 school, 1 organisation, 2 service-wide, 3 portal-wide."""
        if self.school is not None:
            return 0
        if self.organisation is not None:
            return 1
        if self.service is not None:
            return 2
        return 3

    def as_route(self) -> dict[str, str | None]:
        return {"kind": self.kind, "name": self.name, "email": self.email}


def applies(contact: ContactInfo, *, school: str | None, organisation: str | None, service: str) -> bool:
    return (
        (contact.school is None or contact.school == school)
        and (contact.organisation is None or contact.organisation == organisation)
        and (contact.service is None or contact.service == service)
    )


def resolve_contact(
    kind: str,
    contacts: Iterable[ContactInfo],
    *,
    school: str | None,
    organisation: str | None,
    service: str,
    fallback: str | None = None,
) -> ContactInfo | None:
    """The contact for `kind` at the narrowest scope; the fallback ("Name <addr>") last."""
    candidates = [
        c for c in contacts
        if c.kind == kind and applies(c, school=school, organisation=organisation, service=service)
    ]
    if candidates:
        return min(candidates, key=lambda c: (c.level, c.service is None, c.order))
    if fallback:
        name, address = parseaddr(fallback)
        if address:
            return ContactInfo(kind=kind, name=name or address, email=address, order=-1)
    return None
