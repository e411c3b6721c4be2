"""The monthly board pack: a committee paper (PDF) for one force and one month (docs/board-pack.md).

`citizen-focus report --month YYYY-MM [--force F] --out FILE.pdf` and the scorecard page's download
button both call `board_pack_pdf`, so the two files are the same paper.

Why it looks like this:
- **Only the published marts, the seeds and the load ledger**, read through dashboards/data.py's
  `Warehouse` (read-only, bound parameters), as the pages read them. No personal column is read.
- **Figures are the marts' figures.** Rates, intervals, gaps, p-values and the closing / widening
  verdicts are printed as the marts hold them (rounded to one decimal); the only arithmetic is the
  pages' own: a force-wide monthly rate is the boroughs' numerators over their denominators
  (`Warehouse.force_monthly`), points below target and month-on-month movements are differences.
- **The same disclosure rule as the pages and exports**: every borough cell goes through
  `dashboards.disclosure.suppress` (counts of 1-9 shown as "<10", the rate that would reveal them
  withheld).
- **Words, not codes**, on the summary: standards by their title from the standards seed,
  boroughs by their name from the boroughs seed; records without a borough (dbt var
  unknown_borough_code) are said to be without one, never counted as a borough.
- **Charts are the dashboards' own** (dashboards/charts.py) rendered to PNG by Kaleido with the
  machine's Chrome/Chromium, plotly.js from the plotly package and MathJax off: no network. With no
  browser the pack is still produced, saying where each chart would be.
"""

from __future__ import annotations

import asyncio
import io
import re
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

LONDON = ZoneInfo("Europe/London")
QUESTION = "whole_experience"
LOWEST_SHOWN = 3  # boroughs named on the summary per missed commitment (the rest are counted)
PAGE_TITLE = "Citizen Focus board pack"


class ReportError(Exception):
    """A problem the user can fix (a bad month or force, a missing warehouse): one line."""


# ---- inputs ----------------------------------------------------------------------------------------

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(text: str) -> date:
    """'2008-06' -> date(2008, 6, 1); anything else is a ReportError naming the expected form."""
    m = _MONTH.match(str(text).strip())
    if not m or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < 1900:
        raise ReportError(f"--month must be a month as YYYY-MM, e.g. 2008-06; got '{text}'")
    return date(int(m.group(1)), int(m.group(2)), 1)


def month_label(value: object) -> str:
    return pd.Timestamp(value).strftime("%B %Y")


def _prev_month(d: date) -> date:
    return date(d.year - 1, 12, 1) if d.month == 1 else date(d.year, d.month - 1, 1)


def _present(value: object) -> bool:
    """Not None / NaN / NA / NaT (a withheld or missing figure)."""
    if value is None or isinstance(value, str | bool):
        return value is not None
    try:
        return not bool(pd.isna(value))
    except (TypeError, ValueError):  # not a scalar pandas can judge
        return True


def pct(rate: object, digits: int = 1) -> str:
    return f"{100 * float(rate):.{digits}f}%" if _present(rate) else "-"


def points(value: object) -> str:
    return f"{float(value):.1f}" if _present(value) else "-"


# ---- what the pack says ----------------------------------------------------------------------------

@dataclass
class MissedStandard:
    standard_id: str
    title: str
    rate: float
    target_rate: float
    rag: str
    previous_rate: float | None
    movement: str  # improving / worse / unchanged / no earlier figure, in words
    boroughs_below: list[str]  # "Westminster 85.0%" (lowest first), names from the boroughs seed
    small_below: int  # boroughs below target with fewer than 10 records (no rate shown)
    boroughs_measured: int
    without_borough: str | None  # "<10" or a count of records with no recorded borough, when below target

    @property
    def points_below(self) -> float:
        return 100 * (self.target_rate - self.rate)


@dataclass
class BoardPack:
    force: str
    force_name: str
    month: date
    standards: pd.DataFrame  # one row per standard of the seed that applies to the force
    missed: list[MissedStandard]
    satisfaction: dict | None  # citizen_focus_satisfaction, ALL, whole experience, 12 months to month
    previous_satisfaction: dict | None
    satisfaction_change: dict | None
    gap: dict | None  # bme_satisfaction_gap, ALL, whole experience, 12 months to month
    previous_gap: dict | None
    gap_change: dict | None  # bme_gap_change for month, None when no full earlier window
    borough_gaps: pd.DataFrame
    survey_span: tuple[object, object]
    comparators: pd.DataFrame
    loads: pd.DataFrame  # per extract kind: files loaded / rejected, rows loaded / quarantined
    reject_reasons: pd.DataFrame
    as_of_at: datetime | None
    built_at: datetime
    monthly: pd.DataFrame  # force-wide rate per standard and month (for the trend charts)
    satisfaction_trend: pd.DataFrame
    gap_trend: pd.DataFrame
    significance_level: float
    reliable_from: int
    amber_margin: float
    charts_note: str | None = None  # set by render_pdf when the charts could not be drawn
    operational: bool = True  # False: survey extracts only, no standard measured (the pack says so)

    @property
    def label(self) -> str:
        return month_label(self.month)


