"""The period a dataset covers and the random streams of one force.

Each force and each extract gets its own NumPy generator derived from (seed, force code, stream
name), so a force's data do not change when other forces are added to the run, and adding a
column to one extract does not shift the random numbers of another.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from citizen_focus.sample.clock import DAY, London, add_months, month_start_us


@dataclass(frozen=True)
class Period:
    start_year: int
    start_month: int
    months: int
    london: London

    @classmethod
    def parse(cls, start: str, months: int) -> Period:
        try:
            year, month = (int(p) for p in start.split("-"))
        except ValueError:
            raise ValueError(f"--start {start!r} is not YYYY-MM") from None
        if not (1 <= month <= 12 and 1990 <= year <= 2100):
            raise ValueError(f"--start {start!r} is not a month between 1990-01 and 2100-12")
        if months < 1:
            raise ValueError(f"--months {months} must be at least 1")
        end_year, _ = add_months(year, month, months)
        return cls(year, month, months, London(year, end_year))

    @property
    def first_day(self) -> int:
        """First London day (days since epoch)."""
        return month_start_us(self.start_year, self.start_month) // DAY

    @property
    def end_day(self) -> int:
        """London day after the last day of the period."""
        return month_start_us(*add_months(self.start_year, self.start_month, self.months)) // DAY

    @property
    def as_of(self) -> int:
        """The extract's as-of instant (µs UTC): midnight London at the end of the period."""
        return int(self.london.to_utc(np.array([self.end_day * DAY]))[0])

    @property
    def years(self) -> float:
        return (self.end_day - self.first_day) / 365.25


def stream(seed: int, force: str, name: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(force.encode()), zlib.crc32(name.encode())])
