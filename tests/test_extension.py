"""The extension API from outside the package: a collaborator's phase, policy, agent and rules classes,
referenced by `_target_`, and a sixth region added as data only, through `fowsim run` and `fowsim sweep`
with `--config-dir`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import xarray as xr

from tests.conftest import Ran, fowsim_main

ROOT = Path(__file__).parents[1]

MODULE = '''
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from fowsim import ConfigError
from fowsim.agents import Employer
from fowsim.phases import Phase
from fowsim.policies import Policy
from fowsim.rules import WorkerRules
from fowsim.codes import UNEMPLOYED, YOUTH_MONTHS


class HiringFreeze(Phase):
    """A hiring freeze: in months `start` to `end - 1` the employers of `region` withdraw every open vacancy."""

    name = "hiring_freeze"
    stream = "hiring_freeze"

    def __init__(self, region="eu", start=3, end=6):
        self.region, self.start, self.end = region, start, end

    def __call__(self, model, rng):
        if not self.start <= model.t < self.end:
            return
        r = model.world.region(self.region)
        for emp in model.employers:
            if emp.region == r:
                model.market.open_vacancies(emp.index, -emp.vacancies)


class WageDrivenAutomator(Employer):
    """An employer that automates faster where it pays more."""

    elasticity = 3.0

    def effective_time(self, t, start):
        speed = self.adoption_speed * self.wage_premium**self.elasticity
        return start + (t - start) * speed if t > start else t


@dataclass
class YouthVoucher(Policy):
    """Unemployed youth (15-24) of `region` get a voucher for a three-month course."""

    name: ClassVar[str] = "youth_voucher"
    region: str = "north_africa"
    seats: float = 50_000.0
    cost_per_participant: float = 800.0

    def check(self, world):
        super().check(world)
        if self.region not in world.regions:
            raise ConfigError(self.key("region"), self.region, f"one of {list(world.regions)}")
        self._r = world.region(self.region)

    def setup(self, model):
        targets = np.arange(model.world.n_occupations)
        self.pr = self.provider(model, self._r, "voucher", self.seats, duration=3, completion=0.8,
                                cost_per_month=self.cost_per_participant / 3, targets=targets, award=1, skill_after=0.5)

    def act(self, model):
        ws = model.ws
        young = (model.t - ws.birth.astype(np.int64)) < YOUTH_MONTHS
        self.enrol(model, self.pr, np.flatnonzero((ws.status == UNEMPLOYED) & (ws.region == self._r) & young), True)


class BrokenRules(WorkerRules):
    """Returns one answer too many: a mistake a collaborator might make."""

    def seeks_training(self, model, idx, rng):
        return np.ones(idx.size + 1, dtype=bool)


class ProbabilityRules(WorkerRules):
    """Returns probabilities where decisions are due: another likely mistake."""

    def migration_choice(self, model, idx, corridor, rng):
        return np.full(idx.size, 0.5)
'''

PRESET = """
youth_voucher:
  _target_: my_extensions.YouthVoucher
  start_month: 0
  region: north_africa
"""
FREEZE = """# @package _global_
phases:
  add:
    - {_target_: my_extensions.HiringFreeze, after: separations_and_vacancies, region: eu, start: 3, end: 6}
"""
WORLD_PRESET = """defaults:
  - world_schema
