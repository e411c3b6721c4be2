"""Every dashboard page, run by Streamlit's AppTest, shows exactly what the marts hold.

The warehouse: real satisfaction marts (survey extracts ingested and built with dbt) and the
compliance marts written with hand-chosen values (dashboard_fixtures.py). Each test reads the
expected figures straight from the marts with its own SQL and formats them itself, then compares
them with the tables the page rendered. Also: who sees what (sign-in, roles), the friendly
message for a missing or empty warehouse, a published rebuild picked up without a restart, and
no planted personal data on any page.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from dashboard_fixtures import MARK
from streamlit.testing.v1 import AppTest
from warehouse_builder import cli, query

from citizen_focus.config import PROJECT_DIR
from dashboards.common import ROLE_KEY, USER_KEY

APP = PROJECT_DIR / "dashboards" / "app.py"
BOARD_PAGES = ["views/scorecard.py", "views/calls_attendance.py", "views/satisfaction.py", "views/bme_gap.py",
               "views/complaints_victims.py"]
ANALYST_PAGES = ["views/drilldown.py", "views/exports.py"]
ADMIN_PAGES = ["views/data_quality.py"]
ALL_PAGES = BOARD_PAGES + ANALYST_PAGES + ADMIN_PAGES


def pct(rate, digits: int = 1) -> str:
    return "–" if rate is None or pd.isna(rate) else f"{100 * rate:.{digits}f}%"


@pytest.fixture
def env(dashboard_warehouse: Path, monkeypatch) -> Path:
    monkeypatch.setenv("CITIZEN_FOCUS_DB", str(dashboard_warehouse))
    monkeypatch.setenv("CITIZEN_FOCUS_ACCESS", str(dashboard_warehouse.parent / "access.toml"))
    return dashboard_warehouse


def signed_in(role: str | None, page: str | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    if role:
        at.session_state[ROLE_KEY] = role
        at.session_state[USER_KEY] = f"test-{role}"
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def frame(at: AppTest, *columns: str) -> pd.DataFrame:
    for df in at.dataframe:
        if all(c in df.value.columns for c in columns):
            return df.value.reset_index(drop=True)
    raise AssertionError(f"no table with columns {columns}; tables: {[list(d.value.columns) for d in at.dataframe]}")


def all_text(at: AppTest) -> str:
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "error", "warning", "success", "text"):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [d.value.to_csv() for d in at.dataframe]
    parts += [str(s.options) for s in at.selectbox]
    return "\n".join(parts)


# ---- who sees what ----------------------------------------------------------------------------------

def test_nobody_signed_in_sees_only_the_sign_in(env: Path) -> None:
    at = signed_in(None)
    assert [t.value for t in at.title] == ["Citizen Focus: sign in"]
    assert len(at.dataframe) == 0
    for page in ALL_PAGES:
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)


@pytest.mark.parametrize(("user", "role", "pages"), [
    ("bob", "board", BOARD_PAGES), ("ann", "analyst", BOARD_PAGES + ANALYST_PAGES), ("ada", "admin", ALL_PAGES),
])
def test_local_sign_in_gives_each_role_its_pages_and_no_others(env: Path, user: str, role: str,
                                                                pages: list[str]) -> None:
    at = signed_in(None)
    at.text_input[0].input(user)
    at.text_input[1].input(f"{user}-pw")
    at.button[0].click()
    at.run()
    assert at.session_state[ROLE_KEY] == role
    assert [t.value for t in at.title] == ["Scorecard: every commitment"]
    for page in ALL_PAGES:
        if page in pages:
            at.switch_page(page)
            at.run()
            assert not at.exception and not at.error, page
        else:
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                at.switch_page(page)


def test_a_wrong_password_signs_nobody_in(env: Path) -> None:
    at = signed_in(None)
    at.text_input[0].input("ada")
    at.text_input[1].input("bob-pw")
    at.button[0].click()
    at.run()
    assert ROLE_KEY not in at.session_state
    assert [e.value for e in at.error] == ["User name or password not recognised."]


@pytest.mark.parametrize(("page", "role"), [("exports.py", "board"), ("drilldown.py", "board"),
                                            ("data_quality.py", "board"), ("data_quality.py", "analyst")])
def test_a_page_opened_directly_refuses_a_role_below_it(env: Path, page: str, role: str) -> None:
    at = AppTest.from_file(str(APP.parent / "views" / page), default_timeout=60)
    at.session_state[ROLE_KEY] = role
    at.run()
    assert len(at.error) == 1 and "role and above" in at.error[0].value
    assert len(at.dataframe) == 0


# ---- figures equal the marts ----------------------------------------------------------------------------

def test_scorecard_shows_every_standard_as_in_the_marts(env: Path) -> None:
    at = signed_in("board")
    table = frame(at, "Status", "Standard", "Latest")
    card = query(env, "select standard_id, rate, previous_rate, rolling_12_rate, target_rate, rag, measured "
                      "from marts.promise_scorecard where force_code = 'MPS' order by sort_order")
    assert list(table["Standard"]) == [r[0] for r in card]
    words = {"green": "✔ Green: on target", "amber": "▲ Amber: within 5 points", "red": "✖ Red: below target"}
    for row, (sid, latest, prev, rolling, target, rag, measured) in zip(table.to_dict("records"), card, strict=True):
        assert row["Target"] == pct(target, 0)
        if not measured:
            assert row["Status"] == "– Not measured: no data source" and row["Latest"] == "–"
            assert list(row["Last 12 months (%)"]) == []
            continue
        assert row["Status"] == words[rag]
        assert row["Latest"] == pct(latest)
        assert row["Rolling 12 months"] == pct(rolling)
        assert row["Change"] == ("–" if prev is None else f"{100 * (latest - prev):+.1f} pp")
        monthly = query(env, "select sum(numerator) / sum(denominator) from marts.pledge_compliance where "
                             "standard_id = ? group by period_month order by period_month", [sid])
        assert list(row["Last 12 months (%)"]) == [round(100 * m[0], 1) for m in monthly]  # the sparkline

    missed = [m.value for m in at.markdown if m.value.startswith("- ")]
    below = query(env, "select standard_id from marts.promise_scorecard where rag in ('red', 'amber') "
                       "order by sort_order")
    assert [m.split("**")[1] for m in missed] == [b[0] for b in below]
    cells = query(env, "select borough_code, rag, rate, denominator from marts.pledge_compliance where "
                       "standard_id = 'PLEDGE-6-999' and period_month = '2008-06-01' and rag in ('red', 'amber') "
                       "order by case when denominator >= 10 then rate end nulls last, borough_code")
    n = query(env, "select count(distinct borough_code) from marts.pledge_compliance where "
                   "period_month = '2008-06-01'")[0][0]
    expected = ", ".join(f"{b} ({rag[0].upper()} {pct(rate) if d >= 10 else '<10 records'})"
                         for b, rag, rate, d in cells[:3])
    assert missed[0].endswith(f"; below target in {len(cells)} of {n} boroughs; lowest: {expected}")
    assert "CW (A 85.0%), IS (R <10 records)" in missed[0]


def test_a_national_deployment_chooses_the_force(env: Path, monkeypatch, tmp_path: Path) -> None:
    two = tmp_path / "two_forces.duckdb"
    shutil.copyfile(env, two)
    con = duckdb.connect(str(two))
    con.execute("insert into marts.promise_scorecard select * replace ('CUMB' as force_code, rate / 2 as rate) "
                "from marts.promise_scorecard")
    con.execute("insert into marts.pledge_compliance select * replace ('CUMB' as force_code, 'CU' || borough_code "
                "as borough_code) from marts.pledge_compliance")
    con.close()
    monkeypatch.setenv("CITIZEN_FOCUS_DB", str(two))
    at = signed_in("board")
    assert at.sidebar.selectbox[0].label == "Force" and at.sidebar.selectbox[0].options == ["CUMB", "MPS"]
    assert frame(at, "Standard", "Latest").loc[1, "Latest"] == pct(269 / 305 / 2)  # CUMB first
    at.sidebar.selectbox[0].select("MPS").run()
    assert frame(at, "Standard", "Latest").loc[1, "Latest"] == pct(269 / 305)
    assert "CUCW" not in all_text(at)


def test_scorecard_drills_into_a_borough_with_small_cells_suppressed(env: Path) -> None:
    at = signed_in("board")
    at.selectbox(key="drill_borough").select("IS").run()
    table = frame(at, "Standard", "Rate", "Records")
    assert table.to_dict("records") == [{"Standard": "PLEDGE-6-999", "Status": "✖ Red: below target",
                                         "Rate": "<10 records", "Within standard": "<10", "Records": "<10",
                                         "Pending": "0"}]
    at.selectbox(key="drill_borough").select("HK").run()
    table = frame(at, "Standard", "Rate", "Records")
    rows = query(env, "select standard_id, rate, numerator, denominator from marts.pledge_compliance where "
                      "borough_code = 'HK' and period_month = '2008-06-01' order by standard_id")
    assert list(table["Standard"]) == [r[0] for r in rows]
    assert list(table["Rate"]) == [pct(r[1]) for r in rows]
    assert list(table["Records"]) == [str(r[3]) for r in rows]


def test_calls_page_monthly_table_and_league_table_equal_the_marts(env: Path) -> None:
    at = signed_in("board", "views/calls_attendance.py")
    monthly = frame(at, "Month", "Within standard", "Records")
    rows = query(env, "select strftime(period_month, '%B %Y'), sum(numerator), sum(denominator), sum(pending), "
                      "sum(numerator) / sum(denominator) from marts.pledge_compliance where standard_id = "
                      "'PLEDGE-6-999' group by period_month order by period_month")
    assert list(monthly["Month"]) == [r[0] for r in rows]
    assert list(monthly["Within standard"]) == [pct(r[4]) for r in rows]
    assert list(monthly["Met"]) == [str(r[1]) for r in rows]
    assert list(monthly["Records"]) == [str(r[2]) for r in rows]
    league = frame(at, "Rank", "Borough")
    assert list(league["Borough"]) == ["HK", "CW", "IS"]  # 95%, 85%, then the suppressed cell
    assert list(league["Within standard"]) == ["95.0%", "85.0%", "<10 records"]
    assert list(league["Records"]) == ["100", "200", "<10"]
    hk12 = query(env, "select sum(numerator) / sum(denominator) from marts.pledge_compliance where "
                      "standard_id = 'PLEDGE-6-999' and borough_code = 'HK'")[0][0]
    assert league.loc[0, "Rolling 12 months"] == pct(hk12)
    assert league.loc[2, "Rolling 12 months"] == "<10 records"


def test_complaints_page_equals_the_marts(env: Path) -> None:
    at = signed_in("board", "views/complaints_victims.py")
    latest = frame(at, "Standard", "Within standard", "Items")
    assert latest.to_dict("records") == [
        {"Standard": "PLEDGE-11-ACK-24H", "Within standard": "90.0%", "Target": "95%", "Met": "27", "Items": "30",
         "Pending": "<10"},
        {"Standard": "PLEDGE-12-MONTHLY-UPDATE", "Within standard": "60.0%", "Target": "90%", "Met": "12",
         "Items": "20", "Pending": "0"},
    ]
    volumes = frame(at, "Category", "Channel")
    rows = query(env, "select category, channel, count(*) from marts.compliance_records where standard_id = "
                      "'PLEDGE-11-ACK-24H' group by all order by all")
    assert [tuple(r) for r in volumes[["Category", "Channel"]].itertuples(index=False)] == [r[:2] for r in rows]
    assert list(volumes["Items"]) == ["<10"] * len(rows)  # 1 or 2 items each: never a small count on screen


def _sat_rows(env: Path, where: str, params: list) -> list[tuple]:
    return query(env, "select respondents_display, rate, ci_low, ci_high, is_suppressed, reliable from "
                      f"marts.citizen_focus_satisfaction where force_code = 'MPS' and window_months = 12 and "
                      f"period_end_month = '2008-06-01' and {where}", params)


def _expected_sat(r: tuple) -> dict:
    n, rate, lo, hi, suppressed, reliable = r
    return {"Satisfied": "suppressed (<10)" if suppressed else pct(rate),
            "95% interval": "–" if suppressed else f"{pct(lo)} – {pct(hi)}", "Respondents": n,
            "Reliability": "" if reliable else "⚠ n<50: treat with caution"}


def test_satisfaction_page_equals_the_marts(env: Path) -> None:
    at = signed_in("board", "views/satisfaction.py")
    questions = frame(at, "Question", "Satisfied")
    labels = ["Ease of contact", "Action taken", "Kept informed", "Treatment", "Whole experience"]
    assert list(questions["Question"]) == labels
    for row, q in zip(questions.to_dict("records"), ["ease_of_contact", "action_taken", "kept_informed", "treatment",
                                                     "whole_experience"], strict=True):
        expected = _expected_sat(_sat_rows(env, "borough_code = 'ALL' and question = ?", [q])[0])
        assert {k: row[k] for k in expected} == expected
    boroughs = frame(at, "Borough", "Satisfied")
    rows = _sat_rows(env, "borough_code <> 'ALL' and question = 'whole_experience' order by rate desc nulls last, "
                          "borough_code", [])
    assert [{k: r[k] for k in ("Satisfied", "95% interval", "Respondents", "Reliability")}
            for r in boroughs.to_dict("records")] == [_expected_sat(r) for r in rows]
    assert list(boroughs["Borough"]) == ["CW", "HK", "IS"]
    by_name = boroughs.set_index("Borough")
    assert by_name.loc["IS", "Respondents"] == "12"  # IS: 4 a month, 12 in the rolling window: shown, unreliable
    assert by_name.loc["IS", "Reliability"] == "⚠ n<50: treat with caution"
    assert by_name.loc["HK", "Reliability"] == ""  # 20 a month, 60 in the window

    at.selectbox(key="dimension").select("ethnic_group").run()
    groups = frame(at, "Ethnic group", "Satisfied")
    rows = query(env, "select dimension_value, respondents_display, rate, ci_low, ci_high, is_suppressed, reliable "
                      "from marts.satisfaction_by_equality_group where borough_code = 'ALL' and question = "
                      "'whole_experience' and dimension = 'ethnic_group' and window_months = 12 and "
                      "period_end_month = '2008-06-01' order by dimension_value")
    assert list(groups["Ethnic group"]) == [r[0] for r in rows]
    assert [r["Satisfied"] for r in groups.to_dict("records")] == [_expected_sat(r[1:])["Satisfied"] for r in rows]


def test_single_month_window_and_a_borough(env: Path) -> None:
    at = signed_in("board", "views/satisfaction.py")
    at.radio(key="window").set_value("Single month").run()
    at.selectbox(key="borough").select("IS").run()
    questions = frame(at, "Question", "Satisfied")
    assert list(questions["Respondents"]) == ["<10"] * 5
    assert list(questions["Satisfied"]) == ["suppressed (<10)"] * 5


def test_bme_gap_page_equals_the_marts(env: Path) -> None:
    at = signed_in("board", "views/bme_gap.py")
    latest = frame(at, "White", "BME", "Gap (95% interval)")
    (w, wl, wh, b, bl, bh, g, gl, gh, sig, wn, bn, rel), = query(
        env, "select white_rate, white_ci_low, white_ci_high, bme_rate, bme_ci_low, bme_ci_high, gap_pp, "
             "gap_ci_low_pp, gap_ci_high_pp, significant, white_respondents_display, bme_respondents_display, "
             "reliable from "
             "marts.bme_satisfaction_gap where borough_code = 'ALL' and question = 'whole_experience' and "
             "window_months = 12 and period_end_month = '2008-06-01'")
    assert latest.to_dict("records") == [{
        "White": f"{pct(w)} ({pct(wl)} – {pct(wh)})", "White respondents": wn,
        "BME": f"{pct(b)} ({pct(bl)} – {pct(bh)})", "BME respondents": bn,
        "Gap (95% interval)": f"{g:+.1f} pp ({gl:+.1f} to {gh:+.1f})",
        "Significance": "✔ significant" if sig else "not significant",
        "Reliability": "" if rel else "⚠ a group has fewer than 50 respondents: treat with caution"}]
    ranked = frame(at, "Borough", "Gap (95% interval)")
    rows = query(env, "select borough_code, gap_pp, gap_ci_low_pp, gap_ci_high_pp, bme_respondents_display from "
                      "marts.bme_satisfaction_gap where borough_code <> 'ALL' and question = 'whole_experience' and "
                      "window_months = 12 and period_end_month = '2008-06-01' order by gap_pp desc nulls last, "
                      "borough_code")
    assert list(ranked["Borough"]) == [r[0] for r in rows]
    assert list(ranked["Gap (95% interval)"]) == [
        "suppressed" if r[1] is None else f"{r[1]:+.1f} pp ({r[2]:+.1f} to {r[3]:+.1f})" for r in rows]
    assert "<10" in list(ranked["BME respondents"])  # IS: 4 a month
    linkage = frame(at, "Outcome measure", "Met − missed (95% interval)")
    n = query(env, "select count(distinct (outcome_measure, question)) from marts.satisfaction_by_service_outcome "
                   "where borough_code = 'ALL' and window_name = 'whole_period'")[0][0]
    assert len(linkage) == n
    rows = query(env, "select outcome_measure, question, respondents_display, rate from "
                      "marts.satisfaction_by_service_outcome where borough_code = 'ALL' and window_name = "
                      "'whole_period' and outcome_group = 'missed' order by outcome_measure, question")
    assert list(linkage["Missed: respondents"]) == [r[2] for r in rows]
    assert list(linkage["Missed: satisfied"]) == ["no respondents" if r[2] == "0" else "suppressed (<10)"
                                                  if r[3] is None else pct(r[3]) for r in rows]


def _family(env: Path, column: str) -> list[tuple]:
    return query(env, f"select borough_code, {column}, reliable, p_value from marts.bme_satisfaction_gap where "
                      "borough_code <> 'ALL' and question = 'whole_experience' and window_months = 12 and "
                      "period_end_month = '2008-06-01' order by gap_pp desc nulls last, borough_code")


@pytest.mark.parametrize(("role", "unadjusted"), [("board", False), ("analyst", False), ("analyst", True)])
def test_bme_gap_flags_boroughs_by_holm_unless_an_analyst_asks(env: Path, role: str, unadjusted: bool) -> None:
    at = signed_in(role, "views/bme_gap.py")
    assert len(at.toggle) == (1 if role == "analyst" else 0)  # the unadjusted flag is for analysts only
    if unadjusted:
        at.toggle(key="unadjusted").set_value(True).run()
    rows = _family(env, "significant" if unadjusted else "significant_holm")
    holm = sum(bool(r[1]) for r in _family(env, "significant_holm"))
    plain = sum(bool(r[1]) for r in _family(env, "significant"))
    tested = sum(r[3] is not None for r in rows)
    assert tested == 2  # CW and HK have p-values; IS is suppressed
    ranked = frame(at, "Borough", "Significance", "Reliability")
    assert list(ranked["Borough"]) == [r[0] for r in rows]
    assert list(ranked["Significance"]) == ["–" if r[1] is None else "✔ significant" if r[1] else "not significant"
                                            for r in rows]
    assert (ranked["Significance"] == "✔ significant").sum() == (plain if unadjusted else holm)
    assert list(ranked["Reliability"]) == ["" if r[2] is None or r[2] else
                                           "⚠ a group has fewer than 50 respondents: treat with caution" for r in rows]
    assert "⚠ a group has fewer than 50 respondents: treat with caution" in list(ranked["Reliability"])  # HK, IS
    captions = [c.value for c in at.caption if "boroughs tested" in c.value or "Unadjusted flags" in c.value]
    if unadjusted:
        assert captions == [f"Unadjusted flags: each borough tested on its own at 5%; with {tested} tests, about "
                            f"{tested * 0.05:.1f} would look significant by chance alone. {plain} of {tested} flagged "
                            f"({holm} after Holm's adjustment)."]
    else:
        assert captions == [f"Flags use Holm's adjustment across the {tested} boroughs tested: with {tested} tests at "
                            f"5%, about {tested * 0.05:.1f} would look significant by chance alone. {holm} of "
                            f"{tested} flagged after adjustment ({plain} before)."]


def test_bme_gap_page_says_not_enough_data_for_a_change_on_three_months(env: Path) -> None:
    assert query(env, "select count(*) from marts.bme_gap_change")[0][0] == 0  # 3 months: no earlier window
    at = signed_in("board", "views/bme_gap.py")
    assert "Is the gap closing?" in [h.value for h in at.subheader]
    assert ("Not enough data: a change needs this year's 12 months and the 12 months before, both full, i.e. 24 "
            "months of survey (survey months held: April 2008 to June 2008).") in [m.value for m in at.markdown]


def test_scorecard_says_not_enough_data_for_the_gap_change_on_three_months(env: Path) -> None:
    at = signed_in("board")
    assert "Is the BME satisfaction gap closing?" in [h.value for h in at.subheader]
    assert ("Not enough data: a change needs this year's 12 months and the 12 months before, both full, i.e. 24 "
            "months of survey (survey months held: April 2008 to June 2008).") in [m.value for m in at.markdown]


# ---- change over time: 24 months of generated sample (dashboard_fixtures.build_sample_warehouse) ------------

LATEST, PREVIOUS = "2009-03-01", "2008-03-01"  # the two 12-month windows of the 24-month sample


def use(db: Path, monkeypatch) -> Path:
    monkeypatch.setenv("CITIZEN_FOCUS_DB", str(db))
    return db


def _one(db: Path, sql: str, params: list | None = None) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    try:
        df = con.execute(sql, params or []).df()
    finally:
        con.close()
    assert len(df) == 1, df
    return df.iloc[0].to_dict()


def _change_lines(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if "12 months to" in m.value or m.value.startswith("Not enough data")]


def _gap_family(db: Path) -> pd.DataFrame:
    """The latest force-wide family: every borough row of whole experience, 12 months to March 2009."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("select borough_code, gap_pp, p_value, significant, significant_holm, reliable from "
                           "marts.bme_satisfaction_gap where borough_code <> 'ALL' and question = 'whole_experience' "
                           "and window_months = 12 and period_end_month = ? order by gap_pp desc nulls last, "
                           "borough_code", [LATEST]).df()
    finally:
        con.close()


