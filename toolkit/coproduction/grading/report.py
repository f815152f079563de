"""The cohort report: scores per trainee and question, plots, and the cohort's scenario choices.

Each plot is drawn from a ``Chart`` (its title, labels and numbers), which the
report keeps, so what a plot says can be checked without reading its pixels.
Submissions that could not be graded are counted apart and left out of the
scores, the averages and the plots.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .course import Course
from .gradebook import open_gradebook
from .questions import hand_marked, question_labels, shorten, unmarked

JOURNAL_NAME = "coproduction-journal.sqlite"
GRADED, UNGRADABLE = "graded", "could not be graded"
LEANS = (("expert-provider", "#b2182b"), ("mixed", "#999999"), ("partner", "#1b7837"))


@dataclass
class Chart:
    """What one plot shows: bars top to bottom (``labels``), one list of numbers per series.

    A score distribution has a single series, ``scores``, of the trainees' totals.
    """

    title: str
    xlabel: str
    labels: list[str] = field(default_factory=list)
    series: dict[str, list[float]] = field(default_factory=dict)
    top: float = 0.0  # the highest possible score, or the end of the bars' scale (0: as drawn)


@dataclass
class Report:
    """What ``report`` wrote and what it found."""

    folder: Path
    files: list[Path] = field(default_factory=list)
    trainees: int = 0  # graded submissions
    ungradable: int = 0  # submissions that could not be graded (no scores)
    mean: float = 0.0
    max_score: float = 0.0
    hardest: tuple[str, float] | None = None
    manual_waiting: int = 0
    journals: int = 0
    journal_entries_skipped: int = 0
    charts: dict[str, Chart] = field(default_factory=dict)

    def summary(self) -> str:
        """What a trainer reads at the end, in plain words."""
        if not self.trainees:
            if self.ungradable:
                return (f"None of the {self.ungradable} submission(s) could be graded, so there "
                        "is nothing to report. The grading log says why for each one.")
            return "No graded submissions yet, so there is nothing to report."
        pct = 100 * self.mean / self.max_score if self.max_score else 0
        lines = [f"{self.trainees} graded, {self.ungradable} could not be graded."
                 if self.ungradable else f"{self.trainees} graded."]
        if self.ungradable:
            lines.append("Those that could not be graded are left out of the scores and plots; "
                         "the grading log says why for each one.")
        lines.append(f"Average score of the {self.trainees} graded: {self.mean:.1f} out of "
                     f"{self.max_score:g} ({pct:.0f}%).")
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
        if self.journal_entries_skipped:
            lines.append(f"{self.journal_entries_skipped} scenario record(s) in those journals "
                         "did not match the course's scenarios and were left out.")
        lines.append(f"Files written to {self.folder}:")
        lines += [f"  {p.name}" for p in self.files]
        return "\n".join(lines)


def scores_table(course: Course, assignment: str):
    """A DataFrame: one row per trainee, its status, one column per graded cell, total and max.

    A submission that could not be graded (no autograded copy, or one kept with a
    note, see ``not_graded``): its status says so and its scores are left empty, not 0.
    """
    import pandas as pd

    from .not_graded import graded as graded_students

    graded = set(graded_students(course, assignment))
    rows, maxima, waiting, unfinished = [], {}, 0, set()
    with open_gradebook(course.db_url, course.id) as gb:
        for submission in gb.assignment_submissions(assignment):
            ok = submission.student_id in graded
            row = {"trainee": submission.student_id, "status": GRADED if ok else UNGRADABLE}
            for notebook in submission.notebooks:
                manual = hand_marked(notebook)
                for grade in notebook.grades:
                    maxima[grade.name] = float(grade.max_score)
                    # An answer not marked by hand yet is left empty, so it does not
                    # count as 0. (A test cell with no score, deleted or stopped,
                    # scores 0, as it does in the total.)
                    waits = unmarked(grade, manual)
                    row[grade.name] = None if waits or not ok else float(grade.score)
                    if ok and waits:
                        waiting += 1
                        unfinished.add(grade.name)
            row["total"] = float(submission.score) if ok else None
            row["max"] = float(submission.max_score)
            rows.append(row)
    table = pd.DataFrame(rows).sort_values("trainee") if rows else pd.DataFrame()
    table.attrs.update(maxima=maxima, waiting=waiting, unfinished=unfinished)
    return table


def graded_rows(table):
    """Only the submissions that were graded."""
    return table[table["status"] == GRADED] if len(table) else table


def question_difficulty(table):
    """Mean share of the points each graded cell earned, hardest first (a Series of percents).

    Only graded submissions count. A hand-marked question is left out until every
    answer to it has been marked.
    """
    import pandas as pd

    graded = graded_rows(table)
    maxima = table.attrs["maxima"]
    shares = {q: 100 * graded[q].mean() / top for q, top in maxima.items()
              if top and q in graded and graded[q].notna().any()
              and q not in table.attrs["unfinished"]}
    return pd.Series(shares, name="mean_percent", dtype=float).sort_values(kind="stable")


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


def _checked_path(scenario, raw) -> list[tuple[str, str]] | None:
    """A handed-in path as (node, choice) pairs if it is a real route through ``scenario``.

    A journal comes from a trainee's folder, so anything may be in it: it is
    replayed with the engine, and any step that does not match gives None.
    """
    from ..scenario import InvalidChoice, choose, start

    if not isinstance(raw, list) or not raw or len(raw) > 10_000:
        return None
    state, steps = start(scenario), []
    for step in raw:
        if not (isinstance(step, (list, tuple)) and len(step) == 2
                and all(isinstance(part, str) for part in step)):
            return None
        node_id, choice_id = step
        if node_id != state.node_id:
            return None
        try:
            state = choose(state, choice_id)
        except (InvalidChoice, KeyError, ValueError, TypeError):
            return None
        steps.append((node_id, choice_id))
    return steps


def journal_choices(course: Course, assignment: str):
    """Each trainee's first route through each scenario, from journals in their submissions.

    Returns a DataFrame of choices counted per decision point, in story order,
    how many journals were read, and how many scenario records were left out
    because they did not match a shipped scenario.
    """
    import pandas as pd

    from ..journal import read
    from ..scenario import get, names

    shipped = {}
    for name in names():
        try:
            shipped[name] = get(name)
        except Exception:  # a scenario file an author is still writing
            continue
    counts: dict[tuple, int] = {}
    journals = skipped = 0
    handed_in = [folder / JOURNAL_NAME for folder in course.folders("submitted", assignment)]
    for path in [p for p in handed_in if p.is_file() and not p.is_symlink()]:
        try:
            entries = read(path, "scenario")
        except Exception:  # a damaged or hand-made file: read as empty
            entries = []
        journals += 1
        seen = set()
        for entry in entries:
            subject = entry.subject if isinstance(entry.subject, str) else None
            detail = entry.detail if isinstance(entry.detail, dict) else {}
            steps = _checked_path(shipped[subject], detail.get("path")) \
                if subject in shipped else None
            if steps is None:
                skipped += 1
                continue
            if subject in seen:
                continue  # first time through: the trainee's first instincts
            seen.add(subject)
            for node_id, choice_id in steps:
                key = (subject, node_id, choice_id)
                counts[key] = counts.get(key, 0) + 1
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
    return pd.DataFrame(rows), journals, skipped


def _lean(stance) -> str:
    return "partner" if (stance or 0) > 0 else "expert-provider" if (stance or 0) < 0 else "mixed"


def score_chart(table) -> Chart:
    """The distribution of graded trainees' totals (ungradable ones are not in it)."""
    graded = graded_rows(table)
    top = float(table["max"].max() or 1) if len(table) else 1.0
    return Chart("Score distribution",
                 f"Score (out of {top:g}; hand-marked answers count once marked)",
                 series={"scores": [float(s) for s in graded["total"]]}, top=top)


