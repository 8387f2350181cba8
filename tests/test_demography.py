"""Who works and who moves: cohorts from population projections, where women work, return as a decision."""

from __future__ import annotations

import numpy as np
import pytest

from fowsim import LabourMarketModel, compose, load_world
from fowsim.codes import PERMANENT, REFUGEE, UNEMPLOYED, VACANT
from fowsim.world import Cohorts


def default_world():
    return load_world({"data": "default", "external_origins": ["rest_of_world"]})


def test_cohorts_interpolate_between_the_projected_years_and_hold_after_the_last():
    c = Cohorts(np.array([2020.0, 2025.0, 2030.0]), np.array([[10.0, 20.0, 30.0], [np.nan] * 3]),
                np.array([[100.0, 110.0, 120.0], [np.nan] * 3]))  # fmt: skip
    assert c.index("entering", 0)[0] == 1.0 and np.isnan(c.index("entering", 0)[1])
    assert c.index("entering", 30)[0] == pytest.approx(1.5)  # mid-2022: half way to 2025's 20
    assert c.index("entering", 12 * 30)[0] == pytest.approx(3.0)  # held after 2030
    assert c.index("working_age", 12 * 10)[0] == pytest.approx(1.2)


def test_the_default_world_projects_africas_cohorts_growing_and_europes_shrinking():
    w = default_world()
    ten = w.cohorts.index("entering", 120)
    assert ten[w.region("west_africa")] > 1.25 and ten[w.region("east_africa")] > 1.2
    assert ten[w.region("eu")] < 1.0
    assert w.cohorts.index("working_age", 360)[w.region("eu")] < 0.85


def test_entrants_follow_the_cohort_reaching_working_age():
    """Over 25 years West Africa's entrants grow with its cohort aged 15-19; the EU's shrink with its own."""
    m = LabourMarketModel(compose(["workers=20000", "months=300"])).run()
    ds = m.results()
    w = m.world
    for name in ("west_africa", "eu"):
        r = w.region(name)
        entrants = ds.entrants.sel(region=name).values / m.scale
        first, last = entrants[:36].mean(), entrants[-36:].mean()
        expected = m.market.labour_force0[r] * w.rp("entry_rate")[r] / 12
        assert first == pytest.approx(expected * w.cohorts.index("entering", 18)[r], rel=0.1)
        assert last / first == pytest.approx(w.cohorts.index("entering", 282)[r] / w.cohorts.index("entering", 18)[r],
                                             rel=0.12)  # fmt: skip


def test_a_world_without_projected_cohorts_keeps_entry_in_proportion_to_its_labour_force():
    m = LabourMarketModel(compose(["world=belgium_morocco", "workers=5000", "months=13"]))
    assert m.world.cohorts is None  # the default world's cohorts are of other regions
    ds = m.run().results()
    lf = (ds.labour_force + ds.in_training).values / m.scale
    expected = (lf[:-1] * m.world.rp("entry_rate") / 12).sum(axis=0)
    got = ds.entrants.values[1:].sum(axis=0) / m.scale
    np.testing.assert_allclose(got, expected, rtol=0.25)


def test_women_work_where_the_data_put_them_and_each_region_keeps_its_female_share():
    w = default_world()
    p = w.female_probability
    np.testing.assert_allclose((p * w.employment).sum(axis=1), w.rp("female_share"), atol=1e-9)
    clerks, crafts = w.occupations.index("general_keyboard_clerks"), w.occupations.index("building_trades")
    assert (p[:, clerks] > p[:, crafts]).all()
    m = LabourMarketModel(compose(["workers=40000", "months=1"]))
    ws = m.ws
    live = ws.status != VACANT
    women_clerks = ws.female[live & (ws.occ == clerks)].mean()
    women_crafts = ws.female[live & (ws.occ == crafts)].mean()
    assert women_clerks > 3 * women_crafts  # Eurostat: 65.8% of clerks, 11.1% of craft workers are women


