"""The contacts' statistics, counted as the worker stores each case's findings (portal/statistics.py).

One row per Stockholm day, level of scope, place and service holds a count per metric: "cases",
"self_service", "resolved" and "fail:<check id>". Each case is counted at three levels, so that a
page for a school, an organisation or the whole portal adds up a few thousand rows at most, however
many cases there are: `school` (key: the school's code; agency e-service cases have no school and are
not counted here), `org` (key: the case's organisation) and `all` (key ""). Counts hold no personal
data and outlive the cases that `portal purge` deletes.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class CaseCount(db.Model):  # type: ignore[name-defined]
    __tablename__ = "case_counts"
    level: Mapped[str] = mapped_column(String(8), primary_key=True)  # school | org | all
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)  # the case's creation day in Stockholm
    service: Mapped[str] = mapped_column(String(32), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(String(64), primary_key=True)  # "" at level all
    metric: Mapped[str] = mapped_column(String(80), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
