"""Loading scenario files: every rejected input names the file, the line and the field."""

from __future__ import annotations

import pytest

from coproduction.problems import CourseFileError
from coproduction.scenario import load
from conftest import SMALL_SCENARIO


def problems_of(path):
    with pytest.raises(CourseFileError) as caught:
        load(path)
    return caught.value.problems


def test_small_scenario_loads(small_scenario):
    assert small_scenario.id == "small"
    assert small_scenario.start == "first"
    assert [c.id for c in small_scenario.node("first").choices] == ["leaflet", "visit"]
    assert small_scenario.node("good").ending == "partner"
    assert small_scenario.node("first").choice("visit").values == {
        "assets": 1, "respect": 2, "reciprocity": 1}


def test_yaml_syntax_error_names_file_and_line(write):
    text = SMALL_SCENARIO.replace("    text: |\n      What next?",
                                  "    text: [unclosed\n    more: here")
    path = write(text)
    [problem] = problems_of(path)
    assert problem.file.endswith("scenario.yaml")
    assert "not valid YAML" in problem.message
    # the parser notices on the line after the unclosed bracket
    assert problem.line == text.splitlines().index("    more: here") + 1
    assert str(problem).startswith(f"{problem.file}:{problem.line}: ")


def test_empty_file(write):
    [problem] = problems_of(write("   \n\n"))
    assert (problem.line, problem.message) == (1, "the file is empty")


def test_missing_file_is_a_problem_not_a_traceback(tmp_path):
    [problem] = problems_of(tmp_path / "nope.yaml")
    assert problem.message == "file not found"


def test_list_where_a_mapping_belongs(write):
    [problem] = problems_of(write("- id: a\n- id: b\n"))
    assert problem.line == 1
    assert "should hold a set of named fields" in problem.message
    assert "it holds a list" in problem.message


def test_list_where_a_mapping_belongs_inside(write):
    text = SMALL_SCENARIO.replace("values: {assets: 0}", "values: [assets, 0]")
    [problem] = problems_of(write(text))
    assert problem.line == SMALL_SCENARIO.splitlines().index("        values: {assets: 0}") + 1
    assert problem.field == "nodes[second].choices[works].values"
    assert "should be a set of named fields, but it is a list" in problem.message


def test_missing_field_names_line_and_field(write):
    text = SMALL_SCENARIO.replace("        next: middle\n", "")
    [problem] = problems_of(write(text))
    assert problem.message == "missing field 'next'"
    assert problem.field == "nodes[second].choices[works].next"
    # the choice that lacks it starts on this line
    assert problem.line == SMALL_SCENARIO.splitlines().index("      - id: works") + 1


def test_wrong_type_and_out_of_range(write):
    text = SMALL_SCENARIO.replace("stance: -2\n        values: {assets: -1",
                                  "stance: strong\n        values: {assets: 5")
    found = problems_of(write(text))
    messages = {p.field: p.message for p in found}
    assert messages["nodes[first].choices[leaflet].stance"] == (
        "'stance' should be a whole number, but it is text")
    assert messages["nodes[first].choices[leaflet].values.assets"] == (
        "'assets' must be between -2 and 2 (it is 5)")


def test_misspelt_field_is_named(write):
    text = SMALL_SCENARIO.replace("    choices:\n      - id: plan", "    choises:\n      - id: plan")
    found = problems_of(write(text))
    assert any("unknown field 'choises'" in p.message for p in found)
    line = SMALL_SCENARIO.splitlines().index("      - id: plan")  # the line before, 1-based
    assert any(p.line == line for p in found)


def test_unknown_value_is_rejected(write):
    text = SMALL_SCENARIO.replace("values: {reciprocity: 2}", "values: {efficiency: 2}")
    [problem] = problems_of(write(text))
    assert "unknown field 'efficiency'" in problem.message
    assert "assets" in problem.message  # lists what is allowed


def test_bad_id_and_bad_ending(write):
    text = SMALL_SCENARIO.replace("id: middle", "id: Middle Node").replace(
        "ending: mixed", "ending: happy")
    found = problems_of(write(text))
    assert any("may use only lowercase letters, digits and hyphens" in p.message for p in found)
    assert any("must be one of: partner, mixed, expert-provider" in p.message for p in found)


def test_dangling_choice_target(write):
    text = SMALL_SCENARIO.replace("next: bad", "next: badd")
    [problem] = problems_of(write(text))
    assert problem.message == ("choice 'close' leads to node 'badd', "
                               "but there is no node with that id")
    assert problem.field == "nodes[second].choices[close].next"
    assert problem.line == SMALL_SCENARIO.splitlines().index("        next: bad") + 1


