"""The staff inbox's forms. The sign-in form's address field is named `email` (the contract)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Form, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from ..public.forms import ChoiceField

MESSAGE_MAX = 1000
NOTE_MAX = 2000


class SignInForm(FlaskForm):
    email = StringField(
        _l("Din e-postadress"),
        validators=[InputRequired(_l("Skriv din e-postadress.")),
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
        validators=[Optional(), Length(max=MESSAGE_MAX, message=_l("Skriv högst 1000 tecken."))],
    )


class PassOnForm(FlaskForm):
    kind = ChoiceField(_l("Skicka ärendet vidare till"), message=_l("Välj vem som ska ta över ärendet."))


class NoteForm(FlaskForm):
    note = TextAreaField(
        _l("Intern anteckning"),
        validators=[DataRequired(_l("Skriv en anteckning.")),
                    Length(max=NOTE_MAX, message=_l("Skriv högst 2000 tecken."))],
    )
