"""Loads one extract file into the raw layer, in one transaction, with a ledger entry.

The body is read by DuckDB's CSV reader as text (never by Python row by row), numbered with
the physical line each record starts on, validated in one SQL pass with the contract macros,
and split into good rows (raw.<kind>) and bad rows (raw.rejects, with the reason). Either the
whole file lands (good rows + rejects + ledger row) or, when the file cannot be an extract,
nothing but a ledger row saying why.

Speed: the records are held once (temp table `_incoming`); numbering is a view unless quoted
newlines need a running sum; the validation stores only (record, reason), parses each typed
value once, and runs the duplicate-key window only when a key repeats; good records go from
`_records` to raw.<kind> without a sort when there are no rejects; only rejected records are
turned back into CSV text.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ingest.contract import (
    ANSWER,
    BOOLEAN,
    CODE_PATTERN,
    DATE,
    DATE_AFTER_LOAD_DAYS,
    EARLIEST_PLAUSIBLE_DATE,
    ENUM,
    EXTRACTS,
    INSTANT_AFTER_LOAD_HOURS,
    NUMBER,
    RESERVED_CODES,
    STRING,
    TIMESTAMP,
    WEIGHT_BOUNDS,
    Column,
    Extract,
    infer_kind,
)
from ingest.errors import FileRejected
from ingest.header import Header, check_required, read_header
from ingest.limits import Limits
from ingest.snapshot import GLOB_CHARACTERS, Snapshot, private_folder, take_snapshot
from ingest.survey_files import convert, is_survey_file

# Supplier mapping files (suppliers/README.md); CITIZEN_FOCUS_SUPPLIERS names another folder.
SUPPLIERS_ENV = "CITIZEN_FOCUS_SUPPLIERS"
DEFAULT_SUPPLIERS_DIR = Path(__file__).resolve().parents[1] / "suppliers"

# DuckDB reads an empty field as NULL unless told otherwise; with this impossible null string an
# empty field reads as '' and only the padding of a short row is NULL, so short rows are visible.
_NULL_SENTINEL = "\x1e\x1f<padding>\x1f\x1e"
_VALUE_IN_MESSAGE = 60  # characters of an offending value quoted in a reason


@dataclass
class LoadResult:
    file: str
    kind: str | None
    status: str  # loaded | rejected | skipped (same content already loaded)
    load_id: int | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    message: str = ""
    line: int | None = None
    seconds: float = 0.0
    top_reasons: list[tuple[str, int]] = field(default_factory=list)

    @property
    def one_line(self) -> str:
        where = f"{self.file}" + (f", line {self.line}" if self.line else "")
        if self.status == "rejected":
            return f"{where}: rejected: {self.message}"
        if self.status == "skipped":
            return f"{self.file}: {self.message}"
        return (
            f"{self.file}: {self.kind}: {self.rows_read:,} rows read, {self.rows_loaded:,} loaded, "
            f"{self.rows_rejected:,} rejected ({self.seconds:.1f} s)"
        )


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class _Check:
    """One contract rule as SQL: `condition` is true when a record breaks it, `reason` is a SQL
    expression for the reason text, `value` the SQL of the offending value (or None).

    A reason never quotes the value (docs/data-protection.md): a value may be personal data, and
    reasons are shown on the data-quality page; the value goes to raw.rejects.rejected_values,
    which nothing displays."""

    condition: str
    reason: str
    value: str | None = None


def _shown_value(name: str, expr: str) -> str:
    """`name = 'value'` (the value's first characters), for raw.rejects.rejected_values."""
    return f"{_sql_str(name + ' = ')} || chr(39) || left({expr}, {_VALUE_IN_MESSAGE}) || chr(39)"


# The contract macro that parses each typed column (ingest/sql/contract_macros.sql).
_PARSE_MACRO = {
    TIMESTAMP: "raw.parse_timestamp",
    DATE: "raw.parse_date",
    BOOLEAN: "raw.parse_boolean",
    NUMBER: "raw.parse_number",
    ANSWER: "raw.parse_answer",
}


def _parsed(col: Column) -> str:
    """Name under which the validation query holds a typed column's parsed value."""
    return _ident("_parsed_" + col.name)


def _present(col: Column) -> str:
    """Name under which the validation query holds whether a column has a value (not blank)."""
    return _ident("_present_" + col.name)


def _plausibility_checks(col: Column, expr: str, loaded_at: float) -> list[_Check]:
    """The loader's own rules (docs/contract.md, "Rules the loader adds"): the ranges and codes the
    raw data-quality suites hold critical, so that what ingest accepts the build accepts."""
    p, name, value = _parsed(col), col.name, _shown_value(col.name, expr)
    load = f"to_timestamp({loaded_at!r})"
    future = _sql_str(f"{name} is later than the load of its file (an extract cannot hold the future)")
    if col.type == TIMESTAMP:
        return [
            _Check(f"{p} < timestamptz '{EARLIEST_PLAUSIBLE_DATE} 00:00:00+00'",
                   _sql_str(f"{name} is before {EARLIEST_PLAUSIBLE_DATE} (not a plausible instant)"), value),
            _Check(f"{p} > {load} + interval {INSTANT_AFTER_LOAD_HOURS} hour", future, value),
        ]
    if col.type == DATE:
        return [
            _Check(f"{p} < date '{EARLIEST_PLAUSIBLE_DATE}'",
                   _sql_str(f"{name} is before {EARLIEST_PLAUSIBLE_DATE} (not a plausible date)"), value),
            _Check(f"{p} > cast({load} + interval {DATE_AFTER_LOAD_DAYS} day as date)", future, value),
        ]
    if col.type == NUMBER:
        low, high = WEIGHT_BOUNDS
        return [_Check(f"{p} > 0 and ({p} < {low!r} or {p} > {high!r})",
                       _sql_str(f"{name} is outside the plausible range {low:g} to {high:g}"), value)]
    if col.code:
        reserved = ", ".join(_sql_str(c) for c in RESERVED_CODES)
        is_reserved = f"{_present(col)} and upper(trim({expr})) in ({reserved})"
        return [
            _Check(is_reserved, _sql_str(f"{name} is a code the warehouse reserves ({', '.join(RESERVED_CODES)})"),
                   value),
            _Check(f"{_present(col)} and not ({is_reserved}) "
                   f"and not regexp_full_match(trim({expr}), {_sql_str(CODE_PATTERN)})",
                   _sql_str(f"{name} is not a code (a letter or digit, then letters, digits, - or _; at most 20)"),
                   value),
        ]
    return []


def _column_checks(col: Column, expr: str) -> list[_Check]:
    """The contract's rules for one column, each giving a reason when the value breaks it.

    A typed column's parsed value is read from `_parsed(col)`, computed once per record (the
    macros are large: parsing once instead of once per use roughly halves the validation time);
    likewise whether it is present, `_present(col)` (trim copies the string: it is not cheap).
    """
    present = _present(col)
    checks: list[_Check] = []
    name = col.name
    if col.required:
        checks.append(_Check(f"not ({present})", _sql_str(f"{name} is required but empty")))
    failing = {
        TIMESTAMP: ("{p} is null", "is not a valid timestamp (or falls in the spring clock gap)"),
        DATE: ("{p} is null", "is not a valid date"),
        BOOLEAN: ("{p} is null", "is not a boolean (true/false, yes/no, y/n, 1/0)"),
        NUMBER: ("coalesce({p} <= 0, true)", "is not a number greater than 0"),
        ANSWER: ("{p} is null", "is not an answer of the survey scale"),
    }
    if col.type in failing:
        condition, text = failing[col.type]
        checks.append(_Check(f"{present} and {condition.format(p=_parsed(col))}", _sql_str(f"{name} {text}"),
                             _shown_value(name, expr)))
    elif col.type == ENUM:
        allowed = ", ".join(_sql_str(v.lower()) for v in col.values)
        checks.append(_Check(f"{present} and lower(trim({expr})) not in ({allowed})",
                             _sql_str(f"{name} is not one of {'/'.join(col.values)}"), _shown_value(name, expr)))
    return checks


def _named_columns(extract: Extract, header: Header) -> list[str]:
    """The contract's columns as SQL over the positional fields c0..cN (NULL when not in the file)."""
    position = {name: i for i, name in enumerate(header.names)}
    return [
        (f"c{position[c.name]}" if c.name in position else "cast(null as varchar)") + f" as {_ident(c.name)}"
        for c in extract.columns
    ]


def _extra_json(extract: Extract, header: Header) -> str:
    position = {name: i for i, name in enumerate(header.names)}
    extras = [name for name in header.names if name not in set(extract.names)]
    if not extras:
        return "cast(null as json)"
    return "json_object(" + ", ".join(f"{_sql_str(name)}, c{position[name]}" for name in extras) + ")"


def _raw_row_sql(header: Header) -> str:
    """The record as CSV text again (for raw.rejects), quoting the fields that need it."""
    fields = [f"c{i}" for i in range(len(header.names))]
    return "concat_ws(',', " + ", ".join(
        f"case when regexp_matches({f}, '[,\"\\r\\n]') then '\"' || replace({f}, '\"', '\"\"') || '\"' else {f} end"
        for f in [*fields, "c_overflow"]
    ) + ")"


def _duplicates_sql(extract: Extract, header: Header) -> str:
    """SQL that keeps, in `_dups`, each record whose key an earlier record of the file already has.

    Only the key, record number and line take part in the window (not the whole record), and only
    records with a key: a blank key is reported as missing, never as a duplicate.
    """
    key = f"c{header.names.index(extract.key)}"
    return f"""
        create temp table _dups as
        select _rec, _key_seq, _key_first_line from (
            select _rec,
                row_number() over (partition by {key} order by _rec) as _key_seq,
                first_value(_line) over (partition by {key} order by _rec) as _key_first_line
            from _records
            where nullif(trim({key}), '') is not null
        )
        where _key_seq > 1
    """


def _validation_sql(extract: Extract, header: Header, duplicates: bool, loaded_at: float) -> str:
    """SQL that validates the records of `_records` into `_checked`: record number, reason and the
    offending values (kept apart from the reason: `_Check`).

    The reason is computed once per record and stored with the record number only (a filter on it
    would make DuckDB compute it twice); good records are not copied but inserted from `_records`.
    `duplicates` says whether `_dups` has any row; when it has none the join is left out.
    """
    n = len(header.names)
    key = _ident(extract.key)
    row_checks: list[_Check] = []
    for col in extract.columns:
        row_checks += _column_checks(col, _ident(col.name))
        row_checks += _plausibility_checks(col, _ident(col.name), loaded_at)
    for column, earlier in extract.not_before:
        row_checks.append(_Check(f"{_parsed(extract.column(column))} < {_parsed(extract.column(earlier))}",
                                 _sql_str(f"{column} is before {earlier}")))
    row_checks.append(_Check(
        f"{_present(extract.column(extract.key))} and _key_seq > 1",
        f"'duplicate {extract.key} in this file (first at line ' || _key_first_line || ')'",
        _shown_value(extract.key, key),
    ))
    reasons = ", ".join(f"case when {c.condition} then {c.reason} end" for c in row_checks)
    values = ", ".join(f"case when {c.condition} then {c.value} end" for c in row_checks if c.value)
    shape = (
        "case when c_overflow is not null then 'the row has more fields than the header' "
        f"when c{n - 1} is null then 'the row has fewer fields than the header' end"
    )
    parsed = [
        f"{_PARSE_MACRO[c.type]}({_ident(c.name)}) as {_parsed(c)}" for c in extract.columns if c.type in _PARSE_MACRO
    ] + [
        f"nullif(trim({_ident(c.name)}), '') is not null as {_present(c)}"
        for c in extract.columns
        if c.required or c.type != STRING or c.name == extract.key or c.code
    ]
    dups = (
        "_key_seq, _key_first_line from _records left join _dups using (_rec)"
        if duplicates
        else "cast(null as bigint) as _key_seq, cast(null as bigint) as _key_first_line from _records"
    )
    return f"""
        create temp table _checked as
        with named as (
            select _rec, c_overflow, c{n - 1}, {", ".join(_named_columns(extract, header))},
                {dups}
        ),
        parsed as (
            select *, {", ".join(parsed)} from named
        ),
        checked as (
            select _rec,
                coalesce({shape}, nullif(concat_ws('; ', {reasons}), '')) as _reason,
                case when ({shape}) is null then nullif(concat_ws('; ', {values}), '') end as _values
            from parsed
        )
        select * from checked
    """


def _read_body(con: duckdb.DuckDBPyConnection, snapshot: Snapshot, header: Header, key: str,
               limits: Limits, lines: tuple[list[int], list[str]] | None = None) -> bool:
    """Reads the snapshot's records as text into `_incoming`, then numbers them (view `_records`).

    Returns whether some value of the `key` column occurs twice (see _number_records).

    new_line is set explicitly: left to detect it, DuckDB 1.5 reads a lone CR line ending in a file
    that also has LF endings by swallowing the next character (found by the mixed-line-ending test).
    The records DuckDB must not see were taken out by the snapshot (ingest/snapshot.py) and are put
    in `_cut_rows` with their line and reason, to be quarantined with the others.
    """
    n = len(header.names)
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(n)) + ", 'c_overflow': 'VARCHAR'"
    _read_records(con, snapshot.path, header, columns, limits)
    con.execute("create temp table _cut_rows (_line bigint, raw_row varchar, _reason varchar)")
    if snapshot.cuts:
        con.executemany("insert into _cut_rows values (?, ?, ?)",
                        [(c.line, c.raw_row, c.reason) for c in snapshot.cuts])
        con.execute("create temp table _cuts (before_line bigint)")
        if snapshot.cut_before_clean_line:  # none when a survey file's converter took the rows out
            con.executemany("insert into _cuts values (?)", [(b,) for b in snapshot.cut_before_clean_line])
    if lines is not None:
        return _number_converted_records(con, header, key, *lines)
    return _number_records(con, header, key, shifted=bool(snapshot.cuts))


