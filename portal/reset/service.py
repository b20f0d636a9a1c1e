"""Storing a new password: one transaction that spends the link and does everything it allows.

In order, in one transaction:

1. spend the token (an insert into `spent_tokens`; its primary key lets one request through, and
   the others find it spent: `tokens.spend`);
2. read the account again and check the link's claim against it (eligible, same fingerprint): a
   locked, deactivated, moved or already-changed account refuses the link here too;
3. hash the new password (argon2id: only the request that won the link pays for it), then swap it: insert the portal's password row when there was none (its primary key
   decides), else update it only where it still holds the hash the fingerprint was made of (the row
   count decides). Every other link of the account dies, since its fingerprint no longer matches;
4. queue "your password was changed" to the first registered address, mark the case self-served
   and record the event.

Any step refusing rolls the whole transaction back (the token is then not spent, but it is dead all
the same). Nobody is logged in.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from .. import passwords, tokens
from ..extensions import db
from ..models import Case, CaseEvent, OutboxMessage, PortalPassword
from ..models.cases import utcnow
from .links import PURPOSE, Claim, recheck


def change_password(token: str, claim: Claim, password: str, *, locale: str = "sv") -> Case | None:
    """Store the new password for the claim's account; the case, or None when the link is dead or used."""
    db.session.rollback()  # nothing read before belongs to this transaction
    if not tokens.spend(PURPOSE, token):
        return None
    fresh = recheck(claim.account_id, claim.case_id, claim.fingerprint)
    if fresh is None or fresh.state.first_email is None:
        db.session.rollback()
        return None
    # ~0.1 s and 64 MiB, paid only by the one request that holds the link: 50 concurrent posts of a
    # link cost one hash, not 50 (on SQLite the write lock is held meanwhile; on PostgreSQL only the
    # token's row)
    new_hash = passwords.hash_password(password)
    now = utcnow()
    if not _swap(fresh.account_id, fresh.state.portal_hash, new_hash, now):
        db.session.rollback()
        return None
    case = fresh.case
    db.session.add(OutboxMessage(
        case_id=case.id, template="password_changed", to_address=fresh.state.first_email,
        context={"reference": case.reference, "changed_at": now.isoformat(), "service": fresh.state.service,
                 "locale": locale},
    ))
    if case.status not in ("resolved", "passed_on"):
        case.status = "self_served"
    case.updated_at = now
    db.session.add(CaseEvent(case_id=case.id, actor="portal", action="password_changed"))
    db.session.commit()
    return case


def _swap(account_id: str, old_hash: str | None, new_hash: str, now: dt.datetime) -> bool:
    """Compare-and-swap of the portal's password row; False when someone else changed it first."""
    if old_hash is None:
        db.session.add(PortalPassword(account_id=account_id, password_hash=new_hash, set_at=now))
        try:
            db.session.flush()
        except IntegrityError:
            return False
        return True
    result = db.session.execute(
        update(PortalPassword)
        .where(PortalPassword.account_id == account_id, PortalPassword.password_hash == old_hash)
        .values(password_hash=new_hash, set_at=now)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]
