"""A journal as xAPI learning records: every statement checked against the xAPI 1.0.3 rules."""

from __future__ import annotations

import copy
import json
import re
import sqlite3
import subprocess
import sys
import uuid
from datetime import datetime
from pathlib import Path

import pytest

from coproduction import quiz, scenario
from coproduction.journal import Journal
from coproduction.xapi import Actor, ActorError, statements

BIN = Path(sys.executable).parent
IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")
# ISO 8601 durations as xAPI allows them (used only if a statement carries one).
DURATION = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?"
                      r"(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")
VERB_IDS = {"http://adlnet.gov/expapi/verbs/progressed", "http://adlnet.gov/expapi/verbs/answered",
            "http://adlnet.gov/expapi/verbs/completed"}


def problems(statement: dict) -> list[str]:
    """What breaks the xAPI 1.0.3 statement rules (the parts this course uses)."""
    found = []

    def iri(value, where):
        if not isinstance(value, str) or not IRI.match(value):
            found.append(f"{where} is not an IRI: {value!r}")

    def language_map(value, where):
        if not isinstance(value, dict) or not value or not all(
                isinstance(k, str) and re.match(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]+)*$", k)
                and isinstance(v, str) for k, v in value.items()):
            found.append(f"{where} is not a language map")

    def activity(value, where):
        if not isinstance(value, dict) or value.get("objectType", "Activity") != "Activity":
            found.append(f"{where} is not an Activity")
            return
        iri(value.get("id"), f"{where}.id")
        definition = value.get("definition", {})
        if "name" in definition:
            language_map(definition["name"], f"{where}.definition.name")
        if "type" in definition:
            iri(definition["type"], f"{where}.definition.type")
        if "interactionType" in definition and definition["interactionType"] not in {
                "true-false", "choice", "fill-in", "long-fill-in", "matching", "performance",
                "sequencing", "likert", "numeric", "other"}:
            found.append(f"{where} has an unknown interactionType")

    for key in ("actor", "verb", "object"):
        if key not in statement:
            found.append(f"no {key}")
    try:
        uuid.UUID(statement.get("id", ""))
    except (ValueError, AttributeError, TypeError):
        found.append("id is not a UUID")
    actor = statement.get("actor", {})
    ifis = [k for k in ("mbox", "mbox_sha1sum", "openid", "account") if k in actor]
    if len(ifis) != 1:
        found.append(f"actor has {len(ifis)} identifiers, not exactly one")
    if "mbox" in actor and not re.match(r"^mailto:[^@\s]+@[^@\s]+$", str(actor["mbox"])):
        found.append("actor.mbox is not a mailto: IRI")
    if "account" in actor:
        iri(actor["account"].get("homePage"), "actor.account.homePage")
        if not isinstance(actor["account"].get("name"), str) or not actor["account"]["name"]:
            found.append("actor.account has no name")
    verb = statement.get("verb", {})
    iri(verb.get("id"), "verb.id")
    if "display" in verb:
        language_map(verb["display"], "verb.display")
    activity(statement.get("object"), "object")
    stamp = statement.get("timestamp")
    try:
        if not isinstance(stamp, str) or datetime.fromisoformat(stamp).tzinfo is None:
            found.append("timestamp has no time zone")
    except ValueError:
        found.append(f"timestamp is not ISO 8601: {stamp!r}")
    result = statement.get("result", {})
    score = result.get("score")
    if score is not None:
        if "scaled" in score and not -1 <= score["scaled"] <= 1:
            found.append("result.score.scaled is outside -1..1")
        if "raw" in score and not score.get("min", score["raw"]) <= score["raw"] \
                <= score.get("max", score["raw"]):
            found.append("result.score.raw is outside min..max")
        if "min" in score and "max" in score and not score["min"] < score["max"]:
            found.append("result.score.min is not below max")
    for flag in ("success", "completion"):
        if flag in result and not isinstance(result[flag], bool):
            found.append(f"result.{flag} is not true or false")
    if "response" in result and not isinstance(result["response"], str):
        found.append("result.response is not a string")
    if "duration" in result and not DURATION.match(str(result["duration"])):
        found.append("result.duration is not an ISO 8601 duration")
    for kind, items in statement.get("context", {}).get("contextActivities", {}).items():
        if kind not in ("parent", "grouping", "category", "other") or not isinstance(items, list):
            found.append(f"context.contextActivities.{kind} is not allowed")
            continue
        for n, item in enumerate(items):
            activity(item, f"context.contextActivities.{kind}[{n}]")
    return found


