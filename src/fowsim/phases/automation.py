"""Phase 1, `automation`: employers move their demand along the shock's adoption path and the labour force's trend."""

from __future__ import annotations

import numpy as np

from fowsim.phases.base import Phase
from fowsim.sim import Simulation


class Automation(Phase):
    """Employers move their demand along the shock's adoption path (and the regional growth trend).

    Labour demand grows on its own path in each region (`World.demand_index`): the baseline's
    labour force, year by year, as the calibration measured it (balanced growth: the 2019
    unemployment rate persists in the baseline). Workers a scenario adds (migrants, entrants, the
    participants of a mobility policy) fill vacancies but do not create their own demand. Where
    `demand_follows_labour_force` = 1, demand follows the run's own labour force instead, with a
    lag (a level and a trend smoothed over `demand_adjustment_months`, Holt's linear method in
    logs): the earlier closure, in which added workers create their own jobs. The shock then
    reshapes demand across occupations, each employer at its own point of the adoption path
    (`Employer.effective_time`).
    """

    name = "automation"
    stream = "automation"

    def __call__(self, model: Simulation, rng: np.random.Generator | None) -> None:
        shock, w, mk, t = model.shock, model.world, model.market, model.t
        tau = model.params["demand_adjustment_months"]
        mk.follow_labour_force(tau)
        follows = w.rp("demand_follows_labour_force") > 0
        growth = np.where(
            follows,
            np.exp(mk.demand_level + (tau - 1.0) * mk.demand_trend - mk.demand_level0),
            w.demand_index(t),
        )
        base = mk.D0_region * growth[:, None]
        for emp in model.employers:
            t_eff = emp.effective_time(t, shock.start_month)
            target = shock.target_demand(base[emp.region : emp.region + 1], w.exposure, t_eff, t)[0]
            emp.adopt(target)
        mk.add_business_demand()  # businesses started by entrepreneurship graduates (policies)
        mk.set_adoption(shock.adoption(t, w.n_regions))
