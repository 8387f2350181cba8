"""Mechanisms that keep the baseline in a steady state: sponsored recruitment, entrants' choice,
demand that follows the labour force, and on-the-job search."""

from __future__ import annotations

import numpy as np
import pytest

from fowsim import LabourMarketModel, default_schedule, simulate
from fowsim.codes import EMPLOYED, TEMPORARY, VACANT
from tests.conftest import small


def test_sponsored_recruits_arrive_employed_on_temporary_visas_where_a_temporary_channel_exists():
    m = LabourMarketModel(small(workers=20_000, months=12))
    c = m.world.corridors
    has_temporary = np.zeros(m.world.n_regions, dtype=bool)
    has_temporary[c.destination[c.temporary_share > 0]] = True
    for _ in range(6):
        before = m.ws.status.copy()
        m.step()
        sponsored = m.tally.get("sponsored_hires", np.zeros(m.world.n_regions))
        assert (sponsored[~has_temporary] == 0).all()
        # every temporary migrant who arrived this month from outside the model is in a job
        new = (before == VACANT) & (m.ws.status != VACANT) & (m.ws.mig == TEMPORARY)
        assert (m.ws.status[new] == EMPLOYED).all()
    gulf = m.world.regions.index("gulf")
    ds = m.results()
    assert ds.sponsored_hires.isel(region=gulf).sum() > 0


def test_entrants_avoid_occupations_crowded_with_unemployed():
    m = LabourMarketModel(small(workers=20_000, months=3))
    m.step()
    r = 0
    base = m.rules.entry_weights(m)[r, 1].copy()
    crowded = int(np.argmax(base))
    m.market.U_region[r, crowded] += 10 * (m.market.V_region[r, crowded] + 1)
    after = m.rules.entry_weights(m)[r, 1]
    assert after[crowded] < 0.5 * base[crowded]
    others = np.arange(base.size) != crowded
    np.testing.assert_allclose(after[others], base[others])


def test_entrants_are_drawn_to_occupations_whose_vacancies_stay_unfilled():
    m = LabourMarketModel(small(workers=20_000, months=3))
    m.step()
    r, C = 0, 3
    base = m.rules.entry_weights(m)[r, C].copy()
    target = int(np.argmax(base))
    m.market.U_region[r, target] = 0.0
    m.market.V_region[r, target] += 10 * (m.market.V_region[r, target] + 1)  # many open jobs, nobody looking
    after = m.rules.entry_weights(m)[r, C]
    assert after[target] > 5 * base[target]
    others = np.arange(base.size) != target
    np.testing.assert_allclose(after[others], base[others])


def test_within_capacity_takes_a_uniform_random_subset_up_to_each_cells_places():
    from fowsim import kernels

    cell = np.repeat(np.arange(4), [10, 3, 0, 7])
    capacity = np.array([4, 5, 2, 0])
    hits = np.zeros(cell.size)
    for key in range(2000):
        ok = kernels.within_capacity(cell, capacity, np.uint64(key * 7919 + 1))
        np.testing.assert_array_equal(np.bincount(cell[ok], minlength=4), [4, 3, 0, 0])
        hits += ok
    # in the crowded cell each entry gets a place 4 times in 10, whatever its position
    np.testing.assert_allclose(hits[:10] / 2000, 0.4, atol=0.05)


def test_entrants_never_choose_occupations_their_credential_does_not_allow():
    m = LabourMarketModel(small(workers=20_000, months=3))
    weights = m.rules.entry_weights(m)
    below = np.arange(4)[:, None] < m.world.min_credential[None, :]
    assert (weights[:, below] == 0).all()