def _right_answers(check_id: str) -> list[tuple[str, object]]:
    """Each question's right answer, found the way a trainee would: by trying."""
    answers = []
    for question in quiz.get(check_id).questions:
        if isinstance(question, quiz.ChoiceQuestion):
            answers.append((question.id, next(o for o in question.options
                                              if question.mark(o).correct)))
        else:
            answers.append((question.id, {item.text: next(
                c for c in question.categories if question.mark_item(item.text, c).correct)
                for item in question.items}))
    return answers


@pytest.fixture
def played(tmp_path):
    """A journal of Module 1: its scenario played from code, its self-check, one slip."""
    path = tmp_path / "coproduction-journal.sqlite"
    journal = Journal(path)
    estate = scenario.get("estate-asb")
    route = max(scenario.paths(estate), key=len)
    journal.record_scenario(scenario.play_through(estate, route))
    answers = _right_answers("01-origins")
    journal.record_check("01-origins", answers[0][0], "a wrong guess", False)
    for qid, answer in answers:
        journal.record_check("01-origins", qid, answer, True)
    journal.save_reflection("01-first", "What I will change: ask first.", module=1)
    return path, route, answers


def test_every_statement_keeps_the_rules(played):
    path, route, answers = played
    found = list(statements(Journal(path).entries(), Actor(account="trainee7")))
    for statement in found:
        assert problems(statement) == [], statement
    verbs = [s["verb"]["id"].rsplit("/", 1)[1] for s in found]
    # a progressed statement per decision, the route, the score; every attempt; the module
    assert verbs.count("progressed") == len(route)
    assert verbs.count("answered") == 1 + len(answers) + 1
    assert verbs.count("completed") == 2
    compound = next(s for s in found if s["verb"]["id"].endswith("answered")
                    and s["object"]["id"].endswith("/scenarios/estate-asb"))
    assert compound["result"]["response"].split("[,]") == route
    done = next(s for s in found if s["verb"]["id"].endswith("completed")
                and "/scenarios/" in s["object"]["id"])
    stance = Journal(path).entries("scenario")[0].detail["stance"]
    assert done["result"]["score"]["raw"] == pytest.approx(stance)
    assert done["result"]["score"]["scaled"] == pytest.approx(stance / 2)
    module = [s for s in found if s["object"]["id"].endswith("/modules/01")
              and s["verb"]["id"].endswith("completed")]
    assert len(module) == 1
    assert {s["actor"]["account"]["name"] for s in found} == {"trainee7"}
    # nothing the journal does not hold: no durations, no reflections' text
    assert not any("duration" in s.get("result", {}) for s in found)
    assert "ask first" not in json.dumps(found)


def test_same_journal_gives_the_same_ids(played):
    path, _, _ = played
    once = [s["id"] for s in statements(Journal(path).entries(), Actor(mbox="a@b.org"))]
    again = [s["id"] for s in statements(Journal(path).entries(), Actor(mbox="a@b.org"))]
    other = [s["id"] for s in statements(Journal(path).entries(), Actor(mbox="c@d.org"))]
    assert once == again and len(set(once)) == len(once) and not set(once) & set(other)


def test_no_module_completed_until_the_self_check_is_passed(tmp_path):
    path = tmp_path / "j.sqlite"
    journal = Journal(path)
    estate = scenario.get("estate-asb")
    journal.record_scenario(scenario.play_through(estate, scenario.paths(estate)[0]))
    first = _right_answers("01-origins")[0]
    journal.record_check("01-origins", first[0], first[1], True)
    found = list(statements(journal.entries(), Actor(account="t1")))
    assert not any(s["object"]["id"].endswith("/modules/01") for s in found)


@pytest.mark.parametrize("broken, why", [
    (lambda s: s.pop("actor"), "no actor"),
    (lambda s: s["verb"].update(id="progressed"), "verb.id is not an IRI"),
    (lambda s: s["object"].update(id="not an iri"), "object.id is not an IRI"),
    (lambda s: s.update(timestamp="yesterday"), "timestamp is not ISO 8601"),
    (lambda s: s.update(timestamp="2026-12-01T10:00:00"), "timestamp has no time zone"),
    (lambda s: s["actor"].update(mbox="mailto:x@y.org"), "actor has 2 identifiers"),
    (lambda s: s["result"].update(score={"raw": 3, "min": -2, "max": 2}), "raw is outside"),
    (lambda s: s["result"].update(score={"scaled": 1.5}), "scaled is outside"),
    (lambda s: s["result"].update(duration="10 minutes"), "not an ISO 8601 duration"),
    (lambda s: s.update(id="42"), "id is not a UUID"),
])
def test_the_rules_catch_a_broken_statement(played, broken, why):
    path, _, _ = played
    good = next(s for s in statements(Journal(path).entries(), Actor(account="t1"))
                if "result" in s)
    bad = copy.deepcopy(good)
    broken(bad)
    assert any(why in p for p in problems(bad)), problems(bad)


