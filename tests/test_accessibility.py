"""Accessibility audit (WCAG 2.2 AA) of the course's widgets in JupyterLab and the app view.

axe-core checks the scenario player (its meters, progress bar, feedback and
ending chart), the self-check (before and after answers, right and wrong) and
the reflection boxes, and Module 6's self-assessment with its gap chart, inside
the course's own widgets only; JupyterLab's and
Voilà's own pages are audited too, and what they break is printed, not
failed on (they are not the course's to fix). A scenario is played to an
ending and the self-check answered with the keyboard alone (Tab to move,
Enter or Space to press, the arrow keys inside a drop-down), and every
control the focus lands on must show where the focus is.

Needs Chromium (CI installs it; elsewhere the test is skipped if it is missing).
"""

from __future__ import annotations

import json
import re
import shutil

import pytest

from axe_audit import (
    COURSE,
    assert_focus_shown,
    audit_course,
    audit_shell,
    by_rule,
    explain,
    focused,
    tab_to,
)
from browser import (ALL_RUN, CHROMIUM, CHROMIUM_ARGS, SCROLL_TO, free_port, jupyterlab,
                     open_notebook, require_chromium, voila_app)
from conftest import ROOT

pytestmark = pytest.mark.slow

require_chromium()


@pytest.fixture(scope="module")
def browser():
    """One Chromium for the module, as tests/browser.py launches it."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def findings(tmp_path_factory):
    """What the audit found, by page and state; printed (and saved as JSON) at the end."""
    found: dict = {}
    yield found
    out = tmp_path_factory.mktemp("axe") / "axe-results.json"
    out.write_text(json.dumps(found, indent=2))
    print("\naxe-core, WCAG 2.2 AA, elements per rule:")
    for where, parts in found.items():
        print(f"  {where}: course widgets {parts['course']}; page shell {parts.get('shell', {})}")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """One JupyterLab for the module, serving a copy of the modules (it saves what it runs)."""
    home = tmp_path_factory.mktemp("lab")
    course = home / "course"
    shutil.copytree(ROOT / "modules", course / "modules",
                    ignore=shutil.ignore_patterns("*.sqlite", ".ipynb_checkpoints"))
    env = {"COPRODUCTION_JOURNAL": str(home / "journal.sqlite")}
    with jupyterlab(course, home, env) as (url, token):
        yield url, token


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """One app view (``coproduction app``) for the module; it serves every module."""
    home = tmp_path_factory.mktemp("app")
    with voila_app("1", home / "my-course", home, free_port()) as url:
        yield url


def open_in_app(browser, app: str, notebook: str, title: str):
    """(page, widget): ``notebook`` opened in the app view, once its widget titled ``title``
    and the page's last reflection box (the end of the page) have appeared."""
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{app}/voila/render/{notebook}", timeout=180_000)
    widget = page.locator(COURSE).filter(has_text=title).first
    expect(widget).to_be_visible(timeout=120_000)
    expect(page.locator(COURSE).get_by_role("textbox").last).to_be_visible(timeout=60_000)
    return page, widget


def check(page, findings: dict, where: str, shell: bool = False) -> list[dict]:
    """Audit the course's widgets on the page now; also the shell around them if asked."""
    course = audit_course(page)
    findings[where] = {"course": by_rule(course)}
    if shell:
        findings[where]["shell"] = by_rule(audit_shell(page))
    return course if not course else [explain(course, where)]


def the_module():
    """Module 1's scenario, its shortest route, and its self-check with a right answer each."""
    from coproduction import quiz, scenario

    estate = scenario.get("estate-asb")
    route = min(scenario.paths(estate), key=len)
    return estate, route, quiz.get("01-origins")


def play_by_keyboard(page, within, estate, route, first_by_tab: bool) -> None:
    """Play ``route`` to its ending with Tab and Enter/Space only, checking each step."""
    from playwright.sync_api import expect

    from coproduction import scenario

    state = scenario.start(estate)
    for step, choice_id in enumerate(route):
        label = next(c.label for c in scenario.available(state) if c.id == choice_id)
        if step or first_by_tab:
            tab_to(page, label)
        else:
            # Where the trainee arrives at the player: its first control.
            within.get_by_role("button", name=label, exact=True).focus()
            assert_focus_shown(focused(page))
        page.keyboard.press("Enter" if step % 2 == 0 else " ")
        expect(within.get_by_text(f"You chose: {label}", exact=True)).to_be_visible(
            timeout=30_000)
        state = scenario.choose(state, choice_id)
        # The player moves the focus to Step back, at the head of the feedback; its name
        # is its words alone (the icon's glyph is kept out of it).
        expect(within.get_by_role("button", name="Step back", exact=True)).to_be_focused(
            timeout=15_000)
        expect(within.get_by_role("button", name="Restart", exact=True)).to_be_enabled()
    assert state.finished
    expect(within.get_by_text("saved in your journal", exact=False)).to_be_visible()
    result = scenario.score(state)
    from coproduction.scenario import chart

    # The chart has its numbers in words beside it: the alt text and a table.
    expect(within.locator("img")).to_have_attribute("alt", chart.describe(result))
    expect(within.locator("table caption")).to_have_text("Where your choices sat")


