"""Caps on what one extract file may hold, as settings (docs/contract.md, "Rules the loader adds").

A file beyond a cap is refused whole with a ledger row naming it, before it can exhaust memory,
disk or time (a 3 MB gzip can expand to gigabytes). Each cap is an environment variable so a
deployment with larger extracts raises it without a code change.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


def _int_env(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip().replace("_", "")
    return int(value) if value.isdigit() and int(value) > 0 else default


@dataclass(frozen=True)
class Limits:
    MAX_FILE_BYTES_ENV = "CITIZEN_FOCUS_MAX_FILE_BYTES"
    MAX_LINES_ENV = "CITIZEN_FOCUS_MAX_FILE_LINES"
    MAX_RECORD_BYTES_ENV = "CITIZEN_FOCUS_MAX_ROW_BYTES"
    MAX_TEMP_ENV = "CITIZEN_FOCUS_MAX_TEMP_DIRECTORY_SIZE"

    # 16 GiB of text: four times a national month of calls (BENCHMARKS.md), far below a bomb's.
    max_file_bytes: int = 16 << 30
    # 100 million lines per file.
    max_lines: int = 100_000_000
    # 1 MiB per record: a record of the contract is a few hundred bytes (free text included).
    max_record_bytes: int = 1 << 20
    # DuckDB's spill space in a load or build (its max_temp_directory_size).
    max_temp: str = "50GiB"

    @classmethod
    def from_env(cls) -> Limits:
        default = cls()
        return cls(
            max_file_bytes=_int_env(cls.MAX_FILE_BYTES_ENV, default.max_file_bytes),
            max_lines=_int_env(cls.MAX_LINES_ENV, default.max_lines),
            max_record_bytes=_int_env(cls.MAX_RECORD_BYTES_ENV, default.max_record_bytes),
            max_temp=os.environ.get(cls.MAX_TEMP_ENV, "").strip() or default.max_temp,
        )
