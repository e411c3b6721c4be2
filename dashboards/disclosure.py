"""Statistical disclosure control, the same on the screen, in every export and in the board pack.

The rules (docs/data-protection.md, "Statistical disclosure control"):

- **Primary.** No count from 1 to 9 is shown for any borough or equality cell. A count column's
  value 1-9 becomes the text "<10", and whatever would let a reader work the count back out is
  withheld with it: a compliance cell's rate when its denominator is 1-9, a survey cell's effective
  sample size and sums of weights when its respondents are 1-9 (the marts already withhold its rate
  and interval). Zero stays zero: it identifies no one.
- **Secondary.** A hidden cell must not follow by subtraction from a total and its siblings. Cells
  are tied by additive relations (a total = the sum of its parts): the equality groups of a
  dimension add up to their borough's cell, the boroughs to the force-wide cell, the months of a
  rolling 12-month window to the window. Whenever a relation has exactly one hidden member, the
  next-smallest non-zero part of that relation is withheld too (the total only when no part is
  left), and this is repeated until no relation has exactly one hidden member. A cell withheld this
  way shows "[c]" (confidential) in place of its count, and its rate, interval and sums are
  withheld as for a primary cell.

Why here and once: the screen (dashboards/data.py), the exports (dashboards/exports.py) and the
board pack (citizen_focus/report.py) all take the withheld cells from `Withheld`, built by
`plan_satisfaction` / `plan_compliance` from the whole of a force's marts, never from the slice a
page happens to show: the decision cannot differ between two views of the same cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

SUPPRESSED = "<10"
SECONDARY = "[c]"
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

# What a withheld survey cell loses (its count shown as "[c]"); per prefix for the gap mart's two groups.
_SURVEY_WITHHELD = ("respondents", "satisfied", "excluded_answers", "n_eff", "sum_w", "sum_w2", "sum_w_satisfied",
                    "rate", "ci_low", "ci_high")
_GAP_DEPENDENT = ("gap_pp", "gap_ci_low_pp", "gap_ci_high_pp", "z_statistic", "p_value", "significant",
                  "p_value_holm", "significant_holm")
_COMPLIANCE_WITHHELD = ("numerator", "denominator", "pending", "rate")

SURVEY_KEY = ("force_code", "borough_code", "question", "window_months", "period_end_month")
GROUP_KEY = (*SURVEY_KEY, "dimension", "dimension_value")
TOTAL = "all"  # dimension and dimension_value of a borough's own cell (citizen_focus_satisfaction)
COMPLIANCE_KEY = ("force_code", "standard_id", "borough_code", "period_month")
FORCE_WIDE = "ALL"


def is_small(values: pd.Series) -> pd.Series:
    numeric = pd.to_numeric(values, errors="coerce")
    return (numeric >= 1) & (numeric < THRESHOLD)


def suppress(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of df with every small count shown as "<10" and what reveals it withheld (primary rule)."""
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


# ---- secondary suppression: the engine ----------------------------------------------------------

def secondary_cells(counts: pd.Series, hidden: pd.Series, members: pd.DataFrame) -> set:
    """The cells to withhold besides `hidden` so that no relation has exactly one hidden member.

    counts: cell id -> count; hidden: cell id -> primary-suppressed; members: one row per
    (relation, cell, is_total). Each round, every relation with exactly one hidden member gets one
    more: its smallest non-zero visible part (ties by cell id), or its total when no part is left.
    """
    if members.empty:
        return set()
    state = hidden.astype(bool).copy()
    m = members[["relation", "cell", "is_total"]].copy()
    m["count"] = m["cell"].map(counts).fillna(0)
    added: set = set()
    while True:
        m["hidden"] = m["cell"].map(state).fillna(False).astype(bool)
        n_hidden = m.groupby("relation", sort=False)["hidden"].transform("sum")
        exposed = m[(n_hidden == 1) & ~m["hidden"] & (m["count"] > 0)]
        if exposed.empty:
            return added
        pick = (exposed.sort_values(["relation", "is_total", "count", "cell"])
                .drop_duplicates("relation")["cell"])
        new = set(pick) - added
        if not new:
            return added
        added |= new
        state[state.index.isin(list(new))] = True


