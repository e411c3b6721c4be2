"""Key-driver analysis: general dominance (Shapley) weights of a weighted linear probability model.

docs/measures.md, "Key drivers of whole-experience satisfaction", is the definition. In short:
the outcome y (whole-experience satisfied, 0/1) is regressed by weighted least squares (survey
weights) on an intercept and the columns of k drivers; a driver may bring more than one column
(an operational outcome enters as two indicators, met and missed, against "no linked outcome").
R²(S) is the weighted R² of the model with the drivers of subset S. A driver's general dominance
weight is its Shapley value in the game v(S) = R²(S):

    w_j = sum over S not containing j of |S|! (k - |S| - 1)! / k! x (R²(S + j) - R²(S))

so the k weights add up to R² of the full model. The bootstrap resamples respondents with
replacement (the same number as observed), recomputes every weight and takes the 2.5 and 97.5
percentiles of each driver's share of R² (w_j / R²).

Speed: every R²(S) of one sample comes from one weighted cross-product matrix (per replicate, the
resampled weights summed over the distinct rows of the design, times those rows' outer products),
and each subset is a small solve of that matrix's block, batched over the replicates.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# A relative eigenvalue below this in a subset's centred cross-product matrix is a column that adds
# nothing (e.g. an indicator that is 0 for every respondent of a cell): it is dropped from the solve.
RANK_TOLERANCE = 1e-10


@dataclass(frozen=True)
class Decomposition:
    """Result for one sample: R² of the full model and each driver's general dominance weight."""

    r_squared: float
    weights: np.ndarray  # one per driver, in the order given; they add up to r_squared

    @property
    def shares(self) -> np.ndarray:
        """Each weight as a share of R² (NaN when R² is 0)."""
        if self.r_squared <= 0:
            return np.full(len(self.weights), np.nan)
        return self.weights / self.r_squared


@dataclass(frozen=True)
class BootstrapResult:
    estimate: Decomposition
    share_low: np.ndarray  # 2.5th percentile of each driver's share of R² over the replicates
    share_high: np.ndarray  # 97.5th percentile
    replicates: int


def subset_masks(k: int) -> np.ndarray:
    """All 2^k subsets of k drivers as a boolean (2^k, k) array; row s is the binary digits of s."""
    s = np.arange(2**k)
    return (s[:, None] >> np.arange(k)[None, :]) & 1 == 1


def shapley_matrix(k: int) -> np.ndarray:
    """(k, 2^k) matrix M with weights = M @ [R²(S) for every subset S in subset_masks order]."""
    masks = subset_masks(k)
    size = masks.sum(axis=1)
    m = np.zeros((k, 2**k))
    for j in range(k):
        without = np.flatnonzero(~masks[:, j])
        with_j = without + 2**j
        coef = np.array([math.factorial(int(size[s])) * math.factorial(k - int(size[s]) - 1) for s in without],
                        dtype=float) / math.factorial(k)
        m[j, with_j] += coef
        m[j, without] -= coef
    return m


def _columns_of(groups: Sequence[Sequence[int]], mask: np.ndarray) -> list[int]:
    return [c for j, cols in enumerate(groups) if mask[j] for c in cols]


