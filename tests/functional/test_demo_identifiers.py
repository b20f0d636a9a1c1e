"""Every row of the demo README's identifier tables is what `portal diagnose` says for it.

A newcomer tries these rows first; if the demo data or the checks change, the README must too.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

import portal
from portal.diagnosis import run
from portal.importer import import_demo

README = Path(portal.__file__).parent / "demo" / "README.md"
TODAY = dt.date(2026, 11, 23)


def _rows() -> list[tuple[str, ...]]:
    rows = []
    for line in README.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 8 and cells[0].isdigit():
            rows.append(tuple(cells))
    return rows


ROWS = _rows()


def test_the_readme_lists_rows_for_every_route_and_self_service():
    routes = {row[7].split(" ")[0] for row in ROWS}
    assert {"**self-served**", "school_admin", "rector", "exam_admin", "municipal_it", "eservice_admin",
            "agency_support"} <= routes


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):
    import os

    from portal import create_app
    from portal.database import upgrade
    from portal.extensions import db

    folder = tmp_path_factory.mktemp("demo")
    saved = {k: os.environ.get(k) for k in ("PORTAL_INSTANCE_PATH", "PORTAL_DATABASE_URL")}
    os.environ["PORTAL_INSTANCE_PATH"] = str(folder)
    if not (saved["PORTAL_DATABASE_URL"] or "").startswith("postgresql"):
        os.environ["PORTAL_DATABASE_URL"] = f"sqlite:///{folder / 'demo.sqlite3'}"
    try:
        app = create_app({"TESTING": True})
        with app.app_context():
            upgrade(app)
            import_demo()
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.mark.parametrize("row", ROWS, ids=[f"row {r[0]}" for r in ROWS])
def test_each_demo_row_diagnoses_as_the_readme_says(demo_app, row):
    number, role, service, symptom, school, identifier, shows, route = row
    with demo_app.app_context():
        outcome = run(role, service, symptom, school, identifier.strip("`"), TODAY)
    report = outcome.as_json()
    if route.startswith("**self-served**"):
        assert report["self_service"] is True, report
        assert report["route"] is None
    else:
        kind, _, who = route.partition(" → ")
        assert report["self_service"] is False
        assert report["route"]["kind"] == kind
        name = re.sub(r" \((organisation|service-wide|portal-wide)\)$", "", who)
        assert report["route"]["name"].startswith(name), (report["route"], name)
    outcomes = {f["check"]: f["outcome"] for f in report["findings"]}
    for failing in re.findall(r"fails `([a-z_.0-9]+)`", shows):
        assert outcomes[failing] == "fail", (failing, outcomes)
