"""Wall time and peak memory of a command, measured on the process itself (not estimated)."""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Measurement:
    seconds: float
    peak_rss_mb: float
    returncode: int
    output_tail: str = ""


def run_measured(command: list[str], env: dict[str, str] | None = None, cwd: str | None = None) -> Measurement:
    """Runs a command to completion; its peak resident memory comes from the kernel (wait4 rusage).

    ru_maxrss is the largest resident set of the waited-for process and, as the kernel accounts
    it, of its descendants that it waited for: dbt and DuckDB run inside the measured process.
    """
    start = time.perf_counter()
    proc = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = proc.stdout.read() if proc.stdout else b""
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    tail = output.decode("utf-8", errors="replace")[-3000:]
    return Measurement(seconds, usage.ru_maxrss / 1024, proc.returncode, tail)
