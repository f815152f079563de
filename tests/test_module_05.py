"""Module 5, housing: redefining the problem. The self-check knows the law, the repair cases have
the patterns the module asks trainees to find, the scenario keeps its promises, and the
assignment recomputes from the data and is released without answers."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from coproduction import data, quiz, scenario
from coproduction.scenario import paths, play_through
from coproduction.scenario.engine import available, start
from conftest import ROOT, notebook_text

CAUSES = {"leak", "rising damp", "ventilation", "cold walls", "heating"}
TP06 = ["very satisfied", "fairly satisfied", "neither", "fairly dissatisfied", "very dissatisfied"]
TP08 = ["strongly agree", "agree", "neither", "disagree", "strongly disagree"]
# England's bank holidays in the winter the cases cover.
HOLIDAYS = ["2025-12-25", "2025-12-26", "2026-01-01", "2026-04-03", "2026-04-06"]


@pytest.fixture(scope="module")
def cases():
    return data.load("repair_cases")


# ---------------------------------------------------------------- self-check
# Answers from the course brief (CONTENT.md): Awaab's Law and the Ombudsman's spotlight.
KNOWN_ANSWERS = {
    "awaab-investigate": "10 working days",
    "which-homes": "Social housing in England: homes rented from councils and housing associations",
    "awaab-dates": "The inspection was in time, but the summary was late",
}


def test_self_check_knows_the_law():
    check = quiz.get("05-housing")
    by_id = {q.id: q for q in check.questions}
    for qid, answer in KNOWN_ANSWERS.items():
        assert by_id[qid].mark(answer).correct, qid
    assert not by_id["awaab-investigate"].mark("24 hours").correct
    assert not by_id["awaab-investigate"].mark("14 calendar days").correct
    [spotlight] = [o for o in by_id["ombudsman"].options if by_id["ombudsman"].mark(o).correct]
    assert "56%" in spotlight and "410" in spotlight
    assert "inaction, excessive delay and poor communication" in spotlight
    [emergency] = [o for o in by_id["emergency"].options if by_id["emergency"].mark(o).correct]
    assert "24 hours" in emergency
    ladder = by_id["ladder-sort"]
    assert list(ladder.categories) == ["Informing", "Consultation", "Co-design", "Co-production"]
    assert ladder.mark_item(
        "A tenant panel holds the damp case records, writes the policy with staff, and checks the "
        "figures every quarter, with the power to call for changes.", "Co-production").correct
    assert len(check.questions) >= 6
    assert sum(q.kind == "sort" for q in check.questions) >= 1


def test_the_dates_question_counts_working_days_correctly():
    """Mr Osei: rang Monday 2 March 2026, inspected Friday 13 March, summary Friday 20 March."""
    holidays = np.array(HOLIDAYS, dtype="datetime64[D]")
    # working days after the call up to and including the inspection, and after the inspection
    # up to and including the summary (no bank holidays fall in between)
    to_inspect = int(np.busday_count("2026-03-03", "2026-03-14", holidays=holidays))
    to_summary = int(np.busday_count("2026-03-16", "2026-03-21", holidays=holidays))
    assert to_inspect <= 10 and to_summary > 3
    # and however the first day is counted, the answer is the same
    assert int(np.busday_count("2026-03-02", "2026-03-14")) <= 10
    assert int(np.busday_count("2026-03-13", "2026-03-21")) > 3




# ------------------------------------------------------------------ dataset
def test_cases_are_well_formed(cases):
    assert list(cases["case"]) == [f"RC{i:03d}" for i in range(1, 601)]
    assert cases["reported"].is_monotonic_increasing
    assert cases["reported"].min() >= "2025-11-03" and cases["reported"].max() <= "2026-04-30"
    reported = pd.to_datetime(cases["reported"])
    assert (reported.dt.day_of_week < 5).all(), "reports are made on working days"
    assert not reported.isin(pd.to_datetime(HOLIDAYS)).any()
    assert cases["build_year"].between(1890, 2019).all()
    assert set(cases["property_type"]) == {"house", "flat", "maisonette"}
    assert cases["occupants"].between(1, 8).all()
    assert set(cases["inspected_by"]) == {"repairs contractor", "in-house surveyor"}
    assert (cases["working_days_to_inspect"] >= 1).all()
    assert (cases["working_days_to_summary"] >= 0).all()
    assert set(cases["landlord_cause"]) == CAUSES | {"lifestyle"}
    assert set(cases["surveyor_cause"]) == CAUSES | {"no defect found"}
    assert set(cases["response"]) == {"advice only", "mould wash only", "works done"}
    assert cases["repeat_reports"].between(0, 6).all()
    assert set(cases["tp06_listens"]) == set(TP06) | {"no reply"}
    assert set(cases["tp08_fair_respect"]) == set(TP08) | {"no reply"}
    # one call: a household that did not reply answered neither question
    assert ((cases["tp06_listens"] == "no reply") == (cases["tp08_fair_respect"] == "no reply")).all()


def test_lifestyle_labels_mostly_sit_on_a_fault_in_the_building(cases):
    lifestyle = cases["landlord_cause"] == "lifestyle"
    assert 0.3 <= lifestyle.mean() <= 0.5, "about two cases in five"
    fault = cases["surveyor_cause"] != "no defect found"
    assert 0.65 <= fault[lifestyle].mean() <= 0.85, "about three in four of them"
    # a visible leak or rising damp is seldom called lifestyle
    water = cases["surveyor_cause"].isin(["leak", "rising damp"])
    assert lifestyle[water].mean() < 0.1
    # and where there was no defect, the label is the usual record, so it can feel right
    assert lifestyle[~fault].mean() > 0.5


def test_the_label_clusters_with_the_contractor_and_larger_households(cases):
    lifestyle = cases["landlord_cause"] == "lifestyle"
    by_visit = lifestyle.groupby(cases["inspected_by"]).mean()
    assert by_visit["repairs contractor"] > by_visit["in-house surveyor"] + 0.15
    by_size = lifestyle.groupby(cases["occupants"].clip(upper=5)).mean()
    assert by_size[5] > by_size[[1, 2]].max() + 0.05
    mid_century = cases["build_year"].between(1945, 1979)
    assert lifestyle[mid_century].mean() > lifestyle[~mid_century].mean()


def test_repeat_reports_follow_the_cause_left_in_place(cases):
    means = cases.groupby("response")["repeat_reports"].mean()
    assert means["advice only"] > means["mould wash only"] > means["works done"]
    fault = cases["surveyor_cause"] != "no defect found"
    split = cases.groupby([fault, cases["response"]])["repeat_reports"].mean()
    # advice fits a home with no defect, and fails one with a fault
    assert split[(False, "advice only")] * 3 < split[(True, "advice only")]
    assert split[(True, "works done")] * 3 < split[(True, "advice only")]
    lifestyle = cases["landlord_cause"] == "lifestyle"
    assert cases.loc[lifestyle, "repeat_reports"].mean() > 2 * cases.loc[~lifestyle, "repeat_reports"].mean()


def test_inspections_against_the_legal_limits(cases):
    on_time = cases["working_days_to_inspect"] <= 10
    assert 0.5 <= on_time.mean() <= 0.8
    assert 0.7 <= (cases["working_days_to_summary"] <= 3).mean() <= 0.95
    month = cases["reported"].str[:7]
    by_month = on_time.groupby(month).mean()
    assert by_month.idxmin() == "2026-01", "the backlog is worst in midwinter"
    assert by_month["2026-03"] > by_month["2026-01"] + 0.2
    by_visit = on_time.groupby(cases["inspected_by"]).mean()
    assert by_visit["in-house surveyor"] > by_visit["repairs contractor"] + 0.2
    by_risk = on_time.groupby(cases["at_risk_occupant"]).mean()
    assert by_risk[True] >= by_risk[False], "households at risk wait a little less, not more"


def test_households_given_the_label_reply_less_and_feel_less_heard(cases):
    lifestyle = cases["landlord_cause"] == "lifestyle"
    replied = cases["tp06_listens"] != "no reply"
    assert 0.35 <= replied.mean() <= 0.65
    assert replied[lifestyle].mean() < replied[~lifestyle].mean() - 0.15
    answered = cases[replied]
    satisfied = answered["tp06_listens"].isin(TP06[:2])
    agree = answered["tp08_fair_respect"].isin(TP08[:2])
    label = answered["landlord_cause"] == "lifestyle"
    assert satisfied[label].mean() < satisfied[~label].mean() - 0.3
    assert agree[label].mean() < agree[~label].mean() - 0.3
    # the headline among those who replied is kinder than it would be if everyone had
    weighted = (satisfied[label].mean() * lifestyle.mean()
                + satisfied[~label].mean() * (1 - lifestyle.mean()))
    assert satisfied.mean() > weighted


# ------------------------------------------------------------------ scenario
@pytest.fixture(scope="module")
def damp():
    return scenario.get("damp-and-mould")


@pytest.fixture(scope="module")
def routes(damp):
    found = paths(damp, limit=20_000)
    assert len(found) < 10_000
    return found


def _all_text(s) -> str:
    parts = []
    for node in s.nodes.values():
        parts.append(node.text)
        parts += [extra.text for extra in node.text_if]
        for choice in node.choices or ():
            parts += [choice.label, choice.feedback]
    return " ".join(" ".join(parts).split())


def test_scenario_carries_the_law_and_the_evidence_accurately(damp):
    text = _all_text(damp)
    for needed in ("27 October 2025", "10 working days", "three working days",
                   "five working days", "becoming aware", "Housing Ombudsman", "56%", "410",
                   "inaction, excessive delay and poor communication", "It's not lifestyle",
                   "2023 guidance", "dark side", "Redefining Work", "significant hazard"):
        assert needed in text, needed
    assert "14 days" not in text and "28 days" not in text


def test_scenario_shape(damp, routes):
    assert damp.module == 5
    decision_points = [n for n in damp.nodes.values() if n.choices]
    assert len(decision_points) >= 10
    assert min(len(r) for r in routes) >= 5
    kinds = {n.ending for n in damp.nodes.values() if n.ending}
    assert kinds == {"partner", "mixed", "expert-provider"}
    rungs = {c.rung for n in decision_points for c in n.choices if c.rung}
    assert {"coercion", "informing", "consultation", "engagement", "co-design",
            "co-production"} <= rungs
    for value in ("reciprocity", "redefining_work", "social_networks", "assets", "respect"):
        assert any(c.values.get(value) for n in decision_points for c in n.choices), value
    # the expert-provider pull is there from the first decision
    assert min(c.stance for c in damp.node(damp.start).choices) == -2


def test_no_partner_ending_without_a_timely_inspection_and_the_cause_dealt_with(damp, routes):
    """Safety and the law: a partner ending needs the inspection in time, the cold corner
    insulated, no lifestyle label or condensation agreement, and nobody left waiting."""
    partner = 0
    for route in routes:
        state = play_through(damp, route)
        if state.ending != "partner":
            continue
        partner += 1
        facts = state.facts
        assert "late" not in facts and "wall-booked" in facts, route
        assert not facts & {"lifestyle", "agreement", "no-access", "late-others", "loud-wins"}, route
        assert "panel-leads" in facts, route
    assert partner > 0


BEST = ["surveyor", "explore-together", "plan-together", "both", "what-gets-in-way", "rota",
        "plan-dates", "door-knock", "extra-days", "panel-leads", "small-groups", "report-together"]


def test_endings_follow_the_whole_route(damp):
    state = play_through(damp, BEST)
    assert state.node_id == "end-partner"
    # the same last click after a panel whose most practised voices set the terms
    worn = play_through(damp, BEST[:-2] + ["let-run", "report-together"])
    assert worn.node_id == "end-worn" and "has not been back to the panel" in worn.text()
    # or after the households found at the doors were left in the queue
    queued = play_through(damp, BEST[:8] + ["queue"] + BEST[9:])
    assert queued.ending == "mixed" and "inspected late" in queued.text()
    worst = ["leaflet", "by-the-book", "close-summary", "sign-agreement", "defer-wall",
             "case-by-case", "publish"]
    state = play_through(damp, worst)
    assert state.ending == "expert-provider" and "maladministration" in state.text()


def test_partnering_costs_the_managers_backing(damp):
    """Spend all of Sue's backing and the tenant panel cannot be given the review."""
    route = ["surveyor", "explore-together", "plan-together", "both", "what-gets-in-way", "fob",
             "plan-dates", "door-knock", "extra-days"]
    state = play_through(damp, route)
    assert state.node_id == "panel" and state.measures["backing"] == 0
    assert "panel-leads" not in {c.id for c in available(state)}
    assert "spent your credit" in state.text()
    assert "panel-leads" in {c.id for c in available(play_through(damp, BEST[:9]))}
    assert start(damp).measures["backing"] == 3


