"""Phase 4, `training`: providers advance their trainees, admit new ones up to their seats, and are paid."""

from __future__ import annotations

import numpy as np

from fowsim import kernels
from fowsim.codes import ACTIVE, EMPLOYED, NOT_NEEDED, TRAINED, TRAINING, UNEMPLOYED, VACANT
from fowsim.phases.base import Phase
from fowsim.sampling import thinned
from fowsim.sim import Simulation


class Training(Phase):
    """Providers advance their trainees (graduation, drop-out), admit new ones up to their seats, and are paid.

    Full-time trainees (status training, off the market) graduate after the programme's
    duration; trainees who stay on the market (in-house at work, online while searching) finish
    at a monthly hazard 1/duration from the month after they start. Every month a trainee is
    enrolled, the first one included, costs the provider's monthly cost, split
    between public money and the provider's payer; a policy-run provider stops the programmes
    it can no longer pay for (`pay_providers`).
    """

    name = "training"
    stream = "training"

    def __call__(self, model: Simulation, rng: np.random.Generator | None) -> None:
        assert rng is not None
        ws, mk, tally, t = model.ws, model.market, model.tally, model.t
        prov = model.providers
        duration = np.array([pr.duration for pr in prov])
        hazard = np.array([pr.dropout_hazard for pr in prov])
        O = model.world.n_occupations
        # trainees off the market
        T = np.flatnonzero(ws.status == TRAINING)
        if T.size:
            code = ws.programme[T].astype(np.int64)
            k, target = code // O, code % O
            drop = (rng.random(T.size) < hazard[k]) & (ws.since[T] < t)  # who started this month trains this month
            done = ~drop & (t - ws.since[T] >= duration[k])
            tally.count_people("dropouts", T[drop])
            ws.programme[T[drop]] = -1
            mk.transition(T[drop | done], UNEMPLOYED)
            graduate(model, T[done], k[done], target[done])
        # trainees on the market: completion is a monthly hazard 1/duration, drop-out one that leaves
        # the provider's completion share finishing
        I = np.flatnonzero(ws.programme >= 0)
        I = I[np.isin(ws.status[I], ACTIVE)]  # (an informal worker graduates as the unemployed do)
        if tally.started:  # who started this month trains this month
            I = I[~np.isin(I, np.concatenate(tally.started))]
        if I.size:
            code = ws.programme[I].astype(np.int64)
            k, target = code // O, code % O
            completion = np.array([pr.completion for pr in prov])
            hazard = (1.0 - completion) / completion / duration
            u = rng.random(I.size)
            drop = u < hazard[k]
            done = ~drop & (u < hazard[k] + 1.0 / duration[k])
            at_work = ws.status[I] == EMPLOYED
            upskill(model, rng, I[done & at_work], k[done & at_work], target[done & at_work])
            graduate(model, I[done & ~at_work], k[done & ~at_work], target[done & ~at_work])
            tally.count_people("dropouts", I[drop])
            ws.programme[I[drop]] = -1
        count_trainees(model)  # the seats the month's leavers freed
        fund_household_training(model)
        enrol_unemployed(model, rng)
        enrol_employed(model, rng)
        pay_providers(model, rng)  # every month in a programme is paid, the first one too


def trainees(model: Simulation) -> tuple[np.ndarray, np.ndarray]:
    """Workers in a programme, and the index of their provider."""
    ws = model.ws
    enrolled = np.flatnonzero(ws.programme >= 0)
    enrolled = enrolled[ws.status[enrolled] != VACANT]
    return enrolled, ws.programme[enrolled].astype(np.int64) // model.world.n_occupations


def count_trainees(model: Simulation) -> None:
    """Each provider's `enrolled`: its trainees now."""
    per_provider = np.bincount(trainees(model)[1], minlength=len(model.providers))
    for pr, n in zip(model.providers, per_provider):
        pr.enrolled = int(n)


