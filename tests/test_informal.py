"""Informal work: who enters and leaves it, what it pays, and how it answers formal demand and credentials."""

from __future__ import annotations

import numpy as np
import pytest

from fowsim import LabourMarketModel, Phase, compose
from fowsim.codes import EMPLOYED, INFORMAL, TEMPORARY, UNEMPLOYED, VACANT
from fowsim.phases import default_schedule
from fowsim.population import informal_probability


class FormalDemand(Phase):
    """Scales the formal employers' target demand in one region by `factor` from month `start` (a test's shock)."""

    name, stream = "formal_demand", None

    def __init__(self, region: str, factor: float, start: int = 6) -> None:
        self.region, self.factor, self.start = region, factor, start

    def __call__(self, model, rng):
        if model.t < self.start:
            return
        r = model.world.region(self.region)
        for emp in model.employers:
            if emp.region == r:
                model.market.set_demand(emp.index, model.market.D[emp.index] * self.factor)


def run(*overrides: str, phases=None, workers: int = 30_000, months: int = 36) -> LabourMarketModel:
    cfg = compose([f"workers={workers}", f"months={months}", *overrides])
    return LabourMarketModel(cfg, phases=phases).run()


def test_informal_workers_are_in_the_labour_force_at_no_employer_and_the_share_is_recorded():
    m = run(months=6)
    ws, ds = m.ws, m.results().isel(time=-1)
    informal = ws.status == INFORMAL
    assert informal.any()
    assert (ws.employer[informal] == -1).all() and (ws.wage[informal] == 0).all()
    w = m.world
    for r, name in enumerate(w.regions):
        mine = ws.region == r
        n_inf, n_emp = (informal & mine).sum(), ((ws.status == EMPLOYED) & mine).sum()
        n_un = ((ws.status == UNEMPLOYED) & mine).sum()
        assert float(ds.informal.sel(region=name)) == pytest.approx(n_inf * m.scale)
        share = n_inf / max(n_inf + n_emp, 1)
        assert float(ds.informal_share.sel(region=name)) == pytest.approx(share)
        assert float(ds.unemployment_rate.sel(region=name)) == pytest.approx(n_un / (n_inf + n_emp + n_un))
    # only the regions whose world says so have informal work
    has = w.rp("informal_share") > 0
    assert (ds.informal.values[~has] == 0).all() and (ds.informal.values[has] > 0).all()
    assert not (informal & (ws.mig == TEMPORARY)).any()  # a tied visa holder does not take informal work


def test_the_initial_informal_share_matches_the_world_and_falls_with_credentials():
    m = run(months=1, workers=60_000)
    ds = m.results().isel(time=0)
    w = m.world
    for name in ("north_africa", "west_africa", "east_africa"):
        assert float(ds.informal_share.sel(region=name)) == pytest.approx(
            w.rp("informal_share")[w.region(name)], abs=0.03
        )
        inf = ds.informal_by_credential.sel(region=name).values
        emp = ds.employed_by_credential.sel(region=name).values
        share = inf / (inf + emp)
        assert (np.diff(share) < 0).all(), share  # informality falls with the credential (ILO 2018)
    p = informal_probability(np.array([0, 0, 1, 2, 3]), 0.6, -0.71)
    assert p.mean() == pytest.approx(0.6) and (np.diff(p[1:]) < 0).all()
    assert (informal_probability(np.array([0, 3]), 0.0, -0.71) == 0).all()


def test_informal_work_grows_when_formal_demand_falls_and_shrinks_when_it_rises():
    """Common random numbers: the same seed with formal demand in West Africa cut or raised by a fifth."""
    base = run().results()
    down = run(phases=default_schedule().insert(FormalDemand("west_africa", 0.8), after="automation")).results()
    up = run(phases=default_schedule().insert(FormalDemand("west_africa", 1.2), after="automation")).results()

    def late(ds, var):
        return float(ds[var].sel(region="west_africa").isel(time=slice(-6, None)).mean())

    assert late(down, "informal_share") > late(base, "informal_share") + 0.01
    assert late(up, "informal_share") < late(base, "informal_share") - 0.01
    # the crowding lowers what informal work pays there, and the formal wage bill shrinks
    assert late(down, "informal_pay") < late(base, "informal_pay")
    assert late(down, "informal_underemployment") >= late(base, "informal_underemployment")
    assert late(down, "employed") < late(base, "employed")
    # the EU, which has no informal work, hardly moves (only through migration)
    assert float(down.informal.sel(region="eu").sum()) == 0