name: sixth
data: {data}
"""
SIXTH = "southern_africa"
TEST_SETTING = "test setting: a sixth region added as data only"


def write_sixth_world(folder: Path) -> Path:
    """A world built on the default one, with a sixth region, Southern Africa: only its rows."""
    import csv

    from fowsim.world import DATA_DIR

    folder.mkdir(parents=True)
    (folder / "world.yaml").write_text("base: default\ndescription: the default world and Southern Africa\n")
    with open(DATA_DIR / "default" / "regions.csv") as fh:
        rows = [r for r in csv.DictReader(fh) if r["region"] == "north_africa"]
    values = {"labour_force": "25000000", "unemployment_target": "0.25", "wage_level": "600"}
    with open(folder / "regions.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["region", "parameter", "value", "unit", "source"])
        w.writerows([[SIXTH, r["parameter"], values.get(r["parameter"], r["value"]), r["unit"], TEST_SETTING]
                     for r in rows])  # fmt: skip
    with open(DATA_DIR / "default" / "employment.csv") as fh:
        shares = [r for r in csv.DictReader(fh) if r["region"] == "north_africa"]
    with open(folder / "employment.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["region", "occupation", "share", "source"])
        w.writerows([[SIXTH, r["occupation"], r["share"], TEST_SETTING] for r in shares])
    with open(DATA_DIR / "default" / "corridors.csv") as fh:
        header = next(csv.reader(fh))
    with open(folder / "corridors.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerow([SIXTH, "eu", 1_000_000, 3000, 0.2, 0.2, 80_000, 8, 0.45, TEST_SETTING])
        w.writerow([SIXTH, "gulf", 200_000, 1500, 0.95, 0.02, 40_000, 3, 0.55, TEST_SETTING])
    return folder


def setup_extension(tmp_path: Path) -> tuple[Path, dict]:
    (tmp_path / "my_extensions.py").write_text(textwrap.dedent(MODULE))
    conf = tmp_path / "conf"
    for group, name, text in (
        ("policy", "youth_voucher", PRESET),
        ("experiment", "freeze", FREEZE),
        ("world", "sixth", WORLD_PRESET.format(data=write_sixth_world(tmp_path / "sixth"))),
    ):
        (conf / group).mkdir(parents=True, exist_ok=True)
        (conf / group / f"{name}.yaml").write_text(text)
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}"}
    return conf, env


def fowsim(*args: str, cwd: Path, env: dict) -> subprocess.CompletedProcess | Ran:
    """`fowsim ARGS` with the collaborator's folder importable: in this process, but for a sweep.

    A sweep runs as a real process, as a collaborator's would: its launcher's workers import the
    classes from PYTHONPATH.
    """
    if args[0] == "sweep":
        return subprocess.run([sys.executable, "-m", "fowsim", *args], cwd=cwd, env=env, capture_output=True,
                              text=True, timeout=600)  # fmt: skip
    paths = env["PYTHONPATH"].split(os.pathsep)
    saved = sys.path[:]
    sys.path[:0] = paths
    sys.modules.pop("my_extensions", None)  # another test's folder held a module of that name
    try:
        return fowsim_main(*args, cwd=cwd)
    finally:
        sys.path[:] = saved
        sys.modules.pop("my_extensions", None)


EXTENDED = ("policy=youth_voucher", "agents.employer=my_extensions.WageDrivenAutomator", "+experiment=freeze",
            "world=sixth")  # fmt: skip


def check_extended(ds: xr.Dataset) -> None:
    """What each extension did: a sixth region, a hiring freeze in the EU in months 3-5, youth vouchers."""
    assert list(ds.region.values)[-1] == SIXTH and ds.sizes["region"] == 6
    assert float(ds.labour_force.sel(region=SIXTH).isel(time=0)) > 0
    assert float(ds.migrant_stock.sel(origin=SIXTH, destination="eu").isel(time=0)) > 0  # its corridor's diaspora
    hires = ds.hires.sel(region="eu").isel(time=slice(3, 6))
    assert float(hires.sum()) == 0 and float(ds.hires.sel(region="eu").isel(time=slice(6, None)).sum()) > 0
    assert float(ds.hires.drop_sel(region="eu").isel(time=slice(3, 6)).sum()) > 0  # the freeze is the EU's only


def test_a_collaborators_phase_policy_employer_and_world_run_through_fowsim_run(tmp_path):
    conf, env = setup_extension(tmp_path)
    out = tmp_path / "run"
    p = fowsim("run", "--config-dir", str(conf), *EXTENDED, "shock=rapid", "workers=3000", "months=12",
               f"hydra.run.dir={out}", cwd=tmp_path, env=env)  # fmt: skip
    assert p.returncode == 0, p.stderr
    summary = json.loads((out / "summary.json").read_text())
    account = summary["policies"]["youth_voucher"]
    assert account["participants"] > 0 and account["participants_youth"] == account["participants"]
    ds = xr.open_dataset(out / "results.nc")
    config = json.loads(ds.attrs["config"])
    assert config["agents"]["employer"] == "my_extensions.WageDrivenAutomator"
    assert config["phases"]["add"][0]["_target_"] == "my_extensions.HiringFreeze"
    check_extended(ds)


def test_the_same_classes_and_world_run_in_a_sweep(tmp_path):
    conf, env = setup_extension(tmp_path)
    out = tmp_path / "sweep"
    p = fowsim("sweep", "--config-dir", str(conf), "policy=baseline,youth_voucher", "seed=0,1", *EXTENDED[1:],
               "workers=3000", "months=12", f"hydra.sweep.dir={out}", cwd=tmp_path, env=env)  # fmt: skip
    assert p.returncode == 0, p.stderr
    ds = xr.open_dataset(out / "sweep.nc")
    assert list(ds.policy.values) == ["baseline", "youth_voucher"] and (ds.run_status == 0).all()
    enrolled = ds.enrolments.sel(region="north_africa").sum("time")
    assert (enrolled.sel(policy="youth_voucher") > enrolled.sel(policy="baseline")).all()
    for policy in ds.policy.values:
        for seed in ds.seed.values:
            check_extended(ds.sel(policy=policy, seed=seed))


def test_a_collaborators_likely_mistakes_get_one_line_that_says_what_was_expected(tmp_path):
    conf, env = setup_extension(tmp_path)
    cases = [
        (["agents.employer=my_extensions.NoSuchClass"], "agents.employer._target_='my_extensions.NoSuchClass': "
         "an importable 'module.Name'"),
        (["agents.employer=fowsim.agents.Government"], "expected a subclass of fowsim.Employer"),
        (["+policy.mine._target_=my_extensions.WageDrivenAutomator"],
         "expected a @dataclass subclass of fowsim.policies.Policy"),
        (["rules=my_extensions.BrokenRules", "months=6"],
         "WorkerRules.seeks_training returned shape"),
        (["rules=my_extensions.ProbabilityRules", "months=6"],
         "WorkerRules.migration_choice returned shape"),
        (["phases.add=[my_extensions.WageDrivenAutomator]"], "expected a subclass of fowsim.phases.Phase"),
        (["phases.remove=[no_such_phase]"], "phases.remove='no_such_phase': one of the phases"),
    ]  # fmt: skip
    for overrides, message in cases:
        p = fowsim("run", "--config-dir", str(conf), "workers=2000", *overrides, f"hydra.run.dir={tmp_path / 'bad'}",
                   cwd=tmp_path, env=env)  # fmt: skip
        lines = [x for x in p.stderr.strip().splitlines() if x.strip()]
        assert p.returncode != 0 and len(lines) == 1 and message in lines[0], (overrides, p.stderr)
        assert not (tmp_path / "bad" / "results.nc").exists()
        if "rules=" in overrides[0]:
            assert "expected shape" in lines[0]
        if "ProbabilityRules" in overrides[0]:
            assert "dtype float64; expected shape" in lines[0] and "of bool" in lines[0]
