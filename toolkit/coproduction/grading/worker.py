"""What a grading worker process does: run nbgrader's own Autograde for one submission.

Each worker imports nbgrader once and then grades submission after
submission, each into a private copy of the gradebook (so workers never wait
for each other's database writes). nbgrader's log for the submission goes to
a file of its own, which is also where the reason for a failure is read from.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

# What nbgrader's log says, mapped to a reason a trainer can act on.
_REASONS = (
    ("exists multiple times", "the notebook has copies of an answer or test cell (a cell was "
                              "duplicated), which nbgrader cannot grade: delete the extra copy "
                              "and grade this trainee again with --student"),
    # Before the notebook's first cell: not the trainee's doing.
    ("Kernel died before replying to kernel_info", "its Python kernel stopped while starting, "
                                                   "before any of the notebook ran: grade this "
                                                   "trainee again with --student"),
    ("Kernel didn't respond in", "its Python kernel did not start in time (the machine may "
                                 "be very busy): grade this trainee again with --student"),
    ("DeadKernelError", "the notebook stopped its own Python kernel (for example with exit() "
                        "or os._exit()), so the rest of it could not be run"),
    ("Kernel died", "the notebook stopped its own Python kernel (for example with exit() "
                    "or os._exit()), so the rest of it could not be run"),
    ("UnresponsiveKernelError", "the notebook's Python kernel stopped responding"),
    ("grading sandbox", "its kernel could not be started in the grading sandbox"),
    ("NotJSONError", "the file is not a readable notebook (it may be damaged or cut short)"),
    ("JSONDecodeError", "the file is not a readable notebook (it may be damaged or cut short)"),
    ("ValidationError", "the file is not a valid notebook (its structure is damaged)"),
)


#: The last line of a Python traceback: "SomeError: what it says".
_RAISED = re.compile(r"^(?:[A-Za-z_][\w.]*\.)?[A-Za-z_]\w*(?:Error|Exception|Exit)\b.*$")


def reason_from_log(text: str) -> str:
    """The plain-words reason for a failed grading, from nbgrader's log."""
    for needle, reason in _REASONS:
        if needle in text:
            return reason
    lines = [line.strip() for line in text.splitlines()]
    raised = [line for line in lines if _RAISED.match(line)]
    if raised:
        # What was actually raised says more than nbgrader's closing "see the above
        # traceback" (a course's plugin that cannot be imported, for instance).
        return f"nbgrader could not grade it ({raised[-1][:200]})"
    errors = [line for line in lines if line.startswith("[ERROR]")
              and "see the" not in line and "There was an error processing" not in line]
    last = errors[-1] if errors else "no reason given"
    return f"nbgrader could not grade it ({last.removeprefix('[ERROR] ')[:200]})"


_FAST_EXECUTE = None


def _fast_execute():
    """nbgrader's Execute, with kernels forked from this worker's zygote."""
    global _FAST_EXECUTE
    if _FAST_EXECUTE is None:
        from nbgrader.preprocessors import Execute

        from .forkkernel import kernel_manager_class

        manager = kernel_manager_class()

        class FastExecute(Execute):
            def __init__(self, *args, **kwargs):
                kwargs["kernel_manager_class"] = manager
                super().__init__(*args, **kwargs)

        FastExecute.manager = manager
        _FAST_EXECUTE = FastExecute
    return _FAST_EXECUTE


def _pipeline(preprocessors: list, fork: bool) -> list:
    """nbgrader's autograde steps, with LimitOutputSize right after its LimitOutput and,
    when ``fork``, its Execute starting kernels from the zygote."""
    from nbgrader.preprocessors import Execute, LimitOutput

    from .limits import LimitOutputSize

    steps = [_fast_execute() if (fork and step is Execute) else step for step in preprocessors]
    at = steps.index(LimitOutput) + 1 if LimitOutput in steps else len(steps)
    return steps[:at] + [LimitOutputSize] + steps[at:]


_COURSES: dict = {}


def _key(root: str, argv: list[str] | None) -> tuple:
    return (str(root), tuple(argv) if argv is not None else None)


def remember(course) -> None:
    """Hand ``course``, as the grading process read it, to workers forked from it
    (they then need not read it again)."""
    _COURSES[_key(getattr(course, "folder", course.root), course.argv)] = course


def _course(root: str, argv: list[str] | None):
    """The course as the main process read it (same folder, same nbgrader settings); read
    once per worker. Reading it as nbgrader does also puts the course folder on sys.path,
    so a late-penalty plugin kept there imports here as it does under nbgrader."""
    from .course import Course

    key = _key(root, argv)
    if key not in _COURSES:
        _COURSES[key] = Course(root, nbgrader_argv=argv)
    return _COURSES[key]


