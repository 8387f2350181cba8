"""Common random numbers: each phase and each policy draws from its own stream, so that a policy that does
nothing leaves a run bit-identical to the baseline with the same seed, and a new phase shifts no other's draws."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from fowsim import LabourMarketModel, Phase, default_schedule, simulate
from fowsim.lottery import PEOPLE
from fowsim.policies import REGISTRY
from fowsim.state import stream_seed
from tests.conftest import small

SHOCK = ("shock=rapid", "shock.start_month=2")
# each policy active from month 0 to the end, configured to do nothing
NULL = {
    "reskilling": {"seats": 0},
    "upskilling": {"seats": 0},
    "pre_departure": {"seats": 0, "departure_rate": 0.0},
    "skills_partnership": {"cohort_size": 0},
    "recognition": {"speedup": 1.0, "approval": 0.0, "refugee_passport": False, "bridging_rate": 0.0,
                    "cost_per_decision": 0.0},
    "circular_mobility": {"annual_places": 0},
    "long_term_mobility": {"annual_quota": 0, "family_rate": 0.0},
    "online_training": {"seats": 0},
    "diaspora_training": {"places_per_thousand": 0.0},
    "mobility_restrictions": {"regions": ["west_africa"], "start_month": 600, "end_month": None},  # after the run
    "demand_led_training": {"seats": 0},
    "entrepreneurship_training": {"seats": 0},
    "sponsorship_reform": {"min_tenure_months": 600},  # no one is 50 years in one job
}  # fmt: skip
# the same policies doing something: the comparison must be able to tell
ACTIVE = {"reskilling": {"seats": 2e6}, "recognition": {"speedup": 4.0, "approval": 1.0},
          "sponsorship_reform": {"min_tenure_months": 0}}  # fmt: skip


def run(policy: dict | None = None, workers: int = 4000, months: int = 18, **kw) -> xr.Dataset:
    cfg = small(*SHOCK, workers=workers, months=months)
    cfg["policy"] = policy or {}
    return LabourMarketModel(cfg, **kw).run().results()


def assert_identical_data(a: xr.Dataset, b: xr.Dataset) -> None:
    """The runs' aggregates are identical (the people a policy's lotteries follow are its own record)."""
    names = [v for v in a.data_vars if not str(v).startswith(PEOPLE)]
    assert names == [v for v in b.data_vars if not str(v).startswith(PEOPLE)]
    differ = [v for v in names if not np.array_equal(a[v].values, b[v].values, equal_nan=a[v].dtype.kind == "f")]
    assert not differ, f"variables that differ: {differ}"


@pytest.fixture(scope="module")
def baseline() -> xr.Dataset:
    return run()


def test_every_policy_is_covered():
    assert set(NULL) == set(REGISTRY)


@pytest.mark.parametrize("name", sorted(NULL))
def test_a_policy_that_does_nothing_leaves_the_run_identical_to_the_baseline(name, baseline):
    ds = run({name: {"start_month": 0, **NULL[name]}})
    assert_identical_data(ds, baseline)


@pytest.mark.parametrize("name", sorted(ACTIVE))
def test_a_policy_that_acts_changes_the_run(name, baseline):
    ds = run({name: {"start_month": 0, **ACTIVE[name]}})
    with pytest.raises(AssertionError):
        assert_identical_data(ds, baseline)


def test_pre_departure_asking_the_worker_rules_draws_from_its_own_stream(baseline):
    # the case of the issue: no seats, no departures, active in month 0 only; it still asks who would go
    ds = run({"pre_departure": {"start_month": 0, "end_month": 1, "seats": 0, "departure_rate": 0.0}})
    assert_identical_data(ds, baseline)


class Ledger(Phase):
    """A collaborator's phase with a stream of its own: it draws every month and changes nothing."""

    name, stream = "ledger", "ledger"

    def __call__(self, model, rng):
        self.draws = rng.random(1000)


def test_a_phase_with_its_own_stream_leaves_every_other_phase_s_draws_unchanged(baseline):
    schedule = default_schedule().insert(Ledger(), after="separations_and_vacancies")
    ds = run(phases=schedule)
    assert_identical_data(ds, baseline)


class Thief(Phase):
    """The same phase, drawing from the matching phase's generator: now the others' draws shift."""

    name, stream = "thief", None

    def __call__(self, model, rng):
        model.stream("matching").random(1000)


def test_a_phase_that_borrows_another_s_stream_is_detected(baseline):
    ds = run(phases=default_schedule().insert(Thief(), before="search_and_matching"))
    with pytest.raises(AssertionError):
        assert_identical_data(ds, baseline)


def test_every_stream_has_its_own_seed():
    m = LabourMarketModel(small(workers=1000, months=1))
    names = [p.stream for p in m.schedule if p.stream] + ["init", "agents", "mesa", "policy:reskilling"]
    first = {n: np.random.default_rng(stream_seed(m.seed, n)).random(4).tolist() for n in names}
    assert len({tuple(v) for v in first.values()}) == len(names)  # the same seed for two streams would repeat
    # a stream's seed depends on the run's seed and its name only: stable whatever streams exist
    assert (
        stream_seed(7, "matching").generate_state(2).tolist() == stream_seed(7, "matching").generate_state(2).tolist()
    )
    assert (
        np.random.default_rng(stream_seed(0, "matching")).integers(0, 2**32, 2).tolist()
        != np.random.default_rng(stream_seed(1, "matching")).integers(0, 2**32, 2).tolist()
    )


def test_seeds_are_bit_identical_through_simulate_and_the_model(baseline):
    cfg = small(*SHOCK, workers=4000, months=18)
    assert_identical_data(simulate(cfg), baseline)
