"""Statistical disclosure control, the same on the screen and in every export.

The rule (docs/data-protection.md): no count from 1 to 9 is shown for any borough or equality
cell. A count column's value 1-9 becomes the text "<10", and whatever would let a reader work the
count back out is withheld with it: a compliance cell's rate when its denominator is 1-9, a
survey cell's effective sample size and sums of weights when its respondents are 1-9 (the marts
already withhold its rate and interval). Zero stays zero: it identifies no one.
"""

from __future__ import annotations

import pandas as pd

SUPPRESSED = "<10"
THRESHOLD = 10

# count column -> columns that would reveal it (withheld together with it)
_REVEALING: dict[str, tuple[str, ...]] = {
    "denominator": ("rate", "numerator"),
    "denominator_12": ("rate_12", "numerator_12"),
    "respondents": ("satisfied", "n_eff", "sum_w", "sum_w2", "sum_w_satisfied", "excluded_answers"),
    "white_respondents": ("white_satisfied", "white_n_eff"),
    "bme_respondents": ("bme_satisfied", "bme_n_eff"),
}
_COUNT_COLUMNS = ("numerator", "denominator", "pending", "numerator_12", "denominator_12", "respondents",
                  "satisfied", "excluded_answers", "white_respondents", "bme_respondents", "not_stated_respondents",
                  "white_satisfied", "bme_satisfied", "records", "misses", "met", "rows_rejected")


def is_small(values: pd.Series) -> pd.Series:
    numeric = pd.to_numeric(values, errors="coerce")
    return (numeric >= 1) & (numeric < THRESHOLD)


def suppress(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of df with every small count shown as "<10" and what reveals it withheld."""
    out = df.copy()
    small = {c: is_small(out[c]) for c in _COUNT_COLUMNS if c in out.columns}
    withheld: dict[str, pd.Series] = {}
    for base, revealing in _REVEALING.items():
        if base not in small:
            continue
        for col in revealing:
            if col in out.columns:
                withheld[col] = withheld.get(col, pd.Series(False, index=out.index)) | small[base]
    for col, mask in withheld.items():
        if col in small:
            continue  # a count column: shown as "<10" below when itself small, else withheld
        if mask.any():
            out[col] = out[col].astype(object).where(~mask, None)
    for col, mask in small.items():
        hide = mask | withheld.get(col, pd.Series(False, index=out.index))
        if hide.any():
            out[col] = out[col].astype(object).where(~hide, SUPPRESSED)
    return out
