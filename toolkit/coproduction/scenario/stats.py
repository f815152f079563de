"""The shape of a scenario for its author: routes, endings, and endings that contradict a route."""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import mean

from . import engine
from .lint import contradicts
from .model import Scenario
from .schema import RUNG_LABELS, RUNGS_TALLIED, VALUE_LABELS, VALUES

#: Routes counted before the statistics say they stopped counting.
ROUTE_LIMIT = 20_000


@dataclass
class EndingStats:
    """How the routes into one ending node lean."""

    node_id: str
    title: str
    kind: str
    routes: int = 0
    stances: list[float] = field(default_factory=list)

    @property
    def mean_stance(self) -> float | None:
        return mean(self.stances) if self.stances else None


@dataclass
class Stats:
    """Counts of a scenario's decision points, endings and routes."""

    scenario: Scenario
    decision_points: int
    endings: list[EndingStats]
    routes: int
    shortest: int
    longest: int
    complete: bool
    contradicting: list[tuple[list[str], float, str]]  # (route, mean stance, ending kind)

    def report(self) -> str:
        """The statistics as plain text, one fact to a line."""
        s = self.scenario
        counted = f"{self.routes}" if self.complete else f"more than {ROUTE_LIMIT} (stopped counting)"
        lines = [
            f"{s.id}: {s.title}",
            f"  decision points: {self.decision_points}",
            f"  endings: {len(self.endings)}",
            f"  routes from start to an ending: {counted}, "
            f"{self.shortest} to {self.longest} decisions long",
            "",
            f"  {'ending':<28} {'kind':<16} {'routes':>6}  mean stance (range)",
        ]
        for e in self.endings:
            spread = "" if not e.stances else (
                f"{e.mean_stance:+.2f} ({min(e.stances):+.2f} to {max(e.stances):+.2f})")
            lines.append(f"  {e.node_id:<28} {e.kind:<16} {e.routes:>6}  {spread or 'never reached'}")
        lines.append("")
        if not self.contradicting:
            lines.append("  no route's ending contradicts its mean stance")
        else:
            lines.append(f"  routes whose ending contradicts their mean stance: "
                         f"{len(self.contradicting)}")
            for route, stance, kind in self.contradicting[:20]:
                lines.append(f"    {' > '.join(route)}: mean {stance:+.2f}, ends {kind}")
            if len(self.contradicting) > 20:
                lines.append(f"    ... and {len(self.contradicting) - 20} more")
        return "\n".join(lines)


def stats(scenario: Scenario) -> Stats:
    """Count every route of ``scenario`` and how the routes into each ending lean."""
    routes = engine.all_paths(scenario, limit=ROUTE_LIMIT)
    endings = {n.id: EndingStats(n.id, n.title, n.ending)
               for n in scenario.nodes.values() if n.is_ending}
    wrong = []
    for route in routes:
        state = engine.play_through(scenario, route)
        ending = endings[state.node_id]
        ending.routes += 1
        ending.stances.append(state.mean_stance)
        if contradicts(state):
            wrong.append((route, state.mean_stance, state.ending))
    lengths = [len(r) for r in routes] or [0]
    return Stats(
        scenario=scenario,
        decision_points=sum(1 for n in scenario.nodes.values() if n.choices),
        endings=list(endings.values()),
        routes=len(routes),
        shortest=min(lengths),
        longest=max(lengths),
        complete=len(routes) < ROUTE_LIMIT,
        contradicting=wrong,
    )


@dataclass
class Coverage:
    """For a set of scenarios: how many decision points put each of Cahn's values,
    and each TLAP rung from Consultation up, at stake.

    A value is at stake at a decision point when some choice there moves it (up
    or down); a rung is at stake when some choice there stands on it.
    """

    scenarios: list[str]
    values: dict[str, int]
    rungs: dict[str, int]

    def short_of(self, at_least: int) -> list[str]:
        """The values and rungs at stake in fewer than ``at_least`` decision points."""
        return [VALUE_LABELS[v] for v, n in self.values.items() if n < at_least] + [
            RUNG_LABELS[r] for r, n in self.rungs.items() if n < at_least]

    def report(self) -> str:
        """The tally as plain text."""
        lines = [f"Across {len(self.scenarios)} scenario(s) ({', '.join(self.scenarios)}), "
                 "decision points where each is at stake:", "", "  Cahn's values"]
        lines += [f"    {VALUE_LABELS[v]:<18} {n:>3}" for v, n in self.values.items()]
        lines += ["", "  TLAP ladder, Consultation up"]
        lines += [f"    {RUNG_LABELS[r]:<18} {n:>3}" for r, n in self.rungs.items()]
        return "\n".join(lines)


def coverage(scenarios: list[Scenario]) -> Coverage:
    """Tally the decision points of ``scenarios`` that put each value and rung at stake."""
    values = dict.fromkeys(VALUES, 0)
    rungs = dict.fromkeys(RUNGS_TALLIED, 0)
    for scenario in scenarios:
        for node in scenario.nodes.values():
            for value in values:
                values[value] += any(c.values.get(value) for c in node.choices)
            for rung in rungs:
                rungs[rung] += any(c.rung == rung for c in node.choices)
    return Coverage([s.id for s in scenarios], values, rungs)
