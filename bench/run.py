"""`citizen-focus bench`: national-scale figures, measured in one run on the same files.

Steps (each a separate process, so wall time and peak memory are the process's own):
1. generate national sample extracts (43 forces, `--scale` x about 20 million calls a year);
2. ingest them with `citizen-focus ingest`, and the lower bound: DuckDB reading the same CSVs
   into typed tables with plain SQL;
3. `dbt build` (models, seeds and tests) on the loaded warehouse, and its lower bound: the
   public marts written by hand in one SQL script (bench/lower_bound_marts.sql) run on a copy
   of the same freshly loaded warehouse;
4. a new month appended: its ingest + rebuild as a fraction of the full build;
5. the dashboard's data queries against the built marts: median and p95 latency;
6. the peer baseline: the same headline figures in pandas, checked equal to the marts.
It prints a table of figures and ratios and writes it as JSON and Markdown.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import sys
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from bench import pandas_baseline, summary
from bench.forces import NATIONAL_FORCES, PER_FORCE_SCALE_AT_1X
from bench.measure import Measurement, run_measured
from citizen_focus.build_state import last_load_id
from citizen_focus.config import NO_TELEMETRY_ENV, PROJECT_DIR
from citizen_focus.dbt_runner import dbt_env, dbt_executable

BIN = Path(sys.executable).parent


def _next_month(start: str, months: int) -> str:
    year, month = map(int, start.split("-"))
    index = year * 12 + (month - 1) + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _generate(out: Path, scale: float, months: int, start: str, seed: int) -> Measurement:
    return run_measured([
        str(BIN / "citizen-focus"), "sample", "--out", str(out), "--months", str(months), "--start", start,
        "--scale", f"{scale * PER_FORCE_SCALE_AT_1X:.6f}", "--seed", str(seed),
        "--forces", ",".join(NATIONAL_FORCES),
    ])


def _dbt(db: Path, work: Path, *args: str) -> Measurement:
    env = dbt_env(db)
    env["DBT_TARGET_PATH"] = str(work / "dbt_target")
    env["DBT_LOG_PATH"] = str(work / "dbt_logs")
    return run_measured([dbt_executable(), *args], env=env, cwd=str(PROJECT_DIR))


def _dbt_breakdown(work: Path) -> dict[str, object]:
    """Where the last dbt run spent its time (run_results.json): node-seconds per resource type
    (2 threads, so they add up to about twice the wall time) and the five slowest nodes."""
    path = work / "dbt_target" / "run_results.json"
    if not path.exists():
        return {}
    results = json.loads(path.read_text())["results"]
    by_type: dict[str, float] = {}
    for node in results:
        kind = node["unique_id"].split(".")[0]
        by_type[kind] = by_type.get(kind, 0.0) + float(node["execution_time"])
    slowest = sorted(results, key=lambda node: -float(node["execution_time"]))[:5]
    return {"node_seconds": {k: round(v, 1) for k, v in sorted(by_type.items())},
            "slowest": [[node["unique_id"].split(".")[-1], round(float(node["execution_time"]), 1)]
                        for node in slowest]}


def _pledge_compliance_cells(con: duckdb.DuckDBPyConnection, left: str, right: str) -> tuple[int, int]:
    """(cells, cells whose numerator, denominator or pending differ) of two pledge_compliance tables."""
    return con.execute(f"""
        select count(*), count(*) filter (where l.numerator is distinct from r.numerator
            or l.denominator is distinct from r.denominator or l.pending is distinct from r.pending)
        from {left} as l
        full join {right} as r
            using (standard_id, force_code, borough_code, period_month)
    """).fetchone()


def _check_incremental_equals_full(db: Path, full_db: Path) -> dict[str, object]:
    """The incremental build after the new month against a full refresh of the same raw data."""
    con = duckdb.connect()
    con.execute(f"attach '{db}' as incremental (read_only)")
    con.execute(f"attach '{full_db}' as refreshed (read_only)")
    cells = _pledge_compliance_cells(con, "incremental.marts.pledge_compliance", "refreshed.marts.pledge_compliance")
    fingerprint = """select count(*), sum(hash(standard_id, force_code, record_id, outcome, period_month,
                         started_at, deadline_at, event_at, borough_code, load_id)) from {}.marts.compliance_records"""
    records = [con.execute(fingerprint.format(name)).fetchone() for name in ("incremental", "refreshed")]
    con.close()
    return {"pledge_compliance_cells_compared": cells[0], "pledge_compliance_cells_differing": cells[1],
            "compliance_records_rows": records[0][0], "compliance_records_identical": records[0] == records[1]}


def _row_counts(extracts: Path) -> dict[str, int]:
    con = duckdb.connect()
    counts = {}
    for kind in ["calls", "incidents", "survey_responses", "feedback", "victim_contacts"]:
        files = sorted(str(p) for p in extracts.glob(f"{kind}*.csv"))
        if files:
            counts[kind] = con.execute(
                "select count(*) from read_csv(?, header = true, all_varchar = true)", [files]
            ).fetchone()[0]
    con.close()
    return counts


def _check_pandas_equals_marts(db: Path, figures: dict[str, pd.DataFrame]) -> dict[str, object]:
    con = duckdb.connect(str(db), read_only=True)
    marts_999 = con.execute(
        "select force_code, period_month, sum(numerator) as numerator, sum(denominator) as denominator "
        "from marts.pledge_compliance where standard_id = 'PLEDGE-6-999' group by all"
    ).df()
    marts_sat = con.execute(
        "select force_code, period_end_month as period_month, rate from marts.citizen_focus_satisfaction "
        "where borough_code = 'ALL' and question = 'whole_experience' and window_months = 1 and rate is not null"
    ).df()
    con.close()
    calls = figures["PLEDGE-6-999"].merge(marts_999, on=["force_code", "period_month"], suffixes=("_pd", "_wh"))
    sat = figures["whole_experience"].merge(marts_sat, on=["force_code", "period_month"], suffixes=("_pd", "_wh"))
    calls_equal = bool(len(calls) and (calls["numerator_pd"] == calls["numerator_wh"]).all()
                       and (calls["denominator_pd"] == calls["denominator_wh"]).all())
    sat_max_diff = float((sat["rate_pd"] - sat["rate_wh"]).abs().max()) if len(sat) else float("nan")
    return {"calls_cells_compared": len(calls), "calls_equal": calls_equal,
            "satisfaction_cells_compared": len(sat), "satisfaction_max_abs_diff": sat_max_diff}


def _check_lower_bound_equals_marts(db: Path, lower_db: Path) -> dict[str, object]:
    """The build lower bound did the same work: its figures against the marts just built."""
    con = duckdb.connect()
    con.execute(f"attach '{db}' as built (read_only)")
    con.execute(f"attach '{lower_db}' as lower_copy (read_only)")
    calls = _pledge_compliance_cells(con, "built.marts.pledge_compliance", "lower_copy.lower_bound.pledge_compliance")
    sat = con.execute("""
        select count(m.rate), count(*) filter (where (m.rate is null) <> (l.rate is null)
            or m.respondents is distinct from l.respondents), max(abs(m.rate - l.rate))
        from built.marts.citizen_focus_satisfaction as m
        full join lower_copy.lower_bound.citizen_focus_satisfaction as l
            using (force_code, borough_code, question, window_months, period_end_month)
    """).fetchone()
    con.close()
    return {"compliance_cells_compared": calls[0], "compliance_cells_differing": calls[1],
            "satisfaction_rates_compared": sat[0], "satisfaction_cells_differing": sat[1],
            "satisfaction_max_abs_diff": sat[2]}


def _dashboard_latencies(db: Path, repeats: int = 20) -> dict[str, dict[str, float]]:
    """Every page's data calls, uncached, against the built warehouse: median and p95 in ms."""
    try:
        from dashboards import data as app_data
    except ImportError:
        return {}
    calls = getattr(app_data, "BENCHMARK_QUERIES", None)
    if not calls:
        return {}
    results = {}
    for name, fn in calls(db).items():
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            fn()
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        results[name] = {"median_ms": statistics.median(times), "p95_ms": times[int(0.95 * (len(times) - 1))]}
    return results