def _number_converted_records(con: duckdb.DuckDBPyConnection, header: Header, key: str, lines: list[int],
                              raw_rows: list[str]) -> bool:
    """`_records` of a converted survey file: record i carries the line the converter gave it and
    the row as the supplier sent it (`_raw_row`, what raw.rejects keeps of it)."""
    n = len(header.names)
    first = con.execute("select * from _incoming where rowid = 0").fetchone()
    if first is None or tuple((v or "").strip().lower() for v in first[:n]) != header.names:
        raise FileRejected("internal: the converted survey file's header could not be read back")
    import pandas as pd  # a frame, not executemany: that inserts row by row (seconds for 20,000 rows)

    frame = pd.DataFrame({"_rec": pd.Series(range(1, len(lines) + 1), dtype="int64"),
                          "_line": pd.Series(lines, dtype="int64"), "_raw_row": pd.Series(raw_rows, dtype=object)})
    con.register("_line_map_frame", frame)
    try:
        con.execute("create temp table _line_map as select _rec::bigint as _rec, _line::bigint as _line, "
                    "_raw_row::varchar as _raw_row from _line_map_frame")
    finally:
        con.unregister("_line_map_frame")
    con.execute(
        "create temp table _numbered as select i.rowid as _rec, m._line, m._raw_row, i.* "
        "from _incoming i join _line_map m on m._rec = i.rowid order by i.rowid"
    )
    count = con.execute("select count(*) from _numbered").fetchone()[0]
    if count != len(lines):
        raise RuntimeError(f"converted survey file: {count} records read back, {len(lines)} written")
    key_field = f"c{header.names.index(key)}"
    repeats = con.execute(f"select count(distinct {key_field}) < count({key_field}) from _numbered").fetchone()[0]
    con.execute("create temp view _records as select * from _numbered")
    return bool(repeats)


