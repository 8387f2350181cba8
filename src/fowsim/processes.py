"""The monthly phases: functions over the model's arrays, run in the order of `LabourMarketModel.PHASES`.

Each phase draws from its own named random stream, so adding or changing one phase does not
shift the random numbers of the others.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from fowsim import kernels
from fowsim.agents import internal_moves
from fowsim.rules import checked
from fowsim.sampling import counts, thinned
from fowsim.workforce import (
    CIRCULAR,
    DOWNGRADED,
    EMPLOYED,
    NATIVE,
    NOT_NEEDED,
    PENDING,
    PERMANENT,
    POST_SECONDARY,
    PREPARED,
    RECOGNISED,
    REFUGEE,
    RETURNEE,
    TEMPORARY,
    TERTIARY,
    TRAINED,
    TRAINING,
    UNEMPLOYED,
    VACANT,
)
from fowsim.world import EDUCATION

if TYPE_CHECKING:
    from fowsim.model import LabourMarketModel


# ---------------------------------------------------------------- 1. automation
def automation(m: LabourMarketModel) -> None:
    """Employers move their demand along the shock's adoption path (and the regional growth trend)."""
    shock, w = m.shock, m.world
    # Labour demand follows the region's labour force (`demand_follows_labour_force` = 1), so that
    # long-run unemployment does not depend on its size, or grows at `demand_growth` where the
    # labour force follows demand instead (the Gulf: sponsored migrants are recruited to meet it).
    # It follows with a lag: a level and a trend smoothed over `demand_adjustment_months` (Holt's
    # linear method, in logs), so that a steadily growing labour force meets demand growing at its
    # pace rather than a constant shortfall. The shock then reshapes demand across occupations.
    tau = m.params["demand_adjustment_months"]
    lf = np.log(np.maximum(1.0, m.S[:, 1:].sum(axis=1)))
    previous = m.demand_level.copy()
    m.demand_level += (lf - m.demand_level) / tau
    m.demand_trend += (m.demand_level - previous - m.demand_trend) / tau
    follows = w.rp("demand_follows_labour_force") > 0
    growth = np.where(
        follows,
        np.exp(m.demand_level + (tau - 1.0) * m.demand_trend - m.demand_level0),
        (1.0 + w.rp("demand_growth")) ** (m.t / 12.0),
    )
    base = m.D0_region * growth[:, None]
    for emp in m.employers:
        t_eff = emp.effective_time(m.t, shock.start_month)
        target = shock.target_demand(base[emp.region : emp.region + 1], w.exposure, t_eff, m.t)[0]
        emp.adopt(target)
    m.D += m.D_extra  # businesses started by entrepreneurship graduates (policies)
    m.adoption = shock.adoption(m.t, w.n_regions)


# ---------------------------------------------------------------- 2. separations and vacancies
def separations_and_vacancies(m: LabourMarketModel) -> None:
    """Employers lay off and open vacancies (del Rio-Chanona et al. 2021), and fill some from inside.

    Layoffs are spontaneous and demand-driven; internal moves follow `fowsim.agents.internal_moves`.
    """
    rng = m.streams["labour"]
    F, O = m.E.shape
    p_sep = np.zeros((F, O))
    p_extra = np.zeros((F, O))
    gamma, withdrawal = m.params["gap_response"], m.params["vacancy_withdrawal"]
    for emp in m.employers:
        r = emp.region
        p_sep[emp.index], p_extra[emp.index], openings, withdrawn = emp.plan(
            rng, m.sep_rate[r], m.open_rate[r], gamma, withdrawal
        )
        emp.vacancies[:] += openings - withdrawn
    p_move, moves = internal_moves(m.E, m.V, m.world.network, m.params["internal_fill_rate"])
    ws = m.ws
    key = rng.integers(0, 2**63, dtype=np.uint64)
    out, moving = kernels.employed_bernoulli(ws.status, ws.employer, ws.occ, p_sep, p_move, key)
    if out.size:
        f, o = ws.employer[out].astype(np.int64), ws.occ[out].astype(np.int64)
        displaced = rng.random(out.size) * p_sep[f, o] < p_extra[f, o]
        ws.displaced[out[displaced]] = m.t
        m.count("separations", ws.region[out])
        m.count("displaced", ws.region[out[displaced]])
        m.transition(out, UNEMPLOYED)
    if moving.size:
        _move_inside(m, rng, moving, moves)
    m._refresh_region_tables()


