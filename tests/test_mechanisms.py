"""Mechanisms that keep the baseline in a steady state: sponsored recruitment, entrants' choice,
demand that follows the labour force, and on-the-job search."""

from __future__ import annotations

import numpy as np
import pytest

from fowsim import LabourMarketModel, default_schedule, simulate
from fowsim.codes import EMPLOYED, TEMPORARY, UNEMPLOYED, VACANT
from fowsim.scenario import build_scenario
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


def _add_unemployed(m, region: int, n: int) -> None:
    """`n` young workers join region `region`'s unemployed (as arrivals would)."""
    from fowsim.phases.demography import new_workers

    idx = m.ws.free_slots(n)
    new_workers(m, idx, region, np.random.default_rng(1))
    m.market.transition(idx, UNEMPLOYED, region=region)


def _employment_after_adding(closure: int, added_share: float, *extra: str) -> tuple[float, float, int]:
    """EU employment a year after `added_share` of its labour force joins it with no vacancy open, and without."""
    out = []
    for add in (False, True):
        m = LabourMarketModel(small(*extra, workers=30_000, months=24))
        eu = m.world.regions.index("eu")
        m.world.region_params["demand_follows_labour_force"][:] = closure
        m.run(12)
        n = int(added_share * m.market.labour_force()[eu])
        m.market.V[m.market.firm_region == eu] = 0  # no open vacancies
        if add:
            _add_unemployed(m, eu, n)
        m.run(12)
        out.append(float(m.market.S[eu, EMPLOYED]))
    return out[0], out[1], n


def test_workers_added_to_a_region_without_vacancies_fill_jobs_but_create_none():
    # the demand closure (fowsim.phases.automation): demand grows on its own path, not with the workers
    without, with_, n = _employment_after_adding(0, 0.1)
    # some jobs come with them through wages (more searchers, a lower going wage, more demand), far from one each
    assert with_ - without < 0.5 * n
    # the closure alone (fixed wages): demand on its own path
    fixed = "phases.remove=[wages]"
    fixed_without, fixed_with, n_fixed = _employment_after_adding(0, 0.1, fixed)
    assert fixed_with - fixed_without < 0.25 * n_fixed
    # where demand follows the labour force (the earlier closure), the same workers create their own jobs
    without_f, with_f, n_f = _employment_after_adding(1, 0.1, fixed)
    assert with_f - without_f > 3 * (fixed_with - fixed_without) and with_f - without_f > 0.15 * n_f


def test_natives_and_migrants_unemployment_are_recorded_and_gulf_migrants_without_work_leave():
    ds = simulate(small(workers=30_000, months=24))
    for k in ("unemployment_rate_native", "unemployment_rate_migrant"):
        assert ((ds[k] >= 0) & (ds[k] <= 1)).all()
    late = ds.isel(time=slice(12, None)).mean("time")
    # temporary migrants without work must leave (kafala): their unemployment stays below the nationals'
    assert float(late.unemployment_rate_migrant.sel(region="gulf")) < float(
        late.unemployment_rate_native.sel(region="gulf")
    )
    # where natives are nearly everyone (West Africa), their rate is the region's
    west = late.sel(region="west_africa")
    assert float(west.unemployment_rate_native) == pytest.approx(float(west.unemployment_rate), abs=0.01)


def _gulf_after_more_demand(*extra: str) -> tuple[float, float, float, float, float]:
    """The Gulf two years after its demand rises by a tenth, against the same seed without it.

    Returns employment and sponsored recruits over the two years in both runs, and employment at the rise.
    """
    employed, sponsored = [], []
    for more in (1.0, 1.1):
        m = LabourMarketModel(small(*extra, workers=100_000, months=36))
        gulf = m.world.regions.index("gulf")
        m.run(12)
        e0 = float(m.market.S[gulf, EMPLOYED])
        m.market.D0_region[gulf] *= more  # vacancies that the labour force there cannot fill
        m.run(24)
        employed.append(float(m.market.S[gulf, EMPLOYED]))
        sponsored.append(float(m.results().sponsored_hires.sel(region="gulf").isel(time=slice(12, 36)).sum()) / m.scale)
    return employed[0], employed[1], sponsored[0], sponsored[1], e0


