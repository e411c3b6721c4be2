"""The app's one data-access module: every figure on every page comes through here.

Why it looks like this:
- **Read-only, one connection per warehouse build.** The published warehouse is replaced by an
  atomic rename (citizen_focus/publish.py), so the file's identity (inode, mtime, size) is the
  build id. The cached connection and every cached result are keyed on it: the first request after
  a publish (or a rollback) opens the new file, with no restart, while a request already running
  finishes on the old file it holds open.
- **A cursor per query.** One DuckDB connection is not safe across Streamlit's session threads;
  cursors from one connection are.
- **Bound parameters only.** Values never enter SQL text; the only names put into SQL are table
  and column names taken from the fixed lists below.
- **A clear message, not a traceback,** when the warehouse is missing, empty or lacks a mart:
  `WarehouseUnavailable` / `TableMissing` carry one line for the page to show.
- **Only the published marts**, the load ledger, reject *reasons* (never the raw row text) and the
  data-quality results are read. Nothing here touches a personal column.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from citizen_focus.config import warehouse_path

QUESTIONS: tuple[str, ...] = ("ease_of_contact", "action_taken", "kept_informed", "treatment", "whole_experience")
QUESTION_LABELS = {
    "ease_of_contact": "Ease of contact",
    "action_taken": "Action taken",
    "kept_informed": "Kept informed",
    "treatment": "Treatment",
    "whole_experience": "Whole experience",
}
# Which event families (the standards seed's event_family) each page section charts: a new standard
# of an existing family appears on its page with no code change (docs/extending.md).
SECTION_FAMILIES: dict[str, tuple[str, ...]] = {
    "calls": ("call_answered",),
    "attendance": ("incident_attended", "appointment_set", "appointment_kept"),
    "feedback": ("feedback_acknowledged", "feedback_responded"),
    "victims": ("victim_updated", "victim_support_referred"),
}

# Every table an analyst may export (schema, table, what it is).
EXPORTABLE: dict[str, str] = {
    "marts.promise_scorecard": "Every standard's latest status (the board's scorecard)",
    "marts.pledge_compliance": "Compliance per standard, borough and month",
    "marts.compliance_records": "One row per record behind each compliance rate (drill-down)",
    "marts.citizen_focus_satisfaction": "Satisfaction per question, borough and month (1 and 12-month windows)",
    "marts.bme_satisfaction_gap": "White / BME satisfaction gap with Newcombe intervals",
    "marts.satisfaction_by_equality_group": "Satisfaction by equality group (ethnicity, age, gender, disability, "
                                            "survey group)",
    "marts.satisfaction_by_service_outcome": "Satisfaction by whether the linked incident or crime met a standard",
}

# The survey marts whose single-month windows say which survey months a warehouse holds.
SPAN_TABLES = ("marts.bme_satisfaction_gap", "marts.citizen_focus_satisfaction")

BOROUGH_GAPS = "BME gap by borough with intervals (rolling 12 months, latest month)"

# The tables each page reads (also the dbt exposures' depends_on, models/marts/_marts__exposures.yml).
PAGE_TABLES: dict[str, tuple[str, ...]] = {
    # the scorecard's board-pack button reads what the pack reads (citizen_focus/report.py)
    "scorecard": ("marts.promise_scorecard", "marts.pledge_compliance", "marts.bme_gap_change",
                  "marts.bme_satisfaction_gap", "marts.citizen_focus_satisfaction", "marts.satisfaction_change",
                  "marts.force_comparators", "raw.load_ledger", "raw.rejects"),
    "calls_attendance": ("marts.pledge_compliance", "marts.compliance_records", "reference.standards"),
    "satisfaction": ("marts.citizen_focus_satisfaction", "marts.satisfaction_by_equality_group",
                     "marts.satisfaction_change", "marts.satisfaction_key_drivers"),
    "bme_gap": ("marts.bme_satisfaction_gap", "marts.satisfaction_by_service_outcome", "marts.bme_gap_change"),
    "complaints_victims": ("marts.pledge_compliance", "marts.compliance_records", "reference.standards"),
    "drilldown": ("marts.compliance_records",),
    "data_quality": ("raw.load_ledger", "raw.rejects"),
    "exports": tuple(EXPORTABLE),
}


class WarehouseUnavailable(Exception):
    """The warehouse file is missing, unreadable or has no marts: the page shows this one line."""


class TableMissing(Exception):
    """A table this page needs is not in the published warehouse (yet)."""


def build_id(path: Path) -> str | None:
    """The published file's identity: a publish or rollback renames a different file into place."""
    try:
        st_ = os.stat(path)
    except FileNotFoundError:
        return None
    return f"{st_.st_ino}-{st_.st_mtime_ns}-{st_.st_size}"