# ---------------------------------------------------------------- assignment
def _solution_sources():
    nb = json.loads((ROOT / "solutions" / "05-housing" / "housing.ipynb").read_text(encoding="utf-8"))
    return {c["metadata"]["nbgrader"]["grade_id"]: "".join(c["source"]) for c in nb["cells"]}


def test_solution_answers_match_the_data(cases):
    """Run the model answers and compare them with figures worked out here, independently."""
    cells = _solution_sources()
    env = {"cases": cases.copy()}
    for gid in ("q1-answer", "q2-answer", "q3-answer", "q4-answer", "q5-answer"):
        exec(cells[gid].rsplit("### END SOLUTION", 1)[0], env)  # noqa: S102 - our own notebook
    inspect_ok = cases["working_days_to_inspect"] <= 10
    summary_ok = cases["working_days_to_summary"] <= 3
    expected = np.select([inspect_ok & summary_ok, ~inspect_ok & summary_ok, inspect_ok & ~summary_ok],
                         ["in time", "inspection late", "summary late"], "both late")
    assert list(env["cases"]["timeliness"]) == list(expected)
    assert env["in_time_pct"] == round(100 * float((inspect_ok & summary_ok).mean()), 1)
    labelled = cases[cases["landlord_cause"] == "lifestyle"]
    faults = sum(cause != "no defect found" for cause in labelled["surveyor_cause"])
    assert env["building_pct"] == round(100 * faults / len(labelled), 1)
    assert env["q5_answer"] == "d"


