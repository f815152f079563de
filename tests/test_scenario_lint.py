"""Lint: unreachable nodes, paths that never end, choices without feedback."""

from __future__ import annotations

from coproduction.scenario import check, lint
from conftest import SMALL_SCENARIO


def test_clean_scenario_has_no_problems(small_scenario):
    assert lint(small_scenario) == []


def test_unreachable_node(write):
    text = SMALL_SCENARIO + "  - id: orphan\n    text: Nobody gets here.\n    ending: mixed\n"
    [problem] = check(write(text))
    assert problem.message == "node 'orphan' can never be reached: no choice leads to it"
    assert problem.line == len(SMALL_SCENARIO.splitlines()) + 1


def test_path_that_never_ends(write):
    # 'works' now leads to a loop of two nodes with no way out
    text = SMALL_SCENARIO.replace("next: middle", "next: loop-a") + (
        "  - id: loop-a\n    text: Round\n    choices:\n"
        "      - {id: on, label: On, next: loop-b, stance: 0, values: {assets: 0}, feedback: f}\n"
        "  - id: loop-b\n    text: And round\n    choices:\n"
        "      - {id: back, label: Back, next: loop-a, stance: 0, values: {assets: 0}, feedback: f}\n"
    )
    found = check(write(text))
    never = [p for p in found if "no ending can be reached" in p.message]
    assert {p.field for p in never} == {"nodes[loop-a]", "nodes[loop-b]"}
    # 'middle' is now unreachable too, and is reported as such
    assert any("'middle' can never be reached" in p.message for p in found)


def test_choice_without_feedback(write):
    text = SMALL_SCENARIO.replace("        feedback: Closed on paper.\n", "")
    [problem] = check(write(text))
    assert problem.field == "nodes[second].choices[close].feedback"
    assert "has no feedback" in problem.message
    assert problem.line == SMALL_SCENARIO.splitlines().index("      - id: close") + 1


def test_blank_feedback_counts_as_none(write):
    text = SMALL_SCENARIO.replace("feedback: Closed on paper.", "feedback: '  '")
    assert [p.field for p in check(write(text))] == ["nodes[second].choices[close].feedback"]


def test_no_ending_at_all(write):
    text = """\
    schema_version: 1
    id: endless
    title: Endless
    start: a
    nodes:
      - id: a
        text: A
        choices:
          - {id: go, label: Go, next: b, stance: 0, values: {assets: 0}, feedback: f}
      - id: b
        text: B
        choices:
          - {id: go, label: Go, next: a, stance: 0, values: {assets: 0}, feedback: f}
    """
    messages = [p.message for p in check(write(text))]
    assert any("has no ending" in m for m in messages)


def test_check_returns_load_problems(write):
    [problem] = check(write(""))
    assert problem.message == "the file is empty"
