"""The journal: records, reads back, survives damage and concurrent writers."""

from __future__ import annotations

import multiprocessing
import sqlite3

import pytest

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


def test_history_is_a_readable_table(journal_file, small_scenario):
    journal = Journal(journal_file)
    journal.record_scenario(play_through(small_scenario, ["visit", "plan"]))
    journal.record_check("01-origins", "coined", "Chicago", False)
    table = journal.history()
    assert list(table.columns) == ["when", "what", "subject", "result"]
    assert table.loc[0, "result"].startswith("partner ending after 2 decisions")
    assert table.loc[1, "result"] == "Chicago: not yet"


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