def test_duplicate_node_id(write):
    text = SMALL_SCENARIO.replace("  - id: middle", "  - id: good")
    found = problems_of(write(text))
    dup = [p for p in found if "used twice" in p.message]
    assert len(dup) == 1
    first_line = SMALL_SCENARIO.splitlines().index("  - id: good") + 1
    assert f"first on line {first_line}" in dup[0].message
    assert dup[0].line == SMALL_SCENARIO.splitlines().index("  - id: middle") + 1


def test_duplicate_choice_id(write):
    text = SMALL_SCENARIO.replace("id: works", "id: plan")
    [problem] = problems_of(write(text))
    assert "choice id 'plan' is used twice in node 'second'" in problem.message


def test_duplicate_yaml_key(write):
    text = SMALL_SCENARIO.replace("    title: First contact\n",
                                  "    title: First contact\n    title: Again\n")
    [problem] = problems_of(write(text))
    assert "not valid YAML" in problem.message
    assert "duplicate key" in problem.message


def test_node_needs_choices_or_ending(write):
    text = SMALL_SCENARIO.replace("    text: It worked.\n    ending: partner\n",
                                  "    text: It worked.\n")
    [problem] = problems_of(write(text))
    assert "needs either 'choices' (a decision point) or 'ending'" in problem.message


def test_start_must_exist(write):
    [problem] = problems_of(write(SMALL_SCENARIO.replace("start: first", "start: begin")))
    assert problem.line == 6 and problem.field == "start"


def test_wrong_schema_version(write):
    [problem] = problems_of(write(SMALL_SCENARIO.replace("schema_version: 2", "schema_version: 7")))
    assert problem.message == "'schema_version' must be one of: 1, 2 (it is 7)"


def test_every_problem_is_reported_at_once(write):
    text = SMALL_SCENARIO.replace("next: bad", "next: nowhere").replace("to: good", "to: gone")
    assert len(problems_of(write(text))) == 2


def test_not_utf8(tmp_path):
    path = tmp_path / "latin.yaml"
    path.write_bytes("title: caf\xe9\n".encode("latin-1"))
    [problem] = problems_of(path)
    assert "not plain text" in problem.message


# -- version 2: measures, facts and conditions ---------------------------------

from conftest import STATEFUL_SCENARIO  # noqa: E402


