"""The check stays fast at Metropolitan Police scale: 12 months, about 4.5 million calls.

The raw tables are filled by DuckDB itself (text in the contract's formats, 12 monthly loads in
the ledger) rather than through CSV files, to keep the test short; the check reads them exactly
as it reads loaded extracts. The suites aggregate inside DuckDB and sample 10,000 rows, so the
run must stay well under a minute and pandas must only ever see small frames.
"""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import pytest

from citizen_focus.warehouse import connect
from quality.testing import check

CALLS = 4_500_000
INCIDENTS = 1_500_000
MONTHS = 12


@pytest.fixture(scope="module")
def mps_scale(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("quality_perf") / "warehouse.duckdb"
    connect(db).close()  # the raw layer, as the loader creates it
    con = duckdb.connect(str(db))
    try:
        con.execute("set TimeZone = 'UTC'")
        for kind, rows in (("calls", CALLS), ("incidents", INCIDENTS)):
            con.execute(
                """
                insert into raw.load_ledger (load_id, file_name, kind, rows_read, rows_loaded,
                                             rows_rejected, started_at, status)
                select ? + m, ? || '_' || m || '.csv', ?, ? // 12, ? // 12, 0, now(), 'loaded'
                from range(12) as t(m)
                """,
                [0 if kind == "calls" else 100, kind, kind, rows, rows],
            )
        # 4.5M calls over 12 months: 20% on 999 with 3% abandoned, the rest 101/0300
        con.execute(f"""
            insert into raw.calls (call_id, line, received_at, answered_at, abandoned, abandoned_at,
                                   borough_code, handler_id, _load_id, _source_file, _line_number)
            select 'C' || i,
                   case when i % 5 = 0 then '999' when i % 5 = 1 then '101' else '0300' end,
                   strftime(timestamptz '2008-04-01 00:00:00+00' + (i * 7) * interval 1 second,
                            '%Y-%m-%dT%H:%M:%SZ'),
                   case when i % 33 = 0 then null else strftime(
                       timestamptz '2008-04-01 00:00:00+00' + (i * 7 + 8) * interval 1 second,
                       '%Y-%m-%dT%H:%M:%SZ') end,
                   case when i % 33 = 0 then 'true' end,
                   null, 'CW', 'H' || (i % 900), i // ({CALLS} // 12), 'calls.csv', i + 2
            from range({CALLS}) as t(i)
        """)
        con.execute(f"""
            insert into raw.incidents (incident_id, created_at, grade, borough_code, area_type,
                                       first_arrival_at, _load_id, _source_file, _line_number)
            select 'I' || i,
                   strftime(timestamptz '2008-04-01 00:00:00+00' + (i * 21) * interval 1 second,
                            '%Y-%m-%dT%H:%M:%SZ'),
                   case i % 4 when 0 then 'E' when 1 then 'P' when 2 then 'S' else 'R' end,
                   'HK', 'urban',
                   strftime(timestamptz '2008-04-01 00:00:00+00' + (i * 21 + 600) * interval 1 second,
                            '%Y-%m-%dT%H:%M:%SZ'),
                   100 + i // ({INCIDENTS} // 12), 'incidents.csv', i + 2
            from range({INCIDENTS}) as t(i)
        """)
    finally:
        con.close()
    return db


def test_raw_checks_at_mps_scale_run_well_under_a_minute(mps_scale: Path) -> None:
    start = time.perf_counter()
    run = check(mps_scale, suites=["raw.calls", "raw.incidents"], write_docs=False)
    seconds = time.perf_counter() - start
    assert run.failed == set(), run.output
    assert seconds < 30, f"{seconds:.1f} s"
    loads = run.result("raw.calls.loads", "rows_reconcile_with_ledger")
    assert loads["element_count"] == MONTHS  # one row per load reached pandas, not 4.5M
    sample = run.result("raw.calls.sample", "line_in_contract_set")
    assert sample["element_count"] == 10_000
