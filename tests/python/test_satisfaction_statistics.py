"""Every published satisfaction figure, recomputed by an independent implementation.

A seeded random sample of survey extracts (two forces, weights, labels and codes, Don't know /
Refused / Not applicable / empty answers, census-word ethnicities, `NS`, unknown words, UK-order
dates, a month without interviews) plus hand-built edge-case forces is built into a real
warehouse (ingest + dbt build). The test then recomputes, from the CSV text alone with pandas,
statsmodels' Wilson interval, a closed-form Newcombe interval and scipy's normal distribution,
every row of marts.citizen_focus_satisfaction, marts.bme_satisfaction_gap and
marts.satisfaction_by_equality_group, and asserts agreement to 1e-9, and that exactly the
expected rows exist. Edge cases: p = 0, p = 1, one respondent, an empty group, SE = 0, all
weights equal (= the unweighted result).
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import duckdb
import jinja2
import numpy as np
import pandas as pd
import pytest
from scipy.optimize import brentq
from scipy.stats import norm
from statsmodels.stats.proportion import proportion_confint
from warehouse_builder import build_warehouse, query

from citizen_focus.config import PROJECT_DIR

Z = 1.959963984540054
TOL = 1e-9
QUESTIONS = ["ease_of_contact", "action_taken", "kept_informed", "treatment", "whole_experience"]
Q_COLUMNS = [f"q_{q}" for q in QUESTIONS]

# --- the test's own reading of the contract (not the warehouse's seeds or macros) -------------
LABEL_CODES = {
    "completely satisfied": 1, "very satisfied": 2, "fairly satisfied": 3,
    "neither satisfied nor dissatisfied": 4, "fairly dissatisfied": 5, "very dissatisfied": 6,
    "completely dissatisfied": 7, "don't know": 8, "refused": 9, "not applicable": 0,
    **{str(c): c for c in range(10)},
}
ETHNIC_GROUPS = {
    "w1": "White", "w2": "White", "w9": "White", "white british": "White", "irish": "White",
    "white: roma": "White", "any other white background": "White",
    "m1": "BME", "a1": "BME", "a2": "BME", "b1": "BME", "b2": "BME", "o1": "BME", "o9": "BME",
    "black african": "BME", "indian": "BME", "mixed: white and asian": "BME", "chinese": "BME",
    "ns": "Not stated", "not stated": "Not stated", "prefer not to say": "Not stated",
}
ANSWERS = [
    "Completely satisfied", "Very satisfied", "Fairly satisfied", "Neither satisfied nor dissatisfied",
    "Fairly dissatisfied", "Very dissatisfied", "Completely dissatisfied", "1", "2", "3", "4", "5", "6",
    "7", "Don't know", "Don’t know", "Refused", "Not applicable", "8", "9", "0", "", " very satisfied ",
]
ETHNICITIES = ["W1", "w2", "W9", "White British", "Irish", "White: Roma", "Any other White background",
               "M1", "A1", "A2", "B1", "B2", "O1", "O9", "Black African", " Indian ", "Mixed: White and Asian",
               "Chinese", "NS", "Not stated", "Prefer not to say", "", "Martian"]
SAT_PROB = {"White": 0.72, "BME": 0.55, "Not stated": 0.62, "Unrecognised": 0.62}


def answer_code(text: str) -> int | None:
    key = text.strip().replace("’", "'").lower()
    return LABEL_CODES.get(key) if key else None


def ethnic_group(text: str) -> str:
    # docs/measures.md (revised): missing = Not stated; a value matching no label = Unrecognised
    key = text.strip().lower()
    return "Not stated" if not key else ETHNIC_GROUPS.get(key, "Unrecognised")


def csv_field(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


# --- fixtures ------------------------------------------------------------------------------
def random_responses(rng: np.random.Generator) -> list[dict]:
    """Random survey rows for two forces; MPS has no interviews in July 2008."""
    rows = []
    plans = [("MPS", ["CW", "HK", "TH", "ZZ"], [(2008, m) for m in range(3, 13) if m != 7]
              + [(2009, m) for m in range(1, 7)], 1300),
             ("CUMB", ["C1", "C2"], [(2008, m) for m in range(5, 10)], 260)]
    for force, boroughs, months, n in plans:
        for i in range(n):
            year, month = months[rng.integers(len(months))]
            day = int(rng.integers(1, 29))
            interview = (f"{year}-{month:02d}-{day:02d}" if rng.random() < 0.8
                         else f"{day:02d}/{month:02d}/{year}")
            ethnicity = ETHNICITIES[rng.integers(len(ETHNICITIES))]
            p_sat = SAT_PROB[ethnic_group(ethnicity)]
            answers = []
            for _ in QUESTIONS:
                u = rng.random()
                if u < 0.12:
                    answers.append(ANSWERS[14 + rng.integers(len(ANSWERS) - 14)])
                elif rng.random() < p_sat:
                    answers.append(ANSWERS[[0, 1, 2, 7, 8, 9, 22][rng.integers(7)]])
                else:
                    answers.append(ANSWERS[[3, 4, 5, 6, 10, 11, 12, 13][rng.integers(8)]])
            if answer_code(answers[-1]) is None:
                answers[-1] = "Fairly satisfied"  # q_whole_experience is required
            u = rng.random()
            weight = "" if u < 0.1 else "2" if u < 0.2 else f"{rng.uniform(0.2, 3.0):.6f}"
            rows.append({
                "response_id": f"{force}-R{i}", "force_code": force, "interview_date": interview,
                "survey_group": ["burglary", "violent_crime", "vehicle_crime", "racist_incident", "asb"][
                    rng.integers(5)],
                "borough_code": boroughs[rng.integers(len(boroughs))], "ethnicity_code": ethnicity,
                "age_band": ["16-24", "25-44", "45-64", "65+", ""][rng.integers(5)],
                "gender": ["Male", "female", "FEMALE", ""][rng.integers(4)],
                "disability": ["Yes", "no", ""][rng.integers(3)],
                **dict(zip(Q_COLUMNS, answers, strict=True)), "weight": weight,
            })
    return rows


def edge_responses() -> list[dict]:
    """Hand-built forces for the edge cases (all in June 2008, whole_experience chiefly)."""
    rows = []

    def add(force, borough, ethnicity, whole, weight="", others=("", "", "", "")):
        rows.append({"response_id": f"{force}-{borough}-{len(rows)}", "force_code": force,
                     "interview_date": "2008-06-15", "survey_group": "burglary", "borough_code": borough,
                     "ethnicity_code": ethnicity, "age_band": "25-44", "gender": "male", "disability": "no",
                     **dict(zip(Q_COLUMNS, [*others, whole], strict=True)), "weight": weight})

    weights = ["0.5", "1.5", "2.5", "1", "3.25", "0.75", "1.2", "2", "0.4", "1.1", "1.9", "0.6"]
    for w in weights:
        add("EDGE", "ZERO", "W1", "Completely dissatisfied", w)  # p = 0 (weighted)
        add("EDGE", "FULL", "B1", "Very satisfied", w)  # p = 1 (weighted)
    add("EDGE", "ONE", "W1", "Fairly satisfied", "1.7", ("Don't know", "Refused", "Not applicable", ""))
    for i in range(10):
        add("EDGE", "GAPEQ", "W2", "1", weights[i])  # both groups all satisfied: SE = 0, equal rates
        add("EDGE", "GAPEQ", "A1", "2", weights[i + 1])
        add("EDGE", "GAPDF", "White British", "3", weights[i])  # 1 vs 0: SE = 0, rates differ
        add("EDGE", "GAPDF", "Indian", "7", weights[i + 2])
    for i in range(15):
        add("EDGE", "NOBME", "W9", "2" if i % 3 else "5", weights[i % 12])  # empty BME group
    pattern = ["1", "2", "3", "4", "5", "6", "7", "Don't know", "Refused", "3"]
    for i in range(40):
        answers = (pattern[i % 10], pattern[(i + 3) % 10], pattern[(i + 5) % 10], pattern[(i + 7) % 10])
        eth = ["W1", "B2", "NS", "Indian"][i % 4]
        add("EQW", "E1", eth, pattern[(i * 7) % 10] if i % 10 not in (7, 8) else "1", "0.7", answers)
        add("UNW", "E1", eth, pattern[(i * 7) % 10] if i % 10 not in (7, 8) else "1", "", answers)
    return rows


SURVEY_COLUMNS = ["response_id", "force_code", "interview_date", "survey_group", "borough_code", "ethnicity_code",
                  "age_band", "gender", "disability", *Q_COLUMNS, "weight"]


def to_csv(rows: list[dict]) -> str:
    lines = [",".join(SURVEY_COLUMNS)]
    lines += [",".join(csv_field(r[c]) for c in SURVEY_COLUMNS) for r in rows]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def responses() -> list[dict]:
    return random_responses(np.random.default_rng(20080401)) + edge_responses()


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, responses) -> Path:
    return build_warehouse(tmp_path_factory.mktemp("satisfaction_stats"),
                           {"survey_responses.csv": to_csv(responses)})


def mart(db: Path, name: str) -> pd.DataFrame:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(f"select * from marts.{name}").df()
    finally:
        con.close()


# --- the independent reference implementation -----------------------------------------------
def parse_date(text: str) -> date:
    text = text.strip()
    if "/" in text:
        d, m, y = text.split("/")
        return date(int(y), int(m), int(d))
    return date.fromisoformat(text)


def long_answers(rows: list[dict]) -> pd.DataFrame:
    """One row per response x question with a valid answer, and the breakdown values."""
    out = []
    for r in rows:
        month = parse_date(r["interview_date"]).replace(day=1)
        w = float(r["weight"]) if r["weight"].strip() else 1.0
        for q, col in zip(QUESTIONS, Q_COLUMNS, strict=True):
            code = answer_code(r[col])
            if code is None or not 1 <= code <= 7:
                continue
            out.append({
                "force_code": r["force_code"], "borough_code": r["borough_code"], "question": q,
                "month": pd.Timestamp(month), "w": w, "sat": code <= 3,
                "ethnic_group": ethnic_group(r["ethnicity_code"]),
                "age_band": r["age_band"].strip() or "Not stated",
                "gender": r["gender"].strip().lower() or "Not stated",
                "disability": r["disability"].strip().lower() or "Not stated",
                "survey_group": r["survey_group"],
            })
    return pd.DataFrame(out)


def wilson(p: float, n: float) -> tuple[float, float]:
    low, high = proportion_confint(p * n, n, alpha=0.05, method="wilson")
    return float(low), float(high)


def wilson_closed_form(p: float, n: float) -> tuple[float, float]:
    """Wilson bounds as the roots of (1 + z^2/n) t^2 - (2p + z^2/n) t + p^2 = 0."""
    a, b, c = 1 + Z * Z / n, -(2 * p + Z * Z / n), p * p
    disc = math.sqrt(max(b * b - 4 * a * c, 0.0))
    return max(0.0, (-b - disc) / (2 * a)), min(1.0, (-b + disc) / (2 * a))


def newcombe(p1: float, n1: float, p2: float, n2: float) -> tuple[float, float]:
    l1, u1 = wilson_closed_form(p1, n1)
    l2, u2 = wilson_closed_form(p2, n2)
    d = p1 - p2
    return d - math.hypot(p1 - l1, u2 - p2), d + math.hypot(u1 - p1, p2 - l2)


def wilson_at(p: float, n: float, z: float) -> tuple[float, float]:
    """Wilson bounds at critical value z, clipped to [0, 1] and to contain p."""
    centre, half = p + z * z / (2 * n), z * math.sqrt(max(p * (1 - p), 0.0) / n + z * z / (4 * n * n))
    scale = 1 + z * z / n
    return min(p, max(0.0, (centre - half) / scale)), max(p, min(1.0, (centre + half) / scale))


def inverted_z(p1: float, n1: float, p2: float, n2: float) -> float:
    """docs/measures.md (revised): signed z* at which the Newcombe limit on the side of 0 reaches 0,
    found here by scipy's brentq (not the project's bisection); 40 when it has not by z = 40."""
    d = p1 - p2
    if d == 0:
        return 0.0

    def limit_gap(z: float) -> float:
        l1, u1 = wilson_at(p1, n1, z)
        l2, u2 = wilson_at(p2, n2, z)
        return abs(d) - (math.hypot(p1 - l1, u2 - p2) if d > 0 else math.hypot(u1 - p1, p2 - l2))

    if limit_gap(40.0) > 0:
        return math.copysign(40.0, d)
    return math.copysign(brentq(limit_gap, 0.0, 40.0, xtol=1e-14, rtol=1e-15), d)


def z_test_p_value(p1: float, n1: float, p2: float, n2: float) -> float:
    """The p-value of the gap by inverting the Newcombe interval (revised definition)."""
    return float(2 * norm.sf(abs(inverted_z(p1, n1, p2, n2))))


def cells(answers: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Expected cells for every key of the spine: (by..., borough incl. ALL, window, month)."""
    a = answers.assign(w2=answers.w ** 2, ws=answers.w * answers.sat)
    both = pd.concat([a, a.assign(borough_code="ALL")])
    keys = ["force_code", "borough_code", "question", *by]
    monthly = both.groupby([*keys, "month"]).agg(
        respondents=("w", "size"), satisfied=("sat", "sum"), sum_w=("w", "sum"), sum_w2=("w2", "sum"),
        sum_w_satisfied=("ws", "sum")).reset_index()
    frames = []
    for force, fa in both.groupby("force_code"):
        months = pd.date_range(fa.month.min(), fa.month.max(), freq="MS")
        spine = (fa[["borough_code"]].drop_duplicates()
                 .merge(pd.DataFrame({"question": QUESTIONS}), how="cross")
                 .merge(pd.DataFrame({"month": months}), how="cross"))
        for column in by:
            spine = spine.merge(fa[[column]].drop_duplicates(), how="cross")
        spine["force_code"] = force
        dense = spine.merge(monthly, on=[*keys, "month"], how="left").fillna(
            {"respondents": 0, "satisfied": 0, "sum_w": 0.0, "sum_w2": 0.0, "sum_w_satisfied": 0.0})
        for window in (1, 12):
            rolled = dense.sort_values("month").groupby(keys)[
                ["respondents", "satisfied", "sum_w", "sum_w2", "sum_w_satisfied"]].rolling(
                window, min_periods=1).sum().reset_index(level=list(range(len(keys))))
            rolled["month"] = dense.loc[rolled.index, "month"]
            rolled["window_months"] = window
            frames.append(rolled)
    out = pd.concat(frames, ignore_index=True)
    out["respondents"] = out.respondents.astype(int)
    out["satisfied"] = out.satisfied.astype(int)
    return out.rename(columns={"month": "period_end_month"})


