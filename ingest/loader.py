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
import hashlib
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ingest.contract import (
    ANSWER,
    BOOLEAN,
    DATE,
    ENUM,
    EXTRACTS,
    NUMBER,
    STRING,
    TIMESTAMP,
    Column,
    Extract,
    infer_kind,
)
from ingest.errors import FileRejected
from ingest.header import Header, check_required, read_header

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


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _quoted_value(expr: str) -> str:
    return f"'''' || left({expr}, {_VALUE_IN_MESSAGE}) || ''''"


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


def _column_checks(col: Column, expr: str) -> list[str]:
    """SQL CASE expressions, each yielding a reason when the value breaks the contract.

    A typed column's parsed value is read from `_parsed(col)`, computed once per record (the
    macros are large: parsing once instead of once per use roughly halves the validation time);
    likewise whether it is present, `_present(col)` (trim copies the string: it is not cheap).
    """
    present = _present(col)
    checks: list[str] = []
    name = col.name
    if col.required:
        checks.append(f"case when not ({present}) then '{name} is required but empty' end")
    failing = {
        TIMESTAMP: ("{p} is null", "is not a valid timestamp (or falls in the spring clock gap)"),
        DATE: ("{p} is null", "is not a valid date"),
        BOOLEAN: ("{p} is null", "is not a boolean (true/false, yes/no, y/n, 1/0)"),
        NUMBER: ("coalesce({p} <= 0, true)", "is not a number greater than 0"),
        ANSWER: ("{p} is null", "is not an answer of the survey scale"),
    }
    if col.type in failing:
        condition, text = failing[col.type]
        checks.append(
            f"case when {present} and {condition.format(p=_parsed(col))} "
            f"then '{name} ' || {_quoted_value(expr)} || ' {text}' end"
        )
    elif col.type == ENUM:
        allowed = ", ".join(_sql_str(v.lower()) for v in col.values)
        checks.append(
            f"case when {present} and lower(trim({expr})) not in ({allowed}) "
            f"then '{name} ' || {_quoted_value(expr)} || ' is not one of {'/'.join(col.values)}' end"
        )
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


