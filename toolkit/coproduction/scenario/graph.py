"""A picture of a scenario's node graph, for its author.

Graphviz's ``dot`` draws the clearest picture and is used when it is
installed; otherwise matplotlib (a dependency of the toolkit) draws one, and
a plain-text outline is always available.
"""

from __future__ import annotations

import shutil
import subprocess
from collections import deque
from pathlib import Path

from .model import Scenario

_ENDING_COLOURS = {"partner": "#d9f0d3", "mixed": "#fee8c8", "expert-provider": "#f4cccc"}
FORMATS = ("png", "svg", "dot", "txt")


def edges(scenario: Scenario) -> list[tuple[str, str, str, bool]]:
    """(from node, to node, choice id, conditional?) for every way one node leads to another."""
    out = []
    for node in scenario.nodes.values():
        for choice in node.choices:
            for route in choice.routes:
                conditional = route.when is not None or choice.when is not None
                out.append((node.id, route.to, choice.id, conditional))
    return out


def layers(scenario: Scenario) -> dict[str, int]:
    """Each node's depth: the fewest decisions needed to reach it (unlinked nodes go last)."""
    links: dict[str, list[str]] = {}
    for source, target, _choice, _conditional in edges(scenario):
        links.setdefault(source, []).append(target)
    depth = {scenario.start: 0}
    todo = deque([scenario.start])
    while todo:
        here = todo.popleft()
        for target in links.get(here, []):
            if target not in depth:
                depth[target] = depth[here] + 1
                todo.append(target)
    last = max(depth.values(), default=0) + 1
    return {n: depth.get(n, last) for n in scenario.nodes}


def to_text(scenario: Scenario) -> str:
    """An outline: each node with where each of its choices leads."""
    lines = [f"{scenario.id}: {scenario.title}", f"start: {scenario.start}"]
    depth = layers(scenario)
    for node in sorted(scenario.nodes.values(), key=lambda n: depth[n.id]):
        kind = f"ending ({node.ending})" if node.is_ending else "decision point"
        lines.append(f"{node.id} [{kind}]" + (f" {node.title}" if node.title else ""))
        for choice in node.choices:
            offered = f" (offered when {choice.when.describe()})" if choice.when else ""
            lines.append(f"  {choice.id}{offered}, stance {choice.stance:+d}:")
            for route in choice.routes:
                cond = ""
                if route.when is not None:
                    cond = f"if {route.when.describe()}"
                elif len(choice.routes) > 1:
                    cond = "otherwise"
                lines.append(f"    -> {route.to}" + (f"  {cond}" if cond else ""))
    return "\n".join(lines) + "\n"


def to_dot(scenario: Scenario) -> str:
    """The graph in Graphviz's DOT language."""
    def q(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = [f"digraph {q(scenario.id)} {{", "  rankdir=LR;",
             '  node [shape=box, style="rounded,filled", fillcolor="#eef3fa", fontname=Helvetica];']
    for node in scenario.nodes.values():
        label = node.id + (f"\\n{node.title}" if node.title else "")
        fill = f', fillcolor="{_ENDING_COLOURS[node.ending]}"' if node.is_ending else ""
        lines.append(f"  {q(node.id)} [label={q(label)}{fill}];")
    for source, target, choice, conditional in edges(scenario):
        style = ", style=dashed" if conditional else ""
        lines.append(f"  {q(source)} -> {q(target)} [label={q(choice)}, fontsize=9{style}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _matplotlib_png(scenario: Scenario, out: Path) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    depth = layers(scenario)
    columns: dict[int, list[str]] = {}
    for node_id in scenario.nodes:  # file order within a column: the author's story order
        columns.setdefault(depth[node_id], []).append(node_id)
    tallest = max(len(c) for c in columns.values())
    place = {n: (d, (tallest - 1) / 2 - i) for d, ids in columns.items() for i, n in enumerate(ids)}
    fig = Figure(figsize=(max(6, 2.4 * len(columns)), max(3, 0.9 * tallest)), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    for source, target, _choice, conditional in edges(scenario):
        ax.annotate("", xy=place[target], xytext=place[source],
                    arrowprops={"arrowstyle": "-|>", "color": "#777", "shrinkA": 14, "shrinkB": 14,
                                "connectionstyle": "arc3,rad=0.12",
                                "linestyle": "--" if conditional else "-"})
    for node_id, (x, y) in place.items():
        node = scenario.node(node_id)
        colour = _ENDING_COLOURS.get(node.ending, "#eef3fa")
        ax.text(x, y, node_id, ha="center", va="center", fontsize=8,
                bbox={"boxstyle": "round", "facecolor": colour, "edgecolor": "#555"})
    ax.set_xlim(-0.7, len(columns) - 0.3)
    ax.set_ylim(-tallest / 2 - 0.3, tallest / 2 + 0.3)
    ax.axis("off")
    ax.set_title(f"{scenario.title} (dashed: depends on the play so far; "
                 "green partner, amber mixed, red expert-provider endings)", fontsize=9)
    fig.tight_layout()
    fig.savefig(out, format="png")


def write(scenario: Scenario, out: str | Path) -> tuple[Path, str]:
    """Write the picture to ``out``; its suffix picks the format. Returns (path, how it was drawn).

    ``.png`` and ``.svg`` use Graphviz when installed; without it ``.png`` is
    drawn with matplotlib and ``.svg`` falls back to a ``.txt`` outline.
    """
    out = Path(out)
    kind = out.suffix.lstrip(".").lower()
    if kind not in FORMATS:
        raise ValueError(f"cannot write a graph as '.{kind}': use one of "
                         + ", ".join(f".{f}" for f in FORMATS))
    if kind == "txt":
        out.write_text(to_text(scenario), encoding="utf-8")
        return out, "outline"
    if kind == "dot":
        out.write_text(to_dot(scenario), encoding="utf-8")
        return out, "Graphviz DOT"
    dot = shutil.which("dot")
    if dot:
        subprocess.run([dot, f"-T{kind}", "-o", str(out)], input=to_dot(scenario), text=True,
                       check=True, capture_output=True)
        return out, "Graphviz"
    if kind == "png":
        _matplotlib_png(scenario, out)
        return out, "matplotlib"
    text = out.with_suffix(".txt")
    text.write_text(to_text(scenario), encoding="utf-8")
    return text, "outline (Graphviz is not installed, so no SVG)"
