"""The self-assessment widget, through its state: answers saved to the journal as given and
brought back, the gap shown only when both views are complete enough, a chart whose numbers
are written on it, and a hostile journal entry left out with a message."""

from __future__ import annotations

import json
import sqlite3

import pytest

pytest.importorskip("ipywidgets")

from coproduction import selfassess  # noqa: E402
from coproduction.journal import Journal  # noqa: E402
from coproduction.selfassess_widget import GAP_NEEDS, SelfAssessment, gap_chart  # noqa: E402


@pytest.fixture
def journal(journal_file):
    return Journal(journal_file)


@pytest.fixture
def sheet():
    return selfassess.get("organisation")


@pytest.fixture
def widgets():
    """Widgets made in a test, closed at its end so none is left behind."""
    made: list[SelfAssessment] = []
    yield made
    for widget in made:
        widget.close()


def _show(widgets, journal, team=None) -> SelfAssessment:
    widget = selfassess.show("organisation", team=team, journal=journal)
    widgets.append(widget)
    return widget


def _rate(widget, view: str, score_of) -> None:
    widget.view.value = view
    for item, box in widget.ratings.items():
        box.value = score_of(item)


def test_every_control_has_a_visible_label(widgets, journal, sheet):
    widget = _show(widgets, journal)
    assert widget.view.description == "Whose view"
    assert [label for label, _ in widget.view.options] == ["Staff", "People with lived experience"]
    assert len(widget.ratings) == 20
    for domain in sheet.domains:
        for item, text in domain.items.items():
            box = widget.ratings[item]
            # the description is the label drawn beside the drop-down and its accessible name
            assert box.description == f"{item}. {text}"
            assert box.value == 0 and box.options[0] == ("not answered yet", 0)
            assert [v for _, v in box.options[1:]] == [1, 2, 3, 4, 5]
    assert "1 (not at all)" in [label for label, _ in widget.ratings["C1"].options]
    assert "5 (fully)" in [label for label, _ in widget.ratings["C1"].options]


def test_a_rating_is_saved_to_the_journal_as_it_is_given(widgets, journal):
    widget = _show(widgets, journal)
    widget.ratings["C1"].value = 4
    assert journal.selfassessment("organisation/staff")["answers"] == {"C1": 4}
    assert "Saved to your journal: 1 of 20" in widget.status.value
    widget.ratings["C1"].value = 0  # back to "not answered yet"
    assert journal.selfassessment("organisation/staff")["answers"] == {}
    # one entry per view, replaced each time, never a pile of old ones
    assert len(journal.entries("selfassessment")) == 1


def test_a_new_widget_brings_the_answers_back(widgets, journal):
    first = _show(widgets, journal)
    first.ratings["S3"].value = 2
    first.view.value = "lived experience"
    first.ratings["S3"].value = 1
    again = _show(widgets, Journal(journal.path))
    assert again.view.value == "staff" and again.ratings["S3"].value == 2
    again.view.value = "lived experience"
    assert again.ratings["S3"].value == 1
    assert again.ratings["C1"].value == 0


def test_switching_view_does_not_overwrite_the_other_view(widgets, journal):
    widget = _show(widgets, journal)
    widget.ratings["C1"].value = 5
    widget.view.value = "lived experience"
    assert widget.ratings["C1"].value == 0
    widget.view.value = "staff"
    assert widget.ratings["C1"].value == 5
    assert journal.selfassessment("organisation/lived experience") is None


def test_teams_are_kept_apart(widgets, journal):
    alder = _show(widgets, journal, team="Alder Road")
    alder.ratings["C1"].value = 3
    brook = _show(widgets, journal, team="Brook Street")
    assert brook.ratings["C1"].value == 0
    assert journal.selfassessment("organisation/Alder Road/staff")["team"] == "Alder Road"


def test_each_area_shows_its_mean_and_band(widgets, journal):
    widget = _show(widgets, journal)
    for item in ("C1", "C2", "C3", "C4"):
        widget.ratings[item].value = 3
    assert "Culture</th><td>4 of 4</td><td>3.00</td><td>established" in widget.results.value
    assert "Review</th><td>0 of 4</td><td>-</td><td>-" in widget.results.value


