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


@pytest.fixture(scope="session")
def sample_warehouse_24(tmp_path_factory) -> Path:
    """24 months of generated sample (April 2007 - March 2009): every mart, a full earlier window."""
    from dashboard_fixtures import build_sample_warehouse

    return build_sample_warehouse(tmp_path_factory.mktemp("sample_24"), 24)


@pytest.fixture(scope="session")
def sample_warehouse_12(tmp_path_factory) -> Path:
    """12 months of generated sample (April 2008 - March 2009): the survey marts, no earlier window."""
    from dashboard_fixtures import SURVEY_MARTS, build_sample_warehouse

    return build_sample_warehouse(tmp_path_factory.mktemp("sample_12"), 12, SURVEY_MARTS)


# The fast lane (`make test-fast`, README): modules of unit-level tests, no dbt build, Streamlit run or
# browser. Measured at about a minute on 2 cores; everything else is in `make test` only.
UNIT_MODULES = {
    "test_access.py", "test_bench_summary.py", "test_cli.py", "test_dashboard_charts.py", "test_dashboard_text.py",
    "test_disclosure_secondary.py", "test_ingest.py", "test_ingest_attacks.py", "test_ingest_malformed.py",
    "test_reference_data.py", "test_suppliers.py",
}


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        if item.path.name in UNIT_MODULES:
            item.add_marker(pytest.mark.unit)
