"""Trainer tools against files made by an attacker posing as a trainee or an author.

A trainee hands in a journal with their work, and `coproduction report` reads
every one; an author's YAML file goes through `coproduction scenario check` and
`coproduction quiz seal`. Each attack here once ran a command out of memory,
for minutes, into a traceback, or into a spreadsheet formula. The commands are
run through their real entry point with at most 1 GiB of memory, so a
regression fails here instead of eating the machine, and with a generous
timeout that only stops a hang (no test asserts on how long anything takes).
"""

from __future__ import annotations

import csv
import json
import os
import resource
import shutil
import sqlite3
import struct
import subprocess
from pathlib import Path

import pytest
from conftest import SMALL_SCENARIO
from grading_helpers import ASSIGNMENT, BIN, ENV, course_copy

pytestmark = pytest.mark.slow

MEMORY_CAP = 1024**3  # bytes of address space for each command
TIMEOUT = 300  # seconds; only there to stop a hang
JOURNAL = "coproduction-journal.sqlite"
GRADED = ("ana", "ben")
# Trainee ids a spreadsheet would run as formulas (a hub's usernames are seldom this
# free, but a folder under submitted/ can be called anything).
FORMULA_IDS = ('=HYPERLINK("example.org","open me")', "@SUM(A1:A9)", "+41", "-2+3")


def _capped() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def cli(*args, cwd: Path) -> subprocess.CompletedProcess:
    """`coproduction ARGS` through its installed entry point, memory capped, with a timeout."""
    return subprocess.run([str(BIN / "coproduction"), *map(str, args)], cwd=cwd, env=ENV,
                          capture_output=True, text=True, timeout=TIMEOUT,
                          preexec_fn=_capped, check=False)


def _route(name: str = "estate-asb", which: int = 0):
    from coproduction import scenario

    found = scenario.get(name)
    return scenario.play_through(found, scenario.paths(found)[which])


def _good_detail(name: str = "estate-asb") -> str:
    """The detail the course writes for a finished play (its first route)."""
    from coproduction.journal import Journal

    path = Path(os.environ["COPRODUCTION_JOURNAL"]).with_name(f"detail-{name}.sqlite")
    path.unlink(missing_ok=True)
    Journal(path, quiet=True).record_scenario(_route(name))
    with sqlite3.connect(path) as con:
        return con.execute("SELECT detail FROM entries").fetchone()[0]


def _journal(course: Path, trainee: str) -> Path:
    folder = course / "submitted" / trainee / ASSIGNMENT
    folder.mkdir(parents=True, exist_ok=True)
    return folder / JOURNAL


def _rows(path: Path, rows, *, create: str | None = None) -> None:
    """Write rows straight into a journal with sqlite3, as an attacker would."""
    with sqlite3.connect(path) as con:
        if create:
            con.execute(create)
        con.executemany("INSERT INTO entries (at, kind, subject, detail) VALUES (?, ?, ?, ?)",
                        rows)
    con.close()


