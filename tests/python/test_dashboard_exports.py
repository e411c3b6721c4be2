"""Exports: spreadsheet-formula escaping, the screen's disclosure control, the footnote, and no personal data."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from dashboard_fixtures import MARK

from dashboards import exports
from dashboards.data import BOROUGH_GAPS, EXPORTABLE, open_warehouse
from dashboards.disclosure import suppress


@pytest.mark.parametrize("cell", ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_formula_cells_are_escaped_in_csv_and_excel(cell: str) -> None:
    df = pd.DataFrame({"record_id": [cell, "ok"], "gap_pp": [-4.5, 2.0]})
    text = exports.to_csv(df, ["n"]).decode()
    body = text.split("\r\n", 1)[1]  # after the header row (fields holding CR are quoted)
    escaped = "'" + cell
    quoted = '"' + escaped.replace('"', '""') + '"'
    assert body.startswith(f"{escaped},-4.5\r\nok,") or body.startswith(f"{quoted},-4.5\r\nok,")
    book = openpyxl.load_workbook(io.BytesIO(exports.to_excel(df, ["n"])))
    sheet = book["data"]
    # (openpyxl reads a stored CR back as LF)
    assert sheet["A2"].value in ("'" + cell, "'" + cell.replace("\r", "\n")) and sheet["A2"].data_type == "s"
    assert sheet["B2"].value == -4.5  # a negative number stays a number


def test_plain_text_and_numbers_are_untouched() -> None:
    assert exports.escape_cell("CW") == "CW" and exports.escape_cell(-3) == -3 and exports.escape_cell(None) is None
    assert exports.escape_cell("a=b") == "a=b"


def test_suppression_hides_small_counts_and_what_reveals_them() -> None:
    df = pd.DataFrame({"borough_code": ["CW", "HK", "IS"], "numerator": [90, 0, 4], "denominator": [100, 0, 5],
                       "pending": [0, 2, 1], "rate": [0.9, None, 0.8]})
    out = suppress(df)
    assert out["numerator"].tolist() == [90, 0, "<10"]
    assert out["denominator"].tolist() == [100, 0, "<10"]
    assert out["pending"].tolist() == [0, "<10", "<10"]
    assert out["rate"].tolist()[0] == 0.9 and pd.isna(out["rate"].tolist()[2])
    sat = suppress(pd.DataFrame({"respondents": [9, 10], "satisfied": [None, 7], "n_eff": [9.0, 10.0],
                                 "sum_w": [9.0, 10.0], "excluded_answers": [12, 3]}))
    assert sat["respondents"].tolist() == ["<10", 10]
    assert pd.isna(sat["n_eff"][0]) and pd.isna(sat["sum_w"][0]) and sat["n_eff"][1] == 10.0
    assert sat["excluded_answers"].tolist() == ["<10", "<10"]  # 12 withheld with the row; 3 is small itself
    assert sat["satisfied"].tolist()[1] == "<10"


def test_csv_has_the_footnote_with_the_as_of_date() -> None:
    notes = exports.footnote("marts.pledge_compliance", datetime(2008, 7, 2, 6, 30, tzinfo=UTC),
                             pd.Timestamp("2008-06-01"))
    text = exports.to_csv(pd.DataFrame({"a": [1]}), notes).decode()
    lines = [r[0] if r else "" for r in csv.reader(io.StringIO(text, newline=""))]
    assert lines[:3] == ["a", "1", ""]
    assert lines[3] == ("Note: Source: Citizen Focus Warehouse, marts.pledge_compliance. Data as of the warehouse "
                        "build at 2008-07-02 06:30 UTC; latest period in this table: June 2008.")
    assert any("'<10'" in line for line in lines[4:])


def test_every_export_of_the_fixture_warehouse_is_suppressed_and_free_of_personal_data(dashboard_warehouse: Path
                                                                                        ) -> None:
    wh = open_warehouse(dashboard_warehouse, cached=False)
    assert set(EXPORTABLE) <= wh.tables()
    count_columns = ("respondents", "white_respondents", "bme_respondents", "not_stated_respondents", "numerator",
                     "denominator", "pending", "satisfied", "white_satisfied", "bme_satisfied", "excluded_answers")
    small_seen = 0
    for table in [*EXPORTABLE, BOROUGH_GAPS]:
        month = date(2008, 6, 1) if table == "marts.compliance_records" else None
        df = wh.export_frame(table, "MPS", month)
        assert len(df), table
        csv_bytes, xlsx = exports.files(wh, table, "MPS", month)  # what the download buttons send
        text = csv_bytes.decode()
        assert MARK not in text
        assert "Data as of the warehouse build at" in text
        book = openpyxl.load_workbook(io.BytesIO(xlsx))
        cells = [str(c.value) for ws in book for row in ws.iter_rows() for c in row if c.value is not None]
        assert not any(MARK in c for c in cells)
        back = pd.read_csv(io.StringIO(text), nrows=len(df), dtype=str)
        for col in count_columns:
            if col in back.columns:
                values = back[col].dropna()
                assert not any(v.isdigit() and 0 < int(v) < 10 for v in values), (table, col)
                small_seen += int((values == "<10").sum())
    assert small_seen > 0  # the fixture has small cells: the rule was exercised
