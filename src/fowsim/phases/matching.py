"""Phase 7, `search_and_matching`: applications along the mobility network, urn-ball matching, best offer taken."""

from __future__ import annotations

import numpy as np

from fowsim import kernels
from fowsim.codes import TEMPORARY, TERTIARY
from fowsim.phases.base import Phase
from fowsim.sim import Simulation


class SearchAndMatching(Phase):
    """Applications along the mobility network, employers pick among applicants, workers take the best offer.

    Applications go to occupations in the worker's own region, weighted by `WorkerRules.search_weights`;
    a share `on_the_job_search_rate` of the employed send one application a month too, and move
    if the offer pays more (a job-to-job move frees their old job); so does a share
    `informal_search_rate` of informal workers, who take a formal job that pays more than their
    informal work (a formalisation). Matching is urn-ball, as in
    del Rio-Chanona et al. (2021): each application lands on a random
    vacancy of its (region, occupation), and a vacancy that received any offers the job to the best
    of them (skill, credential fit); a worker with several offers takes the best paid one if it
    beats the reservation wage (`WorkerRules.accept`).
    """

    name = "search_and_matching"
    stream = "matching"

    def __call__(self, model: Simulation, rng: np.random.Generator | None) -> None:
        assert rng is not None
        ws, p, w, mk, tally = model.ws, model.params, model.world, model.market, model.tally
        R, O = w.n_regions, w.n_occupations
        # the unemployed, and a few informal and employed workers with one application each
        key = rng.integers(0, 2**63, dtype=np.uint64)
        unemployed, informal, looking = kernels.searchers(
            ws.status, p["on_the_job_search_rate"], p["informal_search_rate"], key
        )
        looking = tied_visa_searchers(model, looking, rng)
        U = np.concatenate([unemployed, informal, looking])
        if U.size == 0 or mk.V.sum() == 0:
            mk.carry_vacancies()
            return
        one_each = np.ones(U.size - unemployed.size, np.int64)
        n_app = np.concatenate([model.decide.applications(unemployed, rng), one_each]).astype(np.int64)
        weights = model.decide.search_weights()
        # each row of weights has few non-zero targets (the network's neighbours): draw among those
        indptr, cols, cum = kernels.sparse_rows(weights.reshape(-1, O))
        # what employers see of each searcher, gathered once in worker order
        u_region = ws.region[U].astype(np.int64)
        u_occ = ws.occ[U].astype(np.int64)
        u_cred = ws.effective_credential(U).astype(np.int64)
        u_skill = mk.skill_now(U)
        rows = (u_region * O + u_occ) * 4 + u_cred
        # vacancies: one entry per open job, with its employer and occupation, grouped by cell
        vac_id = np.repeat(np.arange(mk.V.size), mk.V.ravel())
        vac_f, vac_o = vac_id // O, vac_id % O
        vac_order, vac_start, vac_size = kernels.group_by(mk.firm_region[vac_f] * O + vac_o, R * O)
        # each application lands on a random vacancy of its cell; the employer offers the job to the
        # best application it received (skill carried to the job, credential fit, what the model does not see)
        required = w.skill_level - 1  # a credential fits an occupation of its level, give or take one
        fit_weight = p["credential_fit_weight"]
        noise_weight = p["employer_choice_noise"]
        # an employer sees the skill a searcher brings to the vacancy's occupation (task similarity)
        quality = p["employer_skill_weight"] * u_skill
        searchers = (rows, n_app, indptr, cols, cum, u_region, quality, u_occ, mk.skill_transfer, u_cred)
        key = rng.integers(0, 2**63, dtype=np.uint64)
        best = kernels.urn_ball(*searchers, required, fit_weight, noise_weight, vac_order, vac_start, vac_size, key)
        filled = np.flatnonzero(best >= 0)
        if filled.size == 0:
            return
        offer, vac_f, vac_o = best[filled], vac_f[filled], vac_o[filled]
        # skill carried into the new occupation: full in the same one, by task similarity elsewhere
        carried = u_skill[offer] * mk.skill_transfer[u_occ[offer], vac_o]
        wage = mk.wage_of(vac_f, vac_o, carried)
        # best offer per worker: the highest wage (the earliest vacancy on ties)
        chosen = kernels.best_per_group(offer, wage, U.size)
        chosen = chosen[model.decide.accept(U[offer[chosen]], wage[chosen], rng)]
        hired, f, o = offer[chosen], vac_f[chosen], vac_o[chosen]
        who, region = U[hired], u_region[hired]
        from_job = hired >= unemployed.size + informal.size
        from_informal = (hired >= unemployed.size) & ~from_job
        mk.fill(f, o)
        tally.count("hires", region[~from_job & ~from_informal])
        tally.count("formalisations", region[from_informal])
        tally.count("job_to_job", region[from_job])
        tied = from_job & (ws.mig[who] == TEMPORARY) & model.tied_regions()[region]
        tally.count("tied_job_to_job", region[tied])
        tally.count("occupation_changes", region, (u_occ[hired] != o).astype(float))
        over = (ws.cred[who] == TERTIARY) & w.low_skill[o] & ~from_job
        tally.count("overqualified_hires", region, over.astype(float))
        tally.count("displaced_reemployed", region, ((ws.displaced[who] >= 0) & ~from_job).astype(float))
        # a worker who moves on leaves a job that the employer advertises again at once
        movers = who[from_job]
        mk.reopen(ws.employer[movers], ws.occ[movers])
        mk.hire(who, f, o, np.clip(carried[chosen], 0.0, 1.0).astype(np.float32))
        mk.carry_vacancies()


def tied_visa_searchers(model: Simulation, looking: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The on-the-job searchers who may leave their employer: a worker on an employer-tied visa needs a release.

    A temporary migrant in a region whose government ties visas to the sponsor (`Government.tied_visas`)
    searches on only if the sponsor releases them (probability `sponsor_release_share`) or a reform
    lets them move after `Government.free_after` months in the job; the searches refused are counted.
    """
    tied_region = model.tied_regions()
    if looking.size == 0 or not tied_region.any():
        return looking
    ws = model.ws
    region = ws.region[looking]
    tied = tied_region[region] & (ws.mig[looking] == TEMPORARY)
    if not tied.any():
        return looking
    free_after = np.array([g.free_after for g in model.governments])[region]
    reformed = (free_after >= 0) & (model.t - ws.since[looking] >= free_after)
    released = rng.random(looking.size) < model.params["sponsor_release_share"]
    refused = tied & ~reformed & ~released
    model.tally.count("tied_searches_refused", region[refused])
    return looking[~refused]
