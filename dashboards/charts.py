"""Plain functions from DataFrames to Plotly figures (testable without Streamlit).

Accessibility: the Okabe-Ito palette (safe for the common colour-vision deficiencies); RAG is
never colour alone -- every RAG cell and label also carries its word and an icon; every figure
has a title naming the measure, its unit and its period, and labelled axes.
"""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go

# Okabe & Ito (2008), "Color Universal Design".
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
RAG_COLOURS = {"green": "#009E73", "amber": "#E69F00", "red": "#D55E00", "no_data": "#BBBBBB"}
RAG_ICONS = {"green": "✔", "amber": "▲", "red": "✖", "no_data": "–"}  # in every common font, unlike emoji
RAG_WORDS = {"green": "Green: on target", "amber": "Amber: within 5 points", "red": "Red: below target",
             "no_data": "No data"}
RAG_SHORT = {"green": "G", "amber": "A", "red": "R", "no_data": "–"}


def rag_label(rag: str | None) -> str:
    """RAG as icon + words (never colour alone)."""
    key = rag if rag in RAG_WORDS else "no_data"
    return f"{RAG_ICONS[key]} {RAG_WORDS[key]}"


def pct(rate: float | None, digits: int = 1) -> str:
    return "–" if rate is None or pd.isna(rate) else f"{100 * rate:.{digits}f}%"


def cell_rate(rate: object, denominator: object) -> str:
    """A (suppressed) cell's rate as shown: '<10 records' when its count is withheld."""
    if denominator == "<10":
        return "<10 records"
    if denominator is not None and not isinstance(denominator, str) and not pd.isna(denominator) and denominator == 0:
        return "no records"
    return pct(rate)  # type: ignore[arg-type]


def pp(value: float | None, digits: int = 1) -> str:
    return "–" if value is None or pd.isna(value) else f"{value:+.{digits}f} pp"


def _monthly(fig: go.Figure) -> go.Figure:
    """Monthly x axes are labelled by month, never by day."""
    fig.update_xaxes(dtick="M1", tickformat="%b %Y")
    return fig


def _layout(fig: go.Figure, title: str, x_title: str, y_title: str) -> go.Figure:
    """Titles are escaped: Plotly reads `<a href>` and other tags in text, and a title holds values from the
    data (a borough code, a standard); Plotly shows `&lt;` / `&amp;` as the characters themselves."""
    fig.update_layout(title=html.escape(title, quote=False), xaxis_title=x_title, yaxis_title=y_title, colorway=PALETTE,
                      template="plotly_white", legend={"orientation": "h", "y": -0.2}, margin={"t": 60})
    return fig


def trend_vs_target(df: pd.DataFrame, title: str) -> go.Figure:
    """Monthly rate per standard (columns standard_id, period_month, rate, target_rate), target dashed."""
    fig = go.Figure()
    for i, (standard, part) in enumerate(df.groupby("standard_id", sort=True)):
        colour = PALETTE[i % len(PALETTE)]
        fig.add_trace(go.Scatter(x=part["period_month"], y=part["rate"] * 100, mode="lines+markers",
                                 name=standard, line={"color": colour}))
        fig.add_trace(go.Scatter(x=part["period_month"], y=part["target_rate"] * 100, mode="lines",
                                 name=f"{standard} target", line={"color": colour, "dash": "dash"}))
    return _monthly(_layout(fig, title, "Month (Europe/London)", "Within standard (%)"))


def rag_heat_grid(df: pd.DataFrame, title: str) -> go.Figure:
    """Standard x borough grid (columns standard_id, borough_code, rag, rate) coloured by RAG, with text."""
    standards = sorted(df["standard_id"].unique())
    boroughs = sorted(df["borough_code"].unique())
    codes = {"red": 0, "amber": 1, "green": 2, "no_data": 3}
    has_den = "denominator" in df.columns
    cells = {(r.standard_id, r.borough_code): (r.rag, r.rate, r.denominator if has_den else None)
             for r in df.itertuples()}
    z, text = [], []
    for s in standards:
        row_z, row_t = [], []
        for b in boroughs:
            if (s, b) not in cells:
                row_z.append(None)
                row_t.append("")
                continue
            rag, rate, den = cells[(s, b)]
            rag = rag if rag in codes else "no_data"
            row_z.append(codes[rag])
            shown = "<10" if den == "<10" else rate if isinstance(rate, str) else pct(rate, 0)
            row_t.append(f"{RAG_SHORT[rag]} {shown}")
        z.append(row_z)
        text.append(row_t)
    scale = [[0.0, RAG_COLOURS["red"]], [0.25, RAG_COLOURS["red"]], [0.25, RAG_COLOURS["amber"]],
             [0.5, RAG_COLOURS["amber"]], [0.5, RAG_COLOURS["green"]], [0.75, RAG_COLOURS["green"]],
             [0.75, RAG_COLOURS["no_data"]], [1.0, RAG_COLOURS["no_data"]]]
    fig = go.Figure(go.Heatmap(z=z, x=boroughs, y=standards, text=text, texttemplate="%{text}", zmin=0, zmax=3,
                               colorscale=scale, showscale=False, xgap=2, ygap=2,
                               hovertemplate="%{y} in %{x}: %{text}<extra></extra>"))
    return _layout(fig, title, "Borough", "Standard (G green, A amber, R red, – no data)")


