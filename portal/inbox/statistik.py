"""The contacts' statistics (views; the counting and the one query are in portal/statistics.py).

    GET /inkorg/statistik?fran=YYYY-MM-DD&till=YYYY-MM-DD       the page: cases, self-served, resolved,
                                                                each check's failures, the weeks
    GET /inkorg/statistik.csv?fran=…&till=…                     check,failed,cases

Without a period: the last 30 days up to today (Stockholm). A date that cannot be read, a start after
the end or a period longer than MAX_DAYS answers 400 with the field's error in Swedish.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Response, g, render_template, request
from flask_babel import gettext as _

from checks import BY_ID, CATALOGUE

from .. import statistics
from ..clock import now
from . import bp
from .auth import Identity

DEFAULT_DAYS = 30
MAX_DAYS = 366
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Period:
    first: dt.date
    last: dt.date
    fran: str  # as typed (or the default), for the form
    till: str
    errors: dict[str, str]


def _date(text: str) -> dt.date | None:
    if not DATE.match(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def read_period(args: Mapping[str, str], today: dt.date) -> Period:
    """The period asked for in `args` (`fran`, `till`), with an error per field that cannot be used."""
    fran, till = args.get("fran", "").strip()[:40], args.get("till", "").strip()[:40]
    errors: dict[str, str] = {}
    last = _date(till) if till else today
    if last is None:
        errors["till"] = _("Skriv slutdatumet som år-månad-dag, till exempel %(example)s.", example=today.isoformat())
    first = _date(fran) if fran else (last or today) - dt.timedelta(days=DEFAULT_DAYS - 1)
    if first is None:
        errors["fran"] = _("Skriv startdatumet som år-månad-dag, till exempel %(example)s.",
                           example=(today - dt.timedelta(days=DEFAULT_DAYS - 1)).isoformat())
    if first is not None and last is not None and not errors:
        if first > last:
            errors["fran"] = _("Startdatumet ligger efter slutdatumet. Välj ett startdatum som är samma dag "
                               "eller tidigare.")
        elif (last - first).days + 1 > MAX_DAYS:
            errors["fran"] = _("Perioden är för lång. Välj högst %(days)s dagar.", days=MAX_DAYS)
    first, last = first or today, last or today
    return Period(first=first, last=last, fran=fran or first.isoformat(), till=till or last.isoformat(),
                  errors=errors)


def _who() -> Identity:
    identity: Identity = g.contact
    return identity


def _figures(period: Period) -> statistics.Figures:
    return statistics.figures(_who().scopes, period.first, period.last, [c.id for c in CATALOGUE])


def _today() -> dt.date:
    return statistics.stockholm_day(now())


@bp.get("/statistik")
def statistics_page() -> tuple[str, int]:
    period = read_period(request.args, _today())
    figures = None if period.errors else _figures(period)
    return render_template("inbox/statistics.html", period=period, figures=figures, checks=BY_ID,
                           chart=_chart(figures) if figures else None, who=_who(),
                           csv_args={"fran": period.fran, "till": period.till}), 400 if period.errors else 200


@bp.get("/statistik.csv")
def statistics_csv() -> Response:
    period = read_period(request.args, _today())
    if period.errors:
        text = "\n".join(period.errors[name] for name in ("fran", "till") if name in period.errors) + "\n"
        return Response(text, status=400, mimetype="text/plain")
    figures = _figures(period)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["check", "failed", "cases"])
    for check, failed in figures.failed:
        writer.writerow([check, failed, figures.cases])
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="statistik-{period.first.isoformat()}-{period.last.isoformat()}.csv"')
    response.headers["Cache-Control"] = "no-store"
    return response


# -- the chart: columns per week, drawn on the server as SVG ------------------------------------------
CHART_HEIGHT = 120
COLUMN = 28
GAP = 8


def _chart(figures: statistics.Figures) -> dict[str, Any]:
    """The weekly columns' geometry; the numbers are in the table beside it."""
    top = max([w.cases for w in figures.weeks] + [1])
    columns = []
    for i, week in enumerate(figures.weeks):
        height = round(CHART_HEIGHT * week.cases / top) if week.cases else 0
        columns.append({"x": GAP + i * (COLUMN + GAP), "y": CHART_HEIGHT - height + 4, "height": height,
                        "week": week})
    width = GAP + len(figures.weeks) * (COLUMN + GAP)
    return {"columns": columns, "width": width, "height": CHART_HEIGHT + 24, "column": COLUMN, "top": top,
            "base": CHART_HEIGHT + 4}
