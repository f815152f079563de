"""The CPD forms: what each regulator's record asks, filled in from the journal.

A record is plain data (sections of labelled fields and tables), so one form
can be drawn as a Word document or as a page to print by the same code. A
field's ``todo`` is what only the trainee can write; it is shown as
"[To complete: ...]" so it cannot be mistaken for something already done.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .portfolio import BREAK_MINUTES, FORMATS, Activity, day

TODO = "[To complete: {}]"
CONFIRM = "[To confirm: {}]"
CODE_THEMES = ("Prioritise people", "Practise effectively", "Preserve safety",
               "Promote professionalism and trust")
_PLAN_WORDS = "do differently"
#: The most plays of a scenario listed one by one; the rest are counted.
MAX_PLAYS_SHOWN = 10
_ENDINGS = {"partner": "a partner ending", "expert-provider": "an expert-provider ending",
            "mixed": "an ending between expert-provider and partner"}


@dataclass
class Field:
    """A labelled answer: lines already written (from the journal) and what is left to write."""

    label: str
    lines: list[str] = field(default_factory=list)
    todo: str | None = None
    quotes: list[tuple[str, str]] = field(default_factory=list)  # (question, the trainee's words)


@dataclass
class Table:
    """A table with a header row, such as a CPD log."""

    headers: list[str]
    rows: list[list[str]]


@dataclass
class Section:
    """One heading of the record and what comes under it."""

    heading: str
    items: list[Field | Table] = field(default_factory=list)
    level: int = 2


@dataclass
class Record:
    """A whole CPD record, ready to be drawn."""

    title: str
    intro: list[str]
    sections: list[Section]


def hours_text(activity: Activity) -> str:
    """The hours for the trainee to confirm, with the minutes they came from."""
    minutes = int(activity.minutes)
    return CONFIRM.format(f"{activity.hours:g} hours ({minutes} minutes between saved "
                          "answers in your journal)")


def covered(activity: Activity) -> list[str]:
    """What the module did, in sentences taken from the journal and the module's notebook."""
    lines = [f"Self-directed online learning: {activity.title}, a module of the "
             "co-production training course (reading, interactive exercises and written "
             "reflections)."]
    if activity.outcomes:
        lines.append("The module's learning outcomes (by its end you should be able to):")
        lines += [f"- {outcome}" for outcome in activity.outcomes]
    for play in activity.plays[:MAX_PLAYS_SHOWN]:
        stance = f" ({_ENDINGS.get(play.stance, play.stance)})" if play.stance else ""
        on = f" on {play.on}" if play.on else ""
        lines.append(f"Played the case scenario \"{play.title}\" to the ending "
                     f"\"{play.ending}\"{stance}{on}.")
    if len(activity.plays) > MAX_PLAYS_SHOWN:
        lines.append(f"Played it {len(activity.plays) - MAX_PLAYS_SHOWN} more time(s).")
    for check, (right, total, attempts) in activity.checks.items():
        lines.append(f"Self-check \"{check}\": {right} of {total} question(s) answered right "
                     f"({attempts} attempt(s)).")
    return lines


def _plan(activity: Activity) -> list[tuple[str, str]]:
    """The trainee's answer to the module's "what will you do differently" question, if any."""
    return [(q, a) for q, a in activity.reflections if _PLAN_WORDS in q.lower()]


def _learnt(activity: Activity) -> list[tuple[str, str]]:
    """The other reflections (the plan has a field of its own)."""
    found = [(q, a) for q, a in activity.reflections if _PLAN_WORDS not in q.lower()]
    if activity.left_out:
        found.append(("More reflections", f"{activity.left_out} more reflection(s) of this "
                      "module are in your journal but not in this record."))
    return found


def _about(name: str | None, fmt: str) -> Section:
    who = {"nmc": "NMC Pin", "swe": "Social Work England registration number",
           "hcpc": "HCPC registration number"}.get(fmt)
    items = [Field("Name", [name] if name else [], None if name else "your name")]
    if who:
        items.append(Field(who, [], f"your {who}"))
    return Section("About you", items)


