"""The scenario player: draws engine state with ipywidgets and forwards clicks.

All the rules live in ``engine``; this module only shows a ``State`` and
turns a click into ``engine.choose``, ``engine.back`` or ``engine.start``.
Every control is a real button with a text label, so it works from the
keyboard (Tab to move, Enter or Space to press) and with a screen reader.
"""

from __future__ import annotations

import base64
import html

import ipywidgets as w

from ..widgetkit import (
    WIDGET_CLASS,
    JournalWriter,
    close_tree,
    para,
    status,
    wide,
    wrap,
    wrap_style,
)
from . import chart, engine
from .model import Scenario

_ENDING_WORDS = {
    "partner": "a partner ending",
    "mixed": "a mixed ending",
    "expert-provider": "an expert-provider ending",
}
_SAVED = "Your route and its ending are saved in your journal."


class Player(w.VBox):
    """A playable scenario. ``state`` is the engine state being shown."""

    def __init__(self, scenario: Scenario, journal=None, resume: bool = True):
        self.scenario = scenario
        self.state = engine.start(scenario)
        self._writer = JournalWriter(journal)
        resumed = self._resume() if resume else None
        self._offered: list = []
        self.style_sheet = wrap_style()
        self.header = w.HTML(f"<h3>{html.escape(scenario.title)}</h3>" + para(scenario.summary))
        self.progress = w.HTML()
        self.progress_text = w.Label()
        self.previous = w.HTML()
        self.feedback = w.HTML()
        self.meters = w.HTML()
        self.narrative = w.HTML()
        # Choice buttons are kept and relabelled rather than made afresh, so that
        # focus can be moved to one at once: a new button has no view in the page
        # yet when the message to focus it arrives.
        self.choice_box = w.VBox()
        self.back_button = wrap(w.Button(description="Step back", icon="undo",
                                         tooltip="Undo your last decision"))
        # After a choice the focus goes to Step back, which sits at the head of
        # the feedback: the browser scrolls the feedback into view with it, a
        # screen reader reads the feedback next, and a second press of Enter
        # only undoes the choice instead of making another. (ipywidgets cannot
        # put the focus on an HTML widget, so the text itself cannot take it.)
        self.feedback_box = w.VBox([self.back_button, self.feedback])
        self.restart_button = wrap(w.Button(description="Restart", icon="refresh",
                                            tooltip="Start the scenario again from the beginning"))
        self.back_button.on_click(lambda _b: self.back())
        self.restart_button.on_click(lambda _b: self.restart())
        self.summary_table = w.HTML()
        self.summary_chart = w.HTML()
        self.summary = w.VBox([self.summary_table, self.summary_chart])
        self.saved_note = w.HTML()
        # Feedback sits under the story the trainee was reading, where the
        # clicked button was, and before the next step; so the lesson of a
        # choice is what they see first, not the next decision. The meters stay
        # above the story, so that story does not move when they change.
        super().__init__(
            [self.style_sheet, self.header, w.HBox([self.progress, self.progress_text]),
             self.meters, self.previous, self.feedback_box, self.narrative, self.choice_box,
             self.restart_button, self.summary, self.saved_note],
            layout=w.Layout(max_width="50em"),
        )
        self.add_class(WIDGET_CLASS)
        self._draw()
        if resumed is not None:
            self.saved_note.value = status(
                f"You were part-way through this scenario, so you carry on from decision "
                f"{len(resumed.history) + 1}. Restart begins it again.")

    def _resume(self) -> engine.State | None:
        """The unfinished play kept in the journal (after a restart, or another day), if any."""
        route: list[str] = []

        def read(journal) -> None:
            route.extend(journal.progress(self.scenario.id))

        self._writer.call(read, doing="read from")
        if not route:
            return None
        try:
            state = engine.play_through(self.scenario, route)
        except engine.InvalidChoice:  # the scenario has changed since: start afresh
            return None
        if state.finished:
            return None
        self.state = state
        return state

    def _keep_progress(self) -> None:
        """Save where the play has got to, so a restart or a new day carries on from here."""
        route = [] if self.state.finished else [s.choice_id for s in self.state.history]
        self._writer.write("save_progress", self.scenario.id, route)

    # -- what a click does ---------------------------------------------------

    @property
    def choice_buttons(self) -> list[w.Button]:
        """The buttons for the choices on offer now, in order."""
        return [b for b in self.choice_box.children if b.layout.display != "none"]

    def choose(self, choice_id: str) -> engine.State:
        """Take a choice, as clicking its button does."""
        self.state = engine.choose(self.state, choice_id)
        self._keep_progress()
        if self.state.finished:
            self.saved_note.value = self._save()
        self._draw()
        self.back_button.focus()
        return self.state

    def back(self) -> engine.State:
        """Undo the last decision."""
        self.state = engine.back(self.state)
        self._keep_progress()
        self._draw()
        self._focus_first_choice()
        return self.state

    def restart(self) -> engine.State:
        """Go back to the beginning."""
        self.state = engine.start(self.scenario)
        self._keep_progress()
        self.saved_note.value = ""
        self._draw()
        # Restart is now disabled, and a disabled button drops the focus.
        self._focus_first_choice()
        return self.state

    def close(self) -> None:
        """Close the player and every widget inside it."""
        close_tree(self)

    def _save(self) -> str:
        notice = self._writer.write("record_scenario", self.state)
        if not self._writer.keeping or self._writer.problem:
            return status(notice)
        return status("\n\n".join(m for m in (_SAVED, notice) if m))

    def _focus_first_choice(self) -> None:
        buttons = self.choice_buttons
        (buttons[0] if buttons else self.back_button).focus()

    def _clicked(self, index: int) -> None:
        if index < len(self._offered):
            self.choose(self._offered[index].id)

    # -- drawing -------------------------------------------------------------

    def _draw(self) -> None:
        state, node = self.state, self.state.node
        self._draw_progress()
        before = engine.back(state) if state.history else None
        if before is None:
            self.previous.value = ""
        else:
            title = before.node.title
            self.previous.value = (f"<h4>{html.escape(title)}</h4>" if title else "") + para(before.text())
        last = state.last_choice
        moved = "".join(f"\n\n{line}" for line in _moves(state))
        self.feedback.value = "" if last is None else status(
            f"You chose: {last.label}\n\n{last.feedback}{moved}"
        )
        self.feedback_box.layout.display = "none" if last is None else None
        heading = f"<h4>{html.escape(node.title)}</h4>" if node.title else ""
        self.narrative.value = heading + para(state.text())
        self.meters.value = meters_html(state)
        self._draw_choices(engine.available(state))
        self.back_button.disabled = not state.history
        self.restart_button.disabled = not state.history
        if not state.finished:
            self.saved_note.value = ""
        self._draw_summary()

    def _draw_progress(self) -> None:
        state = self.state
        made = len(state.history)
        most = max(made + engine.decisions_left(state), 1)
        self.progress_text.value = (
            f"Finished after {made} decisions" if state.finished
            else f"Decision {made + 1} (up to {most} in all)"
        )
        words = (f"All {made} decisions made" if state.finished
                 else f"{made} of up to {most} decisions made")
        filled = round(100 * made / most)
        self.progress.value = (
            '<div style="display:flex;align-items:center;gap:0.5em;margin-right:0.5em">'
            "<span>Progress</span>"
            f'<div role="progressbar" aria-label="Progress through the scenario"'
            f' aria-valuemin="0" aria-valuemax="{most}" aria-valuenow="{made}"'
            f' aria-valuetext="{words}"'
            ' style="width:12em;height:0.8em;border:1px solid #555;background:#fff">'
            f'<div style="height:100%;width:{filled}%;background:#2b6cb0"></div></div></div>'
        )

    def _draw_choices(self, offered: list) -> None:
        self._offered = offered
        pool = list(self.choice_box.children)
        while len(pool) < len(offered):
            index = len(pool)
            button = wrap(w.Button(layout=wide()))
            button.on_click(lambda _b, i=index: self._clicked(i))
            pool.append(button)
        for index, button in enumerate(pool):
            if index < len(offered):
                button.description = button.tooltip = offered[index].label
                button.layout.display = None
            else:
                button.layout.display = "none"
        if len(pool) != len(self.choice_box.children):
            self.choice_box.children = pool

    def _draw_summary(self) -> None:
        if not self.state.finished:
            self.summary.layout.display = "none"
            self.summary_table.value = ""
            self.summary_chart.value = ""
            return
        result = engine.score(self.state)
        cells = "".join(
            f"<tr><th scope='row' style='text-align:left'>{html.escape(label)}</th>"
            f"<td>{'not at stake' if v is None else f'{v:+.1f}'}</td></tr>"
            for label, v in chart.rows(result)
        )
        self.summary_table.value = (
            f"<h4>You reached {_ENDING_WORDS[self.state.ending]}</h4>"
            "<p>Each line is the average of your choices from −2 (expert-provider) "
            "to +2 (partner).</p>"
            f"<table><caption>Where your choices sat</caption>{cells}</table>"
        )
        picture = base64.b64encode(chart.png(result)).decode("ascii")
        self.summary_chart.value = (
            f'<img src="data:image/png;base64,{picture}" alt="{html.escape(chart.describe(result))}"'
            ' style="max-width:min(100%, 640px);height:auto">'
        )
        self.summary.layout.display = None


