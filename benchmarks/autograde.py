"""Plain `nbgrader autograde` against `coproduction autograde`, side by side in one run.

    .venv/bin/python benchmarks/autograde.py [--sizes 1,4,20,40] [--workers N]

For each cohort size, plain nbgrader and `coproduction autograde` (with its
sandbox, and again with --no-sandbox, to show what the sandbox costs) grade the
same submissions of Assignment 1, each in its own fresh copy of the course.
Every gradebook is then compared with plain nbgrader's, record by record
(each cell's score and whether it needs manual grading, each notebook's late
penalty and flag, each submission's time), and the table says whether they are
the same. The script exits with status 1 if any differ. Times are wall-clock
seconds of the whole command, start-up included, as a trainer waits for it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ASSIGNMENT = "01-origins"
ENV = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}


def released_course(where: Path) -> Path:
    """A copy of the course with Assignment 1 released and nobody's work in it yet."""
    where.mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", where)
    shutil.copytree(ROOT / "solutions", where / "solutions")
    subprocess.run([BIN / "nbgrader", "generate_assignment", ASSIGNMENT, "--force"], cwd=where,
                   env=ENV, check=True, capture_output=True)
    return where


def cohort(base: Path, where: Path, size: int) -> list[str]:
    """A copy of ``base`` with ``size`` ordinary submissions (the same ones for every copy)."""
    from coproduction.grading.cohort import plan, write_cohort

    shutil.copytree(base, where)
    members = plan(size, hostile=False, seed=7)
    write_cohort(where, ASSIGNMENT, members)
    return [m.student for m in members]


def timed(cmd: list, cwd: Path) -> float:
    """Seconds ``cmd`` took; stops the benchmark if it failed."""
    started = time.perf_counter()
    result = subprocess.run([str(c) for c in cmd], cwd=cwd, env=ENV, capture_output=True,
                            text=True)
    if result.returncode:
        sys.exit(f"{' '.join(map(str, cmd))} failed:\n{result.stdout[-2000:]}"
                 f"{result.stderr[-3000:]}")
    return time.perf_counter() - started


def records(course: Path) -> dict:
    """What the gradebook holds for every submission of the assignment, as plain data."""
    from nbgrader.api import Gradebook

    found = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "coproduction") as gb:
        for submission in gb.assignment_submissions(ASSIGNMENT):
            student = submission.student.id
            found[(student, "submitted at")] = submission.timestamp
            for nb in submission.notebooks:
                found[(student, nb.name, "late penalty")] = nb.late_submission_penalty
                found[(student, nb.name, "flagged")] = nb.flagged
                for grade in nb.grades:
                    found[(student, nb.name, grade.name)] = (grade.auto_score,
                                                             grade.needs_manual_grade)
    return found


def differences(plain: dict, other: dict) -> list:
    """The records that differ between two gradebooks (or are in only one)."""
    return sorted((k for k in plain.keys() | other.keys() if plain.get(k) != other.get(k)),
                  key=str)


def scores_in(found: dict) -> int:
    return sum(1 for key in found if len(key) == 3 and key[2] not in ("late penalty", "flagged"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,4,20,40",
                        help="cohort sizes, comma-separated (default 1,4,20,40)")
    parser.add_argument("--workers", type=int, help="workers for coproduction (default: its own)")
    args = parser.parse_args()
    sizes = [int(n) for n in args.sizes.split(",") if n.strip()]
    ours = [BIN / "coproduction", "autograde", ASSIGNMENT, "--quiet"]
    if args.workers:
        ours += ["--workers", str(args.workers)]
    runs = {"plain": [BIN / "nbgrader", "autograde", ASSIGNMENT],
            "ours": ours, "open": [*ours, "--no-sandbox"]}

    with tempfile.TemporaryDirectory(prefix="coproduction-bench-") as tmp:
        tmp = Path(tmp)
        base = released_course(tmp / "base")
        # One untimed run of each first, so that neither pays for a cold disk cache.
        for name, cmd in runs.items():
            cohort(base, tmp / f"warm-{name}", 1)
            timed(cmd, tmp / f"warm-{name}")

        print(f"Grading {ASSIGNMENT} on {os.cpu_count()} core(s): plain nbgrader autograde "
              "against coproduction autograde (sandbox on, then --no-sandbox).")
        print(f"{'submissions':>11}  {'plain':>8}  {'coproduction':>12}  {'faster':>6}  "
              f"{'no sandbox':>10}  {'faster':>6}  gradebooks")
        failed = []
        for size in sizes:
            seconds, found = {}, {}
            for name, cmd in runs.items():
                course = tmp / f"{name}-{size}"
                cohort(base, course, size)
                seconds[name] = timed(cmd, course)
                found[name] = records(course)
            differ = differences(found["plain"], found["ours"]) + \
                differences(found["plain"], found["open"])
            verdict = (f"same ({scores_in(found['plain'])} scores, both runs)" if not differ
                       else f"DIFFER in {len(differ)} records, e.g. {differ[:2]}")
            if differ:
                failed.append(size)
            print(f"{size:>11}  {seconds['plain']:>6.1f} s  {seconds['ours']:>10.1f} s  "
                  f"{seconds['plain'] / seconds['ours']:>5.1f}x  {seconds['open']:>8.1f} s  "
                  f"{seconds['plain'] / seconds['open']:>5.1f}x  {verdict}", flush=True)
        if failed:
            sys.exit(f"The gradebooks differ from plain nbgrader's for {failed} submission(s).")


if __name__ == "__main__":
    main()
