"""The loader under attack (docs/contract.md, "Rules the loader adds"): each test reproduces, on
small data, a way hostile input or a careless operator made rows disappear silently, and proves
that now every row is either loaded or quarantined with its file, line and reason.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import threading
import time
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from warehouse_builder import cli, query

from citizen_focus.warehouse import connect
from ingest import ingest_paths, load_file
from ingest.limits import Limits
from quality.testing import check, insert_raw

HEADER = "call_id,line,received_at,answered_at\n"


def _rows(prefix: str, n: int) -> str:
    return "".join(f"{prefix}{i},999,2008-06-01T10:00:00Z,2008-06-01T10:00:05Z\n" for i in range(n))


def _load(db: Path, path: Path, limits: Limits | None = None):
    con = connect(db)
    try:
        return load_file(con, path, limits=limits)
    finally:
        con.close()


def _rejects(db: Path) -> list[tuple]:
    return query(db, "select file_name, line_number, reason from raw.rejects order by line_number")


# --- 1. a file changed while it is read --------------------------------------------------------

def _mutate_during_load(db: Path, path: Path, mutation: str):
    """Loads `path` while another thread changes it as soon as the loader starts reading it."""
    original = path.read_bytes()
    started = threading.Event()

    def mutate() -> None:
        deadline = time.time() + 20
        # as soon as the loader has started copying it: the change falls inside the read
        while time.time() < deadline and not any(p.stat().st_size for p in db.parent.glob(".ingest-snapshot-*/*")):
            time.sleep(0.0002)
        started.set()
        if mutation == "truncate":
            os.truncate(path, len(original) // 3)
        elif mutation == "append":
            with path.open("ab") as fh:
                fh.write(_rows("late", 1000).encode())
        elif mutation == "rewrite":
            with path.open("r+b") as fh:
                fh.write(original[:200].replace(b"999", b"101"))
        elif mutation == "replace":
            other = path.with_name(path.name + ".new")
            other.write_bytes(original[: len(original) // 2])
            os.replace(other, path)

    thread = threading.Thread(target=mutate)
    thread.start()
    result = _load(db, path)
    thread.join()
    assert started.is_set()
    return original, path.read_bytes(), result


def _records(data: bytes) -> int:
    return data.count(b"\n") - 1 + (not data.endswith(b"\n"))


@pytest.mark.parametrize("mutation", ["truncate", "append", "rewrite", "replace"])
def test_a_file_changed_while_it_is_read_loses_no_row(tmp_path: Path, mutation: str) -> None:
    """Attack: a 3 M-row file truncated right after it was hashed loaded a third of its rows under the
    full file's hash, and the re-sent complete file was answered "already loaded". Now the bytes
    hashed are the bytes parsed, and a file that changed during the read is refused whole."""
    db = tmp_path / "w.duckdb"
    path = tmp_path / "calls_big.csv"
    path.write_text(HEADER + _rows("c", 120_000))
    original, mutated, result = _mutate_during_load(db, path, mutation)
    if result.status == "rejected":
        assert "changed while it was being read" in result.message
        assert query(db, "select count(*) from raw.calls") == [(0,)]
    else:  # the change fell outside the read: what was loaded is exactly the content the ledger names
        (sha, read), = query(db, "select file_sha256, rows_read from raw.load_ledger where status = 'loaded'")
        states = {hashlib.sha256(data).hexdigest(): _records(data) for data in (original, mutated)}
        assert states.get(sha) == read
    assert result.rows_read == result.rows_loaded + result.rows_rejected
    assert query(db, "select count(*) from raw.calls")[0][0] + query(db, "select count(*) from raw.rejects")[0][0] \
        == result.rows_read
    # the true file, sent again, loads (or, had it loaded whole, is already there with every row)
    path.write_bytes(original)
    again = _load(db, path)
    assert again.status in {"loaded", "skipped"}
    assert query(db, "select count(distinct call_id) from raw.calls") == [(120_000,)]


# --- 2. file names read as glob patterns -------------------------------------------------------

def test_a_file_name_with_glob_characters_is_read_literally(tmp_path: Path) -> None:
    """Attack: `ingest 'calls_[a].csv'` loaded calls_a.csv under the other name, and a file named
    `calls_*.csv` read every file of its folder."""
    db = tmp_path / "w.duckdb"
    (tmp_path / "calls_a.csv").write_text(HEADER + _rows("deca", 3))
    (tmp_path / "calls_b.csv").write_text(HEADER + _rows("decb", 4))
    bracket = tmp_path / "calls_[a].csv"
    bracket.write_text(HEADER + _rows("brk", 2))
    star = tmp_path / "calls_*.csv"
    star.write_text(HEADER + _rows("star", 1))
    assert _load(db, bracket).rows_loaded == 2
    assert _load(db, star).rows_loaded == 1
    assert query(db, "select _source_file, count(*) from raw.calls group by all order by 1") == [
        ("calls_*.csv", 1), ("calls_[a].csv", 2)
    ]
    assert query(db, "select count(*) from raw.calls where call_id like 'dec%'") == [(0,)]


_name_chars = st.sampled_from(list("ab*?[]{}'\"\n\t\\ ,;$`é") + ["\udcff", "\udc80"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_name_chars, min_size=1, max_size=8).map("".join))
def test_any_file_name_loads_its_own_rows_under_a_printable_name(tmp_path: Path, tail: str) -> None:
    """Property over file names (glob characters, quotes, newlines, bytes that are not UTF-8): the
    file's own rows load, nothing else, and its name is stored and printed safely."""
    folder = Path(os.fsdecode(os.path.join(os.fsencode(tmp_path), os.urandom(4).hex().encode())))
    folder.mkdir()
    db = folder / "w.duckdb"
    (folder / "calls_a.csv").write_text(HEADER + _rows("decoy", 2))
    path = folder / f"calls_{tail}.csv"
    if path.name == "calls_a.csv":
        return
    path.write_bytes((HEADER + _rows("own", 3)).encode())
    result = _load(db, path)
    assert result.status == "loaded", result.message
    assert query(db, "select count(*) from raw.calls where call_id like 'own%'") == [(3,)]
    assert query(db, "select count(*) from raw.calls where call_id like 'decoy%'") == [(0,)]
    stored = query(db, "select file_name from raw.load_ledger")[0][0]
    assert stored.isprintable() and stored.encode("utf-8")
    result.one_line.encode("utf-8")  # printable on any terminal: never raises


