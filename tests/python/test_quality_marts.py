"""The public-mart suites (quality/suites/marts_*.yml) pass on a correct mart and fail, naming
the expected rule, on planted mistakes.

The marts are written by hand into a temporary DuckDB file (the published columns of
docs/marts.md, values computed here: Wilson and Newcombe intervals, RAG against the target), so
these tests do not depend on the dbt models; tests/python/test_quality_check.py runs the suites
on a real `dbt build`. Each planted case asserts the exact set of failed (suite, rule) pairs.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import duckdb
import pytest

from quality.definitions import load_suites, select_suites
from quality.testing import check, copy_warehouse, execute

Z = 1.959963984540054
QUESTIONS = ["ease_of_contact", "action_taken", "kept_informed", "treatment", "whole_experience"]
MONTHS = [dt.date(2008, 4, 1), dt.date(2008, 5, 1), dt.date(2008, 6, 1)]
STANDARDS = ["PLEDGE-6-999", "PLEDGE-7-EMERGENCY", "QOSC-RESPONSE-10WD", "PLEDGE-1-NOT-MEASURED"]
SATISFACTION = ["marts.citizen_focus_satisfaction", "marts.bme_satisfaction_gap"]


def wilson(p: float, n: float) -> tuple[float, float]:
    centre = p + Z * Z / (2 * n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    return (centre - half) / (1 + Z * Z / n), (centre + half) / (1 + Z * Z / n)


def satisfaction_rows() -> list[tuple]:
    """(force, borough, question, window, month, respondents, satisfied, n_eff, rate, ci_low, ci_high,
    reliable)"""
    rows = []
    for borough, respondents, satisfied in (("ALL", 60, 45), ("HK", 52, 39), ("CW", 8, 6)):
        for question in QUESTIONS:
            for window in (1, 12):
                for month in MONTHS:
                    n = respondents * (2 if window == 12 else 1)
                    s = satisfied * (2 if window == 12 else 1)
                    n_eff = n * 0.9
                    if n < 10:
                        rows.append(
                            ("MPS", borough, question, window, month, n, None, n_eff, None, None, None, False)
                        )
                    else:
                        rate = s / n
                        low, high = wilson(rate, n_eff)
                        rows.append(
                            ("MPS", borough, question, window, month, n, s, n_eff, rate, low, high, n >= 50)
                        )
    return rows


def gap_rows() -> list[tuple]:
    """(grain..., white_n, bme_n, white_rate, bme_rate, gap, gap_low, gap_high, p_value, significant)"""
    rows = []
    for borough, white_n, bme_n in (("ALL", 40, 20), ("HK", 30, 20), ("CW", 5, 3)):
        for question in QUESTIONS:
            for window in (1, 12):
                for month in MONTHS:
                    if white_n < 10 or bme_n < 10:
                        rows.append(
                            (
                                "MPS",
                                borough,
                                question,
                                window,
                                month,
                                white_n,
                                bme_n,
                                None if white_n < 10 else 0.8,
                                None if bme_n < 10 else 0.6,
                                None,
                                None,
                                None,
                                None,
                                None,
                            )
                        )
                        continue
                    p1, p2 = 0.8, 0.55
                    l1, u1 = wilson(p1, white_n)
                    l2, u2 = wilson(p2, bme_n)
                    low = p1 - p2 - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
                    high = p1 - p2 + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
                    se = math.sqrt(p1 * (1 - p1) / white_n + p2 * (1 - p2) / bme_n)
                    p_value = math.erfc(abs(p1 - p2) / se / math.sqrt(2))
                    rows.append(
                        (
                            "MPS",
                            borough,
                            question,
                            window,
                            month,
                            white_n,
                            bme_n,
                            p1,
                            p2,
                            100 * (p1 - p2),
                            100 * low,
                            100 * high,
                            p_value,
                            low > 0 or high < 0,
                        )
                    )
    return rows


def rag(rate: float | None, target: float) -> str:
    if rate is None:
        return "no_data"
    return "green" if rate >= target else "amber" if rate >= target - 0.05 else "red"


def compliance_rows() -> list[tuple]:
    """(standard, force, borough, month, numerator, denominator, pending, rate, target, rag)"""
    rows = []
    counts = {"CW": (95, 100, 0), "HK": (87, 100, 3)}
    for standard in STANDARDS[:3]:
        for borough, (num, den, pending) in counts.items():
            for month in MONTHS:
                rate = num / den
                rows.append((standard, "MPS", borough, month, num, den, pending, rate, 0.9, rag(rate, 0.9)))
    # a cell with only pending records: no denominator, no rate
    rows.append(("QOSC-RESPONSE-10WD", "MPS", "ZZ", MONTHS[-1], 0, 0, 2, None, 0.9, "no_data"))
    return rows


SCORECARD_COLUMNS = (
    "force_code varchar, standard_id varchar, title varchar, source varchar, period_month date, "
    "target_rate double, rate double, previous_month_rate double, rolling_12_month_rate double, rag varchar, "
    "measured boolean, not_measured_reason varchar"
)


def scorecard_rows() -> list[tuple]:
    """One row per standard of the seed for force MPS, latest complete month June 2008."""
    rows = []
    for standard, rate, previous, rolling in (
        ("PLEDGE-6-999", 0.95, 0.93, 0.94),
        ("PLEDGE-7-EMERGENCY", 0.87, 0.91, 0.89),
        ("QOSC-RESPONSE-10WD", 0.70, None, 0.72),
    ):
        rows.append(
            ("MPS", standard, standard.lower(), "Policing Pledge", MONTHS[-1], 0.9, rate, previous, rolling,
             rag(rate, 0.9), True, None)
        )
    rows.append(
        ("MPS", "PLEDGE-1-NOT-MEASURED", "pledge 1", "Policing Pledge", MONTHS[-1], 0.9, None, None, None,
         "no_data", False, "not measured: no data source")
    )
    return rows


EQUALITY_COLUMNS = (
    "force_code varchar, borough_code varchar, question varchar, dimension varchar, dimension_value varchar, "
    "window_months integer, period_end_month date, respondents bigint, satisfied bigint, n_eff double, "
    "rate double, ci_low double, ci_high double, is_suppressed boolean, reliable boolean"
)


def equality_rows() -> list[tuple]:
    """Two questions x (ethnic_group White/BME, gender Female) x 2 windows x 3 months, ALL and HK;
    HK's BME group has 6 respondents a month: suppressed (satisfied, rate and interval null)."""
    rows = []
    groups = (("ethnic_group", "White", 40, 30), ("ethnic_group", "BME", 12, 8), ("gender", "Female", 55, 44))
    for borough in ("ALL", "HK"):
        for question in ("treatment", "whole_experience"):
            for dimension, value, respondents, satisfied in groups:
                if borough == "HK":
                    respondents, satisfied = respondents // 2, satisfied // 2
                for window in (1, 12):
                    for month in MONTHS:
                        n = respondents * (2 if window == 12 else 1)
                        s = satisfied * (2 if window == 12 else 1)
                        if n < 10:
                            rows.append(("MPS", borough, question, dimension, value, window, month, n, None,
                                         float(n), None, None, None, True, False))
                            continue
                        low, high = wilson(s / n, n)
                        rows.append(("MPS", borough, question, dimension, value, window, month, n, s, float(n),
                                     s / n, low, high, False, n >= 50))
    return rows


