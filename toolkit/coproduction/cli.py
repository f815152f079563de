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
    from .scenario import check, names
    from .paths import content_file

    paths = args.paths or [content_file("scenarios", n) for n in names()]
    files = []
    for p in map(Path, paths):
        files.extend(sorted(p.glob("*.y*ml")) if p.is_dir() else [p])
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


def _quiz_seal(args) -> int:
    from .paths import CONTENT
    from .problems import display_path
    from .quiz import seal_file

    out = args.out or CONTENT / "checks" / Path(args.source).with_suffix(".yaml").name
    print(f"Sealed {args.source} into {display_path(seal_file(args.source, out))}")
    return 0


def _journal_show(args) -> int:
    from .journal import Journal

    journal = Journal(args.path)
    table = journal.history()
    print(f"Journal: {journal.path}")
    print(table.to_string(index=False) if len(table) else "(nothing recorded yet)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The command line, with help text for every command and option."""
    parser = argparse.ArgumentParser(
        prog="coproduction",
        description="Tools for the co-production course: check scenarios, seal self-checks, "
                    "read a journal.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    verbs = parser.add_subparsers(dest="verb", metavar="COMMAND", required=True)

    scen = verbs.add_parser("scenario", help="check and list case scenarios",
                            description="Check and list case scenarios.")
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
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``coproduction`` command."""
    from .paths import UnknownName
    from .problems import CourseFileError

    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except CourseFileError as err:
        print(err, file=sys.stderr)
    except (UnknownName, OSError) as err:
        print(f"coproduction: {err}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
