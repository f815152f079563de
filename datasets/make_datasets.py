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


TIMEBANK_AREAS = ["Abbey Road", "Canal Side", "Hartley Green", "Mill Lane", "St Barnabas"]
TIMEBANK_AGES = ["under 25", "25-44", "45-64", "65-79", "80+"]
TIMEBANK_REFERRERS = ["self", "friend", "GP practice", "social worker", "housing"]
TIMEBANK_SERVICES = {"GP practice", "social worker", "housing"}
TIMEBANK_CATEGORIES = ["accompaniment", "health", "household", "admin", "classes",
                       "leisure", "advice", "other"]
# category -> (fewest, most) hours an exchange of that kind takes, in half hours
TIMEBANK_HOURS = {"accompaniment": (1, 3), "health": (1, 2), "household": (1, 4),
                  "admin": (0.5, 2), "classes": (1, 2), "leisure": (1, 3),
                  "advice": (0.5, 1.5), "other": (0.5, 3)}


def _timebank_people(rng: np.random.Generator) -> list[dict]:
    """Module 2: the invented time bank's 200 members, with the hidden habits the
    ledger is drawn from (keys starting with an underscore never reach a CSV)."""
    joined = pd.Timestamp("2022-09-01") + pd.to_timedelta(
        np.sort(rng.integers(0, 790, 200)), unit="D")  # September 2022 to late 2024
    people = []
    for i, day in enumerate(joined):
        age = str(rng.choice(TIMEBANK_AGES, p=[0.08, 0.22, 0.27, 0.27, 0.16]))
        referred = str(rng.choice(TIMEBANK_REFERRERS, p=[0.30, 0.22, 0.22, 0.14, 0.12]))
        service = referred in TIMEBANK_SERVICES
        offers = str(rng.choice(TIMEBANK_CATEGORIES,
                                p=[0.16, 0.06, 0.20, 0.10, 0.08, 0.18, 0.10, 0.12]))
        # Many members never trade; among those who do, a few trade a great deal.
        trades = rng.random() > (0.38 if service else 0.32)
        busy = float(rng.lognormal(0.0, 1.1)) if trades else 0.0
        # People referred by a service mostly come to receive; about half of them
        # start giving too, after two to eight months.
        gives = rng.random() < (0.5 if service else 0.85)
        give_share = (0.35 if service else 0.65) * (0.6 if age == "80+" else 1.0)
        people.append({
            "member": f"M{i + 1:03d}", "joined": day, "age_group": age,
            "neighbourhood": str(rng.choice(TIMEBANK_AREAS, p=[0.24, 0.18, 0.22, 0.2, 0.16])),
            "referred_by": referred, "offers": offers, "_busy": busy,
            "_give_share": give_share if gives else 0.0,
            "_give_after": int(rng.integers(60, 240)) if service else 0,
        })
    return people


def timebank_members(rng: np.random.Generator) -> pd.DataFrame:
    """Module 2: one row per member of an invented time bank, 200 members.

    Built in (through the ledger): about two in five never trade; activity is
    concentrated in a minority; members referred by a service more often only
    receive, though some of them become givers.
    """
    frame = pd.DataFrame(_timebank_people(rng))
    frame = frame[["member", "joined", "age_group", "neighbourhood", "referred_by", "offers"]]
    return frame.assign(joined=frame["joined"].dt.strftime("%Y-%m-%d"))