def pay_providers(model: Simulation, rng: np.random.Generator) -> None:
    """Every trainee costs their provider's monthly cost; a policy's provider pays only within its budget.

    The public share of the cost is charged to the owning policy (`Policy.charge`); where the
    budget left does not cover all trainees, a random subset of them is funded and the others'
    programmes end (recorded as `unfunded_exits`), so spending never exceeds a budget.
    """
    ws, mk, tally = model.ws, model.market, model.tally
    enrolled, code = trainees(model)
    per_provider = np.bincount(code, minlength=len(model.providers))
    pay = mk.pay_level()
    for pr, n in zip(model.providers, per_provider):
        unit = pr.monthly_cost(pay) * model.scale
        if pr.owner is not None and n > 0 and unit * pr.public_share > 0:
            funded = pr.owner.affordable(unit * pr.public_share, int(n))
            if funded < n:
                mine = enrolled[code == pr.index]
                cut = rng.permutation(mine)[: n - funded]
                ws.programme[cut] = -1
                mk.transition(cut[ws.status[cut] == TRAINING], UNEMPLOYED)
                tally.count("unfunded_exits", ws.region[cut])
                n = funded
        pr.enrolled = int(n)
        cost = n * unit
        public = cost * pr.public_share
        pr.spent += cost
        tally.spend("public", pr.payer_region, public)
        tally.spend(pr.payer, pr.payer_region, cost - public)
        if pr.owner is not None:
            pr.owner.charge(public, cost)


# A full initial vocational qualification: German dual apprenticeships last two to three and a
# half years, most of them three (BIBB, "The dual system in the German VET system").
FULL_QUALIFICATION_MONTHS = 36


def taught_share(duration_months: float, training_yield: float = 1.0) -> float:
    """Share of the skill a worker lacks in an occupation that a programme of `duration_months` teaches.

    In proportion to its length against a full initial vocational qualification
    (`FULL_QUALIFICATION_MONTHS`), times `training_yield`, at most all of it: with a yield of 1 a
    nine-month retraining course teaches a quarter of what its graduates lack, a three-month course
    a twelfth. ASSUMPTION (the proportionality; the length of a full qualification is BIBB's). The
    yield (parameter `training_yield`) is fitted (`fowsim.calibration.fit_training_yield`): what a
    month teaches is measured nowhere, but what programmes do to their participants' employment
    is (Card, Kluve & Weber 2018). A policy's `skill_after`, where set, replaces it.
    """
    return float(min(1.0, max(0.0, training_yield * duration_months) / FULL_QUALIFICATION_MONTHS))


def trained_skill(model: Simulation, idx: np.ndarray, old: np.ndarray, target: np.ndarray,
                  gain: np.ndarray) -> np.ndarray:  # fmt: skip
    """Skill of workers `idx` in `target` after a programme that teaches `gain` of what they lack there.

    What a worker brings is the skill of the old occupation carried by task similarity
    (`Market.skill_transfer`: all of it in the same occupation, little between distant ones);
    the programme closes the share `gain` of the gap to full skill. Nobody keeps a full skill
    by changing occupation, and a programme that teaches nothing (`gain` 0) leaves a worker
    who changes occupation with less skill than before. ASSUMPTION (the rule, and each
    programme's gain in parameters.csv).
    """
    carried = model.market.skill_now(idx) * model.market.skill_transfer[old, target]
    return carried + (1.0 - carried) * gain


def graduate(model: Simulation, idx: np.ndarray, k: np.ndarray, target: np.ndarray) -> None:
    """Graduates gain the programme's credential and skill in its target occupation (their status is kept)."""
    ws = model.ws
    if idx.size == 0:
        return
    award = np.array([pr.award for pr in model.providers])[k]
    skill_after = np.array([pr.skill_after for pr in model.providers])[k]
    flag = np.array([pr.flag for pr in model.providers], dtype=np.uint16)[k]
    ws.cred[idx] = np.maximum(ws.cred[idx], award)
    # a credential earned where one lives needs no recognition there
    formal = award >= 0
    ws.recog[idx[formal]] = NOT_NEEDED
    # skill is stored as of the month the status began: scale it so that it is `skill_after` now
    p = model.params
    out_since = np.maximum(model.t - ws.since[idx] - p["skill_loss_grace"], 0.0)
    kept = np.exp(-p["skill_decay_rate"] * out_since)
    skill = trained_skill(model, idx, ws.occ[idx].astype(np.int64), target.astype(np.int64), skill_after)
    ws.skill[idx] = (skill / kept).astype(np.float32)
    ws.occ[idx] = target
    ws.programme[idx] = -1
    ws.scheme[idx] |= flag | TRAINED
    model.tally.count_people("completions", idx)
    completed(model, k)


def completed(model: Simulation, k: np.ndarray) -> None:
    """Count completions per provider (`k`: the provider of each graduate)."""
    for pr, n in zip(model.providers, np.bincount(k, minlength=len(model.providers))):
        pr.completed += int(n)


