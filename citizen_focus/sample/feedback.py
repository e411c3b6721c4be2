"""Complaints, dissatisfaction, compliments and comments, handled on working days.

The Customer Service Unit works Monday-Friday, 09:00-17:30 London, not on bank holidays.
Acknowledgements and responses are planned as "k working days after receipt" (NumPy's business
day arithmetic with the England & Wales bank holidays), so an item received on the Thursday
before Easter is acknowledged the following Tuesday, as in life, and the 24-hour standard fails
more often for items arriving before a weekend.
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass

import numpy as np

from citizen_focus.sample import params as P
from citizen_focus.sample.areas import ForceAreas
from citizen_focus.sample.calls import _lognormal, _seq_within, _yyyymm
from citizen_focus.sample.clock import DAY, HOUR, MINUTE, NULL, US
from citizen_focus.sample.period import Period

TYPES = ("complaint", "dissatisfaction", "compliment", "comment")
CATEGORIES = ("quality_of_service", "direction_and_control", "conduct", "victims_code", "other")
CHANNELS = ("web", "phone", "letter", "email", "front_counter", "other")
OUTCOMES = ("resolved", "upheld", "not_upheld", "referred_to_professional_standards", "withdrawn", "open")
CATEGORY_MIX = {  # per type (assumption)
    "complaint": (0.40, 0.10, 0.30, 0.10, 0.10),
    "dissatisfaction": (0.55, 0.15, 0.10, 0.15, 0.05),
    "compliment": (0.80, 0.0, 0.0, 0.0, 0.20),
    "comment": (0.30, 0.30, 0.0, 0.0, 0.40),
}
CHANNEL_MIX = (0.35, 0.20, 0.10, 0.25, 0.08, 0.02)
OUTCOME_MIX = {
    "complaint": (0.25, 0.20, 0.45, 0.05, 0.05),
    "dissatisfaction": (0.85, 0.05, 0.05, 0.0, 0.05),
}


@dataclass
class Feedback:
    received: np.ndarray
    ftype: np.ndarray
    category: np.ndarray
    channel: np.ndarray
    acknowledged: np.ndarray
    requested: np.ndarray  # 1 yes, 0 no, -1 blank (defaults to yes for complaints/dissatisfaction)
    responded: np.ndarray
    resolved: np.ndarray
    outcome: np.ndarray  # -1 blank
    borough: np.ndarray
    month: np.ndarray
    seq: np.ndarray
    pii: np.ndarray

    @property
    def n(self) -> int:
        return len(self.received)


def _discrete(rng: np.random.Generator, table: tuple[tuple[int, float], ...], n: int) -> np.ndarray:
    values = np.array([v for v, _ in table])
    probs = np.array([p for _, p in table])
    return values[rng.choice(len(values), size=n, p=probs / probs.sum())]


def _working_time(rng: np.random.Generator, london, day: np.ndarray, until_minute: int = 17 * 60 + 30) -> np.ndarray:
    """A random instant between 09:00 and `until_minute` (London) on each given day."""
    minutes = rng.integers(9 * 60, until_minute, len(day))
    return london.to_utc(day * DAY + minutes * MINUTE + rng.integers(0, 60, len(day)) * US)


def generate_feedback(rng: np.random.Generator, period: Period, areas: ForceAreas, scale: float) -> Feedback:
    fp = P.FeedbackParams()
    london = period.london
    days = np.arange(period.first_day, period.end_day, dtype=np.int64)
    weight = np.where(london.is_working_day(days), 1.0, 0.4)
    expected = P.FEEDBACK_PER_YEAR * scale * period.years
    n = int(rng.poisson(expected))
    day = rng.choice(days, size=n, p=weight / weight.sum())
    channel = rng.choice(len(CHANNELS), size=n, p=CHANNEL_MIX)
    online = (channel == 0) | (channel == 3)
    hour_min = np.where(online, rng.integers(0, 24 * 60, n), rng.integers(8 * 60, 19 * 60, n))
    received = london.to_utc(day * DAY + hour_min * MINUTE + rng.integers(0, 60, n) * US)
    order = np.argsort(received, kind="stable")
    received, day, channel = received[order], day[order], channel[order]

    shares = np.array(list(fp.type_shares.values()))
    ftype = rng.choice(4, size=n, p=shares / shares.sum())
    mix = np.cumsum(np.array([CATEGORY_MIX[t] for t in TYPES]), axis=1)
    category = (rng.random(n)[:, None] > mix[ftype]).sum(axis=1).clip(0, 4)
    category = np.where(rng.random(n) < 0.05, -1, category)

    # acknowledgement: same working day if it arrived in office hours, else k working days later
    k = _discrete(rng, fp.ack_working_days, n)
    local_minutes = (london.to_local(received) % DAY) // MINUTE
    in_hours = london.is_working_day(day) & (local_minutes >= 9 * 60) & (local_minutes < 16 * 60)
    same_day = (k == 0) & in_hours
    ack_day = london.add_working_days(day, np.maximum(k, 1))
    ack_later = _working_time(rng, london, ack_day, 13 * 60)  # the morning's acknowledgements
    ack_same = received + np.round(_lognormal(rng, 1.5, 0.6, n).clip(0.05, 1.5) * HOUR / US).astype(np.int64) * US
    acknowledged = np.where(same_day, ack_same, np.maximum(ack_later, received + MINUTE))
    acknowledged = np.where(rng.random(n) < fp.ack_missing_share, NULL, acknowledged)

    handled = ftype <= 1
    requested = np.where(rng.random(n) < fp.response_requested_blank_share, -1,
                         (rng.random(n) >= fp.response_declined_share).astype(np.int64))
    requested = np.where(handled, requested, np.where(rng.random(n) < 0.5, -1, 0))
    wants = handled & (requested != 0)
    r_days = _discrete(rng, fp.response_working_days, n)
    responded = _working_time(rng, london, london.add_working_days(day, r_days))
    responded = np.where(wants, np.maximum(responded, received + MINUTE), NULL)
    resolved = np.where(handled & (responded != NULL),
                        responded + np.round(rng.uniform(0, 10, n) * DAY / US).astype(np.int64) * US, NULL)
    resolved = np.where(handled & (requested == 0),
                        received + np.round(rng.uniform(1, 20, n) * DAY / US).astype(np.int64) * US, resolved)

    as_of = period.as_of
    acknowledged = np.where(acknowledged > as_of, NULL, acknowledged)
    responded = np.where(responded > as_of, NULL, responded)
    resolved = np.where(resolved > as_of, NULL, resolved)
    outcome = np.full(n, -1, dtype=np.int64)
    for t, mix_t in OUTCOME_MIX.items():
        is_t = ftype == TYPES.index(t)
        outcome[is_t] = rng.choice(5, size=int(is_t.sum()), p=mix_t)
    outcome = np.where(handled & (resolved == NULL), OUTCOMES.index("open"), outcome)

    borough = np.where(rng.random(n) < 0.1, -1, rng.choice(areas.n, size=n, p=areas.volume))
    local = london.to_local(received)
    month = _yyyymm(local)
    return Feedback(received, ftype, category, channel, acknowledged, requested, responded, resolved, outcome,
                    borough, month, _seq_within(month),
                    rng.integers(0, 2**40, n))


def timeliness(fb: Feedback, london, as_of: int) -> dict[str, dict[str, int]]:
    """Planted acknowledgement / response timeliness, counted the way docs/measures.md counts it."""
    handled = fb.ftype <= 1
    day = london.local_day(fb.received)
    out = {}
    for name, event, wd, only_requested in (
        ("acknowledged_within_2_working_days", fb.acknowledged, 2, False),
        ("responded_within_10_working_days", fb.responded, 10, True),
    ):
        deadline = london.to_utc((london.add_working_days(day, np.full(len(day), wd)) + 1) * DAY) - US
        base = handled & ((fb.requested != 0) if only_requested else True)
        met = base & (event != NULL) & (event <= deadline)
        pending = base & (event == NULL) & (deadline > as_of)
        out[name] = {"met": int(met.sum()), "denominator": int((base & ~pending).sum())}
    within = handled & (fb.acknowledged != NULL) & (fb.acknowledged - fb.received <= 24 * HOUR)
    pending = handled & (fb.acknowledged == NULL) & (fb.received + 24 * HOUR > as_of)
    out["acknowledged_within_24_hours"] = {"met": int(within.sum()), "denominator": int((handled & ~pending).sum())}
    return out


def write_feedback(writer, path, fb: Feedback, areas: ForceAreas, force: str, boolean: tuple[str, str],
                   london) -> Future:
    """Instants are written in London time with their offset (+01:00 in summer): another accepted form."""
    from citizen_focus.sample.fake import email, feedback_text, person_name, phone
    from citizen_focus.sample.writer import sql_list

    instants = {"received": fb.received, "acknowledged": fb.acknowledged, "responded": fb.responded,
                "resolved": fb.resolved}
    columns = {
        "month": fb.month, "seq": fb.seq, "ftype": fb.ftype, "category": fb.category, "channel": fb.channel,
        **instants, "requested": fb.requested, "outcome": fb.outcome, "borough": fb.borough, "pii": fb.pii,
        **{f"{k}_bst": np.where(v == NULL, 0, london.is_bst(v)).astype(np.int64) for k, v in instants.items()},
    }
    select = {
        "feedback_id": f"'{force}-F' || month::varchar || '-' || lpad(seq::varchar, 5, '0')",
        "feedback_type": f"enum_of({sql_list(TYPES)}, ftype)",
        "category": f"enum_of({sql_list(CATEGORIES)}, category)",
        "channel": f"enum_of({sql_list(CHANNELS)}, channel)",
        "received_at": "ts_london(received, received_bst)",
        "acknowledged_at": "ts_london(acknowledged, acknowledged_bst)",
        "response_requested": f"case requested when 1 then '{boolean[0]}' when 0 then '{boolean[1]}' end",
        "responded_at": "ts_london(responded, responded_bst)",
        "resolved_at": "ts_london(resolved, resolved_bst)",
        "outcome": f"enum_of({sql_list(OUTCOMES)}, outcome)",
        "borough_code": f"enum_of({sql_list(areas.codes)}, borough)",
        "force_code": f"'{force}'",
        "complainant_name": person_name("pii"),
        "complainant_contact": f"case when pii % 2 = 0 then {email('pii')} else {phone('pii')} end",
        "free_text": feedback_text("enum_of(" + sql_list(TYPES) + ", ftype)", "pii"),
    }
    return writer.write(path, columns, select)
