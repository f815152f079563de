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
}


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
