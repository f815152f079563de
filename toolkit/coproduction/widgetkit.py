"""Small pieces shared by the course's widgets: safe text, status lines, journal access,
labels that wrap, colours that can be read."""

from __future__ import annotations

import html
import sqlite3

# ipywidgets' HTML sets a tall fixed line height meant for one-line labels;
# running text reads better at a normal one.
_TEXT_STYLE = "line-height:1.5"

# Text and background colours, as (text, background) pairs. Each pair has a
# contrast ratio of at least 4.5:1 (WCAG 2 AA for ordinary text); a test works
# the ratios out, so a pair added here is checked too. ipywidgets' own
# "success" and "warning" buttons put white on green (4.1:1) and on orange
# (2.7:1), which is why answer buttons use these instead.
TEXT = "#1a1a1a"
# The ring round whatever has the keyboard focus (8.6:1 on white; WCAG asks 3:1).
FOCUS_RING = "#1a4f8b"
RIGHT_BUTTON = ("#ffffff", "#1b7837")
NOT_YET_BUTTON = ("#ffffff", "#a04b05")
_CALLOUT_BACKGROUND = {None: "#f2f6fb", True: "#f0f8f1", False: "#fdf5ec"}
_CALLOUT_BORDER = {None: "#2b6cb0", True: "#1b7837", False: "#b35806"}
COLOUR_PAIRS = {
    "button, right answer": RIGHT_BUTTON,
    "button, not yet right": NOT_YET_BUTTON,
    "focus ring on the page": (FOCUS_RING, "#ffffff"),
    **{f"callout ({name})": (TEXT, _CALLOUT_BACKGROUND[good])
       for name, good in (("plain", None), ("right", True), ("not yet", False))},
}
# The callout sets its own text colour: in a dark theme the inherited light
# text would otherwise sit on the light background.
_CALLOUT_STYLE = {
    good: f"border-left:4px solid {_CALLOUT_BORDER[good]};background:{bg};color:{TEXT}"
    for good, bg in _CALLOUT_BACKGROUND.items()
}

#: The class that makes a button's or drop-down's label wrap (see ``wrap``).
WRAP_CLASS = "coproduction-wrap"

#: The class every course widget's outermost box carries: a stable handle for the
#: style rules below and for the accessibility audit, which checks inside it.
WIDGET_CLASS = "coproduction-widget"

#: Class of the note shown when a widget cannot be drawn (see ``rerun_hint``).
RERUN_CLASS = "coproduction-rerun-hint"

# ipywidgets draws a button's icon as a Font Awesome glyph, a private-use character
# that becomes part of the button's accessible name ("\uf0e2 Step back"). The
# alternative text after "/" keeps the glyph on screen and out of the name.
# (Font Awesome 4 code points, as ipywidgets 8 ships them.)
_ICON_POINTS = {"check": "f00c", "times": "f00d", "undo": "f0e2", "refresh": "f021"}
_ICONS_UNNAMED = "\n".join(
    f'.{WIDGET_CLASS} .fa-{name}::before {{ content: "\\{point}" / ""; }}'
    for name, point in _ICON_POINTS.items())

# ipywidgets gives buttons and drop-down labels one line of fixed height and
# cuts long text off with "…"; at 200% zoom every scenario choice was cut.
# These rules, scoped to WRAP_CLASS, let the text run on over several lines.
# They ship with the package and are drawn by the widget itself: nothing is
# fetched.
WRAP_CSS = f"""
.{WRAP_CLASS}.jupyter-button, .{WRAP_CLASS}.widget-button {{
  white-space: normal; height: auto; min-height: var(--jp-widgets-inline-height, 28px);
  width: auto; max-width: 100%;
  line-height: 1.4; text-align: left; overflow: visible; text-overflow: clip;
  padding-top: 0.3em; padding-bottom: 0.3em;
}}
.{WRAP_CLASS}.widget-dropdown {{
  flex-direction: column; align-items: flex-start; height: auto;
}}
.{WRAP_CLASS}.widget-dropdown > .widget-label {{
  white-space: normal; height: auto; line-height: 1.4; text-align: left;
  overflow: visible; text-overflow: clip; max-width: 100%; width: auto;
}}
.{RERUN_CLASS} {{ display: none; }}
/* JupyterLab and ipywidgets take the outline off a focused drop-down or text box
   (a border 1px darker is all that is left): a ring that can be seen wins here. */
.{WIDGET_CLASS} :is(button, select, textarea, input):focus-visible {{
  outline: 3px solid {FOCUS_RING} !important; outline-offset: 2px !important;
}}
/* ipywidgets' radio buttons are 16px, too small to hit (WCAG 2.5.8 asks 24px). */
.{WIDGET_CLASS} input[type="radio"], .{WIDGET_CLASS} input[type="checkbox"] {{
  width: 24px; height: 24px; min-width: 24px; margin: 0 0.4em 0 0;
}}
.{WIDGET_CLASS} .widget-radio-box label {{
  height: auto; min-height: 32px; display: flex; align-items: center;
}}
{_ICONS_UNNAMED}
.{WRAP_CLASS}.widget-dropdown > select {{
  width: auto; min-width: 12em; max-width: 100%; flex: 0 0 auto;
}}
"""


