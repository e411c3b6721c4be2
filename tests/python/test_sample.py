"""The sample generator: deterministic, loads cleanly through the real loader, --dirty rejects exactly as
planted, and the planted effects are measurable in the loaded raw data.

Effects are measured with the loader's own parse macros (raw.parse_answer, raw.parse_timestamp, ...)
on raw tables, and with the ethnicity seed, independently of the generator's code. Tolerances for
sampled quantities are computed from the sample sizes (4 standard errors).
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import duckdb
import pytest
from warehouse_builder import cli, ingest, run_dbt

from citizen_focus.config import PROJECT_DIR
from citizen_focus.sample import KINDS, generate
from citizen_focus.warehouse import connect

FORCES = ("MPS", "CUMB")
SURVEY_PER_YEAR = 1_100_000  # many respondents on a small dataset, so the planted gap is measurable
# (design weights: a Kish design effect near 1.9 needs about 1.9 times the respondents of equal weights)


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> tuple[Path, dict, Path]:
    tmp = tmp_path_factory.mktemp("sample_clean")
    out = tmp / "extracts"
    counts = generate(out, months=6, start="2008-08", scale=0.05, seed=11, forces=FORCES,
                      survey_per_year=SURVEY_PER_YEAR)
    db = tmp / "warehouse.duckdb"
    results = ingest(db, [out])
    return out, {"counts": counts, "results": results}, db


@pytest.fixture(scope="module")
def dirty(tmp_path_factory) -> tuple[Path, dict, Path]:
    tmp = tmp_path_factory.mktemp("sample_dirty")
    out = tmp / "extracts"
    counts = generate(out, months=2, start="2009-03", scale=0.01, seed=5, forces=FORCES, dirty=True)
    db = tmp / "warehouse.duckdb"
    results = ingest(db, [out])
    return out, {"counts": counts, "results": results}, db


def _query(db: Path, sql: str) -> list[tuple]:
    con = connect(db)  # read-write: the raw.* parse macros are (re)created on connect
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _planted(out: Path) -> dict:
    return json.loads((out / "planted.json").read_text(encoding="utf-8"))


# ---- determinism -------------------------------------------------------------------------------

def test_same_seed_gives_identical_bytes_and_another_seed_differs(tmp_path: Path) -> None:
    args = dict(months=3, start="2008-09", scale=0.01, forces=("MPS", "STAFFS"), dirty=True)
    first = generate(tmp_path / "a", seed=3, **args)
    second = generate(tmp_path / "b", seed=3, **args)
    other = generate(tmp_path / "c", seed=4, **args)
    assert first == second
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "b").iterdir())
    assert len(names) == 10 + 8 + 1  # 5 extracts x 2 forces, 8 bad files, planted.json
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    for kind in KINDS:
        name = f"{kind}_MPS.csv"
        assert (tmp_path / "a" / name).read_bytes() != (tmp_path / "c" / name).read_bytes(), name
    assert other != first


def test_a_force_does_not_change_when_other_forces_are_added(tmp_path: Path) -> None:
    generate(tmp_path / "one", months=1, start="2008-10", scale=0.01, seed=3, forces=("STAFFS",))
    generate(tmp_path / "two", months=1, start="2008-10", scale=0.01, seed=3, forces=("MPS", "STAFFS"))
    for kind in KINDS:
        name = f"{kind}_STAFFS.csv"
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name


# ---- clean files load completely ---------------------------------------------------------------

def test_every_clean_file_loads_with_zero_rejects(clean) -> None:
    out, run, db = clean
    files = {f"{kind}_{force}.csv" for kind in KINDS for force in FORCES}
    assert set(run["counts"]) == files
    assert {Path(r.file).name for r in run["results"]} == files
    for result in run["results"]:
        name = Path(result.file).name
        assert result.status == "loaded", result.one_line
        assert result.rows_rejected == 0, (name, result.top_reasons)
        assert result.rows_read == result.rows_loaded == run["counts"][name] > 0, name
    assert _query(db, "select count(*) from raw.rejects") == [(0,)]
    assert _planted(out)["rows"] == run["counts"]


def test_personal_columns_are_filled_in_raw(clean) -> None:
    _, _, db = clean
    checks = [
        ("calls", "handler_id", "nullif(trim(answered_at), '') is not null"),  # abandoned calls have no handler
        ("incidents", "caller_name", "true"), ("incidents", "caller_phone", "true"),
        ("incidents", "location_text", "true"),
        ("survey_responses", "respondent_name", "true"), ("survey_responses", "respondent_phone", "true"),
        ("feedback", "complainant_name", "true"), ("feedback", "complainant_contact", "true"),
        ("feedback", "free_text", "true"),
        ("victim_contacts", "victim_name", "true"),
    ]
    for table, column, where in checks:
        empty, total = _query(
            db, f"select count(*) filter (where nullif(trim({column}), '') is null), count(*) "
                f"from raw.{table} where {where}")[0]
        assert total > 0 and empty == 0, (table, column, empty, total)
    phones = _query(db, "select count(*) filter (where not regexp_full_match(caller_phone, "
                        "'(07700 900|020 7946 0)\\d{3}')) from raw.incidents")[0][0]
    assert phones == 0  # only Ofcom's drama ranges


def test_areas_mps_boroughs_from_the_seed_and_other_forces_their_own(clean) -> None:
    _, _, db = clean
    with (PROJECT_DIR / "seeds" / "boroughs.csv").open(encoding="utf-8") as fh:
        seed = {r["borough_code"] for r in csv.DictReader(fh) if r["force_code"] == "MPS"}
    rows = _query(db, "select force_code, list(distinct borough_code) from raw.incidents group by 1")
    areas = {force: set(codes) for force, codes in rows}
    assert areas["MPS"] == seed and len(seed) == 32
    assert areas["CUMB"] and all(code.startswith("CUMB") for code in areas["CUMB"])


# ---- --dirty ------------------------------------------------------------------------------------

def test_dirty_rows_and_files_are_rejected_exactly_as_planted(dirty) -> None:
    out, run, db = dirty
    expected = _planted(out)["expected_load"]
    by_name = {Path(r.file).name: r for r in run["results"]}
    assert set(by_name) == set(expected["rows"]) | set(expected["files"])
    assert len(expected["files"]) == 8
    for name, plan in expected["rows"].items():
        result = by_name[name]
        assert result.status == "loaded", result.one_line
        assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (
            plan["rows_read"], plan["rows_loaded"], plan["rows_rejected"]), name
        rejects = _query(db, f"select raw_row, reason from raw.rejects where file_name = '{name}'")
        assert len(rejects) == plan["rows_rejected"]
        for bad in plan["rejects"]:
            found = [reason for raw_row, reason in rejects if bad["marker"] in raw_row]
            assert len(found) == 1, (name, bad["marker"])
            assert bad["reason"] in found[0], (name, bad, found[0])
    for name, plan in expected["files"].items():
        result = by_name[name]
        assert result.status == plan["status"], (name, result.one_line)
        assert result.rows_loaded == 0
        if plan.get("rows_rejected"):  # a file whose rows are all quarantined, each with its reason
            reasons = [r for (r,) in _query(db, f"select reason from raw.rejects where file_name = '{name}'")]
            assert len(reasons) == result.rows_rejected == plan["rows_rejected"], (name, reasons)
            assert all(plan["reason"].lower() in r.lower() for r in reasons), (name, reasons)
        else:
            assert plan["reason"].lower() in result.message.lower(), (name, result.message)
    kinds = {r["reason"].split(" '")[0].split(" is ")[0] for p in expected["rows"].values() for r in p["rejects"]}
    assert {"line", "received_at", "answered_at", "duplicate call_id", "call_id"} <= kinds


def test_cli_writes_sample_and_reports_rows(tmp_path: Path) -> None:
    result = cli("sample", "--out", str(tmp_path / "s"), "--months", "1", "--scale", "0.005",
                 "--forces", "MPS,KENT", "--seed", "2")
    assert result.returncode == 0, result.stderr
    assert "calls_KENT.csv" in result.stdout and "victim_contacts_MPS.csv" in result.stdout
    assert (tmp_path / "s" / "planted.json").is_file()


# ---- planted effects measurable in the loaded data ---------------------------------------------

SATISFACTION = """
    with eth as (
        select * from read_csv('{seed}', header = true, all_varchar = true)
    ),
    r as (
        select s.*, raw.parse_answer({question}) as code, coalesce(raw.parse_number(weight), 1.0) as w,
            coalesce(eth.ethnic_group, 'Not stated') as grp
        from raw.survey_responses s
        left join eth on lower(trim(s.ethnicity_code)) = lower(eth.ethnicity_label)
        where s.force_code = 'MPS'
    )
    select grp, sum(w * (code between 1 and 3)::int) / sum(w) as rate,
        sum(w) ^ 2 / sum(w * w) as n_eff, count(*) as n
    from r where code between 1 and 7 group by grp