def _move_inside(m: LabourMarketModel, rng: np.random.Generator, idx: np.ndarray, moves: np.ndarray) -> None:
    """Workers `idx` drawn for an internal move take an open vacancy of their employer in another occupation.

    The destination is drawn from the expected moves out of their occupation; a worker is willing
    if the credential meets the occupation's minimum and the new job pays more
    (`WorkerRules.accept`); each (employer, occupation) takes a random subset of the willing, up
    to its open vacancies. The position left is advertised again.
    """
    ws, w = m.ws, m.world
    O = w.n_occupations
    f, old = ws.employer[idx].astype(np.int64), ws.occ[idx].astype(np.int64)
    new = kernels.draw_rows(np.cumsum(moves.reshape(-1, O), axis=1), f * O + old, rng.random(idx.size))
    skill = np.clip(m.skill_now(idx) * m.skill_transfer[old, new], 0.0, 1.0)
    wage = m.wage_of(f, new, skill)
    ok = ws.effective_credential(idx) >= w.min_credential[new]
    ok &= checked("WorkerRules.accept", m.rules.accept(m, idx, wage), idx.size, "b")
    # at most the open vacancies of each (employer, occupation), to a random subset of the willing
    ok[ok] = kernels.within_capacity((f * O + new)[ok], m.V.ravel(), rng.integers(0, 2**63, dtype=np.uint64))
    idx, f, old, new, skill, wage = idx[ok], f[ok], old[ok], new[ok], skill[ok], wage[ok]
    if idx.size == 0:
        return
    moved_in, moved_out = counts(m.E.shape, f, new), counts(m.E.shape, f, old)
    m.E += moved_in - moved_out
    m.V += moved_out - moved_in
    m.wage_sum += np.bincount(ws.region[idx], weights=wage - ws.wage[idx], minlength=w.n_regions)
    ws.occ[idx] = new
    ws.skill[idx] = skill.astype(np.float32)
    ws.since[idx] = m.t
    ws.wage[idx] = wage
    m.count("internal_moves", ws.region[idx])
    m.count("occupation_changes", ws.region[idx])


# ---------------------------------------------------------------- 3. policies
def policies(m: LabourMarketModel) -> None:
    """Each active policy acts through the agents and the workforce."""
    for policy in m.policies:
        policy.apply(m)


# ---------------------------------------------------------------- 4. training
def training(m: LabourMarketModel) -> None:
    """Providers advance their trainees (graduation, drop-out), admit new ones up to their seats, and are paid.

    Full-time trainees (status training, off the market) graduate after the programme's
    duration; trainees who stay on the market (in-house at work, online while searching) finish
    at a monthly hazard 1/duration from the month after they start. Every month a trainee is
    enrolled, the first one included, costs the provider's monthly cost, split
    between public money and the provider's payer; a policy-run provider stops the programmes
    it can no longer pay for (`pay_providers`).
    """
    ws, rng = m.ws, m.streams["training"]
    prov = m.providers
    duration = np.array([pr.duration for pr in prov])
    hazard = np.array([pr.dropout_hazard for pr in prov])
    O = m.world.n_occupations
    # trainees off the market
    T = np.flatnonzero(ws.status == TRAINING)
    if T.size:
        code = ws.programme[T].astype(np.int64)
        k, target = code // O, code % O
        drop = (rng.random(T.size) < hazard[k]) & (ws.since[T] < m.t)  # who started this month trains this month
        done = ~drop & (m.t - ws.since[T] >= duration[k])
        m.count_people("dropouts", T[drop])
        ws.programme[T[drop]] = -1
        m.transition(T[drop | done], UNEMPLOYED)
        _graduate(m, T[done], k[done], target[done])
    # trainees on the market: completion is a monthly hazard 1/duration, drop-out one that leaves
    # the provider's completion share finishing
    I = np.flatnonzero(ws.programme >= 0)
    I = I[(ws.status[I] == EMPLOYED) | (ws.status[I] == UNEMPLOYED)]
    if m.enrolled_now:  # who started this month trains this month
        I = I[~np.isin(I, np.concatenate(m.enrolled_now))]
    if I.size:
        code = ws.programme[I].astype(np.int64)
        k, target = code // O, code % O
        completion = np.array([pr.completion for pr in prov])
        hazard = (1.0 - completion) / completion / duration
        u = rng.random(I.size)
        drop = u < hazard[k]
        done = ~drop & (u < hazard[k] + 1.0 / duration[k])
        at_work = ws.status[I] == EMPLOYED
        _upskill(m, I[done & at_work], k[done & at_work], target[done & at_work])
        _graduate(m, I[done & ~at_work], k[done & ~at_work], target[done & ~at_work])
        m.count_people("dropouts", I[drop])
        ws.programme[I[drop]] = -1
    _count_trainees(m)  # the seats the month's leavers freed
    _enrol_unemployed(m, rng)
    _enrol_employed(m, rng)
    pay_providers(m, rng)  # every month in a programme is paid, the first one too


def _trainees(m: LabourMarketModel) -> tuple[np.ndarray, np.ndarray]:
    """Workers in a programme, and the index of their provider."""
    ws = m.ws
    enrolled = np.flatnonzero(ws.programme >= 0)
    enrolled = enrolled[ws.status[enrolled] != VACANT]
    return enrolled, ws.programme[enrolled].astype(np.int64) // m.world.n_occupations


