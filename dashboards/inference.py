"""The sentences a board reads about significance and change, built from mart rows.

Why a module of its own: the BME gap page and the scorecard say the same thing about the same
rows ("is the gap closing?"), and the tests check the wording against the marts; one function
per sentence keeps the two pages from drifting apart.

Why no thresholds here: the significance level and the reliability minimum are dbt vars
(dbt_project.yml, documented in docs/measures.md); the marts already apply them (`significant`,
`significant_holm`, `reliable`, `closing`, `widening`). The page only needs their values to say
them in words, and reads them from the one place the build reads them
(`quality.definitions.dbt_vars`).

Numbers are printed as the mart holds them, rounded to one decimal; a sentence never
recomputes a figure. Any data value a page puts into Markdown (a borough code) goes through
`dashboards.text.md`, the one escaping function.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboards.text import plural
from quality.definitions import dbt_vars


@dataclass(frozen=True)
class InferenceSettings:
    """The build's significance level and reliability minimum (dbt vars, docs/measures.md)."""

    significance_level: float
    reliable_from_respondents: int


def settings() -> InferenceSettings:
    values = dbt_vars()
    return InferenceSettings(float(values["significance_level"]), int(values["reliable_from_respondents"]))


def _num(value: float) -> str:
    return f"{value:.1f}"


def _present(value: object) -> bool:
    return value is not None and not pd.isna(value)


def holm_caption(tested: int, flagged_holm: int, flagged_unadjusted: int, adjusted: bool,
                 s: InferenceSettings) -> str:
    """Why the boroughs are flagged as they are, in one line."""
    level = f"{s.significance_level:.0%}"
    chance = tested * s.significance_level
    boroughs, tests = plural(tested, "borough"), plural(tested, "test")
    if adjusted:
        return (f"Flags use Holm's adjustment across the {boroughs} tested: with {tests} at {level}, "
                f"about {chance:.1f} would look significant by chance alone. {flagged_holm} of {tested} flagged "
                f"after adjustment ({flagged_unadjusted} before).")
    return (f"Unadjusted flags: each borough tested on its own at {level}; with {tests}, about {chance:.1f} "
            f"would look significant by chance alone. {flagged_unadjusted} of {tested} flagged ({flagged_holm} after "
            "Holm's adjustment).")


def reliability_note(s: InferenceSettings) -> str:
    return f"⚠ a group has fewer than {s.reliable_from_respondents} respondents: treat with caution"


def _window_caution(row: dict, s: InferenceSettings) -> str:
    if row.get("reliable"):
        return ""
    return (f" Treat with caution: a group has fewer than {s.reliable_from_respondents} respondents in one of the "
            "two windows.")


def not_enough_data(first_month: str | None, last_month: str | None) -> str:
    """The earlier 12-month window is not full: no change is published (docs/marts.md)."""
    span = f" (survey months held: {first_month} to {last_month})" if first_month and last_month else ""
    return ("Not enough data: a change needs this year's 12 months and the 12 months before, both full, i.e. 24 "
            f"months of survey{span}.")


def gap_change_sentence(row: dict, s: InferenceSettings) -> str:
    """'Is the gap closing?' from one marts.bme_gap_change row, in one sentence with the interval."""
    now, before, change = row.get("gap_pp"), row.get("previous_gap_pp"), row.get("change_pp")
    if not (_present(now) and _present(before) and _present(change)):
        return ("Not enough data: a group is too small to show in one of the two 12-month windows, so no change "
                "is published.")
    if before > 0 and now < before:
        moved = f"The gap narrowed from {_num(before)} to {_num(now)} points"
    elif before > 0 and now > before:
        moved = f"The gap widened from {_num(before)} to {_num(now)} points"
    else:
        moved = f"The gap moved from {_num(before)} to {_num(now)} points"
    interval = (f"the change, {_num(change)} points ({1 - s.significance_level:.0%} interval "
                f"{_num(row['change_ci_low_pp'])} to {_num(row['change_ci_high_pp'])})")
    if row.get("closing"):
        verdict = "is statistically significant: the gap is closing."
    elif row.get("widening"):
        verdict = "is statistically significant: the gap is widening."
    elif row.get("significant"):
        verdict = "is statistically significant (the earlier gap was not positive, so neither closing nor widening)."
    else:
        verdict = "is not statistically significant: no evidence that the gap is closing or widening."
    return f"{moved}; {interval}, {verdict}{_window_caution(row, s)}"


def satisfaction_change_sentence(row: dict, s: InferenceSettings) -> str:
    """'Is satisfaction getting better?' from one marts.satisfaction_change row."""
    now, before, change = row.get("rate"), row.get("previous_rate"), row.get("change_pp")
    if not (_present(now) and _present(before) and _present(change)):
        return "Not enough data: one of the two 12-month windows is too small to show, so no change is published."
    word = "rose" if now > before else "fell" if now < before else "stayed"
    moved = (f"Satisfaction {word} from {_num(100 * before)}% to {_num(100 * now)}%" if word != "stayed"
             else f"Satisfaction stayed at {_num(100 * now)}%")
    interval = (f"the change, {_num(change)} points ({1 - s.significance_level:.0%} interval "
                f"{_num(row['change_ci_low_pp'])} to {_num(row['change_ci_high_pp'])})")
    if row.get("significant"):
        verdict = f"is statistically significant: satisfaction is {'rising' if change > 0 else 'falling'}."
    else:
        verdict = "is not statistically significant."
    return f"{moved}; {interval}, {verdict}{_window_caution(row, s)}"