def _hostile_journals(course: Path, elsewhere: Path) -> None:
    """One journal per attack, each handed in by a trainee of its own."""
    from coproduction.journal import Journal

    at, estate = "2026-11-30T10:00:00+00:00", _good_detail()
    for trainee in GRADED:
        Journal(_journal(course, trainee), quiet=True).record_scenario(_route())

    # a 50 MB string, and behind it a real route that must not count
    path = _journal(course, "big-string")
    Journal(path, quiet=True).record_scenario(_route())
    _rows(path, [(at, "scenario", "x" * 50_000_000, estate)])

    # 6,000 rows; a route after the first 5,000 must not count
    path = _journal(course, "many-rows")
    Journal(path, quiet=True)
    _rows(path, [(at, "scenario", "estate-asb", estate)] * 5_999
          + [(at, "scenario", "after-the-fall", _good_detail("after-the-fall"))])

    # rows with values of the wrong kind, in a table without column types (so SQLite
    # keeps each value as given), then one good row
    deep = {"path": 1}
    for _ in range(40):
        deep = {"path": [deep]}
    wrong = [
        (at, "scenario", 42, estate),  # a number where the scenario id should be
        (at, "scenario", "estate-asb", "[1, 2]"),  # a list where a dict should be
        (at, "scenario", "estate-asb", None),  # null
        (at, "scenario", "estate-asb", json.dumps(deep)),  # nested junk
        (at, "scenario", "estate-asb", json.dumps({**json.loads(estate), "stance": -99})),
        (at, "scenario", "estate-asb", json.dumps({"path": [["complaints", "x"]] * 100_000})),
        (at, "scenario", b"estate-asb", estate),  # a scenario id that is not text
        (at, "scenario", "estate-asb", "this is not JSON {"),
        (17, "scenario", "estate-asb", estate),  # a number for the time
    ]
    _rows(_journal(course, "wrong-types"),
          wrong + [(at, "scenario", "youth-service", _good_detail("youth-service"))],
          create="CREATE TABLE entries (id INTEGER PRIMARY KEY, at, kind, subject, detail)")

    # scenario ids that name files: a pipe that would hang whoever opens it, and a
    # real scenario file
    fifo = elsewhere / "evil.yaml"
    os.mkfifo(fifo)
    copy = elsewhere / "copy.yaml"
    shutil.copy(Path(__file__).parent.parent / "toolkit/coproduction/content/scenarios"
                / "estate-asb.yaml", copy)
    path = _journal(course, "path-subject")
    Journal(path, quiet=True)
    _rows(path, [(at, "scenario", str(fifo), estate), (at, "scenario", str(copy), estate),
                 (at, "scenario", "../../../estate-asb.yaml", estate)])

    # entries made up on reading: an endless view, a computed gigabyte, a shared default
    with sqlite3.connect(_journal(course, "endless-view")) as con:
        con.execute("CREATE VIEW entries AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL "
                    "SELECT i + 1 FROM n) SELECT i AS id, 'x' AS at, 'scenario' AS kind, "
                    f"'estate-asb' AS subject, '{estate}' AS detail FROM n")
    con.close()
    with sqlite3.connect(_journal(course, "computed-gigabyte")) as con:
        con.execute("CREATE TABLE entries (id INTEGER PRIMARY KEY, at TEXT, kind TEXT, "
                    "subject TEXT, detail TEXT GENERATED ALWAYS AS "
                    "(printf('%.*c', 1000000000, 'x')) VIRTUAL)")
        con.execute("INSERT INTO entries (at, kind, subject) VALUES (?, ?, ?)",
                    (at, "scenario", "estate-asb"))
    con.close()
    path = _journal(course, "shared-default")
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE entries (id INTEGER PRIMARY KEY, at TEXT, kind TEXT, "
                    "subject TEXT)")
        con.executemany("INSERT INTO entries (at, kind, subject) VALUES (?, ?, ?)",
                        [(at, "scenario", "estate-asb")] * 5_000)
        padded = json.dumps({"path": "x" * 900_000})
        con.execute(f"ALTER TABLE entries ADD COLUMN detail TEXT DEFAULT '{padded}'")
    con.close()

    # a link to another trainee's journal, and a file that is not a journal at all
    _journal(course, "linked").symlink_to(_journal(course, "ana"))
    _journal(course, "not-a-journal").write_text("not a journal")


def _graded_course(where: Path) -> Path:
    """A released course with graded trainees: ana, ben and the formula-named ones."""
    from nbgrader.api import Gradebook

    course = course_copy(where)
    release = course / "exercises" / ASSIGNMENT
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "coproduction") as gb:
        for number, student in enumerate((*GRADED, *FORMULA_IDS)):
            gb.add_student(student)
            gb.add_submission(ASSIGNMENT, student)
            (course / "submitted" / student / ASSIGNMENT).mkdir(parents=True, exist_ok=True)
            shutil.copytree(release, course / "autograded" / student / ASSIGNMENT)
            gb.find_grade("q1-tests", "origins", ASSIGNMENT, student).auto_score = number % 2
        gb.db.commit()
    return course


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    course = _graded_course(tmp_path_factory.mktemp("hostile-cohort"))
    _hostile_journals(course, tmp_path_factory.mktemp("elsewhere"))
    return course


@pytest.fixture(scope="module")
def reported(cohort, tmp_path_factory):
    """`coproduction report` on the whole hostile cohort, once."""
    out = tmp_path_factory.mktemp("report")
    result = cli("report", ASSIGNMENT, "--out", out, cwd=cohort)
    return result, out


