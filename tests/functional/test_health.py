from sqlalchemy import text

from portal.extensions import db


def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok"


def test_healthz_answers_503_when_the_database_is_gone(app, client):
    with app.app_context():
        db.engine.dispose()
    app.config["SQLALCHEMY_DATABASE_URI"]  # unchanged; point the engine at a missing server instead
    from sqlalchemy import create_engine

    with app.app_context():
        broken = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 1})
        db._app_engines[app][None] = broken  # type: ignore[attr-defined]
        response = client.get("/healthz")
        assert db.session.execute is not None
    assert response.status_code == 503
    _ = text