def _read_records(con: duckdb.DuckDBPyConnection, path: Path, header: Header, columns: str,
                  limits: Limits) -> None:
    if GLOB_CHARACTERS.search(str(path)):  # never: the snapshot's path is the loader's own
        raise FileRejected("internal: the private copy's path has a wildcard character")
    con.execute(
        f"""
        create temp table _incoming as
        select * from read_csv({_sql_str(str(path))},
            header = false, auto_detect = false, columns = {{{columns}}},
            delim = ',', quote = '"', escape = '"', null_padding = true, strict_mode = false,
            new_line = '\\n', max_line_size = {2 * limits.max_record_bytes + 1024},
            parallel = false, nullstr = {_sql_str(_NULL_SENTINEL)},
            compression = 'none', encoding = 'utf-8')
        """
    )


def _number_records(con: duckdb.DuckDBPyConnection, header: Header, key: str, shifted: bool = False) -> bool:
    """Makes `_records`: the data records of `_incoming` with their number and first line.

    Line of a record = 2 (after the header) + data records before it + newlines quoted inside
    them. Without quoted newlines (nearly always) that is rowid + 1 and `_records` is a view, so
    the records are not copied; otherwise the running sum is materialised once in `_numbered`.
    The same scan tells whether a `key` value repeats (count distinct, cheaper than the window
    that finds the duplicates, which then only runs when needed). Returns that.
    `shifted`: records were cut out of the snapshot (`_cuts`); each line after one moves down by one.
    """
    n = len(header.names)
    first = con.execute("select * from _incoming where rowid = 0").fetchone()
    if first is None or tuple((v or "").strip().lower() for v in first[:n]) != header.names:
        raise FileRejected("the header row could not be read consistently", line=1)
    fields = [f"c{i}" for i in range(n)] + ["c_overflow"]
    key_field = f"c{header.names.index(key)}"
    has_newlines, repeats = con.execute(
        "select coalesce(bool_or(" + " or ".join(f"contains({f}, chr(10))" for f in fields) + "), false), "
        f"count(distinct {key_field}) < count({key_field}) from _incoming where rowid > 0"
    ).fetchone()
    shift = " + (select count(*) from _cuts where before_line <= _incoming.rowid + 1)" if shifted else ""
    if not has_newlines:
        con.execute(
            f"create temp view _records as select rowid as _rec, rowid + 1{shift} as _line, * "
            "from _incoming where rowid > 0"
        )
        return bool(repeats)
    all_fields = " || ".join(f"coalesce({f}, '')" for f in fields)
    newline_count = f"length({all_fields}) - length(replace({all_fields}, chr(10), ''))"
    line = (
        f"2 + coalesce(sum(1 + {newline_count}) over (order by rowid rows between unbounded preceding "
        "and 1 preceding), 0)"
    )
    con.execute(
        f"create temp table _numbered as select rowid as _rec, {line} as _line, * "
        "from _incoming where rowid > 0 order by rowid"
    )
    if shifted:
        con.execute("update _numbered set _line = _line + (select count(*) from _cuts where before_line <= _line)")
    con.execute("create temp view _records as select * from _numbered")
    return bool(repeats)


