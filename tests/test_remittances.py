"""Remittances: migrants send home a share of their earnings, recorded by corridor."""

from __future__ import annotations

import numpy as np
import pytest

from fowsim import LabourMarketModel, compose
from fowsim.codes import EMPLOYED, NATIVE, RETURNEE


def test_remittances_are_the_destinations_share_of_migrants_earnings_by_corridor():
    m = LabourMarketModel(compose(["workers=20000", "months=6"])).run()
    ds = m.results()
    ws, w = m.ws, m.world
    # the last month's earnings, summed worker by worker: employed, foreign-born, by (origin, region)
    foreign = (ws.status == EMPLOYED) & (ws.mig != NATIVE) & (ws.mig != RETURNEE)
    expected = np.zeros((len(w.origins), w.n_regions))
    np.add.at(expected, (ws.origin[foreign], ws.region[foreign]), ws.wage[foreign].astype(float))
    last = ds.isel(time=-1)
    np.testing.assert_allclose(last["migrant_earnings"].values, expected * m.scale, rtol=1e-6)
    share = m.migration.remittance_share  # by destination: fitted to the EU's and the Gulf's outflows
    np.testing.assert_allclose(last["remittances"].values, share[None, :] * last["migrant_earnings"].values,
                               rtol=1e-12)  # fmt: skip
    assert share[w.region("gulf")] > 3 * share[w.region("eu")]  # the Gulf's migrants send home far more
    assert share[w.region("west_africa")] == m.params["remittance_share"]  # no outflow figure: the parameter
    assert float(last["remittances"].sel(origin="north_africa", destination="eu")) > 0
    assert float(last["remittances"].sel(origin="eu", destination="eu")) == 0.0  # natives send nothing


def test_households_pay_for_training_from_the_remittances_they_receive():
    with_share = LabourMarketModel(compose(["workers=30000", "months=12"])).run()
    ds = with_share.results().isel(time=slice(1, None))
    received = ds["remittances"].sum("destination").sel(origin=list(with_share.world.regions))
    seats = ds["remittance_training"]
    # seats = share x received last month / the cost of a trainee-month: more remittances, more seats
    assert float(seats.sel(region="north_africa").mean()) > 0
    assert float(seats.sel(region="eu").mean()) < float(seats.sel(region="north_africa").mean())
    assert float(received.sel(origin="north_africa").mean()) > 0
    household = [pr for pr in with_share.providers if pr.kind == "household"]
    assert sum(pr.completed + pr.enrolled for pr in household) > 0
    none = LabourMarketModel(compose(["workers=30000", "months=12", "world.params.remittance_training_share=0"]))
    none.run()
    assert float(none.results()["remittance_training"].sum()) == 0.0
    assert sum(pr.completed + pr.enrolled for pr in none.providers if pr.kind == "household") == 0


def test_the_indicators_read_a_years_remittances_and_sponsored_job_changes():
    from fowsim.indicators import value

    ds = LabourMarketModel(compose(["workers=20000", "months=14"])).run().results()
    year = ds.isel(time=slice(-12, None))
    assert value(ds, "remittances") == pytest.approx(float(year["remittances"].sum()) / 1e9, rel=1e-12)
    gulf = float(year["tied_job_to_job"].sel(region="gulf").sum()) / 1e3
    assert abs(value(ds, "tied_job_changes", ["gulf"]) - gulf) < 1e-9 and gulf > 0
    assert value(ds, "tied_job_changes", ["eu"]) == 0.0  # visas are tied in the Gulf only