def line_of(text: str, fragment: str) -> int:
    """The 1-based line of the first line of ``text`` that contains ``fragment``."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if fragment in line)


def test_stateful_scenario_loads(stateful_scenario):
    assert [m.id for m in stateful_scenario.measures] == ["trust", "days"]
    assert stateful_scenario.measure("days").show is False
    walk = stateful_scenario.node("second").choice("walk")
    assert walk.targets == ["good", "middle"]
    assert walk.when.describe() == "met-tenants"
    assert walk.routes[0].when.describe() == "trust >= 3"
    assert stateful_scenario.fact_label("met-tenants") == "You met the tenants' association"


@pytest.mark.parametrize("old, new, fragment, message", [
    ("effects: {trust: 1, days: -1}", "effects: {trust: 1, hope: -1}", "effects: {trust: 1, hope",
     "measure 'hope' is not declared under 'measures'"),
    ("sets: [met-tenants]\n        feedback: Slower.", "sets: [met-council]\n        feedback: Slower.",
     "sets: [met-council]", "fact 'met-council' is not declared under 'facts'"),
    ("when: {fact: met-tenants}", "when: {fact: met-residents}", "when: {fact: met-residents}",
     "fact 'met-residents' is not declared under 'facts'"),
    ("if: {measure: trust, at_least: 3}", "if: {measure: patience, at_least: 3}",
     "measure: patience", "measure 'patience' is not declared under 'measures'"),
    ("if: {measure: trust, at_least: 3}", "if: {measure: trust, at_least: 3, fact: met-tenants}",
     "at_least: 3, fact", "are mixed here; combine them with 'all' or 'any'"),
    ("if: {measure: trust, at_least: 3}", "if: {measure: trust}", "if: {measure: trust}",
     "say 'at_least' or 'at_most' (or both) for this measure test"),
    ("if: {measure: trust, at_least: 3}", "if: {measure: trust, at_least: 3, at_most: 1}",
     "at_most: 1}", "can never hold"),
    ("if: {measure: trust, at_least: 3}", "if: {at_least: 3}", "if: {at_least: 3}",
     "a condition needs one of"),
    ("if: {measure: trust, at_least: 3}", "if: {fact: met-tenants, at_least: 3}",
     "if: {fact: met-tenants, at_least", "does not belong with 'fact'"),
])
def test_bad_conditions_and_references_name_line_and_field(write, old, new, fragment, message):
    text = STATEFUL_SCENARIO.replace(old, new)
    assert text != STATEFUL_SCENARIO
    [problem] = problems_of(write(text))
    assert message in problem.message
    assert problem.line == line_of(text, fragment)
    assert problem.field.startswith("nodes[")
    assert str(problem).startswith(f"{problem.file}:{problem.line}: ")


def test_last_route_must_have_no_condition(write):
    text = STATEFUL_SCENARIO.replace("          - to: middle\n",
                                     "          - if: {fact: met-tenants}\n            to: middle\n")
    [problem] = problems_of(write(text))
    assert "the last route needs no 'if'" in problem.message
    assert problem.field == "nodes[second].choices[walk].next[2]"  # counted from 1


def test_only_the_last_route_may_leave_out_a_condition(write):
    text = STATEFUL_SCENARIO.replace("          - if: {measure: trust, at_least: 3}\n            to: good\n",
                                     "          - to: good\n")
    found = problems_of(write(text))
    assert any("only the last route may leave out 'if'" in p.message for p in found)


def test_measure_starting_outside_its_range(write):
    text = STATEFUL_SCENARIO.replace("start: 1, min: 0, max: 4", "start: 7, min: 0, max: 4")
    [problem] = problems_of(write(text))
    assert problem.message == "measure 'trust' starts at 7, outside its range 0 to 4"
    assert problem.field == "measures[trust].start"
    assert problem.line == line_of(text, "start: 7")


def test_duplicate_measure_and_clashing_ids(write):
    text = STATEFUL_SCENARIO.replace("  - {id: days,", "  - {id: trust,")
    found = problems_of(write(text))
    assert any("measure id 'trust' is used twice" in p.message for p in found)
    text = STATEFUL_SCENARIO.replace("{id: met-tenants, label", "{id: days, label")
    assert any("'days' is both a measure and a fact" in p.message for p in problems_of(write(text)))


def test_effect_out_of_range_is_a_schema_problem(write):
    text = STATEFUL_SCENARIO.replace("effects: {trust: -2}", "effects: {trust: 'lots'}")
    [problem] = problems_of(write(text))
    assert problem.line == line_of(text, "trust: 'lots'")


def test_version_2_fields_need_version_2(write):
    text = STATEFUL_SCENARIO.replace("schema_version: 2", "schema_version: 1")
    found = problems_of(write(text))
    messages = {p.message for p in found}
    assert "'measures' needs schema_version: 2 at the top of the file" in messages
    assert "'text_if' needs schema_version: 2 at the top of the file" in messages
    assert "a list of routes needs schema_version: 2 at the top of the file" in messages
    assert any(p.field == "nodes[first].choices[meet].effects" for p in found)


def test_version_1_files_still_load_and_play(write):
    from coproduction.scenario import play_through

    text = SMALL_SCENARIO.replace("schema_version: 2", "schema_version: 1").replace(
        "        next:\n          - if: {stance_at_least: 1}\n            to: good\n"
        "          - to: middle\n", "        next: good\n")
    scenario = load(write(text))
    assert scenario.schema_version == 1 and scenario.measures == ()
    state = play_through(scenario, ["leaflet", "plan"])
    assert state.ending == "partner" and state.measures == {}


def test_loading_skips_the_iri_grammars_but_still_validates(tmp_path):
    """A fresh kernel's first scenario does not wait seconds for grammars it never uses."""
    import subprocess
    import sys

    pytest.importorskip("rfc3987_syntax")  # only then is there anything to skip

    bad = tmp_path / "bad.yaml"
    bad.write_text(SMALL_SCENARIO.replace("stance: -2", "stance: -9", 1), encoding="utf-8")
    code = ("import sys\n"
            "from coproduction.problems import CourseFileError\n"
            "from coproduction import scenario\n"
            "scenario.get('estate-asb')\n"
            "print('rfc3987_syntax' in sys.modules)\n"
            "try:\n"
            f"    scenario.load({str(bad)!r})\n"
            "except CourseFileError as err:\n"
            "    print(err.problems[0].field)\n"
            "import rfc3987_syntax  # still there for anything else that wants it\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120)
    assert out.stdout.split() == ["False", "nodes[first].choices[leaflet].stance"]


def test_a_choice_can_name_its_tlap_rung(write):
    text = SMALL_SCENARIO.replace("values: {reciprocity: 2}",
                                  "values: {reciprocity: 2}\n        rung: co-design", 1)
    assert "rung: co-design" in text
    loaded = load(write(text))
    rungs = [c.rung for n in loaded.nodes.values() for c in n.choices]
    assert "co-design" in rungs and None in rungs


def test_an_unknown_rung_names_line_and_the_rungs_allowed(write):
    text = SMALL_SCENARIO.replace("values: {reciprocity: 2}",
                                  "values: {reciprocity: 2}\n        rung: partnership", 1)
    [problem] = problems_of(write(text))
    assert problem.line == text.splitlines().index("        rung: partnership") + 1
    assert "rung" in problem.field and "co-production" in problem.message
