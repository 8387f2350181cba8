"""Phase 1, `automation`: employers set their demand: its own path, the going wage, and the automation they adopt."""

from __future__ import annotations

import numpy as np

from fowsim.phases.base import Phase
from fowsim.sim import Simulation


class Automation(Phase):
    """Employers set their demand: its own path, the going wage, and the share of exposed work they automate.

    Labour demand grows on its own path in each region (`World.demand_index`): the baseline's
    labour force, year by year, as the calibration measured it (balanced growth: the 2019
    unemployment rate persists in the baseline). Workers a scenario adds (migrants, entrants, the
    participants of a mobility policy) fill vacancies but do not create their own demand. Where
    `demand_follows_labour_force` = 1, demand follows the run's own labour force instead, with a
    lag (a level and a trend smoothed over `demand_adjustment_months`, Holt's linear method in
    logs): the earlier closure, in which added workers create their own jobs.

    Demand for an occupation falls as its going wage rises relative to the start, with the
    own-wage elasticity `labour_demand_elasticity` (Popp 2023's meta-analysis: -0.43); where the
    wages phase is removed the going wage stays put and so does this term.

    The shock then reshapes each employer's demand across occupations at its own adoption level
    (`fowsim.shocks`): with `shock.adoption=wage` (the default) an employer automates sooner the
    more its exposed work costs relative to the technology; with `exogenous` it follows the
    region's path at its own speed (`Employer.effective_time`). Adoption does not go back.
    """

    name = "automation"
    stream = "automation"

    def __call__(self, model: Simulation, rng: np.random.Generator | None) -> None:
        shock, w, mk, t, p = model.shock, model.world, model.market, model.t, model.params
        tau = p["demand_adjustment_months"]
        mk.follow_labour_force(tau)
        follows = w.rp("demand_follows_labour_force") > 0
        growth = np.where(
            follows,
            np.exp(mk.demand_level + (tau - 1.0) * mk.demand_trend - mk.demand_level0),
            w.demand_index(t),
        )
        base = mk.D0_region * growth[:, None] * mk.wage_index ** (-p["labour_demand_elasticity"])
        if shock.active:
            mk.set_adoption(np.maximum(mk.adoption_f, self.adoption(model)))
        rows = base[mk.firm_region] * mk.demand_share  # each employer's share of its region's demand
        targets = shock.employer_demand(rows, w.exposure, mk.adoption_f, mk.firm_region, t)
        for emp in model.employers:
            emp.set_demand(targets[emp.index])
        mk.add_business_demand()  # businesses started by entrepreneurship graduates (policies)

    @staticmethod
    def adoption(model: Simulation) -> np.ndarray:
        """Each employer's adoption level this month on its own path (F,), before the no-going-back rule."""
        shock, mk, t = model.shock, model.market, model.t
        start = shock.start_month
        t_eff = np.array([emp.effective_time(t, start) for emp in model.employers], dtype=float)
        region = mk.firm_region
        if shock.region_speed is not None:  # uneven: each region's own speed on top of the employer's
            t_eff = np.where(t_eff > start, start + (t_eff - start) * np.asarray(shock.region_speed)[region], t_eff)
        if shock.adoption_rule == "exogenous":
            return shock.exogenous_adoption(t_eff)
        return shock.adoption_by_wage(t_eff, np.log(mk.exposed_wage() / mk.reference_wage),
                                      model.params["automation_cost_decline"], mk.reference_spread)  # fmt: skip
