"""The raw-extract suites (quality/suites/raw_*.yml) pass on clean loads and fail, naming the
expected rule, on planted bad rows.

The clean warehouse is real: hand-written extracts loaded by the loader (no dbt needed for the
raw suites). Bad rows are planted straight into a copy of it, bypassing the loader, with the load
ledger's counts raised to match, so exactly the planted problem is wrong. Each case asserts the
exact set of failed (suite, rule) pairs: a rule that stops firing, or one that fires on good
data, fails the test.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from warehouse_builder import ingest, write_extracts

from quality.definitions import load_suites, select_suites
from quality.testing import check, copy_warehouse, execute, insert_raw

RAW_TABLES = ["raw.calls", "raw.incidents", "raw.survey_responses", "raw.feedback", "raw.victim_contacts"]


def _calls_csv() -> str:
    rows = ["call_id,line,received_at,answered_at,abandoned,abandoned_at,borough_code,handler_id"]
    for i in range(120):  # 120 999 calls, 6 abandoned: 5% (the band is 0-10%)
        minute = f"2008-06-{1 + i % 28:02d}T{10 + i % 12:02d}:{i % 60:02d}"
        if i % 20 == 0:
            rows.append(f"e{i},999,{minute}:00Z,,true,{minute}:09Z,CW,h{i}")
        else:
            rows.append(f"e{i},999,{minute}:00Z,{minute}:07Z,false,,CW,h{i}")
    rows += [
        "n1,101,2008-06-02 09:00,2008-06-02 09:00:40,,,HK,h1",
        "n2,0300,02/06/2008 09:30:00,02/06/2008 09:30:20,,,HK,h2",
        "n3,TEXTPHONE,2008-06-03T10:00:00+01:00,2008-06-03T10:01:00+01:00,,,,h3",
    ]
    return "\n".join(rows) + "\n"


def _incidents_csv() -> str:
    rows = [
        "incident_id,call_id,created_at,grade,incident_type,borough_code,area_type,first_arrival_at,"
        "appointment_at,attendance_cancelled,closed_at,caller_name"
    ]
    for i in range(120):  # 120 grade E incidents, 6 without arrival: 5% (the band is 0-10%)
        created = f"2008-06-{1 + i % 28:02d}T{10 + i % 12:02d}:00:00Z"
        arrival = "" if i % 20 == 0 else f"2008-06-{1 + i % 28:02d}T{10 + i % 12:02d}:11:00Z"
        rows.append(f"i{i},e{i},{created},E,burglary,CW,urban,{arrival},,,,Caller Q{i}")
    rows.append(
        "s1,,2008-06-05T10:00:00Z,S,asb,HK,,2008-06-06T10:10:00Z,2008-06-06T10:00:00Z,no,"
        "2008-06-07T10:00:00Z,Someone"
    )
    return "\n".join(rows) + "\n"


CLEAN = {
    "calls.csv": _calls_csv(),
    "incidents.csv": _incidents_csv(),
    "survey_responses.csv": """\
        response_id,interview_date,incident_date,survey_group,borough_code,ethnicity_code,q_ease_of_contact,q_action_taken,q_kept_informed,q_treatment,q_whole_experience,weight,respondent_name
        r1,2008-06-20,2008-06-01,burglary,CW,W1,Very satisfied,1,,Completely satisfied,3,1.5,Annabel Quorn
        r2,21/06/2008,,asb,HK,B1,3,Don't know,Refused,7,Fairly dissatisfied,,Bobbie Quist
        r3,2008-06-22,2008-06-21,violent_crime,CW,A1,,,Not applicable,2,1,0.75,Cyra Qadir
        """,
    "feedback.csv": """\
        feedback_id,feedback_type,category,channel,received_at,acknowledged_at,response_requested,responded_at,resolved_at,outcome,borough_code,free_text
        f1,complaint,conduct,web,2008-06-01T10:00:00Z,2008-06-01T12:00:00Z,yes,2008-06-05T10:00:00Z,,open,CW,"rude,so"
        f2,compliment,,letter,2008-06-02T10:00:00Z,,,,,,HK,thanks
        """,
    "victim_contacts.csv": """\
        contact_id,crime_reference,contact_type,contact_at,borough_code,crime_type,victim_name
        v1,CR1,recorded,2008-06-01T10:00:00Z,CW,burglary,Di
        v2,CR1,victim_support_referral,2008-06-02T10:00:00Z,CW,burglary,Di
        v3,CR1,update,2008-06-20T10:00:00Z,CW,burglary,Di
        """,
}


@pytest.fixture(scope="module")
def clean_db(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("quality_raw")
    db = tmp / "warehouse.duckdb"
    results = ingest(db, [write_extracts(tmp / "extracts", CLEAN)])
    assert [r.status for r in results] == ["loaded"] * 5
    assert all(r.rows_rejected == 0 for r in results), [r.one_line for r in results]
    return db


@pytest.fixture(scope="module")
def clean_run(clean_db, tmp_path_factory):
    db = copy_warehouse(clean_db, tmp_path_factory.mktemp("clean_run"))
    return check(db, suites=RAW_TABLES)


def test_clean_loads_pass_every_raw_suite(clean_run) -> None:
    assert clean_run.failed == set(), clean_run.output
    assert clean_run.code == 0
    expected = sum(len(s.expectations) for s in select_suites(load_suites(), RAW_TABLES))
    assert len(clean_run.results) == expected
    assert {r["suite"] for r in clean_run.results} == {
        f"{t}.{part}" for t in RAW_TABLES for part in ("loads", "sample")
    }


def test_clean_run_reports_the_measured_shares(clean_run) -> None:
    share = clean_run.result("raw.calls.loads", "share_999_abandoned_in_band")
    assert share["success"] and share["unexpected_count"] == 0 and share["element_count"] == 1
    reconcile = clean_run.result("raw.calls.loads", "rows_reconcile_with_ledger")
    assert reconcile["success"] and reconcile["element_count"] == 1


CALL = {
    "call_id": "p1",
    "line": "999",
    "received_at": "2008-06-10T10:00:00Z",
    "answered_at": "2008-06-10T10:00:05Z",
}
INCIDENT = {
    "incident_id": "pi1",
    "created_at": "2008-06-10T10:00:00Z",
    "grade": "P",
    "borough_code": "CW",
    "first_arrival_at": "2008-06-10T10:30:00Z",
}
RESPONSE = {
    "response_id": "pr1",
    "interview_date": "2008-06-25",
    "survey_group": "burglary",
    "borough_code": "CW",
    "q_whole_experience": "Very satisfied",
}
FEEDBACK = {"feedback_id": "pf1", "feedback_type": "complaint", "received_at": "2008-06-10T10:00:00Z"}
CONTACT = {
    "contact_id": "pv1",
    "crime_reference": "CR9",
    "contact_type": "recorded",
    "contact_at": "2008-06-10T10:00:00Z",
}

# (case id, kind, planted rows, expected failed (suite, rule) pairs)
PLANTED = [
    (
        "calls-duplicate-key",
        "calls",
        [{**CALL, "call_id": "e1"}],
        {("raw.calls.loads", "no_duplicate_keys_per_load")},
    ),
    (
        "calls-line-off-contract",
        "calls",
        [{**CALL, "line": "998"}],
        {("raw.calls.loads", "line_in_contract_set"), ("raw.calls.sample", "line_in_contract_set")},
    ),
    (
        "calls-before-2000",
        "calls",
        [{**CALL, "received_at": "1999-12-31T23:59:59Z", "answered_at": None}],
        {
            ("raw.calls.loads", "instants_not_before_2000"),
            ("raw.calls.sample", "received_at_not_before_2000"),
        },
    ),
    (
        "calls-in-the-future",
        "calls",
        [{**CALL, "received_at": "2099-01-01T00:00:00Z", "answered_at": None}],
        {("raw.calls.loads", "instants_not_after_load"), ("raw.calls.sample", "received_at_not_after_load")},
    ),
    (
        "calls-answered-before-received",
        "calls",
        [{**CALL, "answered_at": "2008-06-10T09:59:59Z"}],
        {("raw.calls.loads", "events_in_order"), ("raw.calls.sample", "answered_not_before_received")},
    ),
    (
        "calls-unparseable-timestamp",
        "calls",
        [{**CALL, "received_at": "yesterday", "answered_at": None}],
        {("raw.calls.loads", "values_parse"), ("raw.calls.sample", "received_at_present")},
    ),
    (
        "calls-missing-key",
        "calls",
        [{**CALL, "call_id": None}],
        {("raw.calls.loads", "required_values_present"), ("raw.calls.sample", "call_id_present")},
    ),
    (
        "incidents-grade-off-contract",
        "incidents",
        [{**INCIDENT, "grade": "X"}],
        {("raw.incidents.loads", "enums_in_contract_set"), ("raw.incidents.sample", "grade_in_contract_set")},
    ),
    (
        "incidents-area-type-off-contract",
        "incidents",
        [{**INCIDENT, "area_type": "suburban"}],
        {
            ("raw.incidents.loads", "enums_in_contract_set"),
            ("raw.incidents.sample", "area_type_in_contract_set"),
        },
    ),
    (
        "incidents-attended-before-created",
        "incidents",
        [{**INCIDENT, "first_arrival_at": "2008-06-10T09:00:00Z"}],
        {("raw.incidents.loads", "events_in_order"), ("raw.incidents.sample", "arrival_not_before_created")},
    ),
    (
        "incidents-missing-borough",
        "incidents",
        [{**INCIDENT, "borough_code": " "}],
        {
            ("raw.incidents.loads", "required_values_present"),
            ("raw.incidents.sample", "borough_code_present"),
        },
    ),
    (
        "survey-answer-off-scale",
        "survey_responses",
        [{**RESPONSE, "q_treatment": "Quite happy"}],
        {
            ("raw.survey_responses.loads", "answers_on_the_scale"),
            ("raw.survey_responses.sample", "treatment_on_the_scale"),
        },
    ),
    (
        "survey-whole-experience-missing",
        "survey_responses",
        [{**RESPONSE, "q_whole_experience": ""}],
        {
            ("raw.survey_responses.loads", "required_values_present"),
            ("raw.survey_responses.sample", "whole_experience_on_the_scale"),
        },
    ),
    (
        "survey-weight-negative",
        "survey_responses",
        [{**RESPONSE, "weight": "-2"}],
        {
            ("raw.survey_responses.loads", "weights_positive"),
            ("raw.survey_responses.sample", "weights_positive"),
        },
    ),
    (
        "survey-group-off-contract",
        "survey_responses",
        [{**RESPONSE, "survey_group": "fraud"}],
        {
            ("raw.survey_responses.loads", "survey_group_in_contract_set"),
            ("raw.survey_responses.sample", "survey_group_in_contract_set"),
        },
    ),
    (
        "survey-interview-before-2000",
        "survey_responses",
        [{**RESPONSE, "interview_date": "31/12/1999"}],
        {
            ("raw.survey_responses.loads", "dates_not_before_2000"),
            ("raw.survey_responses.sample", "interview_date_not_before_2000"),
        },
    ),
    (
        "feedback-type-off-contract",
        "feedback",
        [{**FEEDBACK, "feedback_type": "praise"}],
        {
            ("raw.feedback.loads", "enums_in_contract_set"),
            ("raw.feedback.sample", "feedback_type_in_contract_set"),
        },
    ),
    (
        "feedback-acknowledged-before-received",
        "feedback",
        [{**FEEDBACK, "acknowledged_at": "2008-06-09T10:00:00Z"}],
        {
            ("raw.feedback.loads", "events_in_order"),
            ("raw.feedback.sample", "acknowledged_not_before_received"),
        },
    ),
    (
        "victim-contact-type-off-contract",
        "victim_contacts",
        [{**CONTACT, "contact_type": "visit"}],
        {
            ("raw.victim_contacts.loads", "contact_type_in_contract_set"),
            ("raw.victim_contacts.sample", "contact_type_in_contract_set"),
        },
    ),
    (
        "victim-contact-before-2000",
        "victim_contacts",
        [{**CONTACT, "contact_at": "1990-01-01T00:00:00Z"}],
        {
            ("raw.victim_contacts.loads", "instants_not_before_2000"),
            ("raw.victim_contacts.sample", "contact_at_not_before_2000"),
        },
    ),
]


@pytest.mark.parametrize(("kind", "rows", "expected"), [c[1:] for c in PLANTED], ids=[c[0] for c in PLANTED])
def test_planted_bad_rows_fail_the_named_rule(clean_db, tmp_path, kind, rows, expected) -> None:
    db = copy_warehouse(clean_db, tmp_path)
    insert_raw(db, kind, rows)
    run = check(db, suites=[f"raw.{kind}"], docs_dir=tmp_path / "docs")
    assert run.failed == expected, run.output
    assert run.failed_with("critical") == expected
    assert run.code == 1
    for suite, rule in expected:
        assert f"FAILED   {suite}: {rule}" in run.output


def test_a_row_lost_behind_the_ledgers_back_fails_reconciliation(clean_db, tmp_path) -> None:
    db = copy_warehouse(clean_db, tmp_path)
    execute(db, "delete from raw.calls where call_id = 'e5'")
    run = check(db, suites=["raw.calls"], write_docs=False)
    assert run.failed == {("raw.calls.loads", "rows_reconcile_with_ledger")}
    example = run.result("raw.calls.loads", "rows_reconcile_with_ledger")
    assert '"rows_in_raw": 122' in example["details"] and '"ledger_rows_loaded": 123' in example["details"]
    assert run.code == 1


def test_the_failing_load_is_named_with_the_count(clean_db, tmp_path) -> None:
    db = copy_warehouse(clean_db, tmp_path)
    insert_raw(db, "calls", [{**CALL, "call_id": f"x{i}", "line": "998"} for i in range(3)])
    run = check(db, suites=["raw.calls.loads"], write_docs=False)
    result = run.result("raw.calls.loads", "line_in_contract_set")
    assert not result["success"]
    assert '"off_contract_values": 3' in result["details"] and '"file_name": "calls.csv"' in result["details"]


def test_too_many_abandoned_999_calls_is_a_warning_not_a_failure(clean_db, tmp_path) -> None:
    db = copy_warehouse(clean_db, tmp_path)
    # 30 more abandoned 999 calls: 36 of 150 = 24% abandoned, above the 10% band
    insert_raw(
        db,
        "calls",
        [{**CALL, "call_id": f"a{i}", "answered_at": None, "abandoned": "yes"} for i in range(30)],
    )
    run = check(db, suites=["raw.calls"], write_docs=False)
    assert run.failed == {("raw.calls.loads", "share_999_abandoned_in_band")}
    assert run.failed_with("warning") == run.failed
    assert run.code == 0
    assert "WARNING  raw.calls.loads: share_999_abandoned_in_band" in run.output
    assert "0.24" in run.result("raw.calls.loads", "share_999_abandoned_in_band")["details"]
    strict = check(db, suites=["raw.calls"], fail_on_warning=True, write_docs=False)
    assert strict.failed == run.failed and strict.code == 1


def test_too_many_missing_arrivals_is_a_warning(clean_db, tmp_path) -> None:
    db = copy_warehouse(clean_db, tmp_path)
    # 30 more grade E incidents without arrival: 36 of 150 = 24%, above the 10% band
    insert_raw(
        db,
        "incidents",
        [{**INCIDENT, "incident_id": f"m{i}", "grade": "E", "first_arrival_at": None} for i in range(30)],
    )
    run = check(db, suites=["raw.incidents"], write_docs=False)
    assert run.failed == {("raw.incidents.loads", "share_arrival_missing_in_band")}
    assert run.code == 0


def test_an_extract_kind_never_loaded_is_a_warning(tmp_path) -> None:
    db = tmp_path / "warehouse.duckdb"
    ingest(db, [write_extracts(tmp_path / "extracts", {"calls.csv": CLEAN["calls.csv"]})])
    run = check(db, suites=RAW_TABLES, write_docs=False)
    assert run.failed == {
        ("raw.incidents.loads", "some_incidents_loaded"),
        ("raw.survey_responses.loads", "some_survey_responses_loaded"),
        ("raw.feedback.loads", "some_feedback_loaded"),
        ("raw.victim_contacts.loads", "some_victim_contacts_loaded"),
    }
    assert run.failed_with("critical") == set()
    assert run.code == 0


def test_personal_data_never_reaches_the_results_or_the_data_docs(clean_db, tmp_path) -> None:
    db = copy_warehouse(clean_db, tmp_path)
    insert_raw(
        db,
        "feedback",
        [
            {
                **FEEDBACK,
                "feedback_type": "praise",
                "complainant_name": "Zebedee Quill",
                "free_text": "my secret story",
            }
        ],
    )
    insert_raw(db, "calls", [{**CALL, "line": "998", "handler_id": "STAFF-7731"}])
    run = check(db, suites=RAW_TABLES, docs_dir=tmp_path / "docs")
    assert run.code == 1
    stored = " ".join(str(v) for r in run.results for v in r.values())
    pages = " ".join(p.read_text(encoding="utf-8") for p in (tmp_path / "docs").rglob("*.html"))
    for secret in ("Zebedee", "secret story", "STAFF-7731", "Caller Q1", "Annabel Quorn", "Bobbie"):
        assert secret not in stored and secret not in pages and secret not in run.output


def test_a_file_rejected_whole_is_a_warning_until_a_good_file_replaces_it(tmp_path) -> None:
    db = tmp_path / "warehouse.duckdb"
    clean = check(copy_warehouse_for(db, tmp_path, "clean"), suites=["raw.load_ledger"], write_docs=False)
    assert clean.failed == set() and clean.code == 0
    bad = {"calls.csv": "call_id,line,answered_at\nc1,999,2008-06-01T10:00:07Z\n"}  # no received_at
    ingest(db, [write_extracts(tmp_path / "bad", bad)])
    run = check(copy_warehouse_for(db, tmp_path, "rejected"), suites=["raw.load_ledger"], write_docs=False)
    assert run.failed == {("raw.load_ledger.rejected_files", "no_file_left_rejected")}
    assert run.failed_with("critical") == set() and run.code == 0
    ingest(db, [write_extracts(tmp_path / "fixed", {"calls.csv": CLEAN["calls.csv"]})])
    fixed = check(copy_warehouse_for(db, tmp_path, "fixed_run"), suites=["raw.load_ledger"], write_docs=False)
    assert fixed.failed == set()


def copy_warehouse_for(db: Path, tmp_path: Path, name: str) -> Path:
    """The warehouse as it is now (loading a first file when it does not exist yet), copied for a check."""
    if not db.exists():
        ingest(db, [write_extracts(tmp_path / "first", {"incidents.csv": CLEAN["incidents.csv"]})])
    return copy_warehouse(db, tmp_path / name)
