"""The peer baseline: the figures an analyst would compute in pandas from the same extract files.

Two headline figures, per force and London month, written the way a capable analyst would in a
notebook (read the CSVs, convert times, group, sum):
- PLEDGE-6-999: 999 calls answered within 10 s / 999 calls presented excluding short abandons;
- whole-experience satisfaction: weighted satisfied / weighted valid responses (single month).
They are checked against the warehouse's marts, so the comparison is between equal answers.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

SATISFIED = {"completely satisfied", "very satisfied", "fairly satisfied", "1", "2", "3"}
VALID = SATISFIED | {
    "neither satisfied nor dissatisfied", "fairly dissatisfied", "very dissatisfied", "completely dissatisfied",
    "4", "5", "6", "7",
}


def _read(paths: list[Path], columns: list[str]) -> pd.DataFrame:
    frames = [pd.read_csv(p, usecols=columns, dtype=str, engine="pyarrow") for p in paths]
    return pd.concat(frames, ignore_index=True)


def _london_month(series: pd.Series) -> pd.Series:
    ts = pd.to_datetime(series, utc=True, format="ISO8601")
    return ts.dt.tz_convert("Europe/London").dt.tz_localize(None).dt.to_period("M").dt.to_timestamp()


def calls_999(extracts: Path) -> pd.DataFrame:
    calls = _read(sorted(extracts.glob("calls*.csv")),
                  ["call_id", "line", "received_at", "answered_at", "abandoned_at", "force_code"])
    calls = calls[calls["line"] == "999"]
    received = pd.to_datetime(calls["received_at"], utc=True, format="ISO8601")
    answered = pd.to_datetime(calls["answered_at"], utc=True, format="ISO8601")
    abandoned = pd.to_datetime(calls["abandoned_at"], utc=True, format="ISO8601")
    short_abandon = answered.isna() & ((abandoned - received).dt.total_seconds() < 5)
    met = (answered - received).dt.total_seconds() <= 10
    frame = pd.DataFrame({
        "force_code": calls["force_code"].fillna("MPS"),
        "period_month": _london_month(calls["received_at"]),
        "numerator": (met & ~short_abandon).astype(np.int64),
        "denominator": (~short_abandon).astype(np.int64),
    })
    return frame.groupby(["force_code", "period_month"], as_index=False)[["numerator", "denominator"]].sum()


def whole_experience(extracts: Path) -> pd.DataFrame:
    survey = _read(sorted(extracts.glob("survey_responses*.csv")),
                   ["response_id", "interview_date", "q_whole_experience", "weight", "force_code"])
    answer = survey["q_whole_experience"].fillna("").str.strip().str.lower()
    weight = pd.to_numeric(survey["weight"], errors="coerce").fillna(1.0)
    valid = answer.isin(VALID)
    frame = pd.DataFrame({
        "force_code": survey["force_code"].fillna("MPS"),
        "period_month": pd.to_datetime(survey["interview_date"]).dt.to_period("M").dt.to_timestamp(),
        "w_valid": weight.where(valid, 0.0),
        "w_satisfied": weight.where(answer.isin(SATISFIED), 0.0),
    })
    out = frame.groupby(["force_code", "period_month"], as_index=False)[["w_valid", "w_satisfied"]].sum()
    out["rate"] = out["w_satisfied"] / out["w_valid"]
    return out


def run(extracts: Path) -> tuple[float, dict[str, pd.DataFrame]]:
    start = time.perf_counter()
    figures = {"PLEDGE-6-999": calls_999(extracts), "whole_experience": whole_experience(extracts)}
    return time.perf_counter() - start, figures
