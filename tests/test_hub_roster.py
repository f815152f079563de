"""Cohort lists: every bad row is named with its line and column, and nothing is read half-way."""

from __future__ import annotations

import pytest

from coproduction.hub import read
from coproduction.hub.roster import check_course_id
from coproduction.problems import CourseFileError


def problems(write, text):
    with pytest.raises(CourseFileError) as caught:
        read(write(text, "cohort.csv"))
    return [(p.line, p.field, p.message) for p in caught.value.problems]


def test_good_list(write):
    members = read(write("username,role,name\njsmith,Trainer,Jo Smith\n\nakhan,trainee,\n",
                         "cohort.csv"))
    assert [(m.username, m.role, m.line) for m in members] == [
        ("jsmith", "trainer", 2), ("akhan", "trainee", 4)]


def test_spreadsheet_export_with_byte_order_mark(write):
    assert [m.username for m in read(write("\ufeffusername,role\nann,trainer\n", "c.csv"))] == ["ann"]


def test_missing_column(write):
    assert problems(write, "user,role\nann,trainer\n") == [
        (1, "username", "missing column 'username' (the first line should name the columns: "
                        "username,role)")]


def test_duplicate_user(write):
    [(line, field, message)] = problems(write, "username,role\nann,trainer\nbob,trainee\nann,trainee\n")
    assert (line, field) == (4, "username") and "listed twice (first on line 2)" in message


@pytest.mark.parametrize("name", ["Ann", "1ann", "ann smith", "ann@org", "a" * 33])
def test_invalid_username(write, name):
    [(line, field, message)] = problems(write, f"username,role\nboss,trainer\n{name},trainee\n")
    assert (line, field) == (3, "username") and "is not a valid username" in message


def test_system_name_is_refused(write):
    [(_, _, message)] = problems(write, "username,role\nboss,trainer\nroot,trainee\n")
    assert "a name the system uses itself" in message


def test_unknown_role_and_every_problem_at_once(write):
    found = problems(write, "username,role\nboss,trainer\nann,student\nBob,trainee\n")
    assert [(line, field) for line, field, _ in found] == [(3, "role"), (4, "username")]


def test_empty_and_nobody_and_no_trainer(write):
    assert "the file is empty" in problems(write, "")[0][2]
    assert "nobody in it" in problems(write, "username,role\n")[0][2]
    assert "nobody in the list is a trainer" in problems(write, "username,role\nann,trainee\n")[0][2]


def test_course_id():
    assert check_course_id("coproduction-autumn") == "coproduction-autumn"
    with pytest.raises(ValueError, match="cannot be a course id"):
        check_course_id("Autumn 2026")


def test_grader_names_are_kept_for_gradebook_accounts(write):
    [(line, field, message)] = problems(write,
                                        "username,role\nboss,trainer\ngrader-autumn,trainee\n")
    assert (line, field) == (3, "username")
    assert "starts with 'grader-', which the hub keeps for each course's gradebook" in message


def test_a_cell_with_a_line_break_is_refused_not_joined(write):
    # Without the check, the two lines of "ann\nsmith" became one username, annsmith.
    found = problems(write, 'username,role,name\nboss,trainer,"Jo\nSmith"\n"ann\nsmith",trainee,\n'
                            "Bob,trainee,\n")
    assert [(line, field) for line, field, _ in found] == [(2, "name"), (4, "username"),
                                                            (6, "username")]
    assert "this cell has a line break in it" in found[0][2]
    assert "'Bob' is not a valid username" in found[2][2]  # the line after is still right


def test_a_quote_left_open_is_caught(write):
    [(line, field, message)] = problems(write, 'username,role\nboss,"trainer\nann,trainee\n')
    assert (line, field) == (2, "role") and "line break" in message


def test_a_file_that_is_not_csv(write):
    [(line, _, message)] = problems(write, "username,role\nboss,trainer\nann," + "x" * 200_000)
    assert line == 3 and "could not be read as CSV" in message


def test_windows_line_endings_are_not_line_breaks_in_cells(write):
    path = write("", "cohort.csv")
    path.write_bytes(b"username,role\r\nann,trainer\r\nbob,trainee\r\n")
    assert [(m.username, m.line) for m in read(path)] == [("ann", 2), ("bob", 3)]
