"""The data-quality suites as data: read from the reviewable YAML files in quality/suites/.

This module does not import Great Expectations (importing it takes seconds), so the dashboard can
read the suites' descriptions and severities cheaply. quality/runner.py turns a `Suite` into a
GX ExpectationSuite and validates it.

A suite file describes one table (`table:`) and one or more suites over it. A suite is a DuckDB
query (`sql:`) whose result, a small pandas DataFrame, is validated by the suite's expectations:

- raw tables hold tens of millions of rows, so their queries aggregate in DuckDB (one row per
  load, exact counts over every row) or take a fixed-size sample of rows;
- the public marts are small (thousands of rows) and are validated whole.

Each expectation has a `rule` (a stable short name, what the results table and the dashboard
show), a Great Expectations `type` and `kwargs`, a `severity` (`critical` fails the check,
`warning` is reported) and a `description` of what a failure means.

SQL may use `{{ var('name') }}`: the dbt project's var of that name (dbt_project.yml), so the
checks use the very thresholds the marts were built with. Expectation kwargs may use
`{"$PARAMETER": name}` for values known only at run time (see `RUNTIME_PARAMETERS`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from citizen_focus.config import PROJECT_DIR

SUITES_DIR = Path(__file__).parent / "suites"

CRITICAL = "critical"
WARNING = "warning"
SEVERITIES = (CRITICAL, WARNING)

# The rule name of the expectation added to every suite that has a `row_count_band`.
ROW_COUNT_RULE = "row_count_within_band_of_previous_build"
# The rule name recorded when a suite's query cannot run (a column missing, a bad type...): critical.
QUERY_RULE = "table_readable"
# The rule name recorded when a relation the suite reads does not exist (yet): the suite is skipped
# with a warning, so a warehouse built before a mart was added (or a raw-only warehouse) can be checked.
MISSING_RULE = "relation_exists"

# Parameters the runner computes at run time and passes to GX as expectation parameters.
RUNTIME_PARAMETERS = {
    "reference_standard_ids": "standard_id of every row of the reference.standards seed",
    "operational_min_rows": "1 when any operational extract (calls, incidents, feedback, victim contacts)"
    " has rows in raw, else 0: a survey-only warehouse has nothing to measure the standards on",
    "row_count_min": "previous build's row count x row_count_band.lower (1 without a previous build)",
    "row_count_max": "previous build's row count x row_count_band.upper (none without a previous build)",
}

_VAR = re.compile(r"\{\{\s*var\(\s*['\"](\w+)['\"]\s*\)\s*\}\}")


class SuiteDefinitionError(ValueError):
    """A suite file that does not follow the format above."""


@dataclass(frozen=True)
class ExpectationDef:
    rule: str
    type: str
    kwargs: dict[str, Any]
    severity: str
    description: str

    @property
    def column(self) -> str | None:
        kw = self.kwargs
        if "column" in kw:
            return str(kw["column"])
        if "column_A" in kw:
            return f"{kw['column_A']}, {kw['column_B']}"
        if "column_list" in kw:
            return ", ".join(kw["column_list"])
        return None

    @property
    def parameters(self) -> set[str]:
        return {v["$PARAMETER"] for v in self.kwargs.values() if isinstance(v, dict) and "$PARAMETER" in v}


@dataclass(frozen=True)
class RowCountBand:
    lower: float
    upper: float


@dataclass(frozen=True)
class Suite:
    name: str
    table: str
    description: str
    sql: str
    expectations: tuple[ExpectationDef, ...]
    index_columns: tuple[str, ...] = ()
    row_count_band: RowCountBand | None = None
    requires: tuple[str, ...] = ()  # relations the query reads besides `table`
    source_file: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def relations(self) -> tuple[str, ...]:
        return (self.table, *self.requires)

    def expectation(self, rule: str) -> ExpectationDef:
        return next(e for e in self.expectations if e.rule == rule)

    def rendered_sql(self, variables: dict[str, Any] | None = None) -> str:
        """The query with `{{ var('name') }}` replaced by the dbt project's value."""
        values = dbt_vars() if variables is None else variables

        def substitute(match: re.Match) -> str:
            name = match.group(1)
            if name not in values:
                raise SuiteDefinitionError(f"{self.source_file}: suite {self.name}: unknown var '{name}'")
            return str(values[name])

        return _VAR.sub(substitute, self.sql)


