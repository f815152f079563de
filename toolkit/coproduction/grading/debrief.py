"""A debrief for the room: how a cohort chose, from the journals handed in with its work.

Co-production training is run as a group, and the most useful thing a trainer
can put on the screen afterwards is the room's own choices: where people
split, which routes led to which endings, and which self-check ideas most
people first got wrong. ``gather`` builds that picture; ``debrief`` writes it
as a page a trainer can project (``debrief_page``) and as CSV files.

The picture is anonymous by construction. A trainee's folder name is used only
to count each person once and never leaves this module; the page and the files
hold counts, never names or ids; a route is shown only when at least
``MIN_SHARED`` trainees took it, and a decision point only when that many reached
it, so nobody's own path or choice is singled out; and
reflections are never read at all.

Journals are the trainees' own files, so each is read with ``read_handed_in``
(sizes capped, every row checked). A scenario or self-check id is only looked up
among the course's own, never opened, and every route is replayed with the
engine: the ending and stance shown are the engine's, not the journal's claim.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ..csvsafe import safe_frame
from .course import Course, CourseError
from .journal_choices import JOURNAL_NAME, _shipped_scenarios, _story_order, replay

#: A route, or a decision point's choices, is shown only when at least this many
#: trainees took it or reached it.
MIN_SHARED = 2
#: The most self-check questions listed as most often missed.
MOST_MISSED = 5


@dataclass
class Option:
    """One choice at a decision point and how many trainees took it."""

    label: str
    stance: int
    trainees: int


@dataclass
class DecisionPoint:
    """How the room chose at one decision point, first time through."""

    node: str
    title: str
    situation: str
    options: list[Option]

    @property
    def reached(self) -> int:
        return sum(o.trainees for o in self.options)


@dataclass
class Ending:
    """One ending, how many reached it, and the routes shared by several of them."""

    node: str
    title: str
    kind: str | None
    trainees: int
    mean_stance: float | None
    shared_routes: list[tuple[list[str], int]] = field(default_factory=list)


@dataclass
class ScenarioPicture:
    """The room's first plays of one scenario."""

    id: str
    title: str
    module: int | None
    played: int
    points: list[DecisionPoint]
    endings: list[Ending]
    hidden_points: int = 0  # decision points reached by one trainee only: not shown


@dataclass
class Missed:
    """A self-check question and how often trainees' first answer to it was wrong."""

    check: str
    question: str
    prompt: str
    answered: int
    wrong_first: int


@dataclass
class Picture:
    """Everything the debrief shows, with no trainee named."""

    assignment: str
    journals: int = 0  # journal files handed in
    used: int = 0  # of those, read
    scenarios: list[ScenarioPicture] = field(default_factory=list)
    missed: list[Missed] = field(default_factory=list)
    entries_skipped: int = 0  # entries that were unreadable or named nothing the course has


def _questions() -> dict[tuple[str, str], str]:
    """(check, question) -> the question's prompt, for the course's own self-checks."""
    from .. import quiz

    found = {}
    for name in quiz.names():
        try:
            check = quiz.get(name)
        except Exception:  # a self-check an author is still writing
            continue
        for question in check.questions:
            found[(name, question.id)] = question.prompt
    return found


class _Room:
    """What has been read so far, keyed by trainee only until it is counted."""

    def __init__(self):
        self.plays: dict[str, list] = defaultdict(list)  # scenario -> first-play end states
        self.first_answers: dict[tuple[str, str], list[bool]] = defaultdict(list)
        self.skipped = 0

    def add(self, path: Path, shipped: dict, questions: dict, scope: tuple[set, set]) -> bool:
        """Read one journal; add its first play of each scenario and its first answer to
        each question that are in ``scope`` (scenario ids, question keys). Entries about
        the course's other scenarios and questions are passed over; those naming none of
        the course's are counted as skipped. Nothing is added unless the whole journal
        could be read."""
        from ..handed_in import read_handed_in

        scen, checks = read_handed_in(path, "scenario"), read_handed_in(path, "check")
        if scen.problem or checks.problem:
            return False
        plays, answers, skipped = {}, {}, scen.unreadable + checks.unreadable
        for entry in scen.entries:
            scenario = shipped.get(entry.subject)  # an id is only a key, never a file name
            if scenario is not None and entry.subject not in scope[0]:
                continue
            state = (replay(scenario, entry.detail.get("path"), longest=500, finished=True)
                     if scenario else None)
            if state is None:
                skipped += 1
            elif entry.subject not in plays:  # first time through: the first instincts
                plays[entry.subject] = state
        for entry in checks.entries:
            key = tuple(entry.subject.split("/", 1))
            correct = entry.detail.get("correct")
            if key in questions and key not in scope[1]:
                continue
            if key not in questions or not isinstance(correct, bool):
                skipped += 1
            elif key not in answers:
                answers[key] = correct
        for name, state in plays.items():
            self.plays[name].append(state)
        for key, correct in answers.items():
            self.first_answers[key].append(correct)
        self.skipped += skipped
        return True


