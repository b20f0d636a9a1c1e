"""Every catalogue check says what was found in a sentence of its own for each outcome it can reach,
and no outcome borrows another's sentence (the inbox once read "Pågående driftstörning: Stämmer" for a
check that found no disruption)."""

from __future__ import annotations

import pytest

from checks import CATALOGUE
from checks.sentences import SENTENCES

from .test_checks_outcomes import reachable

OUTCOMES = ("pass", "fail", "skip", "advice")


def test_the_table_names_only_checks_of_the_catalogue_and_known_outcomes():
    assert set(SENTENCES) == {c.id for c in CATALOGUE}
    assert all(set(by_outcome) <= set(OUTCOMES) for by_outcome in SENTENCES.values())


@pytest.mark.parametrize("check", CATALOGUE, ids=[c.id for c in CATALOGUE])
def test_each_reachable_outcome_has_its_own_sentence(check):
    sentences = SENTENCES[check.id]
    outcomes = reachable(check)
    assert outcomes <= set(sentences), f"{check.id} has no sentence for {outcomes - set(sentences)}"
    for outcome in outcomes:
        text = sentences[outcome]
        assert text.strip() == text and text.endswith(".") and text[0].isupper(), text
        others = {sentences[o] for o in outcomes if o != outcome}
        assert text not in others, f"{check.id}: {outcome} reads like another outcome"
        # a title says what holds when the check passes: read for any other outcome it is its opposite
        if outcome != "pass":
            assert text.rstrip(".") != check.texts.title, f"{check.id}: {outcome} reads as its title"


def test_no_two_checks_share_a_sentence():
    seen: dict[str, str] = {}
    for check, by_outcome in SENTENCES.items():
        for outcome, text in by_outcome.items():
            assert text not in seen, f"{check}/{outcome} and {seen[text]} read alike"
            seen[text] = f"{check}/{outcome}"