def settled_migrants(m: LabourMarketModel) -> np.ndarray:
    ws = m.ws
    return np.flatnonzero((ws.status != VACANT) & ((ws.mig == PERMANENT) | (ws.mig == REFUGEE)))


def test_settled_migrants_return_more_when_out_of_work_abroad():
    m = LabourMarketModel(compose(["workers=20000", "months=1"]))
    idx = settled_migrants(m)
    h = m.rules.return_hazard(m, idx)
    base = m.params["permanent_return_rate"]
    unemployed = m.ws.status[idx] == UNEMPLOYED
    assert unemployed.any() and (~unemployed).any()
    # at the start conditions are as they were: the hazard is the base rate, times the factor out of work
    np.testing.assert_allclose(h[~unemployed], base)
    np.testing.assert_allclose(h[unemployed], base * m.params["return_unemployed_factor"])


def test_settled_migrants_return_more_when_conditions_abroad_worsen_against_home():
    m = LabourMarketModel(compose(["workers=20000", "months=1"]))
    idx = settled_migrants(m)
    before = m.rules.return_hazard(m, idx)
    abroad = m.ws.region[idx]
    eu = m.world.region("eu")
    in_eu = abroad == eu
    index = m.market.wage_index.copy()
    index[eu] *= 0.9  # what work pays in the EU falls by a tenth against home
    m.market.set_wage_index(index)
    after = m.rules.return_hazard(m, idx)
    s = m.params["return_gain_sensitivity"]
    np.testing.assert_allclose(after[in_eu], before[in_eu] * 0.9**-s)
    np.testing.assert_allclose(after[~in_eu], before[~in_eu])
    # and less when home catches up less: migrants in the Gulf from Africa, home's unemployment up
    mk = m.market
    mk.unemployment_rate_now = mk.unemployment_rate0.copy()
    na = m.world.region("north_africa")
    mk.unemployment_rate_now[na] = mk.unemployment_rate0[na] + 0.1
    from_na = (m.ws.origin[idx] == na) & ~in_eu
    fewer = m.rules.return_hazard(m, idx)
    assert (fewer[from_na] < after[from_na]).all()


def test_returns_of_settled_migrants_respond_to_unemployment_abroad_in_a_run():
    """Settled migrants out of work abroad go home ten times as often: fewer of them are left after three years."""

    def settled_left(factor: int) -> int:
        cfg = compose(["workers=60000", "months=48", f"world.params.return_unemployed_factor={factor}"])
        return settled_migrants(LabourMarketModel(cfg).run()).size

    assert settled_left(20) < settled_left(1) - 40


# ---------------------------------------------------------------- the labour force's ages (ages.csv)
def _ages_world(tmp_path, rows: list[tuple[str, str, float, float]], file: str = "ages.csv"):
    """A world on the default one whose `file` (ages.csv, deaths.csv) holds `rows` (region, age, women, men) only."""
    import csv

    folder = tmp_path / "aged"
    folder.mkdir()
    (folder / "world.yaml").write_text("base: default\n")
    with open(folder / file, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["region", "age", "women", "men", "source"])
        w.writerows([[*row, "a test's setting"] for row in rows])
    return folder


def test_ages_draw_the_labour_force_from_the_population_of_each_sex_below_retirement():
    from fowsim.world import Ages

    lower = 15.0 + 5.0 * np.arange(10)  # 15-19 .. 60-64
    women = np.zeros((1, 10))
    women[0, 7] = 1.0  # every woman aged 50-54
    men = np.ones((1, 10))
    ages = Ages(lower, women, men, np.zeros((2, 1)))
    rng = np.random.default_rng(0)
    female = np.arange(20_000) % 2 == 0
    got = ages.draw(rng, 0, female, youth_ratio=0.5, hi=62.0)
    assert ((got[female] >= 50) & (got[female] < 55)).all()
    assert got[~female].min() >= 15 and got[~female].max() < 62.0
    # men: nine groups below 60 at weight 1 (two of them halved: ages 15-24) and 60-62 at 2/5 of one
    young = np.mean(got[~female] < 25)
    assert young == pytest.approx(1.0 / (7 + 1.0 + 0.4), abs=0.01)
    assert ages.population(0, True, 15, 65) == 1.0 and ages.population(0, False, 15, 25) == 2.0
    assert ages.population(0, False, 60, 62) == pytest.approx(0.4)


