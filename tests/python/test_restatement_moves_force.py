"""A restated record that moves to another force is counted once, under its new force.

Attack (defect found by attack): a call and a survey response first loaded under MPS and restated
under CUMB were counted under both forces, because the latest version was chosen per
(force_code, id). The restatement key is the record's id within its kind of extract, whatever its
force (docs/contract.md, "Restatements"), so the restatement supersedes the record wherever it was:
in staging, in the incremental record-level models (macros/incremental.sql) and in the marts, and an
incremental build gives exactly what a full rebuild gives.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_incremental import _differences
from warehouse_builder import ingest, query, run_dbt, write_extracts

FIRST = {
    "calls_1.csv": """
        call_id,line,received_at,answered_at,borough_code,force_code
        m1,999,2009-04-02T10:00:00Z,2009-04-02T10:00:05Z,HK,MPS
        m2,999,2009-04-02T11:00:00Z,2009-04-02T11:00:30Z,HK,MPS
        m3,999,2009-04-03T11:00:00Z,2009-04-03T11:00:04Z,HK,MPS
    """,
    "survey_responses_1.csv": """
        response_id,interview_date,survey_group,borough_code,ethnicity_code,q_whole_experience,force_code
        r1,2009-04-20,burglary,HK,W1,Very satisfied,MPS
        r2,2009-04-21,burglary,HK,W1,Very dissatisfied,MPS
    """,
}
# The second load restates m2 and r2 under CUMB (a record re-homed after a boundary change).
SECOND = {
    "calls_2.csv": """
        call_id,line,received_at,answered_at,borough_code,force_code
        m2,999,2009-04-02T11:00:00Z,2009-04-02T11:00:30Z,KEND,CUMB
    """,
    "survey_responses_2.csv": """
        response_id,interview_date,survey_group,borough_code,ethnicity_code,q_whole_experience,force_code
        r2,2009-04-21,burglary,KEND,W1,Very dissatisfied,CUMB
    """,
}

CALL_CELLS = """select force_code, borough_code, numerator, denominator from marts.pledge_compliance
                where standard_id = 'PLEDGE-6-999' and period_month = date '2009-04-01' and denominator > 0
                order by 1, 2"""


def _dbt(db: Path, *args: str) -> None:
    result = run_dbt(db, "build", *args)
    assert result.returncode == 0, result.stdout[-6000:]


@pytest.fixture(scope="module")
def restated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("moves_force")
    db = tmp / "warehouse.duckdb"
    assert [r.status for r in ingest(db, [write_extracts(tmp / "first", FIRST)])] == ["loaded"] * 2
    _dbt(db)
    assert query(db, CALL_CELLS) == [("MPS", "HK", 2, 3)]  # m1, m3 within 10 s; m2 30 s
    assert [r.status for r in ingest(db, [write_extracts(tmp / "second", SECOND)])] == ["loaded"] * 2
    _dbt(db)  # incremental
    full = tmp / "full" / "warehouse.duckdb"
    full.parent.mkdir()
    shutil.copyfile(db, full)
    _dbt(full, "--full-refresh")
    return db, full


def test_a_call_restated_under_another_force_is_counted_once_under_it(restated) -> None:
    db, _ = restated
    assert query(db, "select force_code, borough_code from staging.stg_telephony__calls where call_id = 'm2'") == [
        ("CUMB", "KEND")
    ]
    assert query(db, "select force_code, standard_id, outcome from marts.compliance_records "
                     "where record_id = 'm2' order by 1, 2") == [("CUMB", "PLEDGE-6-999", "missed")]
    assert query(db, CALL_CELLS) == [("CUMB", "KEND", 0, 1), ("MPS", "HK", 2, 2)]
    assert query(db, "select count(*) from intermediate.int_calls_answer_times_assessed where source_key = 'm2'") \
        == [(1,)]


def test_a_survey_response_restated_under_another_force_is_counted_once(restated) -> None:
    db, _ = restated
    assert query(db, "select response_id, force_code from staging.stg_user_survey__survey_responses "
                     "order by 1") == [("r1", "MPS"), ("r2", "CUMB")]
    respondents = query(db, """select force_code, respondents from marts.citizen_focus_satisfaction
                               where borough_code = 'ALL' and question = 'whole_experience'
                               and window_months = 1 and period_end_month = date '2009-04-01' order by 1""")
    assert respondents == [("CUMB", 1), ("MPS", 1)]


def test_the_incremental_build_equals_a_full_rebuild(restated) -> None:
    db, full = restated
    differences = {t: d for t, d in _differences(db, full).items() if d != (0, 0)}
    assert differences == {}