def _csv(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _counted(out: Path) -> dict[tuple[str, str], int]:
    """(scenario, decision point) -> trainees counted there, from scenario-choices.csv."""
    counts: dict[tuple[str, str], int] = {}
    for row in _csv(out / "scenario-choices.csv"):
        key = (row["scenario"], row["decision_point"])
        counts[key] = counts.get(key, 0) + int(row["trainees"])
    return counts


# -- the report on a hostile cohort -------------------------------------------------------


def test_the_report_survives_a_hostile_cohort(reported):
    result, out = reported
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    assert "6 graded." in result.stdout
    for name in ("scores.csv", "questions.csv", "scenario-choices.csv", "scenario-choices.png"):
        assert (out / name).is_file()


def test_one_bad_journal_does_not_affect_the_others(reported):
    _, out = reported
    first = _route().history
    counts = _counted(out)
    # ana, ben and the first of many-rows' 5,999 copies: three at each point of the route
    assert [counts.get(("estate-asb", step.node_id)) for step in first] == [3] * len(first)


def test_a_journal_over_the_size_limit_is_skipped_unread(reported):
    result, out = reported
    assert ("  big-string: the file is larger than 20 MB, far larger than a journal the "
            "course writes, so it was not read") in result.stdout
    assert _counted(out)[("estate-asb", "complaints")] == 3  # its real route is not counted


def test_rows_past_the_cap_are_not_read(reported):
    result, out = reported
    assert ("Only the first part of the journal of many-rows was read: it holds more than "
            "the report reads from one journal (at most 5,000 scenario entries).") in result.stdout
    assert not any(scenario == "after-the-fall" for scenario, _ in _counted(out))


def test_rows_of_the_wrong_kind_are_skipped_and_counted(reported):
    result, out = reported
    assert ("9 journal entries from 1 trainee could not be read and were skipped "
            "(values of the wrong kind, or too large)") in result.stdout
    # the good row after them still counts
    first = _route("youth-service").history[0].node_id
    assert _counted(out)[("youth-service", first)] == 1


def test_a_scenario_id_is_never_opened_as_a_file(reported):
    result, _ = reported
    # Opening the pipe would have hung the report until the timeout; the file copy and
    # the relative path are only names that no shipped scenario has.
    assert result.returncode == 0
    assert "3 named a scenario, or a route through one, that the course does not have" \
        in result.stdout


@pytest.mark.parametrize("trainee", ["endless-view", "computed-gigabyte", "shared-default"])
def test_entries_made_up_on_reading_are_refused(reported, trainee):
    result, _ = reported
    line = next(line for line in result.stdout.splitlines()
                if line.startswith(f"  {trainee}: "))
    assert "it is not a journal this course made" in line


def test_a_link_or_a_file_that_is_not_a_journal_is_left_out_with_the_reason(reported):
    result, _ = reported
    # big-string, the three made up on reading, and these two
    assert "6 journal files could not be used and were left out" in result.stdout
    assert "  linked: it is not a plain file" in result.stdout
    assert "  not-a-journal: it is not a journal this course made, or it is damaged" \
        in result.stdout


# -- CSV cells a spreadsheet would run --------------------------------------------------------


def test_trainee_ids_that_look_like_formulas_are_escaped_in_scores_csv(reported):
    _, out = reported
    rows = {row["trainee"]: row for row in _csv(out / "scores.csv")}
    for trainee in FORMULA_IDS:
        assert f"'{trainee}" in rows, sorted(rows)
    assert "ana" in rows and rows["ana"]["status"] == "graded"
    assert rows["ana"]["total"] in ("0.0", "0")  # a number stays a number
    with (out / "scores.csv").open(newline="", encoding="utf-8") as handle:
        cells = [cell for row in csv.reader(handle) for cell in row]
    assert not any(cell[:1] in ("=", "+", "@", "\t", "\r") for cell in cells)
    assert all(cell.lstrip("-").replace(".", "", 1).isdigit() for cell in cells
               if cell.startswith("-"))  # only real negative numbers start with a minus


def test_numbers_in_scenario_choices_csv_stay_numbers(reported):
    _, out = reported
    stances = {row["stance"] for row in _csv(out / "scenario-choices.csv")}
    assert "-2" in stances and not any(s.startswith("'") for s in stances)


FORMULA_SCENARIO = SMALL_SCENARIO.replace(
    "title: First contact", 'title: "@SUM(A1:A9)"').replace(
    "label: Send the damp leaflet", 'label: "=HYPERLINK(\\"http://example.org\\",\\"open\\")"'
).replace("label: Visit and listen", 'label: "+41 visits"')


def test_formula_text_in_scenario_choices_csv_is_escaped(cohort, tmp_path, write, monkeypatch):
    """A scenario installed with titles and labels that start like formulas."""
    from coproduction.grading import Course, journal_choices, report
    from coproduction.journal import Journal
    from coproduction.scenario import load, paths, play_through

    scenario = load(write(FORMULA_SCENARIO.replace('"+41 visits"', '"-2+3 visits"'), "f.yaml"))
    monkeypatch.setattr(journal_choices, "_shipped_scenarios", lambda: {"small": scenario})
    course = tmp_path / "course"
    shutil.copytree(cohort, course, symlinks=True)
    for number, route in enumerate(paths(scenario)):  # one trainee for each route
        Journal(_journal(course, f"route-{number}"), quiet=True).record_scenario(
            play_through(scenario, route))
    made = report(Course(course), ASSIGNMENT, tmp_path / "out")
    rows = _csv(made.folder / "scenario-choices.csv")
    labels = {row["label"] for row in rows}
    assert "'=HYPERLINK(\"http://example.org\",\"open\")" in labels
    assert "'-2+3 visits" in labels
    assert {row["title"] for row in rows} >= {"'@SUM(A1:A9)"}
    assert {row["stance"] for row in rows} >= {"-2"}  # written as a number: left alone


def test_csvsafe_escapes_text_and_leaves_numbers():
    import pandas as pd

    from coproduction.csvsafe import safe_cell, safe_frame, safe_row

    for text in ("=1+1", "+41", "-2+3", "@SUM(A1)", "\tx", "\rx", "-2"):
        assert safe_cell(text) == "'" + text
    for value in (-2, -2.5, 41, None, "ana", "", "'=already"):
        assert safe_cell(value) == value
    assert safe_row({"a": "=x", "b": -1}) == {"a": "'=x", "b": -1}
    frame = safe_frame(pd.DataFrame({"who": ["=x", "y"], "score": [-2.0, 41.0], "=col": [1, 2]}))
    assert list(frame["who"]) == ["'=x", "y"] and list(frame["score"]) == [-2.0, 41.0]
    assert list(frame.columns) == ["who", "score", "'=col"]


# -- the choices chart ---------------------------------------------------------------------


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_the_choices_chart_shows_at_most_40_decision_points(tmp_path):
    import pandas as pd

    from coproduction.grading.report import Report, _draw_bars, choices_chart

    choices = pd.DataFrame([{"scenario": "big", "decision_point": f"point-{n}",
                             "title": f"Decision point {n}", "choice": "c", "label": "C",
                             "stance": n % 5 - 2, "trainees": 1} for n in range(3_000)])
    chart = choices_chart(choices)
    assert len(chart.labels) == 40 and chart.labels[0] == "Decision point 0"
    assert all(len(values) == 40 for values in chart.series.values())
    assert chart.left_off == 2_960
    assert chart.note.startswith("2960 more decision points did not fit on the chart")
    _draw_bars(chart, tmp_path / "choices.png", {})
    width, height = _png_size(tmp_path / "choices.png")
    assert width <= 720 and height <= 2_000
    summary = Report(tmp_path, trainees=1, max_score=1,
                     charts={"scenario-choices.png": chart}).summary()
    assert "2960 more decision points did not fit on the chart" in summary


# -- journals on a full disk ---------------------------------------------------------------


class _FullDisk:
    """A connection whose every statement fails as SQLite does when the disk is full."""

    def __init__(self, message: str):
        self.message = message

    def execute(self, *args, **kwargs):
        raise sqlite3.OperationalError(self.message)

    def set_progress_handler(self, *args):
        pass

    def close(self):
        pass


def test_opening_a_journal_on_a_full_disk_says_so_and_moves_nothing(journal_file, monkeypatch):
    """SQLite may say only "disk I/O error" when it cannot make its -journal file."""
    from coproduction.journal import Journal

    Journal(journal_file).save_reflection("m1-r1", "kept")
    monkeypatch.setattr(Journal, "_connect", lambda self: _FullDisk("disk I/O error"))
    monkeypatch.setattr(shutil, "disk_usage", lambda folder: shutil._ntuple_diskusage(1, 1, 0))
    with pytest.raises(OSError) as caught:
        Journal(journal_file)
    assert "no space left on the disk that holds your journal" in str(caught.value)
    assert "could not be used" not in str(caught.value)
    assert not list(journal_file.parent.glob("*.unreadable-*"))  # not set aside
    monkeypatch.undo()
    assert Journal(journal_file).reflection("m1-r1") == "kept"


def test_reading_a_journal_on_a_full_disk_says_so(journal_file, monkeypatch):
    from coproduction.journal import Journal

    journal = Journal(journal_file)
    journal.save_reflection("m1-r1", "kept")
    monkeypatch.setattr(Journal, "_connect", lambda self: _FullDisk("database or disk is full"))
    for read in (journal.entries, journal.history, lambda: journal.reflection("m1-r1")):
        with pytest.raises(OSError) as caught:
            read()
        assert "no space left on the disk" in str(caught.value)


def test_a_handed_in_journal_on_a_full_disk_says_so(journal_file, monkeypatch):
    from coproduction import handed_in
    from coproduction.journal import Journal

    Journal(journal_file).record_scenario(_route())
    monkeypatch.setattr(handed_in.sqlite3, "connect",
                        lambda *a, **k: _FullDisk("database or disk is full"))
    read = handed_in.read_handed_in(journal_file)
    assert read.problem == "the disk is full, so it could not be read"
    assert read.entries == []


# -- `coproduction journal show` on a handed-in journal ----------------------------------------


def test_journal_show_cuts_a_huge_field(tmp_path):
    from coproduction.journal import Journal

    path = tmp_path / JOURNAL
    Journal(path, quiet=True).record_scenario(_route())
    # under the file limit, but printed as a table every row would be padded to it
    _rows(path, [("2026-11-30T10:00:00+00:00", "badge", "x" * 15_000_000, "{}")]
          + [("2026-11-30T10:00:00+00:00", "badge", "gold", "{}")] * 3_000)
    result = cli("journal", "show", "--path", path, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    # "Journal: ...", the heading and the 3,002 entries, none longer than the cut
    assert len(lines) == 3_004 and max(map(len, lines)) < 10_000


def test_journal_show_refuses_a_file_over_the_limit(tmp_path):
    from coproduction.journal import Journal

    path = tmp_path / JOURNAL
    Journal(path, quiet=True).save_reflection("m1-r1", "x" * 21_000_000)
    result = cli("journal", "show", "--path", path, cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "is larger than 20 MB" in result.stderr and not result.stdout
    assert path.is_file()  # left as it was


def test_journal_show_prints_at_most_5000_entries(tmp_path):
    from coproduction.journal import Journal

    path = tmp_path / JOURNAL
    Journal(path, quiet=True)
    _rows(path, [("2026-11-30T10:00:00+00:00", "badge", "gold", "{}")] * 5_200)
    result = cli("journal", "show", "--path", path, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "(only the first 5,000 entries are shown; 200 more are not)" in result.stdout
    assert len(result.stdout.splitlines()) == 5_003


# -- YAML files an author is handed ----------------------------------------------------------


def _laughs(field: str) -> str:
    """The "billion laughs": nine aliases deep, 10^9 items from a file of under 1 KB."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    return "lols:\n" + "".join(f"  {line}\n" for line in lines) + f"{field}: *a8\n"


SCENARIO_HEAD = "schema_version: 2\nid: hostile\ntitle: Hostile\nstart: a\n"
CHECK_HEAD = "schema_version: 1\nid: hostile\ntitle: Hostile\n"


def _refused(result: subprocess.CompletedProcess, name: str, words: str) -> str:
    """The one line naming the file; the command exits 1 with no traceback."""
    assert result.returncode == 1, result.stdout[-2000:] + result.stderr[-2000:]
    output = (result.stdout + result.stderr).strip().splitlines()
    assert "Traceback" not in result.stderr
    problems = [line for line in output if line.startswith(f"{name}:")]
    assert len(problems) == 1 and words in problems[0], output[:5]
    assert len(output) <= 2  # that line, and `check`'s count of files
    return problems[0]


def test_billion_laughs_in_scenario_check(tmp_path):
    path = tmp_path / "laughs.yaml"
    path.write_text(SCENARIO_HEAD + _laughs("nodes"))
    line = _refused(cli("scenario", "check", path, cwd=tmp_path), "laughs.yaml",
                    "with its aliases (*name) filled in, the file holds more than 100,000 items")
    assert line.startswith("laughs.yaml:")


def test_billion_laughs_in_quiz_seal(tmp_path):
    path = tmp_path / "laughs.yaml"
    path.write_text(CHECK_HEAD + _laughs("questions"))
    _refused(cli("quiz", "seal", path, "-o", tmp_path / "sealed.yaml", cwd=tmp_path),
             "laughs.yaml", "with its aliases (*name) filled in")
    assert not (tmp_path / "sealed.yaml").exists()


@pytest.mark.parametrize("command", ["check", "seal"])
def test_nesting_5000_deep_is_one_line(tmp_path, command):
    path = tmp_path / "deep.yaml"
    path.write_text(SCENARIO_HEAD + "nodes: " + "[" * 5_000 + "]" * 5_000 + "\n")
    args = ("scenario", "check", path) if command == "check" else (
        "quiz", "seal", path, "-o", tmp_path / "sealed.yaml")
    line = _refused(cli(*args, cwd=tmp_path), "deep.yaml", "more than 50 levels deep")
    assert line.startswith("deep.yaml:5: ")


def test_a_49_mb_file_is_refused_before_it_is_parsed(tmp_path):
    path = tmp_path / "huge.yaml"
    with path.open("w") as handle:
        handle.write(SCENARIO_HEAD + "nodes:\n")
        for n in range(110_000):
            handle.write(f"  - id: n{n}\n    text: {'word ' * 80}\n")
    assert path.stat().st_size > 40_000_000
    for args in (("scenario", "check", path), ("quiz", "seal", path, "-o", tmp_path / "s.yaml")):
        _refused(cli(*args, cwd=tmp_path), "huge.yaml", "the file is larger than 2 MB")


@pytest.mark.parametrize("text, words", [
    ("x: &x 1\nmany: [" + ", ".join(["*x"] * 101) + "]\n", "more than 100 aliases"),
    ("loop: &a [1, *a]\n", "the alias *a is used inside the part it names"),
    ("flat: [" + ",".join(["1"] * 100_001) + "]\n", "the file holds more than 100,000 items"),
], ids=["too-many-aliases", "alias-loop", "too-many-items"])
def test_other_yaml_limits_are_one_line(tmp_path, text, words):
    path = tmp_path / "odd.yaml"
    path.write_text(SCENARIO_HEAD + text)
    _refused(cli("scenario", "check", path, cwd=tmp_path), "odd.yaml", words)


def test_a_few_ordinary_aliases_still_load(write):
    from coproduction.scenario import load

    text = SMALL_SCENARIO.replace("values: {assets: -1, respect: -2}",
                                  "values: &harsh {assets: -1, respect: -2}")
    text = text.replace("values: {social_networks: -1}", "values: *harsh", 1)
    assert "*harsh" in text
    loaded = load(write(text))
    assert [c.values for n in loaded.nodes.values() for c in n.choices].count(
        {"assets": -1, "respect": -2}) == 2


def test_a_huge_or_special_notebook_is_refused_before_it_is_read(tmp_path):
    """The grading process keeps the gradebook: a handed-in notebook of gigabytes, or a pipe
    in its place, is recorded with the reason and never read there."""
    from coproduction.grading.submission_checks import MAX_NOTEBOOK_BYTES, inspect

    release, folder = tmp_path / "release", tmp_path / "submitted"
    release.mkdir()
    folder.mkdir()
    (release / "origins.ipynb").write_text('{"cells": []}', encoding="utf-8")
    with open(folder / "origins.ipynb", "wb") as huge:
        huge.truncate(MAX_NOTEBOOK_BYTES + 1)  # sparse: takes no room on the disk
    reason, _ = inspect(folder, release)
    assert "origins.ipynb is larger than 100 MB" in reason and "not graded" in reason
    (folder / "origins.ipynb").unlink()
    os.mkfifo(folder / "origins.ipynb")  # reading it would wait for ever
    reason, _ = inspect(folder, release)
    assert reason == "origins.ipynb is not an ordinary file (a link or a device, say)"
