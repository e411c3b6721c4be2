"""Blue/green publishing of the warehouse file.

The published file (what the dashboard and analysts open, read-only) is never opened for
writing. A load or a build works on a private copy; only when the copy is complete (and, for a
build, tested and checked) does it replace the published file with an atomic rename, the old
one kept beside it for `citizen-focus rollback`. So:

- readers always see a complete warehouse, before or after, never half of one;
- a killed load or build leaves the published file as it was, and its abandoned working copy
  is removed by the next run;
- loads and builds are serialised by an advisory lock (released by the kernel if the process
  dies), and the second one is told "another load or build is running" instead of waiting. A
  child the run starts (dbt) inherits the lock and dies with the run (citizen_focus/dbt_runner.py),
  so no child ever works beside the next run;
- `.previous` is never the published file: a publish or a rollback stages the file that becomes
  the previous one under a third name and renames it last, and the next run (or rollback)
  finishes or undoes a sequence a kill interrupted (`_recover`).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb


class Busy(Exception):
    """Another load or build holds the warehouse lock."""


def previous_path(published: Path) -> Path:
    return published.with_name(published.stem + ".previous" + published.suffix)


def lock_path(published: Path) -> Path:
    return published.with_name("." + published.name + ".lock")


def _staged_path(published: Path) -> Path:
    """Where the file about to become `.previous` waits while the published file is replaced."""
    return published.with_name(published.name + ".prev-tmp")


FAULT_ENV = "CITIZEN_FOCUS_KILL_AT"


def _fault_point(name: str) -> None:
    """Fault injection for the tests (tests/python/test_publish.py): kill -9 of this process at a named
    point between two steps of a publish, when CITIZEN_FOCUS_KILL_AT names it. Does nothing otherwise."""
    if os.environ.get(FAULT_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


_held: dict[Path, int] = {}  # published file -> descriptor of its lock, while this process holds it


def held_lock_fds() -> tuple[int, ...]:
    """The lock descriptors this process holds: a child given them keeps the lock while it lives."""
    return tuple(_held.values())


def _work_path(published: Path) -> Path:
    """The working copy keeps the published file's name, in a private folder beside it: DuckDB
    names the database (catalog) after the file, and dbt's views refer to it by that name."""
    return published.parent / f".{published.stem}.work-{os.getpid()}" / published.name


def _stale_work_dirs(published: Path) -> list[Path]:
    return sorted(published.parent.glob(f".{published.stem}.work-*"))


@contextmanager
def exclusive(published: Path) -> Iterator[None]:
    """Holds the warehouse's lock; raises Busy at once if someone else holds it."""
    published.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path(published), "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Busy(
                f"{published}: another load or build is running on this warehouse; try again when it has finished"
            ) from None
        _held[published] = fh.fileno()
        try:
            _recover(published)
            yield
        finally:
            _held.pop(published, None)
            fcntl.flock(fh, fcntl.LOCK_UN)


def _recover(published: Path) -> None:
    """Finishes or undoes a publish or rollback that a kill interrupted (under the lock).

    A staged file that is still the published file (same inode) was staged before the published
    file changed: the sequence did not happen, the old `.previous` stands, the stage is removed.
    One that differs from the published file is the file the interrupted sequence replaced: it
    becomes `.previous`, as the sequence would have made it.
    """
    staged = _staged_path(published)
    if not staged.exists():
        return
    if published.exists() and os.path.samefile(staged, published):
        staged.unlink()
    else:
        os.replace(staged, previous_path(published))
    _fsync_dir(published.parent)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _publish(work: Path, published: Path, rotate: bool = True) -> None:
    """Atomically makes `work` the published file; the old one becomes the .previous file (unless not
    `rotate`: then the old one is dropped and .previous stays the rollback target it was)."""
    con = duckdb.connect(str(work))
    con.execute("checkpoint")  # fold the WAL into the file: a published file is self-contained
    con.close()
    staged = _staged_path(published)
    if published.exists() and rotate:
        os.link(published, staged)  # the file to become .previous; the published path never goes missing
        _fault_point("publish:staged")
    os.replace(work, published)
    _fault_point("publish:between-renames")
    if staged.exists():
        os.replace(staged, previous_path(published))  # only now: .previous is never the published file
    _fsync_dir(published.parent)


@contextmanager
def working_copy(published: Path) -> Iterator[Path]:
    """A private copy of the published warehouse to change; published on clean exit only.

    The body may raise `DoNotPublish` to discard the copy without it being an error, or `KeepPrevious`
    to publish it while .previous stays as it is.
    """
    with exclusive(published):
        for stale in _stale_work_dirs(published):  # left by a killed run: nobody holds the lock
            shutil.rmtree(stale, ignore_errors=True)
        work = _work_path(published)
        work.parent.mkdir(mode=0o700)
        try:
            if published.exists():
                shutil.copyfile(published, work)
            try:
                yield work
            except DoNotPublish:
                return
            except KeepPrevious:
                _publish(work, published, rotate=False)
                return
            _publish(work, published)
        finally:
            shutil.rmtree(work.parent, ignore_errors=True)


class DoNotPublish(Exception):
    """Raised inside `working_copy` to throw the copy away (a failed build or check)."""


class KeepPrevious(Exception):  # noqa: N818 (a signal to working_copy, like DoNotPublish)
    """Raised inside `working_copy` to publish the copy without making the published file the new
    .previous: for a run that only recorded rejections in the ledger, so the rollback target stays
    the last build that changed the data."""


def rollback(published: Path) -> None:
    """Swaps the published file with the previous one (so a second rollback undoes the first)."""
    previous = previous_path(published)
    with exclusive(published):
        if not previous.exists():
            raise FileNotFoundError(f"{previous}: no previous build to roll back to")
        if published.exists() and os.path.samefile(previous, published):
            raise FileNotFoundError(f"{previous}: is the published file itself (left by an older version killed "
                                    "mid-publish); there is no other build to roll back to")
        staged = _staged_path(published)
        if published.exists():
            os.link(published, staged)
            _fault_point("rollback:staged")
        os.replace(previous, published)
        _fault_point("rollback:between-renames")
        if staged.exists():
            os.replace(staged, previous)
        _fsync_dir(published.parent)
