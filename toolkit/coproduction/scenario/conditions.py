"""Conditions written as data: what a route, an offered choice or an extra paragraph needs.

A condition in a scenario file is a small mapping, for example
``{measure: trust, at_least: 5}`` or ``{all: [{fact: met-tenants}, {not:
{fact: patrols-ran}}]}``. Here it becomes an immutable ``Condition`` that can
be evaluated against a play's state and compared and hashed (the lint keeps
sets of states). Nothing is ever passed to ``eval``.

This module knows nothing of the engine or the model: both use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

#: Condition kinds, as (field that names the kind, other fields allowed with it).
KINDS = {
    "fact": ("fact", ()),
    "measure": ("measure", ("at_least", "at_most")),
    "stance": (None, ("stance_at_least", "stance_at_most")),
    "all": ("all", ()),
    "any": ("any", ()),
    "not": ("not", ()),
}


@dataclass(frozen=True)
class Condition:
    """One test on a play's state.

    ``kind`` is fact, measure, stance, all, any or not. ``name`` is the fact
    or measure tested; ``low``/``high`` the bounds (inclusive, None for
    open); ``parts`` the conditions combined by all, any or not.
    """

    kind: str
    name: str = ""
    low: float | None = None
    high: float | None = None
    parts: tuple["Condition", ...] = ()

    def holds(self, measures: Mapping[str, int], facts: frozenset[str],
              stance: float | None) -> bool:
        """True when this condition holds for these measures, facts and mean stance.

        ``stance`` is the mean stance of the choices made so far (None before
        any); a stance test is false until a choice has been made.
        """
        if self.kind == "fact":
            return self.name in facts
        if self.kind == "measure":
            return _within(measures[self.name], self.low, self.high)
        if self.kind == "stance":
            return stance is not None and _within(stance, self.low, self.high)
        results = (p.holds(measures, facts, stance) for p in self.parts)
        if self.kind == "all":
            return all(results)
        if self.kind == "any":
            return any(results)
        return not next(results)  # "not" has exactly one part

    def names(self, kind: str) -> set[str]:
        """Every fact or measure (``kind``) this condition mentions."""
        found = {self.name} if self.kind == kind else set()
        for part in self.parts:
            found |= part.names(kind)
        return found

    def describe(self) -> str:
        """The condition in words, for an author reading the lint or the graph."""
        if self.kind == "fact":
            return self.name
        if self.kind in ("measure", "stance"):
            what = self.name if self.kind == "measure" else "mean stance"
            if self.low is not None and self.high is not None:
                return f"{what} {_num(self.low)}..{_num(self.high)}"
            return f"{what} >= {_num(self.low)}" if self.low is not None else \
                f"{what} <= {_num(self.high)}"
        if self.kind == "not":
            return f"not {self.parts[0].describe()}"
        joined = f" {'and' if self.kind == 'all' else 'or'} ".join(
            p.describe() for p in self.parts)
        return f"({joined})"


def _within(value: float, low: float | None, high: float | None) -> bool:
    return (low is None or value >= low) and (high is None or value <= high)


def _num(x: float | None) -> str:
    return f"{x:g}"


def parse(raw: Mapping[str, Any], report: Callable[[list, str], None],
          path: list, measures: set[str], facts: set[str]) -> Condition | None:
    """Build a Condition from a mapping the schema has already checked.

    Problems (two kinds mixed in one mapping, a bound with no measure, an
    undeclared measure or fact) are passed to ``report(path, message)`` and
    None is returned, so every problem in a file is found in one pass.
    """
    present = [k for k, (head, _) in KINDS.items()
               if (head and head in raw) or (head is None and set(raw) & set(KINDS[k][1]))]
    if len(present) != 1:
        if present:
            report(path, "a condition tests one thing: " + " and ".join(present)
                   + " are mixed here; combine them with 'all' or 'any'")
        else:
            report(path, "a condition needs one of: fact, measure, stance_at_least, "
                   "stance_at_most, all, any, not")
        return None
    kind = present[0]
    head, extras = KINDS[kind]
    stray = set(raw) - {head} - set(extras)
    if stray:
        report(path, f"'{sorted(stray)[0]}' does not belong with '{head or extras[0]}' "
               "in one condition; combine conditions with 'all' or 'any'")
        return None
    if kind == "fact":
        if raw["fact"] not in facts:
            report(path + ["fact"], f"fact '{raw['fact']}' is not declared under 'facts'")
            return None
        return Condition("fact", name=raw["fact"])
    if kind == "measure":
        if raw["measure"] not in measures:
            report(path + ["measure"], f"measure '{raw['measure']}' is not declared "
                   "under 'measures'")
            return None
        return _bounded(raw, "measure", raw["measure"], "at_least", "at_most", report, path)
    if kind == "stance":
        return _bounded(raw, "stance", "", "stance_at_least", "stance_at_most", report, path)
    items = [raw["not"]] if kind == "not" else list(raw[kind])
    where = [path + ["not"]] if kind == "not" else [path + [kind, i] for i in range(len(items))]
    parts = [parse(item, report, p, measures, facts) for item, p in zip(items, where)]
    if any(part is None for part in parts):
        return None
    return Condition(kind, parts=tuple(parts))


def _bounded(raw, kind, name, low_key, high_key, report, path) -> Condition | None:
    low, high = raw.get(low_key), raw.get(high_key)
    if low is None and high is None:
        report(path, f"say '{low_key}' or '{high_key}' (or both) for this {kind} test")
        return None
    if low is not None and high is not None and low > high:
        report(path, f"'{low_key}' ({low}) is more than '{high_key}' ({high}), "
               "so this condition can never hold")
        return None
    return Condition(kind, name=name, low=low, high=high)