def test_gulf_sponsored_recruitment_fills_the_vacancies_of_its_own_demand():
    # with wages fixed, most of the new demand is filled within two years
    base, more, sponsored_base, sponsored_more, e0 = _gulf_after_more_demand("phases.remove=[wages]")
    fixed_gain = more - base
    assert fixed_gain > 0.5 * 0.1 * e0
    # employers recruit more from abroad when demand rises, and recruits are the bulk of the Gulf's hires
    assert sponsored_more > sponsored_base and sponsored_more > fixed_gain
    # with wages, the going wage rises with the tightness and holds some of the new demand back
    base, more, _, _, e0 = _gulf_after_more_demand()
    assert 0.25 * 0.1 * e0 < more - base < fixed_gain


def test_on_the_job_search_moves_workers_between_jobs_and_reopens_their_old_jobs():
    ds = simulate(small(workers=20_000, months=12))
    moves = ds.job_to_job.sum()
    assert moves > 0
    # job-to-job moves are employed -> employed transitions; no other move is
    e2e = ds.transitions.sel(from_state="employed", to_state="employed").sum()
    np.testing.assert_allclose(float(e2e), float(moves), rtol=1e-9)
    off = simulate(small("world.params.on_the_job_search_rate=0", workers=20_000, months=12))
    assert float(off.job_to_job.sum()) == 0.0
    assert float(off.transitions.sel(from_state="employed", to_state="employed").sum()) == 0.0


@pytest.fixture(scope="module")
def thirty_years():
    return simulate(small(workers=50_000, months=360))


SETTLING = (
    "the first five years in Africa: unemployment starts at its 2019 level, falls in the first months as the "
    "unemployed with a primary credential take up informal work, and takes about three years to rise back to its "
    "calibrated level (North Africa 9.7% over years 0-5 against 12.1%, one seed of 50,000, 2026-12-07): the initial "
    "workforce draws the unemployed alike at every credential, where in the steady state the educated queue and "
    "make up more of them (docs/experiments.md, the rapid-shock baseline)"
)


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason=SETTLING)
def test_the_first_five_years_start_at_the_calibrated_unemployment(thirty_years):
    world = LabourMarketModel(small(workers=1000, months=1)).world
    u = thirty_years.isel(time=slice(0, 60)).unemployment_rate.mean("time").values
    assert np.all(np.abs(u - world.rp("unemployment_target")) < 0.015), u


NORTH_AFRICA_DRIFT = (
    "North Africa's unemployment drifts up after the calibration's 15 years: 13.8% in years 15-20 of one seed of "
    "150,000 (2026-12-08: 10.3%, 12.4%, 13.4% in the five-year windows before), against 12.1 +- 1.5; the full "
    "validation's mean over months 36-240 stays within its tolerance (docs/validation)"
)


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason=NORTH_AFRICA_DRIFT)
def test_north_africas_unemployment_holds_for_thirty_years(thirty_years):
    u = thirty_years.unemployment_rate.sel(region="north_africa").values
    world = LabourMarketModel(small(workers=1000, months=1)).world
    target = world.rp("unemployment_target")[world.region("north_africa")]
    assert all(abs(u[start : start + 60].mean() - target) < 0.015 for start in range(60, 360, 60)), u


@pytest.mark.slow
def test_thirty_year_baseline_keeps_every_calibrated_headline_within_tolerance_in_every_five_years(thirty_years):
    """No drift: unemployment, migrant stocks, over-qualification and mobility hold in each 5-year window.

    From the second window: the first is the settling of the initial workforce in Africa (`SETTLING`).
    """
    from fowsim.validation.checks import _target_value

    ds = thirty_years
    world = LabourMarketModel(small(workers=1000, months=1)).world
    target = world.rp("unemployment_target")
    targets = [t for t in world.targets if t.rule == "abs"
               and t.quantity in ("migrant_stock", "overqualification_native", "overqualification_migrant",
                                  "occupational_mobility", "job_to_job")]  # fmt: skip
    assert {t.quantity for t in targets} >= {"migrant_stock", "overqualification_migrant"}
    held = np.array([r != "north_africa" for r in world.regions])  # North Africa's drift: NORTH_AFRICA_DRIFT
    for start in range(60, 360, 60):
        window = ds.isel(time=slice(start, start + 60))
        u = window.unemployment_rate.mean("time").values
        assert np.all(np.abs(u - target)[held] < 0.015), (start, u, target)
        for t in targets:
            value = _target_value(window.mean("time"), window, world, t)
            assert abs(value - t.value) <= t.tolerance, (start, t.quantity, t.where, value, t.value)


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
    m = LabourMarketModel(small("shock=cycle", "shock.cycle_amplitude=0.05", "phases.remove=[wages]", workers=5_000,
                                months=40))  # fixed wages: demand moves with the cycle alone  # fmt: skip
    assert len({e.adoption_speed for e in m.employers}) > 1  # employers adopt automation at different speeds
    m.run(30)
    staffed = [e for e in m.employers if m.market.D0[e.index].sum() > 0]
    ratio = m.market.D.sum(axis=1) / np.maximum(m.market.D0.sum(axis=1), 1e-12)
    growth = {e.region: ratio[e.index] for e in staffed}
    for e in staffed:  # the same cycle multiplier for all employers of a region
        assert ratio[e.index] == pytest.approx(growth[e.region], rel=1e-9)


