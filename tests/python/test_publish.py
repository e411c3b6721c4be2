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

from citizen_focus.publish import FAULT_ENV, Busy, exclusive, previous_path

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


def _inode(path: Path) -> int:
    return path.stat().st_ino


def _two_publishes(tmp_path: Path) -> Path:
    """A warehouse with 5 calls published and 3 in .previous."""
    db = tmp_path / "w.duckdb"
    assert cli("ingest", str(_calls_file(tmp_path / "calls_1.csv", range(3))), "--db", str(db)).returncode == 0
    assert cli("ingest", str(_calls_file(tmp_path / "calls_2.csv", range(3, 5))), "--db", str(db)).returncode == 0
    assert (_count_calls(db), _count_calls(previous_path(db))) == (5, 3)
    return db


@pytest.mark.parametrize(("point", "published", "previous", "after_rollback"), [
    # killed after the old file was staged, before the new one replaced it: nothing happened
    ("publish:staged", 5, 3, (3, 5)),
    # killed between the two renames: the new file is published; the one it replaced becomes .previous
    ("publish:between-renames", 7, 5, (5, 7)),
])
def test_kill_9_inside_a_publish_leaves_previous_distinct_and_rollback_working(
        tmp_path: Path, point: str, published: int, previous: int, after_rollback: tuple[int, int]) -> None:
    db = _two_publishes(tmp_path)
    killed = cli("ingest", str(_calls_file(tmp_path / "calls_3.csv", range(5, 7))), "--db", str(db),
                 env={FAULT_ENV: point})
    assert killed.returncode == -signal.SIGKILL
    assert not os.path.samefile(db, previous_path(db))  # .previous is never the published file
    assert _count_calls(db) == published

    rolled = cli("rollback", "--db", str(db))  # finishes (or undoes) the interrupted publish first
    assert rolled.returncode == 0, rolled.stderr
    assert (_count_calls(db), _count_calls(previous_path(db))) == after_rollback
    assert not os.path.samefile(db, previous_path(db))
    assert sorted(p.name for p in tmp_path.glob("w.*")) == ["w.duckdb", "w.previous.duckdb"]
    assert (published, previous) == after_rollback[::-1]  # rollback swapped exactly the two builds


@pytest.mark.parametrize("point", ["rollback:staged", "rollback:between-renames"])
def test_kill_9_inside_a_rollback_is_finished_or_undone_by_the_next_run(tmp_path: Path, point: str) -> None:
    db = _two_publishes(tmp_path)
    killed = cli("rollback", "--db", str(db), env={FAULT_ENV: point})
    assert killed.returncode == -signal.SIGKILL
    assert previous_path(db).exists() is (point == "rollback:staged")  # between: only the stage holds it
    expected = (5, 3) if point == "rollback:staged" else (3, 5)
    assert _count_calls(db) == expected[0]
    again = cli("rollback", "--db", str(db))  # recovers, then rolls back once more
    assert again.returncode == 0, again.stderr
    assert (_count_calls(db), _count_calls(previous_path(db))) == expected[::-1]


def test_a_run_that_only_rejected_files_keeps_the_rollback_target(tmp_path: Path) -> None:
    """Attack: a run whose files were all rejected republished and rotated .previous, so rollback went to
    a copy of the current data. Now its ledger row is published and .previous is left alone."""
    db = _two_publishes(tmp_path)
    previous = _inode(previous_path(db))
    bad = tmp_path / "calls_bad.csv"
    bad.write_text("call_id,received_at\nc9,2008-06-01T10:00:00Z\n")  # no line column: rejected whole
    result = cli("ingest", str(bad), "--db", str(db))
    assert result.returncode == 1
    assert "calls_bad.csv, line 1: rejected: missing required column line" in result.stderr
    assert _inode(previous_path(db)) == previous  # not rotated
    assert query(db, "select file_name, status from raw.load_ledger order by load_id") == [
        ("calls_1.csv", "loaded"), ("calls_2.csv", "loaded"), ("calls_bad.csv", "rejected")]
    assert sorted(p.name for p in tmp_path.glob("w.*")) == ["w.duckdb", "w.previous.duckdb"]
    assert cli("ingest", str(bad), "--db", str(db)).returncode == 1  # and again: still the same target
    assert _inode(previous_path(db)) == previous
    assert cli("rollback", "--db", str(db)).returncode == 0
    assert (_count_calls(db), _count_calls(previous_path(db))) == (3, 5)  # the build before the last load


def _children(pid: int) -> list[int]:
    """Processes whose parent is `pid` (from /proc/*/stat)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
def test_kill_9_of_the_build_takes_its_dbt_child_and_never_frees_the_lock_early(tmp_path: Path) -> None:
    db = _two_publishes(tmp_path)
    before, before_previous = db.read_bytes(), previous_path(db).read_bytes()
    env = {"DBT_TARGET_PATH": str(tmp_path / "target"), "DBT_LOG_PATH": str(tmp_path / "logs")}
    proc = _spawn("build", "--db", str(db), env=env)
    deadline = time.time() + 60
    while not (dbt := _children(proc.pid)) and time.time() < deadline:
        time.sleep(0.05)
    assert dbt, "the build never started dbt"
    time.sleep(1.0)  # dbt is parsing or running
    os.kill(proc.pid, signal.SIGKILL)  # the build only, not its process group
    proc.wait(timeout=30)
    deadline = time.time() + 30
    while _alive(dbt[0]):
        try:  # while dbt lives, the lock is held: nothing can start beside it
            with exclusive(db):
                raise AssertionError("the lock was free while the killed build's dbt child still ran")
        except Busy:
            pass
        assert time.time() < deadline, "dbt outlived the killed build"
        time.sleep(0.02)
    assert db.read_bytes() == before and previous_path(db).read_bytes() == before_previous

    rebuilt = cli("build", "--db", str(db), "--select", "staging", env=env)
    assert rebuilt.returncode == 0, rebuilt.stdout[-3000:] + rebuilt.stderr
    assert query(db, "select count(*) from staging.stg_telephony__calls")[0][0] == 5
    assert _count_calls(previous_path(db)) == 5  # the build replaced the 5-call file; rollback brings it back
    assert cli("rollback", "--db", str(db)).returncode == 0
    assert db.read_bytes() == before
