"""The cohort report: scores per trainee and question, plots, and the cohort's scenario choices.

Each plot is drawn from a ``Chart`` (its title, labels and numbers), which the
report keeps, so what a plot says can be checked without reading its pixels.
Submissions that could not be graded are counted apart and left out of the
scores, the averages and the plots.

Journals handed in with the work are the trainees' own files; how they are
read, and left out with a reason when they cannot be, is in
``journal_choices``. A chart shows at most ``MAX_BARS`` bars and says how many more were left off,
and every CSV cell a spreadsheet would run as a formula is escaped (``csvsafe``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..csvsafe import safe_frame
from .course import Course
from .gradebook import open_gradebook
from .journal_choices import JOURNAL_NAME, journal_choices  # noqa: F401 (JOURNAL_NAME: kept here too)
from .questions import hand_marked, question_labels, shorten, unmarked

GRADED, UNGRADABLE = "graded", "could not be graded"
LEANS = (("expert-provider", "#b2182b"), ("mixed", "#999999"), ("partner", "#1b7837"))
#: The most bars one chart shows (more would be unreadable, and the picture huge).
MAX_BARS = 40
#: The largest picture drawn, in pixels (width, height).
MAX_CHART_PIXELS = (720, 2000)
#: Journal files left out that the summary names one by one; the rest are counted.
_NAMED_AT_MOST = 10


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
    left_off: int = 0  # bars not drawn, beyond MAX_BARS
    note: str = ""  # said under the plot, e.g. how many bars were left off


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
    journals: int = 0  # journal files handed in, read or not
    journal_entries_skipped: int = 0  # entries left out, for any reason (the two below)
    journal_entries_unreadable: int = 0  # values of the wrong kind, or too large
    journal_trainees_unreadable: int = 0  # trainees whose journals had such entries
    journals_left_out: list[tuple[str, str]] = field(default_factory=list)  # (trainee, why)
    journals_cut_short: list[str] = field(default_factory=list)  # trainees only partly read
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
        used = self.journals - len(self.journals_left_out)
        if not self.journals:
            lines.append("No trainee journals came with the submissions, so there is no "
                         "scenario choices table.")
        elif used == self.journals:
            lines.append(f"Scenario choices came from {self.journals} trainee journal(s).")
        else:
            lines.append(f"{self.journals} trainee journal(s) came with the submissions; "
                         f"scenario choices came from the {used} that could be used.")
        lines += self._journal_lines()
        lines += [f"{c.note}" for c in self.charts.values() if c.note]
        lines.append(f"Files written to {self.folder}:")
        lines += [f"  {p.name}" for p in self.files]
        return "\n".join(lines)


    def _journal_lines(self) -> list[str]:
        """What was left out of the handed-in journals, and why, in plain words."""
        lines = []
        unreadable = self.journal_entries_unreadable
        unmatched = self.journal_entries_skipped - unreadable
        if self.journal_entries_skipped:
            parts = []
            if unreadable:
                parts.append(f"{_count(unreadable, 'journal entry', 'journal entries')} from "
                             f"{_count(self.journal_trainees_unreadable, 'trainee')} could not be "
                             f"read and {'was' if unreadable == 1 else 'were'} skipped (values "
                             "of the wrong kind, or too large)")
            if unmatched:
                parts.append(f"{unmatched} named a scenario, or a route through one, that the "
                             "course does not have")
            lines.append(f"{self.journal_entries_skipped} scenario record(s) in those journals "
                         "did not match the course's scenarios and were left out: "
                         + ", and ".join(parts) + ".")
        if self.journals_left_out:
            lines.append(f"{_count(len(self.journals_left_out), 'journal file')} could not be "
                         "used and " + ("was" if len(self.journals_left_out) == 1 else "were")
                         + " left out (the trainee's other work is not affected):")
            lines += [f"  {_shown(trainee)}: {why}"
                      for trainee, why in self.journals_left_out[:_NAMED_AT_MOST]]
            if len(self.journals_left_out) > _NAMED_AT_MOST:
                lines.append(f"  and {len(self.journals_left_out) - _NAMED_AT_MOST} more.")
        if self.journals_cut_short:
            from ..handed_in import MAX_ROWS

            names = ", ".join(map(_shown, self.journals_cut_short[:_NAMED_AT_MOST]))
            more = len(self.journals_cut_short) - _NAMED_AT_MOST
            lines.append(f"Only the first part of the journal of {names}"
                         + (f" and {more} more" if more > 0 else "")
                         + f" was read: it holds more than the report reads from one journal "
                         f"(at most {MAX_ROWS:,} scenario entries).")
        return lines


def _shown(name: str) -> str:
    """A trainee's folder name fit to print: no control characters (a name holding a
    terminal's escape codes could rewrite what the trainer sees), at most 60 characters."""
    clean = "".join(c if c.isprintable() else "?" for c in name)
    return clean if len(clean) <= 60 else clean[:57] + "..."


