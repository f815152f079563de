"""The debrief for the room: a practice cohort's journals turned into an anonymous page.

Cohorts are made with the real `coproduction cohort` command and the page with the
real `coproduction debrief`; the numbers on the page are checked against the
journals themselves, replayed here with the engine.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections import Counter
from html.parser import HTMLParser

import pytest

from conftest import ROOT
from grading_helpers import ASSIGNMENT, run

pytestmark = pytest.mark.slow

JOURNAL = "coproduction-journal.sqlite"


class _Text(HTMLParser):
    """All the text of a page, and whether it asks for anything from elsewhere."""

    def __init__(self):
        super().__init__()
        self.text, self.fetches = [], []

    def handle_data(self, data):
        self.text.append(data)

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href") and value:
                self.fetches.append(value)
        if tag == "script":
            self.fetches.append("script")


def page_text(path) -> tuple[str, list[str]]:
    parser = _Text()
    parser.feed(path.read_text(encoding="utf-8"))
    return " ".join(" ".join(parser.text).split()), parser.fetches


def first_plays(course, scenario_id: str) -> list[list[list[str]]]:
    """Each trainee's first recorded route through ``scenario_id``, read directly."""
    routes = []
    for journal in sorted(course.glob(f"submitted/*/{ASSIGNMENT}/{JOURNAL}")):
        with sqlite3.connect(journal) as con:
            row = con.execute("SELECT detail FROM entries WHERE kind = 'scenario' AND "
                              "subject = ? ORDER BY id LIMIT 1", (scenario_id,)).fetchone()
        if row:
            routes.append(json.loads(row[0])["path"])
    return routes


def course_copy(where):
    """A course folder with its assignments released: the repository's own exercises/,
    which a test keeps equal to what nbgrader's generate_assignment makes."""
    where.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "nbgrader_config.py", where)
    for folder in ("solutions", "exercises"):
        shutil.copytree(ROOT / folder, where / folder)
    return where


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """A cohort of three, debriefed."""
    course = course_copy(tmp_path_factory.mktemp("debrief-3"))
    made = run("coproduction", "cohort", ASSIGNMENT, "--size", "3", "--no-hostile", cwd=course)
    assert made.returncode == 0, made.stderr
    result = run("coproduction", "debrief", ASSIGNMENT, cwd=course)
    return course, result


def test_a_cohort_of_three_gets_a_page_and_tables(small):
    course, result = small
    assert result.returncode == 0, result.stderr
    assert "Debrief of 01-origins from 3 of 3 trainee journal(s)." in result.stdout
    folder = course / "reports" / ASSIGNMENT
    for name in ("debrief.html", "debrief-choices.csv", "debrief-endings.csv",
                 "debrief-missed.csv"):
        assert (folder / name).is_file(), name
    text, fetches = page_text(folder / "debrief.html")
    assert fetches == []  # nothing from the web: it projects the same offline
    assert "Trouble on the Fernside estate" in text and "For discussion:" in text


def test_the_page_never_names_a_trainee(small):
    from coproduction.grading.cohort import plan, practice_names

    course, _ = small
    ids = [p.name for p in (course / "submitted").iterdir()]
    names = practice_names(plan(3, hostile=False))
    assert ids and set(ids) == set(names)
    folder = course / "reports" / ASSIGNMENT
    written = " ".join(p.read_text(encoding="utf-8") for p in folder.glob("debrief*"))
    for student, (first, last) in names.items():
        assert student not in written and f"{first} {last}" not in written
    assert not any(student in small[1].stdout for student in ids)


def test_the_counts_are_each_trainees_first_route_replayed(small):
    import pandas as pd

    course, _ = small
    routes = first_plays(course, "estate-asb")
    taken = Counter((node, choice) for route in routes for node, choice in route)
    reached = Counter(node for route in routes for node, _ in route)
    table = pd.read_csv(course / "reports" / ASSIGNMENT / "debrief-choices.csv")
    from coproduction import scenario

    estate = scenario.get("estate-asb")
    labels = {(n.id, c.label): c.id for n in estate.nodes.values() for c in n.choices}
    shown = table[table.scenario == "estate-asb"]
    assert len(shown) > 0
    for row in shown.itertuples():
        choice = labels[(row.decision_point, row.choice)]
        assert row.trainees == taken[(row.decision_point, choice)]
        assert row.of == reached[row.decision_point] >= 2  # one person's point is not shown
    hidden = {n for n, k in reached.items() if k == 1}
    assert hidden.isdisjoint(set(shown.decision_point))


