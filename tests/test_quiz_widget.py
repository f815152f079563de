"""Self-check widgets, tested through their state."""

from __future__ import annotations

import pytest

pytest.importorskip("ipywidgets")

from coproduction import quiz  # noqa: E402
from coproduction.journal import Journal  # noqa: E402
from test_quiz import SOURCE  # noqa: E402


@pytest.fixture
def view(write, tmp_path, journal_file):
    out = quiz.seal_file(write(SOURCE, "src.yaml"), tmp_path / "tiny.yaml")
    from coproduction.quiz.widget import CheckView

    v = CheckView(quiz.load(out), journal=Journal(journal_file))
    yield v
    v.close()


def test_one_button_per_option_with_labels(view):
    q = view.question("top-rung")
    assert sorted(b.description for b in q.buttons) == ["Citizen Control", "Placation"]
    assert all(b.tooltip.startswith("Answer: ") for b in q.buttons)
    assert "top rung of Arnstein" in q.prompt.value


def test_clicking_gives_instant_feedback_and_is_journalled(view, journal_file):
    q = view.question("top-rung")
    wrong = next(b for b in q.buttons if b.description == "Placation")
    wrong.click()
    assert "Not quite. That rung sits in the tokenism group." in q.feedback.value
    assert wrong.button_style == "warning"
    right = next(b for b in q.buttons if b.description == "Citizen Control")
    right.click()
    assert "Right. The top rung hands power to citizens." in q.feedback.value
    assert right.button_style == "success" and wrong.button_style == ""
    entries = Journal(journal_file).entries("check")
    assert [(e.detail["answer"], e.detail["correct"]) for e in entries] == [
        ("Placation", False), ("Citizen Control", True)]
    assert entries[0].subject == "tiny/top-rung"


def test_sorting(view, journal_file):
    q = view.question("sort-ladder")
    assert all(d.description for d in q.dropdowns.values())
    q.place("Consultation", "Citizen power")
    q.check_button.click()
    assert "Who decides in the end?" in q.notes["Consultation"].value
    assert q.notes["Partnership"].value == ""
    assert "0 of 1 placed items are right; 1 still to place" in q.feedback.value
    q.place("Consultation", "Tokenism")
    q.place("Partnership", "Citizen power")
    q.check_button.click()
    assert "All 2 are in the right place." in q.feedback.value
    assert "Power is shared." in q.notes["Partnership"].value
    last = Journal(journal_file).entries("check")[-1]
    assert last.detail == {"answer": {"Consultation": "Tokenism", "Partnership": "Citizen power"},
                           "correct": True}


def test_journal_problem_is_shown_not_raised(write, tmp_path):
    out = quiz.seal_file(write(SOURCE, "src.yaml"), tmp_path / "tiny.yaml")
    from coproduction.quiz.widget import CheckView

    class Full:
        notice = None

        def record_check(self, *args):
            raise OSError("no space left on device")

    v = CheckView(quiz.load(out), journal=Full())
    q = v.question("top-rung")
    q.answer("Citizen Control")
    assert "Right." in q.feedback.value
    assert "could not be saved to your journal: no space left on device" in q.feedback.value
    v.close()


def test_shipped_check_shows(journal_file):
    v = quiz.show("01-origins", journal=False)
    assert len(v.questions) >= 5
    v.close()


def test_no_widgets_left_behind(write, tmp_path):
    from ipywidgets.widgets.widget import _instances

    out = quiz.seal_file(write(SOURCE, "src.yaml"), tmp_path / "tiny.yaml")
    before = set(_instances)
    v = quiz.show("01-origins", journal=False)
    v.questions[0].answer(v.questions[0].question.options[0])
    v.close()
    assert set(_instances) - before == set()
    del out
