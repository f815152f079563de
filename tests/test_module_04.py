"""Module 4, health: the self-check knows the facts, the clinic encounters have the patterns
the module asks trainees to find, the scenario keeps its promises, and the assignment is
released without answers."""

from __future__ import annotations

import json

import pytest
from conftest import ROOT

from coproduction import data, quiz, scenario
from coproduction.scenario import paths, play_through

ITEMS = ["collaborate_understand", "collaborate_listen", "collaborate_include"]


def pam_level(score: float) -> int:
    """The published PAM cut-offs, written out again independently of the notebooks."""
    if score <= 47.0:
        return 1
    if score <= 55.1:
        return 2
    if score <= 67.0:
        return 3
    return 4


@pytest.fixture(scope="module")
def encounters():
    frame = data.load("clinic_encounters")
    frame["level"] = [pam_level(s) for s in frame["pam_score"]]
    frame["top"] = [all(a == 9 for a in row) for row in frame[ITEMS].itertuples(index=False)]
    return frame


@pytest.fixture(scope="module")
def by_clinician(encounters):
    frame = encounters.groupby("clinician").agg(n=("encounter", "size"), top=("top", "mean"),
                                                level_1=("level", lambda s: (s == 1).mean()))
    frame["mean_answer"] = encounters[ITEMS].mean(axis=1).groupby(encounters["clinician"]).mean()
    return frame


# ---------------------------------------------------------------- self-check
# Answers from the course brief's "Facts for self-checks", and the module's own.
KNOWN_ANSWERS = {
    "pam-level": "Level 2",          # PAM score 52: level 2
    "collaborate-items": "3",         # CollaboRATE items: 3
}


def test_self_check_knows_the_facts():
    check = quiz.get("04-health")
    by_id = {q.id: q for q in check.questions}
    for qid, answer in KNOWN_ANSWERS.items():
        assert by_id[qid].mark(answer).correct, qid
    edges = by_id["pam-edges"]
    assert list(edges.categories) == ["Level 1", "Level 2", "Level 3", "Level 4"]
    for score in (47.0, 47.1, 55.1, 55.2, 67.0, 67.1):
        item = f"A score of {score}"
        assert edges.mark_item(item, f"Level {pam_level(score)}").correct, item
    top = by_id["top-score"]
    [right] = [o for o in top.options if top.mark(o).correct]
    assert right.startswith("No") and "all three" in right
    rule = by_id["rule-of-25"]
    [right] = [o for o in rule.options if rule.mark(o).correct]
    assert "25" in right
    assert len(check.questions) >= 6
    assert sum(q.kind == "sort" for q in check.questions) >= 1




# ------------------------------------------------------------------ dataset
def test_values_are_in_range(encounters):
    assert len(encounters) == 849
    assert list(encounters["encounter"]) == [f"CE{i:04d}" for i in range(1, 850)]
    assert set(encounters["clinician"]) == {f"C{i:02d}" for i in range(1, 13)}
    assert encounters["patient_age"].between(18, 100).all()
    assert encounters["hba1c_mmol_mol"].between(30, 140).all()
    assert encounters["pam_score"].between(0, 100).all()
    assert ((encounters["pam_score"] * 10).round() == encounters["pam_score"] * 10).all()
    for column in ITEMS:
        assert encounters[column].dtype.kind == "i" and encounters[column].between(0, 9).all()
    card = data.card("clinic_encounters")
    assert "**Synthetic.**" in card and "47.0" in card and "67.1" in card and "25" in card


def test_scores_on_the_cut_offs_are_there_to_be_got_wrong(encounters):
    for score in (47.0, 47.1, 55.1, 55.2, 67.0, 67.1):
        assert (encounters["pam_score"] == score).sum() >= 1, score


def test_pd_cut_with_the_published_edges_matches_the_rule(encounters):
    """What the module and the assignment teach gives the same levels as the rule."""
    import pandas as pd

    cut = pd.cut(encounters["pam_score"], bins=[0, 47.0, 55.1, 67.0, 100], labels=[1, 2, 3, 4],
                 include_lowest=True)
    assert [int(v) for v in cut] == list(encounters["level"])


def test_every_level_is_there_and_many_are_at_levels_1_and_2(encounters):
    shares = encounters["level"].value_counts(normalize=True)
    assert set(shares.index) == {1, 2, 3, 4}
    low = shares[1] + shares[2]
    assert 0.3 < low < 0.5, "more at levels 1 and 2 than the 21.4% of the US survey of 2007"


