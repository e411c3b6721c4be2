"""20 simulated sessions read the dashboard's data while builds are published: no errors, new builds seen.

Each session thread runs the pages' data calls through dashboards.data (cached connection keyed on
the build, a cursor per query) in a loop; meanwhile the main thread publishes five rebuilds with
citizen_focus.publish.working_copy (copy, change, atomic rename), each with a different scorecard
figure. Every read must succeed and return one of the published figures, and the sessions must
see the last one once it is published.
"""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import duckdb

from citizen_focus.publish import working_copy
from dashboards.data import open_warehouse

SESSIONS = 20
BUILDS = 5


def test_twenty_sessions_read_through_five_publishes_without_an_error(dashboard_warehouse: Path,
                                                                      tmp_path: Path) -> None:
    published = tmp_path / "warehouse.duckdb"
    shutil.copyfile(dashboard_warehouse, published)
    values = [0.5 + i / 100 for i in range(BUILDS + 1)]
    con = duckdb.connect(str(published))
    con.execute("update marts.promise_scorecard set rate = ? where standard_id = 'PLEDGE-6-999'", [values[0]])
    con.close()

    errors: list[str] = []
    seen: set[float] = set()
    reads = [0]
    stop = threading.Event()
    lock = threading.Lock()

    def session() -> None:
        while not stop.is_set():
            try:
                wh = open_warehouse(published)
                card = wh.scorecard("MPS")
                wh.satisfaction("MPS", "ALL", 12)
                wh.borough_grid("MPS", wh.latest_month("MPS"))
                rate = float(card.set_index("standard_id").loc["PLEDGE-6-999", "latest_rate"])
                with lock:
                    seen.add(round(rate, 4))
                    reads[0] += 1
            except Exception as exc:  # every failure is counted, none is expected
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=session) for _ in range(SESSIONS)]
    for t in threads:
        t.start()
    for value in values[1:]:
        time.sleep(0.5)
        with working_copy(published) as work:
            c = duckdb.connect(str(work))
            c.execute("update marts.promise_scorecard set rate = ? where standard_id = 'PLEDGE-6-999'",
                      [value])
            c.close()
    deadline = time.time() + 30
    while round(values[-1], 4) not in seen and time.time() < deadline:
        time.sleep(0.1)
    stop.set()
    for t in threads:
        t.join()
    assert errors == []
    assert seen <= {round(v, 4) for v in values}
    assert round(values[-1], 4) in seen and len(seen) >= 2
    assert reads[0] > SESSIONS
    print(f"{reads[0]} page reads by {SESSIONS} sessions through {BUILDS} publishes: {len(errors)} errors; "
          f"figures seen {sorted(seen)}")
