"""Reflection prompts: answers kept in the journal as the trainee types, tested through state."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

pytest.importorskip("ipywidgets")

from coproduction import reflect  # noqa: E402
from coproduction.journal import Journal  # noqa: E402


def wait_for(condition, seconds: float = 5.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.02)
    return False


@pytest.fixture
def journal(journal_file):
    return Journal(journal_file)


def test_prompt_has_a_labelled_answer_box(journal):
    box = reflect.prompt("m1-r1", "What would you do differently?", module=1, journal=journal)
    assert "What would you do differently?" in box.prompt.value
    assert box.answer.description == "Your answer"  # the accessible name of the text box
    assert box.answer.value == "" and box.answer.continuous_update
    box.close()


def test_typing_is_saved_after_a_pause(journal):
    box = reflect.Reflection("m1-r1", "Q?", module=1, journal=journal, save_after=0.05)
    box.answer.value = "I would ask the tenants first."
    assert "Not saved yet" in box.status.value
    assert wait_for(lambda: journal.reflection("m1-r1") == "I would ask the tenants first.")
    assert wait_for(lambda: "Saved to your journal." in box.status.value)
    [entry] = journal.entries("reflection")
    assert entry.detail == {"text": "I would ask the tenants first.", "question": "Q?", "module": 1}
    box.close()


def test_rapid_typing_saves_once_with_the_last_text(journal):
    box = reflect.Reflection("m1-r1", "Q?", journal=journal, save_after=0.2)
    for text in ("I", "I w", "I would", "I would ask"):
        box.answer.value = text
    assert journal.reflection("m1-r1") is None  # nothing yet: still typing
    assert wait_for(lambda: journal.reflection("m1-r1") == "I would ask")
    assert len(journal.entries("reflection")) == 1
    box.close()


def test_answer_comes_back_when_the_cell_is_run_again(journal):
    first = reflect.prompt("m1-r2", "Q?", journal=journal)
    first.answer.value = "Meet Doreen before Friday."
    first.close()  # closing saves what was typed, even within the pause
    again = reflect.prompt("m1-r2", "Q?", journal=journal)
    assert again.answer.value == "Meet Doreen before Friday."
    assert "brought back from your journal" in again.status.value
    again.close()


def test_a_new_version_replaces_the_old(journal):
    box = reflect.prompt("m1-r1", "Q?", journal=journal)
    box.answer.value = "first"
    assert box.save()
    box.answer.value = "second"
    assert box.save()
    assert not box.save()  # nothing changed since
    assert [e.detail["text"] for e in journal.entries("reflection")] == ["second"]
    box.close()


def test_listed_in_the_history_and_by_answers(journal):
    box = reflect.prompt("m1-r3", "Q?", module=1, journal=journal)
    box.answer.value = "word " * 40
    box.close()
    table = journal.history()
    row = table[table["what"] == "reflection"].iloc[0]
    assert row["subject"] == "m1-r3" and row["result"].endswith("...")
    assert reflect.answers(journal) == {"m1-r3": ("word " * 40)}


def test_survives_a_kernel_restart(journal_file):
    """Typed in one Python process, brought back in a new one (as after a restart)."""
    env = {**os.environ, "COPRODUCTION_JOURNAL": str(journal_file)}
    write = ("from coproduction import reflect\n"
             "box = reflect.prompt('m1-r4', 'Q?', module=1)\n"
             "box.answer.value = 'Typed just before the restart'\n")  # no save: exit must keep it
    subprocess.run([sys.executable, "-c", write], env=env, check=True, timeout=120)
    read = ("from coproduction import reflect\n"
            "print(reflect.prompt('m1-r4', 'Q?').answer.value)\n")
    out = subprocess.run([sys.executable, "-c", read], env=env, check=True, timeout=120,
                         capture_output=True, text=True)
    assert out.stdout.strip() == "Typed just before the restart"


def test_two_notebooks_open_at_once_lose_nothing(journal_file):
    """Two kernels saving their own reflections at the same moment both keep theirs."""
    env = {**os.environ, "COPRODUCTION_JOURNAL": str(journal_file)}
    code = ("import sys\nfrom coproduction import reflect\n"
            "for k in range(20):\n"
            "    box = reflect.prompt(f'{sys.argv[1]}-{k}', 'Q?')\n"
            "    box.answer.value = f'answer {k} from {sys.argv[1]}'\n"
            "    assert box.save(), box.status.value\n")
    runs = [subprocess.Popen([sys.executable, "-c", code, name], env=env)
            for name in ("module-1", "module-2")]
    assert [r.wait(timeout=120) for r in runs] == [0, 0]
    saved = reflect.answers(Journal(journal_file))
    assert len(saved) == 40
    assert saved["module-2-19"] == "answer 19 from module-2"


def test_a_journal_that_cannot_be_written_is_a_message_not_an_error(tmp_path):
    class Broken:
        notice = None

        def reflection(self, prompt_id):
            return None

        def save_reflection(self, *args, **kwargs):
            raise OSError("the disk is full")

    box = reflect.prompt("m1-r1", "Q?", journal=Broken())
    box.answer.value = "text"
    assert box.save() is False
    assert "could not be saved to your journal: the disk is full" in box.status.value
    assert box.answer.value == "text"  # what was typed is still there to copy
    box.close()


def test_a_damaged_journal_is_set_aside_and_the_box_still_works(journal_file, monkeypatch,
                                                                 capsys):
    monkeypatch.setenv("COPRODUCTION_JOURNAL", str(journal_file))
    journal_file.write_bytes(b"this is not a database" * 100)
    box = reflect.prompt("m1-r1", "Q?")  # the default journal, from the environment
    shown = box.status.value + capsys.readouterr().out
    assert "unreadable" in shown and "Traceback" not in shown
    box.answer.value = "kept"
    assert box.save()
    assert Journal(journal_file).reflection("m1-r1") == "kept"
    assert len(list(journal_file.parent.glob("*.unreadable-*"))) == 1
    box.close()


def test_no_widgets_left_behind(journal):
    from ipywidgets.widgets.widget import _instances

    before = set(_instances)
    box = reflect.prompt("m1-r1", "Q?", journal=journal)
    box.answer.value = "x"
    box.close()
    assert set(_instances) - before == set()


def test_listed_and_edited_from_python(journal):
    for prompt_id, module in (("m2-r1", 2), ("m1-r1", 1)):
        box = reflect.prompt(prompt_id, f"Question {prompt_id}?", module=module, journal=journal)
        box.answer.value = f"first thoughts on {prompt_id}"
        box.close()
    table = reflect.listing(journal)
    assert list(table["prompt"]) == ["m1-r1", "m2-r1"]  # in module order
    assert table.iloc[0]["question"] == "Question m1-r1?" and table.iloc[0]["module"] == 1
    reflect.edit("m1-r1", "Looking back: I decided too early.", journal=journal)
    assert reflect.answers(journal)["m1-r1"] == "Looking back: I decided too early."
    again = reflect.listing(journal).set_index("prompt")
    assert again.loc["m1-r1", "question"] == "Question m1-r1?"  # question and module kept
    assert again.loc["m1-r1", "module"] == 1
    # the box shows the edited answer the next time its cell runs
    box = reflect.prompt("m1-r1", "Question m1-r1?", module=1, journal=journal)
    assert box.answer.value == "Looking back: I decided too early."
    box.close()
    with pytest.raises(KeyError, match="no saved reflection called 'm9-r9'.*m1-r1, m2-r1"):
        reflect.edit("m9-r9", "text", journal=journal)
    with pytest.raises(TypeError, match="must be text"):
        reflect.edit("m1-r1", 42, journal=journal)
    assert reflect.answers(journal)["m1-r1"] == "Looking back: I decided too early."


def test_listing_an_empty_journal_is_an_empty_table(journal):
    table = reflect.listing(journal)
    assert len(table) == 0 and list(table.columns) == ["module", "prompt", "question", "answer",
                                                       "saved"]


def test_readme_listing_and_edit_run_as_written(journal_file):
    """The README's lines for trainees, run as printed, on a journal with Module 1's first answer."""
    import re
    from pathlib import Path

    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"```python\n(.*?)```", readme, re.S)
                 if "reflect.edit(" in b)
    env = {**os.environ, "COPRODUCTION_JOURNAL": str(journal_file)}
    Journal(journal_file).save_reflection("m1-r1", "first go", question="Q?", module=1)
    subprocess.run([sys.executable, "-c", block], env=env, check=True, timeout=120)
    assert reflect.answers(Journal(journal_file))["m1-r1"] == "What I would now do first..."
