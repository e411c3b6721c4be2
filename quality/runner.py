"""The checkpoint runner: each suite's DuckDB query -> pandas DataFrame -> GX Checkpoint.

Great Expectations' SQL datasource does not work on DuckDB (engineering-notes.md), so every suite
is a DuckDB query whose (small) result is validated as a pandas dataframe asset. The query does
the heavy lifting inside DuckDB (aggregates per load, samples), so nothing large reaches pandas.

The GX context is ephemeral (nothing written to the project) with usage analytics off; its one
output on disk is the static Data Docs site, built into a fresh folder and swapped in whole.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import shutil
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from quality.definitions import (
    CRITICAL,
    MISSING_RULE,
    QUERY_RULE,
    ROW_COUNT_RULE,
    WARNING,
    ExpectationDef,
    Suite,
)

DOCS_MARKER = ".citizen-focus-data-docs"
MAX_EXAMPLES = 10


@dataclass
class Outcome:
    """The result of one expectation (or of a suite whose query could not run)."""

    suite: str
    table: str
    rule: str
    expectation: str
    column: str | None
    severity: str
    success: bool
    description: str = ""
    observed_value: str | None = None
    observed_number: float | None = None
    unexpected_count: int | None = None
    element_count: int | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class SuiteRun:
    suite: Suite
    outcomes: list[Outcome]
    rows: int | None  # rows of the validated DataFrame; None when the query failed
    seconds: float
    error: str | None = None
    skipped: bool = False  # a relation the suite reads does not exist: nothing was validated

    @property
    def failed_critical(self) -> int:
        return sum(not o.success and o.severity == CRITICAL for o in self.outcomes)

    @property
    def failed_warning(self) -> int:
        return sum(not o.success and o.severity == WARNING for o in self.outcomes)


def relation_exists(con: duckdb.DuckDBPyConnection, relation: str) -> bool:
    schema, _, name = relation.rpartition(".")
    row = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema or "main", name],
    ).fetchone()
    return bool(row and row[0])


def _jsonable(value: Any) -> Any:
    """Plain JSON values for the results table (numpy scalars, timestamps, NaN...)."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if hasattr(value, "item") and not hasattr(value, "__len__"):  # numpy scalar
        return _jsonable(value.item())
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def _gx_value(value: Any) -> Any:
    """YAML datetimes become UTC pandas Timestamps (comparable with TIMESTAMPTZ columns), dates naive ones."""
    import pandas as pd

    if isinstance(value, dt.datetime):
        ts = pd.Timestamp(value)
        return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    if isinstance(value, dt.date):  # a DATE column reaches pandas as naive datetime64
        return pd.Timestamp(value)
    return value


def _configuration(suite: Suite, exp: ExpectationDef):
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    kwargs = {k: _gx_value(v) for k, v in exp.kwargs.items()}
    return ExpectationConfiguration(
        type=exp.type,
        kwargs=kwargs,
        meta={
            "rule": exp.rule,
            "severity": exp.severity,
            "table": suite.table,
            "description": exp.description,
        },
        notes=exp.description,
        severity=exp.severity,
    )


def row_count_expectation(suite: Suite) -> ExpectationDef:
    band = suite.row_count_band
    assert band is not None
    return ExpectationDef(
        rule=ROW_COUNT_RULE,
        type="expect_table_row_count_to_be_between",
        kwargs={"min_value": {"$PARAMETER": "row_count_min"}, "max_value": {"$PARAMETER": "row_count_max"}},
        severity=WARNING,
        description=(
            f"The row count is within {band.lower:g}x to {band.upper:g}x of the previous build's "
            "(stored in quality.check_results); without a previous build, the table is not empty."
        ),
    )


def row_count_bounds(suite: Suite, previous: int | None) -> tuple[int, int | None]:
    band = suite.row_count_band
    assert band is not None
    if previous is None:
        return 1, None
    return math.floor(previous * band.lower), math.ceil(previous * band.upper)


