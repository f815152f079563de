"""Branching case scenarios: data files, a pure engine, and a widget player.

>>> from coproduction import scenario
>>> estate = scenario.get("estate-asb")
>>> state = scenario.play_through(estate, ["..."])    # doctest: +SKIP
>>> scenario.play("estate-asb")                      # in a notebook: shows the player
"""

from __future__ import annotations

from pathlib import Path

from ..paths import content_file, content_names
from .engine import (InvalidChoice, Score, State, Step, available, back, choose, play_through,
                     score, start)
from .engine import all_paths as paths
from .lint import check, lint
from .model import Choice, Fact, Measure, Node, Route, Scenario, load

__all__ = [
    "Choice", "Fact", "InvalidChoice", "Measure", "Node", "Route", "Scenario", "Score", "State",
    "Step", "available", "back", "check", "choose", "get", "lint", "load", "names", "paths",
    "play", "play_through", "score", "start",
]


def names() -> list[str]:
    """The scenarios shipped with the course."""
    return content_names("scenarios")


def get(name: str) -> Scenario:
    """A shipped scenario by name (e.g. ``"estate-asb"``), or a path to a file."""
    if Path(name).suffix in (".yaml", ".yml"):
        return load(name)
    return load(content_file("scenarios", name))


def play(name: str, journal=None):
    """The scenario player for a notebook; as the last line of a cell it shows itself.

    Finished paths are saved to the trainee's journal (see ``coproduction.journal``),
    and so is where an unfinished play has got to: running the cell again after a
    restart, or another day, carries on from there.
    """
    from ..widgetkit import rerun_hint
    from .player import Player

    player = Player(get(name), journal=journal)
    rerun_hint("scenario")
    return player