OUTCOME_COLUMNS = (
    "force_code varchar, borough_code varchar, question varchar, outcome_measure varchar, outcome_group varchar, "
    "window_name varchar, window_months integer, period_end_month date, respondents bigint, satisfied bigint, "
    "n_eff double, rate double, ci_low double, ci_high double, is_suppressed boolean, reliable boolean, "
    "met_minus_missed_pp double, met_minus_missed_ci_low_pp double, met_minus_missed_ci_high_pp double, "
    "p_value double, significant boolean, is_comparison_suppressed boolean"
)


def outcome_rows() -> list[tuple]:
    """emergency_attended_in_time, met (60 respondents, 48 satisfied) vs missed (20, 10), force-wide,
    whole period; HK: missed has 4 respondents, so the comparison is suppressed."""
    rows = []
    for borough, (met_n, met_s), (missed_n, missed_s) in (("ALL", (60, 48), (20, 10)), ("HK", (30, 24), (4, 2))):
        groups = {}
        for group, n, s in (("met", met_n, met_s), ("missed", missed_n, missed_s)):
            if n < 10:
                groups[group] = (n, None, None, None, None, True)
            else:
                low, high = wilson(s / n, n)
                groups[group] = (n, s, s / n, low, high, False)
        comparable = not groups["met"][5] and not groups["missed"][5]
        if comparable:
            p1, l1, u1 = groups["met"][2:5]
            p2, l2, u2 = groups["missed"][2:5]
            d = p1 - p2
            low = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
            high = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
            se = math.sqrt(p1 * (1 - p1) / met_n + p2 * (1 - p2) / missed_n)
            comparison = (100 * d, 100 * low, 100 * high, math.erfc(abs(d) / se / math.sqrt(2)), low > 0 or high < 0)
        else:
            comparison = (None, None, None, None, None)
        for group, (n, s, r, lo, hi, suppressed) in groups.items():
            rows.append(("MPS", borough, "whole_experience", "emergency_attended_in_time", group, "whole_period", 3,
                         MONTHS[-1], n, s, float(n), r, lo, hi, suppressed, n >= 50, *comparison, not comparable))
    return rows