@dataclass
class Withheld:
    """The cells a force's viewers never see a count for: primary ("<10") and secondary ("[c]")."""

    survey: dict[tuple, str] = field(default_factory=dict)  # GROUP_KEY values -> "<10" or "[c]"
    compliance: dict[tuple, str] = field(default_factory=dict)  # COMPLIANCE_KEY values -> "<10" or "[c]"

    @property
    def secondary_count(self) -> int:
        return sum(v == SECONDARY for v in (*self.survey.values(), *self.compliance.values()))

    # ---- applying it to a frame (pages, exports, board pack) ---------------------------------
    def _mark(self, df: pd.DataFrame, key: tuple[str, ...], table: dict[tuple, str],
              fixed: dict[str, str] | None = None) -> pd.Series:
        if df.empty or not table or not all(c in df.columns or c in (fixed or {}) for c in key):
            return pd.Series([None] * len(df), index=df.index, dtype=object)
        cols = [df[c] if c in df.columns else pd.Series(fixed[c], index=df.index) for c in key]
        keys = zip(*[_norm(c) for c in cols], strict=True)
        return pd.Series([table.get(k) for k in keys], index=df.index, dtype=object)

    def apply(self, df: pd.DataFrame) -> pd.DataFrame:
        """A copy of df with every withheld cell's count marked and its revealing values removed.

        Recognises the satisfaction marts (a borough's cell, its equality groups, the White / BME gap
        and its two groups) and pledge_compliance cells by their key columns; other frames pass as is.
        """
        out = df.copy()
        if all(c in out.columns for c in SURVEY_KEY):
            if "dimension" in out.columns:
                self._withhold_survey(out, self._mark(out, GROUP_KEY, self.survey), "")
            elif "white_respondents" in out.columns or "white_respondents_display" in out.columns:
                for group, prefix in (("White", "white_"), ("BME", "bme_")):
                    mark = self._mark(out, GROUP_KEY, self.survey, {"dimension": "ethnic_group",
                                                                    "dimension_value": group})
                    self._withhold_survey(out, mark, prefix, gap=True)
            elif "outcome_measure" not in out.columns:
                self._withhold_survey(out, self._mark(out, GROUP_KEY, self.survey,
                                                      {"dimension": TOTAL, "dimension_value": TOTAL}), "")
        if all(c in out.columns for c in COMPLIANCE_KEY):
            mark = self._mark(out, COMPLIANCE_KEY, self.compliance)
            hit = mark.notna()
            if hit.any():
                for col in _COMPLIANCE_WITHHELD:
                    if col in out.columns:
                        out[col] = out[col].astype(object).where(~hit, mark if col == "denominator" else None)
                if "rag" in out.columns:
                    out["rag"] = out["rag"].astype(object).where(~hit, "no_data")
        return out

    @staticmethod
    def _withhold_survey(out: pd.DataFrame, mark: pd.Series, prefix: str, gap: bool = False) -> None:
        hit = mark.notna()
        if not hit.any():
            return
        for col in _SURVEY_WITHHELD:
            name = prefix + col
            if name in out.columns:
                out[name] = out[name].astype(object).where(~hit, mark if col == "respondents" else None)
        for col in ("reliable",):
            if prefix + col in out.columns:
                out[prefix + col] = out[prefix + col].astype(object).where(~hit, False)
        if prefix + "respondents_display" in out.columns:
            out[prefix + "respondents_display"] = out[prefix + "respondents_display"].where(~hit, mark)
        if "is_suppressed" in out.columns:
            out["is_suppressed"] = out["is_suppressed"].astype(object).where(~hit, True)
        if gap:
            for col in _GAP_DEPENDENT:
                if col in out.columns:
                    out[col] = out[col].astype(object).where(~hit, None)