def _summarise(
    suite: Suite,
    exp: ExpectationDef,
    success: bool,
    result: dict[str, Any],
    exception: dict[str, Any] | None,
    kwargs: dict[str, Any],
) -> Outcome:
    """One expectation's GX result as a row of quality.check_results; `kwargs` as evaluated
    (run-time parameters such as the row-count band filled in)."""
    observed = result.get("observed_value")
    unexpected = result.get("unexpected_count")
    element = result.get("element_count")
    details: dict[str, Any] = {"kwargs": {k: v for k, v in kwargs.items() if k != "batch_id"}}
    if "partial_unexpected_index_list" in result:
        details["examples"] = result["partial_unexpected_index_list"][:MAX_EXAMPLES]
    elif "partial_unexpected_list" in result:
        details["examples"] = result["partial_unexpected_list"][:MAX_EXAMPLES]
    for key in ("partial_missing_list", "partial_unexpected_counts", "details"):
        if result.get(key):
            details[key] = result[key] if key != "partial_unexpected_counts" else result[key][:MAX_EXAMPLES]
    if exception and exception.get("raised_exception"):
        details["error"] = str(exception.get("exception_message"))
        success = False
    if observed is not None:
        observed_text = json.dumps(_jsonable(observed)) if not isinstance(observed, str) else observed
        number = observed if isinstance(observed, int | float) and not isinstance(observed, bool) else None
    elif unexpected is not None and exp.type.startswith("expect_column_distinct_values") and details.get("examples"):
        # a list of values the reference data lacks (a warning suite names them): show the values
        observed_text = "; ".join(str(v) for v in details["examples"])
        number = unexpected
    elif unexpected is not None:
        observed_text = f"{unexpected} of {element} rows unexpected"
        number = unexpected
    else:
        observed_text, number = None, None
    if observed_text is None and details.get("error"):
        observed_text = "error"
    return Outcome(
        suite=suite.name,
        table=suite.table,
        rule=exp.rule,
        expectation=exp.type,
        column=exp.column,
        severity=exp.severity,
        success=bool(success),
        description=exp.description,
        observed_value=observed_text,
        observed_number=float(number) if number is not None else None,
        unexpected_count=int(unexpected) if unexpected is not None else None,
        element_count=int(element) if element is not None else None,
        details=_jsonable(details),
    )


def failed_query(suite: Suite, message: str) -> Outcome:
    return Outcome(
        suite=suite.name,
        table=suite.table,
        rule=QUERY_RULE,
        expectation="query",
        column=None,
        severity=CRITICAL,
        success=False,
        description=f"The suite's query over {', '.join(suite.relations)} runs "
        "(the tables exist, with their columns).",
        observed_value="error",
        details={"error": message.splitlines()[0][:500]},
    )


def _does_not_exist(missing: list[str]) -> str:
    return f"{missing[0]} does not exist" if len(missing) == 1 else f"{', '.join(missing)} do not exist"


def missing_relation(suite: Suite, missing: list[str]) -> Outcome:
    """The one (warning) outcome of a suite skipped because a relation it reads does not exist."""
    return Outcome(
        suite=suite.name,
        table=suite.table,
        rule=MISSING_RULE,
        expectation="relation exists",
        column=None,
        severity=WARNING,
        success=False,
        description=f"The relations the suite reads ({', '.join(suite.relations)}) exist; when one does not "
        "(a mart not built yet, a warehouse with only the raw layer) the suite is skipped with this warning.",
        observed_value=f"skipped: {_does_not_exist(missing)}",
        details={"missing": missing},
    )


