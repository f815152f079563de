"""A trainee's journal read back in words: the table ``journal.history()`` shows.

Journals can come from elsewhere (an older course version, another
trainee's copy handed to a trainer), so every detail field is checked for
its type here and a wrong or missing one gives a plain fallback. Text the
course does not write itself (ids, times) is cut at ``MAX_FIELD`` characters
and a route shows at most ``MAX_STEPS_SHOWN`` steps, so a crafted journal
cannot make the table (and every row padded to its widest cell) enormous.
"""

from __future__ import annotations

import functools
from datetime import datetime, timezone
from typing import Any

from .journal import Entry

_SHOWN = ["when", "what", "title", "result"]
_NOTHING = "(nothing recorded yet)"
_WHAT = {"scenario": "scenario", "check": "self-check question", "reflection": "reflection",
         "selfassessment": "self-assessment"}
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun",
           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
#: The most characters shown of an id, a time or a kind (the course's are short).
MAX_FIELD = 2_000
#: The most steps of one route shown.
MAX_STEPS_SHOWN = 100


@functools.cache
def _table_class():
    import pandas as pd

    class JournalTable(pd.DataFrame):
        """A DataFrame that shows its words in full: wrapped in a notebook, uncut as text."""

        @property
        def _constructor(self):
            return JournalTable

        def _shown(self) -> list[str]:
            return [c for c in _SHOWN if c in self.columns] or list(self.columns)

        def _repr_html_(self) -> str:
            if not len(self):
                return f"<p>{_NOTHING}</p>"
            frame = pd.DataFrame(self[self._shown()])
            # Escaped: reflections and journals from elsewhere are text, never markup.
            styler = (frame.style.format(escape="html").hide(axis="index")
                      .set_properties(**{"text-align": "left", "vertical-align": "top",
                                         "white-space": "normal"})
                      .set_table_styles([{"selector": "th",
                                          "props": [("text-align", "left")]}]))
            if "when" in frame.columns:
                styler = styler.set_properties(subset=["when"], **{"white-space": "nowrap"})
            if "result" in frame.columns:
                styler = styler.set_properties(subset=["result"], **{"min-width": "24em"})
            return styler.to_html()

        def __repr__(self) -> str:
            if not len(self):
                return _NOTHING
            return self.to_string(index=False, columns=self._shown())

    return JournalTable


def history_table(entries: list[Entry]):
    """Journal entries as a table a trainee reads at a glance (see ``Journal.history``)."""
    names = _Names()
    rows = [_row(e, names) for e in entries]
    return _table_class()(rows, columns=_SHOWN + ["subject"], dtype=object)


def _row(entry: Entry, names: _Names) -> dict[str, str]:
    d = entry.detail if isinstance(entry.detail, dict) else {}
    kind, subject = _cut(entry.kind), _cut(entry.subject)
    row = {"when": _when(entry.at), "what": _WHAT.get(kind, kind), "subject": subject}
    if kind == "scenario":
        found = names.scenario(subject)
        row["title"] = found.title if found is not None else subject
        row["result"] = _scenario_result(d, found)
    elif kind == "check":
        check_id, _, question_id = subject.partition("/")
        number, question = names.question(check_id, question_id)
        row["title"] = (f"{number}. {_shorten(question.prompt, 90)}" if question is not None
                        else subject)
        row["result"] = _check_result(d, question)
    elif kind == "reflection":
        asked = d.get("question")
        row["title"] = _shorten(asked, 90) if isinstance(asked, str) and asked.strip() else subject
        text = d.get("text")
        text = " ".join(text.split()) if isinstance(text, str) else ""
        row["result"] = _shorten(text, 100, at_clause=False) if text else "(nothing written yet)"
    elif kind == "selfassessment":
        row["title"] = subject
        answers = d.get("answers")
        count = len(answers) if isinstance(answers, dict) else 0
        row["result"] = f"{count} statement(s) rated"
    else:
        row["title"], row["result"] = subject, "(an entry this course version does not know)"
    return row


class _Names:
    """Titles of shipped scenarios and self-checks, each file read at most once."""

    def __init__(self):
        self._scenarios: dict = {}
        self._checks: dict = {}

    def scenario(self, name: str):
        if name not in self._scenarios:
            from . import scenario

            # Only shipped names: a journal from elsewhere never makes us open a path.
            self._scenarios[name] = _quietly(scenario.get, name) if name in scenario.names() else None
        return self._scenarios[name]

    def question(self, check_id: str, question_id: str):
        if check_id not in self._checks:
            from . import quiz

            self._checks[check_id] = _quietly(quiz.get, check_id) if check_id in quiz.names() else None
        check = self._checks[check_id]
        for number, question in enumerate(check.questions if check else (), start=1):
            if question.id == question_id:
                return number, question
        return 0, None


