"""Compiled kernels for the hot loops of the monthly step (numba, compiled once and cached on disk).

Each kernel is a plain loop over arrays that numpy would otherwise need several passes and
temporaries for. Kernels draw no random numbers themselves: the phases draw uniforms from their
named streams and pass them in, so results stay bit-identical whatever compiled the kernels.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from fowsim.codes import (
    EMPLOYED,
    INFORMAL,
    NATIVE,
    PARTNER,
    RETURNEE,
    TERTIARY,
    TRAINING,
    UNEMPLOYED,
    VACANT,
    YOUTH_MONTHS,
)

jit = nb.njit(cache=True, nogil=True)


@jit
def sparse_rows(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows of a non-negative (n, m) weight matrix as CSR: row pointers, columns, cumulative weights."""
    n, m = weights.shape
    indptr = np.zeros(n + 1, np.int64)
    for r in range(n):
        c = 0
        for j in range(m):
            if weights[r, j] > 0.0:
                c += 1
        indptr[r + 1] = indptr[r] + c
    cols = np.empty(indptr[n], np.int64)
    cum = np.empty(indptr[n], np.float64)
    for r in range(n):
        k, s = indptr[r], 0.0
        for j in range(m):
            x = weights[r, j]
            if x > 0.0:
                s += x
                cols[k] = j
                cum[k] = s
                k += 1
    return indptr, cols, cum


@jit
def group_by(keys: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stable counting sort: order of `keys` by group, group start offsets and sizes."""
    sizes = np.zeros(n_groups, np.int64)
    for i in range(keys.size):
        sizes[keys[i]] += 1
    starts = np.empty(n_groups, np.int64)
    s = 0
    for g in range(n_groups):
        starts[g] = s
        s += sizes[g]
    pos = starts.copy()
    order = np.empty(keys.size, np.int64)
    for i in range(keys.size):
        g = keys[i]
        order[pos[g]] = i
        pos[g] += 1
    return order, starts, sizes


@jit
def best_per_group(group: np.ndarray, value: np.ndarray, n_groups: int) -> np.ndarray:
    """Index of the largest `value` within each group (the first on ties), in group order; empty groups skipped."""
    best = np.full(n_groups, -1, np.int64)
    for i in range(group.size):
        g = group[i]
        b = best[g]
        if b < 0 or value[i] > value[b]:
            best[g] = i
    n = 0
    for g in range(n_groups):
        if best[g] >= 0:
            n += 1
    out = np.empty(n, np.int64)
    k = 0
    for g in range(n_groups):
        if best[g] >= 0:
            out[k] = best[g]
            k += 1
    return out


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_S11, _S27, _S30, _S31 = np.uint64(11), np.uint64(27), np.uint64(30), np.uint64(31)


@jit
def _uniform(key: np.uint64, i: int) -> float:
    """Uniform in [0, 1) for slot `i` under `key` (splitmix64 of the counter): reproducible, no state."""
    z = key + np.uint64(i) * _GOLDEN
    z = (z ^ (z >> _S30)) * _MIX1
    z = (z ^ (z >> _S27)) * _MIX2
    z = z ^ (z >> _S31)
    return np.float64(z >> _S11) * (1.0 / 9007199254740992.0)


@jit
def employed_bernoulli(
    status: np.ndarray, employer: np.ndarray, occ: np.ndarray, p: np.ndarray, p2: np.ndarray, key: np.uint64
) -> tuple[np.ndarray, np.ndarray]:
    """Employed workers drawing one of two outcomes, in one pass (two disjoint index arrays).

    Worker i draws outcome 1 with probability p[employer[i], occ[i]], or else outcome 2 with
    probability p2[employer[i], occ[i]].
    Each slot's uniform comes from `key` (drawn from the phase's stream) and the slot index.
    """
    hits = np.empty(status.size, np.int64)  # only the pages written are touched
    hits2 = np.empty(status.size, np.int64)
    n = n2 = 0
    for i in range(status.size):
        if status[i] == EMPLOYED:
            u = _uniform(key, i)
            f, o = employer[i], occ[i]
            if u < p[f, o]:
                hits[n] = i
                n += 1
            elif u < p[f, o] + p2[f, o]:
                hits2[n2] = i
                n2 += 1
    return hits[:n].copy(), hits2[:n2].copy()


@jit
def draw_rows(cum: np.ndarray, rows: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Column drawn for each entry k from row `rows[k]` of the row-wise cumulative weights `cum`, by `u[k]`."""
    out = np.empty(rows.size, np.int64)
    last = cum.shape[1] - 1
    for k in range(rows.size):
        row = cum[rows[k]]
        x = u[k] * row[last]
        j = 0
        while j < last and row[j] <= x:
            j += 1
        out[k] = j
    return out