def _count(n: int, one: str, many: str | None = None) -> str:
    """``n`` with the word for one or many, e.g. "1 trainee", "2 trainees"."""
    return f"{n} {one if n == 1 else (many or one + 's')}"


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


def _lean(stance) -> str:
    return "partner" if (stance or 0) > 0 else "expert-provider" if (stance or 0) < 0 else "mixed"


def score_chart(table) -> Chart:
    """The distribution of graded trainees' totals (ungradable ones are not in it)."""
    graded = graded_rows(table)
    top = float(table["max"].max() or 1) if len(table) else 1.0
    return Chart("Score distribution",
                 f"Score (out of {top:g}; hand-marked answers count once marked)",
                 series={"scores": [float(s) for s in graded["total"]]}, top=top)


def _first_bars(chart: Chart, what: str, csv_name: str) -> Chart:
    """``chart`` with at most MAX_BARS bars (the first ones), saying how many were left off."""
    extra = len(chart.labels) - MAX_BARS
    if extra > 0:
        chart.labels = chart.labels[:MAX_BARS]
        chart.series = {name: values[:MAX_BARS] for name, values in chart.series.items()}
        chart.left_off = extra
        chart.note = (f"{extra} more {what} did not fit on the chart and were left off it "
                      f"(the chart shows the first {MAX_BARS}); {csv_name} has them all.")
    return chart


def difficulty_chart(difficulty, labels: dict[str, str]) -> Chart:
    """Each question's average share of its points, hardest at the top (at most MAX_BARS)."""
    chart = Chart("How hard each question was\n(hardest at the top)",
                  "Average share of the points earned (%)",
                  [labels.get(q, q) for q in difficulty.index],
                  {"mean_percent": [float(v) for v in difficulty.values]}, top=100.0)
    return _first_bars(chart, "questions", "questions.csv")


def choices_chart(choices) -> Chart:
    """Which way the cohort leaned at each decision point, in story order (at most MAX_BARS)."""
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
    chart = Chart("Which way the cohort leaned at each decision point\n(in story order, from "
                  "the start)", "Trainees (first time through)", labels, series)
    return _first_bars(chart, "decision points", "scenario-choices.csv")


def _figure(height: float):
    """A figure 720 pixels wide and ``height`` inches (100 pixels) tall, at most MAX_CHART_PIXELS."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    width_px, height_px = MAX_CHART_PIXELS
    fig = Figure(figsize=(width_px / 100, min(height, height_px / 100)), dpi=100)
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
    note_inches = 0.4 if chart.note else 0.0
    fig = _figure(0.45 * len(chart.labels) + 1.5 + note_inches)
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
    if chart.note:
        fig.text(0.01, 0.01, chart.note, fontsize=8, ha="left", va="bottom", wrap=True)
        fig.tight_layout(rect=(0, note_inches / fig.get_figheight(), 1, 1))
    else:
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

    # Every CSV goes through safe_frame: a text cell a spreadsheet would run as a
    # formula is escaped (numbers stay numbers).
    write("scores.csv", lambda p: safe_frame(table).to_csv(p, index=False))
    questions = difficulty.rename_axis("question").reset_index()
    questions.insert(1, "heading", [labels.get(q, q) for q in questions["question"]])
    write("questions.csv", lambda p: safe_frame(questions).to_csv(p, index=False))
    plot("score-distribution.png", score_chart(table), _draw_scores)
    plot("question-difficulty.png", difficulty_chart(difficulty, labels),
         lambda c, p: _draw_bars(c, p, {}))
    choices, tally = journal_choices(course, assignment)
    result.journals = tally.files
    result.journal_entries_unreadable = tally.unreadable
    result.journal_entries_skipped = tally.unreadable + tally.unmatched
    result.journal_trainees_unreadable = len(tally.unreadable_from)
    result.journals_left_out, result.journals_cut_short = tally.left_out, tally.cut_short
    if len(choices):
        write("scenario-choices.csv", lambda p: safe_frame(choices).to_csv(p, index=False))
        plot("scenario-choices.png", choices_chart(choices),
             lambda c, p: _draw_bars(c, p, dict(LEANS)))
    return result
