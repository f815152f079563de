"""Module 1 in a real browser: JupyterLab on 127.0.0.1, the scenario played from the keyboard.

Needs Chromium (CI installs it; elsewhere the test is skipped if it is missing).
Also checks that the page asks nothing of any address but 127.0.0.1.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest

from browser import (ALL_RUN, CHROMIUM, CHROMIUM_ARGS, SCROLL_TO, jupyterlab, open_notebook,
                     require_chromium)
from conftest import ROOT

pytestmark = pytest.mark.slow

require_chromium()


def test_module_1_plays_in_jupyterlab(tmp_path):
    from playwright.sync_api import expect, sync_playwright

    from coproduction import scenario

    estate = scenario.get("estate-asb")
    opening = scenario.start(estate)
    choice = scenario.available(opening)[-1]
    after = scenario.choose(opening, choice.id).node

    # Serve a copy: JupyterLab saves the notebook it runs, and the course's
    # copy must stay without outputs.
    course = tmp_path / "course"
    shutil.copytree(ROOT / "modules", course / "modules")
    requests = []
    with jupyterlab(course, tmp_path) as (url, token), sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("request", lambda r: requests.append(r.url))
        page.goto(f"{url}/lab/tree/modules/01-origins.ipynb?token={token}")
        page.wait_for_function("window.jupyterapp && document.querySelector('.jp-Notebook')",
                               timeout=60_000)
        expect(page.get_by_text("Python 3 (ipykernel) | Idle")).to_be_visible(timeout=60_000)
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        page.wait_for_function(ALL_RUN, timeout=120_000)
        # JupyterLab leaves cells far off screen unrendered: bring the player's into view.
        page.evaluate(SCROLL_TO, "scenario.play(")

        # The player draws the first decision as real buttons with text labels.
        button = page.get_by_role("button", name=choice.label)
        expect(button).to_be_visible(timeout=60_000)
        button.scroll_into_view_if_needed()
        page.screenshot(path=str(tmp_path / "player-start.png"))
        # The note on bringing a widget back is in the output, and hidden while it is drawn.
        hint = page.locator(".coproduction-rerun-hint").first
        expect(hint).to_be_attached()
        expect(hint).to_be_hidden()
        button.focus()
        page.keyboard.press("Enter")  # keyboard, not mouse

        expect(page.get_by_text(f"You chose: {choice.label}")).to_be_visible(timeout=30_000)
        if after.title:
            expect(page.get_by_role("heading", name=after.title)).to_be_visible()
        expect(page.get_by_role("button", name="Step back")).to_be_enabled()
        page.screenshot(path=str(tmp_path / "player-after.png"))

        # The self-check renders too, with its first question's options as buttons.
        from coproduction import quiz

        q = quiz.get("01-origins").questions[0]
        page.evaluate(SCROLL_TO, "quiz.show(")
        expect(page.get_by_role("button", name=f"{q.options[0]}", exact=True)).to_be_visible(
            timeout=30_000)
        browser.close()

    outside = {urlparse(u).hostname for u in requests} - {"127.0.0.1"}
    outside.discard(None)  # data: and blob: URLs
    assert not outside, f"the page asked for addresses outside this computer: {outside}"


# What a trainee meets on a common laptop screen, and on the same screen at 200% zoom
# (the browser then lays the page out in half the CSS pixels, each drawn twice as big).
SIZES = [
    pytest.param({"width": 1366, "height": 768}, 1, id="1366x768"),
    pytest.param({"width": 683, "height": 384}, 2, id="1366x768-at-200%"),
]
TRAINEE_CONFIG = ROOT / "toolkit" / "jupyterlab" / "trainee"
# Anything of nbgrader's a trainee must not meet.
NBGRADER = re.compile(r"nbgrader|formgrader|create assignment|assignment list|course list",
                      re.IGNORECASE)

# Every label in the main menu (menus that do not fit the bar included) and in the
# side panels, read from JupyterLab itself; and the notebook toolbar, the items that
# do not fit included (JupyterLab keeps those in a pop-up of the toolbar).
SEEN = """() => {
    const app = window.jupyterapp, menus = [], panels = [], toolbar = [];
    const walk = (menu, where, depth) => {
        for (const item of menu.items) {
            const label = item.type === 'submenu' ? item.submenu.title.label : item.label;
            if (label) menus.push(`${where} > ${label}`);
            if (item.type === 'submenu' && depth < 4) walk(item.submenu, `${where} > ${label}`, depth + 1);
        }
    };
    for (const bar of app.shell.widgets('menu'))
        for (const menu of bar.menus || []) { menus.push(menu.title.label); walk(menu, menu.title.label, 0); }
    for (const side of ['left', 'right'])
        for (const panel of app.shell.widgets(side))
            panels.push(`${side}: ${panel.title.label} ${panel.title.caption}`);
    for (const el of document.querySelectorAll(
            '.lm-MenuBar-itemLabel, .jp-SideBar .lm-TabBar-tab'))
        (el.closest('.jp-SideBar') ? panels : menus).push(`${el.innerText} ${el.title}`);
    const panel = app.shell.currentWidget;
    for (const el of document.querySelectorAll(
            '.jp-NotebookPanel-toolbar [data-jp-item-name], .jp-Toolbar-responsive-popup [data-jp-item-name]'))
        if (panel.node.contains(el) || el.closest('.jp-Toolbar-responsive-popup'))
            toolbar.push(`${el.getAttribute('data-jp-item-name')}: ${el.innerText.trim()} `
                + Array.from(el.querySelectorAll('[title]'), t => t.title).join(' ') + ` ${el.title}`);
    return {menus, panels, toolbar};
}"""

# Whether a button (or label) shows its whole text: nothing in it is wider or taller
# than its box, no text is cut with an ellipsis, and it does not stick out of the output.
CUT = """(el) => {
    const problems = [];
    for (const e of [el, ...el.querySelectorAll('*')]) {
        const name = e === el ? 'the button' : `its <${e.tagName.toLowerCase()}>`;
        if (e.scrollWidth > e.clientWidth + 1)
            problems.push(`${name} is ${e.scrollWidth}px wide inside ${e.clientWidth}px`);
        if (e.scrollHeight > e.clientHeight + 1)
            problems.push(`${name} is ${e.scrollHeight}px tall inside ${e.clientHeight}px`);
        const style = getComputedStyle(e);
        if (style.textOverflow === 'ellipsis' && e.scrollWidth > e.clientWidth)
            problems.push(`${name} ends in an ellipsis`);
    }
    const box = el.getBoundingClientRect();
    const output = el.closest('.jp-OutputArea-output').getBoundingClientRect();
    if (box.right > output.right + 1 || box.left < output.left - 1)
        problems.push(`it runs from x=${box.left} to ${box.right}, outside its output`
                      + ` (${output.left} to ${output.right})`);
    return {text: el.innerText.replace(/\\s+/g, ' ').trim(), problems};
}"""

FOCUS = """(el) => ({inside: el.contains(document.activeElement),
                    body: document.activeElement === document.body,
                    what: (document.activeElement.outerHTML || '').slice(0, 160)})"""
WATCH_KERNEL = """() => {
    window.kernelStatuses = [];
    window.jupyterapp.shell.currentWidget.sessionContext.statusChanged.connect(
        (_, status) => window.kernelStatuses.push(status));
}"""
RESTARTED = """() => window.kernelStatuses.includes('restarting')
    && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status === 'idle'"""
SAVED = """() => !window.jupyterapp.shell.currentWidget.context.model.dirty"""


def output_of(page, source: str):
    """The output area of the code cell whose source holds ``source``."""
    cell = page.locator(".jp-CodeCell").filter(
        has=page.locator(".jp-InputArea", has_text=source))
    return cell.locator(".jp-OutputArea")


def assert_whole_labels(button_list, expected: list[str], where: str) -> None:
    """Each button shows its whole label, and the labels are ``expected`` in order."""
    seen = []
    for i in range(button_list.count()):
        button = button_list.nth(i)
        button.scroll_into_view_if_needed()
        shown = button.evaluate(CUT)
        assert not shown["problems"], \
            f"{where}: the label {shown['text']!r} is cut off: {'; '.join(shown['problems'])}"
        seen.append(shown["text"])
    assert seen == expected, f"{where}: the buttons say {seen}, not {expected}"


def assert_focus_kept(page, output, when: str) -> None:
    """The keyboard focus comes to rest inside ``output`` (not on the page itself)."""
    handle = output.element_handle()
    focus, settled = None, 0
    for _ in range(60):  # up to about 15 seconds for the kernel to answer
        focus = page.evaluate(FOCUS, handle)
        settled = settled + 1 if focus["inside"] else 0
        if settled >= 3:  # still there after half a second
            return
        page.wait_for_timeout(250)
    assert False, (f"{when}, the keyboard focus left the scenario: it is on "
                   f"{'the page itself (body)' if focus['body'] else focus['what']}")


@pytest.mark.parametrize(("viewport", "scale"), SIZES)
def test_module_1_for_a_trainee(tmp_path, viewport, scale):
    """Module 1 in a trainee's own copy, as `make lab` serves it, at a laptop size and at 200%."""
    from playwright.sync_api import expect, sync_playwright

    from coproduction import quiz, scenario
    from coproduction.journal import Journal

    estate = scenario.get("estate-asb")
    opening = scenario.start(estate)
    first = scenario.available(opening)[0]
    route = min(scenario.paths(estate), key=len)
    check = quiz.get("01-origins")
    quiz_buttons = [label for q in check.questions
                    for label in (q.options if q.kind == "choice" else ["Check my sorting"])]
    sort_items = [item.text for q in check.questions if q.kind == "sort" for item in q.items]

    # The trainee's own copy, made as `make lab` makes it, and a journal of this test's own.
    work = tmp_path / "my-course"
    subprocess.run([Path(sys.executable).parent / "coproduction", "workspace", str(work)],
                   check=True, capture_output=True)
    journal = tmp_path / "journal.sqlite"
    env = {"JUPYTER_CONFIG_PATH": str(TRAINEE_CONFIG), "COPRODUCTION_JOURNAL": str(journal)}
    shots = iter(range(1, 100))

    def shot(name: str) -> None:
        page.screenshot(path=str(tmp_path / f"{next(shots):02d}-{name}.png"))

    requests = []
    with jupyterlab(work, tmp_path, env) as (url, token), sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=viewport, device_scale_factor=scale)
        page.on("request", lambda r: requests.append(r.url))
        open_notebook(page, url, token, "modules/01-origins.ipynb")
        shot("opened")

        # 1. The trainee view: none of nbgrader's tools in the menus, side panels or toolbar.
        seen = page.evaluate(SEEN)
        assert "Kernel" in seen["menus"] and any("File Browser" in p for p in seen["panels"]) \
            and any(t.startswith("save:") for t in seen["toolbar"]), f"nothing read: {seen}"
        assert not [m for m in seen["menus"] if NBGRADER.search(m)], \
            f"nbgrader in a trainee's menus: {[m for m in seen['menus'] if NBGRADER.search(m)]}"
        assert not [p for p in seen["panels"] if NBGRADER.search(p)], \
            f"nbgrader in a trainee's side panels: {seen['panels']}"
        assert not [t for t in seen["toolbar"] if re.search(r"validate", t, re.IGNORECASE)], \
            f"a Validate button on a trainee's notebook toolbar: {seen['toolbar']}"
        assert page.request.get(f"{url}/formgrader?token={token}").status == 404, \
            "the formgrader is served to a trainee"

        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        page.wait_for_function(ALL_RUN, timeout=120_000)

        # 2. Every label is shown whole: the self-check's buttons and its sorting items.
        page.evaluate(SCROLL_TO, "quiz.show(")
        checker = output_of(page, "quiz.show(")
        expect(checker.get_by_role("button", name="Check my sorting").first).to_be_visible(
            timeout=30_000)
        shot("self-check")
        assert_whole_labels(checker.locator("button.jupyter-button"), quiz_buttons,
                            "In the self-check")
        assert_whole_labels(checker.locator(".widget-dropdown > .widget-label"), sort_items,
                            "In the self-check's sorting questions")

        page.evaluate(SCROLL_TO, "scenario.play(")
        player = output_of(page, "scenario.play(")
        choices = player.locator("button.jupyter-button:visible").filter(
            has_not_text=re.compile(r"^(Step back|Restart)$"))
        hint = player.locator(".coproduction-rerun-hint")
        expect(player.get_by_role("button", name=first.label, exact=True)).to_be_visible(
            timeout=60_000)
        expect(hint).to_be_attached()
        expect(hint).to_be_hidden()  # hidden while the player is drawn

        def choose(state, choice_id: str):
            """Check the choices on offer, take one from the keyboard, check what follows."""
            offered = scenario.available(state)
            where = f"At decision {len(state.history) + 1}"
            assert_whole_labels(choices, [c.label for c in offered], where)
            label = next(c.label for c in offered if c.id == choice_id)
            button = player.get_by_role("button", name=label, exact=True)
            button.focus()
            page.keyboard.press("Enter")
            # 3. What the choice led to is on screen, where the trainee is looking.
            feedback = player.get_by_text(f"You chose: {label}", exact=True)
            expect(feedback).to_be_visible(timeout=30_000)
            expect(feedback).to_be_in_viewport()
            # 4. The keyboard focus stays in the player.
            assert_focus_kept(page, player, f"{where}, after choosing {label!r} by keyboard")
            after = scenario.choose(state, choice_id)
            if after.node.title:
                expect(player.get_by_role("heading", name=after.node.title)).to_be_visible()
            return after

        def restart():
            # Matched by its text: the icon's glyph is part of the button's accessible name.
            button = player.locator("button").filter(has_text=re.compile(r"^Restart$"))
            button.focus()
            page.keyboard.press("Enter")
            expect(player.get_by_text("Decision 1 (up to", exact=False)).to_be_visible(
                timeout=30_000)
            assert_focus_kept(page, player, "After pressing Enter on Restart")
            return scenario.start(estate)

        state = choose(opening, first.id)
        shot("first-choice")
        expect(player.get_by_role("button", name="Step back")).to_be_enabled()
        state = restart()

        # A whole route, the shortest, to its ending, all from the keyboard.
        for choice_id in route:
            state = choose(state, choice_id)
        assert state.finished
        expect(player.get_by_text("saved in your journal")).to_be_visible()
        shot("ending")

        # 5. Part-way through again, then the kernel restarts: running the cell again
        # carries on from where the trainee was, not from the opening.
        state = restart()
        for choice_id in route[:2]:
            state = choose(state, choice_id)
        page.evaluate(WATCH_KERNEL)
        # Not awaited: the command finishes only once its dialog is answered, below.
        page.evaluate("() => { window.jupyterapp.commands.execute('kernelmenu:restart'); }")
        page.locator(".jp-Dialog-button", has_text="Restart").click()
        page.wait_for_function(RESTARTED, timeout=60_000)
        page.evaluate(SCROLL_TO, "scenario.play(")
        shot("kernel-restarted")
        cell = page.locator(".jp-CodeCell").filter(
            has=page.locator(".jp-InputArea", has_text="scenario.play("))
        cell.locator(".jp-InputArea-editor .cm-content").click()
        page.keyboard.press("Shift+Enter")
        expect(player.get_by_text("you carry on from decision 3")).to_be_visible(timeout=60_000)
        expect(player.get_by_text("Decision 3 (up to", exact=False)).to_be_visible()
        if state.node.title:
            expect(player.get_by_role("heading", name=state.node.title)).to_be_visible()
        assert_whole_labels(choices, [c.label for c in scenario.available(state)],
                            "After running the cell again")
        expect(hint).to_be_hidden()
        shot("carried-on")

        # Saved, and opened again: where the player was, the note says to run the cell.
        page.evaluate("window.jupyterapp.commands.execute('docmanager:save')")
        page.wait_for_function(SAVED, timeout=30_000)
        # As on another day: the kernel has gone (with a live kernel JupyterLab would
        # simply draw the widgets again, and the note would rightly stay hidden).
        page.evaluate("() => window.jupyterapp.shell.currentWidget.sessionContext.shutdown()")
        page.reload()
        page.wait_for_function("window.jupyterapp && document.querySelector('.jp-Notebook')",
                               timeout=60_000)
        page.evaluate(SCROLL_TO, "scenario.play(")
        hint = output_of(page, "scenario.play(").locator(".coproduction-rerun-hint")
        expect(hint).to_be_visible(timeout=30_000)
        expect(hint).to_contain_text("run this cell again")
        hint.scroll_into_view_if_needed()
        shot("reopened")
        browser.close()

    # The route played to its ending is in the journal, and the unfinished play's progress.
    kept = Journal(journal)
    ended = [e.detail["path"] for e in kept.entries("scenario") if e.subject == estate.id]
    assert [[c for _node, c in path] for path in ended] == [list(route)]
    assert kept.progress(estate.id) == list(route[:2])

    outside = {urlparse(u).hostname for u in requests} - {"127.0.0.1"}
    outside.discard(None)  # data: and blob: URLs
    assert not outside, f"the page asked for addresses outside this computer: {outside}"