def answer_by_keyboard(page, within, check, first_by_tab: bool) -> None:
    """Answer every question of ``check``, first a wrong option, then the right one."""
    from playwright.sync_api import expect

    first = True
    for q in check.questions:
        if q.kind == "choice":
            right = next(o for o in q.options if q.mark(o).correct)
            wrong = next(o for o in q.options if not q.mark(o).correct)
            for option, key, lead in ((wrong, "Enter", "Not quite."), (right, " ", "Right.")):
                if first and not first_by_tab:
                    within.get_by_role("button", name=option, exact=True).focus()
                    assert_focus_shown(focused(page))
                else:
                    # From the wrong answer the right one may be above it: Shift+Tab back.
                    tab_to(page, option, back=option == right and
                           q.options.index(right) < q.options.index(wrong))
                first = False
                page.keyboard.press(key)
                # Said in words, not only by the button's colour.
                expect(within.get_by_role("status").filter(has_text=lead).first).to_be_visible(
                    timeout=30_000)
        else:
            for item in q.items:
                category = next(c for c in q.categories if q.mark({item.text: c})[item.text].correct)
                tab_to(page, item.text, tag="select")
                # Space opens the list; the arrows move in it and Enter picks. (Arrow keys
                # on a closed list are JupyterLab's: they move to the next cell.)
                page.keyboard.press(" ")
                page.wait_for_timeout(150)  # the list opens in a pop-up of its own
                for _ in range(q.categories.index(category) + 1):  # past "Choose…"
                    page.keyboard.press("ArrowDown")
                page.keyboard.press("Enter")
                expect(page.locator("select:focus option:checked")).to_have_text(category)
                first = False
            # Its name is its words alone: the icon's glyph is kept out of it.
            expect(within.get_by_role("button", name="Check my sorting", exact=True).first
                   ).to_be_attached()
            tab_to(page, "Check my sorting")
            page.keyboard.press("Enter")
            expect(within.get_by_text(f"All {len(q.items)} are in the right place.")).to_be_visible(
                timeout=30_000)


def test_an_audit_catches_a_nameless_button_in_a_course_widget(browser):
    """The audit is real: a button with no name inside a course widget is a violation,
    and one outside the course's widgets counts for the page's shell only."""
    page = browser.new_page()
    page.set_content(f'<!doctype html><html lang="en"><title>A page</title><main><h1>Page</h1>'
                     f'<div class="{COURSE[1:]}"><button></button>'
                     '<p style="color:#aaa;background:#fff">faint</p></div>'
                     '<button class="outside"></button></main></html>')
    course = by_rule(audit_course(page))
    assert course == {"button-name": 1, "color-contrast": 1}, course
    assert by_rule(audit_shell(page)) == {"button-name": 1}
    page.close()


def test_module_1_in_jupyterlab(lab, browser, findings):
    """Module 1 in JupyterLab: each widget audited, then played and answered by keyboard."""
    from playwright.sync_api import expect

    estate, route, check_ = the_module()
    url, token = lab
    problems = []
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    open_notebook(page, url, token, "modules/01-origins.ipynb")
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(ALL_RUN, timeout=120_000)

    page.evaluate(SCROLL_TO, "scenario.play(")
    player = page.locator(COURSE).filter(has_text=estate.title).first
    expect(player).to_be_visible(timeout=60_000)
    problems += check(page, findings, "JupyterLab, scenario at its opening", shell=True)
    play_by_keyboard(page, player, estate, route, first_by_tab=False)
    problems += check(page, findings, "JupyterLab, scenario at its ending")

    page.evaluate(SCROLL_TO, "quiz.show(")
    checker = page.locator(COURSE).filter(has_text=check_.title).first
    expect(checker).to_be_visible(timeout=60_000)
    problems += check(page, findings, "JupyterLab, self-check unanswered")
    answer_by_keyboard(page, checker, check_, first_by_tab=False)
    problems += check(page, findings, "JupyterLab, self-check answered")

    page.evaluate(SCROLL_TO, 'reflect.prompt("m1-r1"')
    expect(page.locator(COURSE).get_by_role("textbox").first).to_be_visible(timeout=60_000)
    problems += check(page, findings, "JupyterLab, reflection boxes")
    page.close()
    assert not problems, "\n\n".join(problems)


def test_module_1_in_the_app_view(app, browser, findings):
    """Module 1 as an app (Voilà): the same audit, all by keyboard from the top of the page."""
    from playwright.sync_api import expect

    estate, route, check_ = the_module()
    problems = []
    page, player = open_in_app(browser, app, "01-origins.ipynb", estate.title)
    problems += check(page, findings, "App view, at the start", shell=True)

    play_by_keyboard(page, player, estate, route, first_by_tab=True)
    checker = page.locator(COURSE).filter(has_text=check_.title).first
    answer_by_keyboard(page, checker, check_, first_by_tab=True)
    problems += check(page, findings, "App view, scenario ended and self-check answered")

    # A reflection typed from the keyboard too.
    where = tab_to(page, "Your answer", tag="textarea")
    assert where["inCourse"]
    page.keyboard.type("We asked residents first.")
    expect(page.locator(COURSE).get_by_text("Saved to your journal.").first).to_be_visible(
        timeout=30_000)
    problems += check(page, findings, "App view, a reflection typed")
    page.close()
    assert not problems, "\n\n".join(problems)