def _moved(before: float, now: float) -> str:
    """The verb the rule in docs/marts.md gives a change of a positive gap (written here, not imported)."""
    if before > 0 and now < before:
        return "narrowed"
    return "widened" if before > 0 and now > before else "moved"


def _expected_gap_sentence(db: Path) -> str:
    """The closing sentence from the mart's own figures, rounded to one decimal."""
    r = _one(db, "select * from marts.bme_gap_change where borough_code = 'ALL' and question = 'whole_experience'")
    assert str(r["period_end_month"].date()) == LATEST and str(r["previous_period_end_month"].date()) == PREVIOUS
    assert r["reliable"] and r["gap_pp"] > 0 and r["previous_gap_pp"] > 0
    if r["closing"]:
        verdict = "is statistically significant: the gap is closing."
    elif r["widening"]:
        verdict = "is statistically significant: the gap is widening."
    else:
        assert not r["significant"]  # both gaps positive: significant means closing or widening
        verdict = "is not statistically significant: no evidence that the gap is closing or widening."
    return (f"Force-wide, whole experience, 12 months to March 2009 against the 12 months to March 2008. The gap "
            f"{_moved(r['previous_gap_pp'], r['gap_pp'])} from {r['previous_gap_pp']:.1f} to {r['gap_pp']:.1f} "
            f"points; the change, {r['change_pp']:.1f} points (95% interval {r['change_ci_low_pp']:.1f} to "
            f"{r['change_ci_high_pp']:.1f}), {verdict}")


