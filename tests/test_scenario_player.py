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
    assert "<span>Progress</span>" in player.progress.value


def test_click_shows_feedback_and_next_step(player):
    player.choice_buttons[1].click()
    assert player.state.node_id == "second"
    assert "You chose: Visit and listen" in player.feedback.value
    assert "knows the home" in player.feedback.value
    assert 'aria-live="polite"' in player.feedback.value
    assert "What next?" in player.narrative.value
    assert labels(player) == ["Agree a plan together", "Order works", "Close the case"]
    assert not player.back_button.disabled
    assert 'aria-valuenow="1"' in player.progress.value
    assert 'aria-valuemax="2"' in player.progress.value


def test_feedback_sits_under_the_story_it_answers(player):
    player.choose("visit")
    order = list(player.children)
    # The story that was on screen stays, and the feedback comes straight after it,
    # where the clicked button was, before the next step.
    assert order.index(player.previous) < order.index(player.feedback_box) \
        < order.index(player.narrative) < order.index(player.choice_box)
    assert order.index(player.meters) < order.index(player.previous)  # the story does not move
    assert "A resident rings about damp." in player.previous.value
    assert "First contact" in player.previous.value
    assert player.feedback_box.children == (player.back_button, player.feedback)
    assert player.feedback_box.layout.display is None
    assert "What next?" in player.narrative.value and "damp" not in player.narrative.value
    player.restart()
    assert player.previous.value == "" and player.feedback_box.layout.display == "none"


@pytest.fixture
def focused(monkeypatch):
    """The widgets asked to take the keyboard focus, in order (ipywidgets sends {'do': 'focus'})."""
    sent = []
    real_send = ipywidgets.Widget.send

    def send(self, content, buffers=None):
        if content == {"do": "focus"}:
            sent.append(self)
        return real_send(self, content, buffers)

    monkeypatch.setattr(ipywidgets.Widget, "send", send)
    return sent


def test_focus_moves_to_the_feedback_after_a_choice(player, focused):
    # Step back heads the feedback, so focusing it brings the feedback into view.
    player.choice_buttons[1].click()
    assert focused == [player.back_button]
    assert player.feedback_box.children.index(player.back_button) == 0
    player.choice_buttons[0].click()  # an ending
    assert focused == [player.back_button, player.back_button]
    assert not player.back_button.disabled


def test_focus_moves_to_the_first_choice_after_restart_and_step_back(player, focused):
    player.choose("visit")
    focused.clear()
    player.restart_button.click()  # Restart is disabled now, so focus must go somewhere
    assert player.restart_button.disabled
    assert focused == [player.choice_buttons[0]]
    assert player.choice_buttons[0].description == "Send the damp leaflet"
    player.choose("leaflet")
    player.choose("close")
    focused.clear()
    player.back_button.click()
    assert focused == [player.choice_buttons[0]]
    assert player.choice_buttons[0].description == "Agree a plan together"


def test_labels_wrap_instead_of_being_cut_off(player):
    from coproduction.widgetkit import WRAP_CLASS

    player.choose("visit")
    for button in [*player.choice_buttons, player.back_button, player.restart_button]:
        assert WRAP_CLASS in button._dom_classes
    sheet = player.children[0]
    assert sheet is player.style_sheet and sheet.value.startswith("<style>")
    css = sheet.value
    assert f".{WRAP_CLASS}.jupyter-button" in css
    for rule in ("white-space: normal", "height: auto", "text-align: left", "line-height"):
        assert rule in css
    assert "http" not in css and "@import" not in css  # nothing fetched


def test_progress_is_a_progressbar_with_values_in_words(player):
    assert 'role="progressbar"' in player.progress.value
    assert 'aria-valuemin="0"' in player.progress.value
    assert 'aria-valuenow="0"' in player.progress.value
    assert 'aria-valuetext="0 of up to 2 decisions made"' in player.progress.value
    player.choose("visit")
    player.choose("plan")
    assert 'aria-valuenow="2"' in player.progress.value
    assert 'aria-valuetext="All 2 decisions made"' in player.progress.value


def test_chart_has_a_text_alternative_with_its_numbers(player):
    player.choose("visit")
    player.choose("plan")
    chart = player.summary_chart.value
    assert 'alt="Bar chart of where your choices sat' in chart
    assert "Overall stance +2.0" in chart and "not at stake" in chart


def test_an_ending_says_it_was_saved(player):
    player.choose("visit")
    assert player.saved_note.value == ""
    player.choose("plan")
    assert "Your route and its ending are saved in your journal." in player.saved_note.value
    player.back()
    assert player.saved_note.value == ""


def test_no_saved_line_without_a_journal(small_scenario):
    p = Player(small_scenario, journal=False)
    p.choose("visit")
    p.choose("plan")
    assert "saved" not in p.saved_note.value
    p.close()


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
    assert '<img src="data:image/png;base64,iVBORw0KGgo' in player.summary_chart.value  # a PNG
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
    assert player.summary_chart.value == ""
    player.restart_button.click()
    assert player.state.node_id == "first" and player.state.history == ()
    assert player.feedback.value == ""


