"""A trainee's journal as xAPI learning records, for an organisation's Learning Record Store.

Each finished scenario becomes a ``progressed`` statement per decision, the
whole route as one ``answered`` statement with the choices in order (as H5P's
branching scenario reports it) and a ``completed`` statement with the stance
score; each self-check attempt becomes an ``answered`` statement; a module whose
scenario was finished and whose self-check was passed becomes ``completed``.

Statements follow xAPI 1.0.3. Their ids are derived from the journal entry, so
exporting the same journal again gives the same statements and a Learning
Record Store keeps one copy of each. Only what the journal holds is reported:
no durations are made up, and every decision of a route carries the time the
route was finished, which is when the journal recorded it.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

from .journal import Entry

ADL = "http://adlnet.gov/expapi/verbs/"
VERBS = {name: {"id": ADL + name, "display": {"en-GB": name}}
         for name in ("progressed", "answered", "completed")}
INTERACTION = "http://adlnet.gov/expapi/activities/interaction"
ACTIVITY_TYPES = {
    "course": "http://adlnet.gov/expapi/activities/course",
    "module": "http://adlnet.gov/expapi/activities/module",
    "scenario": "http://adlnet.gov/expapi/activities/simulation",
    "decision": INTERACTION,
    "question": "http://adlnet.gov/expapi/activities/cmi.interaction",
}
#: An example address: each organisation should give its own (--base-iri).
DEFAULT_BASE_IRI = "https://coproduction-course.example/xapi"
#: The stance score runs from expert-provider (-2) to partner (+2).
STANCE_MIN, STANCE_MAX = -2.0, 2.0
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")
_MBOX = re.compile(r"^mailto:[^@\s]+@[^@\s]+\.[^@\s]+$")
_ID_PART = re.compile(r"[^A-Za-z0-9._~-]+")


class ActorError(ValueError):
    """The person the records are about was not given in a form xAPI accepts."""


@dataclass(frozen=True)
class Actor:
    """Who the statements are about: an account on a system, or an email address."""

    account: str | None = None
    home_page: str = DEFAULT_BASE_IRI
    mbox: str | None = None
    name: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The actor as an xAPI Agent, checked."""
        if bool(self.account) == bool(self.mbox):
            raise ActorError("Give either an account name (--account) or an email address "
                             "(--mbox) for the person these records are about, not both.")
        agent: dict[str, Any] = {"objectType": "Agent"}
        if self.name:
            agent["name"] = self.name
        if self.mbox:
            mbox = self.mbox if self.mbox.startswith("mailto:") else f"mailto:{self.mbox}"
            if not _MBOX.match(mbox):
                raise ActorError(f"'{self.mbox}' is not an email address.")
            agent["mbox"] = mbox
        else:
            if not _IRI.match(self.home_page):
                raise ActorError(f"'{self.home_page}' is not a web address (IRI) for the "
                                 "system the account belongs to.")
            agent["account"] = {"homePage": self.home_page, "name": self.account}
        return agent


def _part(text: Any) -> str:
    """A journal value made safe as one segment of an activity id."""
    return _ID_PART.sub("-", str(text)).strip("-")[:100] or "unnamed"


class _Builder:
    def __init__(self, actor: Actor, base_iri: str):
        base = base_iri.rstrip("/")
        if not _IRI.match(base):
            raise ActorError(f"'{base_iri}' is not a web address (IRI) to put the course's "
                             "activity ids under.")
        self.base, self.agent = base, actor.as_dict()
        self.course = self.activity("course", base, "Co-production training course")

    def activity(self, kind: str, iri: str, name: str) -> dict[str, Any]:
        definition: dict[str, Any] = {"type": ACTIVITY_TYPES[kind], "name": {"en-GB": name}}
        if kind in ("decision", "question"):
            definition["interactionType"] = "other"
        return {"objectType": "Activity", "id": iri, "definition": definition}

    def statement(self, verb: str, obj: dict, at: str, key: str, *, result: dict | None = None,
                  parent: dict | None = None) -> dict[str, Any]:
        # Derived, not random: the same journal entry always gives the same id.
        who = json.dumps(self.agent, sort_keys=True)
        sid = uuid.uuid5(uuid.NAMESPACE_URL, f"{self.base}|{who}|{key}")
        context: dict[str, Any] = {"contextActivities": {"grouping": [self.course]},
                                   "language": "en-GB",
                                   "platform": "Co-production training toolkit"}
        if parent is not None:
            context["contextActivities"]["parent"] = [parent]
        found = {"id": str(sid), "actor": self.agent, "verb": VERBS[verb], "object": obj,
                 "timestamp": at, "context": context}
        if result is not None:
            found["result"] = result
        return found