"""


def _by_group(db: Path, question: str = "q_whole_experience") -> dict[str, tuple[float, float, int]]:
    sql = SATISFACTION.format(seed=PROJECT_DIR / "seeds" / "ethnicity_groups.csv", question=question)
    return {g: (rate, n_eff, n) for g, rate, n_eff, n in _query(db, sql)}


def _se(p1: float, n1: float, p2: float, n2: float) -> float:
    return math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)


def test_planted_white_bme_gap_is_measured_in_the_loaded_survey(clean) -> None:
    out, _, db = clean
    planted = _planted(out)["by_force"]["MPS"]["survey"]
    groups = _by_group(db)
    (pw, nw, cw), (pb, nb, cb) = groups["White"], groups["BME"]
    gap = 100 * (pw - pb)
    realised = planted["questions"]["q_whole_experience"]
    # the loaded data reproduce what the generator says it wrote, to the respondent
    assert (cw, cb) == (realised["white"]["respondents"], realised["bme"]["respondents"])
    assert gap == pytest.approx(realised["realised_gap_pp"], abs=1e-3)
    # and the planted gap is there within sampling error (4 standard errors from the sample sizes)
    expected = planted["expected_gap_pp_whole_experience"]
    assert 3.0 <= expected <= 8.0  # "about 5 pp" (calibration: MPS 5.2 +/- 1.9)
    tolerance = 4 * 100 * _se(pw, nw, pb, nb)
    assert tolerance < 3.0
    assert abs(gap - expected) <= tolerance, (gap, expected, tolerance)
    assert gap > tolerance / 2  # clearly positive


def test_borough_gaps_vary_as_planted(clean) -> None:
    out, _, _ = clean
    gaps = [a["planted_gap_pp"] for a in _planted(out)["by_force"]["MPS"]["areas"].values()]
    assert len(gaps) == 32
    assert max(gaps) - min(gaps) > 4.0


LATE = """
    with inc as (
        select incident_id, upper(trim(grade)) as grade, raw.parse_timestamp(created_at) as created,
            raw.parse_timestamp(first_arrival_at) as arrival, raw.parse_boolean(attendance_cancelled) as cancelled,
            coalesce(lower(area_type), 'urban') as area
        from raw.incidents where force_code = 'MPS'
    ),
    linked as (
        select raw.parse_answer(s.q_whole_experience) as code, coalesce(raw.parse_number(s.weight), 1.0) as w,
            case when inc.arrival is null then true
                 when inc.grade = 'E' then inc.arrival - inc.created > interval (case when inc.area = 'rural'
                      then 20 else 15 end) minute
                 else inc.arrival - inc.created > interval 60 minute end as late
        from raw.survey_responses s
        inner join inc on s.incident_id = inc.incident_id
        where s.force_code = 'MPS' and inc.grade in ('E', 'P') and not inc.cancelled
    )
    select late, sum(w * (code between 1 and 3)::int) / sum(w), sum(w) ^ 2 / sum(w * w)
    from linked where code between 1 and 7 group by late
