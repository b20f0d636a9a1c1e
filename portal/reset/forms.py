"""The new-password form: two password fields and the CSRF token; the policy is portal/passwords.py."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField

from .. import passwords
from ..passwords import (
    COMMON,
    EMPTY,
    MISMATCH,
    NAME,
    NO_CONFIRMATION,
    PORTAL,
    TOO_LONG,
    TOO_SHORT,
    USERNAME,
)
from ..signing import PortalForm as FlaskForm  # signs the CSRF token only when a page renders it

# What the person reads beside the field and in the summary: why, in plain words.
MESSAGES = {
    EMPTY: _l("Skriv ett nytt lösenord."),
    TOO_SHORT: _l("Lösenordet är för kort. Det behöver vara minst %(n)s tecken.", n=passwords.MIN_LENGTH),
    TOO_LONG: _l("Lösenordet är för långt. Det får vara högst %(n)s tecken.", n=passwords.MAX_LENGTH),
    COMMON: _l("Det här lösenordet är ett av de vanligaste som finns och är lätt att gissa. Välj ett annat, "
               "gärna några ord i följd."),
    USERNAME: _l("Lösenordet får inte vara ditt användarnamn. Välj något som är svårare att gissa."),
    NAME: _l("Lösenordet får inte vara ditt namn. Välj något som är svårare att gissa."),
    PORTAL: _l("Lösenordet får inte vara namnet på tjänsten eller ordet lösenord. Välj något annat."),
    NO_CONFIRMATION: _l("Skriv det nya lösenordet en gång till."),
    MISMATCH: _l("Lösenorden är inte likadana. Skriv samma lösenord i båda fälten."),
}


class NewPasswordForm(FlaskForm):
    # No validators and no length limit here: the policy says why, and nothing is ever cut off.
    password = PasswordField(_l("Nytt lösenord"))
    confirmation = PasswordField(_l("Skriv lösenordet igen"))

    def add_problems(self, problems: list[passwords.Problem]) -> None:
        for problem in problems:
            field = getattr(self, problem.field)
            field.errors = [*field.errors, str(MESSAGES[problem.code])]
