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


#: Module 4: clinician -> (encounters in the year, chance of a CollaboRATE top score
#: for a patient at PAM level 3, share of that clinician's patients at each PAM level,
#: or None for the practice's usual mix). C11 and C12 saw too few patients for the
#: 25-encounter rule; their top scores are fixed below so they sit at the two ends of
#: the table, as a handful of encounters easily can.
CLINICIANS = {
    "C01": (118, 0.62, None), "C02": (96, 0.47, None), "C03": (64, 0.71, None),
    "C04": (88, 0.55, [0.5, 0.25, 0.17, 0.08]), "C05": (131, 0.52, None),
    "C06": (27, 0.60, None), "C07": (72, 0.66, None), "C08": (105, 0.44, None),
    "C09": (39, 0.38, None), "C10": (84, 0.58, None), "C11": (9, 0.60, None),
    "C12": (16, 0.45, None),
}
FIXED_TOP_SCORES = {"C11": 8, "C12": 3}  # of 9 and of 16 encounters
PAM_CUTS = [0, 47.0, 55.1, 67.0, 100]  # PAM levels 1-4 (Hibbard et al.)
PAM_LEVEL_RANGES = [(32.0, 47.0), (47.1, 55.1), (55.2, 67.0), (67.1, 95.0)]
PAM_MIX = [0.17, 0.22, 0.35, 0.26]
TOP_SHIFT_BY_LEVEL = [-0.2, -0.08, 0.0, 0.06]  # patients at low activation rate less often at the top


def clinic_encounters(rng: np.random.Generator) -> pd.DataFrame:
    """Module 4: one row per diabetes review in an invented group practice over a year.

    Built in: HbA1c runs higher, on average, at lower PAM levels, with wide overlap;
    each clinician's CollaboRATE top-score share differs (about 30 to 75 per cent for
    those with 25 or more encounters), while mean item scores differ much less;
    patients at PAM level 1 give top scores less often; one clinician (C04) sees many
    patients at level 1; two clinicians with fewer than 25 encounters sit at the top
    and bottom of the table. Some PAM scores fall exactly on the level cut-offs.
    """
    rows = []
    for clinician, (count, top_at_level_3, mix) in CLINICIANS.items():
        levels = rng.choice(4, size=count, p=mix or PAM_MIX)
        if clinician in FIXED_TOP_SCORES:
            top = np.zeros(count, dtype=bool)
            top[rng.choice(count, FIXED_TOP_SCORES[clinician], replace=False)] = True
        else:
            chance = np.clip(top_at_level_3 + np.take(TOP_SHIFT_BY_LEVEL, levels), 0.02, 0.98)
            top = rng.random(count) < chance
        for level, is_top in zip(levels, top):
            low, high = PAM_LEVEL_RANGES[level]
            pam = round(float(rng.uniform(low, high)) if rng.random() < 0.5 else
                        float(np.clip(rng.normal((low + high) / 2, (high - low) / 4), low, high)), 1)
            age = int(np.clip(round(rng.normal(64, 12)), 27, 91))
            hba1c = int(np.clip(round(60 - 0.3 * (pam - 58) - 0.15 * (age - 64)
                                      + rng.normal(0, 12)), 38, 125))
            if is_top:
                items = [9, 9, 9]
            else:
                items = [9 if rng.random() < 0.5 else int(rng.choice(
                    range(9), p=np.array([1, 1, 1, 2, 3, 5, 9, 14, 16]) / 52)) for _ in range(3)]
                if min(items) == 9:
                    items[int(rng.integers(3))] = int(rng.choice([6, 7, 8]))
            rows.append({"clinician": clinician, "patient_age": age, "hba1c_mmol_mol": hba1c,
                         "pam_score": pam, "collaborate_understand": items[0],
                         "collaborate_listen": items[1], "collaborate_include": items[2]})
    frame = pd.DataFrame(rows).iloc[rng.permutation(len(rows))].reset_index(drop=True)
    # a few scores exactly on each cut-off, and just above it, so the boundaries matter
    boundary = rng.choice(len(frame), 12, replace=False)
    frame.loc[boundary, "pam_score"] = [47.0, 47.1, 55.1, 55.2, 67.0, 67.1] * 2
    frame.insert(0, "encounter", [f"CE{i:04d}" for i in range(1, len(frame) + 1)])
    return frame


