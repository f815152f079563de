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


def ward_policing(rng: np.random.Generator) -> pd.DataFrame:
    """Module 1: ward-month policing on six invented wards, Jan 2023 to Dec 2024."""
    months = pd.period_range("2023-01", "2024-12", freq="M").astype(str)
    # month index (0-based) when residents began setting priorities; None = never
    wards = {
        "Ashby Fields": 6, "Brookside": 12, "Castle Hill": 9,
        "Dunmore": None, "Eastgate": None, "Fernlea": 15,
    }
    rows = []
    for ward, begins in wards.items():
        base_incidents = rng.uniform(28, 55)
        base_trust = rng.uniform(30, 45)
        patrol = rng.uniform(40, 90)
        for m, month in enumerate(months):
            on = begins is not None and m >= begins
            months_on = m - begins if on else 0
            # Foot patrol drifts; wards working with residents walk a little more.
            patrol = max(10.0, patrol + rng.normal(0, 6) + (1.5 if on else -0.5))
            meetings = int(rng.integers(1, 3) + (1 if on else 0))
            attendees = int(sum(rng.poisson(22 if on else 9) for _ in range(meetings)))
            # Incidents ease off as resident priorities bed in (capped at 30%).
            easing = min(0.30, 0.025 * months_on) if on else 0.0
            season = 1 + 0.12 * np.sin(2 * np.pi * (m % 12 - 3) / 12)  # summer peak
            incidents = int(rng.poisson(base_incidents * season * (1 - easing)))
            trust = base_trust + 0.04 * patrol + (min(18, 1.5 * months_on) if on else 0)
            trust = float(np.clip(trust + rng.normal(0, 2.5), 0, 100))
            rows.append({
                "ward": ward, "month": month, "foot_patrol_hours": round(patrol, 1),
                "beat_meetings": meetings, "attendees": attendees, "incidents": incidents,
                "trust_pct": round(trust, 1), "resident_priorities": on,
            })
    return pd.DataFrame(rows)


#: name -> generator. Each name has a CSV and a data card (NAME.md) beside this script.
GENERATORS = {"ward_policing": ward_policing}


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