def test_the_gap_appears_only_when_both_views_are_complete_enough(widgets, journal, sheet):
    widget = _show(widgets, journal)
    _rate(widget, "staff", lambda item: 4)
    assert not widget.gap_ready() and widget.chart == []
    assert "appears here when both have rated" in widget.gap.value
    # the other view, one statement short in one area
    short = [item for item in sheet.domains[-1].items][: GAP_NEEDS - 1]
    _rate(widget, "lived experience",
          lambda item: 0 if item.startswith("M") and item not in short else 2)
    assert not widget.gap_ready() and "<img" not in widget.gap.value
    widget.ratings["M4"].value = 2
    assert widget.gap_ready()
    assert "<img" in widget.gap.value and "alt='Bar chart of mean scores." in widget.gap.value
    # the text table says the same as the chart
    assert "<td>4.00</td><td>2.00</td><td>+2.00: staff rate it higher</td>" in widget.gap.value
    assert "gap +2.0" in widget.chart and "4.0" in widget.chart and "2.0" in widget.chart


def test_the_chart_writes_each_value_and_gap_on_it(sheet):
    staff = selfassess.result(sheet, {"C1": 4, "C2": 3, "S1": 2, "S2": 2, "P1": 5, "R1": 1,
                                      "M1": 3})
    lived = selfassess.result(sheet, {"C1": 2, "C2": 2, "S1": 3, "S2": 3, "P1": 5, "R1": 2,
                                      "M1": 1})
    fig = gap_chart(sheet, staff, lived)
    [ax] = fig.axes
    texts = [t.get_text() for t in ax.texts]
    assert texts[:5] == ["3.5", "2.0", "5.0", "1.0", "3.0"]  # staff, on their bars
    assert texts[5:10] == ["2.0", "3.0", "5.0", "2.0", "1.0"]  # lived experience
    assert texts[10:] == ["gap +1.5", "gap -1.0", "gap +0.0", "gap -1.0", "gap +2.0"]
    assert [t.get_text() for t in ax.get_xticklabels()] == [d.label for d in sheet.domains]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["Staff", "People with lived experience"]
    # the two views differ in pattern, not only in colour
    hatches = {bar.get_hatch() or "" for bar in ax.patches}
    assert len(hatches) == 2


def _plant(journal, subject: str, detail: str) -> None:
    """Write an entry as a hand-edited or crafted journal might hold it."""
    con = sqlite3.connect(journal.path)
    with con:
        con.execute("INSERT INTO entries (at, kind, subject, detail) VALUES (?, ?, ?, ?)",
                    ("2026-01-01T00:00:00+00:00", "selfassessment", subject, detail))
    con.close()


@pytest.mark.parametrize("answers, kept, message", [
    ({"C1": 9, "C2": "5", "C3": True, "C4": 2.5, "S1": 3, "<b>x</b>": 4}, {"S1": 3},
     "were not scores of this self-assessment and were left out"),
    ("not a dictionary", {}, "could not be read, so they were left out"),
])
def test_a_hostile_journal_entry_is_left_out_with_a_message(widgets, journal, answers, kept,
                                                            message):
    _plant(journal, "organisation/staff", json.dumps({"answers": answers, "view": "staff"}))
    widget = _show(widgets, journal)
    assert {item: box.value for item, box in widget.ratings.items() if box.value} == kept
    assert message in widget.status.value
    assert "<b>x</b>" not in widget.status.value  # text from the journal is never markup
    # and the widget still works: a new rating replaces the bad entry
    widget.ratings["P1"].value = 4
    assert journal.selfassessment("organisation/staff")["answers"] == {**kept, "P1": 4}


def test_a_detail_that_is_not_json_is_ignored(widgets, journal):
    _plant(journal, "organisation/staff", "{{{ not json")
    widget = _show(widgets, journal)
    assert all(box.value == 0 for box in widget.ratings.values())
    assert "could not be read" in widget.status.value


def test_the_journal_table_names_the_entry(widgets, journal):
    widget = _show(widgets, journal)
    widget.ratings["C1"].value = 4
    table = journal.history()
    [row] = table.to_dict("records")
    assert row["what"] == "self-assessment" and row["result"] == "1 statement(s) rated"


def test_without_a_journal_it_still_works(widgets):
    widget = SelfAssessment(selfassess.get("organisation"), journal=False)
    widgets.append(widget)
    widget.ratings["C1"].value = 4
    assert widget.answers["staff"] == {"C1": 4}
    assert "Not kept in a journal: 1 of 20" in widget.status.value
