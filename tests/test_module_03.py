"""Module 3, levels of involvement: the self-check knows the facts, the engagement record has
the patterns the module asks trainees to find, and the scenario keeps its promises."""

from __future__ import annotations

import json

import pytest

from coproduction import data, quiz, scenario
from conftest import ROOT

RULE = {"explained how the service works": "Educating", "told of decision": "Informing",
        "choose between preset options": "Consultation", "comment on draft": "Consultation",
        "define the problem": "Engagement", "design options together": "Co-design"}
LADDER = ["Coercion", "Educating", "Informing", "Consultation", "Engagement", "Co-design",
          "Co-production"]


def rung(asked: str, budget_share: float) -> str:
    """The data card's rule, written out again independently of the assignment."""
    if asked == "decide and deliver together":
        return "Co-production" if budget_share > 0 else "Co-design"
    return RULE[asked]


@pytest.fixture(scope="module")
def activities():
    frame = data.load("engagement_activities")
    frame["rung"] = [rung(a, b) for a, b in zip(frame["asked"], frame["budget_share_pct"])]
    return frame


# Answers from the course brief's "Facts for self-checks".
KNOWN_ANSWERS = {
    "arnstein-top": "Citizen Control",
    "placation-group": "Tokenism",
    "tlap-between": "Co-design",
    "vote-options": "Consultation",
    "tlap-lowest": "Coercion",
}


def test_self_check_knows_the_facts():
    check = quiz.get("03-involvement")
    by_id = {q.id: q for q in check.questions}
    for qid, answer in KNOWN_ANSWERS.items():
        assert by_id[qid].mark(answer).correct, qid
    assert len(check.questions) >= 6
    assert sum(q.kind == "sort" for q in check.questions) >= 1


def test_lundy_sort_uses_the_four_elements():
    [sort] = [q for q in quiz.get("03-involvement").questions if q.id == "lundy-sort"]
    assert list(sort.categories) == ["Space", "Voice", "Audience", "Influence"]


def test_the_rule_places_every_activity(activities):
    assert set(activities["asked"]) <= set(RULE) | {"decide and deliver together"}
    assert activities["rung"].isin(LADDER).all()


def test_most_activities_sit_at_consultation_or_below(activities):
    low = activities["rung"].isin(["Educating", "Informing", "Consultation"]).mean()
    assert 0.5 < low < 0.9
    assert (activities["rung"] == "Co-production").sum() >= 2


def test_feedback_is_missing_most_often_where_most_people_are_asked(activities):
    told = activities.groupby("rung")["feedback_given"].mean()
    assert told["Consultation"] < told["Co-design"]
    assert activities["feedback_given"].mean() < 0.75


def test_higher_rungs_reach_fewer_people_but_change_more(activities):
    size = activities.groupby("rung")["participants"].median()
    assert size["Consultation"] > size["Co-design"]
    changed = activities["decision_influenced"].isin(["major change", "service redesigned"])
    share = changed.groupby(activities["rung"]).mean()
    assert share["Co-design"] > share["Consultation"]


def test_budget_is_rarely_shared(activities):
    assert (activities["budget_share_pct"] > 0).mean() < 0.25
    assert activities["budget_share_pct"].between(0, 100).all()


def test_the_youth_service_is_in_the_record(activities):
    youth = activities[activities["service"] == "youth"]
    assert len(youth) >= 10 and (youth["who_took_part"] == "young people").all()


def test_the_scenario_keeps_its_promises():
    s = scenario.get("youth-service")
    text = " ".join([n.text for n in s.nodes.values()] +
                    [c.feedback + " " + c.label for n in s.nodes.values() for c in n.choices])
    # the legal duty, named accurately, and safeguarding for the panel
    assert "section 507B of the Education Act 1996" in text
    assert "DBS" in text and "consent" in text
    # choices stand on several rungs, low ones included
    rungs = {c.rung for n in s.nodes.values() for c in n.choices}
    assert {"informing", "consultation", "co-design", "co-production"} <= rungs
    assert sum(1 for n in s.nodes.values() if n.choices) >= 5


def test_the_assignment_loads_the_record_and_is_released_without_answers():
    released = json.loads((ROOT / "exercises" / "03-involvement" / "involvement.ipynb")
                          .read_text(encoding="utf-8"))
    source = "".join("".join(c["source"]) for c in released["cells"])
    assert 'data.load("engagement_activities")' in source
    assert "BEGIN SOLUTION" not in source and "BEGIN HIDDEN TESTS" not in source
