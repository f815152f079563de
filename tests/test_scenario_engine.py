"""The pure engine: start, choose, back, score, endings and every path."""

from __future__ import annotations

import sys

import pytest

from coproduction.scenario import (InvalidChoice, available, back, choose, paths, play_through,
                                  score, start)
from coproduction.scenario.engine import decisions_left


def test_start_state(small_scenario):
    state = start(small_scenario)
    assert state.node_id == "first"
    assert not state.finished and state.ending is None
    assert state.history == () and state.last_choice is None


def test_choose_moves_and_records(small_scenario):
    state = choose(start(small_scenario), "visit")
    assert state.node_id == "second"
    assert state.last_choice.id == "visit"
    assert "knows the home" in state.last_choice.feedback
    assert [(s.node_id, s.choice_id) for s in state.history] == [("first", "visit")]


def test_states_are_not_changed_by_choosing(small_scenario):
    first = start(small_scenario)
    choose(first, "visit")
    assert first.node_id == "first" and first.history == ()


@pytest.mark.parametrize("choices, ending", [
    (["visit", "plan"], "partner"),
    (["leaflet", "works"], "mixed"),
    (["leaflet", "close"], "expert-provider"),
])
def test_play_through_reaches_each_ending(small_scenario, choices, ending):
    state = play_through(small_scenario, choices)
    assert state.finished and state.ending == ending


def test_choice_not_on_offer(small_scenario):
    with pytest.raises(InvalidChoice, match="'plan' is not one of the choices at 'first'"):
        choose(start(small_scenario), "plan")


def test_no_choice_after_the_end(small_scenario):
    with pytest.raises(InvalidChoice, match="already ended"):
        play_through(small_scenario, ["visit", "plan", "plan"])


def test_back_and_back_at_start(small_scenario):
    state = play_through(small_scenario, ["visit", "plan"])
    assert back(state).node_id == "second"
    assert back(back(state)).node_id == "first"
    assert back(back(back(state))) == start(small_scenario)


def test_score(small_scenario):
    result = score(play_through(small_scenario, ["visit", "plan"]))
    assert result.decisions == 2
    assert result.stance == 2.0
    assert result.values["assets"] == 1.0
    assert result.values["reciprocity"] == 1.5  # (1 + 2) / 2
    assert result.values["social_networks"] is None  # not at stake on this path
    expert = score(play_through(small_scenario, ["leaflet", "close"]))
    assert expert.stance == -2.0 and expert.values["respect"] == -2.0


def test_score_before_any_choice(small_scenario):
    result = score(start(small_scenario))
    assert result.stance is None and result.decisions == 0


def test_all_paths(small_scenario):
    routes = paths(small_scenario)
    assert len(routes) == 6  # 2 first choices x 3 second choices
    assert ["visit", "plan"] in routes
    for path in routes:
        assert play_through(small_scenario, path).finished


def test_decisions_left(small_scenario):
    assert decisions_left(start(small_scenario)) == 2
    assert decisions_left(choose(start(small_scenario), "visit")) == 1
    assert decisions_left(play_through(small_scenario, ["visit", "plan"])) == 0


def test_route_depends_on_the_route_so_far(small_scenario):
    # The same last click ends differently: a plan agreed after a visit is a
    # partnership, one agreed after sending a leaflet (mean stance 0) is not.
    assert play_through(small_scenario, ["visit", "plan"]).ending == "partner"
    assert play_through(small_scenario, ["leaflet", "plan"]).ending == "mixed"


# -- state carried through a play ------------------------------------------------


def test_start_has_each_measure_at_its_start(stateful_scenario):
    state = start(stateful_scenario)
    assert state.measures == {"trust": 1, "days": 2}
    assert state.facts == frozenset() and state.mean_stance is None


def test_effects_and_facts_are_applied(stateful_scenario):
    state = choose(start(stateful_scenario), "meet")
    assert state.measures == {"trust": 2, "days": 1}
    assert state.facts == {"met-tenants"}
    assert state.mean_stance == 2


def test_measures_stay_within_their_range(stateful_scenario):
    # trust starts at 1 and patrol takes 2 off: it stops at the minimum, 0
    assert choose(start(stateful_scenario), "patrol").measures["trust"] == 0


