"""Outcomes of women, men and youth: the census counts them worker by worker, the tables split them."""

from __future__ import annotations

import numpy as np
import pytest

from fowsim import LabourMarketModel, compose
from fowsim.codes import EMPLOYED, NATIVE, RETURNEE, TERTIARY, YOUTH_MONTHS
from fowsim.metrics import GROUP_OUTCOMES, GROUPS, outcomes_by_group


@pytest.fixture(scope="module")
def ran() -> LabourMarketModel:
    return LabourMarketModel(compose(["workers=20000", "months=14"])).run()


def test_the_census_counts_womens_and_youths_pay_overqualification_and_migration_worker_by_worker(ran):
    m = ran
    ws, w, R = m.ws, m.world, m.world.n_regions
    last = m.results().isel(time=-1)
    young = (m.t - 1 - ws.birth.astype(np.int64)) < YOUTH_MONTHS  # the record is of the month just ended
    foreign = (ws.mig != NATIVE) & (ws.mig != RETURNEE) & (ws.status > 0)
    employed = ws.status == EMPLOYED
    for g, member in (("female", ws.female), ("youth", young)):
        at = last.sel(group=g)
        working = employed & member
        pay = np.bincount(ws.region[working], ws.wage[working].astype(float), R) / np.maximum(
            np.bincount(ws.region[working], minlength=R), 1
        )
        np.testing.assert_allclose(at["mean_wage_by_group"].values, pay, rtol=1e-6)
        tertiary = working & (ws.cred == TERTIARY)
        low = tertiary & w.low_skill[ws.occ]
        np.testing.assert_allclose(at["tertiary_employed_by_group"].values,
                                   np.bincount(ws.region[tertiary], minlength=R) * m.scale)  # fmt: skip
        np.testing.assert_allclose(at["tertiary_overqualified_by_group"].values,
                                   np.bincount(ws.region[low], minlength=R) * m.scale)  # fmt: skip
        np.testing.assert_allclose(at["migrants_by_group"].values,
                                   np.bincount(ws.region[foreign & member], minlength=R) * m.scale)  # fmt: skip
        sending = foreign & working
        earned = np.bincount(ws.region[sending], ws.wage[sending].astype(float), R) * m.scale
        np.testing.assert_allclose(at["remittances_by_group"].values, earned * m.migration.remittance_share,
                                   rtol=1e-6)  # fmt: skip
    assert float(last["migrants_by_group"].sel(group="female", region="eu")) > 0


def test_emigration_and_returns_are_counted_for_women_and_youth(ran):
    ds = ran.results()
    for flow in ("emigrants", "returns"):
        by_group = ds[f"{flow}_by_group"].sum("time")
        everyone = ds[flow].sum("time")
        assert (by_group <= everyone + 1e-9).all()
        assert float(by_group.sel(group="female").sum()) > 0
    assert float(ds["emigrants_by_group"].sel(group="youth").sum()) > 0


def test_women_and_men_make_up_everyone_and_everyones_rates_are_the_pooled_ones(ran):
    ds = ran.results()
    table = outcomes_by_group(ds)
    assert list(table.group.values) == list(GROUPS)
    assert set(table.data_vars) == set(GROUP_OUTCOMES)
    for share in ("labour_force_share", "migrant_share", "remittance_share", "enrolment_share"):
        both = table[share].sel(group="women") + table[share].sel(group="men")
        np.testing.assert_allclose(both.dropna("region").values, 100.0)
    last = ds.isel(time=slice(-12, None)).sum("time")
    np.testing.assert_allclose(table["unemployment_rate"].sel(group="all").values,
                               100 * last["unemployed"].values / last["labour_force"].values)  # fmt: skip
    assert (table["wage_ratio"].sel(group="all") == 100).all()
    # the wage bills of women and men add up to everyone's: men's mean is not everyone's less women's
    d = ds.isel(time=slice(-12, None))
    bill = float((d["mean_wage"] * d["employed"]).sel(region="eu").sum())
    women = d["labour_force_female"] - d["unemployed_female"] - d["informal_by_group"].sel(group="female")
    women_bill = float((d["mean_wage_by_group"].sel(group="female") * women).sel(region="eu").sum())
    men = float((d["employed"] - women).sel(region="eu").sum())
    mean = bill / float(d["employed"].sel(region="eu").sum())
    expected = 100 * (bill - women_bill) / men / mean
    assert float(table["wage_ratio"].sel(group="men", region="eu")) == pytest.approx(expected)
    # women are a minority of North Africa's labour force (ILO: female participation far below men's)
    assert float(table["labour_force_share"].sel(group="women", region="north_africa")) < 35