def statements(entries: list[Entry], actor: Actor,
               base_iri: str = DEFAULT_BASE_IRI) -> Iterator[dict[str, Any]]:
    """xAPI statements for the journal ``entries`` (oldest first), about ``actor``."""
    make = _Builder(actor, base_iri)
    finished: dict[int, str] = {}  # module number -> when its scenario was first finished
    right: dict[str, dict[str, str]] = {}  # check -> question -> when first answered right
    for entry in entries:
        if entry.kind == "scenario":
            yield from _scenario(make, entry, finished)
        elif entry.kind == "check" and "/" in entry.subject:
            check, question = entry.subject.split("/", 1)
            correct = entry.detail.get("correct") is True
            obj = make.activity("question", f"{make.base}/self-checks/{_part(check)}/"
                                f"{_part(question)}", f"Self-check {check}, question {question}")
            yield make.statement("answered", obj, entry.at, f"check|{entry.id}",
                                 result={"success": correct,
                                         "response": _response(entry.detail.get("answer"))},
                                 parent=make.activity("module", _module_iri(make, check),
                                                      f"Module {check}"))
            if correct:
                right.setdefault(check, {}).setdefault(question, entry.at)
    yield from _modules(make, finished, right)


def _module_iri(make: _Builder, check: str) -> str:
    """A module's activity id from its self-check's id ("01-origins" -> .../modules/01)."""
    return f"{make.base}/modules/{_part(check.split('-', 1)[0].zfill(2))}"


def _scenario(make: _Builder, entry: Entry, finished: dict[int, str]) -> Iterator[dict]:
    detail, sid = entry.detail, _part(entry.subject)
    path = [step for step in detail.get("path") or []
            if isinstance(step, list) and len(step) == 2 and all(isinstance(s, str) for s in step)]
    title, module = _scenario_info(entry.subject)
    scenario = make.activity("scenario", f"{make.base}/scenarios/{sid}", title)
    for n, (node, choice) in enumerate(path, start=1):
        decision = make.activity("decision", f"{make.base}/scenarios/{sid}/decisions/"
                                 f"{_part(node)}", f"{title}: decision {n}")
        yield make.statement("progressed", decision, entry.at, f"scenario|{entry.id}|{n}",
                             result={"response": choice}, parent=scenario)
    yield make.statement("answered", scenario, entry.at, f"scenario|{entry.id}|route",
                         result={"response": "[,]".join(choice for _, choice in path),
                                 "completion": True})
    stance = detail.get("stance")
    result: dict[str, Any] = {"completion": True}
    if isinstance(stance, (int, float)) and not isinstance(stance, bool) \
            and STANCE_MIN <= stance <= STANCE_MAX:
        result["score"] = {"raw": round(float(stance), 3), "min": STANCE_MIN, "max": STANCE_MAX,
                           "scaled": round(float(stance) / STANCE_MAX, 4)}
    if isinstance(detail.get("ending"), str):
        result["extensions"] = {f"{make.base}/extensions/ending": detail["ending"][:200]}
    yield make.statement("completed", scenario, entry.at, f"scenario|{entry.id}|done",
                         result=result)
    if module is not None:
        finished.setdefault(module, entry.at)


@lru_cache(maxsize=None)
def _scenario_info(scenario_id: str) -> tuple[str, int | None]:
    """The shipped scenario's title and module, or plain stand-ins for one not shipped."""
    from . import scenario

    if scenario_id in scenario.names():
        found = scenario.get(scenario_id)
        module = found.module if isinstance(found.module, int) else None
        return found.title, module
    return f"Scenario {scenario_id}", None


def _modules(make: _Builder, finished: dict[int, str],
             right: dict[str, dict[str, str]]) -> Iterator[dict]:
    """A module counts as completed once its scenario is finished and its self-check passed."""
    from . import quiz

    for check in quiz.names():
        number = int(check.split("-", 1)[0]) if check.split("-", 1)[0].isdigit() else None
        if number not in finished:
            continue
        questions = [q.id for q in quiz.get(check).questions]
        got = right.get(check, {})
        if not questions or not all(q in got for q in questions):
            continue
        when = max([finished[number]] + [got[q] for q in questions])
        module = make.activity("module", _module_iri(make, check), f"Module {check}")
        yield make.statement("completed", module, when, f"module|{check}",
                             result={"completion": True, "success": True})


def _response(answer: Any) -> str:
    if isinstance(answer, str):
        return answer[:1000]
    return json.dumps(answer, sort_keys=True)[:1000]


def export(journal_file: str | Path, out: str | Path, actor: Actor,
           base_iri: str = DEFAULT_BASE_IRI) -> int:
    """Write the journal's statements to ``out`` as JSON lines; returns how many.

    Nothing is written when the journal holds nothing to report.
    """
    from .journal import Journal

    entries = Journal(journal_file).entries()
    found = list(statements(entries, actor, base_iri))
    if not found:
        return 0
    Path(out).write_text("".join(json.dumps(s, ensure_ascii=False) + "\n" for s in found),
                         encoding="utf-8")
    return len(found)