def expected_estimate(cell) -> dict:
    n = int(cell.respondents)
    if n == 0:
        return {"rate": None, "n_eff": None, "ci_low": None, "ci_high": None}
    n_eff = cell.sum_w ** 2 / cell.sum_w2
    if n < 10:
        return {"rate": None, "n_eff": n_eff, "ci_low": None, "ci_high": None}
    p = cell.sum_w_satisfied / cell.sum_w
    low, high = wilson(p, n_eff)
    return {"rate": p, "n_eff": n_eff, "ci_low": low, "ci_high": high}


def close(a, b) -> bool:
    a_null = a is None or (isinstance(a, float) and math.isnan(a)) or a is pd.NA
    b_null = b is None or (isinstance(b, float) and math.isnan(b)) or b is pd.NA
    if a_null or b_null:
        return a_null and b_null
    return abs(float(a) - float(b)) <= TOL


def compare_cells(actual: pd.DataFrame, expected: pd.DataFrame, keys: list[str]) -> None:
    actual = actual.copy()
    actual["period_end_month"] = pd.to_datetime(actual.period_end_month)
    merged = expected.merge(actual, on=keys, how="outer", suffixes=("_exp", ""), indicator=True)
    missing = merged[merged._merge != "both"]
    assert missing.empty, f"rows differ:\n{missing[keys + ['_merge']].head(20)}"
    problems = []
    for row in merged.itertuples(index=False):
        exp = expected_estimate(type("C", (), {c: getattr(row, c + "_exp") for c in
                                              ["respondents", "sum_w", "sum_w2", "sum_w_satisfied"]}))
        checks = {"respondents": (row.respondents, row.respondents_exp), **{
            k: (getattr(row, k), v) for k, v in exp.items()},
            "satisfied": (row.satisfied, row.satisfied_exp if row.respondents_exp >= 10 else None),
            "reliable": (row.reliable, row.respondents_exp >= 50),
            "is_suppressed": (row.is_suppressed, row.respondents_exp < 10)}
        for name, (got, want) in checks.items():
            if not close(got, want):
                problems.append((tuple(getattr(row, k) for k in keys), name, got, want))
    assert problems == [], problems[:10]


