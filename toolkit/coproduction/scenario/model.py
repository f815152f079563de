"""Scenario files: load, check the shape and the references, build the model.

The model is plain data. It knows nothing of how a play proceeds (that is
``engine``) and imports nothing from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import yamlfile
from ..problems import CourseFileError, Problem, display_path
from . import conditions, schema
from .conditions import Condition


@dataclass(frozen=True)
class Measure:
    """A whole number the story keeps track of, such as residents' trust."""

    id: str
    label: str
    start: int
    min: int
    max: int
    show: bool = True
    line: int = 0

    def clamp(self, value: int) -> int:
        return max(self.min, min(self.max, value))


@dataclass(frozen=True)
class Fact:
    """Something a choice establishes, such as "met the tenants' association"."""

    id: str
    label: str
    line: int = 0


@dataclass(frozen=True)
class Route:
    """Where a choice leads when ``when`` holds (None: always; the last route of a choice)."""

    to: str
    when: Condition | None = None
    line: int = 0


@dataclass(frozen=True)
class TextIf:
    """A paragraph added to a node's text when ``when`` holds on arrival."""

    when: Condition
    text: str


@dataclass(frozen=True)
class Choice:
    """One button at a decision point: what it costs, what it changes, where it leads."""

    id: str
    label: str
    routes: tuple[Route, ...]
    stance: int
    values: dict[str, int]
    feedback: str = ""
    effects: dict[str, int] = field(default_factory=dict)
    sets: tuple[str, ...] = ()
    when: Condition | None = None
    #: The TLAP ladder rung the choice stands on, if its author named one.
    rung: str | None = None
    line: int = 0

    @property
    def targets(self) -> list[str]:
        """Every node this choice can lead to, in the order its routes are tried."""
        return [r.to for r in self.routes]


@dataclass(frozen=True)
class Node:
    """A step of the story: a decision point (with choices) or an ending."""

    id: str
    text: str
    title: str = ""
    choices: tuple[Choice, ...] = ()
    ending: str | None = None
    text_if: tuple[TextIf, ...] = ()
    line: int = 0

    @property
    def is_ending(self) -> bool:
        return self.ending is not None

    def choice(self, choice_id: str) -> Choice:
        """The choice with this id; KeyError if this node has none such."""
        for choice in self.choices:
            if choice.id == choice_id:
                return choice
        raise KeyError(choice_id)


@dataclass(frozen=True)
class Scenario:
    """A whole branching case scenario, checked and ready to play."""

    id: str
    title: str
    start: str
    nodes: dict[str, Node]
    summary: str = ""
    module: int | None = None
    measures: tuple[Measure, ...] = ()
    facts: tuple[Fact, ...] = ()
    source: str = ""
    schema_version: int = schema.SCHEMA_VERSION

    def node(self, node_id: str) -> Node:
        return self.nodes[node_id]

    def measure(self, measure_id: str) -> Measure:
        """The declared measure with this id; KeyError if there is none."""
        for measure in self.measures:
            if measure.id == measure_id:
                return measure
        raise KeyError(measure_id)

    def fact_label(self, fact_id: str) -> str:
        """How a fact is worded for a trainee."""
        return next((f.label for f in self.facts if f.id == fact_id), fact_id)


class _Builder:
    """Turns checked YAML into the model, collecting reference problems as it goes."""

    def __init__(self, data: Any, shown: str):
        self.data, self.shown = data, shown
        self.problems: list[Problem] = []
        self.measure_ids = {m["id"] for m in data.get("measures") or []}
        self.fact_ids = {f["id"] for f in data.get("facts") or []}

    def line(self, path: list) -> int:
        return yamlfile.line_of(self.data, path)

    def report(self, path: list, message: str) -> None:
        self.problems.append(Problem(self.shown, self.line(path),
                                     yamlfile.field_name(self.data, path), message))

    def condition(self, raw: Any, path: list) -> Condition | None:
        if raw is None:
            return None
        return conditions.parse(raw, self.report, path, self.measure_ids, self.fact_ids)

    def routes(self, raw: Any, path: list) -> tuple[Route, ...]:
        if isinstance(raw, str):
            return (Route(raw, None, self.line(path)),)
        routes = []
        for k, item in enumerate(raw):
            where = path + [k]
            is_last = k == len(raw) - 1
            if is_last and "if" in item:
                self.report(where, "the last route needs no 'if': it says where the choice "
                            "leads when no other route applies")
            elif not is_last and "if" not in item:
                self.report(where, "only the last route may leave out 'if'; "
                            "the routes after this one could never be taken")
            routes.append(Route(item["to"], self.condition(item.get("if"), where + ["if"]),
                                self.line(where)))
        return tuple(routes)

    def choice(self, raw: Any, path: list) -> Choice:
        for name in raw.get("effects") or {}:
            if name not in self.measure_ids:
                self.report(path + ["effects", name],
                            f"measure '{name}' is not declared under 'measures'")
        for k, name in enumerate(raw.get("sets") or []):
            if name not in self.fact_ids:
                self.report(path + ["sets", k], f"fact '{name}' is not declared under 'facts'")
        return Choice(
            id=raw["id"],
            label=str(raw["label"]),
            routes=self.routes(raw["next"], path + ["next"]),
            stance=int(raw["stance"]),
            values={k: int(v) for k, v in raw["values"].items()},
            feedback=str(raw.get("feedback") or ""),
            effects={k: int(v) for k, v in (raw.get("effects") or {}).items()},
            sets=tuple(raw.get("sets") or ()),
            when=self.condition(raw.get("when"), path + ["when"]),
            rung=raw.get("rung"),
            line=self.line(path),
        )

    def node(self, raw: Any, path: list) -> Node:
        text_if = tuple(
            TextIf(self.condition(item["if"], path + ["text_if", k, "if"]), str(item["text"]))
            for k, item in enumerate(raw.get("text_if") or [])
        )
        return Node(
            id=raw["id"],
            text=str(raw["text"]),
            title=str(raw.get("title") or ""),
            choices=tuple(self.choice(c, path + ["choices", k])
                          for k, c in enumerate(raw.get("choices") or [])),
            ending=raw.get("ending"),
            text_if=text_if,
            line=self.line(path),
        )

    def measures(self) -> tuple[Measure, ...]:
        out = []
        for k, m in enumerate(self.data.get("measures") or []):
            if not m["min"] <= m["start"] <= m["max"]:
                self.report(["measures", k, "start"], f"measure '{m['id']}' starts at "
                            f"{m['start']}, outside its range {m['min']} to {m['max']}")
            out.append(Measure(m["id"], str(m["label"]), m["start"], m["min"], m["max"],
                               bool(m.get("show", True)), self.line(["measures", k])))
        return tuple(out)

    def facts(self) -> tuple[Fact, ...]:
        return tuple(Fact(f["id"], str(f["label"]), self.line(["facts", k]))
                     for k, f in enumerate(self.data.get("facts") or []))

    def scenario(self) -> Scenario:
        data = self.data
        measures, facts = self.measures(), self.facts()
        nodes: dict[str, Node] = {}
        for k, raw in enumerate(data["nodes"]):
            nodes.setdefault(raw["id"], self.node(raw, ["nodes", k]))
        return Scenario(
            id=data["id"], title=str(data["title"]), start=data["start"], nodes=nodes,
            summary=str(data.get("summary") or ""), module=data.get("module"),
            measures=measures, facts=facts, source=self.shown,
            schema_version=int(data["schema_version"]),
        )


