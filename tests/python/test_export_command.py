"""`citizen-focus export`: the app's export, outside the app, as CSV, Parquet and Excel, filtered by bound values.

The warehouse is the dashboard tests' (dashboard_fixtures.py): hand-chosen compliance cells, one
of them (IS, June 2008: 4 of 5) small enough to be suppressed. Each test runs the real command
and compares its file with the app's own export path (dashboards.exports) or with the mart read
by the test's own SQL.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest
from warehouse_builder import cli, query

from citizen_focus.export import NOTES_KEY
from dashboards import exports
from dashboards.data import open_warehouse

MART = "marts.pledge_compliance"


def _export(db: Path, out: Path, *args: str):
    return cli("export", "--db", str(db), "--out", str(out), *args)


def test_csv_is_byte_for_byte_the_apps_export(dashboard_warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "pledge.csv"
    made = _export(dashboard_warehouse, out, "--mart", "pledge_compliance", "--where", "force_code=MPS")
    assert made.returncode == 0, made.stderr
    rows = query(dashboard_warehouse, f"select count(*) from {MART} where force_code = 'MPS'")[0][0]
    assert made.stdout.startswith(f"{rows:,} rows of pledge_compliance written to {out}")
    app_csv, _ = exports.files(open_warehouse(dashboard_warehouse, cached=False), MART, "MPS")
    lines = out.read_bytes().split(b"\r\n")
    app_lines = app_csv.split(b"\r\n")
    # identical except the one extra footnote line that names the filter, right after the source line
    filtered = b"Note: Filtered: force_code = MPS."
    assert filtered in lines
    lines.remove(filtered)
    assert lines == app_lines
    assert b",<10," in out.read_bytes()  # IS, June 2008: 4 records of 5


def test_parquet_and_excel_hold_the_same_suppressed_rows_and_the_footnote(dashboard_warehouse: Path,
                                                                         tmp_path: Path) -> None:
    wh = open_warehouse(dashboard_warehouse, cached=False)
    expected = exports.prepare(wh.export_frame(MART, "MPS"))
    for fmt in ("parquet", "xlsx"):
        out = tmp_path / f"pledge.{fmt}"
        made = _export(dashboard_warehouse, out, "--mart", MART, "--format", fmt, "--where", "force_code=MPS")
        assert made.returncode == 0, made.stderr
        if fmt == "parquet":
            table = pq.read_table(out)
            got = table.to_pandas()
            notes = json.loads(table.schema.metadata[NOTES_KEY.encode()])
        else:
            book = openpyxl.load_workbook(out)
            got = pd.read_excel(out, sheet_name="pledge_compliance")
            notes = [c.value for c in book["notes"]["A"][1:]]
        assert notes[0].startswith(f"Source: Citizen Focus Warehouse, {MART}.")
        assert notes[1] == "Filtered: force_code = MPS."
        assert notes[2:] == list(exports.DEFINITIONS)
        assert len(got) == len(expected) == query(dashboard_warehouse, f"select count(*) from {MART}")[0][0]
        small = got[got["borough_code"] == "IS"].iloc[0]
        assert str(small["numerator"]) == "<10" and str(small["denominator"]) == "<10"
        assert pd.isna(small["rate"])  # the rate would reveal the count: withheld, as on screen
        big = got[(got["borough_code"] == "CW") & (got["standard_id"] == "PLEDGE-6-999")].sort_values(
            "period_month").iloc[0]
        assert int(big["numerator"]) == 180 and int(big["denominator"]) == 200 and float(big["rate"]) == 0.9


def test_where_terms_filter_with_bound_values_of_the_columns_type(dashboard_warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "june.parquet"
    made = _export(dashboard_warehouse, out, "--mart", MART, "--format", "parquet",
                   "--where", "period_month>=2008-06-01", "--where", "standard_id!=PLEDGE-6-999")
    assert made.returncode == 0, made.stderr
    got = pq.read_table(out).to_pandas()
    expected = query(dashboard_warehouse, f"select standard_id, borough_code from {MART} where period_month >= "
                     "date '2008-06-01' and standard_id <> 'PLEDGE-6-999' order by all")
    assert sorted(zip(got["standard_id"], got["borough_code"], strict=True)) == expected
    assert len(expected) == 4  # by hand from the fixture's cells: EMERGENCY CW, HK; ACK-24H CW; MONTHLY CW


@pytest.mark.parametrize("term", ["force_code=MPS' or '1'='1", "force_code=MPS or 1=1"])
def test_a_value_is_never_sql(dashboard_warehouse: Path, tmp_path: Path, term: str) -> None:
    out = tmp_path / "x.csv"
    made = _export(dashboard_warehouse, out, "--mart", MART, "--where", term)
    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith("0 rows of")  # the whole text is compared with force_code as one value


@pytest.mark.parametrize("args, message", [
    (["--mart", "raw.calls"], "'raw.calls' is not an exportable mart; choose one of: promise_scorecard,"),
    (["--mart", MART, "--where", "1=1; drop table x"], "--where '1=1; drop table x': expected COLUMN OP VALUE"),
    (["--mart", MART, "--where", "caller_name=x"], "--where: marts.pledge_compliance has no column 'caller_name'"),
    (["--mart", MART, "--where", "period_month>=last week"], "--where: a value does not fit its column's type"),
    (["--mart", MART, "--format", "xlsx"], "--out"),
])
def test_bad_requests_get_one_line_and_no_file(dashboard_warehouse: Path, tmp_path: Path, args: list[str],
                                               message: str) -> None:
    out = tmp_path / "x.csv"
    made = _export(dashboard_warehouse, out, *args)
    assert made.returncode == 2
    assert message in made.stderr and "Traceback" not in made.stderr
    assert len(made.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_a_warehouse_without_the_mart_says_build_first(dashboard_warehouse: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    shutil.copy(dashboard_warehouse, db)
    con = duckdb.connect(str(db))
    con.execute("drop table marts.satisfaction_by_service_outcome")
    con.close()
    made = _export(db, tmp_path / "x.csv", "--mart", "satisfaction_by_service_outcome")
    assert made.returncode == 2
    assert "marts.satisfaction_by_service_outcome is not in the published warehouse" in made.stderr
    assert not (tmp_path / "x.csv").exists()
