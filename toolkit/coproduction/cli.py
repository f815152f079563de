"""The ``coproduction`` command: a thin layer over the library.

Each command parses its arguments, calls one library function and prints
the result in plain words. Problems a person can fix end with exit code 1
and a message, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__


def _scenario_check(args) -> int:
    from .scenario import check

    files = _scenario_paths(args.paths)
    problems = [problem for f in files for problem in check(f)]
    for problem in problems:
        print(problem)
    print(f"{len(files)} file(s) checked: "
          + (f"{len(problems)} problem(s) found." if problems else "no problems found."))
    return 1 if problems else 0


def _scenario_list(args) -> int:
    from .scenario import get, names

    for name in names():
        print(f"{name}: {get(name).title}")
    return 0


def _scenario_paths(paths: list) -> list[Path]:
    """Files named on the command line (folders give their YAML files), or every shipped one."""
    from .paths import content_file
    from .scenario import names

    if not paths:
        return [content_file("scenarios", n) for n in names()]
    files: list[Path] = []
    for p in map(Path, paths):
        files.extend(sorted(p.glob("*.y*ml")) if p.is_dir() else [p])
    return files


def _scenario_stats(args) -> int:
    from .scenario import load
    from .scenario.stats import coverage, stats

    scenarios = [load(path) for path in _scenario_paths(args.paths)]
    reports = [stats(s).report() for s in scenarios]
    reports.append(coverage(scenarios).report())
    print("\n\n".join(reports))
    return 0


def _scenario_graph(args) -> int:
    from .problems import display_path
    from .scenario import load
    from .scenario.graph import write

    scenario = load(args.path)
    out = args.out or Path(f"{scenario.id}-graph.png")
    written, how = write(scenario, out)
    print(f"Drew {scenario.id} ({how}) into {display_path(written)}")
    return 0


def _graph_file(text: str) -> Path:
    from .scenario.graph import FORMATS

    if Path(text).suffix.lstrip(".").lower() not in FORMATS:
        raise argparse.ArgumentTypeError(
            "the file name must end in " + ", ".join(f".{f}" for f in FORMATS))
    return Path(text)


def _quiz_seal(args) -> int:
    from .paths import CONTENT
    from .problems import display_path
    from .quiz import seal_file

    out = args.out or CONTENT / "checks" / Path(args.source).with_suffix(".yaml").name
    print(f"Sealed {args.source} into {display_path(seal_file(args.source, out))}")
    return 0


def _app(args) -> int:
    import os
    import subprocess

    from .app import page_url, voila_command, voila_env
    from .workspace import COURSE_MODULES, prepare

    print(prepare(args.folder, args.modules or COURSE_MODULES).report())
    modules = args.folder / "modules"
    url = page_url(modules, args.module, args.port)  # an unknown module stops here, plainly
    print(f"Open {url} in your web browser. Press Ctrl+C here to stop.", flush=True)
    try:
        return subprocess.call(voila_command(modules, args.port), env=voila_env(dict(os.environ)))
    except KeyboardInterrupt:
        return 0


def _bundle(args) -> int:
    from .bundle import TARGETS, build

    platforms = list(TARGETS) if args.platform == "all" else [args.platform]
    print(f"Making the offline bundle for {', '.join(platforms)} in {args.out} (the first "
          "time, this downloads about 150 MB per platform)...", flush=True)
    for bundle in build(args.out, platforms, args.python, zipped=args.zip):
        print(bundle.summary())
    return 0


def _python_version(text: str) -> str:
    """--python's value: a CPython version the toolkit supports, e.g. 3.11."""
    parts = text.split(".")
    if len(parts) != 2 or not all(p.isdigit() for p in parts) or (
            int(parts[0]), int(parts[1])) < (3, 10):
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a Python version the course runs on; give one like 3.11 "
            "(3.10 or newer)")
    return text


def _workspace(args) -> int:
    from .workspace import COURSE_MODULES, prepare

    print(prepare(args.folder, args.modules or COURSE_MODULES).report())
    return 0


