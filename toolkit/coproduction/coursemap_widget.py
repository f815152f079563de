"""The course map as a widget: the trainee's progress, their reflections, and their CPD record.

The view only draws what ``coursemap`` works out and forwards clicks to the
library (``reflect.edit``, ``portfolio.write``), so every part of it can be
tested through its state.
"""

from __future__ import annotations

import html

import ipywidgets as w

from . import coursemap
from .widgetkit import WIDGET_CLASS, para, wrap_style


def _tick(done: bool) -> str:
    return "yes" if done else "not yet"


def progress_table(report: list[coursemap.Progress]) -> str:
    """The progress as an HTML table, every state in words."""
    rows = []
    for p in report:
        m = p.module
        check = (f"{p.right} of {m.questions} right" + (" (passed)" if p.check_passed else "")
                 if m.check else "none")
        rows.append(
            f"<tr><th scope='row'>{html.escape(m.title)}</th><td>{m.minutes} min or more</td>"
            f"<td>{p.status()}</td><td>{_tick(p.scenario_finished) if m.scenario else 'none'}</td>"
            f"<td>{check}</td><td>{p.reflections} of {len(m.reflections)}</td></tr>")
    return ("<table><caption>Your progress, from your journal</caption><thead><tr>"
            "<th scope='col'>Module</th><th scope='col'>Time</th><th scope='col'>Where you are</th>"
            "<th scope='col'>Scenario finished</th><th scope='col'>Self-check</th>"
            "<th scope='col'>Reflections written</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>")


def next_step(report: list[coursemap.Progress]) -> str:
    """One sentence on where to go next."""
    nxt = coursemap.next_module(report)
    if nxt is None:
        return "You have finished every module. Well done: your CPD record is below."
    verb = "Carry on with" if nxt.started else "Start"
    return f"{verb} {nxt.module.title}: open {nxt.module.notebook}."


class CourseMap(w.VBox):
    """Progress, reflections (shown and edited) and the CPD record button."""

    def __init__(self, journal=None, folder=None):
        from .journal import Journal

        self.journal = journal or Journal()
        self.folder = folder
        self.table = w.HTML()
        self.next = w.HTML()
        self.pick = w.Dropdown(description="Reflection to edit", style={"description_width": "initial"})
        self.text = w.Textarea(description="Your answer", layout=w.Layout(width="100%", height="8em"))
        self.save = w.Button(description="Save this reflection", tooltip="Save this reflection")
        self.saved = w.HTML()
        from .portfolio import FORMATS

        self.form = w.Dropdown(options=[(label, key) for key, label in FORMATS.items()],
                               description="Record for", style={"description_width": "initial"})
        self.make = w.Button(description="Make my CPD record", tooltip="Make my CPD record")
        self.made = w.HTML()
        self.pick.observe(lambda _: self._show_reflection(), names="value")
        self.save.on_click(lambda _: self.save_reflection())
        self.make.on_click(lambda _: self.make_record())
        super().__init__([wrap_style(), self.next, self.table,
                          w.HTML("<h3>Your reflections</h3>"), self.pick, self.text, self.save,
                          self.saved, w.HTML("<h3>Your CPD record</h3>"), self.form, self.make,
                          self.made])
        self.add_class(WIDGET_CLASS)
        self.refresh()

    def refresh(self) -> None:
        """Read the journal again and redraw."""
        report = coursemap.progress(self.journal, self.folder)
        self.table.value = progress_table(report)
        self.next.value = para(next_step(report))
        answers = {e.subject: e.detail for e in self.journal.entries("reflection")}
        self.pick.options = [(f"{k}: {str(d.get('question') or '')[:70]}", k)
                             for k, d in sorted(answers.items())]
        self._show_reflection()

    def _show_reflection(self) -> None:
        found = [e for e in self.journal.entries("reflection") if e.subject == self.pick.value]
        self.text.value = str(found[-1].detail.get("text", "")) if found else ""
        self.text.disabled = self.save.disabled = not found

    def save_reflection(self) -> None:
        """Save the edited text of the chosen reflection."""
        from . import reflect

        try:
            reflect.edit(self.pick.value, self.text.value, journal=self.journal)
        except (reflect.NoSuchReflection, TypeError) as err:
            self.saved.value = para(str(err))
            return
        self.saved.value = para(f"Saved. The box in the module shows the new text the next "
                                f"time its cell runs.")
        self.refresh()

    def make_record(self):
        """Write the CPD record in the chosen form beside the journal; say where."""
        from .portfolio import PortfolioError, write

        try:
            path = write(self.form.value, journal_path=self.journal.path)
        except PortfolioError as err:
            self.made.value = para(str(err))
            return None
        self.made.value = para(f"Written to {path.name}, in the same folder as this notebook. "
                               "Check the hours and fill in every part marked [To complete: ...]. "
                               "Nothing was sent anywhere.")
        return path


def show(journal=None, folder=None) -> CourseMap:
    """The course map for a notebook; as the last line of a cell it shows itself."""
    return CourseMap(journal, folder)