RECORD_COLUMNS = (
    "standard_id varchar, force_code varchar, borough_code varchar, period_month date, record_id varchar, "
    "started_at timestamptz, deadline_at timestamptz, event_at timestamptz, elapsed_seconds double, "
    "threshold_seconds double, outcome varchar"
)


def record_rows() -> list[tuple]:
    """The drill-down behind compliance_rows(): per cell, `numerator` met records (event 5 s after the
    start, threshold 10 s), denominator - numerator missed (event after 20 s) and `pending` pending."""
    rows = []
    for standard, force, borough, month, numerator, denominator, pending, *_ in compliance_rows():
        start = dt.datetime(month.year, month.month, 2, 10, tzinfo=dt.UTC)
        deadline = start + dt.timedelta(seconds=10)
        kinds = ["met"] * numerator + ["missed"] * (denominator - numerator) + ["pending"] * pending
        for i, outcome in enumerate(kinds):
            elapsed = {"met": 5.0, "missed": 20.0, "pending": None}[outcome]
            event = None if elapsed is None else start + dt.timedelta(seconds=elapsed)
            rows.append((standard, force, borough, month, f"{borough}-{month:%m}-{i}", start, deadline, event,
                         elapsed, 10.0, outcome))
    return rows


def build_marts(db: Path) -> None:
    con = duckdb.connect(str(db))
    try:
        con.execute("create schema marts")
        con.execute("create schema reference")
        con.execute(
            "create table reference.standards (standard_id varchar, title varchar, target_rate double)"
        )
        con.executemany(
            "insert into reference.standards values (?, ?, 0.9)", [[s, s.lower()] for s in STANDARDS]
        )
        con.execute("""
            create table marts.citizen_focus_satisfaction (
                force_code varchar, borough_code varchar, question varchar, window_months integer,
                period_end_month date, respondents bigint, satisfied bigint, n_eff double, rate double,
                ci_low double, ci_high double, reliable boolean)
        """)
        con.executemany(
            "insert into marts.citizen_focus_satisfaction values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            satisfaction_rows(),
        )
        con.execute("""
            create table marts.bme_satisfaction_gap (
                force_code varchar, borough_code varchar, question varchar, window_months integer,
                period_end_month date, white_respondents bigint, bme_respondents bigint, white_rate double,
                bme_rate double, gap_pp double, gap_ci_low_pp double, gap_ci_high_pp double, p_value double,
                significant boolean)
        """)
        con.executemany(
            "insert into marts.bme_satisfaction_gap values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            gap_rows(),
        )
        con.execute("""
            create table marts.pledge_compliance (
                standard_id varchar, force_code varchar, borough_code varchar, period_month date,
                numerator bigint, denominator bigint, pending bigint, rate double, target_rate double,
                rag varchar)
        """)
        con.executemany(
            "insert into marts.pledge_compliance values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", compliance_rows()
        )
        for table, columns, rows in (
            ("promise_scorecard", SCORECARD_COLUMNS, scorecard_rows()),
            ("satisfaction_by_equality_group", EQUALITY_COLUMNS, equality_rows()),
            ("satisfaction_by_service_outcome", OUTCOME_COLUMNS, outcome_rows()),
            ("compliance_records", RECORD_COLUMNS, record_rows()),
        ):
            con.execute(f"create table marts.{table} ({columns})")
            con.executemany(f"insert into marts.{table} values ({', '.join('?' for _ in rows[0])})", rows)
    finally:
        con.close()


MART_SUITES = [
    "marts.citizen_focus_satisfaction",
    "marts.bme_satisfaction_gap",
    "marts.pledge_compliance.rows",
    "marts.pledge_compliance.coverage",
    "marts.promise_scorecard",
    "marts.satisfaction_by_equality_group",
    "marts.satisfaction_by_service_outcome",
]


