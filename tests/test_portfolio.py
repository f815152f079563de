"""The CPD record: made from a journal of Module 1 played from code, read back in each format."""

from __future__ import annotations

import html
import os
import re
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path

import pytest

pytest.importorskip("ipywidgets")
docx = pytest.importorskip("docx")

from coproduction import portfolio, quiz, reflect, scenario  # noqa: E402
from coproduction.journal import Entry, Journal  # noqa: E402
from coproduction.portfolio import PortfolioError  # noqa: E402

BIN = Path(sys.executable).parent
ROOT = Path(__file__).parents[1]
OWN_WORDS = "I set the agenda for the tenants' meeting & decided <b>alone</b>."
PLAN = "Ask the residents' association to co-chair the next meeting, by March."
OTHER = "Words from somebody else's journal that must not appear."


def _right_answers(check_id: str) -> list[tuple[str, object]]:
    """Each question's right answer, found the way a trainee would: by trying."""
    found = []
    for question in quiz.get(check_id).questions:
        if isinstance(question, quiz.ChoiceQuestion):
            found.append((question.id, next(o for o in question.options
                                            if question.mark(o).correct)))
        else:
            found.append((question.id, {item.text: next(
                c for c in question.categories if question.mark_item(item.text, c).correct)
                for item in question.items}))
    return found


def _type(journal: Journal, prompt_id: str, question: str, text: str, module: int) -> None:
    """A reflection written in its box, as in the module's notebook."""
    box = reflect.Reflection(prompt_id, question, module=module, journal=journal)
    box.answer.value = text
    assert box.save()
    box.close()


def _play_module_one(path: Path, words: str, plan: str) -> Path:
    journal = Journal(path)
    estate = scenario.get("estate-asb")
    journal.record_scenario(scenario.play_through(estate, max(scenario.paths(estate), key=len)))
    for question_id, answer in _right_answers("01-origins"):
        journal.record_check("01-origins", question_id, answer, True)
    _type(journal, "m1-r1", "Think of a time you acted as the expert-provider.", words, 1)
    _type(journal, "m1-r5", "Name one concrete thing you will do differently because of "
          "this module.", plan, 1)
    return path


@pytest.fixture(scope="module")
def played(tmp_path_factory):
    """Module 1 played by one trainee, and another trainee's journal beside it.

    Made once for the file (making a record only reads the journal); each test
    writes its records into its own folder.
    """
    folder = tmp_path_factory.mktemp("journals")
    _play_module_one(folder / "someone-else.sqlite", OTHER, OTHER)
    return _play_module_one(folder / "coproduction-journal.sqlite", OWN_WORDS, PLAN)


def docx_text(path: Path) -> str:
    """Every paragraph and table cell of a Word document, read back by python-docx."""
    document = docx.Document(str(path))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attrs, self.text = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [name for name, _ in attrs]

    def handle_data(self, data):
        self.text.append(data)


def html_page(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


FORM_WORDS = {
    "nmc": ["What was the nature of the CPD activity?", "What did you learn from the CPD "
            "activity?", "How did you change or improve your practice as a result?",
            "How is this relevant to the Code?", "Prioritise people", "Practise effectively",
            "Preserve safety", "Promote professionalism and trust", "Method",
            "Participatory hours", "NMC Pin"],
    "swe": ["Type of CPD", "why it is relevant", "What did you learn?", "positive impact",
            "the people you work with", "Peer reflection (optional)"],
    "hcpc": ["Activity list", "What was the activity?", "What did you learn?",
             "How has it improved your practice?", "How has it benefited service users?"],
    "generic": ["What the activity covered", "What I learnt, in my own words",
                "How it relates to my role"],
}
SHARED_WORDS = ["Module 1: Where co-production comes from", "Trouble on the Fernside estate",
                f"\"{quiz.get('01-origins').title}\": 10 of 10 question(s) answered right",
                "turn a deficit question from your own "
                "work into an asset question", "[To complete:", "[To confirm:"]


@pytest.mark.parametrize("fmt", sorted(FORM_WORDS))
def test_each_form_as_a_word_document(played, tmp_path, fmt):
    out = portfolio.write(fmt, tmp_path / f"{fmt}.docx", played, name="Sam Okafor")
    text = docx_text(out)
    for words in FORM_WORDS[fmt] + SHARED_WORDS + [OWN_WORDS, PLAN, "Sam Okafor"]:
        assert words in text, words
    assert OTHER not in text


@pytest.mark.parametrize("fmt", sorted(FORM_WORDS))
def test_each_form_as_a_page_to_print(played, tmp_path, fmt):
    out = portfolio.write(fmt, tmp_path / f"{fmt}.html", played)
    page = html_page(out)
    text = "".join(page.text)
    for words in FORM_WORDS[fmt] + SHARED_WORDS + [OWN_WORDS, PLAN, "your name"]:
        assert words in text, words
    assert OTHER not in text
    # self-contained: nothing to load, nothing to run; the trainee's "<b>" is text, not markup
    assert not {"script", "link", "img", "iframe", "b"} & set(page.tags)
    assert not {"src", "href"} & set(page.attrs)
    assert "@media print" in text


def _entry(n: int, minutes: float, kind: str, subject: str, module: int | None = None) -> Entry:
    at = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc) + timedelta(minutes=minutes)
    detail = {"text": "x", "module": module} if kind == "reflection" else {"correct": True}
    return Entry(n, at.isoformat(), kind, subject, detail)


