"""Cases, the queue and the worker's diagnosis half (PRODUCT.md N3, "Cases and contacts").

The request side records a case and queues one job, doing the same work whatever was typed; the
worker diagnoses with the same code as `portal diagnose`, stores the findings and the route, erases
the identifier and leaves the outbox rows the mail worker will deliver.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from checks.identifiers import parse_identifier
from portal import diagnosis
from portal.cases import open_case, show_reference
from portal.extensions import db
from portal.models import Case, CaseFinding, Job, OutboxMessage, School
from portal.worker import process_queue

from .directory_builder import Directory, personnummer
from .flow import token, walk

PNR = personnummer("19800101")


@pytest.fixture
def directory(runner, tmp_path: Path) -> Directory:
    d = Directory()
    d.add_guardian("g1", child="c1", emails=["Anna.Andersson@Exempel.se", "anna@privat.example.se"],
                   personnummer=PNR)
    d.add_guardian("locked", child="c2", account={"locked": True})
    d.add_guardian("inactive", child="c3", account={"status": "inactive"})
    d.add_guardian("nomail", child="c4", emails=[])
    d.add_contact(kind="school_admin", name="Expeditionen", email="exp@exempel.se", school="11111111")
    result = runner.invoke(args=["import", str(d.write(tmp_path / "dir.json"))])
    assert result.exit_code == 0, result.output
    return d


def ask(typed: str, *, symptom: str = "forgot_password", school: str = "11111111") -> Case:
    """What the public flow's last step does with a valid answer."""
    q = diagnosis.question("guardian", "school_platform", symptom, school)
    ident = parse_identifier(typed, q.today)
    recorded = open_case(q, ident, typed_email=typed if ident.kind == "email" else None)
    case = db.session.get(Case, recorded.id)
    assert case is not None and case.reference == recorded.reference
    return case


def test_a_case_keeps_a_keyed_hash_and_a_masked_form_never_the_identifier(app, directory):
    with app.app_context():
        case = ask(PNR)
        row = {c.name: getattr(case, c.name) for c in Case.__table__.columns}
        assert PNR not in json.dumps(row, default=str)
        assert case.identifier_masked == PNR[:8] + "-****"
        assert len(case.reference) == 8 and set(case.reference) <= set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
        assert show_reference(case.reference)[4] == "-"
        assert case.status == "received"


def test_the_same_person_school_and_symptom_within_a_day_is_one_case(app, directory):
    with app.app_context():
        first = ask("anna.andersson@exempel.se")
        again = ask("ANNA.ANDERSSON@exempel.se")
        other_symptom = ask("anna.andersson@exempel.se", symptom="password_login_failed")
        assert again.reference == first.reference
        assert other_symptom.reference != first.reference
        assert db.session.scalar(select(db.func.count()).select_from(Job)) == 3


@dataclass
class Work:
    """What a piece of code did: every SQL statement sent, and every HMAC and hash computed, by the
    module that asked for it (the portal's keyed hashes, the session's and the CSRF token's signatures)."""

    statements: list[str] = field(default_factory=list)
    hashes: Counter[str] = field(default_factory=Counter)


HASHES = ((hmac, "new"), (hmac, "digest"), (hashlib, "new"), (hashlib, "sha1"), (hashlib, "sha256"),
          (hashlib, "sha512"), (hashlib, "blake2b"))


@contextmanager
def counting(app) -> Iterator[Work]:
    """Count the work done inside the block. The spies only count, then call the real function."""
    work = Work()

    def record(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001
        work.statements.append(statement)

    def spy(name: str, real: Callable) -> Callable:
        def counted(*args, **kwargs):
            work.hashes[f"{name} from {sys._getframe(1).f_globals.get('__name__')}"] += 1
            return real(*args, **kwargs)
        return counted

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        with pytest.MonkeyPatch.context() as mp:
            for module, name in HASHES:
                mp.setattr(module, name, spy(f"{module.__name__}.{name}", getattr(module, name)))
            yield work
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _work_for(app, typed: str) -> Work:
    with counting(app) as work, app.app_context():
        ask(typed)
    return work


def test_recording_does_the_same_sql_whether_or_not_an_account_exists(app, directory):
    existing = _work_for(app, "anna.andersson@exempel.se")
    assert existing.hashes["hmac.digest from portal.cases"] == 3
    for typed in ("locked@exempel.se", "inactive@exempel.se", "nobody@exempel.se", "personnummer-ej"):
        assert _work_for(app, typed) == existing, typed


def jobs(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Job))


# an existing account, a locked one, an inactive one, one with no e-mail address, and none at all
KINDS_OF_ACCOUNT = {"existing": "anna.andersson@exempel.se", "locked": "locked@exempel.se",
                    "inactive": "inactive@exempel.se", "no e-mail": "nomail", "missing": "nobody@exempel.se"}


