"""The build lower bound (bench/lower_bound_marts.sql) computes the same figures as the marts.

The benchmark divides `dbt build` time by the time of that hand-written script, so the ratio is
only honest if the script does the same work: here both run on one generated sample (two forces,
three months, clean) and every figure the script covers must equal the mart's, counts exactly and
rates to 1e-12.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from warehouse_builder import ingest, run_dbt

from citizen_focus.config import PROJECT_DIR
from citizen_focus.sample import generate

COVERED_STANDARDS = (
    "PLEDGE-6-999", "PLEDGE-6-NON-EMERGENCY", "PLEDGE-7-EMERGENCY", "PROMISE-URGENT-12MIN",
    "PLEDGE-8-PRIORITY", "PLEDGE-9-APPOINTMENT", "PLEDGE-9-KEPT", "PLEDGE-11-ACK-24H", "PROMISE-ACK-2WD",
    "QOSC-RESPONSE-10WD", "PLEDGE-12-MONTHLY-UPDATE", "QOSC-VS-REFERRAL-2D",
)
CELL = ("standard_id", "force_code", "borough_code", "period_month")
SAT_KEY = ("force_code", "borough_code", "question", "window_months", "period_end_month")


@pytest.fixture(scope="module", params=[False, True], ids=["clean", "dirty"])
def warehouses(request, tmp_path_factory) -> tuple[Path, Path]:
    """(the dbt-built warehouse, a copy of it with the lower-bound script's schema added).

    Dirty: the generator's bad rows and bad files (docs/contract.md "Bad input") loaded too; the
    script reads raw as the loader left it, so whatever of them lands there must not make the
    two disagree either."""
    tmp = tmp_path_factory.mktemp("bench_lower_bound")
    extracts = tmp / "extracts"
    generate(extracts, months=3, start="2008-04", scale=0.02, seed=1, forces=("MPS", "CUMB"),
             dirty=request.param)
    db = tmp / "warehouse.duckdb"
    ingest(db, [extracts])
    built = run_dbt(db, "build")
    assert built.returncode == 0, built.stdout[-4000:]
    copy = tmp / "warehouse_copy.duckdb"
    shutil.copyfile(db, copy)
    run = subprocess.run([sys.executable, "-m", "bench.lower_bounds", "build", str(copy)], cwd=PROJECT_DIR,
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr[-4000:]
    return db, copy


def _rows(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_the_original_warehouse_is_left_alone(warehouses):
    db, copy = warehouses
    schemas = "select distinct schema_name from information_schema.schemata"
    assert ("lower_bound",) not in _rows(db, schemas)
    assert ("lower_bound",) in _rows(copy, schemas)


def test_pledge_compliance_counts_equal_the_mart(warehouses):
    _, copy = warehouses
    columns = ", ".join(CELL + ("numerator", "denominator", "pending"))
    standards = ", ".join(f"'{s}'" for s in COVERED_STANDARDS)
    mart = _rows(copy, f"select {columns} from marts.pledge_compliance where standard_id in ({standards}) "
                       f"order by all")
    lower = _rows(copy, f"select {columns} from lower_bound.pledge_compliance order by all")
    assert lower == mart
    # the comparison is not vacuous: every covered standard has cells, both forces, pending ones too
    assert {r[0] for r in mart} == set(COVERED_STANDARDS)
    # and the script covers every measured standard of the seed
    assert {r[0] for r in _rows(copy, "select standard_id from reference.standards where measured")} == set(
        COVERED_STANDARDS)
    assert {r[1] for r in mart} == {"MPS", "CUMB"}
    assert sum(r[6] for r in mart) > 0
    assert sum(r[5] for r in mart) > 10_000


def test_pledge_compliance_rates_equal_the_mart(warehouses):
    _, copy = warehouses
    diffs = _rows(copy, """
        select count(*), max(abs(m.rate - l.rate)), count(*) filter (where (m.rate is null) <> (l.rate is null))
        from marts.pledge_compliance as m
        inner join lower_bound.pledge_compliance as l using (standard_id, force_code, borough_code, period_month)
    """)[0]
    assert diffs[0] > 0 and diffs[1] <= 1e-12 and diffs[2] == 0


def test_satisfaction_equals_the_mart(warehouses):
    _, copy = warehouses
    key = ", ".join(SAT_KEY)
    assert _rows(copy, f"select {key} from lower_bound.citizen_focus_satisfaction order by all") == _rows(
        copy, f"select {key} from marts.citizen_focus_satisfaction order by all")
    counts = ", ".join(f"{{t}}.{c}" for c in ("respondents", "satisfied", "is_full_window", "is_suppressed",
                                              "reliable"))
    assert _rows(copy, f"select {key}, {counts.format(t='l')} from lower_bound.citizen_focus_satisfaction as l "
                       "order by all") == _rows(
        copy, f"select {key}, {counts.format(t='m')} from marts.citizen_focus_satisfaction as m order by all")
    compared = _rows(copy, f"""
        select
            count(m.rate),
            count(*) filter (where (m.rate is null) <> (l.rate is null)),
            max(abs(m.rate - l.rate)), max(abs(m.ci_low - l.ci_low)), max(abs(m.ci_high - l.ci_high)),
            max(abs(m.n_eff - l.n_eff) / m.n_eff),
            count(m.rate) filter (where m.window_months = 12 and m.borough_code <> 'ALL')
        from marts.citizen_focus_satisfaction as m
        inner join lower_bound.citizen_focus_satisfaction as l using ({key})
    """)[0]
    rates, null_mismatches, rate_diff, low_diff, high_diff, n_eff_rel_diff, borough_rolling = compared
    assert rates > 20 and borough_rolling > 0
    assert null_mismatches == 0
    assert rate_diff <= 1e-12 and low_diff <= 1e-12 and high_diff <= 1e-12 and n_eff_rel_diff <= 1e-12
