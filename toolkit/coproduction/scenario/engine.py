"""The scenario engine: a pure state machine, ``state, choice -> state``.

No widget code lives here, so a scenario can be played, tested and graded
from plain Python; the player only draws a ``State`` and forwards clicks.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import Choice, Node, Scenario
from .schema import VALUES


class InvalidChoice(ValueError):
    """A choice that is not on offer at this point of the scenario."""


@dataclass(frozen=True)
class Step:
    """One decision taken: at which node, which choice."""

    node_id: str
    choice_id: str


@dataclass(frozen=True)
class Score:
    """Where a path sat between expert-provider (-2) and partner (+2).

    ``stance`` is the mean stance of the choices made; each entry of
    ``values`` is the mean effect on that value over the choices that touched
    it (None when no choice did).
    """

    stance: float | None
    values: dict[str, float | None]
    decisions: int


@dataclass(frozen=True)
class State:
    """Where a trainee is: the current node and the decisions that led there."""

    scenario: Scenario
    node_id: str
    history: tuple[Step, ...] = ()

    @property
    def node(self) -> Node:
        return self.scenario.node(self.node_id)

    @property
    def finished(self) -> bool:
        return self.node.is_ending

    @property
    def ending(self) -> str | None:
        """The kind of ending reached (partner, mixed, expert-provider), or None."""
        return self.node.ending

    @property
    def last_choice(self) -> Choice | None:
        """The choice that led here, so its feedback can be shown."""
        if not self.history:
            return None
        step = self.history[-1]
        return self.scenario.node(step.node_id).choice(step.choice_id)

    def choices_made(self) -> list[Choice]:
        return [self.scenario.node(s.node_id).choice(s.choice_id) for s in self.history]


def start(scenario: Scenario) -> State:
    """The state at the beginning of ``scenario``."""
    return State(scenario, scenario.start)


def choose(state: State, choice_id: str) -> State:
    """Take ``choice_id`` at the current node; raise InvalidChoice if not offered."""
    if state.finished:
        raise InvalidChoice(
            f"The scenario has already ended; there is no choice '{choice_id}' to make."
        )
    try:
        choice = state.node.choice(choice_id)
    except KeyError:
        offered = ", ".join(c.id for c in state.node.choices)
        raise InvalidChoice(
            f"'{choice_id}' is not one of the choices at '{state.node_id}' (offered: {offered})"
        ) from None
    return State(state.scenario, choice.next, state.history + (Step(state.node_id, choice_id),))


def back(state: State) -> State:
    """Undo the last decision; at the start, stay at the start."""
    if not state.history:
        return state
    return State(state.scenario, state.history[-1].node_id, state.history[:-1])


def score(state: State) -> Score:
    """Summarise the decisions taken so far."""
    made = state.choices_made()
    stance = sum(c.stance for c in made) / len(made) if made else None
    values: dict[str, float | None] = {}
    for value in VALUES:
        effects = [c.values[value] for c in made if value in c.values]
        values[value] = sum(effects) / len(effects) if effects else None
    return Score(stance=stance, values=values, decisions=len(made))


def play_through(scenario: Scenario, choices: list[str]) -> State:
    """Play ``choices`` in order from the start; return the state reached."""
    state = start(scenario)
    for choice_id in choices:
        state = choose(state, choice_id)
    return state


def decisions_left(scenario: Scenario, node_id: str) -> int:
    """The most decisions still to come from ``node_id`` (for a progress bar)."""
    return _longest(scenario, node_id, frozenset())


def _longest(scenario: Scenario, node_id: str, seen: frozenset[str]) -> int:
    node = scenario.node(node_id)
    if node.is_ending or node_id in seen:
        return 0
    seen = seen | {node_id}
    return 1 + max(_longest(scenario, c.next, seen) for c in node.choices)


def all_paths(scenario: Scenario, limit: int = 10_000) -> list[list[str]]:
    """Every route from the start to an ending that visits no node twice."""
    paths: list[list[str]] = []

    def walk(node_id: str, route: list[str], seen: frozenset[str]) -> None:
        if len(paths) >= limit:
            return
        node = scenario.node(node_id)
        if node.is_ending:
            paths.append(route)
            return
        for choice in node.choices:
            if choice.next not in seen:
                walk(choice.next, route + [choice.id], seen | {choice.next})

    walk(scenario.start, [], frozenset({scenario.start}))
    return paths