def test_actor_must_be_one_thing_xapi_accepts():
    with pytest.raises(ActorError, match="not both"):
        Actor(account="t1", mbox="t1@example.org").as_dict()
    with pytest.raises(ActorError, match="not an email address"):
        Actor(mbox="nobody").as_dict()
    with pytest.raises(ActorError, match="not a web address"):
        Actor(account="t1", home_page="my laptop").as_dict()


def test_crafted_journal_values_stay_inside_their_fields(tmp_path):
    """A journal's ids and answers are data: they never break an activity id or the file."""
    path = tmp_path / "j.sqlite"
    Journal(path, quiet=True)
    con = sqlite3.connect(path)
    rows = [("scenario", "../../etc passwd <script>", json.dumps(
                {"path": [["n 1/../x", "c\"1"], "junk", [1, 2]], "stance": 99, "ending": "x"})),
            ("check", "01-origins/coined", json.dumps({"answer": {"=cmd()": 1}, "correct": "yes"})),
            ("check", "no-slash", json.dumps({"answer": "a", "correct": True}))]
    con.executemany("INSERT INTO entries (at, kind, subject, detail) VALUES "
                    "('2026-11-30T09:00:00+00:00', ?, ?, ?)", rows)
    con.commit()
    con.close()
    found = list(statements(Journal(path).entries(), Actor(account="t1")))
    for statement in found:
        assert problems(statement) == [], statement
    assert not any("score" in s.get("result", {}) for s in found)  # a stance out of range
    answered = next(s for s in found if "/self-checks/" in s["object"]["id"])
    assert answered["result"]["success"] is False  # "yes" is not true


def _cli(*args, cwd):
    return subprocess.run([str(BIN / "coproduction"), *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_cli_writes_json_lines(played, tmp_path):
    path, route, _ = played
    out = tmp_path / "records.jsonl"
    result = _cli("journal", "export", "--xapi", out, "--path", path, "--mbox",
                  "sam@example.org", "--base-iri", "https://lrs.example.org/coproduction",
                  cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert f"Wrote {len(lines)} xAPI statement(s)" in result.stdout
    for line in lines:
        statement = json.loads(line)
        assert problems(statement) == []
        assert statement["object"]["id"].startswith("https://lrs.example.org/coproduction/")
        assert statement["actor"]["mbox"] == "mailto:sam@example.org"


def test_cli_with_nothing_to_export_writes_no_file(tmp_path):
    empty = tmp_path / "empty.sqlite"
    Journal(empty, quiet=True)
    out = tmp_path / "records.jsonl"
    result = _cli("journal", "export", "--xapi", out, "--path", empty, "--account", "t1",
                  cwd=tmp_path)
    assert result.returncode == 1 and "nothing to export" in result.stderr
    assert not out.exists()
    wrong = _cli("journal", "export", "--xapi", out, "--path", empty, "--mbox", "nobody",
                 cwd=tmp_path)
    assert wrong.returncode == 1 and "not an email address" in wrong.stderr
    missing = _cli("journal", "export", "--xapi", out, "--path", tmp_path / "none.sqlite",
                   "--account", "t1", cwd=tmp_path)
    assert missing.returncode == 1 and "no journal" in missing.stderr
    assert not (tmp_path / "none.sqlite").exists()


def test_readme_export_runs_as_written(played, tmp_path):
    """The README's command for trainees, run as printed (placeholders filled in)."""
    import os

    path, _, _ = played
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"```bash\n(.*?)```", readme, re.S)
                 if "journal export --xapi" in b)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
           "COPRODUCTION_JOURNAL": str(path)}
    result = subprocess.run(["bash", "-ec", block.replace("YOUR-ACCOUNT-NAME", "trainee7")],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = (tmp_path / "my-records.jsonl").read_text(encoding="utf-8").splitlines()
    assert lines and all(problems(json.loads(line)) == [] for line in lines)