"""


def test_late_attendance_lowers_satisfaction(clean) -> None:
    _, _, db = clean
    rates = {late: (rate, n) for late, rate, n in _query(db, LATE)}
    (p_late, n_late), (p_ok, n_ok) = rates[True], rates[False]
    assert n_late > 200
    difference = p_ok - p_late
    assert difference > 4 * _se(p_ok, n_ok, p_late, n_late), rates
    assert difference > 0.06  # planted: -12 pp on whole experience


KEPT_INFORMED = """
    with contacts as (
        select crime_reference, lower(contact_type) as t, raw.parse_timestamp(contact_at) as ts
        from raw.victim_contacts where force_code = 'MPS'
    ),
    responses as (
        select response_id, crime_reference, raw.parse_answer(q_kept_informed) as code,
            coalesce(raw.parse_number(weight), 1.0) as w,
            timezone('Europe/London', raw.parse_date(interview_date)::timestamp) as cutoff
        from raw.survey_responses where force_code = 'MPS' and nullif(crime_reference, '') is not null
    ),
    ends as (
        select r.response_id, least(r.cutoff, min(c.ts) filter (where c.t in ('closure', 'opt_out'))) as end_at,
            min(c.ts) filter (where c.t = 'recorded') as recorded
        from responses r join contacts c using (crime_reference) group by r.response_id, r.cutoff
    ),
    points as (
        select r.response_id, c.ts from responses r join contacts c using (crime_reference)
        join ends e using (response_id)
        where c.t in ('recorded', 'update', 'arrest', 'charge', 'closure') and c.ts <= e.end_at
    ),
    steps as (
        select response_id, coalesce(lead(ts) over (partition by response_id order by ts), e.end_at) - ts as step
        from points join ends e using (response_id)
    ),
    judged as (
        select response_id, max(step) > interval 28 day as missed from steps group by response_id
    )
    select missed, sum(w * (code between 1 and 3)::int) / sum(w), sum(w) ^ 2 / sum(w * w)
    from responses join judged using (response_id) where code between 1 and 7 group by missed
