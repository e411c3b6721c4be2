"""The loader against the input contract: hand-written files, hand-computed expectations."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from warehouse_builder import cli, query

from citizen_focus.warehouse import connect
from ingest import load_file

CALLS_HEADER = "call_id,line,received_at,answered_at,abandoned,abandoned_at,borough_code,force_code,handler_id\n"


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def _load(db: Path, path: Path, kind: str | None = None):
    con = connect(db)
    try:
        return load_file(con, path, kind)
    finally:
        con.close()


def _snapshot(db: Path) -> dict[str, list[tuple]]:
    """Every raw data table's full content (not the ledger), to prove a rejected file changed nothing."""
    tables = ["calls", "incidents", "survey_responses", "feedback", "victim_contacts", "rejects"]
    return {t: sorted(map(repr, query(db, f"select * from raw.{t}"))) for t in tables}


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    return tmp_path / "w.duckdb"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- timestamps -----------------------------------------------------------------------------

TIMESTAMP_CASES = [
    # canonical ISO with offsets
    ("2008-10-26T00:55:00+01:00", utc(2008, 10, 25, 23, 55)),
    ("2008-10-26T00:55:00Z", utc(2008, 10, 26, 0, 55)),
    ("2008-06-01T12:00:00.250+01:00", datetime(2008, 6, 1, 11, 0, 0, 250000, tzinfo=UTC)),
    # naive London local time, both accepted forms
    ("2008-06-01 12:00", utc(2008, 6, 1, 11, 0)),
    ("2008-06-01 12:00:30", utc(2008, 6, 1, 11, 0, 30)),
    ("01/06/2008 12:00", utc(2008, 6, 1, 11, 0)),
    ("01/06/2008 12:00:30", utc(2008, 6, 1, 11, 0, 30)),
    ("15/01/2009 08:05", utc(2009, 1, 15, 8, 5)),  # GMT: local = UTC
    # autumn repeated hour (26 Oct 2008, 01:00-02:00 twice): the first (BST) occurrence
    ("2008-10-26 01:30", utc(2008, 10, 26, 0, 30)),
    ("26/10/2008 01:30:00", utc(2008, 10, 26, 0, 30)),
    ("2008-10-26 00:59", utc(2008, 10, 25, 23, 59)),
    ("2008-10-26 02:00", utc(2008, 10, 26, 2, 0)),
    # spring: 30 Mar 2008 01:00 GMT jumps to 02:00 BST
    ("2008-03-30 00:59:59", utc(2008, 3, 30, 0, 59, 59)),
    ("2008-03-30 02:00", utc(2008, 3, 30, 1, 0)),
]

BAD_TIMESTAMPS = ["2008-03-30 01:30", "30/03/2008 01:00", "12/31/2008 10:00", "2008-02-30 10:00", "yesterday"]


def test_every_timestamp_form_is_stored_as_the_right_utc_instant(db: Path, tmp_path: Path) -> None:
    rows = [f"c{i},999,{text},,,,,," for i, (text, _) in enumerate(TIMESTAMP_CASES)]
    rows += [f"bad{i},999,{text},,,,,," for i, text in enumerate(BAD_TIMESTAMPS)]
    result = _load(db, _write(tmp_path / "calls_ts.csv", CALLS_HEADER + "\n".join(rows) + "\n"))
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (19, 14, 5)
    got = dict(query(db, "select call_id, raw.parse_timestamp(received_at) from raw.calls"))
    for i, (_text, expected) in enumerate(TIMESTAMP_CASES):
        assert got[f"c{i}"] == expected, TIMESTAMP_CASES[i]
    reasons = query(db, "select line_number, reason, rejected_values from raw.rejects order by line_number")
    assert [line for line, _, _ in reasons] == list(range(16, 21))
    # the reason names the rule, never the value (that is kept apart, never displayed)
    assert reasons[0][1:] == (
        "received_at is not a valid timestamp (or falls in the spring clock gap)",
        "received_at = '2008-03-30 01:30'",
    )


def test_duration_across_the_autumn_clock_change_is_real_elapsed_time(db: Path, tmp_path: Path) -> None:
    # 00:55 BST to 01:05 GMT on 26 Oct 2008 is 70 minutes, not 10.
    text = CALLS_HEADER + "c1,999,2008-10-26T00:55:00+01:00,2008-10-26T01:05:00+00:00,,,,,\n"
    _load(db, _write(tmp_path / "calls_dst.csv", text))
    seconds = query(db, "select epoch(raw.parse_timestamp(answered_at) - raw.parse_timestamp(received_at)) "
                        "from raw.calls")[0][0]
    assert seconds == 70 * 60


