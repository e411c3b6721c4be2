"""The table of BENCHMARKS.md, written from every bench/results/bench_<scale>x.json.

`citizen-focus bench` rewrites the part of BENCHMARKS.md between the two markers after each run,
so the figures there are always the script's, one row per scale measured.
"""

from __future__ import annotations

import json
from pathlib import Path

START, END = "<!-- bench-table:start -->", "<!-- bench-table:end -->"


def _row(r: dict) -> str:
    rows, ratios, new = r["rows"], r["ratios"], r["new_month"]
    full = r["ingest"]["seconds"] + r["dbt_build"]["seconds"]
    lower = r["ingest_lower_bound"]["seconds"] + r["build_lower_bound"]["seconds"]
    p95 = max((q["p95_ms"] for q in r["dashboard_queries"].values()), default=float("nan"))
    incremental = ratios.get("incremental_build_over_full_refresh")
    return " | ".join([
        f"| {r['scale']:g}×",
        f"{rows.get('calls', 0):,}", f"{rows.get('incidents', 0):,}", f"{rows.get('victim_contacts', 0):,}",
        f"{rows.get('survey_responses', 0):,}",
        f"{r['ingest']['seconds']:.1f} ({r['ingest_lower_bound']['seconds']:.1f})",
        f"{ratios['ingest_over_lower_bound']:.1f}×",
        f"{r['dbt_build']['seconds']:.1f} ({r['build_lower_bound']['seconds']:.1f})",
        f"{ratios['build_over_lower_bound']:.1f}×",
        f"{full / lower:.1f}×",
        f"{new['ingest_seconds']:.1f} + {new['build_seconds']:.1f}",
        f"{ratios['new_month_over_full_build']:.0%}",
        f"{incremental:.0%}" if incremental is not None else "n/a",
        f"{r['ingest']['peak_rss_mb']:,.0f} / {r['dbt_build']['peak_rss_mb']:,.0f}",
        f"{p95:.1f} ms |",
    ])


def table(results_dir: Path) -> str:
    results = [json.loads(p.read_text()) for p in results_dir.glob("bench_*x.json")]
    results.sort(key=lambda r: r["scale"])
    header = (
        "| scale | calls | incidents | victim contacts | survey | ingest s (lower bound) | ingest ratio "
        "| dbt build s (lower bound) | build ratio | ingest + build ratio | new month: ingest + incremental "
        "build s | new month / full ingest + build | incremental build / full refresh of the same months "
        "| peak RSS ingest / build MB | dashboard p95, slowest call |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    measured = ", ".join(f"{r['scale']:g}× {r['measured_at'][:16].replace('T', ' ')} UTC" for r in results)
    return "\n".join([header, *(_row(r) for r in results), "", f"Measured: {measured}."])


def update(benchmarks_md: Path, results_dir: Path) -> bool:
    """Rewrites the table between the markers; False when the file has no markers."""
    if not benchmarks_md.exists():
        return False
    text = benchmarks_md.read_text()
    if START not in text or END not in text:
        return False
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    benchmarks_md.write_text(f"{head}{START}\n{table(results_dir)}\n{END}{tail}")
    return True