def rag_of(rate: object, target: object, denominator: object, amber_margin: float) -> str:
    """The marts' RAG rule (macros rag_status, var rag_amber_margin) for a force-wide sum."""
    if not _present(denominator) or float(denominator) == 0 or not _present(rate) or not _present(target):
        return "no_data"
    if rate >= target - 1e-9:
        return "green"
    return "amber" if rate >= target - amber_margin - 1e-9 else "red"


RAG_WORDS = {"green": "Met", "red": "Missed", "no_data": "No data"}  # amber: with the margin, below


def _rag_words(rag: str, amber_margin: float) -> str:
    if rag == "amber":
        return f"Missed (within {100 * amber_margin:g} points)"
    return RAG_WORDS.get(rag, "No data")


def _one(df: pd.DataFrame) -> dict | None:
    return None if df.empty else df.iloc[0].to_dict()


REQUIRED_TABLES = ("marts.pledge_compliance", "marts.citizen_focus_satisfaction", "marts.bme_satisfaction_gap",
                   "marts.bme_gap_change", "marts.satisfaction_change", "marts.force_comparators",
                   "marts.promise_scorecard", "reference.standards", "reference.boroughs", "reference.forces",
                   "raw.load_ledger", "raw.rejects")


def missing_tables(wh) -> list[str]:
    """The tables the pack reads that the published warehouse does not have (yet)."""
    have = wh.tables()
    return [t for t in REQUIRED_TABLES if t not in have]


def months_held(wh, force: str) -> list[date]:
    """The months a pack can be made for: those with a compliance cell or a survey window, oldest first."""
    months = wh.query(
        "select distinct period_month as m from marts.pledge_compliance where force_code = ? union "
        "select distinct period_end_month from marts.citizen_focus_satisfaction where force_code = ? order by 1",
        (force, force))["m"]
    return [pd.Timestamp(m).date() for m in months]