def _journal_export(args) -> int:
    from .xapi import DEFAULT_BASE_IRI, Actor, ActorError, export

    if args.path is not None and not args.path.is_file():
        print(f"coproduction: there is no journal at {args.path}.", file=sys.stderr)
        return 1
    base = args.base_iri or DEFAULT_BASE_IRI
    actor = Actor(account=args.account, mbox=args.mbox, home_page=args.home_page or base)
    try:
        count = export(args.path, args.xapi, actor, base)
    except ActorError as err:
        print(f"coproduction: {err}", file=sys.stderr)
        return 1
    if not count:
        print("coproduction: the journal has no finished scenario or self-check answer yet, "
              "so there is nothing to export and no file was written.", file=sys.stderr)
        return 1
    print(f"Wrote {count} xAPI statement(s) to {args.xapi}")
    return 0


def _portfolio(args) -> int:
    from .portfolio import FORMATS, PortfolioError, write

    try:
        path = write(args.format, args.out, args.path, name=args.name, force=args.force)
    except PortfolioError as err:
        print(f"coproduction: {err}", file=sys.stderr)
        return 1
    print(f"Wrote your {FORMATS[args.format]} record to {path}. Check the hours and fill in "
          "every part marked [To complete: ...] before you use it. Nothing was sent anywhere.")
    return 0


def _journal_show(args) -> int:
    from .handed_in import MAX_FILE_BYTES, MAX_ROWS
    from .journal import Journal

    # The journal may be one a trainee handed in: never open a huge one, never print
    # more than the first MAX_ROWS entries.
    if args.path and args.path.is_file() and args.path.stat().st_size > MAX_FILE_BYTES:
        print(f"coproduction: {args.path} is larger than {MAX_FILE_BYTES // 2**20} MB, far "
              "larger than a journal the course writes, so it was not opened.", file=sys.stderr)
        return 1
    journal = Journal(args.path)
    table = journal.history(limit=MAX_ROWS)
    print(f"Journal: {journal.path}")
    print(table.to_string(index=False) if len(table) else "(nothing recorded yet)")
    if table.attrs.get("left_off"):
        print(f"(only the first {MAX_ROWS:,} entries are shown; "
              f"{table.attrs['left_off']:,} more are not)")
    return 0


def _course(args):
    from .grading import Course

    return Course(args.course)


def _release(args) -> int:
    from .grading import release
    from .problems import display_path

    for path in release(_course(args), args.assignments):
        print(f"Released {display_path(path)}")
    return 0


def _autograde(args) -> int:
    from .grading.leaner import leave_out_unused

    leave_out_unused()
    from .grading import Course, autograde
    from .grading.nbconfig import nbgrader_argv
    from .grading.sandbox import Limits, SandboxUnavailable

    argv = nbgrader_argv(args.force, args.notebook, getattr(args, "nbgrader_settings", []))
    try:
        run = autograde(Course(args.course, nbgrader_argv=argv), args.assignment,
                        students=args.student,
                        workers=args.workers, timeout=args.timeout, progress=not args.quiet,
                        fork_kernels=not args.plain_kernels, use_sandbox=not args.no_sandbox,
                        limits=Limits(memory=args.memory))
    except SandboxUnavailable as err:
        print(err, file=sys.stderr)
        return 1
    print(run.summary())
    return 0 if run.ok else 1  # as nbgrader: 1 when any submission could not be graded


def _feedback(args) -> int:
    from .grading import feedback

    pages = feedback(_course(args), args.assignment, args.student,
                     unmarked_ok=args.unmarked_ok)
    print(pages.summary())
    return 0


def _report(args) -> int:
    from .grading import report

    print(report(_course(args), args.assignment, args.out).summary())
    return 0


def _debrief(args) -> int:
    from .grading.debrief import debrief

    print(debrief(_course(args), args.assignment, args.out, args.scenario,
                  everything=args.all).summary())
    return 0


