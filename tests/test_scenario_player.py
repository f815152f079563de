"""The player, tested through its widget state: labels, clicks, feedback, summary, journal."""

from __future__ import annotations

import pytest

ipywidgets = pytest.importorskip("ipywidgets")

from coproduction.journal import Journal  # noqa: E402
from coproduction.scenario.player import Player  # noqa: E402


@pytest.fixture
def player(small_scenario, journal_file):
    p = Player(small_scenario, journal=Journal(journal_file))
    yield p
    p.close()


def labels(player):
    return [b.description for b in player.choice_buttons]


def test_first_step_is_drawn(player):
    assert "A small test scenario" in player.header.value
    assert "First contact" in player.narrative.value
    assert "A resident rings about damp." in player.narrative.value
    assert labels(player) == ["Send the damp leaflet", "Visit and listen"]
    assert player.back_button.disabled and player.restart_button.disabled
    assert player.summary.layout.display == "none"
    assert player.progress_text.value == "Decision 1 (up to 2 in all)"


def test_every_control_has_a_text_label(player):
    buttons = [*player.choice_buttons, player.back_button, player.restart_button]
    assert all(b.description.strip() for b in buttons)
    assert all(b.tooltip for b in buttons)
    assert player.progress.description == "Progress"


def test_click_shows_feedback_and_next_step(player):
    player.choice_buttons[1].click()
    assert player.state.node_id == "second"
    assert "You chose: Visit and listen" in player.feedback.value
    assert "knows the home" in player.feedback.value
    assert 'aria-live="polite"' in player.feedback.value
    assert "What next?" in player.narrative.value
    assert labels(player) == ["Agree a plan together", "Order works", "Close the case"]
    assert not player.back_button.disabled
    assert player.progress.value == 1 and player.progress.max == 2


def test_text_is_escaped(small_scenario, journal_file):
    from dataclasses import replace

    nodes = dict(small_scenario.nodes)
    nodes["first"] = replace(nodes["first"], text="<script>alert(1)</script> & more")
    p = Player(replace(small_scenario, nodes=nodes), journal=False)
    assert "<script>" not in p.narrative.value
    assert "&lt;script&gt;" in p.narrative.value
    p.close()


def test_ending_shows_summary_chart_and_saves(player, journal_file):
    player.choice_buttons[1].click()
    player.choice_buttons[0].click()
    assert player.state.ending == "partner"
    assert player.choice_buttons == []
    assert player.summary.layout.display is None
    assert "You reached a partner ending" in player.summary_table.value
    assert "Overall stance</th><td>+2.0" in player.summary_table.value
    assert "not at stake" in player.summary_table.value
    assert player.summary_chart.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert player.progress_text.value == "Finished after 2 decisions"
    [entry] = Journal(journal_file).entries()
    assert entry.kind == "scenario" and entry.subject == "small"
    assert entry.detail["path"] == [["first", "visit"], ["second", "plan"]]
    assert entry.detail["ending"] == "partner"


def test_step_back_and_restart(player):
    player.choice_buttons[0].click()
    player.choice_buttons[2].click()
    assert player.state.ending == "expert-provider"
    player.back_button.click()
    assert player.state.node_id == "second"
    assert player.summary.layout.display == "none"
    assert player.summary_chart.value == b""
    player.restart_button.click()
    assert player.state.node_id == "first" and player.state.history == ()
    assert player.feedback.value == ""


def test_old_buttons_are_closed(player):
    old = player.choice_buttons
    old[0].click()
    assert all(b.comm is None and b.layout.comm is None for b in old)


def test_journal_failure_does_not_break_the_player(small_scenario, tmp_path):
    folder = tmp_path / "not-a-file.sqlite"
    folder.mkdir()

    class Broken:
        notice = None

        def record_scenario(self, state):
            raise OSError("the disk is full")

    p = Player(small_scenario, journal=Broken())
    p.choose("visit")
    p.choose("plan")
    assert p.state.finished
    assert "could not be saved to your journal: the disk is full" in p.saved_note.value
    p.close()


def test_no_widgets_left_behind(small_scenario):
    from ipywidgets.widgets.widget import _instances

    before = set(_instances)
    p = Player(small_scenario, journal=False)
    p.choose("visit")
    p.choose("plan")
    p.restart()
    p.close()
    assert set(_instances) - before == set()


def test_play_by_name_returns_a_player():
    from coproduction import scenario

    name = scenario.names()[0]
    p = scenario.play(name, journal=False)
    assert isinstance(p, Player) and p.scenario.id == name
    p.close()


# -- a scenario that carries state -------------------------------------------------


@pytest.fixture
def stateful_player(stateful_scenario, journal_file):
    p = Player(stateful_scenario, journal=Journal(journal_file))
    yield p
    p.close()


def test_meters_show_measures_in_words(stateful_player):
    text = stateful_player.meters.value
    assert "Residents&#x27;s trust" not in text  # escaped once, not twice
    assert "Residents&#x27; trust: 1 out of 4" in text
    assert 'role="meter"' in text and 'aria-valuetext="1 out of 4"' in text
    assert "Days left" not in text  # a measure with show: false stays hidden


def test_meters_say_how_a_choice_moved_them(stateful_player):
    stateful_player.choose("meet")
    assert "Residents&#x27; trust: 2 out of 4 (up 1)" in stateful_player.meters.value
    stateful_player.restart()
    stateful_player.choose("patrol")
    assert "Residents&#x27; trust: 0 out of 4 (down 1)" in stateful_player.meters.value


def test_only_choices_on_offer_are_buttons(stateful_player):
    stateful_player.choose("patrol")
    assert labels(stateful_player) == ["Invite residents to walk", "Close the case"]
    assert "Nobody from the association has called." in stateful_player.narrative.value
    stateful_player.back()
    stateful_player.choose("meet")
    assert labels(stateful_player) == ["Walk the estate together", "Close the case"]
    assert "Doreen waves at you." in stateful_player.narrative.value


def test_the_journal_keeps_the_final_state(stateful_player, journal_file):
    stateful_player.choose("meet")
    stateful_player.choose("walk")
    [entry] = Journal(journal_file).entries("scenario")
    assert entry.detail["ending"] == "partner"
    assert entry.detail["measures"] == {"trust": 3, "days": 1}
    assert entry.detail["facts"] == ["met-tenants"]


def test_no_meters_for_a_scenario_without_measures(player):
    assert player.meters.value == ""
