"""case_counts (the contacts' statistics, counted by the worker) and notices published from the inbox
(origin, who published and withdrew them)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa


revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_counts",
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("service", sa.String(length=32), nullable=False),
        sa.Column("organisation_id", sa.String(length=64), nullable=False),
        sa.Column("metric", sa.String(length=80), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("level", "key", "day", "service", "organisation_id", "metric"),
    )
    with op.batch_alter_table("notices") as batch:
        batch.add_column(sa.Column("origin", sa.String(length=8), server_default="file", nullable=False))
        batch.add_column(sa.Column("published_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("published_by_name", sa.Text(), nullable=True))
        batch.add_column(sa.Column("published_by_email", sa.String(length=254), nullable=True))
        batch.add_column(sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("withdrawn_by_name", sa.Text(), nullable=True))
        batch.add_column(sa.Column("withdrawn_by_email", sa.String(length=254), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notices") as batch:
        for column in ("withdrawn_by_email", "withdrawn_by_name", "withdrawn_at", "published_by_email",
                       "published_by_name", "published_at", "origin"):
            batch.drop_column(column)
    op.drop_table("case_counts")
