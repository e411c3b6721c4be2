"""Runs dbt as a subprocess against a warehouse file.

A subprocess, not dbtRunner in-process: dbt-duckdb holds the file lock for its whole run and
in-process runs have been seen to keep it afterwards (engineering-notes.md).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from citizen_focus.config import DB_ENV, NO_TELEMETRY_ENV, PROJECT_DIR


def dbt_env(db: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(NO_TELEMETRY_ENV)
    env[DB_ENV] = str(db)
    env["DBT_PROFILES_DIR"] = str(PROJECT_DIR)
    env["DBT_PROJECT_DIR"] = str(PROJECT_DIR)
    return env


def dbt_executable() -> str:
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def run_dbt(args: list[str], db: Path, quiet: bool = False) -> int:
    """Runs `dbt <args>` in the project folder; returns dbt's exit code."""
    command = [dbt_executable(), *args]
    stdout = subprocess.DEVNULL if quiet else None
    completed = subprocess.run(command, cwd=PROJECT_DIR, env=dbt_env(db), stdout=stdout, check=False)
    return completed.returncode