def test_hba1c_is_higher_at_lower_activation_with_wide_overlap(encounters):
    medians = encounters.groupby("level")["hba1c_mmol_mol"].median()
    assert list(medians) == sorted(medians, reverse=True)
    assert medians[1] - medians[4] >= 8
    for level, rows in encounters.groupby("level"):
        above = (rows["hba1c_mmol_mol"] > 58).mean()
        assert 0.2 < above < 0.9, (level, above)
    assert abs(encounters["pam_score"].corr(encounters["hba1c_mmol_mol"])) < 0.6


def test_the_rule_of_25_takes_out_the_two_ends_of_the_table(by_clinician):
    few = by_clinician[by_clinician["n"] < 25]
    assert set(few.index) == {"C11", "C12"}
    ranked = by_clinician.sort_values("top", ascending=False)
    assert {ranked.index[0], ranked.index[-1]} == {"C11", "C12"}
    assert 25 <= by_clinician.loc["C06", "n"] < 30, "one clinician just over the line"


def test_top_scores_spread_clinicians_out_where_averages_do_not(by_clinician):
    enough = by_clinician[by_clinician["n"] >= 25]
    spread_top = enough["top"].max() - enough["top"].min()
    spread_mean = enough["mean_answer"].max() - enough["mean_answer"].min()
    assert spread_top > 0.25
    assert spread_mean < 1.0
    assert (enough["mean_answer"] > 7.5).all(), "most answers are high"


def test_a_clinicians_score_also_reflects_their_patients(encounters, by_clinician):
    top_by_level = encounters.groupby("level")["top"].mean()
    assert top_by_level[1] < top_by_level[4] - 0.15
    assert by_clinician["level_1"].idxmax() == "C04"
    assert by_clinician.loc["C04", "level_1"] > 2 * by_clinician.drop("C04")["level_1"].mean()
    # her score sits in the middle of the table, not at the bottom
    enough = by_clinician[by_clinician["n"] >= 25].sort_values("top")
    assert 2 <= list(enough.index).index("C04") <= len(enough) - 3


# ------------------------------------------------------------------ scenario
@pytest.fixture(scope="module")
def non_compliant():
    return scenario.get("non-compliant")


@pytest.fixture(scope="module")
def finished(non_compliant):
    from coproduction.scenario.stats import ROUTE_LIMIT

    routes = paths(non_compliant, limit=ROUTE_LIMIT)
    assert len(routes) < ROUTE_LIMIT
    return [(route, play_through(non_compliant, route)) for route in routes]


def _all_text(s) -> str:
    parts = []
    for node in s.nodes.values():
        parts.append(node.text)
        parts += [extra.text for extra in node.text_if]
        for choice in node.choices or ():
            parts += [choice.label, choice.feedback]
    return " ".join(" ".join(parts).split())


def test_scenario_carries_the_guidance_accurately(non_compliant):
    text = _all_text(non_compliant)
    for needed in ("NG197", "NG28", "CG76", "Year of Care", "modified-release metformin",
                   "48 mmol/mol", "58", "doing nothing for now", "Patient Activation Measure",
                   "level 1 of 4", "dark side", "right to decide not to take a medicine"):
        assert needed in text, needed
    # waiting is only offered as safe once the symptoms of very high glucose are ruled out
    assert "no thirst, no weight loss" in text


def test_scenario_shape(non_compliant, finished):
    s = non_compliant
    assert s.module == 4
    decision_points = [n for n in s.nodes.values() if n.choices]
    assert len(decision_points) >= 8
    assert min(len(route) for route, _ in finished) >= 5
    rungs = {c.rung for n in decision_points for c in n.choices if c.rung}
    assert {"informing", "educating", "consultation", "co-design", "co-production"} <= rungs
    assert {state.ending for _, state in finished} == {"partner", "mixed", "expert-provider"}


def test_partner_ending_needs_a_decision_really_shared(finished):
    """No partner ending where the options were never shared, the patient was pressed or
    relabelled, or his plan was left with nobody watching it."""
    partner = [(r, st) for r, st in finished if st.ending == "partner"]
    assert partner
    for route, state in partner:
        assert "options-shared" in state.facts, route
        assert not {"relabelled", "no-net", "pressed", "overrode-at-end"} & state.facts, route


