"""Personal data never leaves the raw layer: planted strings are searched for everywhere else.

Every personal column of every extract carries a distinctive marker; the whole project is
built (dbt build: staging, intermediate, marts) and every table and view outside `raw` is
scanned, every column of every row, for the marker.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from warehouse_builder import build_warehouse

MARK = "ZQXPII"

FILES = {
    "calls_pii.csv": (
        "call_id,line,received_at,answered_at,borough_code,handler_id\n"
        + "".join(f"c{i},999,2008-06-0{1 + i % 5}T10:00:00Z,2008-06-0{1 + i % 5}T10:00:0{i % 10}Z,CW,"
                  f"{MARK}-handler-{i}\n" for i in range(30))
    ),
    "incidents_pii.csv": (
        "incident_id,call_id,created_at,grade,borough_code,first_arrival_at,appointment_at,"
        "caller_name,caller_phone,location_text\n"
        + "".join(f"i{i},c{i},2008-06-0{1 + i % 5}T10:00:00Z,{'EPS'[i % 3]},CW,2008-06-0{1 + i % 5}T10:20:00Z,"
                  f"2008-06-0{2 + i % 5}T10:00:00Z,{MARK} Name {i},{MARK}07700900{i:03d},"
                  f"\"{i} {MARK} Street, London\"\n" for i in range(30))
    ),
    "survey_responses_pii.csv": (
        "response_id,interview_date,incident_id,crime_reference,survey_group,borough_code,ethnicity_code,"
        "q_ease_of_contact,q_action_taken,q_kept_informed,q_treatment,q_whole_experience,weight,"
        "respondent_name,respondent_phone\n"
        + "".join(f"r{i},2008-07-{1 + i % 28:02d},i{i},CR{i},burglary,CW,{'W1' if i % 2 else 'B2'},"
                  "Very satisfied,Fairly satisfied,Fairly dissatisfied,Completely satisfied,"
                  f"{'Very satisfied' if i % 3 else 'Very dissatisfied'},1.0,{MARK} Respondent {i},"
                  f"{MARK}-tel-{i}\n" for i in range(40))
    ),
    "feedback_pii.csv": (
        "feedback_id,feedback_type,received_at,acknowledged_at,responded_at,borough_code,"
        "complainant_name,complainant_contact,free_text\n"
        + "".join(f"f{i},complaint,2008-06-0{1 + i % 5}T10:00:00Z,2008-06-0{1 + i % 5}T12:00:00Z,"
                  f"2008-06-1{i % 9}T12:00:00Z,CW,{MARK} Complainant,{MARK}@example.org,"
                  f"\"{MARK} said: the officer was rude\"\n" for i in range(20))
    ),
    "victim_contacts_pii.csv": (
        "contact_id,crime_reference,contact_type,contact_at,borough_code,victim_name\n"
        + "".join(f"v{i}a,CR{i},recorded,2008-06-0{1 + i % 5}T10:00:00Z,CW,{MARK} Victim {i}\n"
                  f"v{i}b,CR{i},update,2008-06-1{i % 9}T10:00:00Z,CW,{MARK} Victim {i}\n" for i in range(20))
    ),
}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    return build_warehouse(tmp_path_factory.mktemp("privacy"), FILES)


def test_the_markers_really_are_in_the_raw_layer(warehouse: Path) -> None:
    con = duckdb.connect(str(warehouse), read_only=True)
    found = con.execute(
        f"select count(*) from raw.incidents where caller_name like '%{MARK}%'"
    ).fetchone()[0]
    con.close()
    assert found == 30  # the scan below would find them if they leaked


def test_no_table_or_view_outside_raw_holds_personal_data(warehouse: Path) -> None:
    con = duckdb.connect(str(warehouse), read_only=True)
    relations = con.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_schema not in ('raw', 'information_schema', 'pg_catalog') order by 1, 2"
    ).fetchall()
    schemas = {schema for schema, _ in relations}
    assert {"staging", "marts"} <= schemas
    leaks = []
    for schema, table in relations:
        columns = [r[0] for r in con.execute(f'describe "{schema}"."{table}"').fetchall()]
        if not columns:
            continue
        text = " || '|' || ".join(f'coalesce(cast("{c}" as varchar), \'\')' for c in columns)
        hits = con.execute(f'select count(*) from "{schema}"."{table}" where ({text}) like ?',
                           [f"%{MARK}%"]).fetchone()[0]
        if hits:
            leaks.append(f"{schema}.{table}: {hits} rows")
    con.close()
    assert leaks == []
    assert len(relations) >= 10
