"""Property-based hardening of the loader: malformed extracts never crash it or cost a good row.

Hypothesis builds call extracts from known-good rows, planted bad rows and file-level damage
(truncation, wrong delimiter, binary junk, non-UTF-8 bytes, enormous fields, formula-injection
cells, duplicated headers, empty and header-only files, mixed line endings, 10,000-character
ids, future and pre-2000 timestamps, which are bad rows). For every file: no exception escapes, rows read = loaded
+ rejected, and unless the whole file was rejected (which must leave the warehouse unchanged)
every good row is loaded with its values intact.
"""

from __future__ import annotations

import csv
import io
import itertools
from pathlib import Path

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest import init_warehouse, load_file

COLUMNS = ["call_id", "line", "received_at", "answered_at", "borough_code", "handler_id"]
_ids = itertools.count()

good_timestamp = st.sampled_from(
    ["2008-06-01T10:00:00Z", "2008-10-26T00:55:00+01:00", "01/06/2008 10:00", "2008-06-01 10:00:30",
     "2000-01-01T00:00:00Z"]  # the earliest plausible instant (docs/contract.md, "Rules the loader adds")
)
safe_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=30)
free_text = st.one_of(
    safe_text,
    st.sampled_from(['=HYPERLINK("http://x","y")', "+1+1", "-2", "@SUM(A1)", 'a "quoted", value', "two\nlines",
                     "x" * 10_000]),
)


@st.composite
def good_row(draw) -> dict[str, str]:
    call_id = draw(st.sampled_from(["", "0", "x" * 10_000 + "-"])) + f"id{next(_ids)}"
    return {
        "call_id": call_id,
        "line": draw(st.sampled_from(["999", "101", "0300", "TEXTPHONE", "other"])),
        "received_at": draw(good_timestamp),
        "answered_at": "",
        "borough_code": draw(st.sampled_from(["", "CW", "HK", "ZZ-unknown"])),
        "handler_id": draw(free_text),
    }


@st.composite
def bad_row(draw) -> dict[str, str]:
    row = draw(good_row())
    damage = draw(st.sampled_from(["enum", "timestamp", "required", "order", "gap"]))
    if damage == "enum":
        row["line"] = draw(st.sampled_from(["998", "", "=cmd|' /C calc'!A0"])) or "112"
    elif damage == "timestamp":
        row["received_at"] = draw(
            st.sampled_from(["31/02/2008 10:00", "2008-13-01T00:00:00Z", "soon", "12/31/2008 10:00",
                             "2099-01-01T00:00:00Z", "1850-01-01T00:00:00Z", "1999-12-31T23:59:59Z"])
        )
    elif damage == "required":
        row["call_id"] = ""
    elif damage == "order":
        row["received_at"], row["answered_at"] = "2008-06-01T10:00:00Z", "2008-06-01T09:00:00Z"
    else:
        row["received_at"] = "2008-03-30 01:30"  # the spring clock gap
    return row


def _csv(rows: list[dict[str, str]], header: list[str], line_ending: str) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator=line_ending, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


@st.composite
def extract_file(draw) -> tuple[bytes, list[dict[str, str]], str]:
    """(file bytes, the good rows it holds, the damage done to the file as a whole)."""
    goods = draw(st.lists(good_row(), max_size=8))
    bads = draw(st.lists(bad_row(), max_size=4))
    rows = draw(st.permutations(goods + bads))
    header = draw(st.permutations(COLUMNS))
    header = [h.upper() if draw(st.booleans()) else h for h in header]
    damage = draw(st.sampled_from(
        ["none", "none", "crlf", "mixed_eol", "bom", "truncated", "semicolons", "binary", "latin1",
         "duplicate_header", "empty", "header_only", "junk_tail", "extra_column"]
    ))
    text = _csv([{h: r[h.lower()] for h in header} for r in rows], header, "\r\n" if damage == "crlf" else "\n")
    if damage == "mixed_eol":
        text = text.replace("Z\n", "Z\r\n", 2)
    if damage == "extra_column":
        text = text.replace("\n", ",extra\n", 1)  # a header-only extra column: kept in raw, not an error
        text = _csv([{**{h: r[h.lower()] for h in header}, "note": "x"} for r in rows], [*header, "note"], "\n")
    data = text.encode("utf-8")
    if damage == "bom":
        data = b"\xef\xbb\xbf" + data
    elif damage == "truncated" and rows:
        # cut into the last record only (every record is longer than 10 bytes)
        data = data[: max(len(data) - draw(st.integers(1, 10)), data.index(b"\n") + 1)]
    elif damage == "semicolons":
        data = data.replace(b",", b";")
    elif damage == "binary":
        data = bytes(draw(st.lists(st.integers(0, 255), min_size=1, max_size=200))) + b"\x00"
    elif damage == "latin1":
        data = data + "zz\xe9,999,2008-06-01T10:00:00Z,,,\n".encode("latin-1")
    elif damage == "duplicate_header":
        data = data.replace(b"\n", b"," + header[0].encode() + b"\n", 1)
    elif damage == "empty":
        data = b""
    elif damage == "header_only":
        data = data[: data.index(b"\n") + 1]
    elif damage == "junk_tail":
        data = data + b'"unterminated,quote\n'
    # a Latin-1 row and an unterminated quote are quarantined at their line; the file loads
    whole_file_damage = damage in {"semicolons", "binary", "duplicate_header", "empty"}
    if whole_file_damage or damage == "header_only":
        surviving = []
    elif damage == "truncated":
        surviving = [g for g in goods if g is not rows[-1]]  # the cut record may or may not survive
    else:
        surviving = goods
    return data, surviving, damage