def test_buttons_not_on_offer_are_hidden_and_do_nothing(player):
    # Buttons are relabelled, not made afresh (so focus can move to them at once);
    # one left over from a step with more choices is hidden and inert.
    player.choose("visit")
    spare = player.choice_box.children[2]
    player.choose("plan")
    assert player.choice_buttons == [] and spare.layout.display == "none"
    spare.click()
    assert player.state.ending == "partner" and len(player.state.history) == 2


def test_journal_failure_does_not_break_the_player(small_scenario, tmp_path):
    folder = tmp_path / "not-a-file.sqlite"
    folder.mkdir()

    class Broken:
        notice = None

        def progress(self, scenario_id):
            return []

        def save_progress(self, scenario_id, route):
            raise OSError("the disk is full")

        def record_scenario(self, state):
            raise OSError("the disk is full")

    p = Player(small_scenario, journal=Broken())
    p.choose("visit")
    p.choose("plan")
    assert p.state.finished
    assert "could not be saved to your journal: the disk is full" in p.saved_note.value
    assert "are saved in your journal" not in p.saved_note.value
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
    # and the feedback says it too, where the trainee is reading
    assert "Residents&#x27; trust: up 1, now 2 out of 4." in stateful_player.feedback.value
    assert "Days left" not in stateful_player.feedback.value
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


# -- colours that can be read ------------------------------------------------------


def _luminance(colour: str) -> float:
    """WCAG 2 relative luminance of a #rrggbb colour."""
    channels = [int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(text: str, background: str) -> float:
    """WCAG 2 contrast ratio between two #rrggbb colours (1 to 21)."""
    light, dark = sorted((_luminance(text), _luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_ratio_matches_known_values():
    assert contrast_ratio("#ffffff", "#000000") == pytest.approx(21)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


def test_every_text_colour_pair_is_readable():
    from coproduction.widgetkit import COLOUR_PAIRS

    assert len(COLOUR_PAIRS) >= 5
    for name, (text, background) in COLOUR_PAIRS.items():
        assert contrast_ratio(text, background) >= 4.5, name


def test_callouts_set_their_own_text_colour():
    from coproduction.widgetkit import TEXT, status

    for good in (None, True, False):
        assert f"color:{TEXT}" in status("x", good)


# -- carrying on after a restart or another day -------------------------------------


def test_an_unfinished_play_carries_on_where_it_stopped(small_scenario, journal_file):
    first = Player(small_scenario, journal=Journal(journal_file))
    first.choose("visit")
    first.close()  # the kernel restarts, or the notebook is closed until tomorrow
    again = Player(small_scenario, journal=Journal(journal_file))
    assert [s.choice_id for s in again.state.history] == ["visit"]
    assert "carry on from decision 2" in again.saved_note.value
    assert again.back_button.disabled is False
    again.choose("plan")
    assert again.state.ending == "partner"
    assert Journal(journal_file).progress("small") == []  # finished: nothing to carry on
    fresh = Player(small_scenario, journal=Journal(journal_file))
    assert fresh.state.history == () and fresh.saved_note.value == ""
    for p in (again, fresh):
        p.close()


def test_restart_forgets_the_unfinished_play(small_scenario, journal_file):
    p = Player(small_scenario, journal=Journal(journal_file))
    p.choose("leaflet")
    p.restart()
    assert Journal(journal_file).progress("small") == []
    p.close()


def test_progress_that_no_longer_fits_the_scenario_is_ignored(small_scenario, journal_file):
    journal = Journal(journal_file)
    journal.save_progress("small", ["visit", "no-such-choice"])
    p = Player(small_scenario, journal=journal)
    assert p.state.history == () and p.saved_note.value == ""
    p.close()
    journal._add("progress", "small", {"route": "not a list"}, replace=True)  # handed in, odd
    assert journal.progress("small") == []


def test_without_resume_it_starts_afresh(small_scenario, journal_file):
    journal = Journal(journal_file)
    journal.save_progress("small", ["visit"])
    p = Player(small_scenario, journal=journal, resume=False)
    assert p.state.history == ()
    p.close()


def test_progress_is_not_listed_in_the_history(small_scenario, journal_file):
    journal = Journal(journal_file)
    journal.save_progress("small", ["visit"])
    assert "progress" not in set(journal.history()["what"])


def test_a_note_says_how_to_bring_the_widget_back(monkeypatch):
    """Shown in a notebook above the player; its style sheet hides it while it is drawn."""
    import IPython
    import IPython.display

    from coproduction import scenario
    from coproduction.widgetkit import RERUN_CLASS, wrap_style

    shown = []
    monkeypatch.setattr(IPython, "get_ipython", lambda: object())
    monkeypatch.setattr(IPython.display, "display", lambda obj: shown.append(obj))
    p = scenario.play("estate-asb", journal=False)
    [note] = shown
    assert f'class="{RERUN_CLASS}"' in note.data and "press Shift+Enter" in note.data
    style = wrap_style()
    assert f".{RERUN_CLASS} {{ display: none; }}" in style.value
    assert p.style_sheet.value == style.value
    style.close()
    p.close()


def test_no_note_outside_a_notebook(capsys):
    from coproduction import scenario

    p = scenario.play("estate-asb", journal=False)
    assert capsys.readouterr().out == ""
    p.close()