def distribution(df: pd.DataFrame, threshold_seconds: float, title: str, unit: str = "s") -> go.Figure:
    """Records per elapsed-time bin (bin_start_seconds, records) with the standard's threshold marked."""
    divisor = {"s": 1, "min": 60, "h": 3600}[unit]
    fig = go.Figure(go.Bar(x=df["bin_start_seconds"] / divisor, y=df["records"], name="records",
                           marker_color=PALETTE[0]))
    fig.add_vline(x=threshold_seconds / divisor, line_dash="dash", line_color=PALETTE[5],
                  annotation_text=f"threshold {threshold_seconds / divisor:g} {unit}")
    return _layout(fig, title, f"Elapsed time ({unit}, bin start)", "Records")


WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def misses_heatmap(df: pd.DataFrame, title: str) -> go.Figure:
    """Misses by London hour (0-23) x weekday (1 Mon .. 7 Sun, or 0 Sun); cells of 1-9 shown as '<10'."""
    grid = [[0] * 24 for _ in range(7)]
    for row in df.itertuples():
        day = int(row.weekday)
        day = 6 if day in (0, 7) else day - 1
        grid[day][int(row.hour_of_day)] = int(row.misses)
    text = [["<10" if 0 < v < 10 else str(v) for v in r] for r in grid]
    z = [[None if 0 < v < 10 else v for v in r] for r in grid]
    fig = go.Figure(go.Heatmap(z=z, x=list(range(24)), y=WEEKDAYS, text=text, texttemplate="%{text}",
                               colorscale="Cividis", zmin=0, colorbar={"title": "Misses"}))
    return _layout(fig, title, "Hour of day (Europe/London)", "Weekday")


def rate_bands(df: pd.DataFrame, group: str, title: str) -> go.Figure:
    """Rates over time with Wilson bands, one line per `group` value; unreliable points (n<50) hollow.

    Columns: group, period_end_month, rate, ci_low, ci_high, reliable.
    """
    fig = go.Figure()
    for i, (name, part) in enumerate(df.groupby(group, sort=False)):
        colour = PALETTE[i % len(PALETTE)]
        part = part.sort_values("period_end_month")
        x = list(part["period_end_month"])
        fig.add_trace(go.Scatter(x=x + x[::-1], y=list(part["ci_high"] * 100) + list(part["ci_low"] * 100)[::-1],
                                 fill="toself", fillcolor=colour, opacity=0.15, line={"width": 0},
                                 name=f"{name} 95% interval", hoverinfo="skip", showlegend=False))
        symbols = ["circle" if r else "circle-open" for r in part["reliable"]]
        fig.add_trace(go.Scatter(x=x, y=part["rate"] * 100, mode="lines+markers", name=str(name),
                                 line={"color": colour}, marker={"symbol": symbols, "size": 8}))
    return _monthly(_layout(fig, title + " (hollow markers: fewer than 50 respondents)", "Period end month",
                            "Satisfied (%)"))


def interval_bars(df: pd.DataFrame, label: str, title: str, x_title: str = "Satisfied (%)") -> go.Figure:
    """Horizontal points with 95% intervals (columns label, rate, ci_low, ci_high) in percent."""
    shown = df.dropna(subset=["rate"])
    fig = go.Figure(go.Scatter(
        x=shown["rate"] * 100, y=shown[label].astype(str), mode="markers", marker={"color": PALETTE[0], "size": 9},
        error_x={"type": "data", "symmetric": False, "array": (shown["ci_high"] - shown["rate"]) * 100,
                 "arrayminus": (shown["rate"] - shown["ci_low"]) * 100}, name="rate"))
    return _layout(fig, title, x_title, "")


def key_driver_bars(df: pd.DataFrame, title: str) -> go.Figure:
    """Each driver's share of what explains the outcome (columns short_label, importance_share,
    share_ci_lower, share_ci_upper) as horizontal bars with the bootstrap 95% interval, the largest on top."""
    shown = df.dropna(subset=["importance_share"]).sort_values("importance_share")
    fig = go.Figure(go.Bar(
        x=shown["importance_share"] * 100, y=shown["short_label"].astype(str), orientation="h",
        marker={"color": PALETTE[0]}, name="share of explained",
        error_x={"type": "data", "symmetric": False, "color": "#333333",
                 "array": (shown["share_ci_upper"] - shown["importance_share"]) * 100,
                 "arrayminus": (shown["importance_share"] - shown["share_ci_lower"]) * 100}))
    return _layout(fig, title, "Share of what explains satisfaction (%)", "")