def test_module_6_in_the_app_view(app, browser, findings):
    """Module 6 as an app: the self-assessment audited unanswered, then with both views rated
    (one of them from the keyboard alone) and its gap chart drawn (the chart's figures in
    its alt text and in a table)."""
    from playwright.sync_api import expect

    from coproduction import selfassess

    sheet = selfassess.get("organisation")
    statements = sum(len(d.items) for d in sheet.domains)
    problems = []
    page, rater = open_in_app(browser, app, "06-organisation.ipynb", sheet.title)
    problems += check(page, findings, "App view, Module 6 at the start", shell=True)

    # The staff view by mouse, the other from the keyboard alone: an arrow key moves
    # to the other view, Tab from one statement's rating to the next, arrow keys rate.
    rater.get_by_role("radio", name="Staff", exact=True).check()
    for n, select in enumerate(rater.locator("select").all(), start=1):
        select.select_option(index=4)
        expect(rater.get_by_text(f"{n} of {statements} statements rated in the staff view",
                                 exact=False)).to_be_visible(timeout=30_000)
    lived = "People with lived experience"
    rater.get_by_role("radio", name="Staff", exact=True).focus()
    page.keyboard.press("ArrowDown")
    expect(rater.get_by_role("radio", name=lived, exact=True)).to_be_checked(timeout=30_000)
    for n, select in enumerate(rater.locator("select").all(), start=1):
        for _ in range(5):  # the next control Tab reaches is this statement's rating
            page.keyboard.press("Tab")
            if select.evaluate("e => e === document.activeElement"):
                break
        else:
            raise AssertionError(f"Tab did not reach the rating of statement {n}")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("ArrowDown")  # "not answered yet", then 1, then 2
        expect(rater.get_by_text(f"{n} of {statements} statements rated in the "
                                 f"{lived.lower()} view", exact=False)).to_be_visible(
            timeout=30_000)
    chart = rater.locator("img")
    expect(chart).to_have_attribute("alt", re.compile(r"^Bar chart of mean scores\. .*staff 4\.00"))
    expect(rater.locator("table caption", has_text="The same figures as a table")).to_be_visible()
    problems += check(page, findings, "App view, Module 6 rated in both views, gap chart drawn")
    page.close()
    assert not problems, "\n\n".join(problems)


def _tree(widget):
    """A widget and everything inside it."""
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _tree(child)


def test_every_control_has_a_name_and_every_icon_is_kept_out_of_it():
    """In their state: each course widget carries the audit's class; every button, drop-down,
    text box and radio group has words for its name; every icon any of them shows has the
    style rule that keeps its glyph out of that name; and the focus ring is in the sheet."""
    import ipywidgets as w

    from coproduction import selfassess
    from coproduction.reflect import Reflection
    from coproduction.scenario.player import Player
    from coproduction.selfassess_widget import SelfAssessment
    from coproduction.quiz.widget import CheckView
    from coproduction.widgetkit import WIDGET_CLASS, WRAP_CSS

    estate, route, check_ = the_module()
    player = Player(estate, journal=False)
    checker = CheckView(check_, journal=False)
    views = [player, checker, Reflection("a11y", "What did you learn?", journal=False),
             SelfAssessment(selfassess.get("organisation"), journal=False)]
    icons = set()

    def look() -> None:
        for view in views:
            assert WIDGET_CLASS in view._dom_classes, f"{type(view).__name__} lacks the class"
            for part in _tree(view):
                if isinstance(part, w.Button) and part.layout.display != "none":
                    assert part.description.strip(), f"a button with no words in {view}"
                    icons.add(part.icon)
                if isinstance(part, (w.Dropdown, w.Textarea, w.RadioButtons)):
                    assert part.description.strip(), f"a {type(part).__name__} with no label"

    look()
    for choice_id in route:  # every state of a play, to its ending
        player.choose(choice_id)
        look()
    for view in checker.questions:  # right and wrong answers show their own icons
        if hasattr(view, "answer"):
            for option in view.question.options:
                view.answer(option)
                look()
    icons.discard("")
    assert {"undo", "refresh", "check", "times"} <= icons, icons
    for icon in icons:
        assert re.search(rf'\.{WIDGET_CLASS} \.fa-{icon}::before {{ content: "\\[0-9a-f]+" / ""; }}',
                         WRAP_CSS), f"the {icon!r} icon's glyph would be read as part of its name"
    assert re.search(rf"\.{WIDGET_CLASS} :is\(button, select, textarea, input\):focus-visible",
                     WRAP_CSS)
    for view in views:
        view.close()