def test_only_the_assignments_module_unless_asked(small, tmp_path):
    course, _ = small
    import pandas as pd

    table = pd.read_csv(course / "reports" / ASSIGNMENT / "debrief-choices.csv")
    assert set(table.scenario) == {"estate-asb"}
    missed = pd.read_csv(course / "reports" / ASSIGNMENT / "debrief-missed.csv")
    assert set(missed.self_check) <= {"01-origins"}
    everything = run("coproduction", "debrief", ASSIGNMENT, "--all", "--out", tmp_path / "all",
                     cwd=course)
    assert everything.returncode == 0, everything.stderr
    wide = pd.read_csv(tmp_path / "all" / "debrief-choices.csv")
    assert {"estate-asb", "damp-and-mould"} <= set(wide.scenario)


def test_missed_questions_count_first_answers(small):
    import pandas as pd

    course, _ = small
    firsts: dict[str, list[bool]] = {}
    for journal in sorted(course.glob(f"submitted/*/{ASSIGNMENT}/{JOURNAL}")):
        seen = {}
        with sqlite3.connect(journal) as con:
            for subject, detail in con.execute("SELECT subject, detail FROM entries WHERE "
                                               "kind = 'check' ORDER BY id"):
                seen.setdefault(subject, json.loads(detail)["correct"])
        for subject, correct in seen.items():
            firsts.setdefault(subject, []).append(correct)
    missed = pd.read_csv(course / "reports" / ASSIGNMENT / "debrief-missed.csv")
    assert len(missed) > 0
    for row in missed.itertuples():
        answers = firsts[f"{row.self_check}/{row.question}"]
        assert row.answered == len(answers) and row.first_answer_wrong == answers.count(False)


def test_a_cohort_of_three_hundred(tmp_path):
    """300 trainees: ten real journals, each handed in by thirty people. Every count is
    then exactly thirty times the ten's, which a miscount anywhere would break."""
    import pandas as pd

    ten = course_copy(tmp_path / "ten")
    made = run("coproduction", "cohort", ASSIGNMENT, "--size", "10", "--no-hostile",
               "--seed", "7", cwd=ten)
    assert made.returncode == 0, made.stderr
    journals = [p.read_bytes() for p in sorted(ten.glob(f"submitted/*/{ASSIGNMENT}/{JOURNAL}"))]
    assert len(journals) == 10
    run("coproduction", "debrief", ASSIGNMENT, cwd=ten, check=True)

    big = course_copy(tmp_path / "big")
    for n in range(300):
        folder = big / "submitted" / f"t{n:03d}" / ASSIGNMENT
        folder.mkdir(parents=True)
        (folder / JOURNAL).write_bytes(journals[n % 10])
    result = run("coproduction", "debrief", ASSIGNMENT, cwd=big)
    assert result.returncode == 0, result.stderr
    assert "from 300 of 300 trainee journal(s)" in result.stdout
    for name, counts in (("debrief-choices.csv", ["trainees", "of"]),
                         ("debrief-endings.csv", ["trainees", "of"]),
                         ("debrief-missed.csv", ["first_answer_wrong", "answered"])):
        small_table = pd.read_csv(ten / "reports" / ASSIGNMENT / name)
        big_table = pd.read_csv(big / "reports" / ASSIGNMENT / name)
        keys = [c for c in small_table.columns if c not in counts]
        merged = small_table.merge(big_table, on=keys, how="left", suffixes=("", "_300"))
        assert len(merged) == len(small_table) > 0, name
        for column in counts:
            assert (merged[column] * 30 == merged[f"{column}_300"]).all(), (name, column)
    text, _ = page_text(big / "reports" / ASSIGNMENT / "debrief.html")
    assert "t000" not in text and "t299" not in text


def _journal(path, scenario_rows=(), check_rows=()):
    """A journal written with the course's own Journal, then rows added raw as a
    crafted file would have them."""
    from coproduction.journal import Journal

    path.parent.mkdir(parents=True, exist_ok=True)
    Journal(path, quiet=True)
    with sqlite3.connect(path) as con:
        for subject, detail in scenario_rows:
            con.execute("INSERT INTO entries (at, kind, subject, detail) VALUES "
                        "('2026-11-20T10:00:00+00:00', 'scenario', ?, ?)",
                        (subject, json.dumps(detail)))
        for subject, detail in check_rows:
            con.execute("INSERT INTO entries (at, kind, subject, detail) VALUES "
                        "('2026-11-20T10:00:00+00:00', 'check', ?, ?)",
                        (subject, json.dumps(detail)))


