"""Blue/green publishing: readers never see half a warehouse, crashes lose nothing, runs serialise."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from warehouse_builder import cli, query

from citizen_focus.publish import exclusive, previous_path

CALLS_HEADER = "call_id,line,received_at,answered_at\n"


def _calls_file(path: Path, ids: range) -> Path:
    path.write_text(CALLS_HEADER + "".join(f"c{i},999,2008-06-01T10:00:00Z,2008-06-01T10:00:05Z\n" for i in ids))
    return path


def _big_calls_file(path: Path, rows: int) -> Path:
    con = duckdb.connect()
    con.execute(
        f"copy (select 'big' || i as call_id, '999' as line, '2008-06-01T10:00:00Z' as received_at, "
        f"'2008-06-01T10:00:05Z' as answered_at from range({rows}) t(i)) to '{path}' (header, delimiter ',')"
    )
    con.close()
    return path


def _count_calls(db: Path) -> int:
    return query(db, "select count(*) from raw.calls")[0][0]


def _spawn(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    exe = Path(sys.executable).with_name("citizen-focus")
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.Popen([str(exe), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=full_env, start_new_session=True)


def _wait_for_work_dir(db: Path, timeout: float = 30) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if any(db.parent.glob(f".{db.stem}.work-*/{db.name}")):
            return
        time.sleep(0.05)
    raise AssertionError("the run never started its working copy")


def test_ingest_publishes_a_new_file_and_keeps_the_previous(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    assert cli("ingest", str(_calls_file(tmp_path / "calls_1.csv", range(3))), "--db", str(db)).returncode == 0
    first_inode = db.stat().st_ino
    assert cli("ingest", str(_calls_file(tmp_path / "calls_2.csv", range(3, 5))), "--db", str(db)).returncode == 0
    assert db.stat().st_ino != first_inode  # a new file replaced it: open readers keep the old one
    assert _count_calls(db) == 5
    assert _count_calls(previous_path(db)) == 3
    assert not list(tmp_path.glob(".w.work-*"))

    rolled = cli("rollback", "--db", str(db))
    assert rolled.returncode == 0, rolled.stderr
    assert _count_calls(db) == 3
    assert _count_calls(previous_path(db)) == 5


def test_a_second_run_is_told_another_is_running(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with exclusive(db):
        result = cli("ingest", str(_calls_file(tmp_path / "calls_1.csv", range(3))), "--db", str(db))
    assert result.returncode == 2
    assert "another load or build is running" in result.stderr
    assert not db.exists()


def test_killing_a_load_midway_leaves_the_published_warehouse_as_it_was(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    assert cli("ingest", str(_calls_file(tmp_path / "calls_small.csv", range(10))), "--db", str(db)).returncode == 0
    before = db.read_bytes()
    big = _big_calls_file(tmp_path / "calls_big.csv", 3_000_000)
    proc = _spawn("ingest", str(big), "--db", str(db))
    _wait_for_work_dir(db)
    time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert db.read_bytes() == before  # not a byte changed
    assert _count_calls(db) == 10  # and it opens and reads

    again = cli("ingest", str(big), "--db", str(db))  # the next run recovers by itself
    assert again.returncode == 0, again.stderr
    assert _count_calls(db) == 3_000_010
    assert not list(tmp_path.glob(".w.work-*"))


@pytest.mark.slow
def test_killing_a_build_midway_leaves_the_published_warehouse_readable(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    assert cli("ingest", str(_calls_file(tmp_path / "calls_small.csv", range(10))), "--db", str(db)).returncode == 0
    before = db.read_bytes()
    env = {"DBT_TARGET_PATH": str(tmp_path / "target"), "DBT_LOG_PATH": str(tmp_path / "logs")}
    proc = _spawn("build", "--db", str(db), env=env)
    _wait_for_work_dir(db)
    time.sleep(2.0)  # dbt is parsing or running by now
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert db.read_bytes() == before
    assert _count_calls(db) == 10

    rebuilt = cli("build", "--db", str(db), "--select", "staging", env=env)
    assert rebuilt.returncode == 0, rebuilt.stdout[-3000:] + rebuilt.stderr
    assert query(db, "select count(*) from staging.stg_telephony__calls")[0][0] == 10


def test_a_failed_build_publishes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    assert cli("ingest", str(_calls_file(tmp_path / "calls_small.csv", range(10))), "--db", str(db)).returncode == 0
    before = db.read_bytes()
    # dbt cannot write its target folder: the build fails, whatever the data
    env = {"DBT_TARGET_PATH": "/proc/not-writable/target", "DBT_LOG_PATH": str(tmp_path / "logs")}
    result = cli("build", "--db", str(db), env=env)
    assert result.returncode == 1
    assert "nothing published, the warehouse is as it was" in result.stderr
    assert db.read_bytes() == before
    assert not list(tmp_path.glob(".w.work-*"))
