"""The extension API from outside the package: a collaborator's policy, agent and rules classes,
referenced by `_target_`, through `fowsim run` and `fowsim sweep` with `--config-dir`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import xarray as xr

ROOT = Path(__file__).parents[1]

MODULE = '''
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from fowsim import ConfigError
from fowsim.agents import Employer
from fowsim.policies import Policy
from fowsim.rules import WorkerRules
from fowsim.workforce import UNEMPLOYED, YOUTH_MONTHS


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
        self.pr = self.provider(model, self._r, "voucher", self.seats, 3, 0.8, self.cost_per_participant / 3,
                                targets, award=1, skill_after=0.5)

    def act(self, model):
        ws = model.ws
        young = (model.t - ws.birth.astype(np.int64)) < YOUTH_MONTHS
        self.enrol(model, self.pr, np.flatnonzero((ws.status == UNEMPLOYED) & (ws.region == self._r) & young), True)


class BrokenRules(WorkerRules):
    """Returns one answer too many: a mistake a collaborator might make."""

    def seeks_training(self, model, idx):
        return np.ones(idx.size + 1, dtype=bool)


class ProbabilityRules(WorkerRules):
    """Returns probabilities where decisions are due: another likely mistake."""

    def migration_choice(self, model, idx, corridor):
        return np.full(idx.size, 0.5)
'''

PRESET = """
youth_voucher:
  _target_: my_extensions.YouthVoucher
  start_month: 0
  region: north_africa
"""


def setup_extension(tmp_path: Path) -> tuple[Path, dict]:
    (tmp_path / "my_extensions.py").write_text(textwrap.dedent(MODULE))
    conf = tmp_path / "conf" / "policy"
    conf.mkdir(parents=True)
    (conf / "youth_voucher.yaml").write_text(PRESET)
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}"}
    return tmp_path / "conf", env


def fowsim(*args: str, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "fowsim", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=600)  # fmt: skip


def test_a_collaborators_policy_and_employer_run_through_fowsim_run(tmp_path):
    conf, env = setup_extension(tmp_path)
    out = tmp_path / "run"
    employer = "agents.employer=my_extensions.WageDrivenAutomator"
    p = fowsim("run", "--config-dir", str(conf), "policy=youth_voucher", employer, "shock=rapid", "workers=3000",
               "months=12", f"hydra.run.dir={out}", cwd=tmp_path, env=env)  # fmt: skip
    assert p.returncode == 0, p.stderr
    summary = json.loads((out / "summary.json").read_text())
    account = summary["policies"]["youth_voucher"]
    assert account["participants"] > 0 and account["participants_youth"] == account["participants"]
    config = json.loads(xr.open_dataset(out / "results.nc").attrs["config"])
    assert config["agents"]["employer"] == "my_extensions.WageDrivenAutomator"


def test_the_same_classes_run_in_a_sweep(tmp_path):
    conf, env = setup_extension(tmp_path)
    out = tmp_path / "sweep"
    p = fowsim("sweep", "--config-dir", str(conf), "policy=baseline,youth_voucher", "seed=0,1",
               "agents.employer=my_extensions.WageDrivenAutomator", "workers=3000", "months=12",
               f"hydra.sweep.dir={out}", cwd=tmp_path, env=env)  # fmt: skip
    assert p.returncode == 0, p.stderr
    ds = xr.open_dataset(out / "sweep.nc")
    assert list(ds.policy.values) == ["baseline", "youth_voucher"] and (ds.run_status == 0).all()
    enrolled = ds.enrolments.sel(region="north_africa").sum("time")
    assert (enrolled.sel(policy="youth_voucher") > enrolled.sel(policy="baseline")).all()


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
    ]  # fmt: skip
    for overrides, message in cases:
        p = fowsim("run", "--config-dir", str(conf), "workers=2000", *overrides, f"hydra.run.dir={tmp_path / 'bad'}",
                   cwd=tmp_path, env=env)  # fmt: skip
        lines = [x for x in p.stderr.strip().splitlines() if x.strip()]
        assert p.returncode != 0 and len(lines) == 1 and message in lines[0], (overrides, p.stderr)
        assert not (tmp_path / "bad" / "results.nc").exists()
        if "rules=" in overrides[0]:
            assert "expected shape" in lines[0]
    assert "dtype float64; expected shape" in lines[0] and "of bool" in lines[0]