# --- tests ---------------------------------------------------------------------------------
def test_citizen_focus_satisfaction_matches_an_independent_computation(warehouse, responses) -> None:
    expected = cells(long_answers(responses), [])
    actual = mart(warehouse, "citizen_focus_satisfaction")
    assert len(actual) > 1000
    compare_cells(actual, expected, ["force_code", "borough_code", "question", "window_months",
                                     "period_end_month"])
    # the display count follows the suppression rule
    display = actual.set_index("respondents").respondents_display
    assert set(display[(display.index > 0) & (display.index < 10)]) == {"<10"}
    assert all(display[display.index >= 10] == [str(i) for i in display[display.index >= 10].index])


def test_equality_breakdowns_match_an_independent_computation(warehouse, responses) -> None:
    answers = long_answers(responses)
    actual = mart(warehouse, "satisfaction_by_equality_group")
    for dimension in ["ethnic_group", "age_band", "gender", "disability", "survey_group"]:
        expected = cells(answers, [dimension]).rename(columns={dimension: "dimension_value"})
        got = actual[actual.dimension == dimension]
        compare_cells(got, expected, ["force_code", "borough_code", "question", "dimension_value",
                                      "window_months", "period_end_month"])
    genders = set(actual[(actual.dimension == "gender") & (actual.force_code == "MPS")].dimension_value)
    assert genders == {"male", "female", "Not stated"}
    groups = set(actual[actual.dimension == "ethnic_group"].dimension_value)
    assert groups == {"White", "BME", "Not stated", "Unrecognised"}  # revised: "Martian" is Unrecognised


