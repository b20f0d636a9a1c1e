"""The form for publishing a disruption notice from the inbox (portal/inbox/driftstorning.py)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, Form, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from .forms import NO_CONTROL, PlainText

STOCKHOLM = ZoneInfo("Europe/Stockholm")
TEXT_MAX = 1000
FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S")


def parse_moment(text: str) -> dt.datetime | None:
    """A time typed as year-month-day hour:minute, in Stockholm; None when it cannot be read."""
    for pattern in FORMATS:
        try:
            return dt.datetime.strptime(text.strip(), pattern).replace(tzinfo=STOCKHOLM)
        except ValueError:
            continue
    return None


def show_moment(moment: dt.datetime) -> str:
    return moment.astimezone(STOCKHOLM).strftime("%Y-%m-%dT%H:%M")


class Moment:
    def __init__(self, message: object) -> None:
        self.message = message

    def __call__(self, _form: Form, field: Field) -> None:
        if field.data and parse_moment(field.data) is None:
            raise ValidationError(str(self.message))


class NoticeForm(FlaskForm):
    reach = SelectField(_l("Var gäller störningen?"), validate_choice=False)
    service = SelectField(_l("Vilken tjänst?"), validate_choice=False)
    starts = StringField(_l("Från"), validators=[
        DataRequired(_l("Skriv när störningen börjar.")),
        Moment(_l("Skriv tiden som år-månad-dag timme:minut, till exempel 2026-11-23T08:00."))])
    ends = StringField(_l("Till (frivilligt)"), validators=[
        Optional(), Moment(_l("Skriv tiden som år-månad-dag timme:minut, till exempel 2026-11-23T16:00."))])
    text = TextAreaField(_l("Meddelande till dem som söker hjälp"), validators=[
        DataRequired(_l("Skriv vad som har hänt och vad personen ska göra.")), PlainText(NO_CONTROL),
        Length(max=TEXT_MAX, message=_l("Skriv högst 1000 tecken."))])


class WithdrawForm(FlaskForm):
    pass
