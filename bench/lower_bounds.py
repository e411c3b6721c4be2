"""Lower bounds the warehouse is measured against, run as their own processes.

`ingest`: DuckDB reading the same CSV files into typed tables with plain SQL and nothing else:
no validation, no quarantine, no ledger, no line numbers. What a load could cost if the files
were trusted.

Run: python -m bench.lower_bounds ingest EXTRACTS_DIR DB
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

from ingest.contract import BOOLEAN, DATE, EXTRACTS, NUMBER, TIMESTAMP

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
        columns = ", ".join(f"'{n}': '{types.get(n, 'VARCHAR')}'" for n in names)
        file_list = ", ".join(f"'{f}'" for f in files)
        # the generator writes one header layout per kind, so one column list serves every file
        con.execute(
            f"create or replace table {kind} as select * from read_csv([{file_list}], header = true, "
            f"columns = {{{columns}}}, auto_detect = false)"
        )
        counts[kind] = con.execute(f"select count(*) from {kind}").fetchone()[0]
    con.close()
    return counts


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[0] != "ingest":
        print("usage: python -m bench.lower_bounds ingest EXTRACTS_DIR DB", file=sys.stderr)
        return 2
    counts = ingest_lower_bound(Path(argv[1]), Path(argv[2]))
    print(counts)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
