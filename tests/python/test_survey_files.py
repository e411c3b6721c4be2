"""Survey files from suppliers (docs/contract.md, "Survey files from suppliers: SPSS and Excel").

Hand-made .sav (written with pyreadstat) and .xlsx (written with xlsxwriter) files whose rows and
rejects are counted by hand; the same responses as CSV, .sav and .xlsx build identical marts; a
file no mapping fits changes nothing; a reload is a no-op.
"""

from __future__ import annotations

import datetime as dt
import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest
import xlsxwriter
from warehouse_builder import cli, ingest, query, run_dbt

from citizen_focus.sample import generate
from citizen_focus.warehouse import connect
from ingest import load_file

NAN = np.nan
D = dt.date

ACME = """\
supplier: acme
variables:
  RESPID: response_id
  IDATE: interview_date
  GROUP: survey_group
  BORO: borough_code
  Q1: q_ease_of_contact
  Q5: q_whole_experience
  WT: weight
extra: [INTDUR]
values:
  q_whole_experience:
    1: Completely satisfied
    2: Very satisfied
    3: Fairly satisfied
    97: Not applicable
    98: Don't know
    99: Refused
"""


@pytest.fixture()
def suppliers(tmp_path: Path) -> Path:
    folder = tmp_path / "suppliers"
    folder.mkdir()
    (folder / "acme.yml").write_text(ACME, encoding="utf-8")
    (folder / "other.yml").write_text("variables:\n  ID: response_id\n  WHEN: interview_date\n", encoding="utf-8")
    return folder


def _load(db: Path, path: Path, **kwargs):
    con = connect(db)
    try:
        return load_file(con, path, **kwargs)
    finally:
        con.close()


def _raw(db: Path) -> dict[str, list[str]]:
    """Every raw data table (not the ledger), to prove a rejected file changed nothing."""
    tables = ["calls", "incidents", "survey_responses", "feedback", "victim_contacts", "rejects"]
    return {t: sorted(map(repr, query(db, f"select * from raw.{t}"))) for t in tables}


def write_acme_sav(path: Path) -> Path:
    """Eight cases, counted by hand: 3 load, 5 are quarantined (see the test)."""
    frame = pd.DataFrame({
        "RESPID": ["R1", "R2", "R3", "R4", "R5", "R6", "R1", "R8"],  # a string variable
        "IDATE": [D(2008, 5, d) for d in range(1, 9)],  # an SPSS date
        "GROUP": [1.0, 2, 1, 1, 2, 1, 1, 2],  # labelled codes
        "BORO": ["AA"] * 8,
        "Q1": [1.0, 8, 6, 4, 2, 3, 1, 5],  # file labels; 6 unlabelled; 5 mislabelled; 8 user-missing
        "Q5": [1.0, 98, 1, 42, NAN, 99, 2, 3],  # mapping labels; 42 unlabelled; 98/99 user-missing
        "WT": [1.5, 0.75, 1, 1, 1, 2.25, 1, 1],
        "INTDUR": [12.0, 15, 9, 11, 10, 8, 7, 6],  # an extra variable (the mapping's `extra`)
        "respondent_name": ["Ann Example", "Bob Example", "", "", "", "", "", ""],  # a contract name
    })
    labels = {
        "GROUP": {1: "burglary", 2: "asb"},
        "Q1": {1: "Completely satisfied", 2: "Very satisfied", 3: "Fairly satisfied",
               4: "Neither satisfied nor dissatisfied", 5: "Rather unhappy", 7: "Completely dissatisfied",
               8: "Don't know", 9: "Refused"},
        "Q5": {1: "Top box", 2: "Second box"},  # the mapping's labels win
    }
    pyreadstat.write_sav(frame, str(path), variable_value_labels=labels,
                         missing_ranges={"Q1": [{"lo": 8, "hi": 9}], "Q5": [{"lo": 97, "hi": 99}]},
                         variable_format={"IDATE": "DATE11"})
    return path


