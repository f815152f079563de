"""Every scenario and self-check that ships with the course is sound."""

from __future__ import annotations


import pytest

from coproduction import quiz, scenario
from coproduction.paths import CONTENT
from coproduction.scenario import paths, play_through, score
from conftest import ROOT

SCENARIOS = scenario.names()


def every_route(s) -> list[list[str]]:
    """All of a scenario's routes; fails if there are too many to play them all."""
    from coproduction.scenario.stats import ROUTE_LIMIT

    routes = paths(s, limit=ROUTE_LIMIT)
    assert len(routes) < ROUTE_LIMIT, f"{s.id} has too many routes to check every one"
    return routes
SOURCES = sorted((ROOT / "toolkit" / "self-check-keys").glob("*.yaml"))


def test_there_is_content():
    assert "estate-asb" in SCENARIOS
    assert "01-origins" in quiz.names()


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_passes_check(name):
    assert scenario.check(CONTENT / "scenarios" / f"{name}.yaml") == []


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_path_reaches_an_ending(name):
    s = scenario.get(name)
    routes = every_route(s)
    assert routes
    reached = set()
    for path in routes:
        state = play_through(s, path)
        assert state.finished, path
        reached.add(state.ending)
        assert score(state).stance is not None
    # Every node lies on some path, so the paths cover the whole scenario.
    on_paths = {s.start} | {play_through(s, p[:i]).node_id for p in routes for i in range(len(p) + 1)}
    assert on_paths == set(s.nodes)
    assert reached == {"partner", "mixed", "expert-provider"}


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_is_a_real_branching_case(name):
    """The course's brief: 4+ decision points on every path, choices that really branch."""
    s = scenario.get(name)
    assert min(len(p) for p in every_route(s)) >= 4
    decision_points = [n for n in s.nodes.values() if n.choices]
    assert all(len(n.choices) >= 2 for n in decision_points)
    first = s.node(s.start)
    assert len({target for c in first.choices for target in c.targets}) >= 2
    # the expert-provider option must be there to feel the pull of
    assert any(c.stance < 0 for n in decision_points for c in n.choices)


@pytest.mark.parametrize("name", SCENARIOS)
def test_endings_agree_with_every_route(name):
    """The scenario standard: no route with mean stance +1 or more ends expert-provider,
    and none with 0 or less ends partner. Every route is played, not sampled."""
    from coproduction.scenario.stats import stats

    found = stats(scenario.get(name))
    assert found.complete, "too many routes to check them all"
    assert found.contradicting == [], found.report()
    # and each kind of ending is reached by routes leaning the right way on average
    by_kind = {}
    for ending in found.endings:
        by_kind.setdefault(ending.kind, []).extend(ending.stances)
    assert max(by_kind["expert-provider"]) < 1 and min(by_kind["partner"]) > 0


@pytest.mark.parametrize("name", SCENARIOS)
def test_the_same_last_choice_can_end_differently(name):
    """Endings follow the whole route: some final decision leads to different
    endings depending on what came before."""
    s = scenario.get(name)
    endings_after: dict[tuple, set] = {}
    for route in every_route(s):
        before = play_through(s, route[:-1])
        endings_after.setdefault((before.node_id, route[-1]), set()).add(
            play_through(s, route).node_id)
    assert any(len(reached) > 1 for reached in endings_after.values())


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_sealed_check_matches_its_source(source):
    """The trainee copy marks every source answer exactly as the trainer wrote it."""
    from ruamel.yaml import YAML

    plain = YAML(typ="safe").load(source.read_text(encoding="utf-8"))
    sealed = quiz.get(plain["id"])
    assert sealed.title == plain["title"]
    assert [q.id for q in sealed.questions] == [q["id"] for q in plain["questions"]]
    for q, src in zip(sealed.questions, plain["questions"]):
        if src["kind"] == "choice":
            assert sorted(q.options) == sorted(o["text"] for o in src["options"])
            for option in src["options"]:
                mark = q.mark(option["text"])
                assert mark.correct == bool(option.get("correct")), (q.id, option["text"])
                assert mark.feedback == option["feedback"]
        else:
            assert list(q.categories) == src["categories"]
            for item in src["items"]:
                right = q.mark_item(item["text"], item["category"])
                assert right.correct and right.feedback == item["feedback"]
                for other in set(src["categories"]) - {item["category"]}:
                    assert not q.mark_item(item["text"], other).correct


# Answers from the course brief: the shipped self-check must agree with them.
KNOWN_ANSWERS = {
    "coined": "Indiana University",
    "not-cahn": "Efficiency",
    "ostrom-contrast": "Nigeria",
}


def test_module_1_check_knows_the_facts():
    check = quiz.get("01-origins")
    by_id = {q.id: q for q in check.questions}
    for qid, answer in KNOWN_ANSWERS.items():
        assert by_id[qid].mark(answer).correct, qid
    assert sum(q.kind == "sort" for q in check.questions) >= 1
    assert len(check.questions) >= 5


def test_sealed_options_are_not_always_right_first():
    firsts = [q.mark(q.options[0]).correct for q in quiz.get("01-origins").questions
              if q.kind == "choice"]
    assert not all(firsts)


def test_readme_code_for_playing_a_scenario_runs():
    """The README's example of playing a scenario from code runs as written."""
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```python\n(.*?)```", readme, re.S) if "play_through" in b]
    assert blocks, "the README no longer shows how to play a scenario from code"
    for block in blocks:
        names: dict = {}
        exec(compile(block, "README.md", "exec"), names)  # noqa: S102 - our own README
        assert names["state"].finished


def test_course_puts_every_value_and_rung_at_stake_twice():
    """Across the shipped scenarios, each of Cahn's five values and each TLAP rung from
    Consultation up is at stake in at least two decision points (tallied from the data)."""
    from coproduction.scenario.stats import coverage

    tally = coverage([scenario.get(n) for n in SCENARIOS])
    assert {"estate-asb", "after-the-fall", "youth-service"} <= set(tally.scenarios)
    assert tally.short_of(2) == [], tally.report()


@pytest.mark.parametrize("name", SCENARIOS)
def test_each_scenario_names_rungs(name):
    """Choices about how people are involved say which TLAP rung they stand on."""
    s = scenario.get(name)
    rungs = {c.rung for n in s.nodes.values() for c in n.choices} - {None}
    assert len(rungs) >= 3