def test_bme_gap_matches_an_independent_computation(warehouse, responses) -> None:
    expected = cells(long_answers(responses), ["ethnic_group"])
    keys = ["force_code", "borough_code", "question", "window_months", "period_end_month"]
    wide = expected.pivot_table(index=keys, columns="ethnic_group",
                                values=["respondents", "sum_w", "sum_w2", "sum_w_satisfied"],
                                aggfunc="sum", fill_value=0)
    actual = mart(warehouse, "bme_satisfaction_gap")
    actual["period_end_month"] = pd.to_datetime(actual.period_end_month)
    actual = actual.set_index(keys)
    assert set(actual.index) == set(wide.index)
    problems = []
    significant_seen = 0
    for key, row in actual.iterrows():
        e = wide.loc[key]
        n = {g: int(e[("respondents", g)]) if ("respondents", g) in e.index else 0 for g in ["White", "BME"]}
        got = {"white_respondents": row.white_respondents, "bme_respondents": row.bme_respondents}
        want = {"white_respondents": n["White"], "bme_respondents": n["BME"]}
        p, neff = {}, {}
        for g, prefix in [("White", "white"), ("BME", "bme")]:
            if n[g] > 0:
                p[g] = e[("sum_w_satisfied", g)] / e[("sum_w", g)]
                neff[g] = e[("sum_w", g)] ** 2 / e[("sum_w2", g)]
            ok = n[g] >= 10
            got[f"{prefix}_rate"] = row[f"{prefix}_rate"]
            want[f"{prefix}_rate"] = p[g] if ok else None
            low, high = wilson(p[g], neff[g]) if ok else (None, None)
            got[f"{prefix}_ci_low"], want[f"{prefix}_ci_low"] = row[f"{prefix}_ci_low"], low
            got[f"{prefix}_ci_high"], want[f"{prefix}_ci_high"] = row[f"{prefix}_ci_high"], high
        both = n["White"] >= 10 and n["BME"] >= 10
        if both:
            low, high = newcombe(p["White"], neff["White"], p["BME"], neff["BME"])
            want.update(gap_pp=100 * (p["White"] - p["BME"]), gap_ci_low_pp=100 * low, gap_ci_high_pp=100 * high,
                        p_value=z_test_p_value(p["White"], neff["White"], p["BME"], neff["BME"]))
            want_significant = low > 0 or high < 0
            significant_seen += want_significant
        else:
            want.update(gap_pp=None, gap_ci_low_pp=None, gap_ci_high_pp=None, p_value=None)
            want_significant = None
        for k in ["gap_pp", "gap_ci_low_pp", "gap_ci_high_pp", "p_value"]:
            got[k] = row[k]
        for k in want:
            if not close(got[k], want[k]):
                problems.append((key, k, got[k], want[k]))
        sig = None if pd.isna(row.significant) else bool(row.significant)
        if sig != want_significant:
            problems.append((key, "significant", sig, want_significant))
    assert problems == [], problems[:10]
    assert significant_seen > 0  # the planted gap is detected somewhere, so both branches are exercised
    # one procedure: p < 0.05 exactly when the interval excludes 0, in every row
    tested = actual[actual.p_value.notna()]
    assert ((tested.p_value < 0.05) == tested.significant.astype(bool)).all()