def _validate(con: duckdb.DuckDBPyConnection, extract: Extract, header: Header, repeats: bool,
              loaded_at: float) -> None:
    """Finds the duplicate keys (`_dups`), then every record's reason (`_checked`, view `_rejected`).

    `repeats`: whether any key value occurs twice; when none does, the window is not run.
    """
    duplicates = False
    if repeats:  # maybe only blank keys, which are not duplicates: the window decides
        con.execute(_duplicates_sql(extract, header))
        duplicates = con.execute("select count(*) > 0 from _dups").fetchone()[0]
    con.execute(_validation_sql(extract, header, duplicates, loaded_at))
    con.execute("create temp view _rejected as select * from _checked where _reason is not null")


def _drop_work_tables(con: duckdb.DuckDBPyConnection) -> None:
    for view in ("_rejected", "_records"):
        con.execute(f"drop view if exists temp.{view}")
    for table in ("_checked", "_dups", "_numbered", "_incoming", "_cut_rows", "_cuts", "_line_map"):
        con.execute(f"drop table if exists temp.{table}")


def _ledger(con: duckdb.DuckDBPyConnection, result: LoadResult, path: Path, digest: str | None,
            size: int | None, started: float) -> None:
    con.execute(
        """
        insert into raw.load_ledger values
            (?, ?, ?, ?, ?, ?, ?, ?, ?, to_timestamp(?), to_timestamp(?), ?, ?)
        """,
        [
            result.load_id,
            shown(path.name),
            shown(path.absolute()),
            digest,
            size,
            result.kind,
            result.rows_read,
            result.rows_loaded,
            result.rows_rejected,
            started,
            time.time(),
            result.status,
            result.message or None,
        ],
    )


