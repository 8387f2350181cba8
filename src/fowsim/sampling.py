"""Vectorized sampling helpers: the few tricks that keep the monthly step free of Python loops."""

from __future__ import annotations

import numpy as np


def bernoulli_indices(rng: np.random.Generator, n: int, p: float) -> np.ndarray:
    """Indices i < n that succeed in n independent Bernoulli(p) trials, in O(n p) time.

    Gaps between successes are geometric, so only the successes are ever drawn.
    """
    if n <= 0 or p <= 0.0:
        return np.empty(0, dtype=np.int64)
    if p >= 0.25:
        return np.flatnonzero(rng.random(n) < p)
    out, start = [], -1
    while True:
        k = int(n * p + 4.0 * np.sqrt(n * p) + 16)
        idx = start + np.cumsum(rng.geometric(p, size=k))
        out.append(idx[idx < n])
        if idx[-1] >= n:
            break
        start = int(idx[-1])
    return np.concatenate(out)


def thinned(rng: np.random.Generator, n: int, prob_of, p_max: float) -> np.ndarray:
    """Indices that succeed with their own probability `prob_of(idx)` <= p_max, in O(n p_max).

    Candidates are drawn at rate p_max and each is kept with probability prob_of(idx) / p_max, so
    every index succeeds independently with exactly its own probability.
    """
    cand = bernoulli_indices(rng, n, p_max)
    if cand.size == 0:
        return cand
    p = prob_of(cand)
    return cand[rng.random(cand.size) * p_max < p]


def counts(shape: tuple[int, ...], *index: np.ndarray | int) -> np.ndarray:
    """How often each cell of an array of `shape` is named by the index arrays (`np.add.at(a, index, 1)`, faster)."""
    flat = np.ravel_multi_index(tuple(np.asarray(i, dtype=np.int64) for i in index), shape)
    return np.bincount(np.ravel(flat), minlength=int(np.prod(shape))).reshape(shape)


def categorical(cum: np.ndarray, u: np.ndarray) -> np.ndarray:
    """One category per row of the row-wise cumulative weights `cum` (n, K), drawn by the uniforms `u` (n,).

    Row k takes the first category whose cumulative weight exceeds `u[k]` times the row's total.
    """
    return np.minimum((cum < u[:, None] * cum[:, -1:]).sum(axis=1), cum.shape[1] - 1)
