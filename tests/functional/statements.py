"""What a page costs the database: the statements one GET runs, recorded on the app's engine."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from portal.extensions import db


def statements_of_page(app: Flask, client: FlaskClient, path: str) -> list[tuple[str, object]]:
    """Every statement (with its parameters) that GET `path` runs; the page must answer 200."""
    seen: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]  # noqa: ARG001
        seen.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen
