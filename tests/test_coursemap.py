"""The course map: modules read from the notebooks, progress from a journal, the widget's state."""

from __future__ import annotations

import json
import re

import pytest

from conftest import ROOT

MODULES = ROOT / "modules"


def test_every_module_is_on_the_map_with_its_parts():
    from coproduction import coursemap, quiz, scenario

    found = coursemap.modules(MODULES)
    notebooks = sorted(p.stem for p in MODULES.glob("0[1-9]-*.ipynb"))
    assert [m.name for m in found] == notebooks and len(found) >= 6
    for m in found:
        assert m.title.startswith(f"Module {m.number}:")
        assert m.scenario in scenario.names() and m.check in quiz.names()
        assert m.decisions >= 4 and m.questions == len(quiz.get(m.check).questions)
        assert len(m.reflections) >= 4 and m.datasets
        assert (ROOT / "solutions" / m.exercise).is_dir()
        assert m.minutes % 5 == 0 and m.minutes >= m.words / coursemap.WORDS_PER_MINUTE
    assert [m.self_assessment for m in found].count(True) == 1


def test_a_folder_that_is_not_a_module_is_left_out(tmp_path):
    from coproduction import coursemap

    (tmp_path / "01-broken.ipynb").write_text("not json")
    (tmp_path / "notes.ipynb").write_text("{}")
    (tmp_path / "02-fine.ipynb").write_text(json.dumps({"cells": [
        {"cell_type": "markdown", "source": "# Module 2: Fine\n\nsome words here"}]}))
    [only] = coursemap.modules(tmp_path)
    assert (only.title, only.scenario, only.minutes) == ("Module 2: Fine", None, 5)


@pytest.fixture
def played(tmp_path):
    """A journal in which Module 1's scenario was finished, its self-check passed, and two
    reflections written; Module 2's scenario begun."""
    from coproduction import quiz, scenario
    from coproduction.journal import Journal

    journal = Journal(tmp_path / "coproduction-journal.sqlite", quiet=True)
    estate = scenario.get("estate-asb")
    journal.record_scenario(scenario.play_through(estate, scenario.paths(estate)[0]))
    check = quiz.get("01-origins")
    for q in check.questions:
        if q.kind == "choice":
            for option in q.options:
                journal.record_check(check.id, q.id, option, q.mark(option).correct)
        else:
            placed = {i.text: next(c for c in q.categories if q.mark_item(i.text, c).correct)
                      for i in q.items}
            journal.record_check(check.id, q.id, placed, True)
    journal.save_reflection("m1-r1", "I decided for them.", question="When?", module=1)
    journal.save_reflection("m1-r2", "What do you already do?", question="Which?", module=1)
    journal.save_progress("after-the-fall", ["a"])
    return journal


def test_progress_follows_the_journal(played):
    from coproduction import coursemap

    report = coursemap.progress(played, MODULES)
    one, two, three = report[:3]
    assert one.scenario_finished and one.check_passed and one.reflections == 2
    assert one.status() == "started"  # three reflections still to write
    assert two.started and not two.scenario_finished and two.status() == "started"
    assert three.status() == "not started"
    assert coursemap.next_module(report) is one
    for prompt in one.module.reflections[2:]:
        played.save_reflection(prompt, "done", module=1)
    report = coursemap.progress(played, MODULES)
    assert report[0].status() == "done" and coursemap.next_module(report).module.number == 2


def test_a_wrong_answer_does_not_pass_a_self_check(tmp_path):
    from coproduction import coursemap
    from coproduction.journal import Journal

    journal = Journal(tmp_path / "j.sqlite", quiet=True)
    journal.record_check("01-origins", "coined", "Oxford", False)
    import sqlite3

    with sqlite3.connect(journal.path) as con:  # crafted: "correct" that is not true
        con.execute("INSERT INTO entries (at, kind, subject, detail) VALUES ('2026-11-20T10:00:00"
                    "+00:00', 'check', '01-origins/coined', '{\"correct\": \"yes\"}')")
    [one] = coursemap.progress(journal, MODULES)[:1]
    assert one.started and one.right == 0 and not one.check_passed


def test_the_widget_shows_progress_edits_reflections_and_makes_the_record(played, monkeypatch):
    from docx import Document

    from coproduction import coursemap

    monkeypatch.chdir(played.path.parent)
    view = coursemap.show(played, MODULES)
    text = re.sub(r"<[^>]+>", " ", view.table.value)
    assert "Module 1: Where co-production comes from" in text and "10 of 10 right (passed)" in text
    assert "Carry on with Module 1" in view.next.value
    assert [v for _, v in view.pick.options] == ["m1-r1", "m1-r2"]
    view.pick.value = "m1-r2"
    assert view.text.value == "What do you already do?"
    view.text.value = "What do you already do, and who with?"
    view.save_reflection()
    assert played.reflection("m1-r2") == "What do you already do, and who with?"
    assert "Saved" in view.saved.value
    view.form.value = "nmc"
    path = view.make_record()
    assert path is not None and path.suffix == ".docx" and path.parent == played.path.parent
    words = "\n".join(p.text for p in Document(path).paragraphs)
    assert "who with?" in words
    for control in (view.pick, view.text, view.save, view.form, view.make):
        assert control.description  # every control has a name
    view.close()
