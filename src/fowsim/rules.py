"""Worker behaviour: one class whose methods take and return arrays over many workers at once.

Subclass `WorkerRules` to change how workers search, train, migrate or accept offers. Every
decision method receives `rng`, the random generator of whoever asks (a phase's stream, or a
policy's own): draw from it and from nothing else, so that a run stays reproducible from its seed
and a policy's questions never shift the baseline's random numbers. The model checks what a
method returns (length and dtype) and says what it expected if it is wrong (`Decisions`).
"""

from __future__ import annotations

import numpy as np

from fowsim.codes import EMPLOYED, INFORMAL, N_CREDENTIALS, TEMPORARY, UNEMPLOYED
from fowsim.extension import checked, checked_shape
from fowsim.population import match_weights
from fowsim.sampling import categorical
from fowsim.state import State


class WorkerRules:
    """Default worker behaviour. Every method works on index arrays `idx` into the workforce `model.ws`."""

    def search_weights(self, model: State) -> np.ndarray:
        """Weights (R, O_from, C, O_to) of an application from O_from with credential C to O_to.

        Applications stay in the worker's own region. As in del Rio-Chanona et al. (2021) they are
        proportional to the mobility network times the target's vacancies; here also scaled down
        by `underqualified_search_weight` where the credential is below the occupation's minimum
        (employers take such applicants only when short of others).
        """
        w = model.world
        vac = model.market.V_region  # (R, O)
        feasible = np.where(
            np.arange(N_CREDENTIALS)[:, None] >= w.min_credential[None, :],
            1.0,
            model.params["underqualified_search_weight"],
        )  # (C, O)
        return w.network[None, :, None, :] * vac[:, None, None, :] * feasible[None, None, :, :]

    def entry_weights(self, model: State) -> np.ndarray:
        """Weights (R, C, O) with which a young entrant of credential C in region R picks a first occupation.

        The credential's fit (`match_weights`: own level or below 1, each level of over-qualification
        `overqualification_weight`, 0 below the minimum) times the occupation's demand times the
        entrant's prospects there: its tightness, open vacancies per job seeker, with
        `entrant_prospect_floor` of demand added to both (so that an occupation with neither
        counts as 1). Entrants thus avoid occupations crowded with unemployed and go where jobs
        stay unfilled, which keeps supply in line with demand.
        """
        w, p, mk = model.world, model.params, model.market
        fit = match_weights(w.min_credential, w.skill_level, p["overqualification_weight"])  # (C, O)
        floor = p["entrant_prospect_floor"] * mk.D_region
        prospects = (mk.V_region + floor) / (mk.U_region + floor).clip(1e-12)
        return fit[None, :, :] * (mk.D_region * prospects)[:, None, :]

    def applications(self, model: State, idx: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Applications each unemployed worker `idx` sends this month.

        `applications` at first, falling with the time out of work as exp(-months / persistence)
        (discouragement, `search_persistence` months); a fractional expected number is rounded up or
        down at random. Time out of work runs from the last job and through any training
        (`Workforce.jobless_since`): a programme does not make its graduates newly unemployed.
        """
        months = (model.t - model.ws.jobless_since[idx]).astype(np.float64)
        expected = model.params["applications"] * np.exp(-months / model.params["search_persistence"])
        return np.floor(expected + rng.random(idx.size)).astype(np.int64)

    def accept(self, model: State, idx: np.ndarray, wage: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Whether workers `idx` take their best offer `wage`.

        The unemployed take it above a reservation wage (a share of the region's going wage) that
        falls with the time out of work; the employed (on-the-job search) if it pays more
        than their job; informal workers if it pays more than their informal work (`Market.informal_pay`).
        """
        p, ws, mk = model.params, model.ws, model.market
        region = ws.region[idx]
        status = ws.status[idx]
        base = mk.region_wage[region] * mk.pay_level()[region] * p["reservation_wage"]
        months = (model.t - ws.jobless_since[idx]).astype(float)  # time out of work, training included
        out = np.where(status == EMPLOYED, wage > ws.wage[idx], wage >= base * np.exp(-months / 12.0))
        informal = status == INFORMAL
        if informal.any():
            out[informal] = wage[informal] > mk.informal_pay(region[informal], ws.occ[idx[informal]])
        return out

    def takes_informal_work(self, model: State, idx: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Whether unemployed workers `idx`, who found no formal job this month, take up informal work.

        Where the region has informal work, with the region's monthly chance (`informal_entry_rate`,
        fitted to its informal share) times `informal_queue_factor` for each credential level above
        primary: the educated queue for formal jobs (Harris & Todaro 1970). Temporary migrants,
        whose visa is tied to a job, do not.
        """
        ws, mk = model.ws, model.market
        region = ws.region[idx]
        rate = mk.informal_entry_rate[region] * model.params["informal_queue_factor"] ** ws.cred[idx]
        rate = np.where(ws.mig[idx] == TEMPORARY, 0.0, rate)
        return rng.random(idx.size) < rate

    def return_hazard(self, model: State, idx: np.ndarray) -> np.ndarray:
        """Monthly probability that settled migrants `idx` (permanent migrants, refugees) go home.

        `permanent_return_rate`, times `return_unemployed_factor` for those out of work abroad
        (unemployment abroad hastens return: Bijwaard, Schluter & Wahba 2014), times
        exp(-`return_gain_sensitivity` x the change since the start in the gap between abroad and
        home: the log of the going wage of the migrant's occupation abroad over at home, and of the
        employment rates there, each against its start (a better exchange rate abroad slows return:
        Yang 2006). Conditions that improve at home, or worsen abroad, bring migrants home.
        """
        p, ws, mk, w = model.params, model.ws, model.market, model.world
        abroad, home, occ = ws.region[idx].astype(np.int64), ws.origin[idx].astype(np.int64), ws.occ[idx]
        employment = np.log(np.clip(1.0 - mk.unemployment_rate_now, 1e-6, None))
        employment0 = np.log(np.clip(1.0 - mk.unemployment_rate0, 1e-6, None))
        conditions = np.log(mk.wage_index) + (employment - employment0)[:, None]  # (R, O) against the start
        simulated = home < w.n_regions
        change = conditions[abroad, occ] - np.where(simulated, conditions[np.minimum(home, w.n_regions - 1), occ], 0.0)
        hazard = p["permanent_return_rate"] * np.exp(-p["return_gain_sensitivity"] * change)
        return hazard * np.where(ws.status[idx] == UNEMPLOYED, p["return_unemployed_factor"], 1.0)

    def seeks_training(self, model: State, idx: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Whether unemployed workers `idx` (drawn at the monthly seek rate) want to train.

        Those out of work for at least `training_min_unemployed` months do.
        """
        months = model.t - model.ws.since[idx]
        return (model.ws.status[idx] == UNEMPLOYED) & (months >= model.params["training_min_unemployed"])

    def training_target(
        self, model: State, idx: np.ndarray, targets: np.ndarray, rng: np.random.Generator
    ) -> np.ndarray:
        """Occupation each worker `idx` trains for, among `targets` of the chosen programme.

        Weighted by the region's open vacancies and the occupation's going wage there.
        """
        mk = model.market
        region = model.ws.region[idx]
        pay = model.world.relative_wage[targets][None, :] * mk.wage_index[:, targets]
        weight = (mk.V_region[:, targets] + 0.01 * mk.D_region[:, targets]) * pay
        cum = np.cumsum(weight, axis=1)[region]
        return targets[categorical(cum, rng.random(idx.size))]

    def migration_choice(
        self, model: State, idx: np.ndarray, corridor: np.ndarray, rng: np.random.Generator
    ) -> np.ndarray:
        """Whether each worker `idx`, considering a move along `corridor`, decides to go.

        A logit in the expected income gain: log of (destination wage x employment chance) over
        (home wage x employment chance), less the move's cost spread over `migration_horizon`
        months of home income; helped by the diaspora already in the destination. The wages are
        the going wages of the worker's occupation in each region (`Market.going_wage`), so a
        tight labour market abroad draws more migrants, a slack one fewer.
        """
        p, w, mk = model.params, model.world, model.market
        ws = model.ws
        home, dest = ws.region[idx], w.corridors.destination[corridor]
        occ = ws.occ[idx]
        emp_rate = 1.0 - mk.unemployment_rate_now
        status = ws.status[idx]
        home_wage = mk.going_wage(home, occ)
        home_income = home_wage * np.where(status == EMPLOYED, 1.0, emp_rate[home])
        home_income = np.where(status == INFORMAL, mk.informal_pay(home, occ), home_income)
        away_income = mk.going_wage(dest, occ) * emp_rate[dest] * (1.0 - p["migrant_wage_penalty"])
        cost = w.corridors.migration_cost[corridor] * p.get("migration_cost_scale", 1.0)
        cost = cost / (p["migration_horizon"] * home_wage)
        gain = np.log(away_income / home_income.clip(1e-9)) - cost
        diaspora = model.migration.diaspora_share[corridor]
        z = p["migration_gain_sensitivity"] * (gain - p["migration_threshold"]) + p["diaspora_effect"] * np.log1p(
            100.0 * diaspora
        )
        prob = 1.0 / (1.0 + np.exp(-z))
        return rng.random(idx.size) < prob


class Decisions:
    """The worker rules, asked on the model's behalf: each answer checked for its length and dtype.

    Phases and policies ask through this object (`model.decide`), passing their own random
    generator; a collaborator's subclass of `WorkerRules` that answers the wrong shape or dtype
    stops the run with one line saying what was expected.
    """

    def __init__(self, rules: WorkerRules, model: State) -> None:
        self.rules, self.model = rules, model

    def search_weights(self) -> np.ndarray:
        """`WorkerRules.search_weights`, checked to be (R, O, C, O)."""
        w = self.model.world
        shape = (w.n_regions, w.n_occupations, N_CREDENTIALS, w.n_occupations)
        return checked_shape("WorkerRules.search_weights", self.rules.search_weights(self.model), shape)

    def entry_weights(self) -> np.ndarray:
        """`WorkerRules.entry_weights`, checked to be (R, C, O)."""
        w = self.model.world
        shape = (w.n_regions, N_CREDENTIALS, w.n_occupations)
        return checked_shape("WorkerRules.entry_weights", self.rules.entry_weights(self.model), shape)

    def applications(self, idx: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """`WorkerRules.applications`, checked: one whole number per worker."""
        answer = self.rules.applications(self.model, idx, rng)
        return checked("WorkerRules.applications", answer, idx.size, "i")

    def accept(self, idx: np.ndarray, wage: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """`WorkerRules.accept`, checked: one bool per worker."""
        return checked("WorkerRules.accept", self.rules.accept(self.model, idx, wage, rng), idx.size, "b")

    def takes_informal_work(self, idx: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """`WorkerRules.takes_informal_work`, checked: one bool per worker."""
        answer = self.rules.takes_informal_work(self.model, idx, rng)
        return checked("WorkerRules.takes_informal_work", answer, idx.size, "b")

    def return_hazard(self, idx: np.ndarray) -> np.ndarray:
        """`WorkerRules.return_hazard`, checked: one probability per worker."""
        return checked("WorkerRules.return_hazard", self.rules.return_hazard(self.model, idx), idx.size, "f")

    def seeks_training(self, idx: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """`WorkerRules.seeks_training`, checked: one bool per worker."""
        return checked("WorkerRules.seeks_training", self.rules.seeks_training(self.model, idx, rng), idx.size, "b")

    def training_target(self, idx: np.ndarray, targets: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """`WorkerRules.training_target`, checked: one occupation per worker."""
        answer = self.rules.training_target(self.model, idx, targets, rng)
        return checked("WorkerRules.training_target", answer, idx.size, "i")

    def migration_choice(self, idx: np.ndarray, corridor: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """`WorkerRules.migration_choice`, checked: one bool per worker."""
        answer = self.rules.migration_choice(self.model, idx, corridor, rng)
        return checked("WorkerRules.migration_choice", answer, idx.size, "b")