def _already_loaded(con: duckdb.DuckDBPyConnection, digest: str) -> tuple[int, str] | None:
    row = con.execute(
        "select load_id, file_name from raw.load_ledger where file_sha256 = ? and status = 'loaded' "
        "order by load_id limit 1",
        [digest],
    ).fetchone()
    return (int(row[0]), str(row[1])) if row else None


def _load_body(con: duckdb.DuckDBPyConnection, name: str, extract: Extract, header: Header,
               result: LoadResult, converted: bool = False) -> None:
    """Everything inside the file's transaction: insert, reconcile, summarise.

    Good records are inserted straight from `_records`, in file order: a plain scan keeps the
    table's order (preserve_insertion_order), so a sort is only needed when rejected records are
    left out by a join. Only rejected records are turned back into CSV text for raw.rejects.
    """
    read = con.execute("select count(*) from _records").fetchone()[0]
    rejected = con.execute("select count(*) from _rejected").fetchone()[0]
    cut = con.execute("select count(*) from _cut_rows").fetchone()[0]
    cols = ", ".join(_ident(n) for n in extract.names)
    good = "from _records where _rec not in (select _rec from _rejected) order by _rec" if rejected else "from _records"
    loaded = con.execute(
        f"""
        insert into raw.{extract.kind} ({cols}, _load_id, _source_file, _line_number, _extra_columns)
        select {", ".join(_named_columns(extract, header))}, ?, ?, _line, {_extra_json(extract, header)}
        {good}
        """,
        [result.load_id, name],
    ).fetchone()[0]
    quarantined = 0
    if rejected:
        quarantined = con.execute(
            f"""
            insert into raw.rejects (load_id, kind, file_name, line_number, raw_row, reason, rejected_values)
            select ?, ?, ?, _line, {"_raw_row" if converted else _raw_row_sql(header)}, _reason, _values
            from _rejected join _records using (_rec) order by _rec
            """,
            [result.load_id, extract.kind, name],
        ).fetchone()[0]
    if cut:  # records the snapshot took out (unterminated quote, NUL, not UTF-8, over-long)
        quarantined += con.execute(
            "insert into raw.rejects (load_id, kind, file_name, line_number, raw_row, reason) "
            "select ?, ?, ?, _line, raw_row, _reason from _cut_rows order by _line",
            [result.load_id, extract.kind, name],
        ).fetchone()[0]
    read += cut
    rejected += cut
    if loaded + quarantined != read or quarantined != rejected:
        raise RuntimeError(
            f"row reconciliation failed: {read} read, {loaded} loaded, {quarantined} rejected"
        )
    if rejected:
        result.top_reasons = [
            (str(r), int(c))
            for r, c in con.execute(
                "select _reason as r, count(*) as c "
                "from (select _reason from _rejected union all select _reason from _cut_rows) "
                "group by r order by c desc, r limit 5"
            ).fetchall()
        ]
    result.rows_read, result.rows_loaded, result.rows_rejected = int(read), int(loaded), int(quarantined)


