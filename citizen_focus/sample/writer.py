"""Writes a table of NumPy columns to CSV through DuckDB: formatting happens in SQL, in parallel.

Python hands DuckDB integer and float arrays only; ids, timestamps, labels and fake personal
data are formatted by the SELECT list of a `COPY ... TO` statement. DuckDB keeps the row order
(preserve_insertion_order), so the bytes written depend only on the arrays: same seed, same file.
Writes run on one background thread (DuckDB releases the GIL), so NumPy can plan the next extract
while DuckDB formats the previous one.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from citizen_focus.sample.clock import NULL

_MACROS = f"""
create or replace macro ts_z(x) as
    case when x = {NULL} then null else strftime(make_timestamp(x), '%Y-%m-%dT%H:%M:%SZ') end;
create or replace macro ts_ms(x) as
    case when x = {NULL} then null else strftime(make_timestamp(x), '%Y-%m-%dT%H:%M:%S.%gZ') end;
create or replace macro ts_london(x, bst) as
    case when x = {NULL} then null
         else strftime(make_timestamp(x + bst * 3600000000), '%Y-%m-%dT%H:%M:%S')
              || case when bst = 1 then '+01:00' else '+00:00' end end;
create or replace macro iso_date(d) as
    case when d = {NULL} then null else strftime(date '1970-01-01' + d::int, '%Y-%m-%d') end;
create or replace macro uk_date(d) as
    case when d = {NULL} then null else strftime(date '1970-01-01' + d::int, '%d/%m/%Y') end;
create or replace macro enum_of(vals, i) as case when i < 0 then null else vals[i + 1] end;
"""


def sql_list(values) -> str:
    return "[" + ", ".join("'" + str(v).replace("'", "''") + "'" for v in values) + "]"


class Writer:
    def __init__(self, threads: int | None = None) -> None:
        self.con = duckdb.connect()
        if threads:
            self.con.execute(f"set threads = {threads}")
        self.con.execute("set preserve_insertion_order = true")
        self.con.execute("set enable_progress_bar = false")
        self.con.execute(_MACROS)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sample-writer")

    def write(self, path: Path, columns: dict[str, np.ndarray], select: dict[str, str]) -> Future:
        """Queues a write; the future's result is the number of rows written. The arrays must not change."""
        return self._pool.submit(self._write, path, columns, select)

    def _write(self, path: Path, columns: dict[str, np.ndarray], select: dict[str, str]) -> int:
        """COPY (select <expr> as <name>, ... from the arrays) to path; returns rows written."""
        frame = pd.DataFrame(columns, copy=False)
        self.con.register("_frame", frame)
        try:
            items = ", ".join(f'{expr} as "{name}"' for name, expr in select.items())
            target = str(path).replace("'", "''")
            self.con.execute(f"copy (select {items} from _frame) to '{target}' (header, delimiter ',')")
        finally:
            self.con.unregister("_frame")
        return len(frame)

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self.con.close()
