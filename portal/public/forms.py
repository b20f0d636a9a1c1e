"""The public flow's forms. Field names are the contract's: role, service, symptom, school, identifier."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.validators import InputRequired, Length


class RoleForm(FlaskForm):
    role = RadioField(_l("Vem är du?"), validators=[InputRequired(_l("Välj vem du är."))])


class ServiceForm(FlaskForm):
    service = RadioField(_l("Vad försökte du logga in i?"), validators=[InputRequired(_l("Välj en tjänst."))])


class SymptomForm(FlaskForm):
    symptom = RadioField(_l("Vad hände?"), validators=[InputRequired(_l("Välj det som stämmer bäst."))])


class SchoolForm(FlaskForm):
    school = RadioField(_l("Välj i listan"), validators=[InputRequired(_l("Välj en i listan."))])


class IdentifierForm(FlaskForm):
    identifier = StringField(
        _l("E-postadress, personnummer eller användarnamn"),
        validators=[InputRequired(_l("Skriv din e-postadress, ditt personnummer eller ditt användarnamn.")),
                    Length(max=254, message=_l("Uppgiften är för lång. Skriv högst 254 tecken."))],
    )
