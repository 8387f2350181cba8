"""Phase 8, `demography`: retirement, and young entrants with education levels.

`new_workers` is public: arrivals from outside the simulated regions use it too.
"""

from __future__ import annotations

import numpy as np

from fowsim.codes import NATIVE, NOT_NEEDED, UNEMPLOYED, VACANT
from fowsim.phases.base import Phase
from fowsim.sampling import categorical
from fowsim.sim import Simulation
from fowsim.world import EDUCATION


class Demography(Phase):
    """Workers reaching their retirement month leave; young entrants arrive with education levels."""

    name = "demography"
    stream = "demography"

    def __call__(self, model: Simulation, rng: np.random.Generator | None) -> None:
        assert rng is not None
        ws, w, mk = model.ws, model.world, model.market
        retiring = np.flatnonzero(ws.retire_at == model.t)
        retiring = retiring[ws.status[retiring] != VACANT]
        model.tally.count("retirements", ws.region[retiring])
        mk.transition(retiring, VACANT)
        lf = mk.labour_force()
        n_new = rng.poisson(lf * w.rp("entry_rate") / 12.0)
        total = int(n_new.sum())
        if total == 0:
            return
        idx = ws.free_slots(total)
        region = np.repeat(np.arange(w.n_regions), n_new)
        new_workers(model, idx, region, rng)
        model.tally.count("entrants", region)
        mk.transition(idx, UNEMPLOYED, region=region)


def new_workers(model: Simulation, idx: np.ndarray, region: np.ndarray | int, rng: np.random.Generator) -> None:
    """Fill vacant slots `idx` with young workers of `region`: education, age, sex, an entry occupation.

    They are still outside the labour force: the caller brings them in (`Market.transition`).
    """
    ws, w, p = model.ws, model.world, model.params
    n = idx.size
    region = np.broadcast_to(np.asarray(region, dtype=np.int64), (n,))
    edu = np.stack([w.rp(e) for e in EDUCATION], axis=1)
    cred = categorical(np.cumsum(edu[region], axis=1), rng.random(n))
    entry_age = np.array([16.0, 19.0, 21.0, 23.0])[cred] + rng.random(n) * 3.0
    ws.birth[idx] = (model.t - np.round(entry_age * 12)).astype(np.int16)
    ws.retire_at[idx] = ws.birth[idx] + np.round(w.rp("retirement_age")[region] * 12).astype(np.int16)
    ws.cred[idx] = cred
    ws.female[idx] = rng.random(n) < w.rp("female_share")[region]
    ws.origin[idx] = region
    ws.mig[idx] = NATIVE
    ws.recog[idx] = NOT_NEEDED
    ws.visa_end[idx] = -1
    ws.programme[idx] = -1
    ws.displaced[idx] = -1
    ws.scheme[idx] = 0
    ws.employer[idx] = -1
    ws.wage[idx] = 0.0
    # entry occupation: where the credential fits and jobs are to be had (`WorkerRules.entry_weights`)
    weights = model.decide.entry_weights()
    ws.occ[idx] = categorical(np.cumsum(weights, axis=2)[region, cred], rng.random(n))
    ws.skill[idx] = p["entrant_skill"]
    ws.region[idx] = region
