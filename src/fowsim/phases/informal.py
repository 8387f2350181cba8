"""Phase 8, `informal_work`: informal work ends, the unemployed take it up, and its pay follows its crowding.

Informal work is the status `INFORMAL`: in the labour force and at work, but at no employer (no
vacancy, no contract, no formal wage). Who enters and who leaves it, and what it pays:

- **Leaving.** Informal work ends at `informal_exit_rate` a month, into unemployment.
- **Taking it up.** An unemployed worker who found no formal job this month takes up informal work
  with the region's monthly chance (`WorkerRules.takes_informal_work`): `informal_entry_rate`,
  fitted to the region's informal share (calibration.yaml), times `informal_queue_factor` for each
  credential level above primary (the educated queue for formal jobs). Those who left informal
  work this month do not take it up again in the same month.
- **Leaving for a formal job** happens in `search_and_matching`: a share `informal_search_rate` of
  informal workers apply for one formal job a month, and take an offer that pays more than their
  informal work (a formalisation).
- **Pay.** Informal work pays `informal_pay_ratio` of the going formal wage of the worker's trade,
  times a crowding factor: (informal share of employment / its share at the start) ^ -`informal_crowding`.
  When formal demand falls, those laid off crowd into informal work and its pay falls
  (`Market.set_informal_factor`); the full-time equivalents lost are recorded as underemployment.

A region whose `regions.csv` sets no `informal_share` has no informal work, and this phase draws
nothing for it.
"""

from __future__ import annotations

import numpy as np

from fowsim.codes import INFORMAL, UNEMPLOYED
from fowsim.phases.base import Phase
from fowsim.sampling import thinned
from fowsim.sim import Simulation


class InformalWork(Phase):
    """Informal work ends, the unemployed who found no formal job take it up, and its pay follows its crowding."""

    name = "informal_work"
    stream = "informal"

    def __call__(self, model: Simulation, rng: np.random.Generator | None) -> None:
        assert rng is not None
        ws, mk, p = model.ws, model.market, model.params
        if not mk.informal_entry_rate.any() and not mk.S[:, INFORMAL].any():
            return
        # who takes it up: the unemployed who found no formal job, where the region has informal work
        unemployed = np.flatnonzero(ws.status == UNEMPLOYED)
        unemployed = unemployed[mk.informal_entry_rate[ws.region[unemployed]] > 0]
        entering = unemployed[model.decide.takes_informal_work(unemployed, rng)]
        # informal work ends
        rate = p["informal_exit_rate"]
        leaving = thinned(rng, len(ws), lambda i: np.where(ws.status[i] == INFORMAL, rate, 0.0), rate)
        model.tally.count_people("informal_exits", leaving)
        mk.transition(leaving, UNEMPLOYED)
        model.tally.count_people("informal_entries", entering)
        mk.transition(entering, INFORMAL)
        # what informal work pays follows its crowding: the informal share of employment against the start's
        share, share0 = mk.informal_share(), mk.informal_share0
        ratio = np.where(share0 > 0, share / np.where(share0 > 0, share0, 1.0), 1.0)
        mk.set_informal_factor(np.maximum(ratio, 0.05) ** -p["informal_crowding"])  # (a floor: pay at most 20^e)