def test_time_counts_only_gaps_up_to_the_break_and_never_more_than_the_journal_spans():
    entries = [
        _entry(1, 0, "check", "01-origins/coined"),
        _entry(2, 10, "check", "01-origins/values"),       # +10 to module 1
        _entry(3, 14, "reflection", "m2-r1", 2),            # +4 to module 2 (the later entry)
        _entry(4, 25, "reflection", "m1-r1", 1),            # +11 to module 1
        _entry(5, 25 + 31, "reflection", "m1-r2", 1),       # 31 minutes: a break, +0
        _entry(6, 25 + 31 + 30, "reflection", "m1-r3", 1),  # exactly the break limit: +30
        Entry(7, "not a time", "reflection", "m1-r4", {"text": "y", "module": 1}),
    ]
    found = {a.module: a for a in portfolio.activities(entries)}
    assert found[1].minutes == pytest.approx(51) and found[1].hours == 0.75  # rounded down
    assert found[2].minutes == pytest.approx(4) and found[2].hours == 0
    assert sum(a.minutes for a in found.values()) <= 86  # first to last entry
    assert found[1].dates == "30 November 2026"
    assert len(found[1].reflections) == 4  # the one with no readable time is still kept


def test_journal_with_no_reflections_writes_no_file(tmp_path):
    path = tmp_path / "j.sqlite"
    journal = Journal(path)
    estate = scenario.get("estate-asb")
    journal.record_scenario(scenario.play_through(estate, scenario.paths(estate)[0]))
    journal.save_reflection("m1-r1", "   \n ", module=1)  # an empty box is not a reflection
    out = tmp_path / "record.docx"
    with pytest.raises(PortfolioError, match="no reflections yet.*no file was written"):
        portfolio.write("nmc", out, path)
    assert not out.exists() and not list(tmp_path.glob(".cpd-record-*"))


def test_hostile_journal_text_stays_text_and_is_capped(tmp_path):
    path = tmp_path / "j.sqlite"
    journal = Journal(path)
    journal.save_reflection("m1-r1", "<script>alert('x')</script>\x00\x0b\x1bend", module=1,
                            question="<img src=http://example.org/x.png>")
    journal.save_reflection("m1-r2", "word " * 50_000, module=1)
    con = sqlite3.connect(path)  # entries no course version writes
    con.executemany("INSERT INTO entries (at, kind, subject, detail) VALUES (?, ?, ?, ?)", [
        ("yesterday", "reflection", "m1-r3", '{"text": "no time", "module": 1}'),
        ("2026-11-30T09:00:00+00:00", "reflection", "x", '{"text": "huge", "module": 99999}'),
        ("2026-11-30T09:00:00+00:00", "scenario", "not-a-scenario", '{"ending": "partner"}'),
        ("2026-11-30T09:00:00+00:00", "check", "01-origins/coined", '[1, 2]')]
        + [("2026-11-30T09:00:00+00:00", "scenario", "estate-asb", '{"ending": "partner"}')] * 500)
    con.commit()
    con.close()
    text = docx_text(portfolio.write("generic", tmp_path / "r.docx", path))
    assert "<script>alert('x')</script>end" in text  # control characters dropped
    assert "cut here: the full text is in your journal" in text
    assert len(text) < 40_000 and "no time" in text and "huge" not in text
    assert text.count("Played the case scenario") == 10 and "Played it 490 more time(s)" in text
    page = html_page(portfolio.write("hcpc", tmp_path / "r.html", path))
    assert "script" not in page.tags and "img" not in page.tags
    assert "<img src=http://example.org/x.png>" in "".join(page.text)