def test_released_copy_holds_no_answers():
    released = (ROOT / "exercises" / "05-housing" / "housing.ipynb").read_text(encoding="utf-8")
    for secret in ("BEGIN SOLUTION", "HIDDEN TESTS", 'q5_answer = "d"', 'return "both late"',
                   "Model answer", "_expected_timeliness", "expected_building"):
        assert secret not in released, secret
    nb = json.loads(released)
    assert all(c.get("outputs") == [] for c in nb["cells"] if c["cell_type"] == "code")
    assert 'data.load("repair_cases")' in "".join("".join(c["source"]) for c in nb["cells"])




# ------------------------------------------------------------ module notebook
def test_module_notebook_plays_the_scenario_and_check():
    nb = json.loads((ROOT / "modules" / "05-housing.ipynb").read_text(encoding="utf-8"))
    source = "\n".join("".join(c["source"]) for c in nb["cells"])
    assert 'scenario.play("damp-and-mould")' in source
    assert 'quiz.show("05-housing")' in source
    assert 'data.load("repair_cases")' in source and 'data.show_card("repair_cases")' in source
    prompts = [c for c in nb["cells"] if "reflect.prompt(" in "".join(c["source"])]
    assert len(prompts) >= 4
    assert all("module=5" in "".join(c["source"]) for c in prompts)
    assert "one concrete thing you will do" in "".join(prompts[-1]["source"])
    assert "journal.history()" in source


def test_module_notebook_states_the_facts_as_the_course_brief_does():
    text = notebook_text(ROOT / "modules" / "05-housing.ipynb")
    for needed in ("27 October 2025", "24 hours", "10 working days", "3 working days",
                   "410", "142", "56%", "inaction, excessive delay and poor communication",
                   "It's not lifestyle", "April 2023", "TP06", "TP08",
                   "listens to your views and acts upon them", "treats you fairly and with respect",
                   "England"):
        assert needed in text, needed