def _scale(measure) -> str:
    return f"out of {measure.max}" if measure.min == 0 else \
        f"on a scale from {measure.min} to {measure.max}"


def _changes(state: engine.State) -> list[tuple]:
    """(measure, value now, change made by the last choice) for each shown measure."""
    before = engine.back(state).measures if state.history else state.measures
    return [(m, state.measures[m.id], state.measures[m.id] - before[m.id])
            for m in state.scenario.measures if m.show]


def _moves(state: engine.State) -> list[str]:
    """The shown measures the last choice moved, in words, to go with its feedback."""
    return [f"{m.label}: {'up' if change > 0 else 'down'} {abs(change)}, now {value} {_scale(m)}."
            for m, value, change in _changes(state) if change]


def meters_html(state: engine.State) -> str:
    """The scenario's shown measures as labelled meters: words and numbers, not colour alone.

    After a choice, each meter also says how far that choice moved it.
    """
    rows = []
    for measure, value, change in _changes(state):
        moved = "" if not change else f" ({'up' if change > 0 else 'down'} {abs(change)})"
        span = max(measure.max - measure.min, 1)
        filled = round(100 * (value - measure.min) / span)
        label = html.escape(measure.label)
        scale = _scale(measure)
        rows.append(
            f'<div style="margin:0.2em 0"><span>{label}: {value} {scale}{moved}</span>'
            f'<div role="meter" aria-label="{label}" aria-valuetext="{value} {scale}"'
            f' aria-valuemin="{measure.min}" aria-valuemax="{measure.max}" aria-valuenow="{value}"'
            f' style="height:0.6em;max-width:20em;border:1px solid #555;background:#fff">'
            f'<div style="height:100%;width:{filled}%;background:#2b6cb0"></div></div></div>'
        )
    if not rows:
        return ""
    return '<div aria-label="Where things stand">' + "".join(rows) + "</div>"