@pytest.fixture(scope="module")
def marts_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("quality_marts") / "warehouse.duckdb"
    build_marts(db)
    return db


def test_the_hand_made_marts_are_what_the_tests_think() -> None:
    rows = satisfaction_rows()
    assert len(rows) == 3 * 5 * 2 * 3
    all_month = next(r for r in rows if r[1] == "ALL" and r[3] == 1)
    assert all_month[8] == 0.75 and all_month[9] < 0.75 < all_month[10]
    significant = {r[1]: r[-1] for r in gap_rows()}
    assert significant == {"ALL": True, "HK": False, "CW": None}  # 25 pp gap: significant on 40 + 20 only
    assert [r[-1] for r in compliance_rows()[:6]] == ["green"] * 3 + ["amber"] * 3


def test_correct_marts_pass_every_mart_suite(marts_db, tmp_path) -> None:
    db = copy_warehouse(marts_db, tmp_path)
    run = check(db, suites=[*MART_SUITES, CR], docs_dir=tmp_path / "docs")
    assert run.failed == set(), run.output
    assert run.code == 0
    suites = {r["suite"] for r in run.results}
    assert suites == {
        "marts.citizen_focus_satisfaction.rows",
        "marts.citizen_focus_satisfaction.coverage",
        "marts.bme_satisfaction_gap.rows",
        "marts.pledge_compliance.rows",
        "marts.pledge_compliance.coverage",
        "marts.promise_scorecard.rows",
        "marts.promise_scorecard.coverage",
        "marts.satisfaction_by_equality_group.rows",
        "marts.satisfaction_by_equality_group.coverage",
        "marts.satisfaction_by_service_outcome.rows",
        "marts.compliance_records.by_standard",
    }
    assert {s.name for s in select_suites(load_suites(), ["marts"])} == suites  # every mart suite is covered
    rows = run.result("marts.pledge_compliance.rows", "row_count_within_band_of_previous_build")
    assert rows["observed_number"] == 19  # stored for the next build's comparison


CFS = "marts.citizen_focus_satisfaction"
GAP = "marts.bme_satisfaction_gap"
PC = "marts.pledge_compliance"
ONE_SAT = (
    "borough_code = 'HK' and question = 'treatment' and window_months = 1 and period_end_month = '2008-05-01'"
)
SMALL_SAT = (
    "borough_code = 'CW' and question = 'treatment' and window_months = 1 and period_end_month = '2008-05-01'"
)
ONE_GAP = ONE_SAT.replace("'HK'", "'ALL'")
SMALL_GAP = SMALL_SAT
ONE_PC = "standard_id = 'PLEDGE-6-999' and borough_code = 'CW' and period_month = '2008-05-01'"
MAY_ALL_TREATMENT = "borough_code = 'ALL' and question = 'treatment' and period_end_month = '2008-05-01'"
AMBER_PC = "standard_id = 'PLEDGE-6-999' and borough_code = 'HK' and period_month = '2008-05-01'"
SC = "marts.promise_scorecard"
CR = "marts.compliance_records"
ONE_RECORD = "record_id = 'CW-05-3' and standard_id = 'PLEDGE-6-999'"
PENDING_RECORD = "record_id = 'HK-05-100' and standard_id = 'PLEDGE-6-999'"
NOT_MEASURED = "standard_id = 'PLEDGE-1-NOT-MEASURED'"
EQ = "marts.satisfaction_by_equality_group"
ONE_EQ = (
    "borough_code = 'ALL' and question = 'treatment' and dimension_value = 'White' and window_months = 1 "
    "and period_end_month = '2008-05-01'"
)
SMALL_EQ = ONE_EQ.replace("'ALL'", "'HK'").replace("'White'", "'BME'")
SO = "marts.satisfaction_by_service_outcome"
MET_ALL = "borough_code = 'ALL' and outcome_group = 'met'"