def test_bme_gap_page_says_whether_the_gap_is_closing_on_24_months(env: Path, sample_warehouse_24: Path,
                                                                    monkeypatch) -> None:
    db = use(sample_warehouse_24, monkeypatch)
    at = signed_in("board", "views/bme_gap.py")
    assert "Is the gap closing?" in [h.value for h in at.subheader]
    expected = _expected_gap_sentence(db)
    assert _change_lines(at) == [expected]
    # the change checked by hand: gap now - gap before, from the gap mart's own two 12-month rows
    gaps = {str(m): 100 * (w - b) for m, w, b in query(
        db, "select period_end_month, white_rate, bme_rate from marts.bme_satisfaction_gap where borough_code = "
            "'ALL' and question = 'whole_experience' and window_months = 12 and period_end_month in (?, ?)",
        [LATEST, PREVIOUS])}
    by_hand = gaps[LATEST] - gaps[PREVIOUS]
    assert f"the change, {by_hand:.1f} points (95% interval" in expected
    assert f"{_moved(gaps[PREVIOUS], gaps[LATEST])} from {gaps[PREVIOUS]:.1f} to {gaps[LATEST]:.1f} points" in expected

    family = _gap_family(db)
    tested, holm, plain = int(family["p_value"].notna().sum()), int(family["significant_holm"].sum()), \
        int(family["significant"].sum())
    # 32 boroughs; Holm keeps none of the 3 unadjusted flags (3 since the sample's planted key driver,
    # docs/sample-data.md, re-drew which respondents are satisfied with the whole experience; 1 before)
    assert (tested, holm, plain) == (32, 0, 3)
    captions = [c.value for c in at.caption if "boroughs tested" in c.value]
    assert captions == [f"Flags use Holm's adjustment across the {tested} boroughs tested: with {tested} tests at "
                        f"5%, about {tested * 0.05:.1f} would look significant by chance alone. {holm} of {tested} "
                        f"flagged after adjustment ({plain} before)."]