def _distinct_rows(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of [1, x, y] and each respondent's row among them. Indicator drivers leave
    few distinct rows, so the cross products are sums over those, not over every respondent."""
    z = np.column_stack([np.ones(len(y)), x, y])  # intercept first: its row/column are the sums
    patterns, inverse = np.unique(z, axis=0, return_inverse=True)
    return patterns, inverse.reshape(-1)


def _moments(x: np.ndarray, y: np.ndarray, w: np.ndarray, counts: np.ndarray,
             distinct: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """Weighted centred cross-product matrices of [x, y], one per row of counts: (R, p+1, p+1).

    counts (R, n) are how many times each respondent is in each replicate (all ones = the sample).
    Each replicate's weights are summed per distinct row (bincount, no BLAS: a threaded matrix
    product over every respondent is slow on a busy machine), then multiplied by those rows' outer
    products.
    """
    patterns, inverse = distinct if distinct is not None else _distinct_rows(x, y)
    g, q = patterns.shape
    r = counts.shape[0]
    cells = (np.arange(r)[:, None] * g + inverse[None, :]).ravel()
    pattern_w = np.bincount(cells, weights=(counts * w[None, :]).ravel(), minlength=r * g).reshape(r, g)
    outer = (patterns[:, :, None] * patterns[:, None, :]).reshape(g, q * q)
    raw = np.einsum("rg,gk->rk", pattern_w, outer).reshape(-1, q, q)
    total = raw[:, 0, 0]
    first = raw[:, 0, 1:]
    with np.errstate(invalid="ignore", divide="ignore"):
        return raw[:, 1:, 1:] - first[:, :, None] * first[:, None, :] / total[:, None, None]


def _r_squared_all_subsets(centred: np.ndarray, groups: Sequence[Sequence[int]]) -> np.ndarray:
    """R²(S) for every subset S (in subset_masks order) of every cross-product matrix: (R, 2^k)."""
    k = len(groups)
    p = centred.shape[1] - 1
    syy = centred[:, p, p]
    out = np.zeros((centred.shape[0], 2**k))
    for s, mask in enumerate(subset_masks(k)):
        cols = _columns_of(groups, mask)
        if not cols:
            continue
        sxx = centred[:, cols][:, :, cols]
        sxy = centred[:, cols, p]
        # symmetric eigen-solve: explained sum of squares = sxy' pinv(sxx) sxy, dropping null directions
        vals, vecs = np.linalg.eigh(sxx)
        keep = vals > RANK_TOLERANCE * np.maximum(vals.max(axis=1, keepdims=True), 1e-300)
        proj = np.einsum("rij,ri->rj", vecs, sxy)
        inv = np.where(keep, 1.0 / np.where(keep, vals, 1.0), 0.0)
        explained = (proj * proj * inv).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[:, s] = np.where(syy > 0, explained / syy, 0.0)
    return out


def decompose(x: np.ndarray, y: np.ndarray, w: np.ndarray, groups: Sequence[Sequence[int]]) -> Decomposition:
    """General dominance weights of the drivers (column groups of x) for y on x, weights w."""
    x, y, w = np.asarray(x, float), np.asarray(y, float), np.asarray(w, float)
    r2 = _r_squared_all_subsets(_moments(x, y, w, np.ones((1, len(y)))), groups)
    weights = shapley_matrix(len(groups)) @ r2[0]
    return Decomposition(float(r2[0, -1]), weights)


def cell_seed(seed: int, *key: str) -> np.random.SeedSequence:
    """The seed of one cell's bootstrap: the run's seed and the cell's key, so a cell's intervals
    do not depend on which other cells are computed or in which order."""
    return np.random.SeedSequence([int(seed), *(zlib.crc32(str(part).encode()) for part in key)])


def bootstrap(x: np.ndarray, y: np.ndarray, w: np.ndarray, groups: Sequence[Sequence[int]], replicates: int,
              seed: np.random.SeedSequence | int, batch: int = 50) -> BootstrapResult:
    """The decomposition and 95% percentile intervals of each driver's share of R², resampling
    respondents with replacement; the same seed gives the same intervals."""
    x, y, w = np.asarray(x, float), np.asarray(y, float), np.asarray(w, float)
    estimate = decompose(x, y, w, groups)
    rng = np.random.default_rng(seed)
    n = len(y)
    distinct = _distinct_rows(x, y)
    m = shapley_matrix(len(groups))
    shares = []
    done = 0
    while done < replicates:
        r = min(batch, replicates - done)
        # r resamples of n respondents drawn with replacement, as counts per respondent
        drawn = rng.integers(0, n, size=(r, n)) + (np.arange(r) * n)[:, None]
        counts = np.bincount(drawn.ravel(), minlength=r * n).reshape(r, n).astype(float)
        r2 = _r_squared_all_subsets(_moments(x, y, w, counts, distinct), groups)
        weights = r2 @ m.T
        with np.errstate(invalid="ignore", divide="ignore"):
            shares.append(np.where(r2[:, -1:] > 0, weights / r2[:, -1:], np.nan))
        done += r
    all_shares = np.vstack(shares) if shares else np.full((0, len(groups)), np.nan)
    if replicates and np.isfinite(all_shares).any():
        low, high = np.nanpercentile(all_shares, [2.5, 97.5], axis=0)
    else:
        low = high = np.full(len(groups), np.nan)
    return BootstrapResult(estimate, low, high, replicates)


def rank_descending(values: np.ndarray) -> np.ndarray:
    """1 = the largest; ties keep the drivers' order (a stable sort)."""
    order = np.argsort(-np.asarray(values, float), kind="stable")
    ranks = np.empty(len(order), dtype=np.int64)
    ranks[order] = np.arange(1, len(order) + 1)
    return ranks
