"""BENCHMARKS.md's table is written by the bench from its JSON results, one row per scale."""

from __future__ import annotations

import json
from pathlib import Path

from bench import summary


def _result(scale: float, ingest: float, build: float) -> dict:
    return {
        "scale": scale, "measured_at": "2026-11-25T15:00:00+00:00",
        "rows": {"calls": 1000, "incidents": 200, "victim_contacts": 300, "survey_responses": 40},
        "ingest": {"seconds": ingest, "peak_rss_mb": 100.0},
        "ingest_lower_bound": {"seconds": 10.0, "peak_rss_mb": 50.0},
        "dbt_build": {"seconds": build, "peak_rss_mb": 2000.0},
        "build_lower_bound": {"seconds": 20.0, "peak_rss_mb": 900.0},
        "new_month": {"ingest_seconds": 3.0, "build_seconds": 6.0},
        "ratios": {"ingest_over_lower_bound": ingest / 10.0, "build_over_lower_bound": build / 20.0,
                   "new_month_over_full_build": 9.0 / (ingest + build),
                   "incremental_build_over_full_refresh": 0.125},
        "dashboard_queries": {"a": {"median_ms": 1.0, "p95_ms": 2.5}, "b": {"median_ms": 3.0, "p95_ms": 7.25}},
    }


def test_the_table_has_one_row_per_scale_in_order_with_the_ratios(tmp_path: Path) -> None:
    (tmp_path / "bench_1_0x.json").write_text(json.dumps(_result(1.0, 30.0, 60.0)))
    (tmp_path / "bench_0_25x.json").write_text(json.dumps(_result(0.25, 15.0, 45.0)))
    rows = [line for line in summary.table(tmp_path).splitlines() if line.startswith("| 0") or line.startswith("| 1")]
    assert [r.split(" | ")[0] for r in rows] == ["| 0.25×", "| 1×"]
    cells = rows[1].split(" | ")
    # ingest 30 (10): 3.0×; build 60 (20): 3.0×; (30 + 60) / (10 + 20) = 3.0×; new month 9 / 90 = 10 %
    assert cells[5:14] == ["30.0 (10.0)", "3.0×", "60.0 (20.0)", "3.0×", "3.0×", "3.0 + 6.0", "10%", "12%",
                           "100 / 2,000"]
    assert cells[14] == "7.2 ms |"


def test_update_rewrites_only_between_the_markers(tmp_path: Path) -> None:
    (tmp_path / "bench_1_0x.json").write_text(json.dumps(_result(1.0, 30.0, 60.0)))
    md = tmp_path / "BENCHMARKS.md"
    md.write_text(f"intro\n{summary.START}\nold table\n{summary.END}\nafter\n")
    assert summary.update(md, tmp_path)
    text = md.read_text()
    assert text.startswith("intro\n") and text.endswith("\nafter\n") and "old table" not in text
    assert "| 1× | 1,000 | 200 | 300 | 40 |" in text
    unmarked = tmp_path / "plain.md"
    unmarked.write_text("no markers")
    assert not summary.update(unmarked, tmp_path) and unmarked.read_text() == "no markers"
