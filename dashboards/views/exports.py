"""Exports (analysts): every published table as CSV and Excel, suppressed as on screen, escaped, footnoted.

The files are made when the analyst clicks a download button (Streamlit runs the callable then),
so choosing a large table does not hold up the page.
"""

from __future__ import annotations

import streamlit as st

from dashboards import exports
from dashboards.common import as_date, choose_force, footer, month_name, page_setup
from dashboards.data import BOROUGH_GAPS, EXPORTABLE
from dashboards.text import md

PREVIEW_ROWS = 200

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
    month = as_date(st.selectbox("Month (record-level exports are one month at a time)", months,
                                 format_func=month_name, key="export_month"))

n_rows = wh.export_count(table, force, month)
preview = exports.prepare(wh.export_frame(table, force, month, limit=PREVIEW_ROWS))
preview = preview.astype({c: str for c in preview.columns if preview[c].dtype == object})  # "<10" beside numbers
stem = (table.split(".")[-1] if table != BOROUGH_GAPS else "bme_gap_by_borough") + f"_{force}"
st.write(f"{n_rows:,} rows for {md(force)}. Counts of 1–9 are shown as <10, with what would reveal them withheld; "
         "cells that a spreadsheet would run as a formula are prefixed with an apostrophe.")
c1, c2 = st.columns(2)
c1.download_button("Download CSV", lambda: exports.files(wh, table, force, month)[0], file_name=f"{stem}.csv",
                   mime="text/csv", key="csv")
if n_rows <= exports.EXCEL_MAX_ROWS:
    c2.download_button("Download Excel", lambda: exports.files(wh, table, force, month)[1], file_name=f"{stem}.xlsx",
                       key="xlsx", mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
else:
    c2.info(f"More than {exports.EXCEL_MAX_ROWS:,} rows: download the CSV (Excel is offered up to that size).")
st.dataframe(preview, hide_index=True, width="stretch", key="preview")
notes = exports.footnote(table, wh.built_at(), None)
st.markdown("**Notes** (also at the foot of each file, with the latest period)\n\n"
            + "\n".join(f"- {n}" for n in notes))
footer(wh)