def _norm(values: pd.Series) -> list:
    """Key values comparable across frames (dates as ISO text, numbers as int)."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return [None if pd.isna(v) else pd.Timestamp(v).date().isoformat() for v in values]
    out = []
    for v in values:
        if hasattr(v, "isoformat") and not isinstance(v, str):
            out.append(v.isoformat()[:10])
        elif isinstance(v, float) and v.is_integer():
            out.append(int(v))
        else:
            out.append(v if not hasattr(v, "item") else v.item())
    return out


# ---- the relations of each family, and the plans ------------------------------------------------

def _ids(df: pd.DataFrame, key: tuple[str, ...]) -> pd.Series:
    return pd.Series(list(zip(*[_norm(df[c]) for c in key], strict=True)), index=df.index)


def survey_cells(totals: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    """One row per survey cell (GROUP_KEY): a borough's own cell has dimension = dimension_value = 'all'."""
    t = totals[[*SURVEY_KEY, "respondents"]].copy()
    t["dimension"], t["dimension_value"] = TOTAL, TOTAL
    cols = [*GROUP_KEY, "respondents"]
    g = groups[cols] if not groups.empty else pd.DataFrame(columns=cols)
    cells = pd.concat([t[cols], g], ignore_index=True)
    extra = [c for c in ("window_start_month",) if c in totals.columns and c in groups.columns]
    if extra:
        cells["window_start_month"] = pd.concat([totals[extra[0]], groups[extra[0]]], ignore_index=True)
    cells["cell"] = _ids(cells, GROUP_KEY)
    cells["respondents"] = pd.to_numeric(cells["respondents"], errors="coerce").fillna(0)
    return cells


def survey_relations(cells: pd.DataFrame) -> pd.DataFrame:
    """(relation, cell, is_total): groups -> borough cell; boroughs -> force-wide; months -> 12-month window."""
    parts: list[pd.DataFrame] = []
    key = list(SURVEY_KEY)
    grp = cells[cells["dimension"] != TOTAL]
    tot = cells[cells["dimension"] == TOTAL]
    # 1. the values of one dimension add up to their borough's (or the force's) own cell
    rel = grp[key + ["dimension"]].astype(str).agg("|".join, axis=1).radd("g|")
    parts.append(pd.DataFrame({"relation": rel, "cell": grp["cell"], "is_total": False}))
    dims = grp[key + ["dimension"]].drop_duplicates()
    joined = dims.merge(tot[key + ["cell"]], on=key)
    rel_t = joined[key + ["dimension"]].astype(str).agg("|".join, axis=1).radd("g|")
    parts.append(pd.DataFrame({"relation": rel_t, "cell": joined["cell"], "is_total": True}))
    # 2. the boroughs add up to the force-wide cell (same dimension value)
    other = [c for c in GROUP_KEY if c != "borough_code"]
    rel_b = cells[other].astype(str).agg("|".join, axis=1).radd("b|")
    parts.append(pd.DataFrame({"relation": rel_b, "cell": cells["cell"],
                               "is_total": cells["borough_code"] == FORCE_WIDE}))
    # 3. the single months of a window add up to the rolling 12-month cell (partial windows too)
    if "window_start_month" in cells.columns:
        twelve = cells[cells["window_months"] == 12]
        ones = cells[cells["window_months"] == 1]
        fixed = [c for c in GROUP_KEY if c not in ("window_months", "period_end_month")]
        pairs = twelve[fixed + ["period_end_month", "window_start_month", "cell"]].merge(
            ones[fixed + ["period_end_month", "cell"]].rename(columns={"period_end_month": "month",
                                                                       "cell": "part"}), on=fixed)
        pairs = pairs[(pairs["month"] >= pairs["window_start_month"]) & (pairs["month"] <= pairs["period_end_month"])]
        rel_w = "w|" + pairs["cell"].astype(str)
        parts.append(pd.DataFrame({"relation": rel_w, "cell": pairs["part"], "is_total": False}))
        parts.append(pd.DataFrame({"relation": "w|" + twelve["cell"].astype(str), "cell": twelve["cell"],
                                   "is_total": True}))
    return pd.concat(parts, ignore_index=True)


def plan_survey(totals: pd.DataFrame, groups: pd.DataFrame) -> dict[tuple, str]:
    """GROUP_KEY -> "<10" / "[c]" for every survey cell of the given rows (one force's marts)."""
    if totals.empty:
        return {}
    cells = survey_cells(totals, groups)
    counts = cells.set_index("cell")["respondents"]
    counts = counts[~counts.index.duplicated()]
    primary = is_small(counts)
    extra = secondary_cells(counts, primary, survey_relations(cells))
    out = {c: SUPPRESSED for c in primary[primary].index}
    out.update({c: SECONDARY for c in extra})
    return out