def _excerpt(text: str, limit: int = 280) -> str:
    """The start of a situation's text, cut at a sentence or word near ``limit``."""
    flat = " ".join(text.replace("*", "").split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit]
    stop = cut.rfind(". ")
    return cut[:stop + 1] if stop > limit // 2 else cut[:cut.rfind(" ")] + " …"


def _scenario_picture(scenario, states: list) -> ScenarioPicture:
    from ..scenario.engine import score

    taken = Counter((s.node_id, s.choice_id) for state in states for s in state.history)
    points, hidden = [], 0
    for node_id in _story_order(scenario):
        node = scenario.nodes[node_id]
        options = [Option(c.label, c.stance, taken.get((node_id, c.id), 0)) for c in node.choices]
        reached = sum(o.trainees for o in options)
        if reached >= MIN_SHARED:
            points.append(DecisionPoint(node_id, node.title or node_id, _excerpt(node.text),
                                        options))
        elif reached:  # one person's choice would be singled out
            hidden += 1
    by_end = defaultdict(list)
    for state in states:
        by_end[state.node_id].append(state)
    endings = []
    for node_id, reached in sorted(by_end.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        stances = [score(s).stance for s in reached if score(s).stance is not None]
        routes = Counter(tuple(c.label for c in s.choices_made()) for s in reached)
        shared = [(list(r), n) for r, n in routes.most_common(3) if n >= MIN_SHARED]
        node = scenario.nodes[node_id]
        endings.append(Ending(node_id, node.title or node_id, node.ending, len(reached),
                              sum(stances) / len(stances) if stances else None, shared))
    return ScenarioPicture(scenario.id, scenario.title, scenario.module, len(states),
                           points, endings, hidden)


def _module_of(assignment: str) -> int | None:
    """The module an assignment belongs to, from its name ("01-origins" -> 1)."""
    head = assignment.split("-", 1)[0]
    return int(head) if head.isdigit() else None


def _in_scope(shipped: dict, questions: dict, assignment: str, scenario: str | None,
              everything: bool) -> tuple[dict, dict]:
    """The scenarios and questions to show: ``scenario`` alone if named; else, unless
    ``everything``, those of the assignment's own module where the course has any."""
    if scenario is not None:
        return {k: v for k, v in shipped.items() if k == scenario}, {}
    module = _module_of(assignment)
    own = {k: v for k, v in shipped.items() if module is not None and v.module == module}
    if everything or not own:
        return shipped, questions
    own_checks = {k: v for k, v in questions.items() if _module_of(k[0]) == module}
    return own, own_checks


def gather(course: Course, assignment: str, scenario: str | None = None,
           everything: bool = False) -> Picture:
    """The anonymous picture of how the cohort of ``assignment`` chose, from the journals
    in their submissions: the scenario and self-check of the assignment's module (or only
    ``scenario``, or with ``everything`` all the course's)."""
    shipped, questions = _shipped_scenarios(), _questions()
    in_scope = _in_scope(shipped, questions, assignment, scenario, everything)
    scope = (set(in_scope[0]), set(in_scope[1]))
    room, picture = _Room(), Picture(assignment)
    for folder in course.folders("submitted", assignment):
        path = folder / JOURNAL_NAME
        if not (path.exists() or path.is_symlink()):
            continue
        picture.journals += 1
        try:
            picture.used += room.add(path, shipped, questions, scope)
        except Exception:  # noqa: BLE001 - whatever it was, it stays with this one journal
            continue
    order = sorted(room.plays, key=lambda n: (shipped[n].module or 99, n))
    picture.scenarios = [_scenario_picture(shipped[n], room.plays[n]) for n in order]
    missed = [Missed(check, qid, questions[(check, qid)], len(firsts), firsts.count(False))
              for (check, qid), firsts in room.first_answers.items() if False in firsts]
    missed.sort(key=lambda m: (-m.wrong_first / m.answered, -m.answered, m.check, m.question))
    picture.missed = missed[:MOST_MISSED]
    picture.entries_skipped = room.skipped
    return picture


@dataclass
class Debrief:
    """What ``debrief`` wrote."""

    picture: Picture
    folder: Path
    files: list[Path] = field(default_factory=list)

    def summary(self) -> str:
        """What a trainer reads at the end, in plain words (no trainee is named)."""
        p = self.picture
        if not p.journals:
            return (f"No trainee journals came with the submissions of {p.assignment}, so "
                    "there is nothing to debrief. Trainees hand in their journal "
                    f"({JOURNAL_NAME}) with their work.")
        lines = [f"Debrief of {p.assignment} from {p.used} of {p.journals} trainee journal(s)."]
        if p.used < p.journals:
            lines.append(f"{p.journals - p.used} journal(s) could not be read and are left "
                         "out (`coproduction report` says whose and why).")
        for s in p.scenarios:
            lines.append(f"{s.title}: played through by {s.played}, {len(s.points)} decision "
                         f"point(s), {len(s.endings)} ending(s) reached.")
        if not p.scenarios:
            lines.append("No finished scenario was found in the journals.")
        if p.entries_skipped:
            lines.append(f"{p.entries_skipped} journal entries were left out: unreadable, or "
                         "naming a scenario, route or question the course does not have.")
        lines.append(f"Open {self.folder / 'debrief.html'} in a browser to show the room.")
        return "\n".join(lines)


def _tables(picture: Picture):
    import pandas as pd

    choices = [{"scenario": s.id, "decision_point": d.node, "title": d.title,
                "choice": o.label, "stance": o.stance, "trainees": o.trainees,
                "of": d.reached} for s in picture.scenarios for d in s.points for o in d.options]
    endings = [{"scenario": s.id, "ending": e.title, "kind": e.kind or "", "trainees": e.trainees,
                "of": s.played, "mean_stance": None if e.mean_stance is None
                else round(e.mean_stance, 2)} for s in picture.scenarios for e in s.endings]
    missed = [{"self_check": m.check, "question": m.question, "prompt": m.prompt,
               "first_answer_wrong": m.wrong_first, "answered": m.answered}
              for m in picture.missed]
    return {"debrief-choices.csv": pd.DataFrame(choices),
            "debrief-endings.csv": pd.DataFrame(endings),
            "debrief-missed.csv": pd.DataFrame(missed)}


def debrief(course: Course, assignment: str, out: Path | None = None,
            scenario: str | None = None, everything: bool = False) -> Debrief:
    """Write the cohort's debrief for ``assignment`` (a page to project and three CSV
    files) into ``out`` (default: reports/ASSIGNMENT) and return what was written."""
    from .debrief_page import page

    course.require_assignment(assignment)
    if scenario is not None and scenario not in _shipped_scenarios():
        from ..scenario import names

        raise CourseError(f"There is no scenario called '{scenario}' in the course. "
                          f"Scenarios: {', '.join(names())}.")
    picture = gather(course, assignment, scenario, everything)
    folder = Path(out) if out else course.root / "reports" / assignment
    result = Debrief(picture, folder)
    if not picture.journals:
        return result
    folder.mkdir(parents=True, exist_ok=True)
    html = folder / "debrief.html"
    html.write_text(page(picture), encoding="utf-8")
    result.files.append(html)
    for name, table in _tables(picture).items():
        safe_frame(table).to_csv(folder / name, index=False)
        result.files.append(folder / name)
    return result