# (case id, SQL that plants the mistake, expected failed (suite, rule) pairs, expected exit code)
PLANTED = [
    (
        "satisfaction-duplicate-row",
        f"insert into {CFS} select * from {CFS} where {ONE_SAT}",
        {(f"{CFS}.rows", "grain_unique")},
        1,
    ),
    (
        "satisfaction-rate-above-1",
        f"update {CFS} set rate = 1.2 where {ONE_SAT}",
        {(f"{CFS}.rows", "rate_within_0_1"), (f"{CFS}.rows", "ci_contains_rate")},
        1,
    ),
    (
        "satisfaction-ci-misses-rate",
        f"update {CFS} set ci_low = rate + 0.01 where {ONE_SAT}",
        {(f"{CFS}.rows", "ci_contains_rate")},
        1,
    ),
    (
        "satisfaction-satisfied-above-respondents",
        f"update {CFS} set satisfied = respondents + 1 where {ONE_SAT}",
        {(f"{CFS}.rows", "satisfied_not_above_respondents")},
        1,
    ),
    (
        "satisfaction-small-cell-not-suppressed",
        f"update {CFS} set rate = 0.75, ci_low = 0.4, ci_high = 0.9 where {SMALL_SAT}",
        {(f"{CFS}.rows", "small_cells_suppressed")},
        1,
    ),
    (
        "satisfaction-reliable-flag-wrong",
        f"update {CFS} set reliable = false where {ONE_SAT}",
        {(f"{CFS}.rows", "reliable_flag_consistent")},
        1,
    ),
    (
        "satisfaction-unknown-question",  # its gap row is then not in the satisfaction mart either: a warning
        f"update {CFS} set question = 'speed' where {ONE_SAT}",
        {(f"{CFS}.rows", "question_in_set"), (f"{GAP}.rows", "rows_match_citizen_focus_satisfaction")},
        1,
    ),
    (
        "satisfaction-month-missing",
        f"delete from {CFS} where {MAY_ALL_TREATMENT}; delete from {GAP} where {MAY_ALL_TREATMENT}",
        {(f"{CFS}.coverage", "no_missing_months")},
        1,
    ),
    (
        "satisfaction-column-dropped",
        f"alter table {CFS} drop column satisfied",
        {(f"{CFS}.rows", "published_columns_present"), (f"{CFS}.rows", "satisfied_not_above_respondents")},
        1,
    ),
    (
        "gap-is-not-the-difference",
        f"update {GAP} set gap_pp = gap_pp + 1 where {ONE_GAP}",
        {(f"{GAP}.rows", "gap_is_difference_of_rates")},
        1,
    ),
    (
        "gap-significant-but-ci-includes-0",
        f"update {GAP} set gap_ci_low_pp = -1 where {ONE_GAP}",
        {(f"{GAP}.rows", "significance_matches_ci")},
        1,
    ),
    (
        "gap-small-group-rate-shown",
        f"update {GAP} set white_rate = 0.8 where {SMALL_GAP}",
        {(f"{GAP}.rows", "small_groups_suppressed")},
        1,
    ),
    (
        "gap-shown-for-suppressed-group",
        f"update {GAP} set gap_pp = 10, gap_ci_low_pp = 5, gap_ci_high_pp = 15 where {SMALL_GAP}",
        {(f"{GAP}.rows", "no_gap_without_both_rates"), (f"{GAP}.rows", "gap_is_difference_of_rates")},
        1,
    ),
    (
        "gap-p-value-above-1",
        f"update {GAP} set p_value = 1.5 where {ONE_GAP}",
        {(f"{GAP}.rows", "p_value_within_0_1")},
        1,
    ),
    (
        "gap-row-not-in-satisfaction",
        f"update {GAP} set borough_code = 'XX' where {ONE_GAP}",
        {(f"{GAP}.rows", "rows_match_citizen_focus_satisfaction")},
        0,
    ),
    (
        "compliance-numerator-above-denominator",
        f"update {PC} set numerator = denominator + 1, rate = (denominator + 1) / denominator where {ONE_PC}",
        {(f"{PC}.rows", "numerator_not_above_denominator"), (f"{PC}.rows", "rate_within_0_1")},
        1,
    ),
    (
        "compliance-rate-not-numerator-over-denominator",
        f"update {PC} set rate = 0.96 where {ONE_PC}",
        {(f"{PC}.rows", "rate_is_numerator_over_denominator")},
        1,
    ),
    (
        "compliance-rag-wrong",
        f"update {PC} set rag = 'green' where {AMBER_PC}",
        {(f"{PC}.rows", "rag_matches_rate")},
        1,
    ),
    (
        "compliance-rag-unknown",
        f"update {PC} set rag = 'yellow' where {AMBER_PC}",
        {(f"{PC}.rows", "rag_in_set"), (f"{PC}.rows", "rag_matches_rate")},
        1,
    ),
    (
        "compliance-standard-not-in-seed",
        f"update {PC} set standard_id = 'PLEDGE-99' where {ONE_PC}",
        {(f"{PC}.rows", "standard_in_reference_seed")},
        1,
    ),
    (
        "compliance-duplicate-row",
        f"insert into {PC} select * from {PC} where {ONE_PC}",
        {(f"{PC}.rows", "grain_unique")},
        1,
    ),
    (
        "compliance-negative-pending",
        f"update {PC} set pending = -1 where {ONE_PC}",
        {(f"{PC}.rows", "counts_not_negative")},
        1,
    ),
    (
        "compliance-period-not-a-month-start",
        f"update {PC} set period_month = '2008-05-15' where {ONE_PC}",
        {(f"{PC}.rows", "period_is_month_start")},
        1,
    ),
    (
        "compliance-empty-cell",
        f"update {PC} set pending = 0 where borough_code = 'ZZ'",
        {(f"{PC}.rows", "only_cells_with_records")},
        0,
    ),
    (
        "scorecard-standard-missing",
        f"delete from {SC} where standard_id = 'PLEDGE-7-EMERGENCY'",
        {(f"{SC}.coverage", "every_standard_once_per_force")},
        1,
    ),
    (
        "scorecard-standard-twice",
        f"insert into {SC} select * from {SC} where standard_id = 'PLEDGE-6-999'",
        {(f"{SC}.rows", "grain_unique"), (f"{SC}.coverage", "every_standard_once_per_force")},
        1,
    ),
    (
        "scorecard-standard-not-in-seed",
        f"update {SC} set standard_id = 'PLEDGE-99' where standard_id = 'PLEDGE-6-999'",
        {(f"{SC}.rows", "standard_in_reference_seed"), (f"{SC}.coverage", "every_standard_once_per_force")},
        1,
    ),
    (
        "scorecard-rolling-rate-above-1",
        f"update {SC} set rolling_12_month_rate = 1.3 where standard_id = 'PLEDGE-6-999'",
        {(f"{SC}.rows", "rates_within_0_1")},
        1,
    ),
    (
        "scorecard-rag-unknown",
        f"update {SC} set rag = 'yellow' where standard_id = 'PLEDGE-6-999'",
        {(f"{SC}.rows", "rag_in_set")},
        1,
    ),
    (
        "scorecard-unmeasured-standard-with-a-rate",
        f"update {SC} set previous_month_rate = 0.5 where {NOT_MEASURED}",
        {(f"{SC}.rows", "not_measured_has_no_rate")},
        1,
    ),
    (
        "scorecard-unmeasured-standard-coloured",
        f"update {SC} set rag = 'red' where {NOT_MEASURED}",
        {(f"{SC}.rows", "not_measured_is_no_data")},
        1,
    ),
    (
        "scorecard-unmeasured-without-reason",
        f"update {SC} set not_measured_reason = ' ' where {NOT_MEASURED}",
        {(f"{SC}.rows", "not_measured_says_why")},
        0,
    ),
    (
        "equality-duplicate-row",
        f"insert into {EQ} select * from {EQ} where {ONE_EQ}",
        {(f"{EQ}.rows", "grain_unique")},
        1,
    ),
    (
        "equality-small-group-shown",
        f"update {EQ} set satisfied = 4, rate = 0.66, ci_low = 0.3, ci_high = 0.9 where {SMALL_EQ}",
        {(f"{EQ}.rows", "small_cells_suppressed")},
        1,
    ),
    (
        "equality-ci-misses-rate",
        f"update {EQ} set ci_high = rate - 0.01 where {ONE_EQ}",
        {(f"{EQ}.rows", "ci_contains_rate")},
        1,
    ),
    (
        "equality-unknown-dimension",
        f"update {EQ} set dimension = 'religion' where {ONE_EQ}",
        {(f"{EQ}.rows", "dimension_in_set")},
        1,
    ),
    (
        "equality-month-missing",
        f"delete from {EQ} where borough_code = 'ALL' and question = 'whole_experience' "
        "and dimension_value = 'BME' and period_end_month = '2008-05-01'",
        {(f"{EQ}.coverage", "no_missing_months")},
        0,
    ),
    (
        "outcome-satisfied-above-respondents",
        f"update {SO} set satisfied = respondents + 1 where {MET_ALL}",
        {(f"{SO}.rows", "satisfied_not_above_respondents")},
        1,
    ),
    (
        "outcome-difference-outside-its-interval",
        f"update {SO} set met_minus_missed_pp = met_minus_missed_ci_high_pp + 1 where borough_code = 'ALL'",
        {(f"{SO}.rows", "difference_ci_contains_difference")},
        1,
    ),
    (
        "outcome-comparison-shown-for-a-small-group",
        f"update {SO} set met_minus_missed_pp = 10, met_minus_missed_ci_low_pp = 1, "
        "met_minus_missed_ci_high_pp = 20 where borough_code = 'HK'",
        {(f"{SO}.rows", "comparison_suppressed_consistently")},
        1,
    ),
    (
        "outcome-group-unknown",
        f"update {SO} set outcome_group = 'late' where {MET_ALL}",
        {(f"{SO}.rows", "outcome_group_in_set")},
        1,
    ),
    (
        "compliance-month-missing",
        f"delete from {PC} where standard_id = 'PLEDGE-7-EMERGENCY' and period_month = '2008-05-01'",
        {(f"{PC}.coverage", "no_missing_months")},
        0,
    ),
]


