"""The check catalogue in docs/CHECKS.md order. The order decides the route (routing rule 1)."""

from __future__ import annotations

from ..base import Check
from . import account, eservice, exam_admin, guardian, organisation, teacher

CATALOGUE: tuple[Check, ...] = (
    *organisation.CHECKS,
    *account.CHECKS,
    *guardian.CHECKS,
    *teacher.CHECKS,
    *exam_admin.CHECKS,
    *eservice.CHECKS,
)

BY_ID: dict[str, Check] = {c.id: c for c in CATALOGUE}
assert len(BY_ID) == len(CATALOGUE), "check ids must be unique"