@pytest.mark.unit  # no dbt build: the fast lane (tests/python/conftest.py)
def test_hand_made_sav_loads_exactly_the_rows_counted_by_hand(tmp_path: Path, suppliers: Path) -> None:
    db = tmp_path / "w.duckdb"
    result = _load(db, write_acme_sav(tmp_path / "acme_wave1.sav"), suppliers=suppliers)
    assert (result.status, result.kind) == ("loaded", "survey_responses")
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (8, 3, 5)
    rows = query(db, "select response_id, interview_date, survey_group, borough_code, q_ease_of_contact, "
                     "q_whole_experience, weight, respondent_name, _line_number, _extra_columns::varchar, "
                     "_source_file from raw.survey_responses order by _line_number")
    assert rows == [
        ("R1", "2008-05-01", "burglary", "AA", "Completely satisfied", "Completely satisfied", "1.5",
         "Ann Example", 1, '{"intdur":"12"}', "acme_wave1.sav"),
        ("R2", "2008-05-02", "asb", "AA", "Don't know", "Don't know", "0.75", "Bob Example", 2,
         '{"intdur":"15"}', "acme_wave1.sav"),
        ("R6", "2008-05-06", "burglary", "AA", "Fairly satisfied", "Refused", "2.25", "", 6,
         '{"intdur":"8"}', "acme_wave1.sav"),
    ]
    rejects = query(db, "select line_number, reason, file_name, kind from raw.rejects order by line_number")
    assert rejects == [
        (3, "q_ease_of_contact (Q1) code 6 has no value label in the file", "acme_wave1.sav", "survey_responses"),
        (4, "q_whole_experience (Q5) code 42 has no value label in the supplier mapping", "acme_wave1.sav",
         "survey_responses"),
        (5, "q_whole_experience is required but empty", "acme_wave1.sav", "survey_responses"),
        (7, "duplicate response_id in this file (first at line 1)", "acme_wave1.sav", "survey_responses"),
        (8, "q_ease_of_contact (Q1) code 5 is labelled, but not with an answer of the survey scale",
         "acme_wave1.sav", "survey_responses"),
    ]
    # the quarantined row is the row as the supplier sent it
    raw_row = query(db, "select raw_row from raw.rejects where line_number = 4")[0][0]
    assert raw_row == "RESPID=R4, IDATE=2008-05-04, GROUP=1, BORO=AA, Q1=4, Q5=42, WT=1, INTDUR=11, respondent_name="
    ledger = query(db, "select file_name, kind, rows_read, rows_loaded, rows_rejected, status from raw.load_ledger")
    assert ledger == [("acme_wave1.sav", "survey_responses", 8, 3, 5, "loaded")]


@pytest.mark.unit  # no dbt build: the fast lane (tests/python/conftest.py)
def test_reloading_the_same_file_is_a_no_op(tmp_path: Path, suppliers: Path) -> None:
    db = tmp_path / "w.duckdb"
    path = write_acme_sav(tmp_path / "acme_wave1.sav")
    first = _load(db, path, suppliers=suppliers)
    before = _raw(db)
    again = _load(db, path, suppliers=suppliers)
    renamed = _load(db, Path(shutil.copyfile(path, tmp_path / "acme_resent.sav")), suppliers=suppliers)
    for result in (again, renamed):
        assert result.status == "skipped"
        assert result.message == (f"already loaded (same content as load {first.load_id}, acme_wave1.sav): "
                                  "nothing to do")
    assert _raw(db) == before
    assert query(db, "select count(*) from raw.load_ledger") == [(1,)]


