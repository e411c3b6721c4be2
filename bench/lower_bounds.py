"""Lower bounds the warehouse is measured against, run as their own processes.

`ingest`: DuckDB reading the same CSV files into typed tables with plain SQL and nothing else:
no validation, no quarantine, no ledger, no line numbers. What a load could cost if the files
were trusted.

`build`: bench/lower_bound_marts.sql, the public marts written by hand straight from the raw
tables of a loaded warehouse (no staging, no intermediate models, no tests, no docs), into its
schema `lower_bound`. What `dbt build` could cost. Run it on a copy: it writes into the file.

Run: python -m bench.lower_bounds ingest EXTRACTS_DIR DB
     python -m bench.lower_bounds build DB
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

from citizen_focus.config import PROJECT_DIR
from ingest.contract import BOOLEAN, DATE, EXTRACTS, NUMBER, TIMESTAMP

BUILD_SCRIPT = Path(__file__).with_name("lower_bound_marts.sql")
_TYPES = {TIMESTAMP: "TIMESTAMPTZ", DATE: "DATE", BOOLEAN: "BOOLEAN", NUMBER: "DOUBLE"}


def ingest_lower_bound(extracts: Path, db: Path) -> dict[str, int]:
    con = duckdb.connect(str(db))
    con.execute("set TimeZone = 'UTC'")
    counts: dict[str, int] = {}
    for kind, extract in EXTRACTS.items():
        files = sorted(str(p) for p in extracts.glob(f"{kind}*.csv"))
        if not files:
            continue
        with open(files[0], encoding="utf-8-sig") as fh:
            names = [n.strip().lower() for n in fh.readline().rstrip("\n").split(",")]
        types = {c.name: _TYPES.get(c.type, "VARCHAR") for c in extract.columns}
        # read_csv has one date format per read, and a file may hold ISO and UK (DD/MM/YYYY) dates
        # in different columns (survey interview_date and incident_date): dates are read as text
        # and typed by one cast in the same statement
        dates = [n for n in names if types.get(n) == "DATE"]
        columns = ", ".join(f"'{n}': '{'VARCHAR' if n in dates else types.get(n, 'VARCHAR')}'" for n in names)
        file_list = ", ".join(f"'{f}'" for f in files)
        replace = ", ".join(
            f"coalesce(try_cast({n} as date), cast(try_strptime({n}, '%d/%m/%Y') as date)) as {n}" for n in dates
        )
        # the generator writes one header layout per kind, so one column list serves every file
        con.execute(
            f"create or replace table {kind} as select * {f'replace ({replace})' if dates else ''} "
            f"from read_csv([{file_list}], header = true, columns = {{{columns}}}, auto_detect = false)"
        )
        counts[kind] = con.execute(f"select count(*) from {kind}").fetchone()[0]
    con.close()
    return counts


def build_lower_bound(db: Path) -> dict[str, int]:
    """Runs the hand-written marts script on db (a loaded warehouse: raw.* tables and macros)."""
    # attached under a fixed name: a file called lower_bound.duckdb would otherwise be a catalog
    # `lower_bound` that makes the script's schema `lower_bound` ambiguous
    con = duckdb.connect()
    try:
        con.execute("attach '{}' as warehouse".format(str(db).replace("'", "''")))
        con.execute("use warehouse")
        # the script reads seeds/bank_holidays.csv relative to the project folder
        con.execute("set file_search_path = '{}'".format(str(PROJECT_DIR).replace("'", "''")))
        con.execute(BUILD_SCRIPT.read_text(encoding="utf-8"))
        return {
            table: con.execute(f"select count(*) from lower_bound.{table}").fetchone()[0]
            for table in ("pledge_compliance", "citizen_focus_satisfaction")
        }
    finally:
        con.close()


USAGE = "usage: python -m bench.lower_bounds ingest EXTRACTS_DIR DB | build DB"


def main(argv: list[str]) -> int:
    if len(argv) == 3 and argv[0] == "ingest":
        print(ingest_lower_bound(Path(argv[1]), Path(argv[2])))
        return 0
    if len(argv) == 2 and argv[0] == "build":
        if not Path(argv[1]).is_file():
            print(f"{argv[1]}: no such warehouse file", file=sys.stderr)
            return 2
        print(build_lower_bound(Path(argv[1])))
        return 0
    print(USAGE, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
