"""Server render time of every dashboard page (Streamlit AppTest) on a large warehouse.

    python -m bench.dashboard_render --work artifacts/dash-bench --responses 120000 --records 5000000

Builds a warehouse whose satisfaction marts are real (generated survey extracts, ingested and built
with dbt) and whose compliance marts (built on another branch) are synthetic tables of the agreed
shape and MPS-like size, written with DuckDB's generate_series. Then times each page's first render
(cold caches) and a second render (warm), as admin, and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from citizen_focus.config import PROJECT_DIR
from citizen_focus.dbt_runner import dbt_env, dbt_executable
from citizen_focus.warehouse import connect
from ingest import ingest_paths

BOROUGHS = [f"B{i:02d}" for i in range(32)]
ANSWERS = ["Completely satisfied", "Very satisfied", "Fairly satisfied", "Neither satisfied nor dissatisfied",
           "Fairly dissatisfied", "Very dissatisfied", "Completely dissatisfied", "Don't know"]
STANDARDS = ["PLEDGE-6-999", "PLEDGE-6-NON-EMERGENCY", "PLEDGE-7-EMERGENCY", "PROMISE-URGENT-12MIN",
             "PLEDGE-8-PRIORITY", "PLEDGE-9-APPOINTMENT", "PLEDGE-9-KEPT", "PLEDGE-11-ACK-24H", "PROMISE-ACK-2WD",
             "QOSC-RESPONSE-10WD", "PLEDGE-12-MONTHLY-UPDATE", "QOSC-VS-REFERRAL-2D"]


def write_survey(folder: Path, responses: int, seed: int = 1) -> Path:
    rng = np.random.default_rng(seed)
    months = pd.date_range("2008-04-01", periods=12, freq="MS")
    day = months[rng.integers(0, 12, responses)] + pd.to_timedelta(rng.integers(0, 28, responses), unit="D")
    eth = rng.choice(["W1", "W2", "A1", "B2", "M1", "NS"], responses, p=[0.55, 0.1, 0.12, 0.12, 0.06, 0.05])
    df = pd.DataFrame({
        "response_id": [f"r{i}" for i in range(responses)], "interview_date": day.strftime("%Y-%m-%d"),
        "survey_group": rng.choice(["burglary", "violent_crime", "vehicle_crime", "racist_incident", "asb"],
                                   responses),
        "borough_code": rng.choice(BOROUGHS, responses), "ethnicity_code": eth,
        "age_band": rng.choice(["16-24", "25-44", "45-64", "65+"], responses),
        "gender": rng.choice(["F", "M"], responses), "disability": rng.choice(["Y", "N"], responses),
        "weight": np.round(rng.uniform(0.5, 2.0, responses), 3), "force_code": "MPS",
    })
    for q in ("ease_of_contact", "action_taken", "kept_informed", "treatment", "whole_experience"):
        df[f"q_{q}"] = rng.choice(ANSWERS, responses, p=[0.2, 0.25, 0.2, 0.1, 0.1, 0.07, 0.05, 0.03])
    folder.mkdir(parents=True, exist_ok=True)
    df.to_csv(folder / "survey_responses_mps.csv", index=False)
    return folder


def add_compliance(db: Path, records: int) -> None:
    con = duckdb.connect(str(db))
    con.execute("set TimeZone = 'UTC'")
    con.execute("create schema if not exists marts")
    con.execute("create or replace table bench_standards as select unnest(?) as standard_id, "
                "generate_subscripts(?, 1) as sort_order", [STANDARDS, STANDARDS])
    con.execute(f"""
        create or replace table marts.compliance_records as
        with r as (select i, (select standard_id from bench_standards where sort_order = 1 + i % 12) as standard_id,
                          timestamptz '2008-04-01 00:00:00+00'
                              + to_seconds(cast((i * 7919) % 31536000 as bigint)) as started_at,
                          (hash(i) % 600) / 10.0 as elapsed
                   from range({records}) t(i))
        select standard_id, 'MPS' as force_code, 'B' || lpad(cast((i // 12) % 32 as varchar), 2, '0') as borough_code,
               cast(date_trunc('month', started_at) as date) as period_month, 'x' || i as record_id, started_at,
               cast(started_at as timestamp) as started_at_london, started_at + interval 10 second as deadline_at,
               started_at + to_microseconds(cast(elapsed * 1e6 as bigint)) as event_at, elapsed as elapsed_seconds,
               10.0 as threshold_seconds, case when elapsed <= 10 then 'met' else 'missed' end as outcome,
               '999' as call_type, null::varchar as grade, null::varchar as area_type,
               ['conduct', 'quality_of_service', 'other'][1 + i % 3] as category,
               ['web', 'phone', 'letter'][1 + i % 3] as channel, hour(started_at) as hour_of_day,
               isodow(started_at) as weekday
        from r
    """)
    con.execute("""
        create or replace table marts.pledge_compliance as
        select standard_id, force_code, borough_code, period_month,
               count(*) filter (where outcome = 'met') as numerator, count(*) as denominator, 0::bigint as pending,
               count(*) filter (where outcome = 'met') / count(*) as rate, 0.9 as target_rate,
               case when count(*) filter (where outcome = 'met') / count(*) >= 0.9 then 'green'
                    when count(*) filter (where outcome = 'met') / count(*) >= 0.85 then 'amber' else 'red' end as rag
        from marts.compliance_records group by all
    """)
    con.execute("""
        create or replace table marts.promise_scorecard as
        with m as (select standard_id, period_month, sum(numerator) / sum(denominator) as rate
                   from marts.pledge_compliance group by all)
        select s.standard_id, 'MPS' as force_code, date '2009-03-01' as period_month, s.standard_id as title,
               'bench' as source, 0.9 as target_rate,
               (select rate from m where m.standard_id = s.standard_id and period_month = date '2009-03-01')
                   as latest_rate,
               (select rate from m where m.standard_id = s.standard_id and period_month = date '2009-02-01')
                   as previous_rate,
               (select avg(rate) from m where m.standard_id = s.standard_id) as rolling_12_rate,
               'red' as rag, true as measured, null::varchar as not_measured_reason, s.sort_order
        from bench_standards s
    """)
    con.execute("drop table bench_standards")
    con.execute("checkpoint")
    con.close()


def build(work: Path, responses: int, records: int) -> Path:
    db = work / "warehouse.duckdb"
    for leftover in work.glob("warehouse.duckdb*"):
        leftover.unlink()
    con = connect(db)
    ingest_paths(con, [write_survey(work / "extracts", responses)])
    con.close()
    env = dbt_env(db)
    env["DBT_TARGET_PATH"] = str(work / "dbt_target")
    env["DBT_LOG_PATH"] = str(work / "dbt_logs")
    result = subprocess.run([dbt_executable(), "build"], cwd=PROJECT_DIR, env=env, capture_output=True, text=True,
                            check=False)
    if result.returncode != 0:
        sys.exit(f"dbt build failed:\n{result.stdout[-3000:]}")
    add_compliance(db, records)
    return db


def time_pages(db: Path, repeats: int = 3) -> dict[str, dict[str, float]]:
    from streamlit.testing.v1 import AppTest

    from dashboards.common import PAGES, ROLE_KEY, USER_KEY

    os.environ["CITIZEN_FOCUS_DB"] = str(db)
    out = {}
    for spec in PAGES:
        cold, warm = [], []
        for _ in range(repeats):
            at = AppTest.from_file(str(PROJECT_DIR / "dashboards" / "app.py"), default_timeout=600)
            at.session_state[ROLE_KEY], at.session_state[USER_KEY] = "admin", "bench"
            at.run()
            at.switch_page(spec.file)
            from streamlit.runtime.caching import cache_data_api, cache_resource_api

            cache_data_api.get_data_cache_stats_provider().clear_all()
            cache_resource_api.get_resource_cache_stats_provider().clear_all()
            start = time.perf_counter()
            at.run()
            cold.append(time.perf_counter() - start)
            assert not at.exception, [e.value for e in at.exception]
            assert not at.info or spec.title.startswith("Data quality"), [i.value for i in at.info]
            tables = len(at.dataframe)
            start = time.perf_counter()
            at.run()
            warm.append(time.perf_counter() - start)
        out[spec.title] = {"cold_s": statistics.median(cold), "warm_s": statistics.median(warm), "tables": tables}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", default=str(PROJECT_DIR / "artifacts" / "dash-bench"))
    parser.add_argument("--responses", type=int, default=120_000)
    parser.add_argument("--records", type=int, default=5_000_000)
    parser.add_argument("--reuse", action="store_true", help="time the existing warehouse in --work")
    args = parser.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    db = work / "warehouse.duckdb" if args.reuse else build(work, args.responses, args.records)
    built = time.perf_counter() - start
    con = duckdb.connect(str(db), read_only=True)
    sizes = {t: con.execute(f"select count(*) from marts.{t}").fetchone()[0] for t in
             ("citizen_focus_satisfaction", "satisfaction_by_equality_group", "bme_satisfaction_gap",
              "pledge_compliance", "compliance_records")}
    con.close()
    print(f"warehouse {db} ({db.stat().st_size / 1e6:.0f} MB) built in {built:.0f} s; rows: {sizes}")
    print("| page | first render, cold caches (s) | next render, warm (s) | tables shown |\n|---|---|---|---|")
    for page, t in time_pages(db).items():
        print(f"| {page} | {t['cold_s']:.2f} | {t['warm_s']:.2f} | {t['tables']} |")


if __name__ == "__main__":
    main()