def white_bme(df: pd.DataFrame, title: str) -> go.Figure:
    """White and BME rates over time with their Wilson intervals."""
    long = pd.concat([
        pd.DataFrame({"group": "White", "period_end_month": df["period_end_month"], "rate": df["white_rate"],
                      "ci_low": df["white_ci_low"], "ci_high": df["white_ci_high"], "reliable": df["white_reliable"]}),
        pd.DataFrame({"group": "BME", "period_end_month": df["period_end_month"], "rate": df["bme_rate"],
                      "ci_low": df["bme_ci_low"], "ci_high": df["bme_ci_high"], "reliable": df["bme_reliable"]}),
    ])
    return rate_bands(long, "group", title)


def gap_over_time(df: pd.DataFrame, title: str) -> go.Figure:
    """gap_pp with its Newcombe interval over time; zero marked."""
    part = df.dropna(subset=["gap_pp"]).sort_values("period_end_month")
    x = list(part["period_end_month"])
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=x + x[::-1], y=list(part["gap_ci_high_pp"]) + list(part["gap_ci_low_pp"])[::-1],
                             fill="toself", fillcolor=PALETTE[3], opacity=0.2, line={"width": 0},
                             name="95% Newcombe interval", hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=x, y=part["gap_pp"], mode="lines+markers", name="gap (White − BME)",
                             line={"color": PALETTE[3]}))
    fig.add_hline(y=0, line_color="#666666")
    return _monthly(_layout(fig, title, "Period end month", "Gap (percentage points)"))


RANKED_SIGNIFICANT = {"symbol": "diamond", "color": PALETTE[5]}  # vermillion diamond
RANKED_NOT_SIGNIFICANT = {"symbol": "circle", "color": PALETTE[0]}  # blue circle


def ranked_gaps(df: pd.DataFrame, title: str, *, adjusted: bool, reliable_from: int) -> go.Figure:
    """Boroughs ranked by gap with Newcombe intervals, flagged as the page's table flags them.

    Significance is shape and colour (a vermillion diamond, else a blue circle), by
    `significant_holm` when `adjusted` and by the unadjusted `significant` otherwise; a row that is
    not `reliable` (a group under `reliable_from` respondents) is drawn hollow. Each combination
    present is its own trace, so the legend names it; the y axis keeps the ranking across traces.
    """
    part = df.dropna(subset=["gap_pp"]).sort_values(["gap_pp", "borough_code"])
    flag = "significant_holm" if adjusted else "significant"
    sig = part[flag].fillna(False).astype(bool)
    reliable = part["reliable"].fillna(False).astype(bool)
    kind = "Holm-adjusted" if adjusted else "unadjusted"
    fig = go.Figure()
    for significant in (True, False):
        for is_reliable in (True, False):
            rows = part[(sig == significant) & (reliable == is_reliable)]
            if rows.empty:
                continue
            style = RANKED_SIGNIFICANT if significant else RANKED_NOT_SIGNIFICANT
            name = f"significant ({kind})" if significant else f"not significant ({kind})"
            if not is_reliable:
                name += f", unreliable: a group under {reliable_from} respondents"
            fig.add_trace(go.Scatter(
                x=rows["gap_pp"], y=rows["borough_code"], mode="markers", name=name,
                marker={"symbol": style["symbol"] + ("" if is_reliable else "-open"), "size": 10,
                        "color": style["color"], "line": {"width": 2, "color": style["color"]}},
                error_x={"type": "data", "symmetric": False, "array": rows["gap_ci_high_pp"] - rows["gap_pp"],
                         "arrayminus": rows["gap_pp"] - rows["gap_ci_low_pp"], "color": style["color"]},
                text=[name] * len(rows), hovertemplate="%{y}: %{x:+.1f} pp, %{text}<extra></extra>"))
    fig.add_vline(x=0, line_color="#666666")
    fig.update_yaxes(categoryorder="array", categoryarray=list(part["borough_code"]))
    return _layout(fig, f"{title} (diamond: significant, {kind}; hollow: unreliable)",
                   "Gap, White − BME (percentage points)", "Borough")


def volumes(df: pd.DataFrame, title: str) -> go.Figure:
    """Stacked bars: records by category, one colour per channel."""
    fig = go.Figure()
    for i, (channel, part) in enumerate(df.groupby("channel", sort=True)):
        fig.add_trace(go.Bar(x=part["category"], y=part["records"], name=str(channel),
                             marker_color=PALETTE[i % len(PALETTE)]))
    fig.update_layout(barmode="stack")
    return _layout(fig, title, "Category", "Records")