def _ranked_chart(at: AppTest) -> dict[str, tuple[str, str]]:
    """borough -> (marker symbol, legend name) as the page's ranked chart draws it."""
    import json

    spec = json.loads(at.get("plotly_chart")[-1].proto.spec)
    assert "gap by borough" in spec["layout"]["title"]["text"]
    return {b: (t["marker"]["symbol"], t["name"]) for t in spec["data"] for b in t["y"]}


def _expected_marks(family: pd.DataFrame, column: str, kind: str) -> dict[str, tuple[str, str]]:
    out = {}
    for r in family.dropna(subset=["gap_pp"]).itertuples():
        flagged = bool(getattr(r, column))
        symbol, name = ("diamond", f"significant ({kind})") if flagged else ("circle", f"not significant ({kind})")
        if not r.reliable:
            symbol, name = symbol + "-open", name + ", unreliable: a group under 50 respondents"
        out[r.borough_code] = (symbol, name)
    return out


def test_the_analyst_toggle_switches_table_and_chart_to_the_unadjusted_flags(env: Path, sample_warehouse_24: Path,
                                                                              monkeypatch) -> None:
    db = use(sample_warehouse_24, monkeypatch)
    family = _gap_family(db)
    word = {True: "✔ significant", False: "not significant"}
    at = signed_in("analyst", "views/bme_gap.py")
    ranked = frame(at, "Borough", "Significance", "Reliability")
    assert list(ranked["Borough"]) == list(family["borough_code"])
    holm_words = ["–" if pd.isna(s) else word[bool(s)] for s in family["significant_holm"]]
    assert list(ranked["Significance"]) == holm_words
    assert _ranked_chart(at) == _expected_marks(family, "significant_holm", "Holm-adjusted")

    at.toggle(key="unadjusted").set_value(True).run()
    ranked = frame(at, "Borough", "Significance", "Reliability")
    for borough, significant, shown in zip(family["borough_code"], family["significant"], ranked["Significance"],
                                           strict=True):
        assert shown == ("–" if pd.isna(significant) else word[bool(significant)]), borough
    assert list(ranked["Significance"]) != holm_words  # RB is flagged only before adjustment
    assert {b for b, s in zip(ranked["Borough"], ranked["Significance"], strict=True) if s == word[True]} == \
        set(family.loc[family["significant"].fillna(False).astype(bool), "borough_code"])
    chart = _ranked_chart(at)
    assert chart == _expected_marks(family, "significant", "unadjusted")
    assert chart["RB"][0] == "diamond-open"  # significant only unadjusted, and unreliable
    assert chart["CW"] == ("circle", "not significant (unadjusted)")  # reliable, not significant


