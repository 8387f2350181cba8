"""Remittances: migrants send home a share of their earnings, recorded by corridor."""

from __future__ import annotations

import numpy as np
import pytest

from fowsim import LabourMarketModel, compose
from fowsim.codes import EMPLOYED, NATIVE, RETURNEE


def test_remittances_are_the_recorded_share_of_migrants_earnings_by_corridor():
    m = LabourMarketModel(compose(["workers=20000", "months=6", "world.params.remittance_share=0.2"])).run()
    ds = m.results()
    ws, w = m.ws, m.world
    # the last month's earnings, summed worker by worker: employed, foreign-born, by (origin, region)
    foreign = (ws.status == EMPLOYED) & (ws.mig != NATIVE) & (ws.mig != RETURNEE)
    expected = np.zeros((len(w.origins), w.n_regions))
    np.add.at(expected, (ws.origin[foreign], ws.region[foreign]), ws.wage[foreign].astype(float))
    last = ds.isel(time=-1)
    np.testing.assert_allclose(last["migrant_earnings"].values, expected * m.scale, rtol=1e-6)
    np.testing.assert_allclose(last["remittances"].values, 0.2 * last["migrant_earnings"].values, rtol=1e-12)
    assert float(last["remittances"].sel(origin="north_africa", destination="eu")) > 0
    assert float(last["remittances"].sel(origin="eu", destination="eu")) == 0.0  # natives send nothing


def test_no_remittances_without_a_share():
    ds = LabourMarketModel(compose(["workers=5000", "months=2", "world.params.remittance_share=0"])).run().results()
    assert float(ds["remittances"].sum()) == 0.0 and float(ds["migrant_earnings"].sum()) > 0


def test_the_indicators_read_a_years_remittances_and_sponsored_job_changes():
    from fowsim.indicators import value

    ds = LabourMarketModel(compose(["workers=20000", "months=14"])).run().results()
    year = ds.isel(time=slice(-12, None))
    assert value(ds, "remittances") == pytest.approx(float(year["remittances"].sum()) / 1e9, rel=1e-12)
    gulf = float(year["tied_job_to_job"].sel(region="gulf").sum()) / 1e3
    assert abs(value(ds, "tied_job_changes", ["gulf"]) - gulf) < 1e-9 and gulf > 0
    assert value(ds, "tied_job_changes", ["eu"]) == 0.0  # visas are tied in the Gulf only
