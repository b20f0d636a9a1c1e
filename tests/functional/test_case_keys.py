"""The case's reference and keyed hashes, written with one C call each (portal/cases.py), are the same
values as the plain formulas they replace: a reference is still 40 random bits in Crockford's alphabet,
highest bits first, and a keyed hash is still HMAC-SHA256 of the parts joined by the unit separator."""

from __future__ import annotations

import hashlib
import hmac

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.cases import CROCKFORD, keyed_hash, new_reference, reference_of


@given(st.binary(min_size=5, max_size=5))
def test_a_reference_is_the_40_bits_in_crockfords_alphabet_highest_first(five):
    bits = int.from_bytes(five, "big")
    assert reference_of(five) == "".join(CROCKFORD[(bits >> shift) & 31] for shift in range(35, -1, -5))


def test_new_references_use_every_symbol_in_every_place():
    references = [new_reference() for _ in range(2000)]
    assert all(len(r) == 8 and set(r) <= set(CROCKFORD) for r in references)
    for place in range(8):  # 2 000 draws leave no symbol out in any place (each missing with p < 1e-25)
        assert {r[place] for r in references} == set(CROCKFORD)
    assert len(set(references)) == len(references)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])  # the app only gives the key
@given(st.lists(st.text(st.characters(exclude_categories=("Cs",))), min_size=1, max_size=4))
def test_a_keyed_hash_is_hmac_sha256_of_the_joined_parts(app, parts):
    with app.app_context():
        key = app.config["SECRET_KEY"].encode("utf-8")
        assert keyed_hash(*parts) == hmac.new(key, "\x1f".join(parts).encode("utf-8"), hashlib.sha256).hexdigest()