@jit
def within_capacity(cell: np.ndarray, capacity: np.ndarray, key: np.uint64) -> np.ndarray:
    """Which entries get one of their cell's `capacity` places: a uniform random subset per cell.

    Selection sampling (Knuth's algorithm S) in two passes and no sort: entry k of a cell with c
    entries left and m places left is taken with probability m / c.
    """
    left = np.zeros(capacity.size, np.int64)
    for k in range(cell.size):
        left[cell[k]] += 1
    places = np.empty(capacity.size, np.int64)
    for g in range(capacity.size):
        places[g] = min(max(capacity[g], 0), left[g])
    out = np.zeros(cell.size, np.bool_)
    for k in range(cell.size):
        g = cell[k]
        if places[g] > 0 and _uniform(key, k) * left[g] < places[g]:
            out[k] = True
            places[g] -= 1
        left[g] -= 1
    return out


@jit
def renegotiate(
    status: np.ndarray,
    since: np.ndarray,
    employer: np.ndarray,
    occ: np.ndarray,
    region: np.ndarray,
    skill: np.ndarray,
    wage: np.ndarray,
    going: np.ndarray,
    t: int,
    months: int,
    learn: float,
    n_regions: int,
) -> np.ndarray:
    """Set again the wage of every employed worker whose job began a multiple of `months` months before `t`.

    The new wage is the going wage of the job, `going` (F, O) (region wage x relative wage x
    premium x going-wage index), times (0.8 + 0.4 skill), with the skill grown on the job since
    `since` (as `effective_skill`); stored in float32 as `Market.wage_of` does. One pass; returns
    the change of the wage bill by region.
    """
    change = np.zeros(n_regions)
    for i in range(status.size):
        if status[i] != EMPLOYED:
            continue
        dt = t - np.int64(since[i])
        if dt <= 0 or dt % months != 0:
            continue
        s = 1.0 - (1.0 - np.float64(skill[i])) * np.exp(-learn * dt)
        new = np.float32(going[employer[i], occ[i]] * (0.8 + 0.4 * s))
        change[region[i]] += np.float64(new) - np.float64(wage[i])
        wage[i] = new
    return change


