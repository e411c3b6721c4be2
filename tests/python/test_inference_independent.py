"""The inference the marts publish, recomputed by an implementation written here (docs/measures.md,
"BME satisfaction gap", "Inference across boroughs", "Change over time").

Independent of macros/inference.sql: the Wilson limits at any z are coded here in closed form,
the inverted z* is found by a bisection coded here (64 halvings) and cross-checked with scipy's
brentq, Holm's step-down is a Python loop per family, and the MOVER change intervals are the
square-and-add formulas of the spec. They are checked, to 1e-9, against every row of
marts.bme_satisfaction_gap, marts.satisfaction_change and marts.bme_gap_change of a 24-month
generated sample and of a hand-built warehouse (a group at 0% and at 100%, d = 0, a force with one
borough), whose key figures are also asserted as closed forms worked by hand.

The property test (hypothesis) runs the project's own macro, compiled by dbt itself
(`dbt compile --inline` on a one-line query calling compare_two_groups over a table `cases`),
in DuckDB on random (p1, n1, p2, n2), and asserts p < 0.05 exactly when the 95% interval
excludes 0.

The census test feeds every ONS ethnic-group label of the 2001, 2011 and 2021 lists (England and
Wales) in printed forms, written out here from the lists rather than read from the seed, and
checks the group each lands in, that an invented label is counted as unrecognised, and that the
gap mart's group counts add up to the respondents of citizen_focus_satisfaction.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq
from scipy.stats import norm
from warehouse_builder import build_warehouse, ingest, query, run_dbt

from citizen_focus.sample import generate

Z95 = 1.959963984540054
TOL = 1e-9
Z_MAX = 40.0
MARTS = "+bme_gap_change +satisfaction_change"


# --- the test's own statistics -----------------------------------------------------------------
def wilson_at(p: float, n: float, z: float) -> tuple[float, float]:
    """Wilson score limits at critical value z (closed form), kept inside [0, 1] and around p."""
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(max(p * (1 - p), 0.0) / n + z * z / (4 * n * n))
    return min(p, max(0.0, centre - half)), max(p, min(1.0, centre + half))


def difference_arms(p1: float, n1: float, p2: float, n2: float, z: float) -> tuple[float, float]:
    """Squared lower and upper half-widths of the Newcombe interval of p1 - p2 at z."""
    l1, u1 = wilson_at(p1, n1, z)
    l2, u2 = wilson_at(p2, n2, z)
    return (p1 - l1) ** 2 + (u2 - p2) ** 2, (u1 - p1) ** 2 + (p2 - l2) ** 2


def gap_change_arms(now: tuple, before: tuple, z: float) -> tuple[float, float]:
    """Squared half-widths of the MOVER interval of (gap now - gap before), each gap Newcombe."""
    now_low, now_high = difference_arms(*now, z)
    before_low, before_high = difference_arms(*before, z)
    return now_low + before_high, now_high + before_low


def bisect(f, lo: float, hi: float, steps: int = 64) -> float:
    """Root of f on [lo, hi] with f(lo) > 0 >= f(hi), by halving (written here, not the macro's)."""
    for _ in range(steps):
        mid = (lo + hi) / 2
        if f(mid) > 0:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def inverted(d: float, arms) -> dict:
    """Interval, signed z* and p of an estimate d with MOVER arms(z) -> (low^2, high^2)."""
    low2, high2 = arms(Z95)
    out = {"ci_low": d - math.sqrt(low2), "ci_high": d + math.sqrt(high2)}
    if d == 0:
        return {**out, "z": 0.0, "p": 1.0}

    def margin(z: float) -> float:  # > 0 while the limit on the side of 0 has not reached 0
        return abs(d) - math.sqrt(arms(z)[0 if d > 0 else 1])

    if margin(Z_MAX) > 0:
        z = Z_MAX
    else:
        z = bisect(margin, 0.0, Z_MAX)
        assert abs(z - brentq(margin, 0.0, Z_MAX, xtol=1e-14, rtol=1e-15)) < 1e-11
    return {**out, "z": math.copysign(z, d), "p": float(2 * norm.sf(z))}


def holm(p_values: list[float]) -> list[float]:
    """Holm's step-down adjusted p-values, in the input's order (inputs sorted by the caller's tiebreak)."""
    order = sorted(range(len(p_values)), key=lambda i: p_values[i])  # stable: ties keep input order
    m, running, adjusted = len(p_values), 0.0, [0.0] * len(p_values)
    for rank, i in enumerate(order, start=1):
        running = max(running, min(1.0, (m - rank + 1) * p_values[i]))
        adjusted[i] = running
    return adjusted


def close(a, b, tol: float = TOL) -> bool:
    if a is None or b is None or (isinstance(a, float) and math.isnan(a)):
        return (a is None or (isinstance(a, float) and math.isnan(a))) and b is None
    return abs(float(a) - float(b)) <= tol


def mart(db: Path, name: str) -> pd.DataFrame:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(f"select * from marts.{name}").df()
    finally:
        con.close()


def none_if_nan(value):
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


# --- independent checks of each mart -----------------------------------------------------------
def check_gap_mart(gap: pd.DataFrame) -> dict:
    """Every gap row's interval, z, p, significance and Holm figures; returns counts for the report."""
    problems, disagree, rows = [], 0, 0
    expected_p: dict = {}
    for row in gap.itertuples():
        if pd.isna(row.p_value):
            assert pd.isna(row.gap_pp) and pd.isna(row.z_statistic) and pd.isna(row.p_value_holm), row
            continue
        rows += 1
        a = (row.white_rate, row.white_n_eff, row.bme_rate, row.bme_n_eff)
        want = inverted(a[0] - a[2], lambda z, a=a: difference_arms(*a, z))
        got = {"ci_low": row.gap_ci_low_pp / 100, "ci_high": row.gap_ci_high_pp / 100,
               "z": row.z_statistic, "p": row.p_value}
        problems += [(row.Index, k, got[k], want[k]) for k in want if not close(got[k], want[k])]
        excludes = want["ci_low"] > 0 or want["ci_high"] < 0
        disagree += (row.p_value < 0.05) != excludes
        if bool(row.significant) != excludes:
            problems.append((row.Index, "significant", row.significant, excludes))
        expected_p[row.Index] = row.p_value
    # Holm, family by family: borough rows (not ALL) with a p-value; ALL is its own family of one
    keys = ["force_code", "question", "window_months", "period_end_month"]
    tested = gap[gap.p_value.notna()]
    for _, family in tested[tested.borough_code != "ALL"].sort_values("borough_code").groupby(keys):
        for index, adjusted in zip(family.index, holm(family.p_value.tolist()), strict=True):
            if not close(gap.at[index, "p_value_holm"], adjusted):
                problems.append((index, "p_value_holm", gap.at[index, "p_value_holm"], adjusted))
    for index in tested[tested.borough_code == "ALL"].index:
        if gap.at[index, "p_value_holm"] != gap.at[index, "p_value"]:
            problems.append((index, "p_value_holm (ALL)", gap.at[index, "p_value_holm"], gap.at[index, "p_value"]))
    flags = tested.significant_holm.astype(bool) != (tested.p_value_holm < 0.05)
    problems += [(i, "significant_holm", None, None) for i in tested[flags].index]
    assert problems == [], problems[:10]
    return {"rows": rows, "disagree": disagree}


def check_satisfaction_change(db: Path) -> int:
    change = mart(db, "satisfaction_change")
    rates = mart(db, "citizen_focus_satisfaction")
    rates = rates[rates.window_months == 12].set_index(["force_code", "borough_code", "question", "period_end_month"])
    problems, checked = [], 0
    for row in change.itertuples():
        now = rates.loc[(row.force_code, row.borough_code, row.question, row.period_end_month)]
        before = rates.loc[(row.force_code, row.borough_code, row.question, row.previous_period_end_month)]
        assert (row.period_end_month - row.previous_period_end_month).days in (365, 366)
        if pd.isna(now.rate) or pd.isna(before.rate):
            assert pd.isna(row.change_pp) and pd.isna(row.p_value), row
            continue
        checked += 1
        a = (now.rate, now.n_eff, before.rate, before.n_eff)
        want = inverted(a[0] - a[2], lambda z, a=a: difference_arms(*a, z))
        got = {"ci_low": row.change_ci_low_pp / 100, "ci_high": row.change_ci_high_pp / 100,
               "z": row.z_statistic, "p": row.p_value}
        problems += [(row.Index, k, got[k], want[k]) for k in want if not close(got[k], want[k])]
        if not close(row.change_pp, 100 * (a[0] - a[2])):
            problems.append((row.Index, "change_pp", row.change_pp, 100 * (a[0] - a[2])))
        if bool(row.significant) != (want["ci_low"] > 0 or want["ci_high"] < 0):
            problems.append((row.Index, "significant"))
    assert problems == [], problems[:10]
    return checked


def check_gap_change(db: Path) -> tuple[int, pd.DataFrame]:
    change = mart(db, "bme_gap_change")
    gap = mart(db, "bme_satisfaction_gap")
    gap = gap[gap.window_months == 12].set_index(["force_code", "borough_code", "question", "period_end_month"])
    problems, checked = [], 0
    for row in change.itertuples():
        now = gap.loc[(row.force_code, row.borough_code, row.question, row.period_end_month)]
        before = gap.loc[(row.force_code, row.borough_code, row.question, row.previous_period_end_month)]
        if pd.isna(now.gap_pp) or pd.isna(before.gap_pp):
            assert pd.isna(row.change_pp) and pd.isna(row.closing) and pd.isna(row.widening), row
            continue
        checked += 1
        a_now = (now.white_rate, now.white_n_eff, now.bme_rate, now.bme_n_eff)
        a_before = (before.white_rate, before.white_n_eff, before.bme_rate, before.bme_n_eff)
        d = (a_now[0] - a_now[2]) - (a_before[0] - a_before[2])
        want = inverted(d, lambda z, n=a_now, b=a_before: gap_change_arms(n, b, z))
        got = {"ci_low": row.change_ci_low_pp / 100, "ci_high": row.change_ci_high_pp / 100,
               "z": row.z_statistic, "p": row.p_value}
        problems += [(row.Index, k, got[k], want[k]) for k in want if not close(got[k], want[k])]
        earlier_positive = before.gap_pp > 0
        want_closing = bool(earlier_positive and want["ci_high"] < 0)
        want_widening = bool(earlier_positive and want["ci_low"] > 0)
        if (bool(row.closing), bool(row.widening)) != (want_closing, want_widening):
            problems.append((row.Index, "closing/widening", row.closing, row.widening, want_closing, want_widening))
        if (row.p_value < 0.05) != (want["ci_low"] > 0 or want["ci_high"] < 0):
            problems.append((row.Index, "p vs interval"))
    assert problems == [], problems[:10]
    return checked, change


# --- the 24-month generated sample -------------------------------------------------------------
@pytest.fixture(scope="module")
def sample_24(tmp_path_factory) -> Path:
    """24 months of MPS sample (April 2007 - March 2009), ~20,000 interviews a year at a small
    operational scale, built into a warehouse through the real loader and dbt."""
    tmp = tmp_path_factory.mktemp("inference_24")
    out = tmp / "extracts"
    generate(out, months=24, start="2007-04", scale=0.02, seed=24, forces=("MPS",), survey_per_year=1_000_000)
    db = tmp / "warehouse.duckdb"
    ingest(db, [out])
    result = run_dbt(db, "build", "--select", MARTS, "--indirect-selection", "cautious")
    assert result.returncode == 0, result.stdout[-4000:]
    return db


def test_every_gap_row_of_the_24_month_sample_matches_the_independent_inference(sample_24) -> None:
    gap = mart(sample_24, "bme_satisfaction_gap")
    counts = check_gap_mart(gap)
    assert counts["rows"] > 1000  # the sample is large enough to test most borough rows
    assert counts["disagree"] == 0  # docs/measures.md: p < 0.05 exactly when the interval excludes 0
    latest = gap.period_end_month.max()
    whole = gap[(gap.question == "whole_experience") & (gap.window_months == 12)
                & (gap.period_end_month == latest) & (gap.borough_code != "ALL")]
    before, after = int(whole.significant.sum()), int(whole.significant_holm.sum())
    print(f"\n24-month sample: {counts['rows']} tested gap rows, {counts['disagree']} disagreements; "
          f"boroughs significant (whole experience, 12 months to {latest:%Y-%m}): {before} before Holm, "
          f"{after} after")
    assert after <= before  # Holm only ever raises p


def test_every_change_row_of_the_24_month_sample_matches_the_independent_mover(sample_24) -> None:
    assert check_satisfaction_change(sample_24) > 100
    checked, change = check_gap_change(sample_24)
    assert checked > 100
    force = change[(change.borough_code == "ALL") & (change.question == "whole_experience")]
    assert len(force) == 1  # one full pair of non-overlapping 12-month windows in 24 months
    r = force.iloc[0]
    print(f"\nforce-wide whole-experience gap: {r.previous_gap_pp:.2f} pp (12 months to "
          f"{r.previous_period_end_month:%Y-%m}) -> {r.gap_pp:.2f} pp (to {r.period_end_month:%Y-%m}); "
          f"change {r.change_pp:+.2f} pp, 95% CI {r.change_ci_low_pp:+.2f} to {r.change_ci_high_pp:+.2f}, "
          f"p = {r.p_value:.3g}, closing = {r.closing}, widening = {r.widening}")


# --- hand-built fixtures -----------------------------------------------------------------------
Q = ["q_ease_of_contact", "q_action_taken", "q_kept_informed", "q_treatment", "q_whole_experience"]
COLUMNS = ["response_id", "force_code", "interview_date", "survey_group", "borough_code", "ethnicity_code",
           "age_band", "gender", "disability", *Q, "weight"]

# ONS ethnic-group lists, England and Wales, as printed (heading, then the tick-box labels)
CENSUS = {
    2001: {
        "White": ["British", "Irish", "Any other White background"],
        "Mixed": ["White and Black Caribbean", "White and Black African", "White and Asian",
                  "Any other Mixed background"],
        "Asian or Asian British": ["Indian", "Pakistani", "Bangladeshi", "Any other Asian background"],
        "Black or Black British": ["Caribbean", "African", "Any other Black background"],
        "Chinese or other ethnic group": ["Chinese", "Any other ethnic group"],
    },
    2011: {
        "White": ["English/Welsh/Scottish/Northern Irish/British", "Irish", "Gypsy or Irish Traveller",
                  "Any other White background"],
        "Mixed/multiple ethnic groups": ["White and Black Caribbean", "White and Black African", "White and Asian",
                                         "Any other Mixed/multiple ethnic background"],
        "Asian/Asian British": ["Indian", "Pakistani", "Bangladeshi", "Chinese", "Any other Asian background"],
        "Black/African/Caribbean/Black British": ["African", "Caribbean",
                                                  "Any other Black/African/Caribbean background"],
        "Other ethnic group": ["Arab", "Any other ethnic group"],
    },
    2021: {
        "Asian, Asian British or Asian Welsh": ["Bangladeshi", "Chinese", "Indian", "Pakistani",
                                                "Any other Asian background"],
        "Black, Black British, Black Welsh, Caribbean or African": [
            "Caribbean", "African", "Any other Black, Black British, or Caribbean background"],
        "Mixed or Multiple ethnic groups": ["White and Black Caribbean", "White and Black African", "White and Asian",
                                            "Any other Mixed or Multiple background"],
        "White": ["English, Welsh, Scottish, Northern Irish or British", "Irish", "Gypsy or Irish Traveller", "Roma",
                  "Any other White background"],
        "Other ethnic group": ["Arab", "Any other ethnic group"],
    },
}
INVENTED = ["Martian", "White: Martian"]


def census_labels() -> list[tuple[str, str]]:
    """(label as a supplier might print it, expected group): "Heading: label" and "Heading - label"."""
    out = []
    for lists in CENSUS.values():
        for heading, labels in lists.items():
            group = "White" if heading == "White" else "BME"
            for label in labels:
                out += [(f"{heading}: {label}", group), (f"{heading} - {label}", group),
                        (f"  {heading.upper()}:{label.lower()} ", group)]
    return list(dict.fromkeys(out))


def hand_rows() -> list[dict]:
    rows: list[dict] = []

    def add(force, borough, ethnicity, whole, weight="1"):
        rows.append({"response_id": f"{force}-{len(rows)}", "force_code": force, "interview_date": "2008-06-15",
                     "survey_group": "burglary", "borough_code": borough, "ethnicity_code": ethnicity,
                     "age_band": "25-44", "gender": "male", "disability": "no",
                     "q_ease_of_contact": "", "q_action_taken": "", "q_kept_informed": "", "q_treatment": "",
                     "q_whole_experience": whole, "weight": weight})

    for _ in range(12):  # 12 White all satisfied vs 12 BME none satisfied, equal weights
        add("EDGE", "ALLNONE", "W1", "Very satisfied")
        add("EDGE", "ALLNONE", "B1", "Very dissatisfied")
    for i in range(20):  # d = 0: both groups 50% with equal weights
        add("EDGE", "EQUAL", "W2", "Fairly satisfied" if i % 2 else "Fairly dissatisfied")
        add("EDGE", "EQUAL", "A1", "Fairly satisfied" if i % 2 else "Fairly dissatisfied")
    for i in range(30):  # an ordinary gap with unequal weights: 2/3 v 1/3 satisfied
        add("EDGE", "ORDINARY", "W9", "Completely satisfied" if i % 3 else "Neither satisfied nor dissatisfied",
            ["0.5", "1.5", "2.5"][i % 3])
        add("EDGE", "ORDINARY", "O9", "Completely satisfied" if i % 3 == 0 else "Fairly dissatisfied",
            ["1.25", "0.75", "2"][i % 3])
    for i in range(15):  # one borough in its force: a family of one
        add("SOLO", "S1", "W1", "Very satisfied" if i % 5 else "Very dissatisfied")
        add("SOLO", "S1", "M1", "Very satisfied" if i % 3 else "Very dissatisfied")
    for i, (label, _) in enumerate(census_labels()):  # census labels: one respondent each
        add("CENS", "C1", label, "Fairly satisfied" if i % 2 else "Fairly dissatisfied")
    for i, label in enumerate(INVENTED * 3):
        add("CENS", "C1", label, "Very satisfied" if i % 2 else "Very dissatisfied")
    for i in range(4):
        add("CENS", "C1", "NS" if i % 2 else "", "Very satisfied")
    return rows


def to_csv(rows: list[dict]) -> str:
    def field(v: str) -> str:
        return '"' + v.replace('"', '""') + '"'
    return "\n".join([",".join(COLUMNS)] + [",".join(field(r[c]) for c in COLUMNS) for r in rows]) + "\n"


@pytest.fixture(scope="module")
def hand_built(tmp_path_factory) -> Path:
    return build_warehouse(tmp_path_factory.mktemp("inference_hand"), {"survey_responses.csv": to_csv(hand_rows())},
                           select=MARTS + " +int_survey_values_unrecognised")


def gap_row(db: Path, force: str, borough: str) -> pd.Series:
    gap = mart(db, "bme_satisfaction_gap")
    rows = gap[(gap.force_code == force) & (gap.borough_code == borough) & (gap.question == "whole_experience")
               & (gap.window_months == 1)]
    assert len(rows) == 1
    return rows.iloc[0]


def test_hand_built_gap_rows_match_the_independent_inference(hand_built) -> None:
    counts = check_gap_mart(mart(hand_built, "bme_satisfaction_gap"))
    assert counts["rows"] >= 8 and counts["disagree"] == 0


def test_a_group_at_100_percent_against_one_at_0_percent_has_the_closed_form_z(hand_built) -> None:
    # p1 = 1, p2 = 0, n = 12 each: the Wilson limits at z are l1 = n / (n + z^2) and u2 = z^2 / (n + z^2),
    # so L(z) = 1 - sqrt(2) z^2 / (n + z^2) = 0 at z*^2 = n / (sqrt(2) - 1)
    row = gap_row(hand_built, "EDGE", "ALLNONE")
    z_star = math.sqrt(12 / (math.sqrt(2) - 1))
    assert (row.white_rate, row.bme_rate, row.white_n_eff, row.bme_n_eff) == (1.0, 0.0, 12.0, 12.0)
    assert row.z_statistic == pytest.approx(z_star, abs=TOL)
    assert row.p_value == pytest.approx(2 * norm.sf(z_star), abs=1e-12)
    assert row.gap_ci_low_pp == pytest.approx(100 * (1 - math.sqrt(2) * Z95 ** 2 / (12 + Z95 ** 2)), abs=1e-9)
    assert row.gap_ci_high_pp == pytest.approx(100.0, abs=1e-9) and bool(row.significant)


def test_d_zero_gives_p_one_and_z_zero(hand_built) -> None:
    row = gap_row(hand_built, "EDGE", "EQUAL")
    assert row.gap_pp == 0.0 and row.z_statistic == 0.0 and row.p_value == 1.0 and not bool(row.significant)
    assert row.p_value_holm == 1.0  # min(1, m p) stays 1


def test_holm_by_hand_and_a_family_of_one(hand_built) -> None:
    gap = mart(hand_built, "bme_satisfaction_gap")
    edge = gap[(gap.force_code == "EDGE") & (gap.question == "whole_experience") & (gap.window_months == 1)
               & (gap.borough_code != "ALL")].set_index("borough_code")
    # three borough tests, sorted by p: ALLNONE (tiny), ORDINARY, EQUAL (p = 1)
    p = edge.p_value
    assert p["ALLNONE"] < p["ORDINARY"] < p["EQUAL"] == 1.0
    assert edge.at["ALLNONE", "p_value_holm"] == pytest.approx(3 * p["ALLNONE"], abs=1e-15)
    assert edge.at["ORDINARY", "p_value_holm"] == pytest.approx(min(1, max(3 * p["ALLNONE"], 2 * p["ORDINARY"])),
                                                                abs=1e-15)
    assert edge.at["EQUAL", "p_value_holm"] == 1.0
    solo = gap_row(hand_built, "SOLO", "S1")
    assert solo.p_value_holm == solo.p_value  # one borough in its family: m = 1
    force = gap_row(hand_built, "EDGE", "ALL")
    assert force.p_value_holm == force.p_value  # the force-wide row is its own family


# --- census labels and unrecognised values -----------------------------------------------------
def test_every_census_label_maps_to_its_group(hand_built) -> None:
    rows = hand_rows()
    expected = dict(census_labels())
    got = dict(query(hand_built, "select response_id, ethnic_group from intermediate.int_survey_responses_grouped "
                                 "where force_code = 'CENS'"))
    wrong = [(r["ethnicity_code"], got[r["response_id"]], expected[r["ethnicity_code"]]) for r in rows
             if r["ethnicity_code"] in expected and got[r["response_id"]] != expected[r["ethnicity_code"]]]
    assert wrong == []
    distinct = {(heading, label) for lists in CENSUS.values() for heading, labels in lists.items() for label in labels}
    assert len(expected) == 3 * len(distinct) == 3 * 46  # every distinct label of the three lists, three forms
    for r in rows:
        if r["force_code"] == "CENS" and r["ethnicity_code"] in INVENTED:
            assert got[r["response_id"]] == "Unrecognised"
        elif r["force_code"] == "CENS" and r["ethnicity_code"] not in expected:
            assert got[r["response_id"]] == "Not stated"


def test_an_invented_label_is_reported_and_the_group_counts_add_up(hand_built) -> None:
    reported = query(hand_built, "select value_as_given, responses from intermediate.int_survey_values_unrecognised "
                                 "where field_name = 'ethnicity_code' and force_code = 'CENS' order by 1")
    assert reported == [("Martian", 3), ("White: Martian", 3)]
    gap = gap_row(hand_built, "CENS", "C1")
    n_labels = len(census_labels())
    n_white = sum(1 for _, g in census_labels() if g == "White")
    assert gap.unrecognised_ethnicity_respondents == 6
    assert gap.not_stated_respondents == 4
    assert (gap.white_respondents, gap.bme_respondents) == (n_white, n_labels - n_white)
    (all_respondents,) = query(hand_built, "select respondents from marts.citizen_focus_satisfaction where "
                                           "force_code = 'CENS' and borough_code = 'C1' and question = "
                                           "'whole_experience' and window_months = 1")[0]
    assert (gap.white_respondents + gap.bme_respondents + gap.not_stated_respondents
            + gap.unrecognised_ethnicity_respondents) == all_respondents == n_labels + 10


def test_the_gap_group_counts_add_up_on_every_row_of_the_sample(sample_24) -> None:
    counts = query(sample_24, """
        select count(*), count(*) filter (where g.white_respondents + g.bme_respondents + g.not_stated_respondents
                                          + g.unrecognised_ethnicity_respondents != s.respondents)
        from marts.bme_satisfaction_gap as g
        inner join marts.citizen_focus_satisfaction as s using
            (force_code, borough_code, question, window_months, period_end_month)""")
    assert counts[0][0] > 1000 and counts[0][1] == 0


# --- property: the project's SQL, p < 0.05 <=> the interval excludes 0 --------------------------
@pytest.fixture(scope="module")
def compiled_comparison(tmp_path_factory) -> str:
    """The compare_two_groups macro over a table `cases`, compiled by dbt itself (dbt compile --inline)."""
    db = tmp_path_factory.mktemp("inference_compile") / "warehouse.duckdb"
    inline = ("with {{ compare_two_groups('cases', 'p1', 'n1', 'p2', 'n2', 'gap') }} "
              "select case_id, gap_ci_low, gap_ci_high, gap_p_value, gap_z_statistic from gap_inverted")
    result = run_dbt(db, "compile", "--quiet", "--inline", inline)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    sql = result.stdout.strip()
    assert re.match(r"(?is)^with\s+gap_difference as", sql), sql[:500]
    return sql


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.floats(0, 1), st.floats(1, 5000), st.floats(0, 1), st.floats(1, 5000)),
                min_size=1, max_size=20))
def test_property_p_below_005_exactly_when_the_interval_excludes_0(compiled_comparison, cases) -> None:
    con = duckdb.connect()
    con.execute("create table cases (case_id integer, p1 double, n1 double, p2 double, n2 double)")
    con.executemany("insert into cases values (?, ?, ?, ?, ?)", [(i, *c) for i, c in enumerate(cases)])
    for case_id, low, high, p, z in con.execute(compiled_comparison).fetchall():
        p1, n1, p2, n2 = cases[case_id]
        assert (p < 0.05) == (low > 0 or high < 0), (cases[case_id], low, high, p, z)
        want = inverted(p1 - p2, lambda z, a=(p1, n1, p2, n2): difference_arms(*a, z))
        assert close(z, want["z"]) and close(p, want["p"]) and close(low, want["ci_low"]), (cases[case_id], z, want)