CELLS = """() => window.jupyterapp.shell.currentWidget.content.widgets.map(
    c => [c.model.type, c.model.sharedModel.getSource()])"""


def test_a_written_answer_typed_as_the_exercise_says(tmp_path):
    """The exercise's instruction for a written answer, followed literally: double-click the
    answer cell, click inside its text box, delete `YOUR ANSWER HERE`, type. The sentence
    lands in that cell, and no keystroke runs a notebook command (no cells added, changed
    into raw cells or deleted)."""
    from playwright.sync_api import expect, sync_playwright

    course = tmp_path / "course"
    shutil.copytree(ROOT / "exercises", course / "exercises")
    sentence = "Our team closed the drop-in; Assets: we never asked what tenants knew."
    env = {"JUPYTER_CONFIG_PATH": str(TRAINEE_CONFIG)}
    with jupyterlab(course, tmp_path, env) as (url, token), sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.goto(f"{url}/lab/tree/exercises/01-origins/origins.ipynb?token={token}")
        page.wait_for_function("window.jupyterapp && document.querySelector('.jp-Notebook')",
                               timeout=60_000)
        page.wait_for_function(
            "window.jupyterapp.shell.currentWidget?.content?.widgets?.length > 5",
            timeout=60_000)
        before = page.evaluate(CELLS)
        index = max(i for i, (kind, text) in enumerate(before)
                    if kind == "markdown" and text.strip() == "YOUR ANSWER HERE")
        page.evaluate("""async (i) => {
            const nb = window.jupyterapp.shell.currentWidget.content;
            await nb.scrollToItem(i, 'center');
        }""", index)
        cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
        expect(cell).to_contain_text("YOUR ANSWER HERE")
        cell.dblclick()
        cell.locator(".jp-InputArea-editor .cm-content").click()
        page.keyboard.press("Control+a")
        page.keyboard.press("Delete")
        page.keyboard.type(sentence)
        page.screenshot(path=str(tmp_path / "typed.png"))
        after = page.evaluate(CELLS)
        browser.close()

    assert len(after) == len(before), "typing added or removed cells"
    assert [k for k, _ in after] == [k for k, _ in before], "typing changed a cell's type"
    assert after[index] == ("markdown", sentence) or after[index] == ["markdown", sentence]
    others = [c for i, c in enumerate(after) if i != index]
    assert others == [c for i, c in enumerate(before) if i != index]
