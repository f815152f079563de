"""Scenario files: load, check the shape and the references, build the model."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import yamlfile
from ..problems import CourseFileError, Problem, display_path
from . import schema


@dataclass(frozen=True)
class Choice:
    """One button at a decision point and what it leads to."""

    id: str
    label: str
    next: str
    stance: int
    values: dict[str, int]
    feedback: str = ""
    line: int = 0


@dataclass(frozen=True)
class Node:
    """A step of the story: a decision point (with choices) or an ending."""

    id: str
    text: str
    title: str = ""
    choices: tuple[Choice, ...] = ()
    ending: str | None = None
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
    source: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def node(self, node_id: str) -> Node:
        return self.nodes[node_id]

    def play_through(self, choices: list[str]):
        """Play ``choices`` in order from the start and return the final state."""
        from .engine import play_through

        return play_through(self, choices)

    def paths(self) -> list[list[str]]:
        """Every route from the start to an ending, as lists of choice ids."""
        from .engine import all_paths

        return all_paths(self)


def _build(data: Any, shown: str) -> Scenario:
    nodes: dict[str, Node] = {}
    for n_index, raw in enumerate(data["nodes"]):
        choices = tuple(
            Choice(
                id=c["id"],
                label=str(c["label"]),
                next=c["next"],
                stance=int(c["stance"]),
                values={k: int(v) for k, v in c["values"].items()},
                feedback=str(c.get("feedback") or ""),
                line=yamlfile.line_of(data, ["nodes", n_index, "choices", c_index]),
            )
            for c_index, c in enumerate(raw.get("choices") or [])
        )
        nodes.setdefault(
            raw["id"],
            Node(
                id=raw["id"],
                text=str(raw["text"]),
                title=str(raw.get("title") or ""),
                choices=choices,
                ending=raw.get("ending"),
                line=yamlfile.line_of(data, ["nodes", n_index]),
            ),
        )
    return Scenario(
        id=data["id"],
        title=str(data["title"]),
        start=data["start"],
        nodes=nodes,
        summary=str(data.get("summary") or ""),
        module=data.get("module"),
        source=shown,
    )


def _reference_problems(data: Any, shown: str) -> list[Problem]:
    """Problems the schema cannot see: ids, links between nodes, node kinds."""
    problems = []

    def add(path: list, message: str) -> None:
        problems.append(
            Problem(shown, yamlfile.line_of(data, path), yamlfile.field_name(data, path), message)
        )

    seen: dict[str, int] = {}
    for i, node in enumerate(data["nodes"]):
        if node["id"] in seen:
            add(["nodes", i, "id"], f"node id '{node['id']}' is used twice "
                f"(first on line {seen[node['id']]}); every node needs its own id")
        else:
            seen[node["id"]] = yamlfile.line_of(data, ["nodes", i, "id"])
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

    for i, node in enumerate(data["nodes"]):
        for j, choice in enumerate(node.get("choices") or []):
            if choice["next"] not in seen:
                add(["nodes", i, "choices", j, "next"],
                    f"choice '{choice['id']}' leads to node '{choice['next']}', "
                    "but there is no node with that id")
    if data["start"] not in seen:
        add(["start"], f"'start' names node '{data['start']}', but there is no node with that id")
    return problems


def load(path: str | Path) -> Scenario:
    """Load and check a scenario file; raise CourseFileError listing every problem."""
    shown = display_path(path)
    data = yamlfile.read(path)
    problems = yamlfile.validate(data, schema.SCENARIO, path)
    if problems:
        raise CourseFileError(problems)
    problems = _reference_problems(data, shown)
    if problems:
        raise CourseFileError(sorted(problems, key=lambda p: p.line))
    return _build(data, shown)