def test_edge_cases_p0_p1_one_respondent_empty_group(warehouse) -> None:
    rows = {r[0]: r[1:] for r in query(warehouse, """
        select borough_code, respondents, rate, ci_low, ci_high, n_eff, excluded_answers, respondents_display
        from marts.citizen_focus_satisfaction
        where force_code = 'EDGE' and question = 'whole_experience' and window_months = 1
          and period_end_month = date '2008-06-01'""")}
    w = np.array([0.5, 1.5, 2.5, 1, 3.25, 0.75, 1.2, 2, 0.4, 1.1, 1.9, 0.6])
    n_eff = w.sum() ** 2 / (w ** 2).sum()
    n, rate, low, high, neff, _, _ = rows["ZERO"]
    assert (n, rate, low) == (12, 0.0, 0.0)
    assert high == pytest.approx(Z * Z / (n_eff + Z * Z), abs=1e-12) and neff == pytest.approx(n_eff, abs=1e-12)
    n, rate, low, high, neff, _, _ = rows["FULL"]
    assert (n, rate, high) == (12, 1.0, 1.0)
    assert low == pytest.approx(n_eff / (n_eff + Z * Z), abs=1e-12)
    n, rate, low, high, neff, excluded, display = rows["ONE"]
    assert (n, rate, low, high, neff, display) == (1, None, None, None, 1.0, "<10")
    assert excluded == 0  # its Don't know / Refused / Not applicable are on other questions
    one_other = query(warehouse, """
        select question, respondents, excluded_answers from marts.citizen_focus_satisfaction
        where force_code = 'EDGE' and borough_code = 'ONE' and window_months = 1 order by question""")
    assert one_other == [("action_taken", 0, 1), ("ease_of_contact", 0, 1), ("kept_informed", 0, 1),
                         ("treatment", 0, 0), ("whole_experience", 1, 0)]
    empty = query(warehouse, """
        select respondents, respondents_display, rate, ci_low, n_eff, reliable from marts.citizen_focus_satisfaction
        where force_code = 'EDGE' and borough_code = 'ONE' and question = 'treatment' and window_months = 12""")
    assert empty == [(0, "0", None, None, None, False)]