@pytest.mark.unit  # no dbt build: the fast lane (tests/python/conftest.py)
def test_contract_named_sav_loads_without_a_mapping(tmp_path: Path) -> None:
    """Answers as codes 1-7 with value labels, 8/9/0 user-missing (labelled or not); 6 unlabelled."""
    frame = pd.DataFrame({
        "response_id": ["C1", "C2", "C3", "C4", "C5"],
        "interview_date": ["2008-06-01", "2008-06-02", "2008-06-03", "2008-06-04", "2008-06-05"],
        "survey_group": ["burglary", "rtc", "asb", "other", "burglary"],
        "borough_code": ["BB", "BB", "BB", "BB", "BB"],
        # an SPSS date-time in a date column gives its date; a missing one (NaT) is empty
        "incident_date": pd.to_datetime(["2008-05-30 23:15", None, "2008-05-29 08:00", None, None]),
        "q_treatment": [1.0, 8, 0, 9, 6],
        "q_whole_experience": [7.0, 2, 9, 3, 1],
    })
    scale = {1: "Completely satisfied", 2: "Very satisfied", 3: "Fairly satisfied",
             4: "Neither satisfied nor dissatisfied", 5: "Fairly dissatisfied", 7: "Completely dissatisfied"}
    pyreadstat.write_sav(
        frame, str(tmp_path / "survey.sav"),
        variable_value_labels={"q_treatment": {**scale, 8: "Don't know"},  # 0 and 9 unlabelled, 6 unlabelled
                               "q_whole_experience": {**scale, 9: "Refused"}},
        missing_ranges={"q_treatment": [0, {"lo": 8, "hi": 9}], "q_whole_experience": [0, {"lo": 8, "hi": 9}]})
    db = tmp_path / "w.duckdb"
    result = _load(db, tmp_path / "survey.sav", suppliers=tmp_path / "no_mappings_here")
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (5, 4, 1), result.one_line
    assert query(db, "select response_id, incident_date, q_treatment, q_whole_experience from raw.survey_responses "
                     "order by response_id") == [
        ("C1", "2008-05-30", "Completely satisfied", "Completely dissatisfied"),
        ("C2", "", "Don't know", "Very satisfied"),
        ("C3", "2008-05-29", "Not applicable", "Refused"),
        ("C4", "", "Refused", "Fairly satisfied"),
    ]
    assert query(db, "select line_number, reason from raw.rejects") == [
        (5, "q_treatment code 6 has no value label in the file")]


def write_workbook(path: Path) -> Path:
    """A `Notes` sheet, then `Responses`: title row merged over the answers, response_id merged over
    rows 1-2, names in row 2, a formula (cached value) for a weight, a blank row. Counted by hand:
    rows 3, 4, 6, 7, 8 read; 3 load; row 6 (code 12) and row 7 (not a survey group) quarantined."""
    wb = xlsxwriter.Workbook(str(path))
    date = wb.add_format({"num_format": "dd/mm/yyyy"})
    notes = wb.add_worksheet("Notes")
    notes.write(0, 0, "Wave 3 responses; see the next sheet")
    notes.write(1, 0, "RESPID")
    ws = wb.add_worksheet("Responses")
    ws.merge_range(0, 0, 1, 0, "response_id")  # A1:A2
    names = ["response_id", "interview_date", "survey_group", "borough_code", "q_ease_of_contact",
             "q_whole_experience", "weight"]
    for c in (1, 2, 3):
        ws.write(0, c, "About the interview")
    ws.merge_range(0, 4, 0, 5, "Satisfaction")  # E1:F1 over the two answers
    for c, name in enumerate(names[1:], start=1):
        ws.write(1, c, name)
    ws.write_row(2, 0, ["X1"])
    ws.write_datetime(2, 1, dt.datetime(2008, 7, 1), date)
    ws.write_row(2, 2, ["burglary", "CC", "Very satisfied", 1])
    ws.write_formula(2, 6, "=1+0.5", None, 1.5)
    ws.write_row(3, 0, ["X2", "2008-07-02", "asb", "CC", 3, "Don't know", 0.5])
    # row 5 (index 4) left blank
    ws.write_row(5, 0, ["X3", "2008-07-03", "burglary", "CC", 12, 2])
    ws.write_row(6, 0, ["X4", "2008-07-04", "burgled", "CC", 1, 1])
    ws.write_row(7, 0, ["X5", "2008-07-05", "rtc", "CC", None, "Fairly satisfied"])
    ws.write_formula(7, 6, "=A1", None, 2)  # a formula whose cached value is read, not recomputed
    wb.close()
    return path


