"""Phase 5, `migration`: returns (visa ends, kafala exits, permanent returns), then emigration through open channels.

`recruit` and `arrive_from_outside` are public: a policy that recruits abroad (circular mobility)
uses them with its own random stream.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from fowsim.codes import (
    ACTIVE,
    CIRCULAR,
    EMPLOYED,
    NATIVE,
    NOT_NEEDED,
    PERMANENT,
    REFUGEE,
    RETURNEE,
    TEMPORARY,
    UNEMPLOYED,
    VACANT,
)
from fowsim.phases.base import Phase
from fowsim.phases.demography import new_workers
from fowsim.sampling import categorical, thinned
from fowsim.sim import Simulation


class Migration(Phase):
    """Returns, employers' sponsored recruitment abroad, emigration within the corridors' quotas, arrivals from outside.

    Visas are issued by each destination's government within its corridors' allowances
    (`Government.issue_visas`). Emigration from simulated regions: candidates at the base rate
    `migration_consider_rate`, each looking at one corridor from home weighted by its diaspora,
    decide by `WorkerRules.migration_choice`.
    """

    name = "migration"
    stream = "migration"

    def __call__(self, model: Simulation, rng: np.random.Generator | None) -> None:
        assert rng is not None
        ws, p, w = model.ws, model.params, model.world
        c = w.corridors
        for gov in model.governments:
            gov.refresh_quotas()
        returns(model, rng)
        sponsored_recruitment(model, rng)
        # emigration from simulated regions (permanent and refugee channels; temporary visas are
        # sponsored by employers, above): candidates at the base rate, then the rules decide
        base = p["migration_consider_rate"]
        has_route = np.zeros(w.n_regions, dtype=bool)
        has_route[c.origin[c.origin < w.n_regions]] = True
        t = model.t

        def prob(idx: np.ndarray) -> np.ndarray:
            r = ws.region[idx]
            ok = np.isin(ws.status[idx], ACTIVE)
            ok &= (ws.mig[idx] == NATIVE) | (ws.mig[idx] == RETURNEE)
            age = (t - ws.birth[idx]) / 12.0
            return np.where(ok & has_route[r] & (age < 45), base, 0.0)

        cand = thinned(rng, len(ws), prob, base)
        if cand.size:
            # each candidate looks at one corridor from home, weighted by its diaspora (plus a floor)
            r = ws.region[cand].astype(np.int64)
            weight = np.zeros((w.n_regions, len(c)))
            internal = c.origin < w.n_regions
            weight[c.origin[internal], np.flatnonzero(internal)] = model.migration.migrant_stock[internal] + 1.0
            k = categorical(np.cumsum(weight, axis=1)[r], rng.random(cand.size))
            go = model.decide.migration_choice(cand, k, rng)
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
                n = model.governments[c.destination[kk]].issue_visas(kk, int(ends[kk] - starts[kk]))
                allowed[starts[kk] : starts[kk] + n] = True
            model.migration.move(cand[allowed], k[allowed], channel[allowed])
        external_arrivals(model, rng)


def sponsored_recruitment(model: Simulation, rng: np.random.Generator) -> None:
    """Employers recruit abroad for vacancies left open a month, on temporary (sponsored) visas.

    Each vacancy unfilled by last month's matching is offered abroad with probability
    `sponsorship_rate`, on one of the destination's corridors with a temporary channel (weighted
    by the corridor's temporary quota), within the government's visa allowance. Recruits from
    outside the simulated regions arrive as new workers; recruits from a simulated origin are
    working-age natives or returnees there who accept the move (`WorkerRules.migration_choice`).
    Either way they start in the vacancy on arrival, as under GCC sponsorship.
    """
    ws, p, w, mk = model.ws, model.params, model.world, model.market
    c = w.corridors
    offered = rng.binomial(np.minimum(mk.V_carry, mk.V), p["sponsorship_rate"])
    quota = w.annual_quota()
    for gov in model.governments:
        ks = gov.corridor_ids[c.temporary_share[gov.corridor_ids] > 0]
        firms = np.flatnonzero(mk.firm_region == gov.region)
        n_offered = offered[firms]
        if ks.size == 0 or n_offered.sum() == 0 or not gov.borders_open:
            continue
        cell = np.repeat(np.arange(n_offered.size), n_offered.ravel())
        cell = cell[rng.permutation(cell.size)]
        vac_f, vac_o = firms[cell // w.n_occupations], cell % w.n_occupations
        weight = quota[ks] * c.temporary_share[ks]
        route = ks[np.minimum(np.searchsorted(np.cumsum(weight), rng.random(cell.size) * weight.sum()), ks.size - 1)]
        for k in ks:
            mine = np.flatnonzero(route == k)
            n = gov.issue_visas(int(k), mine.size)
            if n == 0:
                continue
            recruits = recruit(model, int(k), n, rng)
            gov.allowance[k] += n - recruits.size  # visas not taken up go back
            if recruits.size == 0:
                continue
            f, o = vac_f[mine[: recruits.size]], vac_o[mine[: recruits.size]]
            skill = mk.skill_now(recruits) * mk.skill_transfer[ws.occ[recruits], o]
            mk.fill(f, o)
            model.tally.count("sponsored_hires", np.full(recruits.size, gov.region))
            mk.hire(recruits, f, o, np.clip(skill, 0.0, 1.0).astype(np.float32))


def recruit(
    model: Simulation,
    k: int,
    n: int,
    rng: np.random.Generator,
    lottery: Callable[[np.ndarray, np.ndarray], None] | None = None,
) -> np.ndarray:
    """Up to `n` workers recruited on corridor `k` and moved to its destination on a temporary visa; returns who.

    From an origin outside the simulated regions they arrive as new workers; from a simulated
    origin they are working-age natives and returnees there who accept the move
    (`WorkerRules.migration_choice`), taken in random order: `lottery(applicants, chosen)`, where
    given, records that draw before they move. Every draw comes from `rng`, the caller's stream.
    """
    ws, w = model.ws, model.world
    origin = int(w.corridors.origin[k])
    if origin >= w.n_regions:
        return arrive_from_outside(model, k, np.full(n, TEMPORARY), rng)
    # working-age natives and returnees of the origin, drawn at a rate that yields a few per visa
    S = model.market.S
    pool = max(1.0, float(S[origin, list(ACTIVE)].sum()))
    rate = min(1.0, 4.0 * n / pool)
    t = model.t

    def prob(idx: np.ndarray) -> np.ndarray:
        ok = (ws.region[idx] == origin) & np.isin(ws.status[idx], ACTIVE)
        ok &= ((ws.mig[idx] == NATIVE) | (ws.mig[idx] == RETURNEE)) & ((t - ws.birth[idx]) < 45 * 12)
        return np.where(ok, rate, 0.0)

    cand = thinned(rng, len(ws), prob, rate)
    if cand.size == 0:
        return cand
    cand = cand[rng.permutation(cand.size)]
    go = model.decide.migration_choice(cand, np.full(cand.size, k), rng)
    idx = cand[go][:n]
    if lottery is not None:
        lottery(cand[go], idx)
    model.migration.move(idx, np.full(idx.size, k), np.full(idx.size, TEMPORARY))
    return idx


def arrive_from_outside(model: Simulation, k: int, channel: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """New workers from the external origin of corridor `k`, one per entry of `channel`, arrive unemployed."""
    idx = model.ws.free_slots(channel.size)
    new_workers(model, idx, int(model.world.corridors.destination[k]), rng)
    model.migration.arrive(idx, k, channel)
    return idx


def returns(model: Simulation, rng: np.random.Generator) -> None:
    """Temporary visas end or lapse, permanent migrants and refugees decide to return; returnees go home."""
    ws, p, w, mk, t = model.ws, model.params, model.world, model.market, model.t
    live = ws.status != VACANT
    temp = np.flatnonzero(live & (ws.mig == TEMPORARY))
    # a temporary visa ends: renewed if employed (with a probability), else the worker goes home;
    # a temporary migrant out of work longer than the grace period must leave (kafala sponsorship)
    ended = temp[ws.visa_end[temp] <= t]
    renew = (ws.status[ended] == EMPLOYED) & (rng.random(ended.size) < p["visa_renewal_prob"])
    renew &= (ws.scheme[ended] & CIRCULAR) == 0  # circular schemes: a fixed stay, then home
    ws.visa_end[ended[renew]] = t + int(p["temporary_visa_months"])
    jobless = temp[(ws.status[temp] != EMPLOYED) & (t - ws.since[temp] >= p["temporary_jobless_months"])]
    leave = np.union1d(ended[~renew], jobless)
    # permanent migrants and refugees decide to return, more often when out of work abroad or when
    # conditions at home have improved against those abroad (`WorkerRules.return_hazard`)
    most = min(1.0, 4.0 * p["permanent_return_rate"] * max(1.0, p["return_unemployed_factor"]))

    def hazard(i: np.ndarray) -> np.ndarray:
        settled = (ws.status[i] != VACANT) & ((ws.mig[i] == PERMANENT) | (ws.mig[i] == REFUGEE))
        out = np.zeros(i.size)
        out[settled] = np.minimum(model.decide.return_hazard(i[settled]), most)
        return out

    settled = thinned(rng, len(ws), hazard, most)
    leave = np.union1d(leave, settled)
    if leave.size == 0:
        return
    home = ws.origin[leave].astype(np.int64)
    model.tally.count_people("returns", leave)
    internal = home < w.n_regions
    back = leave[internal]
    # returnees bring their experience home (a skill premium, more from some schemes) and keep their credential
    model.tally.count("returnees", home[internal])
    model.migration.record_returns(home, ws.region[leave])
    gain = model.migration.return_gain(back)
    skill = np.minimum(1.0, mk.skill_now(back) + p["return_skill_gain"] + gain)
    before = ws.region[back].copy()
    mk.transition(back, UNEMPLOYED, region=home[internal])
    ws.retire_at[back] = w.moved_exit_month(home[internal], before, ws.birth[back], ws.retire_at[back])
    ws.skill[back] = skill
    model.tally.count("returnee_skill", home[internal], skill)
    ws.mig[back] = RETURNEE
    ws.visa_end[back] = -1
    ws.recog[back] = NOT_NEEDED
    # migrants from outside the simulated regions leave the model
    mk.transition(leave[~internal], VACANT)


def external_arrivals(model: Simulation, rng: np.random.Generator) -> None:
    """Migrants from origins outside the simulated regions arrive within their corridor's quota."""
    p, w = model.params, model.world
    c = w.corridors
    ext = np.flatnonzero(c.origin >= w.n_regions)
    quota = w.annual_quota()
    for k in ext:
        gov = model.governments[c.destination[k]]
        # temporary visas are sponsored by employers (`sponsored_recruitment`); these are the others
        monthly = quota[k] * (1.0 - c.temporary_share[k]) / 12.0 / model.scale
        n = gov.issue_visas(int(k), int(rng.poisson(monthly * p["external_fill_rate"])))
        if n == 0:
            continue
        arrive_from_outside(model, int(k), c.draw_channel(rng, k, n, temporary=False), rng)
