"""Key-driver analysis (citizen_focus/drivers.py, marts.satisfaction_key_drivers, the Satisfaction page).

The dominance weights are checked against an independent computation written here: each subset's
weighted R² from a weighted least-squares fit of the data themselves (numpy lstsq on sqrt(w)-scaled
rows, R² = 1 - SSE / SST), and each driver's Shapley value as the average, over all k! orders of
the drivers, of the R² it adds when it joins (no subset-size coefficients, no cross-product
matrix). Then the mart on the generated sample, built by dbt: the planted key driver (the
generator's kept-informed effect, docs/sample-data.md) ranks first.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from citizen_focus import drivers


def _fixture_data(n: int = 400, seed: int = 3):
    """Six 0/1 columns in four drivers (the last two drivers have two columns each, like the
    operational outcomes: met / missed / neither), correlated with each other and with y."""
    rng = np.random.default_rng(seed)
    latent = rng.standard_normal(n)
    cols = [(0.7 * latent + rng.standard_normal(n)) > -0.5 for _ in range(2)]
    outcome3 = rng.integers(0, 3, n)  # 0 met, 1 missed, 2 no link
    outcome3b = np.where(latent > 0.8, 0, rng.integers(0, 3, n))
    x = np.column_stack([*cols, outcome3 == 0, outcome3 == 1, outcome3b == 0, outcome3b == 1]).astype(float)
    y = ((0.5 * latent + 0.8 * x[:, 1] - 0.6 * x[:, 3] + rng.standard_normal(n)) > 0).astype(float)
    w = np.exp(rng.normal(0, 0.5, n))
    groups = [[0], [1], [2, 3], [4, 5]]
    return x, y, w, groups


def _wls_r2(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    """Weighted R² of y on an intercept and x, from the fitted values of a lstsq fit."""
    design = np.column_stack([np.ones(len(y)), x])
    sw = np.sqrt(w)
    beta, *_ = np.linalg.lstsq(design * sw[:, None], y * sw, rcond=None)
    fitted = design @ beta
    ybar = np.sum(w * y) / np.sum(w)
    return 1 - np.sum(w * (y - fitted) ** 2) / np.sum(w * (y - ybar) ** 2)


def _shapley_by_permutations(x, y, w, groups) -> np.ndarray:
    k = len(groups)
    cache: dict[frozenset, float] = {}

    def v(members: frozenset) -> float:
        if members not in cache:
            cols = [c for j in sorted(members) for c in groups[j]]
            cache[members] = _wls_r2(x[:, cols], y, w) if cols else 0.0
        return cache[members]

    total = np.zeros(k)
    for order in itertools.permutations(range(k)):
        before: frozenset = frozenset()
        for j in order:
            total[j] += v(before | {j}) - v(before)
            before = before | {j}
    return total / math.factorial(k)


@pytest.mark.unit
def test_dominance_weights_equal_the_permutation_shapley_values_and_sum_to_r_squared() -> None:
    x, y, w, groups = _fixture_data()
    result = drivers.decompose(x, y, w, groups)
    expected = _shapley_by_permutations(x, y, w, groups)
    np.testing.assert_allclose(result.weights, expected, rtol=0, atol=1e-9)
    full = _wls_r2(x, y, w)
    assert result.r_squared == pytest.approx(full, abs=1e-9)
    assert result.weights.sum() == pytest.approx(full, abs=1e-12)
    assert result.shares.sum() == pytest.approx(1.0, abs=1e-12)
    # not a trivial fixture: the weights differ and R² is not tiny
    assert full > 0.05 and len(set(np.round(result.weights, 6))) == len(groups)


@pytest.mark.unit
def test_an_all_zero_column_adds_nothing_and_breaks_nothing() -> None:
    """A cell where nobody missed a standard: that indicator is 0 for everyone (a singular block)."""
    x, y, w, groups = _fixture_data()
    x = x.copy()
    x[:, 3] = 0.0
    result = drivers.decompose(x, y, w, groups)
    np.testing.assert_allclose(result.weights, _shapley_by_permutations(x, y, w, groups), rtol=0, atol=1e-9)


@pytest.mark.unit
def test_weights_do_not_depend_on_the_scale_of_the_survey_weights() -> None:
    x, y, w, groups = _fixture_data()
    np.testing.assert_allclose(drivers.decompose(x, y, 7.5 * w, groups).weights,
                               drivers.decompose(x, y, w, groups).weights, rtol=0, atol=1e-12)


@pytest.mark.unit
def test_shapley_matrix_for_two_drivers_by_hand() -> None:
    # subsets in order {}, {0}, {1}, {0,1}: w0 = (v0 - 0)/2 + (v01 - v1)/2
    np.testing.assert_allclose(drivers.shapley_matrix(2), [[-0.5, 0.5, -0.5, 0.5], [-0.5, -0.5, 0.5, 0.5]])


@pytest.mark.unit
def test_bootstrap_is_reproducible_with_its_seed_and_changes_with_another() -> None:
    x, y, w, groups = _fixture_data()
    seed = drivers.cell_seed(20260101, "MPS", "2009-03-01", "All")
    a = drivers.bootstrap(x, y, w, groups, replicates=60, seed=seed)
    b = drivers.bootstrap(x, y, w, groups, replicates=60, seed=drivers.cell_seed(20260101, "MPS", "2009-03-01", "All"))
    c = drivers.bootstrap(x, y, w, groups, replicates=60, seed=drivers.cell_seed(20260101, "MPS", "2009-03-01", "BME"))
    np.testing.assert_array_equal(a.share_low, b.share_low)
    np.testing.assert_array_equal(a.share_high, b.share_high)
    assert not np.array_equal(a.share_low, c.share_low)
    assert a.replicates == 60
    # the point estimate's share lies inside its interval for every driver
    assert np.all(a.share_low <= a.estimate.shares) and np.all(a.estimate.shares <= a.share_high)


@pytest.mark.unit
def test_bootstrap_replicate_equals_a_direct_fit_of_the_resampled_rows() -> None:
    """The count-matrix shortcut is the same as fitting the resampled respondents themselves."""
    x, y, w, groups = _fixture_data(n=150)
    rng = np.random.default_rng(99)
    idx = rng.integers(0, len(y), len(y))
    counts = np.bincount(idx, minlength=len(y)).astype(float)[None, :]
    centred = drivers._moments(x, y, w, counts)
    r2 = drivers._r_squared_all_subsets(centred, groups)
    weights = drivers.shapley_matrix(len(groups)) @ r2[0]
    np.testing.assert_allclose(weights, _shapley_by_permutations(x[idx], y[idx], w[idx], groups), rtol=0, atol=1e-9)


@pytest.mark.unit
def test_rank_is_one_for_the_largest() -> None:
    assert drivers.rank_descending(np.array([0.1, 0.4, 0.2, 0.4])).tolist() == [4, 1, 3, 2]


# ---- the mart on the generated sample, built by dbt ---------------------------------------------------

DRIVERS = ["ease_of_contact", "action_taken", "kept_informed", "treatment", "attended_in_time", "kept_updated"]
QUESTION_DRIVERS = DRIVERS[:4]


def _mart(db, where: str = "") -> list[dict]:
    from warehouse_builder import query

    cols = ["force_code", "period_end_month", "window_start_month", "ethnic_group", "driver", "importance",
            "importance_share", "share_ci_lower", "share_ci_upper", "r_squared", "driver_rank", "respondents",
            "linked_share", "bootstrap_replicates", "is_computed"]
    rows = query(db, f"select {', '.join(cols)} from marts.satisfaction_key_drivers {where} "
                     "order by ethnic_group, driver_rank")
    return [dict(zip(cols, r, strict=True)) for r in rows]


def _cell_data(db, force: str, start, end, group: str):
    """The cell's respondents straight from the driver values, with this test's own rules: valid
    whole-experience and four stage answers; operational drivers as met / missed indicators."""
    from warehouse_builder import query

    rows = query(db, """
        select response_id, any_value(weight), any_value(ethnic_group),
               list(item order by item), list(is_positive order by item)
        from intermediate.int_survey_responses_driver_values
        where force_code = ? and interview_month between ? and ?
        group by response_id order by response_id
    """, [force, start, end])
    x, y, w = [], [], []
    for _rid, weight, ethnic, items, values in rows:
        v = dict(zip(items, values, strict=True))
        if group != "All" and ethnic != group:
            continue
        if "whole_experience" not in v or any(q not in v for q in QUESTION_DRIVERS):
            continue
        row = [float(v[q]) for q in QUESTION_DRIVERS]
        for d in ("attended_in_time", "kept_updated"):
            row += [float(v.get(d) is True), float(v.get(d) is False)]
        x.append(row)
        y.append(float(v["whole_experience"]))
        w.append(weight)
    return np.array(x), np.array(y), np.array(w), [[0], [1], [2], [3], [4, 5], [6, 7]]


@pytest.fixture(scope="module")
def sample_mart(sample_warehouse_12):
    return sample_warehouse_12, _mart(sample_warehouse_12)


def test_the_planted_kept_informed_driver_ranks_first_on_the_sample(sample_mart) -> None:
    db, rows = sample_mart
    cells = {(r["ethnic_group"]) for r in rows}
    assert cells == {"All", "White", "BME"}
    latest = max(r["period_end_month"] for r in rows)
    for group in ("All", "White", "BME"):
        cell = [r for r in rows if r["ethnic_group"] == group and r["period_end_month"] == latest]
        assert [r["driver"] for r in cell][0] == "kept_informed"
        assert sorted(r["driver"] for r in cell) == sorted(DRIVERS)
        top, rest = cell[0], cell[1:]
        assert top["driver_rank"] == 1 and top["is_computed"]
        # clearly first: its interval lies above every other driver's
        assert top["share_ci_lower"] > max(r["share_ci_upper"] for r in rest)
    force_wide = [r for r in rows if r["ethnic_group"] == "All" and r["period_end_month"] == latest]
    assert force_wide[0]["importance_share"] > 0.5
    assert all(r["bootstrap_replicates"] == 200 for r in rows)


def test_the_mart_equals_an_independent_decomposition_of_its_respondents(sample_mart) -> None:
    db, rows = sample_mart
    for group in ("All", "BME"):
        cell = [r for r in rows if r["ethnic_group"] == group]
        first = cell[0]
        x, y, w, groups = _cell_data(db, first["force_code"], first["window_start_month"],
                                     first["period_end_month"], group)
        assert first["respondents"] == len(y) >= 50
        expected = _shapley_by_permutations(x, y, w, groups)
        by_driver = {r["driver"]: r for r in cell}
        np.testing.assert_allclose([by_driver[d]["importance"] for d in DRIVERS], expected, rtol=0, atol=1e-9)
        assert first["r_squared"] == pytest.approx(_wls_r2(x, y, w), abs=1e-9)
        assert sum(r["importance"] for r in cell) == pytest.approx(first["r_squared"], abs=1e-12)
        linked = np.mean((x[:, 4:] == 1).any(axis=1))
        assert first["linked_share"] == pytest.approx(linked, abs=1e-12)
        assert 0.5 < linked < 1.0


def test_satisfaction_page_says_what_drives_satisfaction(sample_warehouse_12, dashboard_warehouse,
                                                         monkeypatch) -> None:
    from test_dashboard_pages import all_text, signed_in

    from dashboards.text import key_driver_sentence

    monkeypatch.setenv("CITIZEN_FOCUS_DB", str(sample_warehouse_12))
    monkeypatch.setenv("CITIZEN_FOCUS_ACCESS", str(dashboard_warehouse.parent / "access.toml"))
    top = _mart(sample_warehouse_12, "where ethnic_group = 'All'")[0]
    at = signed_in("board", "views/satisfaction.py")
    assert "What drives satisfaction" in [h.value for h in at.subheader]
    share, low, high = (round(100 * top[c]) for c in ("importance_share", "share_ci_lower", "share_ci_upper"))
    sentence = (f"Being kept informed matters most: {share}% ({low}–{high}%) of what explains "
                "whole-experience satisfaction")
    assert key_driver_sentence("Being kept informed", top["importance_share"], top["share_ci_lower"],
                               top["share_ci_upper"]) == sentence
    assert sentence in all_text(at)
    table = next(d.value for d in at.dataframe if "Share of what explains it" in d.value.columns)
    assert list(table["Rank"]) == [1, 2, 3, 4, 5, 6]
    assert table["Share of what explains it"].iloc[0] == f"{share}%"
    # the BME respondents' own figures
    at.selectbox(key="driver_group").select("BME").run()
    bme = _mart(sample_warehouse_12, "where ethnic_group = 'BME'")[0]
    text = all_text(at)
    assert f"Being kept informed matters most: {round(100 * bme['importance_share'])}% " \
           f"({round(100 * bme['share_ci_lower'])}–{round(100 * bme['share_ci_upper'])}%)" in text
    assert f"BME respondents, force-wide, 12 months to March 2009. Shares of the weighted R² " \
           f"({bme['r_squared']:.2f})" in text
    assert f"{bme['respondents']} respondents who answered every stage question" in text
    assert "200 bootstrap replicates" in text


def test_the_section_is_hidden_below_the_minimum_base(dashboard_warehouse, monkeypatch) -> None:
    """The 3-month dashboard fixture has no full 12-month window: a note, no figures."""
    from test_dashboard_pages import all_text, signed_in

    monkeypatch.setenv("CITIZEN_FOCUS_DB", str(dashboard_warehouse))
    monkeypatch.setenv("CITIZEN_FOCUS_ACCESS", str(dashboard_warehouse.parent / "access.toml"))
    at = signed_in("board", "views/satisfaction.py")
    text = all_text(at)
    assert "What drives satisfaction" in [h.value for h in at.subheader]
    assert "the key drivers need 12 months" in text
    assert "matters most" not in text
