"""The import sets SQLite's plain indexes of the directory aside while it loads and makes them again
(portal/importer/load.py): whatever happens, the database keeps exactly the indexes it had, and a
refused import leaves rows and indexes as they were."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import inspect

from portal.extensions import db
from portal.models import DIRECTORY_TABLES

from .test_import import assert_refused, directory, dump, run_import, write


def indexes(app: Flask) -> dict[str, list[dict[str, Any]]]:
    """Every index of every directory table, as the database describes it."""
    with app.app_context():
        inspector = inspect(db.engine)
        return {model.__table__.name: sorted(inspector.get_indexes(model.__table__.name), key=lambda i: i["name"])
                for model in DIRECTORY_TABLES}


def statements(app: Flask) -> list[tuple[str, str]]:
    """SQLite: the CREATE INDEX statements themselves (partial or not), as the migrations wrote them."""
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            return []
        return [tuple(row) for row in db.session.connection().exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name")]


def test_a_good_import_keeps_every_index(app, runner, tmp_path):
    before, made_by_migrations = indexes(app), statements(app)
    assert any(index for table in before.values() for index in table)

    result = run_import(runner, write(tmp_path / "katalog.json", directory()))

    assert result.exit_code == 0, result.output
    assert indexes(app) == before
    assert statements(app) == made_by_migrations


def _bad_record(data: dict[str, Any]) -> None:  # refused while the rows are being loaded
    data["persons"][1]["personnummer"] = "19800101-0000"


def _bad_reference(data: dict[str, Any]) -> None:  # refused by the reference check, after the load
    data["roles"][0]["person"] = "ingen-sadan"


@pytest.mark.parametrize(("change", "expected"), [
    pytest.param(_bad_record, "persons[1]", id="while-loading"),
    pytest.param(_bad_reference, "roles[0]", id="after-loading"),
])
def test_a_refused_import_leaves_rows_and_indexes_as_before(app, runner, tmp_path, change, expected):
    assert run_import(runner, write(tmp_path / "good.json", directory())).exit_code == 0
    rows_before, indexes_before, statements_before = dump(app), indexes(app), statements(app)
    data = directory()
    change(data)

    result = run_import(runner, write(tmp_path / "bad.json", json.dumps(data, ensure_ascii=False)))

    assert_refused(result, expected)
    assert dump(app) == rows_before
    assert indexes(app) == indexes_before
    assert statements(app) == statements_before