def test_crafted_journals_cannot_change_the_picture(tmp_path):
    from coproduction import scenario
    from coproduction.grading import Course
    from coproduction.grading.debrief import debrief, gather

    course_dir = course_copy(tmp_path / "course")
    estate = scenario.get("estate-asb")
    real = scenario.paths(estate)[0]
    state = scenario.play_through(estate, real)
    route = [[s.node_id, s.choice_id] for s in state.history]
    sub = course_dir / "submitted"
    # Two honest trainees, so the first decision point is shown.
    for who in ("honest1", "honest2"):
        _journal(sub / who / ASSIGNMENT / JOURNAL,
                 [("estate-asb", {"path": route, "ending": state.ending})],
                 [("01-origins/coined", {"answer": "x", "correct": False})])
    # Claims an ending its route does not reach, and a route that is not one.
    _journal(sub / "liar" / ASSIGNMENT / JOURNAL,
             [("estate-asb", {"path": route[:1], "ending": "partner", "stance": 2}),
              ("estate-asb", {"path": [["complaints", "no-such-choice"]]}),
              ("../../etc/passwd", {"path": route}),
              ("estate-asb<script>", {"path": route})],
             [("01-origins/coined", {"answer": "x", "correct": "yes"}),
              ("no-such-check/q", {"correct": True}),
              ("<b>01-origins</b>/coined", {"correct": True})])
    # Not a journal at all, and one far too big to be one.
    (sub / "junk" / ASSIGNMENT).mkdir(parents=True)
    (sub / "junk" / ASSIGNMENT / JOURNAL).write_text("not a database")
    (sub / "huge" / ASSIGNMENT).mkdir(parents=True)
    with (sub / "huge" / ASSIGNMENT / JOURNAL).open("wb") as handle:
        handle.truncate(25 * 1024 * 1024)

    course = Course(course_dir)
    picture = gather(course, ASSIGNMENT)
    assert (picture.journals, picture.used) == (5, 3)
    [estate_picture] = picture.scenarios
    assert estate_picture.played == 2  # the liar's half route and made-up ones count for nothing
    [ending] = estate_picture.endings
    assert ending.node == state.node_id and ending.trainees == 2
    assert picture.entries_skipped == 7  # four scenario entries, three self-check answers
    [missed] = picture.missed
    assert (missed.question, missed.answered, missed.wrong_first) == ("coined", 2, 2)
    written = debrief(course, ASSIGNMENT)
    page = (written.folder / "debrief.html").read_text(encoding="utf-8")
    assert "<script" not in page and "passwd" not in page and "liar" not in page
    assert "2 journal(s) could not be read" in written.summary()


def test_no_journals_means_a_message_and_no_files(tmp_path):
    course = course_copy(tmp_path / "course")
    (course / "submitted" / "someone" / ASSIGNMENT).mkdir(parents=True)
    result = run("coproduction", "debrief", ASSIGNMENT, cwd=course)
    assert result.returncode == 0 and "nothing to debrief" in result.stdout
    assert not (course / "reports").exists()
    unknown = run("coproduction", "debrief", ASSIGNMENT, "--scenario", "nope", cwd=course)
    assert unknown.returncode == 1 and "no scenario called 'nope'" in unknown.stderr
    assert "Traceback" not in unknown.stderr
    missing = run("coproduction", "debrief", "99-nothing", cwd=course)
    assert missing.returncode == 1 and "no assignment called '99-nothing'" in missing.stderr


@pytest.mark.parametrize("counts, expected", [
    ((5, 0, 0), "Everyone who reached this point chose “A”"),
    ((8, 2, 0), "Most of the room (8 of 10 (80%)) chose “A”"),
    ((4, 3, 3), "The room was divided here"),
    ((1, 0, 0), ""),
])
def test_discussion_prompts_follow_how_the_room_split(counts, expected):
    from coproduction.grading.debrief import DecisionPoint, Option
    from coproduction.grading.debrief_page import point_prompt

    point = DecisionPoint("n", "T", "S", [Option(label, stance, n) for label, stance, n in
                                          zip("ABC", (-1, 1, 0), counts)])
    prompt = point_prompt(point)
    assert prompt.startswith(expected) if expected else prompt == ""
