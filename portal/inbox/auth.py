"""Who is signed in to the staff inbox, and the one way in: `start_session`.

A contact is whoever the directory lists with an address. One address may hold several contact
rows (several kinds, several schools): together they are one `Identity`, whose scopes are OR-ed.
Imports re-number contacts, so nothing here keeps a contact's id beyond one sign-in link: an
identity is found by its address (`email_key`) and checked against a fingerprint of its rows (kind,
scope and address of each), which a re-import that changes any of them breaks.

Signing in by e-mail (the only way today):
1. `request_link(typed)`: the typed address is folded as the directory's `email_key` and recorded
   for the worker, the same work for everyone; the worker (`process_sign_in_requests`) writes an
   outbox row `sign_in` to the address the directory holds (never the typed one) if a contact has it,
   and erases the typed address. The page after is the same either way, and over the per-address
   rate limit nothing is queued.
2. The mail's link carries a token (`portal.tokens`, purpose "sign-in", 15 minutes) made when the
   mail is rendered, with the contact's id and the identity's fingerprint, nothing personal.
3. Its confirmation form's POST calls `identity_from_link`, spends the token and calls
   `start_session` in the same transaction.

The seam for an organisation's own OpenID Connect sign-in: its callback verifies the ID token
(issuer, audience, nonce, signature), takes the verified `email` claim, looks it up with
`identity_for(normalise_email(email))` (None: not a contact, refuse), and calls
`start_session(identity, method="oidc")`. Sessions, timeouts, sign-out and the checks at every
request are then the same code; nothing in this module or in sessions.py needs a second copy.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from flask import redirect, url_for
from sqlalchemy import delete, insert, select
from werkzeug.wrappers import Response

from checks.identifiers import normalise_email

from .. import ratelimit, tokens
from ..cases import keyed_hash
from ..clock import now
from ..extensions import db
from ..models import Contact, OutboxMessage, SignInRequest
from . import queries, sessions
from .scope import Scope

LINK_PURPOSE = "sign-in"
_NEW_REQUEST = insert(SignInRequest.__table__)


@dataclass(frozen=True)
class Identity:
    """A signed-in contact: every contact row with one address."""

    email_key: str
    email: str  # the first row's address, byte for byte as the directory holds it
    name: str
    scopes: tuple[Scope, ...]
    kinds: tuple[str, ...]
    fingerprint: str
    first_id: int


def fingerprint(rows: list[Contact]) -> str:
    """Kind, scope and address of every row, keyed with the portal's secret: changes when an
    import changes any of them, not when it merely re-numbers them."""
    parts = sorted(f"{r.kind}\x1e{r.school_code}\x1e{r.organisation_id}\x1e{r.service}\x1e{r.email}" for r in rows)
    return keyed_hash("staff-contact", *parts)[:32]


def _identity(rows: list[Contact]) -> Identity | None:
    if not rows:
        return None
    first = rows[0]
    return Identity(
        email_key=first.email_key,
        email=first.email,
        name=first.name,
        scopes=tuple(Scope(kind=r.kind, school=r.school_code, organisation=r.organisation_id, service=r.service)
                     for r in rows),
        kinds=tuple(dict.fromkeys(r.kind for r in rows)),
        fingerprint=fingerprint(rows),
        first_id=first.id,
    )


def identity_for(email_key: str) -> Identity | None:
    """The contact with this (folded) address, or None."""
    return _identity(queries.contacts_with_address(email_key))


# -- the sign-in link ---------------------------------------------------------------------------------
def request_link(typed: str) -> None:
    """Record the typed address for the worker, which queues a sign-in link if a contact has it.

    The request does the same work whatever was typed (PRODUCT.md N3, as on the public side): one
    keyed hash counted against the per-address limits (portal/ratelimit.py), one row written. Whether
    the address is a contact's is looked up by the worker (`process_sign_in_requests`), so neither the
    page nor the time it takes tells who is a contact; over the limit, the worker queues nothing.
    """
    key = normalise_email(typed)
    address_hash = keyed_hash("staff-sign-in", key)
    allowed = ratelimit.address_allowed(address_hash)
    db.session.execute(_NEW_REQUEST, {"email_key": key, "allowed": allowed, "created_at": now()})
    db.session.commit()


def process_sign_in_requests(limit: int = 100) -> int:
    """The worker's half: for each waiting request, a sign-in link to the address the directory holds
    when a contact has the typed address, and the typed address erased. Each request is taken by a
    conditional delete whose row count decides, so two workers never send one link twice."""
    done = 0
    for request_id, key, allowed in db.session.execute(
            select(SignInRequest.id, SignInRequest.email_key, SignInRequest.allowed)
            .order_by(SignInRequest.id).limit(limit)).all():
        taken = db.session.execute(delete(SignInRequest).where(SignInRequest.id == request_id))
        if taken.rowcount != 1:  # type: ignore[attr-defined]  # another worker took it
            db.session.rollback()
            continue
        identity = identity_for(key) if allowed else None
        if identity is not None:
            db.session.add(OutboxMessage(case_id=None, template="sign_in", to_address=identity.email,
                                         context={"contact": identity.first_id, "fingerprint": identity.fingerprint}))
        db.session.commit()
        done += 1
    return done


def link_token(message_context: dict[str, Any]) -> str:
    """The token a `sign_in` mail links with (made when the mail is rendered)."""
    # "n": two links made in the same second must differ, or spending one would spend both
    return tokens.make(LINK_PURPOSE, {"c": message_context["contact"], "f": message_context["fingerprint"],
                                      "n": secrets.token_urlsafe(6)})


class LinkRefused(Exception):
    """A sign-in link that is forged, expired, spent, or whose contact has changed."""


def identity_from_link(token: str) -> Identity:
    """The identity a link signs in (it does not spend it); LinkRefused otherwise."""
    try:
        payload = tokens.read(LINK_PURPOSE, token)
    except tokens.TokenInvalid:  # TokenExpired too
        raise LinkRefused() from None
    contact_id, print_ = payload.get("c"), payload.get("f")
    if not isinstance(contact_id, int) or not isinstance(print_, str):
        raise LinkRefused()
    contact = queries.contact_by_id(contact_id)
    identity = identity_for(contact.email_key) if contact is not None else None
    if identity is None or identity.fingerprint != print_:
        raise LinkRefused()
    return identity


def link_minutes() -> int:
    return tokens.lifetime(LINK_PURPOSE) // 60


def spend_link(token: str) -> bool:
    return tokens.spend(LINK_PURPOSE, token)


# -- the seam -------------------------------------------------------------------------------------------
def start_session(identity: Identity, *, method: str = "link") -> Response:
    """Sign `identity` in: a new server-side session (the browser's earlier one ended), committed
    together with whatever the caller did in this transaction (spending the link), and the
    redirect to the inbox that sets the cookie. Every way in ends here (see the module's note)."""
    value = sessions.open_session(identity.email_key, identity.fingerprint, method)
    db.session.commit()
    response = redirect(url_for("inbox.cases"), code=303)
    sessions.set_cookie(response, value)
    return response


def current() -> Identity | None:
    """The signed-in contact of this request, checked again now: the session is live and the
    directory still lists the same contact rows for the address. Otherwise None (and a session
    whose contact has changed is ended)."""
    row = sessions.current_row()
    if row is None:
        return None
    identity = identity_for(row.email_key)
    if identity is None or identity.fingerprint != row.fingerprint:
        db.session.delete(row)
        db.session.commit()
        return None
    return identity


def end_session() -> Response:
    sessions.end_current()
    db.session.commit()
    response = redirect(url_for("inbox.signed_out"), code=303)
    sessions.clear_cookie(response)
    return response
