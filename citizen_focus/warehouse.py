"""Opening the DuckDB warehouse file, with the raw layer in place and errors a user can read."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from citizen_focus.config import DEFAULT_MEMORY_LIMIT, MEMORY_LIMIT_ENV
from ingest.limits import Limits
from ingest.schema import init_warehouse


class WarehouseBusy(Exception):
    """Another process holds the warehouse file."""


def connect(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise WarehouseBusy(
                f"{path}: another process is using the warehouse (a load, build or the app); "
                "try again when it has finished"
            ) from None
        raise
    con.execute("set TimeZone = 'UTC'")
    if not read_only:
        con.execute("set memory_limit = ?", [os.environ.get(MEMORY_LIMIT_ENV, DEFAULT_MEMORY_LIMIT)])
        # a cap on spill space too: a hostile file cannot fill the disk (docs/contract.md)
        con.execute("set max_temp_directory_size = ?", [Limits.from_env().max_temp])
        init_warehouse(con)
    return con
