"""The journal read as CPD activities: one per module, with its dates, time and reflections.

How the time is worked out (never more than the journal shows): every entry
in the journal has the time it was saved. All entries are put in time order,
and each gap between one entry and the next counts towards the module of the
later entry, but only when the gap is at most ``BREAK_MINUTES``; a longer gap
is taken as a break and counts nothing. The time before a module's first
entry (reading before the first answer) is not seen, so the true time is
usually longer: the trainee is asked to confirm or correct it.

The journal is the trainee's own but may hold anything, so every piece of text
is cleaned (``clean``) and the amounts are capped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

from .journal import Entry

#: A gap between two journal entries longer than this is a break and counts nothing.
BREAK_MINUTES = 30
#: The most characters of one reflection put in the record (a crafted journal could hold more).
MAX_TEXT = 10_000
#: The most reflections of one module put in the record (each module asks five).
MAX_REFLECTIONS = 20
#: The most modules put in one record (the course has six).
MAX_MODULES = 20
# Characters Word's XML cannot hold (python-docx refuses them), and other controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_PROMPT_MODULE = re.compile(r"^m(\d{1,2})-")


def clean(text: object, limit: int = MAX_TEXT) -> str:
    """Journal text made safe for a document: control characters dropped, length capped."""
    text = _CONTROL.sub("", str(text))
    if len(text) > limit:
        text = text[:limit] + " ... (cut here: the full text is in your journal)"
    return text


@dataclass
class Play:
    """One finished play of a case scenario."""

    title: str
    ending: str
    stance: str
    on: str


@dataclass
class Activity:
    """One module as a CPD activity, from the journal."""

    module: int
    title: str
    outcomes: list[str] = field(default_factory=list)
    times: list[datetime] = field(default_factory=list)
    minutes: float = 0.0
    plays: list[Play] = field(default_factory=list)
    # self-check title -> questions answered right, questions it has, attempts
    checks: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    reflections: list[tuple[str, str]] = field(default_factory=list)  # question, answer
    left_out: int = 0  # reflections beyond MAX_REFLECTIONS, not put in the record

    @property
    def dates(self) -> str:
        """The day, or first and last day, of the module's journal entries."""
        days = sorted({t.date() for t in self.times})
        if not days:
            return ""
        first, last = day(days[0]), day(days[-1])
        return first if first == last else f"{first} to {last}"

    @property
    def hours(self) -> float:
        """The time rounded down to a quarter of an hour, so it is never more than recorded."""
        return int(self.minutes // 15) / 4


def day(when) -> str:
    """A date as people write it: 2 December 2026."""
    return f"{when.day} {when:%B %Y}"


def _when(entry: Entry) -> datetime | None:
    try:
        at = datetime.fromisoformat(str(entry.at)[:40])
    except ValueError:
        return None
    return at if at.tzinfo else at.replace(tzinfo=timezone.utc)


def _module_of(entry: Entry) -> int | None:
    """Which module an entry belongs to, or None when the journal does not say."""
    if entry.kind == "reflection":
        module = entry.detail.get("module")
        if isinstance(module, int) and not isinstance(module, bool):
            return module if 1 <= module <= 99 else None
        found = _PROMPT_MODULE.match(entry.subject)
        return int(found.group(1)) if found else None
    if entry.kind == "check":
        head = entry.subject.split("-", 1)[0]
        return int(head) if head.isdigit() and 1 <= int(head) <= 99 else None
    if entry.kind in ("scenario", "progress"):
        return _scenario_module(entry.subject)
    return None


@lru_cache(maxsize=None)
def _shipped(scenario_id: str):
    """The course's scenario of that id (loaded once: they are large), or None."""
    from . import scenario

    return scenario.get(scenario_id) if scenario_id in scenario.names() else None


def _scenario_module(scenario_id: str) -> int | None:
    found = _shipped(scenario_id)
    if found is None:
        return None  # not a scenario of this course: nothing to say about it
    return found.module if isinstance(found.module, int) else None


def _play(entry: Entry, on: datetime | None) -> Play:
    found = _shipped(entry.subject)
    node = found.nodes.get(str(entry.detail.get("ending_node", "")))
    ending = node.title if node is not None and node.title else "an ending"
    kind = entry.detail.get("ending")
    stance = clean(kind, 40) if isinstance(kind, str) else ""
    return Play(found.title, ending, stance, day(on) if on else "")


def _checks(entries: list[Entry]) -> dict[str, tuple[int, int, int]]:
    """Per self-check: questions answered right at least once, how many it has, attempts."""
    from . import quiz

    right: dict[str, set[str]] = {}
    tried: dict[str, int] = {}
    for entry in entries:
        check, _, question = entry.subject.partition("/")
        tried[check] = tried.get(check, 0) + 1
        if entry.detail.get("correct") is True:
            right.setdefault(check, set()).add(question)
    found = {}
    for check, attempts in tried.items():
        title, questions = clean(check, 100), right.get(check, set())
        if check in quiz.names():  # the course's own: its title and all its questions
            shipped = quiz.get(check)
            title, questions = shipped.title, {q.id for q in shipped.questions}
        found[title] = (len(right.get(check, set()) & questions), len(questions), attempts)
    return found


def activities(entries: list[Entry], modules_dirs: list[Path] | None = None) -> list[Activity]:
    """The modules worked on, in order, each as one activity (see the module's note on time)."""
    from .portfolio_outcomes import module_info

    by_module: dict[int, list[tuple[Entry, datetime | None]]] = {}
    timed: list[tuple[datetime, int]] = []
    for entry in entries:
        module = _module_of(entry)
        if module is None:
            continue
        at = _when(entry)
        by_module.setdefault(module, []).append((entry, at))
        if at is not None:
            timed.append((at, module))
    minutes: dict[int, float] = {}
    timed.sort()
    for (before, _), (after, module) in zip(timed, timed[1:]):
        gap = (after - before).total_seconds() / 60
        if gap <= BREAK_MINUTES:
            minutes[module] = minutes.get(module, 0.0) + gap
    found = []
    for module in sorted(by_module):
        rows = by_module[module]
        title, outcomes = module_info(module, modules_dirs)
        activity = Activity(module, title, outcomes, sorted(a for _, a in rows if a),
                            minutes.get(module, 0.0))
        activity.plays = [_play(e, a) for e, a in rows if e.kind == "scenario"]
        activity.checks = _checks([e for e, _ in rows if e.kind == "check"])
        written = sorted((e for e, _ in rows if e.kind == "reflection"
                          and str(e.detail.get("text", "")).strip()),
                         key=lambda e: _in_order(e.subject))
        activity.reflections = [
            (clean(e.detail.get("question") or f"Reflection {e.subject}", 2_000),
             clean(e.detail.get("text", ""))) for e in written[:MAX_REFLECTIONS]]
        activity.left_out = max(0, len(written) - MAX_REFLECTIONS)
        found.append(activity)
    return found[:MAX_MODULES]


def _in_order(prompt_id: str) -> list:
    """A prompt id as a sort key that puts m1-r2 before m1-r10."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part)
            for part in re.split(r"(\d+)", prompt_id[:200])]
