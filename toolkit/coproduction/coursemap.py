"""The course map: what each module holds, about how long it takes, and how far a trainee has got.

The modules themselves are the one place the course is written down, so the
map reads them: each ``NN-topic.ipynb`` in the modules folder gives its title,
its reading, the scenario it plays, its self-check, its reflection prompts and
its graded exercise. Nothing is listed twice, so a new module (or a changed
one) appears on the map without anyone editing it.

Progress comes from the trainee's journal: a module is *started* once anything
of it is saved (a decision, an answer, a reflection), its scenario is
*finished* once a route reaches an ending, and its self-check is *passed* once
every question has been answered right at least once (the rule the learning
records use too).

How long a module takes is an estimate, and is shown as one: reading at
``WORDS_PER_MINUTE``, and a set time for each decision, self-check question,
reflection and data exercise (see ``estimate``), rounded to five minutes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from .workspace import COURSE_MODULES

#: Reading speed assumed for the module text (a careful reader of new ideas).
WORDS_PER_MINUTE = 200
#: Minutes assumed for each part a trainee does rather than reads.
MINUTES = {"decision": 2, "question": 1.5, "reflection": 5, "exercise": 15}
#: A module notebook larger than this is not read (the course's are far smaller).
MAX_NOTEBOOK_BYTES = 5 * 2**20

_NOTEBOOK = re.compile(r"^(\d{2})-[a-z0-9-]+\.ipynb$")
_TITLE = re.compile(r"^#\s+(Module\s+\d+:.+)$", re.M)
_CALLS = {
    "scenario": re.compile(r"scenario\.play\(\s*[\"']([a-z0-9-]+)[\"']"),
    "check": re.compile(r"quiz\.show\(\s*[\"']([a-z0-9-]+)[\"']"),
    "reflection": re.compile(r"reflect\.prompt\(\s*[\"']([a-z0-9-]+)[\"']"),
    "dataset": re.compile(r"data\.load\(\s*[\"']([a-z0-9_]+)[\"']"),
    "selfassessment": re.compile(r"selfassess\.show\("),
}


@dataclass
class Module:
    """One module as the map shows it."""

    number: int
    name: str  # the notebook's name without .ipynb, e.g. "01-origins"
    title: str
    words: int
    scenario: str | None = None
    check: str | None = None
    reflections: list[str] = field(default_factory=list)
    datasets: list[str] = field(default_factory=list)
    decisions: int = 0  # decision points on the longest route through its scenario
    questions: int = 0  # questions in its self-check
    self_assessment: bool = False

    @property
    def notebook(self) -> str:
        return f"{self.name}.ipynb"

    @property
    def exercise(self) -> str:
        """The graded exercise that goes with the module (an nbgrader assignment)."""
        return self.name

    @property
    def minutes(self) -> int:
        return estimate(self)


def estimate(module: Module) -> int:
    """About how many minutes ``module`` takes, rounded to the nearest five (at least five)."""
    total = (module.words / WORDS_PER_MINUTE
             + module.decisions * MINUTES["decision"]
             + module.questions * MINUTES["question"]
             + len(module.reflections) * MINUTES["reflection"]
             + (MINUTES["exercise"] if module.datasets else 0))
    return max(5, int(5 * round(total / 5)))


def _read(path: Path) -> list[dict] | None:
    try:
        if path.stat().st_size > MAX_NOTEBOOK_BYTES:
            return None
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError, AttributeError):
        return None
    return [c for c in cells if isinstance(c, dict)] if isinstance(cells, list) else None


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _sizes(scenario_id: str | None, check_id: str | None) -> tuple[int, int]:
    """(decisions on the longest route, self-check questions), 0 for any not shipped."""
    from . import quiz, scenario
    from .scenario.engine import decisions_left

    decisions = questions = 0
    if scenario_id in scenario.names():
        decisions = decisions_left(scenario.start(scenario.get(scenario_id)))
    if check_id in quiz.names():
        questions = len(quiz.get(check_id).questions)
    return decisions, questions


def read_module(path: Path) -> Module | None:
    """The map's view of one module notebook, or None if it is not a module notebook."""
    match = _NOTEBOOK.match(path.name)
    cells = _read(path) if match else None
    if cells is None:
        return None
    text = "\n".join(_source(c) for c in cells if c.get("cell_type") == "markdown")
    code = "\n".join(_source(c) for c in cells if c.get("cell_type") == "code")
    number = int(match.group(1))
    heading = _TITLE.search(text)
    found = {kind: pattern.findall(code) for kind, pattern in _CALLS.items()}
    module = Module(number, path.stem, heading.group(1).strip() if heading else f"Module {number}",
                    len(re.sub(r"[#*_`>|]", " ", text).split()),
                    scenario=(found["scenario"] or [None])[0], check=(found["check"] or [None])[0],
                    reflections=list(dict.fromkeys(found["reflection"])),
                    datasets=list(dict.fromkeys(found["dataset"])),
                    self_assessment=bool(found["selfassessment"]))
    module.decisions, module.questions = _sizes(module.scenario, module.check)
    return module


