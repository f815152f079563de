"""Grade a cohort's submissions in parallel, each with a time limit, into nbgrader's gradebook.

nbgrader's ``autograde`` grades one submission after another in a single
process. Here a few worker processes (one per core by default) each run
nbgrader's own Autograde on one submission at a time, into a private copy of
the gradebook on a memory-backed folder; the main process copies each result
into the course's gradebook as it arrives. A submission that hangs is stopped
at its time limit, one that breaks its worker is recorded and the worker
replaced, and neither holds up the rest.
"""

from __future__ import annotations

import csv
import fcntl
import json
import multiprocessing
import os
import queue
import shutil
import sys
import tempfile
import time
from collections import deque
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import gradebook, not_graded, worker
from .course import Course, CourseError

DEFAULT_TIMEOUT = 120  # seconds for one whole submission


@dataclass
class Outcome:
    """What happened to one submission."""

    student: str
    status: str  # "graded", "failed" or "timed out"
    reason: str = ""
    seconds: float = 0.0
    score: float | None = None
    max_score: float | None = None
    note: str = ""  # something the trainer should know about a graded submission


@dataclass
class Run:
    """A finished grading run."""

    assignment: str
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0
    log_dir: Path | None = None

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)

    @property
    def ok(self) -> bool:
        return all(o.status == "graded" for o in self.outcomes)

    def summary(self) -> str:
        """The end-of-run summary, in plain words."""
        n = len(self.outcomes)
        lines = [f"Graded {self.count('graded')} of {n} submission(s) of {self.assignment} in "
                 f"{_duration(self.seconds)}: {self.count('graded')} graded, "
                 f"{self.count('failed')} failed, {self.count('timed out')} timed out."]
        for o in self.outcomes:
            if o.status != "graded":
                lines.append(f"  {o.student}: {o.status}: {o.reason}.")
            elif o.note:
                lines.append(f"  {o.student}: graded, but {o.note}.")
        if not self.ok:
            lines.append(f"Each one is flagged in the formgrader with a score of 0, as "
                         "needing manual grading, and opens there with a note saying why; "
                         f"nbgrader's own log for each is in {self.log_dir}.")
        return "\n".join(lines)


def _duration(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes} min {secs} s" if minutes else f"{seconds:.1f} s"


