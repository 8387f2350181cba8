"""Mean-field equations of the occupational mobility network model.

Independent reference for the validation suite: pure numpy, nothing is imported from ``fowsim``.
It integrates the deterministic (expected-value) equations of

    R. M. del Rio-Chanona, P. Mealy, M. Beguerisse-Díaz, F. Lafond and J. D. Farmer (2021),
    "Occupational mobility and automation: a data-driven network model",
    J. R. Soc. Interface 18: 20200898, doi:10.1098/rsif.2020.0898,

in either within-step order: the paper's, or the one of fowsim's default schedule (below).

Published equations
-------------------
For occupations i, j, network weights A_ij >= 0, employment e, unemployment u, vacancies v and
target demand d† (the paper's names; the step runs from t to t+1)::

    realised demand     d_i(t)    = e_i(t) + v_i(t)
    separations         ω_i(t)    = δ_u e_i(t) + (1 − δ_u) γ_u max{0, d_i(t) − d†_i(t)}
    openings            ν_i(t)    = δ_v e_i(t) + (1 − δ_v) γ_v max{0, d†_i(t) − d_i(t)}
    application shares  q_ij(t)   = A_ij v_j(t) / Σ_k A_ik v_k(t)
    applications        s_ij(t+1) = u_i(t) q_ij(t),      s_j = Σ_i s_ij
    expected flow       f_ij(t+1) = s_ij(t+1) · (v_j(t) / s_j(t+1)) · (1 − exp(−s_j(t+1) / v_j(t)))
    stocks              e_i(t+1)  = e_i(t) − ω_i(t) + Σ_j f_ji(t+1)
                        u_i(t+1)  = u_i(t) + ω_i(t) − Σ_j f_ij(t+1)
                        v_i(t+1)  = v_i(t) + ν_i(t) − Σ_j f_ji(t+1)

Each unemployed worker sends one application. In the published flow the applications are the
balls and the vacancies the urns: an application lands on a vacancy of j at random, and each
vacancy with at least one application hires one applicant, so the expected hires in j are
v_j (1 − exp(−s_j / v_j)) (vacancies that receive at least one application). Long-term
unemployment is obtained from cohorts by unemployment spell: every cohort of i loses the same
fraction Σ_j f_ij / u_i of its members per step.

Timing convention implemented here (one step = one month, t → t+1)
------------------------------------------------------------------
a. The target demand d†(t+1) of the step is given (row t of ``target_demand``).
b. Separations and openings use e, v at the start of the step, with the model's clipping::

       ω = δ_u e + (1 − δ_u) min(e,        γ_u max(0, e + v − d†))
       ν = δ_v e + (1 − δ_v) min(max(e, 1), γ_v max(0, d† − e − v))

c. e ← e − ω;  u ← u + ω;  v ← v + ν. Separated workers join the pool and search in the same step.
d. Matching on the updated u and v: q_ij = A_ij v_j / Σ_k A_ik v_k (a row with no reachable
   vacancy sends no application), s_ij = u_i q_ij, s_j = Σ_i s_ij. Each vacancy of j draws one of
   the s_j applications uniformly with replacement; an application drawn at least once is a hire::

       h_j  = s_j (1 − (1 − 1/s_j)^{v_j})     (→ s_j (1 − exp(−v_j / s_j)) for large s_j)
       f_ij = (s_ij / s_j) h_j

e. e_j += Σ_i f_ij;  u_i −= Σ_j f_ij;  v_j −= h_j.
f. Unemployment duration: a worker separated in step t has duration 0 at the end of step t, and
   durations grow by 1 per step. Cohorts u_i^τ, τ = 0..L with L = ``ltu_months`` and the last bin
   absorbing (duration >= L), all face the hazard H_i = Σ_j f_ij / u_i of the step, with u_i the
   pool after (c); the step's separations enter at τ = 0 and face that same hazard::

       u^0 ← ω (1 − H),   u^τ ← u^{τ−1} (1 − H) for 0 < τ < L,   u^L ← (u^{L−1} + u^L)(1 − H)

   Long-term unemployment is u^L: duration >= L at the end of the step.

Differences from the published form, and how they are handled
--------------------------------------------------------------
1. Order within the step. The paper matches on u(t), v(t) at the start of the step and adds the
   step's separations and openings afterwards, so a worker separated in t searches from t+1.
   ``order="same_month"`` (the default, and fowsim's default schedule) puts (c) before (d): the
   step's separations search, and its openings can be filled, in the same step.
   ``order="paper"`` is the published recursion: (d) on u(t), v(t), then
   e ← e − ω + Σ_i f_ij, u ← u + ω − Σ_j f_ij, v ← v + ν − h, with ω, ν from the state at the
   start of the step as in (b); the step's separations enter the cohorts at duration 0 without
   facing the step's hazard (so a spell of "4 steps" in the paper's count, 27 weeks at 6.75
   weeks a step, is duration 3 here). fowsim's `phases.timing=paper` runs the agent model in
   this order.
2. Urn-ball form. Here the vacancies are the balls and the applications the urns, so the expected
   hires are s_j (1 − (1 − 1/s_j)^{v_j}) ≈ s_j (1 − exp(−v_j / s_j)) instead of the published
   v_j (1 − exp(−s_j / v_j)): the roles of s_j and v_j are swapped. The two coincide when
   s_j = v_j and in the limits s_j/v_j → 0 or ∞ (both → min(s_j, v_j)), not in general; the
   finite form is the exact conditional expectation for integer s_j, v_j, not a large-number
   approximation of the published form. ``matching="published"`` selects the published function
   (with the timing above unchanged) for comparison.
3. Clipping. The equations above have no clip; the authors' numerical code clips both
   state-dependent terms at e. The model clips the state-dependent separations at e (so ω <= e)
   and the state-dependent openings at max(e, 1) (an empty occupation can still open
   vacancies); those clips are kept here.
4. Spell counting. In the authors' numerical code for these equations a new separation starts
   at a spell of one step and is not exposed to the hazard of the step it separated in, which is
   consistent with (1). Here a new separation starts at duration 0 and faces the hazard of its
   separation step (f); ``ltu_months`` is the threshold on that duration, in steps.

The finite form is extended to the real-valued stocks of the mean field continuously: for
s_j > 1 it is used as written, for s_j <= 1 it is min(s_j, v_j), and the result is capped at v_j
(the cap only binds when v_j < 1). At every integer pair (s_j, v_j) this equals the exact
expectation. The mean field evaluates the matching function at expected stocks,
E[h(s, v)] ≈ h(E[s], E[v]), so agent-based runs agree up to terms of relative order 1/size.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

__all__ = ["MeanFieldPaths", "expected_hires", "solve"]

Matching = Literal["finite", "published"]
_MATCHINGS = ("finite", "published")
Order = Literal["same_month", "paper"]
_ORDERS = ("same_month", "paper")


@dataclass(frozen=True, eq=False)
class MeanFieldPaths:
    """Paths of the mean-field solution (arrays are read-only).

    Attributes:
        employment: Employment e, shape (T+1, O); index 0 is the initial state.
        unemployment: Unemployment u, shape (T+1, O).
        vacancies: Vacancies v, shape (T+1, O).
        long_term_unemployment: Unemployed with duration >= ``ltu_months`` at the end of each
            step, shape (T+1, O).
        separations: Separations ω of step t → t+1 by occupation of origin, shape (T, O).
        openings: Openings ν of step t → t+1, shape (T, O).
        hires: Expected hires h_j = Σ_i f_ij into each occupation in step t → t+1, shape (T, O).
        unemployment_exits: Expected exits Σ_j f_ij from the unemployment of each occupation in
            step t → t+1, shape (T, O).
    """

    employment: np.ndarray
    unemployment: np.ndarray
    vacancies: np.ndarray
    long_term_unemployment: np.ndarray
    separations: np.ndarray
    openings: np.ndarray
    hires: np.ndarray
    unemployment_exits: np.ndarray

    def rates(self) -> dict[str, np.ndarray]:
        """Aggregate rates over occupations, each of shape (T+1,).

        Returns:
            ``unemployment_rate`` = u / (e + u), ``vacancy_rate`` = v / (e + v),
            ``long_term_unemployment_rate`` = ltu / (e + u) and ``employment_rate`` = e / (e + u),
            with every stock summed over occupations (NaN where a denominator is 0).
        """
        e = self.employment.sum(axis=1)
        u = self.unemployment.sum(axis=1)
        v = self.vacancies.sum(axis=1)
        ltu = self.long_term_unemployment.sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            return {
                "unemployment_rate": u / (e + u),
                "vacancy_rate": v / (e + v),
                "long_term_unemployment_rate": ltu / (e + u),
                "employment_rate": e / (e + u),
            }


def expected_hires(applications: Any, vacancies: Any, matching: Matching = "finite") -> np.ndarray:
    """Expected hires of an occupation with s applications and v vacancies (elementwise).

    Args:
        applications: Applications received, s >= 0 (array-like).
        vacancies: Open vacancies, v >= 0 (array-like, broadcastable with ``applications``).
        matching: ``"finite"``: each vacancy draws one application uniformly with replacement and
            an application drawn at least once is a hire, h = s (1 − (1 − 1/s)^v), extended to
            real stocks as min(s, v) for s <= 1 and capped at v. ``"published"``: each
            application lands on a vacancy at random and each vacancy with an application hires,
            h = v (1 − exp(−s / v)), 0 when v = 0.

    Returns:
        Expected hires, 0 <= h <= min(s, v).

    Raises:
        ValueError: If ``matching`` is not one of the two names.
    """
    s = np.asarray(applications, dtype=float)
    v = np.asarray(vacancies, dtype=float)
    if matching == "finite":
        above_one = s > 1.0
        s_safe = np.where(above_one, s, 2.0)
        drawn = s_safe * -np.expm1(v * np.log1p(-1.0 / s_safe))
        return np.minimum(np.where(above_one, drawn, np.minimum(s, v)), v)
    if matching == "published":
        open_ = v > 0.0
        v_safe = np.where(open_, v, 1.0)
        return np.where(open_, v_safe * -np.expm1(-s / v_safe), 0.0)
    raise ValueError(f"matching must be one of {_MATCHINGS}, got {matching!r}")


def solve(
    network: Any,
    e0: Any,
    u0: Any,
    v0: Any,
    target_demand: Any,
    delta_u: float,
    delta_v: float,
    gamma_u: float,
    gamma_v: float,
    u0_by_duration: Any = None,
    ltu_months: int = 12,
    *,
    matching: Matching = "finite",
    order: Order = "same_month",
) -> MeanFieldPaths:
    """Integrate the mean-field equations for T steps (timing convention of the module docstring).

    Args:
        network: A, shape (O, O), A_ij >= 0 the weight of applications from occupation i to j
            (self-loops allowed). Rows are normalised through q_ij, so only ratios within a row
            matter.
        e0: Initial employment, shape (O,).
        u0: Initial unemployment, shape (O,).
        v0: Initial vacancies, shape (O,).
        target_demand: d†, shape (T, O); row t is the target of step t → t+1.
        delta_u: Spontaneous separation rate δ_u, in [0, 1].
        delta_v: Spontaneous opening rate δ_v, in [0, 1].
        gamma_u: Speed γ_u of state-dependent separations, in [0, 1].
        gamma_v: Speed γ_v of state-dependent openings, in [0, 1].
        u0_by_duration: Initial unemployed by duration, shape (ltu_months + 1, O); row τ holds
            duration τ, the last row duration >= ltu_months. Columns must sum to ``u0``.
            Default: all initial unemployed at duration 0.
        ltu_months: Duration (in steps) from which an unemployed worker is long-term
            unemployed, >= 1.
        matching: Matching function, ``"finite"`` (the model's, default) or ``"published"``;
            see :func:`expected_hires`.
        order: ``"same_month"`` (default): the step's separations search and its openings can be
            filled in the same step, (b) → (c) → (d); ``"paper"``: the published recursion, matching
            on u(t), v(t) and the step's separations and openings added after it (see below).

    Returns:
        The paths; stocks have shape (T+1, O), per-step flows (T, O).

    Raises:
        ValueError: On a wrong shape, a negative or non-finite entry, a parameter out of range,
            or ``u0_by_duration`` not summing to ``u0``; the message names the argument.
    """
    A = _nonnegative_array("network", network, ndim=2)
    if A.shape[0] != A.shape[1] or A.shape[0] == 0:
        raise ValueError(f"network must be a non-empty square (O, O) matrix, got shape {A.shape}")
    n_occ = A.shape[0]
    e = _nonnegative_array("e0", e0, ndim=1, length=n_occ)
    u = _nonnegative_array("u0", u0, ndim=1, length=n_occ)
    v = _nonnegative_array("v0", v0, ndim=1, length=n_occ)
    target = _nonnegative_array("target_demand", target_demand, ndim=2)
    if target.shape[1] != n_occ:
        raise ValueError(f"target_demand must have shape (T, {n_occ}), got {target.shape}")
    d_u = _unit_interval("delta_u", delta_u)
    d_v = _unit_interval("delta_v", delta_v)
    g_u = _unit_interval("gamma_u", gamma_u)
    g_v = _unit_interval("gamma_v", gamma_v)
    if isinstance(ltu_months, bool) or not isinstance(ltu_months, numbers.Integral) or ltu_months < 1:
        raise ValueError(f"ltu_months must be an integer >= 1, got {ltu_months!r}")
    last = int(ltu_months)
    if matching not in _MATCHINGS:
        raise ValueError(f"matching must be one of {_MATCHINGS}, got {matching!r}")
    if order not in _ORDERS:
        raise ValueError(f"order must be one of {_ORDERS}, got {order!r}")
    if u0_by_duration is None:
        cohorts = np.zeros((last + 1, n_occ))
        cohorts[0] = u
    else:
        cohorts = _nonnegative_array("u0_by_duration", u0_by_duration, ndim=2)
        if cohorts.shape != (last + 1, n_occ):
            raise ValueError(
                f"u0_by_duration must have shape (ltu_months + 1, O) = {(last + 1, n_occ)}, got {cohorts.shape}"
            )
        if not np.allclose(cohorts.sum(axis=0), u, rtol=1e-9, atol=1e-9):
            raise ValueError("u0_by_duration must sum over durations to u0 in every occupation")

    n_steps = target.shape[0]
    stocks = {name: np.empty((n_steps + 1, n_occ)) for name in ("e", "u", "v", "ltu")}
    flows = {name: np.empty((n_steps, n_occ)) for name in ("omega", "nu", "hires", "exits")}
    stocks["e"][0], stocks["u"][0], stocks["v"][0], stocks["ltu"][0] = e, u, v, cohorts[last]

    for t in range(n_steps):
        # (b) separations and openings from the state at the start of the step
        gap = e + v - target[t]
        excess = np.minimum(e, g_u * np.maximum(gap, 0.0))
        shortfall = np.minimum(np.maximum(e, 1.0), g_v * np.maximum(-gap, 0.0))
        e_kept = (1.0 - d_u) * (e - excess)  # = e − ω, exactly non-negative
        omega = e - e_kept
        nu = d_v * e + (1.0 - d_v) * shortfall
        if order == "same_month":
            # (c) separated workers join the pool and openings are posted before matching
            u_pool, v_pool = u + omega, v + nu
        else:
            # the paper's order: matching on the stocks at the start of the step
            u_pool, v_pool = u, v
        # (d) applications and urn-ball matching
        weights = A * v_pool[None, :]
        reach = weights.sum(axis=1, keepdims=True)
        q = np.divide(weights, reach, out=np.zeros_like(weights), where=reach > 0.0)
        s_ij = u_pool[:, None] * q
        s_j = s_ij.sum(axis=0)
        hires = expected_hires(s_j, v_pool, matching)
        success = np.divide(hires, s_j, out=np.zeros(n_occ), where=s_j > 0.0)
        exits = (s_ij * success[None, :]).sum(axis=1)
        hazard = np.clip(np.divide(exits, u_pool, out=np.zeros(n_occ), where=u_pool > 0.0), 0.0, 1.0)
        stay = 1.0 - hazard
        # (e) stocks
        e = e_kept + hires
        if order == "same_month":
            u = u_pool * stay
            v = np.maximum(v_pool - hires, 0.0)
        else:
            u = u * stay + omega
            v = np.maximum(v - hires, 0.0) + nu
        # (f) cohorts by duration: everyone in the pool faces the same hazard; in the paper's
        # order the step's separations join after matching and face no hazard this step
        aged = np.empty_like(cohorts)
        aged[0] = omega * stay if order == "same_month" else omega
        aged[1:last] = cohorts[: last - 1] * stay
        aged[last] = (cohorts[last - 1] + cohorts[last]) * stay
        cohorts = aged

        stocks["e"][t + 1], stocks["u"][t + 1], stocks["v"][t + 1] = e, u, v
        stocks["ltu"][t + 1] = cohorts[last]
        flows["omega"][t], flows["nu"][t], flows["hires"][t] = omega, nu, hires
        flows["exits"][t] = u_pool * hazard

    for array in (*stocks.values(), *flows.values()):
        array.flags.writeable = False
    return MeanFieldPaths(
        employment=stocks["e"],
        unemployment=stocks["u"],
        vacancies=stocks["v"],
        long_term_unemployment=stocks["ltu"],
        separations=flows["omega"],
        openings=flows["nu"],
        hires=flows["hires"],
        unemployment_exits=flows["exits"],
    )


def _nonnegative_array(name: str, value: Any, *, ndim: int, length: int | None = None) -> np.ndarray:
    """Copy of ``value`` as a float array, checked for dimension, length, finiteness and sign."""
    try:
        array = np.array(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a numeric array") from exc
    if array.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional, got shape {array.shape}")
    if length is not None and array.shape != (length,):
        raise ValueError(f"{name} must have shape ({length},), got {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    if np.any(array < 0.0):
        raise ValueError(f"{name} must be non-negative")
    return array


def _unit_interval(name: str, value: Any) -> float:
    """``value`` as a float in [0, 1]."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a real number in [0, 1], got {value!r}")
    x = float(value)
    if not 0.0 <= x <= 1.0:  # also rejects NaN
        raise ValueError(f"{name} must be in [0, 1], got {value!r}")
    return x