# --- the file as a whole ------------------------------------------------------------------------

def test_same_file_twice_is_a_no_op(db: Path, tmp_path: Path) -> None:
    path = _write(tmp_path / "calls_a.csv", CALLS_HEADER + "c1,999,2008-06-01T10:00:00Z,,,,,,\n")
    first = _load(db, path)
    before = _snapshot(db)
    copy = _write(tmp_path / "calls_copy_same_content.csv", path.read_text())
    second = _load(db, path)
    third = _load(db, copy)
    assert first.status == "loaded"
    assert second.status == third.status == "skipped"
    assert "already loaded" in second.message
    assert _snapshot(db) == before
    assert query(db, "select count(*) from raw.load_ledger")[0][0] == 1


def test_missing_required_column_rejects_the_whole_file_and_changes_nothing(db: Path, tmp_path: Path) -> None:
    _load(db, _write(tmp_path / "calls_ok.csv", CALLS_HEADER + "c1,999,2008-06-01T10:00:00Z,,,,,,\n"))
    before = _snapshot(db)
    bad = _write(tmp_path / "calls_no_line.csv", "call_id,received_at\nc2,2008-06-01T10:00:00Z\n")
    result = _load(db, bad)
    assert result.status == "rejected"
    assert result.message == "missing required column line"
    assert "calls_no_line.csv, line 1: rejected: missing required column line" in result.one_line
    assert _snapshot(db) == before
    ledger = query(db, "select status, message, rows_loaded from raw.load_ledger order by load_id")
    assert ledger[-1] == ("rejected", "missing required column line", 0)