@pytest.mark.unit  # no dbt build: the fast lane (tests/python/conftest.py)
def test_hand_made_xlsx_two_sheets_formula_and_merged_header(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    result = _load(db, write_workbook(tmp_path / "wave3.xlsx"), suppliers=tmp_path / "none")
    assert (result.status, result.rows_read, result.rows_loaded, result.rows_rejected) == ("loaded", 5, 3, 2), \
        result.one_line
    assert query(db, "select response_id, interview_date, survey_group, q_ease_of_contact, q_whole_experience, "
                     "weight, _line_number from raw.survey_responses order by _line_number") == [
        ("X1", "2008-07-01", "burglary", "Very satisfied", "Completely satisfied", "1.5", 3),
        ("X2", "2008-07-02", "asb", "Fairly satisfied", "Don't know", "0.5", 4),
        ("X5", "2008-07-05", "rtc", "", "Fairly satisfied", "2", 8),
    ]
    assert query(db, "select line_number, reason from raw.rejects order by line_number") == [
        (6, "q_ease_of_contact code 12 is not a code of the answer scale (0-9) and no supplier mapping labels it"),
        (7, "survey_group is not one of burglary/violent_crime/vehicle_crime/rtc/racist_incident/asb/other"),
    ]


@pytest.mark.unit  # no dbt build: the fast lane (tests/python/conftest.py)
def test_xlsx_sheet_option_and_ambiguous_sheets(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "wave3.xlsx")
    db = tmp_path / "w.duckdb"
    notes = _load(db, path, sheet="Notes", suppliers=tmp_path / "none")
    assert notes.status == "rejected"
    assert notes.one_line == (f"{path}: rejected: sheet Notes: no supplier mapping fits: variables that did not "
                              f"map: RESPID (closest: contract names; mappings in {tmp_path / 'none'})")
    missing = _load(db, path, sheet="Sheet9", suppliers=tmp_path / "none")
    assert missing.message == "no sheet 'Sheet9' (the sheets are Notes, Responses)"
    chosen = _load(db, path, sheet="Responses", suppliers=tmp_path / "none")
    assert (chosen.status, chosen.rows_loaded) == ("loaded", 3)
    wb = xlsxwriter.Workbook(str(tmp_path / "twice.xlsx"))
    for name in ("A", "B"):
        wb.add_worksheet(name).write_row(0, 0, ["response_id", "interview_date"])
    wb.close()
    twice = _load(db, tmp_path / "twice.xlsx", suppliers=tmp_path / "none")
    assert twice.message == "several sheets have a header that maps (A, B): choose one with --sheet"
    # a table that starts at C4: lines are still worksheet rows
    wb = xlsxwriter.Workbook(str(tmp_path / "offset.xlsx"))
    ws = wb.add_worksheet("Data")
    ws.write_row(3, 2, ["response_id", "interview_date", "survey_group", "borough_code", "q_whole_experience"])
    ws.write_row(4, 2, ["Y1", "2008-07-01", "rtc", "DD", 2])
    ws.write_row(5, 2, ["Y1", "2008-07-01", "rtc", "DD", 3])
    wb.close()
    offset = _load(db, tmp_path / "offset.xlsx", suppliers=tmp_path / "none")
    assert (offset.rows_loaded, offset.rows_rejected) == (1, 1)
    assert query(db, "select line_number, reason from raw.rejects where file_name = 'offset.xlsx'") == [
        (6, "duplicate response_id in this file (first at line 5)")]


@pytest.mark.unit  # no dbt build: the fast lane (tests/python/conftest.py)
def test_a_file_no_mapping_fits_is_rejected_whole_and_changes_nothing(tmp_path: Path, suppliers: Path) -> None:
    db = tmp_path / "w.duckdb"
    assert _load(db, write_acme_sav(tmp_path / "acme_wave1.sav"), suppliers=suppliers).status == "loaded"
    before = _raw(db)
    frame = pd.DataFrame({"RESPID": ["Z1"], "IDATE": [D(2008, 5, 1)], "SEX": [1.0], "Q9": [2.0]})
    pyreadstat.write_sav(frame, str(tmp_path / "acme_wave2.sav"))
    env = {"CITIZEN_FOCUS_SUPPLIERS": str(suppliers)}
    run = cli("ingest", str(tmp_path / "acme_wave2.sav"), "--db", str(db), env=env)
    assert run.returncode == 1
    lines = run.stderr.strip().splitlines()
    assert lines == [f"{tmp_path / 'acme_wave2.sav'}: rejected: no supplier mapping fits: variables that did not "
                     f"map: SEX, Q9 (closest: acme; mappings in {suppliers})"]
    assert "Traceback" not in run.stdout + run.stderr
    assert _raw(db) == before
    assert query(db, "select file_name, status from raw.load_ledger order by load_id")[-1] == \
        ("acme_wave2.sav", "rejected")
    # a named mapping that does not fit says so too
    named = cli("ingest", str(tmp_path / "acme_wave2.sav"), "--db", str(db), "--supplier", "other", env=env)
    assert named.stderr.strip() == (f"{tmp_path / 'acme_wave2.sav'}: rejected: supplier mapping other does not "
                                    "fit: variables that did not map: RESPID, IDATE, SEX, Q9")
    unknown = cli("ingest", str(tmp_path / "acme_wave2.sav"), "--db", str(db), "--supplier", "nobody", env=env)
    assert unknown.stderr.strip().endswith(f"rejected: no supplier mapping 'nobody' ({suppliers / 'nobody.yml'} "
                                           "does not exist)")
    assert _raw(db) == before


@pytest.mark.unit  # no dbt build: the fast lane (tests/python/conftest.py)
@pytest.mark.parametrize(("name", "content", "message"), [
    ("junk.sav", b"not really spss", "not a readable SPSS .sav file (Unable to read from file)"),
    ("empty.sav", b"", "not a readable SPSS .sav file (Unable to read from file)"),
    ("junk.xlsx", b"PK\x03\x04junk", "not a readable Excel .xlsx file (invalid Zip archive: Could not find EOCD)"),
])
def test_files_that_are_not_sav_or_xlsx_are_rejected_whole(tmp_path: Path, name: str, content: bytes,
                                                           message: str) -> None:
    db = tmp_path / "w.duckdb"
    (tmp_path / name).write_bytes(content)
    run = cli("ingest", str(tmp_path / name), "--db", str(db))
    assert run.returncode == 1
    assert run.stderr.strip() == f"{tmp_path / name}: rejected: {message}"
    assert query(db, "select file_name, status, message from raw.load_ledger") == [(name, "rejected", message)]
    assert query(db, "select count(*) from raw.survey_responses") == [(0,)]


@pytest.mark.unit  # no dbt build: the fast lane (tests/python/conftest.py)
def test_cli_loads_a_sav_with_a_named_supplier(tmp_path: Path, suppliers: Path) -> None:
    path = write_acme_sav(tmp_path / "acme_wave1.sav")
    db = tmp_path / "w.duckdb"
    run = cli("ingest", str(path), "--db", str(db), "--supplier", "acme", "--suppliers", str(suppliers))
    assert run.returncode == 0, run.stderr
    assert f"{path}: survey_responses: 8 rows read, 3 loaded, 5 rejected" in run.stdout
    again = cli("ingest", str(path), "--db", str(db), "--supplier", "acme", "--suppliers", str(suppliers))
    assert again.returncode == 0
    assert "already loaded (same content as load 1, acme_wave1.sav): nothing to do" in again.stdout


@pytest.mark.unit  # no dbt build: the fast lane (tests/python/conftest.py)
def test_sample_writes_a_sav_that_loads_with_its_mapping(tmp_path: Path) -> None:
    counts = generate(tmp_path / "s", months=1, start="2008-10", scale=0.01, seed=3, survey_format="sav",
                      survey_per_year=600_000)
    names = sorted(p.name for p in (tmp_path / "s").iterdir())
    assert "survey_responses_MPS.sav" in names and "survey_responses_MPS.csv" not in names
    assert "sample_supplier.yml" in names
    meta = pyreadstat.read_sav(str(tmp_path / "s" / "survey_responses_MPS.sav"), metadataonly=True)[1]
    assert meta.column_names[:3] == ["SERIAL", "INTDATE", "INCDATE"]
    assert meta.variable_value_labels["Q5"][98.0] == "Don't know"
    result = _load(tmp_path / "w.duckdb", tmp_path / "s" / "survey_responses_MPS.sav")  # repository's suppliers/
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == \
        (counts["survey_responses_MPS.sav"], counts["survey_responses_MPS.sav"], 0)
    generate(tmp_path / "c", months=1, start="2008-10", scale=0.01, seed=3, survey_per_year=600_000)
    csv_rows = len((tmp_path / "c" / "survey_responses_MPS.csv").read_text(encoding="utf-8").splitlines()) - 1
    assert counts["survey_responses_MPS.sav"] == csv_rows > 400
    with pytest.raises(ValueError, match="--dirty"):
        generate(tmp_path / "d", months=1, scale=0.01, dirty=True, survey_format="sav")


# --- the same responses as CSV, .sav and .xlsx build identical marts -------------------------------

def _marts(db: Path) -> dict[str, list[tuple]]:
    """Every mart's rows, sorted on their values other than floats (the grain)."""
    tables = [t for (t,) in query(db, "select table_name from duckdb_tables() where schema_name = 'marts' "
                                      "order by 1")]
    return {t: sorted(query(db, f"select * from marts.{t}"),
                      key=lambda row: repr(tuple(v for v in row if not isinstance(v, float))))
            for t in tables}


def _assert_same_marts(got: dict[str, list[tuple]], expected: dict[str, list[tuple]]) -> None:
    # floats equal to 1e-9 relative: dbt builds of one and the same CSV differ in the last bits of
    # weighted sums (DuckDB's parallel aggregation adds in no fixed order); everything else exactly
    assert got.keys() == expected.keys()
    for table, rows in expected.items():
        assert len(got[table]) == len(rows), table
        for g, e in zip(got[table], rows, strict=True):
            assert len(g) == len(e)
            for a, b in zip(g, e, strict=True):
                if isinstance(a, float) and isinstance(b, float):
                    assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12), (table, g, e)
                else:
                    assert a == b, (table, g, e)


