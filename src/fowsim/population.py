"""The initial workforce: a stratified sample of each region's labour force, natives and migrants.

Each simulated worker stands for `scale = total labour force / workers` people. Credentials and
occupations are drawn jointly from a table fitted by iterative proportional fitting to the
region's education shares and employment shares, with matches at a worker's own level favoured
over over-qualified ones (the `overqualification_weight` parameter).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq

from fowsim.codes import (
    DOWNGRADED,
    EMPLOYED,
    INFORMAL,
    NATIVE,
    NOT_NEEDED,
    PENDING,
    RECOGNISED,
    TEMPORARY,
    UNEMPLOYED,
)
from fowsim.workforce import Workforce, effective_credential
from fowsim.world import EDUCATION, World


def largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    """Integers proportional to `weights` that sum exactly to `total`."""
    raw = total * weights / weights.sum()
    out = np.floor(raw).astype(np.int64)
    out[np.argsort(-(raw - out))[: total - out.sum()]] += 1
    return out


def match_weights(min_cred: np.ndarray, level: np.ndarray, overqual: float) -> np.ndarray:
    """Weight (4, O) of a credential-occupation match.

    1 at or below the worker's own level, `overqual` per level of excess above it, and 0 below
    the occupation's minimum credential.
    """
    cred = np.arange(4)[:, None]
    excess = cred - (level[None, :] - 1)
    return np.where(cred >= min_cred[None, :], np.where(excess > 0, overqual**excess, 1.0), 0.0)


def joint_table(
    edu: np.ndarray, emp: np.ndarray, min_cred: np.ndarray, level: np.ndarray, overqual: float, iterations: int = 200
) -> np.ndarray:
    """P(credential, occupation) with margins `edu` (4,) and `emp` (O,) by iterative proportional fitting.

    The seed weighs a match at the worker's own level 1, over-qualification by `overqual` per
    level of excess, and is zero below an occupation's minimum credential.
    """
    t = match_weights(min_cred, level, overqual) * edu[:, None] * emp[None, :]
    for _ in range(iterations):
        t *= (edu / t.sum(axis=1).clip(1e-300))[:, None]
        t *= (emp / t.sum(axis=0).clip(1e-300))[None, :]
    return t / t.sum()


def age_sampler(median: float, lo: float, hi: float) -> float:
    """Rate of a truncated exponential age density on [lo, hi] whose median is `median`."""
    if abs(median - (lo + hi) / 2) < 1e-6:
        return 1e-9

    def med(lam: float) -> float:
        return lo - np.log(0.5 * (1 + np.exp(-lam * (hi - lo)))) / lam - median

    return brentq(med, -1.0, 1.0) if med(-1.0) * med(1.0) < 0 else 0.0


def draw_ages(rng: np.random.Generator, n: int, median: float, hi: float, lo: float = 15.0) -> np.ndarray:
    """Ages in years on [lo, hi) with the given median (truncated exponential)."""
    lam = age_sampler(median, lo, hi)
    u = rng.random(n)
    if abs(lam) < 1e-8:
        return lo + u * (hi - lo)
    return lo - np.log(1 - u * (1 - np.exp(-lam * (hi - lo)))) / lam


def draw_categories(rng: np.random.Generator, group: np.ndarray, cum: np.ndarray) -> np.ndarray:
    """One category per entry of `group`, from row `group` of cumulative weights `cum` (G, K).

    Works group by group with `searchsorted`, so memory stays O(len(group)).
    """
    out = np.zeros(group.size, dtype=np.int64)
    u = rng.random(group.size)
    for g in np.unique(group):
        sel = group == g
        row = cum[g]
        out[sel] = np.minimum(np.searchsorted(row, u[sel] * row[-1], side="right"), row.size - 1)
    return out


def informal_probability(cred: np.ndarray, share: float, slope: float) -> np.ndarray:
    """Probability that a worker of credential `cred` works informally, given the region's `share` of informal work.

    Log-odds fall by `slope` per credential level (informality falls with education, ILO 2018); the
    level is set so that the mean over `cred` is `share`.
    """
    if share <= 0.0 or cred.size == 0:
        return np.zeros(cred.size)
    if share >= 1.0:
        return np.ones(cred.size)
    levels, n = np.unique(cred, return_counts=True)

    def gap(a: float) -> float:
        return float((n / (1.0 + np.exp(-(a + slope * levels)))).sum() / n.sum() - share)

    a = brentq(gap, -50.0, 50.0)
    return 1.0 / (1.0 + np.exp(-(a + slope * cred)))


def populate(world: World, workers: int, rng: np.random.Generator, capacity: int) -> tuple[Workforce, float]:
    """Build the initial workforce of `workers` slots (plus vacant room up to `capacity`)."""
    p = world.params
    lf = world.rp("labour_force")
    scale = float(lf.sum() / workers)
    n_region = largest_remainder(workers, lf)
    ws = Workforce.empty(max(capacity, workers))
    c = world.corridors
    approval = world.recognition_approval()
    edu_all = np.stack([world.rp(e) for e in EDUCATION], axis=1)  # (R, 4)
    level = world.skill_level
    start = 0
    for r in range(world.n_regions):
        n = int(n_region[r])
        sl = slice(start, start + n)
        start += n
        # migrants from each corridor into r, then natives
        into = np.flatnonzero(c.destination == r)
        m = np.floor(c.initial_stock[into] * p["migrant_activity_rate"] / scale + rng.random(into.size)).astype(int)
        if m.sum() > 0.9 * n:
            m = largest_remainder(int(0.9 * n), m.astype(float))
        origin = np.full(n, r, dtype=np.int64)
        mig = np.full(n, NATIVE, dtype=np.int64)
        corridor = np.full(n, -1, dtype=np.int64)
        pos = 0
        for k, count in zip(into, m):
            origin[pos : pos + count] = c.origin[k]
            corridor[pos : pos + count] = k
            mig[pos : pos + count] = c.draw_channel(rng, k, count)
            pos += count
        # credentials: natives from the region's shares, migrants from their origin's (the region's
        # own for external origins)
        edu_src = np.where(origin < world.n_regions, origin, r)
        cred = draw_categories(rng, edu_src, np.cumsum(edu_all, axis=1))
        # recognition of foreign post-secondary credentials: settled for the initial stock
        recog = np.full(n, NOT_NEEDED, dtype=np.int64)
        foreign = (corridor >= 0) & (cred >= 2)
        kk = corridor[foreign]
        decided = rng.random(kk.size) < 0.85
        approved = rng.random(kk.size) < approval[kk]
        recog[foreign] = np.where(decided, np.where(approved, RECOGNISED, DOWNGRADED), PENDING)
        eff = effective_credential(cred, recog)
        # occupation given the credential employers recognise
        table = joint_table(edu_all[r], world.employment[r], world.min_credential, level, p["overqualification_weight"])
        occ = draw_categories(rng, eff, np.cumsum(table, axis=1))
        # status, durations, ages
        unemployed = rng.random(n) < world.rp("unemployment_target")[r]
        # of those who work, informal workers: more often the less educated (ILO 2018)
        share = float(world.rp("informal_share")[r])
        informal = np.zeros(n, dtype=bool)
        if share > 0.0:  # (no draw where there is no informal work: such a region's sample is as before)
            p_informal = informal_probability(cred, share, p["informal_credential_slope"])
            informal = ~unemployed & (rng.random(n) < p_informal) & (mig != TEMPORARY)
        q = world.rp("ltu_share_target")[r] ** (1.0 / 12.0)  # P(duration >= 12) = ltu share
        spell = rng.geometric(1.0 - q, size=n) - 1
        ret_age = world.rp("retirement_age")[r]
        female = rng.random(n) < world.female_probability[r, occ]  # where women work (segregation)
        if world.ages is not None and world.ages.has(r):  # the population's age structure (ages.csv)
            age_years = world.ages.draw(rng, r, female, world.rp("youth_participation_ratio")[r], ret_age)
        else:
            age_years = draw_ages(rng, n, world.rp("median_age")[r], ret_age)
        birth = -np.round(age_years * 12).astype(np.int64)
        tenure = np.minimum(rng.exponential(p["mean_tenure_months"], n), (age_years - 15) * 12).astype(np.int64)
        ws.region[sl] = r
        ws.origin[sl] = origin
        ws.mig[sl] = mig
        ws.cred[sl] = cred
        ws.recog[sl] = recog
        ws.occ[sl] = occ
        ws.status[sl] = np.where(unemployed, UNEMPLOYED, np.where(informal, INFORMAL, EMPLOYED))
        ws.since[sl] = np.where(unemployed, -spell, -tenure)
        ws.jobless_since[sl] = np.where(unemployed, -spell, 0)
        # skill: rising with tenure in a formal job from 0.3; held in informal work, at the unemployed's 0.6
        ws.skill[sl] = np.where(unemployed | informal, 0.6, 0.3)
        ws.birth[sl] = birth
        ws.retire_at[sl] = world.exit_month(rng, np.full(n, r), female, birth, 0)  # retirement, or death before it
        ws.female[sl] = female
        ws.visa_end[sl] = np.where(mig == TEMPORARY, rng.integers(1, int(p["temporary_visa_months"]) + 1, n), -1)
    return ws, scale
