"""The organisation self-assessment as a notebook widget: rate, see bands, compare two views.

A team rates each statement from 1 to 5, once as staff and once (when people
with lived experience take part) as their view, chosen with "Whose view". Each
answer is saved to the journal as it is given and brought back when the widget
is shown again. The scores, bands and gaps come from ``coproduction.selfassess``;
this module only draws them. Every control has a visible label that is also its
accessible name, and the chart of the gap has its numbers written on the bars,
patterns as well as colours, and a table that says the same in text.
"""

from __future__ import annotations

import base64
import html
import io

import ipywidgets as w

from . import selfassess
from .widgetkit import WIDGET_CLASS, JournalWriter, close_tree, para, status, wrap, wrap_style

#: The two views, as (what the toggle shows, the name saved in the journal).
VIEWS = (("Staff", "staff"), ("People with lived experience", "lived experience"))
#: Statements each view must have rated in every area before the gap is shown:
#: a mean of one or two answers is too thin to compare.
GAP_NEEDS = 3
#: The most problems with saved answers listed by name (the rest are counted).
_LISTED = 5
NOT_ANSWERED = 0


def subject_of(sheet_id: str, view: str, team: str | None = None) -> str:
    """The journal subject that one view's answers are filed under."""
    return "/".join(part for part in (sheet_id, team, view) if part)


def gap_chart(sheet, first, second, names=(VIEWS[0][0], VIEWS[1][0])):
    """A bar chart (matplotlib Figure) of two views' means per area, values written on the bars.

    The two views are told apart by pattern and by the legend as well as by
    colour, and each area's gap is written above its pair of bars.
    """
    from matplotlib.figure import Figure

    labels = [d.label for d in sheet.domains]
    firsts = [first.domains[d.id].mean or 0 for d in sheet.domains]
    seconds = [second.domains[d.id].mean or 0 for d in sheet.domains]
    gaps = selfassess.gaps(first, second)
    fig = Figure(figsize=(8, 4.2), layout="constrained")
    ax = fig.add_subplot()
    xs = range(len(labels))
    width = 0.38
    for offset, values, name, colour, hatch in (
            (-width / 2, firsts, names[0], "#2b6cb0", ""),
            (width / 2, seconds, names[1], "#f6ad55", "//")):
        bars = ax.bar([x + offset for x in xs], values, width, label=name, color=colour,
                      hatch=hatch, edgecolor="#1a1a1a")
        ax.bar_label(bars, labels=[f"{v:.1f}" for v in values], padding=2)
    for x, domain in zip(xs, sheet.domains):
        gap = gaps[domain.id]
        if gap is not None:
            ax.text(x, sheet.high + 0.45, f"gap {gap:+.1f}", ha="center")
    ax.set_xticks(list(xs), labels)
    ax.set_ylim(0, sheet.high + 0.9)
    ax.set_ylabel(f"mean score ({sheet.low} = {sheet.scale_low}, {sheet.high} = "
                  f"{sheet.scale_high})")
    ax.set_title(f"{names[0]} and {names[1].lower()}: mean score in each area")
    ax.legend(loc="upper left", ncols=2, frameon=False, bbox_to_anchor=(0, -0.08))
    return fig


def chart_texts(fig) -> list[str]:
    """Every piece of text written inside a chart's axes (values on bars, gaps)."""
    return [t.get_text() for ax in fig.axes for t in ax.texts]