def gather(wh, month: date, force: str | None = None) -> BoardPack:
    """Every figure of the pack from the published warehouse `wh` (dashboards.data.Warehouse)."""
    from dashboards.disclosure import suppress
    from quality.definitions import dbt_vars

    missing = missing_tables(wh)
    if missing:
        raise ReportError(f"{wh.path}: {', '.join(missing)} not in the published warehouse: run `citizen-focus "
                          "build` first")
    forces = wh.forces()
    if not forces:
        raise ReportError(f"{wh.path}: the published marts hold no rows yet")
    if force is None:
        if len(forces) > 1:
            raise ReportError(f"the warehouse holds {len(forces)} forces ({', '.join(forces)}): choose one with "
                              "--force")
        force = forces[0]
    force = force.strip().upper()
    if force not in forces:
        raise ReportError(f"no force '{force}' in the warehouse (it holds {', '.join(forces)})")
    held = months_held(wh, force)
    if month not in held:
        span = f"{month_label(held[0])} to {month_label(held[-1])}" if held else "no months"
        raise ReportError(f"no data for {force} in {month:%Y-%m}: the warehouse holds {span}")

    values = dbt_vars()
    amber = float(values["rag_amber_margin"])
    unknown = str(values["unknown_borough_code"])
    prev = _prev_month(month)

    names = wh.query("select force_name from reference.forces where force_code = ?", (force,))
    force_name = names["force_name"].iloc[0] if len(names) else force
    seed = wh.query(
        """
        select standard_id, title, source, commitment_wording, threshold_value, threshold_unit,
               rural_threshold_value, target_rate, measured, not_measured_reason, sort_order
        from reference.standards where force_code is null or force_code = ?
        order by sort_order, standard_id
        """, (force,))
    monthly = wh.force_monthly(force)
    monthly["period_month"] = pd.to_datetime(monthly["period_month"]).dt.date

    def month_figures(m: date) -> pd.DataFrame:
        return monthly[monthly["period_month"] == m].set_index("standard_id")

    now, before = month_figures(month), month_figures(prev)
    window = monthly[(monthly["period_month"] <= month)
                     & (monthly["period_month"] > date(month.year - 1, month.month, 1))]
    rolling = window.groupby("standard_id")[["numerator", "denominator"]].sum()

    rows = []
    for s in seed.itertuples():
        measured = bool(s.measured)
        num = now["numerator"].get(s.standard_id) if measured else None
        den = now["denominator"].get(s.standard_id) if measured else None
        rate = now["rate"].get(s.standard_id) if measured else None
        prev_rate = before["rate"].get(s.standard_id) if measured else None
        prev_den = before["denominator"].get(s.standard_id) if measured else None
        r_num = rolling["numerator"].get(s.standard_id) if measured else None
        r_den = rolling["denominator"].get(s.standard_id) if measured else None
        rows.append({
            "standard_id": s.standard_id, "title": s.title, "source": s.source, "measured": measured,
            "not_measured_reason": s.not_measured_reason, "commitment_wording": s.commitment_wording,
            "threshold_value": s.threshold_value, "threshold_unit": s.threshold_unit,
            "rural_threshold_value": s.rural_threshold_value,
            "target_rate": s.target_rate, "numerator": num, "denominator": den, "rate": rate,
            "previous_rate": prev_rate, "previous_denominator": prev_den,
            "rolling_12_rate": (r_num / r_den) if measured and _present(r_den) and r_den else None,
            "rag": rag_of(rate, s.target_rate, den, amber) if measured else "not_measured",
            "previous_rag": rag_of(prev_rate, s.target_rate, prev_den, amber) if measured else "not_measured",
        })
    standards = pd.DataFrame(rows)

    cells = suppress(wh.query(
        """
        select c.standard_id, c.borough_code, b.borough_name, c.numerator, c.denominator, c.pending, c.rate,
               c.target_rate, c.rag
        from marts.pledge_compliance as c
        left join reference.boroughs as b on b.force_code = c.force_code and b.borough_code = c.borough_code
        where c.force_code = ? and c.period_month = ? and c.borough_code <> 'ALL'
        order by c.standard_id, c.rate nulls last, c.borough_code
        """, (force, month)))
    missed = []
    for r in standards[standards["rag"].isin(["amber", "red"])].itertuples():
        own = cells[cells["standard_id"] == r.standard_id]
        known = own[own["borough_code"] != unknown]
        below = known[known["rag"].isin(["amber", "red"])]
        # lowest rate first; cells too small to show a rate last (as the scorecard page orders them)
        below = below.assign(_order=pd.to_numeric(below["rate"], errors="coerce")).sort_values(
            ["_order", "borough_code"], na_position="last")
        listed, small = [], 0
        for b in below.itertuples():
            if b.denominator == "<10":  # below target, but its rate is withheld (disclosure rule)
                small += 1
                continue
            name = b.borough_name if isinstance(b.borough_name, str) and b.borough_name else \
                f"area code {b.borough_code} (not in the boroughs list)"
            listed.append(f"{name} {pct(b.rate)}")
        nob = own[(own["borough_code"] == unknown) & own["rag"].isin(["amber", "red"])]
        without = None if nob.empty else str(nob["denominator"].iloc[0])
        if _present(r.previous_rate):
            move = round(100 * (r.rate - r.previous_rate), 1)  # as printed: a move that rounds to 0.0 is none
            before_text = f"{month_label(prev)} ({pct(r.previous_rate)})"
            movement = (f"improving: up {move:.1f} points on {before_text}" if move > 0
                        else f"getting worse: down {-move:.1f} points on {before_text}" if move < 0
                        else f"unchanged on {before_text}")
        else:
            movement = f"no figure for {month_label(prev)} to compare with"
        missed.append(MissedStandard(r.standard_id, r.title, float(r.rate), float(r.target_rate), r.rag,
                                     r.previous_rate if _present(r.previous_rate) else None, movement, listed,
                                     small, int(known["borough_code"].nunique()), without))

    def sat_row(m: date) -> dict | None:
        return _one(suppress(wh.query(
            """
            select respondents, rate, ci_low, ci_high, reliable, is_full_window, window_start_month
            from marts.citizen_focus_satisfaction
            where force_code = ? and borough_code = 'ALL' and question = ? and window_months = 12
              and period_end_month = ?
            """, (force, QUESTION, m))))

    def gap_row(m: date) -> dict | None:
        return _one(suppress(wh.query(
            """
            select white_respondents, bme_respondents, white_rate, bme_rate, gap_pp, gap_ci_low_pp, gap_ci_high_pp,
                   p_value, significant, p_value_holm, significant_holm, reliable, is_full_window
            from marts.bme_satisfaction_gap
            where force_code = ? and borough_code = 'ALL' and question = ? and window_months = 12
              and period_end_month = ?
            """, (force, QUESTION, m))))

    sat_change = _one(wh.query(
        "select * from marts.satisfaction_change where force_code = ? and borough_code = 'ALL' and question = ? "
        "and period_end_month = ?", (force, QUESTION, month)))
    gap_change = _one(wh.query(
        "select * from marts.bme_gap_change where force_code = ? and borough_code = 'ALL' and question = ? "
        "and period_end_month = ?", (force, QUESTION, month)))
    borough_gaps = wh.bme_gap_by_borough(force, QUESTION, 12, month)
    borough_gaps = borough_gaps[borough_gaps["borough_code"] != unknown]
    bnames = wh.query("select borough_code, borough_name from reference.boroughs where force_code = ?", (force,))
    borough_gaps = borough_gaps.merge(bnames, on="borough_code", how="left")
    borough_gaps["borough_name"] = borough_gaps["borough_name"].fillna(borough_gaps["borough_code"])

    comparators = wh.query("select * from marts.force_comparators where force_code = ? "
                           "order by measure_key, question nulls last, period_end_month desc nulls last, "
                           "comparator_role, comparator_name", (force,))
    if not comparators.empty:  # the latest published figure per (measure, comparator)
        key = ["measure_key", "question", "related_standard_id", "comparator_role", "comparator_name"]
        comparators = comparators.drop_duplicates(subset=key, keep="first")

    loads = wh.query(
        """
        select coalesce(kind, '(not recognised)') as kind,
               count(*) filter (where status = 'loaded') as files_loaded,
               count(*) filter (where status = 'rejected') as files_rejected,
               cast(coalesce(sum(rows_loaded), 0) as bigint) as rows_loaded,
               cast(coalesce(sum(rows_rejected), 0) as bigint) as rows_quarantined,
               max(finished_at) filter (where status = 'loaded') as last_loaded_at
        from raw.load_ledger group by 1 order by 1
        """)
    as_of = wh.query("select max(as_of_at) as t from marts.promise_scorecard where force_code = ?", (force,))["t"]
    as_of_at = None if as_of.isna().all() else pd.Timestamp(as_of.iloc[0]).to_pydatetime()

    sat_trend = wh.satisfaction(force, "ALL", 12)
    sat_trend = sat_trend[(sat_trend["question"] == QUESTION)
                          & (pd.to_datetime(sat_trend["period_end_month"]) <= pd.Timestamp(month))]
    gap_trend = wh.bme_gap(force, "ALL", QUESTION, 12)
    gap_trend = gap_trend[pd.to_datetime(gap_trend["period_end_month"]) <= pd.Timestamp(month)]
    return BoardPack(
        force=force, force_name=force_name, month=month, standards=standards, missed=missed,
        satisfaction=sat_row(month), previous_satisfaction=sat_row(prev), satisfaction_change=sat_change,
        gap=gap_row(month), previous_gap=gap_row(prev), gap_change=gap_change, borough_gaps=borough_gaps,
        survey_span=wh.survey_span(force), comparators=comparators, loads=loads,
        reject_reasons=wh.reject_reasons(5), as_of_at=as_of_at, built_at=wh.built_at(),
        monthly=monthly[monthly["period_month"] <= month], satisfaction_trend=sat_trend, gap_trend=gap_trend,
        significance_level=float(values["significance_level"]),
        reliable_from=int(values["reliable_from_respondents"]), amber_margin=amber,
        operational=wh.operational_loaded(force))


