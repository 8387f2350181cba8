"""Automation shocks: the path of adoption over time and how it moves labour demand.

Adoption a in [0, 1] is each employer's: the share of its exposed tasks it has automated.
Target demand for occupation o is d0_o * (1 - size * a * exposure_o), and the demand that leaves
exposed occupations moves to the others in proportion to d0_o * (1 - exposure_o)
(complementary, low-exposure work), scaled by `reallocation` (1 = total demand unchanged, 0 =
the lost demand is gone).

How adoption moves (`shock.adoption`):

- `exogenous`: a logistic curve in time (del Rio-Chanona et al. 2021 use a sigmoid reaching
  0.9999 over 30 years), the same whatever labour costs;
- `wage` (the default): employers automate a task when the technology costs less than the
  labour it replaces. The technology's cost falls at `automation_cost_decline` a year (robot
  prices at constant quality); the tasks differ in what automating them costs, lognormally, so
  the share automated is a = Phi((ln(w / w_ref) + g (t - t_mid)) / sigma) (a probit diffusion
  curve, David 1969), where w is the employer's wage for its exposed work (region, occupation
  mix, premium, the going wage) and w_ref the typical one of the highest-wage region at the
  start. The published decline g is the 30-year shock's; a shorter shock is a technology whose
  cost falls faster in proportion. The spread is set so that the reference region's adoption,
  its employers together, is the logistic of the exogenous path (slope k, midpoint t_mid):
  sigma^2 + s^2 = (1.702 g / k)^2, s the spread of its employers' log wages. A place whose wages
  are lower by a factor x adopts ln(x) / g later (the World Development Report 2016: low wages
  moderate automation in developing countries), and a wage that falls in a slack market slows
  adoption. Adoption does not go back.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr

from fowsim.errors import ConfigError

KINDS = ("none", "gradual", "rapid", "uneven", "cycle")
ADOPTION_RULES = ("wage", "exogenous")
PROBIT_LOGIT = 1.702  # Phi(x) ~ logistic(1.702 x) (Camilli 1994)
REFERENCE_DURATION = 360  # months: the shock whose technology's cost falls at automation_cost_decline
MIN_TASK_SPREAD = 0.25  # the tasks' spread of automation costs never below this share of the path's


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
    adoption_rule: str = "wage"  # how adoption moves: with the wage (default) or on the exogenous path

    @property
    def active(self) -> bool:
        """Whether the shock automates anything."""
        return self.kind not in ("none", "cycle") and self.size != 0.0

    def slope(self) -> float:
        """The logistic slope k (per month) of the adoption path: from 1e-4 to 0.9999 across the duration."""
        return 2.0 * np.log(9999.0) / self.duration_months

    def cost_decline(self, per_year: float) -> float:
        """The technology's monthly (log) fall in cost in this shock: `per_year` for a 30-year shock, faster if shorter.

        The published decline is taken for the gradual shock of del Rio-Chanona et al. (2021),
        30 years; a shock of another duration is a technology whose cost falls faster or slower in
        proportion, so a rapid shock also reaches low-wage places sooner.
        """
        return per_year / 12.0 * REFERENCE_DURATION / self.duration_months

    def adoption_by_wage(
        self, t: np.ndarray, log_wage_ratio: np.ndarray, cost_decline: float, spread: float = 0.0
    ) -> np.ndarray:
        """Adoption at months `t` on the path (one per employer) of employers whose exposed work pays `log_wage_ratio`.

        `log_wage_ratio` is ln(w / w_ref); `cost_decline` the yearly (log) fall of the technology's
        cost in a 30-year shock (`cost_decline()`); `spread` the spread (sd of log wages) of
        the employers around w_ref in the reference region. The spread of automation costs across
        tasks is what the path's own spread leaves after it, so that the reference region's
        adoption, all employers together, follows the shock's logistic path (module docstring).
        0 before the shock starts.
        """
        g = self.cost_decline(cost_decline)
        t = np.asarray(t, dtype=float)
        if not self.active or g <= 0.0:
            return np.zeros(np.broadcast(t, log_wage_ratio).shape)
        path = PROBIT_LOGIT * g / self.slope()
        sigma = np.sqrt(max(path**2 - spread**2, (MIN_TASK_SPREAD * path) ** 2))
        x = (log_wage_ratio + g * (t - self.start_month - self.duration_months / 2.0)) / sigma
        return np.where(t >= self.start_month, ndtr(x), 0.0)

    def exogenous_adoption(self, t: np.ndarray) -> np.ndarray:
        """Adoption on the exogenous path at months `t` reached on it (0 before the start, -> 1 at the end).

        A logistic from 1e-4 to 0.9999 across the duration (slope `slope()`), whatever wages.
        """
        t = np.asarray(t, dtype=float)
        if not self.active:
            return np.zeros(t.shape)
        level = 1.0 / (1.0 + np.exp(-self.slope() * (t - self.start_month - self.duration_months / 2.0)))
        return np.where(t >= self.start_month, level, 0.0)

    def adoption(self, t: float, n_regions: int) -> np.ndarray:
        """Adoption level per region at calendar month `t` on the exogenous path, each region at its speed."""
        speed = np.ones(n_regions) if self.region_speed is None else np.asarray(self.region_speed)
        month = np.asarray(t, dtype=float)
        start = self.start_month
        return self.exogenous_adoption(np.where(month > start, start + (month - start) * speed, month))

    def cycle(self, t: float) -> float:
        """Multiplier on all demand from the business cycle at month `t` (1 without a cycle)."""
        if self.cycle_amplitude == 0.0:
            return 1.0
        return 1.0 + self.cycle_amplitude * np.sin(2.0 * np.pi * (t - self.start_month) / self.cycle_period_months)

    def employer_demand(
        self, d0: np.ndarray, exposure: np.ndarray, adoption: np.ndarray, region: np.ndarray, month: float
    ) -> np.ndarray:
        """Employers' target demand (F, O) from their baseline demand `d0` (F, O) at their own adoption levels (F,).

        Each employer loses size * a_f * exposure_o of its demand for exposed work; the region's
        total loss moves (times `reallocation`) to the low-exposure work of all its employers,
        in proportion to d0 * (1 - exposure): an early adopter's lost jobs are found across its
        region, not in its own books alone, and demand is created only by `reallocation` > 1 (never).
        """
        a = np.asarray(adoption, dtype=float)[:, None]
        lost = d0 * self.size * a * exposure[None, :]
        n_regions = int(region.max()) + 1 if region.size else 0
        lost_region = np.bincount(region, weights=lost.sum(axis=1), minlength=n_regions)
        weight = d0 * (1.0 - exposure[None, :])
        weight_region = np.bincount(region, weights=weight.sum(axis=1), minlength=n_regions)
        share = weight / weight_region[region][:, None].clip(1e-12)
        return (d0 - lost + self.reallocation * lost_region[region][:, None] * share) * self.cycle(month)


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
    rule = str(get("adoption", "exogenous" if kind == "uneven" else "wage"))
    if rule not in ADOPTION_RULES:
        raise ConfigError("shock.adoption", rule, f"one of {list(ADOPTION_RULES)}")
    if kind == "uneven" and rule == "wage":
        allowed = ("exogenous with shock.kind=uneven (its region speeds stand in for what the wage rule derives "
                   "from wages: the lag would count twice)")  # fmt: skip
        raise ConfigError("shock.adoption", rule, allowed)
    speeds = None
    if kind == "uneven":
        given = dict(get("region_speed", None) or {})
        unknown = [r for r in given if r not in regions]
        if unknown:
            raise ConfigError(f"shock.region_speed.{unknown[0]}", given[unknown[0]], f"a region among {list(regions)}")
        speeds = tuple(float(given.get(r, adoption_speed[i])) for i, r in enumerate(regions))
        bad = [(r, s) for r, s in zip(regions, speeds) if not (np.isfinite(s) and s > 0)]
        if bad:
            raise ConfigError(f"shock.region_speed.{bad[0][0]}", bad[0][1], "a finite speed > 0")
    return Shock(kind, size, start, duration, realloc, speeds, amplitude, period, rule)
