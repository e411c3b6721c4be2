"""Builds a real warehouse from hand-written extract files, for tests.

The real path end to end: CSV files -> `ingest` (the loader) -> `dbt build` (a subprocess, like
the CLI) into a DuckDB file under the test's temporary folder. Each build gets its own dbt
target folder so tests can run beside a developer's own dbt runs.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb

from citizen_focus.config import PROJECT_DIR
from citizen_focus.dbt_runner import dbt_env, dbt_executable
from citizen_focus.warehouse import connect
from ingest import ingest_paths


def write_extracts(folder: Path, files: dict[str, str]) -> Path:
    """Writes {file name: CSV text} (dedented) into folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return folder


def ingest(db: Path, paths: list[Path]):
    con = connect(db)
    try:
        return ingest_paths(con, paths)
    finally:
        con.close()


def run_dbt(db: Path, *args: str, vars_yaml: str | None = None) -> subprocess.CompletedProcess:
    env = dbt_env(db)
    env["DBT_TARGET_PATH"] = str(db.parent / "dbt_target")
    env["DBT_LOG_PATH"] = str(db.parent / "dbt_logs")
    command = [dbt_executable(), *args]
    if vars_yaml:
        command += ["--vars", vars_yaml]
    return subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False)


def build_warehouse(tmp: Path, files: dict[str, str], vars_yaml: str | None = None,
                    select: str | None = None) -> Path:
    """Writes, ingests and `dbt build`s the files; fails the test with dbt's output if dbt fails."""
    db = tmp / "warehouse.duckdb"
    folder = write_extracts(tmp / "extracts", files)
    ingest(db, [folder])
    # cautious: a test that also reads an unselected model (a cross-model check) is left out
    args = ["build"] + (["--select", select, "--indirect-selection", "cautious"] if select else [])
    result = run_dbt(db, *args, vars_yaml=vars_yaml)
    if result.returncode != 0:
        raise AssertionError(f"dbt build failed:\n{result.stdout[-6000:]}\n{result.stderr[-2000:]}")
    return db


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        con.execute("set TimeZone = 'UTC'")
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Runs the installed `citizen-focus` console script as a user would."""
    exe = Path(sys.executable).with_name("citizen-focus")
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run([str(exe), *args], capture_output=True, text=True, env=full_env, check=False)