def test_scorecard_says_the_same_closing_sentence_on_24_months(env: Path, sample_warehouse_24: Path,
                                                                monkeypatch) -> None:
    db = use(sample_warehouse_24, monkeypatch)
    at = signed_in("board")
    assert "Is the BME satisfaction gap closing?" in [h.value for h in at.subheader]
    assert _change_lines(at) == [_expected_gap_sentence(db)]
    gap_page = signed_in("board", "views/bme_gap.py")
    assert _change_lines(gap_page) == _change_lines(at)


def test_satisfaction_page_says_whether_satisfaction_is_getting_better_on_24_months(
        env: Path, sample_warehouse_24: Path, monkeypatch) -> None:
    db = use(sample_warehouse_24, monkeypatch)
    at = signed_in("board", "views/satisfaction.py")
    assert "Is satisfaction getting better?" in [h.value for h in at.subheader]
    r = _one(db, "select * from marts.satisfaction_change where borough_code = 'ALL' and question = "
                 "'whole_experience' and period_end_month = ?", [LATEST])
    assert str(r["previous_period_end_month"].date()) == PREVIOUS
    assert r["reliable"] and r["rate"] != r["previous_rate"]
    word = "rose" if r["rate"] > r["previous_rate"] else "fell"
    significant = r["change_ci_low_pp"] > 0 or r["change_ci_high_pp"] < 0  # the interval excludes 0
    assert bool(r["significant"]) == significant
    verdict = (f"is statistically significant: satisfaction is {'rising' if word == 'rose' else 'falling'}."
               if significant else "is not statistically significant.")
    expected = (f"Force-wide, whole experience, 12 months to March 2009 against the 12 months to March 2008. "
                f"Satisfaction {word} from {100 * r['previous_rate']:.1f}% to {100 * r['rate']:.1f}%; the change, "
                f"{r['change_pp']:.1f} points (95% interval {r['change_ci_low_pp']:.1f} to "
                f"{r['change_ci_high_pp']:.1f}), {verdict}")
    assert _change_lines(at) == [expected]
    # by hand: rate now - rate before, from the satisfaction mart's own two 12-month rows
    rates = dict(query(db, "select strftime(period_end_month, '%Y-%m-%d'), rate from marts.citizen_focus_satisfaction "
                           "where borough_code = 'ALL' and question = 'whole_experience' and window_months = 12 and "
                           "period_end_month in (?, ?)", [LATEST, PREVIOUS]))
    assert f"the change, {100 * (rates[LATEST] - rates[PREVIOUS]):.1f} points (95% interval" in expected
    assert f"{word} from {100 * rates[PREVIOUS]:.1f}% to {100 * rates[LATEST]:.1f}%" in expected


