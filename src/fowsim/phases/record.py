"""Phase 9, `record`: the month's census, the recorder's aggregates, and what next month's decisions read."""

from __future__ import annotations

import numpy as np

from fowsim.phases.base import Phase
from fowsim.sim import Simulation


class Record(Phase):
    """Monthly aggregates into the recorder; the census behind them also updates what next month's decisions read.

    The census (one pass over the workforce) gives unemployment by occupation (which entrants and
    trainees weigh), the foreign-born stocks (the diaspora behind migration decisions) and the
    recorder's indicators. The people followed from policy lotteries have their outcomes read here
    (`fowsim.lottery`), and the panel, where the run keeps one.
    """

    name = "record"
    stream = None

    def __call__(self, model: Simulation, rng: np.random.Generator | None) -> None:
        census = model.recorder.census()
        model.market.observe(census.unemployed)
        model.market.refresh()
        model.migration.observe(census.stock, census.migrant_earnings, model.scale)
        model.recorder.record(census)
        for lottery in model.lotteries.values():  # the people of each policy's lotteries, at their follow-ups
            lottery.follow(model)
