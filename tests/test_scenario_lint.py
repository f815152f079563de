"""Lint: unreachable nodes, paths that never end, choices without feedback."""

from __future__ import annotations

from coproduction.scenario import check, lint
from conftest import SMALL_SCENARIO


def test_clean_scenario_has_no_problems(small_scenario):
    assert lint(small_scenario) == []


def test_unreachable_node(write):
    text = SMALL_SCENARIO + "  - id: orphan\n    text: Nobody gets here.\n    ending: mixed\n"
    [problem] = check(write(text))
    assert problem.message == ("node 'orphan' can never be reached: no choice leads to it "
                               "in any state a play can be in")
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
    assert len(found) == 2


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


# -- reasoning over the states a play can be in ---------------------------------

from conftest import STATEFUL_SCENARIO  # noqa: E402


def test_clean_stateful_scenario(stateful_scenario):
    assert lint(stateful_scenario) == []


def test_node_linked_but_never_reached_in_any_state(write):
    # 'good' is still named by a route, but trust can never reach 9 (its maximum is 4)
    text = STATEFUL_SCENARIO.replace("if: {measure: trust, at_least: 3}",
                                     "if: {measure: trust, at_least: 4}").replace(
        "start: 1, min: 0, max: 4", "start: 1, min: 0, max: 3")
    found = check(write(text))
    assert any(p.field == "nodes[good]" and "can never be reached" in p.message for p in found)
    assert any(p.field == "nodes[second].choices[walk].next"
               and "the route to 'good' is never taken" in p.message for p in found)


def test_choice_never_offered(write):
    text = STATEFUL_SCENARIO.replace("when: {measure: trust, at_most: 1}",
                                     "when: {measure: trust, at_least: 4}")
    found = check(write(text))
    never = [p for p in found if "is never offered" in p.message]
    assert [p.field for p in never] == ["nodes[second].choices[invite].when"]
    assert "trust >= 4" in never[0].message


def test_decision_point_with_nothing_on_offer(write):
    # after a patrol nothing but 'walk' would be offered, and 'walk' needs the meeting
    text = STATEFUL_SCENARIO.replace("when: {measure: trust, at_most: 1}",
                                     "when: {fact: met-tenants}").replace(
        "        next: bad\n        stance: -2\n        values: {respect: -1}",
        "        when: {fact: met-tenants}\n        next: bad\n        stance: -2\n"
        "        values: {respect: -1}")
    found = check(write(text))
    assert any(p.field == "nodes[second]" and "offers no choice at all" in p.message
               for p in found)


def test_fact_tested_but_never_set(write):
    text = STATEFUL_SCENARIO.replace(
        "facts:\n", "facts:\n  - {id: heard-kayden, label: You heard Kayden}\n").replace(
        "when: {fact: met-tenants}", "when: {any: [{fact: met-tenants}, {fact: heard-kayden}]}")
    found = check(write(text))
    assert [p.field for p in found] == ["facts[heard-kayden]"]
    assert "tested but no choice sets it" in found[0].message


def test_ending_that_contradicts_the_route(write):
    # Send every walk to the partner ending: present then walk has mean stance +1 (fine),
    # but a mixed ending for meet-and-close would be fine too; make close lead to 'good'.
    text = STATEFUL_SCENARIO.replace(
        "      - id: close\n        label: Close the case\n        next: bad",
        "      - id: close\n        label: Close the case\n        next: good")
    found = check(write(text))
    [problem] = [p for p in found if "mean stance" in p.message]
    assert problem.field == "nodes[good]"
    assert "a route with a mean stance of 0 or less ends in this partner ending" in problem.message
    assert "meet > close, mean +0.00" in problem.message or "close, mean" in problem.message


def test_too_many_states_is_a_plain_problem(stateful_scenario, monkeypatch):
    import sys

    monkeypatch.setattr(sys.modules["coproduction.scenario.lint"], "STATE_LIMIT", 3)
    [problem] = lint(stateful_scenario)
    assert "too many to check" in problem.message