# ---- sentences -------------------------------------------------------------------------------------

def missed_sentence(m: MissedStandard) -> str:
    from dashboards.disclosure import SUPPRESSED

    below = len(m.boroughs_below) + m.small_below
    where = f"Below target in {below} of {m.boroughs_measured} boroughs"
    if m.boroughs_below:
        where += f"; lowest: {', '.join(m.boroughs_below[:LOWEST_SHOWN])}"
    if m.small_below:
        where += f" ({m.small_below} with {SUPPRESSED} records, rate not shown)"
    if m.without_borough is not None:
        count = "fewer than 10" if m.without_borough == "<10" else m.without_borough
        where += f"; records with no recorded borough ({count}) were below target too"
    return (f"{m.title}: {pct(m.rate)} against a target of {pct(m.target_rate, 0)}, "
            f"{m.points_below:.1f} points below target. {where}. {m.movement[0].upper()}{m.movement[1:]}.")


def satisfaction_sentence(p: BoardPack) -> str:
    s = p.satisfaction
    if s is None:
        return f"No survey results for the 12 months to {p.label}."
    if not _present(s["rate"]):
        return (f"Whole-experience satisfaction, 12 months to {p.label}: fewer than 10 respondents, so no rate is "
                "published.")
    caution = "" if s["reliable"] else f" Treat with caution: fewer than {p.reliable_from} respondents."
    partial = ""
    first = p.survey_span[0]
    if not s["is_full_window"] and _present(first):
        partial = f" The 12-month window is not full: the survey data start in {month_label(first)}."
    return (f"Whole-experience satisfaction, force-wide, 12 months to {p.label}: {pct(s['rate'])} satisfied "
            f"(95% interval {pct(s['ci_low'])} to {pct(s['ci_high'])}; {s['respondents']} respondents)."
            f"{partial}{caution}")


def gap_sentence(p: BoardPack) -> str:
    g = p.gap
    if g is None:
        return f"No White / BME gap for the 12 months to {p.label}."
    if not _present(g["gap_pp"]):
        return ("White / BME gap: a group has fewer than 10 respondents, so no gap is published for the 12 months to "
                f"{p.label}.")
    if not _present(g["p_value_holm"]):
        verdict = "no test published"
    elif g["significant_holm"]:
        verdict = (f"statistically significant (Holm-adjusted p = {float(g['p_value_holm']):.3f}; the force-wide "
                   "figure is its own family)")
    else:
        verdict = f"not statistically significant (Holm-adjusted p = {float(g['p_value_holm']):.3f})"
    caution = "" if g["reliable"] else f" Treat with caution: a group has fewer than {p.reliable_from} respondents."
    tested = p.borough_gaps[p.borough_gaps["p_value_holm"].notna()]
    flagged = int(tested["significant_holm"].fillna(False).astype(bool).sum())
    names = ", ".join(tested[tested["significant_holm"].fillna(False).astype(bool)]["borough_name"].astype(str))
    boroughs = (f" Boroughs: {flagged} of {len(tested)} tested have a significant gap after Holm's adjustment"
                + (f" ({names})." if flagged else ".")) if len(tested) else (
        " No borough has 10 or more respondents in both groups, so no borough gap is tested.")
    return (f"White minus BME satisfaction gap, force-wide, 12 months to {p.label}: {points(g['gap_pp'])} points "
            f"(95% interval {points(g['gap_ci_low_pp'])} to {points(g['gap_ci_high_pp'])}), {verdict}.{caution}"
            f"{boroughs}")