@cache
def dbt_vars() -> dict[str, Any]:
    """The vars of dbt_project.yml: the thresholds the marts are built with."""
    project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    return dict(project.get("vars") or {})


def _expectation(raw: dict[str, Any], where: str) -> ExpectationDef:
    for key in ("rule", "type", "severity", "description"):
        if key not in raw:
            raise SuiteDefinitionError(f"{where}: expectation without '{key}': {raw}")
    if raw["severity"] not in SEVERITIES:
        raise SuiteDefinitionError(f"{where}: rule {raw['rule']}: severity must be one of {SEVERITIES}")
    if not str(raw["type"]).startswith("expect_"):
        raise SuiteDefinitionError(
            f"{where}: rule {raw['rule']}: '{raw['type']}' is not a GX expectation type"
        )
    kwargs = dict(raw.get("kwargs") or {})
    expectation = ExpectationDef(
        rule=str(raw["rule"]),
        type=str(raw["type"]),
        kwargs=kwargs,
        severity=str(raw["severity"]),
        description=" ".join(str(raw["description"]).split()),
    )
    unknown = expectation.parameters - set(RUNTIME_PARAMETERS)
    if unknown:
        raise SuiteDefinitionError(
            f"{where}: rule {expectation.rule}: unknown parameter(s) {sorted(unknown)}"
        )
    return expectation


def load_file(path: Path) -> list[Suite]:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(doc, dict) or "table" not in doc or "suites" not in doc:
        raise SuiteDefinitionError(f"{path.name}: a suite file needs 'table' and 'suites'")
    suites = []
    for raw in doc["suites"]:
        where = f"{path.name}: suite {raw.get('name')}"
        for key in ("name", "description", "sql", "expectations"):
            if key not in raw:
                raise SuiteDefinitionError(f"{where}: missing '{key}'")
        band = raw.get("row_count_band")
        expectations = tuple(_expectation(e, where) for e in raw["expectations"])
        rules = [e.rule for e in expectations]
        if len(set(rules)) != len(rules):
            raise SuiteDefinitionError(f"{where}: rule names must be unique within a suite")
        suites.append(
            Suite(
                name=str(raw["name"]),
                table=str(raw.get("table", doc["table"])),
                description=" ".join(str(raw["description"]).split()),
                sql=str(raw["sql"]),
                expectations=expectations,
                index_columns=tuple(raw.get("index_columns") or ()),
                row_count_band=RowCountBand(float(band["lower"]), float(band["upper"])) if band else None,
                requires=tuple(raw.get("requires") or ()),
                source_file=path.name,
            )
        )
    return suites


def load_suites(folder: Path = SUITES_DIR) -> list[Suite]:
    """Every suite of every file in quality/suites/, raw tables first, in file-name order."""
    files = sorted(folder.glob("*.yml"), key=lambda p: (not p.name.startswith("raw_"), p.name))
    suites = [s for path in files for s in load_file(path)]
    names = [s.name for s in suites]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise SuiteDefinitionError(f"suite names must be unique: {duplicates}")
    return suites


def select_suites(suites: list[Suite], only: list[str] | None) -> list[Suite]:
    """Suites whose name or table matches one of `only` (exactly, or as a prefix ending at a dot)."""
    if not only:
        return suites

    def matches(suite: Suite, pattern: str) -> bool:
        return any(
            name == pattern or name.startswith(pattern.rstrip(".") + ".")
            for name in (suite.name, suite.table)
        )

    chosen = [s for s in suites if any(matches(s, p) for p in only)]
    unknown = [p for p in only if not any(matches(s, p) for s in suites)]
    if unknown:
        raise SuiteDefinitionError(f"no suite or table named {', '.join(unknown)}")
    return chosen
