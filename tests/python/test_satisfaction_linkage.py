"""Survey-to-operations linkage: outcomes per response, and the comparison mart, recomputed.

Hand-built cases pin the outcome of single responses (inclusive thresholds to the millisecond,
rural 20 minutes, missing area type, no arrival, cancelled, other grade, unknown or other-force
incident; victim updates exactly 28 days apart, one second late, referral is not an update,
opt-out, closure, updates on the interview day or before recording, crimes recorded after the
interview). A seeded random sample is then linked by an independent implementation that walks
the 28-day windows of docs/measures.md one by one (not the gap formulation of the model), and every
row of marts.satisfaction_by_service_outcome (rates, Wilson intervals, the met - missed
difference with Newcombe's interval and the z-test p-value) is recomputed to 1e-9.
"""

from __future__ import annotations

import csv
import math
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import brentq
from scipy.stats import norm
from statsmodels.stats.proportion import proportion_confint
from warehouse_builder import build_warehouse, query

Z = 1.959963984540054
LONDON = ZoneInfo("Europe/London")
QUESTIONS = ["ease_of_contact", "action_taken", "kept_informed", "treatment", "whole_experience"]
SURVEY_HEADER = ("response_id,force_code,interview_date,incident_id,crime_reference,survey_group,borough_code,"
                 "ethnicity_code,q_ease_of_contact,q_action_taken,q_kept_informed,q_treatment,q_whole_experience,"
                 "weight")
INCIDENT_HEADER = "incident_id,force_code,created_at,grade,borough_code,area_type,first_arrival_at,attendance_cancelled"
CONTACT_HEADER = "contact_id,force_code,crime_reference,contact_type,contact_at,borough_code"
THRESHOLDS = {  # the test's own copy of the standards: (grade, urban minutes, rural minutes)
    "emergency_attended_in_time": ("E", 15, 20),
    "emergency_attended_12min": ("E", 12, 12),
    "priority_attended_60min": ("P", 60, 60),
}
UPDATE_TYPES = {"update", "arrest", "charge", "closure"}
SATISFIED = {"1", "2", "3", "Completely satisfied", "Very satisfied", "Fairly satisfied"}
VALID = SATISFIED | {"4", "5", "6", "7", "Fairly dissatisfied", "Very dissatisfied"}


def iso(t: datetime) -> str:
    return t.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# --- hand-built cases ----------------------------------------------------------------------
T0 = datetime(2008, 6, 10, 9, 0, tzinfo=UTC)
HAND_INCIDENTS = [  # (response, incident, grade, area, arrival offset, cancelled)
    ("H1", "I1", "E", "urban", timedelta(minutes=15), False),
    ("H2", "I2", "E", "urban", timedelta(minutes=15, milliseconds=1), False),
    ("H3", "I3", "E", "rural", timedelta(minutes=19, seconds=59), False),
    ("H4", "I4", "E", "", timedelta(minutes=16), False),
    ("H5", "I5", "E", "urban", None, False),
    ("H6", "I6", "E", "urban", timedelta(minutes=5), True),
    ("H7", "I7", "P", "urban", timedelta(minutes=59), False),
    ("H10", "I10", "E", "urban", timedelta(minutes=11, seconds=59), False),
]
HAND_EXPECTED_ATTENDANCE = {
    ("H1", "emergency_attended_in_time"): "met", ("H1", "emergency_attended_12min"): "missed",
    ("H2", "emergency_attended_in_time"): "missed", ("H2", "emergency_attended_12min"): "missed",
    ("H3", "emergency_attended_in_time"): "met", ("H3", "emergency_attended_12min"): "missed",
    ("H4", "emergency_attended_in_time"): "missed", ("H4", "emergency_attended_12min"): "missed",
    ("H5", "emergency_attended_in_time"): "missed", ("H5", "emergency_attended_12min"): "missed",
    ("H7", "priority_attended_60min"): "met",
    ("H10", "emergency_attended_in_time"): "met", ("H10", "emergency_attended_12min"): "met",
    ("H11", "emergency_attended_in_time"): "met", ("H11", "emergency_attended_12min"): "met",
}
D = datetime(2008, 4, 1, 10, 0, tzinfo=UTC)
CUTOFF = datetime(2008, 6, 19, 23, 0, tzinfo=UTC)  # start of 20 June 2008 in London (BST)
HAND_CONTACTS = {  # crime: [(type, when)]; every one is linked from response V<crime> interviewed 20 June
    "C1": [("recorded", D), ("update", D + timedelta(days=28)), ("update", D + timedelta(days=56))],
    "C2": [("recorded", D), ("update", D + timedelta(days=28, seconds=1)), ("update", D + timedelta(days=50))],
    "C3": [("recorded", datetime(2008, 5, 1, 10, tzinfo=UTC))],
    "C4": [("recorded", datetime(2008, 6, 1, 10, tzinfo=UTC))],
    "C5": [("recorded", D), ("opt_out", D + timedelta(days=19))],
    "C6": [("recorded", D - timedelta(days=31)), ("update", D - timedelta(days=12)),
           ("opt_out", D + timedelta(days=44))],
    "C7": [("recorded", D), ("arrest", D + timedelta(days=14)), ("closure", D + timedelta(days=39))],
    "C8": [("recorded", D), ("victim_support_referral", D + timedelta(days=9)), ("update", D + timedelta(days=49))],
    "C9": [("recorded", datetime(2008, 6, 25, 10, tzinfo=UTC)), ("update", datetime(2008, 6, 26, tzinfo=UTC))],
    "C11": [("recorded", CUTOFF - timedelta(days=28))],
    "C12": [("recorded", datetime(2008, 5, 1, 10, tzinfo=UTC)), ("update", datetime(2008, 5, 20, 10, tzinfo=UTC)),
            ("update", datetime(2008, 6, 20, 9, tzinfo=UTC))],
    "C13": [("recorded", datetime(2008, 4, 10, tzinfo=UTC)), ("update", datetime(2008, 4, 5, tzinfo=UTC)),
            ("update", datetime(2008, 5, 5, tzinfo=UTC)), ("charge", datetime(2008, 6, 1, tzinfo=UTC))],
}
HAND_EXPECTED_UPDATES = {"C1": "met", "C2": "missed", "C3": "missed", "C4": "undetermined", "C5": "undetermined",
                         "C6": "missed", "C7": "met", "C8": "missed", "C11": "undetermined", "C12": "missed",
                         "C13": "met"}


