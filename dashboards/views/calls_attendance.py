"""Calls & attendance: monthly compliance against target, time distributions, misses by hour, boroughs."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards import charts
from dashboards.common import as_date, choose_force, footer, month_name, page_setup, stop_without_operational_data
from dashboards.disclosure import suppress
from dashboards.text import md

wh = page_setup("board", "marts.pledge_compliance", "marts.compliance_records", "reference.standards")
force = choose_force(wh)
stop_without_operational_data(wh, force)
st.title("Calls & attendance")
CALL_STANDARDS, ATTENDANCE_STANDARDS = wh.standards_in("calls"), wh.standards_in("attendance")
monthly = wh.force_monthly(force, CALL_STANDARDS + ATTENDANCE_STANDARDS)
if monthly.empty:
    st.info(f"No call or attendance records for {md(force)} in the published marts.")
    st.stop()
first, last = month_name(monthly["period_month"].min()), month_name(monthly["period_month"].max())
calls = monthly[monthly["standard_id"].isin(CALL_STANDARDS)]
attendance = monthly[monthly["standard_id"].isin(ATTENDANCE_STANDARDS)]
left, right = st.columns(2)
with left:
    st.plotly_chart(charts.trend_vs_target(calls, f"Calls answered within standard, {first} to {last} (%)"),
                    key="calls_trend")
with right:
    st.plotly_chart(charts.trend_vs_target(attendance, f"Attendance within standard, {first} to {last} (%)"),
                    key="attendance_trend")

standards = [s for s in CALL_STANDARDS + ATTENDANCE_STANDARDS if s in set(monthly["standard_id"])]
standard = st.selectbox("Standard", standards, key="standard")
one = monthly[monthly["standard_id"] == standard].sort_values("period_month")
shown = suppress(one)
st.subheader(f"{md(standard)}: force-wide by month")
st.dataframe(pd.DataFrame({
    "Month": [month_name(m) for m in shown["period_month"]],
    "Within standard": [charts.cell_rate(r, n) for r, n in zip(shown["rate"], shown["denominator"], strict=True)],
    "Target": [charts.pct(t, 0) for t in shown["target_rate"]],
    "Met": shown["numerator"].astype(str), "Records": shown["denominator"].astype(str),
    "Pending": shown["pending"].astype(str),
}), hide_index=True, width="stretch", key="monthly_table")

dist_probe = wh.elapsed_distribution(force, standard, 1, 1)
threshold = float(dist_probe["threshold_seconds"].max()) if len(dist_probe) else 0.0
if threshold > 0:
    unit = "s" if threshold <= 120 else "min" if threshold <= 4 * 3600 else "h"
    bin_seconds = threshold / 10
    dist = wh.elapsed_distribution(force, standard, bin_seconds, 3 * threshold)
    c1, c2 = st.columns(2)
    with c1:
        div = {"s": 1, "min": 60, "h": 3600}[unit]
        title = (f"{standard}: time to answer/attend, {first} to {last} (records per {bin_seconds / div:g} {unit}; "
                 f"last bar = {3 * threshold / div:g} {unit} or more)")
        st.plotly_chart(charts.distribution(dist, threshold, title, unit), key="distribution")
    with c2:
        misses = wh.misses_by_hour(force, standard)
        st.plotly_chart(charts.misses_heatmap(misses, f"{standard}: misses by hour and weekday, {first} to {last} "
                                              "(records)"), key="misses")

months = sorted(one["period_month"].unique(), reverse=True)
month = st.selectbox("League table month", months, format_func=month_name, key="league_month")
league = suppress(wh.league_table(force, standard, as_date(month)))
st.subheader(f"Borough league table, {md(standard)}, {month_name(month)}")
st.dataframe(pd.DataFrame({
    "Rank": range(1, len(league) + 1), "Borough": league["borough_code"],
    "Status": [charts.rag_label(r) for r in league["rag"]],
    "Within standard": [charts.cell_rate(r, n) for r, n in zip(league["rate"], league["denominator"], strict=True)],
    "Records": league["denominator"].astype(str),
    "Rolling 12 months": [charts.cell_rate(r, n) for r, n in zip(league["rate_12"], league["denominator_12"],
                                                                 strict=True)],
}), hide_index=True, width="stretch", key="league_table")
footer(wh)
