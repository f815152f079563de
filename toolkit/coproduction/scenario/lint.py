"""Design checks on a scenario that loads: can every part be reached and finished?"""

from __future__ import annotations

from pathlib import Path

from ..problems import CourseFileError, Problem
from .model import Scenario, load


def _reachable(scenario: Scenario) -> set[str]:
    seen, todo = {scenario.start}, [scenario.start]
    while todo:
        for choice in scenario.node(todo.pop()).choices:
            if choice.next not in seen:
                seen.add(choice.next)
                todo.append(choice.next)
    return seen


def _can_finish(scenario: Scenario) -> set[str]:
    """Nodes from which at least one ending can be reached."""
    done = {n.id for n in scenario.nodes.values() if n.is_ending}
    changed = True
    while changed:
        changed = False
        for node in scenario.nodes.values():
            if node.id not in done and any(c.next in done for c in node.choices):
                done.add(node.id)
                changed = True
    return done


def lint(scenario: Scenario) -> list[Problem]:
    """Problems of design in a scenario that has already loaded cleanly."""
    problems = []
    src = scenario.source
    reachable = _reachable(scenario)
    finishing = _can_finish(scenario)
    if not any(n.is_ending for n in scenario.nodes.values()):
        problems.append(Problem(src, 1, "nodes", "the scenario has no ending: "
                                "add at least one node with 'ending:'"))
    for node in scenario.nodes.values():
        if node.id not in reachable:
            problems.append(Problem(src, node.line, f"nodes[{node.id}]",
                                    f"node '{node.id}' can never be reached: no choice leads to it"))
        elif node.id not in finishing:
            problems.append(Problem(src, node.line, f"nodes[{node.id}]",
                                    f"from node '{node.id}' no ending can be reached, so a trainee "
                                    "who gets here can never finish"))
        for choice in node.choices:
            if not choice.feedback.strip():
                problems.append(Problem(src, choice.line,
                                        f"nodes[{node.id}].choices[{choice.id}].feedback",
                                        f"choice '{choice.id}' in node '{node.id}' has no feedback: "
                                        "say what value or principle is at stake"))
    return sorted(problems, key=lambda p: (p.line, p.message))


def check(path: str | Path) -> list[Problem]:
    """Load and lint one file; every problem found, or an empty list when clean."""
    try:
        scenario = load(path)
    except CourseFileError as err:
        return err.problems
    return lint(scenario)