def hand_files() -> tuple[list[str], list[str], list[str]]:
    survey, incidents, contacts = [], [], []
    for response, incident, grade, area, offset, cancelled in HAND_INCIDENTS:
        survey.append(f"{response},MPS,2008-06-20,{incident},,burglary,CW,W1,1,1,1,1,1,")
        arrival = iso(T0 + offset) if offset is not None else ""
        incidents.append(f"{incident},MPS,{iso(T0)},{grade},CW,{area},{arrival},{str(cancelled).lower()}")
    # across the October clock change: 01:55 BST -> 01:05 GMT is 10 minutes, not minus 50
    survey.append("H11,MPS,2008-06-20,I11,,burglary,CW,W1,1,1,1,1,1,")
    incidents.append("I11,MPS,2008-10-26T01:55:00+01:00,E,CW,urban,2008-10-26T01:05:00+00:00,false")
    survey.append("H8,MPS,2008-06-20,I404,,burglary,CW,W1,1,1,1,1,1,")  # no such incident
    survey.append("H9,MPS,2008-06-20,I9,,burglary,CW,W1,1,1,1,1,1,")  # I9 belongs to another force
    incidents.append(f"I9,CUMB,{iso(T0)},E,C1,urban,{iso(T0 + timedelta(minutes=3))},false")
    survey.append("K1,CUMB,2008-06-20,,,burglary,C1,W1,1,1,1,1,1,")
    for crime, rows in HAND_CONTACTS.items():
        survey.append(f"V{crime},MPS,2008-06-20,,{crime},burglary,CW,W1,1,1,1,1,1,")
        contacts += [f"{crime}-{i},MPS,{crime},{kind},{iso(t)},CW" for i, (kind, t) in enumerate(rows)]
    survey.append("VC10,MPS,2008-06-20,,C10,burglary,CW,W1,1,1,1,1,1,")  # crime not in the log
    return survey, incidents, contacts