def _cohort(args) -> int:
    from . import quiz
    from .grading import CourseError, gradebook
    from .grading.cohort import plan, practice_names, write_cohort
    from .scenario import names

    course = _course(args)
    course.require_assignment(args.assignment)
    members = plan(args.size, hostile=not args.no_hostile, seed=args.seed)
    taken = [m.student for m in members
             if course.path("submitted", m.student, args.assignment).exists()]
    if taken:
        raise CourseError(f"{taken[0]} already has a submission of {args.assignment}; "
                          "a practice cohort never overwrites one. Move the submitted "
                          "folder aside first.")
    write_cohort(course.root, args.assignment, members, journals=names(), seed=args.seed,
                 checks=quiz.names())
    if gradebook.db_path(course.db_url).is_file():  # released: the formgrader shows names
        gradebook.name_students(course.db_url, course.id, practice_names(members, args.seed))
    kinds = ", ".join(sorted({m.kind for m in members}))
    print(f"Wrote {len(members)} practice submissions of {args.assignment} into "
          f"{course.path('submitted')} (kinds: {kinds}).")
    return 0


def _hub_accounts(args) -> int:
    from . import hub

    course = hub.roster.check_course_id(args.course_id)
    members = hub.read(args.csv)
    steps = hub.plan(members, course)
    trainers = sum(m.is_trainer for m in members)
    print(f"{args.csv}: {len(members)} people ({trainers} trainer(s), "
          f"{len(members) - trainers} trainee(s)) for course {course}.")
    if not steps:
        print("Everything is already in place; nothing to do.")
    elif args.dry_run:
        print("Would do (nothing has been changed):")
        for step in steps:
            print(f"  {step.says}")
    else:
        for step in hub.apply(steps):
            print(f"  done: {step.says}")
    print(f"Trainees sign in at: {hub.link(args.url)}")
    return 0


def _hub_course(args) -> int:
    from .grading import Course
    from .hub import AccountError
    from .hub.course import setup

    env_bin = Path(args.env) / "bin"
    if not (env_bin / "coproduction").is_file():
        raise AccountError(f"There is no shared environment at {args.env}: build it "
                           "first with `make hub-env`.")
    for line in setup(args.course_id, Course(args.source).root, env_bin):
        print(line)
    print(f"The course's trainers reach its formgrader at /services/{args.course_id}/ "
          "once the hub is (re)started.")
    return 0


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _add_course_option(parser) -> None:
    parser.add_argument("--course", type=Path, metavar="DIR",
                        help="the course folder, with nbgrader_config.py (default: this folder "
                             "or the nearest one above it)")


def _memory_size(text: str) -> int:
    """--memory's value in bytes; argparse turns the ValueError into a plain usage error."""
    from .grading.sandbox import parse_size

    size = parse_size(text)
    if size < 256 * 1024 * 1024:
        raise argparse.ArgumentTypeError("must be at least 256M (a kernel with pandas needs that)")
    return size


_memory_size.__name__ = "memory size"  # how argparse names it in "invalid memory size value"


def _trainer_command(verbs, name: str, run, help: str, description: str):
    """A trainer's command: it works on a course folder, found from here or --course."""
    parser = verbs.add_parser(name, help=help, description=description)
    _add_course_option(parser)
    parser.set_defaults(run=run)
    return parser


