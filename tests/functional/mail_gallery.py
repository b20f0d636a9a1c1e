"""Every kind of mail the portal sends, made the way people make them: on the demo directory, through
the public flow, the worker, a real SMTP server, a reset link used, contacts signing in to the inbox,
resolving a case with a message and passing one on with a reason. Shared by the mail tests and the
browser test that screenshots every mail."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Flask
from sqlalchemy import select

from portal.extensions import db
from portal.mail.delivery import deliver
from portal.models import Case
from portal.worker import process_queue

from .flow import token
from .inbox_flow import csrf, sign_in
from .smtp import Received, SmtpServer

# (role, service, symptom, place, identifier): one person for each kind of reply (portal/demo/README.md)
ASKED = [
    ("guardian", "school_platform", "forgot_password", "41253001", "anna.andersson@exempel.se"),  # a reset link
    ("guardian", "school_platform", "no_access_to_content", "41253001", "lena.persson@exempel.se"),  # school admin
    ("teacher", "assessment_portal", "duplicate_account", "41253001", "mats.ek"),  # the rector
    ("exam_admin", "eservice_permissions", "lost_credentials", "41253001", "pernilla.strand"),  # the rector
    ("eservice_user", "agency_eservice", "siths_failed", "sjostad", "karl.sjogren"),  # agency support
    ("guardian", "school_platform", "forgot_password", "58219001", "jessica.nordin@exempel.se"),  # external
    ("guardian", "school_platform", "forgot_password", "41253001", "ingen.alls@exempel.se"),  # no account
]
LOTTA = ("school_admin", "Lotta Holmgren, Björkhagaskolan", "lotta.holmgren@exempelby.exempel.se")
MALIN = ("rector", "Malin Ek, rektor Björkhagaskolan", "malin.ek@exempelby.exempel.se")
RESOLVED = "Nu är barnet kopplat till dig. Logga in igen, så ser du henne."
REASON = "Provadministratören tar bort den dubbla registreringen."
NEW_PASSWORD = "mormors blåbärssylt är bäst"


def ask(client: Any, role: str, service: str, symptom: str, place: str, identifier: str) -> None:
    """The public flow from a prefilled link to the identifier, as a person's browser posts it."""
    response = client.get("/?" + urlencode({"role": role, "service": service, "symptom": symptom, "school": place}))
    assert response.status_code == 303 and response.headers["Location"].endswith("/hjalp/uppgift"), response.headers
    page = client.get("/hjalp/uppgift").get_data(as_text=True)
    response = client.post("/hjalp/uppgift", data={"csrf_token": token(page), "identifier": identifier})
    assert response.status_code == 303, response.get_data(as_text=True)


def run_worker(app: Flask) -> None:
    with app.app_context():
        process_queue()
        deliver()


def reference_of(app: Flask, symptom: str, route_email: str) -> str:
    with app.app_context():
        return db.session.scalars(select(Case.reference).where(Case.symptom == symptom,
                                                               Case.route_email == route_email)).one()


def every_mail(app: Flask, server: SmtpServer) -> list[Received]:
    """Make every kind of mail; the messages the SMTP server received, in order."""
    app.config["PORTAL_MAIL_URL"] = server.url
    for asked in ASKED:
        ask(app.test_client(), *asked)
    run_worker(app)

    # Anna opens her reset link and saves a new password: "password changed"
    (reply,) = [m for m in server.messages if m.rcpt_tos == ["anna.andersson@exempel.se"]]
    link = re.search(r"https?://[^\s]+/aterstall/[^\s]+", reply.part("plain"))
    assert link, reply.part("plain")
    person = app.test_client()
    assert person.get(urlsplit(link.group(0)).path).status_code == 303
    page = person.get("/aterstall/nytt-losenord").get_data(as_text=True)
    saved = person.post("/aterstall/nytt-losenord", data={"csrf_token": csrf(page), "password": NEW_PASSWORD,
                                                          "confirmation": NEW_PASSWORD})
    assert saved.status_code == 303, saved.get_data(as_text=True)

    # the school's administrator resolves Lena's case with a message
    lotta = app.test_client()
    sign_in(app, lotta, LOTTA)
    ref = reference_of(app, "no_access_to_content", LOTTA[2])
    page = lotta.get(f"/inkorg/arenden/{ref}").get_data(as_text=True)
    assert lotta.post(f"/inkorg/arenden/{ref}/los", data={"csrf_token": csrf(page), "message": RESOLVED}
                      ).status_code == 303

    # the rector passes Mats's double registration on to the exam administrator, saying why
    malin = app.test_client()
    sign_in(app, malin, MALIN)
    ref = reference_of(app, "duplicate_account", MALIN[2])
    page = malin.get(f"/inkorg/arenden/{ref}").get_data(as_text=True)
    assert malin.post(f"/inkorg/arenden/{ref}/vidare", data={"csrf_token": csrf(page), "kind": "exam_admin",
                                                             "reason": REASON}).status_code == 303
    run_worker(app)
    return list(server.messages)
