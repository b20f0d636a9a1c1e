"""GET /healthz: 200 "ok" when the database answers and has the schema this code needs, 503 otherwise.

A web process never migrates (docs/contracts/README.md, "Running in production"): started on a database
whose schema is behind, it answers 503 and logs what to do (`portal db upgrade`) instead.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Flask, Response, current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .database import SchemaState, state_of
from .extensions import db

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


def _state() -> SchemaState | None:
    """The schema's state in one statement; None when the database does not answer."""
    try:
        revisions = db.session.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except SQLAlchemyError:
        db.session.rollback()
        try:  # no version table (an empty database), or no database at all?
            db.session.execute(text("SELECT 1"))
        except SQLAlchemyError:
            db.session.rollback()
            return None
        revisions = []
    return state_of(list(revisions))


def report(state: SchemaState) -> None:
    """Log (once per app and state) a schema this code cannot run on, or one newer than it knows."""
    reported: set[tuple[str, ...]] = current_app.extensions.setdefault("portal.schema_reported", set())
    if state.at_head or state.current in reported:
        return
    reported.add(state.current)
    if state.usable:
        log.warning("schema newer than this release knows: %s", state.describe())
    else:
        log.error("the database's schema is not the newest; this process does not migrate: %s",
                  state.describe())


def check_at_start(app: Flask) -> None:
    """What a web process does at start (wsgi.py): log a schema it cannot run on; never migrate."""
    with app.app_context():
        state = _state()
        db.session.remove()
        if state is None:
            log.error("the database does not answer at start (PORTAL_DATABASE_URL)")
        else:
            report(state)


@bp.get("/healthz")
def healthz() -> Response:
    state = _state()
    if state is None:
        return Response("unavailable", status=503, mimetype="text/plain")
    if not state.usable:
        report(state)
        return Response("unavailable", status=503, mimetype="text/plain")
    report(state)
    return Response("ok", status=200, mimetype="text/plain")
