"""The pure engine: start, choose, back, score, endings and every path."""

from __future__ import annotations

import sys

import pytest

from coproduction.scenario import InvalidChoice, back, choose, score, start
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
    state = small_scenario.play_through(choices)
    assert state.finished and state.ending == ending


def test_choice_not_on_offer(small_scenario):
    with pytest.raises(InvalidChoice, match="'plan' is not one of the choices at 'first'"):
        choose(start(small_scenario), "plan")


def test_no_choice_after_the_end(small_scenario):
    with pytest.raises(InvalidChoice, match="already ended"):
        small_scenario.play_through(["visit", "plan", "plan"])


def test_back_and_back_at_start(small_scenario):
    state = small_scenario.play_through(["visit", "plan"])
    assert back(state).node_id == "second"
    assert back(back(state)).node_id == "first"
    assert back(back(back(state))) == start(small_scenario)


def test_score(small_scenario):
    result = score(small_scenario.play_through(["visit", "plan"]))
    assert result.decisions == 2
    assert result.stance == 2.0
    assert result.values["assets"] == 1.0
    assert result.values["reciprocity"] == 1.5  # (1 + 2) / 2
    assert result.values["social_networks"] is None  # not at stake on this path
    expert = score(small_scenario.play_through(["leaflet", "close"]))
    assert expert.stance == -2.0 and expert.values["respect"] == -2.0


def test_score_before_any_choice(small_scenario):
    result = score(start(small_scenario))
    assert result.stance is None and result.decisions == 0


def test_all_paths(small_scenario):
    paths = small_scenario.paths()
    assert len(paths) == 6  # 2 first choices x 3 second choices
    assert ["visit", "plan"] in paths
    for path in paths:
        assert small_scenario.play_through(path).finished


def test_decisions_left(small_scenario):
    assert decisions_left(small_scenario, "first") == 2
    assert decisions_left(small_scenario, "second") == 1
    assert decisions_left(small_scenario, "good") == 0


def test_engine_imports_no_widgets():
    import subprocess

    code = ("import sys, coproduction.scenario.engine, coproduction.scenario; "
            "print('ipywidgets' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
