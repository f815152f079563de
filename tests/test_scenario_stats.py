"""Scenario statistics for authors: routes, endings, and endings that contradict a route."""

from __future__ import annotations

import re

from coproduction.scenario import load
from coproduction.scenario.stats import stats
from conftest import STATEFUL_SCENARIO


def test_counts_every_route_and_ending(stateful_scenario):
    found = stats(stateful_scenario)
    assert (found.decision_points, found.routes, found.shortest, found.longest) == (2, 7, 2, 2)
    assert found.complete and found.contradicting == []
    by_id = {e.node_id: e for e in found.endings}
    assert by_id["good"].routes == 1 and by_id["good"].mean_stance == 2.0
    assert by_id["middle"].routes == 2 and sorted(by_id["middle"].stances) == [0.5, 1.0]
    assert by_id["bad"].routes == 4
    assert sum(e.routes for e in found.endings) == found.routes


def test_report_is_plain_text(stateful_scenario):
    text = stats(stateful_scenario).report()
    assert "decision points: 2" in text
    assert "routes from start to an ending: 7, 2 to 2 decisions long" in text
    assert "good" in text and "+2.00 (+2.00 to +2.00)" in text
    assert "no route's ending contradicts its mean stance" in text


def test_contradicting_routes_are_listed(write):
    text = STATEFUL_SCENARIO.replace(
        "      - id: close\n        label: Close the case\n        next: bad",
        "      - id: close\n        label: Close the case\n        next: good")
    found = stats(load(write(text)))
    routes = sorted(route for route, _mean, _kind in found.contradicting)
    # closing after the meeting (mean 0), the presentation (-1) or the patrol (-2) ends partner
    assert routes == [["meet", "close"], ["patrol", "close"], ["present", "close"]]
    assert "routes whose ending contradicts their mean stance: 3" in found.report()
    assert "meet > close: mean +0.00, ends partner" in found.report()


def test_an_unreached_ending_is_reported(write):
    text = STATEFUL_SCENARIO + "  - id: spare\n    text: Spare.\n    ending: mixed\n"
    report = stats(load(write(text))).report()
    assert "spare" in report and "never reached" in report


def test_coverage_counts_decision_points_not_choices(write, stateful_scenario):
    from coproduction.scenario.stats import coverage

    # Two choices at the first decision point stand on Engagement: it counts once.
    text = STATEFUL_SCENARIO.replace("        stance: 2\n        values: {assets: 2}",
                                     "        stance: 2\n        values: {assets: 2}\n"
                                     "        rung: engagement").replace(
        "        stance: 0\n        values: {respect: 0}",
        "        stance: 0\n        values: {respect: 0}\n        rung: engagement")
    tally = coverage([load(write(text)), stateful_scenario])
    assert tally.rungs["engagement"] == 1
    assert tally.rungs["co-design"] == 0 and "coercion" not in tally.rungs
    # a value counts where some choice moves it: respect is moved at the second decision
    # point only (the first has respect: 0), so twice in the two copies, not four times
    assert tally.values["assets"] == 4 and tally.values["respect"] == 2
    assert "Redefining work" in tally.short_of(1) and "Engagement" not in tally.short_of(1)
    assert re.search(r"Engagement +1\n", tally.report())
