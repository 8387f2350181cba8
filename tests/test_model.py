"""The model: determinism, accounting, calibration, automation shocks, Beveridge loops."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fowsim import LabourMarketModel, simulate
from fowsim.codes import EMPLOYED, INFORMAL, N_STATES, TRAINING, UNEMPLOYED, VACANT
from fowsim.io import write_dataset
from fowsim.validation import checks
from tests.conftest import small


def test_same_seed_gives_bit_identical_results_nc(tmp_path, small_cfg):
    a = write_dataset(simulate(small_cfg), tmp_path / "a.nc").read_bytes()
    b = write_dataset(simulate(small_cfg), tmp_path / "b.nc").read_bytes()
    assert a == b


def test_different_seeds_give_different_results(small_cfg):
    a = simulate(small_cfg)
    b = simulate({**small_cfg, "seed": 1})
    assert not np.array_equal(a.unemployment_rate.values, b.unemployment_rate.values)


def test_every_variable_has_units_and_a_long_name(small_cfg):
    ds = simulate({**small_cfg, "months": 3})
    for name, var in ds.data_vars.items():
        if var.dtype.kind == "f":
            assert "units" in var.attrs and "long_name" in var.attrs, name
    assert ds.attrs["seed"] == 0 and "config" in ds.attrs and ds.attrs["scale_people_per_worker"] > 0


def check_accounting(m: LabourMarketModel, prev: np.ndarray) -> np.ndarray:
    ws = m.ws
    R = m.world.n_regions
    live = ws.status != VACANT
    # each live worker is in exactly one state, and the stocks match the arrays
    assert set(np.unique(ws.status)) <= {VACANT, EMPLOYED, UNEMPLOYED, TRAINING, INFORMAL}
    stocks = np.zeros((R, N_STATES), dtype=np.int64)
    np.add.at(stocks, (ws.region[live].astype(int), ws.status[live].astype(int)), 1)
    np.testing.assert_array_equal(stocks, m.market.S)
    # stocks change only by recorded flows
    inflow, outflow = m.market.flows.sum(axis=1), m.market.flows.sum(axis=2)
    change = (inflow - outflow)[:, 1:]
    np.testing.assert_array_equal(m.market.S[:, 1:] - prev[:, 1:], change)
    # employers' books match the workers
    emp = np.flatnonzero(ws.status == EMPLOYED)
    assert (ws.employer[emp] >= 0).all()
    book = np.zeros_like(m.market.E)
    np.add.at(book, (ws.employer[emp].astype(int), ws.occ[emp].astype(int)), 1)
    np.testing.assert_array_equal(book, m.market.E)
    assert (m.market.V >= 0).all() and (m.market.E >= 0).all()
    assert (ws.employer[ws.status != EMPLOYED] == -1).all()
    wages = np.bincount(ws.region[emp], weights=ws.wage[emp], minlength=R)
    np.testing.assert_allclose(m.market.wage_sum, wages, rtol=1e-6)
    assert np.isfinite(ws.skill[live]).all() and (ws.skill[live] >= 0).all() and (ws.skill[live] <= 1).all()
    return m.market.S.copy()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    workers=st.integers(300, 3000),
    months=st.integers(2, 14),
    shock=st.sampled_from(["none", "gradual", "rapid", "uneven", "cycle"]),
)
def test_accounting_holds_every_month(seed, workers, months, shock):
    cfg = small(f"shock={shock}", f"seed={seed}", "shock.start_month=0", workers=workers, months=months)
    if shock in ("gradual", "rapid", "uneven"):
        cfg["shock"]["duration_months"] = 12
    m = LabourMarketModel(cfg)
    prev = m.market.S.copy()
    for _ in range(months):
        m.step()
        prev = check_accounting(m, prev)
    ds = m.results()
    for name, var in ds.data_vars.items():
        if var.dtype.kind == "f":
            assert np.isfinite(var.values).all(), name
            assert (var.values >= -1e-9).all(), name


def test_unemployment_settles_near_each_region_target():
    """No shock: each region's unemployment within 1.5 points of its calibration target."""
    ds = xr.concat([simulate(small(f"seed={s}", workers=30_000, months=96)) for s in range(2)], "seed")
    settled = ds.unemployment_rate.isel(time=slice(36, None)).mean(("time", "seed"))
    from fowsim import load_world

    target = load_world({"data": "default", "external_origins": ["rest_of_world"]}).rp("unemployment_target")
    assert np.all(np.abs(settled.values - target) < 0.015), (settled.values, target)


@pytest.fixture(scope="module")
def gradual():
    # the paper's mechanism: the same path in every region, fixed wages
    cfg = small("shock=gradual", "shock.duration_months=96", "shock.start_month=12", "shock.adoption=exogenous",
                "phases.remove=[wages]", workers=30_000, months=240)  # fmt: skip
    return simulate(cfg), simulate({**cfg, "shock": {**cfg["shock"], "kind": "none"}})


def test_gradual_shock_hits_the_most_exposed_occupations_hardest(gradual):
    shocked, base = gradual

    def u_by_occ(ds):
        d = ds.isel(time=slice(60, 108)).sum("time")
        u, e = d.unemployment_by_occupation, d.employment_by_occupation
        return (u.sum("region") / (u + e).sum("region")).values

    rise = u_by_occ(shocked) - u_by_occ(base)
    exposure = shocked.automation_exposure.values
    assert np.corrcoef(exposure, rise)[0, 1] > 0.4
    top, bottom = exposure >= np.quantile(exposure, 0.75), exposure <= np.quantile(exposure, 0.25)
    assert rise[top].mean() > rise[bottom].mean() + 0.01


def test_gradual_shock_raises_then_partly_recovers(gradual):
    """Where there is no informal work to go to (the EU, the Gulf), unemployment rises, then partly recovers."""
    shocked, base = (d.sel(region=["eu", "gulf"]) for d in gradual)
    u = shocked.unemployed.sum("region") / shocked.labour_force.sum("region")
    ub = base.unemployed.sum("region") / base.labour_force.sum("region")
    ltu = shocked.long_term_unemployed.sum("region") / shocked.labour_force.sum("region")
    ltub = base.long_term_unemployed.sum("region") / base.labour_force.sum("region")
    gap = (u - ub).rolling(time=6).mean()
    peak = int(np.nanargmax(gap.values))
    assert float(gap.max()) > 0.005
    # long-term unemployment: the shock's peak holds about as many long-term unemployed as the baseline here
    # (until 2026-12 it held 0.2 points more, on demand that early and late adopters destroyed by a bug of the
    # reallocation; the reduced model's check `qualitative` shows the paper's rise on a sparse network)
    assert float((ltu - ltub).isel(time=slice(peak - 12, peak + 12)).mean()) > -0.002
    # workers move along the network (and entrants to where the jobs are): the gap closes partly
    assert float(gap.isel(time=-1)) < 0.85 * float(gap.max())


def test_in_africa_the_shock_pushes_the_displaced_into_informal_work(gradual):
    shocked, base = (d.sel(region=["west_africa", "east_africa", "north_africa"]) for d in gradual)
    late = slice(-60, None)
    more = (shocked.informal - base.informal).isel(time=late).mean("time")
    assert (more > 0).all(), more.values


def test_demand_cycle_traces_counter_clockwise_beveridge_loops(tmp_path):
    # the validation suite's check: loops averaged over three 48-month cycles, overall and in every region
    result = checks.CHECKS["beveridge"].run(True, tmp_path)
    areas = {row.quantity: round(row.model, 3) for row in result.rows}
    assert result.passed, areas  # signed areas > 0: counter-clockwise
    assert len(result.rows) == 2 + 5