@pytest.mark.parametrize(("sql", "expected", "code"), [c[1:] for c in PLANTED], ids=[c[0] for c in PLANTED])
def test_planted_mistakes_fail_the_named_rule(marts_db, tmp_path, sql, expected, code) -> None:
    db = copy_warehouse(marts_db, tmp_path)
    execute(db, sql)
    run = check(db, suites=MART_SUITES, write_docs=False)
    assert run.failed == expected, run.output
    assert run.code == code
    if code == 0:
        assert run.failed_with("warning") == expected
    else:
        assert run.failed_with("critical")


# The drill-down mart, checked on its own (changes to pledge_compliance above would also break the
# records-add-up rule; that rule is tested here from the records' side and by the last case).
RECORD_PLANTED = [
    (
        "records-duplicate",
        f"insert into {CR} select * from {CR} where {ONE_RECORD}",
        {"record_unique_per_standard", "records_add_up_to_pledge_compliance"},
    ),
    (
        "records-outcome-unknown",
        f"update {CR} set outcome = 'late' where {ONE_RECORD}",
        {"outcome_in_set", "records_add_up_to_pledge_compliance"},
    ),
    (
        "records-met-after-the-deadline",
        f"update {CR} set event_at = deadline_at + interval 1 millisecond where {ONE_RECORD}",
        {"met_means_event_by_deadline"},
    ),
    (
        "records-missed-although-in-time",
        f"update {CR} set event_at = deadline_at where record_id = 'CW-05-97' and standard_id = 'PLEDGE-6-999'",
        {"missed_means_no_event_by_deadline"},
    ),
    (
        "records-pending-with-an-event",
        f"update {CR} set event_at = started_at where {PENDING_RECORD}",
        {"pending_has_no_event"},
    ),
    ("records-event-before-start", f"update {CR} set event_at = started_at - interval 1 second where {ONE_RECORD}",
     {"elapsed_not_negative"}),
    ("records-missing-key", f"update {CR} set borough_code = null where {ONE_RECORD}",
     {"keys_present", "records_add_up_to_pledge_compliance"}),
    (
        "records-standard-not-in-seed",
        f"update {CR} set standard_id = 'PLEDGE-99' where {ONE_RECORD}",
        {"standard_in_reference_seed", "records_add_up_to_pledge_compliance"},
    ),
    ("records-one-lost", f"delete from {CR} where {PENDING_RECORD}", {"records_add_up_to_pledge_compliance"}),
    ("published-numerator-changed", f"update {PC} set numerator = numerator - 1 where {ONE_PC}",
     {"records_add_up_to_pledge_compliance"}),
]