# --- 3. an unterminated quote --------------------------------------------------------------------

def test_an_unterminated_quote_is_quarantined_at_its_line_and_never_swallows_records(tmp_path: Path) -> None:
    """Attack: one stray quote made the rest of the file one field of one record, with no reject."""
    db = tmp_path / "w.duckdb"
    path = tmp_path / "calls_quote.csv"
    good = "999,2008-06-01T10:00:00Z,2008-06-01T10:00:05Z"
    path.write_text(
        "call_id,line,received_at,answered_at,handler_id\n"
        + f"c1,{good},PC1\n"  # line 2
        + f'c2,{good},"PC2\n'  # line 3: the quote never closes
        + f"c3,{good},PC3\n"  # line 4
        + f'c4,{good},"PC\n4"\n'  # lines 5-6: a real quoted newline
        + f"c5,{good},PC5\n"  # line 7
    )
    result = _load(db, path)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (5, 4, 1)
    assert _rejects(db) == [
        ("calls_quote.csv", 3, "unterminated quote: a quoted field opened on this line never closes")
    ]
    assert query(db, "select call_id, _line_number from raw.calls order by 1") == [
        ("c1", 2), ("c3", 4), ("c4", 5), ("c5", 7)
    ]


# --- 7. gzip bombs and caps ----------------------------------------------------------------------

def test_a_gzip_bomb_is_refused_at_the_cap_with_a_ledger_row(tmp_path: Path) -> None:
    """Attack: a small .csv.gz expanding to gigabytes ran without limit and left no ledger row."""
    db = tmp_path / "w.duckdb"
    path = tmp_path / "calls_bomb.csv.gz"
    with gzip.open(path, "wb", compresslevel=9) as fh:
        fh.write(HEADER.encode())
        block = b"x" * (1 << 20)
        for _ in range(64):  # 64 MiB of text in about 64 KiB
            fh.write(block)
    assert path.stat().st_size < 1 << 20
    started = time.time()
    result = _load(db, path, Limits(max_file_bytes=4 << 20))
    assert time.time() - started < 10
    assert result.status == "rejected"
    assert "more than 4,194,304 bytes of text" in result.message
    assert query(db, "select file_name, status, rows_loaded from raw.load_ledger") == [
        ("calls_bomb.csv.gz", "rejected", 0)
    ]


