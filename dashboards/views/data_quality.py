"""Data quality & loads (admins): the ledger, top reject reasons, freshness, the latest check results.

Reject reasons and ledger messages are shown with quoted values masked; the raw text of a
rejected row (which may hold personal data) is never read.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from dashboards.common import footer, page_setup
from dashboards.text import plural

wh = page_setup("admin", "raw.load_ledger", "raw.rejects")
st.title("Data quality & loads")

fresh = wh.freshness()
st.subheader("Freshness per extract")
if fresh.empty:
    st.info("Nothing has been loaded yet.")
else:
    now = datetime.now(UTC)
    st.dataframe(pd.DataFrame({
        "Extract": fresh["kind"], "Loads": fresh["loads"], "Rows loaded": fresh["rows_loaded"],
        "Last loaded (UTC)": [f"{pd.Timestamp(t):%Y-%m-%d %H:%M}" if pd.notna(t) else "never" for t in
                              fresh["last_loaded_at"]],
        "Age (days)": [f"{(now - pd.Timestamp(t).tz_convert('UTC')).days}" if pd.notna(t) else "–" for t in
                       fresh["last_loaded_at"]],
    }), hide_index=True, width="stretch", key="freshness")

st.subheader("Latest loads")
ledger = wh.ledger()
st.dataframe(pd.DataFrame({
    "Load": ledger["load_id"], "File": ledger["file_name"], "Extract": ledger["kind"],
    "Rows read": ledger["rows_read"], "Loaded": ledger["rows_loaded"], "Rejected": ledger["rows_rejected"],
    "Status": ledger["status"], "Finished (UTC)": [f"{pd.Timestamp(t):%Y-%m-%d %H:%M}" if pd.notna(t) else "–"
                                                   for t in ledger["finished_at"]],
    "Message": ledger["message"],
}), hide_index=True, width="stretch", key="ledger")

st.subheader("Top reject reasons")
reasons = wh.reject_reasons()
if reasons.empty:
    st.success("No rows have been rejected.")
else:
    st.dataframe(pd.DataFrame({"Extract": reasons["kind"], "Reason (values masked)": reasons["reason"],
                               "Rows": reasons["rows_rejected"]}), hide_index=True, width="stretch", key="reasons")

st.subheader("Unrecognised survey values")
unrecognised = wh.unrecognised_values()
if unrecognised is None:
    st.info("The unrecognised-values model is not in this warehouse yet: run `citizen-focus build`.")
elif unrecognised.empty:
    st.success("Every ethnicity value, survey group and answer is recognised by the reference seeds.")
else:
    n_values, n_responses = len(unrecognised), int(unrecognised["responses"].sum())
    st.warning(f"Warning: {plural(n_values, 'survey value')} {plural(n_values, 'matches', 'match', with_number=False)} "
               f"no reference seed ({plural(n_responses, 'response')}); they are left out of the groups they would "
               "decide (an unrecognised ethnicity is neither White nor BME). Extend the seed or correct the extract.")
    st.dataframe(pd.DataFrame({"Force": unrecognised["force_code"], "Field": unrecognised["field_name"],
                               "Value as given": unrecognised["value_as_given"],
                               "Responses": unrecognised["responses"]}), hide_index=True, width="stretch",
                 key="unrecognised")

st.subheader("Latest data-quality check")
run, results = wh.check_results()
if run.empty:
    st.info("`citizen-focus check` has not been run on this warehouse.")
else:
    r = run.iloc[0]
    verdict = "✔ passed" if bool(r["success"]) else "✖ failed"
    st.markdown(f"**{verdict}** at {pd.Timestamp(r['checked_at']):%Y-%m-%d %H:%M} UTC: "
                f"{plural(int(r['expectations']), 'expectation')} in {plural(int(r['suites']), 'suite')}; "
                f"{int(r['failed_critical'])} critical and {plural(int(r['failed_warning']), 'warning failure')}.")
    st.dataframe(pd.DataFrame({
        "Result": ["✔ pass" if s else "✖ fail" for s in results["success"]], "Severity": results["severity"],
        "Suite": results["suite"], "Rule": results["rule"], "Column": results["column_name"],
        "Observed": results["observed_value"], "What it checks": results["description"],
    }), hide_index=True, width="stretch", key="checks")
footer(wh)