# --- random part ---------------------------------------------------------------------------
def random_files(rng: np.random.Generator) -> tuple[list[str], list[str], list[str]]:
    survey, incidents, contacts = [], [], []
    months = [(2008, m) for m in range(1, 13)] + [(2009, m) for m in range(1, 4)]
    answers = ["1", "2", "3", "4", "5", "6", "7", "Don't know", "Refused", "", "Very satisfied", "Fairly dissatisfied"]
    for i in range(900):
        year, month = months[rng.integers(len(months))]
        interview = date(year, month, int(rng.integers(1, 29)))
        borough = ["CW", "HK", "TH"][rng.integers(3)]
        incident_id = crime = ""
        good = rng.random() < 0.5
        if rng.random() < 0.55:
            incident_id = f"RI{i}"
            created = datetime(year, month, 1, tzinfo=UTC) - timedelta(days=int(rng.integers(1, 20)),
                                                                         seconds=int(rng.integers(0, 86400)))
            grade = ["E", "E", "E", "P", "S"][rng.integers(5)]
            area = ["urban", "rural", ""][rng.integers(3)]
            minutes = [5, 8, 11, 12, 14, 15, 45, 60][rng.integers(8)] if good else [
                16, 19, 20, 21, 30, 61, 90][rng.integers(7)]
            offset = timedelta(minutes=minutes, milliseconds=int(rng.choice([0, 0, 1, 500])))
            arrival = "" if rng.random() < 0.07 else iso(created + offset)
            cancelled = "true" if rng.random() < 0.05 else ""
            incidents.append(f"{incident_id},MPS,{iso(created)},{grade},{borough},{area},{arrival},{cancelled}")
        if rng.random() < 0.5:
            crime = f"RC{i}"
            cutoff = datetime(interview.year, interview.month, interview.day, tzinfo=LONDON)
            t = cutoff - timedelta(days=int(rng.integers(10, 150)), seconds=int(rng.integers(0, 86400)))
            rows = [("recorded", t)]
            while t < cutoff + timedelta(days=10):
                gap = [3, 10, 20, 27, 28, 28, 28.5, 35, 50][rng.integers(9)] if rng.random() < (0.9 if good else 0.6) \
                    else [29, 40, 60][rng.integers(3)]
                t = t + timedelta(days=gap)
                kind = rng.choice(["update", "update", "arrest", "charge", "victim_support_referral", "closure",
                                   "opt_out"], p=[0.45, 0.15, 0.1, 0.05, 0.1, 0.08, 0.07])
                rows.append((str(kind), t))
            contacts += [f"{crime}-{k},MPS,{crime},{kind},{iso(when)},{borough}"
                         for k, (kind, when) in enumerate(rows)]
        p_sat = 0.75 if good else 0.45
        values = [answers[rng.integers(3)] if rng.random() < p_sat else answers[3 + rng.integers(9)]
                  for _ in QUESTIONS]
        if values[-1] == "":
            values[-1] = "4"
        weight = "" if rng.random() < 0.2 else f"{rng.uniform(0.3, 2.5):.5f}"
        survey.append(f"R{i},MPS,{interview.isoformat()},{incident_id},{crime},burglary,{borough},W1,"
                      + ",".join(f'"{v}"' for v in values) + f",{weight}")
    return survey, incidents, contacts


@pytest.fixture(scope="module")
def files() -> dict[str, str]:
    hand, rand = hand_files(), random_files(np.random.default_rng(1215))
    return {
        "survey_responses.csv": "\n".join([SURVEY_HEADER, *hand[0], *rand[0]]) + "\n",
        "incidents.csv": "\n".join([INCIDENT_HEADER, *hand[1], *rand[1]]) + "\n",
        "victim_contacts.csv": "\n".join([CONTACT_HEADER, *hand[2], *rand[2]]) + "\n",
    }


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, files) -> Path:
    return build_warehouse(tmp_path_factory.mktemp("satisfaction_linkage"), files)


# --- the independent reference -------------------------------------------------------------
def parse_ts(text: str) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def table(text: str) -> pd.DataFrame:
    rows = list(csv.reader(text.strip().split("\n")))
    return pd.DataFrame(rows[1:], columns=rows[0])


def attendance_outcomes(files: dict[str, str]) -> dict[tuple[str, str], str]:
    survey, incidents = table(files["survey_responses.csv"]), table(files["incidents.csv"])
    by_key = {(r.force_code, r.incident_id): r for r in incidents.itertuples()}
    out = {}
    for r in survey.itertuples():
        inc = by_key.get((r.force_code, r.incident_id))
        if inc is None or inc.attendance_cancelled == "true":
            continue
        for measure, (grade, urban, rural) in THRESHOLDS.items():
            if inc.grade != grade:
                continue
            limit = timedelta(minutes=rural if inc.area_type == "rural" else urban)
            arrival = parse_ts(inc.first_arrival_at)
            met = arrival is not None and arrival - parse_ts(inc.created_at) <= limit
            out[(r.response_id, measure)] = "met" if met else "missed"
    return out


