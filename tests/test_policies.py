"""Policies: each moves its target indicators the expected way against baseline (same seed), money adds up,
any two compose, and bad parameters fail in one line."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from fowsim import ConfigError, metrics
from fowsim.model import LabourMarketModel
from fowsim.policies import REGISTRY
from fowsim.scenario import build_scenario
from tests.conftest import small


def run(policy: dict, *overrides: str, workers: int = 30_000, months: int = 60, world=None):
    cfg = small(*overrides, workers=workers, months=months)
    cfg["policy"] = policy
    scenario = build_scenario(cfg)
    if world is not None:
        world(scenario.world)
    model = LabourMarketModel(scenario).run()
    return model, model.results()


def late(ds, name: str, region: str, months: int = 24) -> float:
    return float(ds[name].sel(region=region).isel(time=slice(-months, None)).mean())


def test_the_thirteen_policies_exist_each_with_its_own_mechanism():
    names = {
        "reskilling",
        "upskilling",
        "pre_departure",
        "skills_partnership",
        "recognition",
        "circular_mobility",
        "long_term_mobility",
        "online_training",
        "diaspora_training",
        "mobility_restrictions",
        "demand_led_training",
        "entrepreneurship_training",
        "sponsorship_reform",
    }
    assert set(REGISTRY) == names
    # none is a renamed copy of another: each has its own code
    acts = {cls.act for cls in REGISTRY.values() if "act" in vars(cls)} | {
        cls.apply for cls in REGISTRY.values() if "apply" in vars(cls)
    }
    assert len(acts) >= 13
    for cls in REGISTRY.values():
        assert cls.__doc__ and len(cls.__doc__) > 200  # what it does in the model


def test_recognition_lowers_the_overqualification_of_migrants_on_its_corridors():
    # measured where the agreements act: graduates from the three African origins employed in the EU
    africa = ["north_africa", "west_africa", "east_africa"]

    def brain_waste(ds):
        d = ds.isel(time=slice(-30, None)).sel(origin=africa, destination="eu")
        return float(d.migrant_tertiary_overqualified.sum() / d.migrant_tertiary_employed.sum())

    spec = {"start_month": 0, "approval": 1.0, "speedup": 4.0}
    _, base = run({}, workers=50_000, months=60)
    model, pol = run({"recognition": spec}, workers=50_000, months=60)
    assert brain_waste(pol) < brain_waste(base) - 0.10, (brain_waste(pol), brain_waste(base))
    office, pairs = model.recognition, model.policies[0]._k
    assert (office.months[pairs] == office.base_months[pairs] / 4).all() and (office.approval[pairs] == 1.0).all()


def test_reskilling_locks_displaced_workers_in_and_two_years_on_leaves_them_a_little_behind():
    """Card, Kluve & Weber (2018): zero or negative in the short run, positive after two to three years (missed)."""
    spec = {"start_month": 0, "seats": 2e6, "regions": ["eu", "north_africa"], "min_unemployed_months": 600}
    gain = {}
    for wages in ("flexible", "fixed"):
        shock = ("shock=rapid", "shock.start_month=6", "shock.adoption=exogenous")  # both regions automate
        extra = (*shock, "phases.remove=[wages]") if wages == "fixed" else shock
        _, base = run({}, *extra, workers=40_000, months=84)
        _, pol = run({"reskilling": spec}, *extra, workers=40_000, months=84)
        for region in ("eu", "north_africa"):
            early = metrics.displaced_reemployment(pol, 6).sel(region=region)
            assert early < metrics.displaced_reemployment(base, 6).sel(region=region) - 0.03  # in training, not at work
            after = metrics.displaced_reemployment(pol, 24) - metrics.displaced_reemployment(base, 24)
            gain[wages, region] = float(after.sel(region=region))
    # two years on, near the baseline, with wages fixed or not: behind it in the EU, where the graduates keep their
    # time out of work and, where wages fall in the occupations the displaced crowd, the baseline's displaced find
    # work back there (KNOWN_MISSES['reskilling'] in tests/test_validation.py: Card, Kluve & Weber find a gain by
    # then); in North Africa, where the baseline's displaced go into informal work, within a few points of it
    # either way (one seed of 40,000 workers: -5.0 to +3.6 points, 2026-12-07)
    assert all(-0.08 < v < 0.06 for v in gain.values()), gain
    assert gain["flexible", "eu"] < 0.01 and gain["fixed", "eu"] < 0.01, gain


def test_the_skills_partnership_raises_skilled_employment_at_home_and_flows_in_its_corridor():
    # a programme that teaches to the destination's standard (Clemens 2015): two thirds of what its trainees
    # lack, not the 8% of a seven-month course by its length and the fitted yield (`taught_share`), with which graduates
    # who stay find too few jobs at home to add to its skilled employment
    spec = {"start_month": 0, "cohort_size": 2_000_000, "cohorts": 3, "skill_after": 0.65}
    _, base = run({}, months=72)
    model, pol = run({"skills_partnership": spec}, months=72)

    def skilled(ds):
        emp = ds.employed_by_credential.sel(region="north_africa").isel(
            credential=slice(2, None), time=slice(-24, None)
        )
        return float(emp.sum("credential").mean())

    assert skilled(pol) > skilled(base)
    flow = {
        k: float(d.migration_flow.sel(origin="north_africa", destination="eu").sum())
        for k, d in (("b", base), ("p", pol))
    }
    assert flow["p"] > flow["b"]
    assert float(pol.placements_home.sum()) > 0 and float(pol.placements_away.sum()) > 0
    # Clemens' cost sharing: destination employers pay the away track, the destination's government the home track
    account = model.policies[0].account()
    assert 0 < account["public_spent_eur"] < account["total_cost_eur"]


def test_a_partnership_without_open_borders_places_no_one_abroad():
    spec = {"start_month": 0, "cohort_size": 300_000, "cohorts": 1}
    _, pol = run(
        {"skills_partnership": spec, "mobility_restrictions": {"start_month": 0, "end_month": None, "regions": ["eu"]}},
        months=24,
        workers=100_000,  # a cohort of about 50 simulated trainees: at 30,000, 14, too few to place any at home
    )
    assert float(pol.placements_away.sum()) == 0 and float(pol.placements_home.sum()) > 0


def test_circular_mobility_raises_returns_and_returnees_skills():
    _, base = run({}, months=72)
    _, pol = run({"circular_mobility": {"start_month": 0, "annual_places": 3e6}}, months=72)
    home = "north_africa"
    r_base, r_pol = base.sel(region=home), pol.sel(region=home)
    assert float(r_pol.returnees.sum()) > 1.2 * float(r_base.returnees.sum())
    assert float(r_pol.returnee_skill.sum() / r_pol.returnees.sum()) > float(
        r_base.returnee_skill.sum() / r_base.returnees.sum()
    )


def test_online_training_reaches_more_people_at_lower_cost_with_lower_completion():
    budget = {"start_month": 0, "budget": 5e8}
    online, _ = run({"online_training": budget}, months=48)
    classroom, _ = run({"reskilling": {**budget, "min_unemployed_months": 0}}, months=48)
    a, b = online.policies[0].account(), classroom.policies[0].account()
    assert a["participants"] > 5 * b["participants"]
    assert a["total_cost_eur"] / a["participants"] < b["total_cost_eur"] / b["participants"] / 5
    assert a["completions"] / a["participants"] < b["completions"] / b["participants"]


def test_diaspora_training_scales_with_the_diaspora():
    def bigger(world):
        c = world.corridors
        c.initial_stock[c.origin < world.n_regions] *= 2.0

    # enough places per thousand abroad that a region's seats are several simulated workers
    policy = {"diaspora_training": {"start_month": 0, "places_per_thousand": 40.0}}
    small_d, _ = run(policy, months=36)
    large_d, _ = run(policy, months=36, world=bigger)
    assert large_d.policies[0].account()["participants"] > 1.3 * small_d.policies[0].account()["participants"]
    assert small_d.policies[0].account()["public_spent_eur"] == 0.0  # the diaspora pays


def test_mobility_restrictions_stop_arrivals_while_borders_are_closed():
    _, pol = run({"mobility_restrictions": {"start_month": 12, "end_month": 24}}, months=36)
    closed = pol.immigrants.isel(time=slice(13, 24)).sum()
    assert float(closed) == 0.0
    assert float(pol.immigrants.isel(time=slice(25, 36)).sum()) > 0


def test_entrepreneurship_training_creates_businesses_and_jobs():
    # places for a few dozen simulated workers (a simulated worker stands for about 20,000 people)
    model, pol = run({"entrepreneurship_training": {"start_month": 0, "hiring_share": 0.5, "seats": 1e6}}, months=36)
    policy = model.policies[0]
    assert float(pol.business_starts.sum()) > 0
    # the businesses still open hold demand (their owners' jobs and their hires) at host employers
    assert policy.businesses.sum() > 0 and model.market.D_extra.sum() > policy.businesses.sum()
    assert (model.market.D_extra >= -1e-9).all()


def test_demand_led_training_follows_the_tightest_occupations():
    model = LabourMarketModel(
        build_scenario(
            {
                **small(workers=20_000, months=30),
                "policy": {"demand_led_training": {"start_month": 0, "review_months": 6}},
            }
        )
    )
    policy, seen = model.policies[0], []
    for _ in range(30):
        model.step()
        seen.append(tuple(policy.providers[0].targets))
        r = policy.providers[0].region
        tight = model.market.V_region[r] / (model.market.U_region[r] + 1.0)
        assert set(policy.shortages(model, r)) == set(np.argsort(-tight, kind="stable")[: policy.n_occupations])
    assert len(set(seen)) > 1  # the courses change as shortages move


def test_upskilling_moves_exposed_workers_and_shares_the_cost_with_employers():
    model, pol = run({"upskilling": {"start_month": 0, "subsidy_share": 0.25}}, months=24)
    a = model.policies[0].account()
    assert a["completions"] > 0
    assert a["public_spent_eur"] == pytest.approx(0.25 * a["total_cost_eur"], rel=1e-6)


def test_long_term_mobility_moves_people_permanently_and_brings_families():
    _, base = run({}, months=48)
    _, pol = run({"long_term_mobility": {"start_month": 0, "annual_quota": 1e6, "family_rate": 0.05}}, months=48)
    stock = {
        k: float(d.migrant_stock.sel(origin="west_africa", destination="eu").isel(time=-1))
        for k, d in (("b", base), ("p", pol))
    }
    assert stock["p"] > stock["b"] and float(pol.family_joiners.sum()) > 0


def test_pre_departure_training_raises_recognition_abroad():
    from fowsim.codes import DOWNGRADED, PREPARED, RECOGNISED

    spec = {"start_month": 0, "seats": 2e6, "corridors": ["east_africa->eu"], "min_credential": 2}

    def more_visas(world):  # the corridor's quota (45,000 a year) is a handful of simulated workers
        c = world.corridors
        c.annual_quota[(c.destination == world.region("eu")) & (c.origin == world.origins.index("east_africa"))] *= 100

    model, _ = run({"pre_departure": spec}, workers=80_000, months=60, world=more_visas)
    ws, w = model.ws, model.world
    there = (ws.region == w.region("eu")) & (ws.origin == w.origins.index("east_africa"))
    decided = there & ((ws.recog == RECOGNISED) | (ws.recog == DOWNGRADED))
    prepared = (ws.scheme & PREPARED) > 0
    rate = [float((ws.recog[decided & group] == RECOGNISED).mean()) for group in (prepared, ~prepared)]
    assert (decided & prepared).sum() >= 20
    assert rate[0] > rate[1] + 0.1


@pytest.mark.parametrize("name", ["reskilling", "online_training", "upskilling", "recognition"])
def test_spending_never_exceeds_the_budget_and_every_euro_is_accounted_for(name):
    budget = 2e8
    model, ds = run({name: {"start_month": 0, "budget": budget}}, "shock=rapid", months=36)
    policy = model.policies[0]
    assert 0 < policy.spent <= budget
    # the dataset's spending = the default providers' + the policy's (training and other costs)
    default = sum(pr.spent for pr in model.providers if pr.owner is None)
    assert float(metrics.spending(ds).sum()) == pytest.approx(default + policy.total_cost, rel=1e-9)


def test_cost_per_additional_person_year_is_reported():
    _, base = run({}, "shock=rapid", months=36)
    _, pol = run({"demand_led_training": {"start_month": 0}}, "shock=rapid", months=36)
    cost = metrics.cost_per_person_year(pol, base)
    assert cost > 0
    summary = metrics.summary(pol)
    assert summary["policies"]["demand_led_training"]["total_cost_eur"] > 0


@pytest.mark.parametrize("pair", list(itertools.combinations(sorted(REGISTRY), 2)), ids="+".join)
def test_any_two_policies_compose(pair):
    model, ds = run({name: {"start_month": 1} for name in pair}, "shock=gradual", workers=3000, months=14)
    assert [p.name for p in model.policies] == list(pair)
    unknown_by_design = {"followed_earnings"}  # NaN: a person who left, or a follow-up beyond the run
    floats = [v for v in ds.data_vars if ds[v].dtype.kind == "f" and v not in unknown_by_design]
    assert not any(np.isnan(ds[v]).any() for v in floats)
    assert (model.market.S >= 0).all()


@pytest.mark.parametrize(
    ("policy", "message"),
    [
        ({"reskilling": {"regions": ["mars"]}}, "policy.reskilling.regions='mars': one of"),
        ({"reskilling": {"budget": -5}}, "policy.reskilling.budget=-5: null or a number >= 0"),
        ({"skills_partnership": {"occupations": ["astronaut"]}}, "policy.skills_partnership.occupations='astronaut'"),
        ({"skills_partnership": {"home_share": 0.5, "away_share": 0.6}}, "home_share + away_share = 1"),
        ({"circular_mobility": {"corridors": ["eu->mars"]}}, "policy.circular_mobility.corridors='eu->mars'"),
        ({"recognition": {"approval": 1.5}}, "policy.recognition.approval=1.5: a number in [0, 1]"),
        ({"recognition": {"approval": float("nan")}}, "policy.recognition.approval=nan: a number in [0, 1]"),
        ({"reskilling": {"duration_months": 6.5}}, "policy.reskilling.duration_months=6.5: a whole number in [1, 60]"),
        ({"reskilling": {"include_displaced": "yes"}}, "policy.reskilling.include_displaced='yes': true or false"),
        ({"reskilling": {"seets": 5}}, "policy.reskilling.seets=5: a parameter of reskilling"),
        ({"nonexistent": {}}, "policy='nonexistent': one of"),
    ],
)
def test_bad_policy_parameters_fail_with_one_line_naming_the_key(policy, message):
    cfg = small()
    cfg["policy"] = policy
    with pytest.raises(ConfigError) as exc:
        build_scenario(cfg)
    assert message in str(exc.value) and "\n" not in str(exc.value)


def test_every_policy_has_a_config_preset_that_composes():
    from fowsim import compose

    for name in REGISTRY:
        cfg = compose([f"policy=[{name}]", "workers=1000", "months=2"])
        assert name in cfg.policy
        build_scenario(cfg)


def test_training_and_reemployment_are_recorded_for_women_and_youth():
    shock = ("shock=rapid", "shock.start_month=6")
    spec = {"start_month": 0, "seats": 2e6, "min_unemployed_months": 6}
    model, ds = run({"reskilling": spec}, *shock, months=48)
    for name in ("enrolments", "completions", "dropouts"):
        by_group, total = ds[f"{name}_by_group"].sum("time"), ds[name].sum("time")
        assert (by_group <= total + 1e-6).all() and float(by_group.sum()) > 0
    women = ds.enrolments_by_group.sel(group="female").sum()
    assert 0.1 < float(women / ds.enrolments.sum()) < 0.7  # women enrol, in proportion to their share of the unemployed
    assert (ds.displaced_cohort_by_group <= ds.displaced_cohort.broadcast_like(ds.displaced_cohort_by_group)).all()
    rate = metrics.displaced_reemployment_by_group(ds, 24)
    assert set(rate.group.values) == {"female", "youth"} and ((rate >= 0) & (rate <= 1)).all()
    account = model.policies[0].account()
    assert 0 < account["participants_female"] < account["participants"]
    assert 0 < account["participants_youth"] < account["participants"]
