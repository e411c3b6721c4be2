"""BME gap: White vs BME satisfaction with intervals, the gap over time, boroughs ranked, linkage findings."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from citizen_focus.access import role_allows
from dashboards import charts, inference
from dashboards.common import as_date, choose_force, current_role, footer, month_name, page_setup
from dashboards.data import QUESTION_LABELS, QUESTIONS
from dashboards.text import md

wh = page_setup("board", "marts.bme_satisfaction_gap", "marts.satisfaction_by_service_outcome",
                "marts.bme_gap_change")
settings = inference.settings()
force = choose_force(wh)
st.title("White / BME satisfaction gap")
c1, c2, c3 = st.columns(3)
question = c1.selectbox("Question", QUESTIONS, index=QUESTIONS.index("whole_experience"),
                        format_func=QUESTION_LABELS.get, key="question")
window_label = c2.radio("Window", ["Rolling 12 months", "Single month"], horizontal=True, key="window")
window = 12 if window_label == "Rolling 12 months" else 1
boroughs = wh.satisfaction_boroughs(force)
borough = c3.selectbox("Borough", boroughs, format_func=lambda b: "All boroughs (force-wide)" if b == "ALL" else b,
                       key="borough")
gap = wh.bme_gap(force, borough, question, window)
if gap.empty:
    st.info(f"No survey results for {md(force)}.")
    st.stop()
where = "force-wide" if borough == "ALL" else borough
first, last = month_name(gap["period_end_month"].min()), month_name(gap["period_end_month"].max())
label = QUESTION_LABELS[question]
left, right = st.columns(2)
with left:
    st.plotly_chart(charts.white_bme(gap, f"{label}: White and BME satisfied, {where}, {window_label.lower()} "
                                          f"ending {first} to {last} (%, 95% Wilson)"), key="white_bme")
with right:
    st.plotly_chart(charts.gap_over_time(gap, f"{label}: gap White − BME, {where}, {first} to {last} (pp, 95% "
                                              "Newcombe interval)"), key="gap")


def _rate(rate: object, lo: object = None, hi: object = None, n: object = None) -> str:
    if n == "0":
        return "no respondents"
    if rate is None or pd.isna(rate):
        return "suppressed (<10)"
    return charts.pct(rate) + (f" ({charts.pct(lo)} – {charts.pct(hi)})" if lo is not None else "")


def _gap(g: object, lo: object, hi: object) -> str:
    if g is None or pd.isna(g):
        return "suppressed"
    return f"{charts.pp(g)} ({lo:+.1f} to {hi:+.1f})"


def _sig(s: object) -> str:
    if s is None or pd.isna(s):
        return "–"
    return "✔ significant" if s else "not significant"


def _reliability(r: object) -> str:
    return "" if r is None or pd.isna(r) or bool(r) else inference.reliability_note(settings)


st.subheader("Is the gap closing?")
change = wh.gap_change(force, borough, question)
if change is None:
    span = wh.survey_span(force)
    st.markdown(inference.not_enough_data(month_name(span[0]), month_name(span[1])))
else:
    st.markdown(f"{md(where[0].upper() + where[1:])}, {label.lower()}, 12 months to "
                f"{month_name(change['period_end_month'])} against the 12 months to "
                f"{month_name(change['previous_period_end_month'])}. "
                + inference.gap_change_sentence(change, settings))


latest = gap.sort_values("period_end_month").iloc[-1]
st.subheader(f"{md(where[0].upper() + where[1:])}, {window_label.lower()} ending "
             f"{month_name(latest['period_end_month'])}")
st.dataframe(pd.DataFrame([{
    "White": _rate(latest["white_rate"], latest["white_ci_low"], latest["white_ci_high"]),
    "White respondents": latest["white_respondents_display"],
    "BME": _rate(latest["bme_rate"], latest["bme_ci_low"], latest["bme_ci_high"]),
    "BME respondents": latest["bme_respondents_display"],
    "Gap (95% interval)": _gap(latest["gap_pp"], latest["gap_ci_low_pp"], latest["gap_ci_high_pp"]),
    "Significance": _sig(latest["significant"]),
    "Reliability": _reliability(latest["reliable"]),
}]), hide_index=True, width="stretch", key="latest_gap")

ranked = wh.bme_gap_by_borough(force, question, window, as_date(latest["period_end_month"]))
st.subheader(f"Boroughs ranked by gap, {month_name(latest['period_end_month'])}")
adjusted = True
if role_allows(current_role(), "analyst"):  # the unadjusted flag stays available to analysts
    adjusted = not st.toggle("Unadjusted flags (each borough tested on its own)", value=False, key="unadjusted")
tested = int(ranked["p_value"].notna().sum())
st.caption(inference.holm_caption(tested, int(ranked["significant_holm"].fillna(False).sum()),
                                  int(ranked["significant"].fillna(False).sum()), adjusted, settings))
st.dataframe(pd.DataFrame({
    "Borough": ranked["borough_code"],
    "White": [_rate(r, n=n) for r, n in zip(ranked["white_rate"], ranked["white_respondents_display"], strict=True)],
    "White respondents": ranked["white_respondents_display"],
    "BME": [_rate(r, n=n) for r, n in zip(ranked["bme_rate"], ranked["bme_respondents_display"], strict=True)],
    "BME respondents": ranked["bme_respondents_display"],
    "Gap (95% interval)": [_gap(g, lo, hi) for g, lo, hi in zip(ranked["gap_pp"], ranked["gap_ci_low_pp"],
                                                                 ranked["gap_ci_high_pp"], strict=True)],
    "Significance": [_sig(s) for s in ranked["significant_holm" if adjusted else "significant"]],
    "Reliability": [_reliability(r) for r in ranked["reliable"]],
}), hide_index=True, width="stretch", key="ranked_table")
if ranked["gap_pp"].notna().any():
    st.plotly_chart(charts.ranked_gaps(ranked, f"{label}: gap by borough, {window_label.lower()} ending "
                                               f"{month_name(latest['period_end_month'])} (pp, 95% Newcombe)",
                                        adjusted=adjusted, reliable_from=settings.reliable_from_respondents),
                    key="ranked_chart")

st.subheader("Survey ↔ operations: are users whose standard was met more satisfied?")
link = wh.linkage(force)
st.dataframe(pd.DataFrame({
    "Outcome measure": link["outcome_measure"], "Question": link["question"].map(QUESTION_LABELS),
    "Met: satisfied": [_rate(r, n=n) for r, n in zip(link["met_rate"], link["met_respondents"], strict=True)],
    "Met: respondents": link["met_respondents"],
    "Missed: satisfied": [_rate(r, n=n) for r, n in zip(link["missed_rate"], link["missed_respondents"],
                                                        strict=True)],
    "Missed: respondents": link["missed_respondents"],
    "Met − missed (95% interval)": [_gap(g, lo, hi) for g, lo, hi in zip(link["met_minus_missed_pp"],
                                                                           link["ci_low_pp"], link["ci_high_pp"],
                                                                           strict=True)],
    "Significance": [_sig(s) for s in link["significant"]],
}), hide_index=True, width="stretch", key="linkage_table")
st.caption("Whole survey period, force-wide. Groups of fewer than 10 respondents are suppressed.")
footer(wh)
