"""The staff inbox's test directory, cases made in the database, and signing in as a contact
through the mail's link. Shared by the inbox's functional and browser tests and its benchmark."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from sqlalchemy import select

from portal.cases import new_reference
from portal.extensions import db
from portal.inbox.auth import process_sign_in_requests
from portal.mail import render
from portal.models import Case, CaseEvent, CaseFinding, OutboxMessage

from .directory_builder import Directory

LINK = re.compile(r"https?://\S+/inkorg/logga-in/\S+")
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')

BJORKHAGA, SOLVIK, ANNAN = "11111111", "22222222", "33333333"
# (kind, name, address, scope)
EXP_BJORKHAGA = ("school_admin", "Expeditionen Björkhaga", "Exp.Bjorkhaga@Exempelby.se", {"school": BJORKHAGA})
EXP_SOLVIK = ("school_admin", "Expeditionen Solvik", "exp.solvik@exempelby.se", {"school": SOLVIK})
REKTOR_BJORKHAGA = ("rector", "Rektor Björkhaga", "rektor.bjorkhaga@exempelby.se", {"school": BJORKHAGA})
IT_KOMMUN = ("municipal_it", "IT-supporten i Exempelby", "it@exempelby.se", {"organisation": "kommun"})
EXP_ANNAN = ("school_admin", "Expeditionen Annanstad", "exp@annanstad.se", {"school": ANNAN})
PROV_KOMMUN = ("exam_admin", "Provadministratörerna", "prov@exempelby.se", {"organisation": "kommun"})
SUPPORT = ("agency_support", "Myndighetens support", "support@myndighet.example.se", {})
CONTACTS = (EXP_BJORKHAGA, EXP_SOLVIK, REKTOR_BJORKHAGA, IT_KOMMUN, EXP_ANNAN, PROV_KOMMUN, SUPPORT)

HIDDEN = {"name": "Hemliga Hedda Holm", "username": "hedda.holm.hemlig", "email": "hedda.privat@skyddad.example.se"}
ANNA = {"name": "Anna Andersson", "username": "anna.andersson", "email": "anna.andersson@exempel.se"}


def build_directory() -> Directory:
    d = Directory(name="Björkhagaskolan")
    d.add_school(code=SOLVIK, name="Solviksskolan")
    d.add_organisation(id="annan", name="Annanstads kommun")
    d.add_school(code=ANNAN, name="Annanstadsskolan", organisation="annan")
    # a guardian's username is their id (Directory.add_guardian); the account is "acc-" + id
    d.add_guardian(ANNA["username"], child="c1", name=ANNA["name"], emails=[ANNA["email"], "anna.andra@exempel.se"])
    d.add_guardian(HIDDEN["username"], child="c2", name=HIDDEN["name"],
                   emails=[HIDDEN["email"], "hedda.andra@skyddad.example.se"], protected_identity=True)
    d.add_guardian("nomail", child="c3", name="Nils Utanpost", emails=[])
    for kind, name, email, scope in CONTACTS:
        d.add_contact(kind=kind, name=name, email=email, **scope)
    return d


def make_case(*, place: str = BJORKHAGA, organisation: str | None = "kommun", route: tuple | None = EXP_BJORKHAGA,
              status: str = "open", role: str = "guardian", service: str = "school_platform",
              symptom: str = "no_access_to_content", account: str | None = None, matched: bool | None = True,
              created: dt.datetime | None = None, findings: Iterable[tuple[str, str, str | None]] = (),
              masked: str = "a***@exempel.se") -> str:
    """Insert a diagnosed case (as the worker leaves it) and return its reference."""
    case = Case(reference=new_reference(), role=role, service=service, symptom=symptom, place=place,
                organisation_id=organisation, identifier_hash="h" * 64, identifier_masked=masked,
                same_day_key=new_reference() + new_reference(), matched=matched, matched_account_id=account,
                route_kind=route[0] if route else None, route_name=route[1] if route else None,
                route_email=route[2] if route else None, status=status,
                created_at=created or dt.datetime.now(dt.UTC))
    db.session.add(case)
    db.session.flush()
    db.session.add_all(CaseFinding(case_id=case.id, position=i, check=check, outcome=outcome, visibility="private",
                                   route=route_kind) for i, (check, outcome, route_kind) in enumerate(findings))
    db.session.add(CaseEvent(case_id=case.id, actor="portal", action="received", at=case.created_at))
    db.session.commit()
    return case.reference


def csrf(page: str) -> str:
    match = TOKEN.search(page)
    assert match, page
    return match.group(1)


def sign_in_link(app: Flask, address: str) -> str:
    """The link in the newest sign-in mail to `address`, read from its outbox row rendered as delivery
    renders it (quick, for the many sign-ins of these tests). The path through a real SMTP server is
    tested in test_inbox_by_mail.py and in the browser tests."""
    with app.app_context():
        process_sign_in_requests()  # the worker's half of asking for a link
        row = db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == "sign_in",
                                                             OutboxMessage.to_address == address)
                                 .order_by(OutboxMessage.id.desc()).limit(1)).first()
        assert row is not None, f"no sign-in mail to {address}"
        match = LINK.search(render(row).text)
    assert match, "no link in the sign-in mail"
    return match.group(0)


def ask_for_link(client: Any, typed: str) -> Any:
    page = client.get("/inkorg/logga-in").get_data(as_text=True)
    return client.post("/inkorg/logga-in", data={"csrf_token": csrf(page), "email": typed})


def follow_link(client: Any, link: str) -> Any:
    """Open the mail's link and press "Logga in"; the final response (a 303 into the inbox)."""
    opened = client.get(urlsplit(link).path)
    assert opened.status_code == 303, opened.status_code
    page = client.get(opened.headers["Location"])
    if page.status_code != 200:
        return page
    return client.post("/inkorg/logga-in/bekrafta", data={"csrf_token": csrf(page.get_data(as_text=True))})


def sign_in(app: Flask, client: Any, contact: tuple) -> None:
    assert ask_for_link(client, contact[2]).status_code == 303
    response = follow_link(client, sign_in_link(app, contact[2]))
    assert response.status_code == 303 and response.headers["Location"].endswith("/inkorg/"), response.status_code
