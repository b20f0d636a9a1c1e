"""The inbox's statements about cases still read the partial indexes (migration 0010: the indexes whose
first column the worker sets hold only the rows where it is set), on SQLite and on PostgreSQL, for
every kind of contact scope; and the public POST's insert writes no entry in them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import text

from portal.extensions import db
from portal.models import Case

from ..conftest import ON_POSTGRES
from .inbox_flow import EXP_BJORKHAGA, IT_KOMMUN, PROV_KOMMUN, SUPPORT, build_directory, sign_in
from .statements import statements_of_page

PARTIAL = ("ix_cases_route_email_key_status", "ix_cases_route_kind_place_status", "ix_cases_route_kind_org_status",
           "ix_cases_route_kind_service_status")


@pytest.fixture
def directory(runner, tmp_path: Path):
    d = build_directory()
    assert runner.invoke(args=["import", str(d.write(tmp_path / "dir.json"))]).exit_code == 0
    return d


def case_statements(app, client, path: str) -> list[tuple[str, object]]:
    """The statements about cases a page runs, with their parameters."""
    return [(statement, parameters) for statement, parameters in statements_of_page(app, client, path)
            if "FROM cases" in statement]


def plan(app, statement: str, parameters: object) -> str:
    """The plan with the two whole-table alternatives (status, created_at) dropped inside a transaction
    that is rolled back: what is left to read cases by is the partial indexes, if the planner may."""
    with app.app_context(), db.engine.connect() as conn:
        if not ON_POSTGRES:
            conn.exec_driver_sql("BEGIN")  # the sqlite3 module begins none before DDL
        conn.exec_driver_sql("DROP INDEX ix_cases_status")
        conn.exec_driver_sql("DROP INDEX ix_cases_created_at")
        if ON_POSTGRES:
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
            rows = conn.exec_driver_sql("EXPLAIN " + statement, parameters).all()
        else:
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
        conn.rollback()
        return "\n".join(str(row[-1]) for row in rows)


def many_cases(app, count: int = 4000) -> None:
    """An inbox's shape: mostly closed cases, routed to every kind of contact at three schools, a few
    still unrouted; then the planner's statistics."""
    kinds = ["school_admin", "rector", "municipal_it", "exam_admin", "agency_support"]
    places = [("11111111", "kommun"), ("22222222", "kommun"), ("33333333", "annan")]
    start = dt.datetime(2026, 9, 1, tzinfo=dt.UTC)
    with app.app_context():
        rows = []
        for i in range(count):
            place, organisation = places[i % 3]
            routed = i % 20 != 0
            rows.append({
                "reference": f"{i:08d}", "created_at": start + dt.timedelta(minutes=i), "updated_at": start,
                "role": "guardian", "service": "school_platform" if i % 7 else "assessment_portal",
                "symptom": "forgot_password", "place": place, "organisation_id": organisation if routed else None,
                "identifier_hash": "h" * 64, "identifier_masked": "a***@exempel.se", "same_day_key": f"k{i}",
                "route_kind": kinds[i % 5] if routed else None,
                "route_email": f"contact{i % 11}@exempelby.se" if routed else None,
                "route_email_key": f"contact{i % 11}@exempelby.se" if routed else None,
                "self_service": False,
                "status": "received" if not routed else ("open" if i % 8 == 0 else "resolved")})
        db.session.execute(Case.__table__.insert(), rows)
        db.session.commit()
        db.session.execute(text("ANALYZE cases" if ON_POSTGRES else "ANALYZE"))
        db.session.commit()


@pytest.mark.parametrize("contact", [EXP_BJORKHAGA, IT_KOMMUN, PROV_KOMMUN, SUPPORT],
                         ids=["school", "organisation", "organisation-exam", "service-wide"])
def test_the_inbox_list_reads_cases_through_the_partial_indexes(app, client, directory, contact):
    many_cases(app)
    sign_in(app, client, contact)
    client.get("/inkorg/")
    statements = case_statements(app, client, "/inkorg/") + case_statements(app, client, "/inkorg/?status=open")
    assert len(statements) == 4  # the open count and the page's rows, twice
    for statement, parameters in statements:
        shown = plan(app, statement, parameters)
        assert any(name in shown for name in PARTIAL), shown
        if ON_POSTGRES:
            assert "Seq Scan on cases" not in shown, shown
        else:
            assert not any(line.startswith("SCAN cases") and "INDEX" not in line for line in shown.splitlines()), shown


def test_a_recorded_case_has_no_entry_in_the_partial_indexes_until_the_worker_routes_it(app, client, directory):
    from portal.worker import process_queue

    from .flow import walk

    walk(client, "anna.andersson@exempel.se", symptom="no_access_to_content")
    with app.app_context():
        if ON_POSTGRES:
            pytest.skip("index entries are counted on SQLite (PostgreSQL has no per-index row count)")
        counts = {name: db.session.execute(text(f'SELECT count(*) FROM cases INDEXED BY "{name}" WHERE '
                                                f'{"route_email_key" if "email" in name else "route_kind"} '
                                                "IS NOT NULL")).scalar_one() for name in PARTIAL}
        assert counts == dict.fromkeys(PARTIAL, 0)
        process_queue()
        routed = db.session.execute(text('SELECT count(*) FROM cases INDEXED BY "ix_cases_route_kind_place_status" '
                                         "WHERE route_kind IS NOT NULL")).scalar_one()
        assert routed == 1


def test_after_an_import_the_public_posts_look_up_of_todays_case_keeps_to_its_index(app, runner, tmp_path):
    """The import refreshes the planner's statistics for the directory it loaded, not for the cases: on
    a new installation they are empty, and statistics that say so make PostgreSQL's generic plan for a
    prepared statement (psycopg prepares what a connection runs five times) read today's case by
    scanning the whole table, on every POST that reuses a case, however large the table grows."""
    from portal.recording import TODAYS_CASE

    if ON_POSTGRES:
        with app.app_context():
            db.session.execute(text("TRUNCATE cases CASCADE"))  # as on a new installation: never analyzed
            db.session.commit()
    assert runner.invoke(args=["import", str(build_directory().write(tmp_path / "dir.json"))]).exit_code == 0
    with app.app_context(), db.engine.connect() as conn:
        if ON_POSTGRES:
            conn.exec_driver_sql("PREPARE todays_case(text) AS " + TODAYS_CASE.replace(":same_day_key", "$1"))
            conn.exec_driver_sql("SET plan_cache_mode = force_generic_plan")
            shown = "\n".join(row[0] for row in conn.exec_driver_sql("EXPLAIN EXECUTE todays_case('k')"))
            conn.exec_driver_sql("DEALLOCATE todays_case")
            conn.exec_driver_sql("RESET plan_cache_mode")
            assert "Index Scan using cases_same_day_key_key" in shown, shown
            assert "Seq Scan" not in shown, shown
        else:
            shown = "\n".join(str(row[-1]) for row in conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN " + TODAYS_CASE.replace(":same_day_key", "'k'")))
            assert "USING INDEX" in shown and "same_day_key" in shown, shown
        conn.rollback()
