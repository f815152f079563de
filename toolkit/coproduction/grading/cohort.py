"""Synthetic cohorts: N submissions of an assignment, for practice, tests and benchmarks.

Submissions are built from the assignment's two copies: the released one
(what a trainee starts from) and the source one (where the answers are). Most
are ordinary (correct, partly right, blank); the hostile kinds are the ways a
real submission can go wrong, so that grading can be shown to survive them.
"""

from __future__ import annotations

import copy
import functools
import json
import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

ORDINARY = ("correct", "partial", "blank")
HOSTILE = (
    "infinite-loop",     # a cell that never finishes
    "kills-kernel",      # a cell that stops Python itself
    "deletes-cells",     # the test cells removed
    "duplicates-cells",  # every answer cell pasted twice
    "edits-tests",       # test cells replaced with code that always passes
    "prints-megabytes",  # an answer that prints tens of megabytes
    "not-json",          # a file that is not a notebook at all
)
KINDS = ORDINARY + HOSTILE

_MARKER = re.compile(r"^\s*#+\s*(BEGIN|END) SOLUTION\s*$")


@dataclass(frozen=True)
class Member:
    """One synthetic trainee: their id and what kind of submission they made."""

    student: str
    kind: str


def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def _answer_source(source_cell) -> str:
    """The source copy's answer with nbgrader's solution markers taken out."""
    lines = "".join(source_cell["source"]).splitlines()
    return "\n".join(line for line in lines if not _MARKER.match(line))


def _filled(release: dict, source: dict, how_many: int | None = None) -> dict:
    """The release copy with the first ``how_many`` answers filled in (all when None)."""
    answers = {_nbgrader(c).get("grade_id"): c for c in source["cells"] if _nbgrader(c).get("solution")}
    nb = copy.deepcopy(release)
    filled = 0
    for cell in nb["cells"]:
        meta = _nbgrader(cell)
        if not meta.get("solution") or meta.get("grade_id") not in answers:
            continue
        if how_many is not None and filled >= how_many:
            break
        if cell["cell_type"] == "markdown":
            cell["source"] = ("In my team we changed how repairs are reported without asking "
                              "tenants. Using Assets, a partner approach would have asked them "
                              "first; it would have cost time.")
        else:
            cell["source"] = _answer_source(answers[meta["grade_id"]])
        filled += 1
    return nb


def _first_code_answer(nb: dict) -> dict:
    return next(c for c in nb["cells"] if c["cell_type"] == "code" and _nbgrader(c).get("solution"))