NOT_ENOUGH_12 = ("Not enough data: a change needs this year's 12 months and the 12 months before, both full, i.e. 24 "
                 "months of survey (survey months held: April 2008 to March 2009).")


@pytest.mark.parametrize(("page", "heading"), [("views/bme_gap.py", "Is the gap closing?"),
                                               ("views/satisfaction.py", "Is satisfaction getting better?")])
def test_twelve_months_of_survey_are_not_enough_for_a_change(env: Path, sample_warehouse_12: Path, monkeypatch,
                                                             page: str, heading: str) -> None:
    db = use(sample_warehouse_12, monkeypatch)
    assert query(db, "select count(*) from marts.bme_gap_change")[0][0] == 0
    assert query(db, "select count(*) from marts.satisfaction_change")[0][0] == 0
    assert query(db, "select count(*) from marts.citizen_focus_satisfaction where window_months = 12 and "
                     "is_full_window and borough_code = 'ALL' and question = 'whole_experience'") == [(1,)]
    at = signed_in("board", page)
    assert heading in [h.value for h in at.subheader]
    assert _change_lines(at) == [NOT_ENOUGH_12]


def test_drilldown_lists_the_records_of_the_chosen_cell(env: Path) -> None:
    at = signed_in("analyst", "views/drilldown.py")
    at.selectbox(key="dd_standard").select("PLEDGE-6-999").run()
    at.selectbox(key="dd_outcome").select("missed").run()
    records = frame(at, "record_id", "outcome")
    rows = query(env, "select record_id, elapsed_seconds from marts.compliance_records where standard_id = "
                      "'PLEDGE-6-999' and outcome = 'missed' order by started_at, record_id")
    assert list(records["record_id"]) == [r[0] for r in rows] == [f"c{i}" for i in range(5, 12)]
    assert list(records["elapsed_seconds"]) == [r[1] for r in rows]


