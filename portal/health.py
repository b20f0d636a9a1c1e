"""GET /healthz: 200 "ok" when the database answers, 503 otherwise."""

from flask import Blueprint, Response
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return Response("unavailable", status=503, mimetype="text/plain")
    return Response("ok", status=200, mimetype="text/plain")
