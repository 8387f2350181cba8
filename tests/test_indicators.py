"""One registry of indicators: summary.json, compare, the report and sensitivity outcomes all read it."""

from __future__ import annotations

import numpy as np
import pytest

from fowsim import metrics, simulate
from fowsim.indicators import COMPARE, INDICATORS, REPORT, RUN_TABLE, SUMMARY, in_regions, value
from tests.conftest import small


@pytest.fixture(scope="module")
def ds():
    return simulate(small(workers=4000, months=30))


def test_every_product_draws_its_indicators_from_the_registry():
    from fowsim import compare
    from fowsim.report import data

    for names in (RUN_TABLE, SUMMARY, REPORT, COMPARE):
        assert set(names) <= set(INDICATORS)
    assert [i.name for i in data.INDICATORS] == list(REPORT)
    assert all(data.INDICATORS[k] is INDICATORS[n] for k, n in enumerate(REPORT))
    assert set(compare.COLUMNS) == {*COMPARE, "participants"}
    for ind in INDICATORS.values():
        assert ind.better in ("lower", "higher", "") and ind.unit and ind.label and ind.goal


def test_the_summary_holds_the_registry_s_indicators_in_their_units(ds):
    s = metrics.summary(ds)
    assert set(s["units"]) == set(SUMMARY) and all(s["units"][n] == INDICATORS[n].unit for n in SUMMARY)
    for region, row in s["regions"].items():
        assert set(row) == set(SUMMARY)
        assert row["unemployment_rate"] == pytest.approx(value(ds, "unemployment_rate", [region]))
    assert set(s["all_regions"]) == set(SUMMARY)


def test_each_indicator_reads_only_the_variables_it_declares(ds):
    # a table of many indicators selects the declared variables first: a missing one would raise here
    for name, ind in INDICATORS.items():
        assert ind.reads, name
        for regions in (None, ["eu"]):
            full = ds if regions is None else in_regions(ds, regions)
            np.testing.assert_allclose(float(ind.compute(full[list(ind.reads)])), float(ind.compute(full)),
                                       err_msg=name)  # fmt: skip


def test_a_share_over_regions_is_pooled_not_averaged(ds):
    late = ds.isel(time=slice(-12, None))
    pooled = 100 * float(late.unemployed.sum() / late.labour_force.sum())
    assert value(ds, "unemployment_rate") == pytest.approx(pooled, rel=1e-12)
    mean_of_regions = np.mean([value(ds, "unemployment_rate", [r]) for r in ds.region.values])
    assert abs(mean_of_regions - pooled) > 1e-3  # the regions differ in size: averaging would be wrong


def test_regions_select_where_people_live_and_where_migrants_went(ds):
    eu = in_regions(ds, ["eu"])
    assert list(eu.region.values) == ["eu"] and list(eu.destination.values) == ["eu"]
    oq = value(ds, "migrant_overqualification", ["eu"])
    late = ds.isel(time=slice(-24, None))
    expected = 100 * float(late.migrant_tertiary_overqualified.sel(destination="eu").sum()
                           / late.migrant_tertiary_employed.sel(destination="eu").sum())  # fmt: skip
    assert oq == pytest.approx(expected, rel=1e-12)


def test_a_sensitivity_outcome_may_name_an_indicator(ds):
    from fowsim.design import parse
    from fowsim.sensitivity import outcome_value

    study = parse({"parameters": {"shock.size": [0, 1]},
                   "outcomes": {"ltu": {"indicator": "long_term_unemployment_rate", "region": "north_africa"},
                                "jobs": {"indicator": "employment"}}})  # fmt: skip
    ltu, jobs = sorted(study.outcomes, key=lambda o: o.name != "ltu")
    assert outcome_value(ds, ltu) == pytest.approx(value(ds, "long_term_unemployment_rate", ["north_africa"]))
    assert ltu.minimise and not jobs.minimise  # from the registry's better direction
    from fowsim import ConfigError

    with pytest.raises(ConfigError, match="sensitivity.outcomes.x.indicator='nope': one of"):
        parse({"parameters": {"shock.size": [0, 1]}, "outcomes": {"x": {"indicator": "nope"}}})


def test_women_and_youth_unemployment_are_pooled_from_their_own_counts():
    from fowsim import compose

    ds = simulate(compose(["workers=10000", "months=13"]))
    rate = ds["unemployed_female"] / ds["labour_force_female"]
    np.testing.assert_allclose(rate.values, ds["unemployment_rate_female"].values, rtol=1e-9)
    year = ds.isel(time=slice(-12, None))
    for group, name in (("female", "unemployment_rate_women"), ("youth", "unemployment_rate_youth")):
        pooled = 100 * float(year[f"unemployed_{group}"].sum() / year[f"labour_force_{group}"].sum())
        assert value(ds, name) == pytest.approx(pooled, rel=1e-12)
        assert 0 < float(year[f"labour_force_{group}"].sum()) < float(year["labour_force"].sum())
