"""A survey-only warehouse: a research unit that holds the survey and nothing else can build and publish.

The warehouse is made the way a user makes it: the sample's survey extract alone, `citizen-focus
ingest`, then `citizen-focus build` (dbt build, the data-quality check, publish). The compliance
pages and the board pack must say that no operational data is loaded instead of failing or
showing an empty scorecard, and the satisfaction pages must work as usual. The same critical
checks still fail when operational extracts are loaded but nothing was measured from them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from dashboard_fixtures import write_access
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest
from test_dashboard_pages import signed_in
from warehouse_builder import cli, query

from dashboards.text import NO_OPERATIONAL_DATA

COMPLIANCE_PAGES = ["views/scorecard.py", "views/calls_attendance.py", "views/complaints_victims.py",
                    "views/drilldown.py"]
GUARDED_RULES = ("some_standard_measured", "scorecard_not_empty")


@pytest.fixture(scope="module")
def survey_only(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("survey_only")
    extracts = tmp / "extracts"
    made = cli("sample", "--out", str(extracts), "--months", "13", "--scale", "0.05", "--seed", "3")
    assert made.returncode == 0, made.stderr
    db = tmp / "warehouse.duckdb"
    loaded = cli("ingest", "--db", str(db), str(extracts / "survey_responses_MPS.csv"))
    assert loaded.returncode == 0, loaded.stderr
    built = cli("build", "--db", str(db))
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    assert "published" in built.stdout
    write_access(tmp / "access.toml")
    return db


def _latest_results(db: Path, rules: tuple[str, ...]) -> dict[str, tuple[bool, str]]:
    rows = query(db, f"""
        select rule, success, observed_value from quality.check_results
        where run_id = (select run_id from quality.check_runs order by checked_at desc limit 1)
          and rule in ({", ".join("?" for _ in rules)})
    """, list(rules))
    return {rule: (success, observed) for rule, success, observed in rows}


def test_survey_only_warehouse_builds_checks_and_publishes(survey_only: Path) -> None:
    assert query(survey_only, "select count(*) from raw.survey_responses")[0][0] == 1_027
    for table in ("raw.calls", "raw.incidents", "raw.feedback", "raw.victim_contacts",
                  "marts.pledge_compliance", "marts.promise_scorecard"):
        assert query(survey_only, f"select count(*) from {table}")[0][0] == 0, table
    assert query(survey_only, "select count(*) from marts.citizen_focus_satisfaction")[0][0] > 0
    assert query(survey_only, "select count(*) from marts.bme_satisfaction_gap")[0][0] > 0
    # the two guarded rules ran, saw the empty compliance marts and passed
    assert _latest_results(survey_only, GUARDED_RULES) == {rule: (True, "0") for rule in GUARDED_RULES}


def test_the_same_checks_fail_when_operational_data_is_loaded_but_nothing_is_measured(
        survey_only: Path, tmp_path: Path) -> None:
    db = tmp_path / "warehouse.duckdb"
    shutil.copy(survey_only, db)
    sample = next(survey_only.parent.glob("extracts/calls_MPS.csv"))
    calls = tmp_path / "calls_MPS.csv"
    calls.write_text("".join(sample.open(encoding="utf-8").readlines()[:21]), encoding="utf-8")  # header + 20
    loaded = cli("ingest", "--db", str(db), str(calls))
    assert loaded.returncode == 0, loaded.stderr
    # calls are loaded but no build has measured them: "nothing measured" is now a real failure
    checked = cli("check", "--db", str(db), "--suite", "marts.pledge_compliance", "--suite", "marts.promise_scorecard",
                  "--docs", str(tmp_path / "docs"))
    assert checked.returncode == 1, checked.stdout[-3000:]
    assert "FAILED   marts.pledge_compliance.coverage: some_standard_measured: 0" in checked.stdout
    assert "FAILED   marts.promise_scorecard.coverage: scorecard_not_empty: 0" in checked.stdout


def _page(db: Path, page: str, monkeypatch) -> AppTest:
    monkeypatch.setenv("CITIZEN_FOCUS_DB", str(db))
    monkeypatch.setenv("CITIZEN_FOCUS_ACCESS", str(db.parent / "access.toml"))
    return signed_in("admin", page)


@pytest.mark.parametrize("page", COMPLIANCE_PAGES)
def test_compliance_pages_say_no_operational_data_loaded(survey_only: Path, page: str, monkeypatch) -> None:
    at = _page(survey_only, page, monkeypatch)
    assert [i.value for i in at.info] == [NO_OPERATIONAL_DATA]
    assert not at.dataframe, "a compliance page showed a table without operational data"


def test_satisfaction_page_works_on_the_survey_alone(survey_only: Path, monkeypatch) -> None:
    at = _page(survey_only, "views/satisfaction.py", monkeypatch)
    assert NO_OPERATIONAL_DATA not in [i.value for i in at.info]
    assert [t.value for t in at.title] == ["User satisfaction"]
    assert len(at.dataframe) > 0


def test_board_pack_says_no_operational_data_loaded(survey_only: Path, tmp_path: Path) -> None:
    out = tmp_path / "pack.pdf"
    made = cli("report", "--db", str(survey_only), "--month", "2009-04", "--out", str(out))
    assert made.returncode == 0, made.stderr
    assert "no operational data loaded" in made.stdout
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(str(out)).pages)
    assert " ".join(NO_OPERATIONAL_DATA.split()) in text
    assert "Every commitment measured" not in text
    assert "No commitment changed status" not in text
    assert "Whole-experience satisfaction" in text
