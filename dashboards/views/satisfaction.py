"""Satisfaction: the five questions over time with Wilson bands; by borough, survey group and equality group."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards import charts, inference
from dashboards.common import as_date, choose_force, footer, month_name, page_setup
from dashboards.data import QUESTION_LABELS, QUESTIONS
from dashboards.text import key_driver_sentence, md, whole_percent

DIMENSIONS = {"survey_group": "Survey group", "ethnic_group": "Ethnic group", "age_band": "Age band",
              "gender": "Gender", "disability": "Disability"}

wh = page_setup("board", "marts.citizen_focus_satisfaction", "marts.satisfaction_by_equality_group")
settings = inference.settings()
force = choose_force(wh)
st.title("User satisfaction")
c1, c2 = st.columns(2)
window_label = c1.radio("Window", ["Rolling 12 months", "Single month"], horizontal=True, key="window")
window = 12 if window_label == "Rolling 12 months" else 1
boroughs = wh.satisfaction_boroughs(force)
borough = c2.selectbox("Borough", boroughs, format_func=lambda b: "All boroughs (force-wide)" if b == "ALL" else b,
                       key="borough")
df = wh.satisfaction(force, borough, window)
if df.empty:
    st.info(f"No survey results for {md(force)}.")
    st.stop()
df["question_label"] = df["question"].map(QUESTION_LABELS)
first, last = month_name(df["period_end_month"].min()), month_name(df["period_end_month"].max())
where = "force-wide" if borough == "ALL" else borough
st.plotly_chart(charts.rate_bands(df.dropna(subset=["rate"]), "question_label",
                                  f"Satisfied users by question, {where}, {window_label.lower()} ending {first} to "
                                  f"{last} (%, 95% Wilson interval)"), key="trend")


def _rate_text(rate: object, lo: object, hi: object, suppressed: bool, n_display: str) -> tuple[str, str]:
    if suppressed or n_display == "<10":
        return "suppressed (<10)", "–"
    if rate is None or pd.isna(rate):
        return "no responses", "–"
    return charts.pct(rate), f"{charts.pct(lo)} – {charts.pct(hi)}"


def _table(part: pd.DataFrame, label_col: str, label_name: str) -> pd.DataFrame:
    rows = []
    for r in part.itertuples():
        rate, interval = _rate_text(r.rate, r.ci_low, r.ci_high, bool(r.is_suppressed), r.respondents_display)
        rows.append({label_name: getattr(r, label_col), "Satisfied": rate, "95% interval": interval,
                     "Respondents": r.respondents_display,
                     "Reliability": "" if r.reliable else f"⚠ n<{settings.reliable_from_respondents}: treat with "
                                                          "caution"})
    return pd.DataFrame(rows)


st.subheader("Is satisfaction getting better?")
if "marts.satisfaction_change" in wh.tables():  # a warehouse built before the mart existed shows no change
    change = wh.satisfaction_change(force, "ALL", "whole_experience")
    if change is None:
        span = wh.survey_span(force, "marts.citizen_focus_satisfaction")
        st.markdown(inference.not_enough_data(month_name(span[0]), month_name(span[1])))
    else:
        st.markdown(f"Force-wide, whole experience, 12 months to {month_name(change['period_end_month'])} against "
                    f"the 12 months to {month_name(change['previous_period_end_month'])}. "
                    + inference.satisfaction_change_sentence(change, settings))
else:
    st.info("marts.satisfaction_change is not in this warehouse yet: run `citizen-focus build`.")

st.subheader("What drives satisfaction")
DRIVER_GROUPS = {"All": "All respondents", "White": "White respondents", "BME": "BME respondents"}
if "marts.satisfaction_key_drivers" in wh.tables():  # a warehouse built before the mart existed
    driver_group = st.selectbox("Respondents", list(DRIVER_GROUPS), format_func=DRIVER_GROUPS.get,
                                key="driver_group")
    drivers = wh.key_drivers(force, driver_group)
    if drivers.empty:
        st.markdown("No full 12-month window of survey results yet: the key drivers need 12 months.")
    elif not bool(drivers["is_computed"].iloc[0]):
        st.info(f"Not shown: {drivers['respondents_display'].iloc[0]} respondents answered every question in the 12 "
                f"months to {month_name(drivers['period_end_month'].iloc[0])}; the key drivers need at least "
                f"{settings.reliable_from_respondents}.")
    else:
        top = drivers.iloc[0]
        period = f"12 months to {month_name(top['period_end_month'])}"
        st.markdown(key_driver_sentence(top["short_label"], top["importance_share"], top["share_ci_lower"],
                                        top["share_ci_upper"]) + ".")
        st.plotly_chart(charts.key_driver_bars(drivers, f"What explains whole-experience satisfaction, "
                                                        f"{DRIVER_GROUPS[driver_group].lower()}, {period} "
                                                        "(% of explained, 95% bootstrap interval)"),
                        key="drivers_chart")
        st.dataframe(pd.DataFrame({
            "Driver": drivers["driver_label"],
            "Share of what explains it": [whole_percent(v) for v in drivers["importance_share"]],
            "95% interval": [f"{whole_percent(lo)} – {whole_percent(hi)}"
                             for lo, hi in zip(drivers["share_ci_lower"], drivers["share_ci_upper"], strict=True)],
            "Rank": drivers["driver_rank"],
        }), hide_index=True, width="stretch", key="drivers_table")
        st.caption(f"{DRIVER_GROUPS[driver_group]}, force-wide, {period}. "
                   f"Shares of the weighted R² ({top['r_squared']:.2f}) of whole-experience satisfaction on "
                   "satisfaction with each stage and the linked operational outcomes (general dominance); "
                   f"{top['respondents_display']} respondents who answered every stage question, "
                   f"{whole_percent(top['linked_share'])} of them linked to an attendance or a victim-update outcome; "
                   f"intervals from {int(top['bootstrap_replicates'])} bootstrap replicates. Appointments kept are "
                   "not linked to the survey, so they are not a driver.")
else:
    st.info("marts.satisfaction_key_drivers is not in this warehouse yet: run `citizen-focus build`.")

months = sorted(df["period_end_month"].unique(), reverse=True)
month = st.selectbox("Period ending", months, format_func=month_name, key="month")
now = df[df["period_end_month"] == month].copy()
now["order"] = now["question"].map(QUESTIONS.index)
st.subheader(f"{md(where[0].upper() + where[1:])}, {window_label.lower()} ending {month_name(month)}")
st.dataframe(_table(now.sort_values("order"), "question_label", "Question"), hide_index=True, width="stretch",
             key="questions_table")

question = st.selectbox("Question", QUESTIONS, index=QUESTIONS.index("whole_experience"),
                        format_func=QUESTION_LABELS.get, key="question")
tab_b, tab_g = st.tabs(["By borough", "By group"])
with tab_b:
    by_borough = wh.satisfaction_boroughs_compared(force, question, window, as_date(month))
    st.dataframe(_table(by_borough, "borough_code", "Borough"), hide_index=True, width="stretch", key="borough_table")
    st.plotly_chart(charts.interval_bars(by_borough, "borough_code",
                                         f"{QUESTION_LABELS[question]} by borough, {window_label.lower()} ending "
                                         f"{month_name(month)} (%, 95% Wilson interval)"), key="borough_chart")
with tab_g:
    dimension = st.selectbox("Group by", list(DIMENSIONS), format_func=DIMENSIONS.get, key="dimension")
    groups = wh.satisfaction_by_group(force, borough, question, dimension, window, as_date(month))
    st.dataframe(_table(groups, "dimension_value", DIMENSIONS[dimension]), hide_index=True, width="stretch",
                 key="group_table")
    st.plotly_chart(charts.interval_bars(groups, "dimension_value",
                                         f"{QUESTION_LABELS[question]} by {DIMENSIONS[dimension].lower()}, {where}, "
                                         f"{window_label.lower()} ending {month_name(month)} (%, 95% Wilson "
                                         "interval)"), key="group_chart")
st.caption("Satisfied = completely, very or fairly satisfied (weighted). Cells with fewer than 10 respondents are "
           f"suppressed (<10); fewer than {settings.reliable_from_respondents} are marked as unreliable.")
footer(wh)
