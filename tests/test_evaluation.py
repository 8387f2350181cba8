"""Policy lotteries and the effects measured from them: direct, spillover and total (fowsim.evaluation)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pytest
import xarray as xr

from fowsim import compose, evaluation
from fowsim.codes import UNEMPLOYED
from fowsim.errors import ConfigError
from fowsim.lottery import HORIZONS, NOT_REACHED, decode
from fowsim.model import LabourMarketModel
from fowsim.policies import REGISTRY, Policy
from fowsim.policies.params import param
from fowsim.scenario import as_dict, build_scenario

SMALL = ["shock=rapid", "shock.start_month=6", "workers=20000", "months=60"]
# the reskilling programme with places for part of its eligible each month: a lottery with losers
RESKILLING = ["policy=reskilling", "policy.reskilling.seats=2e6"]


def run(*overrides: str, extra: list[Policy] | None = None) -> xr.Dataset:
    scenario = build_scenario(as_dict(compose([*SMALL, *overrides])))
    for p in extra or []:
        p.check(scenario.world)
        scenario.policies.append(p)
    return LabourMarketModel(scenario).run().results()


@dataclass
class Placebo(Policy):
    """A lottery among the unemployed whose winners get nothing: the direct effect is noise, the rest zero."""

    name: ClassVar[str] = "placebo"
    share: float = param(0.02, lo=0, hi=1, unit="share of the unemployed drawn each month", basis="a test")

    def act(self, model) -> None:
        pool = np.flatnonzero(model.ws.status == UNEMPLOYED)
        won = pool[self.rng.random(pool.size) < self.share]
        self.draw(model, pool, won)


@pytest.fixture(scope="module")
def reskilling() -> xr.Dataset:
    return run(*RESKILLING)


@pytest.fixture(scope="module")
def placebo() -> tuple[xr.Dataset, xr.Dataset]:
    base = run("evaluation.panel=baseline")
    return run(extra=[Placebo()]), base


def test_following_people_changes_nothing_in_the_run(reskilling):
    """The losers followed are drawn from the lottery's own stream: with none followed the run is the same."""
    alone = run(*RESKILLING, "evaluation.controls=0")
    assert int(alone["followed_won"].sum()) == alone.sizes["followed"] > 0  # winners only
    for name in ("employed", "unemployed", "enrolments", "completions", "transitions"):
        np.testing.assert_array_equal(alone[name].values, reskilling[name].values)


def test_the_lottery_follows_each_winner_once_and_as_many_losers_of_the_same_months(reskilling):
    f = evaluation.followed(reskilling, "reskilling")
    won, month = f["won"], f["month"]
    # one loser for each winner where enough eligible lost (where informal work took the displaced in, not always)
    assert won.sum() >= 200 and 0.95 * won.sum() <= (~won).sum() <= won.sum()
    people = set(zip(f["slot"].tolist(), f["birth"].tolist()))
    assert len(people) == f["slot"].size  # nobody followed twice
    for m in np.unique(month[~won]):
        assert (won & (month == m)).sum() >= (~won & (month == m)).sum()  # losers only where winners are
    # every follow-up within the run's horizon is read, those beyond it are not
    reached = f["outcome"] != NOT_REACHED
    due = (month[:, None] + np.array(HORIZONS)[None, :]) < reskilling.sizes["time"]
    np.testing.assert_array_equal(reached, due)


def test_reskilling_winners_are_locked_in_then_employed_more_than_the_losers(reskilling):
    r = evaluation.run_effects(reskilling, "reskilling")
    assert r is not None
    assert r.values[("direct", "in_training", 6)] > 0.5
    assert r.values[("direct", "employed", 6)] < -0.10  # lock-in: full-time training for 9 months
    # then a gain over the eligible who lost the lottery (+0.044 with 319 winners, a standard error of 0.04: its
    # size is the validation check training_effects', on 3 seeds of 200,000 workers)
    assert r.values[("direct", "employed", 24)] > 0.0
    assert 0.5 <= r.still_out[24] <= 1.0  # most losers never won a later draw by then


def test_a_placebo_lottery_has_no_effect_beyond_sampling_noise_and_exactly_no_spillover(placebo):
    ds, base = placebo
    r = evaluation.run_effects(ds, "placebo", base)
    assert r is not None and r.winners > 300
    se = np.sqrt(2 * 0.25 / r.winners)  # the largest standard error of a difference in shares
    for h in HORIZONS[:3]:
        assert abs(r.values[("direct", "employed", h)]) < 4 * se, h
        # a policy that does nothing leaves the run identical to its baseline: every person as in the baseline
        assert r.values[("spillover", "employed", h)] == 0.0
        assert r.values[("total", "employed", h)] == 0.0
    assert r.matched > 0.9  # found in the baseline: the same slot, birth and situation before the lottery


def test_people_are_found_in_the_baseline_by_slot_and_birth_and_leave_when_the_occupant_changes():
    codes = np.array([[17] * 8, [18] * 8], dtype=np.uint8)  # employed and unemployed in region 1
    base = xr.Dataset(
        {
            "panel_code": (("slot", "time"), codes),
            "panel_birth0": (("slot",), np.array([-300, -200], dtype=np.int16)),
            "panel_change_slot": (("panel_change",), np.array([1], dtype=np.int32)),
            "panel_change_month": (("panel_change",), np.array([3], dtype=np.int16)),
            "panel_change_birth": (("panel_change",), np.array([3 - 200], dtype=np.int16)),
        }
    )
    slot, birth, month = np.array([0, 1, 1, 0]), np.array([-300, -200, -200, -299]), np.array([1, 1, 1, 1])
    before = np.array([17, 18, 255, 17], dtype=np.uint8)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(evaluation, "HORIZONS", (1, 7))
        out, found = evaluation.in_baseline(base, slot, birth, month, before)
    assert found.tolist() == [True, True, False, False]  # unknown situation, another person's birth
    assert out[0].tolist() == [17, 255]  # slot 0 at month 2; month 8 is beyond the panel
    assert out[1].tolist() == [18, 255]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(evaluation, "HORIZONS", (2, 5))
        out, found = evaluation.in_baseline(base, slot[1:2], birth[1:2], month[1:2], before[1:2])
    assert out[0].tolist() == [0, 0]  # slot 1 has a new occupant from month 3: the person followed has left