def test_edge_cases_of_the_gap(warehouse) -> None:
    gap = {r[0]: r[1:] for r in query(warehouse, """
        select borough_code, white_respondents, bme_respondents, white_rate, bme_rate, gap_pp,
               gap_ci_low_pp, gap_ci_high_pp, z_statistic, p_value, significant, is_suppressed
        from marts.bme_satisfaction_gap
        where force_code = 'EDGE' and question = 'whole_experience' and window_months = 1""")}
    # both groups all satisfied: SE = 0 and equal rates -> p = 1, not significant
    wr, br, w_rate, b_rate, g, low, high, z, p, sig, sup = gap["GAPEQ"]
    # (revised definition: the inverted interval gives z = 0 and p = 1 when the gap is 0)
    assert (wr, br, w_rate, b_rate, g, z, p, sig, sup) == (10, 10, 1.0, 1.0, 0.0, 0.0, 1.0, False, False)
    assert low < 0 < high
    # 1 against 0: significant; (revised) p and z from inverting the interval, not the Wald limit 0
    wr, br, w_rate, b_rate, g, low, high, z, p, sig, sup = gap["GAPDF"]
    w = np.array([0.5, 1.5, 2.5, 1, 3.25, 0.75, 1.2, 2, 0.4, 1.1, 1.9, 0.6])
    n1 = w[:10].sum() ** 2 / (w[:10] ** 2).sum()
    n2 = w[2:12].sum() ** 2 / (w[2:12] ** 2).sum()
    assert (w_rate, b_rate, g, sig) == (1.0, 0.0, 100.0, True)
    assert z == pytest.approx(inverted_z(1.0, n1, 0.0, n2), abs=1e-9) and z > Z
    assert p == pytest.approx(2 * norm.sf(z), abs=1e-12) and p < 0.05
    assert low == pytest.approx(100 * (1 - math.hypot(Z * Z / (n1 + Z * Z), Z * Z / (n2 + Z * Z))), abs=1e-9)
    assert high == 100.0
    # an empty group: nothing published but the counts
    ws = np.array([w[i % 12] for i in range(15)])
    sat = np.array([i % 3 != 0 for i in range(15)])
    assert gap["NOBME"][2] == pytest.approx(ws[sat].sum() / ws.sum(), abs=1e-12)
    assert gap["NOBME"][:2] == (15, 0)
    assert gap["NOBME"][3:] == (None, None, None, None, None, None, None, True)
    # one-sided borough: only BME
    assert gap["FULL"][:2] == (0, 12) and gap["FULL"][-1] is True and gap["FULL"][-2] is None


