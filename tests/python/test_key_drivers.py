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