@pytest.mark.parametrize(("sql", "expected"), [c[1:] for c in RECORD_PLANTED], ids=[c[0] for c in RECORD_PLANTED])
def test_planted_record_mistakes_fail_the_named_rule(marts_db, tmp_path, sql, expected) -> None:
    db = copy_warehouse(marts_db, tmp_path)
    execute(db, sql)
    run = check(db, suites=[CR], write_docs=False)
    assert run.failed == {(f"{CR}.by_standard", rule) for rule in expected}, run.output
    assert run.code == 1


def test_the_offending_row_is_named_by_its_grain(marts_db, tmp_path) -> None:
    db = copy_warehouse(marts_db, tmp_path)
    execute(db, f"update {PC} set rag = 'green' where {AMBER_PC}")
    run = check(db, suites=[f"{PC}.rows"], write_docs=False)
    details = run.result(f"{PC}.rows", "rag_matches_rate")["details"]
    for part in ('"standard_id": "PLEDGE-6-999"', '"borough_code": "HK"', '"period_month": "2008-05-01'):
        assert part in details
    assert run.result(f"{PC}.rows", "rag_matches_rate")["unexpected_count"] == 1


def test_a_force_specific_standard_is_expected_only_of_its_force(marts_db, tmp_path) -> None:
    """The compliance seed's force_code: a standard with one applies to that force only."""
    db = copy_warehouse(marts_db, tmp_path)
    execute(
        db,
        "alter table reference.standards add column force_code varchar",
        "insert into reference.standards values ('CUMB-ONLY', 'cumbria only', 0.9, 'CUMB')",
        "insert into reference.standards values ('EVERY-FORCE', 'every force', 0.9, null)",
    )
    run = check(db, suites=[SC], write_docs=False)
    assert run.failed == {(f"{SC}.coverage", "every_standard_once_per_force")}
    details = run.result(f"{SC}.coverage", "every_standard_once_per_force")["details"]
    assert "EVERY-FORCE" in details and "CUMB-ONLY" not in details
    assert run.result(f"{SC}.coverage", "every_standard_once_per_force")["unexpected_count"] == 1