def run_bench(scale: float, work: Path, months: int = 12, start: str = "2008-04", seed: int = 7) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    extracts, new_month = work / "extracts", work / "extracts_next_month"
    for folder in (extracts, new_month):
        shutil.rmtree(folder, ignore_errors=True)
    db, lower_db = work / "warehouse.duckdb", work / "lower_bound.duckdb"
    lower_build_db = work / "lower_bound_build.duckdb"
    for path in (db, lower_db, lower_build_db):
        for leftover in path.parent.glob(path.name + "*"):
            leftover.unlink()
    env = dict(os.environ, **NO_TELEMETRY_ENV)

    gen = _generate(extracts, scale, months, start, seed)
    _check(gen, "generate")
    counts = _row_counts(extracts)
    ingest = run_measured([str(BIN / "citizen-focus"), "ingest", str(extracts), "--db", str(db)], env=env)
    _check(ingest, "ingest")
    lower_ingest = run_measured([sys.executable, "-m", "bench.lower_bounds", "ingest", str(extracts),
                                 str(lower_db)], env=env, cwd=str(PROJECT_DIR))
    _check(lower_ingest, "ingest lower bound")
    # the copy is taken before dbt touches the warehouse and is not part of either measurement
    shutil.copyfile(db, lower_build_db)
    lower_build = run_measured([sys.executable, "-m", "bench.lower_bounds", "build", str(lower_build_db)],
                               env=env, cwd=str(PROJECT_DIR))
    _check(lower_build, "build lower bound")
    build = _dbt(db, work, "build")
    _check(build, "dbt build")
    build_breakdown = _dbt_breakdown(work)
    lower_build_agreement = _check_lower_bound_equals_marts(db, lower_build_db)

    gen_next = _generate(new_month, scale, 1, _next_month(start, months), seed + 1)
    _check(gen_next, "generate next month")
    through = last_load_id(db)  # as `citizen-focus build` does: test the rows of the new loads
    ingest_next = run_measured([str(BIN / "citizen-focus"), "ingest", str(new_month), "--db", str(db)], env=env)
    _check(ingest_next, "ingest next month")
    build_next = _dbt(db, work, "build", "--vars", json.dumps({"incremental_tests_after_load_id": through}))
    _check(build_next, "dbt build after the new month")
    build_next_breakdown = _dbt_breakdown(work)
    # the fair denominator: a full rebuild of the same 13 months, and the proof it agrees
    full_db = work / "warehouse_full_refresh.duckdb"
    shutil.copyfile(db, full_db)
    refresh = _dbt(full_db, work, "build", "--full-refresh")
    _check(refresh, "dbt build --full-refresh after the new month")
    refresh_breakdown = _dbt_breakdown(work)
    incremental_agreement = _check_incremental_equals_full(db, full_db)
    full_db.unlink()

    pandas_seconds, figures = pandas_baseline.run(extracts)
    # compare on the first load only: rebuild a copy without the appended month would cost another
    # build, so compare the months the pandas baseline saw (the new month adds only later cells)
    agreement = _check_pandas_equals_marts(db, figures)
    latencies = _dashboard_latencies(db)

    result = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "memory_gb": _memory_gb(), "python": platform.python_version(),
                    "duckdb": duckdb.__version__, "platform": platform.platform()},
        "scale": scale, "months": months, "forces": len(NATIONAL_FORCES), "rows": counts,
        "generate": asdict(gen) | {"output_tail": ""},
        "ingest": asdict(ingest) | {"output_tail": ""},
        "ingest_lower_bound": asdict(lower_ingest) | {"output_tail": ""},
        "dbt_build": asdict(build) | {"output_tail": ""},
        "build_lower_bound": asdict(lower_build) | {"output_tail": ""},
        "dbt_build_breakdown": build_breakdown,
        "new_month": {"ingest_seconds": ingest_next.seconds, "build_seconds": build_next.seconds,
                      "build_peak_rss_mb": build_next.peak_rss_mb, "build_breakdown": build_next_breakdown,
                      "full_refresh_seconds": refresh.seconds, "full_refresh_peak_rss_mb": refresh.peak_rss_mb,
                      "full_refresh_breakdown": refresh_breakdown, "agreement": incremental_agreement},
        "pandas_seconds": pandas_seconds,
        "pandas_agreement": agreement,
        "build_lower_bound_agreement": lower_build_agreement,
        "dashboard_queries": latencies,
    }
    result["ratios"] = {
        "ingest_over_lower_bound": ingest.seconds / lower_ingest.seconds,
        "build_over_lower_bound": build.seconds / lower_build.seconds,
        "new_month_over_full_build": (ingest_next.seconds + build_next.seconds) / (ingest.seconds + build.seconds),
        "incremental_build_over_full_refresh": build_next.seconds / refresh.seconds,
        "ours_over_pandas": (ingest.seconds + build.seconds) / pandas_seconds if pandas_seconds else None,
    }
    return result