"""


def test_missed_victim_updates_lower_kept_informed(clean) -> None:
    _, _, db = clean
    rates = {missed: (rate, n) for missed, rate, n in _query(db, KEPT_INFORMED)}
    (p_missed, n_missed), (p_kept, n_kept) = rates[True], rates[False]
    assert n_missed > 100
    difference = p_kept - p_missed
    assert difference > 4 * _se(p_kept, n_kept, p_missed, n_missed), rates
    assert difference > 0.12  # planted: -25 pp on kept informed


def test_999_answered_within_10s_in_the_published_range_and_as_planted(clean) -> None:
    out, _, db = clean
    met, denominator = _query(db, """
        with c as (
            select raw.parse_timestamp(received_at) as r, raw.parse_timestamp(answered_at) as a,
                raw.parse_timestamp(abandoned_at) as x
            from raw.calls where line = '999' and force_code = 'MPS'
        )
        select count(*) filter (where a - r <= interval 10 second),
            count(*) filter (where not coalesce(x - r < interval 5 second, false))
        from c
    """)[0]
    planted = _planted(out)["by_force"]["MPS"]["calls"]["999_answered_within_10s"]
    assert (met, denominator) == (planted["met"], planted["denominator"])
    assert 0.70 <= met / denominator <= 0.90


def test_realistic_shapes(clean) -> None:
    _, _, db = clean
    by_hour = dict(_query(db, """
        select hour(timezone('Europe/London', raw.parse_timestamp(received_at))), count(*)
        from raw.calls where force_code = 'MPS' group by 1"""))
    assert by_hour[18] > 3 * by_hour[4]  # evening peak, small hours quiet
    per_day = dict(_query(db, """
        with c as (select timezone('Europe/London', raw.parse_timestamp(received_at)) as t
                   from raw.calls where force_code = 'MPS')
        select k, count(*) / count(distinct t::date) from (
            select t, case when dayofweek(t) = 6 then 'saturday' when dayofweek(t) in (2, 3) then 'tue_wed'
                           when month(t) = 8 then 'august' when month(t) = 1 then 'january' end as k from c
        ) where k is not null group by k"""))
    assert per_day["saturday"] > 1.08 * per_day["tue_wed"]  # weekly peak (planted 1.10 vs 0.95)
    assert per_day["august"] > 1.05 * per_day["january"]  # seasonal load (planted 1.06 vs 0.93)
    grades = dict(_query(db, "select grade, count(*) from raw.incidents group by 1"))
    assert set(grades) == {"E", "P", "S", "R"}
    s_without_appointment, cancelled, rural = _query(db, """
        select count(*) filter (where grade = 'S' and nullif(appointment_at, '') is null
                                and raw.parse_timestamp(created_at) < timestamp '2009-01-20'),
            count(*) filter (where raw.parse_boolean(attendance_cancelled)),
            count(*) filter (where area_type = 'rural')
        from raw.incidents""")[0]
    assert s_without_appointment == 0 and cancelled > 0 and rural > 0
    answers = _query(db, """
        select count(*) filter (where ethnicity_code not similar to '[A-Z][0-9S]'),
            count(*) filter (where q_whole_experience similar to '[0-9]'),
            count(*) filter (where abs(raw.parse_number(weight) - 1) > 0.01)
        from raw.survey_responses""")[0]
    assert all(n > 0 for n in answers)  # census words, answers as codes, design weights
    contact_types = {t for (t,) in _query(db, "select distinct contact_type from raw.victim_contacts")}
    assert contact_types == {"recorded", "update", "victim_support_referral", "arrest", "charge", "closure",
                             "opt_out"}
    abandons = _query(db, """
        select count(*) filter (where raw.parse_timestamp(abandoned_at) - raw.parse_timestamp(received_at)
                                < interval 5 second)
        from raw.calls where nullif(answered_at, '') is null""")[0][0]
    assert abandons > 0  # short abandons


def test_feedback_is_acknowledged_on_working_days_only(clean) -> None:
    _, _, db = clean
    holidays = PROJECT_DIR / "seeds" / "bank_holidays.csv"
    off_days, total = _query(db, f"""
        with h as (select holiday_date::date as d from read_csv('{holidays}', header = true)),
        a as (select timezone('Europe/London', raw.parse_timestamp(acknowledged_at))::date as d
              from raw.feedback where nullif(acknowledged_at, '') is not null)
        select count(*) filter (where dayofweek(a.d) in (0, 6) or a.d in (select d from h)), count(*) from a
    """)[0]
    assert total > 100 and off_days == 0


def test_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="YYYY-MM"):
        generate(Path("/nonexistent"), start="April", months=1)
    with pytest.raises(ValueError, match="scale"):
        generate(Path("/nonexistent"), scale=0, months=1)


def test_duckdb_reads_back_the_same_row_counts(clean) -> None:
    out, run, _ = clean
    con = duckdb.connect()
    for name, rows in run["counts"].items():
        n = con.execute("select count(*) from read_csv(?, header = true, all_varchar = true)",
                        [str(out / name)]).fetchone()[0]
        assert n == rows, name


@pytest.mark.slow
def test_the_satisfaction_marts_find_exactly_the_planted_gap(clean) -> None:
    """End to end: the planted gap of every question comes out of dbt's BME gap mart, to the respondent."""
    out, _, db = clean
    result = run_dbt(db, "build", "--select", "+bme_satisfaction_gap", "--indirect-selection", "cautious")
    assert result.returncode == 0, result.stdout[-4000:]
    planted = _planted(out)["by_force"]
    rows = _query(db, """
        select force_code, question, white_respondents, bme_respondents, gap_pp
        from marts.bme_satisfaction_gap
        where borough_code = 'ALL' and window_months = 12
            and period_end_month = (select max(period_end_month) from marts.bme_satisfaction_gap)
    """)
    assert len(rows) == 2 * 5
    for force, question, white, bme, gap in rows:
        realised = planted[force]["survey"]["questions"][f"q_{question}"]
        assert (white, bme) == (realised["white"]["respondents"], realised["bme"]["respondents"])
        assert gap == pytest.approx(realised["realised_gap_pp"], abs=1e-3), (force, question)


