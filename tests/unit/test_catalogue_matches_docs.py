"""The catalogue in code is the catalogue in docs/CHECKS.md: ids, order, applicability, visibility,
on-fail and the vocabularies. The markdown is parsed, so editing either side alone fails here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from checks import CATALOGUE
from checks.base import ADVICE, DEFAULT, REMEDY
from checks.vocab import CONTACT_KINDS, OUTCOMES, ROLES, SERVICES, SYMPTOMS, VISIBILITIES

from .test_rules import RULE3_PERSON_CHECKS

DOC = Path(__file__).resolve().parents[2] / "docs" / "CHECKS.md"
TEXT = DOC.read_text(encoding="utf-8")
BACKTICKED = re.compile(r"`([^`]+)`")


@dataclass(frozen=True)
class DocRow:
    id: str
    roles: frozenset[str] | None
    services: frozenset[str] | None
    symptoms: frozenset[str] | None
    visibility: str
    on_fail: str
    line: int


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _set(cell: str) -> frozenset[str] | None:
    cell = cell.strip()
    if cell == "*":
        return None
    return frozenset(v.strip() for v in cell.split(","))


def _on_fail(cell: str) -> str:
    if cell.startswith("advice"):  # "advice", "advice, route stays", "advice (card: `eservice_admin`)"
        return ADVICE
    if cell.startswith("route by role default"):
        return DEFAULT
    if cell.startswith("remedy"):
        return REMEDY
    kinds = BACKTICKED.findall(cell)
    assert kinds, f"no contact kind in on-fail cell {cell!r}"
    return kinds[0]


def parse_rows(text: str) -> list[DocRow]:
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("| `"):
            continue
        cells = _cells(line)
        assert len(cells) == 6, f"CHECKS.md line {number}: expected 6 cells, got {len(cells)}"
        (check_id,) = BACKTICKED.findall(cells[0])
        applies = [p.strip() for p in cells[1].split(" / ")]
        assert len(applies) == 3, f"CHECKS.md line {number}: applies-to {cells[1]!r}"
        rows.append(DocRow(check_id, *(_set(p) for p in applies), visibility=cells[3],
                           on_fail=_on_fail(cells[4]), line=number))
    return rows


def parse_vocabularies(text: str) -> dict[str, list[str]]:
    section = text.split("## Vocabularies", 1)[1].split("\n## ", 1)[0]
    found = {}
    for line in section.splitlines():
        if not line.startswith("| ") or line.startswith("| ---") or line.startswith("| vocabulary"):
            continue
        name, values = _cells(line)[:2]
        found[name.split(" (")[0]] = BACKTICKED.findall(values)
    return found


DOC_ROWS = parse_rows(TEXT)
CODE = {c.id: c for c in CATALOGUE}


def test_the_docs_have_54_rows() -> None:
    assert len(DOC_ROWS) == 54
    assert len({r.id for r in DOC_ROWS}) == len(DOC_ROWS)


def test_same_ids_in_the_same_order() -> None:
    assert [r.id for r in DOC_ROWS] == [c.id for c in CATALOGUE]


def test_no_catalogue_id_missing_from_the_docs() -> None:
    assert {c.id for c in CATALOGUE} - {r.id for r in DOC_ROWS} == set()


@pytest.mark.parametrize("row", DOC_ROWS, ids=[r.id for r in DOC_ROWS])
def test_row_matches_catalogue(row: DocRow) -> None:
    assert row.id in CODE, f"CHECKS.md line {row.line}: {row.id} is not in the catalogue"
    check = CODE[row.id]
    assert check.roles == row.roles, "roles"
    assert check.services == row.services, "services"
    assert check.symptoms == row.symptoms, "symptoms"
    assert check.visibility == row.visibility, "visibility"
    assert check.on_fail == row.on_fail, "on fail"


def test_doc_values_are_vocabulary_values() -> None:
    for row in DOC_ROWS:
        assert row.roles is None or row.roles <= set(ROLES), row.id
        assert row.services is None or row.services <= set(SERVICES), row.id
        assert row.symptoms is None or row.symptoms <= set(SYMPTOMS), row.id
        assert row.visibility in VISIBILITIES, row.id
        assert row.on_fail in (ADVICE, DEFAULT, REMEDY) or row.on_fail in CONTACT_KINDS, row.id


def test_siths_only_card_kind_is_advice() -> None:
    (row,) = [r for r in DOC_ROWS if r.id == "advice.siths_only"]
    assert row.on_fail == ADVICE


def test_vocabularies_match_the_docs() -> None:
    docs = parse_vocabularies(TEXT)
    assert docs == {
        "role": list(ROLES),
        "service": list(SERVICES),
        "symptom": list(SYMPTOMS),
        "contact kind": list(CONTACT_KINDS),
        "outcome": list(OUTCOMES),
        "visibility": list(VISIBILITIES),
    }


def test_rule3_person_level_list_matches_the_about_person_flag() -> None:
    """Rule 3 lists the checks evaluated without an account; the engine marks them `about_person`."""
    rule3 = TEXT.split("3. **No account matched.**", 1)[1].split("\n4. ", 1)[0]
    listed = set(BACKTICKED.findall(rule3.split("Checks about the person", 1)[1].split("are evaluated", 1)[0]))
    assert listed == RULE3_PERSON_CHECKS  # the list test_rules checks against
    assert listed <= set(CODE)
    flagged = {c.id for c in CATALOGUE if c.about_person}
    extra = flagged - listed
    assert listed <= flagged
    assert extra == set()


def test_rule3_person_level_list_equals_the_about_person_flag() -> None:
    rule3 = TEXT.split("3. **No account matched.**", 1)[1].split("\n4. ", 1)[0]
    listed = set(BACKTICKED.findall(rule3.split("Checks about the person", 1)[1].split("are evaluated", 1)[0]))
    assert {c.id for c in CATALOGUE if c.about_person} == listed


def test_advice_rows_with_a_kind_are_the_two_named_in_rule1() -> None:
    named = {r.id for r in DOC_ROWS if r.id.startswith("advice.") and r.on_fail not in (ADVICE, DEFAULT, REMEDY)}
    assert named == {"advice.only_rector_deletes", "advice.admin_change_by_email"}
