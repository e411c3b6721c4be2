"""Europe/London time and working days on NumPy arrays of instants (int64 microseconds, UTC).

The generator plans events in London wall-clock time (calls peak at 6 pm London, not UTC) and
writes UTC instants. British Summer Time runs from 01:00 UTC on the last Sunday of March to
01:00 UTC on the last Sunday of October; a search over those switch instants converts millions
of values at once. Working days use the same England & Wales bank holidays as the warehouse's
seed (both come from the `holidays` library), so planted timeliness matches what the marts count.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta

import holidays
import numpy as np

US = 1_000_000
MINUTE = 60 * US
HOUR = 3600 * US
DAY = 86400 * US
NULL = np.iinfo(np.int64).min  # a missing instant


def _last_sunday(year: int, month: int) -> date:
    last = date(year, month, calendar.monthrange(year, month)[1])
    return last - timedelta(days=(last.weekday() - 6) % 7)


def _switches(first_year: int, last_year: int) -> np.ndarray:
    """BST start/end instants (µs), sorted: even index = start of BST, odd = end."""
    out = []
    for year in range(first_year, last_year + 1):
        for month in (3, 10):
            d = _last_sunday(year, month)
            out.append(int(datetime(d.year, d.month, d.day, 1, tzinfo=UTC).timestamp()) * US)
    return np.array(out, dtype=np.int64)


class London:
    """Conversions for the years a dataset spans (plus a margin)."""

    def __init__(self, first_year: int, last_year: int) -> None:
        self.switches = _switches(first_year - 1, last_year + 2)
        hol = holidays.country_holidays("GB", subdiv="ENG", years=range(first_year - 1, last_year + 3))
        self.bank_holidays = np.array(sorted(hol.keys()), dtype="datetime64[D]")

    def is_bst(self, utc: np.ndarray) -> np.ndarray:
        return (np.searchsorted(self.switches, utc, side="right") % 2) == 1

    def to_utc(self, local: np.ndarray) -> np.ndarray:
        """London wall-clock µs -> UTC instant; the autumn repeated hour is its first (BST) occurrence."""
        guess = local - HOUR
        return np.where(self.is_bst(guess), guess, local)

    def to_local(self, utc: np.ndarray) -> np.ndarray:
        return utc + np.where(self.is_bst(utc), HOUR, 0)

    def local_day(self, utc: np.ndarray) -> np.ndarray:
        """London calendar date as days since 1970-01-01."""
        return np.floor_divide(self.to_local(utc), DAY)

    def is_working_day(self, day: np.ndarray) -> np.ndarray:
        return np.is_busday(day.astype("datetime64[D]"), holidays=self.bank_holidays)

    def add_working_days(self, day: np.ndarray, n: np.ndarray) -> np.ndarray:
        """The n-th working day after `day` (day itself not counted); n = 0: day if working, else the next."""
        d = day.astype("datetime64[D]")
        rolled = np.busday_offset(d, 0, roll="forward", holidays=self.bank_holidays)
        # from a working day, offset n; from a non-working day the first working day is already "1"
        start = np.where(rolled == d, n, np.maximum(n - 1, 0))
        return np.busday_offset(rolled, start, roll="forward", holidays=self.bank_holidays).astype(np.int64)


def month_start_us(year: int, month: int) -> int:
    return int(datetime(year, month, 1, tzinfo=UTC).timestamp()) * US


def add_months(year: int, month: int, n: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + n
    return index // 12, index % 12 + 1


def yyyymm(local_us: np.ndarray) -> np.ndarray:
    """London month of each local instant as an integer YYYYMM."""
    months = local_us.astype("datetime64[us]").astype("datetime64[M]").astype(np.int64)
    return (months // 12 + 1970) * 100 + months % 12 + 1