def _count_trainees(m: LabourMarketModel) -> None:
    """Each provider's `enrolled`: its trainees now."""
    per_provider = np.bincount(_trainees(m)[1], minlength=len(m.providers))
    for pr, n in zip(m.providers, per_provider):
        pr.enrolled = int(n)


def pay_providers(m: LabourMarketModel, rng: np.random.Generator) -> None:
    """Every trainee costs their provider's monthly cost; a policy's provider pays only within its budget.

    The public share of the cost is charged to the owning policy (`Policy.charge`); where the
    budget left does not cover all trainees, a random subset of them is funded and the others'
    programmes end (recorded as `unfunded_exits`), so spending never exceeds a budget.
    """
    ws = m.ws
    enrolled, code = _trainees(m)
    per_provider = np.bincount(code, minlength=len(m.providers))
    for pr, n in zip(m.providers, per_provider):
        unit = pr.cost_per_month * m.scale
        if pr.owner is not None and n > 0 and unit * pr.public_share > 0:
            funded = pr.owner.affordable(unit * pr.public_share, int(n))
            if funded < n:
                mine = enrolled[code == pr.index]
                cut = rng.permutation(mine)[: n - funded]
                ws.programme[cut] = -1
                m.transition(cut[ws.status[cut] == TRAINING], UNEMPLOYED)
                m.count("unfunded_exits", ws.region[cut])
                n = funded
        pr.enrolled = int(n)
        cost = n * unit
        public = cost * pr.public_share
        pr.spent += cost
        m.spending["public"][pr.payer_region] += public
        m.spending[pr.payer][pr.payer_region] += cost - public
        if pr.owner is not None:
            pr.owner.charge(public, cost)


def _graduate(m: LabourMarketModel, idx: np.ndarray, k: np.ndarray, target: np.ndarray) -> None:
    """Graduates gain the programme's credential and skill in its target occupation (their status is kept)."""
    ws = m.ws
    if idx.size == 0:
        return
    award = np.array([pr.award for pr in m.providers])[k]
    skill_after = np.array([pr.skill_after for pr in m.providers])[k]
    flag = np.array([pr.flag for pr in m.providers], dtype=np.uint16)[k]
    ws.cred[idx] = np.maximum(ws.cred[idx], award)
    # a credential earned where one lives needs no recognition there
    formal = award >= 0
    ws.recog[idx[formal]] = NOT_NEEDED
    # skill is stored as of the month the status began: scale it so that it is `skill_after` now
    p = m.params
    out_since = np.maximum(m.t - ws.since[idx] - p["skill_loss_grace"], 0.0)
    kept = np.exp(-p["skill_decay_rate"] * out_since)
    ws.skill[idx] = (np.maximum(m.skill_now(idx), skill_after) / kept).astype(np.float32)
    ws.occ[idx] = target
    ws.programme[idx] = -1
    ws.scheme[idx] |= flag | TRAINED
    m.count_people("completions", idx)
    _completed(m, k)


def _completed(m: LabourMarketModel, k: np.ndarray) -> None:
    """Count completions per provider (`k`: the provider of each graduate)."""
    for pr, n in zip(m.providers, np.bincount(k, minlength=len(m.providers))):
        pr.completed += int(n)


def _upskill(m: LabourMarketModel, idx: np.ndarray, k: np.ndarray, target: np.ndarray) -> None:
    """In-house graduates move to the target occupation at their employer, or gain skill in their own."""
    ws = m.ws
    if idx.size == 0:
        return
    f = ws.employer[idx].astype(np.int64)
    old = ws.occ[idx].astype(np.int64)
    skill_after = np.array([pr.skill_after for pr in m.providers])[k]
    flag = np.array([pr.flag for pr in m.providers], dtype=np.uint16)[k]
    # a move needs an open vacancy of the target at the employer (the job left is advertised again);
    # without one the graduate stays in the old occupation with the new skill
    O = m.world.n_occupations
    can = old != target
    can[can] = kernels.within_capacity(
        (f * O + target)[can], m.V.ravel(), m.streams["training"].integers(0, 2**63, dtype=np.uint64)
    )
    target = np.where(can, target, old)
    m.V += counts(m.V.shape, f[can], old[can]) - counts(m.V.shape, f[can], target[can])
    m.E += counts(m.E.shape, f, target) - counts(m.E.shape, f, old)
    m.count("occupation_changes", ws.region[idx], (old != target).astype(float))
    ws.skill[idx] = np.maximum(m.skill_now(idx), skill_after)
    ws.occ[idx] = target
    ws.since[idx] = m.t
    new_wage = m.wage_of(f, target, ws.skill[idx].astype(np.float64))
    m.wage_sum += np.bincount(ws.region[idx], weights=new_wage - ws.wage[idx], minlength=m.world.n_regions)
    ws.wage[idx] = new_wage
    ws.programme[idx] = -1
    ws.scheme[idx] |= flag | TRAINED
    m.count_people("completions", idx)
    _completed(m, k)