@jit
def searchers(
    status: np.ndarray, on_the_job: float, informal: float, key: np.uint64
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The unemployed, informal workers searching (probability `informal`) and employed ones (`on_the_job`).

    One pass; each searching worker's uniform comes from `key` and the slot index.
    """
    unemployed = np.empty(status.size, np.int64)  # only the pages written are touched
    looking = np.empty(status.size, np.int64)
    informal_looking = np.empty(status.size, np.int64)
    k = n = m = 0
    for i in range(status.size):
        st = status[i]
        if st == UNEMPLOYED:
            unemployed[k] = i
            k += 1
        elif st == EMPLOYED and _uniform(key, i) < on_the_job:
            looking[n] = i
            n += 1
        elif st == INFORMAL and _uniform(key, i) < informal:
            informal_looking[m] = i
            m += 1
    return unemployed[:k].copy(), informal_looking[:m].copy(), looking[:n].copy()


@jit
def effective_skill(
    idx: np.ndarray,
    skill: np.ndarray,
    since: np.ndarray,
    status: np.ndarray,
    t: int,
    learn: float,
    decay: float,
    grace: int,
) -> np.ndarray:
    """Skill of workers `idx` at month `t`: rising on the job with tenure, decaying after `grace` months out."""
    out = np.empty(idx.size, np.float64)
    for k in range(idx.size):
        i = idx[k]
        s = np.float64(skill[i])
        dt = np.float64(t - since[i])
        if status[i] == EMPLOYED:
            out[k] = 1.0 - (1.0 - s) * np.exp(-learn * dt)
        elif status[i] == INFORMAL:  # informal work keeps a skill, but teaches nothing of a formal occupation
            out[k] = s
        else:
            out[k] = s * np.exp(-decay * max(dt - grace, 0.0))
    return out


@jit
def transition(
    idx: np.ndarray,
    new_status: int,
    new_region: np.ndarray,
    t: int,
    status: np.ndarray,
    region: np.ndarray,
    employer: np.ndarray,
    occ: np.ndarray,
    wage: np.ndarray,
    since: np.ndarray,
    jobless_since: np.ndarray,
    programme: np.ndarray,
    E: np.ndarray,
    S: np.ndarray,
    flows: np.ndarray,
) -> np.ndarray:
    """Workers `idx` (distinct) move to `new_status` in `new_region` (one per worker), and the books with them.

    Employment E by (employer, occupation) loses those who leave a job, stocks S by (region, state)
    and flows by (region, from, to) follow, as `fowsim.state.Market.transition` documents; a move
    between regions counts as leaving the old region (to state 0) and entering the new one (from 0).
    Returns the wages that leavers of a job took with them, summed by their region in `idx` order.
    """
    wage_out = np.zeros(S.shape[0])
    for k in range(idx.size):
        i = idx[k]
        s_old, r_old, r_new = status[i], region[i], new_region[k]
        leaves_work = s_old == EMPLOYED or s_old == VACANT or s_old == INFORMAL  # noqa: SIM109 (compiled)
        if leaves_work and new_status != EMPLOYED and new_status != INFORMAL:
            jobless_since[i] = t  # time out of work runs from leaving work, formal or informal (or entering)
        if s_old == EMPLOYED:
            E[employer[i], occ[i]] -= 1
            wage_out[r_old] += np.float64(wage[i])
            employer[i] = -1
            wage[i] = 0.0
        S[r_old, s_old] -= 1
        if s_old == VACANT:
            flows[r_new, 0, new_status] += 1
        elif r_new != r_old:
            flows[r_old, s_old, 0] += 1
            flows[r_new, 0, new_status] += 1
        else:
            flows[r_old, s_old, new_status] += 1
        status[i] = new_status
        since[i] = t
        region[i] = r_new
        S[r_new, new_status] += 1
        if new_status == VACANT:
            programme[i] = -1
    S[:, VACANT] = 0  # slots outside the labour force are not a stock of any region
    return wage_out


@jit
def census(
    status: np.ndarray,
    region: np.ndarray,
    origin: np.ndarray,
    mig: np.ndarray,
    cred: np.ndarray,
    occ: np.ndarray,
    since: np.ndarray,
    female: np.ndarray,
    birth: np.ndarray,
    displaced: np.ndarray,
    scheme: np.ndarray,
    recog: np.ndarray,
    t: int,
    low_skill: np.ndarray,
    n_regions: int,
    n_origins: int,
    ltu_months: int,
    wage: np.ndarray,
) -> tuple[np.ndarray, ...]:
    """One pass over the population for the monthly record.

    Returns unemployed by (region, occupation), long-term unemployed (`ltu_months` or more) by region,
    foreign-born stock by (origin, region), foreign-born employed by region, employed tertiary
    graduates by (native 0 / foreign 1, region): all of them, and those in low-skill jobs; then
    the policy indicators: the labour force and the unemployed by (group, region) for groups
    women, youth (15-24), returnees, the foreign-born (migrants) and natives; displaced workers by
    (group all / women / youth, months since displacement 6-8 / 12-14 / 24-26, region), all
    (employed, unemployed or in training) and employed; employed foreign
    tertiary graduates by (origin, region), all and in low-skill jobs; the employed by
    (credential, region); pending recognitions by region; and trained workers (any completed
    programme) living in their origin region, by region; skills-partnership graduates in the labour
    force by (all 0 / employed 1, region); the wages of the employed summed by (region,
    occupation), and summed and counted by (natives 0 / the foreign-born 1 / returnees 2, region);
    the wages of the employed foreign-born summed by (origin, region); informal workers by
    (credential, region), by (group, region) for the groups above, and by (region, occupation); and
    for women 0 and youth 1 by region: the wages of the employed summed, employed tertiary graduates
    (all 0 / in low-skill jobs 1), the foreign-born living there, and their wages summed.

    The labour force counts formal jobs, informal work and unemployment; "employed" counts formal
    jobs (at employers) only.
    """
    unemp = np.zeros((n_regions, low_skill.size))
    ltu = np.zeros(n_regions)
    stock = np.zeros((n_origins, n_regions))
    foreign_emp = np.zeros(n_regions)
    tert = np.zeros((2, n_regions))
    tert_low = np.zeros((2, n_regions))
    lf = np.zeros((5, n_regions))
    un = np.zeros((5, n_regions))
    disp_all = np.zeros((3, 3, n_regions))
    disp_emp = np.zeros((3, 3, n_regions))
    oq = np.zeros((2, n_origins, n_regions))
    emp_cred = np.zeros((4, n_regions))
    pending = np.zeros(n_regions)
    trained_home = np.zeros(n_regions)
    partner = np.zeros((2, n_regions))
    wage_cell = np.zeros((n_regions, low_skill.size))
    wage_group = np.zeros((3, n_regions))
    emp_group = np.zeros((3, n_regions))
    earnings = np.zeros((n_origins, n_regions))
    informal_cred = np.zeros((4, n_regions))
    informal_group = np.zeros((5, n_regions))
    informal_cell = np.zeros((n_regions, low_skill.size))
    sex_age_wage = np.zeros((2, n_regions))
    sex_age_tert = np.zeros((2, 2, n_regions))
    sex_age_stock = np.zeros((2, n_regions))
    sex_age_earnings = np.zeros((2, n_regions))
    for i in range(status.size):
        s = status[i]
        if s == VACANT:
            continue
        r = region[i]
        m = mig[i]
        foreign = m != NATIVE and m != RETURNEE
        woman = female[i]
        young = t - birth[i] < YOUTH_MONTHS
        if foreign:
            stock[origin[i], r] += 1.0
            if woman:
                sex_age_stock[0, r] += 1.0
            if young:
                sex_age_stock[1, r] += 1.0
            if recog[i] == 1:
                pending[r] += 1.0
        elif (scheme[i] & 1) and origin[i] == r:
            trained_home[r] += 1.0
        d = displaced[i]
        if d >= 0:
            gap = t - d
            k = 0 if 6 <= gap < 9 else (1 if 12 <= gap < 15 else (2 if 24 <= gap < 27 else -1))
            if k >= 0:
                e = 1.0 if s == EMPLOYED else 0.0
                disp_all[0, k, r] += 1.0
                disp_emp[0, k, r] += e
                if woman:
                    disp_all[1, k, r] += 1.0
                    disp_emp[1, k, r] += e
                if young:
                    disp_all[2, k, r] += 1.0
                    disp_emp[2, k, r] += e
        if s == TRAINING:
            continue
        u = 0.0
        inf = 0.0
        if s == UNEMPLOYED:
            u = 1.0
            unemp[r, occ[i]] += 1.0
            if t - since[i] >= ltu_months:
                ltu[r] += 1.0
        elif s == INFORMAL:
            inf = 1.0
            informal_cred[cred[i], r] += 1.0
            informal_cell[r, occ[i]] += 1.0
        else:
            c = cred[i]
            emp_cred[c, r] += 1.0
            pay = np.float64(wage[i])
            wage_cell[r, occ[i]] += pay
            o = 1 if foreign else (2 if m == RETURNEE else 0)
            wage_group[o, r] += pay
            emp_group[o, r] += 1.0
            if foreign:
                foreign_emp[r] += 1.0
                earnings[origin[i], r] += pay
            for g in range(2):
                if woman if g == 0 else young:
                    sex_age_wage[g, r] += pay
                    if foreign:
                        sex_age_earnings[g, r] += pay
            if c == TERTIARY:
                f = 1 if foreign else 0
                tert[f, r] += 1.0
                low = low_skill[occ[i]]
                if low:
                    tert_low[f, r] += 1.0
                for g in range(2):
                    if woman if g == 0 else young:
                        sex_age_tert[0, g, r] += 1.0
                        if low:
                            sex_age_tert[1, g, r] += 1.0
                if foreign:
                    oq[0, origin[i], r] += 1.0
                    if low:
                        oq[1, origin[i], r] += 1.0
        if scheme[i] & PARTNER:
            partner[0, r] += 1.0
            partner[1, r] += 1.0 - u - inf
        if woman:
            lf[0, r] += 1.0
            un[0, r] += u
            informal_group[0, r] += inf
        if young:
            lf[1, r] += 1.0
            un[1, r] += u
            informal_group[1, r] += inf
        if m == RETURNEE:
            lf[2, r] += 1.0
            un[2, r] += u
            informal_group[2, r] += inf
        g = 3 if foreign else (4 if m == NATIVE else -1)
        if g >= 0:
            lf[g, r] += 1.0
            un[g, r] += u
            informal_group[g, r] += inf
    return (unemp, ltu, stock, foreign_emp, tert, tert_low, lf, un, disp_all, disp_emp, oq, emp_cred, pending,
            trained_home, partner, wage_cell, wage_group, emp_group, earnings, informal_cred,
            informal_group, informal_cell, sex_age_wage, sex_age_tert, sex_age_stock, sex_age_earnings)  # fmt: skip


@jit
def urn_ball(
    rows: np.ndarray,
    n_draws: np.ndarray,
    indptr: np.ndarray,
    cols: np.ndarray,
    cum: np.ndarray,
    region: np.ndarray,
    quality: np.ndarray,
    own: np.ndarray,
    transfer: np.ndarray,
    credential: np.ndarray,
    required: np.ndarray,
    fit_weight: float,
    noise_weight: float,
    vac_order: np.ndarray,
    vac_start: np.ndarray,
    vac_size: np.ndarray,
    key: np.uint64,
) -> np.ndarray:
    """Applications and urn-ball matching in one pass over the searchers.

    Searcher p sends `n_draws[p]` applications to occupations drawn from CSR row `rows[p]` of the
    search weights (columns `cols`, cumulative weights `cum`), in its own `region`. Each
    application lands on a uniformly drawn vacancy of its (region, occupation) cell: vacancies of
    cell c are `vac_order[vac_start[c] : vac_start[c] + vac_size[c]]`. A vacancy keeps the
    application with the best score, `quality[p] * transfer[own[p], occupation] + fit_weight *
    (credential[p] >= required[occupation]) + noise_weight * noise` (the first on ties): the skill
    the searcher brings to the vacancy's occupation from its own, `own[p]`. Application a draws
    its three uniforms (occupation, noise, vacancy) from `key` and its number.

    Returns, per vacancy, the searcher it offers the job to (-1 if it received no application).
    """
    n_occ = required.size
    n_vac = vac_order.size
    # kept by position in `vac_order` (a cell's vacancies side by side), mapped to vacancies at the end
    by_pos = np.full(n_vac, -1, np.int64)
    best_score = np.full(n_vac, -np.inf)
    a = 0
    for p in range(rows.size):
        r = rows[p]
        lo, hi = indptr[r], indptr[r + 1]
        base, q, o, cr = region[p] * n_occ, quality[p], own[p], credential[p]
        for _ in range(n_draws[p]):
            x, noise, pick = _uniform(key, 3 * a), _uniform(key, 3 * a + 1), _uniform(key, 3 * a + 2)
            a += 1
            if hi == lo:
                continue
            x *= cum[hi - 1]
            # the first entry whose cumulative weight exceeds x (the last if none does): bisection
            j, k = lo, hi - 1
            while j < k:
                mid = (j + k) >> 1
                if cum[mid] <= x:
                    j = mid + 1
                else:
                    k = mid
            occ = cols[j]
            c = base + occ
            nv = vac_size[c]
            if nv == 0:
                continue
            v = vac_start[c] + min(int(pick * nv), nv - 1)
            score = q * transfer[o, occ] + fit_weight * (cr >= required[occ])
            score += noise_weight * noise
            if score > best_score[v]:
                best_score[v] = score
                by_pos[v] = p
    best = np.empty(n_vac, np.int64)
    for v in range(n_vac):
        best[vac_order[v]] = by_pos[v]
    return best
