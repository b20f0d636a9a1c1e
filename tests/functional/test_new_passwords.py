"""New passwords per NIST SP 800-63B, as the person meets them on the reset page: the Swedish reason
beside the field and in the summary at the top, or the password stored (argon2id) as typed."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal import passwords
from portal.extensions import db
from portal.models import PortalPassword

from .reset_support import BASE_URL, USERNAME, directory, is_form, load, open_link, reset_link, submit
from .reset_support import ask as ask_for_help

TOO_SHORT = "Lösenordet är för kort. Det behöver vara minst 8 tecken."
TOO_LONG = "Lösenordet är för långt. Det får vara högst 256 tecken."
COMMON = ("Det här lösenordet är ett av de vanligaste som finns och är lätt att gissa. Välj ett annat, gärna "
          "några ord i följd.")
IS_USERNAME = "Lösenordet får inte vara ditt användarnamn. Välj något som är svårare att gissa."
IS_NAME = "Lösenordet får inte vara ditt namn. Välj något som är svårare att gissa."
IS_PORTAL = "Lösenordet får inte vara namnet på tjänsten eller ordet lösenord. Välj något annat."
EMPTY = "Skriv ett nytt lösenord."
NO_CONFIRMATION = "Skriv det nya lösenordet en gång till."
MISMATCH = "Lösenorden är inte likadana. Skriv samma lösenord i båda fälten."

SIXTY_FOUR = "en mening om sommaren vid havet med fyra ord och lite mer text! "
assert len(SIXTY_FOUR) == 64

# (id, password, confirmation (None: the same), field, message (None: accepted))
TABLE = [
    ("empty", "", "", "password", EMPTY),
    ("seven", "ab3$ef7", None, "password", TOO_SHORT),
    ("seven-emoji", "🔑" * 7, None, "password", TOO_SHORT),
    ("exactly-8", "q7#Lm2!x", None, None, None),
    ("exactly-64", SIXTY_FOUR, None, None, None),
    ("200", ("långa lösenord är bra " * 10)[:200], None, None, None),
    ("256", "ö" * 256, None, None, None),
    ("257", "ö" * 257, None, "password", TOO_LONG),
    ("common", "sunshine", None, "password", COMMON),
    ("common-other-case", "SunShine", None, "password", COMMON),
    ("common-with-digit", "Password1", None, "password", COMMON),
    ("username", USERNAME, None, "password", IS_USERNAME),
    ("username-other-case", USERNAME.upper(), None, "password", IS_USERNAME),
    ("username-dressed-up", f"{USERNAME}!!", None, "password", IS_USERNAME),
    ("full-name", "Anna Andersson", None, "password", IS_NAME),
    ("name-part", "ANDERSSON", None, "password", IS_NAME),
    ("name-part-and-year", "andersson1980", None, "password", IS_NAME),
    ("portal", "Inloggningshjälpen", None, "password", IS_PORTAL),
    ("portal-ascii", "inloggningshjalpen2026", None, "password", IS_PORTAL),
    ("mismatch", "blåbär i november regnar", "blåbär i november snöar", "confirmation", MISMATCH),
    ("no-confirmation", "blåbär i november regnar", "", "confirmation", NO_CONFIRMATION),
    ("spaces", "  mellanslag före och efter  ", None, None, None),
    ("emoji", "🔑🐈‍⬛🌧️🍓 är min fras", None, None, None),
    ("only-emoji", "🍓🌧️🐈🔑🍓🌧️🐈🔑", None, None, None),
    ("name-inside-a-phrase", "anna gillar blåbär och havet", None, None, None),
]


@pytest.fixture
def form(app, client, runner, tmp_path):
    """The reset page, opened from Anna's link."""
    app.config["PORTAL_BASE_URL"] = BASE_URL
    load(runner, directory(), tmp_path / "directory.json")
    with app.app_context():
        link = reset_link(ask_for_help("anna.andersson@exempel.se"))
    assert is_form(open_link(client, link))
    return client


def stored(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(PortalPassword.password_hash)))


@pytest.mark.parametrize(("password", "confirmation", "field", "message"),
                         [row[1:] for row in TABLE], ids=[row[0] for row in TABLE])
def test_a_new_password(app, form, password, confirmation, field, message):
    response = submit(form, password, confirmation)
    if message is None:
        assert response.status_code == 303, re.findall(r'field-error[^>]*>([^<]+)', response.get_data(as_text=True))
        (hashed,) = stored(app)
        assert hashed.startswith("$argon2id$")
        assert passwords.verify(hashed, password)  # as typed: nothing trimmed, nothing cut off
        if len(password) > 8:
            assert not passwords.verify(hashed, password[:-1]) and not passwords.verify(hashed, password.strip() + "x")
        return
    page = response.get_data(as_text=True)
    assert is_form(response)
    assert f'<p class="field-error" id="{field}-error">{message}</p>' in page  # beside the field
    assert f'<li><a href="#{field}">{message}</a></li>' in page  # in the summary, linking to it
    assert f'id="{field}"' in page and 'aria-invalid="true"' in page
    assert stored(app) == []


def test_the_hint_beside_the_field_recommends_15_and_allows_anything(form):
    page = form.get("/aterstall/nytt-losenord").get_data(as_text=True)
    assert "Minst 8 tecken. Vi rekommenderar minst 15" in page
    assert "maxlength" not in page  # the browser must not cut a long password


def test_the_shipped_list_holds_at_least_ten_thousand_common_passwords():
    common = passwords.common_passwords()
    assert len(common) >= 10_000
    assert {"123456", "password", "qwerty", "iloveyou", "sunshine"} <= common


def test_length_is_counted_in_code_points_after_nfkc():
    assert passwords.length("ｆｕｌｌｗｉｄｔｈ") == 9 and passwords.normalise("ｆｕｌｌｗｉｄｔｈ") == "fullwidth"
    assert passwords.length("e\u0301" * 4) == 4  # combining accents fold into é
    hashed = passwords.hash_password("ｆｕｌｌｗｉｄｔｈ ｐａｓｓ")
    assert passwords.verify(hashed, "fullwidth pass")
