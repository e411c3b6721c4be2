"""Published comparators: the seeds carry source and period on every row, and the force_comparators
mart puts the right published figures beside a force (docs/comparators.md, docs/marts.md).

Real dbt on the seeds alone (the mart reads no extract). Expected figures are the printed ones,
typed here from the report (MPA Strategic and Operational Policing Committee, 2 April 2009, report 7).
"""

from __future__ import annotations

import csv

import duckdb
import pytest
from warehouse_builder import run_dbt

from citizen_focus.config import PROJECT_DIR

SEEDS = PROJECT_DIR / "seeds"


def _rows(name: str) -> list[dict[str, str]]:
    with open(SEEDS / f"{name}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def comparators(tmp_path_factory) -> duckdb.DuckDBPyConnection:
    db = tmp_path_factory.mktemp("comparators") / "warehouse.duckdb"
    duckdb.connect(str(db)).close()
    result = run_dbt(db, "build", "--select", "standards", "forces", "most_similar_forces", "published_comparators",
                     "force_comparators", "--indirect-selection", "cautious")
    assert result.returncode == 0, result.stdout[-4000:]
    con = duckdb.connect(str(db), read_only=True)
    yield con
    con.close()


def test_every_published_row_carries_its_source_and_period() -> None:
    rows = _rows("published_comparators")
    assert len(rows) > 100
    for row in rows:
        assert row["source_id"] and row["source_name"] and row["source_url"].startswith("http"), row["comparator_id"]
        assert row["period"], row["comparator_id"]
        float(row["value"])  # a number, as printed


def test_the_mps_group_is_the_one_the_2009_report_prints() -> None:
    groups = {(r["force_code"], r["member_force_code"]) for r in _rows("most_similar_forces")}
    assert {m for f, m in groups if f == "MPS"} == {"GMP", "WMP", "WYP"}
    assert all(f != m for f, m in groups)


def test_mps_gap_beside_its_most_similar_forces(comparators) -> None:
    df = comparators.execute(
        """select comparator_role, comparator_name, value, ci_low, ci_high, label from marts.force_comparators
           where force_code = 'MPS' and measure_key = 'bme_gap' and period = 'year to September 2008'
           order by comparator_name""").df()
    got = {r.comparator_name: (r.comparator_role, r.value, r.ci_low, r.ci_high) for r in df.itertuples()}
    assert got == {
        "Greater Manchester Police": ("most_similar", 5.6, 1.8, 9.4),
        "Metropolitan Police Service": ("own", 5.2, 3.3, 7.1),
        "West Midlands Police": ("most_similar", 4.5, 2.6, 6.4),
        "West Yorkshire Police": ("most_similar", 5.5, 2.8, 8.2),
    }
    assert set(df["label"]) == {
        "published, year to September 2008, MPA Strategic and Operational Policing Committee, 2 Apr 2009"}


def test_a_force_without_a_group_gets_its_own_and_the_national_figures_only(comparators) -> None:
    roles = comparators.execute(
        "select comparator_role, count(*) as n from marts.force_comparators where force_code = 'NUMB' "
        "group by all order by all").fetchall()
    published = _rows("published_comparators")
    own = sum(1 for r in published if r["force_code"] == "NUMB")
    national = sum(1 for r in published if r["geography_type"] == "national")
    assert roles == [("national", national), ("own", own)]


def test_every_force_sees_every_national_figure(comparators) -> None:
    national = sum(1 for r in _rows("published_comparators") if r["geography_type"] == "national")
    per_force = comparators.execute(
        "select f.force_code, count(c.comparator_id) as n from reference.forces as f left join "
        "marts.force_comparators as c on c.force_code = f.force_code and c.comparator_role = 'national' "
        "group by 1").fetchall()
    assert len(per_force) == 43
    assert {n for _, n in per_force} == {national}


def test_the_forces_seed_holds_43_forces_with_the_generator_codes() -> None:
    from citizen_focus.sample.census import RESIDENTS

    assert {r["force_code"] for r in _rows("forces")} == set(RESIDENTS)