def difficulty_chart(difficulty, labels: dict[str, str]) -> Chart:
    """Each question's average share of its points, hardest at the top."""
    return Chart("How hard each question was\n(hardest at the top)",
                 "Average share of the points earned (%)",
                 [labels.get(q, q) for q in difficulty.index],
                 {"mean_percent": [float(v) for v in difficulty.values]}, top=100.0)


def choices_chart(choices) -> Chart:
    """Which way the cohort leaned at each decision point, in story order."""
    scenarios = list(dict.fromkeys(choices["scenario"])) if len(choices) else []
    points = list(dict.fromkeys(zip(choices["scenario"], choices["decision_point"]))) \
        if len(choices) else []
    labels, series = [], {lean: [] for lean, _ in LEANS}
    for scenario_id, node_id in points:
        rows = choices[(choices["scenario"] == scenario_id)
                       & (choices["decision_point"] == node_id)]
        title = str(rows["title"].iloc[0] or node_id.replace("-", " "))
        labels.append(shorten(f"{scenario_id}: {title}" if len(scenarios) > 1 else title))
        for lean, _ in LEANS:
            series[lean].append(float(rows.loc[rows["stance"].map(_lean) == lean,
                                               "trainees"].sum()))
    return Chart("Which way the cohort leaned at each decision point\n(in story order, from the start)",
                 "Trainees (first time through)", labels, series)


