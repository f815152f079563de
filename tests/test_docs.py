"""The scenario authors' guide: its example and its commands work as printed."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

GUIDE = ROOT / "docs" / "writing-scenarios.md"
EXE = Path(sys.executable).with_name("coproduction")


def blocks(kind: str) -> list[str]:
    return re.findall(rf"```{kind}\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S)


def example(tmp_path: Path) -> Path:
    """The guide's complete example, saved as the guide says."""
    [text] = [b for b in blocks("yaml") if b.startswith("schema_version: 2\nid: repeat-repair")]
    path = tmp_path / "my-scenario.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_example_is_clean_and_checks_as_printed(tmp_path):
    example(tmp_path)
    out = subprocess.run([str(EXE), "scenario", "check", "my-scenario.yaml"], cwd=tmp_path,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.strip() == "1 file(s) checked: no problems found."


def test_the_python_example_runs_and_gives_what_the_comments_say(tmp_path, monkeypatch):
    example(tmp_path)
    monkeypatch.chdir(tmp_path)
    [code] = [b for b in blocks("python") if "play_through(s, [" in b]
    names: dict = {}
    exec(compile(code, str(GUIDE), "exec"), names)  # noqa: S102 - our own guide
    state = names["state"]
    # each "value  # 'shown'" comment in the block is what that expression gives
    compared = 0
    for line in code.splitlines():
        match = re.fullmatch(r"(state\.\w+)\s+# (\{.*\}|'.*'|[\d.]+|frozenset\(.*\))", line.strip())
        if match:
            assert repr(eval(match.group(1), names)) == match.group(2), line  # noqa: S307
            compared += 1
    assert compared >= 4 and state.finished


def test_the_guide_names_only_real_commands():
    from coproduction.cli import build_parser

    parser = build_parser()
    for block in blocks("bash"):
        for line in block.splitlines():
            line = line.split("#")[0].strip()
            if line.startswith(("coproduction ", ".venv/bin/coproduction ")):
                words = line.split()[1:]
                args = [w for w in words if not w.startswith("-")][:2]
                try:
                    parser.parse_args([*args, "--help"])
                except SystemExit as done:
                    assert done.code == 0, line
