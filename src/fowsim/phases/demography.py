"""Phase 8, `demography`: retirement and death, and young entrants with education levels.

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
    """Workers reaching their exit month leave (retirement, or death before it); young entrants arrive.

    A worker's exit month (`retire_at`) is set on entry (`World.exit_month`): the region's retirement
    age, or a death before it drawn from the region's death rates by age and sex (deaths.csv, UN World
    Population Prospects), so the monthly step only compares months.

    Entrants a month are `entry_rate` / 12 of the region's labour force at the start, times the
    projected size of the cohort reaching working age (aged 15-19) against the base year's
    (`World.cohorts`, cohorts.csv from UN World Population Prospects): Africa's growing cohorts and
    Europe's shrinking ones. In a region without projected cohorts, `entry_rate` / 12 of its labour
    force now.
    """

    name = "demography"
    stream = "demography"

    def __call__(self, model: Simulation, rng: np.random.Generator | None) -> None:
        assert rng is not None
        ws, w, mk = model.ws, model.world, model.market
        leaving = np.flatnonzero(ws.retire_at == model.t)
        leaving = leaving[ws.status[leaving] != VACANT]
        region = ws.region[leaving]
        # before the region's retirement age: a death (deaths.csv); else a retirement
        died = (model.t - ws.birth[leaving]) < w.retirement_months[region]
        model.tally.count("deaths", region[died])
        model.tally.count("retirements", region[~died])
        mk.transition(leaving, VACANT)
        # entrants: the region's entry rate of its starting labour force, times the size of the cohort reaching
        # working age against the base year's (cohorts.csv, UN World Population Prospects); a region without
        # projected cohorts takes its entry rate of its labour force now
        index = w.cohorts.index("entering", model.t) if w.cohorts is not None else np.full(w.n_regions, np.nan)
        base = np.where(np.isfinite(index), mk.labour_force0 * np.nan_to_num(index), mk.labour_force())
        n_new = rng.poisson(base * w.rp("entry_rate") / 12.0)
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
    ws.cred[idx] = cred
    u_female = rng.random(n)  # (drawn here, used once the occupation is known: women's share differs by occupation)
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
    ws.female[idx] = u_female < w.female_probability[region, ws.occ[idx]]
    ws.retire_at[idx] = w.exit_month(rng, region, ws.female[idx], ws.birth[idx], model.t)
    ws.skill[idx] = p["entrant_skill"]
    ws.region[idx] = region
