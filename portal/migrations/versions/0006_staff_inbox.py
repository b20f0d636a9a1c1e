"""The staff inbox: staff_sessions; cases.route_email_key and the inbox's indexes; who acted on a
case (case_events.actor_name, actor_email)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_sessions",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("email_key", sa.String(length=254), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("digest"),
    )
    with op.batch_alter_table("staff_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_sessions_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_staff_sessions_seen_at"), ["seen_at"], unique=False)

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("route_email_key", sa.String(length=254), nullable=True))
    # cases routed before this migration: the ASCII fold (lower) is what normalise_email does for
    # every ASCII address
    op.execute("UPDATE cases SET route_email_key = lower(trim(route_email)) WHERE route_email IS NOT NULL")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index("ix_cases_route_email_key_status", ["route_email_key", "status", "created_at"],
                              unique=False)
        batch_op.create_index("ix_cases_route_kind_place_status", ["route_kind", "place", "status", "created_at"],
                              unique=False)
        batch_op.create_index("ix_cases_route_kind_org_status",
                              ["route_kind", "organisation_id", "status", "created_at"], unique=False)
        batch_op.create_index("ix_cases_route_kind_service_status", ["route_kind", "service", "status", "created_at"],
                              unique=False)

    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("actor_name", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("actor_email", sa.String(length=254), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.drop_column("actor_email")
        batch_op.drop_column("actor_name")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_route_kind_service_status")
        batch_op.drop_index("ix_cases_route_kind_org_status")
        batch_op.drop_index("ix_cases_route_kind_place_status")
        batch_op.drop_index("ix_cases_route_email_key_status")
        batch_op.drop_column("route_email_key")
    with op.batch_alter_table("staff_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_sessions_seen_at"))
        batch_op.drop_index(batch_op.f("ix_staff_sessions_created_at"))
    op.drop_table("staff_sessions")
