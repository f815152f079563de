"""Datasets: load by name from anywhere, including an installed wheel; seeded and documented."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile

import pytest

from coproduction import data
from conftest import ROOT

EXPECTED_COLUMNS = {
    "ward_policing": ["ward", "month", "foot_patrol_hours", "beat_meetings", "attendees",
                      "incidents", "trust_pct", "resident_priorities"],
    "resident_survey": ["respondent", "ward", "age_group", "tenure", "attends_meetings",
                        "top_priority", "feels_safe_after_dark", "police_listen"],
    "timebank_members": ["member", "joined", "age_group", "neighbourhood", "referred_by",
                         "offers"],
    "timebank_ledger": ["exchange", "date", "giver", "receiver", "hours", "category",
                        "group_size"],
    "engagement_activities": ["activity", "year", "service", "method", "participants",
                              "who_took_part", "asked", "decision_influenced",
                              "feedback_given", "budget_share_pct"],
    "clinic_encounters": ["encounter", "clinician", "patient_age", "hba1c_mmol_mol",
                          "pam_score", "collaborate_understand", "collaborate_listen",
                          "collaborate_include"],
    "repair_cases": ["case", "reported", "build_year", "property_type", "occupants",
                     "at_risk_occupant", "inspected_by", "working_days_to_inspect",
                     "working_days_to_summary", "landlord_cause", "surveyor_cause",
                     "response", "repeat_reports", "tp06_listens", "tp08_fair_respect"],
    "self_assessment": ["respondent", "team", "role", "domain", "item", "score"],
}
WARDS = {"Ashby Fields", "Brookside", "Castle Hill", "Draycott", "Eastgate", "Greenway"}


def test_names():
    assert set(EXPECTED_COLUMNS) <= set(data.names())


@pytest.mark.parametrize("name", sorted(EXPECTED_COLUMNS))
def test_load_gives_typed_frame(name):
    frame = data.load(name)
    assert list(frame.columns) == EXPECTED_COLUMNS[name]
    assert len(frame) > 0 and not frame.isna().any().any()


def test_ward_policing_values_make_sense():
    frame = data.load("ward_policing")
    assert len(frame) == 6 * 24
    assert frame["trust_pct"].between(0, 100).all()
    assert (frame[["foot_patrol_hours", "beat_meetings", "attendees", "incidents"]] >= 0).all().all()
    assert frame["resident_priorities"].dtype == bool
    assert frame["month"].min() == "2023-01" and frame["month"].max() == "2024-12"
    assert set(frame["ward"]) == WARDS
    assert (frame.groupby("ward").size() == 24).all()


def test_ward_policing_foot_patrol_is_unrelated_to_trust_inside_each_ward():
    """Module 1 compares the correlation over all rows with the one inside each ward."""
    frame = data.load("ward_policing")
    overall = frame["foot_patrol_hours"].corr(frame["trust_pct"])
    within = frame.groupby("ward")[["foot_patrol_hours", "trust_pct"]].corr().xs(
        "trust_pct", level=1)["foot_patrol_hours"]
    assert (within.abs() < 0.3).all(), within
    assert overall > 0.3 and overall > within.abs().max() + 0.1


def test_ward_policing_resident_priorities_raise_trust_and_attendance():
    frame = data.load("ward_policing")
    means = frame.groupby("resident_priorities")[["trust_pct", "attendees"]].mean()
    assert means.loc[True, "trust_pct"] > means.loc[False, "trust_pct"] + 5
    assert means.loc[True, "attendees"] > 2 * means.loc[False, "attendees"]
    never = frame.groupby("ward")["resident_priorities"].any()
    assert set(never[~never].index) == {"Draycott", "Eastgate"}


def test_resident_survey_values_make_sense():
    frame = data.load("resident_survey")
    assert len(frame) == 600
    assert list(frame["respondent"]) == [f"R{i:04d}" for i in range(1, 601)]
    assert frame.groupby("ward").size().to_dict() == dict.fromkeys(sorted(WARDS), 100)
    assert set(frame["age_group"]) == {"16-24", "25-44", "45-64", "65+"}
    assert set(frame["tenure"]) == {"social rent", "private rent", "owner"}
    assert set(frame["top_priority"]) == {
        "drug dealing", "speeding and mopeds", "street lighting", "nowhere for young people",
        "litter and fly-tipping", "burglary"}
    assert frame["attends_meetings"].dtype == bool
    assert frame["feels_safe_after_dark"].dtype == bool
    assert frame["police_listen"].dtype.kind == "i"
    assert set(frame["police_listen"]) == {1, 2, 3, 4, 5}


def test_resident_survey_attenders_are_not_a_cross_section():
    """The patterns the data card promises (after the CAPS evaluators' finding)."""
    import pandas as pd

    frame = data.load("resident_survey")
    attends = frame["attends_meetings"]
    assert 0.15 <= attends.mean() <= 0.20
    older = frame["age_group"].isin(["45-64", "65+"])
    assert older[attends].mean() > older[~attends].mean() + 0.2
    owner = frame["tenure"] == "owner"
    assert owner[attends].mean() > owner[~attends].mean() + 0.1
    shares = pd.crosstab(attends, frame["top_priority"], normalize="index")
    assert set(shares.loc[True].nlargest(2).index) == {"drug dealing", "speeding and mopeds"}
    for issue in ("nowhere for young people", "street lighting"):
        assert shares.loc[False, issue] > shares.loc[True, issue] + 0.1
    young = frame[~attends & (frame["age_group"] == "16-24")]["top_priority"].value_counts(
        normalize=True)
    assert young.index[0] == "nowhere for young people"
    assert young["nowhere for young people"] > shares.loc[False, "nowhere for young people"]
    listen = frame.groupby("attends_meetings")["police_listen"].mean()
    assert listen[True] > listen[False] + 0.5
    # noise: every answer turns up among attenders and non-attenders alike
    assert (pd.crosstab(attends, frame["top_priority"]) > 0).all().all()


@pytest.mark.parametrize("name", sorted(EXPECTED_COLUMNS))
def test_every_dataset_has_a_card_naming_every_column(name):
    card = data.card(name)
    assert "Synthetic" in card or "synthetic" in card
    for column in EXPECTED_COLUMNS[name]:
        assert f"`{column}`" in card


def test_unknown_dataset_is_a_plain_error():
    with pytest.raises(LookupError) as caught:
        data.load("crime_figures")
    assert str(caught.value).startswith("There is no dataset called 'crime_figures'.")
    assert "ward_policing" in str(caught.value)


def test_generator_is_seeded_and_output_is_committed(tmp_path):
    subprocess.run([sys.executable, str(ROOT / "datasets" / "make_datasets.py"), "--out",
                    str(tmp_path)], check=True, capture_output=True)
    for name in EXPECTED_COLUMNS:
        assert (tmp_path / f"{name}.csv").read_bytes() == (
            ROOT / "datasets" / f"{name}.csv").read_bytes(), name


def test_loads_from_another_working_directory(tmp_path):
    code = "from coproduction import data; print(len(data.load('ward_policing')))"
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "144"


@pytest.mark.slow
def test_loads_from_an_installed_wheel(tmp_path):
    """Build the wheel, install it on its own, and load data, a scenario and a check from it."""
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(dist), str(ROOT)], check=True, capture_output=True)
    [wheel] = dist.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "coproduction/_datasets/ward_policing.csv" in names
    assert "coproduction/content/scenarios/estate-asb.yaml" in names
    assert not any(n.startswith("solutions/") or "self-check-keys" in n for n in names)
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                    str(target), str(wheel)], check=True, capture_output=True)
    code = ("import coproduction, sys; from coproduction import data, scenario, quiz\n"
            "assert coproduction.__file__.startswith(sys.argv[1]), coproduction.__file__\n"
            "print(len(data.load('ward_policing')), scenario.get('estate-asb').id,"
            " quiz.get('01-origins').id)")
    env = {**os.environ, "PYTHONPATH": str(target)}
    elsewhere = tmp_path / "home"
    elsewhere.mkdir()
    out = subprocess.run([sys.executable, "-c", code, str(target)], cwd=elsewhere, env=env,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["144", "estate-asb", "01-origins"]