def _nmc(activity: Activity) -> list[Section]:
    log = Table(["Method", "Topic", "Dates", "Number of hours", "Participatory hours"],
                [["Online learning (self-directed)", activity.title, activity.dates,
                  hours_text(activity),
                  TODO.format("hours of this learning you did with other people, if any")]])
    account = [
        Field("What was the nature of the CPD activity?", covered(activity)),
        Field("What did you learn from the CPD activity?", [],
              "what you learnt, in a few sentences, drawing on your reflections above",
              _learnt(activity)),
        Field("How did you change or improve your practice as a result?", [],
              "what you have changed or improved in your practice since, and how you know",
              _plan(activity)),
        Field("How is this relevant to the Code?",
              [f"Themes of the Code: {', '.join(CODE_THEMES)}."],
              "which of these themes this learning relates to, and how"),
    ]
    return [Section(f"CPD log: {activity.title}", [log]),
            Section(f"Reflective account: {activity.title}", account)]


def _swe(activity: Activity) -> list[Section]:
    return [Section(f"CPD record: {activity.title}", [
        Field("Type of CPD", ["Online learning (self-directed)", hours_text(activity)]),
        Field("Short description, and why it is relevant to your practice", covered(activity),
              "why this learning is relevant to your practice"),
        Field("Date", [activity.dates]),
        Field("What did you learn?", [],
              "what you learnt, in a few sentences, drawing on your reflections above",
              _learnt(activity)),
        Field("What positive impact has it had on your practice and the people you work with?",
              [], "the difference it has made to your practice and to the people you work "
              "with", _plan(activity)),
        Field("Peer reflection (optional)", [],
              "if you discussed this learning with a peer: who (their role), and what you "
              "took from the conversation"),
    ])]


def _hcpc(activity: Activity) -> list[Section]:
    return [Section(f"Activity: {activity.title}", [
        Field("Date", [activity.dates]),
        Field("Time", [hours_text(activity)]),
        Field("What was the activity?", covered(activity)),
        Field("What did you learn?", [],
              "what you learnt, drawing on your reflections above", _learnt(activity)),
        Field("How has it improved your practice?", [],
              "how this learning has improved your practice", _plan(activity)),
        Field("How has it benefited service users?", [],
              "how the people who use your service have benefited"),
    ])]


def _generic(activity: Activity) -> list[Section]:
    return [Section(f"Learning activity: {activity.title}", [
        Field("Dates", [activity.dates]),
        Field("Time spent", [hours_text(activity)]),
        Field("What the activity covered", covered(activity)),
        Field("What I learnt, in my own words", [],
              "a short summary of what you learnt", _learnt(activity)),
        Field("What I will do, or have done, differently", [],
              "what has changed in your work since, and the difference it made",
              _plan(activity)),
        Field("How it relates to my role and my organisation's standards", [],
              "the part of your role, or your organisation's standards or code, it relates to"),
    ])]


_FORMS = {"nmc": _nmc, "swe": _swe, "hcpc": _hcpc, "generic": _generic}


def build(fmt: str, activities: list[Activity], name: str | None,
          today: date | None = None) -> Record:
    """The record for form ``fmt`` (a key of FORMATS) from the journal's activities."""
    today = today or date.today()
    intro = [
        f"Made from your course journal on {day(today)}. Everything marked [To complete: ...] "
        "or [To confirm: ...] is for you to write or check before you use this record; the "
        "rest comes from your journal, and your reflections are quoted in your own words.",
        f"How the hours were worked out: the time between one saved answer in your journal "
        f"and the next, counted only when the gap was {BREAK_MINUTES} minutes or less (a "
        "longer gap counts as a break), rounded down to a quarter of an hour. Reading before "
        "your first answer is not counted, so you may have spent longer.",
        "This file was made on your computer and nothing has been sent anywhere.",
    ]
    sections = [_about(name, fmt)]
    if fmt == "hcpc":
        sections.append(Section("Activity list", [Table(
            ["Dates", "Activity", "Hours"],
            [[a.dates, a.title, hours_text(a)] for a in activities])]))
    for activity in activities:
        sections.extend(_FORMS[fmt](activity))
    return Record(f"{FORMATS[fmt]} record: co-production training", intro, sections)
