"""A new standard of an existing family is one row of seeds/standards.csv (docs/extending.md).

The test copies the dbt project, adds one row to the copy's standards seed (non-emergency calls
answered within 60 s, target 80%), builds hand-written calls with it and proves the row reaches
every place a user reads: pledge_compliance and promise_scorecard, the scorecard page, the
Calls & attendance page (its family decides the page) and the exports. No other file changes.

The calls (MPS, Hackney, April 2009, all answered, times counted from received_at):
  12 at 30 s        met the 30 s non-emergency standard and the new 60 s one
  10 at 59 s        met 60 s only
   2 at 60.000 s    met 60 s only (the threshold is inclusive)
  12 at 61 s        missed both
and one 999 call on 2 May, so that April is the latest complete month. So the new standard is
24 met of 36 (66.7%, red: more than 5 points below 80%) and the existing PLEDGE-6-NON-EMERGENCY
stays 12 of 36.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from dashboard_fixtures import write_access
from streamlit.testing.v1 import AppTest
from warehouse_builder import ingest, query, write_extracts

from citizen_focus.config import PROJECT_DIR
from citizen_focus.dbt_runner import dbt_env, dbt_executable
from dashboards import exports
from dashboards.common import ROLE_KEY, USER_KEY
from dashboards.data import open_warehouse

NEW = {
    "standard_id": "LOCAL-101-60S", "title": "Non-emergency calls answered within 60 s",
    "source": "Local service standard (worked example)",
    "commitment_wording": "Answer your non-emergency call within a minute.",
    "event_family": "call_answered", "applies_to": "101|0300", "threshold_value": "60",
    "threshold_unit": "seconds", "rural_threshold_value": "", "target_rate": "0.80", "measured": "true",
    "not_measured_reason": "", "measurement": "Non-emergency calls answered within 60 s of being presented.",
    "force_code": "", "sort_order": "75",
}
DBT_FILES = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests/dbt")


def _calls() -> str:
    start = datetime(2009, 4, 6, 9, 0, 0)
    rows = ["call_id,line,received_at,answered_at,borough_code"]
    plan = [30.0] * 12 + [59.0] * 10 + [60.0] * 2 + [61.0] * 12
    for i, seconds in enumerate(plan):
        received = start + timedelta(minutes=i)
        answered = received + timedelta(seconds=seconds)
        rows.append(f"x{i},{'101' if i % 2 else '0300'},{received.isoformat()}Z,{answered.isoformat()}Z,HK")
    rows.append("x99,999,2009-05-02T09:00:00Z,2009-05-02T09:00:05Z,HK")  # May begun: April is complete
    return "\n".join(rows) + "\n"


@pytest.fixture(scope="module")
def extended(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("extended")
    project = tmp / "project"
    for name in DBT_FILES:
        source, target = PROJECT_DIR / name, project / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy2(source, target)
    seed = project / "seeds" / "standards.csv"
    with seed.open(newline="", encoding="utf-8") as f:
        header = next(csv.reader(f))
    assert set(header) == set(NEW)  # the worked example fills every column of the seed
    with seed.open("a", newline="", encoding="utf-8") as f:
        csv.DictWriter(f, fieldnames=header, lineterminator="\n").writerow(NEW)

    db = tmp / "warehouse.duckdb"
    ingest(db, [write_extracts(tmp / "extracts", {"calls_mps.csv": _calls()})])
    env = dbt_env(db)
    env.update({"DBT_PROJECT_DIR": str(project), "DBT_PROFILES_DIR": str(project),
                "DBT_TARGET_PATH": str(tmp / "dbt_target"), "DBT_LOG_PATH": str(tmp / "dbt_logs")})
    result = subprocess.run([dbt_executable(), "build"], cwd=project, env=env, capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stdout[-6000:]
    write_access(tmp / "access.toml")
    return db


def test_the_new_row_is_measured_in_the_marts(extended: Path) -> None:
    cells = query(extended, "select standard_id, numerator, denominator, pending, target_rate, rag "
                            "from marts.pledge_compliance where borough_code = 'HK' and period_month = '2009-04-01' "
                            "order by standard_id")
    assert cells == [("LOCAL-101-60S", 24, 36, 0, 0.80, "red"), ("PLEDGE-6-NON-EMERGENCY", 12, 36, 0, 0.90, "red")]
    card = query(extended, "select title, rate, rag, measured from marts.promise_scorecard "
                           "where standard_id = 'LOCAL-101-60S' and force_code = 'MPS'")
    assert card == [("Non-emergency calls answered within 60 s", pytest.approx(24 / 36, abs=1e-12), "red", True)]


def _page(db: Path, monkeypatch, page: str) -> AppTest:
    monkeypatch.setenv("CITIZEN_FOCUS_DB", str(db))
    monkeypatch.setenv("CITIZEN_FOCUS_ACCESS", str(db.parent / "access.toml"))
    at = AppTest.from_file(str(PROJECT_DIR / "dashboards" / "app.py"), default_timeout=60)
    at.session_state[ROLE_KEY] = "analyst"
    at.session_state[USER_KEY] = "test-analyst"
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_scorecard_page_shows_it(extended: Path, monkeypatch) -> None:
    at = _page(extended, monkeypatch, "views/scorecard.py")
    tables = [d.value for d in at.dataframe if "Standard" in d.value.columns]
    row = tables[0][tables[0]["Standard"] == "LOCAL-101-60S"]
    assert list(row["Commitment"]) == ["Non-emergency calls answered within 60 s"]
    assert list(row["Latest"]) == ["66.7%"] and list(row["Target"]) == ["80%"]


def test_its_family_puts_it_on_the_calls_page(extended: Path, monkeypatch) -> None:
    at = _page(extended, monkeypatch, "views/calls_attendance.py")
    assert at.selectbox(key="standard").options == ["PLEDGE-6-999", "PLEDGE-6-NON-EMERGENCY",
                                                      "LOCAL-101-60S"]  # seed order
    at.selectbox(key="standard").select("LOCAL-101-60S").run()
    table = next(d.value for d in at.dataframe if "Met" in d.value.columns)
    assert table.to_dict("records") == [{"Month": "April 2009", "Within standard": "66.7%", "Target": "80%",
                                         "Met": "24", "Records": "36", "Pending": "0"}]


def test_the_exports_carry_it(extended: Path) -> None:
    wh = open_warehouse(extended, cached=False)
    csv_bytes, _ = exports.files(wh, "marts.pledge_compliance", "MPS")
    df = pd.read_csv(io.StringIO(csv_bytes.decode()), dtype=str).dropna(subset=["standard_id"])
    row = df[(df["standard_id"] == "LOCAL-101-60S") & (df["borough_code"] == "HK")]
    assert row[["numerator", "denominator"]].values.tolist() == [["24", "36"]]