def test_credentials_open_formal_jobs_a_gradient_emerges_from_hiring():
    """Start with informality the same at every credential: formal hiring alone makes it fall with credentials."""
    ds = run("world.params.informal_credential_slope=0", workers=60_000, months=96).results()
    first, last = ds.isel(time=0), ds.isel(time=slice(-12, None)).mean("time")

    def shares(d):
        inf = d.informal_by_credential.sel(region=["west_africa", "east_africa"]).sum("region").values
        emp = d.employed_by_credential.sel(region=["west_africa", "east_africa"]).sum("region").values
        return inf / (inf + emp)

    start, end = shares(first), shares(last)
    assert np.ptp(start) < 0.03  # no gradient at the start
    assert end[0] - end[3] > 0.1, end  # graduates work formally far more often eight years on


def test_the_unemployed_take_up_informal_work_at_the_fitted_rate_less_the_more_educated():
    m = LabourMarketModel(compose(["workers=20000", "months=1"]))
    ws, mk = m.ws, m.market
    r = m.world.region("west_africa")
    mk.informal_entry_rate[:] = 0.0
    mk.informal_entry_rate[r] = 0.4
    idx = np.flatnonzero((ws.region == r) & (ws.mig != TEMPORARY) & (ws.status != VACANT))
    idx = np.repeat(idx, 50)  # many draws for the same workers
    rng = np.random.default_rng(0)
    take = m.rules.takes_informal_work(m, idx, rng)
    cred = ws.cred[idx]
    queue = m.params["informal_queue_factor"]
    for c in (0, 3):
        assert take[cred == c].mean() == pytest.approx(0.4 * queue**c, abs=0.02)
    eu = np.flatnonzero(ws.region == m.world.region("eu"))
    assert not m.rules.takes_informal_work(m, eu, rng).any()


def test_informal_work_ends_into_unemployment_at_its_exit_rate():
    m = LabourMarketModel(compose(["workers=40000", "months=13", "world.params.informal_search_rate=0"])).run()
    ds = m.results().isel(time=slice(1, None))
    exits = ds.informal_exits.sum("time").sel(region=["west_africa", "east_africa"]).sum()
    stock = ds.informal.sel(region=["west_africa", "east_africa"]).sum("region").mean()
    assert float(exits / stock / 12) == pytest.approx(m.params["informal_exit_rate"], rel=0.15)
    assert float(ds.formalisations.sum()) == 0  # no informal worker searches: none is formalised


def test_an_informal_worker_takes_a_formal_job_only_if_it_pays_more_than_informal_work():
    m = LabourMarketModel(compose(["workers=20000", "months=1"]))
    ws, mk = m.ws, m.market
    idx = np.flatnonzero(ws.status == INFORMAL)[:200]
    pay = mk.informal_pay(ws.region[idx], ws.occ[idx])
    rng = np.random.default_rng(1)
    assert m.rules.accept(m, idx, pay * 1.01, rng).all()
    assert not m.rules.accept(m, idx, pay * 0.99, rng).any()


def test_underemployment_counts_the_full_time_work_informal_workers_lost_to_crowding():
    m = LabourMarketModel(compose(["workers=20000", "months=2"]))
    m.step()
    r = m.world.region("east_africa")
    share0 = m.market.informal_share0[r]
    # crowd East Africa's informal work: a tenth more of its workers in it than at the start
    ws = m.ws
    formal = np.flatnonzero((ws.region == r) & (ws.status == EMPLOYED))
    m.market.transition(formal[: len(formal) // 2], INFORMAL)
    m.step()
    ds = m.results().isel(time=-1).sel(region="east_africa")
    share = float(ds.informal_share)
    factor = (share / share0) ** -m.params["informal_crowding"]
    assert share > share0 and factor < 1
    assert float(ds.informal_underemployment) == pytest.approx(float(ds.informal) * (1 - factor), rel=0.02)
