"""Reset links: made when the personal findings are rendered, read back on the reset page.

The payload is small and holds no personal data: the account id, the case id and the fingerprint
(state.py). The token is itsdangerous's, with the "reset" purpose's salt and lifetime (tokens.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import tokens
from ..extensions import db
from ..mail import link
from ..models import Case
from .state import AccountState, account_state

PURPOSE = "reset"
PATH = "/aterstall/"


@dataclass(frozen=True)
class Claim:
    """A link that may be used now: its account as it is, and its case."""

    account_id: str
    case_id: int
    fingerprint: str
    state: AccountState
    case: Case


def make_link(account_id: str, case: Case) -> str | None:
    """The absolute reset link (from PORTAL_BASE_URL) for the account; None when it may have none."""
    state = account_state(account_id, case)
    if state is None or not state.eligible or case.matched_account_id != account_id:
        return None
    token = tokens.make(PURPOSE, {"a": account_id, "c": case.id, "f": state.fingerprint})
    return link(PATH + token)


def _payload(data: dict[str, Any]) -> tuple[str, int, str] | None:
    account, case, fingerprint = data.get("a"), data.get("c"), data.get("f")
    if isinstance(account, str) and isinstance(case, int) and isinstance(fingerprint, str):
        return account, case, fingerprint
    return None


def claim(token: str | None) -> Claim | None:
    """The link's claim when the link is alive: signed by us for resetting, not expired, not spent,
    its case still the account's, and the account unchanged and still one that may get a reset.
    None otherwise: the reasons are not told apart, every dead link gets the same page."""
    if not token:
        return None
    try:
        parts = _payload(tokens.read(PURPOSE, token))
    except tokens.TokenInvalid:
        return None
    return None if parts is None else recheck(*parts)


def recheck(account_id: str, case_id: int, fingerprint: str) -> Claim | None:
    """The claim again from the database as it is now (inside the spending transaction, too)."""
    case = db.session.get(Case, case_id, populate_existing=True)
    if case is None or case.matched_account_id != account_id:
        return None
    state = account_state(account_id, case)
    if state is None or not state.eligible or state.fingerprint != fingerprint:
        return None
    return Claim(account_id=account_id, case_id=case_id, fingerprint=fingerprint, state=state, case=case)
