"""The public flow's forms. Field names are the contract's: role, service, symptom, school, identifier."""

from __future__ import annotations

from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from wtforms import Form, RadioField, StringField
from wtforms.validators import InputRequired, Length, ValidationError

from checks.identifiers import MAX_IDENTIFIER_LENGTH

from ..signing import PortalForm as FlaskForm  # signs the CSRF token only when a page renders it


class ChoiceField(RadioField):
    """Radio buttons whose one message says what to do: for no answer and for a value that is not
    among the choices (a stale page, a hand-made post) alike, never WTForms' generic "not a valid choice"."""

    def __init__(self, label: LazyString, *, message: LazyString, **kwargs: Any) -> None:
        super().__init__(label, validators=[InputRequired(message)], **kwargs)
        self.message = message

    def pre_validate(self, form: Form) -> None:
        try:
            super().pre_validate(form)
        except ValidationError:
            raise ValidationError(self.message) from None


class RoleForm(FlaskForm):
    role = ChoiceField(_l("Vem är du?"), message=_l("Välj vem du är."))


class ServiceForm(FlaskForm):
    service = ChoiceField(_l("Vad försökte du logga in i?"), message=_l("Välj en tjänst."))


class SymptomForm(FlaskForm):
    symptom = ChoiceField(_l("Vad hände?"), message=_l("Välj det som stämmer bäst."))


class SchoolForm(FlaskForm):
    school = ChoiceField(_l("Välj i listan"), message=_l("Välj en i listan."))


class IdentifierForm(FlaskForm):
    identifier = StringField(
        _l("E-postadress, personnummer eller användarnamn"),
        validators=[InputRequired(_l("Skriv din e-postadress, ditt personnummer eller ditt användarnamn.")),
                    Length(max=MAX_IDENTIFIER_LENGTH, message=_l("Uppgiften är för lång. Skriv högst 254 tecken."))],
    )

    @staticmethod
    def accepted(formdata: Any, csrf_checked: bool) -> str | None:
        """What `IdentifierForm().validate_on_submit()` would accept from a posted `formdata`, without
        building the form (WTForms binds every field anew for each request: a tenth of the final POST's
        time): the identifier when the CSRF check has passed (portal/signing.py, before the view) and the
        field's two validators would pass; None when only the form itself can say (it is then built, and
        says why on the page)."""
        if not csrf_checked:
            return None
        values = formdata.getlist("identifier")
        if values and values[0] and len(values[0]) <= MAX_IDENTIFIER_LENGTH:  # InputRequired, Length(max=254)
            return str(values[0])
        return None