def test_the_final_post_does_the_same_work_whatever_account_the_identifier_names(app, client, directory):
    """PRODUCT.md N3 counted rather than timed: the last step's POST runs the same SQL statements,
    computes the same HMACs and hashes, and queues exactly one job, for every kind of account."""
    walk(client, "")  # the earlier answers, kept in the session (an empty identifier records nothing)
    assert jobs(app) == 0
    done: dict[str, Work] = {}
    for kind, typed in KINDS_OF_ACCOUNT.items():
        form = token(client.get("/hjalp/uppgift").get_data(as_text=True))
        before = jobs(app)
        with counting(app) as work:
            response = client.post("/hjalp/uppgift", data={"csrf_token": form, "identifier": typed})
        assert (response.status_code, response.headers["Location"]) == (303, "/hjalp/resultat"), kind
        assert jobs(app) == before + 1, kind
        done[kind] = work
    existing = done["existing"]
    assert existing.hashes["hmac.digest from portal.cases"] == 3  # the spies saw the keyed hashes
    assert any("INSERT INTO jobs" in s for s in existing.statements)  # one statement on PostgreSQL
    for kind, work in done.items():
        assert work.statements == existing.statements, kind
        assert work.hashes == existing.hashes, kind


def test_the_worker_stores_what_diagnose_says_and_erases_the_identifier(app, directory, runner):
    with app.app_context():
        case_id = ask("anna@privat.example.se", symptom="password_login_failed").id
        assert process_queue().processed == 1
        case = db.session.get(Case, case_id)
        stored = [(f.check, f.outcome, f.visibility, f.route) for f in db.session.scalars(
            select(CaseFinding).where(CaseFinding.case_id == case_id).order_by(CaseFinding.position))]
        job = db.session.scalars(select(Job).where(Job.case_id == case_id)).one()
        assert (job.status, job.identifier, job.typed_email) == ("done", None, None)
    report = json.loads(runner.invoke(args=[
        "diagnose", "--role", "guardian", "--service", "school_platform", "--symptom", "password_login_failed",
        "--school", "11111111", "--identifier", "anna@privat.example.se", "--json"]).stdout)
    assert stored == [(f["check"], f["outcome"], f["visibility"], f["route"]) for f in report["findings"]]
    assert case.matched is report["matched"] is True
    assert case.self_service is report["self_service"]
    assert case.status == "self_served"


def outbox(app) -> list[tuple[str, str]]:
    with app.app_context():
        return [(m.template, m.to_address) for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]


def test_a_matched_person_is_written_to_at_the_first_registered_address_exactly_as_stored(app, directory):
    with app.app_context():
        ask("anna@privat.example.se")  # her second address, typed in lower case
        process_queue()
    assert outbox(app) == [("personal_findings", "Anna.Andersson@Exempel.se")]


@pytest.mark.parametrize("typed", ["locked@exempel.se", "inactive@exempel.se"])
def test_a_blocked_account_gets_its_findings_and_the_school_is_told(app, directory, typed):
    with app.app_context():
        case_id = ask(typed).id
        process_queue()
        case = db.session.get(Case, case_id)
        assert (case.self_service, case.route_kind, case.route_email) == (False, "school_admin", "exp@exempel.se")
    assert outbox(app) == [("personal_findings", typed), ("contact_notification", "exp@exempel.se")]


def test_an_address_that_matches_nobody_is_told_so_and_the_school_too(app, directory):
    with app.app_context():
        ask("Nobody@Exempel.se")
        process_queue()
    assert outbox(app) == [("no_account", "Nobody@Exempel.se"), ("contact_notification", "exp@exempel.se")]


def test_an_account_without_e_mail_and_a_typed_personnummer_mail_only_the_contact(app, directory):
    with app.app_context():
        ask(personnummer("19700101"))  # nobody
        ask("nomail")  # the username of the account without an address
        process_queue()
    assert outbox(app) == [("contact_notification", "exp@exempel.se")] * 2


def test_where_accounts_are_managed_elsewhere_the_typed_address_gets_guidance_not_no_account(
        app, runner, directory, tmp_path):
    directory.data["organisations"][0]["account_management"] = "external"
    assert runner.invoke(args=["import", str(directory.write(tmp_path / "ext.json"))]).exit_code == 0
    with app.app_context():
        ask("anna.andersson@exempel.se")
        process_queue()
    assert [t for t, _ in outbox(app)] == ["public_guidance"]


def test_a_job_that_fails_is_kept_with_its_identifier_and_retried_later(app, directory):
    with app.app_context():
        case_id = ask("anna.andersson@exempel.se").id
        school = db.session.get(School, "11111111")
        code, school.code = school.code, "22222222"  # the school vanishes (e.g. a bad import)
        db.session.commit()
        run = process_queue()
        job = db.session.scalars(select(Job).where(Job.case_id == case_id)).one()
        assert (run.processed, run.failed) == (0, 1)
        assert job.status == "queued" and job.attempts == 1 and job.identifier is not None
        assert job.last_error == "QuestionRefused"
        assert process_queue().failed == 0  # not due yet: nothing taken
        school = db.session.get(School, "22222222")
        school.code = code
        job.run_after = dt.datetime.now(dt.UTC)
        db.session.commit()
        assert process_queue().processed == 1
        assert db.session.get(Case, case_id).status == "self_served"


def test_portal_worker_processes_the_queue_once(app, runner, directory):
    with app.app_context():
        ask("nobody@exempel.se")
    result = runner.invoke(args=["worker"])
    assert result.exit_code == 0
    assert "1 ärenden behandlade" in result.stdout
    assert [t for t, _ in outbox(app)] == ["no_account", "contact_notification"]
