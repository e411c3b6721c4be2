"""`citizen-focus`: the command line. Thin: it parses arguments and calls the module that owns the work.

Every failure a user can cause ends in one line on stderr naming the file and the reason and a
non-zero exit code, never a traceback (set CITIZEN_FOCUS_DEBUG=1 to see one).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from citizen_focus.config import DEFAULT_DB, PROJECT_DIR, warehouse_path

EXIT_OK = 0
EXIT_FAILED = 1  # the command ran and something failed (a rejected file, a failed test or check)
EXIT_USAGE = 2  # the command could not run as asked


class UserError(Exception):
    """A problem the user can fix; shown as one line."""


def _db_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        metavar="FILE",
        help=f"the warehouse (a DuckDB file); default $CITIZEN_FOCUS_DB or {DEFAULT_DB.relative_to(PROJECT_DIR)}",
    )


def cmd_sample(args: argparse.Namespace) -> int:
    from citizen_focus.sample import generate

    start = time.time()
    forces = tuple(f.strip().upper() for f in args.forces.split(",") if f.strip())
    counts = generate(
        Path(args.out), months=args.months, start=args.start, scale=args.scale, seed=args.seed,
        forces=forces, dirty=args.dirty, survey_format=getattr(args, "survey_format", "csv"),
    )
    for name, rows in sorted(counts.items()):
        print(f"  {name:<40} {rows:>12,} rows")
    print(f"sample data for {', '.join(forces)}, {args.months} months from {args.start}, written to "
          f"{args.out} in {time.time() - start:.1f} s")
    return EXIT_OK


def cmd_ingest(args: argparse.Namespace) -> int:
    from citizen_focus.publish import DoNotPublish, KeepPrevious, working_copy
    from citizen_focus.warehouse import connect
    from ingest import ingest_paths

    db = warehouse_path(args.db)
    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        raise UserError(f"{missing[0]}: no such file or folder")
    with working_copy(db) as work:
        con = connect(work)
        try:
            if args.progress or sys.stderr.isatty():
                con.execute("set enable_progress_bar = true")
            results = ingest_paths(con, [Path(p) for p in args.paths], kind=args.kind, on_result=_print_load,
                                   supplier=getattr(args, "supplier", None), sheet=getattr(args, "sheet", None),
                                   suppliers=Path(args.suppliers) if getattr(args, "suppliers", None) else None)
        finally:
            con.close()
        if not results:
            raise UserError(f"no extract files found in {', '.join(args.paths)}")
        if all(r.status == "skipped" for r in results) and db.exists():
            raise DoNotPublish  # nothing changed: keep the published file as it is
        if not any(r.status == "loaded" for r in results) and db.exists():
            # only rejections, recorded in the ledger: published, but .previous stays the rollback target
            raise KeepPrevious
    loaded = sum(r.status == "loaded" for r in results)
    skipped = sum(r.status == "skipped" for r in results)
    rejected = sum(r.status == "rejected" for r in results)
    rows = sum(r.rows_loaded for r in results)
    bad = sum(r.rows_rejected for r in results)
    print(f"{len(results)} file(s): {loaded} loaded, {skipped} already loaded, {rejected} rejected; "
          f"{rows:,} rows loaded, {bad:,} rows quarantined (see raw.rejects) into {db}")
    return EXIT_FAILED if rejected else EXIT_OK


def _print_load(result) -> None:
    stream = sys.stderr if result.status == "rejected" else sys.stdout
    print(result.one_line, file=stream)
    for reason, count in result.top_reasons:
        print(f"    {count:>8,} × {reason}", file=stream)


def cmd_build(args: argparse.Namespace) -> int:
    """Builds a new warehouse beside the published one; publishes it only if dbt build and the
    data-quality check both pass (a failed critical expectation publishes nothing)."""
    from citizen_focus.build_state import last_load_id, project_fingerprint, store_state, stored_state
    from citizen_focus.check import default_docs_dir, failed_critical_rules, run_check
    from citizen_focus.dbt_runner import run_dbt
    from citizen_focus.publish import DoNotPublish, working_copy
    from citizen_focus.warehouse import connect

    db = warehouse_path(args.db)
    docs = Path(args.docs).expanduser().resolve() if getattr(args, "docs", None) else default_docs_dir(db)
    start = time.time()
    outcome = EXIT_OK
    with working_copy(db) as work:
        connect(work).close()  # the raw layer must exist before dbt reads it
        dbt_args = ["build", *(["--select", args.select] if args.select else [])]
        fingerprint, through = project_fingerprint(PROJECT_DIR), last_load_id(work)
        state = stored_state(work)
        if args.full_refresh or _project_changed_since_last_build(work, fingerprint, state):
            dbt_args.append("--full-refresh")
        elif state and state[1] is not None:
            dbt_args += ["--vars", json.dumps({"incremental_tests_after_load_id": state[1]})]
        code = run_dbt(dbt_args, work)
        if code != 0:
            print(f"{db}: dbt build failed (exit {code}): nothing published, the warehouse is as it was; "
                  "see the errors above", file=sys.stderr)
            outcome = EXIT_FAILED
            raise DoNotPublish
        # the checks run on the private copy, before anyone can read it; their results go into it
        print("== data-quality check of the new build")
        code = run_check(work, docs, results_in_place=True)
        if code != EXIT_OK:
            failed = failed_critical_rules(work)
            shown = ", ".join(failed[:3]) + (f" and {len(failed) - 3} more" if len(failed) > 3 else "")
            reason = (f"critical data-quality expectation(s) failed: {shown}" if failed
                      else f"the data-quality check could not run (exit {code})")
            print(f"{db}: {reason}: nothing published, the warehouse is as it was; see the table above "
                  f"and {docs / 'index.html'}", file=sys.stderr)
            outcome = EXIT_FAILED
            raise DoNotPublish
        if not args.select:  # a partial build leaves other incremental models as they were
            store_state(work, fingerprint, through)
    if outcome == EXIT_OK:
        print(f"dbt build and data-quality check passed, published in {time.time() - start:.1f} s: {db}")
    return outcome


def _project_changed_since_last_build(work: Path, fingerprint: str, state: tuple[str, int | None] | None) -> bool:
    """True when the warehouse holds marts built by other models, macros, seeds or vars (`state`:
    what its last build stored): settled records keep the outcome their build gave them, so the
    incremental models are rebuilt."""
    from citizen_focus.warehouse import connect

    if state and state[0] == fingerprint:
        return False
    con = connect(work)
    try:
        built = con.execute("select count(*) from duckdb_tables() where schema_name = 'marts'").fetchone()[0] > 0
    finally:
        con.close()
    if built:
        print("The dbt project (models, macros, seeds or vars) changed since this warehouse was last built: "
              "rebuilding the incremental models in full (--full-refresh).")
    return built


def cmd_check(args: argparse.Namespace) -> int:
    from citizen_focus.check import cmd_check as run

    return run(args)


def cmd_rollback(args: argparse.Namespace) -> int:
    from citizen_focus.publish import rollback

    db = warehouse_path(args.db)
    try:
        rollback(db)
    except FileNotFoundError as exc:
        raise UserError(str(exc)) from None
    print(f"rolled back: {db} is now the previous build (run rollback again to undo)")
    return EXIT_OK


def cmd_user(args: argparse.Namespace) -> int:
    """Adds a local user to the app's access file (the single-machine sign-in)."""
    import secrets

    from citizen_focus.access import AccessConfigError, access_path, add_local_user

    path = Path(args.access) if args.access else access_path(warehouse_path(args.db).parent)
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else secrets.token_urlsafe(12)
    if not password:
        raise UserError("an empty password is not allowed")
    try:
        add_local_user(path, args.name, args.role, password)
    except AccessConfigError as exc:
        raise UserError(str(exc)) from None
    shown = "(as given)" if args.password_stdin else password
    print(f"user '{args.name}' ({args.role}) can sign in with password {shown}; access file {path}")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    """Serves the dashboards on the warehouse: `streamlit run dashboards/app.py`, as a child process."""
    import subprocess

    from citizen_focus.access import ACCESS_ENV, access_path
    from citizen_focus.config import DB_ENV, NO_TELEMETRY_ENV

    db = warehouse_path(args.db)
    if not db.exists():
        print(f"note: {db} does not exist yet; the app will say so until a build is published", file=sys.stderr)
    access = Path(args.access) if args.access else access_path(db.parent)
    if access is None or not access.is_file():
        print(f"note: no access file at {access}: nobody can sign in until `citizen-focus user NAME --role ROLE` "
              "makes one", file=sys.stderr)
    env = dict(os.environ, **NO_TELEMETRY_ENV)
    env[DB_ENV] = str(db)
    env[ACCESS_ENV] = str(access)
    # streamlit run, with its address look-ups off (citizen_focus/streamlit_offline.py)
    command = [sys.executable, "-m", "citizen_focus.streamlit_offline", "run",
               str(PROJECT_DIR / "dashboards" / "app.py"),
               "--server.port", str(args.port), "--server.address", args.address,
               "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    print(f"Citizen Focus dashboards on {db}: open http://{args.address}:{args.port}/ (Ctrl-C to stop)", flush=True)
    import signal

    child = subprocess.Popen(command, cwd=PROJECT_DIR, env=env)

    def _stop(signum, frame):  # SIGTERM to `serve` stops the app too, never leaves it orphaned
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    try:
        return child.wait()
    except KeyboardInterrupt:
        return EXIT_OK
    finally:
        if child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()


def cmd_report(args: argparse.Namespace) -> int:
    """The monthly board pack (PDF) for one force and month (citizen_focus/report.py, docs/board-pack.md)."""
    from citizen_focus.report import ReportError, write_report

    db = warehouse_path(args.db)
    out = Path(args.out).expanduser()
    try:
        pack = write_report(db, args.month, args.force, out)
    except ReportError as exc:
        raise UserError(str(exc)) from None
    if pack.charts_note:
        print(f"note: {pack.charts_note}", file=sys.stderr)
    status = f"{len(pack.missed)} commitment(s) missed" if pack.operational else "no operational data loaded"
    print(f"board pack for {pack.force_name}, {pack.label}: {status}; written to {out}")
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    """A published mart to CSV, Parquet or Excel with the app's disclosure control (citizen_focus/export.py)."""
    from citizen_focus.export import ExportError, write_export

    try:
        out, rows = write_export(warehouse_path(args.db), args.mart, args.format, args.where or [],
                                 Path(args.out).expanduser() if args.out else None)
    except ExportError as exc:
        raise UserError(str(exc)) from None
    print(f"{rows:,} rows of {args.mart} written to {out} (counts of 1-9 shown as <10, footnote included)")
    return EXIT_OK


def cmd_bench(args: argparse.Namespace) -> int:
    from bench.run import main as bench_main

    return bench_main(args.scale, Path(args.work), args.months, Path(args.out))


def cmd_demo(args: argparse.Namespace) -> int:
    db = warehouse_path(args.db)
    out = Path(args.out)
    steps = [
        ("sample", argparse.Namespace(out=str(out), months=args.months, start=args.start, scale=args.scale,
                                      seed=args.seed, forces="MPS", dirty=False, survey_format="sav")),
        ("ingest", argparse.Namespace(paths=[str(out)], kind=None, db=str(db), progress=False)),
        # build runs dbt build and then the data-quality check on the new build before publishing it
        ("build", argparse.Namespace(db=str(db), select=None, docs=None, full_refresh=False)),
    ]
    if db.exists() and not args.keep:
        db.unlink()
        Path(str(db) + ".wal").unlink(missing_ok=True)
    for name, step_args in steps:
        print(f"== {name}")
        code = COMMANDS[name](step_args)
        if code != EXIT_OK:
            print(f"demo stopped: step '{name}' failed", file=sys.stderr)
            return code
    print(f"demo finished: warehouse {db}")
    if not args.serve:
        return EXIT_OK
    from citizen_focus.access import access_path

    access = access_path(db.parent)
    if access is not None and not access.exists():
        print("== user (a local admin for the app)")
        cmd_user(argparse.Namespace(name="admin", role="admin", password_stdin=False, access=str(access), db=str(db)))
    print("== serve")
    return cmd_serve(argparse.Namespace(db=str(db), port=args.port, address="localhost", access=None))


COMMANDS = {
    "sample": cmd_sample,
    "ingest": cmd_ingest,
    "build": cmd_build,
    "check": cmd_check,
    "rollback": cmd_rollback,
    "user": cmd_user,
    "serve": cmd_serve,
    "report": cmd_report,
    "export": cmd_export,
    "bench": cmd_bench,
    "demo": cmd_demo,
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="citizen-focus",
        description="Citizen Focus Warehouse: load police call, incident, survey, complaint and victim-contact "
        "extracts, build the satisfaction and Pledge/Promise compliance marts, check them and show them.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("sample", help="write realistic sample extracts (fake data) to a folder",
                       description="Write the five extracts of the input contract with realistic, entirely "
                       "fictitious data: MPS-scale volumes, daily and seasonal peaks, a planted White/BME gap.")
    p.add_argument("--out", required=True, metavar="DIR", help="folder to write the CSV files into")
    p.add_argument("--months", type=int, default=12, metavar="N", help="number of months (default 12)")
    p.add_argument("--start", default="2008-04", metavar="YYYY-MM", help="first month (default 2008-04)")
    p.add_argument("--scale", type=float, default=1.0, metavar="F",
                   help="volume multiplier; 1.0 = Metropolitan Police scale (default 1.0)")
    p.add_argument("--seed", type=int, default=42, metavar="S", help="random seed; same seed, same files")
    p.add_argument("--forces", default="MPS", metavar="CODES",
                   help="comma-separated force codes, e.g. MPS,CUMB,STAFFS (default MPS)")
    p.add_argument("--dirty", action="store_true",
                   help="also plant the bad rows and bad files the loader must reject")
    p.add_argument("--survey-format", choices=["csv", "sav", "xlsx"], default="csv",
                   help="the survey extract as CSV (default), as a supplier's SPSS .sav (its variable names and "
                   "codes, mapping suppliers/sample_supplier.yml) or as an Excel .xlsx (contract names)")

    p = sub.add_parser("ingest", help="load extract files into the warehouse",
                       description="Load extract files (CSV or .csv.gz) into the warehouse's raw layer. Bad rows "
                       "go to raw.rejects with their line and reason; a file that cannot be an extract is "
                       "rejected whole and changes nothing; loading the same file again does nothing. Survey "
                       "files from suppliers (SPSS .sav, Excel .xlsx) load the same way, through a supplier "
                       "mapping (suppliers/README.md); their line is the case number (.sav) or worksheet row (.xlsx).")
    p.add_argument("paths", nargs="+", metavar="PATH", help="files, or folders holding extract files")
    p.add_argument("--kind", choices=["calls", "incidents", "survey_responses", "feedback", "victim_contacts"],
                   help="the extract kind; by default read from the file name's start (calls*, incidents*, ...)")
    p.add_argument("--supplier", metavar="NAME",
                   help="survey files: the supplier mapping suppliers/NAME.yml (or a .yml path); by default the "
                   "one mapping that fits the file's variables, or none if they carry the contract's names")
    p.add_argument("--sheet", metavar="NAME",
                   help="Excel files: the sheet to load (default: the one whose header maps)")
    p.add_argument("--suppliers", metavar="DIR",
                   help="folder of supplier mappings (default $CITIZEN_FOCUS_SUPPLIERS or suppliers/)")
    p.add_argument("--progress", action="store_true", help="show a progress bar for large files")
    _db_argument(p)

    p = sub.add_parser("build", help="build the marts from the loaded data, check them, publish them",
                       description="Build the marts from the loaded data (dbt build: models, seeds and tests) "
                       "on a private copy of the warehouse, then run the data-quality checks on that copy "
                       "(as `citizen-focus check`). Only when both pass does the copy replace the warehouse "
                       "the app reads; otherwise nothing changes and the reason is printed.")
    p.add_argument("--select", metavar="SELECTOR", help="only these dbt nodes (dbt selection syntax)")
    p.add_argument("--full-refresh", action="store_true",
                   help="rebuild the incremental models (large staging tables, record-level compliance) from "
                   "raw instead of re-assessing only the records loaded since the last build or still pending; "
                   "needed once after a model's columns change")
    p.add_argument("--docs", metavar="DIR",
                   help="folder for the data-quality report (default: data_docs/ beside the warehouse)")
    _db_argument(p)

    from citizen_focus.check import add_check_parser

    add_check_parser(sub)

    p = sub.add_parser("rollback", help="put the previous build back (undo the last publish)",
                       description="Swap the published warehouse with the one it replaced. Running it twice "
                       "undoes it.")
    _db_argument(p)

    p = sub.add_parser("user", help="add a user who may sign in to the app (local sign-in)",
                       description="Add or replace a local user of the app, with a role: board (aggregate pages), "
                       "analyst (also record-level drill-down and exports) or admin (also data quality and "
                       "loads). A random password is made and shown unless --password-stdin is given.")
    p.add_argument("name", help="user name (letters, digits, - and _)")
    p.add_argument("--role", required=True, choices=["board", "analyst", "admin"], help="what the user may see")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    p.add_argument("--access", metavar="FILE",
                   help="the access file; default $CITIZEN_FOCUS_ACCESS or access.toml beside the warehouse")
    _db_argument(p)

    p = sub.add_parser("serve", help="start the dashboards (Streamlit) on a warehouse and print the URL",
                       description="Run the Streamlit app on the published warehouse, read-only. Users sign in "
                       "with the access file's local users or an OIDC provider set in .streamlit/secrets.toml; a "
                       "newly published build is picked up on the next page load.")
    p.add_argument("--port", type=int, default=8501, metavar="N", help="port to listen on (default 8501)")
    p.add_argument("--address", default="localhost", metavar="HOST",
                   help="address to listen on (default localhost; 0.0.0.0 for every interface)")
    p.add_argument("--access", metavar="FILE",
                   help="the access file; default $CITIZEN_FOCUS_ACCESS or access.toml beside the warehouse")
    _db_argument(p)

    p = sub.add_parser("report", help="write the monthly board pack (PDF) for one force and month",
                       description="Write the board pack, a committee paper in plain language: the commitments "
                       "missed in the month (by how much, where, whether improving), satisfaction and the White / "
                       "BME gap with 95% intervals, what changed since last month, the scorecard, trend charts, "
                       "published comparators and an appendix (definitions, data as of, loads and rejects, "
                       "suppression). The same PDF as the scorecard page's download button.")
    p.add_argument("--month", required=True, metavar="YYYY-MM", help="the month reported on, e.g. 2008-06")
    p.add_argument("--force", metavar="F", help="force code, e.g. MPS (needed when the warehouse holds several)")
    p.add_argument("--out", required=True, metavar="FILE.pdf", help="where to write the PDF")
    _db_argument(p)

    p = sub.add_parser("export", help="write a published mart to CSV, Parquet or Excel (for notebooks and R)",
                       description="Write one published mart to a file, with the same disclosure control as the "
                       "app's Exports page (counts of 1 to 9 shown as <10 and what would reveal them withheld), "
                       "spreadsheet formulas escaped and the footnote (source, data as of, definitions): CSV rows "
                       "after a blank line, an Excel 'notes' sheet, or Parquet key-value metadata "
                       "'citizen_focus_notes'. Guide: docs/analysts.md.")
    p.add_argument("--mart", required=True, metavar="NAME", help="e.g. bme_satisfaction_gap (marts. optional)")
    p.add_argument("--format", default="csv", choices=("csv", "parquet", "xlsx"), help="default csv")
    p.add_argument("--where", action="append", metavar="COLUMN=VALUE",
                   help="keep rows where COLUMN OP VALUE (OP one of = != >= <= > <), repeatable (all must hold), "
                   "e.g. --where force_code=MPS --where period_end_month>=2008-10-01")
    p.add_argument("--out", metavar="FILE", help="where to write it; default NAME.FORMAT in the current folder")
    _db_argument(p)

    p = sub.add_parser("bench", help="measure speed and memory at national scale against lower bounds",
                       description="Generate national-scale sample data (43 forces; scale 1.0 = about 20 million "
                       "calls a year), then measure ingest, dbt build, a new month, dashboard queries and a pandas "
                       "baseline in one run, with ratios. Writes JSON and Markdown.")
    p.add_argument("--scale", type=float, default=0.25, metavar="F", help="1.0 = national scale (default 0.25)")
    p.add_argument("--months", type=int, default=12, metavar="N", help="months of data (default 12)")
    p.add_argument("--work", default=str(PROJECT_DIR / "artifacts" / "bench"), metavar="DIR",
                   help="scratch folder for extracts and warehouses (default artifacts/bench)")
    p.add_argument("--out", default=str(PROJECT_DIR / "bench" / "results"), metavar="DIR",
                   help="where to write the JSON and Markdown results (default bench/results)")

    p = sub.add_parser("demo", help="the whole job on sample data: sample, ingest, build, check",
                       description="Generate sample data, load it into a fresh warehouse, build everything "
                       "and check its data quality.")
    p.add_argument("--out", default=str(PROJECT_DIR / "sample_data"), metavar="DIR",
                   help="where to write the sample extracts (default sample_data/)")
    p.add_argument("--months", type=int, default=12, metavar="N", help="months of sample data (default 12)")
    p.add_argument("--start", default="2008-04", metavar="YYYY-MM", help="first month (default 2008-04)")
    p.add_argument("--scale", type=float, default=1.0, metavar="F", help="volume multiplier (default 1.0)")
    p.add_argument("--seed", type=int, default=42, metavar="S", help="random seed (default 42)")
    p.add_argument("--keep", action="store_true", help="keep an existing warehouse instead of starting afresh")
    p.add_argument("--serve", action="store_true",
                   help="then start the dashboards and print their URL (making a local admin user if none exists)")
    p.add_argument("--port", type=int, default=8501, metavar="N", help="port for --serve (default 8501)")
    _db_argument(p)
    return parser


# Files this tool creates are owner-only from the start: raw holds personal data, and the warehouse, its
# .previous, the working copies, Data Docs, the access file and the lock all inherit this (0600 files,
# 0700 folders), as do dbt and the app started from here (docs/operations.md).
OWNER_ONLY_UMASK = 0o077


def main(argv: list[str] | None = None) -> int:
    os.umask(OWNER_ONLY_UMASK)
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except KeyboardInterrupt:
        print("interrupted: nothing half-loaded was kept", file=sys.stderr)
        return 130
    except Exception as exc:  # the last line of defence: one line, never a traceback
        if os.environ.get("CITIZEN_FOCUS_DEBUG"):
            raise
        from citizen_focus.publish import Busy
        from citizen_focus.warehouse import WarehouseBusy

        if isinstance(exc, UserError | WarehouseBusy | Busy):
            print(f"citizen-focus {args.command}: {exc}", file=sys.stderr)
            return EXIT_USAGE
        print(f"citizen-focus {args.command}: error: {type(exc).__name__}: {exc}".splitlines()[0], file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
