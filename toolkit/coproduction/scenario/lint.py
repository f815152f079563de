"""Design checks on a scenario that loads, reasoned over every state a play can reach.

A node can be linked in the file and still never be reached, because every
route into it needs a condition no play can meet; a decision point can offer
no choice at all in some state. So the checks walk the states a play can
really be in (node, measures, facts, stance so far), not only the node graph.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from ..problems import CourseFileError, Problem
from . import engine
from .model import Scenario, load

#: How many distinct states the checks explore before giving up on a file.
STATE_LIMIT = 200_000

#: States are followed to this many decisions. A state carries the stance so
#: far, so a loop in the story gives new states for ever; no real play is this
#: long, and states cut off here are left out of the "can it finish" checks.
DECISION_LIMIT = 60


@dataclass
class Exploration:
    """Every state a play of one scenario can reach, and how they connect."""

    states: dict[tuple, engine.State] = field(default_factory=dict)
    edges: dict[tuple, list[tuple]] = field(default_factory=dict)
    routes_taken: set[tuple] = field(default_factory=set)     # (node, choice, route index)
    choices_offered: set[tuple] = field(default_factory=set)  # (node, choice)
    complete: bool = True
    cut_off: set[tuple] = field(default_factory=set)  # states not followed further (too deep)


def explore(scenario: Scenario, limit: int | None = None) -> Exploration:
    """Walk every reachable state breadth first (stops after ``limit`` states)."""
    limit = STATE_LIMIT if limit is None else limit
    found = Exploration()
    first = engine.start(scenario)
    found.states[first.key] = first
    todo = deque([first])
    while todo:
        state = todo.popleft()
        found.edges[state.key] = []
        if len(state.history) >= DECISION_LIMIT:
            found.cut_off.add(state.key)
            continue
        for choice in engine.available(state):
            found.choices_offered.add((state.node_id, choice.id))
            index, after = engine.take(state, choice)
            found.routes_taken.add((state.node_id, choice.id, index))
            found.edges[state.key].append(after.key)
            if after.key not in found.states:
                if len(found.states) >= limit:
                    found.complete = False
                    return found
                found.states[after.key] = after
                todo.append(after)
    return found


def _can_finish(found: Exploration) -> set[tuple]:
    """Keys of the states from which some ending can be reached."""
    done = {k for k, s in found.states.items() if s.finished}
    incoming: dict[tuple, list[tuple]] = {}
    for source, targets in found.edges.items():
        for target in targets:
            incoming.setdefault(target, []).append(source)
    todo = list(done)
    while todo:
        for source in incoming.get(todo.pop(), []):
            if source not in done:
                done.add(source)
                todo.append(source)
    return done


def contradictions(scenario: Scenario, found: Exploration | None = None) -> list[engine.State]:
    """Reachable endings whose kind contradicts the mean stance of the route to them.

    A route whose mean stance is +1 or more must not end expert-provider, and
    one whose mean stance is 0 or less must not end partner.
    """
    found = found or explore(scenario)
    return [s for s in found.states.values() if s.finished and contradicts(s)]


def contradicts(state: engine.State) -> bool:
    """True when a finished state's ending disagrees with its route's mean stance."""
    mean = state.mean_stance
    if mean is None:
        return False
    return (state.ending == "expert-provider" and mean >= 1) or (
        state.ending == "partner" and mean <= 0)


def lint(scenario: Scenario) -> list[Problem]:
    """Problems of design in a scenario that has already loaded cleanly."""
    src = scenario.source
    problems: list[Problem] = []

    def add(line: int, field_name: str, message: str) -> None:
        problems.append(Problem(src, line, field_name, message))

    found = explore(scenario)
    if not found.complete:
        add(1, "", f"the scenario has more than {STATE_LIMIT:,} different states a play can "
            "be in, too many to check; use fewer or narrower measures")
        return problems
    if not any(n.is_ending for n in scenario.nodes.values()):
        add(1, "nodes", "the scenario has no ending: add at least one node with 'ending:'")
    reached = {s.node_id for s in found.states.values()}
    finishing = _can_finish(found)
    stuck = {s.node_id for k, s in found.states.items()
             if k not in finishing and k not in found.cut_off}
    empty = {s.node_id for k, s in found.states.items()
             if not s.finished and k not in found.cut_off and not engine.available(s)}
    tested = {name for n in scenario.nodes.values() for name in _facts_tested(n)}
    set_somewhere = {f for n in scenario.nodes.values() for c in n.choices for f in c.sets}

    for fact in scenario.facts:
        if fact.id in tested and fact.id not in set_somewhere:
            add(fact.line, f"facts[{fact.id}]", f"fact '{fact.id}' is tested but no choice "
                "sets it, so it is never true")
    for node in scenario.nodes.values():
        where = f"nodes[{node.id}]"
        if node.id not in reached:
            add(node.line, where, f"node '{node.id}' can never be reached: no choice leads "
                "to it in any state a play can be in")
        elif node.id in empty:
            add(node.line, where, f"in some plays node '{node.id}' offers no choice at all "
                "(every choice's 'when' is false), so the trainee is stuck")
        elif node.id in stuck:
            add(node.line, where, f"from node '{node.id}' no ending can be reached, so a "
                "trainee who gets here can never finish")
        for choice in node.choices:
            cwhere = f"{where}.choices[{choice.id}]"
            if not choice.feedback.strip():
                add(choice.line, f"{cwhere}.feedback", f"choice '{choice.id}' in node "
                    f"'{node.id}' has no feedback: say what value or principle is at stake")
            if node.id not in reached:
                continue
            if choice.when is not None and (node.id, choice.id) not in found.choices_offered:
                add(choice.line, f"{cwhere}.when", f"choice '{choice.id}' is never offered: "
                    f"its condition ({choice.when.describe()}) is false whenever "
                    f"'{node.id}' is reached")
            for k, route in enumerate(choice.routes):
                if (node.id, choice.id) in found.choices_offered and \
                        (node.id, choice.id, k) not in found.routes_taken:
                    add(route.line, f"{cwhere}.next", f"the route to '{route.to}' is never "
                        "taken: an earlier route always applies first, or its condition "
                        "never holds")
    problems.extend(_contradiction_problems(scenario, found))
    return sorted(problems, key=lambda p: (p.line, p.message))


def _contradiction_problems(scenario: Scenario, found: Exploration) -> list[Problem]:
    by_node: dict[str, list[engine.State]] = {}
    for state in contradictions(scenario, found):
        by_node.setdefault(state.node_id, []).append(state)
    problems = []
    for node_id, states in by_node.items():
        node = scenario.node(node_id)
        example = states[0]
        route = " > ".join(s.choice_id for s in example.history)
        rule = "+1 or more" if node.ending == "expert-provider" else "0 or less"
        problems.append(Problem(
            scenario.source, node.line, f"nodes[{node_id}]",
            f"a route with a mean stance of {rule} ends in this {node.ending} ending "
            f"(for example {route}, mean {example.mean_stance:+.2f}); route such plays "
            "elsewhere with a stance or measure condition"))
    return problems


def _facts_tested(node) -> set[str]:
    conditions = [t.when for t in node.text_if]
    for choice in node.choices:
        conditions.append(choice.when)
        conditions.extend(r.when for r in choice.routes)
    return {name for c in conditions if c is not None for name in c.names("fact")}


def check(path: str | Path) -> list[Problem]:
    """Load and lint one file; every problem found, or an empty list when clean."""
    try:
        scenario = load(path)
    except CourseFileError as err:
        return err.problems
    return lint(scenario)
