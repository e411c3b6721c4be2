"""Helpers for tests of the data-quality suites: plant bad rows, run the check, read what failed.

Used by tests/python/test_quality_*.py. Planting writes straight into a copy of a warehouse
(bypassing the loader, which would quarantine most bad rows), exactly what the suites exist to
catch if anything ever loads by another route.
"""

from __future__ import annotations

import io
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from citizen_focus.check import run_check
from ingest.contract import EXTRACTS


@dataclass
class CheckRun:
    code: int
    output: str
    errors: str
    failed: set[tuple[str, str]]  # (suite, rule) of every failed expectation
    results: list[dict]  # the run's rows of quality.check_results

    def failed_with(self, severity: str) -> set[tuple[str, str]]:
        return {
            (r["suite"], r["rule"]) for r in self.results if not r["success"] and r["severity"] == severity
        }

    def result(self, suite: str, rule: str) -> dict:
        return next(r for r in self.results if r["suite"] == suite and r["rule"] == rule)


def copy_warehouse(source: Path, folder: Path) -> Path:
    """A copy of a warehouse file under `folder`, keeping its file name (DuckDB's catalog name)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / source.name
    shutil.copyfile(source, target)
    return target


def execute(db: Path, *statements: str) -> None:
    con = duckdb.connect(str(db))
    try:
        for sql in statements:
            con.execute(sql)
    finally:
        con.close()


def insert_raw(db: Path, kind: str, rows: list[dict[str, str | None]], load_id: int | None = None) -> None:
    """Appends rows to raw.<kind> as if load `load_id` (default: the kind's first load) brought them,
    and raises that load's ledger counts to match, so only the planted values are wrong."""
    con = duckdb.connect(str(db))
    try:
        if load_id is None:
            found = con.execute(
                "select min(load_id) from raw.load_ledger where kind = ? and status = 'loaded'", [kind]
            ).fetchone()
            load_id = int(found[0])
        names = EXTRACTS[kind].names
        for i, row in enumerate(rows):
            unknown = set(row) - set(names)
            if unknown:
                raise ValueError(f"not columns of {kind}: {sorted(unknown)}")
            columns = [*names, "_load_id", "_source_file", "_line_number"]
            values = [row.get(n) for n in names] + [load_id, "planted.csv", 100000 + i]
            con.execute(
                f"insert into raw.{kind} ({', '.join(columns)}) values ({', '.join('?' for _ in columns)})",
                values,
            )
        con.execute(
            "update raw.load_ledger set rows_loaded = rows_loaded + ?, rows_read = rows_read + ? "
            "where load_id = ?",
            [len(rows), len(rows), load_id],
        )
    finally:
        con.close()


def check(
    db: Path,
    suites: list[str] | None = None,
    fail_on_warning: bool = False,
    docs_dir: Path | None = None,
    **kwargs,
) -> CheckRun:
    """Runs `run_check` and returns its exit code, printed output and the stored results of that run."""
    out, err = io.StringIO(), io.StringIO()
    code = run_check(db, docs_dir, fail_on_warning, suites=suites, out=out, err=err, **kwargs)
    results: list[dict] = []
    if code in (0, 1):
        con = duckdb.connect(str(db), read_only=True)
        try:
            cur = con.execute(
                "select * from quality.check_results where run_id = "
                "(select run_id from quality.check_runs order by checked_at desc limit 1)"
            )
            names = [d[0] for d in cur.description]
            results = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
        finally:
            con.close()
    failed = {(r["suite"], r["rule"]) for r in results if not r["success"]}
    return CheckRun(code, out.getvalue(), err.getvalue(), failed, results)