def test_a_one_month_extract_still_has_a_month_of_interviews(tmp_path: Path) -> None:
    """Interviews are 6-12 weeks after the incident: a 1-month run surveys incidents before its extracts."""
    counts = generate(tmp_path, months=1, start="2009-04", scale=0.05, seed=2)
    assert counts["survey_responses_MPS.csv"] == round(19_000 * 0.05 * 30 / 365.25)
    con = duckdb.connect()
    survey = str(tmp_path / "survey_responses_MPS.csv")
    incidents = str(tmp_path / "incidents_MPS.csv")
    months, matched = con.execute(f"""
        select list(distinct substr(interview_date, 1, 7)),
            count(*) filter (where incident_id in (select incident_id from read_csv('{incidents}', all_varchar = true)))
        from read_csv('{survey}', all_varchar = true)""").fetchone()
    assert months == ["2009-04"] and matched == 0


def _wilson(p: float, n: float, z: float = 1.959963984540054) -> tuple[float, float]:
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def test_survey_design_effect_and_gap_half_width_at_mps_scale(tmp_path: Path) -> None:
    """A real USS design: equal interviews per borough, small crime groups over-sampled, weighted back.

    At MPS scale (19,000 interviews a year) the weights' Kish design effect is 1.5-2.5 and the
    force-wide whole-experience gap's 95% Newcombe half-width 1.5-2.5 pp, as published for the MPS
    (5.2 +/- 1.9 pp, year to Sep 2008). Computed here from the written file with Wilson intervals on
    Kish effective sizes, independently of the generator and of the marts.
    """
    generate(tmp_path, months=12, start="2008-04", scale=1.0, seed=7, forces=("MPS",))
    survey = str(tmp_path / "survey_responses_MPS.csv")
    seed = PROJECT_DIR / "seeds" / "ethnicity_groups.csv"
    con = duckdb.connect()
    n, deff = con.execute(f"""
        select count(*), count(*) * sum(w * w) / sum(w) ^ 2
        from (select weight::double as w from read_csv('{survey}', all_varchar = true))""").fetchone()
    assert n == round(19_000 * 365 / 365.25)
    assert 1.5 <= deff <= 2.5, deff
    assert deff == pytest.approx(_planted(tmp_path)["by_force"]["MPS"]["survey"]["kish_design_effect"], abs=1e-3)
    per_borough = [c for (c,) in con.execute(f"""
        select count(*) from read_csv('{survey}', all_varchar = true) group by borough_code""").fetchall()]
    assert len(per_borough) == 32 and max(per_borough) < 1.35 * min(per_borough)  # roughly equal per borough
    racist_share = con.execute(f"""
        select avg((survey_group = 'racist_incident')::int)
        from read_csv('{survey}', all_varchar = true)""").fetchone()[0]
    assert racist_share > 0.08  # over-sampled: about 2 % of eligible victims
    groups = {}
    for grp, rate, n_eff in con.execute(f"""
        with eth as (select * from read_csv('{seed}', header = true, all_varchar = true)),
        r as (
            select case when q_whole_experience similar to '[0-9]' then q_whole_experience::int
                        else list_position(['Completely satisfied', 'Very satisfied', 'Fairly satisfied',
                             'Neither satisfied nor dissatisfied', 'Fairly dissatisfied', 'Very dissatisfied',
                             'Completely dissatisfied'], q_whole_experience) end as code,
                weight::double as w, eth.ethnic_group as grp
            from read_csv('{survey}', all_varchar = true) s
            left join eth on lower(trim(s.ethnicity_code)) = lower(eth.ethnicity_label)
        )
        select grp, sum(w * (code between 1 and 3)::int) / sum(w), sum(w) ^ 2 / sum(w * w)
        from r where code between 1 and 7 and grp in ('White', 'BME') group by grp""").fetchall():
        groups[grp] = (rate, n_eff)
    (pw, nw), (pb, nb) = groups["White"], groups["BME"]
    lw, uw = _wilson(pw, nw)
    lb, ub = _wilson(pb, nb)
    gap = pw - pb
    low = gap - math.sqrt((pw - lw) ** 2 + (ub - pb) ** 2)
    high = gap + math.sqrt((uw - pw) ** 2 + (pb - lb) ** 2)
    half_width_pp = 100 * (high - low) / 2
    assert 1.5 <= half_width_pp <= 2.5, half_width_pp
    assert low > 0  # the planted gap is still found
    assert 0.70 <= pw <= 0.86 and 0.65 <= pb <= 0.84  # the MPS's own published levels, not Northumbria's
