"""The two hardest compliance rules against independent, literal Python implementations.

A seeded random set of crimes (update gaps clustered around 28 days, exact 28-day gaps, closures,
opt-outs, Victim Support referrals) and of complaints (received around bank holidays and clock
changes, acknowledged and answered a few days later) goes through the real loader and dbt build.
Python then walks the 28-day update windows of docs/measures.md one by one (a loop, not the model's
gap formula) and steps through the calendar day by day for "within N working days" (using the
bank-holiday seed file), and every record's outcome and month must agree with
marts.compliance_records.
"""

from __future__ import annotations

import csv
import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from warehouse_builder import build_warehouse, query

from citizen_focus.config import PROJECT_DIR

LONDON = ZoneInfo("Europe/London")
WINDOW = timedelta(days=28)
UPDATES = {"update", "arrest", "charge", "closure"}
START = datetime(2008, 10, 1, tzinfo=UTC)


def _iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _month(t: datetime) -> date:
    local = t.astimezone(LONDON)
    return date(local.year, local.month, 1)


def _contacts(rng: random.Random) -> list[tuple[str, str, str, datetime]]:
    rows = []
    for n in range(150):
        crime = f"CR{n:03d}"
        t = START + timedelta(days=rng.randint(0, 300), seconds=rng.randint(0, 86399))
        rows.append((f"{crime}-0", crime, "recorded", t))
        if rng.random() < 0.6:
            referral = t + timedelta(hours=rng.choice([1, 48, 49, 100]))
            rows.append((f"{crime}-r", crime, "victim_support_referral", referral))
        for k in range(1, rng.randint(1, 6)):
            gap = rng.choice([timedelta(days=28), timedelta(days=28, seconds=1), timedelta(days=rng.randint(3, 70)),
                              timedelta(days=rng.randint(20, 35), seconds=rng.randint(0, 86399))])
            t = t + gap
            kind = rng.choices(["update", "arrest", "charge", "closure", "opt_out", "victim_support_referral"],
                               [6, 1, 1, 1, 1, 1])[0]
            rows.append((f"{crime}-{k}", crime, kind, t))
    return rows


def _windows(contacts: list[tuple[str, datetime]], as_of: datetime) -> list[tuple[str, date]]:
    """docs/measures.md's 28-day rule, walked window by window."""
    recorded = min(t for kind, t in contacts if kind == "recorded")
    updates = sorted({t for kind, t in contacts if kind in UPDATES and t > recorded})
    closures = [t for kind, t in contacts if kind == "closure" and t >= recorded]
    opt_outs = [t for kind, t in contacts if kind == "opt_out" and t >= recorded]
    closure = min(closures) if closures else None
    opt_out = min(opt_outs) if opt_outs else None
    if closure and opt_out:
        if closure <= opt_out:
            opt_out = None
        else:
            closure = None
    stop = closure or opt_out
    out: list[tuple[str, date]] = []
    t = recorded
    while True:
        end = t + WINDOW
        hits = [u for u in updates if t < u <= end and (stop is None or u <= stop)]
        if hits:
            out.append(("met", _month(hits[0])))
            if closure is not None and hits[0] == closure:
                return out
            t = hits[0]
        elif opt_out is not None and opt_out <= end:
            return out
        elif end < as_of:
            out.append(("missed", _month(end)))
            t = end
        else:
            out.append(("pending", _month(t)))
            return out


def _holidays() -> set[date]:
    with (PROJECT_DIR / "seeds" / "bank_holidays.csv").open() as f:
        return {date.fromisoformat(r["holiday_date"]) for r in csv.DictReader(f)}


def _working_day_deadline(received: datetime, n: int, holidays: set[date]) -> datetime:
    day = received.astimezone(LONDON).date()
    counted = 0
    while counted < n:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in holidays:
            counted += 1
    end = datetime(day.year, day.month, day.day, tzinfo=LONDON) + timedelta(days=1)
    return end.astimezone(UTC) - timedelta(microseconds=1)


def _feedback(rng: random.Random) -> list[tuple[str, datetime, datetime, datetime]]:
    anchors = [date(2008, 12, 24), date(2009, 4, 9), date(2009, 3, 27), date(2009, 5, 1), date(2009, 8, 28),
               date(2008, 10, 24), date(2009, 12, 23), date(2009, 6, 5)]
    rows = []
    for n in range(200):
        d = rng.choice(anchors) + timedelta(days=rng.randint(-2, 2))
        received = datetime(d.year, d.month, d.day, tzinfo=LONDON) + timedelta(seconds=rng.randint(0, 86399))
        ack = received + timedelta(seconds=rng.randint(3600, 7 * 86400))
        responded = received + timedelta(seconds=rng.randint(86400, 20 * 86400))
        rows.append((f"F{n:03d}", received, ack, responded))
    return rows


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, list, list]:
    rng = random.Random(20091)
    contacts = _contacts(rng)
    feedback = _feedback(rng)
    files = {
        "victim_contacts_random.csv": "contact_id,crime_reference,contact_type,contact_at,borough_code\n"
        + "".join(f"{cid},{crime},{kind},{_iso(t)},HK\n" for cid, crime, kind, t in contacts),
        "feedback_random.csv": "feedback_id,feedback_type,received_at,acknowledged_at,responded_at,borough_code\n"
        + "".join(f"{fid},complaint,{_iso(r)},{_iso(a)},{_iso(s)},HK\n" for fid, r, a, s in feedback),
    }
    db = build_warehouse(tmp_path_factory.mktemp("compliance_random"), files)
    return db, contacts, feedback


def test_victim_update_windows_equal_a_window_by_window_walk(built) -> None:
    db, contacts, _ = built
    as_of = max(t for *_, t in contacts)
    by_crime: dict[str, list[tuple[str, datetime]]] = {}
    for _, crime, kind, t in contacts:
        by_crime.setdefault(crime, []).append((kind, t))
    expected = {}
    for crime, rows in by_crime.items():
        for n, (outcome, month) in enumerate(_windows(rows, as_of), start=1):
            expected[f"{crime}#{n}"] = (outcome, month)
    got = {r[0]: (r[1], r[2]) for r in query(db, """
        select record_id, outcome, period_month from marts.compliance_records
        where standard_id = 'PLEDGE-12-MONTHLY-UPDATE'
    """)}
    outcomes = [o for o, _ in expected.values()]
    assert len(expected) > 300 and {"met", "missed", "pending"} <= set(outcomes)
    assert got == expected


def test_working_day_deadlines_equal_a_day_by_day_walk_over_the_seed(built) -> None:
    db, _, feedback = built
    holidays = _holidays()
    expected = {}
    for fid, received, ack, responded in feedback:
        expected[("PROMISE-ACK-2WD", fid)] = _working_day_deadline(received, 2, holidays), ack
        expected[("QOSC-RESPONSE-10WD", fid)] = _working_day_deadline(received, 10, holidays), responded
    rows = query(db, """
        select standard_id, record_id, deadline_at, outcome from marts.compliance_records
        where standard_id in ('PROMISE-ACK-2WD', 'QOSC-RESPONSE-10WD')
    """)
    assert len(rows) == len(expected)
    met = 0
    for standard_id, fid, deadline, outcome in rows:
        want_deadline, event = expected[(standard_id, fid)]
        assert deadline == want_deadline, (standard_id, fid)
        assert outcome == ("met" if event <= want_deadline else "missed"), (standard_id, fid)
        met += outcome == "met"
    assert 0 < met < len(rows)
