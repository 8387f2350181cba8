"""Recognition of qualifications: mutual recognition agreements and a qualification passport for refugees."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from fowsim.codes import EMPLOYED, PENDING, RECOGNISED, REFUGEE, VACANT
from fowsim.policies.base import Policy, corridors, regions, stochastic_round
from fowsim.policies.params import param
from fowsim.policies.registry import register
from fowsim.sampling import categorical
from fowsim.sim import Simulation
from fowsim.workforce import Workforce
from fowsim.world import World

ASSUMPTION = "ASSUMPTION"


@register
@dataclass
class Recognition(Policy):
    """Mutual recognition agreements between region pairs, and a qualification passport for refugees.

    On the corridors of `pairs` (both directions), decisions come `speedup` times as fast and
    approve with probability `approval` (fewer downgrades); each decision costs the destination
    `cost_per_decision`. With `refugee_passport`, refugees' credentials in `passport_regions`
    (default: every destination of the pairs) are assessed within `passport_months` and approved
    with `passport_approval` (the UNESCO Qualifications Passport). When the budget runs out the
    agreements lapse back to the corridors' own rates. A recognised credential opens the
    professions it qualifies for: each month a share `bridging_rate` of recognised migrants of
    the pairs who work below their level move to an open job at their level where there is one
    (their old job is advertised again).
    """

    name: ClassVar[str] = "recognition"
    ENROLS: ClassVar[bool] = False  # acts on everyone concerned
    pairs: list[Any] = param(kind="names", unit="region pairs 'origin->destination' (both ways) with corridors",
                             basis="the three African corridors into the EU",
                             factory=lambda: ["north_africa->eu", "west_africa->eu", "east_africa->eu"])  # fmt: skip
    approval: float = param(0.9, lo=0, hi=1, unit="approval probability under an agreement (at least)",
                            basis=ASSUMPTION)  # fmt: skip
    bridging_rate: float = param(0.05, lo=0, hi=1, unit="monthly probability a recognised migrant below their "
                                 "level moves up", basis=ASSUMPTION)  # fmt: skip
    speedup: float = param(2.0, lo=1, hi=100, unit="factor on the pace of decisions", basis=ASSUMPTION)
    cost_per_decision: float = param(300.0, lo=0, unit="EUR a decision", basis=ASSUMPTION)
    refugee_passport: bool = param(True, kind="flag", unit="refugees get a qualification passport",
                                   basis="the UNESCO Qualifications Passport for Refugees")  # fmt: skip
    passport_regions: list[str] | None = param(None, kind="names", optional=True,
                                               unit="destinations accepting the passport; null: those of the pairs",
                                               basis="the agreements' destinations")  # fmt: skip
    passport_months: float = param(3.0, lo=1, hi=120, unit="months to a passport decision", basis=ASSUMPTION)
    passport_approval: float = param(0.8, lo=0, hi=1, unit="approval probability with a passport", basis=ASSUMPTION)

    def check(self, world: World) -> None:
        super().check(world)
        self._k = corridors(world, self.key("pairs"), self.pairs, both_ways=True)
        dests = sorted({world.regions[d] for d in world.corridors.destination[self._k]})
        self._p = regions(world, self.key("passport_regions"), self.passport_regions or dests)

    def setup(self, model: Simulation) -> None:
        self._on = False
        if self.refugee_passport:
            model.recognition.on_decision(self._passport)

    def _passport(self, ws: Workforce, idx: np.ndarray, decide: np.ndarray, approve: np.ndarray) -> None:
        """While the agreements hold, refugees' files in the passport regions are decided on the passport's terms."""
        if not self._on:
            return
        passport = (ws.mig[idx] == REFUGEE) & np.isin(ws.region[idx], self._p)
        decide[passport] = 1.0 / self.passport_months
        approve[passport] = np.maximum(approve[passport], self.passport_approval)

    def apply(self, model: Simulation) -> None:
        ws = model.ws
        on = self.active(model.t)
        if on:
            # this month's expected decisions under the agreements, paid before they are made
            pend = np.flatnonzero(ws.recog == PENDING)
            pend = pend[ws.status[pend] != VACANT]
            k = model.migration.corridor_of[ws.origin[pend], ws.region[pend]]
            k = k[np.isin(k, self._k)]
            months = model.recognition.base_months[k] / self.speedup
            decisions = np.bincount(
                model.world.corridors.destination[k], weights=1.0 / months, minlength=model.world.n_regions
            )
            for d in np.flatnonzero(decisions > 0):
                n = stochastic_round(self.rng, float(decisions[d]))
                on &= self.pay(model, int(d), self.cost_per_decision * model.scale, n) == n
        if on and self.bridging_rate > 0:
            self._bridge(model)
        if on != self._on:
            if on:
                model.recognition.agree(self._k, self.speedup, self.approval)
            else:
                model.recognition.lapse(self._k)
            self._on = on

    def _bridge(self, model: Simulation) -> None:
        ws, w, mk, rng = model.ws, model.world, model.market, self.rng
        emp = np.flatnonzero((ws.status == EMPLOYED) & (ws.recog == RECOGNISED))
        k = model.migration.corridor_of[ws.origin[emp], ws.region[emp]]
        emp = emp[np.isin(k, self._k) & (w.skill_level[ws.occ[emp]] < ws.cred[emp] + 1)]
        movers = emp[rng.random(emp.size) < self.bridging_rate]
        for r in np.unique(ws.region[movers]):
            mine = movers[ws.region[movers] == r]
            old_f, old_o = ws.employer[mine].astype(np.int64), ws.occ[mine].astype(np.int64)
            # an occupation at the credential's level (skill level = credential + 1), weighted by its open jobs
            level_ok = w.skill_level[None, :] == (ws.cred[mine][:, None] + 1)
            weight = (
                level_ok * (mk.V_region[r][None, :] + 1e-12) * (w.min_credential[None, :] <= ws.cred[mine][:, None])
            )
            has = weight.sum(axis=1) > 1e-9
            occ = categorical(np.cumsum(weight[has], axis=1), rng.random(int(has.sum())))
            placed = mk.place(mine[has], int(r), rng, occ)
            moved = np.isin(mine, placed)
            mk.reopen(old_f[moved], old_o[moved])
            model.tally.count("job_to_job", ws.region[placed])