def test_endings_follow_the_route_not_the_last_click(non_compliant):
    s = non_compliant
    shared = ["results-first", "keep-double", "his-questions", "agree-net", "ask-support",
              "depot-walk", "small-steps", "review-together"]
    state = play_through(s, shared)
    assert state.node_id == "end-partner" and "depot walk" in state.text()
    # the same last click after deciding for him all the way ends expert-provider
    told = ["intensify", "keep-plan", "explain-risks", "book-course", "full-pack",
            "review-together"]
    state = play_through(s, told)
    assert state.ending == "expert-provider"
    assert "non-compliant" in state.text()
    # leaving him to it with no date to look again is not partnership, whatever follows
    hands_off = ["ask-why", "options-now", "his-way", "ask-support", "depot-walk",
                 "small-steps", "review-together"]
    state = play_through(s, hands_off)
    assert state.node_id == "end-worn" and "no-net" in state.facts


def test_the_expert_provider_choice_gets_credit_where_due(non_compliant):
    """The pull is real: the first expert-provider option cites the guideline and the risk."""
    first = non_compliant.node(non_compliant.start)
    intensify = next(c for c in first.choices if c.id == "intensify")
    assert intensify.stance == -2
    assert "guideline" in intensify.feedback and "real risk" in intensify.feedback


# ---------------------------------------------------------------- assignment
def _solution():
    return json.loads((ROOT / "solutions" / "04-health" / "health.ipynb").read_text(encoding="utf-8"))


def test_solution_answers_match_the_data(encounters):
    """Run the model answers and compare them with figures worked out here, independently."""
    import pandas as pd

    cells = {c["metadata"]["nbgrader"]["grade_id"]: "".join(c["source"])
             for c in _solution()["cells"]}
    env = {"pd": pd, "encounters": data.load("clinic_encounters")}
    for gid in ("q1-answer", "q2-answer", "q3-answer", "q4-answer", "q5-answer"):
        exec(cells[gid].rsplit("### END SOLUTION", 1)[0], env)  # noqa: S102 - our own notebook
    assert [int(v) for v in env["encounters"]["pam_level"]] == list(encounters["level"])
    assert env["levels_1_2_pct"] == round(100 * (encounters["level"] <= 2).mean(), 1)
    assert list(env["encounters"]["top_score"]) == list(encounters["top"])
    expected = {c: round(100 * rows["top"].mean(), 1)
                for c, rows in encounters.groupby("clinician") if len(rows) >= 25}
    assert env["top_by_clinician"].to_dict() == expected
    assert env["q5_answer"] == "b"




def test_the_assignment_loads_the_record_and_is_released_without_answers():
    text = (ROOT / "exercises" / "04-health" / "health.ipynb").read_text(encoding="utf-8")
    released = json.loads(text)
    source = "".join("".join(c["source"]) for c in released["cells"])
    assert 'data.load("clinic_encounters")' in source
    for secret in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", 'q5_answer = "b"', "Model answer",
                   "bins=[0, 47.0, 55.1, 67.0, 100]", "_published_level"):
        assert secret not in source, secret
    assert all(c.get("outputs") == [] for c in released["cells"] if c["cell_type"] == "code")


# ---------------------------------------------------------------- notebook
def test_module_notebook_plays_the_scenario_check_and_data():
    nb = json.loads((ROOT / "modules" / "04-health.ipynb").read_text(encoding="utf-8"))
    source = "\n".join("".join(c["source"]) for c in nb["cells"])
    assert 'scenario.play("non-compliant")' in source
    assert 'quiz.show("04-health")' in source
    assert 'data.load("clinic_encounters")' in source
    assert 'data.show_card("clinic_encounters")' in source
    assert "bins=[0, 47.0, 55.1, 67.0, 100]" in source and "include_lowest=True" in source
    assert '["encounters"] >= 25' in source
    prompts = [c for c in nb["cells"] if "reflect.prompt(" in "".join(c["source"])]
    assert len(prompts) >= 4 and all("module=4" in "".join(c["source"]) for c in prompts)
    assert "concrete thing you will do" in "".join(prompts[-1]["source"])
    assert "journal.history()" in source
    # the PAM cut-offs and the US figures exactly as the course brief gives them
    for fact in ("47.0 or less", "47.1 to 55.1", "55.2 to 67.0", "67.1 or more",
                 "6.8%", "14.6%", "37.2%", "41.4%", "at least 25 encounters"):
        assert fact in source, fact
