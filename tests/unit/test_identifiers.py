"""docs/contracts/README.md "Identifier matching": classifying and normalising what a person typed."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from personnummer import personnummer

from checks.identifiers import (
    Identifier,
    InvalidIdentifier,
    _surely_valid,
    is_email_address,
    mask,
    normalise_email,
    normalise_personnummer,
    parse_identifier,
)

from . import factories as f

TODAY = dt.date(2026, 11, 23)


def luhn10(yymmdd: str, serial: str = "123") -> str:
    """yymmdd + serial + a correct check digit, whatever the date says (for impossible dates)."""
    return yymmdd + serial + f.luhn_digit(yymmdd + serial)


def parse(text: str, today: dt.date = TODAY) -> Identifier:
    return parse_identifier(text, today)


def test_luhn_helper_against_a_known_number() -> None:
    assert f.luhn_digit("121212121") == "2"  # 19121212-1212, the Tax Agency's example
    assert f.pnr("1912-12-12", "121") == "191212121212"


# == classification order ==========================================================================
VALID_10 = f.pnr10("1985-04-12")
VALID_12 = f.pnr("1985-04-12")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("anna@example.se", "email"),
        ("Anna.Andersson@Example.SE", "email"),
        (f"{VALID_12}@example.se", "email"),
        ("SE1234567890-abc1@example.se", "email"),
        (VALID_10, "personnummer"),
        (VALID_10.replace("-", ""), "personnummer"),
        (VALID_10.replace("-", "+"), "personnummer"),
        (VALID_12, "personnummer"),
        (VALID_12[:8] + "-" + VALID_12[8:], "personnummer"),
        (f.pnr10("1990-05-07", coordination=True), "personnummer"),
        ("SE1234567890-ABC1", "hsa_id"),
        ("se1234567890-abc1", "hsa_id"),
        ("Se2321000016-1A2B", "hsa_id"),
        ("SE123456789-ABC1", "username"),  # 9 digits
        ("SE12345678901-ABC1", "username"),  # 11 digits
        ("SE1234567890-", "username"),
        ("SE1234567890-ab_c", "username"),
        ("anna.andersson", "username"),
        ("12345", "username"),
        ("12345678901", "username"),  # 11 digits
        ("1234567890123", "username"),  # 13 digits
        ("850412 1234", "username"),  # a space is not a separator
    ],
)
def test_classification(text: str, kind: str) -> None:
    assert parse(text).kind == kind


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("  Anna@Example.SE ", "anna@example.se"),
        ("se1234567890-abc1", "SE1234567890-ABC1"),
        ("Anna.Andersson", "anna.andersson"),
        (VALID_12, VALID_12),
        (VALID_10, VALID_12),
        (VALID_10.replace("-", ""), VALID_12),
        (VALID_12[:8] + "-" + VALID_12[8:], VALID_12),
    ],
)
def test_normalisation(text: str, value: str) -> None:
    assert parse(text).value == value


def test_personnummer_normalises_to_12_digits() -> None:
    for text in (VALID_10, VALID_10.replace("-", ""), VALID_12):
        value = parse(text).value
        assert len(value) == 12 and value.isdigit()


def test_samordningsnummer_accepted() -> None:
    born = dt.date(1990, 5, 7)
    full = f.pnr(born, coordination=True)
    assert full[6:8] == "67"
    assert parse(full).value == full
    assert parse(f.pnr10(born, coordination=True)).value == full
    assert parse(f.pnr10(born, coordination=True, sep="")).value == full


@pytest.mark.parametrize(
    "text",
    [
        f.bad_check_digit(VALID_12),
        f.bad_check_digit(VALID_12)[2:],
        f.bad_check_digit(f.pnr("1990-05-07", coordination=True)),
        "19" + luhn10("991332"),  # month 13
        "20" + luhn10("230229"),  # 29 February in a common year
        luhn10("230229"),
        "19" + luhn10("850431"),  # 31 April
        "19" + luhn10("850100"),  # day 0
        "19" + luhn10("850192"),  # samordningsnummer day 32
        luhn10("850192"),
        "0000000000",
    ],
    ids=["bad check digit (12)", "bad check digit (10)", "samordningsnummer, bad check digit", "month 13",
         "29 Feb in 2023", "29 Feb in 2023 (10)", "31 April", "day 0", "coordination day 92",
         "coordination day 92 (10)", "zeros"],
)
def test_invalid_personnummer_is_refused(text: str) -> None:
    with pytest.raises(InvalidIdentifier):
        parse(text)


def test_leap_day_is_accepted() -> None:
    assert parse("20" + luhn10("000229")).value == "20" + luhn10("000229")
    assert parse(luhn10("000229")).value == "20" + luhn10("000229")


# == century of a 10-digit number ==================================================================
@pytest.mark.parametrize(
    ("head", "sep", "century"),
    [
        ("261124", "-", "19"),  # 2026-11-24 would be tomorrow
        ("261123", "-", "20"),  # born today
        ("261123", "+", "19"),  # exactly 100 today
        ("261124", "+", "18"),  # 1926-11-24 is 99: "+" needs 100 or older
        ("121212", "-", "20"),
        ("121212", "+", "19"),
        ("000101", "-", "20"),
        ("991231", "-", "19"),
        ("991231", "+", "18"),
        ("270101", "-", "19"),
    ],
)
def test_century_against_today(head: str, sep: str, century: str) -> None:
    digits = luhn10(head, "121")
    text = digits[:6] + sep + digits[6:]
    assert parse(text).value == century + digits
    assert normalise_personnummer(text, TODAY) == century + digits


def test_century_examples_from_the_brief() -> None:
    assert parse("121212-1212").value == "201212121212"
    assert parse("121212+1212").value == "191212121212"


def test_century_follows_the_given_today() -> None:
    digits = luhn10("261124", "121")
    assert parse(digits, dt.date(2026, 11, 24)).value == "20" + digits
    assert parse(digits, dt.date(2026, 11, 23)).value == "19" + digits


def test_samordningsnummer_century() -> None:
    digits = luhn10("261184", "121")  # day 24 + 60
    assert parse(digits).value == "19" + digits
    assert parse(digits, dt.date(2026, 11, 24)).value == "20" + digits


# == refused input =================================================================================
@pytest.mark.parametrize(
    "text",
    ["a" * 10_000, "1" * 10_000, "a" * 9_990 + "@example.se", "SE1234567890-" + "A" * 10_000, "x" * 255],
    ids=["letters", "digits", "e-mail", "hsa-like", "255 chars"],
)
def test_long_input_is_refused_cleanly(text: str) -> None:
    with pytest.raises(InvalidIdentifier) as info:
        parse(text)
    assert info.value.reason == "too_long"
    assert len(str(info.value)) < 200


def test_max_length_input_is_accepted() -> None:
    assert parse("x" * 254).kind == "username"


@pytest.mark.parametrize(
    "text",
    ["anna\x00@example.se", "an\nna@example.se", "anna\x00", "a\tb", "ab\x1bcd", "ab\x7fcd", "\x00",
     "8504121234\x00", "SE1234567890-ABC\x001"],
    ids=["NUL in e-mail", "newline in e-mail", "trailing NUL", "tab", "escape", "DEL", "only NUL",
         "NUL after digits", "NUL in hsa-id"],
)
def test_control_characters_are_refused(text: str) -> None:
    with pytest.raises(InvalidIdentifier) as info:
        parse(text)
    assert info.value.reason == "control"


@pytest.mark.parametrize("text", ["ab\x85cd", "ab\x9bcd", "anna\x90@example.se"], ids=["NEL", "CSI", "DCS"])
def test_c1_control_characters_are_refused(text: str) -> None:
    with pytest.raises(InvalidIdentifier):
        parse(text)


@pytest.mark.parametrize("text", ["", "   ", "\t \n"])
def test_empty_input_is_refused(text: str) -> None:
    with pytest.raises(InvalidIdentifier) as info:
        parse(text)
    assert info.value.reason == "empty"


@pytest.mark.parametrize("text", ["@example.se", "anna@", "anna @example.se", "@"])
def test_malformed_email_is_refused(text: str) -> None:
    with pytest.raises(InvalidIdentifier):
        parse(text)


# == look-alike e-mail addresses ==================================================================
ASCII = "kalle.inge.strasse.anna@example.se"


@pytest.mark.parametrize(
    "lookalike",
    [
        "kalle.\u0131nge.strasse.anna@example.se",  # dotless ı
        "kalle.\u0130nge.strasse.anna@example.se",  # dotted capital İ
        "kalle.inge.stra\u00dfe.anna@example.se",  # ß
        "kalle.inge.stra\u1e9ee.anna@example.se",  # capital ẞ
        "kalle.inge.strasse.\uff41nna@example.se",  # full-width a
        "kalle.inge.strasse.\uff21nna@example.se",  # full-width A
        "\u212aalle.inge.strasse.anna@example.se",  # Kelvin sign
        "kalle.inge.strasse.anna@\uff45xample.se",  # full-width e in the domain
        "kalle.inge.\u017ftrasse.anna@example.se",  # long s
    ],
    ids=["dotless i", "dotted capital I", "sharp s", "capital sharp s", "full-width a", "full-width A",
         "Kelvin sign", "full-width domain", "long s"],
)
def test_lookalike_emails_never_meet_the_ascii_address(lookalike: str) -> None:
    ascii_key = parse(ASCII).value
    assert parse(lookalike).value != ascii_key
    assert parse(ASCII.upper()).value != parse(lookalike).value
    assert normalise_email(lookalike) != normalise_email(ASCII)


@pytest.mark.parametrize("variant", [ASCII.upper(), "Kalle.Inge.Strasse.Anna@Example.Se", " " + ASCII + " "])
def test_ascii_case_variants_meet(variant: str) -> None:
    assert parse(variant).value == parse(ASCII).value == ASCII


def test_lookalike_typed_address_does_not_match_the_registered_one() -> None:
    """The engine compares the typed key with each stored address the same way."""
    snap = f.with_person(f.healthy(symptom="password_login_failed"), emails=("kalle@example.se",))
    snap = f.with_identifier(snap, parse("\u212aALLE@example.se"))
    assert f.outcome_of(snap, "guardian.email_is_primary") == "skip"
    snap = f.with_identifier(snap, parse("KALLE@Example.se"))
    assert f.outcome_of(snap, "guardian.email_is_primary") == "pass"


# == masking =======================================================================================
@pytest.mark.parametrize("text", [VALID_12, VALID_10, "191212121212", f.pnr("1990-05-07", coordination=True),
                                  f.pnr("2012-12-12", "121")])
def test_mask_never_reveals_the_full_personnummer(text: str) -> None:
    ident = parse(text)
    masked = ident.masked
    assert masked == mask(ident)
    assert ident.value not in masked
    assert ident.value[2:] not in masked
    assert ident.value[-4:] not in masked.split("-")[-1]
    assert sum(ch.isdigit() for ch in masked) <= 8
    assert masked.endswith("****")


@pytest.mark.parametrize("text", ["anna.andersson@example.se", "SE1234567890-ABC1", "anna.andersson"])
def test_mask_hides_other_identifiers(text: str) -> None:
    ident = parse(text)
    assert ident.value not in ident.masked
    assert "*" in ident.masked


# == non-ASCII digits and look-alike letters outside e-mail =======================================
def _fullwidth(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if ch.isdigit() else ch for ch in text)


def _arabic_indic(text: str) -> str:
    return "".join(chr(0x0660 + int(ch)) if ch.isdigit() else ch for ch in text)


@pytest.mark.parametrize(
    "text",
    [_fullwidth("121212-1212"), _arabic_indic("121212-1212"), _arabic_indic("191212121212"),
     "SE" + _arabic_indic("1234567890") + "-ABC1"],
    ids=["full-width 10", "arabic-indic 10", "arabic-indic 12", "arabic-indic hsa-id"],
)
def test_non_ascii_digits_never_give_a_non_ascii_key(text: str) -> None:
    try:
        ident = parse(text)
    except InvalidIdentifier:
        return
    if ident.kind == "personnummer":
        assert re.fullmatch(r"[0-9]{12}", ident.value), ident.value
    elif ident.kind == "hsa_id":
        assert re.fullmatch(r"SE[0-9]{10}-[A-Z0-9]+", ident.value), ident.value


@pytest.mark.parametrize("lookalike", ["SE1234567890-abc\u0131", "SE1234567890-\u017fabc"],
                         ids=["dotless i", "long s"])
def test_lookalike_hsa_id_never_meets_the_ascii_one(lookalike: str) -> None:
    ascii_version = lookalike.replace("\u0131", "i").replace("\u017f", "s")
    try:
        key = parse(lookalike)
    except InvalidIdentifier:
        return
    assert key.value != parse(ascii_version).value


def test_lookalike_hsa_id_kelvin_does_not_meet() -> None:
    assert parse("SE1234567890-\u212a1").value != parse("SE1234567890-k1").value


@pytest.mark.parametrize(
    "lookalike",
    ["\u0131nge", "stra\u00dfe", "\uff41nna", "\u212aalle", "\u017fven"],
    ids=["dotless i", "sharp s", "full-width a", "Kelvin sign", "long s"],
)
def test_lookalike_usernames_never_meet_the_ascii_one(lookalike: str) -> None:
    ascii_version = {"\u0131nge": "inge", "stra\u00dfe": "strasse", "\uff41nna": "anna", "\u212aalle": "kalle",
                     "\u017fven": "sven"}[lookalike]
    assert parse(lookalike).kind == "username"
    assert parse(lookalike).value != parse(ascii_version).value
    assert parse(ascii_version.upper()).value == ascii_version


# -- issue 16 rows 8 and 12: addresses as mail reads them -----------------------------------------------------
@pytest.mark.parametrize("typed", ["a@b@c", "a@b@exempel.se", "anna@exempel", "anna @exempel.se", "@exempel.se",
                                   "anna@", "anna@exempel..se", "anna@-exempel.se", "anna@" + "b" * 64 + ".se"])
def test_what_is_not_an_address_is_refused_as_one(typed):
    from checks.identifiers import InvalidIdentifier, parse_identifier

    with pytest.raises(InvalidIdentifier) as refused:
        parse_identifier(typed, dt.date(2026, 11, 23))
    assert refused.value.reason == "email"


@pytest.mark.parametrize("typed", ["anna@exempel.se", "Anna.Andersson@Exempel.SE", "åsa@skolan.se", "a+b@x.se",
                                   "a@" + ("b" * 60 + ".") * 3 + "b" * 63 + ".se"])
def test_addresses_are_accepted(typed):
    from checks.identifiers import parse_identifier

    assert parse_identifier(typed, dt.date(2026, 11, 23)).kind == "email"


@pytest.mark.parametrize(("one", "other"), [("victim@exempel.se", "VICTIM@Exempel.se"),
                                            ("victim@exempel.se", "victim+1@exempel.se"),
                                            ("victim@exempel.se", " Victim+nyhetsbrev+2@EXEMPEL.SE ")])
def test_case_and_plus_tag_variants_share_one_mailbox_key(one, other):
    from checks.identifiers import mailbox_key

    assert mailbox_key(one) == mailbox_key(other)


def test_different_mailboxes_keep_different_keys():
    from checks.identifiers import mailbox_key

    assert mailbox_key("victim@exempel.se") != mailbox_key("victim2@exempel.se")
    assert mailbox_key("victim@exempel.se") != mailbox_key("victim@annan.se")


# -- the quick personnummer test agrees with the personnummer library ---------------------------------
def _with_check_digit(eleven: str) -> str:
    total = 0
    for position, digit in enumerate(eleven[2:]):
        value = int(digit) * (2 - position % 2)
        total += value - 9 if value > 9 else value
    return eleven + str((10 - total % 10) % 10)


@given(st.text(alphabet="0123456789", min_size=12, max_size=12))
def test_the_quick_personnummer_test_agrees_with_the_library_on_any_twelve_digits(digits):
    assert _surely_valid(digits) == personnummer.valid(digits)


@given(st.dates(min_value=dt.date(1, 1, 1)), st.integers(0, 999), st.booleans(), st.booleans())
def test_the_quick_personnummer_test_agrees_with_the_library_on_real_dates(birth, serial, samordning, spoil):
    day = birth.day + 60 if samordning else birth.day
    number = _with_check_digit(f"{birth.year:04d}{birth.month:02d}{day:02d}{serial:03d}")
    if spoil:
        number = number[:11] + str((int(number[11]) + 1) % 10)
    assert _surely_valid(number) == personnummer.valid(number)


# is_email_address answers an everyday address itself (checks/identifiers.py, _EVERYDAY_EMAIL): it must
# never accept one that email-validator would refuse, and must agree with it on any text at all.
def _validator_accepts(address: str) -> bool:
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


@given(st.from_regex(r"[A-Za-z0-9_+-]{1,12}(\.[A-Za-z0-9_+-]{1,12}){0,2}@([A-Za-z0-9-]{1,12}\.){1,3}[A-Za-z]{2,8}",
                     fullmatch=True))
def test_an_everyday_looking_address_is_judged_as_email_validator_judges_it(address: str) -> None:
    assert is_email_address(address) == _validator_accepts(address)


@given(st.text(alphabet=st.sampled_from("aZ9.-_+@xn--é"), max_size=30))
def test_any_text_is_judged_as_email_validator_judges_it(address: str) -> None:
    assert is_email_address(address) == _validator_accepts(address)


@pytest.mark.parametrize("address", [
    "anna@exempel.test", "anna@host.localhost", "anna@x--y.se", "anna@xn--abc.se", "a" * 65 + "@exempel.se",
    "anna@" + "a" * 64 + ".se", "anna@" + ".".join(["a" * 60] * 5) + ".se", "anna@exempel.s3", "anna@-x.se",
])
def test_addresses_at_the_edges_are_judged_as_email_validator_judges_them(address: str) -> None:
    assert is_email_address(address) == _validator_accepts(address)
