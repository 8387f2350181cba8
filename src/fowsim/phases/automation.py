"""Phase 1, `automation`: employers move their demand along the shock's adoption path and the labour force's trend."""

from __future__ import annotations

import numpy as np

from fowsim.phases.base import Phase
from fowsim.sim import Simulation


class Automation(Phase):
    """Employers move their demand along the shock's adoption path (and the regional growth trend).

    Labour demand follows the region's labour force (`demand_follows_labour_force` = 1), so that
    long-run unemployment does not depend on its size, or grows at `demand_growth` where the
    labour force follows demand instead (the Gulf: sponsored migrants are recruited to meet it).
    It follows with a lag: a level and a trend smoothed over `demand_adjustment_months` (Holt's
    linear method, in logs), so that a steadily growing labour force meets demand growing at its
    pace rather than a constant shortfall. The shock then reshapes demand across occupations,
    each employer at its own point of the adoption path (`Employer.effective_time`).
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
            (1.0 + w.rp("demand_growth")) ** (t / 12.0),
        )
        base = mk.D0_region * growth[:, None]
        for emp in model.employers:
            t_eff = emp.effective_time(t, shock.start_month)
            target = shock.target_demand(base[emp.region : emp.region + 1], w.exposure, t_eff, t)[0]
            emp.adopt(target)
        mk.add_business_demand()  # businesses started by entrepreneurship graduates (policies)
        mk.set_adoption(shock.adoption(t, w.n_regions))
