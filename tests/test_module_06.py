"""Module 6, your organisation. The self-check knows SCIE's areas and applies them, the
self-assessment answers have the patterns the module asks trainees to find (and none that
would mislead), the scenario keeps its promises, and the assignment recomputes from the data
and is released without answers."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from coproduction import data, quiz, scenario, selfassess
from coproduction.scenario import paths, play_through
from coproduction.scenario.engine import available, start
from conftest import ROOT, notebook_text

ROLES = {"staff", "lived experience", "carer"}
TEAMS = {"Alder Road day centre", "Brook Street day centre", "Community outreach",
         "Commissioning"}


@pytest.fixture(scope="module")
def answers():
    return data.load("self_assessment")


@pytest.fixture(scope="module")
def sheet():
    return selfassess.get("organisation")


# ---------------------------------------------------------------- self-check
KNOWN_ANSWERS = {
    "scie-area": "Structure",
    "equality-power": "A shift in power: who chairs, who records, and who decides what goes forward",
    "loud-voices": "Unequal voices: the most confident or practised speakers set the direction",
    "shifted-burden": "Burdens shifted onto citizens",
}


def test_self_check_applies_scie_and_the_dark_side():
    check = quiz.get("06-organisation")
    by_id = {q.id: q for q in check.questions}
    for qid, answer in KNOWN_ANSWERS.items():
        assert by_id[qid].mark(answer).correct, qid
    assert not by_id["scie-area"].mark("Culture").correct
    [paid] = [o for o in by_id["payment"].options if by_id["payment"].mark(o).correct]
    assert "independent advice" in paid and "expenses" in paid
    [gap] = [o for o in by_id["gap"].options if by_id["gap"].mark(o).correct]
    assert "differ most" in gap
    areas = by_id["scie-sort"]
    assert list(areas.categories) == ["Culture", "Structure", "Practice", "Review"]
    assert areas.mark_item("A named budget for involving people is agreed before each project "
                           "starts.", "Structure").correct
    assert len(check.questions) >= 6
    assert sum(q.kind == "sort" for q in check.questions) >= 1


# Words that carry no hint of the answer.
_COMMON = {"what", "which", "that", "this", "with", "from", "their", "them", "they", "have",
           "does", "when", "where", "would", "each", "most", "more", "only", "before", "after"}


def test_no_answer_is_given_away_by_repeating_the_question():
    """Nothing answerable from keywords: the right option never repeats a word of four
    letters or more from the prompt that no wrong option repeats too."""
    from ruamel.yaml import YAML

    source = YAML(typ="safe").load(
        (ROOT / "toolkit" / "self-check-keys" / "06-organisation.yaml").read_text(encoding="utf-8"))
    for q in source["questions"]:
        if q["kind"] != "choice":
            continue
        prompt = {w.strip(".,:;'\"?()").lower() for w in q["prompt"].split()}
        prompt = {w for w in prompt if len(w) >= 4} - _COMMON
        right = [o for o in q["options"] if o.get("correct")]
        wrong = [o for o in q["options"] if not o.get("correct")]
        assert len(right) == 1, q["id"]
        shared = {w.strip(".,:;'\"?()").lower() for w in right[0]["text"].split()} & prompt
        for word in shared:
            assert any(word in o["text"].lower() for o in wrong), (q["id"], word)




# ------------------------------------------------------------------ dataset
def test_answers_are_well_formed_and_match_the_self_assessment(answers, sheet):
    assert list(answers.columns) == ["respondent", "team", "role", "domain", "item", "score"]
    people = answers.drop_duplicates("respondent")
    assert list(people["respondent"]) == [f"SA{i:03d}" for i in range(1, 74)]
    assert len(answers) == 73 * 20
    assert set(answers["role"]) == ROLES and set(answers["team"]) == TEAMS
    assert answers["score"].between(1, 5).all() and answers["score"].dtype.kind == "i"
    # each person answered every statement once, in the area it belongs to
    items = {item: d.id for d in sheet.domains for item in d.items}
    assert set(answers["item"]) == set(items)
    assert (answers["domain"] == answers["item"].map(items)).all()
    assert (answers.groupby("respondent")["item"].nunique() == 20).all()
    assert (answers.groupby("respondent")[["team", "role"]].nunique() == 1).all().all()
    counts = people.groupby(["team", "role"]).size()
    assert counts.min() >= 3 and counts.max() <= 9


def test_ids_say_nothing_about_team_or_role(answers):
    people = answers.drop_duplicates("respondent").reset_index(drop=True)
    first_half = people.iloc[: len(people) // 2]
    for column in ("team", "role"):
        assert first_half[column].nunique() == people[column].nunique(), column


def _means(frame, by):
    return frame.pivot_table(index=by, columns="role", values="score")


def test_staff_see_more_co_production_except_in_review(answers):
    means = _means(answers, "domain")
    gap = means["staff"] - means["lived experience"]
    for area in ("culture", "practice", "payment"):
        assert gap[area] >= 0.5, area
    assert 0 < gap["structure"] < 0.5
    assert gap["review"] < -0.2, "on review staff are harder on themselves"
    assert gap.idxmax() == "payment" and gap.idxmin() == "review"
    assert means.loc["structure"].idxmin() == "carer" and means.loc["payment"].idxmin() == "carer"


def test_the_statements_that_part_most(answers):
    by_item = _means(answers, "item")
    gap = (by_item["staff"] - by_item["lived experience"]).sort_values()
    assert set(gap.index[-2:]) == {"M2", "P4"}


def test_one_team_is_close_and_one_rates_its_own_structure_higher(answers):
    two = answers[answers["role"] != "carer"]
    by_team = two.pivot_table(index=["team", "domain"], columns="role", values="score")
    spread = (by_team["staff"] - by_team["lived experience"]).abs().groupby("team").mean()
    assert spread.idxmin() == "Community outreach"
    team_means = answers.groupby(["team", "role"])["score"].mean().unstack()
    assert team_means["lived experience"].idxmax() == "Community outreach"
    structure = answers[answers["domain"] == "structure"].groupby(["team", "role"])["score"].mean()
    assert structure.idxmax() == ("Commissioning", "staff")


def test_the_card_warns_about_what_could_mislead(answers):
    card = data.card("self_assessment")
    people = answers.drop_duplicates("respondent")
    staff_share = (people["role"] == "staff").groupby(people["team"]).mean()
    # Commissioning really has the largest share of staff, as the card says
    assert staff_share.idxmax() == "Commissioning"
    for needed in ("Synthetic", "compare teams role by role", "already involved", "small"):
        assert needed in card, needed
    for (team, role), count in people.groupby(["team", "role"]).size().items():
        assert f"| {team} |" in card
    assert "73 × 20 = 1,460 rows" in card


# ------------------------------------------------------------------ scenario
@pytest.fixture(scope="module")
def day():
    return scenario.get("day-services")


@pytest.fixture(scope="module")
def routes(day):
    found = paths(day, limit=20_000)
    assert len(found) < 10_000
    return found


def _all_text(s) -> str:
    parts = [s.summary or ""]
    for node in s.nodes.values():
        parts.append(node.text)
        parts += [extra.text for extra in node.text_if]
        for choice in node.choices or ():
            parts += [choice.label, choice.feedback]
    return " ".join(" ".join(parts).split())


def test_scenario_names_its_sources_accurately(day):
    text = _all_text(day)
    for needed in ("SCIE", "Guide 51", "Culture", "Structure", "Practice", "Review",
                   "shift in power", "NHS England has a policy on paying people with lived "
                   "experience", "Loeffler and Bovaird", "dark side", "Redefining Work",
                   "Care Act's wellbeing principle", "benefits adviser", "declare"):
        assert needed in text, needed
    # procurement is described in general terms, never as a named law it could misquote
    for wrong in ("Procurement Act", "Public Contracts Regulations", "illegal"):
        assert wrong not in text, wrong


def test_scenario_shape(day, routes):
    assert day.module == 6
    decision_points = [n for n in day.nodes.values() if n.choices]
    assert len(decision_points) >= 8
    assert min(len(r) for r in routes) >= 5
    kinds = {n.ending for n in day.nodes.values() if n.ending}
    assert kinds == {"partner", "mixed", "expert-provider"}
    rungs = {c.rung for n in decision_points for c in n.choices if c.rung}
    assert {"informing", "consultation", "engagement", "co-design", "co-production"} <= rungs
    for value in ("reciprocity", "redefining_work", "social_networks", "assets", "respect"):
        assert any(c.values.get(value) for n in decision_points for c in n.choices), value
    assert min(c.stance for c in day.node(day.start).choices) < 0
    for route in routes:
        state = play_through(day, route)
        if state.mean_stance >= 1:
            assert state.ending != "expert-provider", route
        if state.mean_stance <= 0:
            assert state.ending != "partner", route


def test_no_partner_ending_without_pay_shared_rules_and_the_board_kept(day, routes):
    partner = 0
    for route in routes:
        state = play_through(day, route)
        if state.ending != "partner":
            continue
        partner += 1
        assert {"paid", "rules", "measured-together"} <= state.facts, route
        assert not state.facts & {"no-advice", "unpaid", "taken-over", "loud-wins"}, route
    assert partner > 0


BEST = ["design-group", "pay-with-advice", "agree-rules", "members-score", "present-together",
        "evaluate-together"]


def test_endings_follow_the_whole_route(day):
    state = play_through(day, BEST)
    assert state.node_id == "end-partner" and "benefits advice" in state.text()
    # the same last click, after payments made before anyone had advice
    rushed = play_through(day, ["design-group", "pay-now", "agree-rules", "spec-together",
                                "present-together", "evaluate-together"])
    assert rushed.node_id == "end-worn" and "Asha Patel" in rushed.text()
    # or after the most practised voices set the group's direction
    loud = play_through(day, ["ask-first", "pay-with-advice", "let-run", "spec-together",
                              "present-together", "evaluate-together"])
    assert loud.node_id == "end-worn" and "Brook Street's committee" in loud.text()
    worst = ["consult-options", "recommend-merger", "spec-by-procurement", "present-yourself",
             "contract-measures"]
    state = play_through(day, worst)
    assert state.ending == "expert-provider" and "Alder Road has closed" in state.text()


def test_partnering_costs_the_boards_confidence(day):
    """A design group and payment spend the board's confidence; without decision rules to
    reassure the chair, the director takes the paper over."""
    assert start(day).measures["board"] == 2
    state = play_through(day, ["design-group", "pay-with-advice", "let-run"])
    assert state.node_id == "taken-over" and state.measures["board"] == 0
    assert "You spent the credit" in state.text()
    ruled = play_through(day, ["design-group", "pay-with-advice", "agree-rules"])
    assert ruled.node_id == "procurement"
    assert "members-score" in {c.id for c in available(ruled)}
    unruled = play_through(day, ["ask-first", "pay-with-advice", "keep-advisory"])
    assert "members-score" not in {c.id for c in available(unruled)}


# ---------------------------------------------------------------- assignment
def _solution():
    return json.loads((ROOT / "solutions" / "06-organisation" / "organisation.ipynb")
                      .read_text(encoding="utf-8"))


def test_solution_answers_match_the_data(answers):
    """Run the model answers and compare them with figures worked out here, independently."""
    cells = {c["metadata"]["nbgrader"]["grade_id"]: "".join(c["source"])
             for c in _solution()["cells"]}
    env = {"answers": answers.copy()}
    for gid in ("q1-answer", "q2-answer", "q3-answer", "q4-answer", "q5-answer"):
        exec(cells[gid].rsplit("### END SOLUTION", 1)[0], env)  # noqa: S102 - our own notebook
    assert [env["band"](m) for m in (1, 1.99, 2, 2.99, 3, 3.99, 4, 5)] == [
        "starting out", "starting out", "developing", "developing", "established",
        "established", "leading", "leading"]
    sheet = selfassess.get("organisation")
    for mean in (1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0):
        assert env["band"](mean) == sheet.band(mean).label, mean
    staff = answers[answers["role"] == "staff"]
    lived = answers[answers["role"] == "lived experience"]
    pay = staff[staff["domain"] == "payment"]["score"].mean() \
        - lived[lived["domain"] == "payment"]["score"].mean()
    assert abs(env["payment_gap"] - pay) <= 0.01
    assert env["lower_area"] == "review"
    assert env["q5_answer"] == "b"
    assert isinstance(env["domain_means"], pd.DataFrame)


def test_released_copy_holds_no_answers():
    released = (ROOT / "exercises" / "06-organisation" / "organisation.ipynb").read_text(
        encoding="utf-8")
    for secret in ("BEGIN SOLUTION", "HIDDEN TESTS", 'q5_answer = "b"', 'return "leading"',
                   "Model answer", "_expected_band", "fresh_gaps"):
        assert secret not in released, secret
    nb = json.loads(released)
    assert all(c.get("outputs") == [] for c in nb["cells"] if c["cell_type"] == "code")
    assert 'data.load("self_assessment")' in "".join("".join(c["source"]) for c in nb["cells"])




# ------------------------------------------------------------ module notebook
def test_module_notebook_plays_the_scenario_check_and_self_assessment():
    nb = json.loads((ROOT / "modules" / "06-organisation.ipynb").read_text(encoding="utf-8"))
    source = "\n".join("".join(c["source"]) for c in nb["cells"])
    assert 'scenario.play("day-services")' in source
    assert 'quiz.show("06-organisation")' in source
    assert 'selfassess.show("organisation")' in source
    assert 'data.load("self_assessment")' in source and 'data.show_card("self_assessment")' in source
    prompts = [c for c in nb["cells"] if "reflect.prompt(" in "".join(c["source"])]
    assert len(prompts) >= 4
    assert all("module=6" in "".join(c["source"]) for c in prompts)
    assert 'reflect.prompt("m6-r1"' in source
    assert "one concrete thing you will do" in "".join(prompts[-1]["source"])
    assert "journal.history()" in source


def test_module_notebook_states_the_facts_as_the_course_brief_does():
    text = notebook_text(ROOT / "modules" / "06-organisation.ipynb")
    for needed in ("SCIE", "Guide 51", "2013", "Culture", "Structure", "Practice", "Review",
                   "equality, diversity, accessibility and reciprocity",
                   "can only be achieved with a shift in power",
                   "Working in partnership with people and communities: statutory guidance",
                   "2022", "ten principles",
                   "NHS England has a policy on paying people with lived experience",
                   "Loeffler", "dark side", "Care Act 2014", "synthetic"):
        assert needed in text, needed


def test_every_source_module_6_cites_is_in_the_references():
    references = (ROOT / "modules" / "references.md").read_text(encoding="utf-8")
    for needed in ("SCIE Guide 51", "Working in partnership with people and communities",
                   "paying people with lived experience", "Loeffler", "Care Act 2014",
                   "Think Local Act Personal", "No More Throw-Away People", "HCCT",
                   "Synthetic data set used in Module 6", "`self_assessment`",
                   "Law and practice in the Module 6 scenario",
                   "The course's organisation self-assessment"):
        assert needed in references, needed
