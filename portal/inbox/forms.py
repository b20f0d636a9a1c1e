"""The staff inbox's forms. The sign-in form's address field is named `email` (the contract)."""

from __future__ import annotations

import re

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from wtforms import Field, Form, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp, ValidationError

from ..public.forms import ChoiceField
from ..signing import PortalForm as FlaskForm  # signs the CSRF token only when a page renders it

MESSAGE_MAX = 1000
NOTE_MAX = 2000
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class PlainText:
    """Refuses control characters (a NUL never reaches PostgreSQL); line breaks and tabs are text."""

    def __init__(self, message: LazyString) -> None:
        self.message = message

    def __call__(self, _form: Form, field: Field) -> None:
        if isinstance(field.data, str) and CONTROL.search(field.data):
            raise ValidationError(self.message)


NO_CONTROL = _l("Texten innehåller tecken som inte går att spara. Skriv den igen utan dem.")


class SignInForm(FlaskForm):
    email = StringField(
        _l("Din e-postadress"),
        validators=[InputRequired(_l("Skriv din e-postadress.")), PlainText(NO_CONTROL),
                    Length(max=254, message=_l("Adressen är för lång. Skriv högst 254 tecken.")),
                    Regexp(r"^[^@\s]+@[^@\s]+$", message=_l("Skriv en hel e-postadress, till exempel namn@skola.se."))],
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
    )


class ConfirmForm(FlaskForm):
    """Only the CSRF token: the sign-in link itself waits in the session."""


class SignOutForm(FlaskForm):
    pass


class FilterForm(Form):
    """The inbox's GET filters; a value outside the choices counts as no filter."""

    status = SelectField(_l("Status"), validate_choice=False)
    school = SelectField(_l("Skola"), validate_choice=False)
    service = SelectField(_l("Tjänst"), validate_choice=False)
    symptom = SelectField(_l("Problem"), validate_choice=False)
    q = StringField(_l("Ärendenummer"), validators=[Optional(), Length(max=40)])
    page = IntegerField(validators=[Optional()])


class ResolveForm(FlaskForm):
    message = TextAreaField(
        _l("Meddelande till personen (frivilligt)"),
        validators=[Optional(), PlainText(NO_CONTROL),
                    Length(max=MESSAGE_MAX, message=_l("Skriv högst 1000 tecken."))],
    )


REASON_MAX = 500


class PassOnForm(FlaskForm):
    kind = ChoiceField(_l("Skicka ärendet vidare till"), message=_l("Välj vem som ska ta över ärendet."))
    reason = TextAreaField(
        _l("Varför? (frivilligt)"),
        validators=[Optional(), PlainText(NO_CONTROL),
                    Length(max=REASON_MAX, message=_l("Skriv högst 500 tecken."))],
    )


class NoteForm(FlaskForm):
    note = TextAreaField(
        _l("Intern anteckning"),
        validators=[DataRequired(_l("Skriv en anteckning.")), PlainText(NO_CONTROL),
                    Length(max=NOTE_MAX, message=_l("Skriv högst 2000 tecken."))],
    )