def _quietly(get, name: str):
    from .problems import CourseFileError

    try:
        return get(name)
    except (CourseFileError, OSError, LookupError, ValueError):
        return None  # a broken content file must not stop the trainee seeing their journal


def _when(at: Any) -> str:
    """An ISO time in UTC as the trainee's local time, e.g. "Tue 1 Dec, 14:05"."""
    try:
        moment = datetime.fromisoformat(str(at))
    except ValueError:
        return _cut(at) or "(time not recorded)"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)  # the journal writes UTC
    local = moment.astimezone()
    year = "" if local.year == datetime.now().astimezone().year else f" {local.year}"
    return (f"{_DAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]}{year}, "
            f"{local:%H:%M}")


def _cut(value: Any) -> str:
    """``value`` as text of at most MAX_FIELD characters (cut ones end in "...")."""
    text = str(value)
    return text if len(text) <= MAX_FIELD else text[:MAX_FIELD - 3] + "..."


def _shorten(text: Any, limit: int, *, at_clause: bool = True) -> str:
    """``text`` on one line, cut at a word (or, if ``at_clause``, a comma or colon) near ``limit``."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    if at_clause:
        cuts = [text.find(mark) for mark in (", ", ": ", "; ")]
        clause = min((c for c in cuts if 15 <= c <= limit), default=-1)
        if clause > 0 and _closed(text[:clause]):
            return text[:clause] + "..."
    cut = text.rfind(" ", 0, limit - 2)
    kept = text[: cut if cut > limit // 2 else limit - 3]
    if not _closed(kept) and kept.rfind(" (") > limit // 3:
        kept = kept[: kept.rfind(" (")]  # never leave a bracket open
    return kept.rstrip(",;: ") + "..."


def _closed(text: str) -> bool:
    return text.count("(") <= text.count(")")


def _words(identifier: Any) -> str:
    return " ".join(str(identifier).replace("-", " ").replace("_", " ").split())


def _scenario_result(d: dict, found) -> str:
    ending = d.get("ending")
    head = f"{' '.join(ending.split())} ending" if isinstance(ending, str) and ending.strip() else "finished"
    path = d.get("path")
    if not isinstance(path, list):
        return head
    steps = [_choice_label(step, found) for step in path[:MAX_STEPS_SHOWN]]
    count = f"{len(path)} decision" + ("" if len(path) == 1 else "s")
    route = "; ".join(f"{i}. {label}" for i, label in enumerate(steps, start=1))
    if len(path) > MAX_STEPS_SHOWN:
        route += f"; and {len(path) - MAX_STEPS_SHOWN} more"
    return f"{head} after {count}: {route}" if steps else head


def _choice_label(step: Any, found) -> str:
    """One step of a route (``[node id, choice id]``) as the words of the choice made."""
    if not (isinstance(step, (list, tuple)) and len(step) == 2):
        return "(a step not recorded clearly)"
    node_id, choice_id = (_cut(part) for part in step)
    node = found.nodes.get(node_id) if found is not None else None
    for choice in (node.choices if node is not None else ()):
        if choice.id == choice_id:
            return _shorten(choice.label, 60)
    return _shorten(_words(choice_id), 60) or "(a step not recorded clearly)"


def _check_result(d: dict, question) -> str:
    answer, correct = d.get("answer"), d.get("correct")
    verdict = "right" if correct is True else "not yet" if correct is False else "not marked"
    if isinstance(answer, dict):
        return _sorting_result(answer, question, verdict)
    if isinstance(answer, str) and answer.strip():
        return f"{_shorten(answer, 80)}: {verdict}"
    return f"(answer not recorded): {verdict}"


def _sorting_result(placed: dict, question, verdict: str) -> str:
    """A sorting answer (``{item: category}``) as a count, never as the raw dictionary."""
    placed = {str(k): v for k, v in placed.items() if isinstance(v, str) and v}
    items = getattr(question, "items", None)
    if items is None or not hasattr(question, "mark_item"):  # the question is not known here
        if verdict == "right":
            return f"all {len(placed)} sorted right"
        return f"{len(placed)} sorted, " + ("not all right yet" if verdict == "not yet"
                                            else "not marked")
    known = {i.text for i in items}
    right = sum(1 for item, category in placed.items()
                if item in known and question.mark_item(item, category).correct)
    result = f"{right} of {len(items)} sorted right"
    missing = len(known - placed.keys())
    return result + (f" ({missing} not placed yet)" if missing else "")


