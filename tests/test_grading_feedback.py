"""`coproduction feedback`: it waits for hand marking, and its pages fetch nothing from the web."""

from __future__ import annotations

import json
import re

import pytest
from grading_helpers import ASSIGNMENT, run
from test_grading_report import FAILED, GRADED, build_course

pytestmark = pytest.mark.slow

# Anything a browser would fetch from elsewhere on opening the page.
REMOTE = re.compile(r"""<(script|link|img|iframe|source|embed|object|video|audio)\b[^>]*"""
                    r"""(src|href|srcset|data|poster)\s*=\s*["']?\s*(https?:|//)""", re.IGNORECASE)


def pages(course):
    return sorted((course / "feedback").glob(f"*/{ASSIGNMENT}/*.html"))


def test_refuses_while_written_answers_are_unmarked(tmp_path):
    course = build_course(tmp_path)
    result = run("coproduction", "feedback", ASSIGNMENT, cwd=course)
    assert result.returncode == 1, result.stdout
    assert "Traceback" not in result.stderr
    assert f"the work of {len(GRADED)} trainee(s) has written answers that nobody has marked" \
        in result.stderr
    # each question named in words, with how many trainees it waits on
    assert f"Question 4: reflection: {len(GRADED)} trainee(s)" in result.stderr
    assert "Question 2 (d): What the figures mean" in result.stderr
    assert "q4-answer" not in result.stderr
    assert "formgrader" in result.stderr and "--unmarked-ok" in result.stderr
    assert pages(course) == []

    one = run("coproduction", "feedback", ASSIGNMENT, "--student", "ana", cwd=course)
    assert one.returncode == 1 and "ana's work has written answers" in one.stderr
    assert "Question 4: reflection: 1 trainee(s)" in one.stderr

    anyway = run("coproduction", "feedback", ASSIGNMENT, "--unmarked-ok", cwd=course)
    assert anyway.returncode == 0, anyway.stderr
    assert f"Made {len(GRADED)} feedback page(s)" in anyway.stdout
    assert f"{3 * len(GRADED)} written answer(s) were not marked yet" in anyway.stdout


@pytest.fixture(scope="module")
def marked(tmp_path_factory):
    course = build_course(tmp_path_factory.mktemp("marked"), marked=True)
    # a trainee's written answer that links an image on the web
    notebook = course / "autograded" / "ana" / ASSIGNMENT / "origins.ipynb"
    nb = json.loads(notebook.read_text())
    for cell in nb["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "q4-answer":
            cell["source"] = ("I agree. ![me](https://example.org/pixel.png) "
                              '<img src="//example.org/p.gif"> <script src="http://example.org/x.js">'
                              "</script>")
    notebook.write_text(json.dumps(nb))
    result = run("coproduction", "feedback", ASSIGNMENT, cwd=course)
    return course, result


def test_made_once_everything_is_marked(marked):
    course, result = marked
    assert result.returncode == 0, result.stderr
    assert f"Made {len(GRADED)} feedback page(s)" in result.stdout
    assert "not marked yet" not in result.stdout
    assert {p.parts[-3] for p in pages(course)} == set(GRADED)  # none for those not graded
    assert not set(FAILED) & {p.parts[-3] for p in pages(course)}
    text = (course / "feedback" / "ana" / ASSIGNMENT / "origins.html").read_text()
    assert "Assignment 1" in text and "Written response" in text


def test_pages_fetch_nothing_from_the_web(marked):
    course, _ = marked
    assert pages(course)
    for page in pages(course):
        text = page.read_text()
        assert not REMOTE.search(text), (page, REMOTE.search(text).group(0))
        assert "cdnjs" not in text and "example.org/pixel" not in text.split("<body")[0]
        # no script left that calls a MathJax that was never loaded
        for script in re.findall(r"<script\b[^>]*>(.*?)</script", text, re.IGNORECASE | re.DOTALL):
            assert "MathJax" not in script
        assert "text/x-mathjax-config" not in text


def test_offline_keeps_local_links():
    from coproduction.grading.feedback_pages import offline

    html = ('<a href="#top">Top</a><img src="data:image/png;base64,AAAA">'
            '<link rel="stylesheet" href="https://cdn.example/x.css">'
            "<IMG SRC='https://example.org/a.png' alt=a>")
    out = offline(html)
    assert '<a href="#top">Top</a>' in out and "data:image/png" in out
    assert "https://" not in out
