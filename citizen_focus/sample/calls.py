"""Telephony: calls presented to the force's queues, answered or abandoned.

Volume per London day follows the season and the day of the week (bank holidays count as
Sundays); the hour of each call follows a weekday or weekend profile. How long callers wait
depends on the load of that hour and month: a call at 6 pm in July queues more often than one at
4 am in February, so the 999 service level varies over the day and the year like a real one.
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass

import numpy as np

from citizen_focus.sample import params as P
from citizen_focus.sample.areas import ForceAreas
from citizen_focus.sample.clock import DAY, HOUR, NULL, US
from citizen_focus.sample.period import Period

LINES = ("999", "101", "0300", "textphone", "other")
L999, L101, L0300, LTEXT, LOTHER = range(5)


@dataclass
class Calls:
    received: np.ndarray  # µs UTC, sorted
    answered: np.ndarray  # µs UTC or NULL
    abandoned_at: np.ndarray  # µs UTC or NULL
    is_abandoned: np.ndarray  # bool
    line: np.ndarray  # index into LINES
    borough: np.ndarray  # area index or -1
    handler: np.ndarray  # staff number or -1
    month: np.ndarray  # London YYYYMM of received
    seq: np.ndarray  # sequence within the month
    load: np.ndarray  # relative load of the call's hour (1 = average)

    @property
    def n(self) -> int:
        return len(self.received)


def day_loads(period: Period) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per London day of the period: day number, relative load, weekend-or-holiday flag."""
    days = np.arange(period.first_day, period.end_day, dtype=np.int64)
    as_date = days.astype("datetime64[D]")
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday (3)
    month = as_date.astype("datetime64[M]").astype(np.int64) % 12
    holiday = np.isin(as_date, period.london.bank_holidays)
    weekday = np.where(holiday, 6, weekday)
    load = np.asarray(P.MONTH_LOAD)[month] * np.asarray(P.WEEKDAY_LOAD)[weekday]
    return days, load, (weekday >= 5)


def _lognormal(rng: np.random.Generator, median: float, sigma: float, n: int) -> np.ndarray:
    return median * np.exp(sigma * rng.standard_normal(n))


def _waits(rng: np.random.Generator, n: int, load: np.ndarray, fast: tuple[float, float],
           queue: tuple[float, float], queue_share: float) -> np.ndarray:
    """Seconds to answer: a fast log-normal or, with a probability growing with load, a queued one."""
    queued = rng.random(n) < np.clip(queue_share * load**2, 0, 0.8)
    return np.where(queued, _lognormal(rng, *queue, n), _lognormal(rng, *fast, n))