def test_exports_page_preview_is_suppressed_like_the_screen(env: Path) -> None:
    at = signed_in("analyst", "views/exports.py")
    assert at.selectbox(key="export_table").value.startswith("BME gap by borough")  # the analysts' first question
    assert len(at.get("download_button")) == 2
    preview = frame(at, "borough_code", "bme_respondents", "gap_pp")
    rows = query(env, "select borough_code, question, bme_respondents, gap_pp from marts.bme_satisfaction_gap "
                      "where window_months = 12 and period_end_month = '2008-06-01' and borough_code <> 'ALL' "
                      "order by gap_pp desc nulls last, borough_code, question")
    assert list(zip(preview["borough_code"], preview["question"], strict=True)) == [r[:2] for r in rows]
    assert list(preview["bme_respondents"]) == ["<10" if 0 < r[2] < 10 else str(r[2]) for r in rows]
    assert "<10" in set(preview["bme_respondents"])
    assert preview[preview["borough_code"] == "IS"]["bme_n_eff"].isna().all()  # it would reveal the count


def test_data_quality_page_equals_the_ledger(env: Path) -> None:
    at = signed_in("admin", "views/data_quality.py")
    ledger = frame(at, "Load", "File", "Rows read")
    rows = query(env, "select load_id, file_name, rows_read, rows_loaded, rows_rejected from raw.load_ledger "
                      "order by load_id desc")
    assert [tuple(r) for r in ledger[["Load", "File", "Rows read", "Loaded", "Rejected"]].itertuples(index=False)] \
        == rows
    fresh = frame(at, "Extract", "Loads", "Rows loaded")
    assert sorted(fresh["Extract"]) == ["calls", "feedback", "incidents", "survey_responses", "victim_contacts"]
    assert "`citizen-focus check` has not been run on this warehouse." in [i.value for i in at.info]
    reasons = frame(at, "Reason (values masked)")
    rejects = query(env, "select kind, reason, rejected_values, count(*) from raw.rejects group by all")
    # the planted value is kept apart from the reason (docs/data-protection.md)...
    assert len(rejects) == 1 and MARK not in rejects[0][1] and MARK in rejects[0][2]
    assert reasons.to_dict("records") == [{"Extract": "calls", "Reason (values masked)": rejects[0][1],
                                           "Rows": 1}]  # ...and the page shows the reason alone
    assert MARK not in reasons.to_csv()


def test_data_quality_page_lists_an_unrecognised_ethnicity_label_with_its_count(monkeypatch, tmp_path: Path) -> None:
    from dashboard_fixtures import FILES
    from warehouse_builder import build_warehouse

    survey = FILES["survey_responses_mps.csv"].splitlines(keepends=True)
    invented = [line.replace(",W1,", ",Martian - Other,", 1) for line in survey[1:8] if ",W1," in line]
    db = build_warehouse(tmp_path, {"survey_responses_mps.csv": "".join(survey[:1] + invented + survey[8:])})
    dashboard_dir = db.parent
    from dashboard_fixtures import write_access

    write_access(dashboard_dir / "access.toml")
    monkeypatch.setenv("CITIZEN_FOCUS_DB", str(db))
    monkeypatch.setenv("CITIZEN_FOCUS_ACCESS", str(dashboard_dir / "access.toml"))
    at = signed_in("admin", "views/data_quality.py")
    table = frame(at, "Field", "Value as given", "Responses")
    assert len(invented) == 4  # rows 2, 3, 5, 6 of the first month are W1
    assert table.to_dict("records") == [{"Force": "MPS", "Field": "ethnicity_code", "Value as given": "Martian - Other",
                                         "Responses": len(invented)}]
    assert [w.value for w in at.warning] == [
        "Warning: 1 survey value matches no reference seed (4 responses); they are left out of the groups they "
        "would decide (an unrecognised ethnicity is neither White nor BME). Extend the seed or correct the extract."]
    assert query(db, "select sum(unrecognised_ethnicity_respondents) from marts.bme_satisfaction_gap where "
                     "borough_code = 'ALL' and question = 'whole_experience' and window_months = 1") == [(4,)]


def test_an_oidc_provider_in_secrets_adds_its_sign_in_button(env: Path) -> None:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
                          "client_id": "id", "client_secret": "secret",
                          "server_metadata_url": "https://idp.example/.well-known/openid-configuration"}
    at.run()
    assert [b.label for b in at.button][:1] == ["Sign in with your organisation account"]
    assert ROLE_KEY not in at.session_state  # the provider alone grants no role
    plain = signed_in(None)
    assert "Sign in with your organisation account" not in [b.label for b in plain.button]