def test_a_file_with_more_lines_than_the_cap_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    path = tmp_path / "calls_many.csv"
    path.write_text(HEADER + _rows("c", 20))
    result = _load(db, path, Limits(max_lines=10))
    assert result.status == "rejected" and "more than 10 lines" in result.message
    assert query(db, "select count(*) from raw.calls") == [(0,)]
    assert _load(db, path, Limits(max_lines=21)).rows_loaded == 20


def test_duckdb_spill_space_is_capped(tmp_path: Path) -> None:
    con = connect(tmp_path / "w.duckdb")
    try:
        limit = con.execute("select current_setting('max_temp_directory_size')").fetchone()[0]
    finally:
        con.close()
    assert limit.replace(" ", "") == "50.0GiB"


# --- 8. undecodable file names ---------------------------------------------------------------------

def test_an_undecodable_file_name_does_not_abort_the_run(tmp_path: Path) -> None:
    """Attack: one file name with a byte that is not UTF-8 aborted the whole ingest run and discarded
    the loads already done in it."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "calls_1.csv").write_text(HEADER + _rows("one", 2))
    odd = os.path.join(os.fsencode(folder), b"calls_2_\xff\xfe.csv")
    with open(odd, "wb") as fh:
        fh.write((HEADER + _rows("two", 3)).encode())
    (folder / "calls_3.csv").write_text(HEADER + _rows("three", 4))
    db = tmp_path / "w.duckdb"
    done = cli("ingest", str(folder), "--db", str(db))
    assert done.returncode == 0, done.stderr
    assert "calls_2_\\xff\\xfe.csv" in done.stdout
    assert query(db, "select count(*) from raw.calls") == [(9,)]
    assert sorted(r[0] for r in query(db, "select file_name from raw.load_ledger")) == [
        "calls_1.csv", "calls_2_\\xff\\xfe.csv", "calls_3.csv"
    ]


def test_ingest_paths_handles_each_file_on_its_own(tmp_path: Path) -> None:
    (tmp_path / "calls_1.csv").write_text(HEADER + _rows("one", 2))
    (tmp_path / "calls_2.csv").write_bytes(b"\x00binary")
    (tmp_path / "calls_3.csv").write_text(HEADER + _rows("three", 1))
    con = connect(tmp_path / "w.duckdb")
    try:
        results = ingest_paths(con, [tmp_path])
    finally:
        con.close()
    assert [r.status for r in results] == ["loaded", "rejected", "loaded"]


# --- 9. reasons kept, the row quarantined, not the file --------------------------------------------

def test_over_long_row_invalid_utf8_and_nul_are_quarantined_with_their_own_reason(tmp_path: Path) -> None:
    """Attack: an over-long line and invalid UTF-8 both read "CSV Error on Line: N" and refused the
    whole file; a NUL byte after the first MiB passed."""
    db = tmp_path / "w.duckdb"
    path = tmp_path / "calls_damaged.csv"
    filler = _rows("fill", 30_000).encode()  # about 1.5 MiB of good rows first
    path.write_bytes(
        HEADER.encode()
        + b"c1,999,2008-06-01T10:00:00Z,2008-06-01T10:00:05Z\n"  # line 2
        + b"c2,999,2008-06-01T10:00:00Z," + b"9" * 2_000_000 + b"\n"  # line 3: over-long
        + b"c3,999,2008-06-01T10:00:00Z,caf\xe9\n"  # line 4: Latin-1
        + filler  # lines 5 .. 30,004
        + b"c4,999,2008-06-01T10:00:00Z,\x002008\n"  # line 30,005: NUL far beyond the first MiB
        + b"c5,999,2008-06-01T10:00:00Z,2008-06-01T10:00:05Z\n"  # line 30,006
    )
    result = _load(db, path)
    assert result.status == "loaded", result.message
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (30_005, 30_002, 3)
    assert _rejects(db) == [
        ("calls_damaged.csv", 3, "the row is longer than 1,048,576 bytes (the cap CITIZEN_FOCUS_MAX_ROW_BYTES)"),
        ("calls_damaged.csv", 4, "not UTF-8 text (invalid byte 0xe9)"),
        ("calls_damaged.csv", 30_005, "the row contains a NUL byte (binary data)"),
    ]
    assert query(db, "select _line_number from raw.calls where call_id in ('c1', 'c5') order by 1") == [
        (2,), (30_006,)
    ]


def test_a_nul_byte_in_the_header_still_rejects_the_file(tmp_path: Path) -> None:
    path = tmp_path / "calls_nul.csv"
    path.write_bytes(b"call_id,line,received\x00_at\n" + _rows("c", 2).encode())
    result = _load(tmp_path / "w.duckdb", path)
    assert result.status == "rejected" and "NUL" in result.message


def test_the_duckdb_connection_is_a_real_file(tmp_path: Path) -> None:
    """The snapshot folder is made beside the warehouse file, and removed after the load."""
    db = tmp_path / "w.duckdb"
    path = tmp_path / "calls_1.csv"
    path.write_text(HEADER + _rows("c", 1))
    _load(db, path)
    assert not list(tmp_path.glob(".ingest-snapshot-*"))
    con = duckdb.connect()
    try:
        from ingest import init_warehouse

        init_warehouse(con)
        assert load_file(con, path).rows_loaded == 1  # in memory: the system temp folder is used
    finally:
        con.close()


# --- 4. what ingest accepts, the build accepts ----------------------------------------------------

def test_implausible_values_and_reserved_codes_are_refused_at_ingest_with_a_reason(tmp_path: Path) -> None:
    """Attack: timestamps before 2000 or after the load and a borough code `all` passed ingest and
    then failed the build's critical raw checks for ever. Now they are rejects with a reason."""
    db = tmp_path / "w.duckdb"
    path = tmp_path / "calls_implausible.csv"
    path.write_text(
        "call_id,line,received_at,borough_code,force_code\n"
        "c1,999,2008-06-01T10:00:00Z,CW,MPS\n"  # line 2: good
        "c2,999,1999-12-31T23:59:59Z,CW,MPS\n"  # line 3: before 2000
        "c3,999,2999-01-01T00:00:00Z,CW,MPS\n"  # line 4: after the load
        "c4,999,2008-06-01T10:00:00Z,all,MPS\n"  # line 5: reserved
        "c5,999,2008-06-01T10:00:00Z,CW,![x](http://example.invalid/a.png)\n"  # line 6: not a code
    )
    result = _load(db, path)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (5, 1, 4)
    assert [(line, reason) for _, line, reason in _rejects(db)] == [
        (3, "received_at is before 2000-01-01 (not a plausible instant)"),
        (4, "received_at is later than the load of its file (an extract cannot hold the future)"),
        (5, "borough_code is a code the warehouse reserves (ALL, UNKNOWN)"),
        (6, "force_code is not a code (a letter or digit, then letters, digits, - or _; at most 20)"),
    ]
    assert query(db, "select rejected_values from raw.rejects order by line_number") == [
        ("received_at = '1999-12-31T23:59:59Z'",), ("received_at = '2999-01-01T00:00:00Z'",),
        ("borough_code = 'all'",), ("force_code = '![x](http://example.invalid/a.png)'",),
    ]