def test_retirements_follow_the_ages_the_population_had_at_the_start(tmp_path):
    """Every East African aged 45-49 at the start: they retire at 62 between the 13th and the 17th year, no one else."""
    groups = [f"{a}-{a + 4}" for a in range(15, 70, 5)]
    rows = [("east_africa", g, 1000.0 if g == "45-49" else 0.0, 1000.0 if g == "45-49" else 0.0) for g in groups]
    m = LabourMarketModel(compose(["workers=6000", "months=1", f"world.data={_ages_world(tmp_path, rows)}"]))
    ws, r = m.ws, m.world.region("east_africa")
    natives = (ws.status != VACANT) & (ws.region == r) & (ws.origin == r)
    age = (0 - ws.birth[natives]) / 12
    assert natives.sum() > 500 and ((age >= 45) & (age <= 50)).all()  # (birth in whole months)
    leave = ws.retire_at[natives].astype(np.int64)  # the exit month
    retire_month = 62 * 12 + ws.birth[natives].astype(np.int64)
    assert (leave <= retire_month).all() and (leave > 0).all()
    # those who leave sooner die before retiring (deaths.csv), as often as East Africa's rates for their sex say
    rates = np.where(ws.female[natives][:, None], m.world.deaths.women[r], m.world.deaths.men[r])  # (n, groups)
    months = np.arange(12 * 15, 12 * 62)  # months of age from 15 to retirement
    hazard = rates[:, (months // 12 - 15) // 5] / 12 * (months >= -ws.birth[natives][:, None])
    expected = 1 - np.exp(-hazard.sum(axis=1))
    died = leave < retire_month
    assert abs(died.sum() - expected.sum()) < 3 * np.sqrt((expected * (1 - expected)).sum())
    assert 0.1 < died.mean() < 0.25


def test_the_default_world_starts_from_the_uns_ages_and_a_labour_force_younger_in_africa_than_in_europe():
    w = default_world()
    assert w.ages is not None and all(w.ages.has(r) for r in range(w.n_regions))
    m = LabourMarketModel(compose(["workers=30000", "months=1"]))
    ws = m.ws
    live = ws.status != VACANT
    age = (0 - ws.birth.astype(float)) / 12
    median = {n: float(np.median(age[live & (ws.region == w.region(n)) & (ws.origin == w.region(n))]))
              for n in ("eu", "west_africa")}  # fmt: skip
    assert median["west_africa"] < median["eu"] - 5


@pytest.mark.parametrize(
    "rows, message",
    [
        ([("eu", "15-20", 1, 1)], "ages.csv[eu,15-20].age='15-20': a five-year group from 15"),
        ([("eu", "80-84", 1, 1)], "every five-year group from 15-19 on"),  # (the default's rows stop at 65-69)
        ([("eu", "15-19", -1, 1)], "ages.csv[eu,15-19.women]=-1.0: a number >= 0"),
        ([("eu", "25+", 1, 1)], "ages.csv[eu,25+].age='25+': one open group per region"),  # the default has 70+
    ],
)
def test_a_bad_ages_file_is_named_by_row_and_column(tmp_path, rows, message):
    from fowsim.errors import ConfigError

    with pytest.raises(ConfigError) as err:
        load_world({"data": str(_ages_world(tmp_path, rows)), "external_origins": ["rest_of_world"]})
    assert message in str(err.value)


# ---------------------------------------------------------------- deaths before retirement (deaths.csv)
def _mortality(rates_women: list[float], rates_men: list[float]):
    from fowsim.world import Mortality

    lower = 15.0 + 5.0 * np.arange(len(rates_women))
    return Mortality(lower, np.array([rates_women]), np.array([rates_men]), np.zeros((2, 1)))


def test_months_to_death_follow_the_rates_by_age_and_sex():
    """A constant rate gives exponential lifetimes; a rate that rises with age shortens them as the worker ages."""
    deaths = _mortality([0.12] * 11, [0.0] * 10 + [0.06])
    rng = np.random.default_rng(3)
    n = 200_000
    got = deaths.months_to_death(rng, np.zeros(n, dtype=np.int64), np.ones(n, dtype=bool), np.full(n, 30 * 12))
    assert got.mean() == pytest.approx(100.0, rel=0.02)  # 0.12 a year = 0.01 a month: 100 months on average
    assert np.mean(got > 120) == pytest.approx(np.exp(-1.2), abs=0.005)
    # men: no deaths before 65, then 0.06 a year (0.005 a month); a man of 60 dies no sooner than 5 years on
    men = deaths.months_to_death(rng, np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool), np.full(n, 60 * 12))
    assert men.min() >= 60 and np.median(men - 60) == pytest.approx(200.0 * np.log(2), rel=0.02)
    assert men.max() == deaths.SPAN  # (no death drawn beyond 110 years of age)


def test_the_exit_month_is_retirement_or_a_death_before_it_and_a_move_keeps_the_death():
    w = default_world()
    assert w.deaths is not None and all(w.deaths.has(r) for r in range(w.n_regions))
    rng = np.random.default_rng(0)
    n, ea = 100_000, w.region("east_africa")
    birth = np.full(n, -50 * 12)  # aged 50 at month 0
    out = w.exit_month(rng, np.full(n, ea), np.zeros(n, dtype=bool), birth, 0)
    retire = birth + round(w.rp("retirement_age")[ea] * 12)
    assert (out <= retire).all() and (out > 0).all()
    died = out < retire
    # the UN's rates for East African men aged 50-61 (deaths.csv): survival to retirement
    rates = w.deaths.men[ea]
    hazard = sum(rates[(a - 15) // 5] for a in range(50, int(w.rp("retirement_age")[ea])))
    assert np.mean(died) == pytest.approx(1 - np.exp(-hazard), abs=0.01)
    # moving to the EU: the EU's retirement age, the death drawn before stays
    eu = w.region("eu")
    moved = w.moved_exit_month(np.full(n, eu), np.full(n, ea), birth, out)
    assert (moved[died] == out[died]).all()
    assert (moved[~died] == birth[~died] + round(w.rp("retirement_age")[eu] * 12)).all()


def test_deaths_are_counted_apart_from_retirements_at_the_un_rates():
    """A year's deaths in each region against the UN's rates applied to the labour force's ages and sexes."""
    m = LabourMarketModel(compose(["workers=60000", "months=12", "seed=4"]))
    ws, w = m.ws, m.world
    live = ws.status != VACANT
    age_group = np.clip(((0 - ws.birth[live]) / 12 - 15) // 5, 0, w.deaths.lower.size - 1).astype(np.int64)
    region = ws.region[live]
    rate = np.where(ws.female[live], w.deaths.women[region, age_group], w.deaths.men[region, age_group])
    # deaths a year at the start, in people (each simulated worker stands for `scale` of them in its region)
    expected = np.bincount(region, weights=rate, minlength=w.n_regions) * m.scale
    ds = m.run().results()
    got = ds.deaths.sum("time").values
    africa = [w.region(r) for r in ("north_africa", "west_africa", "east_africa")]
    assert got[africa].sum() == pytest.approx(expected[africa].sum(), rel=0.25)
    assert got.sum() > 0 and ds.retirements.sum() > 0


def test_a_bad_deaths_file_is_named_by_row_and_column(tmp_path):
    from fowsim.errors import ConfigError

    rows = [("gulf", "40-44", -0.1, 0.001)]  # (a world's rows replace its base's row by row)
    with pytest.raises(ConfigError) as err:
        load_world({"data": str(_ages_world(tmp_path, rows, "deaths.csv")), "external_origins": ["rest_of_world"]})
    assert "deaths.csv[gulf,40-44.women]=-0.1: a number >= 0" in str(err.value)