def shown(text: str | Path) -> str:
    """A file name as it can be printed and stored: bytes that are not UTF-8 (a name from another
    system) as \\xNN, control characters (a newline in a name) escaped; never raises."""
    raw = os.fsencode(text) if isinstance(text, Path) else str(text).encode("utf-8", "surrogateescape")
    decoded = raw.decode("utf-8", errors="backslashreplace")
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in decoded)


def _database_folder(con: duckdb.DuckDBPyConnection) -> Path | None:
    row = con.execute("select path from duckdb_databases() where database_name = current_database()").fetchone()
    return Path(row[0]).parent if row and row[0] else None


def suppliers_dir() -> Path:
    return Path(os.environ.get(SUPPLIERS_ENV, "").strip() or DEFAULT_SUPPLIERS_DIR)


def _private_copy(path: Path, folder: Path, limits: Limits) -> tuple[Path, str, int]:
    """A private copy of a survey file (what is hashed is what is parsed), refused if it changes
    while it is read or is larger than the cap."""
    import hashlib

    before = path.stat()
    if before.st_size > limits.max_file_bytes:
        raise FileRejected(f"the file is larger than the cap of {limits.max_file_bytes:,} bytes")
    digest = hashlib.sha256()
    copy = folder / ("source" + path.suffix.lower())
    size = 0
    with path.open("rb") as src, copy.open("wb") as dst:
        while block := src.read(1 << 20):
            size += len(block)
            if size > limits.max_file_bytes:
                raise FileRejected(f"the file is larger than the cap of {limits.max_file_bytes:,} bytes")
            digest.update(block)
            dst.write(block)
    after = path.stat()
    if (before.st_size, before.st_mtime_ns, before.st_ino) != (after.st_size, after.st_mtime_ns, after.st_ino):
        raise FileRejected("the file changed while it was read; send it again when it is complete")
    return copy, digest.hexdigest(), size