def modules(folder: str | Path | None = None) -> list[Module]:
    """Every module in ``folder`` (default: the modules beside the running notebook, else
    the course's own), in order. Module 0, the map itself, is not listed."""
    folder = Path(folder) if folder else _here()
    found = [read_module(p) for p in sorted(folder.glob("[0-9][0-9]-*.ipynb"))]
    return [m for m in found if m is not None and m.number > 0]


def _here() -> Path:
    here = Path.cwd()
    return here if any(here.glob("0[1-9]-*.ipynb")) else COURSE_MODULES


@dataclass
class Progress:
    """How far a trainee has got with one module, from their journal."""

    module: Module
    started: bool = False
    plays: int = 0  # routes through its scenario that reached an ending
    right: int = 0  # its self-check questions answered right at least once
    reflections: int = 0  # its reflection prompts with an answer saved

    @property
    def scenario_finished(self) -> bool:
        return self.plays > 0

    @property
    def check_passed(self) -> bool:
        return self.module.questions > 0 and self.right >= self.module.questions

    @property
    def done(self) -> bool:
        """Scenario finished, self-check passed and every reflection written."""
        m = self.module
        return ((not m.scenario or self.scenario_finished) and (not m.check or self.check_passed)
                and self.reflections >= len(m.reflections))

    def status(self) -> str:
        """Where the trainee is with this module, in words."""
        if self.done:
            return "done"
        return "started" if self.started else "not started"


def progress(journal=None, folder: str | Path | None = None) -> list[Progress]:
    """Each module's progress for the trainee whose journal this is (default: the journal
    beside the running notebook)."""
    from .journal import Journal

    entries = (journal or Journal(quiet=True)).entries()
    result = []
    for module in modules(folder):
        p = Progress(module)
        right = set()
        for entry in entries:
            kind, subject, detail = entry.kind, entry.subject, entry.detail
            if kind == "scenario" and subject == module.scenario:
                p.started, p.plays = True, p.plays + 1
            elif kind == "progress" and subject == module.scenario:
                p.started = True
            elif kind == "check" and module.check and subject.startswith(module.check + "/"):
                p.started = True
                if detail.get("correct") is True:
                    right.add(subject)
            elif kind == "reflection" and subject in module.reflections:
                p.started = True
                p.reflections += bool(str(detail.get("text", "")).strip())
            elif kind == "selfassessment" and module.self_assessment:
                p.started = True
        p.right = len(right)
        result.append(p)
    return result


def next_module(report: list[Progress]) -> Progress | None:
    """The module to go to next: the first started one not yet done, else the first not
    started, else None (all done)."""
    for wanted in ("started", "not started"):
        for p in report:
            if p.status() == wanted:
                return p
    return None


def show(journal=None, folder=None):
    """The course map widget: progress, reflections to read and edit, and the CPD record."""
    from .coursemap_widget import show as draw

    return draw(journal, folder)
