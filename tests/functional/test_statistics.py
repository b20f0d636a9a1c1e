"""The contacts' statistics (issue 14, part 1): cases made through the public flow and diagnosed by
the worker, counted on /inkorg/statistik and in its CSV exactly as the stored findings say, for the
places the contact's rows cover and nothing else; a fixed number of statements per page."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from portal import statistics
from portal.extensions import db
from portal.models import Case, CaseFinding
from portal.worker import process_queue

from .directory_builder import Directory
from .flow import walk
from .inbox_flow import (
    ANNAN,
    BJORKHAGA,
    EXP_ANNAN,
    EXP_BJORKHAGA,
    IT_KOMMUN,
    SOLVIK,
    SUPPORT,
    build_directory,
    csrf,
    sign_in,
)
from .statements import statements_of_page

E_SERVICE = ("agency_support", "E-tjänstens support", "etjanst@myndighet.example.se", {"service": "agency_eservice"})
# (identifier, school): who asks where; the guardians of the inbox directory belong to Björkhaga
ASKED = [
    ("anna.andersson", BJORKHAGA),
    ("anna.andersson@exempel.se", BJORKHAGA),
    ("hedda.holm.hemlig", BJORKHAGA),
    ("nomail", BJORKHAGA),
    ("ingen.alls@exempel.se", BJORKHAGA),
    ("anna.andersson", SOLVIK),
    ("okand", SOLVIK),
    ("anna.andersson", ANNAN),
    ("nagon@annanstad.se", ANNAN),
]


@pytest.fixture
def directory(runner, tmp_path: Path) -> Directory:
    d = build_directory()
    # the municipality's IT support is also the rector of Björkhaga: two rows, one address
    d.add_contact(kind="rector", name="IT-supporten i Exempelby", email=IT_KOMMUN[2], school=BJORKHAGA)
    d.add_contact(kind=E_SERVICE[0], name=E_SERVICE[1], email=E_SERVICE[2], **E_SERVICE[3])
    assert runner.invoke(args=["import", str(d.write(tmp_path / "dir.json"))]).exit_code == 0
    return d


def ask_all(app, asked=ASKED, symptom: str = "forgot_password") -> None:
    for identifier, school in asked:
        client = app.test_client()  # a person of their own each
        response, _seen = walk(client, identifier, school=school, symptom=symptom)
        assert response.status_code == 303
    with app.app_context():
        run = process_queue()
        assert run.failed == 0


def stored(app, places: set[str]) -> tuple[int, int, Counter[str]]:
    """What the stored cases and findings say: cases, self-served, and cases each check failed in."""
    with app.app_context():
        cases = db.session.scalars(select(Case).where(Case.place.in_(places))).all()
        failed: Counter[str] = Counter()
        for case in cases:
            failed.update({f.check for f in db.session.scalars(
                select(CaseFinding).where(CaseFinding.case_id == case.id, CaseFinding.outcome == "fail"))})
        return len(cases), sum(1 for c in cases if c.self_service), failed


def totals(page: str) -> dict[str, int]:
    return {name: int(value) for name, value in
            re.findall(r'<dd id="antal-(arenden|sjalv|losta)">(\d+)</dd>', page)}


def csv_rows(client, query: str = "") -> tuple[list[str], list[list[str]]]:
    response = client.get("/inkorg/statistik.csv" + query)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    return rows[0], rows[1:]


def test_the_counts_are_what_the_stored_findings_say_for_the_contacts_school(app, client, directory):
    ask_all(app)
    sign_in(app, client, EXP_BJORKHAGA)
    page = client.get("/inkorg/statistik")
    assert page.status_code == 200
    cases, self_served, failed = stored(app, {BJORKHAGA})
    assert cases == 5 and failed  # the flow made them, and some check failed
    assert totals(page.get_data(as_text=True)) == {"arenden": cases, "sjalv": self_served, "losta": 0}
    header, rows = csv_rows(client)
    assert header == ["check", "failed", "cases"]
    assert {row[0]: int(row[1]) for row in rows} == dict(failed)
    assert all(int(row[2]) == cases for row in rows)
    assert [int(row[1]) for row in rows] == sorted((int(row[1]) for row in rows), reverse=True)
    # the page names each check in plain words, most first, with what fixes it
    body = page.get_data(as_text=True)
    shown = re.findall(r'<tr data-check="([^"]+)">', body)
    assert shown == [row[0] for row in rows]
    from checks import BY_ID
    top = BY_ID[rows[0][0]]
    assert top.texts.title in body and (not top.texts.fix or top.texts.fix in body)


def test_another_schools_cases_are_never_counted(app, client, directory):
    ask_all(app)
    sign_in(app, client, EXP_ANNAN)
    cases, _self, failed = stored(app, {ANNAN})
    assert totals(client.get("/inkorg/statistik").get_data(as_text=True))["arenden"] == cases == 2
    _header, rows = csv_rows(client)
    assert {row[0]: int(row[1]) for row in rows} == dict(failed)


def test_an_organisation_counts_its_schools_once_even_with_a_school_row_of_its_own(app, client, directory):
    ask_all(app)
    sign_in(app, client, IT_KOMMUN)  # organisation "kommun" and, by the same address, Björkhaga's rector
    cases, self_served, failed = stored(app, {BJORKHAGA, SOLVIK})
    assert totals(client.get("/inkorg/statistik").get_data(as_text=True)) == {
        "arenden": cases, "sjalv": self_served, "losta": 0}
    assert cases == 7
    _header, rows = csv_rows(client)
    assert {row[0]: int(row[1]) for row in rows} == dict(failed)


def test_a_service_wide_contact_counts_only_its_service_and_a_portal_wide_one_everything(app, client, directory):
    ask_all(app)
    sign_in(app, client, E_SERVICE)  # the agency e-service only: none of these cases
    assert totals(client.get("/inkorg/statistik").get_data(as_text=True))["arenden"] == 0
    assert csv_rows(client) == (["check", "failed", "cases"], [])
    sign_in(app, client, SUPPORT)  # a contact row naming no scope: every case
    cases, _self, failed = stored(app, {BJORKHAGA, SOLVIK, ANNAN})
    assert totals(client.get("/inkorg/statistik").get_data(as_text=True))["arenden"] == cases == len(ASKED)
    assert {row[0]: int(row[1]) for row in csv_rows(client)[1]} == dict(failed)


def test_resolving_a_case_counts_it_as_resolved(app, client, directory):
    ask_all(app, [("ingen.alls@exempel.se", BJORKHAGA)])
    sign_in(app, client, EXP_BJORKHAGA)
    with app.app_context():
        reference = db.session.scalars(select(Case.reference).where(Case.status == "open")).one()
    page = client.get(f"/inkorg/arenden/{reference}").get_data(as_text=True)
    assert client.post(f"/inkorg/arenden/{reference}/los", data={"csrf_token": csrf(page)}).status_code == 303
    assert totals(client.get("/inkorg/statistik").get_data(as_text=True))["losta"] == 1


def test_a_case_asked_again_the_same_day_is_counted_once(app, client, directory):
    ask_all(app, [("ingen.alls@exempel.se", BJORKHAGA)])
    ask_all(app, [("ingen.alls@exempel.se", BJORKHAGA)])  # the same case, diagnosed again
    cases, _self, failed = stored(app, {BJORKHAGA})
    assert cases == 1
    sign_in(app, client, EXP_BJORKHAGA)
    assert totals(client.get("/inkorg/statistik").get_data(as_text=True))["arenden"] == 1
    assert {row[0]: int(row[1]) for row in csv_rows(client)[1]} == dict(failed)


def test_the_period_decides_which_days_count(app, client, directory):
    ask_all(app, ASKED[:3])
    sign_in(app, client, EXP_BJORKHAGA)
    today = dt.date.today()
    before = f"?fran={(today - dt.timedelta(days=60)).isoformat()}&till={(today - dt.timedelta(days=31)).isoformat()}"
    assert totals(client.get("/inkorg/statistik" + before).get_data(as_text=True))["arenden"] == 0
    assert csv_rows(client, before)[1] == []
    around = f"?fran={(today - dt.timedelta(days=1)).isoformat()}&till={(today + dt.timedelta(days=1)).isoformat()}"
    assert totals(client.get("/inkorg/statistik" + around).get_data(as_text=True))["arenden"] == 3
    body = client.get("/inkorg/statistik").get_data(as_text=True)
    iso = today.isocalendar()
    assert f"vecka {iso.week}, {iso.year}" in body  # the weeks of the last 30 days, this one among them


@pytest.mark.parametrize(("query", "field", "message"), [
    ("?fran=2026-13-01", "fran", "Skriv startdatumet som år-månad-dag"),
    ("?till=igår", "till", "Skriv slutdatumet som år-månad-dag"),
    ("?fran=2026-11-20&till=2026-11-01", "fran", "Startdatumet ligger efter slutdatumet"),
    ("?fran=2020-01-01&till=2026-11-01", "fran", "Perioden är för lång"),
])
def test_a_date_that_cannot_be_used_is_named_in_swedish(app, client, directory, query, field, message):
    sign_in(app, client, EXP_BJORKHAGA)
    page = client.get("/inkorg/statistik" + query)
    assert page.status_code == 400
    body = page.get_data(as_text=True)
    assert f'<p class="field-error" id="{field}-error">{message}' in body and 'aria-invalid="true"' in body
    refused = client.get("/inkorg/statistik.csv" + query)
    assert refused.status_code == 400 and refused.get_data(as_text=True).startswith(message)


def test_statistics_need_a_signed_in_contact(client, directory):
    for path in ("/inkorg/statistik", "/inkorg/statistik.csv"):
        response = client.get(path)
        assert response.status_code == 303 and response.headers["Location"].endswith("/inkorg/logga-in")


def _statements(app, client, path: str) -> list[str]:
    return [statement for statement, _parameters in statements_of_page(app, client, path)]


def test_a_page_costs_the_same_statements_at_two_sizes(app, client, directory):
    ask_all(app, ASKED[:2])
    sign_in(app, client, IT_KOMMUN)
    client.get("/inkorg/statistik")  # the session's once-a-minute touch is not what is measured
    few = _statements(app, client, "/inkorg/statistik")
    few_csv = _statements(app, client, "/inkorg/statistik.csv")
    with app.app_context():  # many more cases, on many more days, as the worker counts them
        for i in range(200):
            shape = statistics.CaseShape(dt.datetime.now(dt.UTC) - dt.timedelta(days=i % 40), [BJORKHAGA, SOLVIK][i % 2],
                                         "kommun", "school_platform")
            statistics.add(shape, statistics.metrics(i % 3 == 0, [f"check.{i % 7}", "account.exists"]))
        db.session.commit()
    many = _statements(app, client, "/inkorg/statistik")
    many_csv = _statements(app, client, "/inkorg/statistik.csv")
    assert len(few) == len(many) == 3  # session, contact rows, the counts
    assert len(few_csv) == len(many_csv) == 3
