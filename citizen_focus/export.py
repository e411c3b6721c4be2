"""`citizen-focus export`: a published mart to CSV, Parquet or Excel, as the app's Exports page makes it.

Analysts work in notebooks, R and spreadsheets, so the warehouse has to hand its figures over
outside the app too, with the same protection: the same exportable marts (`dashboards.data.
EXPORTABLE`), the same disclosure control and formula escaping (`dashboards.exports.prepare`) and
the same footnote (source, data as of, definitions). Filters are `COLUMN OP VALUE` terms, never
SQL: the column must be one of the mart's, the operator one of `OPERATORS`, and the value is a
bound parameter cast to the column's type, so nothing typed reaches the SQL text.
Guide: docs/analysts.md.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

FORMATS = ("csv", "parquet", "xlsx")
# Longest first, so `>=` is not read as `>` followed by a value starting with `=`.
OPERATORS = (">=", "<=", "!=", "=", ">", "<")
_TERM = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(>=|<=|!=|=|>|<)\s*(.*?)\s*$", re.DOTALL)
NOTES_KEY = "citizen_focus_notes"  # the Parquet key-value metadata entry holding the footnote (JSON list)


class ExportError(Exception):
    """A problem the user can fix (an unknown mart or column, a value of the wrong type): one line."""


@dataclass(frozen=True)
class Condition:
    column: str
    operator: str
    value: str


def parse_where(term: str) -> Condition:
    """`period_end_month>=2008-10-01` -> Condition; ExportError for anything else."""
    match = _TERM.match(term)
    if not match or match.group(3) == "":
        raise ExportError(f"--where '{term}': expected COLUMN OP VALUE with OP one of {' '.join(OPERATORS)}, "
                          "e.g. --where borough_code=ALL")
    return Condition(match.group(1), match.group(2), match.group(3))


def mart_name(name: str) -> str:
    """`bme_satisfaction_gap` or `marts.bme_satisfaction_gap` -> `marts.bme_satisfaction_gap`, if exportable."""
    from dashboards.data import EXPORTABLE

    table = name.strip().lower()
    table = table if table.startswith("marts.") else f"marts.{table}"
    if table not in EXPORTABLE:
        names = ", ".join(t.removeprefix("marts.") for t in EXPORTABLE)
        raise ExportError(f"'{name}' is not an exportable mart; choose one of: {names}")
    return table


def column_types(wh, table: str) -> dict[str, str]:
    """Column -> DuckDB type name, from the published warehouse's own catalog."""
    schema, name = table.split(".")
    return dict(wh.query(
        "select column_name, data_type from information_schema.columns where table_catalog = 'wh' "
        "and table_schema = ? and table_name = ? order by ordinal_position", (schema, name)).itertuples(index=False))


def export_query(wh, table: str, conditions: list[Condition]) -> tuple[str, tuple]:
    """The SQL (columns and types from the warehouse's own catalog) and its bound parameters."""
    types = column_types(wh, table)
    terms, params = [], []
    for c in conditions:
        if c.column not in types:
            raise ExportError(f"--where: {table} has no column '{c.column}'; its columns: {', '.join(types)}")
        # the type name comes from the catalog, the operator from OPERATORS: neither is user text
        terms.append(f'"{c.column}" {c.operator} cast(? as {types[c.column]})')
        params.append(c.value)
    where = f"where {' and '.join(terms)}" if terms else ""
    return f"select * from {table} {where} order by all", tuple(params)


def _parquet(df: pd.DataFrame, notes: list[str], out: Path, dates: list[str]) -> None:
    """Parquet with the footnote in the file's key-value metadata (NOTES_KEY, a JSON list of lines).

    `dates`: the mart's DATE columns, which pandas holds as timestamps; written back as dates."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from dashboards.exports import prepare

    shown = prepare(df)
    for col in shown.columns:  # a count shown as "<10" makes its column text: keep one type per column
        if shown[col].dtype == object and shown[col].map(type).eq(str).any():
            shown[col] = shown[col].map(lambda v: None if v is None or (not isinstance(v, str) and pd.isna(v))
                                        else str(v)).astype("string")
    for col in dates:
        shown[col] = pd.to_datetime(shown[col]).dt.date
    table = pa.Table.from_pandas(shown, preserve_index=False)
    metadata = {**(table.schema.metadata or {}), NOTES_KEY.encode(): json.dumps(notes).encode()}
    pq.write_table(table.replace_schema_metadata(metadata), out)


def write_export(db: Path, mart: str, fmt: str, where: list[str], out: Path | None) -> tuple[Path, int]:
    """Writes the export; returns its path and row count. ExportError for anything the user can fix."""
    import duckdb
    import streamlit.logger

    streamlit.logger.set_log_level("error")  # the pages' data module outside the app: no "no runtime" warning

    from dashboards import exports
    from dashboards.data import WarehouseUnavailable, open_warehouse

    if fmt not in FORMATS:
        raise ExportError(f"--format must be one of {', '.join(FORMATS)}; got '{fmt}'")
    table = mart_name(mart)
    conditions = [parse_where(w) for w in where]
    out = out or Path(f"{table.removeprefix('marts.')}.{fmt}")
    if out.suffix.lower() != f".{fmt}":
        raise ExportError(f"--out '{out}' must end in .{fmt} for --format {fmt}")
    if not out.parent.is_dir():
        raise ExportError(f"{out.parent}: no such folder for --out")
    if not db.is_file():
        raise ExportError(f"{db}: no such warehouse file")
    try:
        wh = open_warehouse(db, cached=False)
    except WarehouseUnavailable as exc:
        raise ExportError(str(exc)) from None
    if table not in wh.tables():
        raise ExportError(f"{table} is not in the published warehouse ({db.name}): run `citizen-focus build` first")
    sql, params = export_query(wh, table, conditions)
    try:
        df = wh.query(sql, params)
    except (duckdb.ConversionException, duckdb.InvalidInputException) as exc:
        raise ExportError(f"--where: a value does not fit its column's type ({str(exc).splitlines()[0]})") from None
    period = next((c for c in ("period_month", "period_end_month") if c in df.columns), None)
    notes = exports.footnote(table, wh.built_at(), df[period].max() if period and len(df) else None)
    if conditions:
        notes.insert(1, "Filtered: " + " and ".join(f"{c.column} {c.operator} {c.value}" for c in conditions) + ".")
    if fmt == "csv":
        out.write_bytes(exports.to_csv(df, notes))
    elif fmt == "xlsx":
        if len(df) > exports.EXCEL_MAX_ROWS:
            raise ExportError(f"{len(df):,} rows is more than an Excel export holds here "
                              f"({exports.EXCEL_MAX_ROWS:,}): use --format csv or parquet, or narrow it with --where")
        out.write_bytes(exports.to_excel(df, notes, sheet=table.removeprefix("marts.")))
    else:
        _parquet(df, notes, out, [c for c, t in column_types(wh, table).items() if t == "DATE"])
    return out, len(df)