def test_missing_and_damaged_journals_are_messages(tmp_path):
    gone = tmp_path / "none.sqlite"
    with pytest.raises(PortfolioError, match="There is no journal at"):
        portfolio.write("swe", tmp_path / "r.docx", gone)
    assert not gone.exists()  # asking for a record never makes a journal
    damaged = tmp_path / "j.sqlite"
    damaged.write_bytes(b"not a journal at all " * 200)
    with pytest.raises(PortfolioError, match="could not be used.*kept as j.sqlite.unreadable-"):
        portfolio.write("swe", tmp_path / "r.docx", damaged)
    assert len(list(tmp_path.glob("j.sqlite.unreadable-*"))) == 1  # kept, never deleted
    assert not (tmp_path / "r.docx").exists()


def test_files_are_never_overwritten_unless_asked(played, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    first = portfolio.write("nmc", journal_path=played)
    second = portfolio.write("nmc", journal_path=played)
    assert (first.name, second.name) == ("cpd-record-nmc.docx", "cpd-record-nmc-2.docx")
    mine = tmp_path / "mine.html"
    mine.write_text("my own notes", encoding="utf-8")
    with pytest.raises(PortfolioError, match="already exists and was left as it is"):
        portfolio.write("nmc", mine, played)
    assert mine.read_text(encoding="utf-8") == "my own notes"
    portfolio.write("nmc", mine, played, force=True)
    assert html.escape(OWN_WORDS) in mine.read_text("utf-8")
    with pytest.raises(PortfolioError, match="should end in .docx .* or .html"):
        portfolio.write("nmc", tmp_path / "record.pdf", played)
    with pytest.raises(PortfolioError, match="no folder"):
        portfolio.write("nmc", tmp_path / "gone" / "r.docx", played)
    with pytest.raises(PortfolioError, match="no CPD form called 'gmc'.*nmc, swe, hcpc, generic"):
        portfolio.write("gmc", tmp_path / "r.docx", played)


def test_a_full_disk_is_a_message_and_leaves_no_half_file(played, tmp_path, monkeypatch):
    import errno

    def full(*args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(portfolio.os, "replace", full)
    out = tmp_path / "r.docx"
    with pytest.raises(PortfolioError, match="no space left on the disk. Nothing was written"):
        portfolio.write("nmc", out, played)
    assert list(tmp_path.iterdir()) == []


def test_reflections_in_prompt_order_and_capped(tmp_path):
    entries = [Entry(n, "2026-11-30T09:00:00+00:00", "reflection", f"m1-r{k}",
                     {"text": f"answer {k}", "module": 1})
               for n, k in enumerate([10, 2, 1, *range(11, 40)])]
    [activity] = portfolio.activities(entries)
    answers = [a for _, a in activity.reflections]
    assert answers[:3] == ["answer 1", "answer 2", "answer 10"]
    assert len(answers) == portfolio.MAX_REFLECTIONS
    assert activity.left_out == len(entries) - portfolio.MAX_REFLECTIONS


def _cli(*args, cwd, env=None):
    return subprocess.run([str(BIN / "coproduction"), *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_cli_writes_each_record_and_says_what_to_do(played, tmp_path):
    result = _cli("portfolio", "--format", "nmc", "--path", played, "--name", "Sam Okafor",
                  cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "NMC revalidation record" in result.stdout and "[To complete: ...]" in result.stdout
    assert "Sam Okafor" in docx_text(tmp_path / "cpd-record-nmc.docx")
    again = _cli("portfolio", "--format", "swe", "--out", "cpd.html", "--path", played,
                 cwd=tmp_path)
    assert again.returncode == 0 and PLAN in "".join(html_page(tmp_path / "cpd.html").text)
    refused = _cli("portfolio", "--out", "cpd.html", "--path", played, cwd=tmp_path)
    assert refused.returncode == 1 and "add --force" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_cli_with_no_reflections_or_no_journal_says_so(tmp_path):
    empty = tmp_path / "empty.sqlite"
    Journal(empty, quiet=True)
    result = _cli("portfolio", "--path", empty, cwd=tmp_path)
    assert result.returncode == 1 and "has no reflections yet" in result.stderr
    missing = _cli("portfolio", "--path", "nowhere.sqlite", cwd=tmp_path)
    assert missing.returncode == 1 and "There is no journal at nowhere.sqlite" in missing.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.sqlite"]


def test_readme_commands_run_as_written(played, tmp_path):
    """The README's "Your CPD record" commands, run as printed (the name filled in)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"```bash\n(.*?)```", readme, re.S)
                 if "coproduction portfolio" in b)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
           "COPRODUCTION_JOURNAL": str(played)}
    result = subprocess.run(["bash", "-ec", block.replace("YOUR NAME", "Sam Okafor")],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Sam Okafor" in docx_text(tmp_path / "cpd-record-nmc.docx")
    assert OWN_WORDS in "".join(html_page(tmp_path / "my-cpd-record.html").text)
