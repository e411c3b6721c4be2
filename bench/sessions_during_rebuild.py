"""Dashboard sessions reading while a real rebuild is published: the error count the README quotes.

N simulated sessions (threads) each open the published warehouse the way a page does
(`dashboards.data.open_warehouse`, a fresh build check per request) and run every page's data
calls (`BENCHMARK_QUERIES`) in a loop, while `citizen-focus build` rebuilds that warehouse in
another process and publishes it by atomic rename. Counted: reads, errors (any exception a page
would have shown), and the builds the sessions saw (the file's identity before and after).

Run: python -m bench.sessions_during_rebuild WAREHOUSE [--sessions 20]
Prints one JSON object; exit code 1 when any read failed or the build did not publish.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from citizen_focus.config import NO_TELEMETRY_ENV


def run(db: Path, sessions: int = 20, settle_seconds: float = 5.0) -> dict[str, object]:
    from dashboards.data import BENCHMARK_QUERIES, build_id

    before = build_id(db)
    stop = threading.Event()
    lock = threading.Lock()
    reads: Counter[str] = Counter()
    errors: list[str] = []
    builds_seen: set[str] = set()

    def session() -> None:
        while not stop.is_set():
            try:
                calls = BENCHMARK_QUERIES(db)  # a new request: the published file as it is now
                with lock:
                    builds_seen.add(str(build_id(db)))
                for name, call in calls.items():
                    call()
                    with lock:
                        reads[name] += 1
            except Exception as exc:  # noqa: BLE001 - every failure a page would show is the measurement
                with lock:
                    errors.append(f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")

    threads = [threading.Thread(target=session, daemon=True) for _ in range(sessions)]
    started = time.time()
    for thread in threads:
        thread.start()
    env = dict(os.environ, **NO_TELEMETRY_ENV)
    build = subprocess.run([str(Path(sys.executable).with_name("citizen-focus")), "build", "--db", str(db)],
                           capture_output=True, text=True, env=env, check=False)
    build_seconds = time.time() - started
    time.sleep(settle_seconds)  # sessions go on reading the newly published file
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    after = build_id(db)
    return {
        "sessions": sessions,
        "build_exit_code": build.returncode,
        "build_seconds": round(build_seconds, 1),
        "published_new_build": before != after,
        "reads": sum(reads.values()),
        "reads_per_call": dict(reads),
        "errors": len(errors),
        "error_kinds": dict(Counter(errors).most_common(5)),
        "sessions_saw_new_build": str(after) in builds_seen,
        "builds_seen": len(builds_seen),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("--sessions", type=int, default=20)
    args = parser.parse_args(argv)
    result = run(args.warehouse, args.sessions)
    print(json.dumps(result, indent=2))
    ok = result["errors"] == 0 and result["build_exit_code"] == 0 and result["published_new_build"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