def _open(path: str) -> duckdb.DuckDBPyConnection:
    """A private in-memory database with the warehouse file attached read-only as `wh`.

    Not `duckdb.connect(path)`: DuckDB caches database instances by path within a process, so after
    a publish that call would hand back the old file's instance. ATTACH opens the file now there.
    """
    con = duckdb.connect(":memory:")
    try:
        con.execute("attach '" + path.replace("'", "''") + "' as wh (read_only)")
    except duckdb.IOException as exc:
        con.close()
        reason = "another process holds it for writing" if "lock" in str(exc).lower() else str(exc).splitlines()[0]
        raise WarehouseUnavailable(f"{path}: the warehouse cannot be opened ({reason}); try again shortly") from None
    except duckdb.Error as exc:
        con.close()
        raise WarehouseUnavailable(f"{path}: not a readable DuckDB warehouse ({str(exc).splitlines()[0]})") from None
    return con


@st.cache_resource(max_entries=4, show_spinner=False)
def _connection(path: str, build: str) -> duckdb.DuckDBPyConnection:
    """One read-only connection per (file, build); `build` is only part of the cache key."""
    return _open(path)


def _run(con: duckdb.DuckDBPyConnection, sql: str, params: tuple) -> pd.DataFrame:
    cur = con.cursor()
    try:
        cur.execute("use wh")
        cur.execute("set TimeZone = 'UTC'")
        return cur.execute(sql, list(params)).df()
    finally:
        cur.close()


@st.cache_data(max_entries=1024, show_spinner=False)
def _cached_query(path: str, build: str, sql: str, params: tuple) -> pd.DataFrame:
    return _run(_connection(path, build), sql, params)


