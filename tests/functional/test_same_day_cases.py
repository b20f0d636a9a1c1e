"""One case per distinct question within a day (issue 16 row 4): the same-day key names the role, the
service, the symptom, the place and the identifier. A teacher who asks about the learning platform and
then about the assessment portal the same day gets two cases, two diagnoses and two routes: one reset
link for the learning platform, and the exam administrator the second question routes to is told.
Through the public flow's forms, the worker and a real SMTP server."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.mail.delivery import deliver
from portal.models import Case, CaseFinding, Job
from portal.worker import process_queue

from . import smtp
from .directory_builder import Directory
from .flow import REFERENCE, post, token

smtp_server = smtp.smtp_server  # the fixture

BASE_URL = "https://inloggningshjalp.example.se"
RESET_LINK = re.compile(re.escape(BASE_URL) + r"/aterstall/")
SCHOOL = "11111111"
TEACHER, EXAM_ADMIN, OFFICE = "tove@exempel.se", "prov@exempel.se", "exp@exempel.se"


@pytest.fixture
def directory(app, runner, tmp_path: Path) -> Directory:
    """Tove can reset her learning-platform password herself; her assessment-portal account is
    inactive, which the school's exam administrator fixes."""
    app.config["PORTAL_BASE_URL"] = BASE_URL
    d = Directory()
    d.add_person(id="t1", name="Tove Lärare", emails=[TEACHER])
    d.add_role(person="t1", role="teacher", licence="teacher")
    d.add_account(id="lp-t1", person="t1", service="learning_platform", username="tove")
    d.add_account(id="ap-t1", person="t1", service="assessment_portal", school=SCHOOL, status="inactive")
    d.add_contact(kind="school_admin", name="Expeditionen", email=OFFICE, school=SCHOOL)
    d.add_contact(kind="exam_admin", name="Provadministratören", email=EXAM_ADMIN, school=SCHOOL)
    assert runner.invoke(args=["import", str(d.write(tmp_path / "dir.json"))]).exit_code == 0
    return d


def ask(client, *, role: str, service: str, symptom: str, identifier: str, school: str = SCHOOL) -> str:
    """Every step of the public flow with its form; returns the reference the result page shows."""
    for path, fields in (("/", {"role": role}), ("/hjalp/tjanst", {"service": service}),
                         ("/hjalp/problem", {"symptom": symptom})):
        assert post(client, path, **fields).status_code == 303
    page = client.get(f"/hjalp/skola?q={school}").get_data(as_text=True)
    response = client.post("/hjalp/skola", data={"csrf_token": token(page), "q": school, "school": school})
    assert response.status_code == 303
    response = post(client, "/hjalp/uppgift", identifier=identifier)
    assert (response.status_code, response.headers["Location"]) == (303, "/hjalp/resultat")
    found = REFERENCE.search(client.get("/hjalp/resultat").get_data(as_text=True))
    assert found is not None
    return found.group(1)


def cases(app) -> dict[str, tuple[str, str, str | None, str | None, str, list[str]]]:
    """Each case by its shown reference: service, status, route kind, routed address, and the
    failing checks the worker stored."""
    with app.app_context():
        found = {}
        for case in db.session.scalars(select(Case).order_by(Case.id)):
            failing = list(db.session.scalars(select(CaseFinding.check).where(
                CaseFinding.case_id == case.id, CaseFinding.outcome == "fail").order_by(CaseFinding.position)))
            found[f"{case.reference[:4]}-{case.reference[4:]}"] = (
                case.service, case.status, case.route_kind, case.route_email, case.role, failing)
        return found


def test_two_questions_about_two_services_the_same_day_are_two_cases_each_routed(
        app, directory, smtp_server):
    client = app.test_client()
    learning = ask(client, role="teacher", service="learning_platform", symptom="forgot_password",
                   identifier=TEACHER)
    assessment = ask(client, role="teacher", service="assessment_portal", symptom="forgot_password",
                     identifier=TEACHER)
    assert learning != assessment  # the person is shown two references

    with app.app_context():
        assert process_queue().processed == 2
        deliver()
    assert cases(app) == {
        learning: ("learning_platform", "self_served", None, None, "teacher", []),
        assessment: ("assessment_portal", "open", "exam_admin", EXAM_ADMIN, "teacher",
                     ["account.active", "teacher.assessment_access_current"]),
    }

    to_teacher = smtp_server.to(TEACHER)
    assert len(to_teacher) == 2
    with_link = [m for m in to_teacher if RESET_LINK.search(m.part("plain"))]
    assert len(with_link) == 1 and learning in with_link[0].part("plain")  # one reset link, for the first
    told = smtp_server.to(EXAM_ADMIN)
    assert len(told) == 1 and assessment in told[0].part("plain")
    assert smtp_server.to(OFFICE) == []


def test_the_same_question_again_the_same_day_is_still_one_case_and_tells_nobody_twice(
        app, directory, smtp_server):
    client = app.test_client()
    first = ask(client, role="teacher", service="assessment_portal", symptom="account_inactive",
                identifier=TEACHER)
    with app.app_context():
        process_queue()
        deliver()
    again = ask(app.test_client(), role="teacher", service="assessment_portal", symptom="account_inactive",
                identifier=TEACHER.upper())
    with app.app_context():
        process_queue()
        deliver()
        assert db.session.scalar(select(db.func.count()).select_from(Job)) == 2
    assert again == first
    assert list(cases(app)) == [first]
    assert len(smtp_server.to(EXAM_ADMIN)) == 1


@pytest.mark.parametrize(("role", "service", "symptom", "school"), [
    ("exam_admin", "assessment_portal", "account_inactive", SCHOOL),  # another role
    ("teacher", "learning_platform", "account_inactive", SCHOOL),  # another service
    ("teacher", "assessment_portal", "password_login_failed", SCHOOL),  # another symptom
    ("teacher", "assessment_portal", "account_inactive", "22222222"),  # another school
], ids=["role", "service", "symptom", "school"])
def test_a_question_that_differs_in_any_one_answer_is_a_case_of_its_own(
        app, runner, directory, tmp_path, role, service, symptom, school):
    directory.add_school(code="22222222")
    directory.add_role(person="t1", role="exam_admin")
    assert runner.invoke(args=["import", str(directory.write(tmp_path / "two.json"))]).exit_code == 0
    first = ask(app.test_client(), role="teacher", service="assessment_portal", symptom="account_inactive",
                identifier=TEACHER)
    other = ask(app.test_client(), role=role, service=service, symptom=symptom, identifier=TEACHER, school=school)
    assert other != first
    recorded = cases(app)
    assert [(v[4], v[0]) for v in recorded.values()] == [("teacher", "assessment_portal"), (role, service)]