def load_file(con: duckdb.DuckDBPyConnection, path: Path, kind: str | None = None,
              limits: Limits | None = None, *, supplier: str | None = None, sheet: str | None = None,
              suppliers: Path | None = None) -> LoadResult:
    """Loads one file. Never raises for a bad file: the result says what happened.

    DuckDB reads a private snapshot of the file (ingest/snapshot.py), never the file itself: the
    bytes hashed for the ledger are the bytes parsed, and the file's name is never a glob pattern.
    A survey file from a supplier (.sav, .xlsx) is first converted to the contract's rows
    (ingest/survey_files.py) with the mapping `supplier` (a name in `suppliers`, or a .yml path)
    or the one that fits; `sheet` chooses an Excel sheet. From there on it is the CSV path.
    """
    started = time.time()
    path = Path(path)
    limits = limits or Limits.from_env()
    name = shown(path.name)
    survey = is_survey_file(name)
    kind = kind or ("survey_responses" if survey else infer_kind(name))
    result = LoadResult(file=shown(path), kind=kind, status="rejected")
    digest: str | None = None
    size: int | None = None
    folder: Path | None = None
    try:
        if not path.is_file():
            raise FileRejected("no such file")
        if survey and kind != "survey_responses":
            raise FileRejected(f"an SPSS or Excel file is a survey_responses extract, not {kind}")
        if (supplier or sheet) and not survey:
            raise FileRejected("--supplier and --sheet are for SPSS (.sav) and Excel (.xlsx) survey files")
        if kind not in EXTRACTS:
            raise FileRejected(
                "cannot tell the extract kind from the file name; name it calls*, incidents*, "
                "survey_responses*, feedback* or victim_contacts*, or pass --kind"
            )
        folder = private_folder(_database_folder(con))
        if survey:
            source, digest, size = _private_copy(path, folder, limits)
        else:
            snapshot = take_snapshot(path, folder, limits)
            digest, size = snapshot.sha256, snapshot.file_bytes
        earlier = _already_loaded(con, digest)
        if earlier:
            result.status = "skipped"
            result.load_id = earlier[0]
            result.message = f"already loaded (same content as load {earlier[0]}, {earlier[1]}): nothing to do"
            return result
        extract = EXTRACTS[kind]
        lines = None
        if survey:
            converted = convert(source, folder, supplier=supplier, sheet=sheet,
                                suppliers_dir=suppliers or suppliers_dir())
            snapshot = Snapshot(path=converted.csv_path, sha256=digest, file_bytes=size, gzip=False,
                                cuts=converted.cuts)
            lines = (converted.lines, converted.raw_rows)
        header = read_header(snapshot.path)
        try:
            check_required(header, extract)
        except FileRejected as exc:  # a converted file's header is no line of the file as sent
            raise FileRejected(exc.reason, line=None if survey else exc.line) from None
        try:
            # Read and validate into this connection's temp tables first: outside the transaction,
            # because rowids (the records' order) are only dense in committed tables.
            repeats = _read_body(con, snapshot, header, extract.key, limits, lines)
            _validate(con, extract, header, repeats, started)
            con.execute("begin transaction")
            result.load_id = int(con.execute("select nextval('raw.load_id_seq')").fetchone()[0])
            _load_body(con, name, extract, header, result, converted=survey)
            result.status = "loaded"
            result.seconds = time.time() - started
            _ledger(con, result, path, digest, size, started)
            con.execute("commit")
        except BaseException:
            _rollback_quietly(con)
            raise
        finally:
            _drop_work_tables(con)
    except FileRejected as exc:
        result.message, result.line = exc.reason, exc.line
    except (duckdb.InvalidInputException, duckdb.IOException, duckdb.ConversionException,
            duckdb.OutOfMemoryException) as exc:
        # DuckDB refused the body, or the caps on memory and spill space stopped it.
        result.message = _duckdb_reason(exc)
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
    if result.status == "rejected":
        result.rows_read = result.rows_loaded = result.rows_rejected = 0
        result.seconds = time.time() - started
        if result.load_id is None:
            result.load_id = int(con.execute("select nextval('raw.load_id_seq')").fetchone()[0])
        _ledger(con, result, path, digest, size, started)
    return result


