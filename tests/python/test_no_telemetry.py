"""No usage statistics leave the machine: the effective configuration of each tool says so."""

from __future__ import annotations

import json
import subprocess
import sys

import yaml

from citizen_focus.config import NO_TELEMETRY_ENV, PROJECT_DIR
from citizen_focus.dbt_runner import dbt_env, dbt_executable


def test_dbt_project_turns_anonymous_usage_stats_off() -> None:
    project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())
    assert project["flags"]["send_anonymous_usage_stats"] is False


def test_dbt_runs_with_tracking_disabled(tmp_path) -> None:
    """dbt records the effective setting in its manifest's metadata: read it from a real parse."""
    env = dbt_env(tmp_path / "w.duckdb")
    assert env["DO_NOT_TRACK"] == "1"
    env["DBT_TARGET_PATH"] = str(tmp_path / "target")
    env["DBT_LOG_PATH"] = str(tmp_path / "logs")
    subprocess.run([dbt_executable(), "parse", "--no-partial-parse"], cwd=PROJECT_DIR, env=env, check=True,
                   capture_output=True)
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())
    assert manifest["metadata"]["send_anonymous_usage_stats"] is False


def test_streamlit_effective_config_gathers_no_usage_stats() -> None:
    code = (
        f"import os; os.chdir({str(PROJECT_DIR)!r})\n"
        "from streamlit import config\n"
        "config.get_config_options(force_reparse=True)\n"
        "print(config.get_option('browser.gatherUsageStats'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PATH": "/usr/bin:/bin", "HOME": "/tmp"})
    assert out.stdout.strip().splitlines()[-1] == "False"


def test_great_expectations_sends_no_analytics() -> None:
    """GX 1.24 sends analytics through posthog when enabled; the switch is off in every process we
    start, and the sender is not even installed (so a context that forgot the switch still sends
    nothing)."""
    assert NO_TELEMETRY_ENV["GX_ANALYTICS_ENABLED"] == "false"
    code = (
        "import importlib.util\n"
        "import great_expectations as gx\n"
        "ctx = gx.get_context(mode='ephemeral')\n"
        "print(ctx.config.analytics_enabled in (None, False), importlib.util.find_spec('posthog') is None)\n"
    )
    env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", **NO_TELEMETRY_ENV}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip().splitlines()[-1] == "True True"
