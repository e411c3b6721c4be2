"""Shared pytest setup: tests import the helpers in warehouse_builder.py from this folder."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))


import pytest  # noqa: E402


@pytest.fixture(scope="session")
def dashboard_warehouse(tmp_path_factory) -> Path:
    """The dashboard tests' warehouse (tests/python/dashboard_fixtures.py) and its access file beside it."""
    from dashboard_fixtures import build_dashboard_warehouse, write_access

    tmp = tmp_path_factory.mktemp("dashboard")
    db = build_dashboard_warehouse(tmp)
    write_access(tmp / "access.toml")
    return db