# England's bank holidays in the months the cases ran (working days skip them).
REPAIR_HOLIDAYS = ["2025-12-25", "2025-12-26", "2026-01-01", "2026-04-03", "2026-04-06",
                   "2026-05-04", "2026-05-25"]
# build era -> (first year, last year, share of cases, {property type: weight})
REPAIR_ERAS = {
    "before 1945": (1890, 1944, 0.14, {"house": 0.85, "flat": 0.15}),
    "1945-1964": (1945, 1964, 0.16, {"house": 0.5, "flat": 0.35, "maisonette": 0.15}),
    "1965-1979": (1965, 1979, 0.34, {"flat": 0.6, "maisonette": 0.25, "house": 0.15}),
    "1980-1999": (1980, 1999, 0.20, {"house": 0.45, "flat": 0.55}),
    "2000 on": (2000, 2019, 0.16, {"flat": 0.6, "house": 0.4}),
}
REPAIR_CAUSES = ["leak", "rising damp", "ventilation", "cold walls", "heating",
                 "no defect found"]
# build era -> weights of what the surveyor found, in the order of REPAIR_CAUSES
REPAIR_CAUSE_WEIGHTS = {
    "before 1945": [0.22, 0.2, 0.14, 0.22, 0.1, 0.12],
    "1945-1964": [0.2, 0.03, 0.2, 0.3, 0.12, 0.15],
    "1965-1979": [0.24, 0.01, 0.24, 0.34, 0.07, 0.10],
    "1980-1999": [0.22, 0.02, 0.36, 0.12, 0.08, 0.2],
    "2000 on": [0.26, 0.0, 0.34, 0.05, 0.05, 0.30],
}
# extra working days to inspect, by month reported (the winter backlog)
REPAIR_BACKLOG = {11: 0.0, 12: 2.5, 1: 3.5, 2: 1.5, 3: -0.5, 4: -1.5}
REPAIR_TP06 = ["very satisfied", "fairly satisfied", "neither", "fairly dissatisfied",
               "very dissatisfied"]
REPAIR_TP08 = ["strongly agree", "agree", "neither", "disagree", "strongly disagree"]


def _band(score: float, answers: list[str]) -> str:
    """A 1-5 score to one of five answers, best first."""
    for cut, answer in zip((4.3, 3.5, 2.8, 2.0), answers):
        if score >= cut:
            return answer
    return answers[-1]


