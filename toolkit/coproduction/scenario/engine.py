"""The scenario engine: a pure state machine, ``state, choice -> state``.

A state carries the whole play so far: the node reached, the decisions
taken, the scenario's measures and the facts established. Routes, offered
choices and extra paragraphs depend on that state, so what happens later
follows from the whole route, not from the last click.

No widget code lives here, so a scenario can be played, tested and graded
from plain Python; the player only draws a ``State`` and forwards clicks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

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
    """Where a trainee is: the node, the decisions that led there, and what they changed.

    ``levels`` holds the measures' values in the order the scenario declares
    them (``measures`` gives them by id); ``facts`` the facts established;
    ``stance_total`` the sum of the stances chosen, so the mean is exact.
    """

    scenario: Scenario
    node_id: str
    history: tuple[Step, ...] = ()
    levels: tuple[int, ...] = ()
    facts: frozenset[str] = frozenset()
    stance_total: int = 0

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
    def measures(self) -> dict[str, int]:
        """Each measure's value now, by id."""
        return {m.id: v for m, v in zip(self.scenario.measures, self.levels)}

    @property
    def mean_stance(self) -> float | None:
        """The mean stance of the choices made so far (None before the first)."""
        return self.stance_total / len(self.history) if self.history else None

    @property
    def last_choice(self) -> Choice | None:
        """The choice that led here, so its feedback can be shown."""
        if not self.history:
            return None
        step = self.history[-1]
        return self.scenario.node(step.node_id).choice(step.choice_id)

    @property
    def key(self) -> tuple:
        """Everything that decides what can happen next (two states with one key play alike)."""
        return (self.node_id, self.levels, self.facts, self.stance_total, len(self.history))

    @property
    def place(self) -> tuple:
        """Where the story stands (node, measures, facts), leaving out the stance so far."""
        return (self.node_id, self.levels, self.facts)

    def holds(self, condition) -> bool:
        """Whether a condition holds in this state (None always holds)."""
        return condition is None or condition.holds(self.measures, self.facts, self.mean_stance)

    def text(self) -> str:
        """The node's text with each extra paragraph whose condition holds here."""
        extra = [t.text for t in self.node.text_if if self.holds(t.when)]
        return "\n\n".join([self.node.text.rstrip(), *(e.rstrip() for e in extra)])

    def choices_made(self) -> list[Choice]:
        return [self.scenario.node(s.node_id).choice(s.choice_id) for s in self.history]


def start(scenario: Scenario) -> State:
    """The state at the beginning of ``scenario``."""
    return State(scenario, scenario.start, levels=tuple(m.start for m in scenario.measures))


def available(state: State) -> list[Choice]:
    """The choices on offer now: those whose ``when`` holds (none once finished)."""
    if state.finished:
        return []
    return [c for c in state.node.choices if state.holds(c.when)]


def choose(state: State, choice_id: str) -> State:
    """Take ``choice_id`` at the current node; raise InvalidChoice if not offered."""
    if state.finished:
        raise InvalidChoice(
            f"The scenario has already ended; there is no choice '{choice_id}' to make."
        )
    try:
        choice = state.node.choice(choice_id)
    except KeyError:
        offered = ", ".join(c.id for c in available(state))
        raise InvalidChoice(
            f"'{choice_id}' is not one of the choices at '{state.node_id}' (offered: {offered})"
        ) from None
    if not state.holds(choice.when):
        offered = ", ".join(c.id for c in available(state))
        raise InvalidChoice(
            f"'{choice_id}' is not on offer at '{state.node_id}' now (offered: {offered})"
        )
    return take(state, choice)[1]


def take(state: State, choice: Choice) -> tuple[int, State]:
    """Apply a choice already known to be on offer: (index of the route taken, new state)."""
    levels = tuple(m.clamp(v + choice.effects.get(m.id, 0))
                   for m, v in zip(state.scenario.measures, state.levels))
    # Routes are decided on the state after this choice, so a route can depend on it.
    after = State(state.scenario, state.node_id, state.history + (Step(state.node_id, choice.id),),
                  levels, state.facts | frozenset(choice.sets), state.stance_total + choice.stance)
    index = next(k for k, r in enumerate(choice.routes) if after.holds(r.when))
    return index, State(after.scenario, choice.routes[index].to, after.history, after.levels,
                        after.facts, after.stance_total)


def back(state: State) -> State:
    """Undo the last decision; at the start, stay at the start.

    The earlier state is rebuilt by playing the remaining decisions again, so
    measures and facts are exactly what they were.
    """
    if not state.history:
        return state
    return play_through(state.scenario, [s.choice_id for s in state.history[:-1]])


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


def next_states(state: State) -> Iterator[tuple[Choice, State]]:
    """Each choice on offer now with the state it leads to."""
    for choice in available(state):
        yield choice, take(state, choice)[1]


def decisions_left(state: State) -> int:
    """The most decisions still to come from ``state`` (for a progress bar).

    Counted like ``all_paths``: a route never returns to a place (node,
    measures and facts) it has already been in, so a loop in the story is
    counted once rather than for ever.
    """
    memo: dict[tuple, int] = {}

    def longest(s: State, on_route: frozenset) -> int:
        if s.finished:
            return 0
        if s.key in memo:
            return memo[s.key]
        best = 0
        for _, after in next_states(s):
            if after.place not in on_route:
                best = max(best, 1 + longest(after, on_route | {after.place}))
        memo[s.key] = best
        return best

    return longest(state, frozenset({state.place}))


def all_paths(scenario: Scenario, limit: int = 10_000) -> list[list[str]]:
    """Every route from the start to an ending that never returns to a state it has been in.

    Routes are lists of choice ids; ``play_through`` replays any of them.
    """
    paths: list[list[str]] = []

    def walk(state: State, route: list[str], seen: frozenset) -> None:
        if len(paths) >= limit:
            return
        if state.finished:
            paths.append(route)
            return
        for choice, after in next_states(state):
            if after.place not in seen:
                walk(after, route + [choice.id], seen | {after.place})

    first = start(scenario)
    walk(first, [], frozenset({first.place}))
    return paths
