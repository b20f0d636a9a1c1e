"""`portal purge` (issue 6, part 4): cases past the retention go with their findings, history,
jobs and outbox rows; spent tokens past every lifetime and expired staff sessions go too."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal import tokens
from portal.extensions import db
from portal.inbox.auth import process_sign_in_requests
from portal.models import (
    Case,
    CaseEvent,
    CaseFinding,
    Job,
    OutboxMessage,
    SignInRequest,
    SpentToken,
    StaffSession,
)

from .inbox_flow import EXP_BJORKHAGA, ask_for_link, build_directory, make_case, sign_in

NOW = dt.datetime(2027, 3, 1, 12, 0, tzinfo=dt.UTC)
TABLES = (Case, CaseFinding, CaseEvent, Job, OutboxMessage, SpentToken, StaffSession)


@pytest.fixture
def directory(runner, tmp_path: Path):
    d = build_directory()
    assert runner.invoke(args=["import", str(d.write(tmp_path / "dir.json"))]).exit_code == 0
    return d


@pytest.fixture
def at_now(app):
    app.config["PORTAL_CLOCK"] = lambda: NOW.timestamp()


def _counts(app) -> dict[str, int]:
    with app.app_context():
        return {t.__tablename__: db.session.scalar(select(func.count()).select_from(t)) for t in TABLES}


def _case_aged(app, days: float) -> str:
    with app.app_context():
        ref = make_case(created=NOW - dt.timedelta(days=days), findings=[("account.exists", "fail", "school_admin")])
        case_id = db.session.scalar(select(Case.id).where(Case.reference == ref))
        db.session.add(Job(case_id=case_id, identifier=None, status="done"))
        db.session.add(OutboxMessage(case_id=case_id, template="contact_notification", to_address="x@exempel.se",
                                     context={"reference": ref, "kind": "school_admin"}))
        db.session.commit()
        return ref


def test_purge_deletes_old_cases_with_everything_that_belongs_to_them(app, runner, directory, at_now):
    old = _case_aged(app, 91)
    kept = _case_aged(app, 89)
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "Rensat: 1 ärenden med 1 kontrollresultat, 1 händelser i historiken, 1 jobb och 1 meddelanden" in result.output
    assert _counts(app) == {"cases": 1, "case_findings": 1, "case_events": 1, "jobs": 1, "outbox": 1,
                            "spent_tokens": 0, "staff_sessions": 0}
    with app.app_context():
        assert db.session.scalars(select(Case.reference)).all() == [kept]
        assert old != kept


def test_the_retention_is_configurable(app, runner, directory, at_now):
    _case_aged(app, 11)
    app.config["PORTAL_CASE_RETENTION_DAYS"] = 10
    assert "Rensat: 1 ärenden" in runner.invoke(args=["purge"]).output


def test_a_dry_run_counts_and_deletes_nothing(app, runner, directory, at_now):
    _case_aged(app, 200)
    before = _counts(app)
    result = runner.invoke(args=["purge", "--dry-run"])
    assert result.exit_code == 0 and result.output.startswith("Skulle rensa: 1 ärenden")
    assert _counts(app) == before


def test_spent_tokens_go_once_older_than_the_longest_token_lifetime(app, runner, directory, at_now):
    with app.app_context():
        longest = max(tokens.lifetime(p) for p in tokens.LIFETIMES)
        for name, age in (("old", longest + 1), ("young", longest - 60)):
            db.session.add(SpentToken(digest=name.ljust(64, "0"), purpose="reset",
                                      spent_at=NOW - dt.timedelta(seconds=age)))
        db.session.commit()
    assert "1 använda länkar" in runner.invoke(args=["purge"]).output
    with app.app_context():
        assert db.session.scalars(select(SpentToken.digest)).all() == ["young".ljust(64, "0")]


def test_expired_staff_sessions_go_and_live_ones_stay(app, runner, directory):
    t = {"now": NOW.timestamp()}
    app.config["PORTAL_CLOCK"] = lambda: t["now"]
    idle, live = app.test_client(), app.test_client()
    sign_in(app, idle, EXP_BJORKHAGA)
    t["now"] += 25 * 60
    sign_in(app, live, EXP_BJORKHAGA)
    t["now"] += 10 * 60  # the first has been idle 35 minutes, the second 10
    assert "1 utgångna inloggningar" in runner.invoke(args=["purge"]).output
    assert live.get("/inkorg/").status_code == 200


def test_sign_in_mails_older_than_the_retention_go_too(app, runner, client, directory, at_now):
    ask_for_link(client, EXP_BJORKHAGA[2])
    with app.app_context():
        assert process_sign_in_requests() == 1
        db.session.execute(OutboxMessage.__table__.update().values(created_at=NOW - dt.timedelta(days=91)))
        db.session.commit()
    assert "1 meddelanden i utkorgen" in runner.invoke(args=["purge"]).output
    assert _counts(app)["outbox"] == 0


def test_a_sign_in_request_no_worker_took_goes_after_a_links_lifetime(app, runner, client, directory):
    t = {"now": NOW.timestamp()}
    app.config["PORTAL_CLOCK"] = lambda: t["now"]
    ask_for_link(client, EXP_BJORKHAGA[2])
    with app.app_context():
        lifetime = tokens.lifetime("sign-in")
    t["now"] += lifetime - 1
    assert "0 obehandlade begäranden" in runner.invoke(args=["purge"]).output
    t["now"] += 2
    assert "1 obehandlade begäranden" in runner.invoke(args=["purge"]).output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SignInRequest)) == 0
