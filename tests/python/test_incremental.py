"""Incremental builds give exactly what a full rebuild gives (docs/incremental.md).

The hand-built extracts of test_compliance_end_to_end are loaded and built; a second load then
restates records so that they move between standards or out of every standard (a call that turns
into a short abandon, a 101 call restated as 999, an incident whose attendance is cancelled, an
E incident regraded P, a victim's opt-out restated as an update, a complaint acknowledged late),
adds records for crimes already held, and moves every as-of time so that pending records settle
without being in the new load. After an incremental `citizen-focus build`:

- the records named below have the outcomes counted by hand;
- every table of staging, intermediate and marts equals, row for row, the tables of a
  `citizen-focus build --full-refresh` of the same raw data;
- a record the second load does not touch was not rewritten: a value planted in it between the
  builds survives the incremental build (and only a full refresh repairs it), so the equality
  above is not the trivial one of a build that rebuilt everything.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from test_compliance_end_to_end import FILES
from warehouse_builder import cli, query, write_extracts

SECOND_LOAD = {
    "calls_MPS_2.csv": """
        call_id,line,received_at,answered_at,abandoned,abandoned_at,borough_code
        k1,999,2009-04-02T10:00:00Z,,true,2009-04-02T10:00:03Z,HK
        k9,999,2009-04-05T09:00:00Z,2009-04-05T09:00:30Z,,,HK
        k20,999,2009-05-02T10:00:00Z,2009-05-02T10:00:04Z,,,HK
    """,
    "incidents_MPS_2.csv": """
        incident_id,created_at,grade,borough_code,area_type,first_arrival_at,appointment_at,attendance_cancelled
        n1,2009-04-06T10:00:00Z,E,HK,urban,2009-04-06T10:15:00Z,,true
        n4,2009-04-06T10:00:00Z,P,HK,urban,2009-04-06T10:12:00Z,,
        n20,2009-05-03T10:00:00Z,E,HK,urban,2009-05-03T10:05:00Z,,
    """,
    "feedback_MPS_2.csv": """
        feedback_id,feedback_type,category,channel,received_at,acknowledged_at,response_requested,responded_at,resolved_at,borough_code
        b6,complaint,other,email,2009-04-30T13:00:00Z,2009-05-01T10:00:00Z,true,,,HK
        b10,complaint,other,web,2009-05-10T09:00:00Z,2009-05-10T10:00:00Z,,,,HK
    """,
    "victim_contacts_MPS_2.csv": """
        contact_id,crime_reference,contact_type,contact_at,borough_code,crime_type
        v3b,V3,update,2009-04-03T09:00:00Z,HK,burglary
        v4b,V4,update,2009-05-10T10:00:00Z,HK,burglary
        v10a,V10,recorded,2009-06-01T10:00:00Z,HK,burglary
    """,
}

RECORD = """select standard_id, outcome from marts.compliance_records
            where force_code = 'MPS' and record_id = ? order by standard_id"""
PLANTED = """select elapsed_seconds from marts.compliance_records
             where force_code = 'MPS' and record_id = 'k2' and standard_id = 'PLEDGE-6-999'"""


def _build(db: Path, *extra: str) -> None:
    result = cli("build", "--db", str(db), *extra)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def _ingest(db: Path, folder: Path) -> None:
    result = cli("ingest", str(folder), "--db", str(db))
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]


def _differences(a: Path, b: Path) -> dict[str, tuple[int, int]]:
    """Rows only in a / only in b, per table of staging, intermediate and marts (doubles to 1e-9)."""
    con = duckdb.connect()
    con.execute(f"attach '{a}' as a (read_only)")
    con.execute(f"attach '{b}' as b (read_only)")
    tables = con.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = 'a' "
        "and schema_name in ('staging', 'intermediate', 'marts') order by 1, 2"
    ).fetchall()
    found = {}
    for schema, table in tables:
        columns = con.execute(
            "select column_name, data_type from duckdb_columns() where database_name = 'b' "
            "and schema_name = ? and table_name = ? order by column_index", [schema, table]
        ).fetchall()
        assert columns, f"{schema}.{table} missing from the full rebuild"
        select = ", ".join(f'round("{c}", 9)' if t == "DOUBLE" else f'"{c}"' for c, t in columns)
        only_a, only_b = (
            con.execute(
                f"select count(*) from (select {select} from {x}.{schema}.{table} "
                f"except all select {select} from {y}.{schema}.{table})"
            ).fetchone()[0]
            for x, y in (("a", "b"), ("b", "a"))
        )
        found[f"{schema}.{table}"] = (only_a, only_b)
    con.close()
    return found


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("incremental")
    db = tmp / "warehouse.duckdb"
    _ingest(db, write_extracts(tmp / "first", FILES))
    _build(db)
    with duckdb.connect(str(db)) as con:  # plant a value in a record the second load leaves alone
        con.execute(PLANTED.replace("select elapsed_seconds from", "update").replace(
            "where", "set elapsed_seconds = -1 where"))
    _ingest(db, write_extracts(tmp / "second", SECOND_LOAD))
    _build(db)
    full = tmp / "full_refresh.duckdb"
    shutil.copyfile(db, full)
    _build(full, "--full-refresh")
    return db, full


def test_restated_records_move_or_leave_their_standards(built: tuple[Path, Path]) -> None:
    db, _ = built
    assert query(db, RECORD, ["k1"]) == []  # now a short abandon (3 s): presented to no standard
    assert query(db, RECORD, ["k9"]) == [("PLEDGE-6-999", "missed")]  # 101 restated as 999, 30 s
    assert query(db, RECORD, ["n1"]) == []  # attendance cancelled
    assert query(db, RECORD, ["n4"]) == [("PLEDGE-8-PRIORITY", "met")]  # E regraded P, 12 min
    assert query(db, RECORD, ["b6"]) == [  # acknowledged 21 h after receipt; no response by 5 May
        ("PLEDGE-11-ACK-24H", "met"), ("PROMISE-ACK-2WD", "met"), ("QOSC-RESPONSE-10WD", "pending")]
    # V3's opt-out restated as an update: the crime now has referral and update records.
    assert query(db, RECORD, ["V3"]) == [("QOSC-VS-REFERRAL-2D", "missed")]
    assert query(db, RECORD, ["V3#1"]) == [("PLEDGE-12-MONTHLY-UPDATE", "met")]


def test_pending_records_settle_when_the_as_of_time_moves(built: tuple[Path, Path]) -> None:
    db, _ = built
    assert query(db, RECORD, ["k13"]) == [("PLEDGE-6-999", "missed")]  # unanswered; as-of now 2 May
    assert query(db, RECORD, ["n7"]) == [("PLEDGE-7-EMERGENCY", "missed"), ("PROMISE-URGENT-12MIN", "missed")]
    assert query(db, RECORD, ["V4#1"]) == [("PLEDGE-12-MONTHLY-UPDATE", "met")]  # update on 10 May
    assert query(db, RECORD, ["V5"]) == [("QOSC-VS-REFERRAL-2D", "missed")]  # no referral by 2 May
    # Of every April record only b6's response (10 working days: due 15 May; as-of 10 May) still waits.
    assert query(db, "select record_id, standard_id from marts.compliance_records where outcome = 'pending' "
                     "and period_month < date '2009-05-01'") == [("b6", "QOSC-RESPONSE-10WD")]


def test_an_incremental_build_equals_a_full_rebuild(built: tuple[Path, Path]) -> None:
    db, full = built
    differences = _differences(db, full)
    assert len(differences) >= 25
    assert differences.pop("marts.compliance_records") == (1, 1)  # the planted row, nothing else
    assert {t: d for t, d in differences.items() if d != (0, 0)} == {}


def test_a_record_the_new_load_leaves_alone_is_not_rewritten(built: tuple[Path, Path]) -> None:
    db, full = built
    assert query(db, PLANTED) == [(-1.0,)]
    assert query(full, PLANTED) == [(10.001,)]


def _project_copy(tmp_path: Path) -> Path:
    from citizen_focus.config import PROJECT_DIR

    project = tmp_path / "project"
    for name in ("models", "macros", "seeds", "ingest/sql"):
        shutil.copytree(PROJECT_DIR / name, project / name)
    shutil.copyfile(PROJECT_DIR / "dbt_project.yml", project / "dbt_project.yml")
    return project


def test_a_changed_parse_macro_changes_the_fingerprint(tmp_path: Path) -> None:
    """Staging parses raw text with the macros of ingest/sql: changing one must force a full
    rebuild, or loads already staged keep the old parse (an incremental build reads new loads only)."""
    from citizen_focus.build_state import project_fingerprint

    project = _project_copy(tmp_path)
    before = project_fingerprint(project)
    macros = project / "ingest" / "sql" / "contract_macros.sql"
    macros.write_text(macros.read_text() + "\n-- a changed parse rule\n")
    assert project_fingerprint(project) != before


def test_the_fingerprint_follows_models_macros_seeds_and_vars_only(tmp_path: Path) -> None:
    from citizen_focus.build_state import project_fingerprint

    project = _project_copy(tmp_path)
    (project / "tests").mkdir()
    before = project_fingerprint(project)
    (project / "tests" / "new_test.sql").write_text("select 1")
    (project / "README.md").write_text("docs do not change a table")
    assert project_fingerprint(project) == before
    standards = project / "seeds" / "standards.csv"
    assert ",0.90," in standards.read_text()  # a target rate of 90 %, raised below
    standards.write_text(standards.read_text().replace(",0.90,", ",0.91,", 1))
    assert project_fingerprint(project) != before


def test_a_warehouse_built_by_other_rules_is_rebuilt_in_full(built: tuple[Path, Path]) -> None:
    """The planted value survives an incremental build (above); once the stored fingerprint says
    the warehouse was built by another project, `citizen-focus build` refreshes in full and the
    planted value is gone."""
    db, _ = built
    changed = db.with_name("rules_changed.duckdb")
    shutil.copyfile(db, changed)
    with duckdb.connect(str(changed)) as con:
        assert con.execute("select count(*) from raw.build_state").fetchone() == (1,)
        con.execute("update raw.build_state set project_fingerprint = 'built by an older version'")
    result = cli("build", "--db", str(changed))
    assert result.returncode == 0, result.stdout[-3000:]
    assert "rebuilding the incremental models in full" in result.stdout
    assert query(changed, PLANTED) == [(10.001,)]
    unchanged = db.with_name("rules_unchanged.duckdb")
    shutil.copyfile(db, unchanged)
    result = cli("build", "--db", str(unchanged))
    assert result.returncode == 0 and "in full" not in result.stdout
    assert query(unchanged, PLANTED) == [(-1.0,)]


def test_an_incremental_build_tests_the_rows_of_new_loads(built: tuple[Path, Path], tmp_path: Path) -> None:
    """The tests of incremental models check the loads since the last build (the var the build
    passes); a value breaking a test in a new load still stops the build and publishes nothing."""
    from quality.testing import insert_raw

    db, _ = built
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(db, copy)
    third = write_extracts(tmp_path / "third", {"calls_MPS_3.csv": """
        call_id,line,received_at,answered_at,borough_code
        k30,999,2009-05-03T10:00:00Z,2009-05-03T10:00:02Z,HK
    """})
    _ingest(copy, third)
    (new_load,) = query(copy, "select max(load_id) from raw.load_ledger")[0]
    insert_raw(copy, "calls", [{"call_id": "k31", "line": "fax", "received_at": "2009-05-03T11:00:00Z",
                                "answered_at": "2009-05-03T11:00:01Z", "borough_code": "HK"}], load_id=new_load)
    before = query(copy, "select count(*) from marts.compliance_records")
    result = cli("build", "--db", str(copy))
    assert result.returncode == 1, result.stdout[-3000:]
    assert "accepted_values_stg_telephony__calls_line" in result.stdout
    assert query(copy, "select count(*) from marts.compliance_records") == before  # nothing published