def _add_trainer_commands(verbs) -> None:
    from .grading import DEFAULT_TIMEOUT
    from .grading.sandbox import Limits

    rel = _trainer_command(
        verbs, "release", _release, help="make trainees' copies of assignments from the solutions",
        description="Regenerate exercises/ASSIGNMENT from solutions/ASSIGNMENT with nbgrader "
                    "(answers and hidden tests removed). With no names, every assignment.")
    rel.add_argument("assignments", nargs="*", metavar="ASSIGNMENT",
                     help="assignments to release (default: all)")

    auto = _trainer_command(
        verbs, "autograde", _autograde, help="grade every submission of an assignment, in parallel",
        description="Grade submitted/<trainee>/ASSIGNMENT into nbgrader's gradebook and "
                    "autograded/, several at once, each with a time limit, reading the "
                    "course's settings as nbgrader autograde does (nbgrader_config.py, if "
                    "there is one, and any --Class.name=value setting given here, such as "
                    "--Execute.timeout=30). As with nbgrader, a submission already graded "
                    "is left as it is unless --force is given or it was handed in again "
                    "later, and the exit status is 1 when any submission could not be "
                    "graded. Unlike nbgrader, a submission that fails (even a notebook with "
                    "a duplicated cell or an old metadata format, which stop nbgrader's "
                    "whole run) is recorded with its reason and never stops the others.")
    auto.add_argument("assignment", metavar="ASSIGNMENT", help="the assignment to grade")
    auto.add_argument("--workers", type=_positive_int, metavar="N",
                      help="submissions graded at once (default: one per processor core, "
                           "plus one)")
    auto.add_argument("--student", action="append", metavar="ID",
                      help="grade only this trainee (repeat for more); others are left as "
                           "they are")
    auto.add_argument("--force", "-f", action="store_true",
                      help="grade again submissions that were already graded (as nbgrader's "
                           "--force)")
    auto.add_argument("--notebook", metavar="PATTERN",
                      help="grade only the notebooks whose names match, e.g. '1*' (as "
                           "nbgrader's --notebook)")
    auto.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                      help=f"time limit for one submission (default: {DEFAULT_TIMEOUT})")
    auto.add_argument("--quiet", action="store_true",
                      help="no progress bar, only the summary at the end")
    auto.add_argument("--memory", type=_memory_size, default=Limits().memory, metavar="SIZE",
                      help="most memory one submission may use, e.g. 2G or 1500M "
                           "(default: 2G)")
    auto.add_argument("--no-sandbox", action="store_true",
                      help="run notebooks without the sandbox: only where it cannot be made "
                           "and every submission is trusted (a notebook could then change "
                           "the gradebook or read other trainees' work)")
    auto.add_argument("--plain-kernels", action="store_true",
                      help="start every notebook's kernel from scratch, as nbgrader does "
                           "(slower; by default kernels are forked from a warm one)")

    fb = _trainer_command(
        verbs, "feedback", _feedback, help="make feedback pages for trainees",
        description="Turn each graded notebook of ASSIGNMENT into a feedback page (HTML) "
                    "with the scores and comments, ready to return to trainees. Mark the "
                    "written answers in the formgrader first: while any is unmarked this "
                    "stops and says which. The pages load nothing from the web.")
    fb.add_argument("assignment", metavar="ASSIGNMENT", help="the assignment")
    fb.add_argument("--student", metavar="ID", help="only this trainee")
    fb.add_argument("--unmarked-ok", action="store_true",
                    help="make the pages even though some written answers are not marked yet "
                         "(they show as 0)")

    rep = _trainer_command(
        verbs, "report", _report, help="scores, hardest questions and scenario choices for a cohort",
        description="Write a CSV of scores per trainee and question, plots of the score "
                    "distribution and of each question's difficulty, and, where trainees' "
                    "journals came with their submissions, the choices the cohort made at "
                    "each scenario decision point.")
    rep.add_argument("assignment", metavar="ASSIGNMENT", help="the assignment")
    rep.add_argument("--out", type=Path, metavar="DIR",
                     help="where to write the files (default: reports/ASSIGNMENT)")

    deb = _trainer_command(
        verbs, "debrief", _debrief, help="a page to show the room: how the cohort chose",
        description="From the journals handed in with ASSIGNMENT, write a page a trainer can "
                    "project after a session: for each scenario decision point how the room "
                    "chose (first time through), which routes led to which endings, the "
                    "self-check questions most often missed, and questions for discussion. "
                    "No trainee is named, and a route is shown only when two or more took it.")
    deb.add_argument("assignment", metavar="ASSIGNMENT", help="the assignment")
    deb.add_argument("--scenario", metavar="NAME",
                     help="only this scenario (default: the scenario and self-check of the "
                          "assignment's module)")
    deb.add_argument("--all", action="store_true",
                     help="every scenario and self-check found in the journals")
    deb.add_argument("--out", type=Path, metavar="DIR",
                     help="where to write the page (default: reports/ASSIGNMENT)")

    coh = _trainer_command(
        verbs, "cohort", _cohort, help="make practice submissions to try grading on",
        description="Write a synthetic cohort of submissions of ASSIGNMENT into submitted/: "
                    "correct, partly right and blank ones, plus one of each kind that can "
                    "break grading (a loop that never ends, a notebook that stops its own "
                    "kernel, deleted or duplicated cells, edited tests, megabytes of output, "
                    "a file that is not a notebook).")
    coh.add_argument("assignment", metavar="ASSIGNMENT", help="the assignment")
    coh.add_argument("--size", type=_positive_int, default=20, metavar="N",
                     help="how many trainees (default: 20)")
    coh.add_argument("--no-hostile", action="store_true",
                     help="only ordinary submissions (correct, partly right, blank)")
    coh.add_argument("--seed", type=int, default=1, help="seed for the mix (default: 1)")


