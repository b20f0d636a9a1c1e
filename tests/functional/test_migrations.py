"""The migrations build exactly the schema the models describe, on SQLite and on PostgreSQL
(CI runs the suite on both). A model change without its migration fails here."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from portal.database import alembic_config, upgrade
from portal.extensions import db


def _script(app) -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config(app.config["SQLALCHEMY_DATABASE_URI"]))


def test_the_migrations_have_a_single_head(app):
    assert len(_script(app).get_heads()) == 1


def test_the_upgraded_database_matches_the_models(app):
    with app.app_context():
        upgrade(app)  # already at head: the fixture ran portal.database.upgrade; this must be a no-op
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "compare_server_default": True}
            )
            assert context.get_current_heads() == tuple(_script(app).get_heads())
            differences = compare_metadata(context, db.metadata)

    assert differences == []
