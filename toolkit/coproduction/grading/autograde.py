"""Grade a cohort's submissions in parallel, each with a time limit, into nbgrader's gradebook.

nbgrader's ``autograde`` grades one submission after another in a single
process. Here a few worker processes (one per core by default) each run
nbgrader's own Autograde on one submission at a time, into a private copy of
the gradebook on a memory-backed folder; the main process copies each result
into the course's gradebook as it arrives. A submission that hangs is stopped
at its time limit, one that breaks its worker is recorded and the worker
replaced, and neither holds up the rest.

Every notebook runs in a sandbox (see ``sandbox``): it cannot see the
gradebook or anything else of the course, so only this process ever writes
grades. The main process also watches each sandbox and stops a submission
whose processes together use more than the memory limit, or start more
processes than allowed.
"""

from __future__ import annotations

import csv
import fcntl
import logging
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

from ..csvsafe import safe_row
from . import forkkernel, gradebook, leaner, not_graded, sandbox, sandbox_watch, worker
from .course import Course, CourseError
from .selection import Selection, choose, converter_settings, read_timestamp
from .submission_checks import NO_MEMORY, inspect, stopped_cells

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
    limits: sandbox.Limits | None = None  # None: graded without the sandbox
    skipped: dict[str, str] = field(default_factory=dict)  # student -> why not graded now

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
        if self.skipped:
            lines.append(f"Left as they were: {len(self.skipped)} submission(s).")
            lines += [f"  {student}: {why}." for student, why in sorted(self.skipped.items())]
        if not n:
            return "\n".join(lines)
        if self.limits is not None:
            lines.append(f"Each notebook ran in a sandbox: no network, no view of the course "
                         f"or of other trainees' work, at most "
                         f"{sandbox.describe_memory(self.limits.memory)} of memory.")
        else:
            lines.append("The sandbox was OFF (--no-sandbox): notebooks ran with the "
                         "trainer's own access to this machine and the course.")
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


class _Slot:
    """One worker process and the job it is on."""

    def __init__(self, ctx, outbox, console_log: Path, setup: dict):
        self.inbox = ctx.Queue()
        self.proc = ctx.Process(target=worker.main,
                                args=(self.inbox, outbox, str(console_log), setup), daemon=True)
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

    def ask_to_stop(self) -> None:
        if self.proc.is_alive():
            self.inbox.put(None)

    def stop(self) -> None:
        """Wait for the worker to finish (after ``ask_to_stop``); stop it if it does not."""
        self.proc.join(10)
        if self.proc.is_alive():
            self.kill()


def _first_workers_context(spawn):
    """How the first workers start: forked from this process where that is safe.

    This process has nbgrader and the course's settings loaded already, so a
    forked worker is ready at once instead of paying Python's and nbgrader's
    start-up again (two seconds of processor time each, measured). Forking is
    safe on Linux while this process runs no other thread, as the command does at
    this point; a program that calls ``autograde`` from a threaded process (a
    notebook's kernel, a server), or another system, gets workers started afresh.
    """
    import threading

    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return spawn