def timebank_ledger(rng: np.random.Generator) -> pd.DataFrame:
    """Module 2: one row per exchange in the invented time bank, 2023 to 2024.

    One hour given is one credit, whatever the task. A class is one row: the
    teacher is credited the hours taught, once, from the time bank's own
    ``COMMUNITY`` account, however many people came (``group_size``). So every
    giver is a member, every receiver is a member or ``COMMUNITY``, and the
    balances (hours given minus hours received) sum to zero.
    """
    # The same members as timebank_members, from the same seed.
    people = _timebank_people(np.random.default_rng([SEED, *b"timebank_members"]))
    traders = [p for p in people if p["_busy"] > 0]
    days = pd.date_range("2023-01-01", "2024-12-31", freq="D")
    rows = []
    while len(rows) < 1500:
        day = days[int(rng.integers(0, len(days)))]
        here = [p for p in traders if p["joined"] <= day]
        can_give = np.array([p["_busy"] * p["_give_share"]
                             * ((day - p["joined"]).days >= p["_give_after"]) for p in here])
        if len(here) < 2 or can_give.sum() == 0:
            continue
        g = int(rng.choice(len(here), p=can_give / can_give.sum()))
        giver = here[g]
        # Most people give what they offered when they joined, not only that.
        category = (giver["offers"] if rng.random() < 0.7
                    else str(rng.choice(TIMEBANK_CATEGORIES)))
        fewest, most = TIMEBANK_HOURS[category]
        hours = float(rng.choice(np.arange(fewest, most + 0.5, 0.5)))
        if category == "classes":
            receiver, size = "COMMUNITY", int(rng.integers(3, 11))
        else:
            wants = np.array([p["_busy"] * (1 - 0.7 * p["_give_share"]) for p in here])
            wants[g] = 0.0
            receiver, size = here[int(rng.choice(len(here), p=wants / wants.sum()))]["member"], 1
        rows.append({"date": day, "giver": giver["member"], "receiver": receiver,
                     "hours": hours, "category": category, "group_size": size})
    frame = pd.DataFrame(rows).sort_values("date", kind="stable").reset_index(drop=True)
    frame.insert(0, "exchange", [f"X{i:04d}" for i in range(1, len(frame) + 1)])
    return frame.assign(date=frame["date"].dt.strftime("%Y-%m-%d"))


SERVICES = ["youth", "housing", "health", "adult social care", "parks"]
# TLAP rung -> what people were asked (the data card gives the rule that maps back).
ASKED_BY_RUNG = {
    "Educating": ["explained how the service works"],
    "Informing": ["told of decision"],
    "Consultation": ["choose between preset options", "comment on draft"],
    "Engagement": ["define the problem"],
    "Co-design": ["design options together"],
    "Co-production": ["decide and deliver together"],
}
METHODS_BY_RUNG = {  # method -> weight, for each rung
    "Educating": {"leaflet": 3, "drop-in session": 2, "public meeting": 1},
    "Informing": {"leaflet": 4, "public meeting": 3, "drop-in session": 2},
    "Consultation": {"online survey": 6, "public meeting": 2, "focus group": 2,
                     "citizens' panel": 1},
    "Engagement": {"focus group": 2, "citizens' panel": 2, "steering group": 2,
                   "drop-in session": 1},
    "Co-design": {"co-design workshop": 4, "paid lived-experience panel": 2},
    "Co-production": {"steering group": 2, "paid lived-experience panel": 2,
                      "co-design workshop": 1},
}
# method -> (typical number taking part, spread on a log scale, smallest, largest)
PARTICIPANTS = {
    "leaflet": (900, 0.5, 250, 2600), "online survey": (240, 0.7, 40, 1400),
    "public meeting": (38, 0.5, 12, 110), "drop-in session": (24, 0.5, 8, 70),
    "focus group": (9, 0.25, 5, 14), "citizens' panel": (40, 0.25, 24, 64),
    "steering group": (10, 0.25, 6, 16), "co-design workshop": (14, 0.35, 6, 28),
    "paid lived-experience panel": (9, 0.2, 6, 12),
    "participatory budgeting vote": (420, 0.4, 150, 900),
}
INFLUENCE = ["none", "minor change", "option chosen", "major change", "service redesigned"]
INFLUENCE_BY_RUNG = {  # weights in the order of INFLUENCE
    "Educating": [1, 0, 0, 0, 0], "Informing": [0.9, 0.1, 0, 0, 0],
    "Consultation": [0.45, 0.35, 0.2, 0, 0], "Engagement": [0.15, 0.45, 0, 0.35, 0.05],
    "Co-design": [0, 0.15, 0, 0.45, 0.4], "Co-production": [0, 0, 0, 0.3, 0.7],
}
FEEDBACK_BY_RUNG = {"Educating": 0.15, "Informing": 0.2, "Consultation": 0.3,
                    "Engagement": 0.55, "Co-design": 0.7, "Co-production": 0.9}


