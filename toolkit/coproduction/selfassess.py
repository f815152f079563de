"""An organisation's self-assessment of how it co-produces: statements, scores, bands and gaps.

The statements are data (``content/selfassessment/*.yaml``), checked on load
like every course file: a mistake names the file, the line and the field. A
team rates each statement from 1 (not at all) to 5 (fully); ``result`` gives
each area's mean and band, and ``gaps`` compares two views of the same
organisation, such as staff and people with lived experience. This module is
the model; ``show`` draws it with the widget in ``selfassess_widget``, imported
only when it is called.

>>> from coproduction import selfassess
>>> sheet = selfassess.get("organisation")
>>> selfassess.result(sheet, {"C1": 4, "C2": 3}).domains["culture"].mean
3.5
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import yamlfile
from .paths import content_file, content_names
from .problems import CourseFileError, Problem, display_path

SCHEMA_VERSION = 1
_TEXT = {"type": "string", "minLength": 1}
_ID = {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9-]*$",
       "description": "may use only letters, digits and hyphens"}
SCHEMA = {
    "type": "object",
    "required": ["schema_version", "id", "title", "scale", "domains", "bands"],
    "additionalProperties": False,
    "properties": {
        "schema_version": {"const": SCHEMA_VERSION},
        "id": _ID, "title": _TEXT,
        "scale": {"type": "object", "required": ["min", "max", "low", "high"],
                  "additionalProperties": False,
                  "properties": {"min": {"type": "integer"}, "max": {"type": "integer"},
                                 "low": _TEXT, "high": _TEXT}},
        "domains": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["id", "label", "items"], "additionalProperties": False,
            "properties": {"id": _ID, "label": _TEXT, "items": {
                "type": "array", "minItems": 1, "items": {
                    "type": "object", "required": ["id", "text"], "additionalProperties": False,
                    "properties": {"id": _ID, "text": _TEXT}}}}}},
        "bands": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["from", "label", "meaning"],
            "additionalProperties": False,
            "properties": {"from": {"type": "number"}, "label": _TEXT, "meaning": _TEXT}}},
    },
}


@dataclass(frozen=True)
class Domain:
    """One area of the assessment and its statements (item id -> text)."""

    id: str
    label: str
    items: dict[str, str]


@dataclass(frozen=True)
class Band:
    """A named range of mean scores, from ``start`` up to the next band."""

    start: float
    label: str
    meaning: str


@dataclass(frozen=True)
class Sheet:
    """A whole self-assessment, checked and ready to score."""

    id: str
    title: str
    low: int
    high: int
    domains: tuple[Domain, ...]
    bands: tuple[Band, ...]
    scale_low: str = ""   # what the bottom of the scale means, e.g. "not at all"
    scale_high: str = ""  # and the top, e.g. "fully"

    def band(self, mean: float) -> Band:
        """The band a mean score falls in."""
        return [b for b in self.bands if mean >= b.start][-1]


@dataclass
class DomainScore:
    """An area's mean over the statements answered, and how many were."""

    mean: float | None
    answered: int
    of: int
    band: Band | None


@dataclass
class Result:
    """Scores for one view of the organisation; ``ignored`` lists answers left out, and why."""

    domains: dict[str, DomainScore]
    overall: float | None
    band: Band | None
    ignored: list[str] = field(default_factory=list)


def load(path: str | Path) -> Sheet:
    """Read and check a self-assessment file; CourseFileError lists every problem."""
    shown = display_path(path)
    data = yamlfile.read(path)
    problems = yamlfile.validate(data, SCHEMA, path)
    if not problems:
        problems = _problems(data, shown)
    if problems:
        raise CourseFileError(problems)
    scale = data["scale"]
    return Sheet(
        id=str(data["id"]), title=str(data["title"]), low=int(scale["min"]),
        high=int(scale["max"]),
        domains=tuple(Domain(str(d["id"]), str(d["label"]),
                             {str(i["id"]): str(i["text"]) for i in d["items"]})
                      for d in data["domains"]),
        bands=tuple(Band(float(b["from"]), str(b["label"]), str(b["meaning"]))
                    for b in data["bands"]),
        scale_low=str(scale["low"]), scale_high=str(scale["high"]))


def _problems(data: Any, shown: str) -> list[Problem]:
    found = []

    def add(path: list, message: str) -> None:
        found.append(Problem(shown, yamlfile.line_of(data, path),
                             yamlfile.field_name(data, path), message))

    scale = data["scale"]
    if scale["min"] >= scale["max"]:
        add(["scale", "max"], "the top of the scale must be above its bottom")
    seen: set[str] = set()
    for d, domain in enumerate(data["domains"]):
        for i, item in enumerate(domain["items"]):
            if item["id"] in seen:
                add(["domains", d, "items", i, "id"], f"statement id '{item['id']}' is used twice")
            seen.add(item["id"])
    starts = [b["from"] for b in data["bands"]]
    if starts != sorted(starts) or len(set(starts)) != len(starts):
        add(["bands"], "bands must be listed from the lowest score up, each starting higher")
    elif starts[0] > scale["min"]:
        add(["bands", 0, "from"], f"the first band must start at the bottom of the scale "
                                  f"({scale['min']}), so every score has a band")
    return found


def names() -> list[str]:
    """The self-assessments shipped with the course."""
    return content_names("selfassessment")


def get(name: str = "organisation") -> Sheet:
    """A shipped self-assessment by name."""
    return load(content_file("selfassessment", name))


def show(name: str = "organisation", team: str | None = None, journal=None):
    """The self-assessment widget for a notebook; as the last line of a cell it shows itself.

    Answers are saved to the trainee's journal as they are given, for each
    view and for ``team`` if one is named, and come back when it is shown again.
    """
    from .selfassess_widget import SelfAssessment
    from .widgetkit import rerun_hint

    widget = SelfAssessment(get(name), team=team, journal=journal)
    rerun_hint("self-assessment")
    return widget


def result(sheet: Sheet, answers: dict[str, Any]) -> Result:
    """Each area's mean and band, and the overall mean (of the areas answered).

    ``answers`` maps statement ids to scores. Answers may come from a journal
    handed in, so any that is not a whole number on the scale, or names no
    statement, is left out and listed in ``ignored`` rather than trusted.
    """
    known = {item for d in sheet.domains for item in d.items}
    ignored = [f"{key!s:.40}: not a statement of this self-assessment"
               for key in answers if key not in known]
    domains = {}
    for domain in sheet.domains:
        scores = []
        for item in domain.items:
            value = answers.get(item)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int) \
                    or not sheet.low <= value <= sheet.high:
                ignored.append(f"{item}: {value!r:.40} is not a score from {sheet.low} to "
                               f"{sheet.high}")
                continue
            scores.append(value)
        mean = round(sum(scores) / len(scores), 2) if scores else None
        domains[domain.id] = DomainScore(mean, len(scores), len(domain.items),
                                         sheet.band(mean) if mean is not None else None)
    means = [s.mean for s in domains.values() if s.mean is not None]
    overall = round(sum(means) / len(means), 2) if means else None
    return Result(domains, overall, sheet.band(overall) if overall is not None else None,
                  ignored)


def gaps(first: Result, second: Result) -> dict[str, float | None]:
    """Per area, how far ``first``'s mean is above ``second``'s (None where either is missing).

    With staff as ``first`` and people with lived experience as ``second``, a
    positive gap means staff see the organisation as more co-productive than
    the people it serves do.
    """
    return {key: (round(score.mean - second.domains[key].mean, 2)
                  if score.mean is not None and key in second.domains
                  and second.domains[key].mean is not None else None)
            for key, score in first.domains.items()}
