"""Automation shocks: the path of adoption over time and how it moves labour demand.

Adoption a_r(t) in [0, 1] follows a logistic curve (del Rio-Chanona et al. 2021 use a sigmoid
reaching 0.9999 over 30 years). Target demand for occupation o in region r is
d0_ro * (1 - size * a_r(t) * exposure_o), and the demand that leaves exposed occupations moves to
the others in proportion to d0_ro * (1 - exposure_o) (complementary, low-exposure work), scaled
by `reallocation` (1 = total demand unchanged, 0 = the lost demand is gone).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fowsim.errors import ConfigError

KINDS = ("none", "gradual", "rapid", "uneven", "cycle")


@dataclass(frozen=True)
class Shock:
    """A validated automation shock (the `shock` config group)."""

    kind: str = "none"
    size: float = 1.0  # share of an occupation's exposure that is eventually automated
    start_month: int = 12
    duration_months: int = 360  # time from ~0 to ~1 adoption
    reallocation: float = 1.0
    region_speed: tuple[float, ...] | None = None  # per-region speed multipliers (uneven)
    cycle_amplitude: float = 0.0  # demand cycle (Beveridge loops): relative amplitude
    cycle_period_months: int = 96

    def adoption(self, t: float, n_regions: int) -> np.ndarray:
        """Adoption level per region at month `t` (0 before the start, -> 1 at the end)."""
        if self.kind in ("none", "cycle") or self.size == 0.0:
            return np.zeros(n_regions)
        speed = np.ones(n_regions) if self.region_speed is None else np.asarray(self.region_speed)
        # a logistic from 1e-4 to 0.9999 across the duration: slope k = 2*ln(9999)/duration
        k = 2.0 * np.log(9999.0) / self.duration_months
        x = (t - self.start_month) * speed - self.duration_months / 2.0
        level = 1.0 / (1.0 + np.exp(-k * x))
        return np.where(t >= self.start_month, level, 0.0)

    def cycle(self, t: float) -> float:
        """Multiplier on all demand from the business cycle at month `t` (1 without a cycle)."""
        if self.cycle_amplitude == 0.0:
            return 1.0
        return 1.0 + self.cycle_amplitude * np.sin(2.0 * np.pi * (t - self.start_month) / self.cycle_period_months)

    def target_demand(self, d0: np.ndarray, exposure: np.ndarray, t: float, month: float | None = None) -> np.ndarray:
        """Target demand (R, O) from baseline demand `d0` (R, O).

        `t` is the month reached on the adoption path (an early adopter is ahead of the calendar);
        the business cycle runs on the calendar `month` (default `t`), the same for every employer.
        """
        a = self.adoption(t, d0.shape[0])[:, None]
        lost = d0 * self.size * a * exposure[None, :]
        keep = d0 - lost
        weight = d0 * (1.0 - exposure[None, :])
        share = weight / weight.sum(axis=1, keepdims=True).clip(1e-12)
        cycle = self.cycle(t if month is None else month)
        return (keep + self.reallocation * lost.sum(axis=1, keepdims=True) * share) * cycle


def make_shock(cfg: object, regions: tuple[str, ...], adoption_speed: np.ndarray) -> Shock:
    """Validate the `shock` config node and build a `Shock`."""
    get = cfg.get if hasattr(cfg, "get") else lambda k, d=None: getattr(cfg, k, d)
    kind = str(get("kind", "none"))
    if kind not in KINDS:
        raise ConfigError("shock.kind", kind, f"one of {list(KINDS)}")
    size = float(get("size", 1.0))
    if not 0.0 <= size <= 1.0:
        raise ConfigError("shock.size", size, "a share in [0, 1]")
    realloc = float(get("reallocation", 1.0))
    if not 0.0 <= realloc <= 1.0:
        raise ConfigError("shock.reallocation", realloc, "a share in [0, 1]")
    start = int(get("start_month", 12))
    if start < 0:
        raise ConfigError("shock.start_month", start, "a month >= 0")
    duration = int(get("duration_months", 360))
    if duration < 1:
        raise ConfigError("shock.duration_months", duration, "a number of months >= 1")
    amplitude = float(get("cycle_amplitude", 0.0))
    if not 0.0 <= amplitude < 1.0:
        raise ConfigError("shock.cycle_amplitude", amplitude, "a relative amplitude in [0, 1)")
    period = int(get("cycle_period_months", 96))
    if period < 2:
        raise ConfigError("shock.cycle_period_months", period, "a number of months >= 2")
    speeds = None
    if kind == "uneven":
        given = dict(get("region_speed", None) or {})
        unknown = [r for r in given if r not in regions]
        if unknown:
            raise ConfigError(f"shock.region_speed.{unknown[0]}", given[unknown[0]], f"a region among {list(regions)}")
        speeds = tuple(float(given.get(r, adoption_speed[i])) for i, r in enumerate(regions))
        bad = [(r, s) for r, s in zip(regions, speeds) if s <= 0]
        if bad:
            raise ConfigError(f"shock.region_speed.{bad[0][0]}", bad[0][1], "a speed > 0")
    return Shock(kind, size, start, duration, realloc, speeds, amplitude, period)
