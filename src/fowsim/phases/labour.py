"""Phase 2, `separations_and_vacancies`: layoffs and openings (del Rio-Chanona et al. 2021), and internal moves."""

from __future__ import annotations

import numpy as np

from fowsim import kernels
from fowsim.agents import internal_moves
from fowsim.codes import UNEMPLOYED
from fowsim.phases.base import Phase
from fowsim.sim import Simulation


class SeparationsAndVacancies(Phase):
    """Employers lay off and open vacancies (del Rio-Chanona et al. 2021), and fill some from inside.

    Each employer plans its layoff probabilities and openings (`Employer.plan`) on its books at the
    start of the month; layoffs are spontaneous and demand-driven, fall on the workers employed at
    the start of the month, and the demand-driven ones mark workers as displaced.
    Internal moves follow `fowsim.agents.internal_moves`.
    """

    name = "separations_and_vacancies"
    stream = "labour"

    def __call__(self, model: Simulation, rng: np.random.Generator | None) -> None:
        assert rng is not None
        mk, ws, tally = model.market, model.ws, model.tally
        F, O = mk.E.shape
        p_sep = np.zeros((F, O))
        p_extra = np.zeros((F, O))
        gamma, withdrawal = model.params["gap_response"], model.params["vacancy_withdrawal"]
        for emp in model.employers:
            r = emp.region
            p_sep[emp.index], p_extra[emp.index], openings, withdrawn = emp.plan(
                rng, mk.sep_rate[r], mk.open_rate[r], gamma, withdrawal
            )
            mk.open_vacancies(emp.index, openings - withdrawn)
        p_move, moves = internal_moves(mk.E, mk.V, model.world.network, model.params["internal_fill_rate"])
        key = rng.integers(0, 2**63, dtype=np.uint64)
        out, moving = kernels.employed_bernoulli(ws.status, ws.employer, ws.occ, p_sep, p_move, key)
        hired = mk.hired_this_month()
        if hired.size:  # matching ran first (phases.timing=paper): this month's hires keep their job
            out, moving = out[~np.isin(out, hired)], moving[~np.isin(moving, hired)]
        if out.size:
            f, o = ws.employer[out].astype(np.int64), ws.occ[out].astype(np.int64)
            displaced = rng.random(out.size) * p_sep[f, o] < p_extra[f, o]
            ws.displaced[out[displaced]] = model.t
            tally.count("separations", ws.region[out])
            tally.count("displaced", ws.region[out[displaced]])
            mk.transition(out, UNEMPLOYED)
        if moving.size:
            move_inside(model, rng, moving, moves)
        mk.refresh()


def move_inside(model: Simulation, rng: np.random.Generator, idx: np.ndarray, moves: np.ndarray) -> None:
    """Workers `idx` drawn for an internal move take an open vacancy of their employer in another occupation.

    The destination is drawn from the expected moves out of their occupation; a worker is willing
    if the credential meets the occupation's minimum and the new job pays more
    (`WorkerRules.accept`); each (employer, occupation) takes a random subset of the willing, up
    to its open vacancies. The position left is advertised again.
    """
    ws, w, mk = model.ws, model.world, model.market
    O = w.n_occupations
    f, old = ws.employer[idx].astype(np.int64), ws.occ[idx].astype(np.int64)
    new = kernels.draw_rows(np.cumsum(moves.reshape(-1, O), axis=1), f * O + old, rng.random(idx.size))
    skill = np.clip(mk.skill_now(idx) * mk.skill_transfer[old, new], 0.0, 1.0)
    wage = mk.wage_of(f, new, skill)
    ok = ws.effective_credential(idx) >= w.min_credential[new]
    ok &= model.decide.accept(idx, wage, rng)
    # at most the open vacancies of each (employer, occupation), to a random subset of the willing
    ok[ok] = kernels.within_capacity((f * O + new)[ok], mk.V.ravel(), rng.integers(0, 2**63, dtype=np.uint64))
    idx, f, old, new, skill, wage = idx[ok], f[ok], old[ok], new[ok], skill[ok], wage[ok]
    if idx.size == 0:
        return
    mk.move_within(idx, f, old, new, skill, wage)
