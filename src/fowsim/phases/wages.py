"""Phase 0, `wages`: the going wage of each occupation and region from the wage bargain; incumbents' renegotiations.

The wage of a new hire in region r and occupation o is the Nash bargain of the search and
matching model (Pissarides 2000; the calibration of Shimer 2005, AER 95(1)): with productivity
p, the worker's outside option z, the worker's bargaining power beta and the cost of an open
vacancy c, w = (1 - beta) z + beta (p + c theta), where theta is the tightness of the market
the job is in. Here theta is the tightness of the occupation in its region as its searchers
see it along the mobility network (`tightness`), relative to a reference theta_0: the world's
calibrated baseline with fixed wages over its second year, stored in calibration.yaml
(`reference_log_tightness`; a run on another network takes its own first year). Over the first
year (`REFERENCE_MONTHS`) wages hold the world's data. With p = 1 and a mean tightness of 1 as
in Shimer's calibration, the wage's elasticity with respect to tightness at the reference is
e = beta c / ((1 - beta) z + beta (1 + c)) = 0.156, and the going wage relative to the start
is the bargain log-linearised there: index = (theta / theta_0) ** e. A worker's wage is the going
wage of their job times their employer's premium and their skill (`Market.wage_of`); it is set
at the hire and again on each anniversary of it (`wage_contract_months`: wages change about
once a year). Nothing in this rule refers to the regional unemployment rate: the wage curve
(the elasticity of pay with respect to regional unemployment, Blanchflower & Oswald) is an
outcome, checked by `fowsim validate --only wage_curve`.

Remove the phase (`phases.remove=[wages]`) for fixed wages: the going wage then stays at its
start and nobody's wage is renegotiated.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from fowsim.phases.base import Phase
from fowsim.sim import Simulation
from fowsim.world import World

# the first year of a run (2019, the year of the world's data and of the calibration): wages hold
# their data values (the reference theta_0: `reference_log_tightness`)
REFERENCE_MONTHS = 12
# a pool of searchers and of vacancies of this share of an occupation's employment is added to
# both (ASSUMPTION, with tightness_smoothing_months): an occupation with neither has tightness 1
TIGHTNESS_FLOOR = 0.005


def tightness(unemployed: np.ndarray, vacancies: np.ndarray, employment: np.ndarray, network: np.ndarray) -> np.ndarray:
    """Vacancies per searcher in each (region, occupation) as the searchers spread over the network (R, O).

    A searcher of occupation o' sends applications to occupation o in proportion to the
    mobility network A[o', o] times o's vacancies (as in `WorkerRules.search_weights`), so the
    applications per vacancy of o are sum_o' u[o'] A[o', o] / (A v)[o'], and theta is their
    inverse. `unemployed` (by last occupation), `vacancies` and `employment` are (R, O).
    """
    floor = TIGHTNESS_FLOOR * employment
    u, v = unemployed + floor, vacancies + floor
    reach = v @ network.T  # (R, O'): sum over o of A[o', o] v[o]
    per_vacancy = (u / np.maximum(reach, 1e-12)) @ network  # (R, O)
    return 1.0 / np.maximum(per_vacancy, 1e-12)


def tightness_elasticity(params: Mapping[str, float]) -> float:
    """The Nash wage's elasticity with respect to tightness at the reference: beta c / ((1 - beta) z + beta (1 + c))."""
    beta, z, c = params["wage_bargaining_power"], params["wage_outside_option"], params["vacancy_cost"]
    return beta * c / ((1.0 - beta) * z + beta * (1.0 + c))


def bargained_index(ratio: np.ndarray, params: Mapping[str, float]) -> np.ndarray:
    """The going wage relative to the start for tightness `ratio` = theta / theta_0 (module docstring).

    Log-linear around the reference: index = ratio ** elasticity, so that noise in a small
    simulated cell's tightness does not raise its mean wage (the Nash wage is linear in theta,
    and a mean of noisy ratios is above 1).
    """
    return np.power(ratio, tightness_elasticity(params))


def reference_log_tightness(world: World, state: Mapping[str, np.ndarray]) -> np.ndarray:
    """The reference log tightness (R, O): the world's calibrated baseline's first year, else this run's own.

    The calibration measures it (`fowsim.calibration.tightness_reference`, calibration.yaml), so
    that every run of a world shares it: a policy or a shock acting in the first year does not
    move it. A world without it, or a run on another network, takes its own first year.
    """
    if world.tightness_reference is not None:
        return world.tightness_reference
    return state["log_sum"] / REFERENCE_MONTHS


class Wages(Phase):
    """The going wage of each (region, occupation) from the wage bargain; incumbents' wages renegotiated yearly.

    The tightness the bargain sees is smoothed over `tightness_smoothing_months` (the vacancies
    and the unemployed by occupation, from last month's census). The state lives in the market
    (`Market.wage_index`, `Market.tightness_state`).
    """

    name = "wages"
    stream = None

    def __call__(self, model: Simulation, rng: np.random.Generator | None) -> None:
        mk, p, t = model.market, model.params, model.t
        net = model.world.network
        state = mk.tightness_state
        if state is None:
            state = mk.tightness_state = {"U": mk.U_region.copy(), "V": mk.V_region.copy(),
                                          "log_sum": np.zeros_like(mk.U_region)}  # fmt: skip
        else:
            k = 1.0 / p["tightness_smoothing_months"]
            state["U"] += k * (mk.U_region - state["U"])
            state["V"] += k * (mk.V_region - state["V"])
        theta = tightness(state["U"], state["V"], mk.E_region, net)
        if t < REFERENCE_MONTHS:  # the reference year: wages as in the data
            state["log_sum"] += np.log(theta)
        else:
            if "theta0" not in state:
                state["theta0"] = np.exp(reference_log_tightness(model.world, state))
            mk.set_wage_index(bargained_index(theta / state["theta0"], p))
        mk.renegotiate(int(p["wage_contract_months"]))
