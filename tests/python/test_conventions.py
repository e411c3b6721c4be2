"""The project's conventions are enforced, not hoped for: sqlfluff and dbt-project-evaluator's rules.

- sqlfluff (dbt templater, DuckDB dialect, `.sqlfluff`) lints every model: zero violations.
- dbt-bouncer (`dbt-bouncer.yml`) applies dbt-project-evaluator's rules offline to the manifest
  and catalog of a real build: naming and directories, staging reads only sources, no direct
  join to a source, primary-key tests, documentation coverage, source freshness, contracts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from warehouse_builder import ingest, run_dbt, write_extracts

from citizen_focus.config import NO_TELEMETRY_ENV, PROJECT_DIR

BIN = Path(sys.executable).parent

ONE_OF_EACH = {
    "calls.csv": "call_id,line,received_at,answered_at\nc1,999,2008-06-01T10:00:00Z,2008-06-01T10:00:05Z\n",
    "incidents.csv": "incident_id,created_at,grade,borough_code,first_arrival_at\n"
    "i1,2008-06-01T10:00:00Z,E,CW,2008-06-01T10:09:00Z\n",
    "survey_responses.csv": "response_id,interview_date,survey_group,borough_code,ethnicity_code,q_whole_experience\n"
    "r1,2008-06-20,burglary,CW,W1,Very satisfied\n",
    "feedback.csv": "feedback_id,feedback_type,received_at,acknowledged_at\n"
    "f1,complaint,2008-06-01T10:00:00Z,2008-06-01T12:00:00Z\n",
    "victim_contacts.csv": "contact_id,crime_reference,contact_type,contact_at,borough_code\n"
    "v1,CR1,recorded,2008-06-01T10:00:00Z,CW\n",
}


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory) -> Path:
    """manifest.json and catalog.json of a real build of the whole project on tiny data."""
    tmp = tmp_path_factory.mktemp("conventions")
    db = tmp / "warehouse.duckdb"
    ingest(db, [write_extracts(tmp / "extracts", ONE_OF_EACH)])
    for args in (["seed"], ["run"], ["docs", "generate"]):
        result = run_dbt(db, *args)
        assert result.returncode == 0, result.stdout[-4000:]
    return tmp / "dbt_target"


def _env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(NO_TELEMETRY_ENV)
    env.update({"CITIZEN_FOCUS_DB": str(tmp / "lint.duckdb"), "DBT_TARGET_PATH": str(tmp / "lint_target"),
                "DBT_LOG_PATH": str(tmp / "lint_logs"), "DBT_PROFILES_DIR": str(PROJECT_DIR)})
    return env


def test_sqlfluff_finds_no_violations_in_any_model(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(BIN / "sqlfluff"), "lint", "models", "--format", "json", "--nofail"],
        cwd=PROJECT_DIR, env=_env(tmp_path), capture_output=True, text=True, check=False,
    )
    report = json.loads(result.stdout.strip().splitlines()[-1])
    linted = [f["filepath"] for f in report]
    assert any("staging" in f for f in linted) and len(linted) >= 5
    problems = [f"{f['filepath']}:{v['start_line_no']} {v['code']} {v['description']}"
                for f in report for v in f["violations"]]
    assert problems == []


def test_dbt_bouncer_applies_the_project_evaluator_rules_with_zero_violations(artifacts: Path,
                                                                               tmp_path: Path) -> None:
    config = (PROJECT_DIR / "dbt-bouncer.yml").read_text().replace(
        "dbt_artifacts_dir: target", f"dbt_artifacts_dir: {artifacts}"
    )
    (tmp_path / "dbt-bouncer.yml").write_text(config)
    result = subprocess.run(
        [str(BIN / "dbt-bouncer"), "run", "--config-file", str(tmp_path / "dbt-bouncer.yml"),
         "--output-file", str(tmp_path / "bouncer.json"), "--output-format", "json"],
        cwd=PROJECT_DIR, capture_output=True, text=True, check=False, env={**os.environ, "COLUMNS": "200"},
    )
    results = json.loads((tmp_path / "bouncer.json").read_text())
    failures = [r for r in results if r.get("outcome") == "failed" and r.get("severity", "error") == "error"]
    assert failures == [], json.dumps(failures, indent=1)[:4000]
    assert result.returncode == 0, result.stdout[-3000:]
    assert len(results) > 50  # the rules really ran


def test_a_rule_violation_is_caught(artifacts: Path, tmp_path: Path) -> None:
    """The bouncer is able to fail: a model named against the convention is reported."""
    manifest = json.loads((artifacts / "manifest.json").read_text())
    node = next(n for n in manifest["nodes"].values() if n["resource_type"] == "model"
                and n["original_file_path"].startswith("models/staging"))
    node["name"] = "calls_cleaned"
    bad = tmp_path / "bad_target"
    bad.mkdir()
    (bad / "manifest.json").write_text(json.dumps(manifest))
    (bad / "catalog.json").write_text((artifacts / "catalog.json").read_text())
    config = (PROJECT_DIR / "dbt-bouncer.yml").read_text().replace(
        "dbt_artifacts_dir: target", f"dbt_artifacts_dir: {bad}"
    )
    (tmp_path / "dbt-bouncer.yml").write_text(config)
    result = subprocess.run(
        [str(BIN / "dbt-bouncer"), "run", "--config-file", str(tmp_path / "dbt-bouncer.yml"), "--check",
         "check_model_names", "--output-file", str(tmp_path / "out.json"), "--output-format", "json"],
        cwd=PROJECT_DIR, capture_output=True, text=True, check=False,
    )
    assert result.returncode != 0
    failed = [r for r in json.loads((tmp_path / "out.json").read_text()) if r["outcome"] == "failed"]
    assert [r["unique_id"] for r in failed] == [node["unique_id"]]