@dataclass
class Warehouse:
    """The published warehouse as of one request. `cached=False` is for benchmarks and tests."""

    path: Path
    build: str
    cached: bool = True
    _direct: duckdb.DuckDBPyConnection | None = None

    def query(self, sql: str, params: tuple | list = ()) -> pd.DataFrame:
        params = tuple(params)
        if self.cached:
            return _cached_query(str(self.path), self.build, sql, params).copy()
        if self._direct is None:
            self._direct = _open(str(self.path))
        return _run(self._direct, sql, params)

    # ---- what exists --------------------------------------------------------------------
    def tables(self) -> set[str]:
        df = self.query("select table_schema || '.' || table_name as t from information_schema.tables "
                        "where table_catalog = 'wh'")
        return set(df["t"])

    def columns(self, table: str) -> list[str]:
        schema, name = table.split(".")
        df = self.query("select column_name from information_schema.columns where table_catalog = 'wh' and "
                        "table_schema = ? and table_name = ? order by ordinal_position", (schema, name))
        return list(df["column_name"])

    def require(self, *tables: str) -> None:
        have = self.tables()
        missing = [t for t in tables if t not in have]
        if missing:
            raise TableMissing(f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not in the published "
                               f"warehouse ({self.path.name}) yet: run `citizen-focus build` once the models exist")

    def built_at(self) -> datetime:
        return datetime.fromtimestamp(os.stat(self.path).st_mtime, tz=UTC)

    def operational_loaded(self, force: str | None = None) -> bool:
        """Whether the compliance marts measure anything (for `force`): False for a survey-only warehouse."""
        if "marts.pledge_compliance" not in self.tables():
            return False
        where, params = ("where force_code = ?", (force,)) if force is not None else ("", ())
        return bool(self.query(f"select exists (select 1 from marts.pledge_compliance {where}) as x", params)["x"][0])

    # ---- shared selectors ----------------------------------------------------------------
    def forces(self) -> list[str]:
        have = self.tables()
        sources = [t for t in ("marts.promise_scorecard", "marts.pledge_compliance", "marts.citizen_focus_satisfaction")
                   if t in have]
        if not sources:
            return []
        union = " union ".join(f"select distinct force_code from {t}" for t in sources)
        return list(self.query(f"select force_code from ({union}) where force_code is not null order by 1")
                    ["force_code"])

    # ---- scorecard -----------------------------------------------------------------------
    def scorecard(self, force: str) -> pd.DataFrame:
        """promise_scorecard with the spec's meaning under fixed names (its column names are resolved)."""
        cols = self.columns("marts.promise_scorecard")
        pick = _picker(cols)
        select = {
            "standard_id": "standard_id",
            "title": pick("title", "measure", "standard_title"),
            "source": pick("source"),
            "target_rate": pick("target_rate"),
            "latest_rate": pick("latest_rate", "rate", "latest_month_rate"),
            "previous_rate": pick("previous_rate", "previous_month_rate", "prev_rate", "prior_month_rate"),
            "rolling_12_rate": pick("rolling_12_rate", "rolling_12_month_rate", "rolling_12m_rate", "rate_12m",
                                    "rolling_rate"),
            "rag": pick("rag"),
            "measured": pick("measured"),
            "not_measured_reason": pick("not_measured_reason"),
            "period_month": pick("period_month", "latest_month", "period_end_month"),
        }
        exprs = ", ".join(f"{src} as {alias}" if src else f"null as {alias}" for alias, src in select.items())
        order = "sort_order, standard_id" if "sort_order" in cols else "standard_id"
        where, params = ("where force_code = ?", (force,)) if "force_code" in cols else ("", ())
        return self.query(f"select {exprs} from marts.promise_scorecard {where} order by {order}", params)

    def standards_in(self, *sections: str) -> tuple[str, ...]:
        """The measured standards of these page sections (SECTION_FAMILIES), in the seed's sort order."""
        families = [f for section in sections for f in SECTION_FAMILIES[section]]
        df = self.query("select standard_id from reference.standards where measured and list_contains(?, event_family) "
                        "order by sort_order, standard_id", (families,))
        return tuple(df["standard_id"])

    def force_monthly(self, force: str, standards: tuple[str, ...] | None = None) -> pd.DataFrame:
        """Force-wide rate per standard and month: the boroughs' numerators and denominators summed."""
        sql = """
            select standard_id, period_month, cast(sum(numerator) as bigint) as numerator,
                   cast(sum(denominator) as bigint) as denominator, cast(sum(pending) as bigint) as pending,
                   max(target_rate) as target_rate,
                   sum(numerator) / nullif(sum(denominator), 0) as rate
            from marts.pledge_compliance
            where force_code = ? and borough_code <> 'ALL'
            group by standard_id, period_month
        """
        params: list = [force]
        if standards:
            sql = sql.replace("group by", "and list_contains(?, standard_id) group by")
            params.append(list(standards))
        return self.query(sql + " order by standard_id, period_month", params)

    def borough_grid(self, force: str, month) -> pd.DataFrame:
        """Every (standard, borough) cell of one month, with its RAG."""
        return self.query(
            """
            select standard_id, borough_code, numerator, denominator, pending, rate, target_rate, rag
            from marts.pledge_compliance
            where force_code = ? and period_month = ? and borough_code <> 'ALL'
            order by standard_id, borough_code
            """, (force, month))

    def borough_history(self, force: str, borough: str) -> pd.DataFrame:
        return self.query(
            """
            select standard_id, period_month, numerator, denominator, pending, rate, target_rate, rag
            from marts.pledge_compliance
            where force_code = ? and borough_code = ?
            order by standard_id, period_month
            """, (force, borough))

    def latest_month(self, force: str) -> object | None:
        """The scorecard's month (the latest complete one) if it says, else the latest month with records."""
        if "marts.promise_scorecard" in self.tables() and "period_month" in self.columns("marts.promise_scorecard"):
            df = self.query("select max(period_month) as m from marts.promise_scorecard where force_code = ?", (force,))
            if not df["m"].isna().all():
                return df["m"].iloc[0]
        df = self.query("select max(period_month) as m from marts.pledge_compliance where force_code = ?", (force,))
        value = df["m"].iloc[0]
        return None if pd.isna(value) else value

    # ---- calls & attendance, complaints & victim care ------------------------------------
    def league_table(self, force: str, standard: str, month) -> pd.DataFrame:
        """Boroughs by rate in one month (best first), and their rolling 12 months to that month."""
        return self.query(
            """
            with cells as (
                select borough_code, period_month, numerator, denominator, rate, rag, target_rate
                from marts.pledge_compliance
                where force_code = ? and standard_id = ? and borough_code <> 'ALL'
            ),
            rolling as (
                select borough_code, cast(sum(numerator) as bigint) as numerator_12,
                       cast(sum(denominator) as bigint) as denominator_12
                from cells
                where period_month > cast(? as date) - interval 12 month and period_month <= cast(? as date)
                group by borough_code
            )
            select c.borough_code, c.numerator, c.denominator, c.rate, c.rag, c.target_rate,
                   r.numerator_12, r.denominator_12, r.numerator_12 / nullif(r.denominator_12, 0) as rate_12
            from cells as c inner join rolling as r on c.borough_code = r.borough_code
            where c.period_month = ?
            order by c.rate desc nulls last, c.borough_code
            """, (force, standard, month, month, month))

    def elapsed_distribution(self, force: str, standard: str, bin_seconds: float, cap_seconds: float) -> pd.DataFrame:
        """Records by elapsed time (bins of bin_seconds; everything above cap in the last bin)."""
        return self.query(
            """
            select least(floor(elapsed_seconds / ?), floor(? / ?)) * ? as bin_start_seconds,
                   count(*) as records, max(threshold_seconds) as threshold_seconds
            from marts.compliance_records
            where force_code = ? and standard_id = ? and elapsed_seconds is not null
            group by 1 order by 1
            """, (bin_seconds, cap_seconds, bin_seconds, bin_seconds, force, standard))

    def misses_by_hour(self, force: str, standard: str) -> pd.DataFrame:
        """Misses by London weekday (ISO number, 1 = Monday) and hour of the start."""
        day = "weekday_number" if "weekday_number" in self.columns("marts.compliance_records") else "weekday"
        return self.query(
            f"""
            select {day} as weekday, hour_of_day, count(*) as misses
            from marts.compliance_records
            where force_code = ? and standard_id = ? and outcome = 'missed'
            group by all order by 1, 2
            """, (force, standard))

    def volumes(self, force: str, standard: str) -> pd.DataFrame:
        """Records (not pending) by category and channel for one standard."""
        return self.query(
            """
            select coalesce(category, 'not given') as category, coalesce(channel, 'not given') as channel,
                   count(*) as records, count(*) filter (where outcome = 'met') as met
            from marts.compliance_records
            where force_code = ? and standard_id = ? and outcome <> 'pending'
            group by 1, 2 order by 1, 2
            """, (force, standard))

    def records(self, force: str, standard: str, month, borough: str | None, outcome: str | None,
                limit: int = 500) -> pd.DataFrame:
        """Record-level drill-down (analysts only): operational ids and times, no personal data."""
        return self.query(
            """
            select record_id, borough_code, started_at_london, deadline_at, event_at, elapsed_seconds,
                   threshold_seconds, outcome, call_type, grade, area_type, category, channel
            from marts.compliance_records
            where force_code = ? and standard_id = ? and period_month = ?
              and (? is null or borough_code = ?) and (? is null or outcome = ?)
            order by started_at, record_id
            limit ?
            """, (force, standard, month, borough, borough, outcome, outcome, limit))

    # ---- satisfaction --------------------------------------------------------------------
    def satisfaction(self, force: str, borough: str, window_months: int) -> pd.DataFrame:
        return self.query(
            """
            select question, period_end_month, respondents, respondents_display, rate, ci_low, ci_high,
                   is_suppressed, reliable
            from marts.citizen_focus_satisfaction
            where force_code = ? and borough_code = ? and window_months = ?
            order by question, period_end_month
            """, (force, borough, window_months))

    def satisfaction_boroughs(self, force: str) -> list[str]:
        df = self.query("select distinct borough_code from marts.citizen_focus_satisfaction where force_code = ? "
                        "order by borough_code = 'ALL' desc, borough_code", (force,))
        return list(df["borough_code"])

    def satisfaction_months(self, force: str) -> list:
        df = self.query("select distinct period_end_month from marts.citizen_focus_satisfaction where force_code = ? "
                        "order by 1 desc", (force,))
        return list(df["period_end_month"])

    def satisfaction_by_group(self, force: str, borough: str, question: str, dimension: str, window_months: int,
                              month) -> pd.DataFrame:
        return self.query(
            """
            select dimension_value, respondents, respondents_display, rate, ci_low, ci_high, is_suppressed, reliable
            from marts.satisfaction_by_equality_group
            where force_code = ? and borough_code = ? and question = ? and dimension = ? and window_months = ?
              and period_end_month = ?
            order by dimension_value
            """, (force, borough, question, dimension, window_months, month))

    def satisfaction_boroughs_compared(self, force: str, question: str, window_months: int, month) -> pd.DataFrame:
        return self.query(
            """
            select borough_code, respondents, respondents_display, rate, ci_low, ci_high, is_suppressed, reliable
            from marts.citizen_focus_satisfaction
            where force_code = ? and question = ? and window_months = ? and period_end_month = ?
              and borough_code <> 'ALL'
            order by rate desc nulls last, borough_code
            """, (force, question, window_months, month))

    # ---- BME gap -------------------------------------------------------------------------
    def bme_gap(self, force: str, borough: str, question: str, window_months: int) -> pd.DataFrame:
        return self.query(
            """
            select period_end_month, white_respondents_display, bme_respondents_display, white_rate, white_ci_low,
                   white_ci_high, bme_rate, bme_ci_low, bme_ci_high, gap_pp, gap_ci_low_pp, gap_ci_high_pp,
                   p_value, significant, is_suppressed, white_reliable, bme_reliable, reliable, p_value_holm,
                   significant_holm
            from marts.bme_satisfaction_gap
            where force_code = ? and borough_code = ? and question = ? and window_months = ?
            order by period_end_month
            """, (force, borough, question, window_months))

    def bme_gap_by_borough(self, force: str, question: str, window_months: int, month) -> pd.DataFrame:
        return self.query(
            """
            select borough_code, white_respondents_display, bme_respondents_display, white_rate, bme_rate, gap_pp,
                   gap_ci_low_pp, gap_ci_high_pp, p_value, significant, is_suppressed, reliable, p_value_holm,
                   significant_holm
            from marts.bme_satisfaction_gap
            where force_code = ? and question = ? and window_months = ? and period_end_month = ?
              and borough_code <> 'ALL'
            order by gap_pp desc nulls last, borough_code
            """, (force, question, window_months, month))

    def gap_change(self, force: str, borough: str, question: str) -> dict | None:
        """The latest marts.bme_gap_change row (12 months to the latest month against the 12 before).

        None when the mart has no row for the latest month: the earlier 12-month window is not full
        (docs/marts.md: a row exists only when both windows are full).
        """
        df = self.query(
            """
            select * from marts.bme_gap_change
            where force_code = ? and borough_code = ? and question = ?
              and period_end_month = (select max(period_end_month) from marts.bme_satisfaction_gap
                                      where force_code = ? and window_months = 12)
            """, (force, borough, question, force))
        return None if df.empty else df.iloc[0].to_dict()

    def satisfaction_change(self, force: str, borough: str, question: str) -> dict | None:
        """The latest marts.satisfaction_change row (12 months to the latest month against the 12 before).

        None when the mart has no row for the latest month: the earlier 12-month window is not full
        (docs/marts.md: a row exists only when both windows are full).
        """
        df = self.query(
            """
            select * from marts.satisfaction_change
            where force_code = ? and borough_code = ? and question = ?
              and period_end_month = (select max(period_end_month) from marts.citizen_focus_satisfaction
                                      where force_code = ? and window_months = 12)
            """, (force, borough, question, force))
        return None if df.empty else df.iloc[0].to_dict()

    def key_drivers(self, force: str, ethnic_group: str = "All") -> pd.DataFrame:
        """marts.satisfaction_key_drivers for the force's latest 12-month window and one group (All,
        White, BME): one row per driver, the largest share first."""
        return self.query(
            """
            select * from marts.satisfaction_key_drivers
            where force_code = ? and ethnic_group = ?
              and period_end_month = (select max(period_end_month) from marts.satisfaction_key_drivers
                                      where force_code = ?)
            order by driver_rank nulls last, display_order
            """, (force, ethnic_group, force))

    def survey_span(self, force: str, table: str = "marts.bme_satisfaction_gap") -> tuple[object, object]:
        """First and last survey month held (the single-month windows of `table`, one of SPAN_TABLES)."""
        if table not in SPAN_TABLES:
            raise ValueError(f"{table} holds no survey months")
        df = self.query(f"select min(period_end_month) as f, max(period_end_month) as l from {table} "
                        "where force_code = ? and window_months = 1", (force,))
        return df["f"].iloc[0], df["l"].iloc[0]

    def linkage(self, force: str) -> pd.DataFrame:
        """The survey-to-operations findings: whole period, force-wide, met vs missed per measure."""
        return self.query(
            """
            select outcome_measure, question, related_standard_id,
                   max(case when outcome_group = 'met' then respondents_display end) as met_respondents,
                   max(case when outcome_group = 'met' then rate end) as met_rate,
                   max(case when outcome_group = 'missed' then respondents_display end) as missed_respondents,
                   max(case when outcome_group = 'missed' then rate end) as missed_rate,
                   max(met_minus_missed_pp) as met_minus_missed_pp,
                   max(met_minus_missed_ci_low_pp) as ci_low_pp, max(met_minus_missed_ci_high_pp) as ci_high_pp,
                   max(p_value) as p_value, bool_or(significant) as significant,
                   bool_or(is_comparison_suppressed) as is_comparison_suppressed
            from marts.satisfaction_by_service_outcome
            where force_code = ? and borough_code = 'ALL' and window_name = 'whole_period'
            group by outcome_measure, question, related_standard_id
            order by outcome_measure, question
            """, (force,))

    # ---- data quality --------------------------------------------------------------------
    def ledger(self, limit: int = 50) -> pd.DataFrame:
        # Messages and reasons quote offending values between single quotes: those are masked (…).
        return self.query(
            """
            select load_id, file_name, kind, rows_read, rows_loaded, rows_rejected, status, started_at, finished_at,
                   regexp_replace(coalesce(message, ''), '''[^'']*''', '''…''', 'g') as message
            from raw.load_ledger order by load_id desc limit ?
            """, (limit,))

    def reject_reasons(self, limit: int = 10) -> pd.DataFrame:
        return self.query(
            """
            select kind, regexp_replace(reason, '''[^'']*''', '''…''', 'g') as reason, count(*) as rows_rejected
            from raw.rejects group by 1, 2 order by rows_rejected desc, kind, reason limit ?
            """, (limit,))

    def freshness(self) -> pd.DataFrame:
        return self.query(
            """
            select kind, count(*) filter (where status = 'loaded') as loads,
                   cast(sum(rows_loaded) as bigint) as rows_loaded,
                   max(finished_at) filter (where status = 'loaded') as last_loaded_at
            from raw.load_ledger group by kind order by kind
            """)

    def unrecognised_values(self) -> pd.DataFrame | None:
        """Survey values no seed recognises, with their counts (the model behind the GX warning
        intermediate.int_survey_values_unrecognised); None when that model is not built."""
        if "intermediate.int_survey_values_unrecognised" not in self.tables():
            return None
        return self.query("select force_code, field_name, value_as_given, responses from "
                          "intermediate.int_survey_values_unrecognised order by responses desc, force_code, "
                          "field_name, value_as_given")

    def check_results(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The latest data-quality run and its results (failures first); empty if never checked."""
        if "quality.check_runs" not in self.tables():
            return pd.DataFrame(), pd.DataFrame()
        run = self.query("select * from quality.check_runs order by checked_at desc, run_id desc limit 1")
        if run.empty:
            return run, pd.DataFrame()
        results = self.query(
            """
            select suite, table_name, rule, column_name, severity, success, observed_value, description
            from quality.check_results where run_id = ?
            order by success, severity, suite, rule, column_name nulls first, expectation, observed_value
            """, (run["run_id"].iloc[0],))
        return run, results

    # ---- exports -------------------------------------------------------------------------
    def export_table(self, table: str, force: str | None) -> pd.DataFrame:
        return self.export_frame(table, force)

    def _export_sql(self, table: str, force: str | None, month) -> tuple[str, tuple]:
        if table == BOROUGH_GAPS:
            return ("""select * from marts.bme_satisfaction_gap where force_code = ? and window_months = 12
                       and borough_code <> 'ALL' and period_end_month = (select max(period_end_month) from
                       marts.bme_satisfaction_gap where force_code = ?)
                       order by gap_pp desc nulls last, borough_code, question""", (force, force))
        if table not in EXPORTABLE:
            raise ValueError(f"{table} is not exportable")
        if table == "marts.compliance_records":  # record level: one month at a time
            return ("select * from marts.compliance_records where force_code = ? and period_month = ? "
                    "order by standard_id, started_at, record_id", (force, month))
        has_force = force and "force_code" in self.columns(table)
        where, params = ("where force_code = ?", (force,)) if has_force else ("", ())
        return f"select * from {table} {where} order by all", params

    def export_frame(self, table: str, force: str | None, month=None, limit: int | None = None) -> pd.DataFrame:
        sql, params = self._export_sql(table, force, month)
        if limit is not None:
            sql, params = f"select * from ({sql}) limit ?", (*params, limit)
        return self.query(sql, params)

    def export_count(self, table: str, force: str | None, month=None) -> int:
        sql, params = self._export_sql(table, force, month)
        return int(self.query(f"select count(*) as n from ({sql})", params)["n"].iloc[0])


def _picker(columns: list[str]) -> Callable[..., str | None]:
    def pick(*candidates: str) -> str | None:
        return next((c for c in candidates if c in columns), None)
    return pick


def open_warehouse(path: Path | None = None, cached: bool = True) -> Warehouse:
    """The published warehouse now, or WarehouseUnavailable with a sentence for the page."""
    path = path or warehouse_path()
    build = build_id(path)
    if build is None:
        raise WarehouseUnavailable(f"No warehouse at {path} yet. Build one with `citizen-focus demo` (sample data) or "
                                   "`citizen-focus ingest` then `citizen-focus build`, then reload this page.")
    wh = Warehouse(path, build, cached=cached)
    if not any(t.startswith("marts.") for t in wh.tables()):
        raise WarehouseUnavailable(f"The warehouse at {path} has no published marts yet: run `citizen-focus build`, "
                                   "then reload this page.")
    return wh


def BENCHMARK_QUERIES(db: Path) -> dict[str, Callable[[], object]]:  # noqa: N802 (agreed name)
    """Every page's data calls against `db`, uncached, for bench/run.py to time."""
    wh = open_warehouse(Path(db), cached=False)
    have = wh.tables()
    forces = wh.forces()
    force = forces[0] if forces else ""
    calls: dict[str, Callable[[], object]] = {}
    if "marts.citizen_focus_satisfaction" in have:
        months = wh.satisfaction_months(force)
        month = months[0] if months else None
        calls["satisfaction.trend"] = lambda: wh.satisfaction(force, "ALL", 12)
        calls["satisfaction.boroughs"] = lambda: wh.satisfaction_boroughs_compared(force, "whole_experience", 12, month)
        calls["satisfaction.equality"] = lambda: wh.satisfaction_by_group(force, "ALL", "whole_experience",
                                                                          "ethnic_group", 12, month)
        calls["bme_gap.trend"] = lambda: wh.bme_gap(force, "ALL", "whole_experience", 12)
        calls["bme_gap.boroughs"] = lambda: wh.bme_gap_by_borough(force, "whole_experience", 12, month)
        calls["bme_gap.linkage"] = lambda: wh.linkage(force)
    if "marts.pledge_compliance" in have:
        latest = wh.latest_month(force)
        calls["scorecard.monthly"] = lambda: wh.force_monthly(force)
        calls["scorecard.grid"] = lambda: wh.borough_grid(force, latest)
        calls["calls.league"] = lambda: wh.league_table(force, "PLEDGE-6-999", latest)
    if "marts.promise_scorecard" in have:
        calls["scorecard.standards"] = lambda: wh.scorecard(force)
    if "marts.compliance_records" in have:
        calls["calls.distribution"] = lambda: wh.elapsed_distribution(force, "PLEDGE-6-999", 2, 120)
        calls["calls.misses_heatmap"] = lambda: wh.misses_by_hour(force, "PLEDGE-6-999")
        calls["complaints.volumes"] = lambda: wh.volumes(force, "PLEDGE-11-ACK-24H")
    if "raw.load_ledger" in have:
        calls["data_quality.ledger"] = lambda: wh.ledger()
        calls["data_quality.reject_reasons"] = lambda: wh.reject_reasons()
    return calls
