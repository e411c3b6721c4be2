"""`citizen-focus check`: data-quality checks (Great Expectations) on a warehouse file.

Runs every suite of quality/suites/ (raw extracts and public marts) against the warehouse, opened
read-only; writes the GX Data Docs (static HTML) to a folder; stores a summary of the results in
the warehouse (quality.check_runs, quality.check_results) for the dashboard; prints a short
table. Exit code 0 when no critical expectation failed (and, with fail_on_warning, no warning
either), 1 otherwise, 2 when the check could not run (no such file, warehouse busy).

Storing the results needs write access to the warehouse:
- inside a build (`results_in_place=True`, on the build's private working copy, before it is
  published) the results are written straight into that copy;
- on a published warehouse (the default) the file is never opened for writing while readers may
  have it open: the results are written into a copy, which then replaces the file by an atomic
  rename, under the same lock as loads and builds (the `.previous` file kept for rollback is
  left alone).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import secrets
import shutil
import sys
import time
from contextlib import nullcontext
from pathlib import Path
from typing import TextIO

import duckdb

from citizen_focus.config import NO_TELEMETRY_ENV, warehouse_path

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


def default_docs_dir(db: Path) -> Path:
    return db.parent / "data_docs"


def _open_read_only(db: Path) -> duckdb.DuckDBPyConnection:
    from citizen_focus.warehouse import connect

    return connect(db, read_only=True)


def _standard_ids(con: duckdb.DuckDBPyConnection) -> list[str] | None:
    from quality.runner import relation_exists

    if not relation_exists(con, "reference.standards"):
        return None
    return [
        r[0]
        for r in con.execute("select distinct standard_id from reference.standards order by 1").fetchall()
    ]


def operational_loaded(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether any operational extract has rows in raw (a research unit may load the survey alone)."""
    from ingest.contract import OPERATIONAL_KINDS
    from quality.runner import relation_exists

    tables = [f"raw.{kind}" for kind in OPERATIONAL_KINDS if relation_exists(con, f"raw.{kind}")]
    return any(con.execute(f"select exists (from {t})").fetchone()[0] for t in tables)


def _store_results(db: Path, record, outcomes: list, in_place: bool) -> None:
    from quality.results import store

    if in_place:
        con = duckdb.connect(str(db))
        try:
            store(con, record, outcomes)
        finally:
            con.close()
        return
    work_dir = db.parent / f".{db.stem}.check-{os.getpid()}"
    shutil.rmtree(work_dir, ignore_errors=True)
    work_dir.mkdir()
    try:
        work = work_dir / db.name  # same file name: DuckDB names the catalog after it
        shutil.copyfile(db, work)
        wal = db.with_name(db.name + ".wal")
        if wal.exists():
            shutil.copyfile(wal, work.with_name(work.name + ".wal"))
        con = duckdb.connect(str(work))
        try:
            store(con, record, outcomes)
            con.execute("checkpoint")
        finally:
            con.close()
        os.replace(work, db)
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)


def _example(outcome) -> str:
    details = outcome.details or {}
    if details.get("error"):
        return str(details["error"])[:100]
    examples = details.get("examples") or details.get("partial_missing_list") or []
    if not examples:
        return ""
    first = examples[0]
    text = ", ".join(f"{k}={v}" for k, v in first.items()) if isinstance(first, dict) else str(first)
    more = f" (+{len(examples) - 1} more)" if len(examples) > 1 else ""
    return f"e.g. {text[:140]}{more}"


def print_report(runs: list, out: TextIO, docs: Path | None, run_id: str, stored: bool) -> None:
    header = f"{'suite':<46} {'rows':>9} {'checks':>6} {'critical':>8} {'warning':>7} {'secs':>5}"
    print(header, file=out)
    print("-" * len(header), file=out)
    for run in runs:
        rows = "skipped" if run.skipped else "-" if run.rows is None else f"{run.rows:,}"
        print(
            f"{run.suite.name:<46} {rows:>9} {len(run.outcomes):>6} {run.failed_critical:>8} "
            f"{run.failed_warning:>7} {run.seconds:>5.1f}",
            file=out,
        )
    failures = [o for run in runs for o in run.outcomes if not o.success]
    if failures:
        print("", file=out)
        for o in sorted(failures, key=lambda o: (o.severity != "critical", o.suite, o.rule)):
            label = "FAILED" if o.severity == "critical" else "WARNING"
            column = f" [{o.column}]" if o.column else ""
            print(
                f"{label:<8} {o.suite}: {o.rule}{column}: {o.observed_value or ''} {_example(o)}".rstrip(),
                file=out,
            )
    total = sum(len(r.outcomes) for r in runs)
    critical = sum(r.failed_critical for r in runs)
    warning = sum(r.failed_warning for r in runs)
    print("", file=out)
    print(
        f"{total} expectations in {len(runs)} suites: {total - critical - warning} passed, "
        f"{critical} critical failed, {warning} warnings failed (run {run_id})",
        file=out,
    )
    skipped = [r.suite.name for r in runs if r.skipped]
    if skipped:
        print(f"{len(skipped)} suite(s) skipped because a table they read does not exist: {', '.join(skipped)}",
              file=out)
    if docs is not None:
        print(f"Data Docs: {docs / 'index.html'}", file=out)
    if stored:
        print("Results stored in quality.check_results / quality.check_runs", file=out)


