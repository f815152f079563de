"""The organisation self-assessment model: its statements, scores, bands, gaps and bad files."""

from __future__ import annotations

import pytest

from coproduction import selfassess
from coproduction.paths import content_file
from coproduction.problems import CourseFileError


@pytest.fixture
def sheet():
    return selfassess.get("organisation")


def test_shipped_sheet_has_twenty_statements_over_five_areas(sheet):
    assert selfassess.names() == ["organisation"]
    assert [d.id for d in sheet.domains] == ["culture", "structure", "practice", "review",
                                             "payment"]
    assert all(len(d.items) == 4 for d in sheet.domains)
    ids = [item for d in sheet.domains for item in d.items]
    assert len(ids) == len(set(ids)) == 20
    assert (sheet.low, sheet.high) == (1, 5)


def test_means_and_bands_at_their_edges(sheet):
    culture = list(sheet.domains[0].items)
    assert selfassess.result(sheet, dict.fromkeys(culture, 1)).domains["culture"].band.label \
        == "starting out"
    edge = selfassess.result(sheet, {culture[0]: 2, culture[1]: 2})
    assert edge.domains["culture"].mean == 2.0
    assert edge.domains["culture"].band.label == "developing"
    below = selfassess.result(sheet, {culture[0]: 2, culture[1]: 3, culture[2]: 3, culture[3]: 3})
    assert below.domains["culture"].mean == 2.75
    assert below.domains["culture"].band.label == "developing"
    top = selfassess.result(sheet, dict.fromkeys(culture, 5))
    assert top.domains["culture"].band.label == "leading"
    # areas with no answers have no mean, and do not pull the overall down
    assert top.domains["review"].mean is None and top.domains["review"].answered == 0
    assert top.overall == 5.0


def test_the_gap_between_two_views(sheet):
    staff = {item: 4 for d in sheet.domains for item in d.items}
    lived = {item: 2 for d in sheet.domains for item in d.items if d.id != "review"}
    gaps = selfassess.gaps(selfassess.result(sheet, staff), selfassess.result(sheet, lived))
    assert gaps["culture"] == 2.0 and gaps["review"] is None


def test_answers_that_are_not_scores_are_left_out_and_named(sheet):
    """Answers may come from a journal handed in: nothing off the scale is trusted."""
    found = selfassess.result(sheet, {"C1": 4, "C2": 9, "C3": "5", "C4": True, "S1": 2.5,
                                      "<script>": 3})
    assert found.domains["culture"].mean == 4.0 and found.domains["culture"].answered == 1
    assert found.domains["structure"].mean is None
    assert len(found.ignored) == 5
    assert any("C2: 9 is not a score from 1 to 5" in why for why in found.ignored)
    assert any("not a statement" in why for why in found.ignored)


@pytest.mark.parametrize("change, message, line", [
    (lambda t: t.replace("schema_version: 1", "schema_version: 2"), "schema_version", 6),
    (lambda t: t.replace("id: C2", "id: C1"), "statement id 'C1' is used twice", None),
    (lambda t: t.replace("{from: 2.0,", "{from: 0.5,"), "from the lowest score up", None),
    (lambda t: t.replace("{from: 1.0,", "{from: 1.5,"), "must start at the bottom", None),
    (lambda t: t.replace("      - id: C1\n        text: ", "      - id: C1\n        txt: "),
     "text", None),
])
def test_a_bad_file_names_file_line_and_field(tmp_path, change, message, line):
    source = content_file("selfassessment", "organisation")
    bad = tmp_path / "broken.yaml"
    bad.write_text(change(source.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(CourseFileError) as caught:
        selfassess.load(bad)
    text = str(caught.value)
    assert "broken.yaml:" in text and message in text, text
    if line:
        assert f"broken.yaml:{line}:" in text, text


def test_an_unknown_name_lists_the_shipped_ones():
    with pytest.raises(LookupError, match="organisation"):
        selfassess.get("nope")