def test_faster_demand_growth_in_the_gulf_bends_its_unemployment_trend_down():
    """The Gulf's labour force follows demand, its nationals grow on their own: demand's growth sets the trend."""
    from fowsim.calibration import unemployment_trend

    cfg = small(workers=40_000, months=12)  # (at 20,000 one seed's trend is noisy: -0.5 and -1.3 points a decade)
    world = build_scenario(cfg).world
    gulf = world.regions.index("gulf")
    trend = {}
    for g in (0.0, 0.03):
        growth = np.full(world.n_regions, np.nan)
        growth[gulf] = g
        trend[g] = unemployment_trend(cfg, growth, None, years=8, seeds=1)[gulf]
    assert trend[0.03] < trend[0.0] - 1.0, trend  # points a decade


def test_the_steady_demand_growth_is_the_root_of_the_measured_trend(monkeypatch):
    """The fit's trials and its line through them: a trend falling 0.5 points a decade per 0.1% finds its zero."""
    import fowsim.calibration as calibration

    seen = []

    def trend(cfg, growth, path, years, seeds):
        seen.append(growth.copy())
        return np.where(np.isfinite(growth), 0.5 * (0.0052 - growth) / 0.001, np.nan)

    monkeypatch.setattr(calibration, "unemployment_trend", trend)
    fitted = calibration.steady_demand_growth(small(workers=1000, months=1), log=lambda m: None)
    gulf = np.isfinite(fitted)
    assert gulf.sum() == 1 and fitted[gulf][0] == pytest.approx(0.0052)
    assert len(seen) == 3 and np.isnan(seen[0][~gulf]).all()  # only where demand grows at its own rate


def test_refitting_the_demand_growth_keeps_the_other_values_and_measures_the_fit_again(monkeypatch):
    import yaml

    import fowsim.calibration as calibration

    cfg = small(workers=2000, months=24)
    stored = yaml.safe_load((calibration.resolve_world_dir(cfg) / "calibration.yaml").read_text())
    world = build_scenario(cfg).world
    fitted = np.where(world.rp("demand_path_measured") == 0, 0.0123, np.nan)
    monkeypatch.setattr(calibration, "steady_demand_growth", lambda cfg, log: fitted)
    record = calibration.refit_demand_growth(cfg, seeds=1, burn_in=6, log=lambda m: None)
    assert record["values"]["demand_growth"] == {"gulf": 0.0123}
    assert {k: v for k, v in record["values"].items() if k != "demand_growth"} == {
        k: v for k, v in stored["values"].items() if k != "demand_growth"
    }
    assert record["achieved"].keys() == stored["achieved"].keys() and record["achieved"] != stored["achieved"]
    assert (
        record["achieved"]["migrant_overqualification"].keys() == stored["achieved"]["migrant_overqualification"].keys()
    )
    assert (
        record["method"].startswith(stored["method"].split("; then")[0])
        and "demand_growth fitted again" in record["method"]
    )


