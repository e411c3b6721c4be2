"""Blue/green publishing of the warehouse file.

The published file (what the dashboard and analysts open, read-only) is never opened for
writing. A load or a build works on a private copy; only when the copy is complete (and, for a
build, tested and checked) does it replace the published file with an atomic rename, the old
one kept beside it for `citizen-focus rollback`. So:

- readers always see a complete warehouse, before or after, never half of one;
- a killed load or build leaves the published file as it was, and its abandoned working copy
  is removed by the next run;
- loads and builds are serialised by an advisory lock (released by the kernel if the process
  dies), and the second one is told "another load or build is running" instead of waiting.
"""

from __future__ import annotations

import fcntl
import os
import shutil
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
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _publish(work: Path, published: Path) -> None:
    """Atomically makes `work` the published file; the old one becomes the .previous file."""
    con = duckdb.connect(str(work))
    con.execute("checkpoint")  # fold the WAL into the file: a published file is self-contained
    con.close()
    if published.exists():
        staged = published.with_name(published.name + ".prev-tmp")
        staged.unlink(missing_ok=True)
        os.link(published, staged)  # same inode: the published path never goes missing
        os.replace(staged, previous_path(published))
    os.replace(work, published)
    _fsync_dir(published.parent)


@contextmanager
def working_copy(published: Path) -> Iterator[Path]:
    """A private copy of the published warehouse to change; published on clean exit only.

    The body may raise `DoNotPublish` to discard the copy without it being an error.
    """
    with exclusive(published):
        for stale in _stale_work_dirs(published):  # left by a killed run: nobody holds the lock
            shutil.rmtree(stale, ignore_errors=True)
        work = _work_path(published)
        work.parent.mkdir()
        try:
            if published.exists():
                shutil.copyfile(published, work)
            try:
                yield work
            except DoNotPublish:
                return
            _publish(work, published)
        finally:
            shutil.rmtree(work.parent, ignore_errors=True)


class DoNotPublish(Exception):
    """Raised inside `working_copy` to throw the copy away (a failed build or check)."""


def rollback(published: Path) -> None:
    """Swaps the published file with the previous one (so a second rollback undoes the first)."""
    previous = previous_path(published)
    with exclusive(published):
        if not previous.exists():
            raise FileNotFoundError(f"{previous}: no previous build to roll back to")
        staged = published.with_name(published.name + ".swap-tmp")
        staged.unlink(missing_ok=True)
        os.link(published, staged)
        os.replace(previous, published)
        os.replace(staged, previous)
        _fsync_dir(published.parent)