def test_people_in_informal_work_or_over_qualified_are_found_in_the_baseline_in_their_situation():
    """`before` holds status and region; the baseline's panel code may add the over-qualified bit, never a status."""
    from fowsim.codes import EMPLOYED, INFORMAL
    from fowsim.lottery import OVERQUALIFIED, REGION_SHIFT

    informal = INFORMAL | (3 << REGION_SHIFT)
    over = EMPLOYED | OVERQUALIFIED | (2 << REGION_SHIFT)
    codes = np.array([[informal] * 4, [over] * 4], dtype=np.uint8)
    base = xr.Dataset(
        {
            "panel_code": (("slot", "time"), codes),
            "panel_birth0": (("slot",), np.array([-300, -200], dtype=np.int16)),
            "panel_change_slot": (("panel_change",), np.zeros(0, dtype=np.int32)),
            "panel_change_month": (("panel_change",), np.zeros(0, dtype=np.int16)),
            "panel_change_birth": (("panel_change",), np.zeros(0, dtype=np.int16)),
        }
    )
    before = np.array([informal, EMPLOYED | (2 << REGION_SHIFT)], dtype=np.uint8)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(evaluation, "HORIZONS", (1,))
        out, found = evaluation.in_baseline(base, np.array([0, 1]), np.array([-300, -200]), np.array([1, 1]), before)
    assert found.tolist() == [True, True]
    assert out[:, 0].tolist() == [informal, over]
    assert decode(out[:, 0])["status"].tolist() == [INFORMAL, EMPLOYED]


def test_person_years_never_exceed_the_follow_up():
    assert evaluation.person_years({h: 1.0 for h in HORIZONS}) == pytest.approx((36 - 3) / 12)
    assert evaluation.person_years({h: -1.0 for h in HORIZONS}) >= -3
    assert evaluation.person_years({6: 0.5, 12: np.nan}) == pytest.approx(6 * 0.25 / 12)


@pytest.fixture(scope="module")
def all_policies() -> dict[str, xr.Dataset]:
    out = {}
    for name in sorted(REGISTRY):
        preset = "skills_partnership_scaled" if name == "skills_partnership" else name
        out[name] = run(f"policy={preset}", "months=48")
    return out


def test_every_policy_that_takes_part_of_the_people_chooses_them_by_a_recorded_lottery(all_policies):
    assert len(all_policies) == 13
    for name, ds in all_policies.items():
        followed = evaluation.lottery_policies(ds)
        if REGISTRY[name].ENROLS:
            assert followed == [name], name
        else:  # a recognition agreement and closed borders act on everyone concerned: nobody to draw
            assert followed == [], name


def test_no_policy_effect_per_participant_exceeds_what_the_horizon_allows(all_policies):
    """Direct effects and the effect of taking part are shares of the people followed; a year gained per year."""
    for name, ds in all_policies.items():
        for part in evaluation.lottery_policies(ds):
            r = evaluation.run_effects(ds, part)
            assert r is not None
            for (eff, outcome, h), v in r.values.items():
                if outcome in evaluation.AMOUNTS:  # EUR a month: at most the best-paid region's mean wage, twice
                    assert not np.isfinite(v) or abs(v) <= 2 * float(ds.mean_wage.max()), (name, eff, outcome, h, v)
                    continue
                assert not np.isfinite(v) or -1.0 <= v <= 1.0, (name, eff, outcome, h, v)
            for eff in ("direct", "participation"):
                years = evaluation.person_years({h: r.values[(eff, "employed", h)] for h in HORIZONS})
                followed = (ds.sizes["time"] - 12) / 12  # the policies start in month 12
                assert abs(years) <= min(3.0, followed), (name, eff, years)


def test_resolution_names_the_workers_that_would_resolve_a_programme():
    assert evaluation.resolution(evaluation.RESOLUTION, 20_000) == (True, 20_000)
    ok, need = evaluation.resolution(50, 20_000)
    assert not ok and need == 80_000
    assert evaluation.resolution(0, 20_000) == (False, 0)
    # 120 people in a world of 17 million at 2 million workers: not even one worker a person would resolve it
    assert evaluation.resolution(14, 2_000_000, people_per_worker=8.6) == (False, -1)


@pytest.mark.parametrize(
    ("override", "key"),
    [("evaluation.panel=sometimes", "evaluation.panel"), ("evaluation.controls=-1", "evaluation.controls")],
)
def test_a_bad_evaluation_setting_is_one_line_naming_the_key(override, key):
    with pytest.raises(ConfigError) as err:
        build_scenario(as_dict(compose([override])))
    assert key in str(err.value) and "\n" not in str(err.value)


def test_the_panel_is_kept_only_where_asked(reskilling, placebo):
    assert "panel_code" not in reskilling  # default: off
    _, base = placebo
    assert base["panel_code"].shape[1] == base.sizes["time"]
    with_policy = run(*RESKILLING, "evaluation.panel=baseline", "months=13")
    assert "panel_code" not in with_policy  # baseline: runs without policies only
