"""Each chart function draws exactly its data: values, units in titles, RAG as text, threshold marked."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from dashboards import charts

MONTHS = [date(2008, 4, 1), date(2008, 5, 1), date(2008, 6, 1)]


def test_trend_vs_target_draws_rates_and_target_in_percent() -> None:
    df = pd.DataFrame({"standard_id": ["A"] * 3 + ["B"] * 2, "period_month": MONTHS + MONTHS[:2],
                       "rate": [0.9, 0.85, 0.95, 0.5, 0.75], "target_rate": [0.9] * 3 + [0.75] * 2})
    fig = charts.trend_vs_target(df, "Calls within standard, April to June 2008 (%)")
    names = [t.name for t in fig.data]
    assert names == ["A", "A target", "B", "B target"]
    assert list(fig.data[0].y) == pytest.approx([90, 85, 95])
    assert list(fig.data[1].y) == pytest.approx([90, 90, 90]) and fig.data[1].line.dash == "dash"
    assert list(fig.data[2].y) == pytest.approx([50, 75])
    assert fig.layout.title.text.endswith("(%)") and fig.layout.yaxis.title.text == "Within standard (%)"
    assert fig.data[0].line.color in charts.PALETTE


def test_rag_heat_grid_carries_rag_as_text_and_colour() -> None:
    df = pd.DataFrame({"standard_id": ["S1", "S1", "S2"], "borough_code": ["CW", "HK", "CW"],
                       "rag": ["green", "red", "amber"], "rate": [0.95, 0.5, None], "denominator": [20, 10, "<10"]})
    fig = charts.rag_heat_grid(df, "RAG, June 2008")
    grid = fig.data[0]
    assert list(grid.x) == ["CW", "HK"] and list(grid.y) == ["S1", "S2"]
    assert [list(r) for r in grid.z] == [[2, 0], [1, None]]
    assert [list(r) for r in grid.text] == [["G 95%", "R 50%"], ["A <10", ""]]


def test_distribution_marks_the_threshold_in_the_chosen_unit() -> None:
    df = pd.DataFrame({"bin_start_seconds": [0.0, 60.0, 120.0], "records": [5, 7, 2]})
    fig = charts.distribution(df, 900.0, "Attendance time (records)", unit="min")
    assert list(fig.data[0].x) == [0, 1, 2] and list(fig.data[0].y) == [5, 7, 2]
    line = fig.layout.shapes[0]
    assert line.x0 == line.x1 == 15 and fig.layout.annotations[0].text == "threshold 15 min"
    assert fig.layout.xaxis.title.text == "Elapsed time (min, bin start)"


def test_misses_heatmap_places_cells_and_suppresses_small_counts() -> None:
    df = pd.DataFrame({"weekday": [1, 7, 0], "hour_of_day": [9, 23, 0], "misses": [12, 3, 40]})
    fig = charts.misses_heatmap(df, "Misses by hour (records)")
    z, text = fig.data[0].z, fig.data[0].text
    assert z[0][9] == 12 and text[0][9] == "12"  # Monday 09:00
    assert z[6][23] is None and text[6][23] == "<10"  # Sunday (7) 23:00, 3 misses: suppressed
    assert z[6][0] == 40  # Sunday as 0 also lands on Sunday
    assert sum(v for row in z for v in row if v) == 52


def test_rate_bands_draw_interval_polygons_and_hollow_unreliable_points() -> None:
    df = pd.DataFrame({"q": ["x"] * 3, "period_end_month": MONTHS, "rate": [0.5, 0.6, 0.7],
                       "ci_low": [0.4, 0.5, 0.6], "ci_high": [0.6, 0.7, 0.8], "reliable": [True, False, True]})
    fig = charts.rate_bands(df, "q", "Satisfied (%)")
    band, line = fig.data
    assert list(band.y) == pytest.approx([60, 70, 80, 60, 50, 40])  # upper bounds, then lower bounds back
    assert list(line.y) == pytest.approx([50, 60, 70])
    assert list(line.marker.symbol) == ["circle", "circle-open", "circle"]
    assert "fewer than 50" in fig.layout.title.text


def test_white_bme_and_gap_charts() -> None:
    df = pd.DataFrame({"period_end_month": MONTHS[:2], "white_rate": [0.7, 0.72], "white_ci_low": [0.6, 0.62],
                       "white_ci_high": [0.8, 0.82], "bme_rate": [0.5, None], "bme_ci_low": [0.4, None],
                       "bme_ci_high": [0.6, None], "white_reliable": [True, True], "bme_reliable": [False, False],
                       "gap_pp": [20.0, None], "gap_ci_low_pp": [5.0, None], "gap_ci_high_pp": [33.0, None]})
    wb = charts.white_bme(df, "White and BME (%)")
    assert [t.name for t in wb.data] == ["White 95% interval", "White", "BME 95% interval", "BME"]
    assert list(wb.data[1].y) == pytest.approx([70, 72])
    gap = charts.gap_over_time(df, "Gap (pp)")
    assert list(gap.data[1].y) == [20.0]  # the suppressed month is not drawn
    assert list(gap.data[0].y) == [33.0, 5.0]
    assert gap.layout.shapes[0].y0 == 0


RANKED = pd.DataFrame({  # significant_holm differs from significant for CW; HK and WM are unreliable
    "borough_code": ["CW", "HK", "IS", "WM", "KC"], "gap_pp": [12.0, -3.0, None, 9.0, 2.0],
    "gap_ci_low_pp": [4.0, -10.0, None, 1.0, -1.0], "gap_ci_high_pp": [20.0, 4.0, None, 17.0, 5.0],
    "significant": [True, False, None, True, False], "significant_holm": [False, False, None, True, False],
    "reliable": [True, False, None, False, True]})


def _markers(fig) -> dict[str, tuple[str, str, str]]:
    """borough -> (marker symbol, colour, legend name), read from the figure's traces."""
    out = {}
    for trace in fig.data:
        for borough in trace.y:
            assert borough not in out, borough  # each borough drawn once
            out[borough] = (trace.marker.symbol, trace.marker.color, trace.name)
    return out


