"""The cohort's scenario choices, from the journals trainees hand in with their work.

A journal is the trainee's own file, so anything may be in it. Each one is
read with ``handed_in.read_handed_in`` (sizes capped, every row checked),
one at a time: a file that cannot be used is left out with the reason, and
whatever goes wrong with one journal never affects the others. A journal's
scenario id is only ever looked up among the course's own scenarios, never
opened as a file, and each route is replayed with the engine before it counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .course import Course

JOURNAL_NAME = "coproduction-journal.sqlite"


def _story_order(scenario) -> list[str]:
    """Node ids breadth-first from the start, following each choice's routes in order."""
    order, queue = [scenario.start], [scenario.start]
    while queue:
        node = scenario.nodes.get(queue.pop(0))
        for choice in node.choices if node else ():
            for target in choice.targets:
                if target not in order and target in scenario.nodes:
                    order.append(target)
                    queue.append(target)
    return order + sorted(set(scenario.nodes) - set(order))


def replay(scenario, raw, *, longest: int = 10_000, finished: bool = False):
    """The engine's state after a handed-in route, or None unless every step is a real
    choice where the route stands (and, with ``finished``, it reaches an ending).

    A journal comes from a trainee's folder, so anything may be in it: nothing it
    claims about where a route led is used, only the route replayed here.
    """
    from ..scenario import InvalidChoice, choose, start

    if not isinstance(raw, list) or not raw or len(raw) > longest:
        return None
    state = start(scenario)
    for step in raw:
        if not (isinstance(step, (list, tuple)) and len(step) == 2
                and all(isinstance(part, str) for part in step)) or step[0] != state.node_id:
            return None
        try:
            state = choose(state, step[1])
        except (InvalidChoice, KeyError, ValueError, TypeError):
            return None
    return state if state.finished or not finished else None


def _checked_path(scenario, raw) -> list[tuple[str, str]] | None:
    """A handed-in path as (node, choice) pairs if it is a real route through ``scenario``."""
    state = replay(scenario, raw)
    return None if state is None else [(s.node_id, s.choice_id) for s in state.history]


@dataclass
class JournalTally:
    """What reading the handed-in journals found, besides the choices."""

    files: int = 0  # journal files handed in, read or not
    unreadable: int = 0  # entries skipped: values of the wrong kind, or too large
    unreadable_from: set[str] = field(default_factory=set)  # trainees they came from
    unmatched: int = 0  # well-formed entries naming a scenario or route the course lacks
    left_out: list[tuple[str, str]] = field(default_factory=list)  # (trainee, why)
    cut_short: list[str] = field(default_factory=list)  # trainees whose journal was only partly read


def _shipped_scenarios() -> dict:
    """The course's own scenarios by id: the only ones a journal's subject is looked up in."""
    from ..scenario import get, names

    shipped = {}
    for name in names():
        try:
            shipped[name] = get(name)
        except Exception:  # a scenario file an author is still writing
            continue
    return shipped


def _tally_journal(path: Path, trainee: str, shipped: dict, counts: dict,
                   tally: JournalTally) -> None:
    """Add one journal's first route through each scenario to ``counts``, and what was
    left out to ``tally``; nothing is added until the whole journal has been gone through,
    so one that fails part way adds nothing but the reason."""
    from ..handed_in import read_handed_in

    read = read_handed_in(path, "scenario")
    if read.problem:
        tally.left_out.append((trainee, read.problem))
        return
    seen, found, unmatched = set(), [], 0
    for entry in read.entries:
        # A subject is only ever a key into the shipped scenarios, never a file name.
        scenario = shipped.get(entry.subject)
        steps = _checked_path(scenario, entry.detail.get("path")) if scenario else None
        if steps is None:
            unmatched += 1
        elif entry.subject not in seen:  # first time through: the trainee's first instincts
            seen.add(entry.subject)
            found += [(entry.subject, node_id, choice_id) for node_id, choice_id in steps]
    for key in found:
        counts[key] = counts.get(key, 0) + 1
    tally.unmatched += unmatched
    if read.unreadable:
        tally.unreadable += read.unreadable
        tally.unreadable_from.add(trainee)
    if read.more_rows:
        tally.cut_short.append(trainee)


def journal_choices(course: Course, assignment: str):
    """Each trainee's first route through each scenario, from journals in their submissions.

    Returns a DataFrame of choices counted per decision point, in story order,
    and a ``JournalTally`` of what was left out and why: entries that could not
    be read, entries that did not match a shipped scenario, and journal files
    that were not read at all (too large, not a journal, damaged).
    """
    import pandas as pd

    shipped = _shipped_scenarios()
    counts: dict[tuple, int] = {}
    tally = JournalTally()
    for folder in course.folders("submitted", assignment):
        path = folder / JOURNAL_NAME
        if not (path.exists() or path.is_symlink()):
            continue
        tally.files += 1
        trainee = folder.parent.name
        try:
            _tally_journal(path, trainee, shipped, counts, tally)
        except Exception:  # noqa: BLE001 - whatever it was, it stays with this one journal
            tally.left_out.append((trainee, "something in it could not be read"))
    rows = []
    for scenario_id, scenario in shipped.items():
        for node_id in _story_order(scenario):
            node = scenario.nodes[node_id]
            for choice in node.choices:
                n = counts.get((scenario_id, node_id, choice.id))
                if n:
                    rows.append({"scenario": scenario_id, "decision_point": node_id,
                                 "title": node.title, "choice": choice.id,
                                 "label": choice.label, "stance": choice.stance,
                                 "trainees": n})
    return pd.DataFrame(rows), tally
