"""Worker behaviour: one class whose methods take and return arrays over many workers at once.

Subclass `WorkerRules` to change how workers search, train, migrate or accept offers; the model
checks what a method returns (length and dtype) and says what it expected if it is wrong.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from fowsim.errors import ExtensionError
from fowsim.population import match_weights
from fowsim.workforce import EMPLOYED, UNEMPLOYED

if TYPE_CHECKING:
    from fowsim.model import LabourMarketModel


def checked(name: str, value: object, n: int, kind: str) -> np.ndarray:
    """Return `value` as an array of length `n` of dtype kind `kind` ('b', 'i', 'f'), or raise."""
    arr = np.asarray(value)
    ok_kind = (
        arr.dtype.kind == kind or (kind == "f" and arr.dtype.kind in "iu") or (kind == "i" and arr.dtype.kind == "u")
    )
    if arr.shape != (n,) or not ok_kind:
        want = {"b": "bool", "i": "integer", "f": "float"}[kind]
        raise ExtensionError(f"{name} returned shape {arr.shape} dtype {arr.dtype}; expected shape ({n},) of {want}")
    return arr


class WorkerRules:
    """Default worker behaviour. Every method works on index arrays `idx` into the workforce."""

    def search_weights(self, model: LabourMarketModel) -> np.ndarray:
        """Weights (R, O_from, C, O_to) of an application from O_from with credential C to O_to.

        Applications stay in the worker's own region. As in del Rio-Chanona et al. (2021) they are
        proportional to the mobility network times the target's vacancies; here also scaled down
        by `underqualified_search_weight` where the credential is below the occupation's minimum
        (employers take such applicants only when short of others).
        """
        w = model.world
        vac = model.V_region  # (R, O)
        feasible = np.where(
            np.arange(4)[:, None] >= w.min_credential[None, :], 1.0, model.params["underqualified_search_weight"]
        )  # (C, O)
        return w.network[None, :, None, :] * vac[:, None, None, :] * feasible[None, None, :, :]

    def entry_weights(self, model: LabourMarketModel) -> np.ndarray:
        """Weights (R, C, O) with which a young entrant of credential C in region R picks a first occupation.

        The credential's fit (`match_weights`: own level or below 1, each level of over-qualification
        `overqualification_weight`, 0 below the minimum) times the occupation's demand times the
        entrant's prospects there: its tightness, open vacancies per job seeker, with
        `entrant_prospect_floor` of demand added to both (so that an occupation with neither
        counts as 1). Entrants thus avoid occupations crowded with unemployed and go where jobs
        stay unfilled, which keeps supply in line with demand.
        """
        w, p = model.world, model.params
        fit = match_weights(w.min_credential, w.skill_level, p["overqualification_weight"])  # (C, O)
        floor = p["entrant_prospect_floor"] * model.D_region
        prospects = (model.V_region + floor) / (model.U_region + floor).clip(1e-12)
        return fit[None, :, :] * (model.D_region * prospects)[:, None, :]

    def applications(self, model: LabourMarketModel, idx: np.ndarray) -> np.ndarray:
        """Applications each unemployed worker `idx` sends this month.

        `applications` at first, falling with the length of unemployment as exp(-months / persistence)
        (discouragement, `search_persistence` months); a fractional expected number is rounded up or
        down at random.
        """
        ws = model.ws
        months = (model.t - ws.since[idx]).astype(np.float64)
        expected = model.params["applications"] * np.exp(-months / model.params["search_persistence"])
        return np.floor(expected + model.streams["matching"].random(idx.size)).astype(np.int64)

    def accept(self, model: LabourMarketModel, idx: np.ndarray, wage: np.ndarray) -> np.ndarray:
        """Whether workers `idx` take their best offer `wage`.

        The unemployed take it above a reservation wage that falls with the length of
        unemployment; the employed (on-the-job search) if it pays more than their job.
        """
        p, ws = model.params, model.ws
        base = model.region_wage[ws.region[idx]] * p["reservation_wage"]
        months = (model.t - ws.since[idx]).astype(float)
        return np.where(ws.status[idx] == EMPLOYED, wage > ws.wage[idx], wage >= base * np.exp(-months / 12.0))

    def seeks_training(self, model: LabourMarketModel, idx: np.ndarray) -> np.ndarray:
        """Whether unemployed workers `idx` (drawn at the monthly seek rate) want to train.

        Those out of work for at least `training_min_unemployed` months do.
        """
        months = model.t - model.ws.since[idx]
        return (model.ws.status[idx] == UNEMPLOYED) & (months >= model.params["training_min_unemployed"])

    def training_target(self, model: LabourMarketModel, idx: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """Occupation each worker `idx` trains for, among `targets` of the chosen programme.

        Weighted by the region's open vacancies and the occupation's relative wage.
        """
        region = model.ws.region[idx]
        weight = (model.V_region[:, targets] + 0.01 * model.D_region[:, targets]) * model.world.relative_wage[targets]
        cum = np.cumsum(weight, axis=1)[region]
        u = model.streams["training"].random(idx.size) * cum[:, -1]
        return targets[np.minimum((cum < u[:, None]).sum(axis=1), targets.size - 1)]

    def migration_choice(self, model: LabourMarketModel, idx: np.ndarray, corridor: np.ndarray) -> np.ndarray:
        """Whether each worker `idx`, considering a move along `corridor`, decides to go.

        A logit in the expected income gain: log of (destination wage x employment chance) over
        (home wage x employment chance), less the move's cost spread over `migration_horizon`
        months of home income; helped by the diaspora already in the destination.
        """
        p, w = model.params, model.world
        ws = model.ws
        home, dest = ws.region[idx], w.corridors.destination[corridor]
        rel = w.relative_wage[ws.occ[idx]]
        emp_rate = 1.0 - model.unemployment_rate_now
        employed = ws.status[idx] == EMPLOYED
        home_income = model.region_wage[home] * rel * np.where(employed, 1.0, emp_rate[home])
        away_income = model.region_wage[dest] * rel * emp_rate[dest] * (1.0 - p["migrant_wage_penalty"])
        cost = w.corridors.migration_cost[corridor] * p.get("migration_cost_scale", 1.0)
        cost = cost / (p["migration_horizon"] * model.region_wage[home] * rel)
        gain = np.log(away_income / home_income.clip(1e-9)) - cost
        diaspora = model.diaspora_share[corridor]
        z = p["migration_gain_sensitivity"] * (gain - p["migration_threshold"]) + p["diaspora_effect"] * np.log1p(
            100.0 * diaspora
        )
        prob = 1.0 / (1.0 + np.exp(-z))
        return model.streams["migration"].random(idx.size) < prob