def gap_closing_sentence(p: BoardPack) -> str:
    from dashboards import inference

    s = inference.InferenceSettings(p.significance_level, p.reliable_from)
    if p.gap_change is None:
        first, last = p.survey_span
        return inference.not_enough_data(month_label(first) if _present(first) else None,
                                         month_label(last) if _present(last) else None)
    c = p.gap_change
    return (f"12 months to {month_label(c['period_end_month'])} against the 12 months to "
            f"{month_label(c['previous_period_end_month'])}: " + inference.gap_change_sentence(c, s))


def satisfaction_change_sentence(p: BoardPack) -> str:
    from dashboards import inference

    if p.satisfaction_change is None:
        return "Year on year: Not enough data (a change needs two full 12-month windows, 24 months of survey)."
    s = inference.InferenceSettings(p.significance_level, p.reliable_from)
    return "Year on year: " + inference.satisfaction_change_sentence(p.satisfaction_change, s)


def changes_since_last_month(p: BoardPack) -> list[str]:
    prev = month_label(_prev_month(p.month))
    out = []
    measured = p.standards[p.standards["measured"]] if p.operational else p.standards.iloc[0:0]
    for r in measured.itertuples():
        if r.rag != r.previous_rag:
            def status(rag: str, rate: object) -> str:
                word = _rag_words(rag, p.amber_margin).lower()
                return word if rag == "no_data" else f"{word.replace(' (', ', ').rstrip(')')}, {pct(rate)}"

            out.append(f"{r.title}: {status(r.rag, r.rate)} (in {prev}: {status(r.previous_rag, r.previous_rate)}).")
    if not out and p.operational:
        out.append(f"No commitment changed status since {prev}.")
    s, ps = p.satisfaction, p.previous_satisfaction
    if s and ps and _present(s["rate"]) and _present(ps["rate"]):
        out.append(f"Whole-experience satisfaction (12 months): {pct(s['rate'])}, "
                   f"{100 * (s['rate'] - ps['rate']):+.1f} points on the 12 months to {prev} ({pct(ps['rate'])}); "
                   "the two windows share 11 months, so this is not a test of change.")
    g, pg = p.gap, p.previous_gap
    if g and pg and _present(g["gap_pp"]) and _present(pg["gap_pp"]):
        out.append(f"White / BME gap (12 months): {points(g['gap_pp'])} points, "
                   f"{g['gap_pp'] - pg['gap_pp']:+.1f} on the 12 months to {prev} ({points(pg['gap_pp'])}); "
                   "overlapping windows, not a test of change.")
    return out


DEFINITIONS = (
    ("Compliance rate", "Records within the standard divided by records assessed, per month (Europe/London) and "
     "borough; the force-wide rate sums the boroughs' records. Pending records (deadline not yet passed) count in "
     "neither. Status: met at or above target; missed within {amber} points below target (amber); missed further "
     "below (red)."),
    ("Points below target", "Target rate minus the force-wide rate, in percentage points."),
    ("Improving / getting worse", "This month's force-wide rate against the previous month's (a description, not "
     "a statistical test)."),
    ("Satisfaction", "Weighted share of survey users answering completely, very or fairly satisfied with the whole "
     "experience, over the 12 months to the month; 95% Wilson interval on the effective sample size. Fewer than "
     "{reliable} respondents: treat with caution; fewer than 10: no rate published."),
    ("White / BME gap", "White rate minus BME rate in percentage points (positive when BME users are less "
     "satisfied); 95% Newcombe interval (method 10). Significant when the interval excludes 0."),
    ("Holm adjustment", "When the boroughs of one month are tested together, some would look significant by "
     "chance alone; Holm's step-down method adjusts each borough's p-value for the number of boroughs tested, and a "
     "borough is flagged when its adjusted p-value is below {level}. The force-wide figure is a single test (its "
     "adjusted p-value equals its p-value)."),
    ("Is the gap closing?", "The 12 months to the month against the 12 months before (not overlapping), MOVER "
     "interval for the change: closing when the interval lies below 0 and the earlier gap was positive; widening "
     "when it lies above 0. Needs 24 months of survey."),
    ("Published comparators", "Figures as printed by their source, labelled 'published, <period>, <source>'; they "
     "are not recomputed."),
)


# ---- charts ----------------------------------------------------------------------------------------

