"""Module 1 as an app (`coproduction app 1`, Voilà) in a real browser, played by clicking.

The page must show the reading and the live scenario with no code and no
JupyterLab-only instructions, play to an ending by mouse, keep the route in
the trainee's own journal, and ask nothing of any address but 127.0.0.1.
"""

from __future__ import annotations

import subprocess
from urllib.parse import urlparse

import pytest

from browser import CHROMIUM, CHROMIUM_ARGS, free_port, require_chromium, voila_app
from grading_helpers import BIN, ENV

pytestmark = pytest.mark.slow

require_chromium()


def test_module_1_as_an_app(tmp_path):
    from playwright.sync_api import expect, sync_playwright

    from coproduction import scenario
    from coproduction.journal import Journal

    estate = scenario.get("estate-asb")
    route = min(scenario.paths(estate), key=len)
    folder, home = tmp_path / "my-course", tmp_path / "home"
    home.mkdir()
    port = free_port()
    requests = []
    with voila_app("1", folder, home, port) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.on("request", lambda r: requests.append(r.url))
        page.goto(f"{url}/voila/render/01-origins.ipynb", timeout=180_000)
        expect(page.get_by_role("heading", name="Module 1: Where co-production comes from",
                                exact=False)).to_be_visible(timeout=120_000)
        # No code, and no instructions that only make sense in JupyterLab.
        code = ".jp-CodeCell .jp-InputArea-editor:visible, .jp-CodeMirrorEditor:visible"
        assert page.locator(code).count() == 0
        expect(page.get_by_text("How to use this notebook")).to_be_hidden()
        assert "scenario.play(" not in page.inner_text("body")

        state = scenario.start(estate)
        for choice_id in route:
            label = next(c.label for c in scenario.available(state) if c.id == choice_id)
            button = page.get_by_role("button", name=label, exact=True)
            expect(button).to_be_visible(timeout=60_000)
            button.click()
            expect(page.get_by_text(f"You chose: {label}", exact=True)).to_be_visible(
                timeout=30_000)
            state = scenario.choose(state, choice_id)
        assert state.finished
        expect(page.get_by_text("Your route and its ending are saved in your journal",
                                exact=False)).to_be_visible(timeout=60_000)
        page.screenshot(path=str(tmp_path / "app-ending.png"))
        browser.close()

    journal = Journal(folder / "modules" / "coproduction-journal.sqlite")
    ended = [e.detail["path"] for e in journal.entries("scenario") if e.subject == estate.id]
    assert [[c for _node, c in path] for path in ended] == [list(route)]

    outside = {urlparse(u).hostname for u in requests} - {"127.0.0.1"}
    outside.discard(None)  # data: and blob: URLs
    assert not outside, f"the page asked for addresses outside this computer: {outside}"


def test_an_unknown_module_is_a_plain_error(tmp_path):
    done = subprocess.run([str(BIN / "coproduction"), "app", "9", "--folder",
                           str(tmp_path / "c")], env=ENV, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 1
    assert "There is no module called '9'" in done.stderr and "01-origins" in done.stderr
    assert "Traceback" not in done.stderr
