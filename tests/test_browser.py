"""Module 1 in a real browser: JupyterLab on 127.0.0.1, the scenario played from the keyboard.

Needs Chromium (CI installs it; elsewhere the test is skipped if it is missing).
Also checks that the page asks nothing of any address but 127.0.0.1.
"""

from __future__ import annotations

import os
import shutil
from urllib.parse import urlparse

import pytest

from browser import CHROMIUM, CHROMIUM_ARGS, jupyterlab
from conftest import ROOT

pytestmark = pytest.mark.slow

if not CHROMIUM:
    if os.environ.get("CI"):
        raise RuntimeError("Chromium is needed for the browser tests in CI (.ci/run installs it)")
    pytest.skip("Chromium is not installed", allow_module_level=True)


ALL_RUN = """() => window.jupyterapp.shell.currentWidget.content.widgets.every(
    c => c.model.type !== 'code' || c.model.executionCount)"""
SCROLL_TO = """async (text) => {
    const nb = window.jupyterapp.shell.currentWidget.content;
    const i = nb.widgets.findIndex(c => c.model.sharedModel.getSource().includes(text));
    nb.activeCellIndex = i;
    await nb.scrollToItem(i + 1, 'start');
}"""


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
