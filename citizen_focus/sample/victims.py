"""Victim care log: recording, Victim Support referral, updates (gaps), arrests, charges, opt-outs, closures.

Each crime comes from an incident. Most officers update their victims every 5-27 days; a
"neglected" minority drift to 20-60 day gaps, which fail the 28-day update standard and, when
the victim is surveyed, lower satisfaction with being kept informed. Updates are planned as a
(crimes x max_updates) matrix of gaps, so the whole log is built without a loop over crimes.
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass

import numpy as np

from citizen_focus.sample import params as P
from citizen_focus.sample.calls import _lognormal, _seq_within, _yyyymm
from citizen_focus.sample.clock import DAY, HOUR, MINUTE, US
from citizen_focus.sample.incidents import Incidents
from citizen_focus.sample.period import Period

CONTACT_TYPES = ("recorded", "update", "victim_support_referral", "arrest", "charge", "closure", "opt_out")
RECORDED, UPDATE, REFERRAL, ARREST, CHARGE, CLOSURE, OPT_OUT = range(7)
FAR = np.iinfo(np.int64).max // 4  # "never" for comparisons


@dataclass
class Crimes:
    incident: np.ndarray  # index into incidents
    recorded: np.ndarray
    updates: np.ndarray  # (crimes, K) planned update instants, FAR when none
    update_type: np.ndarray  # (crimes, K) contact type of each update
    closure: np.ndarray  # planned instant (may be after as-of)
    opt_out: np.ndarray  # instant or FAR
    referral: np.ndarray  # instant or FAR
    neglected: np.ndarray
    month: np.ndarray
    seq: np.ndarray
    pii: np.ndarray

    @property
    def n(self) -> int:
        return len(self.recorded)


def generate_crimes(rng: np.random.Generator, period: Period, inc: Incidents) -> Crimes:
    vp = P.VictimParams()
    idx = np.flatnonzero(inc.is_crime)
    n = len(idx)
    recorded = inc.created[idx] + np.round(_lognormal(rng, 45.0, 1.0, n) * MINUTE).astype(np.int64)
    recorded -= recorded % US
    order = np.argsort(recorded, kind="stable")
    idx, recorded = idx[order], recorded[order]

    neglected = rng.random(n) >= vp.diligent_share
    k = vp.max_updates
    gaps_days = np.where(
        neglected[:, None],
        _lognormal(rng, vp.neglected_median_days, vp.neglected_sigma, n * k).reshape(n, k),
        rng.uniform(5.0, 27.0, (n, k)),
    )
    updates = recorded[:, None] + np.cumsum(np.round(gaps_days * DAY / US).astype(np.int64) * US, axis=1)
    closure = recorded + np.round((2.0 + rng.exponential(vp.closure_mean_days, n)) * DAY / US).astype(np.int64) * US
    opt_out = np.where(rng.random(n) < vp.opt_out_share,
                       recorded + np.round(rng.uniform(1 / 24, 30.0, n) * DAY / US).astype(np.int64) * US, FAR)
    referral = np.where(rng.random(n) < vp.referral_share,
                        recorded + np.round(_lognormal(rng, vp.referral_median_h, vp.referral_sigma, n)
                                            * HOUR / US).astype(np.int64) * US, FAR)
    # updates stop at closure and at an opt-out
    updates = np.where(updates < np.minimum(closure, opt_out)[:, None], updates, FAR)
    update_type = np.full((n, k), UPDATE, dtype=np.int8)
    arrested = rng.random(n) < vp.arrest_share
    update_type[:, 0] = np.where(arrested, ARREST, UPDATE)
    update_type[:, 1] = np.where(arrested & (rng.random(n) < vp.charge_share / vp.arrest_share), CHARGE, UPDATE)
    local = period.london.to_local(recorded)
    month = _yyyymm(local)
    return Crimes(idx, recorded, updates, update_type, closure, opt_out, referral, neglected, month,
                  _seq_within(month), rng.integers(0, 2**40, n))


def update_gap_missed(cr: Crimes, which: np.ndarray, cutoff: np.ndarray) -> np.ndarray:
    """For crimes `which` and cut-off instants: 1 = some 28-day window failed before the cut-off,
    0 = every completed window met (at least one update given), -1 = undetermined.

    Mirrors int_survey_responses_joined_to_victim_updates: points are the recording and every
    update (update, arrest, charge, closure) up to end = min(cut-off, closure, opt-out); the
    longest gap between consecutive points, or from the last point to the end, decides.
    """
    recorded = cr.recorded[which]
    closure = cr.closure[which]
    end = np.minimum(np.minimum(cutoff, closure), cr.opt_out[which])
    ups = cr.updates[which]
    points = np.concatenate([recorded[:, None], ups, closure[:, None]], axis=1)
    valid = points <= end[:, None]
    valid[:, 0] = True
    filled = np.where(valid, points, end[:, None])
    steps = np.diff(np.concatenate([filled, end[:, None]], axis=1), axis=1)
    longest = steps.max(axis=1)
    any_update = valid[:, 1:].any(axis=1)
    result = np.where(longest > 28 * DAY, 1, np.where(any_update, 0, -1))
    return np.where(recorded < cutoff, result, -1)


def contact_rows(cr: Crimes, as_of: int) -> dict[str, np.ndarray]:
    """The log as long arrays: crime index, contact type, instant; sorted by crime then time."""
    n, k = cr.updates.shape
    crime = np.concatenate([np.arange(n)] * (k + 4))
    kind = np.concatenate([
        np.full(n, RECORDED), cr.update_type.T.ravel().astype(np.int64), np.full(n, REFERRAL),
        np.full(n, CLOSURE), np.full(n, OPT_OUT)])
    at = np.concatenate([cr.recorded, cr.updates.T.ravel(), cr.referral, cr.closure, cr.opt_out])
    keep = at <= as_of
    # a referral after an opt-out is not made; a closure after an opt-out is still logged
    keep &= ~((kind == REFERRAL) & (at > cr.opt_out[crime]))
    crime, kind, at = crime[keep], kind[keep], at[keep]
    order = np.lexsort((kind, at, crime))
    crime, kind, at = crime[order], kind[order], at[order]
    return {"crime": crime, "kind": kind, "at": at, "seq": _seq_within(crime)}


def crime_reference_sql(force: str, month: str = "cmonth", seq: str = "cseq") -> str:
    return f"'{force}-CR' || {month}::varchar || '-' || lpad({seq}::varchar, 6, '0')"


def write_victim_contacts(writer, path, cr: Crimes, inc: Incidents, areas, force: str, as_of: int) -> Future:
    from citizen_focus.sample.fake import person_name
    from citizen_focus.sample.incidents import TYPES
    from citizen_focus.sample.writer import sql_list

    rows = contact_rows(cr, as_of)
    c = rows["crime"]
    columns = {
        "cmonth": cr.month[c], "cseq": cr.seq[c], "k": rows["seq"], "kind": rows["kind"], "at_us": rows["at"],
        "borough": inc.borough[cr.incident[c]], "itype": inc.itype[cr.incident[c]].astype(np.int64),
        "pii": cr.pii[c],
    }
    select = {
        "contact_id": f"{crime_reference_sql(force)} || '-' || lpad(k::varchar, 2, '0')",
        "crime_reference": crime_reference_sql(force),
        "contact_type": f"enum_of({sql_list(CONTACT_TYPES)}, kind)",
        "contact_at": "ts_z(at_us)",
        "borough_code": f"enum_of({sql_list(areas.codes)}, borough)",
        "crime_type": f"enum_of({sql_list(TYPES)}, itype)",
        "force_code": f"'{force}'",
        "victim_name": person_name("pii"),
    }
    return writer.write(path, columns, select)