@pytest.mark.parametrize(
    ("name", "content", "reason_start"),
    [
        ("calls_empty.csv", b"", "the file is empty"),
        ("calls_binary.csv", b"\x00\x01\x02\xff\xfe" * 50, "not a CSV text file"),
        # a Latin-1 header (a Latin-1 data row is quarantined at its line: test_ingest_attacks.py)
        ("calls_latin1.csv", CALLS_HEADER.replace("handler_id", "agent_é").encode("latin-1")
         + "c1,999,2008-06-01T10:00:00Z,,,,CW,,Zoë\n".encode("latin-1"), "not UTF-8 text"),
        ("police_uk_street.csv", b"Crime ID,Month,Reported by\nabc,2023-03,City of London Police\n",
         "cannot tell the extract kind"),
    ],
)
def test_files_that_cannot_be_extracts_are_rejected_whole(
    db: Path, tmp_path: Path, name: str, content: bytes, reason_start: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = _load(db, path)
    assert result.status == "rejected"
    assert result.message.startswith(reason_start), result.message
    assert _snapshot(db)["calls"] == []


def test_a_police_uk_file_given_as_calls_is_refused_with_a_clear_message(db: Path) -> None:
    street = Path(__file__).resolve().parents[3] / "shared/reference-data/police-uk-2023-03-city-of-london"
    path = street / "2023-03-city-of-london-street.csv"
    result = _load(db, path, kind="calls")
    assert result.status == "rejected"
    assert result.message.startswith("missing required columns call_id, line, received_at")


def test_mixed_good_and_bad_rows(db: Path, tmp_path: Path) -> None:
    text = (
        CALLS_HEADER
        + "c1,999,2008-06-01T10:00:00Z,2008-06-01T10:00:08Z,,,CW,,PC1\n"  # line 2 good
        + "c2,998,2008-06-01T10:00:00Z,,,,CW,,PC1\n"  # line 3 unknown enum
        + ",999,2008-06-01T10:00:00Z,,,,CW,,PC1\n"  # line 4 missing key
        + "c3,101,2008-06-01T10:00:00Z,2008-06-01T09:59:59Z,,,CW,,\n"  # line 5 answered before received
        + "c1,999,2008-06-01T11:00:00Z,,,,CW,,\n"  # line 6 duplicate key in file
        + "c4,101,2008-06-01T10:00:00Z,,maybe,,CW,,\n"  # line 7 bad boolean
        + "c5,textphone,01/06/2008 11:00,,yes,01/06/2008 11:00:03,hk,,\n"  # line 8 good
        + "c6,999,2008-06-01T10:00:00Z,,,,CW\n"  # line 9 too few fields
    )
    result = _load(db, _write(tmp_path / "calls_mixed.csv", text))
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (8, 2, 6)
    assert sorted(r[0] for r in query(db, "select call_id from raw.calls")) == ["c1", "c5"]
    assert query(db, "select line_number, reason, rejected_values from raw.rejects order by line_number") == [
        (3, "line is not one of 999/101/0300/textphone/other", "line = '998'"),
        (4, "call_id is required but empty", None),
        (5, "answered_at is before received_at", None),
        (6, "duplicate call_id in this file (first at line 2)", "call_id = 'c1'"),
        (7, "abandoned is not a boolean (true/false, yes/no, y/n, 1/0)", "abandoned = 'maybe'"),
        (9, "the row has fewer fields than the header", None),
    ]
    assert query(db, "select raw_row from raw.rejects where line_number = 3")[0][0] == (
        "c2,998,2008-06-01T10:00:00Z,,,,CW,,PC1"
    )
    ledger = query(db, "select rows_read, rows_loaded, rows_rejected, status from raw.load_ledger")
    assert ledger == [(8, 2, 6, "loaded")]


def test_duplicates_blank_keys_and_quoted_newlines_together(db: Path, tmp_path: Path) -> None:
    """A duplicate's "first at line" counts the quoted newlines before it; blank keys, however many,
    are missing keys and never duplicates; good rows land in file order."""
    text = (
        CALLS_HEADER
        + ',999,2008-06-01T10:00:00Z,,,,CW,,"note\nmore"\n'  # lines 2-3: missing key
        + " ,999,2008-06-01T10:01:00Z,,,,CW,,\n"  # line 4: blank key, also missing
        + 'c1,999,2008-06-01T10:02:00Z,,,,CW,,"a\nb"\n'  # lines 5-6: good
        + "c1,101,2008-06-01T10:03:00Z,,,,CW,,\n"  # line 7: duplicate of line 5
        + "c2,999,2008-06-01T10:04:00Z,,,,CW,,\n"  # line 8: good
    )
    result = _load(db, _write(tmp_path / "calls_dups.csv", text))
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (5, 2, 3)
    assert query(db, "select call_id, _line_number, handler_id from raw.calls order by rowid") == [
        ("c1", 5, "a\nb"), ("c2", 8, ""),
    ]
    assert query(db, "select line_number, reason, raw_row from raw.rejects order by rowid") == [
        (2, "call_id is required but empty", ',999,2008-06-01T10:00:00Z,,,,CW,,"note\nmore"'),
        (4, "call_id is required but empty", " ,999,2008-06-01T10:01:00Z,,,,CW,,"),
        (7, "duplicate call_id in this file (first at line 5)", "c1,101,2008-06-01T10:03:00Z,,,,CW,,"),
    ]
    only_blank = CALLS_HEADER + ",999,2008-06-01T10:00:00Z,,,,CW,,\n" * 2 + "c9,999,2008-06-01T10:00:00Z,,,,CW,,\n"
    result = _load(db, _write(tmp_path / "calls_blank_keys.csv", only_blank))
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (3, 1, 2)
    assert query(db, "select line_number, reason from raw.rejects where file_name = 'calls_blank_keys.csv' "
                     "order by rowid") == [(2, "call_id is required but empty"), (3, "call_id is required but empty")]


def test_gzip_bom_quoted_newline_header_case_and_extra_columns(db: Path, tmp_path: Path) -> None:
    text = (
        "\ufeff Received_At ,CALL_ID,Line,Borough_Code,source_system\n"
        '2008-06-01T10:00:00Z,c1,999,CW,"ACD, room 2\nsecond line"\n'
        "2008-06-01T10:01:00Z,c2,101,,ACD\n"
        "2008-06-01T10:02:00Z,c3,998,CW,ACD\n"
    )
    path = tmp_path / "calls_bom.csv.gz"
    path.write_bytes(gzip.compress(text.encode("utf-8")))
    result = _load(db, path)
    assert (result.status, result.rows_read, result.rows_loaded, result.rows_rejected) == ("loaded", 3, 2, 1)
    rows = query(db, "select call_id, line, borough_code, _line_number, _extra_columns->>'source_system' "
                     "from raw.calls order by call_id")
    assert rows == [("c1", "999", "CW", 2, "ACD, room 2\nsecond line"), ("c2", "101", "", 4, "ACD")]
    # the quoted newline pushes the third record to physical line 5
    assert query(db, "select line_number from raw.rejects") == [(5,)]


def test_restated_extract_keeps_the_latest_version_only(tmp_path: Path) -> None:
    from warehouse_builder import build_warehouse

    header = "incident_id,created_at,grade,borough_code,first_arrival_at\n"
    files = {
        "incidents_2008-06_a.csv": header + "i1,2008-06-01T10:00:00Z,E,CW,\ni2,2008-06-01T11:00:00Z,P,CW,\n",
        "incidents_2008-06_b.csv": header + "i1,2008-06-01T10:00:00Z,E,CW,2008-06-01T10:09:00Z\n",
    }
    db = build_warehouse(tmp_path, files, select="stg_cad__incidents")
    rows = query(db, "select incident_id, first_arrival_at from staging.stg_cad__incidents order by 1")
    assert rows == [("i1", utc(2008, 6, 1, 10, 9)), ("i2", None)]


def test_month_attribution_in_london_time(tmp_path: Path) -> None:
    from warehouse_builder import build_warehouse

    files = {"calls_month.csv": CALLS_HEADER + "c1,999,2008-03-31T23:30:00Z,,,,,,\nc2,999,2008-03-31T22:30:00Z,,,,,,\n"}
    db = build_warehouse(tmp_path, files, select="stg_telephony__calls")
    months = query(db, "select call_id, cast(date_trunc('month', timezone('Europe/London', received_at)) as date) "
                       "from staging.stg_telephony__calls order by 1")
    assert [(c, m.isoformat()) for c, m in months] == [("c1", "2008-04-01"), ("c2", "2008-03-01")]


PERSONAL = {
    "calls": ("handler_id",),
    "incidents": ("caller_name", "caller_phone", "location_text"),
    "survey_responses": ("respondent_name", "respondent_phone"),
    "feedback": ("complainant_name", "complainant_contact", "free_text"),
    "victim_contacts": ("victim_name",),
}


def test_personal_data_never_reaches_staging(tmp_path: Path) -> None:
    from warehouse_builder import build_warehouse

    files = {
        "calls_p.csv": "call_id,line,received_at,handler_id\nc1,999,2008-06-01T10:00:00Z,ZZSECRET-handler\n",
        "incidents_p.csv": "incident_id,created_at,grade,borough_code,caller_name,caller_phone,location_text\n"
        "i1,2008-06-01T10:00:00Z,E,CW,ZZSECRET-name,ZZSECRET-phone,ZZSECRET-street\n",
        "survey_responses_p.csv": "response_id,interview_date,survey_group,borough_code,q_whole_experience,"
        "respondent_name,respondent_phone\nr1,2008-06-01,burglary,CW,Very satisfied,ZZSECRET-r,ZZSECRET-rp\n",
        "feedback_p.csv": "feedback_id,feedback_type,received_at,complainant_name,complainant_contact,free_text\n"
        "f1,complaint,2008-06-01T10:00:00Z,ZZSECRET-c,ZZSECRET-cc,ZZSECRET-text\n",
        "victim_contacts_p.csv": "contact_id,crime_reference,contact_type,contact_at,victim_name\n"
        "v1,CR1,recorded,2008-06-01T10:00:00Z,ZZSECRET-victim\n",
    }
    db = build_warehouse(tmp_path, files, select="staging")
    con = duckdb.connect(str(db), read_only=True)
    relations = con.execute(
        "select table_schema, table_name from information_schema.tables where table_schema = 'staging'"
    ).fetchall()
    assert len(relations) == 5
    for schema, table in relations:
        columns = [r[0] for r in con.execute(f'describe "{schema}"."{table}"').fetchall()]
        for personal in sum(PERSONAL.values(), ()):
            assert personal not in columns, (table, personal)
        rows = con.execute(f'select * from "{schema}"."{table}"').fetchall()
        assert rows, table
        assert not any("ZZSECRET" in str(v) for row in rows for v in row), table
    con.close()


def test_cli_ingest_reports_one_line_errors_and_exit_codes(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    good = _write(tmp_path / "calls_good.csv", CALLS_HEADER + "c1,999,2008-06-01T10:00:00Z,,,,,,\n")
    bad = _write(tmp_path / "calls_bad.csv", "call_id\nc1\n")
    ok = cli("ingest", str(good), "--db", str(db))
    assert ok.returncode == 0, ok.stderr
    assert "1 rows read, 1 loaded, 0 rejected" in ok.stdout
    rejected = cli("ingest", str(bad), "--db", str(db))
    assert rejected.returncode == 1
    assert "calls_bad.csv, line 1: rejected: missing required columns line, received_at" in rejected.stderr
    assert "Traceback" not in rejected.stderr + rejected.stdout
    missing = cli("ingest", str(tmp_path / "nope.csv"), "--db", str(db))
    assert missing.returncode == 2
    assert "nope.csv: no such file or folder" in missing.stderr