def grade(job: dict) -> dict:
    """Grade one submission as described by ``job``; return what happened."""
    from nbgrader.converters import Autograde
    from nbgrader.converters.base import NbGraderException

    started = time.monotonic()
    private = Path(job["db"])
    # A new file, not the old one overwritten: nothing still open on the last
    # submission's gradebook can see this one's.
    fresh = private.with_name(private.name + ".new")
    shutil.copyfile(job["template"], fresh)
    os.replace(fresh, private)
    course = _course(job["root"], job.get("argv"))
    coursedir = course.coursedir(db_url=f"sqlite:///{private}", assignment_id=job["assignment"],
                                 student_id=job["student"])

    logger = logging.getLogger(f"coproduction.grading.{job['student']}")
    logger.handlers.clear()
    logger.propagate = False
    logger.setLevel(logging.INFO)
    handler = logging.FileHandler(job["log"], mode="w", encoding="utf-8")
    handler.setFormatter(logging.Formatter("[%(levelname)s] %(message)s"))
    logger.addHandler(handler)
    try:
        grader = Autograde(coursedir=coursedir, config=course.config, log=logger)
        grader.force = True
        grader.autograde_preprocessors = _pipeline(grader.autograde_preprocessors,
                                                   fork=job.get("fork", False))
        grader.start()
        ok, reason = True, ""
    except NbGraderException:
        ok = False
    except Exception as err:  # anything else nbgrader let through: still one submission only
        logger.exception("grading stopped: %s", err)
        ok = False
    finally:
        handler.close()
        logger.removeHandler(handler)
    if not ok:
        reason = reason_from_log(Path(job["log"]).read_text(encoding="utf-8", errors="replace"))
    return {"student": job["student"], "ok": ok, "reason": reason, "db": str(private),
            "seconds": time.monotonic() - started}


def _start_zygote(setup: dict, console_log: str | None):
    """This worker's kernel zygote, or None (kernels then start the usual way, or,
    with the sandbox, not at all: the submission fails with a reason)."""
    from .forkkernel import KERNEL, Zygote
    from .sandbox import Limits

    limits = Limits(**setup["sandbox"]) if setup.get("sandbox") else None
    manager = _fast_execute().manager
    manager.sandboxed = limits is not None
    try:
        zygote = Zygote(Path(setup["folder"]), console_log, limits=limits,
                        preload=setup.get("preload", KERNEL))
    except (OSError, RuntimeError):
        manager.zygote = None
        return None
    manager.zygote = zygote
    return zygote


def main(inbox, outbox, console_log: str | None = None, setup: dict | None = None) -> None:
    """Worker loop: take jobs until told to stop (None).

    ``setup`` says how this worker starts kernels: ``fork`` (from a zygote, started
    at once so that it is ready by the first job), ``preload`` (what the zygote
    imports), ``sandbox`` (its limits, or None) and ``folder`` (where its sockets go).
    What kernels print to the console (start-up warnings and the like) goes to
    ``console_log`` rather than over the trainer's progress bar.
    """
    setup = setup or {}
    if console_log:
        fd = os.open(console_log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
    # A worker forked from the grading process has all of this already; one started
    # afresh pays the import once, before the first job.
    from .leaner import check_schema_once, leave_out_unused, reuse_engines

    leave_out_unused()
    import nbgrader.converters  # noqa: F401

    check_schema_once()
    reuse_engines()
    # Every submission is graded into the same private gradebook file (a fresh
    # copy of the course's each time), so nbgrader's queries compile once per worker.
    private = str(Path(setup.get("folder") or tempfile.gettempdir()) / f"gradebook-{os.getpid()}.db")

    zygote = None
    while True:
        if setup.get("fork") and zygote is None:
            zygote = _start_zygote(setup, console_log)
        job = inbox.get()
        if job is None:
            if zygote is not None:
                zygote.close()
            return
        # The grading process has copied the last result out before it sends a new
        # job, so the file can be replaced now.
        job["db"] = private
        # Without the sandbox a missing zygote means ordinary kernels; with it,
        # the fork path stays on and refuses to start a kernel outside it.
        job["fork"] = bool(setup.get("fork")) and (zygote is not None
                                                    or bool(setup.get("sandbox")))
        try:
            result = grade(job)
        except BaseException as err:  # never leave the main process waiting
            result = {"student": job["student"], "ok": False, "db": "",
                      "reason": f"grading stopped unexpectedly ({err.__class__.__name__}: {err})",
                      "seconds": 0.0}
        if zygote is not None and zygote.shared is not None:
            # Nothing the notebook started may outlive its grading.
            try:
                zygote.clean()
            except (OSError, ValueError):
                zygote.close()
                zygote = None
        outbox.put(result)