def _enrol_unemployed(m: LabourMarketModel, rng: np.random.Generator) -> None:
    ws, p = m.ws, m.params
    seek = p["training_seek_rate"]

    def prob(idx: np.ndarray) -> np.ndarray:
        return np.where(ws.status[idx] == UNEMPLOYED, seek, 0.0)

    cand = thinned(rng, len(ws), prob, seek)
    if cand.size == 0:
        return
    wants = checked("WorkerRules.seeks_training", m.rules.seeks_training(m, cand), cand.size, "b")
    cand = cand[wants]
    O = m.world.n_occupations
    for pr in m.providers:
        if pr.kind == "inhouse" or not pr.open_enrolment:
            continue
        mine = cand[(ws.region[cand] == pr.region) & (ws.cred[cand] >= pr.min_credential)]
        # the provider's own trainees leave the pool for the others
        mine = mine[ws.status[mine] == UNEMPLOYED]
        n = pr.admit(mine.size)
        if n == 0:
            continue
        take = rng.permutation(mine)[:n]
        target = checked("WorkerRules.training_target", m.rules.training_target(m, take, pr.targets), n, "i")
        m.transition(take, TRAINING)
        ws.programme[take] = pr.index * O + target
        pr.enrolled += n
        m.count_people("enrolments", take)


def _enrol_employed(m: LabourMarketModel, rng: np.random.Generator) -> None:
    """Employers train some workers of exposed occupations in-house toward less exposed ones."""
    ws, w = m.ws, m.world
    O = w.n_occupations
    exposed = w.exposure >= np.median(w.exposure)
    for pr in m.providers:
        if pr.kind != "inhouse" or not pr.open_enrolment:
            continue
        free = pr.admit(10**9)
        if free <= 0:
            continue
        rate = min(1.0, free / max(1.0, m.E_region[pr.region, exposed].sum()))

        def prob(idx: np.ndarray, r: int = pr.region, rate: float = rate) -> np.ndarray:
            ok = (ws.status[idx] == EMPLOYED) & (ws.region[idx] == r) & (ws.programme[idx] < 0)
            return np.where(ok & exposed[ws.occ[idx]], rate, 0.0)

        take = thinned(rng, len(ws), prob, rate)[:free]
        if take.size == 0:
            continue
        target = checked("WorkerRules.training_target", m.rules.training_target(m, take, pr.targets), take.size, "i")
        ws.programme[take] = pr.index * O + target
        pr.enrolled += take.size
        m.count_people("enrolments", take)


# ---------------------------------------------------------------- 5. migration
def update_diaspora(m: LabourMarketModel, stock: np.ndarray) -> None:
    """Each corridor's diaspora: migrants of the origin in the destination, over the origin's labour force.

    `stock` is the foreign-born count by (origin, region), as the monthly census gives it.
    """
    w = m.world
    c = w.corridors
    m.migrant_stock = np.asarray(stock, dtype=float)[c.origin, c.destination]
    lf = m.S[:, 1:].sum(axis=1).astype(float)
    origin_lf = np.where(c.origin < w.n_regions, lf[np.minimum(c.origin, w.n_regions - 1)], np.inf)
    m.diaspora_share = m.migrant_stock / origin_lf


def migration(m: LabourMarketModel) -> None:
    """Returns (visa ends, kafala exits, permanent returns), then emigration through open visa channels."""
    ws, p, w, rng = m.ws, m.params, m.world, m.streams["migration"]
    c = w.corridors
    for gov in m.governments:
        gov.refresh_quotas()
    _returns(m, rng)
    _sponsored_recruitment(m, rng)
    # emigration from simulated regions (permanent and refugee channels; temporary visas are
    # sponsored by employers, above): candidates at the base rate, then the rules decide
    base = p["migration_consider_rate"]
    has_route = np.zeros(w.n_regions, dtype=bool)
    has_route[c.origin[c.origin < w.n_regions]] = True

    def prob(idx: np.ndarray) -> np.ndarray:
        r = ws.region[idx]
        ok = (ws.status[idx] == EMPLOYED) | (ws.status[idx] == UNEMPLOYED)
        ok &= (ws.mig[idx] == NATIVE) | (ws.mig[idx] == RETURNEE)
        age = (m.t - ws.birth[idx]) / 12.0
        return np.where(ok & has_route[r] & (age < 45), base, 0.0)

    cand = thinned(rng, len(ws), prob, base)
    if cand.size:
        # each candidate looks at one corridor from home, weighted by its diaspora (plus a floor)
        r = ws.region[cand].astype(np.int64)
        weight = np.zeros((w.n_regions, len(c)))
        internal = c.origin < w.n_regions
        weight[c.origin[internal], np.flatnonzero(internal)] = m.migrant_stock[internal] + 1.0
        cum = np.cumsum(weight, axis=1)[r]
        k = np.minimum((cum < rng.random(cand.size)[:, None] * cum[:, -1:]).sum(axis=1), len(c) - 1)
        go = checked("WorkerRules.migration_choice", m.rules.migration_choice(m, cand, k), cand.size, "b")
        cand, k = cand[go], k[go]
        # channel: temporary, refugee or permanent, then visas within the destination's allowance
        channel = c.draw_channel(rng, k, cand.size, temporary=False)
        order = np.lexsort((rng.random(cand.size), k))
        cand, k, channel = cand[order], k[order], channel[order]
        allowed = np.zeros(cand.size, dtype=bool)
        starts = np.searchsorted(k, np.arange(len(c)))
        ends = np.searchsorted(k, np.arange(len(c)), side="right")
        for kk in np.unique(k):
            # the corridor's annual quota covers every channel (work, family, protection)
            n = m.governments[c.destination[kk]].issue_visas(kk, int(ends[kk] - starts[kk]))
            allowed[starts[kk] : starts[kk] + n] = True
        _move(m, cand[allowed], k[allowed], channel[allowed])
    _external_arrivals(m, rng)


