"""Make the course's synthetic datasets. Seeded: the same run gives the same files.

    python datasets/make_datasets.py            # rewrite the CSVs beside this script
    python datasets/make_datasets.py --out DIR  # write them somewhere else

Every figure is invented. The generators build in the patterns each module
discusses (so there is something to find) plus noise (so it is not tidy).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20261127
HERE = Path(__file__).resolve().parent


WARDS = ["Ashby Fields", "Brookside", "Castle Hill", "Draycott", "Eastgate", "Greenway"]


def ward_policing(rng: np.random.Generator) -> pd.DataFrame:
    """Module 1: ward-month policing on six invented wards, Jan 2023 to Dec 2024."""
    months = pd.period_range("2023-01", "2024-12", freq="M").astype(str)
    # ward -> (month index, 0-based, when residents began setting priorities, or None
    # for never; the ward's usual foot-patrol hours; its usual trust %). Wards that
    # patrol more also start with a little more trust, so the correlation across all
    # rows differs from the one inside each ward (Module 1 asks trainees to spot this).
    wards = {
        "Ashby Fields": (6, 48, 34), "Brookside": (12, 72, 41), "Castle Hill": (9, 58, 36),
        "Draycott": (None, 84, 44), "Eastgate": (None, 40, 31), "Greenway": (15, 64, 38),
    }
    # Foot patrol draws on its own random stream, so it is unconnected to every other
    # figure in the ward (think rotas, leave and officers taken off to other duties).
    # With only 24 months a chance drift can still line up with the climb in trust;
    # stream 1 is one where it does not (every within-ward correlation is under 0.3).
    patrol_rng = np.random.default_rng([SEED, 1])
    rows = []
    for ward, (begins, usual_patrol, usual_trust) in wards.items():
        base_incidents = rng.uniform(28, 55)
        wander = 0.0
        for m, month in enumerate(months):
            on = begins is not None and m >= begins
            months_on = m - begins if on else 0
            wander = 0.3 * wander + patrol_rng.normal(0, 7)  # wanders round the usual level
            patrol = max(10.0, usual_patrol + wander)
            meetings = int(rng.integers(1, 3) + (1 if on else 0))
            attendees = int(sum(rng.poisson(22 if on else 9) for _ in range(meetings)))
            # Incidents ease off as resident priorities bed in (capped at 30%).
            easing = min(0.30, 0.025 * months_on) if on else 0.0
            season = 1 + 0.12 * np.sin(2 * np.pi * (m % 12 - 3) / 12)  # summer peak
            incidents = int(rng.poisson(base_incidents * season * (1 - easing)))
            trust = usual_trust + (min(18, 1.5 * months_on) if on else 0)
            trust = float(np.clip(trust + rng.normal(0, 2.5), 0, 100))
            rows.append({
                "ward": ward, "month": month, "foot_patrol_hours": round(patrol, 1),
                "beat_meetings": meetings, "attendees": attendees, "incidents": incidents,
                "trust_pct": round(trust, 1), "resident_priorities": on,
            })
    return pd.DataFrame(rows)


AGE_GROUPS = ["16-24", "25-44", "45-64", "65+"]
TENURES = ["social rent", "private rent", "owner"]
PRIORITIES = ["drug dealing", "speeding and mopeds", "street lighting",
              "nowhere for young people", "litter and fly-tipping", "burglary"]


def resident_survey(rng: np.random.Generator) -> pd.DataFrame:
    """Module 1: one row per surveyed resident, 100 in each of the six invented wards.

    Built in: about one in six went to a beat meeting; attenders are older and more
    often owners; their top priorities differ from other residents' (as the CAPS
    evaluators found in Chicago); they agree more that the police and council listen.
    """
    age_share = [0.16, 0.34, 0.30, 0.20]
    tenure_share = {  # by age group: social rent, private rent, owner
        "16-24": [0.40, 0.50, 0.10], "25-44": [0.30, 0.40, 0.30],
        "45-64": [0.28, 0.17, 0.55], "65+": [0.30, 0.07, 0.63],
    }
    attend_chance = {"16-24": 0.04, "25-44": 0.10, "45-64": 0.22, "65+": 0.32}
    tenure_factor = {"social rent": 1.0, "private rent": 0.6, "owner": 1.4}
    priority_weights = {  # in the order of PRIORITIES
        "attender": [0.34, 0.28, 0.08, 0.06, 0.14, 0.10],
        "young non-attender": [0.10, 0.08, 0.28, 0.38, 0.08, 0.08],
        "other non-attender": [0.17, 0.15, 0.23, 0.22, 0.13, 0.10],
    }
    safe_by_ward = dict(zip(WARDS, rng.uniform(-0.08, 0.08, len(WARDS))))
    wards = rng.permutation(np.repeat(WARDS, 100))
    rows = []
    for i, ward in enumerate(wards, start=1):
        age = str(rng.choice(AGE_GROUPS, p=age_share))
        tenure = str(rng.choice(TENURES, p=tenure_share[age]))
        attends = bool(rng.random() < attend_chance[age] * tenure_factor[tenure])
        group = ("attender" if attends
                 else "young non-attender" if age == "16-24" else "other non-attender")
        priority = str(rng.choice(PRIORITIES, p=priority_weights[group]))
        safe_chance = (0.58 + safe_by_ward[ward] - (0.14 if age == "65+" else 0)
                       - (0.06 if age == "16-24" else 0) + (0.04 if attends else 0))
        listen = (2.5 + (0.8 if attends else 0) + (0.3 if tenure == "owner" else 0)
                  - (0.3 if age == "16-24" else 0) + rng.normal(0, 1.0))
        rows.append({
            "respondent": f"R{i:04d}", "ward": str(ward), "age_group": age, "tenure": tenure,
            "attends_meetings": attends, "top_priority": priority,
            "feels_safe_after_dark": bool(rng.random() < safe_chance),
            "police_listen": int(np.clip(round(listen), 1, 5)),
        })
    return pd.DataFrame(rows)


#: name -> generator. Each name has a CSV and a data card (NAME.md) beside this script.
GENERATORS = {"ward_policing": ward_policing, "resident_survey": resident_survey}


def make_all(out: Path) -> list[Path]:
    """Write every dataset into ``out``; return the files written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, generate in GENERATORS.items():
        # One generator per dataset, each seeded from the name, so adding a
        # dataset never changes the ones already published.
        rng = np.random.default_rng([SEED, *name.encode()])
        path = out / f"{name}.csv"
        generate(rng).to_csv(path, index=False, lineterminator="\n")
        written.append(path)
    return written


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write into")
    for written_path in make_all(parser.parse_args().out):
        print(f"wrote {written_path}")