def generate_calls(rng: np.random.Generator, period: Period, areas: ForceAreas, scale: float) -> Calls:
    cp = P.CallParams()
    days, day_load, weekend = day_loads(period)
    counts = rng.poisson(P.CALLS_PER_YEAR * scale / 365.25 * day_load)
    n = int(counts.sum())
    day_index = np.repeat(np.arange(len(days)), counts)
    profiles = np.array([P.HOUR_WEEKDAY, P.HOUR_WEEKEND], dtype=float)
    cdf = np.cumsum(profiles / profiles.sum(axis=1, keepdims=True), axis=1)
    kind = weekend[day_index].astype(np.int64)
    hour = np.empty(n, dtype=np.int64)
    u = rng.random(n)
    for k in (0, 1):
        mask = kind == k
        hour[mask] = np.minimum(np.searchsorted(cdf[k], u[mask], side="right"), 23)
    ms_in_hour = rng.integers(0, 3_600_000, n)
    local = days[day_index] * DAY + hour * HOUR + ms_in_hour * 1000
    received = period.london.to_utc(local)
    order = np.argsort(received, kind="stable")
    received, local, hour, day_index = received[order], local[order], hour[order], day_index[order]
    hour_load = profiles[kind[order], hour] / profiles.mean()
    load = hour_load * day_load[day_index]

    # line: 999, the non-emergency number of the time (0300 before 101 was rolled out), textphone, other
    shares = P.LINE_SHARES
    line = rng.choice(4, size=n, p=[shares["999"], shares["non_emergency"], shares["textphone"], shares["other"]])
    cutover = np.datetime64(P.NON_EMERGENCY_101_FROM).astype("datetime64[us]").astype(np.int64)
    non_emergency = np.where(received >= cutover, L101, L0300)
    line = np.select([line == 0, line == 1, line == 2], [L999, non_emergency, LTEXT], LOTHER).astype(np.int8)
    emergency = line == L999

    wait_s = np.where(
        emergency,
        _waits(rng, n, load, (cp.e_fast_median_s, cp.e_fast_sigma), (cp.e_queue_median_s, cp.e_queue_sigma),
               cp.e_queue_share),
        _waits(rng, n, load, (cp.n_fast_median_s, cp.n_fast_sigma), (cp.n_queue_median_s, cp.n_queue_sigma),
               cp.n_queue_share),
    )
    abandon_p = np.where(emergency, cp.e_abandon_share, cp.n_abandon_share) * np.clip(load, 0.3, 3.0) ** 1.5
    is_abandoned = rng.random(n) < abandon_p
    short = rng.random(n) < cp.short_abandon_share
    abandon_s = np.where(short, rng.uniform(0.3, 4.9, n), 5.0 + _lognormal(rng, 20.0, 0.9, n))
    answered = np.where(is_abandoned, NULL, received + np.round(wait_s * 1000).astype(np.int64) * 1000)
    abandoned_at = np.where(is_abandoned, received + np.round(abandon_s * 1000).astype(np.int64) * 1000, NULL)
    abandoned_at = np.where(is_abandoned & (rng.random(n) < cp.abandoned_at_missing_share), NULL, abandoned_at)

    borough = rng.choice(areas.n, size=n, p=areas.volume).astype(np.int64)
    borough = np.where(rng.random(n) < cp.borough_unknown_share, -1, borough)
    handlers = max(20, int(1500 * scale))
    handler = np.where(is_abandoned, -1, rng.integers(1, handlers + 1, n))

    month = _yyyymm(local)
    seq = _seq_within(month)
    return Calls(received, answered, abandoned_at, is_abandoned, line, borough, handler, month, seq, load)


def _yyyymm(local: np.ndarray) -> np.ndarray:
    months = local.astype("datetime64[us]").astype("datetime64[M]").astype(np.int64)
    return (months // 12 + 1970) * 100 + months % 12 + 1


def _seq_within(groups: np.ndarray) -> np.ndarray:
    """1-based position of each row within its run of equal (sorted) group values."""
    n = len(groups)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    first = np.repeat(starts, np.diff(np.r_[starts, n]))
    return np.arange(n) - first + 1


def answered_within(calls: Calls, line: int, seconds: float) -> tuple[int, int]:
    """(numerator, denominator) of the docs/measures.md answer standard, computed on the planted arrays."""
    on_line = calls.line == line
    short = (calls.abandoned_at != NULL) & (calls.abandoned_at - calls.received < 5 * US)
    denominator = on_line & ~short
    met = denominator & (calls.answered != NULL) & (calls.answered - calls.received <= int(seconds * US))
    return int(met.sum()), int(denominator.sum())


def write_calls(writer, path, calls: Calls, areas: ForceAreas, force: str, boolean: tuple[str, str]) -> Future:
    from citizen_focus.sample.fake import staff_id
    from citizen_focus.sample.writer import sql_list

    columns = {
        "month": calls.month, "seq": calls.seq, "line": calls.line.astype(np.int64),
        "received": calls.received, "answered": calls.answered, "abandoned_at": calls.abandoned_at,
        "ab": calls.is_abandoned.astype(np.int64), "borough": calls.borough, "handler": calls.handler,
    }
    select = {
        "call_id": f"'{force}-C' || month::varchar || '-' || lpad(seq::varchar, 7, '0')",
        "line": f"enum_of({sql_list(LINES)}, line)",
        "received_at": "ts_ms(received)",
        "answered_at": "ts_ms(answered)",
        "abandoned": f"case when ab = 1 then '{boolean[0]}' else '{boolean[1]}' end",
        "abandoned_at": "ts_ms(abandoned_at)",
        "borough_code": f"enum_of({sql_list(areas.codes)}, borough)",
        "force_code": f"'{force}'",
        "handler_id": f"case when handler < 0 then null else {staff_id('handler', 'CH')} end",
    }
    return writer.write(path, columns, select)
