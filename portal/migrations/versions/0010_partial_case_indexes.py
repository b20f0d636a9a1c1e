"""partial indexes on cases: the five indexes whose leading column is NULL until the worker has run
(organisation_id, route_email_key, route_kind) hold only the rows where it is set, so the public
POST's insert no longer writes a page in each of them

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa


revision = "0010"
down_revision = "0008"
branch_labels = None
depends_on = None

# name, columns, the column NULL at insert
INDEXES = (
    ("ix_cases_organisation_id", ["organisation_id"], "organisation_id"),
    ("ix_cases_route_email_key_status", ["route_email_key", "status", "created_at"], "route_email_key"),
    ("ix_cases_route_kind_place_status", ["route_kind", "place", "status", "created_at"], "route_kind"),
    ("ix_cases_route_kind_org_status", ["route_kind", "organisation_id", "status", "created_at"], "route_kind"),
    ("ix_cases_route_kind_service_status", ["route_kind", "service", "status", "created_at"], "route_kind"),
)


def upgrade() -> None:
    for name, columns, set_later in INDEXES:
        op.drop_index(name, table_name="cases")
        where = sa.text(f"{set_later} IS NOT NULL")
        op.create_index(name, "cases", columns, unique=False, sqlite_where=where, postgresql_where=where)


def downgrade() -> None:
    for name, columns, _set_later in INDEXES:
        op.drop_index(name, table_name="cases")
        op.create_index(name, "cases", columns, unique=False)