def _sponsored_recruitment(m: LabourMarketModel, rng: np.random.Generator) -> None:
    """Employers recruit abroad for vacancies left open a month, on temporary (sponsored) visas.

    Each vacancy unfilled by last month's matching is offered abroad with probability
    `sponsorship_rate`, on one of the destination's corridors with a temporary channel (weighted
    by the corridor's temporary quota), within the government's visa allowance. Recruits from
    outside the simulated regions arrive as new workers; recruits from a simulated origin are
    working-age natives or returnees there who accept the move (`WorkerRules.migration_choice`).
    Either way they start in the vacancy on arrival, as under GCC sponsorship.
    """
    ws, p, w = m.ws, m.params, m.world
    c = w.corridors
    offered = rng.binomial(np.minimum(m.V_carry, m.V), p["sponsorship_rate"])
    for gov in m.governments:
        ks = gov.corridor_ids[c.temporary_share[gov.corridor_ids] > 0]
        firms = np.flatnonzero(m.firm_region == gov.region)
        n_offered = offered[firms]
        if ks.size == 0 or n_offered.sum() == 0 or not gov.borders_open:
            continue
        cell = np.repeat(np.arange(n_offered.size), n_offered.ravel())
        cell = cell[rng.permutation(cell.size)]
        vac_f, vac_o = firms[cell // w.n_occupations], cell % w.n_occupations
        weight = c.annual_quota[ks] * c.temporary_share[ks]
        route = ks[np.minimum(np.searchsorted(np.cumsum(weight), rng.random(cell.size) * weight.sum()), ks.size - 1)]
        for k in ks:
            mine = np.flatnonzero(route == k)
            n = gov.issue_visas(int(k), mine.size)
            if n == 0:
                continue
            recruits = _recruit(m, rng, int(k), n)
            gov.allowance[k] += n - recruits.size  # visas not taken up go back
            if recruits.size == 0:
                continue
            f, o = vac_f[mine[: recruits.size]], vac_o[mine[: recruits.size]]
            skill = m.skill_now(recruits) * m.skill_transfer[ws.occ[recruits], o]
            m.V -= counts(m.V.shape, f, o)
            m.count("sponsored_hires", np.full(recruits.size, gov.region))
            m.hire(recruits, f, o, np.clip(skill, 0.0, 1.0).astype(np.float32))


def _recruit(m: LabourMarketModel, rng: np.random.Generator, k: int, n: int) -> np.ndarray:
    """Up to `n` workers recruited on corridor `k` and moved to its destination on a temporary visa."""
    ws, w = m.ws, m.world
    origin = int(w.corridors.origin[k])
    if origin >= w.n_regions:
        return _arrive_from_outside(m, rng, k, np.full(n, TEMPORARY))
    # working-age natives and returnees of the origin, drawn at a rate that yields a few per visa
    pool = max(1.0, float(m.S[origin, 1] + m.S[origin, 2]))
    rate = min(1.0, 4.0 * n / pool)

    def prob(idx: np.ndarray) -> np.ndarray:
        ok = (ws.region[idx] == origin) & ((ws.status[idx] == EMPLOYED) | (ws.status[idx] == UNEMPLOYED))
        ok &= ((ws.mig[idx] == NATIVE) | (ws.mig[idx] == RETURNEE)) & ((m.t - ws.birth[idx]) < 45 * 12)
        return np.where(ok, rate, 0.0)

    cand = thinned(rng, len(ws), prob, rate)
    if cand.size == 0:
        return cand
    cand = cand[rng.permutation(cand.size)]
    choice = m.rules.migration_choice(m, cand, np.full(cand.size, k))
    go = checked("WorkerRules.migration_choice", choice, cand.size, "b")
    idx = cand[go][:n]
    _move(m, idx, np.full(idx.size, k), np.full(idx.size, TEMPORARY))
    return idx


def _move(m: LabourMarketModel, idx: np.ndarray, k: np.ndarray, channel: np.ndarray) -> None:
    ws, p, c = m.ws, m.params, m.world.corridors
    if idx.size == 0:
        return
    dest = c.destination[k]
    m.count("emigrants", ws.region[idx])
    m.count("trained_emigrants", ws.region[idx], ((ws.scheme[idx] & TRAINED) > 0).astype(float))
    m.count("graduate_emigrants", ws.region[idx], (ws.cred[idx] >= POST_SECONDARY).astype(float))
    m.count("immigrants", dest)
    m.migration_flow += counts(m.migration_flow.shape, ws.origin[idx], dest)
    m.transition(idx, UNEMPLOYED, region=dest)
    ws.mig[idx] = channel
    ws.programme[idx] = -1
    ws.visa_end[idx] = np.where(channel == TEMPORARY, m.t + int(p["temporary_visa_months"]), -1)
    ws.recog[idx] = np.where(ws.cred[idx] >= 2, PENDING, NOT_NEEDED)
    ret_age = m.world.rp("retirement_age")[dest]
    ws.retire_at[idx] = ws.birth[idx] + np.round(ret_age * 12).astype(np.int16)


def _returns(m: LabourMarketModel, rng: np.random.Generator) -> None:
    ws, p, w = m.ws, m.params, m.world
    live = ws.status != VACANT
    temp = np.flatnonzero(live & (ws.mig == TEMPORARY))
    # a temporary visa ends: renewed if employed (with a probability), else the worker goes home;
    # a temporary migrant out of work longer than the grace period must leave (kafala sponsorship)
    ended = temp[ws.visa_end[temp] <= m.t]
    renew = (ws.status[ended] == EMPLOYED) & (rng.random(ended.size) < p["visa_renewal_prob"])
    renew &= (ws.scheme[ended] & CIRCULAR) == 0  # circular schemes: a fixed stay, then home
    ws.visa_end[ended[renew]] = m.t + int(p["temporary_visa_months"])
    jobless = temp[(ws.status[temp] != EMPLOYED) & (m.t - ws.since[temp] >= p["temporary_jobless_months"])]
    leave = np.union1d(ended[~renew], jobless)
    # permanent migrants and refugees return at a low monthly hazard
    settled = thinned(
        rng,
        len(ws),
        lambda i: np.where(
            (ws.status[i] != VACANT) & ((ws.mig[i] == PERMANENT) | (ws.mig[i] == REFUGEE)),
            p["permanent_return_rate"],
            0.0,
        ),
        p["permanent_return_rate"],
    )
    leave = np.union1d(leave, settled)
    if leave.size == 0:
        return
    home = ws.origin[leave].astype(np.int64)
    m.count("returns", ws.region[leave])
    internal = home < w.n_regions
    back = leave[internal]
    # returnees bring their experience home (a skill premium) and keep their credential
    m.count("returnees", home[internal])
    m.return_flow += counts(m.return_flow.shape, home, ws.region[leave])
    circular = (ws.scheme[back] & CIRCULAR) > 0
    skill = np.minimum(1.0, m.skill_now(back) + p["return_skill_gain"] + circular * m.circular_return_gain)
    m.transition(back, UNEMPLOYED, region=home[internal])
    ws.skill[back] = skill
    m.count("returnee_skill", home[internal], skill)
    ws.mig[back] = RETURNEE
    ws.visa_end[back] = -1
    ws.recog[back] = NOT_NEEDED
    ret_age = w.rp("retirement_age")[home[internal]]
    ws.retire_at[back] = ws.birth[back] + np.round(ret_age * 12).astype(np.int16)
    # migrants from outside the simulated regions leave the model
    m.transition(leave[~internal], VACANT)


def _external_arrivals(m: LabourMarketModel, rng: np.random.Generator) -> None:
    """Migrants from origins outside the simulated regions arrive within their corridor's quota."""
    p, w = m.params, m.world
    c = w.corridors
    ext = np.flatnonzero(c.origin >= w.n_regions)
    for k in ext:
        gov = m.governments[c.destination[k]]
        # temporary visas are sponsored by employers (`_sponsored_recruitment`); these are the others
        monthly = c.annual_quota[k] * (1.0 - c.temporary_share[k]) / 12.0 / m.scale
        n = gov.issue_visas(int(k), int(rng.poisson(monthly * p["external_fill_rate"])))
        if n == 0:
            continue
        _arrive_from_outside(m, rng, int(k), c.draw_channel(rng, k, n, temporary=False))


def _arrive_from_outside(m: LabourMarketModel, rng: np.random.Generator, k: int, channel: np.ndarray) -> np.ndarray:
    """New workers from the external origin of corridor `k`, one per entry of `channel`, arrive unemployed."""
    ws, p, c = m.ws, m.params, m.world.corridors
    n, d, origin = channel.size, int(c.destination[k]), int(c.origin[k])
    idx = m.free_slots(n)
    _new_worker(m, idx, d, rng)
    ws.origin[idx] = origin
    m.count("immigrants", np.full(n, d))
    m.migration_flow[origin, d] += n
    m.transition(idx, UNEMPLOYED, region=d)
    ws.mig[idx] = channel
    ws.visa_end[idx] = np.where(channel == TEMPORARY, m.t + int(p["temporary_visa_months"]), -1)
    ws.recog[idx] = np.where(ws.cred[idx] >= 2, PENDING, NOT_NEEDED)
    return idx


# ---------------------------------------------------------------- 6. recognition
def recognition(m: LabourMarketModel) -> None:
    """Pending foreign credentials are decided: recognised or downgraded, at each corridor's rates."""
    ws, rng = m.ws, m.streams["recognition"]
    pend = np.flatnonzero(ws.recog == PENDING)
    pend = pend[ws.status[pend] != VACANT]
    if pend.size == 0:
        return
    k = m.corridor_of[ws.origin[pend], ws.region[pend]]
    known = k >= 0
    pend, k = pend[known], k[known]
    decide = np.zeros(pend.size)
    approve = np.zeros(pend.size)
    for gov in m.governments:
        mine = ws.region[pend] == gov.region
        if mine.any():
            decide[mine], approve[mine] = gov.recognition_rates(k[mine])
    # refugees with a qualification passport where one is accepted (policy `recognition`)
    dest = ws.region[pend]
    passport = (ws.mig[pend] == REFUGEE) & ~np.isnan(m.passport_months[dest])
    decide[passport] = 1.0 / m.passport_months[dest[passport]]
    approve[passport] = np.maximum(approve[passport], m.passport_approval[dest[passport]])
    # pre-departure training prepares the file and the language (policy `pre_departure`)
    prepared = (ws.scheme[pend] & PREPARED) > 0
    approve[prepared] = np.minimum(1.0, approve[prepared] + m.prepared_approval_bonus)
    decided = rng.random(pend.size) < decide
    ok = rng.random(pend.size) < approve
    ws.recog[pend[decided & ok]] = RECOGNISED
    ws.recog[pend[decided & ~ok]] = DOWNGRADED
    m.count("recognised", ws.region[pend[decided & ok]])
    m.count("downgraded", ws.region[pend[decided & ~ok]])


# ---------------------------------------------------------------- 7. search and matching
def search_and_matching(m: LabourMarketModel) -> None:
    """Applications along the mobility network, employers pick among applicants, workers take the best offer.

    Applications go to occupations in the worker's own region, weighted by `WorkerRules.search_weights`;
    a share `on_the_job_search_rate` of the employed send one application a month too, and move
    if the offer pays more (a job-to-job move frees their old job). Matching is urn-ball, as in
    del Rio-Chanona et al. (2021): each application lands on a random
    vacancy of its (region, occupation), and a vacancy that received any offers the job to the best
    of them (skill, credential fit); a worker with several offers takes the best paid one if it
    beats the reservation wage (`WorkerRules.accept`).
    """
    ws, p, w, rng = m.ws, m.params, m.world, m.streams["matching"]
    R, O = w.n_regions, w.n_occupations
    # the unemployed, and a few employed workers with one application each (on-the-job search)
    key = rng.integers(0, 2**63, dtype=np.uint64)
    unemployed, looking = kernels.searchers(ws.status, p["on_the_job_search_rate"], key)
    U = np.concatenate([unemployed, looking])
    if U.size == 0 or m.V.sum() == 0:
        m.V_carry = m.V.copy()
        return
    n_app = np.concatenate(
        [
            checked("WorkerRules.applications", m.rules.applications(m, unemployed), unemployed.size, "i"),
            np.ones(looking.size, dtype=np.int64),
        ]
    ).astype(np.int64)
    weights = np.asarray(m.rules.search_weights(m), dtype=np.float64)
    if weights.shape != (R, O, 4, O):
        raise TypeError(f"WorkerRules.search_weights returned shape {weights.shape}; expected {(R, O, 4, O)}")
    # each row of weights has few non-zero targets (the network's neighbours): draw among those
    indptr, cols, cum = kernels.sparse_rows(weights.reshape(-1, O))
    # what employers see of each searcher, gathered once in worker order
    u_region = ws.region[U].astype(np.int64)
    u_occ = ws.occ[U].astype(np.int64)
    u_cred = ws.effective_credential(U).astype(np.int64)
    u_skill = m.skill_now(U)
    rows = (u_region * O + u_occ) * 4 + u_cred
    # vacancies: one entry per open job, with its employer and occupation, grouped by cell
    vac_id = np.repeat(np.arange(m.V.size), m.V.ravel())
    vac_f, vac_o = vac_id // O, vac_id % O
    vac_order, vac_start, vac_size = kernels.group_by(m.firm_region[vac_f] * O + vac_o, R * O)
    # each application lands on a random vacancy of its cell; the employer offers the job to the
    # best application it received (skill, credential fit, and what the model does not see)
    required = w.skill_level - 1  # a credential fits an occupation of its level, give or take one
    fit_weight = p["credential_fit_weight"]
    noise_weight = p["employer_choice_noise"]
    searchers = (rows, n_app, indptr, cols, cum, u_region, p["employer_skill_weight"] * u_skill, u_cred)
    key = rng.integers(0, 2**63, dtype=np.uint64)
    best = kernels.urn_ball(*searchers, required, fit_weight, noise_weight, vac_order, vac_start, vac_size, key)
    filled = np.flatnonzero(best >= 0)
    if filled.size == 0:
        return
    offer, vac_f, vac_o = best[filled], vac_f[filled], vac_o[filled]
    # skill carried into the new occupation: full in the same one, by task similarity elsewhere
    carried = u_skill[offer] * m.skill_transfer[u_occ[offer], vac_o]
    wage = m.wage_of(vac_f, vac_o, carried)
    # best offer per worker: the highest wage (the earliest vacancy on ties)
    chosen = kernels.best_per_group(offer, wage, U.size)
    take = checked("WorkerRules.accept", m.rules.accept(m, U[offer[chosen]], wage[chosen]), chosen.size, "b")
    chosen = chosen[take]
    hired, f, o = offer[chosen], vac_f[chosen], vac_o[chosen]
    who, region = U[hired], u_region[hired]
    from_job = hired >= unemployed.size
    m.V -= counts(m.V.shape, f, o)
    m.count("hires", region[~from_job])
    m.count("job_to_job", region[from_job])
    m.count("occupation_changes", region, (u_occ[hired] != o).astype(float))
    over = (ws.cred[who] == TERTIARY) & w.low_skill[o] & ~from_job
    m.count("overqualified_hires", region, over.astype(float))
    m.count("displaced_reemployed", region, ((ws.displaced[who] >= 0) & ~from_job).astype(float))
    # a worker who moves on leaves a job that the employer advertises again at once
    movers = who[from_job]
    m.V += counts(m.V.shape, ws.employer[movers], ws.occ[movers])
    m.hire(who, f, o, np.clip(carried[chosen], 0.0, 1.0).astype(np.float32))
    m.V_carry = m.V.copy()


# ---------------------------------------------------------------- 8. demography
def demography(m: LabourMarketModel) -> None:
    """Workers reaching their retirement month leave; young entrants arrive with education levels."""
    ws, w, rng = m.ws, m.world, m.streams["demography"]
    retiring = np.flatnonzero(ws.retire_at == m.t)
    retiring = retiring[ws.status[retiring] != VACANT]
    m.count("retirements", ws.region[retiring])
    m.transition(retiring, VACANT)
    lf = m.S[:, 1:].sum(axis=1)
    n_new = rng.poisson(lf * w.rp("entry_rate") / 12.0)
    total = int(n_new.sum())
    if total == 0:
        return
    idx = m.free_slots(total)
    region = np.repeat(np.arange(w.n_regions), n_new)
    _new_worker(m, idx, region, rng)
    m.count("entrants", region)
    m.transition(idx, UNEMPLOYED, region=region)


def _new_worker(m: LabourMarketModel, idx: np.ndarray, region: np.ndarray | int, rng: np.random.Generator) -> None:
    """Fill vacant slots `idx` with young workers of `region`: education, age, sex, an entry occupation."""
    ws, w, p = m.ws, m.world, m.params
    n = idx.size
    region = np.broadcast_to(np.asarray(region, dtype=np.int64), (n,))
    edu = np.stack([w.rp(e) for e in EDUCATION], axis=1)
    cum = np.cumsum(edu[region], axis=1)
    cred = (cum < rng.random(n)[:, None] * cum[:, -1:]).sum(axis=1)
    entry_age = np.array([16.0, 19.0, 21.0, 23.0])[cred] + rng.random(n) * 3.0
    ws.birth[idx] = (m.t - np.round(entry_age * 12)).astype(np.int16)
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
    weights = np.asarray(m.rules.entry_weights(m), dtype=np.float64)
    if weights.shape != (w.n_regions, 4, w.n_occupations):
        raise TypeError(
            f"WorkerRules.entry_weights returned shape {weights.shape}; expected {(w.n_regions, 4, w.n_occupations)}"
        )
    cum = np.cumsum(weights, axis=2)[region, cred]
    ws.occ[idx] = np.minimum((cum < rng.random(n)[:, None] * cum[:, -1:]).sum(axis=1), w.n_occupations - 1)
    ws.skill[idx] = p["entrant_skill"]
    ws.region[idx] = region


# ---------------------------------------------------------------- 9. record
def record(m: LabourMarketModel) -> None:
    """Monthly aggregates into the recorder; the census behind them also updates the diaspora stocks."""
    m.unemployment_rate_now = m.S[:, 2] / np.maximum(1, m.S[:, 1] + m.S[:, 2])
    m.recorder.record()
    update_diaspora(m, m.foreign_stock)
