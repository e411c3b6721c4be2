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
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from warehouse_builder import cli, query

from citizen_focus.warehouse import connect
from ingest import ingest_paths, load_file
from ingest.limits import Limits

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
    assert [(line, reason.split("'")[0] + reason.split("'")[-1]) for _, line, reason in _rejects(db)] == [
        (3, "received_at  is before 2000-01-01 (not a plausible instant)"),
        (4, "received_at  is later than the load of its file (an extract cannot hold the future)"),
        (5, "borough_code  is a code the warehouse reserves (ALL, UNKNOWN)"),
        (6, "force_code  is not a code (a letter or digit, then letters, digits, - or _; at most 20)"),
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
