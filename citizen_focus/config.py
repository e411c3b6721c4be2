"""Where things are: the project folder (dbt project) and the warehouse file.

The warehouse defaults to a file inside the project so that a new user needs no settings;
`--db` or the CITIZEN_FOCUS_DB environment variable point elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
DEFAULT_DB = PROJECT_DIR / "warehouse" / "citizen_focus.duckdb"
DB_ENV = "CITIZEN_FOCUS_DB"
# DuckDB spills to disk beyond this in loads and builds, so a national-scale run stays under 4 GB.
MEMORY_LIMIT_ENV = "CITIZEN_FOCUS_MEMORY_LIMIT"
DEFAULT_MEMORY_LIMIT = "2.5GB"

# No telemetry from any tool we start (dbt, Great Expectations, Streamlit).
NO_TELEMETRY_ENV = {
    "DO_NOT_TRACK": "1",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "GX_ANALYTICS_ENABLED": "false",
    "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
}


def warehouse_path(db: str | os.PathLike[str] | None = None) -> Path:
    """The warehouse file: --db, else $CITIZEN_FOCUS_DB, else the project default."""
    chosen = db or os.environ.get(DB_ENV) or DEFAULT_DB
    return Path(chosen).expanduser().resolve()

# Local sign-in backoff (docs/access-control.md): the first SIGN_IN_FREE_FAILURES wrong passwords for a
# user, or from a client, cost nothing; each further one locks that user and that client out for
# SIGN_IN_BACKOFF_BASE_SECONDS, doubling, at most SIGN_IN_BACKOFF_MAX_SECONDS. Each can be set in the
# environment under the same name prefixed CITIZEN_FOCUS_ (e.g. CITIZEN_FOCUS_SIGN_IN_FREE_FAILURES).
SIGN_IN_FREE_FAILURES = 3
SIGN_IN_BACKOFF_BASE_SECONDS = 1.0
SIGN_IN_BACKOFF_MAX_SECONDS = 300.0
# The sign-in audit log (JSON lines, owner-only): default signin-audit.log beside the access file.
AUDIT_LOG_ENV = "CITIZEN_FOCUS_AUDIT_LOG"


def setting(name: str, default: float) -> float:
    """A numeric setting: CITIZEN_FOCUS_<name> from the environment, else the default above."""
    raw = os.environ.get(f"CITIZEN_FOCUS_{name}")
    return float(raw) if raw not in (None, "") else default