def test_survey_weights_outside_the_bounds_are_refused(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    path = tmp_path / "survey_responses_w.csv"
    head = "response_id,interview_date,survey_group,borough_code,q_whole_experience,weight\n"
    path.write_text(head + "r1,2008-06-01,burglary,CW,1,1.5\nr2,2008-06-01,burglary,CW,1,1e-320\n"
                    "r3,2008-06-01,burglary,CW,1,1e308\n")
    result = _load(db, path)
    assert (result.rows_loaded, result.rows_rejected) == (1, 2)
    assert [line for _, line, _ in _rejects(db)] == [3, 4]


def test_a_bad_value_accepted_once_is_cleared_by_its_restatement(tmp_path: Path) -> None:
    """Attack: a value that passed ingest once (an older loader, a bound since tightened, a load by
    another route) failed the critical raw checks of every later build for ever, because they
    counted every load, so even a restatement of the record could not clear it. Now the raw checks
    look at the latest version of each record: the restatement clears it, and only it does."""
    db = tmp_path / "w.duckdb"
    first = tmp_path / "calls_1.csv"
    first.write_text(HEADER + _rows("c", 3))
    assert _load(db, first).rows_loaded == 3
    insert_raw(db, "calls", [{"call_id": "c9", "line": "999", "received_at": "1999-12-31T23:59:59Z"}])
    stuck = check(db, suites=["raw.calls"], write_docs=False)
    assert stuck.code == 1
    assert stuck.failed == {("raw.calls.loads", "instants_not_before_2000"),
                            ("raw.calls.sample", "received_at_not_before_2000")}
    other = tmp_path / "calls_2.csv"  # a restatement of another record does not clear it
    other.write_text(HEADER + "c1,999,2008-06-01T10:00:00Z,2008-06-01T10:00:09Z\n")
    assert _load(db, other).rows_loaded == 1
    assert check(db, suites=["raw.calls"], write_docs=False).failed == stuck.failed
    restated = tmp_path / "calls_3.csv"
    restated.write_text(HEADER + "c9,999,2008-06-01T11:00:00Z,2008-06-01T11:00:04Z\n")
    assert _load(db, restated).rows_loaded == 1
    cleared = check(db, suites=["raw.calls"], write_docs=False)
    assert cleared.failed_with("critical") == set(), cleared.output
    assert cleared.code == 0
    # every stored row is still reconciled with the ledger: 3 + 1 planted, 1, 1
    assert query(db, "select _load_id, count(*) from raw.calls group by 1 order by 1") == [(1, 4), (2, 1), (3, 1)]
    assert cleared.result("raw.calls.loads", "rows_reconcile_with_ledger")["success"]


def test_a_survey_weight_accepted_once_outside_the_bounds_fails_until_restated(tmp_path: Path) -> None:
    """A weight of 1e-320 passed ingest and the build's `weights_positive` and then skewed every
    rate; the raw check now holds the loader's bounds, and a restatement clears it."""
    db = tmp_path / "w.duckdb"
    head = "response_id,interview_date,survey_group,borough_code,q_whole_experience,weight\n"
    first = tmp_path / "survey_responses_1.csv"
    first.write_text(head + "r1,2008-06-01,burglary,CW,1,1.5\n")
    assert _load(db, first).rows_loaded == 1
    insert_raw(db, "survey_responses", [{"response_id": "r2", "interview_date": "2008-06-01",
                                         "survey_group": "burglary", "borough_code": "CW",
                                         "q_whole_experience": "1", "weight": "1e-320"}])
    stuck = check(db, suites=["raw.survey_responses"], write_docs=False)
    assert stuck.failed_with("critical") == {("raw.survey_responses.loads", "weights_within_bounds")}
    restated = tmp_path / "survey_responses_2.csv"
    restated.write_text(head + "r2,2008-06-01,burglary,CW,1,0.5\n")
    assert _load(db, restated).rows_loaded == 1
    assert check(db, suites=["raw.survey_responses"], write_docs=False).failed_with("critical") == set()


def test_the_plausibility_bounds_have_one_home_the_dbt_vars() -> None:
    """The loader, the raw suites and the staging tests read the same vars (dbt_project.yml): no
    copy of a bound is written anywhere else, so none can drift from the others."""
    import re

    import yaml

    from citizen_focus.config import PROJECT_DIR
    from ingest import contract
    from quality.definitions import load_suites

    project_vars = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"]
    assert contract.EARLIEST_PLAUSIBLE_DATE == project_vars["earliest_plausible_date"] == "2000-01-01"
    assert contract.INSTANT_AFTER_LOAD_HOURS == project_vars["instant_after_load_hours"] == 1
    assert contract.DATE_AFTER_LOAD_DAYS == project_vars["date_after_load_days"] == 1
    assert (project_vars["survey_weight_min"], project_vars["survey_weight_max"]) == contract.WEIGHT_BOUNDS
    assert contract.RESERVED_CODES == tuple(project_vars["reserved_codes"]) == ("ALL", "UNKNOWN")
    assert project_vars["unknown_borough_code"] in contract.RESERVED_CODES
    assert project_vars["code_pattern"] == contract.CODE_PATTERN
    literal = re.compile(r"2000-01-01|interval 1 (hour|day)|0\.001|0\.000000001|1000\b")
    for suite in load_suites():
        if suite.table.startswith("raw."):
            assert not literal.search(suite.sql), suite.name
            assert not any(literal.search(str(e.kwargs)) for e in suite.expectations), suite.name
            if suite.name.endswith(".loads"):
                assert "earliest_plausible_date" in suite.sql and "latest as (" in suite.sql, suite.name
    for path in [*(PROJECT_DIR / "tests/dbt/quality").glob("*.sql"), *(PROJECT_DIR / "models/staging").rglob("*.yml")]:
        text = "\n".join(line for line in path.read_text().splitlines() if not line.lstrip().startswith("--"))
        assert not literal.search(text.split("description")[0] if path.suffix == ".sql" else
                                  re.sub(r"description:.*", "", text)), path


# --- 13. rejected values never in reason text ------------------------------------------------------

def test_a_rejected_value_with_an_apostrophe_never_reaches_the_data_quality_page(tmp_path: Path) -> None:
    """Attack: a rejected value containing an apostrophe broke out of the '…' mask, so the rest of
    it (here a planted name and phone number) showed on the data-quality page. Now no reason quotes
    a value: the value is kept apart in raw.rejects.rejected_values, which no page reads."""
    from dashboards.data import Warehouse, build_id

    secret = "O'Brien QZXPII 07700 900123"
    db = tmp_path / "w.duckdb"
    path = tmp_path / "calls_leak.csv"
    path.write_text(
        "call_id,line,received_at,answered_at,borough_code\n"
        f"c1,x' {secret} 'y,2008-06-01T10:00:00Z,,CW\n"  # line 2: enum off the contract
        f"c2,999,{secret},,CW\n"  # line 3: not a timestamp
        f"c3,999,2008-06-01T10:00:00Z,,{secret}'\n"  # line 4: not a code
        "c4,999,2008-06-01T10:00:00Z,,CW\n"  # line 5: good
    )
    result = _load(db, path)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (4, 1, 3)
    rows = query(db, "select line_number, reason, rejected_values from raw.rejects order by line_number")
    assert rows == [
        (2, "line is not one of 999/101/0300/textphone/other", f"line = 'x' {secret} 'y'"),
        (3, "received_at is not a valid timestamp (or falls in the spring clock gap)", f"received_at = '{secret}'"),
        (4, "borough_code is not a code (a letter or digit, then letters, digits, - or _; at most 20)",
         f"borough_code = '{secret}''"),
    ]
    for needle in ("QZXPII", "O'Brien", "07700"):
        assert not any(needle in reason for _, reason, _ in rows)
        assert not any(needle in reason for reason, _ in result.top_reasons)
        assert needle not in result.one_line
    shown = Warehouse(db, build_id(db), cached=False).reject_reasons()  # the data-quality page's query
    assert sorted(shown["reason"]) == sorted(reason for _, reason, _ in rows)
    assert "QZXPII" not in shown.to_csv() and "rejected_values" not in shown.columns


def test_a_warehouse_made_before_rejected_values_gets_the_column(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    con = duckdb.connect(str(db))
    con.execute("create schema raw")
    con.execute("create table raw.rejects (load_id bigint not null, kind varchar not null, file_name varchar "
                "not null, line_number bigint not null, raw_row varchar, reason varchar not null)")
    con.execute("insert into raw.rejects values (1, 'calls', 'old.csv', 2, 'x', 'old reason')")
    con.close()
    path = tmp_path / "calls_1.csv"
    path.write_text(HEADER + "c1,998,2008-06-01T10:00:00Z,\n")
    assert _load(db, path).rows_rejected == 1
    assert query(db, "select reason, rejected_values from raw.rejects order by load_id, line_number") == [
        ("old reason", None), ("line is not one of 999/101/0300/textphone/other", "line = '998'")
    ]


@pytest.mark.parametrize("where", ["first_row", "quoted_field", "last_row_no_newline", "gzip_far", "block_edge"])
def test_a_nul_byte_is_quarantined_wherever_it_is(tmp_path: Path, where: str) -> None:
    """Attack: only the first MiB was searched for NUL bytes. A NUL anywhere (first row, inside a
    quoted multi-line field, on a last line without its newline, deep inside a .csv.gz, across the
    reader's 1 MiB block boundary) quarantines exactly its record, at its first line."""
    good = b"g,999,2008-06-01T10:00:00Z,2008-06-01T10:00:05Z\n"
    bad = b"bad,999,2008-06-01T10:00:00Z,\x00\n"
    filler_rows = 30_000 if where in {"gzip_far", "block_edge"} else 2
    filler = b"".join(b"f%d" % i + good[1:] for i in range(filler_rows))
    if where == "first_row":
        body, line = bad + filler, 2
    elif where == "quoted_field":
        body, line = filler + b'bad,999,2008-06-01T10:00:00Z,"2008\n\x00"\n' + good, 2 + filler_rows
    elif where == "last_row_no_newline":
        body, line = filler + bad.rstrip(b"\n"), 2 + filler_rows
    elif where == "gzip_far":
        body, line = filler + bad + good, 2 + filler_rows
    else:  # the NUL is the first byte after exactly 1 MiB of text
        target = (1 << 20) - len(HEADER)
        row = len(b"f00000") + len(good) - 1
        filler = b"".join(b"f%05d" % i + good[1:] for i in range(target // row - 1))
        pad = b"p" + b"0" * (target - len(filler) - len(good)) + good[1:]
        body = filler + pad + b"\x00bad,999,2008-06-01T10:00:00Z,\n" + good
        assert len(HEADER) + len(filler) + len(pad) == 1 << 20
        line = 2 + filler.count(b"\n") + 1
    data = HEADER.encode() + body
    path = tmp_path / ("calls_nul.csv.gz" if where == "gzip_far" else "calls_nul.csv")
    path.write_bytes(gzip.compress(data) if where == "gzip_far" else data)
    result = _load(tmp_path / "w.duckdb", path)
    assert result.status == "loaded", result.message
    records = body.count(b"\n") + (not body.endswith(b"\n")) - (where == "quoted_field")
    assert (result.rows_read, result.rows_rejected) == (records, 1)
    assert result.rows_loaded == records - 1
    assert _rejects(tmp_path / "w.duckdb") == [(path.name, line, "the row contains a NUL byte (binary data)")]


# --- property: names x mutations during a load ------------------------------------------------------

_MUTATIONS = ("none", "truncate", "append", "rewrite", "flip", "replace")


def _mutate(path: Path, original: bytes, kind: str, where: float, byte: int) -> None:
    """Changes the real file on disk: truncated, appended to, rewritten or flipped in place (same size),
    or replaced by another file (a new inode)."""
    position = int(where * (len(original) - 1))
    if kind == "truncate":
        os.truncate(path, position)
    elif kind == "append":
        with path.open("ab") as fh:
            fh.write(_rows("late", 5).encode())
    elif kind == "rewrite":
        with path.open("r+b") as fh:
            fh.seek(position)
            fh.write(original[position:position + 40].replace(b"999", b"101").replace(b"0", b"1"))
    elif kind == "flip":
        with path.open("r+b") as fh:
            fh.seek(position)
            fh.write(bytes([original[position] ^ byte]))
    elif kind == "replace":
        other = path.with_name(path.name + ".part")
        other.write_bytes(original[:position] + b"x,999,2008-06-01T10:00:00Z,\n")
        os.replace(other, path)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    tail=st.lists(_name_chars, min_size=1, max_size=6).map("".join),
    mutation=st.sampled_from(_MUTATIONS),
    step=st.integers(min_value=-1, max_value=14),  # -1 before the first read, 14 after the snapshot
    where=st.floats(min_value=0, max_value=1),
    byte=st.integers(min_value=1, max_value=255),
)
@example(tail="[a]", mutation="truncate", step=3, where=0.5, byte=1)
@example(tail="*", mutation="replace", step=-1, where=0.3, byte=1)
@example(tail="'\n", mutation="append", step=14, where=0.0, byte=1)
@example(tail="\udcff", mutation="flip", step=0, where=0.0, byte=0x22)  # a quote into the header
def test_property_every_row_is_loaded_or_quarantined_and_the_true_file_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tail: str, mutation: str, step: int, where: float, byte: int
) -> None:
    """Property over file names (glob characters, quotes, newlines, bytes that are not UTF-8) and
    over changes made to the file during its load, at any step of the snapshot (before the first
    read, between two blocks read, after the last, after the snapshot is taken): the load is either
    refused whole with a ledger row naming the file, or every row it read is loaded or quarantined
    with file, line and reason (rows read = loaded + rejected) and the ledger's hash is of the bytes
    parsed; and a re-send of the true file then loads all of its rows."""
    import ingest.loader as loader_module
    import ingest.snapshot as snapshot_module

    monkeypatch.setattr(snapshot_module, "_BLOCK", 256)  # a 3 KB file is read in a dozen blocks
    real_chunks, real_snapshot = snapshot_module._chunks, loader_module.take_snapshot
    folder = Path(os.fsdecode(os.path.join(os.fsencode(tmp_path), os.urandom(4).hex().encode())))
    folder.mkdir()
    db = folder / "w.duckdb"
    path = folder / f"calls_{tail}.csv"
    original = (HEADER + _rows("c", 60)).encode()
    path.write_bytes(original)
    done = []

    def change() -> None:
        if not done and mutation != "none":
            done.append(True)
            _mutate(path, original, mutation, where, byte)

    def chunks(fh, compressed, limits, digest):
        if step == -1:
            change()
        for i, out in enumerate(real_chunks(fh, compressed, limits, digest)):
            yield out
            if i == step:
                change()
        change() if 0 <= step < 14 else None  # after the last block, before the final checks

    def snapshot(*args, **kwargs):
        taken = real_snapshot(*args, **kwargs)
        if step == 14:
            change()
        return taken

    monkeypatch.setattr(snapshot_module, "_chunks", chunks)
    monkeypatch.setattr(loader_module, "take_snapshot", snapshot)
    result = _load(db, path)
    monkeypatch.setattr(snapshot_module, "_chunks", real_chunks)
    monkeypatch.setattr(loader_module, "take_snapshot", real_snapshot)
    mutated = path.read_bytes()

    (name, status, sha, read, loaded, rejected), = query(
        db, "select file_name, status, file_sha256, rows_read, rows_loaded, rows_rejected from raw.load_ledger")
    assert name.isprintable() and status == result.status
    assert query(db, "select count(*) from raw.calls") == [(loaded,)]
    if status == "rejected":
        assert result.message and (loaded, rejected) == (0, 0)
        assert query(db, "select count(*) from raw.rejects") == [(0,)]
    else:
        assert status == "loaded" and read == loaded + rejected == result.rows_read
        rejects = query(db, "select file_name, line_number, reason from raw.rejects")
        assert len(rejects) == rejected
        assert all(f == name and line >= 2 and reason for f, line, reason in rejects)
        versions = {hashlib.sha256(original).hexdigest(): original, hashlib.sha256(mutated).hexdigest(): mutated}
        if sha in versions:  # what was parsed is one whole version of the file: every record of it
            assert read == _records(versions[sha])
        else:  # only an in-place change of the same size within one tick of the file clock goes unseen;
            # the bytes hashed are still the bytes parsed, so the true file is not "already loaded"
            assert mutation in {"rewrite", "flip"} and len(mutated) == len(original)
    path.write_bytes(original)  # the true file, sent again
    again = _load(db, path)
    assert again.status in {"loaded", "skipped"}, again.message
    true_sha = hashlib.sha256(original).hexdigest()
    assert query(db, "select count(*) from raw.calls where _load_id = (select load_id from raw.load_ledger "
                     "where file_sha256 = ? and status = 'loaded')", [true_sha]) == [(60,)]