def repair_cases(rng: np.random.Generator) -> pd.DataFrame:
    """Module 5: one row per report of damp or mould to an invented housing association,
    November 2025 to April 2026, with what a surveyor later found.

    Built in: the landlord put about two cases in five down to "lifestyle", most of them
    where a surveyor found a fault in the building (cold walls, ventilation, heating);
    the label is commoner when the repairs contractor made the first visit and in
    larger households; advice only and mould washes are followed by more repeat reports
    than works, unless the surveyor found no defect; many inspections took longer than
    the 10 working days Awaab's Law allows, most of all in midwinter; tenants whose
    damp was put down to lifestyle replied to the follow-up survey less often, and were
    less satisfied when they did.
    """
    days = pd.bdate_range("2025-11-03", "2026-04-30", freq="C", holidays=REPAIR_HOLIDAYS)
    month_weight = {11: 1.0, 12: 1.3, 1: 1.5, 2: 1.3, 3: 0.9, 4: 0.6}
    weights = np.array([month_weight[d.month] for d in days])
    reported = np.sort(rng.choice(days.values, size=600, p=weights / weights.sum()))
    eras = list(REPAIR_ERAS)
    rows = []
    for day in reported:
        day = pd.Timestamp(day)
        era = str(rng.choice(eras, p=[REPAIR_ERAS[e][2] for e in eras]))
        first, last, _, types = REPAIR_ERAS[era]
        build_year = int(rng.integers(first, last + 1))
        kind = str(rng.choice(list(types), p=list(types.values())))
        sizes = [0.18, 0.2, 0.22, 0.18, 0.12, 0.06, 0.03, 0.01]
        if kind == "flat":
            sizes = [0.26, 0.26, 0.22, 0.14, 0.08, 0.03, 0.01, 0.0]
        occupants = int(rng.choice(np.arange(1, 9), p=sizes))
        at_risk = bool(rng.random() < (0.32 if occupants <= 2 else 0.58))
        found = str(rng.choice(REPAIR_CAUSES, p=REPAIR_CAUSE_WEIGHTS[era]))
        # Reports that sound like condensation are mostly sent to the repairs contractor.
        contractor = rng.random() < (0.45 if found in ("leak", "rising damp") else 0.66)
        if found in ("leak", "rising damp"):
            lifestyle_chance = 0.08
        elif found == "no defect found":
            lifestyle_chance = 0.6
        else:
            lifestyle_chance = (0.16 + (0.28 if contractor else 0.0)
                                + (0.08 if era in ("1945-1964", "1965-1979") else 0.0)
                                + 0.07 * min(max(occupants - 2, 0), 4))
        if rng.random() < lifestyle_chance:
            recorded = "lifestyle"
        elif rng.random() < 0.8:
            recorded = found if found != "no defect found" else "ventilation"
        else:
            recorded = str(rng.choice([c for c in REPAIR_CAUSES[:5] if c != found]))
        if recorded == "lifestyle":
            response = str(rng.choice(["advice only", "mould wash only", "works done"],
                                      p=[0.52, 0.42, 0.06]))
        else:
            response = str(rng.choice(["advice only", "mould wash only", "works done"],
                                      p=[0.05, 0.15, 0.80]))
        typical = 9.5 if contractor else 6.0
        wait = typical * np.exp(rng.normal(0, 0.45)) + REPAIR_BACKLOG[day.month] \
            - (0.8 if at_risk else 0.0)
        to_inspect = int(np.clip(round(wait), 1, 40))
        summary = (2.6 if contractor else 1.4) * np.exp(rng.normal(0, 0.5))
        to_summary = int(np.clip(round(summary), 0, 15))
        # Repeat reports: low where the real cause was put right, high where it was not.
        fixed = response == "works done" and recorded == found
        if found == "no defect found":
            rate = {"advice only": 0.35, "mould wash only": 0.45, "works done": 0.3}[response]
        elif fixed:
            rate = 0.2
        else:
            rate = {"advice only": 1.9, "mould wash only": 1.5, "works done": 1.0}[response]
        rate *= 1 + 0.08 * (occupants - 3)
        repeats = int(min(rng.poisson(max(rate, 0.05)), 6))
        lifestyle = recorded == "lifestyle"
        reply = rng.random() < (0.58 - (0.2 if lifestyle else 0) - (0.08 if repeats >= 2 else 0))
        if reply:
            late = max(to_inspect - 10, 0)
            base = (0.35 * (not contractor) + 0.7 * (response == "works done")
                    - 0.25 * repeats - 0.06 * late)
            tp06 = _band(3.2 + base - 0.3 * lifestyle + rng.normal(0, 0.85), REPAIR_TP06)
            tp08 = _band(3.5 + 0.7 * base - 0.9 * lifestyle + rng.normal(0, 0.85), REPAIR_TP08)
        else:
            tp06 = tp08 = "no reply"
        rows.append({
            "reported": day.strftime("%Y-%m-%d"), "build_year": build_year,
            "property_type": kind, "occupants": occupants, "at_risk_occupant": at_risk,
            "inspected_by": "repairs contractor" if contractor else "in-house surveyor",
            "working_days_to_inspect": to_inspect, "working_days_to_summary": to_summary,
            "landlord_cause": recorded, "surveyor_cause": found, "response": response,
            "repeat_reports": repeats, "tp06_listens": tp06, "tp08_fair_respect": tp08,
        })
    frame = pd.DataFrame(rows)
    frame.insert(0, "case", [f"RC{i:03d}" for i in range(1, len(frame) + 1)])
    return frame


SELF_ASSESSMENT_TEAMS = {  # team -> (staff, lived experience, carers) answering
    "Alder Road day centre": (9, 7, 4),
    "Brook Street day centre": (8, 7, 5),
    "Community outreach": (7, 6, 4),
    "Commissioning": (8, 5, 3),
}
#: The 20 statements of content/selfassessment/organisation.yaml, by area.
SELF_ASSESSMENT_ITEMS = {"culture": ["C1", "C2", "C3", "C4"],
                         "structure": ["S1", "S2", "S3", "S4"],
                         "practice": ["P1", "P2", "P3", "P4"],
                         "review": ["R1", "R2", "R3", "R4"],
                         "payment": ["M1", "M2", "M3", "M4"]}
