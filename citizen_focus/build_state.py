"""Which dbt project a warehouse was last built with, so an incremental build is never stale.

An incremental build re-assesses only the records loaded since the last build or still pending
(docs/incremental.md). Records already settled keep the outcome the rules of their build gave
them, so after a change to the rules (a model, a macro, a seed such as a target or a threshold,
a dbt var) the incremental tables must be rebuilt in full. `citizen-focus build` compares a
fingerprint of the project's dbt sources with the one stored in the warehouse by the last
successful build and asks dbt for a full refresh when they differ.

It also stores the last load the build read: the next incremental build tests the rows of the
incremental models loaded after it (var incremental_tests_after_load_id, docs/incremental.md).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb

# Everything that decides what dbt computes; tests and docs do not change a table's content.
# ingest/sql holds the DuckDB macros that staging calls to parse raw text (docs/contract.md):
# a changed parse rule must re-parse every load, not only the new ones.
_INPUTS = ("dbt_project.yml", "models", "macros", "seeds", "ingest/sql")
_SUFFIXES = {".sql", ".csv", ".yml", ".yaml"}


def project_fingerprint(project_dir: Path) -> str:
    """sha256 over the path and bytes of every model, macro, seed, parse macro and dbt_project.yml."""
    digest = hashlib.sha256()
    files: list[Path] = []
    for name in _INPUTS:
        root = project_dir / name
        files += [root] if root.is_file() else [p for p in root.rglob("*") if p.suffix in _SUFFIXES]
    for path in sorted(files):
        digest.update(str(path.relative_to(project_dir)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def stored_state(db: Path) -> tuple[str, int | None] | None:
    """(fingerprint, last load id read) of the last successful build of this warehouse, if any."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        found = con.execute(
            "select count(*) from duckdb_tables() where schema_name = 'raw' and table_name = 'build_state'"
        ).fetchone()[0]
        if not found:
            return None
        row = con.execute("select project_fingerprint, through_load_id from raw.build_state").fetchone()
        return (str(row[0]), None if row[1] is None else int(row[1])) if row else None
    finally:
        con.close()


def last_load_id(db: Path) -> int | None:
    """The highest load id in the ledger: what a build starting now reads up to."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        row = con.execute("select max(load_id) from raw.load_ledger").fetchone()
        return None if row[0] is None else int(row[0])
    finally:
        con.close()


def store_state(db: Path, fingerprint: str, through_load_id: int | None) -> None:
    """Written into the build's private copy after dbt and the checks passed, so it is published
    with the tables it describes (and a rollback restores both)."""
    con = duckdb.connect(str(db))
    try:
        con.execute("create or replace table raw.build_state "
                    "(project_fingerprint varchar, through_load_id bigint, built_at timestamptz)")
        con.execute("insert into raw.build_state values (?, ?, now())", [fingerprint, through_load_id])
    finally:
        con.close()
