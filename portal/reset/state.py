"""What a reset link is bound to: the account and a fingerprint of its password state.

The fingerprint is an HMAC (the portal's secret) over what must not have changed since the link was
made: the account's id, person and status, whether it is locked, its login portals, the person's
first registered e-mail address and the password hashes (the portal's own and the directory's). A new
password, a new first address, a locked or deactivated account, or an account gone from the directory
all change it (or remove the account), and the link is dead. Being an HMAC, the fingerprint in a link
tells its reader nothing about the password hash.

Whether an account may get a reset at all is asked again here (`eligible`), from the directory as it
is now: active, not locked, password login allowed, an e-mail address registered, and neither its
school nor its organisation managing accounts elsewhere (CHECKS.md rule 7; item 5 of issue 5).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..cases import keyed_hash
from ..extensions import db
from ..models import Account, Case, Organisation, Person, PersonEmail, PortalPassword, School


@dataclass(frozen=True)
class AccountState:
    account_id: str
    person_id: str
    service: str
    username: str | None
    person_name: str
    status: str
    locked: bool
    login_portals: tuple[str, ...]
    first_email: str | None
    portal_hash: str | None
    directory_hash: str | None
    external: bool

    @property
    def fingerprint(self) -> str:
        return keyed_hash(
            "reset-fingerprint", self.account_id, self.person_id, self.status, str(self.locked),
            ",".join(self.login_portals), self.first_email or "", self.portal_hash or "",
            self.directory_hash or "",
        )[:32]

    @property
    def eligible(self) -> bool:
        return (self.status == "active" and not self.locked and "local" in self.login_portals
                and self.first_email is not None and not self.external)


def account_state(account_id: str, case: Case | None = None) -> AccountState | None:
    """The account as the directory and the portal hold it now; None when it is gone.

    Five small look-ups by primary key or index, whatever the account."""
    account = db.session.get(Account, account_id, populate_existing=True)
    if account is None:
        return None
    person = db.session.get(Person, account.person_id, populate_existing=True)
    first_email = db.session.execute(
        select(PersonEmail.email).where(PersonEmail.person_id == account.person_id)
        .order_by(PersonEmail.position).limit(1)
    ).scalar_one_or_none()
    portal_hash = db.session.execute(
        select(PortalPassword.password_hash).where(PortalPassword.account_id == account.id)
    ).scalar_one_or_none()
    places = {account.school_code, case.place if case is not None else None} - {None}
    organisations = {account.organisation_id, case.organisation_id if case is not None else None} - {None}
    return AccountState(
        account_id=account.id,
        person_id=account.person_id,
        service=account.service,
        username=account.username,
        person_name=person.name if person is not None else "",
        status=account.status,
        locked=bool(account.locked),
        login_portals=tuple(account.login_portals or ()),
        first_email=first_email,
        portal_hash=portal_hash,
        directory_hash=account.password_hash,
        external=externally_managed({p for p in places if p}, {o for o in organisations if o}),
    )


def externally_managed(school_codes: set[str], organisation_ids: set[str]) -> bool:
    """The school's setting where it has one, else its organisation's (CHECKS.md, rule 2)."""
    schools = list(db.session.execute(
        select(School.account_management, School.organisation_id).where(School.code.in_(school_codes))
    )) if school_codes else []
    wanted = organisation_ids | {s.organisation_id for s in schools}
    org_setting: dict[str, str] = {o.id: o.account_management for o in db.session.execute(
        select(Organisation.id, Organisation.account_management).where(Organisation.id.in_(wanted))
    )} if wanted else {}
    if any((s.account_management or org_setting.get(s.organisation_id)) == "external" for s in schools):
        return True
    schools_orgs = {s.organisation_id for s in schools}
    return any(org_setting.get(o) == "external" for o in organisation_ids - schools_orgs)