def test_a_mart_not_built_yet_is_skipped_with_a_warning(marts_db, tmp_path) -> None:
    """A mart missing from the warehouse (its model not merged yet, or a raw-only warehouse) does not
    crash the check: its suites are skipped with one warning each, and the others still run."""
    db = copy_warehouse(marts_db, tmp_path)
    execute(db, f"drop table {SC}", "drop table reference.standards")
    run = check(db, suites=MART_SUITES, write_docs=False)
    assert run.failed == {
        (f"{SC}.rows", "relation_exists"),
        (f"{SC}.coverage", "relation_exists"),
        (f"{PC}.rows", "relation_exists"),
    }
    assert run.failed_with("critical") == set()
    assert run.code == 0
    assert run.result(f"{SC}.rows", "relation_exists")["observed_value"] == (
        "skipped: marts.promise_scorecard, reference.standards do not exist"
    )
    assert run.result(f"{PC}.rows", "relation_exists")["observed_value"] == (
        "skipped: reference.standards does not exist"
    )
    assert run.result(f"{PC}.coverage", "no_missing_months")["success"]  # the rest still ran
    assert "skipped because a table they read does not exist" in run.output


def test_a_mart_missing_a_published_column_is_a_critical_failure(marts_db, tmp_path) -> None:
    db = copy_warehouse(marts_db, tmp_path)
    execute(db, f"alter table {SC} drop column measured")
    run = check(db, suites=[SC], write_docs=False)
    assert run.failed == {(f"{SC}.rows", "table_readable")}
    assert 'does not have a column named \\"measured\\"' in run.result(f"{SC}.rows", "table_readable")["details"]
    assert run.code == 1


def test_row_counts_are_compared_with_the_previous_build(marts_db, tmp_path) -> None:
    db = copy_warehouse(marts_db, tmp_path)
    first = check(db, suites=[f"{PC}.rows"], write_docs=False)
    assert first.failed == set()
    # the next build lost a borough: 10 of 19 rows left, below 0.9 x 19
    execute(db, f"delete from {PC} where borough_code = 'HK'")
    second = check(db, suites=[f"{PC}.rows"], write_docs=False)
    assert second.failed == {(f"{PC}.rows", "row_count_within_band_of_previous_build")}
    assert second.code == 0  # a warning
    result = second.result(f"{PC}.rows", "row_count_within_band_of_previous_build")
    assert result["observed_number"] == 10
    band = json.loads(result["details"])["kwargs"]
    assert (band["min_value"], band["max_value"]) == (17, 29)  # floor(0.9 x 19), ceil(1.5 x 19)
    # the build after that is compared with 10 rows: within the band again
    third = check(db, suites=[f"{PC}.rows"], write_docs=False)
    assert third.failed == set()
    with duckdb.connect(str(db), read_only=True) as con:
        counts = con.execute(
            "select observed_number from quality.check_results "
            "where rule = 'row_count_within_band_of_previous_build' "
            "order by checked_at"
        ).fetchall()
    assert [c[0] for c in counts] == [19, 10, 10]
