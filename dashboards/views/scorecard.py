"""Scorecard (landing page): every standard's status this month, what changed, where it is worst."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from citizen_focus import report
from dashboards import charts, inference
from dashboards.common import as_date, choose_force, footer, month_name, page_setup, stop_without_operational_data
from dashboards.disclosure import suppress
from dashboards.text import md, plural

wh = page_setup("board", "marts.promise_scorecard", "marts.pledge_compliance")
force = choose_force(wh)
stop_without_operational_data(wh, force)
card = wh.scorecard(force)
monthly = wh.force_monthly(force)
latest = wh.latest_month(force)
period = card["period_month"].dropna()
shown_month = period.iloc[0] if len(period) else latest

st.title("Scorecard: every commitment")
st.caption(f"{md(force)} · latest complete month: {month_name(shown_month)} · rates are the share of records within "
           "each standard; change is in percentage points (pp) against the previous month")


def _spark(standard: str) -> list[float]:
    part = monthly[(monthly["standard_id"] == standard) & monthly["rate"].notna()].sort_values("period_month")
    if latest is not None:
        part = part[pd.to_datetime(part["period_month"]) <= pd.Timestamp(latest)]
    return [round(100 * r, 1) for r in part["rate"].tail(12)]


rows = []
for r in card.itertuples():
    measured = bool(r.measured) if not pd.isna(r.measured) else True
    if not measured:
        rows.append({"Status": "– Not measured: no data source", "Standard": r.standard_id, "Commitment": r.title,
                     "Source": r.source, "Latest": "–", "Target": charts.pct(r.target_rate, 0), "Change": "–",
                     "Rolling 12 months": "–", "Last 12 months (%)": [],
                     "Why not measured": r.not_measured_reason or "no data source"})
        continue
    change = None if pd.isna(r.latest_rate) or pd.isna(r.previous_rate) else 100 * (r.latest_rate - r.previous_rate)
    rows.append({"Status": charts.rag_label(r.rag), "Standard": r.standard_id, "Commitment": r.title,
                 "Source": r.source, "Latest": charts.pct(r.latest_rate), "Target": charts.pct(r.target_rate, 0),
                 "Change": charts.pp(change), "Rolling 12 months": charts.pct(r.rolling_12_rate),
                 "Last 12 months (%)": _spark(r.standard_id), "Why not measured": ""})
table = pd.DataFrame(rows)[["Status", "Standard", "Latest", "Target", "Change", "Rolling 12 months",
                            "Last 12 months (%)", "Commitment", "Source", "Why not measured"]]

missed = card[card["rag"].isin(["red", "amber"])]
grid = suppress(wh.borough_grid(force, latest)) if latest is not None else pd.DataFrame()
st.subheader(f"Missed in {month_name(latest)}")
if missed.empty:
    st.success("Every measured commitment met its target force-wide.")
n_boroughs = grid["borough_code"].nunique() if len(grid) else 0
for r in missed.itertuples():
    where = grid[(grid["standard_id"] == r.standard_id) & grid["rag"].isin(["red", "amber"])] if len(grid) else grid
    if len(where):  # lowest rates first; cells too small to show a rate last
        where = where.assign(_order=pd.to_numeric(where["rate"], errors="coerce")).sort_values(
            ["_order", "borough_code"], na_position="last")
        lowest = ", ".join(f"{md(b.borough_code)} ({charts.RAG_SHORT[b.rag]} {charts.cell_rate(b.rate, b.denominator)})"
                           for b in where.head(3).itertuples())
        places = f"below target in {len(where)} of {plural(n_boroughs, 'borough')}; lowest: {lowest}"
    else:
        places = "no single borough below target"
    st.markdown(f"- {charts.RAG_ICONS[r.rag]} **{md(r.standard_id)}** {md(r.title)}: "
                f"{charts.pct(r.latest_rate)} against {charts.pct(r.target_rate, 0)}; {places}")

if {"marts.bme_gap_change", "marts.bme_satisfaction_gap"} <= wh.tables():
    st.subheader("Is the BME satisfaction gap closing?")
    change = wh.gap_change(force, "ALL", "whole_experience")
    if change is None:
        span = wh.survey_span(force)
        st.markdown(inference.not_enough_data(month_name(span[0]), month_name(span[1])))
    else:
        st.markdown(f"Force-wide, whole experience, 12 months to {month_name(change['period_end_month'])} against "
                    f"the 12 months to {month_name(change['previous_period_end_month'])}. "
                    + inference.gap_change_sentence(change, inference.settings()))

st.subheader("Board pack")
pack_missing = report.missing_tables(wh)
pack_months = [] if pack_missing else report.months_held(wh, force)[::-1]  # latest first
if pack_missing:
    st.info(f"The board pack needs {md(', '.join(pack_missing))}, not in the published warehouse yet: run "
            "`citizen-focus build`.")
elif pack_months:
    c1, c2 = st.columns([2, 3])
    pack_month = c1.selectbox("Month of the pack", pack_months, format_func=month_name, key="board_pack_month")
    # made when clicked (Streamlit runs the callable then): the same PDF as `citizen-focus report`
    c2.download_button("Download the board pack (PDF)", lambda: report.board_pack_pdf(wh, pack_month, force),
                       file_name=f"board-pack_{force}_{pack_month:%Y-%m}.pdf", mime="application/pdf",
                       key="board_pack", icon=":material/picture_as_pdf:")
    st.caption("The committee paper for the chosen month: commitments missed and where, satisfaction and the "
               "BME gap with intervals, what changed, the scorecard, trends, published comparators, definitions.")

st.subheader("All standards")
st.dataframe(table, hide_index=True, width="stretch", key="scorecard_table",
             column_config={"Last 12 months (%)": st.column_config.LineChartColumn("Last 12 months (%)",
                                                                                   y_min=0, y_max=100)})

if len(grid):
    st.subheader(f"Standard × borough, {month_name(latest)}")
    st.plotly_chart(charts.rag_heat_grid(grid, f"RAG by standard and borough, {month_name(latest)} "
                                               "(% within standard)"), key="heat_grid")
    boroughs = sorted(grid["borough_code"].unique())
    borough = st.selectbox("Drill into a borough", boroughs, index=None, placeholder="choose a borough",
                           key="drill_borough")
    if borough:
        hist = wh.borough_history(force, borough)
        last = hist[pd.to_datetime(hist["period_month"]) == pd.Timestamp(latest)]
        shown = suppress(last)
        st.markdown(f"#### {md(borough)}, {month_name(latest)}")
        st.dataframe(pd.DataFrame({
            "Standard": shown["standard_id"],
            "Status": [charts.rag_label(x) for x in shown["rag"]],
            "Rate": [charts.cell_rate(x, n) for x, n in zip(shown["rate"], shown["denominator"], strict=True)],
            "Within standard": shown["numerator"].astype(str), "Records": shown["denominator"].astype(str),
            "Pending": shown["pending"].astype(str),
        }), hide_index=True, width="stretch", key="borough_table")
        trend = hist[hist["denominator"] >= 10]
        st.plotly_chart(charts.trend_vs_target(trend, f"{borough}: monthly rate against target (%), cells with 10+ "
                                                      "records"), key="borough_trend")
st.caption(f"As of {as_date(latest)}.")
footer(wh)
