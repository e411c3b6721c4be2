"""The check's results in the warehouse: quality.check_runs and quality.check_results.

One row per run in quality.check_runs, one row per expectation per run in quality.check_results
(what the dashboard's data-quality page reads). The tables keep every run, so the row-count
rule can compare a table with the previous build (the latest earlier run's observed count).

No Great Expectations import here: the dashboard may import this module.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from quality.definitions import ROW_COUNT_RULE

SCHEMA = "quality"

RUNS_DDL = f"""
create table if not exists {SCHEMA}.check_runs (
    run_id varchar primary key,
    checked_at timestamptz not null,
    warehouse varchar,
    data_docs varchar,
    suites integer,
    expectations integer,
    failed_critical integer,
    failed_warning integer,
    success boolean,          -- no critical expectation failed
    seconds double
)
"""

RESULTS_DDL = f"""
create table if not exists {SCHEMA}.check_results (
    run_id varchar not null,
    checked_at timestamptz not null,
    suite varchar not null,
    table_name varchar not null,
    rule varchar not null,
    expectation varchar not null,     -- the Great Expectations expectation type ('query' if the query failed)
    column_name varchar,
    severity varchar not null,        -- critical | warning
    success boolean not null,
    observed_value varchar,           -- GX's observed value, or 'N unexpected of M'
    observed_number double,           -- the observed value or unexpected count as a number
    unexpected_count bigint,
    element_count bigint,
    description varchar,
    details varchar                   -- JSON: the rule's arguments, examples of offending rows, errors
)
"""


@dataclass(frozen=True)
class RunRecord:
    run_id: str
    checked_at: Any
    warehouse: str
    data_docs: str | None
    suites: int
    expectations: int
    failed_critical: int
    failed_warning: int
    success: bool
    seconds: float


def _exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    row = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [SCHEMA, table],
    ).fetchone()
    return bool(row and row[0])


def previous_row_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Per suite, the row count observed by the latest earlier run (the previous build's)."""
    if not _exists(con, "check_results"):
        return {}
    rows = con.execute(
        f"""
        select suite, observed_number
        from {SCHEMA}.check_results
        where rule = ? and observed_number is not null
        qualify row_number() over (partition by suite order by checked_at desc, run_id desc) = 1
        """,
        [ROW_COUNT_RULE],
    ).fetchall()
    return {suite: int(count) for suite, count in rows}


def store(con: duckdb.DuckDBPyConnection, run: RunRecord, outcomes: list) -> None:
    """Appends one run and its outcomes, in one transaction."""
    con.execute(f"create schema if not exists {SCHEMA}")
    con.execute(RUNS_DDL)
    con.execute(RESULTS_DDL)
    con.execute("begin transaction")
    try:
        con.execute(
            f"insert into {SCHEMA}.check_runs values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                run.run_id,
                run.checked_at,
                run.warehouse,
                run.data_docs,
                run.suites,
                run.expectations,
                run.failed_critical,
                run.failed_warning,
                run.success,
                run.seconds,
            ],
        )
        con.executemany(
            f"insert into {SCHEMA}.check_results values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                [
                    run.run_id,
                    run.checked_at,
                    o.suite,
                    o.table,
                    o.rule,
                    o.expectation,
                    o.column,
                    o.severity,
                    o.success,
                    o.observed_value,
                    o.observed_number,
                    o.unexpected_count,
                    o.element_count,
                    o.description,
                    json.dumps(o.details, default=str),
                ]
                for o in outcomes
            ],
        )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise


def latest_results(db: Path) -> list[dict[str, Any]]:
    """The latest run's results (for a dashboard or a notebook), read-only; [] if never checked."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        if not _exists(con, "check_results"):
            return []
        cur = con.execute(
            f"""
            select * from {SCHEMA}.check_results
            where run_id = (select run_id from {SCHEMA}.check_runs order by checked_at desc limit 1)
            order by success, severity, suite, rule
            """
        )
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    finally:
        con.close()
