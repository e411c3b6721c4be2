"""Runs dbt as a subprocess against a warehouse file.

A subprocess, not dbtRunner in-process: dbt-duckdb holds the file lock for its whole run and
in-process runs have been seen to keep it afterwards (engineering-notes.md).

The child never outlives the run that started it: it inherits the warehouse lock's descriptor (so
the lock is held while either lives: no next build can start beside it) and asks the kernel for
SIGKILL when its parent dies (Linux prctl PR_SET_PDEATHSIG, kept across exec), so a kill -9 of
`citizen-focus build` takes dbt with it (docs/operations.md).
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
from pathlib import Path

from citizen_focus.config import DB_ENV, NO_TELEMETRY_ENV, PROJECT_DIR
from citizen_focus.publish import held_lock_fds

_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _die_with_parent(parent: int) -> None:
    """Runs in the child between fork and exec: SIGKILL when the parent dies; if it died already (before
    the request took effect), die now."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os.kill(os.getpid(), signal.SIGKILL)


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
    parent = os.getpid()
    completed = subprocess.run(command, cwd=PROJECT_DIR, env=dbt_env(db), stdout=stdout, check=False,
                               pass_fds=held_lock_fds(), preexec_fn=lambda: _die_with_parent(parent))
    return completed.returncode
