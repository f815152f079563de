"""The journal: records, reads back, survives damage and concurrent writers."""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
import time
from datetime import datetime, timezone

import pytest
from markupsafe import escape as html_escape

from coproduction import quiz, scenario
from coproduction.journal import LAYOUT_VERSION, Journal
from coproduction.scenario import play_through


def test_records_and_reads_back(journal_file, small_scenario):
    journal = Journal(journal_file)
    journal.record_scenario(play_through(small_scenario, ["leaflet", "works"]))
    journal.record_check("01-origins", "coined", "Indiana University", True)
    first, second = journal.entries()
    assert first.kind == "scenario" and first.detail["ending"] == "mixed"
    assert first.detail["stance"] == -1.0
    assert second.subject == "01-origins/coined"
    assert second.detail == {"answer": "Indiana University", "correct": True}
    assert [e.kind for e in journal.entries("check")] == ["check"]


def _insert(path, kind, subject, detail, at="2024-07-02T13:05:00+00:00"):
    """Write an entry straight into the file, as a journal from elsewhere might hold it."""
    Journal(path, quiet=True)
    con = sqlite3.connect(path)
    con.execute("INSERT INTO entries (at, kind, subject, detail) VALUES (?, ?, ?, ?)",
                (at, kind, subject, detail if isinstance(detail, str) else json.dumps(detail)))
    con.commit()
    con.close()


@pytest.fixture
def london(monkeypatch):
    """Local time is UK time for one test (British Summer Time in July)."""
    monkeypatch.setenv("TZ", "Europe/London")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_history_is_a_readable_table(journal_file, small_scenario):
    journal = Journal(journal_file)
    journal.record_scenario(play_through(small_scenario, ["visit", "plan"]))
    journal.record_check("01-origins", "coined", "Chicago", False)
    table = journal.history()
    assert list(table.columns) == ["when", "what", "title", "result", "subject"]
    assert list(table["what"]) == ["scenario", "self-check question"]
    # "small" is not a shipped scenario: its id and the choice ids stand in for words.
    assert table.loc[0, "title"] == "small"
    assert table.loc[0, "result"] == "partner ending after 2 decisions: 1. visit; 2. plan"
    assert table.loc[1, "title"] == "1. Where was the term 'co-production' coined?"
    assert table.loc[1, "result"] == "Chicago: not yet"
    assert list(table["subject"]) == ["small", "01-origins/coined"]


def test_a_scenario_shows_its_title_and_route_in_words(journal_file):
    estate = scenario.get("estate-asb")
    route = next(iter(scenario.paths(estate)))
    state = play_through(estate, route)
    journal = Journal(journal_file)
    journal.record_scenario(state)
    row = journal.history().iloc[0]
    assert row["title"] == estate.title
    result = row["result"]
    assert result.startswith(f"{state.ending} ending after {len(route)} decisions: 1. ")
    labels = [next(c.label for c in estate.nodes[s.node_id].choices if c.id == s.choice_id)
              for s in state.history]
    at = 0
    for number, label in enumerate(labels, start=1):  # every choice, in order, in its words
        at = result.index(f"{number}. {' '.join(label.split()[:3])}", at)
    assert not any(c.id in result for s in state.history
                   for c in estate.nodes[s.node_id].choices if "-" in c.id)
    assert all(len(step) <= 70 for step in result.split(": ", 1)[1].split("; "))


def _right_category(question, item):
    return next(c for c in question.categories if question.mark_item(item.text, c).correct)


def test_a_sorting_answer_is_a_count_not_a_dictionary(journal_file):
    question = next(q for q in quiz.get("01-origins").questions if q.kind == "sort")
    items = question.items
    placed = {i.text: _right_category(question, i) for i in items[:3]}
    placed.update({i.text: next(c for c in question.categories if c != _right_category(question, i))
                   for i in items[3:5]})
    journal = Journal(journal_file)
    journal.record_check("01-origins", question.id, placed, False)
    journal.record_check("01-origins", question.id,
                         {i.text: _right_category(question, i) for i in items}, True)
    first, second = journal.history().to_dict("records")
    number = 1 + [q.id for q in quiz.get("01-origins").questions].index(question.id)
    assert first["title"].startswith(f"{number}. {question.prompt[:30]}")
    assert len(first["title"]) <= 100 and first["title"].endswith("...")
    assert first["title"].count("(") == first["title"].count(")")
    assert first["result"] == f"3 of {len(items)} sorted right ({len(items) - 5} not placed yet)"
    assert second["result"] == f"{len(items)} of {len(items)} sorted right"
    assert "{" not in first["result"] + second["result"]


def test_a_reflection_shows_its_question_and_the_start_of_the_text(journal_file):
    journal = Journal(journal_file)
    journal.save_reflection("m1-r1", "Residents know  the estate.\nWe do not.",
                            question="What do residents know that you do not?", module=1)
    journal.save_reflection("m1-r2", "", question="Who was missing?", module=1)
    table = journal.history()
    assert list(table["title"]) == ["What do residents know that you do not?", "Who was missing?"]
    assert list(table["result"]) == ["Residents know the estate. We do not.",
                                     "(nothing written yet)"]