def build_parser() -> argparse.ArgumentParser:
    """The command line, with help text for every command and option."""
    parser = argparse.ArgumentParser(
        prog="coproduction",
        description="Tools for the co-production course: check scenarios, seal self-checks, "
                    "read a journal.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    verbs = parser.add_subparsers(dest="verb", metavar="COMMAND", required=True)

    scen = verbs.add_parser("scenario", help="check, list, count and draw case scenarios",
                            description="Check, list, count and draw case scenarios.")
    scen_verbs = scen.add_subparsers(dest="action", metavar="ACTION", required=True)
    chk = scen_verbs.add_parser(
        "check", help="check scenario files for mistakes",
        description="Load and lint scenario files. Prints FILE:LINE: message for each problem; "
                    "exits 1 if there are any, 0 if all are clean.")
    chk.add_argument("paths", nargs="*", metavar="PATH",
                     help="scenario files or folders of them (default: every shipped scenario)")
    chk.set_defaults(run=_scenario_check)
    lst = scen_verbs.add_parser("list", help="list the shipped scenarios",
                                description="List the scenarios shipped with the course.")
    lst.set_defaults(run=_scenario_list)
    sts = scen_verbs.add_parser(
        "stats", help="count a scenario's decision points, endings and routes",
        description="For each scenario: decision points, endings, every route from the start "
                    "to an ending, how many routes reach each ending and their mean stance, "
                    "and any route whose ending contradicts its mean stance (+1 or more ending "
                    "expert-provider, 0 or less ending partner). Then, over all of them, how many "
                    "decision points put each of Cahn's values and each TLAP rung from "
                    "Consultation up at stake.")
    sts.add_argument("paths", nargs="*", metavar="PATH",
                     help="scenario files or folders of them (default: every shipped scenario)")
    sts.set_defaults(run=_scenario_stats)
    gra = scen_verbs.add_parser(
        "graph", help="draw a scenario's nodes and the choices between them",
        description="Draw the node graph of a scenario. The file name's ending picks the "
                    "format: .png or .svg (drawn by Graphviz when it is installed; .png "
                    "otherwise by matplotlib), .dot (Graphviz's own text) or .txt (a plain "
                    "outline). Dashed links depend on the play so far.")
    gra.add_argument("path", metavar="PATH", help="the scenario file")
    gra.add_argument("-o", "--out", type=_graph_file, metavar="FILE",
                     help="where to write the picture (default: ID-graph.png here)")
    gra.set_defaults(run=_scenario_graph)

    quiz = verbs.add_parser("quiz", help="prepare self-checks",
                            description="Prepare self-checks for trainees.")
    quiz_verbs = quiz.add_subparsers(dest="action", metavar="ACTION", required=True)
    seal = quiz_verbs.add_parser(
        "seal", help="turn a trainer's self-check into the trainee copy",
        description="Read a self-check with plain answers (kept under toolkit/self-check-keys/) "
                    "and write the copy trainees get, with answers stored only as salted hashes.")
    seal.add_argument("source", help="the trainer's self-check file, with answers")
    seal.add_argument("-o", "--out", type=Path,
                      help="where to write the sealed copy (default: the course's checks folder)")
    seal.set_defaults(run=_quiz_seal)

    jour = verbs.add_parser("journal", help="read a trainee's journal",
                            description="Read a trainee's journal.")
    jour_verbs = jour.add_subparsers(dest="action", metavar="ACTION", required=True)
    show = jour_verbs.add_parser("show", help="print every entry in a journal",
                                 description="Print every finished scenario and self-check "
                                             "attempt in a journal.")
    show.add_argument("--path", type=Path,
                      help="the journal file (default: $COPRODUCTION_JOURNAL, "
                           "else coproduction-journal.sqlite here)")
    show.set_defaults(run=_journal_show)
    exp = jour_verbs.add_parser(
        "export", help="write a journal as xAPI learning records",
        description="Write the journal's finished scenarios, self-check answers and completed "
                    "modules as xAPI 1.0.3 statements (one JSON object a line), for an "
                    "organisation's Learning Record Store. Nothing is sent anywhere: the file "
                    "stays on this computer.")
    exp.add_argument("--xapi", type=Path, required=True, metavar="FILE",
                     help="the file to write (JSON lines)")
    exp.add_argument("--path", type=Path,
                     help="the journal file (default: $COPRODUCTION_JOURNAL, "
                          "else coproduction-journal.sqlite here)")
    who = exp.add_mutually_exclusive_group(required=True)
    who.add_argument("--account", metavar="NAME",
                     help="the trainee's account name on the organisation's system")
    who.add_argument("--mbox", metavar="EMAIL", help="the trainee's email address")
    exp.add_argument("--home-page", metavar="IRI", default=None,
                     help="the web address of the system the account belongs to "
                          "(default: the base IRI)")
    exp.add_argument("--base-iri", metavar="IRI", default=None,
                     help="the web address the course's activity ids go under (your "
                          "organisation's own; default: an example address)")
    exp.set_defaults(run=_journal_export)

    cpd = verbs.add_parser(
        "portfolio", help="write your CPD record from your journal (Word or HTML)",
        description="Write your course learning as the CPD record your regulator asks for, "
                    "one activity per module, filled in from your journal: dates, time, "
                    "scenario endings, self-check results and your reflections in your own "
                    "words. What only you can write is marked [To complete: ...]. The file "
                    "stays on this computer.")
    cpd.add_argument("--format", choices=["nmc", "swe", "hcpc", "generic"], default="generic",
                     help="nmc (NMC revalidation), swe (Social Work England), hcpc (HCPC) or "
                          "generic (police, housing and everyone else; the default)")
    cpd.add_argument("--out", type=Path, metavar="FILE",
                     help="the file to write: .docx for Word, .html for a page to print "
                          "(default: cpd-record-FORMAT.docx here, numbered if one exists)")
    cpd.add_argument("--path", type=Path, metavar="JOURNAL",
                     help="the journal file (default: $COPRODUCTION_JOURNAL, "
                          "else coproduction-journal.sqlite here)")
    cpd.add_argument("--name", metavar="NAME", help="your name, to put on the record")
    cpd.add_argument("--force", action="store_true",
                     help="replace the --out file if it exists")
    cpd.set_defaults(run=_portfolio)

    work = verbs.add_parser(
        "workspace", help="make or update a trainee's own copy of the modules",
        description="Copy the course's modules into FOLDER/modules, adding any module not "
                    "there yet and never overwriting one already worked in (make lab does this "
                    "before starting JupyterLab).")
    work.add_argument("folder", type=Path, metavar="FOLDER", help="the trainee's own folder")
    work.add_argument("--modules", type=Path, metavar="DIR",
                      help="the course's modules folder (default: the one in this clone)")
    work.set_defaults(run=_workspace)

    app = verbs.add_parser(
        "app", help="open the modules as pages, with the code hidden",
        description="Start the course as an app for trainees who do not code: each module is "
                    "one page with its reading, scenario, self-check and reflections, and no "
                    "code showing. It runs on this computer only (127.0.0.1) and needs no "
                    "internet. Work is kept in FOLDER, as with make lab.")
    app.add_argument("module", nargs="?", metavar="MODULE",
                     help="the module to open, e.g. 1 or 01-origins (default: the list)")
    app.add_argument("--folder", type=Path, default=Path("my-course"), metavar="FOLDER",
                     help="the trainee's own folder (default: my-course)")
    app.add_argument("--port", type=int, default=8866, help="port on 127.0.0.1 (default 8866)")
    app.add_argument("--modules", type=Path, metavar="DIR",
                     help="the course's modules folder to copy from (default: the one in this "
                          "clone; an offline install passes its own)")
    app.set_defaults(run=_app)

    bun = verbs.add_parser(
        "bundle", help="make an offline installer for laptops with no internet",
        description="Write into the new folder OUT one folder per platform holding every "
                    "package the course needs (as wheels for that platform and Python), the "
                    "toolkit, the modules and an install script (install.sh, or install.ps1 "
                    "on Windows) that installs with no internet and starts the course on "
                    "127.0.0.1. Making it needs the internet once; run it from a clone of "
                    "the course. Only the Linux bundle is install-tested.")
    bun.add_argument("out", type=Path, metavar="OUT", help="a new or empty folder")
    bun.add_argument("--platform", choices=["linux", "windows", "macos", "all"],
                     default="linux",
                     help="the laptops' system: linux (64-bit Intel/AMD), windows (64-bit), "
                          "macos (Apple silicon, macOS 11 or newer) or all (default: linux)")
    bun.add_argument("--python", type=_python_version, default="{}.{}".format(*sys.version_info),
                     metavar="X.Y",
                     help="the Python version on the laptops (default: this one's, "
                          "{}.{})".format(*sys.version_info))
    bun.add_argument("--zip", action="store_true", help="also write each folder as a .zip")
    bun.set_defaults(run=_bundle)

    _add_trainer_commands(verbs)

    hub = verbs.add_parser("hub", help="set up cohorts on a JupyterHub",
                           description="Set up cohorts on a JupyterHub running on this machine.")
    hub_verbs = hub.add_subparsers(dest="action", metavar="ACTION", required=True)
    acc = hub_verbs.add_parser(
        "accounts", help="make accounts and groups from a cohort list",
        description="Read a CSV with the columns username and role (trainer or trainee), "
                    "check all of it, then make the Unix accounts and the course's groups "
                    "(nbgrader-COURSE for everyone, formgrade-COURSE for trainers), all or "
                    "nothing. Prints the link trainees open.")
    acc.add_argument("csv", metavar="CSV", help="the cohort list")
    acc.add_argument("--course-id", required=True, metavar="ID",
                     help="the course these people take, e.g. coproduction-autumn")
    acc.add_argument("--url", default="http://127.0.0.1:8000", metavar="URL",
                     help="the hub's address, for the link (default: http://127.0.0.1:8000)")
    acc.add_argument("--dry-run", action="store_true",
                     help="only say what would be done")
    acc.set_defaults(run=_hub_accounts)
    crs = hub_verbs.add_parser(
        "course", help="set up a course's gradebook account and folder on the hub",
        description="Make the account grader-ID that owns course ID's gradebook, copy this "
                    "course folder (nbgrader_config.py, solutions/, exercises/) into its home "
                    "with the course id set, and release the assignments there. Its "
                    "formgrader then runs as a hub service for the course's trainers.")
    crs.add_argument("--course-id", required=True, metavar="ID", help="the course id")
    crs.add_argument("--source", type=Path, metavar="DIR",
                     help="the course folder to copy (default: this one)")
    crs.add_argument("--env", default="/opt/coproduction", metavar="DIR",
                     help="the hub's shared environment (default: /opt/coproduction)")
    crs.set_defaults(run=_hub_course)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``coproduction`` command."""
    from .grading.course import CourseError
    from .hub.roster import AccountError
    from .paths import UnknownName
    from .problems import CourseFileError
    from .wheelhouse import BundleError

    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        if getattr(args, "run", None) is not _autograde:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        args.nbgrader_settings = extra
    try:
        return args.run(args)
    except CourseFileError as err:
        print(err, file=sys.stderr)
    except BrokenPipeError:  # the output went to a pager or `head` that closed early
        return 0
    except (UnknownName, CourseError, AccountError, BundleError, OSError) as err:
        print(f"coproduction: {err}", file=sys.stderr)
    except KeyboardInterrupt:
        print("coproduction: stopped.", file=sys.stderr)
        return 130
    finally:
        if argv is None:
            # Run as the command, which now exits. Python would first walk every
            # object still alive (nbgrader, pandas and SQLAlchemy leave a great many:
            # 0.7 s measured after grading); none needs collecting any more.
            import gc

            gc.freeze()
    return 1


if __name__ == "__main__":
    sys.exit(main())
