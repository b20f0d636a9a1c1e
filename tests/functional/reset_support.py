"""What the reset tests share: a directory, asking for help as the public flow's last step does, the
worker, the rendered personal message and its link, and the reset pages seen through a test client."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from checks.identifiers import parse_identifier
from portal import diagnosis
from portal.cases import open_case
from portal.extensions import db
from portal.mail import Rendered, render
from portal.mail.delivery import deliver
from portal.models import Case, OutboxMessage
from portal.worker import process_queue

from .directory_builder import Directory
from .flow import token

BASE_URL = "https://inloggningshjalp.example.se"
LINK = re.compile(re.escape(BASE_URL) + r"(/aterstall/[A-Za-z0-9_.\-]+)")
GOOD = "blåbär i november regnar"  # a password every policy accepts
SCHOOL, EXTERNAL_SCHOOL = "11111111", "33333333"
USERNAME = "blomman77"  # Anna's on the school platform
FIRST_ADDRESS = "Anna.Andersson@Exempel.se"


def directory() -> Directory:
    """Anna can reset; the others show item 5 (never a reset link)."""
    d = Directory()
    d.add_guardian("anna", child="c1", name="Anna Andersson",
                   emails=["Anna.Andersson@Exempel.se", "anna@privat.example.se"])
    d.data["accounts"][-1]["username"] = USERNAME
    d.add_guardian("locked", child="c2", account={"locked": True})
    d.add_guardian("inactive", child="c3", account={"status": "inactive"})
    d.add_guardian("nomail", child="c4", emails=[])
    d.add_guardian("sso", child="c5", account={"login_portals": ["other"]})
    d.add_contact(kind="school_admin", name="Expeditionen", email="exp@exempel.se", school=SCHOOL)
    d.add_organisation(id="extern", name="Extern kommun", account_management="external")
    d.add_school(code=EXTERNAL_SCHOOL, organisation="extern")
    d.add_person(id="ext", emails=["ext@exempel.se"])
    d.add_role(person="ext", role="guardian", school=EXTERNAL_SCHOOL)
    d.add_account(id="acc-ext", person="ext", service="school_platform", username="ext")
    d.add_person(id="c6", emails=[], birth_date="2015-05-05")
    d.add_role(person="c6", role="student", school=EXTERNAL_SCHOOL)
    d.add_placement(student="c6", school=EXTERNAL_SCHOOL)
    d.add_guardianship(guardian="ext", child="c6")
    return d


@pytest.fixture
def d(app, runner, tmp_path: Path) -> Directory:
    """The reset tests' directory, loaded, with mail links built from BASE_URL."""
    app.config["PORTAL_BASE_URL"] = BASE_URL
    built = directory()
    load(runner, built, tmp_path / "directory.json")
    return built


def load(runner, d: Directory, path: Path) -> None:
    result = runner.invoke(args=["import", str(d.write(path))])
    assert result.exit_code == 0, result.output


def ask(typed: str, *, school: str = SCHOOL, symptom: str = "forgot_password") -> int:
    """What the public flow's last step does with a valid answer, then the worker: the case id."""
    q = diagnosis.question("guardian", "school_platform", symptom, school)
    ident = parse_identifier(typed, q.today)
    case_id = open_case(q, ident, typed_email=typed if ident.kind == "email" else None).id
    process_queue()
    return case_id


def messages(case_id: int, template: str | None = None) -> list[OutboxMessage]:
    stmt = select(OutboxMessage).where(OutboxMessage.case_id == case_id).order_by(OutboxMessage.id)
    if template:
        stmt = stmt.where(OutboxMessage.template == template)
    return list(db.session.scalars(stmt))


def personal(case_id: int) -> Rendered:
    """The newest personal message of the case, rendered as delivery renders it."""
    return render(messages(case_id, "personal_findings")[-1])


def link_path(rendered: Rendered) -> str:
    """The reset link's path, from the plain text (the HTML must carry the same link)."""
    found = LINK.findall(rendered.text)
    assert len(found) == 1, rendered.text
    assert f'href="{BASE_URL}{found[0]}"' in rendered.html
    return found[0]


def reset_link(case_id: int) -> str:
    return link_path(personal(case_id))


def case(case_id: int) -> Case:
    found = db.session.get(Case, case_id, populate_existing=True)
    assert found is not None
    return found


# -- the pages, through a test client -------------------------------------------------------------------
def open_link(client, path: str):
    """Open the link as a mail app would (GET); returns the form page after the redirect."""
    first = client.get(path)
    assert first.status_code == 303, first.status_code
    assert urlsplit(first.headers["Location"]).path == "/aterstall/nytt-losenord"
    return client.get(first.headers["Location"])


def submit(client, password: str, confirmation: str | None = None, *, page: str | None = None):
    page = page if page is not None else client.get("/aterstall/nytt-losenord").get_data(as_text=True)
    return client.post("/aterstall/nytt-losenord", data={
        "csrf_token": token(page), "password": password,
        "confirmation": password if confirmation is None else confirmation})


def is_form(response) -> bool:
    return response.status_code == 200 and "<h1>Välj ett nytt lösenord</h1>" in response.get_data(as_text=True)


def is_dead(response) -> bool:
    return response.status_code == 200 and "<h1>Länken går inte att använda</h1>" in response.get_data(as_text=True)


@pytest.fixture
def school(app, runner, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The reset tests' directory loaded, links built on BASE_URL."""
    app.config["PORTAL_BASE_URL"] = BASE_URL
    load(runner, directory(), tmp_path / "dir.json")


def work(app):  # type: ignore[no-untyped-def]
    """The worker's queue, then the outbox: what `portal worker` does once."""
    with app.app_context():
        process_queue()
        return deliver()