def _duplicates(data: Any, listing: str, what: str, report) -> set[str]:
    seen: dict[str, int] = {}
    for i, item in enumerate(data.get(listing) or []):
        if item["id"] in seen:
            report([listing, i, "id"], f"{what} id '{item['id']}' is used twice "
                   f"(first on line {seen[item['id']]}); every {what} needs its own id")
        else:
            seen[item["id"]] = yamlfile.line_of(data, [listing, i, "id"])
    return set(seen)


def _reference_problems(data: Any, builder: _Builder) -> None:
    """Problems the schema cannot see: ids, links between nodes, node kinds, versions."""
    add = builder.report
    if data["schema_version"] == 1:
        _version_2_fields_in_version_1(data, add)
    node_ids = _duplicates(data, "nodes", "node", add)
    measure_ids = _duplicates(data, "measures", "measure", add)
    fact_ids = _duplicates(data, "facts", "fact", add)
    if measure_ids & fact_ids:
        name = sorted(measure_ids & fact_ids)[0]
        add(["facts"], f"'{name}' is both a measure and a fact; give them different ids")
    for i, node in enumerate(data["nodes"]):
        has_choices, has_ending = "choices" in node, "ending" in node
        if has_choices == has_ending:
            add(["nodes", i], f"node '{node['id']}' needs either 'choices' (a decision point) "
                "or 'ending' (an ending)" + (", not both" if has_choices else ""))
        choice_ids: set[str] = set()
        for j, choice in enumerate(node.get("choices") or []):
            if choice["id"] in choice_ids:
                add(["nodes", i, "choices", j, "id"],
                    f"choice id '{choice['id']}' is used twice in node '{node['id']}'")
            choice_ids.add(choice["id"])
            nexts = choice["next"]
            targets = [(["next"], nexts)] if isinstance(nexts, str) else [
                (["next", k, "to"], r["to"]) for k, r in enumerate(nexts)]
            for where, target in targets:
                if target not in node_ids:
                    add(["nodes", i, "choices", j, *where],
                        f"choice '{choice['id']}' leads to node '{target}', "
                        "but there is no node with that id")
    if data["start"] not in node_ids:
        add(["start"], f"'start' names node '{data['start']}', but there is no node with that id")


def _version_2_fields_in_version_1(data: Any, add) -> None:
    def flag(path: list, name: str) -> None:
        add(path + [name], f"'{name}' needs schema_version: 2 at the top of the file")

    for name in schema.VERSION_2_FIELDS["scenario"]:
        if name in data:
            flag([], name)
    for i, node in enumerate(data["nodes"]):
        for name in schema.VERSION_2_FIELDS["node"]:
            if name in node:
                flag(["nodes", i], name)
        for j, choice in enumerate(node.get("choices") or []):
            for name in schema.VERSION_2_FIELDS["choice"]:
                if name in choice:
                    flag(["nodes", i, "choices", j], name)
            if not isinstance(choice["next"], str):
                add(["nodes", i, "choices", j, "next"],
                    "a list of routes needs schema_version: 2 at the top of the file")


def load(path: str | Path) -> Scenario:
    """Load and check a scenario file; raise CourseFileError listing every problem."""
    shown = display_path(path)
    data = yamlfile.read(path)
    problems = yamlfile.validate(data, schema.SCENARIO, path)
    if problems:
        raise CourseFileError(problems)
    builder = _Builder(data, shown)
    _reference_problems(data, builder)
    scenario = builder.scenario()
    if builder.problems:
        unique = sorted(set(builder.problems), key=lambda p: (p.line, p.field, p.message))
        raise CourseFileError(unique)
    return scenario