@contextmanager
def _one_run_at_a_time(course: Course):
    path = course.root / ".coproduction-grading.lock"
    with open(path, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise CourseError("Another grading run is already working on this course. "
                              "Wait for it to finish, then try again.") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _scratch_dir() -> Path:
    # Memory-backed when the machine has it: the private gradebooks commit after
    # every cell, and those commits are cheap there.
    shm = Path("/dev/shm")
    base = shm if shm.is_dir() and os.access(shm, os.W_OK) else None
    return Path(tempfile.mkdtemp(prefix="coproduction-grading-", dir=base))


def _grade_ids(nb: dict) -> set[str]:
    return {c.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            for c in nb.get("cells", [])
            if c.get("metadata", {}).get("nbgrader", {}).get("grade")} - {None}


def _inspect(folder: Path, release: Path) -> tuple[str, str]:
    """(reason it cannot be graded, note for the trainer), each '' when there is none.

    Catches files that are not notebooks before a worker is spent on them, and
    notices graded cells that were deleted, which nbgrader scores 0 silently.
    """
    missing = []
    for path in sorted(folder.glob("*.ipynb")):
        try:
            nb = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return f"{path.name} is not a readable notebook (it may be damaged or cut short)", ""
        if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
            return f"{path.name} is not a notebook (it has no cells)", ""
        original = release / path.name
        if original.is_file():
            expected = _grade_ids(json.loads(original.read_text(encoding="utf-8")))
            missing += sorted(expected - _grade_ids(nb))
    note = ""
    if missing:
        note = (f"{len(missing)} graded cell(s) were missing from the notebook (deleted?) and "
                f"score 0: {', '.join(missing)}")
    return "", note


#: What an answer cell shows when nbgrader stopped it at its limit for one cell.
_STOPPED = ("KeyboardInterrupt", "CellTimeoutError")


def stopped_cells(folder: Path) -> list[str]:
    """Graded cells of the autograded notebooks in ``folder`` that were stopped mid-run.

    nbgrader interrupts a cell that runs past its limit for one cell
    (``c.Execute.timeout``) and grades the rest, so a loop that never ends
    would otherwise look like an ordinary low score.
    """
    found = []
    for path in sorted(folder.glob("*.ipynb")):
        try:
            cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
        except (OSError, ValueError, AttributeError):
            continue
        for n, cell in enumerate(cells, start=1):
            outputs = cell.get("outputs") if isinstance(cell, dict) else None
            if any(isinstance(o, dict) and o.get("ename") in _STOPPED for o in outputs or []):
                meta = cell.get("metadata", {}).get("nbgrader", {})
                found.append(str(meta.get("grade_id") or f"cell {n} of {path.name}"))
    return found


class _Slot:
    """One worker process and the job it is on."""

    def __init__(self, ctx, outbox, console_log: Path):
        self.inbox = ctx.Queue()
        self.proc = ctx.Process(target=worker.main, args=(self.inbox, outbox, str(console_log)),
                                daemon=True)
        self.proc.start()
        self.job: dict | None = None
        self.started = 0.0

    def give(self, job: dict) -> None:
        self.job, self.started = job, time.monotonic()
        self.inbox.put(job)

    def kill(self) -> None:
        """Stop the worker and everything it started (its notebook kernel included)."""
        import psutil

        try:
            family = psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            family = []
        for proc in [*family]:
            try:
                proc.kill()
            except psutil.NoSuchProcess:
                pass
        self.proc.kill()
        self.proc.join(5)

    def stop(self) -> None:
        if self.proc.is_alive():
            self.inbox.put(None)
            self.proc.join(10)
        if self.proc.is_alive():
            self.kill()


class _Grader:
    """One grading run: hands out jobs, watches the clock, records results."""

    def __init__(self, course: Course, assignment: str, workers: int, timeout: float,
                 progress: bool, fork: bool = True):
        self.course, self.assignment, self.fork = course, assignment, fork
        self.workers, self.timeout, self.progress = workers, timeout, progress
        self.log_dir = course.root / "reports" / assignment / "logs"
        self.outcomes: dict[str, Outcome] = {}
        self.notes: dict[str, str] = {}

    def _slot(self, ctx, outbox) -> _Slot:
        return _Slot(ctx, outbox, self.log_dir / "_console.log")

    def _record(self, outcome: Outcome, bar) -> None:
        self.outcomes[outcome.student] = outcome
        if outcome.status != "graded":
            # nbgrader removes a failed submission's partial output; we replace it with
            # a note and the cells as handed in, so the formgrader shows it flagged,
            # with the reason (see not_graded).
            folder = self.course.path("submitted", outcome.student, self.assignment)
            stamp = self.course.lookup.get_existing_timestamp(str(folder))
            gradebook.record_failure(self.course.db_url, self.course.id, self.assignment,
                                     outcome.student, timestamp=stamp)
            not_graded.keep(self.course, self.assignment, outcome.student,
                            f"{outcome.status}: {outcome.reason}")
        if bar is not None:
            bar.update(1)
            bar.set_postfix_str(f"{outcome.student}: {outcome.status}", refresh=False)

    def _finish(self, result: dict, bar) -> None:
        if result["ok"]:
            gradebook.copy_submission(f"sqlite:///{result['db']}", self.course.db_url,
                                      self.course.id, self.assignment, result["student"])
            score, top = gradebook.scores(self.course.db_url, self.course.id, self.assignment,
                                          result["student"])
            notes = [self.notes.get(result["student"], "")]
            stopped = stopped_cells(self.course.path("autograded", result["student"],
                                                     self.assignment))
            if stopped:
                limit = self.course.config.Execute.get("timeout", 30)
                notes.append(f"{len(stopped)} cell(s) ran longer than nbgrader's limit for one "
                             f"cell ({limit} s, c.Execute.timeout) and were stopped, so they "
                             f"score as unfinished (a loop that never ends?): {', '.join(stopped)}")
            outcome = Outcome(result["student"], "graded", "", result["seconds"], score, top,
                              "; and ".join(n for n in notes if n))
        else:
            outcome = Outcome(result["student"], "failed", result["reason"], result["seconds"])
        self._record(outcome, bar)

    def run(self, students: list[str]) -> Run:
        started = time.monotonic()
        self.log_dir.mkdir(parents=True, exist_ok=True)
        scratch = _scratch_dir()
        ctx = multiprocessing.get_context("spawn")
        outbox = ctx.Queue()
        # Workers start first: their imports overlap with the checks below.
        slots = [self._slot(ctx, outbox) for _ in range(min(self.workers, len(students)) or 1)]
        bar = None
        try:
            gradebook.ensure_students(self.course.db_url, self.course.id, students)
            template = scratch / "template.db"
            gradebook.snapshot(self.course.db_url, template)
            if self.progress:
                from tqdm import tqdm

                bar = tqdm(total=len(students), unit="submission", desc="Grading",
                           file=sys.stderr, dynamic_ncols=True)
            pending: deque[dict] = deque()
            release = self.course.path("release", ".", self.assignment)
            for student in students:
                broken, note = _inspect(self.course.path("submitted", student, self.assignment),
                                        release)
                if broken:
                    self._record(Outcome(student, "failed", broken), bar)
                    continue
                self.notes[student] = note
                pending.append({"root": str(self.course.root), "assignment": self.assignment,
                                "student": student, "template": str(template),
                                "fork": self.fork,
                                "db": str(scratch / f"{student}.db"),
                                "log": str(self.log_dir / f"{student}.log")})
            self._loop(ctx, outbox, slots, pending, bar)
        finally:
            for slot in slots:
                slot.stop()
            if bar is not None:
                bar.close()
            shutil.rmtree(scratch, ignore_errors=True)
        outcomes = [self.outcomes[s] for s in students]
        return Run(self.assignment, outcomes, time.monotonic() - started, self.log_dir)

    def _loop(self, ctx, outbox, slots: list[_Slot], pending: deque, bar) -> None:
        while pending or any(slot.job for slot in slots):
            for slot in slots:
                if slot.job is None and pending:
                    slot.give(pending.popleft())
            try:
                result = outbox.get(timeout=0.2)
            except queue.Empty:
                result = None
            if result is not None:
                for slot in slots:
                    if slot.job and slot.job["student"] == result["student"]:
                        slot.job = None
                self._finish(result, bar)
            for i, slot in enumerate(slots):
                if slot.job is None:
                    continue
                overtime = time.monotonic() - slot.started > self.timeout
                if overtime or not slot.proc.is_alive():
                    slot.kill()
                    student = slot.job["student"]
                    if overtime:
                        outcome = Outcome(student, "timed out",
                                          f"grading took longer than {self.timeout:g} seconds and "
                                          "was stopped (a cell may run for ever, for example a "
                                          "loop that never ends)", self.timeout)
                    else:
                        outcome = Outcome(student, "failed",
                                          "the grading process stopped unexpectedly while "
                                          "running this notebook", time.monotonic() - slot.started)
                    self._record(outcome, bar)
                    # A fresh worker takes its place, unless nothing is left for it to do.
                    if pending:
                        slots[i] = self._slot(ctx, outbox)
                    else:
                        slot.job = None


def write_log(course: Course, run: Run) -> Path:
    """Save the run's outcomes as CSV, keeping earlier rows for students not graded this time."""
    path = course.root / "reports" / run.assignment / "grading-log.csv"
    rows = {}
    if path.is_file():
        with path.open(newline="", encoding="utf-8") as handle:
            rows = {row["student"]: row for row in csv.DictReader(handle)}
    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    for outcome in run.outcomes:
        rows[outcome.student] = {**asdict(outcome), "seconds": f"{outcome.seconds:.1f}",
                                 "graded_at": stamp}
    names = list(Outcome.__dataclass_fields__) + ["graded_at"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=names)
        writer.writeheader()
        for student in sorted(rows):
            writer.writerow(rows[student])
    return path


def default_workers() -> int:
    """One worker per core, plus one: while a worker waits for its kernel to start or
    answer, the extra one keeps the cores busy (measured: 2 cores, 40 submissions,
    2 workers 32 s, 3 workers 29 s, 4 workers 29 s)."""
    return (os.cpu_count() or 1) + 1


def autograde(course: Course, assignment: str, *, students: list[str] | None = None,
              workers: int | None = None, timeout: float = DEFAULT_TIMEOUT,
              progress: bool = True, fork_kernels: bool = True) -> Run:
    """Grade every submission of ``assignment`` (or only ``students``) into the gradebook.

    ``fork_kernels`` starts each notebook's kernel from a warm parent (see
    ``forkkernel``); False starts every kernel from scratch, as nbgrader does.
    """
    course.require_assignment(assignment)
    gradebook.require_released(course.db_url, course.id, assignment)
    submitted = course.submissions(assignment)
    if students:
        missing = [s for s in students if s not in submitted]
        if missing:
            where = course.path("submitted", missing[0], assignment)
            raise CourseError(f"There is no submission of {assignment} from "
                              f"{', '.join(missing)} (looked in {where}).")
        submitted = [s for s in submitted if s in students]
    if not submitted:
        raise CourseError(f"There are no submissions of {assignment} to grade yet (looked in "
                          f"{course.path('submitted', '*', assignment)}). Collect them first.")
    if timeout <= 0:
        raise CourseError("The time limit (--timeout) must be more than 0 seconds.")
    workers = workers or default_workers()
    with _one_run_at_a_time(course):
        run = _Grader(course, assignment, workers, timeout, progress, fork_kernels).run(submitted)
    write_log(course, run)
    return run