def test_all_weights_equal_gives_the_unweighted_result(warehouse) -> None:
    columns = "respondents, satisfied, rate, n_eff, ci_low, ci_high, reliable"
    for table, extra in [("citizen_focus_satisfaction", ""), ("satisfaction_by_equality_group",
                                                               ", dimension, dimension_value")]:
        sql = f"""select borough_code, question, window_months, period_end_month{extra}, {columns}
                  from marts.{table} where force_code = ? order by all"""
        weighted, unweighted = query(warehouse, sql, ["EQW"]), query(warehouse, sql, ["UNW"])
        assert len(weighted) == len(unweighted) > 0
        for a, b in zip(weighted, unweighted, strict=True):
            assert a[:-7] == b[:-7] and a[-7:-5] == b[-7:-5] and a[-1] == b[-1]
            for x, y in zip(a[-5:-1], b[-5:-1], strict=True):
                assert close(x, y) and (x is None or abs(x - y) <= 1e-12), (a, b)
    n_eff = query(warehouse, """select n_eff, respondents from marts.citizen_focus_satisfaction
                                where force_code = 'UNW' and respondents > 0""")
    assert all(a == b for a, b in n_eff)  # unweighted: n_eff is exactly n
    sql = """select gap_pp, gap_ci_low_pp, gap_ci_high_pp, p_value from marts.bme_satisfaction_gap
             where force_code = ? order by borough_code, question, window_months, period_end_month"""
    for a, b in zip(query(warehouse, sql, ["EQW"]), query(warehouse, sql, ["UNW"]), strict=True):
        assert all(close(x, y) for x, y in zip(a, b, strict=True)), (a, b)


