"""A warehouse for the dashboard tests.

- The satisfaction marts are real: hand-written survey extracts (with personal-data markers in
  every personal column) are ingested and built with dbt (warehouse_builder.build_warehouse).
- The compliance marts are built by dbt too, then their rows are replaced with pure SQL inserts
  of hand-chosen values (same tables, same schema), so the tests know every figure a page must
  show, including the small and the missed cells.

Borough CW has 60 survey responses a month (reliable), HK 20 (unreliable), IS 4 (suppressed).

For the change over time (this year's 12 months against the 12 before) three months are not
enough: `build_sample_warehouse` builds the generated sample (citizen_focus.sample) of 24 or 12
months through the real loader and dbt, at a small operational scale but with enough survey
interviews (about 4,000 a year) that several boroughs have a significant gap and the force-wide
windows are reliable. 24 months take about 20 s on an idle core, most of it dbt.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
from warehouse_builder import build_warehouse, ingest, run_dbt

from citizen_focus.sample import generate

MARK = "ZQXPII"
FORCE = "MPS"
MONTHS = ["2008-04", "2008-05", "2008-06"]
ANSWERS = ["Very satisfied", "Fairly satisfied", "Fairly dissatisfied", "Completely satisfied", "Very dissatisfied"]


def _survey_csv() -> str:
    header = ("response_id,interview_date,incident_id,crime_reference,survey_group,borough_code,ethnicity_code,"
              "age_band,gender,disability,q_ease_of_contact,q_action_taken,q_kept_informed,q_treatment,"
              "q_whole_experience,weight,force_code,respondent_name,respondent_phone\n")
    rows, n = [], 0
    for m, month in enumerate(MONTHS):
        for borough, count in (("CW", 60), ("HK", 20), ("IS", 4)):
            for i in range(count):
                n += 1
                eth = "W1" if i % 3 else "B2"
                answers = [ANSWERS[(i + m + k) % len(ANSWERS)] for k in range(5)]
                rows.append(f"r{n},{month}-{1 + i % 27:02d},i{n},CR{n},{'burglary' if i % 2 else 'violent_crime'},"
                            f"{borough},{eth},{'16-24' if i % 4 else '65+'},{'F' if i % 2 else 'M'},"
                            f"{'Y' if i % 5 == 0 else 'N'},{','.join(answers)},1.0,{FORCE},{MARK} Respondent {n},"
                            f"{MARK}-tel-{n}\n")
    return header + "".join(rows)


FILES = {
    "survey_responses_mps.csv": _survey_csv(),
    "calls_mps.csv": "call_id,line,received_at,answered_at,borough_code,handler_id,force_code\n"
    + "".join(f"c{i},999,2008-06-0{1 + i % 5}T10:00:00Z,2008-06-0{1 + i % 5}T10:00:0{i % 10}Z,CW,{MARK}-h{i},MPS\n"
              for i in range(12))
    + f"cbad,999,{MARK}-when,,CW,{MARK}-h99,MPS\n",  # rejected: its reason quotes the bad value
    "incidents_mps.csv": "incident_id,created_at,grade,borough_code,first_arrival_at,caller_name,caller_phone,"
    "location_text,force_code\n"
    + "".join(f"i{i},2008-06-0{1 + i % 5}T10:00:00Z,E,CW,2008-06-0{1 + i % 5}T10:09:00Z,{MARK} Caller,"
              f"{MARK}0770,\"1 {MARK} Street\",MPS\n" for i in range(1, 12)),
    "feedback_mps.csv": "feedback_id,feedback_type,received_at,acknowledged_at,borough_code,complainant_name,"
    "complainant_contact,free_text,force_code\n"
    + "".join(f"f{i},complaint,2008-06-0{1 + i % 5}T10:00:00Z,2008-06-0{1 + i % 5}T12:00:00Z,CW,{MARK} C,"
              f"{MARK}@example.org,\"{MARK} said so\",MPS\n" for i in range(5)),
    "victim_contacts_mps.csv": "contact_id,crime_reference,contact_type,contact_at,borough_code,victim_name,"
    "force_code\n"
    + "".join(f"v{i},CR{i},recorded,2008-06-0{1 + i % 5}T10:00:00Z,CW,{MARK} Victim,MPS\n" for i in range(5)),
}

# ---- compliance marts: hand-chosen values -------------------------------------------------------
STANDARDS = [  # standard_id, title, source, target, measured, reason, sort_order
    ("PLEDGE-1-FAIR", "Treat you fairly, with dignity and respect", "Policing Pledge 1", 0.90, False,
     "not measured: no data source", 1),
    ("PLEDGE-6-999", "999 calls answered within 10 s", "Policing Pledge 6 / MPS Promise", 0.90, True, None, 6),
    ("PLEDGE-7-EMERGENCY", "Emergency attended within 15 min (urban) / 20 min (rural)", "Policing Pledge 7", 0.90,
     True, None, 7),
    ("PLEDGE-11-ACK-24H", "Dissatisfaction acknowledged within 24 h", "Policing Pledge 11", 0.95, True, None, 11),
    ("PLEDGE-12-MONTHLY-UPDATE", "Victims updated at least every 28 days", "Policing Pledge 12", 0.90, True, None,
     12),
]
# (standard, borough, month, numerator, denominator, pending)
CELLS = [
    ("PLEDGE-6-999", "CW", "2008-04-01", 180, 200, 0), ("PLEDGE-6-999", "HK", "2008-04-01", 90, 100, 0),
    ("PLEDGE-6-999", "CW", "2008-05-01", 190, 200, 0), ("PLEDGE-6-999", "HK", "2008-05-01", 80, 100, 0),
    ("PLEDGE-6-999", "CW", "2008-06-01", 170, 200, 1), ("PLEDGE-6-999", "HK", "2008-06-01", 95, 100, 0),
    ("PLEDGE-6-999", "IS", "2008-06-01", 4, 5, 0),
    ("PLEDGE-7-EMERGENCY", "CW", "2008-05-01", 45, 50, 0), ("PLEDGE-7-EMERGENCY", "HK", "2008-05-01", 40, 50, 0),
    ("PLEDGE-7-EMERGENCY", "CW", "2008-06-01", 48, 50, 0), ("PLEDGE-7-EMERGENCY", "HK", "2008-06-01", 35, 50, 2),
    ("PLEDGE-11-ACK-24H", "CW", "2008-05-01", 30, 30, 0), ("PLEDGE-11-ACK-24H", "CW", "2008-06-01", 27, 30, 3),
    ("PLEDGE-12-MONTHLY-UPDATE", "CW", "2008-06-01", 12, 20, 0),
]
# The scorecard's own columns as the spec describes them (latest, previous, rolling-12 rates).
SCORECARD = {  # standard -> (latest, previous, rolling_12, rag)
    "PLEDGE-6-999": (269 / 305, 270 / 300, 805 / 905, "amber"),
    "PLEDGE-7-EMERGENCY": (83 / 100, 85 / 100, 168 / 200, "red"),
    "PLEDGE-11-ACK-24H": (27 / 30, 30 / 30, 57 / 60, "red"),
    "PLEDGE-12-MONTHLY-UPDATE": (12 / 20, None, 12 / 20, "red"),
}


def _rag(rate: float | None, target: float) -> str:
    if rate is None:
        return "no_data"
    return "green" if rate >= target else "amber" if rate >= target - 0.05 else "red"


def _records() -> list[tuple]:
    """compliance_records: 999 calls in June (two boroughs) and acknowledgements, hand-chosen times."""
    out = []
    # 999 calls answered after 2, 4, ... 24 s, in CW, Monday 2 June 2008 at 09:00-20:00 London (BST = UTC+1)
    for i in range(12):
        elapsed = 2.0 * (i + 1)
        out.append(("PLEDGE-6-999", "CW", "2008-06-01", f"c{i}", f"2008-06-02 {8 + i:02d}:00:00",
                    f"2008-06-02 {9 + i:02d}:00:00", elapsed, 10.0, "met" if elapsed <= 10 else "missed",
                    "999", None, None, None, None, 9 + i, 1))
    for i in range(3):  # acknowledgements: 2 h, 20 h, 30 h
        elapsed = [2, 20, 30][i] * 3600.0
        out.append(("PLEDGE-11-ACK-24H", "CW", "2008-06-01", f"f{i}", "2008-06-03 09:00:00", "2008-06-03 10:00:00",
                    elapsed, 86400.0, "met" if elapsed <= 86400 else "missed", None, None, None,
                    ["conduct", "quality_of_service", "conduct"][i], ["web", "phone", "phone"][i], 10, 2))
    return out


def add_compliance_marts(db: Path) -> None:
    """Replaces the rows of the three compliance marts (as dbt built them, real schema) with the values above."""
    con = duckdb.connect(str(db))
    con.execute("set TimeZone = 'UTC'")
    as_of = "2008-07-01 00:00:00+00"
    for table in ("pledge_compliance", "promise_scorecard", "compliance_records"):
        con.execute(f"delete from marts.{table}")
    targets = {s[0]: s[3] for s in STANDARDS}
    for standard, borough, month, num, den, pending in CELLS:
        rate = num / den if den else None
        con.execute("insert into marts.pledge_compliance by name select ? as standard_id, ? as force_code, "
                    "? as borough_code, cast(? as date) as period_month, ? as numerator, ? as denominator, "
                    "? as pending, ? as rate, ? as target_rate, ? as rag",
                    [standard, FORCE, borough, month, num, den, pending, rate, targets[standard],
                     _rag(rate, targets[standard])])
    for sid, title, source, target, measured, reason, order in STANDARDS:
        latest, previous, rolling, rag = SCORECARD.get(sid, (None, None, None, "no_data"))
        con.execute("insert into marts.promise_scorecard by name select ? as standard_id, ? as force_code, "
                    "date '2008-06-01' as period_month, ? as title, ? as source, ? as commitment_wording, "
                    "? as target_rate, ? as rate, ? as previous_rate, ? as rolling_12_rate, ? as rag, "
                    "? as measured, ? as not_measured_reason, ? as sort_order, cast(? as timestamptz) as as_of_at",
                    [sid, FORCE, title, source, title, target, latest, previous, rolling, rag, measured, reason,
                     order, as_of])
    for (sid, borough, month, rid, started, deadline, elapsed, threshold, outcome, call_type, grade, area,
         category, channel, hour, weekday) in _records():
        con.execute("""
            insert into marts.compliance_records by name select ? as standard_id, ? as force_code,
                ? as borough_code, cast(? as date) as period_month, ? as record_id,
                cast(? as timestamptz) as started_at, cast(? as timestamp) + interval 1 hour as started_at_london,
                cast(? as timestamptz) as deadline_at,
                cast(? as timestamptz) + to_microseconds(cast(? * 1000000 as bigint)) as event_at,
                ? as elapsed_seconds, ? as threshold_seconds, ? as outcome, ? as source_kind, ? as source_key,
                1 as load_id,
                ? as call_type, ? as grade, ? as area_type, ? as category, ? as channel, ? as hour_of_day,
                ? as weekday, ? as weekday_number
        """, [sid, FORCE, borough, month, rid, started + "Z", started, deadline + "Z", started + "Z", elapsed,
              elapsed, threshold, outcome, _source_kind(sid), rid.split("#")[0], call_type, grade, area, category,
              channel, hour,
              ["Monday", "Tuesday"][weekday - 1], weekday])
    con.execute("checkpoint")
    con.close()


def _source_kind(standard_id: str) -> str:
    """The extract a fixture record of this standard is assessed from."""
    if standard_id.startswith("PLEDGE-6"):
        return "calls"
    if standard_id.startswith(("PLEDGE-11", "PROMISE-ACK", "QOSC-RESPONSE")):
        return "feedback"
    if standard_id.startswith(("PLEDGE-12", "QOSC-VS")):
        return "victim_contacts"
    return "incidents"


def build_dashboard_warehouse(tmp: Path) -> Path:
    db = build_warehouse(tmp, FILES)
    add_compliance_marts(db)
    return db


def write_access(path: Path) -> Path:
    """Three local users, one per role; password = name + '-pw'."""
    from citizen_focus.access import add_local_user

    for name, role in (("bob", "board"), ("ann", "analyst"), ("ada", "admin")):
        add_local_user(path, name, role, f"{name}-pw")
    return path


# The generated sample for the change-over-time pages: MPS, 0.2% of its operational volume, survey
# volume raised so that 12 months hold about 4,000 interviews (20% of the real 19,000).
SAMPLE = {"scale": 0.002, "survey_per_year": 2_000_000, "seed": 24, "forces": ("MPS",)}
# What the 12-month warehouse needs: the survey marts (the compliance ones are not read by its tests).
SURVEY_MARTS = ("+bme_gap_change +satisfaction_change +satisfaction_by_service_outcome +satisfaction_key_drivers "
                "+satisfaction_by_equality_group")


def build_sample_warehouse(tmp: Path, months: int, select: str | None = None) -> Path:
    """The generated sample of `months` months ending March 2009, ingested and `dbt build`-ed.

    Without dbt's data and unit tests (they halve the build time; the marts' tests run in the
    tests that build for them, and these tests read the marts' rows themselves)."""
    start = {24: "2007-04", 12: "2008-04"}[months]
    generate(tmp / "extracts", months=months, start=start, **SAMPLE)
    db = tmp / "warehouse.duckdb"
    ingest(db, [tmp / "extracts"])
    args = ["build", "--exclude", "resource_type:test", "resource_type:unit_test"]
    args += ["--select", select] if select else []
    result = run_dbt(db, *args)
    if result.returncode != 0:
        raise AssertionError(f"dbt build failed:\n{result.stdout[-6000:]}\n{result.stderr[-2000:]}")
    return db