def test_benchmark_queries_cover_every_page_and_run(env: Path) -> None:
    from dashboards.data import BENCHMARK_QUERIES

    calls = BENCHMARK_QUERIES(env)
    assert {name.split(".")[0] for name in calls} == {"scorecard", "calls", "complaints", "satisfaction", "bme_gap",
                                                      "data_quality"}
    for name, fn in calls.items():
        result = fn()
        assert len(result) > 0, name


def test_data_quality_page_shows_the_latest_check_run(env: Path, monkeypatch, tmp_path: Path) -> None:
    checked = tmp_path / "checked.duckdb"
    shutil.copyfile(env, checked)
    result = cli("check", "--db", str(checked), env={"GX_ANALYTICS_ENABLED": "false"})
    assert "Results stored in quality.check_results" in result.stdout, result.stderr[-2000:]
    monkeypatch.setenv("CITIZEN_FOCUS_DB", str(checked))
    at = signed_in("admin", "views/data_quality.py")
    (suites, expectations, critical, warning, success), = query(
        checked, "select suites, expectations, failed_critical, failed_warning, success from quality.check_runs")
    verdict = [m.value for m in at.markdown if "expectations in" in m.value]
    assert verdict == [f"**{'✔ passed' if success else '✖ failed'}** at " + verdict[0].split(" at ", 1)[1]]
    failures = "1 warning failure" if warning == 1 else f"{warning} warning failures"
    assert verdict[0].endswith(f"{expectations} expectations in {suites} suites; {critical} critical and "
                               f"{failures}.")
    checks = frame(at, "Result", "Severity", "Rule")
    rows = query(checked, "select success, severity, suite, rule from quality.check_results order by success, "
                          "severity, suite, rule, column_name nulls first, expectation, observed_value")
    assert [(r == "✔ pass", s, su, ru) for r, s, su, ru in checks[["Result", "Severity", "Suite", "Rule"]]
            .itertuples(index=False)] == rows
    assert MARK not in all_text(at)


# ---- missing, empty and rebuilt warehouses -------------------------------------------------------------

def test_a_missing_warehouse_gives_a_message_not_a_traceback(env: Path, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CITIZEN_FOCUS_DB", str(tmp_path / "nowhere.duckdb"))
    for page in BOARD_PAGES:
        at = signed_in("board", page)
        assert len(at.info) == 1 and at.info[0].value.startswith(f"No warehouse at {tmp_path / 'nowhere.duckdb'}")
        assert not at.exception and len(at.dataframe) == 0


def test_an_empty_warehouse_gives_a_message(env: Path, monkeypatch, tmp_path: Path) -> None:
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    monkeypatch.setenv("CITIZEN_FOCUS_DB", str(empty))
    at = signed_in("board")
    assert [i.value for i in at.info] == [f"The warehouse at {empty} has no published marts yet: run "
                                          "`citizen-focus build`, then reload this page."]


def test_a_published_rebuild_is_picked_up_on_the_next_run_without_restart(env: Path, monkeypatch,
                                                                          tmp_path: Path) -> None:
    published = tmp_path / "published.duckdb"
    shutil.copyfile(env, published)
    monkeypatch.setenv("CITIZEN_FOCUS_DB", str(published))
    at = signed_in("board")
    assert frame(at, "Standard", "Latest").loc[1, "Latest"] == "88.2%"
    rebuilt = tmp_path / "rebuilt.duckdb"
    shutil.copyfile(env, rebuilt)
    con = duckdb.connect(str(rebuilt))
    con.execute("update marts.promise_scorecard set rate = 0.5 where standard_id = 'PLEDGE-6-999'")
    con.close()
    os.replace(rebuilt, published)  # what citizen_focus.publish does
    at.run()
    assert frame(at, "Standard", "Latest").loc[1, "Latest"] == "50.0%"


# ---- privacy ------------------------------------------------------------------------------------------

def test_no_page_shows_planted_personal_data(env: Path) -> None:
    assert query(env, "select count(*) from raw.survey_responses where respondent_name like ?", [f"%{MARK}%"])[0][0]
    at = signed_in("admin")
    texts = []
    for page in ALL_PAGES:
        at.switch_page(page)
        at.run()
        assert not at.exception
        texts.append(all_text(at))
    assert "Respondent" not in "".join(texts) or MARK not in "".join(texts)
    assert MARK not in "\n".join(texts)
    assert "CW" in "\n".join(texts)  # the scan reads real page text


def test_each_page_is_a_dbt_exposure_depending_on_the_marts_it_reads() -> None:
    import re

    import yaml

    from dashboards.common import PAGES
    from dashboards.data import PAGE_TABLES

    exposures = yaml.safe_load((PROJECT_DIR / "models" / "marts" / "_marts__exposures.yml").read_text())["exposures"]
    names = {"complaints_victim_care": "complaints_victims", "record_drilldown": "drilldown"}
    by_page = {names.get(e["name"].removeprefix("dashboard_"), e["name"].removeprefix("dashboard_")): e
               for e in exposures}
    assert set(by_page) == set(PAGE_TABLES) and len(by_page) == len(PAGES)
    for page, exposure in by_page.items():
        refs = {re.fullmatch(r"ref\('(\w+)'\)", d).group(1) for d in exposure.get("depends_on") or []}
        assert refs == {t.split(".")[1] for t in PAGE_TABLES[page] if t.startswith("marts.")}, page
        assert exposure["type"] == "dashboard" and exposure["url"].startswith("http://localhost:8501/")
