"""Compliance marts end to end: hand-written extracts -> `citizen-focus ingest` and `build` -> every figure.

One borough-month (Hackney, HK, April 2009, BST) carries records for every measured standard,
each chosen to sit on a rule of docs/measures.md (inclusive thresholds to the millisecond, short
abandons, missing abandoned_at, naive London times, rural 20 minutes, cancelled attendance,
appointments and their grace, working days across Easter and the Early May bank holiday, the
28-day victim update windows with a closure and an opt-out, Victim Support referrals), plus
neighbours that must stay out of it (March, another borough, an unknown borough, another force
reusing the same call id). The expected numerator / denominator / pending of every standard
below was counted by hand from the comments on each row; nothing is recomputed by the code
under test.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from warehouse_builder import cli, ingest, query, run_dbt, write_extracts

MARK = "ZQXPII"
PII = f'{MARK} B,{MARK}@example.org,"{MARK} said, rude"'  # complainant_name, _contact, free_text

CALLS_MPS = f"""
call_id,line,received_at,answered_at,abandoned,abandoned_at,borough_code,handler_id
k1,999,2009-04-02T10:00:00Z,2009-04-02T10:00:10Z,,,HK,{MARK}1
k2,999,2009-04-02T11:00:00Z,2009-04-02T11:00:10.001Z,,,HK,{MARK}1
k3,999,2009-04-03T10:00:00Z,,true,2009-04-03T10:00:04.999Z,HK,{MARK}1
k4,999,2009-04-03T11:00:00Z,,true,2009-04-03T11:00:05Z,HK,{MARK}1
k5,999,2009-04-03T12:00:00Z,,,,HK,{MARK}1
k6,999,2009-03-31T23:30:00Z,2009-03-31T23:30:02Z,,,HK,{MARK}1
k7,999,2009-03-31T22:30:00Z,2009-03-31T22:30:02Z,,,HK,{MARK}1
k8,999,2009-04-10 12:00:00,2009-04-10 12:00:08,,,HK,{MARK}1
k9,101,2009-04-05T09:00:00Z,2009-04-05T09:00:30Z,,,HK,{MARK}1
k10,0300,2009-04-05T09:00:00Z,2009-04-05T09:00:45Z,,,HK,{MARK}1
k11,textphone,2009-04-05T09:00:00Z,2009-04-05T09:00:45Z,,,HK,{MARK}1
k12,999,2009-04-02T10:00:00Z,2009-04-02T10:00:05Z,,,CW,{MARK}1
k13,999,2009-04-30T22:59:55Z,,false,,HK,{MARK}1
k14,999,2009-04-30T22:59:40Z,,false,,HK,{MARK}1
k15,999,2009-03-10T10:00:00Z,2009-03-10T10:00:20Z,,,HK,{MARK}1
k16,0300,2009-04-20T10:00:00Z,,true,2009-04-20T10:00:02Z,HK,{MARK}1
k17,999,2009-04-11T10:00:00Z,2009-04-11T10:00:03Z,,,,{MARK}1
"""
# HK April 999: met k1 (10.000 s), k6 (23:30 UTC 31 Mar = April BST), k8 (naive London, 8 s);
# missed k2 (10.001 s), k4 (abandon at exactly 5 s), k5 (abandoned, no abandoned_at), k14
# (unanswered, deadline before the as-of time 22:59:55Z); pending k13 (the as-of call itself);
# out: k3 (short abandon), k7 (March), k12 (CW), k15 (March), k17 (no borough), k11 (textphone).
# HK April non-emergency: met k9 (101, 30 s), missed k10 (0300, 45 s); k16 short abandon.

CALLS_CUMB = f"""
call_id,line,received_at,answered_at,borough_code,force_code,handler_id
u1,999,2009-04-02T10:00:00Z,2009-04-02T10:00:30Z,KEND,CUMB,{MARK}2
"""

INCIDENTS = f"""
incident_id,created_at,grade,borough_code,area_type,first_arrival_at,appointment_at,attendance_cancelled,caller_name,caller_phone,location_text
n1,2009-04-06T10:00:00Z,E,HK,urban,2009-04-06T10:15:00Z,,,{MARK} A,{MARK}07700,"1 {MARK} Road, London"
n2,2009-04-06T10:00:00Z,E,HK,rural,2009-04-06T10:20:00Z,,,{MARK} A,{MARK}07700,{MARK}
n3,2009-04-06T10:00:00Z,E,HK,,2009-04-06T10:15:00.001Z,,,{MARK} A,{MARK}07700,{MARK}
n4,2009-04-06T10:00:00Z,E,HK,urban,2009-04-06T10:12:00Z,,,{MARK} A,{MARK}07700,{MARK}
n5,2009-04-06T10:00:00Z,E,HK,urban,2009-04-06T10:30:00Z,,true,{MARK} A,{MARK}07700,{MARK}
n6,2009-04-06T10:00:00Z,E,HK,rural,2009-04-06T10:20:00.5Z,,,{MARK} A,{MARK}07700,{MARK}
n7,2009-04-30T22:47:00Z,E,HK,urban,,,,{MARK} A,{MARK}07700,{MARK}
n8,2009-04-07T10:00:00Z,P,HK,urban,2009-04-07T11:00:00Z,,,{MARK} A,{MARK}07700,{MARK}
n9,2009-04-07T10:00:00Z,P,HK,urban,2009-04-07T11:00:01Z,,,{MARK} A,{MARK}07700,{MARK}
n10,2009-04-07T10:00:00Z,P,HK,urban,,,true,{MARK} A,{MARK}07700,{MARK}
n11,2009-04-08T09:00:00Z,S,HK,urban,2009-04-10T09:30:00Z,2009-04-10T09:00:00Z,,{MARK} A,{MARK}07700,{MARK}
n12,2009-04-08T09:00:00Z,S,HK,urban,2009-04-10T09:31:00Z,2009-04-10T09:00:01Z,,{MARK} A,{MARK}07700,{MARK}
n13,2009-04-08T09:00:00Z,S,HK,urban,,,,{MARK} A,{MARK}07700,{MARK}
n14,2009-04-30T22:00:00Z,S,HK,urban,,,,{MARK} A,{MARK}07700,{MARK}
n15,2009-04-29T10:00:00Z,S,HK,urban,,2009-05-01T09:00:00Z,,{MARK} A,{MARK}07700,{MARK}
n16,2009-04-08T09:00:00Z,S,HK,urban,,2009-04-09T09:00:00Z,true,{MARK} A,{MARK}07700,{MARK}
n17,2009-04-08T09:00:00Z,R,HK,urban,,,,{MARK} A,{MARK}07700,{MARK}
n18,2009-04-30T23:00:00Z,E,CW,urban,,,,{MARK} A,{MARK}07700,{MARK}
n19,2009-03-15T10:00:00Z,E,HK,urban,2009-03-15T10:10:00Z,,,{MARK} A,{MARK}07700,{MARK}
"""
# As-of (incidents) = n18 created 2009-04-30T23:00Z (an appointment time is not an event).
# HK April PLEDGE-7: met n1 (15:00 urban), n2 (20:00 rural), n4; missed n3 (missing area = urban,
# 15:00.001), n6 (rural 20:00.5); pending n7 (15 min not past); n5 cancelled -> 3/5, 1 pending.
# PROMISE-12: met n4 (12:00); missed n1, n2, n3, n6, n7 (12 min past at the as-of) -> 1/6.
# PLEDGE-8: met n8 (60:00), missed n9 (60:01), n10 cancelled -> 1/2.
# PLEDGE-9 set: met n11 (48 h), n15 (47 h), n16 (cancelled still counts); missed n12 (48 h 1 s),
# n13 (none by the deadline); pending n14 (created 23:00 BST 30 Apr) -> 3/5, 1 pending.
# PLEDGE-9 kept: met n11 (+30:00), missed n12 (+30:59), pending n15 (appointment after as-of) -> 1/2, 1.

FEEDBACK = f"""
feedback_id,feedback_type,category,channel,received_at,acknowledged_at,response_requested,responded_at,resolved_at,borough_code,complainant_name,complainant_contact,free_text
b1,complaint,quality_of_service,web,2009-04-09T09:00:00Z,2009-04-15T22:59:59Z,,2009-04-27T22:00:00Z,,HK,{PII}
b2,dissatisfaction,other,phone,2009-04-09T09:00:00Z,2009-04-10T09:00:00Z,,2009-04-27T23:30:00Z,,HK,{PII}
b3,complaint,conduct,letter,2009-04-09T09:00:00Z,2009-04-15T23:00:00Z,false,,,HK,{PII}
b4,compliment,,web,2009-04-09T09:00:00Z,,,,,HK,{PII}
b5,comment,,web,2009-04-09T09:00:00Z,,,,,HK,{PII}
b6,complaint,other,email,2009-04-30T13:00:00Z,,true,,,HK,{PII}
b7,complaint,other,web,2009-03-20T10:00:00Z,2009-03-20T12:00:00Z,,2009-03-25T10:00:00Z,2009-05-02T12:00:00Z,CW,{PII}
b8,complaint,other,web,2009-04-29T11:00:00Z,,false,,,HK,{PII}
b9,complaint,victims_code,front_counter,2009-04-20T10:00:00Z,2009-04-21T09:00:00Z,,,,HK,{PII}
"""
# As-of (feedback) = b7 resolved 2009-05-02T12:00Z. Working days: Thu 9 Apr -> (Good Friday,
# Easter Monday) Tue 14 = 1st, Wed 15 = 2nd, Mon 27 = 10th; Thu 30 Apr -> Fri 1 May, (Early May
# bank holiday 4 May) Tue 5 May = 2nd; Wed 29 Apr -> Fri 1 May = 2nd; Mon 20 Apr -> Tue 5 May = 10th.
# HK April 24 h: met b2 (exactly 24 h), b9; missed b1, b3, b6 (past at as-of), b8 -> 2/6.
# 2 working days: met b1 (23:59:59 BST 15 Apr), b2, b9; missed b3 (00:00 BST 16 Apr), b8 (end of
# 1 May past); pending b6 (5 May) -> 3/5, 1.
# 10 working days (response requested; default true): met b1 (23:00 BST 27 Apr); missed b2 (00:30
# BST 28 Apr); pending b6, b9; b3 and b8 did not ask -> 1/2, 2 pending. b4, b5 never count.

VICTIM_CONTACTS = f"""
contact_id,crime_reference,contact_type,contact_at,borough_code,crime_type,victim_name
v1a,V1,recorded,2009-04-01T10:00:00Z,HK,burglary,{MARK} V
v1b,V1,victim_support_referral,2009-04-03T10:00:00Z,HK,burglary,{MARK} V
v1c,V1,update,2009-04-29T10:00:00Z,HK,burglary,{MARK} V
v2a,V2,recorded,2009-03-01T10:00:00Z,HK,violence,{MARK} V
v2b,V2,victim_support_referral,2009-03-03T10:00:01Z,HK,violence,{MARK} V
v2c,V2,update,2009-03-30T10:00:00Z,HK,violence,{MARK} V
v2d,V2,closure,2009-04-15T10:00:00Z,HK,violence,{MARK} V
v3a,V3,recorded,2009-04-02T10:00:00Z,HK,burglary,{MARK} V
v3b,V3,opt_out,2009-04-03T09:00:00Z,HK,burglary,{MARK} V
v4a,V4,recorded,2009-04-20T10:00:00Z,HK,burglary,{MARK} V
v5a,V5,recorded,2009-04-30T20:00:00Z,HK,burglary,{MARK} V
v6a,V6,recorded,2009-05-01T12:00:00Z,CW,burglary,{MARK} V
v7a,V7,recorded,2009-02-20T10:00:00Z,HK,burglary,{MARK} V
v7b,V7,opt_out,2009-04-10T10:00:00Z,HK,burglary,{MARK} V
v8a,V8,recorded,2009-03-10T10:00:00Z,HK,burglary,{MARK} V
v8b,V8,victim_support_referral,2009-03-10T12:00:00Z,HK,burglary,{MARK} V
v8c,V8,update,2009-04-05T10:00:00Z,HK,burglary,{MARK} V
v8d,V8,charge,2009-05-01T09:00:00Z,HK,burglary,{MARK} V
v9a,V9,recorded,2009-03-05T10:00:00Z,HK,burglary,{MARK} V
"""
# As-of (victim contacts) = v6a 2009-05-01T12:00Z.
# HK April update windows: met V1#1 (update exactly 28 d after recording), V2#3 (closure, after
# V2#1 failed 29 Mar and V2#2 met 30 Mar, both March), V8#1 (5 Apr; the referral is no update);
# missed V9#1 (2 Apr) and V9#2 (30 Apr); pending V1#2 (from the 29 Apr update), V4#1, V5#1 (21:00
# BST 30 Apr), V9#3 (from 30 Apr).
# V7#1 failed 20 Mar (March), V7#2 cut by the opt-out (neither); V3's only window is cut too.
# -> 3/5, 4 pending.
# HK April Victim Support referral: met V1 (exactly 48 h); missed V4 (none by 22 Apr); pending V5;
# V3 opted out within 48 h before any referral: out -> 1/2, 1 pending.

SURVEY = f"""
response_id,interview_date,survey_group,borough_code,ethnicity_code,q_whole_experience,respondent_name
r1,2009-04-20,burglary,HK,W1,Very satisfied,{MARK} R
"""

FILES = {
    "calls_MPS.csv": CALLS_MPS,
    "calls_CUMB.csv": CALLS_CUMB,
    "incidents_MPS.csv": INCIDENTS,
    "feedback_MPS.csv": FEEDBACK,
    "victim_contacts_MPS.csv": VICTIM_CONTACTS,
    "survey_responses_MPS.csv": SURVEY,
}

# (numerator, denominator, pending) of every measured standard for MPS, HK, April 2009.
HK_APRIL_2009 = {
    "PLEDGE-6-999": (3, 7, 1),
    "PLEDGE-6-NON-EMERGENCY": (1, 2, 0),
    "PLEDGE-7-EMERGENCY": (3, 5, 1),
    "PROMISE-URGENT-12MIN": (1, 6, 0),
    "PLEDGE-8-PRIORITY": (1, 2, 0),
    "PLEDGE-9-APPOINTMENT": (3, 5, 1),
    "PLEDGE-9-KEPT": (1, 2, 1),
    "PLEDGE-11-ACK-24H": (2, 6, 0),
    "PROMISE-ACK-2WD": (3, 5, 1),
    "QOSC-RESPONSE-10WD": (1, 2, 2),
    "PLEDGE-12-MONTHLY-UPDATE": (3, 5, 4),
    "QOSC-VS-REFERRAL-2D": (1, 2, 1),
}
TARGETS = {"PROMISE-URGENT-12MIN": 0.75, "PLEDGE-11-ACK-24H": 0.95, "PROMISE-ACK-2WD": 0.95}

UNMEASURED = {"PLEDGE-1", "PLEDGE-2", "PLEDGE-3", "PLEDGE-4", "PLEDGE-5", "PLEDGE-10"}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    """Built as a user builds it: `citizen-focus ingest` then `citizen-focus build` (dbt build + checks)."""
    tmp = tmp_path_factory.mktemp("compliance")
    folder = write_extracts(tmp / "extracts", FILES)
    db = tmp / "warehouse.duckdb"
    env = {"DBT_TARGET_PATH": str(tmp / "dbt_target"), "DBT_LOG_PATH": str(tmp / "dbt_logs")}
    loaded = cli("ingest", str(folder), "--db", str(db), env=env)
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    built = cli("build", "--db", str(db), "--docs", str(tmp / "data_docs"), env=env)
    assert built.returncode == 0, built.stdout[-4000:] + built.stderr
    return db


def _rag(rate: float | None, target: float) -> str:
    if rate is None:
        return "no_data"
    if rate >= target:
        return "green"
    return "amber" if rate >= target - 0.05 - 1e-12 else "red"


def test_every_measured_standard_of_one_borough_month_matches_the_hand_count(warehouse: Path) -> None:
    rows = query(warehouse, """
        select standard_id, numerator, denominator, pending, rate, target_rate, rag
        from marts.pledge_compliance
        where force_code = 'MPS' and borough_code = 'HK' and period_month = date '2009-04-01'
    """)
    got = {r[0]: (r[1], r[2], r[3]) for r in rows}
    assert got == HK_APRIL_2009
    for standard_id, _, denominator, _, rate, target, rag in rows:
        numerator = HK_APRIL_2009[standard_id][0]
        assert rate == pytest.approx(numerator / denominator, abs=1e-15)
        assert target == TARGETS.get(standard_id, 0.90)
        assert rag == _rag(rate, target)


def test_neighbouring_cells_are_apart_and_each_appears_only_with_a_record(warehouse: Path) -> None:
    cells = {(r[0], r[1], r[2], r[3]): (r[4], r[5], r[6]) for r in query(warehouse, """
        select standard_id, force_code, borough_code, period_month, numerator, denominator, pending
        from marts.pledge_compliance
    """)}
    march, april, may = date(2009, 3, 1), date(2009, 4, 1), date(2009, 5, 1)
    assert cells[("PLEDGE-6-999", "MPS", "HK", march)] == (1, 2, 0)  # k7 (22:30 UTC 31 Mar = 23:30 BST), k15
    assert cells[("PLEDGE-6-999", "MPS", "CW", april)] == (1, 1, 0)
    assert cells[("PLEDGE-6-999", "MPS", "UNKNOWN", april)] == (1, 1, 0)
    assert cells[("PLEDGE-6-999", "CUMB", "KEND", april)] == (0, 1, 0)  # other force, call u1
    assert cells[("PLEDGE-7-EMERGENCY", "MPS", "CW", may)] == (0, 0, 1)  # n18: pending-only cell
    assert cells[("PLEDGE-12-MONTHLY-UPDATE", "MPS", "HK", march)] == (1, 3, 0)  # V2#1, V2#2, V7#1
    assert cells[("PLEDGE-12-MONTHLY-UPDATE", "MPS", "HK", may)] == (1, 1, 1)  # V8#2 met 1 May, V8#3 pending
    assert cells[("QOSC-VS-REFERRAL-2D", "MPS", "HK", march)] == (1, 3, 0)  # V8 met, V2 and V9 missed
    assert cells[("QOSC-VS-REFERRAL-2D", "MPS", "HK", date(2009, 2, 1))] == (0, 1, 0)  # V7: opt-out after 48 h
    assert cells[("PLEDGE-11-ACK-24H", "MPS", "CW", march)] == (1, 1, 0)
    assert all(den > 0 or pending > 0 for _, den, pending in cells.values())
    assert not any(standard_id in UNMEASURED for standard_id, *_ in cells)


def test_scorecard_lists_every_standard_for_each_force_at_its_latest_complete_month(warehouse: Path) -> None:
    rows = query(warehouse, """
        select force_code, period_month, standard_id, measured, not_measured_reason, numerator, denominator,
               pending, rate, previous_rate, rolling_12_numerator, rolling_12_denominator, rolling_12_rate, rag,
               target_rate, title, source
        from marts.promise_scorecard order by force_code, sort_order
    """)
    seed = query(warehouse, "select standard_id, measured from reference.standards")
    assert len(seed) == 25 and sum(1 for _, m in seed if m) == 12
    by_force: dict[str, list[tuple]] = {}
    for row in rows:
        by_force.setdefault(row[0], []).append(row)
    assert set(by_force) == {"MPS", "CUMB"}
    for force, force_rows in by_force.items():
        assert {r[2] for r in force_rows} == {s for s, _ in seed}
        # MPS: latest timestamp 2 May (feedback) -> April complete; CUMB: its only call, 2 Apr -> March.
        assert {r[1] for r in force_rows} == {date(2009, 4, 1) if force == "MPS" else date(2009, 3, 1)}
        for r in force_rows:
            assert r[15] and r[16]
            if r[2] in UNMEASURED:
                assert (r[3], r[4]) == (False, "not measured: no data source")
                assert r[5:13] == (None,) * 8 and r[13] == "no_data"
    mps = {r[2]: r for r in by_force["MPS"]}
    # Force-wide April 999: HK 3/7 + CW 1/1 + UNKNOWN 1/1; March HK 1/2; rolling = both months.
    assert mps["PLEDGE-6-999"][5:14] == (5, 9, 1, pytest.approx(5 / 9), 0.5, 6, 11, pytest.approx(6 / 11), "red")
    # April: HK 1/6; March: n19 met -> 1/1; rolling 2/7.
    assert mps["PROMISE-URGENT-12MIN"][5:14] == (1, 6, 0, pytest.approx(1 / 6), 1.0, 2, 7, pytest.approx(2 / 7),
                                                 "red")
    # Update windows: April HK 3/5 (4 pending); March 1/3; rolling 4/8.
    assert mps["PLEDGE-12-MONTHLY-UPDATE"][5:14] == (3, 5, 4, 0.6, pytest.approx(1 / 3), 4, 8, 0.5, "red")
    assert mps["PLEDGE-9-KEPT"][5:10] == (1, 2, 1, 0.5, None)
    cumb = {r[2]: r for r in by_force["CUMB"]}
    assert cumb["PLEDGE-6-999"][5:14] == (0, 0, 0, None, None, 0, 0, None, "no_data")


def test_record_level_mart_drills_down_without_personal_data(warehouse: Path) -> None:
    columns = [r[0] for r in query(warehouse, """
        select column_name from information_schema.columns
        where table_schema = 'marts' and table_name = 'compliance_records' order by ordinal_position
    """)]
    personal = {"handler_id", "caller_name", "caller_phone", "location_text", "complainant_name",
                "complainant_contact", "free_text", "victim_name", "respondent_name", "respondent_phone"}
    assert not personal & set(columns)
    assert {"standard_id", "force_code", "borough_code", "period_month", "record_id", "started_at",
            "started_at_london", "deadline_at", "event_at", "elapsed_seconds", "threshold_seconds", "outcome",
            "call_type", "grade", "area_type", "category", "channel", "hour_of_day", "weekday"} <= set(columns)
    for table in ("compliance_records", "pledge_compliance", "promise_scorecard"):
        cols = [r[0] for r in query(warehouse, f"""
            select column_name from information_schema.columns
            where table_schema = 'marts' and table_name = '{table}'
        """)]
        hits = query(warehouse, f"select count(*) from marts.{table} where "
                     + " or ".join(f"cast({c} as varchar) like '%{MARK}%'" for c in cols))
        assert hits == [(0,)]
    # "Which 999 calls missed 10 s in Hackney in April 2009?"
    missed = query(warehouse, """
        select record_id, elapsed_seconds, hour_of_day, weekday from marts.compliance_records
        where standard_id = 'PLEDGE-6-999' and borough_code = 'HK' and period_month = date '2009-04-01'
          and outcome = 'missed' order by record_id
    """)
    assert missed == [("k14", None, 23, "Thursday"), ("k2", 10.001, 12, "Thursday"), ("k4", None, 12, "Friday"),
                      ("k5", None, 13, "Friday")]
    windows = query(warehouse, """
        select record_id, outcome, period_month from marts.compliance_records
        where standard_id = 'PLEDGE-12-MONTHLY-UPDATE' and record_id like 'V2#%' order by record_id
    """)
    assert windows == [("V2#1", "missed", date(2009, 3, 1)), ("V2#2", "met", date(2009, 3, 1)),
                       ("V2#3", "met", date(2009, 4, 1))]


def test_a_restated_extract_turns_pending_records_into_met_or_missed(tmp_path: Path) -> None:
    """The as-of time moves with the data: a later file restating the incidents settles them."""
    header = "incident_id,created_at,grade,borough_code,area_type,first_arrival_at\n"
    first = write_extracts(tmp_path / "first", {"incidents_1.csv": header
                                                + "i1,2009-04-30T22:50:00Z,E,HK,urban,\n"
                                                + "i2,2009-04-30T22:55:00Z,E,HK,urban,\n"})
    second = write_extracts(tmp_path / "second", {"incidents_2.csv": header
                                                  + "i1,2009-04-30T22:50:00Z,E,HK,urban,2009-04-30T23:04:00Z\n"
                                                  + "i2,2009-04-30T22:55:00Z,E,HK,urban,2009-04-30T23:20:00Z\n"})
    db = tmp_path / "warehouse.duckdb"
    outcomes = """select record_id, outcome from marts.compliance_records
                  where standard_id = 'PLEDGE-7-EMERGENCY' order by 1"""
    cell = """select numerator, denominator, pending from marts.pledge_compliance
              where standard_id = 'PLEDGE-7-EMERGENCY' and borough_code = 'HK'"""
    ingest(db, [first])
    assert run_dbt(db, "build").returncode == 0
    assert query(db, outcomes) == [("i1", "pending"), ("i2", "pending")]  # as-of 22:55: deadlines ahead
    assert query(db, cell) == [(0, 0, 2)]
    ingest(db, [second])
    assert run_dbt(db, "build").returncode == 0
    assert query(db, outcomes) == [("i1", "met"), ("i2", "missed")]  # 14 min; 25 min
    assert query(db, cell) == [(1, 2, 0)]
