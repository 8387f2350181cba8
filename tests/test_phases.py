"""The schedule: phases as objects in an ordered list that a collaborator changes from Python or a config."""

from __future__ import annotations

import numpy as np
import pytest

from fowsim import ConfigError, LabourMarketModel, Phase, Schedule, compose, default_schedule
from fowsim.codes import EMPLOYED
from fowsim.phases import PHASES, schedule_from_config
from fowsim.scenario import build_scenario
from tests.conftest import small

DEFAULT = ["wages", "automation", "separations_and_vacancies", "policies", "training", "migration",
           "recognition", "search_and_matching", "informal_work", "demography", "record"]  # fmt: skip


class Counter(Phase):
    name, stream = "counter", "counter"

    def __init__(self, step: int = 1) -> None:
        self.step, self.months = step, []

    def __call__(self, model, rng):
        self.months.append(model.t)


def test_the_default_schedule_is_the_documented_one_each_phase_with_its_own_stream():
    s = default_schedule()
    assert s.names == DEFAULT == list(PHASES)
    streams = [p.stream for p in s if p.stream is not None]
    assert len(streams) == len(set(streams)) == 8  # wages, policies and record draw nothing of their own


class Early(Counter):
    name, stream = "early", "early"


class Quiet(Counter):
    name, stream = "quiet", None


def test_a_phase_is_added_replaced_and_removed_from_python():
    s = default_schedule().insert(Counter(), after="migration")
    assert s.names.index("counter") == s.names.index("migration") + 1
    s.insert(Early(), before="wages")
    assert s.names[0] == "early"
    s.remove("recognition").replace("training", Quiet())
    assert "recognition" not in s.names and s.names[s.names.index("policies") + 1] == "quiet"
    with pytest.raises(ConfigError, match="phases.remove='recognition'"):
        s.remove("recognition")


def test_the_model_runs_the_schedule_it_is_given():
    counter = Counter()
    m = LabourMarketModel(small(workers=1000, months=3), phases=default_schedule().insert(counter, after="record"))
    m.run()
    assert counter.months == [0, 1, 2]
    reduced = LabourMarketModel(small(workers=1000, months=2), phases=["separations_and_vacancies", "record"])
    assert reduced.schedule.names == ["separations_and_vacancies", "record"]
    reduced.run()
    assert float(reduced.results().immigrants.sum()) == 0  # no migration phase: nobody arrives


def test_a_config_adds_replaces_and_removes_phases():
    cfg = compose(["phases.remove=[recognition]", "phases.add=[{_target_: tests.test_phases.Counter, "
                   "after: training, step: 2}]", "phases.replace.demography=fowsim.phases.Demography"])  # fmt: skip
    s = build_scenario(cfg).schedule
    assert "recognition" not in s.names and s.names[s.names.index("training") + 1] == "counter"
    assert next(p for p in s if p.name == "counter").step == 2


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"remove": ["nope"]}, "phases.remove='nope': one of the phases"),
        ({"add": [{"_target_": "tests.test_phases.Counter", "after": "nope"}]}, "phases.add.after='nope'"),
        ({"add": [{"_target_": "tests.test_phases.Counter", "size": 3}]}, "phases.add[0]="),
        ({"add": [{"_target_": "fowsim.phases.Record"}]}, "phases.add.name='record': a name not taken"),
        ({"add": ["no.such.Phase"]}, "phases.add[0]._target_='no.such.Phase': an importable"),
        ({"move": []}, "phases=['move']: a mapping with the keys timing, add, replace, remove"),
        ({"timing": "later"}, "phases.timing='later': one of same_month, paper"),
    ],
)
def test_bad_phase_changes_fail_in_one_line(spec, message):
    with pytest.raises(ConfigError) as exc:
        schedule_from_config({"add": [], "replace": {}, "remove": [], **spec})
    assert message in str(exc.value) and "\n" not in str(exc.value)


def test_two_phases_cannot_share_a_stream_nor_take_a_reserved_one():
    class Twin(Phase):
        name, stream = "twin", "matching"

    with pytest.raises(ConfigError, match="a stream no other phase draws from"):
        default_schedule().insert(Twin())

    class Reserved(Phase):
        name, stream = "reserved", "policy:reskilling"

    with pytest.raises(ConfigError, match="a stream name other than"):
        Schedule([Reserved()])


def test_removing_a_phase_removes_its_mechanism():
    base = LabourMarketModel(small(workers=4000, months=6)).run().results()
    cfg = {**small(workers=4000, months=6), "phases": {"remove": ["demography"]}}
    ds = LabourMarketModel(cfg).run().results()
    assert float(base.entrants.sum()) > 0 and float(ds.entrants.sum()) == 0 and float(ds.retirements.sum()) == 0
    assert not np.array_equal(base.unemployed.values, ds.unemployed.values)


class HiresKept(Phase):
    """Right after the layoffs: are this month's hires still employed?"""

    name, stream = "hires_kept", None

    def __init__(self) -> None:
        self.hired, self.laid_off = 0, 0

    def __call__(self, model, rng):
        hired = model.market.hired_this_month()
        self.hired += hired.size
        self.laid_off += int((model.ws.status[hired] != EMPLOYED).sum())


def test_the_papers_timing_matches_first_and_the_months_hires_keep_their_jobs():
    cfg = compose(["phases.timing=paper"])
    assert build_scenario(cfg).schedule.names == ["wages", "automation", "search_and_matching", *DEFAULT[2:7],
                                                  *DEFAULT[8:]]  # fmt: skip
    spy = HiresKept()
    cfg = {**small(workers=20_000, months=24), "phases": {"timing": "paper"}}
    model = LabourMarketModel(cfg)
    model.schedule.insert(spy, after="separations_and_vacancies")
    model.run()
    # del Rio-Chanona et al. (2021): separations fall on the employment at the start of the step
    assert spy.hired > 500 and spy.laid_off == 0
    # and the order changes the run: the month's separations wait a month to search
    base = LabourMarketModel(small(workers=20_000, months=24)).run().results()
    assert float(model.results().unemployment_rate.mean()) > float(base.unemployment_rate.mean())
