"""Plain `nbgrader autograde` against `coproduction autograde`, side by side in one run.

    .venv/bin/python benchmarks/autograde.py [--size 40] [--workers N]

Both grade the same synthetic cohort of Assignment 1 in fresh copies of the
course. The script checks that the gradebooks hold the same scores, then
prints the times, the ratios, what the grading sandbox costs (the same run with
--no-sandbox beside it), and where plain nbgrader's time goes (start-up,
kernel start, the rest per submission).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ASSIGNMENT = "01-origins"
ENV = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}


def make_course(where: Path, size: int) -> list[str]:
    """A copy of the course with a released assignment and ``size`` ordinary submissions."""
    from coproduction.grading.cohort import plan, write_cohort

    where.mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", where)
    shutil.copytree(ROOT / "solutions", where / "solutions")
    subprocess.run([BIN / "nbgrader", "generate_assignment", ASSIGNMENT, "--force"], cwd=where,
                   env=ENV, check=True, capture_output=True)
    members = plan(size, hostile=False, seed=7)
    write_cohort(where, ASSIGNMENT, members)
    return [m.student for m in members]


def timed(cmd: list, cwd: Path) -> float:
    started = time.perf_counter()
    result = subprocess.run(cmd, cwd=cwd, env=ENV, capture_output=True, text=True)
    if result.returncode:
        sys.exit(f"{' '.join(map(str, cmd))} failed:\n{result.stderr[-3000:]}")
    return time.perf_counter() - started


def scores(course: Path, students: list[str]) -> dict:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "coproduction") as gb:
        return {(s, g.notebook.name, g.name): g.auto_score
                for s in students
                for nb in gb.find_submission(ASSIGNMENT, s).notebooks
                for g in nb.grades}


def kernel_start_seconds(times: int = 5) -> float:
    from jupyter_client.manager import start_new_kernel

    spent = []
    for _ in range(times):
        started = time.perf_counter()
        km, kc = start_new_kernel(kernel_name="python3")
        spent.append(time.perf_counter() - started)
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    return statistics.median(spent)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=40, help="submissions (default 40)")
    parser.add_argument("--workers", type=int, help="workers for coproduction (default: cores)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="coproduction-bench-") as tmp:
        tmp = Path(tmp)
        plain_dir, ours_dir, one_dir = tmp / "plain", tmp / "ours", tmp / "one"
        students = make_course(plain_dir, args.size)
        make_course(ours_dir, args.size)
        unforked_dir = tmp / "unforked"
        make_course(unforked_dir, args.size)
        open_dir = tmp / "no-sandbox"
        make_course(open_dir, args.size)
        make_course(one_dir, 1)
        print(f"Grading {args.size} submissions of {ASSIGNMENT} on {os.cpu_count()} core(s).")

        plain = timed([BIN / "nbgrader", "autograde", ASSIGNMENT, "--force"], plain_dir)
        print(f"  plain nbgrader autograde   {plain:7.1f} s")
        ours_cmd = [BIN / "coproduction", "autograde", ASSIGNMENT, "--quiet"]
        if args.workers:
            ours_cmd += ["--workers", str(args.workers)]
        unforked = timed(ours_cmd + ["--plain-kernels"], unforked_dir)
        print(f"  coproduction autograde --plain-kernels {unforked:7.1f} s  "
              f"({plain / unforked:.2f}x: parallel workers alone)")
        ours = timed(ours_cmd, ours_dir)
        print(f"  coproduction autograde     {ours:7.1f} s  ({plain / ours:.2f}x: workers and "
              "forked kernels)")
        print(f"  ratio (plain / ours)       {plain / ours:7.2f}x")
        unsandboxed = timed(ours_cmd + ["--no-sandbox"], open_dir)
        print(f"  coproduction autograde --no-sandbox {unsandboxed:7.1f} s: the sandbox costs "
              f"{100 * (ours - unsandboxed) / unsandboxed:+.0f}% ({ours / unsandboxed:.2f}x)")

        a = scores(plain_dir, students)
        differ = []
        for other in (ours_dir, unforked_dir, open_dir):
            b = scores(other, students)
            differ += [k for k in a if a[k] != b.get(k)] + list(b.keys() - a.keys())
        print(f"  gradebooks agree: {'yes' if not differ else 'NO'} "
              f"({len(a)} scores compared, four ways)")

        one = timed([BIN / "nbgrader", "autograde", ASSIGNMENT, "--force"], one_dir)
        per = (plain - one) / max(args.size - 1, 1)
        start = one - per
        kernel = kernel_start_seconds()
        print("Where plain nbgrader's time goes:")
        print(f"  start-up, once per run     {start:7.2f} s")
        print(f"  each submission            {per:7.2f} s, of which starting its kernel "
              f"{kernel:.2f} s ({100 * kernel / per:.0f}%)")
        if differ:
            sys.exit(f"scores differ for {len(differ)} cells, e.g. {differ[:3]}")


if __name__ == "__main__":
    main()
