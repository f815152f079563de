"""Self-checks: sealing, marking, and no answers in plain text."""

from __future__ import annotations

import pytest
from ruamel.yaml import YAML

from coproduction import quiz
from coproduction.problems import CourseFileError
from coproduction.quiz.model import seal_text, unseal_text
from conftest import ROOT

SOURCE = """\
schema_version: 1
id: tiny
title: A tiny check
questions:
  - id: top-rung
    kind: choice
    prompt: What is the top rung of Arnstein's ladder?
    options:
      - text: Citizen Control
        correct: true
        feedback: The top rung hands power to citizens.
      - text: Placation
        feedback: That rung sits in the tokenism group.
  - id: sort-ladder
    kind: sort
    prompt: Sort the rungs.
    categories: [Tokenism, Citizen power]
    items:
      - text: Consultation
        category: Tokenism
        feedback: Views are asked for, power stays put.
        hint: Who decides in the end?
      - text: Partnership
        category: Citizen power
        feedback: Power is shared.
"""


@pytest.fixture
def sealed_check(write, tmp_path):
    out = quiz.seal_file(write(SOURCE, "tiny-source.yaml"), tmp_path / "tiny.yaml")
    return quiz.load(out), out


def test_sealed_file_hides_answers_and_feedback(sealed_check):
    _, out = sealed_check
    text = out.read_text()
    assert "correct" not in text and "category:" not in text
    assert "hands power to citizens" not in text
    assert "Views are asked for" not in text
    assert "Who decides in the end?" in text  # hints are meant to be read


def test_choice_marks_and_feedback(sealed_check):
    check, _ = sealed_check
    q = check.questions[0]
    assert sorted(q.options) == ["Citizen Control", "Placation"]
    right = q.mark("Citizen Control")
    assert right.correct and right.feedback == "The top rung hands power to citizens."
    wrong = q.mark("Placation")
    assert not wrong.correct and wrong.feedback == "That rung sits in the tokenism group."


def test_sort_marks(sealed_check):
    check, _ = sealed_check
    q = check.questions[1]
    marks = q.mark({"Consultation": "Citizen power", "Partnership": "Citizen power"})
    assert not marks["Consultation"].correct
    assert marks["Consultation"].feedback == "Who decides in the end?"
    assert marks["Partnership"].correct and marks["Partnership"].feedback == "Power is shared."


def test_resealing_keeps_the_salt(write, tmp_path, sealed_check):
    _, out = sealed_check
    before = out.read_text()
    quiz.seal_file(write(SOURCE, "tiny-source.yaml"), out)
    assert out.read_text() == before


def test_same_answer_hashes_differently_per_question():
    assert quiz.answer_hash("s", "q1", "Yes") != quiz.answer_hash("s", "q2", "Yes")
    assert quiz.answer_hash("s1", "q1", "Yes") != quiz.answer_hash("s2", "q1", "Yes")


def test_seal_round_trip_and_wrong_key():
    blob = seal_text("Réciprocité: two-way", "salt", "q", "option")
    assert unseal_text(blob, "salt", "q", "option") == "Réciprocité: two-way"
    assert unseal_text(blob, "salt", "q", "other") != "Réciprocité: two-way"


def test_source_needs_exactly_one_correct_option(write):
    text = SOURCE.replace("        feedback: That rung", "        correct: true\n        feedback: That rung")
    with pytest.raises(CourseFileError) as caught:
        quiz.seal(write(text))
    [problem] = caught.value.problems
    assert "exactly one option with 'correct: true' (it has 2)" in problem.message
    assert problem.line == 8


def test_source_category_must_exist(write):
    text = SOURCE.replace("category: Citizen power", "category: Citizen powre")
    with pytest.raises(CourseFileError) as caught:
        quiz.seal(write(text))
    [problem] = caught.value.problems
    assert "'Citizen powre' is not one of this question's categories" in problem.message
    assert problem.line == text.splitlines().index("        category: Citizen powre") + 1


def test_source_missing_feedback_is_named(write):
    text = SOURCE.replace("        feedback: Power is shared.\n", "")
    with pytest.raises(CourseFileError) as caught:
        quiz.seal(write(text))
    [problem] = caught.value.problems
    assert problem.message == "missing field 'feedback'"
    assert problem.field == "questions[sort-ladder].items[2].feedback"


def test_unknown_question_kind(write):
    with pytest.raises(CourseFileError) as caught:
        quiz.seal(write(SOURCE.replace("kind: sort", "kind: essay")))
    assert any("must be one of: choice, sort" in p.message for p in caught.value.problems)


def test_tampered_sealed_file_is_rejected(sealed_check, tmp_path):
    _, out = sealed_check
    yaml = YAML()
    data = yaml.load(out.read_text())
    data["questions"][0]["answer"] = "Citizen Control"  # someone pastes a plain answer
    bad = tmp_path / "bad.yaml"
    yaml.dump(data, bad)
    with pytest.raises(CourseFileError) as caught:
        quiz.load(bad)
    assert "must be a sealed answer" in caught.value.problems[0].message


def test_unknown_check_name():
    with pytest.raises(LookupError, match="There is no self-check called 'nope'"):
        quiz.get("nope")


@pytest.mark.parametrize("keys", sorted((ROOT / "toolkit" / "self-check-keys").glob("*.yaml")),
                         ids=lambda path: path.stem)
def test_self_check_feedback_does_not_start_with_the_verdict(keys):
    """The check already says right or not; the feedback goes on to why."""
    source = YAML(typ="safe").load(keys.read_text(encoding="utf-8"))
    for q in source["questions"]:
        feedback = ([o["feedback"] for o in q["options"]] if q["kind"] == "choice"
                    else [i["feedback"] for i in q["items"]])
        for text in feedback:
            assert not text.startswith(("Right", "Not quite", "Correct", "Wrong")), text[:40]