def make_notebook(kind: str, release: dict, source: dict) -> str:
    """The text of one submitted notebook of the given kind."""
    solutions = sum(1 for c in release["cells"] if _nbgrader(c).get("solution"))
    if kind == "correct":
        nb = _filled(release, source)
    elif kind == "partial":
        nb = _filled(release, source, how_many=max(1, solutions // 2))
    elif kind == "blank":
        nb = copy.deepcopy(release)
    elif kind == "infinite-loop":
        nb = _filled(release, source)
        _first_code_answer(nb)["source"] = "while True:\n    pass"
    elif kind == "kills-kernel":
        nb = _filled(release, source)
        _first_code_answer(nb)["source"] = "import os\nos._exit(1)"
    elif kind == "deletes-cells":
        nb = _filled(release, source)
        nb["cells"] = [c for c in nb["cells"] if not _nbgrader(c).get("grade")
                       or _nbgrader(c).get("solution")]
    elif kind == "duplicates-cells":
        nb = _filled(release, source)
        cells = []
        for cell in nb["cells"]:
            cells.append(cell)
            if _nbgrader(cell).get("solution"):
                cells.append(copy.deepcopy(cell))
        nb["cells"] = cells
    elif kind == "edits-tests":
        nb = copy.deepcopy(release)  # blank answers: any marks would come from the tampering
        for cell in nb["cells"]:
            if _nbgrader(cell).get("grade") and cell["cell_type"] == "code":
                cell["source"] = "print('All checks passed!')"
    elif kind == "prints-megabytes":
        nb = _filled(release, source)
        answer = _first_code_answer(nb)
        answer["source"] = "".join(answer["source"]) + "\nfor _ in range(400):\n    print('x' * 100_000)"
    elif kind == "not-json":
        return "{ this is not a notebook: the upload was cut short"
    else:
        raise ValueError(f"unknown kind of submission '{kind}' (known: {', '.join(KINDS)})")
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def plan(size: int, hostile: bool = True, seed: int = 1) -> list[Member]:
    """Who is in a cohort of ``size``: one of each hostile kind (if asked), the rest ordinary.

    Ordinary members are mostly correct or partly right, with a few blanks,
    in a seeded order.
    """
    rng = random.Random(seed)
    kinds = list(HOSTILE) if hostile else []
    kinds = kinds[:size]
    while len(kinds) < size:
        kinds.append(rng.choices(ORDINARY, weights=(5, 3, 1))[0])
    rng.shuffle(kinds)
    return [Member(f"trainee-{i:03d}", kind) for i, kind in enumerate(kinds, start=1)]


# Invented names for a practice cohort, so the formgrader lists people, not "None, None".
_FIRST = ("Amara", "Ben", "Carys", "Dev", "Elif", "Femi", "Grace", "Hamid", "Isla", "Jonah",
          "Kiran", "Lena", "Malik", "Nia", "Owen", "Priya", "Rhys", "Sana", "Tom", "Yusuf")
_LAST = ("Adeyemi", "Baker", "Chen", "Davies", "Evans", "Fraser", "Gill", "Hughes", "Iqbal",
         "Jones", "Khan", "Lewis", "Morgan", "Nowak", "Owusu", "Patel", "Quinn", "Roberts",
         "Singh", "Walsh")


def practice_names(members: list[Member], seed: int = 1) -> dict[str, tuple[str, str]]:
    """student id -> (first name, last name), invented and seeded, none repeated."""
    rng = random.Random(f"names-{seed}")
    pairs = [(f, l) for f in _FIRST for l in _LAST]
    rng.shuffle(pairs)
    return {m.student: pairs[i % len(pairs)] for i, m in enumerate(members)}


@functools.lru_cache(maxsize=None)
def _routes(name: str):
    """A shipped scenario and every route through it, worked out once per run (a cohort of
    300 would otherwise walk every scenario's routes 300 times)."""
    from ..scenario import get, paths

    scenario = get(name)
    return scenario, paths(scenario)


def write_journal(path: Path, rng: random.Random, scenarios: list[str],
                  checks: list[str] = ()) -> None:
    """A trainee's journal with one or two played-through paths of each scenario and,
    for each self-check in ``checks``, answers to its questions until they are right."""
    from ..journal import Journal
    from ..scenario import play_through

    journal = Journal(path, quiet=True)
    for name in scenarios:
        scenario, routes = _routes(name)
        for _ in range(rng.choice((1, 1, 2))):
            journal.record_scenario(play_through(scenario, rng.choice(routes)))
    # A generator of its own, so the routes above stay what they were before checks existed.
    answers = random.Random(f"checks-{path.parent.parent.name}")
    for name in checks:
        _answer_check(journal, name, answers)


def _answer_check(journal, name: str, rng: random.Random) -> None:
    """Answer each question of a self-check as a trainee might: most right first time,
    others after a guess or two, a few giving up; sorting questions mostly right."""
    from .. import quiz

    check = quiz.get(name)
    for question in check.questions:
        if question.kind == "choice":
            order = rng.sample(question.options, len(question.options))
            right = next(o for o in order if question.mark(o).correct)
            if rng.random() < 0.6:  # most know it first time
                order = [right] + [o for o in order if o != right]
            for option in order:
                correct = question.mark(option).correct
                journal.record_check(check.id, question.id, option, correct)
                if correct or rng.random() < 0.3:  # some give up before finding it
                    break
        else:  # most items placed right, a few not
            placed = {}
            for item in question.items:
                right = next(c for c in question.categories
                             if question.mark_item(item.text, c).correct)
                wrong = [c for c in question.categories if c != right]
                placed[item.text] = right if not wrong or rng.random() < 0.85 \
                    else rng.choice(wrong)
            marks = question.mark(placed)
            journal.record_check(check.id, question.id, placed,
                                 all(m.correct for m in marks.values()))


def write_cohort(root: Path, assignment: str, members: list[Member],
                 submitted_dir: str = "submitted", journals: list[str] | None = None,
                 seed: int = 1, checks: list[str] = ()) -> list[Path]:
    """Write each member's submission under ``root/submitted/<student>/<assignment>/``.

    With ``journals`` (scenario names), ordinary members also hand in a journal of
    those scenarios played through, as a trainee's journal would come with their work,
    and of the self-checks named in ``checks`` answered.
    """
    rng = random.Random(seed)
    release_dir = root / "exercises" / assignment
    source_dir = root / "solutions" / assignment
    written = []
    start = datetime(2026, 11, 20, 17, 0, tzinfo=timezone.utc)
    for n, member in enumerate(members):
        folder = root / submitted_dir / member.student / assignment
        folder.mkdir(parents=True, exist_ok=True)
        for release_nb in sorted(release_dir.glob("*.ipynb")):
            release = json.loads(release_nb.read_text(encoding="utf-8"))
            source = json.loads((source_dir / release_nb.name).read_text(encoding="utf-8"))
            path = folder / release_nb.name
            path.write_text(make_notebook(member.kind, release, source), encoding="utf-8")
            written.append(path)
        stamp = start + timedelta(minutes=7 * n)
        (folder / "timestamp.txt").write_text(stamp.strftime("%Y-%m-%d %H:%M:%S.%f %Z"))
        if journals and member.kind in ORDINARY:
            write_journal(folder / "coproduction-journal.sqlite", rng, journals, checks)
    return written
