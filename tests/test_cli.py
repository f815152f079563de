"""The `coproduction` command, run through its installed entry point."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from coproduction.cli import build_parser
from conftest import ROOT, SMALL_SCENARIO

EXE = Path(sys.executable).with_name("coproduction")


def run(*args, cwd=None, env=None):
    return subprocess.run([str(EXE), *args], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, **(env or {})})


def test_entry_point_is_installed():
    assert EXE.is_file(), "the console script is not installed"
    assert run("--version").stdout.startswith("coproduction ")


def test_check_clean_file_exits_0(write):
    result = run("scenario", "check", str(write(SMALL_SCENARIO)))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 file(s) checked: no problems found." in result.stdout


def test_check_shipped_scenarios_by_default():
    result = run("scenario", "check")
    assert result.returncode == 0, result.stdout
    assert "no problems found" in result.stdout


def test_check_reports_file_line_message_and_exits_1(write, tmp_path):
    bad = write(SMALL_SCENARIO.replace("next: bad", "next: badd"), "bad.yaml")
    empty = write("", "empty.yaml")
    result = run("scenario", "check", "bad.yaml", "empty.yaml", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    line_no = SMALL_SCENARIO.splitlines().index("        next: bad") + 1
    assert f"bad.yaml:{line_no}: choice 'close' leads to node 'badd', but there is no node " \
           "with that id (nodes[second].choices[close].next)" in lines
    assert "empty.yaml:1: the file is empty" in lines
    assert lines[-1] == "2 file(s) checked: 2 problem(s) found."
    assert "Traceback" not in result.stdout + result.stderr
    del bad, empty


def test_check_a_folder(write, tmp_path):
    write(SMALL_SCENARIO, "one.yaml")
    write(SMALL_SCENARIO + "  - id: orphan\n    text: x\n    ending: mixed\n", "two.yaml")
    result = run("scenario", "check", str(tmp_path))
    assert result.returncode == 1
    assert "node 'orphan' can never be reached" in result.stdout
    assert "2 file(s) checked: 1 problem(s) found." in result.stdout


def test_missing_file_is_plain(tmp_path):
    result = run("scenario", "check", str(tmp_path / "gone.yaml"))
    assert result.returncode == 1
    assert result.stdout.startswith(f"{tmp_path / 'gone.yaml'}: file not found")


def test_scenario_stats_of_a_file(write):
    from conftest import STATEFUL_SCENARIO

    result = run("scenario", "stats", str(write(STATEFUL_SCENARIO)))
    assert result.returncode == 0, result.stderr
    assert "routes from start to an ending: 7" in result.stdout
    assert "no route's ending contradicts its mean stance" in result.stdout


def test_scenario_stats_of_the_shipped_scenarios():
    result = run("scenario", "stats")
    assert result.returncode == 0, result.stderr
    assert "estate-asb: Trouble on the Fernside estate" in result.stdout
    # then the course's tally of values and rungs at stake
    assert "Cahn's values" in result.stdout and "TLAP ladder, Consultation up" in result.stdout
    assert "Co-production" in result.stdout.split("TLAP ladder")[-1]


def test_scenario_stats_of_a_broken_file_is_plain(write):
    result = run("scenario", "stats", str(write("id: [unclosed\n")))
    assert result.returncode == 1
    assert "not valid YAML" in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_scenario_graph_writes_each_format(write, tmp_path):
    from conftest import STATEFUL_SCENARIO

    path = write(STATEFUL_SCENARIO)
    for name in ("g.txt", "g.dot", "g.png"):
        result = run("scenario", "graph", str(path), "--out", str(tmp_path / name))
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("Drew stateful (")
        assert (tmp_path / name).stat().st_size > 0
    result = run("scenario", "graph", str(path), cwd=tmp_path)  # default name, here
    assert (tmp_path / "stateful-graph.png").is_file(), result.stdout + result.stderr


def test_scenario_graph_refuses_an_unknown_format(write, tmp_path):
    from conftest import STATEFUL_SCENARIO

    result = run("scenario", "graph", str(write(STATEFUL_SCENARIO)), "-o", str(tmp_path / "g.jpg"))
    assert result.returncode == 2
    assert "the file name must end in .png, .svg, .dot, .txt" in result.stderr


def test_scenario_list():
    result = run("scenario", "list")
    assert result.returncode == 0, result.stderr
    from coproduction import scenario

    # one line per shipped scenario, with its title
    assert result.stdout.splitlines() == [f"{n}: {scenario.get(n).title}" for n in scenario.names()]
    assert "estate-asb: Trouble on the Fernside estate" in result.stdout.splitlines()


def test_quiz_seal_and_bad_source(write, tmp_path):
    from test_quiz import SOURCE

    out = tmp_path / "sealed.yaml"
    result = run("quiz", "seal", str(write(SOURCE, "src.yaml")), "-o", str(out))
    assert result.returncode == 0 and out.is_file()
    bad = run("quiz", "seal", str(write("questions: 3\n", "bad.yaml")), "-o", str(out))
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert "bad.yaml:1: missing field 'schema_version'" in bad.stderr


def test_journal_show(tmp_path, small_scenario):
    from coproduction.journal import Journal
    from coproduction.scenario import play_through

    path = tmp_path / "j.sqlite"
    Journal(path).record_scenario(play_through(small_scenario, ["visit", "plan"]))
    result = run("journal", "show", "--path", str(path))
    assert result.returncode == 0
    assert "partner ending after 2 decisions" in result.stdout


def test_journal_show_corrupt_file_is_plain(tmp_path):
    path = tmp_path / "j.sqlite"
    path.write_text("garbage" * 100)
    result = run("journal", "show", "--path", str(path))
    assert result.returncode == 0
    assert "could not be used" in result.stderr and "Traceback" not in result.stderr
    assert "(nothing recorded yet)" in result.stdout


def _commands(parser, prefix=()):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help for a in action._choices_actions}
            for name, sub in action.choices.items():
                yield prefix + (name,), helps.get(name), sub
                yield from _commands(sub, prefix + (name,))


COMMANDS = list(_commands(build_parser()))


@pytest.mark.parametrize("words, summary, sub", COMMANDS, ids=lambda v: v if isinstance(v, str) else None)
def test_every_command_has_help_and_is_in_the_readme(words, summary, sub):
    assert summary, f"{' '.join(words)} has no one-line help"
    assert sub.description, f"{' '.join(words)} has no description"
    for action in sub._actions:
        if not isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
            assert action.help, f"{' '.join(words)} {action.dest} has no help"
    leaf = not any(isinstance(a, argparse._SubParsersAction) for a in sub._actions)
    if leaf:
        readme = (ROOT / "README.md").read_text(encoding="utf-8")
        assert f"coproduction {' '.join(words)}" in readme


def test_help_runs_for_every_command():
    for words, _, _ in COMMANDS:
        result = run(*words, "--help")
        assert result.returncode == 0 and "usage: coproduction" in result.stdout