def walk_update_windows(contacts: list[tuple[str, datetime]], interview: date) -> str | None:
    """docs/measures.md's windows, one by one, up to the start of the interview day (London)."""
    cutoff = datetime(interview.year, interview.month, interview.day, tzinfo=LONDON)
    recorded = min((t for kind, t in contacts if kind == "recorded"), default=None)
    if recorded is None or recorded >= cutoff:
        return None
    stops = [t for kind, t in contacts if kind in ("closure", "opt_out") and t >= recorded]
    end = min([cutoff, *stops])
    updates = sorted(t for kind, t in contacts if kind in UPDATE_TYPES and recorded < t <= end)
    met = failed = 0
    start = recorded
    while True:
        deadline = start + timedelta(days=28)
        in_window = [u for u in updates if start < u <= deadline]
        if in_window:
            met += 1
            start = in_window[0]
        elif deadline < end:
            failed += 1
            start = deadline
        else:
            break  # still running at the interview, or cut short by an opt-out / closure
    return "missed" if failed else "met" if met else "undetermined"


def update_outcomes(files: dict[str, str]) -> dict[tuple[str, str], str]:
    survey, contacts = table(files["survey_responses.csv"]), table(files["victim_contacts.csv"])
    by_crime: dict[tuple[str, str], list] = {}
    for c in contacts.itertuples():
        by_crime.setdefault((c.force_code, c.crime_reference), []).append((c.contact_type, parse_ts(c.contact_at)))
    out = {}
    for r in survey.itertuples():
        if not r.crime_reference or (r.force_code, r.crime_reference) not in by_crime:
            continue
        group = walk_update_windows(by_crime[(r.force_code, r.crime_reference)], date.fromisoformat(r.interview_date))
        if group is not None:
            out[(r.response_id, "victim_updated_every_28_days")] = group
    return out


def wilson(p: float, n: float) -> tuple[float, float]:
    low, high = proportion_confint(p * n, n, alpha=0.05, method="wilson")
    return float(low), float(high)


def newcombe(p1, n1, p2, n2, z: float = Z) -> tuple[float, float]:
    def bounds(p, n):  # Wilson as the roots of the score quadratic
        a, b, c = 1 + z * z / n, -(2 * p + z * z / n), p * p
        disc = math.sqrt(max(b * b - 4 * a * c, 0.0))
        return max(0.0, (-b - disc) / (2 * a)), min(1.0, (-b + disc) / (2 * a))
    (l1, u1), (l2, u2) = bounds(p1, n1), bounds(p2, n2)
    return p1 - p2 - math.hypot(p1 - l1, u2 - p2), p1 - p2 + math.hypot(u1 - p1, p2 - l2)


def inverted_p(p1, n1, p2, n2) -> float:
    """docs/measures.md: p = 2 (1 - Phi(z*)), z* where the Newcombe limit on the side of 0 reaches
    0; found here with scipy's root finder on the quadratic-root Wilson limits above."""
    d = p1 - p2
    if d == 0:
        return 1.0
    def limit(z: float) -> float:  # the limit on the side of 0, signed so that it falls to 0
        low, high = newcombe(p1, n1, p2, n2, z)
        return low if d > 0 else -high
    if limit(40.0) > 0:
        return 2 * norm.sf(40.0)
    return 2 * norm.sf(brentq(limit, 0.0, 40.0, xtol=1e-14))


def close(a, b, tol=1e-9) -> bool:
    na = a is None or (isinstance(a, float) and math.isnan(a)) or a is pd.NA
    nb = b is None or (isinstance(b, float) and math.isnan(b))
    return (na and nb) if (na or nb) else abs(float(a) - float(b)) <= tol


# --- tests ---------------------------------------------------------------------------------
def test_hand_built_attendance_outcomes(warehouse, files) -> None:
    got = {(r, m): g for r, m, g in query(warehouse, """
        select response_id, outcome_measure, outcome_group
        from intermediate.int_survey_responses_joined_to_attendance where response_id like 'H%'""")}
    assert got == HAND_EXPECTED_ATTENDANCE
    assert {k: v for k, v in attendance_outcomes(files).items() if k[0].startswith("H")} == HAND_EXPECTED_ATTENDANCE


def test_hand_built_victim_update_outcomes(warehouse, files) -> None:
    got = {r[1:]: g for r, g in query(warehouse, """
        select response_id, outcome_group from intermediate.int_survey_responses_joined_to_victim_updates
        where response_id like 'VC%'""")}
    assert got == HAND_EXPECTED_UPDATES
    reference = {k[0][1:]: v for k, v in update_outcomes(files).items() if k[0].startswith("VC")}
    assert reference == HAND_EXPECTED_UPDATES  # the window walk agrees with the hand answers too
    gap = query(warehouse, """select longest_gap_days, updates_before_interview
                              from intermediate.int_survey_responses_joined_to_victim_updates
                              where response_id = 'VC1'""")
    assert gap == [(28.0, 2)]


