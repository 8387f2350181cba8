"""How a policy's effect is told from noise: paired differences over seeds, Student-t intervals, many comparisons.

Each policy arm is compared with the baseline run of the same seed (common random numbers), so an
effect is the mean of the per-seed differences. Its interval is the Student-t interval on the
actual number of seeds; with fewer than `MIN_SEEDS` seeds nothing is called beyond the noise and
arms are not ranked. Among the many differences of a table (arms x indicators) those beyond the
noise are chosen by the Benjamini-Hochberg procedure at a false discovery rate of `ALPHA`, so that
about one claim in ten may be a fluke rather than one in ten of every difference shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import stats

MIN_SEEDS = 3  # fewer paired seeds than this: no interval to speak of, no ranking, no "beyond the noise"
LEVEL = 0.90  # the intervals shown: two-sided 90%
ALPHA = 0.10  # false discovery rate of the claims "beyond the noise" (Benjamini-Hochberg)
METHOD = (f"paired per-seed differences from the baseline, Student-t {LEVEL:.0%} intervals; beyond the noise: "
          f"at least {MIN_SEEDS} seeds and Benjamini-Hochberg at a false discovery rate of {ALPHA:.0%}")  # fmt: skip


@dataclass
class Effect:
    """The mean paired difference over seeds, its Student-t interval and p-value, and the per-seed values."""

    mean: float
    low: float
    high: float
    se: float
    p: float  # two-sided, against no effect
    n: int  # seeds
    values: list[float] = field(default_factory=list)
    adjusted: float = np.nan  # p after Benjamini-Hochberg over the table it belongs to

    @property
    def resolved(self) -> bool:
        """Whether there are enough seeds to tell the effect from noise at all."""
        return self.n >= MIN_SEEDS

    @property
    def significant(self) -> bool:
        """Beyond the noise: enough seeds, and the adjusted p-value below `ALPHA`."""
        return bool(self.resolved and np.isfinite(self.adjusted) and self.adjusted < ALPHA)


def paired(differences: np.ndarray) -> Effect:
    """The effect of per-seed differences `differences` (NaN where a run is missing)."""
    d = np.asarray(differences, dtype=float)
    d = d[np.isfinite(d)]
    n = int(d.size)
    if n == 0:
        return Effect(np.nan, np.nan, np.nan, np.nan, np.nan, 0)
    mean = float(d.mean())
    if n < 2:
        return Effect(mean, np.nan, np.nan, np.nan, np.nan, n, d.tolist())
    se = float(d.std(ddof=1) / np.sqrt(n))
    half = float(stats.t.ppf(0.5 + LEVEL / 2, n - 1) * se)
    # the same difference in every seed (zero for a policy that does nothing): no noise to test against
    p = float(2 * stats.t.sf(abs(mean) / se, n - 1)) if se > 0 else (1.0 if mean == 0.0 else 0.0)
    return Effect(mean, mean - half, mean + half, se, p, n, d.tolist())


def benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values of `p` (NaN entries are left out and stay NaN)."""
    p = np.asarray(p, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = np.flatnonzero(np.isfinite(p))
    if ok.size == 0:
        return out
    order = ok[np.argsort(p[ok], kind="stable")]
    m = order.size
    ranked = p[order] * m / np.arange(1, m + 1)
    out[order] = np.minimum(1.0, np.minimum.accumulate(ranked[::-1])[::-1])
    return out


def adjust(effects: list[Effect]) -> None:
    """Set each effect's `adjusted` p-value: Benjamini-Hochberg over all of them (one table's family)."""
    adjusted = benjamini_hochberg(np.array([e.p for e in effects]))
    for e, a in zip(effects, adjusted):
        e.adjusted = float(a)
