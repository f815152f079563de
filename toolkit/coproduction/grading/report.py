"""The cohort report: scores per trainee and question, plots, and the cohort's scenario choices."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .course import Course, CourseError
from .gradebook import open_gradebook

JOURNAL_NAME = "coproduction-journal.sqlite"


@dataclass
class Report:
    """What ``report`` wrote and what it found."""

    folder: Path
    files: list[Path] = field(default_factory=list)
    trainees: int = 0
    mean: float = 0.0
    max_score: float = 0.0
    hardest: tuple[str, float] | None = None
    manual_waiting: int = 0
    journals: int = 0

    def summary(self) -> str:
        """What a trainer reads at the end, in plain words."""
        if not self.trainees:
            return "No graded submissions yet, so there is nothing to report."
        pct = 100 * self.mean / self.max_score if self.max_score else 0
        lines = [f"{self.trainees} trainee(s) graded. Average score {self.mean:.1f} out of "
                 f"{self.max_score:g} ({pct:.0f}%)."]
        if self.hardest:
            lines.append(f"Hardest question: {self.hardest[0]} (on average "
                         f"{self.hardest[1]:.0f}% of its points).")
        if self.manual_waiting:
            lines.append(f"{self.manual_waiting} written answer(s) still need marking by hand in "
                         "the formgrader; their points are not in these scores yet.")
        lines.append(f"Scenario choices came from {self.journals} trainee journal(s)."
                     if self.journals else
                     "No trainee journals came with the submissions, so there is no scenario "
                     "choices table.")
        lines.append(f"Files written to {self.folder}:")
        lines += [f"  {p.name}" for p in self.files]
        return "\n".join(lines)


def scores_table(course: Course, assignment: str):
    """A DataFrame: one row per trainee, one column per graded cell, plus total and max."""
    import pandas as pd

    rows, maxima, waiting, unfinished = [], {}, 0, set()
    with open_gradebook(course.db_url, course.id) as gb:
        for submission in gb.assignment_submissions(assignment):
            row = {"trainee": submission.student_id}
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    # Not marked yet (a hand-marked answer, or a submission that
                    # could not be graded): left empty, so it does not count as 0.
                    unmarked = grade.auto_score is None and grade.manual_score is None
                    row[grade.name] = None if unmarked else float(grade.score)
                    maxima[grade.name] = float(grade.max_score)
                    if unmarked and grade.cell.cell_type == "markdown":
                        waiting += 1
                        unfinished.add(grade.name)
            row["total"] = float(submission.score)
            row["max"] = float(submission.max_score)
            rows.append(row)
    table = pd.DataFrame(rows).sort_values("trainee") if rows else pd.DataFrame()
    table.attrs.update(maxima=maxima, waiting=waiting, unfinished=unfinished)
    return table


def question_difficulty(table):
    """Mean share of the points each question earned, hardest first (a Series of percents).

    A hand-marked question is left out until every answer to it has been marked.
    """
    import pandas as pd

    maxima = table.attrs["maxima"]
    shares = {q: 100 * table[q].mean() / top for q, top in maxima.items()
              if top and table[q].notna().any() and q not in table.attrs["unfinished"]}
    return pd.Series(shares, name="mean_percent").sort_values()


def journal_choices(course: Course, assignment: str):
    """Each trainee's first finished path through each scenario, from journals in submissions.

    Returns a DataFrame of choices counted per decision point, and how many journals were read.
    """
    import pandas as pd

    from ..journal import read
    from ..scenario import get
    from ..paths import UnknownName

    counts: dict[tuple, int] = {}
    journals = 0
    handed_in = [folder / JOURNAL_NAME for folder in course.folders("submitted", assignment)]
    for path in [p for p in handed_in if p.is_file()]:
        journals += 1
        seen = set()
        for entry in read(path, "scenario"):
            if entry.subject in seen:
                continue  # first time through: the trainee's first instincts
            seen.add(entry.subject)
            for node_id, choice_id in entry.detail.get("path", []):
                key = (entry.subject, node_id, choice_id)
                counts[key] = counts.get(key, 0) + 1
    rows = []
    for (scenario_id, node_id, choice_id), n in sorted(counts.items()):
        try:
            node = get(scenario_id).node(node_id)
            choice = node.choice(choice_id)
            title, label, stance = node.title, choice.label, choice.stance
        except (UnknownName, KeyError, CourseError):
            title, label, stance = "", "", None
        rows.append({"scenario": scenario_id, "decision_point": node_id, "title": title,
                     "choice": choice_id, "label": label, "stance": stance, "trainees": n})
    return pd.DataFrame(rows), journals


def _plot_scores(table, path: Path) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 3.6), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    top = table["max"].max() or 1
    ax.hist(table["total"], bins=[x - 0.5 for x in range(int(top) + 2)], color="#2b6cb0",
            edgecolor="white")
    ax.set_xlabel(f"Score (out of {top:g}; hand-marked answers count once marked)")
    ax.set_ylabel("Trainees")
    ax.set_title("Score distribution")
    fig.tight_layout()
    fig.savefig(path)


def _plot_difficulty(difficulty, path: Path) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 0.45 * len(difficulty) + 1.2), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.barh(list(difficulty.index)[::-1], list(difficulty.values)[::-1], color="#b35806")
    ax.set_xlim(0, 100)
    ax.set_xlabel("Average share of the points earned (%)")
    ax.set_title("How hard each question was (hardest at the bottom)")
    fig.tight_layout()
    fig.savefig(path)


def _plot_choices(choices, path: Path) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    summary = choices.assign(
        lean=choices["stance"].map(lambda s: "partner" if (s or 0) > 0 else
                                   "expert-provider" if (s or 0) < 0 else "mixed"))
    table = summary.pivot_table(index=["scenario", "decision_point"], columns="lean",
                                values="trainees", aggfunc="sum", fill_value=0)
    fig = Figure(figsize=(7.2, 0.4 * len(table) + 1.5), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    left = [0] * len(table)
    labels = [f"{s}: {d}" for s, d in table.index]
    for lean, colour in (("expert-provider", "#b2182b"), ("mixed", "#999999"),
                         ("partner", "#1b7837")):
        if lean in table:
            values = list(table[lean])
            ax.barh(labels, values, left=left, color=colour, label=lean)
            left = [a + b for a, b in zip(left, values)]
    ax.invert_yaxis()
    ax.set_xlabel("Trainees (first time through)")
    ax.set_title("Which way the cohort leaned at each decision point")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path)


def report(course: Course, assignment: str, out: Path | None = None) -> Report:
    """Write the cohort report for ``assignment`` into ``out`` (default reports/<assignment>/)."""
    course.require_assignment(assignment)
    folder = Path(out) if out else course.root / "reports" / assignment
    folder.mkdir(parents=True, exist_ok=True)
    result = Report(folder)
    table = scores_table(course, assignment)
    if table.empty:
        return result
    result.trainees = len(table)
    result.mean, result.max_score = float(table["total"].mean()), float(table["max"].max())
    result.manual_waiting = table.attrs["waiting"]
    difficulty = question_difficulty(table)
    if len(difficulty):
        result.hardest = (difficulty.index[0], float(difficulty.iloc[0]))

    def write(name: str, save) -> None:
        save(folder / name)
        result.files.append(folder / name)

    write("scores.csv", lambda p: table.to_csv(p, index=False))
    write("questions.csv", lambda p: difficulty.rename_axis("question").to_csv(p))
    write("score-distribution.png", lambda p: _plot_scores(table, p))
    write("question-difficulty.png", lambda p: _plot_difficulty(difficulty, p))
    choices, result.journals = journal_choices(course, assignment)
    if len(choices):
        write("scenario-choices.csv", lambda p: choices.to_csv(p, index=False))
        write("scenario-choices.png", lambda p: _plot_choices(choices, p))
    return result