def test_times_are_local_and_plain(journal_file, london):
    _insert(journal_file, "check", "c/q", {"answer": "a", "correct": True},
            at="2024-07-02T13:05:00+00:00")
    _insert(journal_file, "check", "c/q", {"answer": "a", "correct": True},
            at="2024-12-03T09:30:00")  # no zone written: the journal's times are UTC
    now = datetime.now(timezone.utc).replace(microsecond=0)
    _insert(journal_file, "check", "c/q", {"answer": "a", "correct": True}, at=now.isoformat())
    when = list(Journal(journal_file).history()["when"])
    assert when[:2] == ["Tue 2 Jul 2024, 14:05", "Tue 3 Dec 2024, 09:30"]
    local = now.astimezone()
    assert when[2] == f"{local:%a} {local.day} {local:%b}, {local:%H:%M}"  # this year: no year


@pytest.mark.parametrize("kind, subject, detail", [
    ("scenario", "estate-asb", {}),
    ("scenario", "estate-asb", {"path": "ask-residents", "ending": 3, "stance": "high"}),
    ("scenario", "estate-asb", {"path": [["monday"], 5, ["no-such-node", "x"]],
                                "ending": "partner"}),
    ("scenario", "../../somewhere/else.yaml", {"path": [], "ending": None}),
    ("check", "01-origins/coined", {"answer": None}),
    ("check", "01-origins/deficit-or-asset", {"answer": {"not an item": 1, "x": "y"},
                                              "correct": "yes"}),
    ("check", "01-origins/coined", {"answer": ["a", "list"], "correct": True}),
    ("check", "no-slash-here", {"answer": {"a": "b"}}),
    ("reflection", "m1-r9", {"text": 5, "question": ["not", "text"]}),
    ("reflection", "m1-r9", "this is not JSON"),
    ("reflection", "m1-r9", "[1, 2, 3]"),
    ("badge", "gold", {"anything": True}),
])
def test_odd_details_give_plain_words_not_a_traceback(journal_file, kind, subject, detail):
    _insert(journal_file, kind, subject, detail, at="yesterday")
    table = Journal(journal_file).history()
    assert len(table) == 1
    row = table.iloc[0]
    for column in ("when", "what", "title", "result"):
        assert isinstance(row[column], str) and row[column].strip()
    assert "{" not in row["result"] and "None" not in row["result"]
    assert row["when"] == "yesterday"
    repr(table), table._repr_html_()  # both draw without an error


def test_long_words_are_shown_in_full_and_as_text(journal_file):
    estate = scenario.get("estate-asb")
    journal = Journal(journal_file)
    journal.record_scenario(play_through(estate, next(iter(scenario.paths(estate)))))
    journal.save_reflection("m1-r1", "<b>Bold</b> & " + "long " * 30, question="Q?")
    table = journal.history()
    route = table.loc[0, "result"]
    assert len(route) > 200
    html = table._repr_html_()
    assert str(html_escape(route)) in html  # the notebook view does not cut the result
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp;" in html and "<b>Bold" not in html
    assert "white-space: normal" in html  # long words wrap in the cell
    assert "estate-asb" not in html  # ids are for code, not for the reader
    assert route in repr(table)
    empty = journal.history().iloc[0:0]
    assert repr(empty) == "(nothing recorded yet)" and "nothing recorded yet" in empty._repr_html_()


def test_default_path_follows_environment(tmp_path, monkeypatch):
    target = tmp_path / "elsewhere" / "mine.sqlite"
    monkeypatch.setenv("COPRODUCTION_JOURNAL", str(target))
    assert Journal().path == target
    assert target.is_file()


def test_default_path_is_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("COPRODUCTION_JOURNAL")
    monkeypatch.chdir(tmp_path)
    assert Journal().path == tmp_path / "coproduction-journal.sqlite"


def test_reopening_keeps_entries(journal_file):
    Journal(journal_file).record_check("c", "q", "a", True)
    assert len(Journal(journal_file).entries()) == 1


@pytest.mark.parametrize("content", [
    b"this is not a database, it is a shopping list\n" * 20,
    b"SQLite format 3\x00" + b"\xff" * 4000,  # right header, garbage after it
])
def test_corrupt_file_is_set_aside_with_a_message(journal_file, content, capsys):
    journal_file.write_bytes(content)
    journal = Journal(journal_file)
    err = capsys.readouterr().err
    assert "could not be used" in err and "Traceback" not in err
    assert journal.set_aside is not None and journal.set_aside.read_bytes() == content
    assert journal.set_aside.name.startswith("journal.sqlite.unreadable-")
    assert journal.notice in err
    journal.record_check("c", "q", "a", True)  # the fresh journal works
    assert len(journal.entries()) == 1