def chart_figures(p: BoardPack) -> list[tuple[str, object]]:
    """(caption, plotly figure) from dashboards/charts.py, the same functions the pages draw with."""
    from dashboards import charts

    titles = dict(zip(p.standards["standard_id"], p.standards["title"], strict=True))
    figures = []
    start = date(p.month.year - 1, p.month.month, 1)
    for m in p.missed:
        part = p.monthly[(p.monthly["standard_id"] == m.standard_id) & (p.monthly["period_month"] > start)
                         & p.monthly["rate"].notna()].copy()
        part["standard_id"] = titles[m.standard_id]
        part["period_month"] = pd.to_datetime(part["period_month"])
        figures.append((f"{m.title}: force-wide monthly rate against target (dashed), 12 months to {p.label}",
                        charts.trend_vs_target(part, f"{m.title}: within standard (%), force-wide")))
    sat = p.satisfaction_trend.dropna(subset=["rate"]).copy()
    if len(sat):
        sat["group"] = "Whole experience"
        figures.append((f"Whole-experience satisfaction, rolling 12 months, to {p.label} (95% Wilson interval)",
                        charts.rate_bands(sat, "group", "Whole experience: satisfied (%), force-wide, rolling 12 "
                                                        "months")))
    gap = p.gap_trend.dropna(subset=["gap_pp"])
    if len(gap):
        figures.append((f"White minus BME gap, rolling 12 months, to {p.label} (95% Newcombe interval)",
                        charts.gap_over_time(gap, "Whole experience: gap White - BME (pp), force-wide")))
    ranked = p.borough_gaps.dropna(subset=["gap_pp"]).copy()
    if len(ranked):
        ranked["borough_code"] = ranked["borough_name"]
        figures.append((f"White minus BME gap by borough, 12 months to {p.label} (95% Newcombe interval; diamond: "
                        f"significant after Holm's adjustment; hollow: a group under {p.reliable_from} respondents)",
                        charts.ranked_gaps(ranked, "Whole experience: gap by borough (pp)", adjusted=True,
                                           reliable_from=p.reliable_from)))
    return figures


def render_png(figures: list[object], width: int = 1000, height: int = 400) -> tuple[list[bytes] | None, str | None]:
    """(PNG bytes of each figure, None) by Kaleido, one Chrome/Chromium for all; (None, why) when none runs here."""
    try:
        import kaleido
    except ImportError as exc:
        return None, str(exc)
    out: dict[str, object] = {}

    async def _all() -> list[bytes]:
        async with kaleido.Kaleido(n=1, timeout=90, mathjax=False) as k:
            return [await k.calc_fig(f, opts={"format": "png", "width": width, "height": height, "scale": 2})
                    for f in figures]

    def _run() -> None:  # its own thread and event loop: Streamlit's script thread may have one
        try:
            out["images"] = asyncio.run(_all())
        except Exception as exc:  # no browser, or it would not start: the pack says so instead
            out["error"] = exc

    thread = threading.Thread(target=_run, name="board-pack-charts")
    thread.start()
    thread.join()
    if "images" in out:
        return out["images"], None  # type: ignore[return-value]
    error = out.get("error")
    if error is not None and "ChromeNotFound" in type(error).__name__:
        return None, "no Chrome or Chromium found"
    return None, (f"{type(error).__name__}: {error}".splitlines()[0] if error else "no images")


# ---- the PDF ---------------------------------------------------------------------------------------

_LATIN1 = str.maketrans({"–": "-", "—": "-", "−": "-", "’": "'", "‘": "'", "“": '"', "”": '"', "…": "...",
                         "≥": ">=", "≤": "<=", "×": "x", "✔": "", "▲": "", "✖": "", "\u2060": ""})


def _t(text: object) -> str:
    """Text the PDF's core font can show (Latin-1); the few typographic characters the marts' words use are mapped."""
    s = str(text).translate(_LATIN1)
    return s.encode("latin-1", "replace").decode("latin-1")


def _london(t: datetime | None) -> str:
    if t is None:
        return "-"
    if t.tzinfo is None:
        t = t.replace(tzinfo=UTC)
    local = t.astimezone(LONDON)
    return f"{local:%d %B %Y %H:%M} {local.tzname()} (Europe/London)"


