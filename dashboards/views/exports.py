"""Exports (analysts): every published table as CSV and Excel, suppressed as on screen, escaped, footnoted."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from dashboards import exports
from dashboards.common import as_date, choose_force, footer, month_name, page_setup
from dashboards.data import EXPORTABLE, Warehouse

PREVIEW_ROWS = 200
EXCEL_MAX_ROWS = 1_048_575
BOROUGH_GAPS = "BME gap by borough with intervals (rolling 12 months, latest month)"

wh = page_setup("analyst")
force = choose_force(wh)
st.title("Exports")
available = [t for t in EXPORTABLE if t in wh.tables()]
choices = [BOROUGH_GAPS, *available] if "marts.bme_satisfaction_gap" in available else available
table = st.selectbox("Table", choices, format_func=lambda t: t if t == BOROUGH_GAPS else f"{t}: {EXPORTABLE[t]}",
                     key="export_table")
month = None
if table == "marts.compliance_records":
    months = wh.query("select distinct period_month from marts.compliance_records where force_code = ? "
                      "order by 1 desc", (force,))["period_month"].tolist()
    month = st.selectbox("Month (record-level exports are one month at a time)", months, format_func=month_name,
                         key="export_month")


@st.cache_data(max_entries=32, show_spinner="Preparing the files…")
def _files(path: str, build: str, table: str, force: str, month: object) -> tuple[bytes, bytes | None, int,
                                                                                   pd.DataFrame, list[str]]:
    w = Warehouse(Path(path), build)
    if table == BOROUGH_GAPS:
        latest = w.query("select max(period_end_month) as m from marts.bme_satisfaction_gap where force_code = ?",
                         (force,))["m"].iloc[0]
        df = w.query("select * from marts.bme_satisfaction_gap where force_code = ? and window_months = 12 and "
                     "period_end_month = ? and borough_code <> 'ALL' order by gap_pp desc nulls last, borough_code",
                     (force, as_date(latest)))
        source = "marts.bme_satisfaction_gap (boroughs, rolling 12 months)"
    elif table == "marts.compliance_records":
        df = w.query("select * from marts.compliance_records where force_code = ? and period_month = ? "
                     "order by standard_id, started_at, record_id", (force, month))
        source = table
    else:
        df = w.export_table(table, force)
        source = table
    period_col = next((c for c in ("period_month", "period_end_month") if c in df.columns), None)
    notes = exports.footnote(source, w.built_at(), df[period_col].max() if period_col and len(df) else None)
    excel = exports.to_excel(df, notes) if len(df) <= EXCEL_MAX_ROWS else None
    preview = exports.prepare(df.head(PREVIEW_ROWS))
    preview = preview.astype({c: str for c in preview.columns if preview[c].dtype == object})  # "<10" beside numbers
    return exports.to_csv(df, notes), excel, len(df), preview, notes


csv_bytes, xlsx_bytes, n_rows, preview, notes = _files(str(wh.path), wh.build, table, force, as_date(month))
stem = (table.split(".")[-1] if table != BOROUGH_GAPS else "bme_gap_by_borough") + f"_{force}"
st.write(f"{n_rows:,} rows for {force}. Counts of 1–9 are shown as <10, with what would reveal them withheld; "
         "cells that a spreadsheet would run as a formula are prefixed with an apostrophe.")
c1, c2 = st.columns(2)
c1.download_button("Download CSV", csv_bytes, file_name=f"{stem}.csv", mime="text/csv", key="csv")
if xlsx_bytes is not None:
    c2.download_button("Download Excel", xlsx_bytes, file_name=f"{stem}.xlsx", key="xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
else:
    c2.info("Too many rows for Excel: use the CSV.")
st.dataframe(preview, hide_index=True, width="stretch", key="preview")
st.markdown("**Notes**\n\n" + "\n".join(f"- {n}" for n in notes))
footer(wh)