def test_suppression_is_consistent_in_every_mart(warehouse) -> None:
    leaks = query(warehouse, """
        select 'cfs', count(*) from marts.citizen_focus_satisfaction
        where respondents < 10 and (rate is not null or ci_low is not null or satisfied is not null
                                    or sum_w_satisfied is not null)
        union all
        select 'gap', count(*) from marts.bme_satisfaction_gap
        where (white_respondents < 10 and (white_rate is not null or white_satisfied is not null))
           or (bme_respondents < 10 and (bme_rate is not null or bme_satisfied is not null))
           or ((white_respondents < 10 or bme_respondents < 10)
               and (gap_pp is not null or p_value is not null or significant is not null))
        union all
        select 'eq', count(*) from marts.satisfaction_by_equality_group
        where respondents < 10 and (rate is not null or satisfied is not null)""")
    assert [n for _, n in leaks] == [0, 0, 0]


# --- the SQL complementary error function against scipy --------------------------------------
def render_statistics_macro(call: str) -> str:
    source = (PROJECT_DIR / "macros" / "statistics.sql").read_text()
    env = jinja2.Environment(extensions=["jinja2.ext.do"])
    defaults = {"z_95": Z, "suppress_below_respondents": 10, "reliable_from_respondents": 50}
    env.globals["var"] = lambda name, default=None: defaults.get(name, default)
    return env.from_string(source + "{{ " + call + " }}").render().strip()


def test_the_sql_normal_p_value_agrees_with_scipy_everywhere() -> None:
    zs = np.concatenate([np.linspace(-12, 12, 48001), [0.0, 1e-12, 4.242640687119285, 4.2426406871192857,
                                                          1.959963984540054, 38.0, 40.0]])
    sql = "select " + render_statistics_macro("normal_two_sided_p_value('z')") + " from zs"
    con = duckdb.connect()
    con.execute("create table zs as select unnest(?::double[]) as z", [zs.tolist()])
    got = np.array([r[0] for r in con.execute(sql + " order by rowid").fetchall()])
    want = 2 * norm.sf(np.abs(zs))
    assert np.max(np.abs(got - want)) < 1e-14
    positive = want > 1e-300
    assert np.max(np.abs(got[positive] - want[positive]) / want[positive]) < 1e-9
    assert got[zs == 1.959963984540054][0] == pytest.approx(0.05, abs=1e-15)


def test_the_sql_wilson_and_newcombe_agree_with_references() -> None:
    con = duckdb.connect()
    rng = np.random.default_rng(7)
    cases = [(0.0, 1.0), (1.0, 1.0), (0.0, 10.0), (1.0, 10.0), (0.5, 1.0), (0.3, 7.3)] + [
        (float(rng.random()), float(rng.uniform(1, 500))) for _ in range(300)]
    con.execute("create table c as select unnest(?::double[]) as p, unnest(?::double[]) as n",
                [[p for p, _ in cases], [n for _, n in cases]])
    low, high = render_statistics_macro("wilson_low('p', 'n')"), render_statistics_macro("wilson_high('p', 'n')")
    got = con.execute(f"select {low}, {high} from c order by rowid").fetchall()
    for (p, n), (gl, gh) in zip(cases, got, strict=True):
        assert (gl, gh) == pytest.approx(wilson(p, n), abs=1e-12)
        assert (gl, gh) == pytest.approx(wilson_closed_form(p, n), abs=1e-12)
    con.execute("create table pairs as select a.p as p1, a.n as n1, b.p as p2, b.n as n2 "
                "from c as a positional join (select * from c order by random()) as b")
    macro_sql = ", ".join(render_statistics_macro(m) for m in [
        "newcombe_low('p1', 'l1', 'u1', 'p2', 'l2', 'u2')", "newcombe_high('p1', 'l1', 'u1', 'p2', 'l2', 'u2')"])
    bounds = ", ".join(f"{render_statistics_macro(f'wilson_{side}({p!r}, {n!r})')} as {alias}"
                       for side, p, n, alias in [("low", "p1", "n1", "l1"), ("high", "p1", "n1", "u1"),
                                                 ("low", "p2", "n2", "l2"), ("high", "p2", "n2", "u2")])
    got = con.execute(f"select p1, n1, p2, n2, {macro_sql} from (select *, {bounds} from pairs)").fetchall()
    for p1, n1, p2, n2, gl, gh in got:
        assert (gl, gh) == pytest.approx(newcombe(p1, n1, p2, n2), abs=1e-12)