def test_random_sample_outcomes_agree_with_the_window_walk(warehouse, files) -> None:
    got = {(r, m): g for r, m, g in query(warehouse, """
        select response_id, outcome_measure, outcome_group from intermediate.int_survey_responses_joined_to_attendance
        union all
        select response_id, outcome_measure, outcome_group
        from intermediate.int_survey_responses_joined_to_victim_updates""")}
    expected = {**attendance_outcomes(files), **update_outcomes(files)}
    assert got == expected
    groups = pd.Series(list(expected.values())).value_counts()
    assert groups["met"] > 100 and groups["missed"] > 100 and groups["undetermined"] > 5


def test_service_outcome_mart_matches_an_independent_computation(warehouse, files) -> None:
    outcomes = {**attendance_outcomes(files), **update_outcomes(files)}
    survey = table(files["survey_responses.csv"])
    survey["month"] = pd.to_datetime(survey.interview_date).dt.to_period("M").dt.to_timestamp()
    survey["w"] = survey.weight.replace("", "1").astype(float)
    long = []
    for (response, measure), group in outcomes.items():
        if group == "undetermined":
            continue
        r = survey[survey.response_id == response].iloc[0]
        for q in QUESTIONS:
            answer = r[f"q_{q}"]
            if answer in VALID:
                long.append((r.force_code, r.borough_code, q, measure, group, r.month, r.w, answer in SATISFIED))
    frame = pd.DataFrame(long, columns=["force_code", "borough_code", "question", "outcome_measure", "outcome_group",
                                        "month", "w", "sat"])
    frame = pd.concat([frame, frame.assign(borough_code="ALL")])
    actual = query(warehouse, """
        select force_code, borough_code, question, outcome_measure, outcome_group, window_name, period_end_month,
               respondents, rate, ci_low, ci_high, met_minus_missed_pp, met_minus_missed_ci_low_pp,
               met_minus_missed_ci_high_pp, p_value, significant
        from marts.satisfaction_by_service_outcome where force_code = 'MPS'""")
    first, last = survey[survey.force_code == "MPS"].month.min(), survey[survey.force_code == "MPS"].month.max()
    n_months = (last.year - first.year) * 12 + last.month - first.month + 1
    assert len(actual) == 4 * 5 * 2 * 4 * (n_months + 1)  # boroughs incl. ALL x questions x groups x measures

    def stats(cell: pd.DataFrame):
        n = len(cell)
        if n == 0:
            return n, None, None
        return n, (cell.w * cell.sat).sum() / cell.w.sum(), cell.w.sum() ** 2 / (cell.w ** 2).sum()

    problems, compared = [], 0
    for row in actual:
        force, borough, q, measure, group, window, end = row[:7]
        end = pd.Timestamp(end)
        start = first if window == "whole_period" else end - pd.DateOffset(months=11)
        sel = frame[(frame.borough_code == borough) & (frame.question == q) & (frame.outcome_measure == measure)
                    & (frame.month >= start) & (frame.month <= end)]
        mine = {g: stats(sel[sel.outcome_group == g]) for g in ("met", "missed")}
        n, p, n_eff = mine[group]
        want = [n, *((p, *wilson(p, n_eff)) if n >= 10 else (None, None, None))]
        (n1, p1, e1), (n2, p2, e2) = mine["met"], mine["missed"]
        if n1 >= 10 and n2 >= 10:
            low, high = newcombe(p1, e1, p2, e2)
            pv = inverted_p(p1, e1, p2, e2)
            want += [100 * (p1 - p2), 100 * low, 100 * high, pv, low > 0 or high < 0]
            compared += 1
        else:
            want += [None] * 5
        for name, g, w in zip(["respondents", "rate", "ci_low", "ci_high", "diff", "diff_low", "diff_high", "p",
                               "significant"], row[7:], want, strict=True):
            if name == "significant" and g != w or name != "significant" and not close(g, w):
                problems.append((row[:7], name, g, w))
    assert problems == [], problems[:10]
    assert compared > 50


def test_the_research_question_is_one_line(warehouse) -> None:
    rows = query(warehouse, """
        select met_minus_missed_pp, met_minus_missed_ci_low_pp, met_minus_missed_ci_high_pp, p_value
        from marts.satisfaction_by_service_outcome
        where force_code = 'MPS' and borough_code = 'ALL' and window_name = 'whole_period'
          and outcome_measure = 'emergency_attended_in_time' and question = 'whole_experience'
          and outcome_group = 'met'""")
    assert len(rows) == 1 and rows[0][0] > 0 and rows[0][1] < rows[0][0] < rows[0][2]
