"""The accessibility audit's tools: axe-core in the page, scoped to the course's widgets,
and the keyboard moves a trainee who uses no mouse makes.

axe-core's script comes inside the ``axe-playwright-python`` package and is put
into the page from disk: nothing is fetched. The audit checks the rules of
WCAG 2.0, 2.1 and 2.2 at levels A and AA.
"""

from __future__ import annotations

from collections import Counter

from coproduction.widgetkit import WIDGET_CLASS

WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
COURSE = f".{WIDGET_CLASS}"


def axe_run(page, context) -> list[dict]:
    """axe-core's violations of WCAG 2.2 AA in ``context`` (an axe context object)."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": WCAG_AA},
               "resultTypes": ["violations"]}
    return Axe().run(page, context, options).response["violations"]


def audit_course(page) -> list[dict]:
    """Violations inside the course's own widgets on the page (each carries WIDGET_CLASS)."""
    if not page.locator(COURSE).count():
        raise AssertionError("no course widget is on the page to audit")
    return axe_run(page, {"include": [[COURSE]]})


def audit_shell(page) -> list[dict]:
    """Violations in the rest of the page: JupyterLab's or Voilà's own shell, not the course's."""
    return axe_run(page, {"exclude": [[COURSE]]})


def by_rule(violations: list[dict]) -> dict[str, int]:
    """How many elements break each rule, by axe rule id."""
    counts: Counter = Counter()
    for v in violations:
        counts[v["id"]] += len(v["nodes"])
    return dict(sorted(counts.items()))


def explain(violations: list[dict], where: str) -> str:
    """The violations as plain sentences: rule, what it asks, and the elements that break it."""
    lines = [f"{where}: {sum(by_rule(violations).values())} element(s) break WCAG 2.2 AA rules"]
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:5]:
            lines.append(f"    {node['target']}: {node['html'][:160]}")
            lines.append(f"      {node['failureSummary'].splitlines()[-1].strip()}")
    return "\n".join(lines)


# -- the keyboard -------------------------------------------------------------

FOCUSED = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const style = getComputedStyle(el), box = el.getBoundingClientRect();
    return {tag: el.tagName.toLowerCase(), text: (el.innerText || '').replace(/\\s+/g, ' ').trim(),
            label: el.labels && el.labels.length ? el.labels[0].innerText.trim() : '',
            inCourse: !!el.closest('%s'),
            outline: [style.outlineStyle, parseFloat(style.outlineWidth), style.outlineColor],
            shadow: style.boxShadow,
            // Not entirely hidden (WCAG 2.4.11): part of it is on screen, and what is
            // drawn in the middle of that part is the control itself.
            inView: (() => {
                const top = Math.max(box.top, 0), bottom = Math.min(box.bottom, innerHeight);
                const left = Math.max(box.left, 0), right = Math.min(box.right, innerWidth);
                return bottom > top && right > left && el.contains(
                    document.elementFromPoint((left + right) / 2, (top + bottom) / 2));
            })()};
}""" % COURSE


def focused(page) -> dict | None:
    """What has the keyboard focus: its tag, text, label, and how the focus is shown."""
    return page.evaluate(FOCUSED)


def assert_focus_shown(where: dict) -> None:
    """The focused control shows a visible focus ring (WCAG 2.4.7) and is on screen (2.4.11)."""
    style, width, _colour = where["outline"]
    assert (style not in ("none", "hidden") and width >= 2) or where["shadow"] not in ("none", ""), \
        f"the keyboard focus on {where['text'] or where['label']!r} is not shown: {where}"
    assert where["inView"], \
        f"the focused {where['text'] or where['label']!r} is off screen or covered: {where}"


def tab_to(page, wanted: str, *, tag: str = "button", back: bool = False,
           most: int = 250) -> dict:
    """Press Tab (Shift+Tab if ``back``) until the focus is on the course control whose
    text (or label) is ``wanted``."""
    seen = []
    for _ in range(most):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        where = focused(page)
        if where and where["inCourse"] and where["tag"] == tag and wanted in (
                where["text"], where["label"]):
            for _ in range(20):  # the browser may still be scrolling it into view
                if where["inView"]:
                    break
                page.wait_for_timeout(100)
                where = focused(page)
            assert_focus_shown(where)
            return where
        seen.append(where and (where["text"] or where["label"] or where["tag"])[:40])
    raise AssertionError(f"Tab never reached {wanted!r}; it went through {seen[-30:]}")