def upskill(model: Simulation, rng: np.random.Generator, idx: np.ndarray, k: np.ndarray, target: np.ndarray) -> None:
    """In-house graduates move to the target occupation at their employer, or gain skill in their own.

    A move needs an open vacancy of the target at the employer (the job left is advertised
    again); without one the graduate stays in the old occupation with the new skill.
    """
    ws = model.ws
    if idx.size == 0:
        return
    f = ws.employer[idx].astype(np.int64)
    old = ws.occ[idx].astype(np.int64)
    skill_after = np.array([pr.skill_after for pr in model.providers])[k]
    flag = np.array([pr.flag for pr in model.providers], dtype=np.uint16)[k]
    O = model.world.n_occupations
    can = old != target
    can[can] = kernels.within_capacity(
        (f * O + target)[can], model.market.V.ravel(), rng.integers(0, 2**63, dtype=np.uint64)
    )
    target = np.where(can, target, old)
    model.market.upskill(idx, f, old, target, trained_skill(model, idx, old, target, skill_after))
    ws.programme[idx] = -1
    ws.scheme[idx] |= flag | TRAINED
    model.tally.count_people("completions", idx)
    completed(model, k)


def fund_household_training(model: Simulation) -> None:
    """Households pay for training from the remittances they receive: the seats of each region's `household` provider.

    A share `remittance_training_share` of the remittances a region received last month
    (`Migration.remittances_received`) buys trainee-months of a TVET course at its monthly cost:
    that many seats, in simulated workers. Remittances pay for schooling and training at home (Yang
    2008; Ambler, Aycinena & Yang 2015; the share spent on adults' training is an ASSUMPTION).
    """
    received = model.migration.remittances_received()
    share = model.params["remittance_training_share"]
    pay = model.market.pay_level()
    for pr in model.providers:
        if pr.kind == "household":
            unit = pr.monthly_cost(pay) * model.scale
            pr.seats = share * received[pr.region] / unit if unit > 0 else 0.0


def enrol_unemployed(model: Simulation, rng: np.random.Generator) -> None:
    """Unemployed workers who seek training (`WorkerRules.seeks_training`) take free seats of open providers."""
    ws, p = model.ws, model.params
    seek = p["training_seek_rate"]

    def prob(idx: np.ndarray) -> np.ndarray:
        return np.where(ws.status[idx] == UNEMPLOYED, seek, 0.0)

    cand = thinned(rng, len(ws), prob, seek)
    if cand.size == 0:
        return
    cand = cand[model.decide.seeks_training(cand, rng)]
    O = model.world.n_occupations
    for pr in model.providers:
        if pr.kind == "inhouse" or not pr.open_enrolment:
            continue
        mine = cand[(ws.region[cand] == pr.region) & (ws.cred[cand] >= pr.min_credential)]
        # the provider's own trainees leave the pool for the others
        mine = mine[ws.status[mine] == UNEMPLOYED]
        n = pr.admit(mine.size)
        if n == 0:
            continue
        take = rng.permutation(mine)[:n]
        target = model.decide.training_target(take, pr.targets, rng)
        model.market.transition(take, TRAINING)
        ws.programme[take] = pr.index * O + target
        pr.enrolled += n
        model.tally.count_people("enrolments", take)


def enrol_employed(model: Simulation, rng: np.random.Generator) -> None:
    """Employers train some workers of exposed occupations in-house toward less exposed ones."""
    ws, w = model.ws, model.world
    O = w.n_occupations
    exposed = w.exposure >= np.median(w.exposure)
    for pr in model.providers:
        if pr.kind != "inhouse" or not pr.open_enrolment:
            continue
        free = pr.admit(10**9)
        if free <= 0:
            continue
        rate = min(1.0, free / max(1.0, model.market.E_region[pr.region, exposed].sum()))

        def prob(idx: np.ndarray, r: int = pr.region, rate: float = rate) -> np.ndarray:
            ok = (ws.status[idx] == EMPLOYED) & (ws.region[idx] == r) & (ws.programme[idx] < 0)
            return np.where(ok & exposed[ws.occ[idx]], rate, 0.0)

        take = thinned(rng, len(ws), prob, rate)[:free]
        if take.size == 0:
            continue
        target = model.decide.training_target(take, pr.targets, rng)
        ws.programme[take] = pr.index * O + target
        pr.enrolled += take.size
        model.tally.count_people("enrolments", take)