# How people with lived experience see each area, on average, before team and item effects.
SELF_ASSESSMENT_BASE = {"culture": 2.7, "structure": 2.4, "practice": 2.6, "review": 2.4,
                        "payment": 2.3}
# How far each role's view sits above that of people with lived experience. Staff
# rate culture, practice and payment well above them; on review, staff are a little
# harder on themselves. Carers rate structure lower (meetings they cannot get to).
SELF_ASSESSMENT_ROLE = {
    "staff": {"culture": 1.0, "structure": 0.4, "practice": 0.9, "review": -0.2, "payment": 1.2},
    "lived experience": dict.fromkeys(SELF_ASSESSMENT_BASE, 0.0),
    "carer": {"culture": -0.1, "structure": -0.5, "practice": -0.1, "review": 0.1,
              "payment": -0.4},
}
# Community outreach already works alongside the people it serves: they rate it higher
# than any other team, and its staff's view is close to theirs. Commissioning's staff rate its
# structure (budgets, procurement) higher than anyone outside the team does.
SELF_ASSESSMENT_TEAM = {
    "Alder Road day centre": {},
    "Brook Street day centre": {"practice": -0.2},
    "Community outreach": {"all": 0.7, "staff": -0.8},
    "Commissioning": {"structure-staff": 0.5, "practice": -0.2},
}
# Statements everyone rates lower or higher than the rest of their area, and two where
# people with lived experience and carers see something staff do not: expenses paid
# late (M2), and the seldom heard left out (P4).
SELF_ASSESSMENT_ITEM = {"C1": 0.2, "S3": -0.4, "M3": -0.3, "R3": 0.2, "P2": -0.2}
SELF_ASSESSMENT_ITEM_NOT_STAFF = {"M2": -0.6, "P4": -0.7}


def self_assessment(rng: np.random.Generator) -> pd.DataFrame:
    """Module 6: an invented council's adult day services rate themselves on the 20
    statements of the course's organisation self-assessment, in long format (one row
    per person and statement), from three points of view: staff, people with lived
    experience of the services, and carers.

    Built in: staff rate culture, practice and payment well above people with lived
    experience, structure a little above, and review a little below; carers rate
    structure and payment lowest; community outreach is rated highest by the people it
    serves and its staff's view is close to theirs; commissioning's staff rate structure
    higher than anyone else does. Every person answers every statement, each on the
    same 1-5 scale, so no mean is made of fewer answers than another.
    """
    people = []
    for team, counts in SELF_ASSESSMENT_TEAMS.items():
        for role, count in zip(("staff", "lived experience", "carer"), counts):
            people += [(team, role)] * count
    # Mixed up, so the ids say nothing about team or role.
    people = [people[i] for i in rng.permutation(len(people))]
    rows = []
    for number, (team, role) in enumerate(people, start=1):
        lean = rng.normal(0, 0.35)  # some people rate everything higher than others do
        effects = SELF_ASSESSMENT_TEAM[team]
        for domain, items in SELF_ASSESSMENT_ITEMS.items():
            centre = (SELF_ASSESSMENT_BASE[domain] + SELF_ASSESSMENT_ROLE[role][domain]
                      + effects.get("all", 0.0) + effects.get(domain, 0.0)
                      + (effects.get("staff", 0.0) + effects.get(f"{domain}-staff", 0.0)
                         if role == "staff" else 0.0) + lean)
            for item in items:
                latent = centre + SELF_ASSESSMENT_ITEM.get(item, 0.0) + rng.normal(0, 0.6)
                if role != "staff":
                    latent += SELF_ASSESSMENT_ITEM_NOT_STAFF.get(item, 0.0)
                rows.append({"respondent": f"SA{number:03d}", "team": team, "role": role,
                             "domain": domain, "item": item,
                             "score": int(np.clip(round(latent), 1, 5))})
    return pd.DataFrame(rows)


#: name -> generator. Each name has a CSV and a data card (NAME.md) beside this script.
GENERATORS = {"ward_policing": ward_policing, "resident_survey": resident_survey,
              "timebank_members": timebank_members, "timebank_ledger": timebank_ledger,
              "engagement_activities": engagement_activities,
              "clinic_encounters": clinic_encounters,
              "repair_cases": repair_cases, "self_assessment": self_assessment}


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