def render_pdf(p: BoardPack, generated_at: datetime | None = None) -> bytes:
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    from dashboards.disclosure import SUPPRESSED, THRESHOLD
    from dashboards.text import NO_OPERATIONAL_DATA

    generated_at = generated_at or datetime.now(UTC)

    class Paper(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font("Helvetica", size=8)
            self.set_text_color(90)
            self.cell(0, 5, _t(f"{PAGE_TITLE} - {p.force_name} - {p.label} - page {self.page_no()} of "
                               "{nb}"), align="C")
            self.set_text_color(0)

    pdf = Paper(format="A4")
    pdf.set_title(_t(f"{PAGE_TITLE}: {p.force_name}, {p.label}"))
    pdf.set_author("Citizen Focus Warehouse")
    pdf.set_creation_date(generated_at)
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.set_margins(16, 14, 16)

    def h1(text: str) -> None:
        pdf.set_font("Helvetica", "B", 16)
        pdf.multi_cell(0, 8, _t(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1)

    def h2(text: str) -> None:
        pdf.ln(2)
        pdf.set_font("Helvetica", "B", 12)
        pdf.multi_cell(0, 6, _t(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(0.5)

    def para(text: str, size: float = 10, style: str = "") -> None:
        pdf.set_font("Helvetica", style, size)
        pdf.multi_cell(0, size * 0.5, _t(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1)

    def bullet(text: str, size: float = 10) -> None:
        pdf.set_font("Helvetica", "", size)
        pdf.cell(5, size * 0.5, "-")
        pdf.multi_cell(0, size * 0.5, _t(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(0.8)

    def table(header: list[str], rows: list[list[object]], widths: tuple[float, ...], size: float = 8) -> None:
        pdf.set_font("Helvetica", "", size)
        with pdf.table(col_widths=widths, text_align="LEFT", line_height=size * 0.5, padding=1,
                       first_row_as_headings=True) as t:
            head = t.row()
            for h in header:
                head.cell(_t(h))
            for r in rows:
                row = t.row()
                for v in r:
                    row.cell(_t(v))
        pdf.ln(2)

    # ---- page 1: the summary ------------------------------------------------------------------------
    pdf.add_page()
    h1(f"{PAGE_TITLE}: {p.force_name}, {p.label}")
    para(f"Summary for the committee. Data as of {_london(p.as_of_at)}. Figures from the published warehouse; "
         f"counts of 1 to {THRESHOLD - 1} are shown as \"{SUPPRESSED}\".", 9)
    h2(f"Commitments missed in {p.label}")
    measured = p.standards[p.standards["measured"]]
    with_data = measured[measured["rag"] != "no_data"]
    if not p.operational:
        para(NO_OPERATIONAL_DATA)
    elif not p.missed:
        para(f"Every commitment measured in {p.label} ({len(with_data)} with data) met its target force-wide.")
    else:
        para(f"{len(p.missed)} of the {len(with_data)} commitments measured in {p.label} missed their target "
             "force-wide:")
        for m in p.missed:
            bullet(missed_sentence(m), 9)
    h2("Satisfaction and the White / BME gap")
    bullet(satisfaction_sentence(p), 9)
    bullet(satisfaction_change_sentence(p), 9)
    bullet(gap_sentence(p), 9)
    bullet("Is the gap closing? " + gap_closing_sentence(p), 9)
    h2("What changed since last month")
    for line in changes_since_last_month(p):
        bullet(line, 9)

    # ---- the scorecard ------------------------------------------------------------------------------
    pdf.add_page()
    h1(f"Scorecard, {p.label}")
    para("Every commitment, force-wide. Rates are the share of records within the standard; change is in "
         "percentage points against the previous month; rolling 12 months is that month and the 11 before.", 9)
    rows = []
    if not p.operational:
        para(NO_OPERATIONAL_DATA)
    for r in p.standards.itertuples() if p.operational else ():
        if not r.measured:
            reason = r.not_measured_reason if isinstance(r.not_measured_reason, str) else "no data source"
            rows.append([r.title, "-", pct(r.target_rate, 0), reason[0].upper() + reason[1:], "-", "-", "-"])
            continue
        change = (f"{100 * (r.rate - r.previous_rate):+.1f}" if _present(r.rate) and _present(r.previous_rate)
                  else "-")
        rows.append([r.title, pct(r.rate), pct(r.target_rate, 0), _rag_words(r.rag, p.amber_margin),
                     pct(r.previous_rate), change, pct(r.rolling_12_rate)])
    if p.operational:
        table(["Commitment", "This month", "Target", "Status", "Last month", "Change (pp)", "Rolling 12 months"],
              rows, (64, 17, 14, 30, 17, 15, 21))

    # ---- charts -------------------------------------------------------------------------------------
    pdf.add_page()
    h1("Trends")
    figures = chart_figures(p)
    images, why = render_png([f for _, f in figures]) if figures else ([], None)
    if why:
        p.charts_note = f"charts not drawn ({why}); install Chrome or Chromium, e.g. `bash scripts/setup.sh --browser`"
    if not figures:
        para("No trend to draw for this month.")
    for i, (caption, _) in enumerate(figures):
        png = images[i] if images else None
        if pdf.get_y() > 190:
            pdf.add_page()
        para(caption, 9, "B")
        if png:
            pdf.image(io.BytesIO(png), w=178)
            pdf.ln(2)
        else:
            para(f"(Chart not drawn: {why}. Install Chrome or Chromium, e.g. `bash scripts/setup.sh --browser`, "
                 "and make the pack again.)", 9)

    if p.borough_gaps["gap_pp"].isna().all():
        para(f"White minus BME gap by borough, 12 months to {p.label}: no borough has 10 or more White and 10 or "
             "more BME respondents, so no borough gap is shown.", 9, "B")

    # ---- comparators --------------------------------------------------------------------------------
    pdf.add_page()
    h1("Published comparators")
    para("Published figures beside this force's own, each labelled with its period and source. Ours are from the "
         f"marts for the 12 months to {p.label} (satisfaction and gap) or the rolling 12 months to {p.label} "
         "(standards).", 9)
    if p.comparators.empty:
        para("No published comparator is held for this force.")
    else:
        for (measure, question, standard), part in p.comparators.groupby(
                ["measure_key", "question", "related_standard_id"], dropna=False, sort=True):
            ours = _our_figure(p, measure, question, standard)
            h2(_t(part["measure_as_printed"].iloc[0]))
            para(f"This force, from the marts: {ours}", 9, "B")
            rows = []
            for c in part.itertuples():
                ci = f" +/- {c.ci_half_width:g}" if _present(c.ci_half_width) else ""
                unit = {"pct": "%", "pp": " pp", "seconds": " s", "minutes": " min"}.get(c.unit, f" {c.unit}")
                rows.append([c.comparator_name or "England and Wales", f"{c.value:g}{unit}{ci}",
                             c.label])
            table(["Area", "Figure", "Label"], rows, (45, 30, 103))

    # ---- appendix -----------------------------------------------------------------------------------
    pdf.add_page()
    h1("Appendix")
    h2("Definitions (in full: docs/measures.md)")
    for term, text in DEFINITIONS:
        bullet(f"{term}: " + text.format(amber=f"{100 * p.amber_margin:g}", reliable=p.reliable_from,
                                         level=f"{p.significance_level:g}"), 9)
    rows = []
    for r in p.standards[p.standards["measured"]].itertuples():
        rows.append([r.title, r.standard_id, r.commitment_wording, pct(r.target_rate, 0), r.source])
    h2("The commitments measured (standards seed)")
    table(["Commitment", "Reference", "Wording", "Target", "Source"], rows, (38, 30, 70, 12, 28), 7)
    h2("Data as of")
    bullet(f"Latest record loaded for {p.force_name}: {_london(p.as_of_at)}.", 9)
    bullet(f"Warehouse built: {_london(p.built_at)}.", 9)
    bullet(f"This pack made: {_london(generated_at)}.", 9)
    h2("Loads and rejects (load ledger)")
    rows = [[r.kind, r.files_loaded, r.files_rejected, f"{r.rows_loaded}", f"{r.rows_quarantined}",
             _london(r.last_loaded_at.to_pydatetime()) if _present(r.last_loaded_at) else "-"]
            for r in p.loads.itertuples()]
    tot = p.loads[["files_loaded", "files_rejected", "rows_loaded", "rows_quarantined"]].sum()
    rows.append(["All extracts", int(tot["files_loaded"]), int(tot["files_rejected"]), int(tot["rows_loaded"]),
                 int(tot["rows_quarantined"]), ""])
    table(["Extract", "Files loaded", "Files rejected", "Rows loaded", "Rows quarantined", "Last loaded"], rows,
          (34, 20, 22, 24, 28, 50))
    if not p.reject_reasons.empty:
        para("Most common reasons rows were quarantined (values quoted in a reason are masked):", 9)
        table(["Extract", "Reason", "Rows"], [[r.kind, r.reason, r.rows_rejected]
                                              for r in p.reject_reasons.itertuples()], (30, 130, 18), 7)
    h2("Suppression rules")
    bullet(f"No count from 1 to {THRESHOLD - 1} is shown for a borough or group: it is shown as \"{SUPPRESSED}\", and "
           "a rate that would let a reader work it out is withheld with it. Zero is shown as zero. The same rule "
           "applies on the dashboards and in every export (docs/data-protection.md).", 9)
    bullet("A survey rate, interval or gap is published only when each group has at least 10 respondents.", 9)
    bullet("No personal data (names, contact details, free text, staff identifiers) is read for this pack.", 9)
    return bytes(pdf.output())


def _our_figure(p: BoardPack, measure: str, question: object, standard: object) -> str:
    if measure == "bme_gap" and p.gap and _present(p.gap["gap_pp"]):
        g = p.gap
        return (f"{points(g['gap_pp'])} pp (95% interval {points(g['gap_ci_low_pp'])} to "
                f"{points(g['gap_ci_high_pp'])}), 12 months to {p.label} (whole experience)")
    if measure == "satisfaction" and question == QUESTION and p.satisfaction and _present(p.satisfaction["rate"]):
        s = p.satisfaction
        return (f"{pct(s['rate'])} (95% interval {pct(s['ci_low'])} to {pct(s['ci_high'])}), 12 months to "
                f"{p.label}")
    if _present(standard) and str(measure).endswith("_in_target"):  # a share within a standard, not a mean time
        row = p.standards[p.standards["standard_id"] == standard]
        if len(row) and _present(row["rolling_12_rate"].iloc[0]):
            return f"{pct(row['rolling_12_rate'].iloc[0])} within standard, rolling 12 months to {p.label}"
    return "no figure measured the same way in the marts for this month"


def board_pack_pdf(wh, month: date, force: str | None = None, generated_at: datetime | None = None) -> bytes:
    """The board pack of `force` for `month` from the published warehouse `wh`, as PDF bytes."""
    return render_pdf(gather(wh, month, force), generated_at)


def write_report(db: Path, month_text: str, force: str | None, out: Path) -> BoardPack:
    """`citizen-focus report`: the pack written to `out`; ReportError for anything the user can fix."""
    month = parse_month(month_text)
    if out.suffix.lower() != ".pdf":
        raise ReportError(f"--out must name a .pdf file; got '{out}'")
    if not out.parent.is_dir():
        raise ReportError(f"{out.parent}: no such folder for --out")
    if not db.is_file():
        raise ReportError(f"{db}: no such warehouse file")
    import streamlit.logger

    streamlit.logger.set_log_level("error")  # the pages' data module outside the app: no "no runtime" warning

    from dashboards.data import WarehouseUnavailable, open_warehouse

    try:
        wh = open_warehouse(db, cached=False)
    except WarehouseUnavailable as exc:
        raise ReportError(str(exc)) from None
    pack = gather(wh, month, force)
    out.write_bytes(render_pdf(pack))
    return pack