@pytest.mark.parametrize("adjusted", [True, False])
def test_ranked_gaps_flags_boroughs_like_the_table_and_hollows_unreliable_ones(adjusted: bool) -> None:
    fig = charts.ranked_gaps(RANKED, "Gap by borough", adjusted=adjusted, reliable_from=50)
    kind = "Holm-adjusted" if adjusted else "unadjusted"
    sig = ("diamond", charts.PALETTE[5], f"significant ({kind})")
    not_sig = ("circle", charts.PALETTE[0], f"not significant ({kind})")
    unreliable = ", unreliable: a group under 50 respondents"
    hollow = {b: (s + "-open", c, n + unreliable) for b, (s, c, n) in {"HK": not_sig, "WM": sig}.items()}
    assert _markers(fig) == {"CW": sig if not adjusted else not_sig, "KC": not_sig, **hollow}  # IS: suppressed
    assert len({t.name for t in fig.data}) == len(fig.data) and all(t.showlegend is not False for t in fig.data)
    assert list(fig.layout.yaxis.categoryarray) == ["HK", "KC", "WM", "CW"]  # ranked by gap across traces
    by_borough = {b: (x, lo, hi) for t in fig.data for b, x, lo, hi in
                  zip(t.y, t.x, t.error_x.arrayminus, t.error_x.array, strict=True)}
    assert by_borough == {"HK": (-3.0, 7.0, 7.0), "KC": (2.0, 3.0, 3.0), "WM": (9.0, 8.0, 8.0),
                          "CW": (12.0, 8.0, 8.0)}
    assert f"diamond: significant, {kind}; hollow: unreliable" in fig.layout.title.text


def test_interval_bars_and_volumes() -> None:
    df = pd.DataFrame({"g": ["a", "b"], "rate": [0.5, None], "ci_low": [0.4, None], "ci_high": [0.7, None]})
    fig = charts.interval_bars(df, "g", "By group (%)")
    assert list(fig.data[0].y) == ["a"] and list(fig.data[0].x) == [50.0]
    assert list(fig.data[0].error_x.array) == pytest.approx([20.0])
    vol = charts.volumes(pd.DataFrame({"category": ["conduct", "conduct", "other"], "channel": ["web", "phone", "web"],
                                       "records": [3, 4, 5]}), "Items")
    assert [(t.name, list(t.x), list(t.y)) for t in vol.data] == [("phone", ["conduct"], [4]),
                                                                  ("web", ["conduct", "other"], [3, 5])]
    assert vol.layout.barmode == "stack"


def test_rag_is_always_words_and_an_icon() -> None:
    assert charts.rag_label("green") == "✔ Green: on target"
    assert charts.rag_label("amber") == "▲ Amber: within 5 points"
    assert charts.rag_label("red") == "✖ Red: below target"
    assert charts.rag_label(None) == "– No data"
    assert charts.cell_rate(0.5, "<10") == "<10 records" and charts.cell_rate(None, 0) == "no records"
    assert charts.pct(0.8819) == "88.2%" and charts.pp(-1.84) == "-1.8 pp"
