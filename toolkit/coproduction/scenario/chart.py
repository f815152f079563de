"""The end-of-scenario chart: where the choices sat between expert-provider and partner."""

from __future__ import annotations

import io

from .engine import Score
from .schema import VALUE_LABELS, VALUES


def rows(result: Score) -> list[tuple[str, float | None]]:
    """(label, mean effect) for the overall stance and each value, top to bottom."""
    return [("Overall stance", result.stance)] + [
        (VALUE_LABELS[v], result.values[v]) for v in VALUES
    ]


def describe(result: Score) -> str:
    """The chart in words, with its numbers: the text alternative for the picture."""
    parts = [f"{label} {'not at stake' if v is None else f'{v:+.1f}'}" for label, v in rows(result)]
    return ("Bar chart of where your choices sat, each an average on a scale from "
            "-2 (expert-provider) to +2 (partner): " + "; ".join(parts) + ".")


def png(result: Score) -> bytes:
    """A horizontal bar chart as PNG bytes; -2 is expert-provider, +2 is partner."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    data = rows(result)[::-1]  # matplotlib draws the first bar at the bottom
    labels = [label for label, _ in data]
    values = [0.0 if v is None else v for _, v in data]
    colours = ["#b0b0b0" if v is None else ("#1b7837" if v > 0 else "#b2182b" if v < 0 else "#777")
               for _, v in data]
    fig = Figure(figsize=(6.4, 3.2), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.barh(labels, values, color=colours)
    for y, (_, v) in enumerate(data):
        ax.text(0.05 if (v or 0) <= 0 else -0.05, y, "not at stake" if v is None else f"{v:+.1f}",
                va="center", ha="left" if (v or 0) <= 0 else "right", fontsize=9)
    ax.axvline(0, color="#333", linewidth=0.8)
    ax.set_xlim(-2, 2)
    ax.set_xticks([-2, -1, 0, 1, 2])
    ax.set_xticklabels(["-2\nexpert-provider", "-1", "0", "+1", "+2\npartner"])
    ax.set_title("Where your choices sat", fontsize=11)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()
