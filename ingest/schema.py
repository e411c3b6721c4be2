"""The raw layer's tables: one per extract kind, the load ledger and the rejects quarantine.

Created idempotently by every command that touches the warehouse, so a fresh file is usable
by dbt (the staging views read these tables) before anything has been loaded.
"""

from __future__ import annotations

from importlib import resources

import duckdb

from ingest.contract import EXTRACTS, METADATA_COLUMNS

LEDGER_DDL = """
create table if not exists raw.load_ledger (
    load_id bigint primary key,
    file_name varchar not null,
    file_path varchar,
    file_sha256 varchar,
    file_bytes bigint,
    kind varchar,
    rows_read bigint,
    rows_loaded bigint,
    rows_rejected bigint,
    started_at timestamptz not null,
    finished_at timestamptz,
    status varchar not null,  -- loaded | rejected
    message varchar
)
"""

REJECTS_DDL = """
create table if not exists raw.rejects (
    load_id bigint not null,
    kind varchar not null,
    file_name varchar not null,
    line_number bigint not null,
    raw_row varchar,
    reason varchar not null,
    -- the offending values (`column = 'value'; ...`), apart from the reason: a value may be
    -- personal data, and the reason is shown on the data-quality page; this column never is
    rejected_values varchar
)
"""

# A warehouse made before raw.rejects had rejected_values gets the column (null for its rows).
REJECTS_MIGRATION = "alter table raw.rejects add column if not exists rejected_values varchar"


def raw_table_ddl(kind: str) -> str:
    extract = EXTRACTS[kind]
    cols = [f'"{name}" varchar' for name in extract.names]
    cols += [f"{name} {sql_type}" for name, sql_type in METADATA_COLUMNS]
    return f"create table if not exists raw.{kind} (\n    " + ",\n    ".join(cols) + "\n)"


def contract_macros_sql() -> str:
    return resources.files("ingest").joinpath("sql/contract_macros.sql").read_text(encoding="utf-8")


def init_warehouse(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw schema, its tables, the load-id sequence and the contract macros."""
    con.execute("set TimeZone = 'UTC'")
    con.execute(contract_macros_sql())
    con.execute("create sequence if not exists raw.load_id_seq start 1")
    con.execute(LEDGER_DDL)
    con.execute(REJECTS_DDL)
    con.execute(REJECTS_MIGRATION)
    for kind in EXTRACTS:
        con.execute(raw_table_ddl(kind))
