"""Small pieces shared by the course's widgets: safe text, status lines, journal access."""

from __future__ import annotations

import html
import sqlite3


# ipywidgets' HTML sets a tall fixed line height meant for one-line labels;
# running text reads better at a normal one.
_TEXT_STYLE = "line-height:1.5"
_CALLOUT_STYLE = {
    None: "border-left:4px solid #2b6cb0;background:#f2f6fb",
    True: "border-left:4px solid #1b7837;background:#f0f8f1",
    False: "border-left:4px solid #b35806;background:#fdf5ec",
}


def para(text: str) -> str:
    """Plain text as HTML paragraphs (blank lines separate paragraphs)."""
    blocks = [b.strip() for b in str(text).split("\n\n") if b.strip()]
    inner = "".join(f"<p>{html.escape(b).replace(chr(10), ' ')}</p>" for b in blocks)
    return f'<div style="{_TEXT_STYLE}">{inner}</div>' if inner else ""


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