def _figure(height: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.2, height), dpi=100)
    FigureCanvasAgg(fig)
    return fig


def _draw_scores(chart: Chart, path: Path) -> None:
    fig = _figure(3.6)
    ax = fig.add_subplot()
    ax.hist(chart.series["scores"], bins=[x - 0.5 for x in range(int(chart.top) + 2)],
            color="#2b6cb0", edgecolor="white")
    ax.set_xlabel(chart.xlabel)
    ax.set_ylabel("Trainees")
    ax.set_title(chart.title)
    fig.tight_layout()
    fig.savefig(path)


def _draw_bars(chart: Chart, path: Path, colours: dict[str, str]) -> None:
    # Bars go at numbered places, so two decision points with the same title
    # stay two bars; the first label is drawn at the top.
    fig = _figure(0.45 * len(chart.labels) + 1.5)
    ax = fig.add_subplot()
    places = list(range(len(chart.labels)))
    left = [0.0] * len(places)
    for name, values in chart.series.items():
        if any(values):
            ax.barh(places, values, left=left, color=colours.get(name, "#b35806"),
                    label=name)
            left = [a + b for a, b in zip(left, values)]
    ax.set_yticks(places, chart.labels)
    ax.invert_yaxis()
    if chart.top:
        ax.set_xlim(0, chart.top)
    ax.set_xlabel(chart.xlabel)
    ax.set_title(chart.title)
    if len(chart.series) > 1:
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
    graded = graded_rows(table)
    result.trainees, result.ungradable = len(graded), len(table) - len(graded)
    if not result.trainees:
        return result
    result.mean, result.max_score = float(graded["total"].mean()), float(table["max"].max())
    result.manual_waiting = table.attrs["waiting"]
    difficulty = question_difficulty(table)
    # Labels by cell id: a cell id names one graded cell across the assignment's notebooks.
    labels = {cell: label for (_, cell), label in question_labels(course, assignment).items()}
    if len(difficulty):
        first = difficulty.index[0]
        result.hardest = (labels.get(first, first), float(difficulty.iloc[0]))

    def write(name: str, save) -> None:
        save(folder / name)
        result.files.append(folder / name)

    def plot(name: str, chart: Chart, draw) -> None:
        result.charts[name] = chart
        write(name, lambda p: draw(chart, p))

    write("scores.csv", lambda p: table.to_csv(p, index=False))
    questions = difficulty.rename_axis("question").reset_index()
    questions.insert(1, "heading", [labels.get(q, q) for q in questions["question"]])
    write("questions.csv", lambda p: questions.to_csv(p, index=False))
    plot("score-distribution.png", score_chart(table), _draw_scores)
    plot("question-difficulty.png", difficulty_chart(difficulty, labels),
         lambda c, p: _draw_bars(c, p, {}))
    choices, result.journals, result.journal_entries_skipped = journal_choices(course, assignment)
    if len(choices):
        write("scenario-choices.csv", lambda p: choices.to_csv(p, index=False))
        plot("scenario-choices.png", choices_chart(choices),
             lambda c, p: _draw_bars(c, p, dict(LEANS)))
    return result