def compliance_relations(cells: pd.DataFrame) -> pd.DataFrame:
    """Boroughs -> the force-wide cell of (standard, month); months -> the rolling 12 months per borough.

    The force-wide cell (borough FORCE_WIDE) is the sum the scorecard shows; a borough's rolling 12
    months is the sum the league table shows. Both are cells of `cells` (made by compliance_cells).
    """
    parts = []
    b = cells[cells["kind"] == "month"]
    rel = "b|" + b["standard_id"].astype(str) + "|" + b["period_month"].astype(str)
    parts.append(pd.DataFrame({"relation": rel, "cell": b["cell"], "is_total": b["borough_code"] == FORCE_WIDE}))
    r = cells[cells["kind"] == "rolling"]
    if not r.empty:
        months = b[["standard_id", "borough_code", "period_month", "cell"]].rename(
            columns={"period_month": "month", "cell": "part"})
        pairs = r[["standard_id", "borough_code", "period_month", "cell"]].merge(months, on=["standard_id",
                                                                                             "borough_code"])
        end = pd.to_datetime(pairs["period_month"])
        month = pd.to_datetime(pairs["month"])
        pairs = pairs[(month <= end) & (month > end - pd.DateOffset(months=12))]
        parts.append(pd.DataFrame({"relation": "r|" + pairs["cell"].astype(str), "cell": pairs["part"],
                                   "is_total": False}))
        parts.append(pd.DataFrame({"relation": "r|" + r["cell"].astype(str), "cell": r["cell"], "is_total": True}))
    return pd.concat(parts, ignore_index=True)


def compliance_cells(cells: pd.DataFrame) -> pd.DataFrame:
    """Borough cells of pledge_compliance, plus the force-wide and rolling-12 sums pages show."""
    c = cells[[*COMPLIANCE_KEY, "denominator"]].copy()
    c = c[c["borough_code"] != FORCE_WIDE]
    c["denominator"] = pd.to_numeric(c["denominator"], errors="coerce").fillna(0)
    force = c.groupby(["force_code", "standard_id", "period_month"], as_index=False)["denominator"].sum()
    force["borough_code"] = FORCE_WIDE
    monthly = pd.concat([c, force[c.columns]], ignore_index=True)
    monthly["kind"] = "month"
    monthly["cell"] = _ids(monthly, COMPLIANCE_KEY)
    rolling = monthly[monthly["borough_code"] != FORCE_WIDE].copy()
    rolling["kind"] = "rolling"
    rolling["cell"] = "r" + rolling["cell"].astype(str)
    # the rolling sum's own count: the denominators of the 12 months to period_month
    ends = pd.to_datetime(rolling["period_month"])
    lookup = monthly[monthly["borough_code"] != FORCE_WIDE]
    sums = []
    for (std, bor), part in lookup.groupby(["standard_id", "borough_code"]):
        months = pd.to_datetime(part["period_month"]).to_numpy()
        dens = part["denominator"].to_numpy()
        for end in ends[(rolling["standard_id"] == std) & (rolling["borough_code"] == bor)]:
            mask = (months <= end.to_datetime64()) & (months > (end - pd.DateOffset(months=12)).to_datetime64())
            sums.append(((std, bor, end), float(dens[mask].sum())))
    total = dict(sums)
    rolling["denominator"] = [total[(s, b, e)] for s, b, e in zip(rolling["standard_id"], rolling["borough_code"],
                                                                    ends, strict=True)]
    return pd.concat([monthly, rolling], ignore_index=True)


def plan_compliance(cells: pd.DataFrame) -> dict[tuple, str]:
    """COMPLIANCE_KEY -> "<10" / "[c]" for every borough cell of pledge_compliance (one force)."""
    if cells.empty:
        return {}
    allc = compliance_cells(cells)
    counts = allc.set_index("cell")["denominator"]
    primary = is_small(counts)
    extra = secondary_cells(counts, primary, compliance_relations(allc))
    # Month cells are keyed by COMPLIANCE_KEY (borough FORCE_WIDE for the force-wide sum); a rolling
    # 12-month sum by "r" + that key, so the league table can withhold it too.
    out: dict[tuple, str] = {c: SUPPRESSED for c in primary[primary].index}
    out.update({c: SECONDARY for c in extra})
    return out