def test_truncated_journal_is_set_aside(journal_file):
    journal = Journal(journal_file)
    for i in range(200):
        journal.record_check("c", f"q{i}", "x" * 200, True)
    data = journal_file.read_bytes()
    journal_file.write_bytes(data[: len(data) // 2])
    again = Journal(journal_file, quiet=True)
    assert again.set_aside is not None and again.set_aside.read_bytes() == data[: len(data) // 2]
    assert again.entries() == []


def test_a_different_sqlite_file_is_set_aside(journal_file):
    con = sqlite3.connect(journal_file)
    con.execute("CREATE TABLE recipes (name TEXT)")
    con.commit()
    con.close()
    journal = Journal(journal_file, quiet=True)
    assert journal.set_aside is not None
    kept = sqlite3.connect(journal.set_aside)
    assert kept.execute("SELECT name FROM sqlite_master").fetchone() == ("recipes",)
    kept.close()


def test_newer_layout_is_not_overwritten(journal_file):
    Journal(journal_file).record_check("c", "q", "a", True)
    con = sqlite3.connect(journal_file)
    con.execute(f"PRAGMA user_version = {LAYOUT_VERSION + 1}")
    con.commit()
    con.close()
    journal = Journal(journal_file, quiet=True)
    assert journal.set_aside is not None and journal.entries() == []


def test_empty_file_becomes_a_journal(journal_file):
    journal_file.write_bytes(b"")
    journal = Journal(journal_file)
    assert journal.set_aside is None
    journal.record_check("c", "q", "a", False)
    assert len(journal.entries()) == 1


def test_a_folder_in_the_way_is_a_plain_error(journal_file):
    journal_file.mkdir()
    with pytest.raises(OSError, match="should be a file, but .* is a folder"):
        Journal(journal_file)
    assert journal_file.is_dir()  # nothing moved or deleted


def _writer(path: str, who: int, count: int) -> None:
    journal = Journal(path, quiet=True)
    for i in range(count):
        journal.record_check("race", f"{who}-{i}", i, True)


def test_two_processes_writing_at_once_lose_nothing(journal_file):
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_writer, args=(str(journal_file), who, 150)) for who in range(2)]
    for p in workers:
        p.start()
    for p in workers:
        p.join(120)
        assert p.exitcode == 0
    subjects = [e.subject for e in Journal(journal_file).entries()]
    assert len(subjects) == 300
    assert {f"race/{who}-{i}" for who in range(2) for i in range(150)} == set(subjects)


def test_a_failed_write_leaves_no_half_entry(journal_file):
    journal = Journal(journal_file)
    journal.record_check("c", "ok", 1, True)
    with pytest.raises(TypeError):
        journal.record_check("c", "bad", object(), True)  # cannot be stored as JSON
    assert [e.subject for e in journal.entries()] == ["c/ok"]


def test_a_full_disk_is_a_plain_message_and_loses_nothing(journal_file, monkeypatch):
    """SQLite's 'database or disk is full' (made here by capping the file's pages)."""
    journal = Journal(journal_file)
    journal.save_reflection("m1-r1", "kept from before")
    connect = Journal._connect

    def capped(self):
        con = connect(self)
        pages = con.execute("PRAGMA page_count").fetchone()[0]
        con.execute(f"PRAGMA max_page_count = {pages}")
        return con

    monkeypatch.setattr(Journal, "_connect", capped)
    with pytest.raises(OSError) as caught:
        journal.save_reflection("m1-r2", "x" * 200_000)
    assert "no space left on the disk that holds your journal" in str(caught.value)
    assert "Your journal itself is not damaged" in str(caught.value)
    monkeypatch.undo()
    again = Journal(journal_file)
    assert again.reflection("m1-r1") == "kept from before" and again.reflection("m1-r2") is None
    assert not list(journal_file.parent.glob("*.unreadable-*"))  # not set aside


def test_saving_a_reflection_again_replaces_it(journal_file):
    journal = Journal(journal_file)
    journal.save_reflection("m1-r1", "draft", question="Q?", module=1)
    journal.save_reflection("m1-r1", "final", question="Q?", module=1)
    journal.save_reflection("m1-r2", "other")
    assert journal.reflection("m1-r1") == "final"
    assert journal.reflection("m9-none") is None
    assert sorted(e.subject for e in journal.entries("reflection")) == ["m1-r1", "m1-r2"]


@pytest.mark.parametrize("detail", ["[" * 200_000 + "]" * 200_000, '{"a": "' + "x" * 1_100_000 + '"}'],
                         ids=["nested-too-deep", "too-long"])
def test_a_crafted_detail_in_a_handed_in_journal_reads_as_empty(journal_file, detail):
    from coproduction.journal import read

    Journal(journal_file).record_check("01-origins", "coined", "Indiana University", True)
    with sqlite3.connect(journal_file) as con:
        con.execute("INSERT INTO entries (at, kind, subject, detail) VALUES (?, ?, ?, ?)",
                    ("2026-11-30T10:00:00+00:00", "scenario", "estate-asb", detail))
    entries = read(journal_file)
    assert len(entries) == 2 and entries[-1].detail == {}
    assert entries[0].detail  # the ordinary entry is still read