def _fresh() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    init_warehouse(con)
    return con


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(extract_file())
def test_malformed_extracts_never_crash_or_lose_a_good_row(tmp_path_factory, case) -> None:
    data, goods, damage = case
    path = Path(tmp_path_factory.mktemp("x")) / "calls_generated.csv"
    path.write_bytes(data)
    con = _fresh()
    result = load_file(con, path)  # must not raise, whatever the bytes
    raw_rows = con.execute("select count(*) from raw.calls").fetchone()[0]
    rejects = con.execute("select count(*) from raw.rejects").fetchone()[0]
    if result.status == "rejected":
        assert damage in {"semicolons", "binary", "duplicate_header", "empty"}, (damage, result.message)
        assert result.message
        assert (raw_rows, rejects) == (0, 0)
        return
    assert result.status == "loaded", result.message
    assert result.rows_read == result.rows_loaded + result.rows_rejected
    assert (raw_rows, rejects) == (result.rows_loaded, result.rows_rejected)
    if damage in {"latin1", "junk_tail"}:  # the damaged record is quarantined at its line, with its reason
        last_line = data.rstrip(b"\n").count(b"\n") + 1
        reason = "not UTF-8 text" if damage == "latin1" else "unterminated quote"
        assert con.execute(
            "select count(*) from raw.rejects where line_number = ? and starts_with(reason, ?)", [last_line, reason]
        ).fetchone()[0] == 1
    loaded = dict(con.execute("select call_id, handler_id from raw.calls").fetchall())
    for row in goods:
        assert row["call_id"] in loaded, (damage, row["call_id"][:40])
        assert loaded[row["call_id"]] == row["handler_id"]
    con.close()


def test_the_property_test_counts_what_it_tries() -> None:
    """The strategy really produces every kind of damage (so the property covers them all)."""
    seen: set[str] = set()

    # derandomized: the same 300 draws every run, so this check of the strategy cannot flake
    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
              database=None)
    @given(extract_file())
    def collect(case) -> None:
        seen.add(case[2])

    collect()
    assert seen >= {"none", "crlf", "mixed_eol", "bom", "truncated", "semicolons", "binary", "latin1",
                    "duplicate_header", "empty", "header_only", "junk_tail", "extra_column"}


def test_a_file_cut_inside_a_multibyte_character_keeps_its_good_rows(tmp_path: Path) -> None:
    """Found by the property test: a transfer cut inside 'é' must not cost the complete records."""
    text = (
        "call_id,force_code,line,received_at,answered_at,handler_id\n"
        "c1,MPS,999,2008-06-01T10:00:00Z,2008-06-01T10:00:05Z,Renée\n"
        "c2,MPS,999,2008-06-01T11:00:00Z,2008-06-01T11:00:05Z,Zoé\n"
    )
    data = text.encode("utf-8")
    data = data[: data.rindex("é".encode()) + 1]  # the last byte of 'é' (0xA9) and the newline are lost
    path = tmp_path / "calls_cut.csv"
    path.write_bytes(data)
    con = _fresh()
    result = load_file(con, path)
    assert result.status == "loaded", result.message
    assert result.rows_read == 2 and result.rows_loaded + result.rows_rejected == 2
    assert con.execute("select handler_id from raw.calls where call_id = 'c1'").fetchone() == ("Renée",)
    assert path.read_bytes() == data  # the extract itself is never modified
