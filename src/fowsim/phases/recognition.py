"""Phase 6, `recognition`: pending foreign credentials are decided, recognised or downgraded."""

from __future__ import annotations

import numpy as np

from fowsim.codes import DOWNGRADED, PENDING, RECOGNISED, VACANT
from fowsim.phases.base import Phase
from fowsim.sim import Simulation


class Recognition(Phase):
    """Pending foreign credentials are decided: recognised or downgraded, at each corridor's rates.

    The destination's government gives each file's monthly decision and approval probabilities
    (`Government.recognition_rates`: the corridor's terms, or an agreement's); the hooks policies
    registered (`fowsim.state.Recognition.on_decision`: a refugee qualification passport,
    pre-departure preparation) then adjust single files.
    """

    name = "recognition"
    stream = "recognition"

    def __call__(self, model: Simulation, rng: np.random.Generator | None) -> None:
        assert rng is not None
        ws, tally = model.ws, model.tally
        pend = np.flatnonzero(ws.recog == PENDING)
        pend = pend[ws.status[pend] != VACANT]
        if pend.size == 0:
            return
        k = model.migration.corridor_of[ws.origin[pend], ws.region[pend]]
        known = k >= 0
        pend, k = pend[known], k[known]
        decide = np.zeros(pend.size)
        approve = np.zeros(pend.size)
        for gov in model.governments:
            mine = ws.region[pend] == gov.region
            if mine.any():
                decide[mine], approve[mine] = gov.recognition_rates(k[mine])
        model.recognition.adjust(ws, pend, decide, approve)
        decided = rng.random(pend.size) < decide
        ok = rng.random(pend.size) < approve
        ws.recog[pend[decided & ok]] = RECOGNISED
        ws.recog[pend[decided & ~ok]] = DOWNGRADED
        tally.count("recognised", ws.region[pend[decided & ok]])
        tally.count("downgraded", ws.region[pend[decided & ~ok]])
