"""Key drivers of whole-experience satisfaction, computed in the build (docs/measures.md, "Key drivers
of whole-experience satisfaction"): one row per force, full 12-month window (period end month),
ethnic group (All, White, BME) and driver (seed satisfaction_drivers), with the general
dominance weight of a weighted linear probability model and its bootstrap interval. The math is
citizen_focus/drivers.py (tested in tests/python/test_key_drivers.py); this model only assembles
each cell's respondents.

Respondents of a cell: interviewed in the window, in the group, with a valid outcome answer and
valid answers to every question driver (complete cases). An operational driver enters as two
indicators, met and missed, against "no determinate linked outcome", so every respondent stays in
and the met / missed contrast is estimated from the linked respondents only. A cell with fewer than
`min_respondents` (var reliable_from_respondents) respondents keeps its rows with no figures.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from citizen_focus import drivers as kd

GROUPS = ("All", "White", "BME")
COLUMNS = {
    "force_code": "object", "period_end_month": "datetime64[us]", "window_start_month": "datetime64[us]",
    "ethnic_group": "object", "driver": "object", "respondents": "int64", "linked_respondents": "int64",
    "importance": "float64", "importance_share": "float64", "share_ci_lower": "float64",
    "share_ci_upper": "float64", "r_squared": "float64", "driver_rank": "float64",
    "bootstrap_replicates": "int64", "bootstrap_seed": "int64",
}


def _design(wide: pd.DataFrame, drivers: pd.DataFrame) -> tuple[np.ndarray, list[list[int]]]:
    columns, groups = [], []
    for row in drivers.itertuples():
        value = wide[row.driver]
        if row.driver_kind == "question":
            groups.append([len(columns)])
            columns.append((value == 1).to_numpy(float))
        else:
            groups.append([len(columns), len(columns) + 1])
            columns.append((value == 1).to_numpy(float))
            columns.append((value == 0).to_numpy(float))
    return np.column_stack(columns), groups


def model(dbt, session):
    dbt.config(materialized="table")
    replicates = int(dbt.config.get("bootstrap_replicates"))
    seed = int(dbt.config.get("bootstrap_seed"))
    min_respondents = int(dbt.config.get("min_respondents"))

    drivers = dbt.ref("satisfaction_drivers").df().sort_values("display_order").reset_index(drop=True)
    values = dbt.ref("int_survey_responses_driver_values").df()
    names = list(drivers["driver"])
    question_drivers = list(drivers.loc[drivers["driver_kind"] == "question", "driver"])
    operational = [d for d in names if d not in question_drivers]

    rows: list[dict] = []
    outcome = values.loc[values["item_role"] == "outcome", "item"].unique()
    if len(outcome):
        values["value"] = values["is_positive"].astype(float)
        wide = values.pivot_table(index=["force_code", "response_id", "interview_month", "ethnic_group", "weight"],
                                  columns="item", values="value", aggfunc="first").reset_index()
        for column in [*names, *outcome]:
            if column not in wide:
                wide[column] = np.nan
        wide["interview_month"] = pd.to_datetime(wide["interview_month"])
        complete = wide[[outcome[0], *question_drivers]].notna().all(axis=1)
        months = wide.groupby("force_code")["interview_month"].agg(["min", "max"])
        for force, span in months.iterrows():
            ends = pd.date_range(span["min"] + pd.DateOffset(months=11), span["max"], freq="MS")
            in_force = wide[(wide["force_code"] == force) & complete]
            for end in ends:
                start = end - pd.DateOffset(months=11)
                window = in_force[(in_force["interview_month"] >= start) & (in_force["interview_month"] <= end)]
                for group in GROUPS:
                    cell = window if group == "All" else window[window["ethnic_group"] == group]
                    if cell.empty:
                        continue
                    rows += _cell_rows(cell, drivers, operational, outcome[0], force, start, end, group,
                                       replicates, seed, min_respondents)
    out = pd.DataFrame(rows, columns=list(COLUMNS))
    return out.astype(COLUMNS)


def _cell_rows(cell, drivers, operational, outcome, force, start, end, group, replicates, seed, min_respondents):
    n = len(cell)
    linked = int(cell[operational].notna().any(axis=1).sum()) if operational else 0
    base = {"force_code": force, "period_end_month": end, "window_start_month": start, "ethnic_group": group,
            "respondents": n, "linked_respondents": linked, "bootstrap_replicates": replicates,
            "bootstrap_seed": seed}
    names = list(drivers["driver"])
    if n < min_respondents:
        return [{**base, "driver": d, "importance": np.nan, "importance_share": np.nan, "share_ci_lower": np.nan,
                 "share_ci_upper": np.nan, "r_squared": np.nan, "driver_rank": np.nan} for d in names]
    x, groups = _design(cell, drivers)
    y = (cell[outcome] == 1).to_numpy(float)
    w = cell["weight"].to_numpy(float)
    result = kd.bootstrap(x, y, w, groups, replicates,
                          kd.cell_seed(seed, force, end.strftime("%Y-%m-%d"), group))
    ranks = kd.rank_descending(result.estimate.weights)
    shares = result.estimate.shares
    return [{**base, "driver": d, "importance": float(result.estimate.weights[j]),
             "importance_share": float(shares[j]), "share_ci_lower": float(result.share_low[j]),
             "share_ci_upper": float(result.share_high[j]), "r_squared": result.estimate.r_squared,
             "driver_rank": float(ranks[j])} for j, d in enumerate(names)]