def para(text: str, lead: str = "") -> str:
    """Plain text as HTML paragraphs (blank lines separate paragraphs).

    ``lead`` is HTML (already safe) put at the start of the first paragraph,
    such as a question's number, so it sits on the same line as the text.
    """
    blocks = [b.strip() for b in str(text).split("\n\n") if b.strip()]
    parts = [html.escape(b).replace(chr(10), " ") for b in blocks]
    if lead:
        parts = [lead + (parts[0] if parts else "")] + parts[1:]
    inner = "".join(f"<p>{part}</p>" for part in parts)
    return f'<div style="{_TEXT_STYLE}">{inner}</div>' if inner else ""


def wrap_style():
    """A fresh, hidden HTML widget holding the style sheet that lets labels wrap.

    Put one in each top-level view; ``wrap`` marks the widgets it applies to.
    A ``<style>`` element works even inside a hidden widget.
    """
    import ipywidgets as w

    return w.HTML(f"<style>{WRAP_CSS}</style>", layout=w.Layout(display="none"))


def rerun_hint(what: str) -> None:
    """In a notebook, put a note above a widget saying how to bring it back.

    After a kernel restart, or when a notebook is opened again another day,
    JupyterLab can no longer draw a widget and shows an error instead. The
    note says what to do. While the widget is drawn, its style sheet (from
    ``wrap_style``) hides the note, so it is seen only when it is needed.
    """
    try:
        from IPython import get_ipython
        from IPython.display import HTML, display
    except ImportError:  # not in IPython: nothing to show a note in
        return
    if get_ipython() is None:
        return
    display(HTML(f'<div class="{RERUN_CLASS}" style="{_TEXT_STYLE}"><p>If the {what} below does '
                 "not appear or does not respond (after a restart, or when you open this "
                 "notebook again), run this cell again: click in it and press Shift+Enter. "
                 "Nothing you did is lost: it is kept in your journal.</p></div>"))


def wrap(widget):
    """Mark a button or drop-down so that its label wraps instead of being cut off."""
    widget.add_class(WRAP_CLASS)
    return widget


def status(text: str, good: bool | None = None) -> str:
    """A callout read out by screen readers when it changes; marked right / not yet."""
    if not str(text).strip():
        return '<div role="status" aria-live="polite"></div>'
    mark = {True: "✔ ", False: "✘ ", None: ""}[good]
    style = f"{_CALLOUT_STYLE[good]};padding:0.1em 1em;margin:0.5em 0"
    return (f'<div role="status" aria-live="polite" style="{style}">'
            f"{para(mark + str(text))}</div>")


def wide():
    """A fresh layout for a full-width button (each widget owns its layout, so it can close it)."""
    import ipywidgets as w

    return w.Layout(width="auto", max_width="46em")


def close_tree(widget) -> None:
    """Close a widget, everything inside it, and their layouts and styles.

    ipywidgets' own ``close`` leaves children, layouts and styles open, so a
    player that is re-run in a notebook would otherwise leak them.
    """
    from ipywidgets import Widget

    for child in getattr(widget, "children", ()):
        close_tree(child)
    for part in ("layout", "style"):
        sub = getattr(widget, part, None)
        if isinstance(sub, Widget):
            sub.close()
    Widget.close(widget)  # the base close, so a close() that calls close_tree does not loop


class JournalWriter:
    """Writes to the trainee's journal on first use; never lets a failure break a widget.

    ``journal`` may be a Journal, None (the default journal, opened when first
    needed) or False (do not keep a journal).
    """

    def __init__(self, journal=None):
        self._journal = journal
        self.problem: str | None = None

    @property
    def keeping(self) -> bool:
        """Whether a journal is kept at all (False when the widget was made with journal=False)."""
        return self._journal is not False

    def write(self, method: str, *args, **kwargs) -> str:
        """Call ``Journal.<method>(*args)``; return a plain message to show, or ''."""
        return self.call(lambda journal: getattr(journal, method)(*args, **kwargs))

    def call(self, action, doing: str = "saved to") -> str:
        """Run ``action(journal)``; return a plain message to show, or ''.

        ``problem`` says what went wrong on the last call (None when it worked).
        """
        if self._journal is False:
            return ""
        try:
            if self._journal is None:
                from .journal import Journal

                self._journal = Journal()
            action(self._journal)
        except (OSError, sqlite3.Error) as err:
            self.problem = str(err)
            return f"(This could not be {doing} your journal: {err})"
        self.problem = None
        notice, self._journal.notice = self._journal.notice, None
        return notice or ""
