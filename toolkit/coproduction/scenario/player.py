"""The scenario player: draws engine state with ipywidgets and forwards clicks.

All the rules live in ``engine``; this module only shows a ``State`` and
turns a click into ``engine.choose``, ``engine.back`` or ``engine.start``.
Every control is a real button with a text label, so it works from the
keyboard (Tab to move, Enter or Space to press) and with a screen reader.
"""

from __future__ import annotations

import html

import ipywidgets as w

from ..widgetkit import JournalWriter, close_tree, para, status, wide
from . import chart, engine
from .model import Scenario

_ENDING_WORDS = {
    "partner": "a partner ending",
    "mixed": "a mixed ending",
    "expert-provider": "an expert-provider ending",
}


class Player(w.VBox):
    """A playable scenario. ``state`` is the engine state being shown."""

    def __init__(self, scenario: Scenario, journal=None):
        self.scenario = scenario
        self.state = engine.start(scenario)
        self._writer = JournalWriter(journal)
        self.header = w.HTML(f"<h3>{html.escape(scenario.title)}</h3>" + para(scenario.summary))
        self.progress = w.IntProgress(min=0, max=1, value=0, description="Progress",
                                      style={"description_width": "initial"})
        self.progress_text = w.Label()
        self.feedback = w.HTML()
        self.meters = w.HTML()
        self.narrative = w.HTML()
        self.choice_box = w.VBox()
        self.back_button = w.Button(description="Step back", icon="undo",
                                    tooltip="Undo your last decision")
        self.restart_button = w.Button(description="Restart", icon="refresh",
                                       tooltip="Start the scenario again from the beginning")
        self.back_button.on_click(lambda _b: self.back())
        self.restart_button.on_click(lambda _b: self.restart())
        self.summary_table = w.HTML()
        self.summary_chart = w.Image(format="png", layout=w.Layout(max_width="640px"))
        self.summary = w.VBox([self.summary_table, self.summary_chart])
        self.saved_note = w.HTML()
        super().__init__(
            [self.header, w.HBox([self.progress, self.progress_text]), self.feedback,
             self.meters, self.narrative, self.choice_box, w.HBox([self.back_button, self.restart_button]),
             self.summary, self.saved_note],
            layout=w.Layout(max_width="50em"),
        )
        self._draw()

    # -- what a click does ---------------------------------------------------

    @property
    def choice_buttons(self) -> list[w.Button]:
        return list(self.choice_box.children)

    def choose(self, choice_id: str) -> engine.State:
        """Take a choice, as clicking its button does."""
        self.state = engine.choose(self.state, choice_id)
        if self.state.finished:
            self.saved_note.value = status(self._writer.write("record_scenario", self.state))
        self._draw()
        return self.state

    def back(self) -> engine.State:
        """Undo the last decision."""
        self.state = engine.back(self.state)
        self._draw()
        return self.state

    def restart(self) -> engine.State:
        """Go back to the beginning."""
        self.state = engine.start(self.scenario)
        self._draw()
        return self.state

    def close(self) -> None:
        """Close the player and every widget inside it."""
        close_tree(self)

    # -- drawing -------------------------------------------------------------

    def _draw(self) -> None:
        state, node = self.state, self.state.node
        made = len(state.history)
        left = engine.decisions_left(state)
        self.progress.max = max(made + left, 1)
        self.progress.value = made
        self.progress_text.value = (
            f"Finished after {made} decisions" if state.finished
            else f"Decision {made + 1} (up to {made + left} in all)"
        )
        last = state.last_choice
        self.feedback.value = "" if last is None else status(
            f"You chose: {last.label}\n\n{last.feedback}"
        )
        heading = f"<h4>{html.escape(node.title)}</h4>" if node.title else ""
        self.narrative.value = heading + para(state.text())
        self.meters.value = meters_html(state)
        self.header.layout.display = "none" if state.history else None

        for old in self.choice_box.children:
            close_tree(old)
        buttons = []
        for choice in engine.available(state):
            button = w.Button(description=choice.label, tooltip=choice.label, layout=wide())
            button.on_click(lambda _b, cid=choice.id: self.choose(cid))
            buttons.append(button)
        self.choice_box.children = buttons
        self.back_button.disabled = not state.history
        self.restart_button.disabled = not state.history
        if not state.finished:
            self.saved_note.value = ""
        self._draw_summary()

    def _draw_summary(self) -> None:
        if not self.state.finished:
            self.summary.layout.display = "none"
            self.summary_table.value = ""
            self.summary_chart.value = b""
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
        self.summary_chart.value = chart.png(result)
        self.summary.layout.display = None


def meters_html(state: engine.State) -> str:
    """The scenario's shown measures as labelled meters: words and numbers, not colour alone.

    After a choice, each meter also says how far that choice moved it.
    """
    shown = [m for m in state.scenario.measures if m.show]
    if not shown:
        return ""
    before = engine.back(state).measures if state.history else state.measures
    rows = []
    for measure in shown:
        value = state.measures[measure.id]
        change = value - before[measure.id]
        moved = "" if not change else f" ({'up' if change > 0 else 'down'} {abs(change)})"
        span = max(measure.max - measure.min, 1)
        filled = round(100 * (value - measure.min) / span)
        label = html.escape(measure.label)
        scale = f"out of {measure.max}" if measure.min == 0 else \
            f"on a scale from {measure.min} to {measure.max}"
        rows.append(
            f'<div style="margin:0.2em 0"><span>{label}: {value} {scale}{moved}</span>'
            f'<div role="meter" aria-label="{label}" aria-valuetext="{value} {scale}"'
            f' aria-valuemin="{measure.min}" aria-valuemax="{measure.max}" aria-valuenow="{value}"'
            f' style="height:0.6em;max-width:20em;border:1px solid #555;background:#fff">'
            f'<div style="height:100%;width:{filled}%;background:#2b6cb0"></div></div></div>'
        )
    return '<div aria-label="Where things stand">' + "".join(rows) + "</div>"