def test_gulf_demand_does_not_follow_its_labour_force_and_others_do():
    m = LabourMarketModel(small(workers=20_000, months=24))
    gulf = m.world.regions.index("gulf")
    d0 = m.market.D.sum()
    # take a third of the labour force out of every region: demand falls where it follows the labour force
    for r in range(m.world.n_regions):
        live = np.flatnonzero((m.ws.status != VACANT) & (m.ws.region == r))
        m.market.transition(live[: live.size // 3], VACANT)
    m.run(12)
    lf = np.array([m.market.S[r, 1:].sum() for r in range(m.world.n_regions)])
    follow = np.array([r != gulf for r in range(m.world.n_regions)])
    D = m.market.D_region.sum(axis=1)
    D0 = m.market.D0_region.sum(axis=1)
    assert (D[follow] < 0.85 * D0[follow]).all()
    growth = m.world.rp("demand_growth")[gulf]  # its own trend instead
    assert D[gulf] == pytest.approx(D0[gulf] * (1 + growth) ** ((m.t - 1) / 12), rel=1e-9)  # set at month t - 1
    assert d0 > 0 and (lf > 0).all()


def test_on_the_job_search_moves_workers_between_jobs_and_reopens_their_old_jobs():
    ds = simulate(small(workers=20_000, months=12))
    moves = ds.job_to_job.sum()
    assert moves > 0
    # job-to-job moves are employed -> employed transitions; no other move is
    e2e = ds.transitions.sel(from_state="employed", to_state="employed").sum()
    np.testing.assert_allclose(float(e2e), float(moves), rtol=1e-9)
    off = simulate(small("world.params.on_the_job_search_rate=0", workers=20_000, months=12))
    assert float(off.job_to_job.sum()) == 0.0
    assert float(off.occupation_changes.sum()) < float(ds.occupation_changes.sum())


@pytest.mark.slow
def test_thirty_year_baseline_stays_within_one_and_a_half_points_of_each_target():
    ds = simulate(small(workers=50_000, months=360))
    target = LabourMarketModel(small(workers=1000, months=1)).world.rp("unemployment_target")
    for start in range(36, 360, 60):
        window = ds.unemployment_rate.isel(time=slice(start, start + 60)).mean("time").values
        assert np.all(np.abs(window - target) < 0.015), (start, window, target)


def test_internal_moves_promote_workers_at_their_own_employer_and_reopen_their_old_jobs():
    m = LabourMarketModel(small(workers=20_000, months=12))
    for _ in range(3):
        m.step()
    before = {k: getattr(m.ws, k).copy() for k in ("status", "employer", "occ", "wage")}
    E0, V0 = m.market.E.copy(), m.market.V.copy()
    m.params["on_the_job_search_rate"] = 0.0  # only internal moves change jobs of the employed here
    m.schedule = default_schedule(["separations_and_vacancies"])
    m.step()
    stay = (before["status"] == EMPLOYED) & (m.ws.status == EMPLOYED)
    moved = np.flatnonzero(stay & (m.ws.occ != before["occ"]))
    assert moved.size > 0 and float(m.tally.counts["internal_moves"].sum()) == moved.size
    assert (m.ws.employer[moved] == before["employer"][moved]).all()  # the same employer
    assert (m.ws.wage[moved] > before["wage"][moved]).all()  # a move is taken only if it pays more
    # positions are conserved: each promotion fills a vacancy and opens the job left behind
    off = LabourMarketModel(small("world.params.internal_fill_rate=0", workers=20_000, months=12))
    assert off.params["internal_fill_rate"] == 0.0
    assert (m.market.E + m.market.V).sum() == pytest.approx((E0 + V0).sum(), rel=0.05)
    assert (m.market.E >= 0).all() and (m.market.V >= 0).all()


def test_employers_withdraw_open_vacancies_before_laying_off():
    m = LabourMarketModel(small(workers=20_000, months=12))
    emp = max(m.employers, key=lambda e: e.vacancies.sum())
    m.market.set_demand(emp.index, 0.8 * (emp.employment + emp.vacancies))  # a demand surplus of a fifth of positions
    rng = np.random.default_rng(0)
    v = emp.vacancies.copy()
    p_sep, p_extra, _, withdrawn = emp.plan(rng, 0.01, 0.01, 0.1, withdrawal=1.0)
    assert withdrawn.sum() > 0 and (withdrawn <= v).all()
    # with the surplus taken from vacancies, layoffs only cover what vacancies could not
    rng = np.random.default_rng(0)
    m.market.open_vacancies(emp.index, v - emp.vacancies)
    _, p_extra_rule, _, none = emp.plan(rng, 0.01, 0.01, 0.1, withdrawal=0.0)
    assert none.sum() == 0
    assert p_extra.sum() < p_extra_rule.sum()


def test_the_business_cycle_runs_on_the_calendar_for_every_employer():
    m = LabourMarketModel(small("shock=cycle", "shock.cycle_amplitude=0.05", workers=5_000, months=40))
    assert len({e.adoption_speed for e in m.employers}) > 1  # employers adopt automation at different speeds
    m.run(30)
    staffed = [e for e in m.employers if m.market.D0[e.index].sum() > 0]
    ratio = m.market.D.sum(axis=1) / np.maximum(m.market.D0.sum(axis=1), 1e-12)
    growth = {e.region: ratio[e.index] for e in staffed}
    for e in staffed:  # the same cycle multiplier for all employers of a region
        assert ratio[e.index] == pytest.approx(growth[e.region], rel=1e-9)
