"""CAD incidents raised by calls: grades, attendance with long tails, appointments, cancellations.

Emergency (E) incidents come from answered 999 calls, the others mostly from non-emergency
calls. Attendance times are log-normal, slower in rural areas and at busy hours; grade S gets an
appointment and an arrival near it; grade R is resolved without deployment. Anything that would
happen after the extract's as-of time is left empty (not yet happened), as in a real extract.
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass

import numpy as np

from citizen_focus.sample import params as P
from citizen_focus.sample.areas import ForceAreas
from citizen_focus.sample.calls import L999, Calls, _lognormal, _seq_within, _yyyymm
from citizen_focus.sample.clock import HOUR, MINUTE, NULL, US
from citizen_focus.sample.period import Period

TYPES = tuple(P.INCIDENT_TYPES)
GRADES = ("E", "P", "S", "R")
GE, GP, GS, GR = range(4)


@dataclass
class Incidents:
    created: np.ndarray
    call: np.ndarray  # index into calls or -1
    grade: np.ndarray
    itype: np.ndarray  # index into TYPES
    borough: np.ndarray
    rural: np.ndarray  # bool
    area_type_missing: np.ndarray  # bool
    arrival: np.ndarray
    appointment: np.ndarray
    cancelled: np.ndarray
    closed: np.ndarray
    late: np.ndarray  # E/P attended beyond the Pledge threshold, or never attended (not cancelled)
    is_crime: np.ndarray
    month: np.ndarray
    seq: np.ndarray
    pii: np.ndarray

    @property
    def n(self) -> int:
        return len(self.created)


def _take(rng: np.random.Generator, pool: np.ndarray, k: int) -> np.ndarray:
    return rng.choice(pool, size=k, replace=k > len(pool)) if k else np.zeros(0, dtype=np.int64)


def generate_incidents(rng: np.random.Generator, period: Period, areas: ForceAreas, calls: Calls) -> Incidents:
    ip = P.IncidentParams()
    n = int(round(calls.n * P.INCIDENTS_PER_YEAR / P.CALLS_PER_YEAR))
    shares = np.array([s for s, _ in P.INCIDENT_TYPES.values()])
    itype = rng.choice(len(TYPES), size=n, p=shares / shares.sum())
    grade_cdf = np.cumsum(np.array([g for _, g in P.INCIDENT_TYPES.values()]), axis=1)
    grade = (rng.random(n)[:, None] > grade_cdf[itype]).sum(axis=1).clip(0, 3)

    answered = calls.answered != NULL
    pool_999 = rng.permutation(np.flatnonzero(answered & (calls.line == L999)))
    pool_other = rng.permutation(np.flatnonzero(answered & (calls.line != L999)))
    call = np.empty(n, dtype=np.int64)
    is_e = grade == GE
    n_e = int(is_e.sum())
    call[is_e] = pool_999[:n_e] if n_e <= len(pool_999) else _take(rng, pool_999, n_e)
    call[~is_e] = pool_other[: n - n_e] if n - n_e <= len(pool_other) else _take(rng, pool_other, n - n_e)

    delay_s = np.where(is_e, _lognormal(rng, 90.0, 0.5, n), _lognormal(rng, 240.0, 0.7, n))
    created = calls.answered[call] + np.round(delay_s).astype(np.int64) * US
    created -= created % US  # CAD records whole seconds
    borough = calls.borough[call]
    borough = np.where(borough < 0, rng.choice(areas.n, size=n, p=areas.volume), borough)
    load = calls.load[call]
    call = np.where(rng.random(n) < ip.call_missing_share, -1, call)

    rural = rng.random(n) < areas.rural[borough]
    area_type_missing = rng.random(n) < ip.area_type_missing_share
    cancel_p = np.array([ip.cancelled_share[g] for g in GRADES])[grade]
    cancelled = rng.random(n) < cancel_p

    slow = np.sqrt(np.clip(load, 0.3, 3.0))  # busy hours stretch travel and queueing for a unit
    e_minutes = np.where(
        rural & ~area_type_missing,
        _lognormal(rng, ip.e_rural_median_min, ip.e_rural_sigma, n),
        _lognormal(rng, ip.e_urban_median_min, ip.e_urban_sigma, n),
    ) * slow
    p_minutes = _lognormal(rng, ip.p_median_min, ip.p_sigma, n) * slow
    appointment_h = _lognormal(rng, ip.appointment_median_h, ip.appointment_sigma, n)
    appointment = created + np.round(appointment_h * HOUR).astype(np.int64)
    appointment = appointment - appointment % HOUR + HOUR  # on the hour, after creation
    appointment_late = rng.random(n) < ip.appointment_late_share
    s_offset = np.where(appointment_late, rng.uniform(31, 240, n), rng.normal(-5.0, 12.0, n).clip(-45, 29))
    arrival = np.select(
        [grade == GE, grade == GP, grade == GS],
        [created + np.round(e_minutes * MINUTE).astype(np.int64),
         created + np.round(p_minutes * MINUTE).astype(np.int64),
         np.maximum(appointment + np.round(s_offset * MINUTE).astype(np.int64), created + MINUTE)],
        NULL,
    )
    arrival -= np.where(arrival == NULL, 0, arrival % US)
    never = (grade <= GP) & (rng.random(n) < ip.not_attended_share)
    arrival = np.where(cancelled | never, NULL, arrival)
    appointment = np.where(grade == GS, appointment, NULL)

    as_of = period.as_of
    start = np.where(arrival == NULL, created, arrival)
    closed = start + np.round(_lognormal(rng, 2.0, 1.0, n) * HOUR).astype(np.int64)
    closed -= closed % US
    arrival = np.where(arrival > as_of, NULL, arrival)
    appointment = np.where(appointment > as_of, NULL, appointment)
    closed = np.where(closed > as_of, NULL, closed)

    threshold = np.where(grade == GE, np.where(rural & ~area_type_missing, 20, 15), 60) * MINUTE
    late = (grade <= GP) & ~cancelled & ((arrival == NULL) | (arrival - created > threshold))

    crime_type = np.isin(np.array(TYPES)[itype], P.CRIME_TYPES)
    crime_type &= (np.array(TYPES)[itype] != "other") | (rng.random(n) < 0.5)
    is_crime = crime_type & ~cancelled & (rng.random(n) < ip.crime_share)

    order = np.argsort(created, kind="stable")
    inc = Incidents(created, call, grade, itype, borough, rural, area_type_missing, arrival, appointment,
                    cancelled, closed, late, is_crime, np.zeros(n, np.int64), np.zeros(n, np.int64),
                    rng.integers(0, 2**40, n))
    for name in inc.__dataclass_fields__:
        setattr(inc, name, getattr(inc, name)[order])
    inc.month = _yyyymm(period.london.to_local(inc.created))
    inc.seq = _seq_within(inc.month)
    return inc


def attended_within(inc: Incidents, grade: int, minutes_urban: int, minutes_rural: int, as_of: int) -> tuple[int, int]:
    """(met, denominator) as docs/measures.md counts it: not cancelled, pending excluded."""
    base = (inc.grade == grade) & ~inc.cancelled
    limit = np.where(inc.rural & ~inc.area_type_missing, minutes_rural, minutes_urban) * MINUTE
    met = base & (inc.arrival != NULL) & (inc.arrival - inc.created <= limit)
    pending = base & (inc.arrival == NULL) & (inc.created + limit > as_of)
    return int(met.sum()), int((base & ~pending).sum())


def incident_id_sql(force: str) -> str:
    return f"'{force}-I' || month::varchar || '-' || lpad(seq::varchar, 6, '0')"


def write_incidents(writer, path, inc: Incidents, calls: Calls, areas: ForceAreas, force: str, town: str,
                    boolean: tuple[str, str]) -> Future:
    from citizen_focus.sample.fake import address, person_name, phone
    from citizen_focus.sample.writer import sql_list

    has_call = inc.call >= 0
    safe = np.where(has_call, inc.call, 0)
    columns = {
        "month": inc.month, "seq": inc.seq, "call_month": np.where(has_call, calls.month[safe], -1),
        "call_seq": calls.seq[safe], "created": inc.created, "grade": inc.grade.astype(np.int64),
        "itype": inc.itype.astype(np.int64), "borough": inc.borough,
        "area": np.where(inc.area_type_missing, -1, inc.rural.astype(np.int64)),
        "arrival": inc.arrival, "appointment": inc.appointment, "cancelled": inc.cancelled.astype(np.int64),
        "closed": inc.closed, "pii": inc.pii,
    }
    select = {
        "incident_id": incident_id_sql(force),
        "call_id": f"case when call_month < 0 then null else '{force}-C' || call_month::varchar || '-' "
                   "|| lpad(call_seq::varchar, 7, '0') end",
        "created_at": "ts_z(created)",
        "grade": f"enum_of({sql_list(GRADES)}, grade)",
        "incident_type": f"enum_of({sql_list(TYPES)}, itype)",
        "borough_code": f"enum_of({sql_list(areas.codes)}, borough)",
        "area_type": "enum_of(['urban', 'rural'], area)",
        "first_arrival_at": "ts_z(arrival)",
        "appointment_at": "ts_z(appointment)",
        "attendance_cancelled": f"case when cancelled = 1 then '{boolean[0]}' else '{boolean[1]}' end",
        "closed_at": "ts_z(closed)",
        "force_code": f"'{force}'",
        "caller_name": person_name("pii"),
        "caller_phone": phone("pii"),
        "location_text": address("pii", town),
    }
    return writer.write(path, columns, select)
