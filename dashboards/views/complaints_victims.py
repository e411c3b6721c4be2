"""Complaints & victim care: volumes, acknowledgement and response timeliness, victim updates, referrals."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards import charts
from dashboards.common import choose_force, footer, month_name, page_setup, stop_without_operational_data
from dashboards.disclosure import suppress
from dashboards.text import md

wh = page_setup("board", "marts.pledge_compliance", "marts.compliance_records", "reference.standards")
force = choose_force(wh)
stop_without_operational_data(wh, force)
st.title("Complaints & victim care")
FEEDBACK_STANDARDS, VICTIM_STANDARDS = wh.standards_in("feedback"), wh.standards_in("victims")
monthly = wh.force_monthly(force, FEEDBACK_STANDARDS + VICTIM_STANDARDS)
if monthly.empty:
    st.info(f"No complaint or victim-contact records for {md(force)} in the published marts.")
    st.stop()
first, last = month_name(monthly["period_month"].min()), month_name(monthly["period_month"].max())

latest = monthly["period_month"].max()
now = suppress(monthly[monthly["period_month"] == latest].sort_values("standard_id"))
st.subheader(f"Force-wide, {month_name(latest)}")
st.dataframe(pd.DataFrame({
    "Standard": now["standard_id"],
    "Within standard": [charts.cell_rate(r, n) for r, n in zip(now["rate"], now["denominator"], strict=True)],
    "Target": [charts.pct(t, 0) for t in now["target_rate"]],
    "Met": now["numerator"].astype(str), "Items": now["denominator"].astype(str), "Pending": now["pending"].astype(str),
}), hide_index=True, width="stretch", key="latest_table")

left, right = st.columns(2)
with left:
    st.plotly_chart(charts.trend_vs_target(monthly[monthly["standard_id"].isin(FEEDBACK_STANDARDS)],
                                           f"Complaints acknowledged / answered in time, {first} to {last} (%; "
                                           "24 h, 2 and 10 working days)"), key="feedback_trend")
with right:
    st.plotly_chart(charts.trend_vs_target(monthly[monthly["standard_id"].isin(VICTIM_STANDARDS)],
                                           f"Victims updated every 28 days and referred to Victim Support within "
                                           f"2 days, {first} to {last} (%)"), key="victim_trend")

vol = wh.volumes(force, "PLEDGE-11-ACK-24H")
if len(vol):
    st.plotly_chart(charts.volumes(vol, f"Complaints and dissatisfaction by category and channel, {first} to {last} "
                                        "(items)"), key="volumes")
    shown = suppress(vol)
    st.dataframe(pd.DataFrame({"Category": shown["category"], "Channel": shown["channel"],
                               "Items": shown["records"].astype(str),
                               "Acknowledged within 24 h": shown["met"].astype(str)}),
                 hide_index=True, width="stretch", key="volumes_table")
ack = wh.elapsed_distribution(force, "PLEDGE-11-ACK-24H", 3600 * 4, 3600 * 72)
if len(ack):
    st.plotly_chart(charts.distribution(ack, float(ack["threshold_seconds"].max()),
                                        f"Time to acknowledge, {first} to {last} (items per 4 h; last bar = 72 h or "
                                        "more)", "h"), key="ack_distribution")
footer(wh)