class _Grader:
    """One grading run: hands out jobs, watches the clock, records results."""

    def __init__(self, course: Course, assignment: str, workers: int, timeout: float,
                 progress: bool, fork: bool = True, limits: sandbox.Limits | None = None,
                 selection: Selection | None = None):
        self.course, self.assignment, self.fork = course, assignment, fork
        self.selection = selection or Selection()
        self.limits = limits  # None: no sandbox
        self.workers, self.timeout, self.progress = workers, timeout, progress
        self.log_dir = course.root / "reports" / assignment / "logs"
        self.outcomes: dict[str, Outcome] = {}
        self.notes: dict[str, str] = {}
        self.unknown: set[str] = set()  # not in the gradebook, and not to be added

    def _slot(self, ctx, outbox) -> _Slot:
        return _Slot(ctx, outbox, self.log_dir / "_console.log", self.setup)

    def _record(self, outcome: Outcome, bar) -> None:
        self.outcomes[outcome.student] = outcome
        if outcome.status != "graded" and outcome.student not in self.unknown:
            # nbgrader removes a failed submission's partial output; we replace it with
            # a note and the cells as handed in, so the formgrader shows it flagged,
            # with the reason (see not_graded).
            folder = self.course.path("submitted", outcome.student, self.assignment)
            try:
                stamp = read_timestamp(folder)
            except (ValueError, OSError):
                stamp = None  # the reason it failed: kept without a time
            gradebook.record_failure(self.course.db_url, self.course.id, self.assignment,
                                     outcome.student, timestamp=stamp)
            not_graded.keep(self.course, self.assignment, outcome.student,
                            f"{outcome.status}: {outcome.reason}")
        if bar is not None:
            bar.update(1)
            bar.set_postfix_str(f"{outcome.student}: {outcome.status}", refresh=False)

    def _finish(self, result: dict, bar) -> None:
        if result["ok"]:
            try:
                gradebook.copy_submission(f"sqlite:///{result['db']}", self.course.db_url,
                                          self.course.id, self.assignment, result["student"],
                                          unflag=result["student"] in self.selection.retry)
                score, top = gradebook.scores(self.course.db_url, self.course.id,
                                              self.assignment, result["student"])
            except Exception as err:  # a full disk, a locked or damaged gradebook
                self._record_or_report(Outcome(
                    result["student"], "failed",
                    f"its grades could not be saved in the gradebook ({_plain_db_error(err)})",
                    result["seconds"]), bar)
                return
            notes = [self.notes.get(result["student"], "")]
            stopped = stopped_cells(self.course.path("autograded", result["student"],
                                                     self.assignment))
            if stopped:
                limit = self.course.config.Execute.get("timeout", 30)
                notes.append(f"{len(stopped)} cell(s) ran longer than nbgrader's limit for one "
                             f"cell ({limit} s, c.Execute.timeout) and were stopped, so they "
                             f"score as unfinished (a loop that never ends?): {', '.join(stopped)}")
            starved = stopped_cells(self.course.path("autograded", result["student"],
                                                     self.assignment), NO_MEMORY)
            if starved and self.limits is not None:
                notes.append(f"{len(starved)} cell(s) tried to use more than "
                             f"{sandbox.describe_memory(self.limits.memory)} of memory and were "
                             f"stopped: {', '.join(starved)}")
            outcome = Outcome(result["student"], "graded", "", result["seconds"], score, top,
                              "; and ".join(n for n in notes if n))
        else:
            outcome = Outcome(result["student"], "failed", result["reason"], result["seconds"])
        self._record_or_report(outcome, bar)

    def _record_or_report(self, outcome: Outcome, bar) -> None:
        """Record ``outcome``; if even the failure cannot be written, say so in the summary."""
        try:
            self._record(outcome, bar)
        except Exception as err:  # the gradebook itself cannot be written (disk full?)
            outcome.status, outcome.score = "failed", None
            outcome.reason = (f"{outcome.reason or 'graded'}; and the gradebook could not be "
                              f"written ({_plain_db_error(err)}), so the formgrader does not "
                              "show this trainee's result: free some space and grade them "
                              "again with --student")
            self.outcomes[outcome.student] = outcome
            if bar is not None:
                bar.update(1)

    def run(self, students: list[str]) -> Run:
        started = time.monotonic()
        self.log_dir.mkdir(parents=True, exist_ok=True)
        # nbgrader's gradebook logs database errors with a traceback (through
        # tornado's logger); the trainer is told in plain words, and the details go
        # to the run's own log.
        db_log = logging.getLogger("tornado.application")
        handler = logging.FileHandler(self.log_dir / "_gradebook.log", encoding="utf-8")
        db_log.addHandler(handler)
        db_log.propagate = False
        try:
            return self._run(students, started)
        finally:
            db_log.removeHandler(handler)
            db_log.propagate = True
            handler.close()

    def _run(self, students: list[str], started: float) -> Run:
        scratch = _scratch_dir()
        # Replacements for workers stopped mid-run start afresh ("spawn"): by then
        # this process runs threads (the progress bar, the queues), which a fork
        # would copy half-way through whatever they were doing.
        spawn = multiprocessing.get_context("spawn")
        outbox = spawn.Queue()
        slots: list[_Slot] = []
        bar = None
        try:
            _, create = converter_settings(self.course.config)
            self.unknown = set()
            if create:
                gradebook.ensure_students(self.course.db_url, self.course.id, students)
            else:
                # As nbgrader with c.Autograde.create_student = False: a trainee the
                # gradebook does not know is not graded, and nothing is recorded.
                self.unknown = gradebook.unknown_students(self.course.db_url, self.course.id,
                                                          students)
            template = scratch / "template.db"
            gradebook.snapshot(self.course.db_url, template)
            release = self.course.path("release", ".", self.assignment)
            # Kernels start with what the assignment's own notebooks import, and no more.
            # In the sandbox every kernel is forked from its zygote; "plain" kernels
            # then fork from one that preloads nothing.
            self.setup = {"folder": str(scratch), "fork": self.fork or self.limits is not None,
                          "preload": ([*forkkernel.KERNEL, *forkkernel.notebook_imports(release)]
                                      if self.fork else []),
                          "sandbox": self.limits.as_dict() if self.limits else None}
            worker.remember(self.course)
            sys.stdout.flush()
            sys.stderr.flush()
            first = _first_workers_context(spawn)
            wanted = len(students) - len(self.unknown & set(students))
            slots = [self._slot(first, outbox) for _ in range(max(min(self.workers, wanted), 1))]
            if self.progress:
                from tqdm import tqdm

                bar = tqdm(total=len(students), unit="submission", desc="Grading",
                           file=sys.stderr, dynamic_ncols=True)
            pending: deque[dict] = deque()
            for student in students:
                if student in self.unknown:
                    self._record_or_report(Outcome(
                        student, "failed", "this trainee is not in the gradebook, and the "
                        "course does not add new ones (c.Autograde.create_student = False)"), bar)
                    continue
                if student in self.selection.retry:
                    # The note left by an earlier run that could not grade it goes.
                    shutil.rmtree(self.course.path("autograded", student, self.assignment),
                                  ignore_errors=True)
                broken, note = inspect(self.course.path("submitted", student, self.assignment),
                                        release, self.course.lookup.notebook_id)
                if broken:
                    self._record_or_report(Outcome(student, "failed", broken), bar)
                    continue
                self.notes[student] = note
                pending.append({"root": str(getattr(self.course, "folder", self.course.root)),
                                "argv": self.course.argv, "assignment": self.assignment,
                                "student": student, "template": str(template),
                                "log": str(self.log_dir / f"{student}.log")})
            self._loop(spawn, outbox, slots, pending, bar)
        finally:
            for slot in slots:
                slot.ask_to_stop()
            for slot in slots:
                slot.stop()
            if bar is not None:
                bar.close()
            shutil.rmtree(scratch, ignore_errors=True)
        outcomes = [self.outcomes[s] for s in students]
        return Run(self.assignment, outcomes, time.monotonic() - started, self.log_dir,
                   limits=self.limits, skipped=dict(self.selection.skipped))

    def _loop(self, ctx, outbox, slots: list[_Slot], pending: deque, bar) -> None:
        checked = 0.0
        while pending or any(slot.job for slot in slots):
            excesses = {}
            if self.limits is not None and time.monotonic() - checked >= 0.5:
                # Twice a second is enough to catch a runaway before it matters, and
                # costs about 1% of one core.
                excesses = sandbox_watch.excesses([s.proc.pid for s in slots if s.job],
                                                  Path(self.setup["folder"]), self.limits)
                checked = time.monotonic()
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
                excess = excesses.get(slot.proc.pid, "")
                if overtime or excess or not slot.proc.is_alive():
                    slot.kill()
                    student = slot.job["student"]
                    if excess:
                        outcome = Outcome(student, "failed", excess,
                                          time.monotonic() - slot.started)
                    elif overtime:
                        outcome = Outcome(student, "timed out",
                                          f"grading took longer than {self.timeout:g} seconds and "
                                          "was stopped (a cell may run for ever, for example a "
                                          "loop that never ends)", self.timeout)
                    else:
                        outcome = Outcome(student, "failed",
                                          "the grading process stopped unexpectedly while "
                                          "running this notebook", time.monotonic() - slot.started)
                    self._record_or_report(outcome, bar)
                    # A fresh worker takes its place, unless nothing is left for it to do.
                    if pending:
                        slots[i] = self._slot(ctx, outbox)
                    else:
                        slot.job = None