def test_the_quotas_into_the_eu_decide_whether_its_african_stock_holds_and_are_fitted_to_it():
    """Inflows are held to the quotas: scaled down the stock drains, and the calibration scales them to hold it."""
    from fowsim.calibration import STOCK_MONTHS, WORLD_PARAMETERS, baseline_moments
    from fowsim.world import load_world
    from tests.test_validation import load_calibration

    world = load_world({"data": "default", "external_origins": ["rest_of_world"]})
    stocks = tuple(t.where for t in world.targets_of("migrant_stock", fitted=True))
    assert stocks == ("north_africa+west_africa+east_africa->eu",)
    # the calibration's fitted multiplier scales the quotas of the corridors from the simulated regions into the EU
    fitted = load_calibration()["values"]["quota_multiplier"]["eu"]
    c, eu = world.corridors, world.region("eu")
    into = (c.destination == eu) & (c.origin < world.n_regions)
    np.testing.assert_allclose(world.annual_quota()[into], fitted * c.annual_quota[into])
    np.testing.assert_array_equal(world.annual_quota()[~into], c.annual_quota[~into])
    x = {"opening_multiplier": world.fitted("opening_multiplier", 1.0), "separation_rate": world.separation_rate(),
         "recognition_multiplier": world.fitted("recognition_multiplier", np.nan),
         "informal_entry_rate": world.fitted("informal_entry_rate", np.nan),
         **{k: world.params[k] for k in WORLD_PARAMETERS}}  # fmt: skip
    cfg = small(workers=20_000, months=STOCK_MONTHS + 12)
    quota = world.fitted("quota_multiplier", 1.0)
    low = baseline_moments(cfg, {**x, "quota_multiplier": 0.3 * quota}, 1, 12, stocks=stocks)["migrant_stock"]
    high = baseline_moments(cfg, {**x, "quota_multiplier": quota}, 1, 12, stocks=stocks)["migrant_stock"]
    # with a third of the arrivals the stock drains: well below over years 2-6, and below its 8.45 million
    assert low[0] < high[0] - 0.5 and low[0] < 8.45 - 1.0, (low, high)


def test_what_a_programme_teaches_scales_with_its_length_and_the_fitted_yield():
    """A policy's programme teaches duration / 36 of the missing skill times the world's training yield."""
    from fowsim.phases.training import taught_share

    assert taught_share(9) == pytest.approx(0.25) and taught_share(9, 0.5) == pytest.approx(0.125)
    assert taught_share(48, 2.0) == 1.0 and taught_share(0, 3.0) == 0.0
    for value in (0.5, 1.0):
        model = LabourMarketModel(build_scenario(small("policy=reskilling", f"world.params.training_yield={value}",
                                                       workers=1000, months=1)))  # fmt: skip
        providers = [pr for p in model.policies for pr in p.providers]
        assert providers and all(pr.skill_after == pytest.approx(taught_share(pr.duration, value)) for pr in providers)
    # the shipped world's yield is the fitted one
    import yaml

    from fowsim.calibration import resolve_world_dir

    cfg = small(workers=1000, months=1)
    stored = yaml.safe_load((resolve_world_dir(cfg) / "calibration.yaml").read_text())["parameters"]["training_yield"]
    assert build_scenario(cfg).world.params["training_yield"] == stored != 1.0


def test_the_training_yield_fit_finds_the_meta_analysis_level_from_measured_trials(monkeypatch):
    """The fit's trials and its secant: a level rising 8 points per unit of yield reaches the target's 5.23."""
    import fowsim.calibration as calibration

    seen = []

    def effects(overrides, seeds, workers, months, training_yield):
        seen.append(training_yield)
        return training_yield  # stands for the lottery's effects: effects_by_bin below reads it

    monkeypatch.setattr(calibration, "training_effects", effects)
    monkeypatch.setattr(calibration, "effects_by_bin", lambda y: {"short": 8 * y - 3, "medium": 8 * y,
                                                                  "long": 8 * y + 3})  # fmt: skip
    overrides = ["workers=1000", "months=1", "world.params.training_yield=1.0"]
    best, level, target = calibration.fit_training_yield(overrides, log=lambda m: None)
    assert target == pytest.approx((1.6 + 5.4 + 8.7) / 3)
    assert best == pytest.approx(target / 8, abs=1e-9) and level == pytest.approx(target)
    assert seen == [1.0, 0.5, pytest.approx(target / 8)]  # the start, half of it, then the secant's root


def test_a_training_lottery_that_measures_no_effect_at_a_horizon_stops_the_fit_in_one_line(monkeypatch):
    import fowsim.calibration as calibration
    from fowsim.errors import ConfigError

    monkeypatch.setattr(calibration, "training_effects", lambda *a: None)
    monkeypatch.setattr(calibration, "effects_by_bin", lambda pe: {"short": 1.0, "medium": 2.0, "long": np.nan})
    with pytest.raises(ConfigError) as err:
        calibration.fit_training_yield(["workers=1000", "months=1"], log=lambda m: None)
    message = str(err.value)
    assert message.startswith("training lottery='long': an effect at every horizon") and "\n" not in message
