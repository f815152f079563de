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
    [problem] = problems_of(write(SMALL_SCENARIO.replace("schema_version: 1", "schema_version: 7")))
    assert "'schema_version' must be 1" in problem.message


def test_every_problem_is_reported_at_once(write):
    text = SMALL_SCENARIO.replace("next: bad", "next: nowhere").replace("next: good", "next: gone")
    assert len(problems_of(write(text))) == 2


def test_not_utf8(tmp_path):
    path = tmp_path / "latin.yaml"
    path.write_bytes("title: caf\xe9\n".encode("latin-1"))
    [problem] = problems_of(path)
    assert "not plain text" in problem.message