def _plain_db_error(err: Exception) -> str:
    text = str(err)
    if "disk is full" in text or "No space left" in text:
        return "the disk is full"
    if "locked" in text:
        return "the gradebook was locked by another program"
    return f"{err.__class__.__name__}: {text[:200]}"


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
            # A trainee id or a reason could start like a formula; a spreadsheet
            # opening the log must show it, not run it.
            writer.writerow(safe_row(rows[student]))
    return path


def default_workers() -> int:
    """One worker per core, plus one: while a worker waits for its kernel to start or
    answer, the extra one keeps the cores busy (measured: 2 cores, 40 submissions,
    2 workers 12.7 s, 3 workers 10.5 s, 4 workers 10.5 s)."""
    return (os.cpu_count() or 1) + 1


def autograde(course: Course, assignment: str, *, students: list[str] | None = None,
              workers: int | None = None, timeout: float = DEFAULT_TIMEOUT,
              progress: bool = True, fork_kernels: bool = True, use_sandbox: bool = True,
              limits: sandbox.Limits | None = None) -> Run:
    """Grade every submission of ``assignment`` (or only ``students``) into the gradebook.

    ``fork_kernels`` starts each notebook's kernel from a warm parent (see
    ``forkkernel``); False starts every kernel from scratch, as nbgrader does.
    ``use_sandbox`` (the default) runs every notebook in a sandbox with ``limits``
    (``sandbox.Limits()`` if not given); where the machine cannot make one this
    raises SandboxUnavailable rather than grade without it.
    """
    course.require_assignment(assignment)
    gradebook.require_released(course.db_url, course.id, assignment)
    if timeout <= 0:
        raise CourseError("The time limit (--timeout) must be more than 0 seconds.")
    workers = workers or default_workers()
    if use_sandbox:
        sandbox.require()
        limits = limits or sandbox.Limits()
        # A kernel's processor time is bounded by the submission's own time limit.
        limits = sandbox.Limits(**{**limits.as_dict(),
                                   "cpu_seconds": max(int(timeout) + 5, 10)})
    else:
        limits = None
    leaner.reuse_engines()
    with _one_run_at_a_time(course):
        force, _ = converter_settings(course.config)
        selection = choose(course, assignment, students, force=force)
        if not selection.grade:
            return Run(assignment, skipped=selection.skipped)
        run = _Grader(course, assignment, workers, timeout, progress, fork_kernels,
                      limits, selection).run(selection.grade)
    write_log(course, run)
    return run
