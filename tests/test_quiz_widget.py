"""Self-check widgets, tested through their state."""

from __future__ import annotations

import pytest

pytest.importorskip("ipywidgets")

from coproduction import quiz  # noqa: E402
from coproduction.journal import Journal  # noqa: E402
from coproduction.widgetkit import NOT_YET_BUTTON, RIGHT_BUTTON, WRAP_CLASS  # noqa: E402
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
    assert (wrong.style.text_color, wrong.style.button_color) == NOT_YET_BUTTON
    assert wrong.icon == "times"
    right = next(b for b in q.buttons if b.description == "Citizen Control")
    right.click()
    assert "Right. The top rung hands power to citizens." in q.feedback.value
    assert (right.style.text_color, right.style.button_color) == RIGHT_BUTTON
    assert right.icon == "check"
    assert wrong.style.button_color is None and wrong.style.text_color is None and not wrong.icon
    entries = Journal(journal_file).entries("check")
    assert [(e.detail["answer"], e.detail["correct"]) for e in entries] == [
        ("Placation", False), ("Citizen Control", True)]
    assert entries[0].subject == "tiny/top-rung"


def test_answer_colours_are_the_checked_readable_pairs():
    from coproduction.widgetkit import COLOUR_PAIRS

    # test_scenario_player works out the contrast ratio of every pair in COLOUR_PAIRS.
    assert RIGHT_BUTTON in COLOUR_PAIRS.values() and NOT_YET_BUTTON in COLOUR_PAIRS.values()


def test_right_is_said_once(write, tmp_path):
    from coproduction.quiz.widget import CheckView, with_lead

    assert with_lead(True, "Right. It is.") == "Right. It is."
    assert with_lead(True, "right, it is.") == "right, it is."
    assert with_lead(True, "Rightly so.") == "Right. Rightly so."
    assert with_lead(False, "Not quite: look again.") == "Not quite: look again."
    assert with_lead(False, "Look again.") == "Not quite. Look again."
    # Feedback written the old way, already starting with "Right." / "Not quite."
    source = SOURCE.replace("feedback: The top rung", "feedback: Right. The top rung")
    source = source.replace("feedback: That rung", "feedback: Not quite. That rung")
    v = CheckView(quiz.load(quiz.seal_file(write(source, "src.yaml"), tmp_path / "tiny.yaml")),
                  journal=False)
    q = v.question("top-rung")
    q.answer("Citizen Control")
    assert "✔ Right. The top rung hands power to citizens." in q.feedback.value
    assert "Right. Right." not in q.feedback.value
    q.answer("Placation")
    assert "✘ Not quite. That rung" in q.feedback.value
    assert "Not quite. Not quite." not in q.feedback.value
    v.close()


def test_number_and_prompt_share_a_line(view):
    assert "<p><b>1.</b> What is the top rung" in view.question("top-rung").prompt.value
    assert "<p><b>2.</b> Sort the rungs." in view.question("sort-ladder").prompt.value


def test_labels_wrap_instead_of_being_cut_off(view):
    choice, sort = view.question("top-rung"), view.question("sort-ladder")
    wrapped = [*choice.buttons, sort.check_button, *sort.dropdowns.values()]
    assert all(WRAP_CLASS in widget._dom_classes for widget in wrapped)
    assert view.children[0] is view.style_sheet
    css = view.style_sheet.value
    assert css.startswith("<style>") and view.style_sheet.layout.display == "none"
    assert f".{WRAP_CLASS}.widget-dropdown > .widget-label" in css
    assert "white-space: normal" in css and "height: auto" in css


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
