"""The monthly board pack (citizen_focus/report.py): the PDF read back equals the marts.

The warehouse is the dashboard tests' (dashboard_fixtures.py: real satisfaction marts built by dbt
from hand-written survey extracts, compliance marts with hand-chosen cells). The pack is made by the
installed `citizen-focus report` command, read back with pypdf, and every figure is compared with
the marts (own SQL here) and with values worked out by hand from the fixture's cells.
"""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from dashboard_fixtures import MARK
from pypdf import PdfReader
from warehouse_builder import cli, query

from citizen_focus.config import PROJECT_DIR

MONTH = "2008-06"


def pdf_pages(path: Path) -> list[str]:
    return [" ".join((page.extract_text() or "").split()) for page in PdfReader(str(path)).pages]


def summary_text(pages: list[str]) -> str:
    """The summary: the pages before the scorecard starts."""
    out = []
    for text in pages:
        if text.startswith("Scorecard,"):
            break
        out.append(text)
    return " ".join(out)


def make_pack(db: Path, out: Path, month: str = MONTH) -> list[str]:
    result = cli("report", "--month", month, "--db", str(db), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "WARNING" not in result.stderr
    return pdf_pages(out)


@pytest.fixture(scope="module")
def pack(dashboard_warehouse: Path, tmp_path_factory) -> tuple[Path, list[str]]:
    out = tmp_path_factory.mktemp("pack") / "board-pack.pdf"
    return out, make_pack(dashboard_warehouse, out)


def pct(rate: float, digits: int = 1) -> str:
    return f"{100 * rate:.{digits}f}%"


def test_each_missed_commitment_is_stated_with_the_marts_rate_target_and_gap(dashboard_warehouse: Path,
                                                                              pack) -> None:
    _, pages = pack
    summary = summary_text(pages)
    rows = query(dashboard_warehouse, """
        select s.title, sum(c.numerator) / sum(c.denominator) as rate, s.target_rate
        from marts.pledge_compliance as c join reference.standards as s using (standard_id)
        where c.force_code = 'MPS' and c.period_month = '2008-06-01' and c.borough_code <> 'ALL'
        group by s.title, s.target_rate, s.sort_order
        having sum(c.numerator) / sum(c.denominator) < s.target_rate
        order by s.sort_order""")
    # by hand from dashboard_fixtures.CELLS: 999 calls 269/305, emergencies 83/100, acknowledgements 27/30,
    # victim updates 12/20 (targets 90%, 90%, 95%, 90%)
    assert [(t, round(r, 6), tr) for t, r, tr in rows] == [
        ("999 calls answered within 10 seconds", round(269 / 305, 6), 0.90),
        ("Emergencies attended within 15 minutes (20 rural)", 0.83, 0.90),
        ("Dissatisfaction acknowledged within 24 hours", 0.9, 0.95),
        ("Victims kept informed at least every 28 days", 0.6, 0.90),
    ]
    for title, rate, target in rows:
        expected = (f"{title}: {pct(rate)} against a target of {pct(target, 0)}, "
                    f"{100 * (target - rate):.1f} points below target.")
        assert expected in summary
    assert f"{len(rows)} of the 4 commitments measured in June 2008 missed their target force-wide" in summary
    # the scorecard mart (latest complete month = June 2008) says the same rates
    card = dict(query(dashboard_warehouse, "select standard_id, rate from marts.promise_scorecard "
                                           "where rate is not null"))
    assert "999 calls answered within 10 seconds: " + pct(card["PLEDGE-6-999"]) in summary
    # where, by borough name (boroughs seed), lowest first, the small cell last without its rate
    assert ("Below target in 2 of 3 boroughs; lowest: Westminster 85.0% (1 with <10 records, rate not shown)."
            in summary)  # Islington: 4 of 5, its rate withheld
    assert "Below target in 1 of 2 boroughs; lowest: Hackney 70.0%." in summary
    # improving or not, against May 2008 (999: 270/300 = 90.0%; victim updates had no May figure)
    assert "Getting worse: down 1.8 points on May 2008 (90.0%)." in summary
    assert "60.0 points below target" not in summary and "No figure for May 2008 to compare with." in summary


def test_satisfaction_and_gap_are_the_marts_figures_with_their_intervals(dashboard_warehouse: Path, pack) -> None:
    _, pages = pack
    summary = summary_text(pages)
    ((n, rate, lo, hi),) = query(dashboard_warehouse, """
        select respondents, rate, ci_low, ci_high from marts.citizen_focus_satisfaction
        where force_code = 'MPS' and borough_code = 'ALL' and question = 'whole_experience' and window_months = 12
          and period_end_month = '2008-06-01'""")
    assert n == 252  # 3 months x (60 + 20 + 4) responses
    assert (f"Whole-experience satisfaction, force-wide, 12 months to June 2008: {pct(rate)} satisfied "
            f"(95% interval {pct(lo)} to {pct(hi)}; 252 respondents).") in summary
    ((gap, glo, ghi, p_holm, sig_holm),) = query(dashboard_warehouse, """
        select gap_pp, gap_ci_low_pp, gap_ci_high_pp, p_value_holm, significant_holm
        from marts.bme_satisfaction_gap
        where force_code = 'MPS' and borough_code = 'ALL' and question = 'whole_experience' and window_months = 12
          and period_end_month = '2008-06-01'""")
    assert not sig_holm
    assert (f"White minus BME satisfaction gap, force-wide, 12 months to June 2008: {gap:.1f} points (95% interval "
            f"{glo:.1f} to {ghi:.1f}), not statistically significant (Holm-adjusted p = {p_holm:.3f}") in summary
    tested = query(dashboard_warehouse, """
        select count(*), count(*) filter (where significant_holm) from marts.bme_satisfaction_gap
        where force_code = 'MPS' and borough_code <> 'ALL' and question = 'whole_experience' and window_months = 12
          and period_end_month = '2008-06-01' and p_value_holm is not null""")[0]
    assert f"Boroughs: {tested[1]} of {tested[0]} tested have a significant gap after Holm's adjustment" in summary
    # three survey months: no full earlier 12-month window, so bme_gap_change has no row
    assert query(dashboard_warehouse, "select count(*) from marts.bme_gap_change")[0][0] == 0
    assert ("Is the gap closing? Not enough data: a change needs this year's 12 months and the 12 months before, "
            "both full") in summary


def test_what_changed_since_last_month(dashboard_warehouse: Path, pack) -> None:
    summary = summary_text(pack[1])
    # by hand: 999 calls 270/300 = 90.0% in May (target 90%: met), 269/305 = 88.2% in June (within 5 points);
    # emergencies 85/100 (within 5 points) then 83/100 (more than 5 below); acknowledgements 30/30 then 27/30
    assert ("999 calls answered within 10 seconds: missed, within 5 points, 88.2% (in May 2008: met, 90.0%)."
            in summary)
    assert ("Emergencies attended within 15 minutes (20 rural): missed, 83.0% (in May 2008: missed, within 5 points, "
            "85.0%).") in summary
    assert ("Dissatisfaction acknowledged within 24 hours: missed, within 5 points, 90.0% (in May 2008: met, 100.0%)."
            in summary)
    assert "Victims kept informed at least every 28 days: missed, 60.0% (in May 2008: no data)." in summary
    (now, before) = [r[0] for r in query(dashboard_warehouse, """
        select rate from marts.citizen_focus_satisfaction where force_code = 'MPS' and borough_code = 'ALL'
          and question = 'whole_experience' and window_months = 12 and period_end_month in ('2008-06-01', '2008-05-01')
        order by period_end_month desc""")]
    assert (f"Whole-experience satisfaction (12 months): {pct(now)}, {100 * (now - before):+.1f} points on the 12 "
            f"months to May 2008 ({pct(before)}); the two windows share 11 months, so this is not a test of change."
            in summary)


def test_summary_names_no_codes_and_the_pack_no_personal_data(dashboard_warehouse: Path, pack) -> None:
    _, pages = pack
    summary = summary_text(pages)
    codes = [r[0] for r in query(dashboard_warehouse, "select standard_id from reference.standards")]
    assert not [c for c in codes if re.search(rf"\b{re.escape(c)}\b", summary)]
    assert not re.search(r"\b(PLEDGE|PROMISE|QOSC)-", summary)
    assert "UNKNOWN" not in summary
    assert not re.search(r"\b(CW|HK|IS)\b", summary)  # boroughs by name, never by code
    assert MARK not in " ".join(pages)


def test_scorecard_comparators_and_appendix(dashboard_warehouse: Path, pack) -> None:
    out, pages = pack
    text = " ".join(pages)
    scorecard = next(p for p in pages if p.startswith("Scorecard, June 2008"))
    assert ("999 calls answered within 10 seconds 88.2% 90% Missed (within 5 points) 90.0% -1.8 "
            f"{pct(809 / 905)}") in scorecard  # rolling 12 months = April to June: (180+90+190+80+170+95+4)/905
    assert "Not measured: no data source" in scorecard
    # published comparators beside the force's own figure, labelled as the mart labels them
    labels = [r[0] for r in query(dashboard_warehouse, "select label from marts.force_comparators "
                                                       "where force_code = 'MPS' and measure_key = 'bme_gap'")]
    assert "published, year to September 2008, MPA Strategic and Operational Policing Committee, 2 Apr 2009" in labels
    assert "published, year to September 2008, MPA Strategic and Operational Policing Committee, 2 Apr 2009" in text
    assert "Greater Manchester Police 5.6 pp +/- 3.8" in text
    ((gap,),) = query(dashboard_warehouse, "select gap_pp from marts.bme_satisfaction_gap where borough_code = 'ALL' "
                                          "and question = 'whole_experience' and window_months = 12 "
                                          "and period_end_month = '2008-06-01'")
    assert f"This force, from the marts: {gap:.1f} pp" in text
    # data as of: the fixture's as-of instant 2008-07-01 00:00 UTC is 01:00 British Summer Time
    assert "Data as of 01 July 2008 01:00 BST (Europe/London)" in pages[0]
    # loads and rejects: the ledger's counts per extract and in all
    ledger = query(dashboard_warehouse, """
        select kind, count(*) filter (where status = 'loaded'), count(*) filter (where status = 'rejected'),
               sum(rows_loaded), sum(rows_rejected) from raw.load_ledger group by kind order by kind""")
    assert [r[0] for r in ledger] == ["calls", "feedback", "incidents", "survey_responses", "victim_contacts"]
    for kind, loaded, rejected, rows, bad in ledger:
        assert f"{kind} {loaded} {rejected} {rows} {bad} " in text
    assert "calls 1 0 12 1 " in text  # by hand: 12 calls loaded, the planted bad row quarantined
    assert "All extracts 5 0 285 1" in text
    assert '"<10"' in text and "Suppression rules" in text
    # the trend charts are images in the PDF (rendered from dashboards/charts.py)
    assert sum(len(page.images) for page in PdfReader(str(out)).pages) >= 5


def test_records_without_a_borough_are_not_a_borough_and_a_closing_gap_is_said(dashboard_warehouse: Path,
                                                                               tmp_path: Path) -> None:
    db = tmp_path / "warehouse.duckdb"
    shutil.copy(dashboard_warehouse, db)
    import duckdb

    con = duckdb.connect(str(db))
    con.execute("insert into marts.pledge_compliance by name select 'PLEDGE-6-999' as standard_id, 'MPS' as "
                "force_code, 'UNKNOWN' as borough_code, date '2008-06-01' as period_month, 5 as numerator, "
                "20 as denominator, 0 as pending, 0.25 as rate, 0.9 as target_rate, 'red' as rag")
    con.execute("insert into marts.bme_gap_change by name select 'MPS' as force_code, 'ALL' as borough_code, "
                "'whole_experience' as question, date '2008-06-01' as period_end_month, date '2007-06-01' as "
                "previous_period_end_month, 2.0 as gap_pp, 9.5 as previous_gap_pp, -7.5 as change_pp, "
                "-12.0 as change_ci_low_pp, -1.0 as change_ci_high_pp, 0.02 as p_value, true as significant, "
                "true as closing, false as widening, true as reliable")
    con.execute("checkpoint")
    con.close()
    summary = summary_text(make_pack(db, tmp_path / "pack.pdf"))
    # 999 force-wide now (269 + 5) / (305 + 20); still 2 of 3 boroughs below target, UNKNOWN not one of them
    assert f"999 calls answered within 10 seconds: {pct(274 / 325)} against a target of 90%" in summary
    assert "Below target in 2 of 3 boroughs" in summary
    assert "records with no recorded borough (20) were below target too" in summary
    assert "UNKNOWN" not in summary
    assert ("Is the gap closing? 12 months to June 2008 against the 12 months to June 2007: The gap narrowed from "
            "9.5 to 2.0 points; the change, -7.5 points (95% interval -12.0 to -1.0), is statistically significant: "
            "the gap is closing.") in summary


@pytest.mark.parametrize("month", ["2008-13", "June 2008", "2008-6", ""])
def test_a_bad_month_is_one_line_and_a_failure(dashboard_warehouse: Path, tmp_path: Path, month: str) -> None:
    out = tmp_path / "pack.pdf"
    result = cli("report", "--month", month, "--db", str(dashboard_warehouse), "--out", str(out))
    assert result.returncode != 0
    assert result.stderr.strip() == (f"citizen-focus report: --month must be a month as YYYY-MM, e.g. 2008-06; got "
                                     f"'{month}'")
    assert not out.exists()


def test_a_month_without_data_and_an_unknown_force_say_so(dashboard_warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "pack.pdf"
    result = cli("report", "--month", "2009-01", "--db", str(dashboard_warehouse), "--out", str(out))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip() == ("citizen-focus report: no data for MPS in 2009-01: the warehouse holds April "
                                     "2008 to June 2008")
    result = cli("report", "--month", MONTH, "--force", "GMP", "--db", str(dashboard_warehouse), "--out", str(out))
    assert result.returncode == 2
    assert result.stderr.strip() == "citizen-focus report: no force 'GMP' in the warehouse (it holds MPS)"
    assert not out.exists()


def test_a_warehouse_of_two_forces_needs_force_and_reports_the_one_chosen(dashboard_warehouse: Path,
                                                                          tmp_path: Path) -> None:
    import duckdb

    db = tmp_path / "two.duckdb"
    shutil.copy(dashboard_warehouse, db)
    con = duckdb.connect(str(db))  # a second force, CUMB, with half of every MPS numerator
    con.execute("insert into marts.pledge_compliance select * replace ('CUMB' as force_code, numerator // 2 as "
                "numerator, (numerator // 2) / denominator as rate) from marts.pledge_compliance")
    con.execute("checkpoint")
    con.close()
    out = tmp_path / "pack.pdf"
    result = cli("report", "--month", MONTH, "--db", str(db), "--out", str(out))
    assert result.returncode == 2 and not out.exists()
    assert result.stderr.strip() == ("citizen-focus report: the warehouse holds 2 forces (CUMB, MPS): choose one "
                                     "with --force")
    result = cli("report", "--month", MONTH, "--force", "cumb", "--db", str(db), "--out", str(out))
    assert result.returncode == 0, result.stderr
    summary = summary_text(pdf_pages(out))
    # by hand: June 999 calls (170 // 2 + 95 // 2 + 4 // 2) / 305 = (85 + 47 + 2) / 305
    assert summary.startswith("Citizen Focus board pack: Cumbria Constabulary, June 2008")
    assert f"999 calls answered within 10 seconds: {pct(134 / 305)} against a target of 90%" in summary


def test_the_scorecard_download_button_gives_the_same_pack(dashboard_warehouse: Path, pack, monkeypatch,
                                                           tmp_path: Path) -> None:
    from streamlit.runtime.media_file_manager import MediaFileManager
    from streamlit.testing.v1 import AppTest, app_test

    from dashboards.common import ROLE_KEY, USER_KEY

    managers: list[MediaFileManager] = []

    class Recording(MediaFileManager):  # Streamlit's own manager, kept so the test can click the button
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            managers.append(self)

    monkeypatch.setattr(app_test, "MediaFileManager", Recording)
    monkeypatch.setenv("CITIZEN_FOCUS_DB", str(dashboard_warehouse))
    monkeypatch.setenv("CITIZEN_FOCUS_ACCESS", str(dashboard_warehouse.parent / "access.toml"))
    at = AppTest.from_file(str(PROJECT_DIR / "dashboards" / "app.py"), default_timeout=120)
    at.session_state[ROLE_KEY] = "board"
    at.session_state[USER_KEY] = "test-board"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert pd.Timestamp(at.selectbox(key="board_pack_month").value).date() == date(2008, 6, 1)  # latest first
    (button,) = [b for b in at.get("download_button") if b.proto.id.endswith("board_pack")]
    assert button.proto.label == "Download the board pack (PDF)"
    file_id = button.proto.deferred_file_id
    assert file_id
    url = managers[-1].execute_deferred(file_id)  # what a click runs
    stored = managers[-1].read_file(Path(url).stem)
    assert stored is not None and stored.mimetype == "application/pdf"
    assert stored.content.startswith(b"%PDF-")
    path = tmp_path / "from-the-page.pdf"
    path.write_bytes(stored.content)

    def without_made_at(pages: list[str]) -> list[str]:
        return [re.sub(r"This pack made: .*?\(Europe/London\)\.", "", p) for p in pages]

    assert without_made_at(pdf_pages(path)) == without_made_at(pack[1])  # the same paper as the command's


def test_without_a_browser_the_pack_is_still_made_and_says_so(dashboard_warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "pack.pdf"
    result = cli("report", "--month", MONTH, "--db", str(dashboard_warehouse), "--out", str(out),
                 env={"BROWSER_PATH": str(tmp_path / "no-such-browser")})  # Kaleido looks there first
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == ("note: charts not drawn (no Chrome or Chromium found); install Chrome or "
                                     "Chromium, e.g. `bash scripts/setup.sh --browser`")
    pages = pdf_pages(out)
    assert sum(len(page.images) for page in PdfReader(str(out)).pages) == 0
    assert "(Chart not drawn: no Chrome or Chromium found." in " ".join(pages)
    assert "999 calls answered within 10 seconds: 88.2% against a target of 90%" in summary_text(pages)


def test_a_warehouse_without_a_mart_the_pack_reads_says_so_on_the_page_and_the_command(
        dashboard_warehouse: Path, monkeypatch, tmp_path: Path) -> None:
    import duckdb
    from streamlit.testing.v1 import AppTest

    from dashboards.common import ROLE_KEY, USER_KEY

    db = tmp_path / "older.duckdb"
    shutil.copy(dashboard_warehouse, db)
    con = duckdb.connect(str(db))
    con.execute("drop table marts.force_comparators")
    con.execute("checkpoint")
    con.close()
    result = cli("report", "--month", MONTH, "--db", str(db), "--out", str(tmp_path / "pack.pdf"))
    assert result.returncode == 2
    assert result.stderr.strip() == (f"citizen-focus report: {db}: marts.force_comparators not in the published "
                                     "warehouse: run `citizen-focus build` first")
    monkeypatch.setenv("CITIZEN_FOCUS_DB", str(db))
    monkeypatch.setenv("CITIZEN_FOCUS_ACCESS", str(dashboard_warehouse.parent / "access.toml"))
    at = AppTest.from_file(str(PROJECT_DIR / "dashboards" / "app.py"), default_timeout=60)
    at.session_state[ROLE_KEY] = "board"
    at.session_state[USER_KEY] = "test-board"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not [b for b in at.get("download_button") if b.proto.id.endswith("board_pack")]
    assert ("The board pack needs marts\\.force\\_comparators, not in the published warehouse yet: run "
            "`citizen-focus build`.") in [i.value for i in at.info]
    assert len(at.dataframe) > 0  # the rest of the scorecard is there