def _rollback_quietly(con: duckdb.DuckDBPyConnection) -> None:
    # no transaction may be open: the failure can come before it started
    with contextlib.suppress(duckdb.Error):
        con.execute("rollback")


def _duckdb_reason(exc: duckdb.Error) -> str:
    """DuckDB's CSV errors are several lines long; keep the first, which says what is wrong."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    lowered = text.lower()
    if "unicode" in lowered or "utf-8" in lowered or "utf8" in lowered:
        return f"not UTF-8 text: {text}"
    return f"not a readable CSV extract: {text}"


def expand_paths(paths: Iterable[Path]) -> Iterator[Path]:
    """Files as given; directories as the extract files inside them, in name order."""
    for path in paths:
        path = Path(path)
        if path.is_dir():
            for child in sorted(path.iterdir()):
                if child.is_file() and (child.name.endswith((".csv", ".csv.gz")) or infer_kind(child.name)
                                        or is_survey_file(child.name)):
                    yield child
        else:
            yield path


def ingest_paths(con: duckdb.DuckDBPyConnection, paths: Iterable[Path], kind: str | None = None,
                 on_result=None, *, supplier: str | None = None, sheet: str | None = None,
                 suppliers: Path | None = None) -> list[LoadResult]:
    """Loads each file on its own: one file's failure never stops the others (nor loses their loads).
    `supplier`, `sheet` and `suppliers` apply to the survey files (.sav, .xlsx) among them."""
    results = []
    for path in expand_paths(paths):
        survey = is_survey_file(path.name)
        try:
            result = load_file(con, path, kind, supplier=supplier if survey else None,
                               sheet=sheet if survey else None, suppliers=suppliers)
        except Exception as exc:  # not a bad file (load_file reports those) but still this file only
            _rollback_quietly(con)
            result = LoadResult(file=shown(path), kind=kind, status="rejected",
                                message=f"could not be loaded: {type(exc).__name__}")
        results.append(result)
        if on_result:
            on_result(result)
    return results