def _validation_sql(extract: Extract, header: Header, duplicates: bool) -> str:
    """SQL that validates the records of `_records` into `_checked`: record number and reason.

    The reason is computed once per record and stored with the record number only (a filter on it
    would make DuckDB compute it twice); good records are not copied but inserted from `_records`.
    `duplicates` says whether `_dups` has any row; when it has none the join is left out.
    """
    n = len(header.names)
    key = _ident(extract.key)
    row_checks: list[str] = []
    for col in extract.columns:
        row_checks += _column_checks(col, _ident(col.name))
    for column, earlier in extract.not_before:
        row_checks.append(
            f"case when {_parsed(extract.column(column))} < {_parsed(extract.column(earlier))} "
            f"then {_sql_str(f'{column} is before {earlier}')} end"
        )
    row_checks.append(
        f"case when {_present(extract.column(extract.key))} and _key_seq > 1 then "
        f"'duplicate {extract.key} ' || {_quoted_value(key)} || ' in this file (first at line ' "
        f"|| _key_first_line || ')' end"
    )
    shape = (
        "case when c_overflow is not null then 'the row has more fields than the header' "
        f"when c{n - 1} is null then 'the row has fewer fields than the header' end"
    )
    parsed = [
        f"{_PARSE_MACRO[c.type]}({_ident(c.name)}) as {_parsed(c)}" for c in extract.columns if c.type in _PARSE_MACRO
    ] + [
        f"nullif(trim({_ident(c.name)}), '') is not null as {_present(c)}"
        for c in extract.columns
        if c.required or c.type != STRING or c.name == extract.key
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
                coalesce({shape},
                         nullif(concat_ws('; ', {", ".join(row_checks)}), '')) as _reason
            from parsed
        )
        select * from checked
    """


def _incomplete_utf8_tail(path: Path) -> int:
    """Bytes of a multi-byte UTF-8 character cut off at the very end of the file (0 when none).

    A transfer cut short can stop inside a character; only the cut record is damaged, so the file
    is read without those bytes (the record is then judged like any other) instead of the whole
    file being rejected as not UTF-8.
    """
    with open(path, "rb") as fh:
        fh.seek(max(path.stat().st_size - 4, 0))
        tail = fh.read()
    for back in range(1, min(len(tail), 3) + 1):
        byte = tail[-back]
        if byte & 0xC0 == 0x80:  # a continuation byte: look further back for the lead byte
            continue
        needed = 2 if byte & 0xE0 == 0xC0 else 3 if byte & 0xF0 == 0xE0 else 4 if byte & 0xF8 == 0xF0 else 1
        return back if needed > back else 0
    return 0


def _read_body(con: duckdb.DuckDBPyConnection, path: Path, header: Header, key: str) -> bool:
    """Reads the whole file as text records into `_incoming`, then numbers them (view `_records`).

    Returns whether some value of the `key` column occurs twice (see _number_records).

    new_line is set explicitly: left to detect it, DuckDB 1.5 reads a lone CR line ending in a file
    that also has LF endings by swallowing the next character (found by the mixed-line-ending test).
    """
    n = len(header.names)
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(n)) + ", 'c_overflow': 'VARCHAR'"
    cut = 0 if header.gzip else _incomplete_utf8_tail(path)
    with tempfile.TemporaryDirectory() if cut else contextlib.nullcontext() as scratch:
        if cut:
            trimmed = Path(scratch) / path.name
            shutil.copyfile(path, trimmed)
            with open(trimmed, "r+b") as fh:
                fh.truncate(path.stat().st_size - cut)
            path = trimmed
        _read_records(con, path, header, columns)
    return _number_records(con, header, key)


def _read_records(con: duckdb.DuckDBPyConnection, path: Path, header: Header, columns: str) -> None:
    con.execute(
        f"""
        create temp table _incoming as
        select * from read_csv({_sql_str(str(path))},
            header = false, auto_detect = false, columns = {{{columns}}},
            delim = ',', quote = '"', escape = '"', null_padding = true, strict_mode = false,
            new_line = '\\n',
            parallel = false, nullstr = {_sql_str(_NULL_SENTINEL)},
            compression = {_sql_str("gzip" if header.gzip else "none")}, encoding = 'utf-8')
        """
    )


def _number_records(con: duckdb.DuckDBPyConnection, header: Header, key: str) -> bool:
    """Makes `_records`: the data records of `_incoming` with their number and first line.

    Line of a record = 2 (after the header) + data records before it + newlines quoted inside
    them. Without quoted newlines (nearly always) that is rowid + 1 and `_records` is a view, so
    the records are not copied; otherwise the running sum is materialised once in `_numbered`.
    The same scan tells whether a `key` value repeats (count distinct, cheaper than the window
    that finds the duplicates, which then only runs when needed). Returns that.
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
    if not has_newlines:
        con.execute(
            "create temp view _records as select rowid as _rec, rowid + 1 as _line, * from _incoming where rowid > 0"
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
    con.execute("create temp view _records as select * from _numbered")
    return bool(repeats)


def _validate(con: duckdb.DuckDBPyConnection, extract: Extract, header: Header, repeats: bool) -> None:
    """Finds the duplicate keys (`_dups`), then every record's reason (`_checked`, view `_rejected`).

    `repeats`: whether any key value occurs twice; when none does, the window is not run.
    """
    duplicates = False
    if repeats:  # maybe only blank keys, which are not duplicates: the window decides
        con.execute(_duplicates_sql(extract, header))
        duplicates = con.execute("select count(*) > 0 from _dups").fetchone()[0]
    con.execute(_validation_sql(extract, header, duplicates))
    con.execute("create temp view _rejected as select * from _checked where _reason is not null")


def _drop_work_tables(con: duckdb.DuckDBPyConnection) -> None:
    for view in ("_rejected", "_records"):
        con.execute(f"drop view if exists temp.{view}")
    for table in ("_checked", "_dups", "_numbered", "_incoming"):
        con.execute(f"drop table if exists temp.{table}")


def _ledger(con: duckdb.DuckDBPyConnection, result: LoadResult, path: Path, digest: str | None,
            started: float) -> None:
    con.execute(
        """
        insert into raw.load_ledger values
            (?, ?, ?, ?, ?, ?, ?, ?, ?, to_timestamp(?), to_timestamp(?), ?, ?)
        """,
        [
            result.load_id,
            path.name,
            str(path.resolve()),
            digest,
            path.stat().st_size if path.exists() else None,
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


def _load_body(con: duckdb.DuckDBPyConnection, path: Path, extract: Extract, header: Header,
               result: LoadResult) -> None:
    """Everything inside the file's transaction: insert, reconcile, summarise.

    Good records are inserted straight from `_records`, in file order: a plain scan keeps the
    table's order (preserve_insertion_order), so a sort is only needed when rejected records are
    left out by a join. Only rejected records are turned back into CSV text for raw.rejects.
    """
    read = con.execute("select count(*) from _records").fetchone()[0]
    rejected = con.execute("select count(*) from _rejected").fetchone()[0]
    cols = ", ".join(_ident(n) for n in extract.names)
    good = "from _records where _rec not in (select _rec from _rejected) order by _rec" if rejected else "from _records"
    loaded = con.execute(
        f"""
        insert into raw.{extract.kind} ({cols}, _load_id, _source_file, _line_number, _extra_columns)
        select {", ".join(_named_columns(extract, header))}, ?, ?, _line, {_extra_json(extract, header)}
        {good}
        """,
        [result.load_id, path.name],
    ).fetchone()[0]
    quarantined = 0
    if rejected:
        quarantined = con.execute(
            f"""
            insert into raw.rejects
            select ?, ?, ?, _line, {_raw_row_sql(header)}, _reason
            from _rejected join _records using (_rec) order by _rec
            """,
            [result.load_id, extract.kind, path.name],
        ).fetchone()[0]
    if loaded + quarantined != read or quarantined != rejected:
        raise RuntimeError(
            f"row reconciliation failed: {read} read, {loaded} loaded, {quarantined} rejected"
        )
    if rejected:
        result.top_reasons = [
            (str(r), int(c))
            for r, c in con.execute(
                "select regexp_replace(_reason, '''[^'']*''', '''…''', 'g') as r, count(*) as c from _rejected "
                "group by r order by c desc, r limit 5"
            ).fetchall()
        ]
    result.rows_read, result.rows_loaded, result.rows_rejected = int(read), int(loaded), int(quarantined)


def load_file(con: duckdb.DuckDBPyConnection, path: Path, kind: str | None = None) -> LoadResult:
    """Loads one file. Never raises for a bad file: the result says what happened."""
    started = time.time()
    path = Path(path)
    kind = kind or infer_kind(path.name)
    result = LoadResult(file=str(path), kind=kind, status="rejected")
    digest: str | None = None
    try:
        if not path.is_file():
            raise FileRejected("no such file")
        if kind not in EXTRACTS:
            raise FileRejected(
                "cannot tell the extract kind from the file name; name it calls*, incidents*, "
                "survey_responses*, feedback* or victim_contacts*, or pass --kind"
            )
        digest = sha256_of(path)
        earlier = _already_loaded(con, digest)
        if earlier:
            result.status = "skipped"
            result.load_id = earlier[0]
            result.message = f"already loaded (same content as load {earlier[0]}, {earlier[1]}): nothing to do"
            return result
        extract = EXTRACTS[kind]
        header = read_header(path)
        check_required(header, extract)
        try:
            # Read and validate into this connection's temp tables first: outside the transaction,
            # because rowids (the records' order) are only dense in committed tables.
            repeats = _read_body(con, path, header, extract.key)
            _validate(con, extract, header, repeats)
            con.execute("begin transaction")
            result.load_id = int(con.execute("select nextval('raw.load_id_seq')").fetchone()[0])
            _load_body(con, path, extract, header, result)
            result.status = "loaded"
            result.seconds = time.time() - started
            _ledger(con, result, path, digest, started)
            con.execute("commit")
        except BaseException:
            _rollback_quietly(con)
            raise
        finally:
            _drop_work_tables(con)
    except FileRejected as exc:
        result.message, result.line = exc.reason, exc.line
    except (duckdb.InvalidInputException, duckdb.IOException, duckdb.ConversionException) as exc:
        # DuckDB's CSV reader refused the body (bad quoting, invalid UTF-8 further down, ...).
        result.message = _duckdb_reason(exc)
    if result.status == "rejected":
        result.rows_read = result.rows_loaded = result.rows_rejected = 0
        result.seconds = time.time() - started
        if result.load_id is None:
            result.load_id = int(con.execute("select nextval('raw.load_id_seq')").fetchone()[0])
        _ledger(con, result, path, digest, started)
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
                if child.is_file() and (child.name.endswith((".csv", ".csv.gz")) or infer_kind(child.name)):
                    yield child
        else:
            yield path


def ingest_paths(con: duckdb.DuckDBPyConnection, paths: Iterable[Path], kind: str | None = None,
                 on_result=None) -> list[LoadResult]:
    results = []
    for path in expand_paths(paths):
        result = load_file(con, path, kind)
        results.append(result)
        if on_result:
            on_result(result)
    return results