def run_check(
    db: Path,
    docs_dir: Path | None = None,
    fail_on_warning: bool = False,
    *,
    suites: list[str] | None = None,
    results_in_place: bool = False,
    write_docs: bool = True,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Runs the data-quality suites on the warehouse file `db`; returns the exit code.

    docs_dir: where to write the Data Docs (default `<warehouse folder>/data_docs/`).
    fail_on_warning: a failed warning-level expectation also makes the exit code non-zero.
    suites: only these suites or tables (e.g. ["raw.calls", "marts.pledge_compliance.rows"]).
    results_in_place: write the results straight into `db` (a build's private working copy);
    by default the file is replaced atomically by a copy holding them (see the module docstring).
    """
    from citizen_focus.publish import Busy, exclusive
    from citizen_focus.warehouse import WarehouseBusy
    from quality.definitions import SuiteDefinitionError, load_suites, select_suites

    out = out or sys.stdout
    err = err or sys.stderr
    os.environ.update(NO_TELEMETRY_ENV)
    db = Path(db).expanduser().resolve()
    if not db.is_file():
        print(f"{db}: no such warehouse file", file=err)
        return EXIT_USAGE
    docs = (
        (Path(docs_dir).expanduser().resolve() if docs_dir else default_docs_dir(db)) if write_docs else None
    )
    try:
        chosen = select_suites(load_suites(), suites)
    except SuiteDefinitionError as exc:
        print(f"citizen-focus check: {exc}", file=err)
        return EXIT_USAGE

    start = time.perf_counter()
    checked_at = dt.datetime.now(dt.UTC)
    run_id = f"{checked_at:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"
    try:
        with nullcontext() if results_in_place else exclusive(db):
            runs = _validate(db, chosen, docs, run_id, checked_at)
            outcomes = [o for r in runs for o in r.outcomes]
            failed_critical = sum(r.failed_critical for r in runs)
            failed_warning = sum(r.failed_warning for r in runs)
            from quality.results import RunRecord

            record = RunRecord(
                run_id=run_id,
                checked_at=checked_at,
                warehouse=str(db),
                data_docs=str(docs) if docs else None,
                suites=len(runs),
                expectations=len(outcomes),
                failed_critical=failed_critical,
                failed_warning=failed_warning,
                success=failed_critical == 0,
                seconds=round(time.perf_counter() - start, 3),
            )
            _store_results(db, record, outcomes, results_in_place)
    except (Busy, WarehouseBusy, FileExistsError) as exc:
        print(f"citizen-focus check: {exc}", file=err)
        return EXIT_USAGE
    print_report(runs, out, docs, run_id, stored=True)
    print(f"checked {db} in {time.perf_counter() - start:.1f} s", file=out)
    if failed_critical or (fail_on_warning and failed_warning):
        return EXIT_FAILED
    return EXIT_OK


def _validate(db: Path, chosen: list, docs: Path | None, run_id: str, checked_at: dt.datetime) -> list:
    from quality.results import previous_row_counts
    from quality.runner import run_suites

    con = _open_read_only(db)
    try:
        return run_suites(
            con,
            chosen,
            run_name=run_id,
            run_time=checked_at,
            docs_dir=docs,
            previous_counts=previous_row_counts(con),
            standard_ids=_standard_ids(con),
            operational_loaded=operational_loaded(con),
        )
    finally:
        con.close()


def failed_critical_rules(db: Path) -> list[str]:
    """`suite: rule` of every critical expectation that failed in the latest run stored in `db`."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        from quality.results import SCHEMA, _exists

        if not _exists(con, "check_results"):
            return []
        rows = con.execute(
            f"""
            select suite || ': ' || rule from {SCHEMA}.check_results
            where run_id = (select run_id from {SCHEMA}.check_runs order by checked_at desc, run_id desc limit 1)
              and not success and severity = 'critical'
            order by suite, rule
            """
        ).fetchall()
        return [r[0] for r in rows]
    finally:
        con.close()


def add_check_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Adds the `check` command to the CLI's subparsers; its handler is `cmd_check`."""
    p = sub.add_parser(
        "check",
        help="check the loaded data and the published figures for data-quality problems",
        description="Check the loaded extracts and the published figures for data-quality problems: "
        "every load reconciles with its file, no duplicate records, values in their allowed lists, no "
        "times in the future or before 2000, plausible shares of abandoned 999 calls and missing arrival "
        "times; rates between 0 and 100%, intervals around their rates, small groups suppressed, every "
        "standard on the scorecard, no missing months, table sizes close to the previous build. Prints a "
        "summary, writes a report you can open in a browser (Data Docs) and stores the results for the "
        "app's data-quality page. A 'critical' problem makes the command fail (exit 1) and stops "
        "`citizen-focus build` from publishing; a 'warning' is reported only. Rules: quality/suites/; "
        "guide: docs/data-quality.md.",
    )
    p.add_argument(
        "--docs",
        metavar="DIR",
        help="folder for the browser report (Data Docs); default: data_docs/ beside the warehouse",
    )
    p.add_argument(
        "--fail-on-warning", action="store_true", help="also fail (exit 1) when only warnings were found"
    )
    p.add_argument(
        "--suite",
        action="append",
        metavar="NAME",
        help="only this suite or table (repeatable), e.g. raw.calls or marts.pledge_compliance",
    )
    p.add_argument(
        "--db",
        metavar="FILE",
        help="the warehouse (a DuckDB file); default $CITIZEN_FOCUS_DB or warehouse/citizen_focus.duckdb",
    )
    return p


def cmd_check(args: argparse.Namespace) -> int:
    return run_check(
        warehouse_path(args.db),
        Path(args.docs) if args.docs else None,
        args.fail_on_warning,
        suites=args.suite,
    )