def test_choices_on_offer_depend_on_the_state(stateful_scenario):
    after_meeting = choose(start(stateful_scenario), "meet")
    after_patrol = choose(start(stateful_scenario), "patrol")
    assert [c.id for c in available(after_meeting)] == ["walk", "close"]
    assert [c.id for c in available(after_patrol)] == ["invite", "close"]
    with pytest.raises(InvalidChoice, match="not on offer at 'second' now"):
        choose(after_patrol, "walk")
    assert available(play_through(stateful_scenario, ["meet", "walk"])) == []


def test_extra_text_follows_the_facts(stateful_scenario):
    met = choose(start(stateful_scenario), "present").text()
    assert "Doreen waves at you." in met and "Nobody from the association" not in met
    not_met = choose(start(stateful_scenario), "patrol").text()
    assert "Nobody from the association has called." in not_met and "Doreen" not in not_met


@pytest.mark.parametrize("route, ending, trust", [
    (["meet", "walk"], "partner", 3),        # trust reached 3
    (["present", "walk"], "mixed", 2),       # same last click, trust only 2
    (["present", "invite"], "mixed", 2),     # mean stance 0.5 and trust 2
    (["patrol", "invite"], "expert-provider", 1),  # same last click, mean stance -0.5
    (["meet", "close"], "expert-provider", 2),
])
def test_routes_follow_measures_and_mean_stance(stateful_scenario, route, ending, trust):
    state = play_through(stateful_scenario, route)
    assert (state.ending, state.measures["trust"]) == (ending, trust)


def test_back_restores_measures_and_facts(stateful_scenario):
    first = choose(start(stateful_scenario), "meet")
    done = choose(first, "walk")
    assert back(done) == first
    assert back(first) == start(stateful_scenario)
    assert back(first).facts == frozenset()


def test_every_route_is_listed_once_and_replays(stateful_scenario):
    routes = paths(stateful_scenario)
    assert sorted(routes) == sorted([
        ["meet", "walk"], ["meet", "close"], ["present", "walk"], ["present", "invite"],
        ["present", "close"], ["patrol", "invite"], ["patrol", "close"]])
    assert all(play_through(stateful_scenario, r).finished for r in routes)


def test_score_is_exact_with_state(stateful_scenario):
    result = score(play_through(stateful_scenario, ["present", "invite"]))
    assert result.decisions == 2 and result.stance == 0.5


def test_a_route_revisiting_a_state_is_not_endless(write):
    from coproduction.scenario import load

    text = """\
    schema_version: 2
    id: loop
    title: Loop
    measures: [{id: n, label: N, start: 0, min: 0, max: 2}]
    start: a
    nodes:
      - id: a
        text: A
        choices:
          - {id: wait, label: Wait, next: a, stance: 0, values: {assets: 0}, feedback: f}
          - {id: push, label: Push, next: a, stance: 1, values: {assets: 1}, feedback: f,
             effects: {n: 1}, when: {measure: n, at_most: 1}}
          - id: leave
            label: Leave
            next: [{if: {measure: n, at_least: 2}, to: end}, {to: a}]
            stance: 0
            values: {assets: 0}
            feedback: f
      - {id: end, text: End, ending: mixed}
    """
    scenario = load(write(text))
    routes = paths(scenario)
    # waiting never changes the state, so no listed route waits; pushing twice then leaving ends
    assert routes == [["push", "push", "leave"]]
    assert decisions_left(start(scenario)) == 3


def test_model_does_not_import_the_engine():
    """The model is plain data: it, the schema and the conditions never import the engine."""
    import ast

    from coproduction.scenario import conditions, model, schema

    for module in (model, schema, conditions):
        tree = ast.parse(open(module.__file__, encoding="utf-8").read())
        imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        imported |= {f"{n.module}.{a.name}" if n.module else a.name
                     for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names}
        assert not any("engine" in name for name in imported), (module.__name__, imported)


def test_engine_imports_no_widgets():
    import subprocess

    code = ("import sys, coproduction.scenario.engine, coproduction.scenario; "
            "print('ipywidgets' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
