"""schools.name_search without diacritics and case ("bjorkhaga" finds Björkhagaskolan): recomputed
for the schools already imported

Revision ID: 0014
Revises: 0011
Create Date: 2026-12-06
"""
import unicodedata
from collections.abc import Callable

from alembic import op
import sqlalchemy as sa


revision = "0014"
down_revision = "0011"
branch_labels = None
depends_on = None

schools = sa.table("schools", sa.column("code", sa.String), sa.column("name", sa.Text),
                   sa.column("name_search", sa.Text))


def _key(text: str) -> str:
    # a copy of portal.search_key.search_key as it was at this revision
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


def _recompute(key: Callable[[str], str]) -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(schools.c.code, schools.c.name)).all()
    for code, name in rows:
        bind.execute(schools.update().where(schools.c.code == code).values(name_search=key(name)))


def upgrade() -> None:
    _recompute(_key)


def downgrade() -> None:
    _recompute(str.lower)