@pytest.mark.slow
def test_same_responses_as_csv_sav_and_xlsx_give_identical_marts(tmp_path: Path) -> None:
    marts, survey_rows = {}, {}
    for fmt in ("csv", "sav", "xlsx"):
        out = tmp_path / fmt / "extracts"
        generate(out, months=2, start="2008-09", scale=0.01, seed=7, survey_format=fmt, survey_per_year=300_000)
        db = tmp_path / fmt / "warehouse.duckdb"
        results = ingest(db, [out])
        survey = next(r for r in results if r.kind == "survey_responses")
        assert survey.file.endswith(f"survey_responses_MPS.{fmt}")
        assert (survey.status, survey.rows_rejected) == ("loaded", 0)
        survey_rows[fmt] = (survey.rows_read, survey.rows_loaded)
        build = run_dbt(db, "build", "--exclude", "resource_type:test", "resource_type:unit_test")
        assert build.returncode == 0, build.stdout[-4000:]
        marts[fmt] = _marts(db)
    csv_rows = len((tmp_path / "csv" / "extracts" / "survey_responses_MPS.csv").read_text().splitlines()) - 1
    assert survey_rows == {fmt: (csv_rows, csv_rows) for fmt in ("csv", "sav", "xlsx")}
    assert csv_rows > 400
    assert len(marts["csv"]) >= 10 and sum(map(len, marts["csv"].values())) > 100
    assert any("satisfaction" in t for t in marts["csv"])
    _assert_same_marts(marts["sav"], marts["csv"])
    _assert_same_marts(marts["xlsx"], marts["csv"])
    # nothing personal beyond raw: no respondent's name or phone in any mart
    personal = query(tmp_path / "sav" / "warehouse.duckdb",
                     "select respondent_name, respondent_phone from raw.survey_responses where respondent_name <> ''")
    assert len(personal) > 100
    text = "\n".join(repr(row) for rows in marts["sav"].values() for row in rows)
    assert not [p for pair in personal for p in pair if p and p in text]


@pytest.mark.slow
def test_the_demo_loads_its_survey_as_a_sav(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    run = cli("demo", "--scale", "0.01", "--months", "1", "--out", str(tmp_path / "s"), "--db", str(db))
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert query(db, "select file_name, status, rows_rejected from raw.load_ledger where kind = 'survey_responses'") \
        == [("survey_responses_MPS.sav", "loaded", 0)]
    assert query(db, "select count(*) > 0 from marts.citizen_focus_satisfaction") == [(True,)]
