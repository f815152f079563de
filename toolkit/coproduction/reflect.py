"""Reflection prompts whose answers are kept in the trainee's journal as they type.

>>> from coproduction import reflect
>>> reflect.prompt("m1-r1", "Think of a time you acted as the expert-provider...", module=1)

The answer box is an ordinary text area, so typing in it never runs a
notebook command. What is typed is saved to the journal a moment after the
trainee stops typing (and when the notebook's kernel shuts down), and shown
again when the cell is run later: after a kernel restart, the next day, or
in a second notebook open at the same time.
"""

from __future__ import annotations

import atexit
import threading
import weakref

import ipywidgets as w

from .widgetkit import WIDGET_CLASS, JournalWriter, close_tree, para, status, wrap_style

#: Seconds of quiet after the last keystroke before the answer is saved.
SAVE_AFTER = 1.0

_OPEN: "weakref.WeakSet[Reflection]" = weakref.WeakSet()


class Reflection(w.VBox):
    """One prompt with its answer box and a line saying whether the answer is saved."""

    def __init__(self, prompt_id: str, question: str, *, module: int | None = None,
                 label: str = "Your answer", journal=None, save_after: float = SAVE_AFTER):
        self.prompt_id, self.question, self.module = prompt_id, question, module
        self._writer = JournalWriter(journal)
        self._save_after = save_after
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()
        self.prompt = w.HTML(para(question))
        saved, message = self._saved_text()
        self.answer = w.Textarea(
            value=saved or "",
            description=label,
            placeholder="Type your answer here. It is saved to your journal as you type.",
            continuous_update=True,
            rows=8,
            style={"description_width": "initial"},
            layout=w.Layout(width="100%", max_width="46em", flex_flow="column"),
        )
        self._saved = saved or ""
        restored = "Your earlier answer has been brought back from your journal." if saved else ""
        self.status = w.HTML(status("\n\n".join(m for m in (message, restored) if m)))
        self.answer.observe(self._typed, names="value")
        # The course's style sheet: the focus ring, in a notebook that has only reflections.
        self.style_sheet = wrap_style()
        super().__init__([self.style_sheet, self.prompt, self.answer, self.status],
                         layout=w.Layout(max_width="48em"))
        self.add_class(WIDGET_CLASS)
        _OPEN.add(self)

    def _saved_text(self) -> tuple[str | None, str]:
        """The answer kept in the journal (None if none) and any message about the journal."""
        found: list[str | None] = [None]

        def read(journal) -> None:
            found[0] = journal.reflection(self.prompt_id)

        message = self._writer.call(read, doing="read from")
        return found[0], message

    def _typed(self, change) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            self._timer = threading.Timer(self._save_after, self.save)
            self._timer.daemon = True
            self._timer.start()
        self.status.value = status("Not saved yet: keep typing, it saves when you pause.")

    def save(self) -> bool:
        """Save the answer now if it changed since the last save; True if it was saved."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            text = self.answer.value
            if text == self._saved:
                return False
            message = self._writer.write("save_reflection", self.prompt_id, text,
                                         question=self.question, module=self.module)
            if self._writer.problem is None:
                self._saved = text
        self.status.value = status(message or "Saved to your journal.")
        return self._writer.problem is None

    def close(self) -> None:
        """Save anything not yet saved, then close the widget and everything in it."""
        self.save()
        _OPEN.discard(self)
        close_tree(self)


@atexit.register
def _save_all() -> None:
    """When the kernel shuts down, keep what was typed in the last second."""
    for reflection in list(_OPEN):
        try:
            reflection.save()
        except Exception:  # noqa: BLE001 - never let one box stop the others at exit
            pass


def prompt(prompt_id: str, question: str, *, module: int | None = None,
           label: str = "Your answer", journal=None) -> Reflection:
    """A reflection prompt for a notebook; as the last line of a cell it shows itself.

    ``prompt_id`` names the answer in the journal (e.g. ``"m1-r1"``): keep it
    the same when rewording a question, so trainees keep their answers.
    """
    return Reflection(prompt_id, question, module=module, label=label, journal=journal)


def answers(journal=None) -> dict[str, str]:
    """Every saved reflection in the journal, by prompt id."""
    from .journal import Journal

    journal = journal or Journal()
    return {e.subject: str(e.detail.get("text", "")) for e in journal.entries("reflection")}


def listing(journal=None):
    """Every saved reflection as a table: module, question, answer and when it was last saved.

    >>> reflect.listing()          # in a notebook: shows the table   # doctest: +SKIP
    """
    import pandas as pd

    from .journal import Journal

    journal = journal or Journal()
    rows = [{"module": _module_of(e.detail), "prompt": e.subject,
             "question": str(e.detail.get("question") or ""),
             "answer": str(e.detail.get("text", "")), "saved": e.at}
            for e in journal.entries("reflection")]
    table = pd.DataFrame(rows, columns=["module", "prompt", "question", "answer", "saved"])
    return table.sort_values(["module", "prompt"], na_position="last").reset_index(drop=True)


class NoSuchReflection(KeyError):
    """No reflection of that name is saved in the journal."""

    def __str__(self) -> str:  # KeyError would show the message in quotes
        return str(self.args[0])


def edit(prompt_id: str, text: str, journal=None) -> None:
    """Replace the saved answer to one reflection, keeping its question and module.

    The box in the module's notebook shows the new text the next time its cell runs.
    """
    from .journal import Journal

    journal = journal or Journal()
    saved = journal.entries("reflection")
    found = [e for e in saved if e.subject == prompt_id]
    if not found:
        known = ", ".join(sorted({e.subject for e in saved})) or "none yet"
        raise NoSuchReflection(f"There is no saved reflection called '{prompt_id}' in your journal "
                       f"(saved ones: {known}). reflect.listing() shows them all.")
    if not isinstance(text, str):
        raise TypeError("A reflection's answer must be text, in quotes.")
    last = found[-1].detail
    journal.save_reflection(prompt_id, text, question=str(last.get("question") or ""),
                            module=_module_of(last))


def _module_of(detail: dict):
    """The module number saved with a reflection, or None for anything else in that field."""
    module = detail.get("module")
    return module if isinstance(module, int) and not isinstance(module, bool) else None