class SelfAssessment(w.VBox):
    """One self-assessment for one team: a rating per statement, in two views."""

    def __init__(self, sheet, *, team: str | None = None, journal=None):
        self.sheet, self.team = sheet, (str(team)[:100] if team else None)
        self._writer = JournalWriter(journal)
        self._loading = False
        self.answers: dict[str, dict[str, int]] = {}
        messages = [self._restore(view) for _, view in VIEWS]
        self.view = w.RadioButtons(options=list(VIEWS), value=VIEWS[0][1],
                                   description="Whose view", style={"description_width": "initial"})
        choices = [("not answered yet", NOT_ANSWERED)] + [
            (f"{n}" + (f" ({sheet.scale_low})" if n == sheet.low else
                       f" ({sheet.scale_high})" if n == sheet.high else ""), n)
            for n in range(sheet.low, sheet.high + 1)]
        self.ratings: dict[str, w.Dropdown] = {}
        parts: list[w.Widget] = [wrap_style(), w.HTML(f"<h3>{html.escape(sheet.title)}</h3>"),
                                 self.view]
        for domain in sheet.domains:
            parts.append(w.HTML(f"<h4>{html.escape(domain.label)}</h4>"))
            for item, text in domain.items.items():
                box = wrap(w.Dropdown(options=choices, value=NOT_ANSWERED,
                                      description=f"{item}. {text}",
                                      style={"description_width": "initial"}))
                box.observe(self._rated, names="value")
                self.ratings[item] = box
                parts.append(box)
        self.status = w.HTML(status(" ".join(m for m in messages if m)))
        self.results = w.HTML()
        self.gap = w.HTML()
        self.chart: list[str] = []  # the texts on the last gap chart drawn
        self.view.observe(self._switched, names="value")
        super().__init__(parts + [self.status, self.results, self.gap],
                         layout=w.Layout(max_width="52em"))
        self.add_class(WIDGET_CLASS)  # the course's style rules and accessibility audit
        self._show_view()

    # -- journal ------------------------------------------------------------

    def _restore(self, view: str) -> str:
        """Read one view's saved answers, keeping only real scores; return any message."""
        found: list = [None]
        message = self._writer.call(
            lambda j: found.__setitem__(0, j.selfassessment(self._subject(view))),
            doing="read from")
        self.answers[view] = {}
        if found[0] is None:
            return message
        saved = found[0].get("answers")
        if not isinstance(saved, dict):
            return " ".join(filter(None, (message, f"The saved answers for the {view} view in "
                                          "your journal could not be read, so they were left "
                                          "out; you can rate the statements again.")))
        result = selfassess.result(self.sheet, saved)
        known = {i for d in self.sheet.domains for i in d.items}
        self.answers[view] = {k: v for k, v in saved.items() if k in known
                              and isinstance(v, int) and not isinstance(v, bool)
                              and self.sheet.low <= v <= self.sheet.high}
        if result.ignored:
            listed = "; ".join(result.ignored[:_LISTED])
            more = len(result.ignored) - _LISTED
            message = " ".join(filter(None, (message, (
                f"Some saved answers for the {view} view in your journal were not scores of "
                f"this self-assessment and were left out ({listed}"
                + (f"; and {more} more" if more > 0 else "") + ")."))))
        return message

    def _subject(self, view: str) -> str:
        return subject_of(self.sheet.id, view, self.team)

    def _rated(self, change) -> None:
        if self._loading:
            return
        view = self.view.value
        item = next(k for k, box in self.ratings.items() if box is change.owner)
        if change.new == NOT_ANSWERED:
            self.answers[view].pop(item, None)
        else:
            self.answers[view][item] = int(change.new)
        message = self._writer.write("save_selfassessment", self._subject(view),
                                     self.answers[view], team=self.team, view=view)
        count = len(self.answers[view])
        where = "Saved to your journal" if self._writer.keeping else "Not kept in a journal"
        saved = f"{where}: {count} of {len(self.ratings)} statements rated in " \
                f"the {dict((v, k) for k, v in VIEWS)[view].lower()} view."
        self.status.value = status(message or saved, None if message else True)
        self._refresh()

    # -- drawing ------------------------------------------------------------

    def _switched(self, change) -> None:
        self._show_view()

    def _show_view(self) -> None:
        """Put the chosen view's answers into the controls, without saving anything."""
        self._loading = True
        try:
            for item, box in self.ratings.items():
                box.value = self.answers[self.view.value].get(item, NOT_ANSWERED)
        finally:
            self._loading = False
        self._refresh()

    def result(self, view: str):
        """The scores (``selfassess.Result``) of one view as answered so far."""
        return selfassess.result(self.sheet, self.answers[view])

    def gap_ready(self) -> bool:
        """Whether both views have rated at least GAP_NEEDS statements in every area."""
        return all(self.result(view).domains[d.id].answered >= min(GAP_NEEDS, len(d.items))
                   for _, view in VIEWS for d in self.sheet.domains)

    def _refresh(self) -> None:
        name = dict((v, k) for k, v in VIEWS)[self.view.value]
        found = self.result(self.view.value)
        rows = "".join(
            f"<tr><th scope='row'>{html.escape(d.label)}</th>"
            f"<td>{found.domains[d.id].answered} of {len(d.items)}</td>"
            f"<td>{_num(found.domains[d.id].mean)}</td>"
            f"<td>{html.escape(found.domains[d.id].band.label) if found.domains[d.id].band else '-'}"
            f"</td></tr>" for d in self.sheet.domains)
        overall = (f"<p>Overall: {found.overall:.2f}, <strong>{html.escape(found.band.label)}"
                   f"</strong>. {html.escape(found.band.meaning)}</p>" if found.band else "")
        self.results.value = (
            f"<h4>{html.escape(name)}: your mean score and band in each area</h4>"
            "<table><thead><tr><th scope='col'>Area</th><th scope='col'>Statements rated</th>"
            "<th scope='col'>Mean</th><th scope='col'>Band</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>{overall}")
        self._draw_gap()

    def _draw_gap(self) -> None:
        if not self.gap_ready():
            counts = ", ".join(f"{label.lower()}: {len(self.answers[view])} of "
                               f"{len(self.ratings)}" for label, view in VIEWS)
            self.gap.value = para(
                f"The gap between the two views appears here when both have rated at least "
                f"{GAP_NEEDS} statements in every area ({counts} so far). Choose the other "
                "view under \"Whose view\" to enter its answers.")
            self.chart = []
            return
        first, second = (self.result(view) for _, view in VIEWS)
        gaps = selfassess.gaps(first, second)
        fig = gap_chart(self.sheet, first, second)
        self.chart = chart_texts(fig)
        png = io.BytesIO()
        fig.savefig(png, format="png", dpi=96)
        rows = "".join(
            f"<tr><th scope='row'>{html.escape(d.label)}</th><td>{_num(first.domains[d.id].mean)}"
            f"</td><td>{_num(second.domains[d.id].mean)}</td><td>{_gap_words(gaps[d.id])}</td></tr>"
            for d in self.sheet.domains)
        alt = "; ".join(f"{d.label}: staff {_num(first.domains[d.id].mean)}, people with lived "
                        f"experience {_num(second.domains[d.id].mean)}" for d in self.sheet.domains)
        self.gap.value = (
            "<h4>The gap between the two views</h4>"
            f"<img src='data:image/png;base64,{base64.b64encode(png.getvalue()).decode()}' "
            f"alt='Bar chart of mean scores. {html.escape(alt, quote=True)}' "
            "style='max-width:100%'>"
            "<table><caption>The same figures as a table</caption><thead><tr>"
            "<th scope='col'>Area</th><th scope='col'>Staff</th>"
            "<th scope='col'>People with lived experience</th><th scope='col'>Gap</th>"
            f"</tr></thead><tbody>{rows}</tbody></table>")

    def close(self) -> None:
        """Close the widget and everything in it (answers are already saved)."""
        close_tree(self)


def _num(value) -> str:
    return f"{value:.2f}" if value is not None else "-"


def _gap_words(gap) -> str:
    if gap is None:
        return "-"
    if abs(gap) < 0.05:
        return "0.00: the two views agree"
    return f"{gap:+.2f}: " + ("staff rate it higher" if gap > 0 else
                              "people with lived experience rate it higher")
