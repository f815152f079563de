"""A CPD record drawn as a Word document (python-docx) or as one page to print (HTML).

Both are self-contained: the page carries its own styles (with print rules)
and loads nothing, and every piece of text from the journal is escaped, so
a reflection that looks like markup shows as the words it is.
"""

from __future__ import annotations

import html
import io

from .portfolio_forms import TODO, Field, Record, Section, Table

_NOTHING = "(nothing in your journal for this)"

_CSS = """
body { font-family: Georgia, "Times New Roman", serif; color: #1a1a1a; background: #fff;
       max-width: 46em; margin: 2em auto; padding: 0 1em; line-height: 1.5; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; border-bottom: 1px solid #888;
     margin-top: 2em; }
.field { margin: 1em 0; } .field p { margin: 0.3em 0; } .label { font-weight: bold; }
.question { font-style: italic; margin: 0.6em 0 0 0; }
blockquote { margin: 0.2em 0 0.8em 0; padding: 0.2em 0.8em; border-left: 4px solid #2b6cb0;
             white-space: pre-wrap; overflow-wrap: anywhere; }
.todo { background: #fff3b0; color: #1a1a1a; font-weight: bold; }
table { border-collapse: collapse; width: 100%; } th, td { border: 1px solid #555;
        padding: 0.3em 0.5em; text-align: left; vertical-align: top; }
.intro { font-size: 0.95em; }
@media print {
  body { margin: 0; max-width: none; font-size: 11pt; }
  h2 { break-after: avoid; } .field, tr, blockquote { break-inside: avoid; }
  .todo { border: 1px dashed #000; }
}
"""


def _todo(text: str) -> str:
    return TODO.format(text)


# -- Word --------------------------------------------------------------------


def render_docx(record: Record) -> bytes:
    """The record as the bytes of a .docx file."""
    from docx import Document
    from docx.enum.text import WD_COLOR_INDEX

    doc = Document()
    doc.core_properties.title = record.title
    doc.core_properties.author = ""  # the document is the trainee's, not this program's
    doc.add_heading(record.title, level=0)
    for line in record.intro:
        doc.add_paragraph(line)
    for section in record.sections:
        doc.add_heading(section.heading, level=section.level)
        for item in section.items:
            if isinstance(item, Table):
                _docx_table(doc, item, WD_COLOR_INDEX)
            else:
                _docx_field(doc, item, WD_COLOR_INDEX)
    stream = io.BytesIO()
    doc.save(stream)
    return stream.getvalue()


def _todo_run(paragraph, text: str, colours) -> None:
    run = paragraph.add_run(text)
    run.bold = True
    run.font.highlight_color = colours.YELLOW


def _docx_field(doc, item: Field, colours) -> None:
    doc.add_paragraph().add_run(item.label).bold = True
    for line in item.lines:
        doc.add_paragraph(line)
    for question, answer in item.quotes:
        doc.add_paragraph().add_run(question).italic = True
        doc.add_paragraph(answer, style="Quote")
    if item.todo:
        _todo_run(doc.add_paragraph(), _todo(item.todo), colours)
    elif not item.lines and not item.quotes:
        doc.add_paragraph(_NOTHING)


def _docx_table(doc, item: Table, colours) -> None:
    table = doc.add_table(rows=1, cols=len(item.headers), style="Table Grid")
    for cell, text in zip(table.rows[0].cells, item.headers):
        cell.paragraphs[0].add_run(text).bold = True
    for row in item.rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row):
            if text.startswith(("[To complete:", "[To confirm:")):
                _todo_run(cell.paragraphs[0], text, colours)
            else:
                cell.text = text
    doc.add_paragraph()


# -- HTML --------------------------------------------------------------------


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _marked(text: str) -> str:
    """A table cell or line, with a to-complete or to-confirm mark highlighted."""
    if text.startswith(("[To complete:", "[To confirm:")):
        return f'<span class="todo">{_e(text)}</span>'
    return _e(text)


def _html_item(item: Field | Table) -> str:
    if isinstance(item, Table):
        head = "".join(f"<th scope=\"col\">{_e(h)}</th>" for h in item.headers)
        rows = "".join("<tr>" + "".join(f"<td>{_marked(c)}</td>" for c in row) + "</tr>"
                       for row in item.rows)
        return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    parts = [f'<div class="field"><p class="label">{_e(item.label)}</p>']
    parts += [f"<p>{_marked(line)}</p>" for line in item.lines]
    for question, answer in item.quotes:
        parts.append(f'<p class="question">{_e(question)}</p><blockquote>{_e(answer)}'
                     "</blockquote>")
    if item.todo:
        parts.append(f'<p><span class="todo">{_e(_todo(item.todo))}</span></p>')
    elif not item.lines and not item.quotes:
        parts.append(f"<p>{_e(_NOTHING)}</p>")
    return "".join(parts) + "</div>"


def _html_section(section: Section) -> str:
    level = min(max(section.level, 2), 6)
    body = "\n".join(_html_item(item) for item in section.items)
    return f"<section><h{level}>{_e(section.heading)}</h{level}>\n{body}</section>"


def render_html(record: Record) -> bytes:
    """The record as a self-contained HTML page (UTF-8 bytes) to read and print."""
    intro = "".join(f'<p class="intro">{_e(line)}</p>' for line in record.intro)
    body = "\n".join(_html_section(s) for s in record.sections)
    page = (
        '<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        # Nothing may be loaded from anywhere, even if a later edit adds a link by mistake.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        'style-src \'unsafe-inline\'">\n'
        f"<title>{_e(record.title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"<h1>{_e(record.title)}</h1>\n{intro}\n{body}\n</body>\n</html>\n"
    )
    return page.encode("utf-8")
