"""Self-check widgets: instant feedback per option, attempts saved to the journal."""

from __future__ import annotations

import html
import re

import ipywidgets as w

from ..widgetkit import (
    NOT_YET_BUTTON,
    WIDGET_CLASS,
    RIGHT_BUTTON,
    JournalWriter,
    close_tree,
    para,
    status,
    wide,
    wrap,
    wrap_style,
)
from .model import Check, ChoiceQuestion, SortQuestion

_CHOOSE = "Choose…"
_LEADS = {True: "Right.", False: "Not quite."}


def _prompt(number: int, text: str) -> w.HTML:
    """The question's number and its prompt, on one line."""
    return w.HTML(para(text, lead=f"<b>{number}.</b> "))


def with_lead(correct: bool, feedback: str) -> str:
    """Feedback that starts with "Right." or "Not quite.", added only if it is not there."""
    lead = _LEADS[correct]
    if re.match(rf"\s*{re.escape(lead[:-1])}\b", feedback, re.IGNORECASE):
        return feedback
    return f"{lead} {feedback}"


class ChoiceView(w.VBox):
    """One multiple-choice question: a button per option, feedback on click."""

    def __init__(self, check_id: str, question: ChoiceQuestion, number: int, writer: JournalWriter):
        self.question, self._check_id, self._writer = question, check_id, writer
        self.prompt = _prompt(number, question.prompt)
        self.buttons = [
            wrap(w.Button(description=text, tooltip=f"Answer: {text}", layout=wide()))
            for text in question.options
        ]
        for button, text in zip(self.buttons, question.options):
            button.on_click(lambda _b, text=text: self.answer(text))
        self.feedback = w.HTML(status(""))
        super().__init__([self.prompt, *self.buttons, self.feedback])

    def answer(self, option: str):
        """Choose ``option`` as if its button were clicked; return the mark."""
        mark = self.question.mark(option)
        # Colours of our own: ipywidgets' success and warning styles are too
        # pale behind white text. The icon and the feedback say it in words too.
        text_colour, background = RIGHT_BUTTON if mark.correct else NOT_YET_BUTTON
        for button, text in zip(self.buttons, self.question.options):
            chosen = text == option
            button.style.text_color = text_colour if chosen else None
            button.style.button_color = background if chosen else None
            button.icon = ("check" if mark.correct else "times") if chosen else ""
        saved = self._writer.write("record_check", self._check_id, self.question.id,
                                   option, mark.correct)
        self.feedback.value = status(with_lead(mark.correct, mark.feedback)
                                     + (f"\n\n{saved}" if saved else ""), mark.correct)
        return mark


class SortView(w.VBox):
    """One sorting question: a drop-down per item, marked together."""

    def __init__(self, check_id: str, question: SortQuestion, number: int, writer: JournalWriter):
        self.question, self._check_id, self._writer = question, check_id, writer
        self.prompt = _prompt(number, question.prompt)
        options = [(_CHOOSE, "")] + [(c, c) for c in question.categories]
        self.dropdowns = {
            item.text: wrap(w.Dropdown(options=options, value="", description=item.text,
                                       style={"description_width": "initial"}, layout=wide()))
            for item in question.items
        }
        self.notes = {item.text: w.HTML() for item in question.items}
        self.check_button = wrap(w.Button(description="Check my sorting", icon="check",
                                          tooltip="Mark every item you have placed"))
        self.check_button.on_click(lambda _b: self.check())
        self.feedback = w.HTML(status(""))
        rows = [w.VBox([self.dropdowns[t], self.notes[t]]) for t in self.dropdowns]
        super().__init__([self.prompt, *rows, self.check_button, self.feedback])

    def place(self, item: str, category: str) -> None:
        """Put ``item`` in ``category``, as choosing it from the drop-down does."""
        self.dropdowns[item].value = category

    def check(self) -> dict:
        """Mark the items placed so far; return ``{item: Mark}``."""
        placed = {t: d.value for t, d in self.dropdowns.items() if d.value}
        marks = self.question.mark(placed)
        for text, note in self.notes.items():
            mark = marks.get(text)
            note.value = "" if mark is None else status(mark.feedback, mark.correct)
        right = sum(m.correct for m in marks.values())
        total = len(self.question.items)
        saved = self._writer.write("record_check", self._check_id, self.question.id,
                                   placed, right == total)
        if len(placed) < total:
            summary = f"{right} of {len(placed)} placed items are right; {total - len(placed)} still to place."
        elif right == total:
            summary = f"All {total} are in the right place."
        else:
            summary = f"{right} of {total} are right. Move the others and check again."
        self.feedback.value = status(summary + (f"\n\n{saved}" if saved else ""),
                                     right == total if len(placed) == total else None)
        return marks


class CheckView(w.VBox):
    """A whole self-check, question after question."""

    def __init__(self, check: Check, journal=None):
        self.check = check
        writer = JournalWriter(journal)
        views = {"choice": ChoiceView, "sort": SortView}
        self.questions = [views[q.kind](check.id, q, n, writer)
                          for n, q in enumerate(check.questions, start=1)]
        title = w.HTML(f"<h3>{html.escape(check.title)}</h3>")
        self.style_sheet = wrap_style()
        super().__init__([self.style_sheet, title, *self.questions],
                         layout=w.Layout(max_width="50em"))
        self.add_class(WIDGET_CLASS)

    def close(self) -> None:
        """Close the self-check and every widget inside it."""
        close_tree(self)

    def question(self, question_id: str):
        """The view of one question, by its id."""
        return next(v for v in self.questions if v.question.id == question_id)