class Runner:
    """One ephemeral GX context for one check run; `run(suite, ...)` validates one suite."""

    def __init__(self, run_name: str, run_time: dt.datetime, docs_staging: Path | None):
        os.environ["GX_ANALYTICS_ENABLED"] = "false"
        import great_expectations as gx
        from great_expectations.data_context.types.base import (
            DataContextConfig,
            InMemoryStoreBackendDefaults,
            ProgressBarsConfig,
        )

        self._gx = gx
        sites = {}
        if docs_staging is not None:
            sites["local_site"] = {
                "class_name": "SiteBuilder",
                "show_how_to_buttons": False,
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(docs_staging),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            }
        config = DataContextConfig(
            store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
            analytics_enabled=False,
            data_docs_sites=sites,
            progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
        )
        self.context = gx.get_context(mode="ephemeral", project_config=config)
        self.datasource = self.context.data_sources.add_pandas("warehouse")
        self.run_name = run_name
        self.run_time = run_time
        self.docs_staging = docs_staging

    def run(self, suite: Suite, frame, parameters: dict[str, Any]) -> list[Outcome]:
        gx = self._gx
        from great_expectations.core.run_identifier import RunIdentifier

        expectations = list(suite.expectations)
        if suite.row_count_band is not None:
            expectations.append(row_count_expectation(suite))
        gx_suite = gx.ExpectationSuite(
            name=suite.name,
            meta={
                "table": suite.table,
                "description": suite.description,
                "defined_in": f"quality/suites/{suite.source_file}",
            },
        )
        for exp in expectations:
            gx_suite.add_expectation_configuration(_configuration(suite, exp))
        gx_suite = self.context.suites.add(gx_suite)
        asset = self.datasource.add_dataframe_asset(name=suite.name)
        batch = asset.add_batch_definition_whole_dataframe(f"{suite.name} (whole query result)")
        validation = self.context.validation_definitions.add(
            gx.ValidationDefinition(name=suite.name, data=batch, suite=gx_suite)
        )
        index_columns = [c for c in suite.index_columns if c in frame.columns]
        result_format: dict[str, Any] = {"result_format": "SUMMARY", "partial_unexpected_count": 20}
        if index_columns:
            result_format["unexpected_index_column_names"] = index_columns
        checkpoint = self.context.checkpoints.add(
            gx.Checkpoint(
                name=suite.name,
                validation_definitions=[validation],
                actions=[],
                result_format=result_format,
            )
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = checkpoint.run(
                batch_parameters={"dataframe": frame},
                expectation_parameters=parameters,
                run_id=RunIdentifier(run_name=self.run_name, run_time=self.run_time),
            )
        by_rule = {e.rule: e for e in expectations}
        outcomes = []
        for validation_result in result.run_results.values():
            for r in validation_result.results:
                exp = by_rule[r.expectation_config.meta["rule"]]
                outcomes.append(
                    _summarise(
                        suite,
                        exp,
                        r.success,
                        dict(r.result or {}),
                        dict(r.exception_info or {}),
                        dict(r.expectation_config.kwargs),
                    )
                )
        order = {e.rule: i for i, e in enumerate(expectations)}
        return sorted(outcomes, key=lambda o: order[o.rule])

    def build_docs(self, docs_dir: Path, runs: list[SuiteRun]) -> None:
        assert self.docs_staging is not None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.context.build_data_docs()
        from quality.docs import finish_site

        finish_site(self.docs_staging, runs, self.run_name, self.run_time)
        (self.docs_staging / DOCS_MARKER).write_text(f"run {self.run_name}\n", encoding="utf-8")
        replace_folder(self.docs_staging, docs_dir)


def docs_staging_dir(docs_dir: Path) -> Path:
    return docs_dir.parent / f".{docs_dir.name}.building-{os.getpid()}"


def check_docs_dir(docs_dir: Path) -> None:
    """Refuses to replace a folder that is not a Data Docs folder written by this tool."""
    if docs_dir.exists() and (
        not docs_dir.is_dir() or (any(docs_dir.iterdir()) and not (docs_dir / DOCS_MARKER).exists())
    ):
        raise FileExistsError(
            f"{docs_dir}: exists and is not a Data Docs folder written by citizen-focus check; "
            "choose another --docs folder"
        )


def replace_folder(new: Path, target: Path) -> None:
    """Puts `new` in place of `target` (readers see the old or the new site, never a half-built one)."""
    old = target.parent / f".{target.name}.old-{os.getpid()}"
    if target.exists():
        os.replace(target, old)
    os.replace(new, target)
    shutil.rmtree(old, ignore_errors=True)


def run_suites(
    con: duckdb.DuckDBPyConnection,
    suites: list[Suite],
    *,
    run_name: str,
    run_time: dt.datetime,
    docs_dir: Path | None,
    previous_counts: dict[str, int],
    standard_ids: list[str] | None,
    operational_loaded: bool = True,
) -> list[SuiteRun]:
    """Validates every suite (each one's query on `con`); builds the Data Docs if `docs_dir`.

    `operational_loaded` False (survey extracts only) lets the compliance marts be empty: the
    expectations that ask for at least one standard use `operational_min_rows`, 0 then."""
    staging = None
    if docs_dir is not None:
        check_docs_dir(docs_dir)
        staging = docs_staging_dir(docs_dir)
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
    try:
        runner = Runner(run_name, run_time, staging)
        runs = []
        for suite in suites:
            start = time.perf_counter()
            missing = [r for r in suite.relations if not relation_exists(con, r)]
            if missing:
                runs.append(
                    SuiteRun(
                        suite,
                        [missing_relation(suite, missing)],
                        None,
                        time.perf_counter() - start,
                        _does_not_exist(missing),
                        skipped=True,
                    )
                )
                continue
            try:
                with warnings.catch_warnings():  # pandas deprecation notices from DuckDB's conversion
                    warnings.simplefilter("ignore")
                    frame = con.execute(suite.rendered_sql()).df()
            except duckdb.Error as exc:
                runs.append(
                    SuiteRun(
                        suite,
                        [failed_query(suite, str(exc))],
                        None,
                        time.perf_counter() - start,
                        str(exc).splitlines()[0],
                    )
                )
                continue
            parameters: dict[str, Any] = {}
            if suite.row_count_band is not None:
                low, high = row_count_bounds(suite, previous_counts.get(suite.name))
                parameters.update(row_count_min=low, row_count_max=high)
            if any("reference_standard_ids" in e.parameters for e in suite.expectations):
                parameters["reference_standard_ids"] = standard_ids or []
            if any("operational_min_rows" in e.parameters for e in suite.expectations):
                parameters["operational_min_rows"] = 1 if operational_loaded else 0
            outcomes = runner.run(suite, frame, parameters)
            runs.append(SuiteRun(suite, outcomes, len(frame), time.perf_counter() - start))
        if docs_dir is not None:
            runner.build_docs(docs_dir, runs)
        return runs
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