def engagement_activities(rng: np.random.Generator) -> pd.DataFrame:
    """Module 3: one row per engagement activity run by an invented council and its
    partners, 2022 to 2024.

    Built in: most activities sit at Informing or Consultation; participants are
    seldom told what happened as a result, least of all at the lower rungs; higher
    rungs have fewer participants and more influence; a share of the budget under
    shared control is almost always zero. The rung is not a column: the data card
    gives the rule that works it out from `asked` and `budget_share_pct`.
    """
    rungs = list(ASKED_BY_RUNG)
    rung_share = {  # by year: the higher rungs grow a little as the council learns
        2022: [0.06, 0.24, 0.40, 0.13, 0.10, 0.07],
        2023: [0.05, 0.21, 0.40, 0.14, 0.12, 0.08],
        2024: [0.04, 0.17, 0.36, 0.15, 0.16, 0.12],
    }
    rows = []
    for year, shares in rung_share.items():
        for _ in range(40):
            rung = str(rng.choice(rungs, p=shares))
            service = str(rng.choice(SERVICES, p=[0.22, 0.26, 0.2, 0.16, 0.16]))
            methods = METHODS_BY_RUNG[rung]
            method = str(rng.choice(list(methods), p=np.array(list(methods.values()))
                                    / sum(methods.values())))
            asked = str(rng.choice(ASKED_BY_RUNG[rung]))
            budget = 0
            if rung == "Co-production":
                budget = int(rng.choice([5, 10, 15, 20, 25, 30, 40, 50, 100]))
            elif rung == "Co-design" and rng.random() < 0.25:
                asked = "decide and deliver together"  # shared decisions, but no money
            elif rung == "Consultation" and rng.random() < 0.08:
                # a residents' vote on a small grants pot: the whole pot is theirs,
                # but they choose among bids drawn up by others
                method, asked, budget = "participatory budgeting vote", \
                    "choose between preset options", 100
            typical, spread, low, high = PARTICIPANTS[method]
            participants = int(np.clip(round(typical * np.exp(rng.normal(0, spread))),
                                       low, high))
            if service == "youth":
                who = "young people"
            elif method in ("citizens' panel",):
                who = "invited representative sample"
            elif method in ("focus group", "steering group", "co-design workshop",
                            "paid lived-experience panel"):
                who = str(rng.choice(["people using the service", "carers"],
                                     p=[0.75, 0.25] if service == "adult social care"
                                     else [0.95, 0.05]))
            else:
                who = "self-selected"
            influence = str(rng.choice(INFLUENCE, p=INFLUENCE_BY_RUNG[rung]))
            if asked == "comment on draft" and influence == "option chosen":
                influence = "minor change"
            if method == "participatory budgeting vote":
                influence = "option chosen"
            feedback = bool(rng.random() < FEEDBACK_BY_RUNG[rung]
                            - (0.1 if method == "online survey" else 0))
            rows.append({
                "year": year, "service": service, "method": method,
                "participants": participants, "who_took_part": who, "asked": asked,
                "decision_influenced": influence, "feedback_given": feedback,
                "budget_share_pct": budget,
            })
    frame = pd.DataFrame(rows)
    frame.insert(0, "activity", [f"EA{i:03d}" for i in range(1, len(frame) + 1)])
    return frame


#: name -> generator. Each name has a CSV and a data card (NAME.md) beside this script.
GENERATORS = {"ward_policing": ward_policing, "resident_survey": resident_survey,
              "timebank_members": timebank_members, "timebank_ledger": timebank_ledger,
              "engagement_activities": engagement_activities}


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
