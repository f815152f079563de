"""CSV cells that a spreadsheet will show as text, never run as a formula.

Trainers open the toolkit's CSV files (scores, scenario choices, the grading
log) in Excel, LibreOffice or Google Sheets, and those programs run a cell
that starts with ``=``, ``+``, ``-`` or ``@`` as a formula: ``=HYPERLINK(...)``
can send data away, and a cell beginning with a tab or carriage return can be
read the same way. Some of the text in those files comes from trainees (their
journals, their folder names), so every text cell is escaped as OWASP advises
for CSV injection: a leading apostrophe, which the spreadsheet shows as text
and does not display.

Only text is escaped. A number the toolkit writes as a number (a score of -2,
a stance of +1 stored as 1) is left as it is, so the column still sums and
sorts; but the text "-2+3" is escaped, because as text nobody can tell it from
a formula.

    >>> safe_cell("=HYPERLINK(\\"http://example.org\\")")
    '\\'=HYPERLINK("http://example.org")'
    >>> safe_cell(-2), safe_cell("ana")
    (-2, 'ana')
"""

from __future__ import annotations

from typing import Any

#: What a spreadsheet may take as the start of a formula (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` ready for a CSV cell: text that starts like a formula gets a leading
    apostrophe; anything that is not text (numbers, None, dates) is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(row: dict[str, Any]) -> dict[str, Any]:
    """A row for ``csv.DictWriter`` with each value made safe (the keys are the header,
    written by ``writeheader``; make those safe with ``safe_cell`` if they come from outside)."""
    return {key: safe_cell(value) for key, value in row.items()}


def safe_frame(table):
    """A copy of a pandas DataFrame whose text cells and column names are safe; numeric
    columns are left as they are (only text columns can hold a formula)."""
    safe = table.copy()
    safe.columns = [safe_cell(name) for name in safe.columns]
    for name in safe.columns:
        if not _numeric(safe[name]):
            safe[name] = safe[name].map(safe_cell)
    return safe


def _numeric(column) -> bool:
    from pandas.api.types import is_bool_dtype, is_numeric_dtype

    return is_numeric_dtype(column) or is_bool_dtype(column)