def _memory_gb() -> float:
    with open("/proc/meminfo") as fh:
        for line in fh:
            if line.startswith("MemTotal"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    return float("nan")


def _check(measurement: Measurement, step: str) -> None:
    if measurement.returncode != 0:
        raise RuntimeError(f"bench step '{step}' failed (exit {measurement.returncode}):\n{measurement.output_tail}")


def markdown(result: dict) -> str:
    r = result
    lines = [
        f"### Scale {r['scale']}x ({r['forces']} forces, {r['months']} months) — measured {r['measured_at']}",
        "",
        "rows: " + ", ".join(f"{k} {v:,}" for k, v in r["rows"].items()),
        "",
        "| step | wall s | peak MB | ratio |",
        "|---|---:|---:|---|",
        f"| generate sample | {r['generate']['seconds']:.1f} | {r['generate']['peak_rss_mb']:.0f} | |",
        f"| ingest (citizen-focus) | {r['ingest']['seconds']:.1f} | {r['ingest']['peak_rss_mb']:.0f} | "
        f"{r['ratios']['ingest_over_lower_bound']:.2f}x lower bound |",
        f"| ingest lower bound (plain DuckDB typed read) | {r['ingest_lower_bound']['seconds']:.1f} | "
        f"{r['ingest_lower_bound']['peak_rss_mb']:.0f} | 1.00 |",
        f"| dbt build (models + tests) | {r['dbt_build']['seconds']:.1f} | {r['dbt_build']['peak_rss_mb']:.0f} | "
        f"{r['ratios']['build_over_lower_bound']:.2f}x lower bound |",
        f"| build lower bound (hand-written marts SQL, no tests) | {r['build_lower_bound']['seconds']:.1f} | "
        f"{r['build_lower_bound']['peak_rss_mb']:.0f} | 1.00 |",
        f"| new month: ingest + build | {r['new_month']['ingest_seconds'] + r['new_month']['build_seconds']:.1f} | "
        f"| {r['ratios']['new_month_over_full_build']:.0%} of full ingest + build |",
        f"| new month: dbt build (incremental) | {r['new_month']['build_seconds']:.1f} | "
        f"{r['new_month']['build_peak_rss_mb']:.0f} | {r['ratios']['incremental_build_over_full_refresh']:.0%} of a "
        "full rebuild of the same 13 months |",
        f"| dbt build --full-refresh of the 13 months | {r['new_month']['full_refresh_seconds']:.1f} | "
        f"{r['new_month']['full_refresh_peak_rss_mb']:.0f} | |",
        f"| pandas peer baseline (2 headline figures) | {r['pandas_seconds']:.1f} | | ours / pandas = "
        f"{r['ratios']['ours_over_pandas']:.2f} (ours computes every mart) |",
        "",
        f"pandas agreement: {r['pandas_agreement']}",
        "",
        f"build lower bound agreement with the marts: {r['build_lower_bound_agreement']}",
        "",
        f"incremental build vs full refresh after the new month: {r['new_month']['agreement']}",
        "",
        f"dbt node-seconds (2 threads), full build: {r['dbt_build_breakdown'].get('node_seconds')}; "
        f"incremental: {r['new_month']['build_breakdown'].get('node_seconds')}; "
        f"full refresh: {r['new_month']['full_refresh_breakdown'].get('node_seconds')}",
        "",
        f"slowest nodes, full build: {r['dbt_build_breakdown'].get('slowest')}; "
        f"incremental: {r['new_month']['build_breakdown'].get('slowest')}",
    ]
    if r["dashboard_queries"]:
        lines += ["", "| dashboard query | median ms | p95 ms |", "|---|---:|---:|"]
        lines += [f"| {k} | {v['median_ms']:.1f} | {v['p95_ms']:.1f} |" for k, v in r["dashboard_queries"].items()]
    return "\n".join(lines) + "\n"


def main(scale: float, work: Path, months: int, out: Path) -> int:
    result = run_bench(scale, work, months=months)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"bench_{str(scale).replace('.', '_')}x"
    (out / f"{stem}.json").write_text(json.dumps(result, indent=2, default=str))
    text = markdown(result)
    (out / f"{stem}.md").write_text(text)
    print(text)
    if out.resolve() == (PROJECT_DIR / "bench" / "results").resolve() and summary.update(
            PROJECT_DIR / "BENCHMARKS.md", out):
        print("BENCHMARKS.md: table rewritten from bench/results/*.json")
    return 0
