"""What every page shares: who is signed in, which pages a role sees, the warehouse, the force.

Pages call `page_setup(role_needed, *tables)` first. It stops the page (st.stop) with a one-line
message when the user's role is too low (defence in depth: st.navigation already hides such
pages), when the warehouse is missing or empty, or when a table the page needs is not built yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st

from citizen_focus.access import ROLES, role_allows
from dashboards import data
from dashboards.text import NO_OPERATIONAL_DATA, md

USER_KEY, ROLE_KEY, AUTH_KEY = "cf_user", "cf_role", "cf_auth"


@dataclass(frozen=True)
class PageSpec:
    file: str
    title: str
    icon: str
    role: str  # the lowest role that sees the page
    url_path: str


PAGES: tuple[PageSpec, ...] = (
    PageSpec("views/scorecard.py", "Scorecard", ":material/dashboard:", "board", "scorecard"),
    PageSpec("views/calls_attendance.py", "Calls & attendance", ":material/call:", "board", "calls-attendance"),
    PageSpec("views/satisfaction.py", "Satisfaction", ":material/sentiment_satisfied:", "board", "satisfaction"),
    PageSpec("views/bme_gap.py", "BME gap", ":material/balance:", "board", "bme-gap"),
    PageSpec("views/complaints_victims.py", "Complaints & victim care", ":material/mail:", "board",
             "complaints-victim-care"),
    PageSpec("views/drilldown.py", "Record drill-down", ":material/search:", "analyst", "drill-down"),
    PageSpec("views/exports.py", "Exports", ":material/download:", "analyst", "exports"),
    PageSpec("views/data_quality.py", "Data quality & loads", ":material/fact_check:", "admin", "data-quality"),
)


def pages_for(role: str | None) -> list[PageSpec]:
    """The pages a role may open (none for an unknown role or nobody)."""
    if role not in ROLES:
        return []
    return [p for p in PAGES if role_allows(role, p.role)]


def current_role() -> str | None:
    return st.session_state.get(ROLE_KEY)


def page_setup(role_needed: str, *tables: str) -> data.Warehouse:
    role = current_role()
    if not role_allows(role, role_needed):
        st.error(f"This page is for the {role_needed} role and above; you are signed in as "
                 f"{md(role or 'nobody')}.")
        st.stop()
    try:
        wh = data.open_warehouse()
        if tables:
            wh.require(*tables)
    except (data.WarehouseUnavailable, data.TableMissing) as exc:
        st.info(str(exc))
        st.stop()
    return wh


def choose_force(wh: data.Warehouse) -> str:
    forces = wh.forces()
    if not forces:
        st.info("The published marts hold no rows yet.")
        st.stop()
    if len(forces) == 1:
        st.session_state["cf_force"] = forces[0]
        return forces[0]
    return st.sidebar.selectbox("Force", forces, key="cf_force")


def stop_without_operational_data(wh: data.Warehouse, force: str) -> None:
    """A compliance page on a survey-only warehouse (or force) says so and stops, instead of empty tables."""
    if not wh.operational_loaded(force):
        st.info(NO_OPERATIONAL_DATA)
        footer(wh)
        st.stop()


def as_date(value: object) -> date | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return pd.Timestamp(value).date()


def month_name(value: object) -> str:
    d = as_date(value)
    return d.strftime("%B %Y") if d else "–"


def footer(wh: data.Warehouse) -> None:
    st.caption(f"Warehouse built {wh.built_at():%Y-%m-%d %H:%M} UTC · counts of 1–9 shown as <10 · "
               "definitions: docs/satisfaction.md and the measures specification")
