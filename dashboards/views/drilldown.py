"""Record drill-down (analysts): the records behind a compliance cell. Operational ids and times only."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards.common import as_date, choose_force, footer, month_name, page_setup, stop_without_operational_data
from dashboards.text import md

LIMIT = 500

wh = page_setup("analyst", "marts.compliance_records")
force = choose_force(wh)
stop_without_operational_data(wh, force)
st.title("Record drill-down")
options = wh.query("select distinct standard_id, period_month from marts.compliance_records where force_code = ? "
                   "order by standard_id, period_month desc", (force,))
if options.empty:
    st.info(f"No records for {md(force)}.")
    st.stop()
c1, c2, c3, c4 = st.columns(4)
standard = c1.selectbox("Standard", sorted(options["standard_id"].unique()), key="dd_standard")
months = list(options[options["standard_id"] == standard]["period_month"])
month = c2.selectbox("Month", months, format_func=month_name, key="dd_month")
boroughs = wh.query("select distinct borough_code from marts.compliance_records where force_code = ? and "
                    "standard_id = ? order by 1", (force, standard))["borough_code"].tolist()
borough = c3.selectbox("Borough", ["All", *boroughs], key="dd_borough")
outcome = c4.selectbox("Outcome", ["All", "missed", "met", "pending"], key="dd_outcome")
rows = wh.records(force, standard, as_date(month), None if borough == "All" else borough,
                  None if outcome == "All" else outcome, LIMIT)
st.caption(f"{len(rows)} record(s){' (first 500)' if len(rows) == LIMIT else ''}: {md(standard)}, "
           f"{month_name(month)}, {md(borough)}, {md(outcome)}. Times: started in Europe/London; deadline and event in "
           "UTC; elapsed in seconds.")
st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="records")
footer(wh)
