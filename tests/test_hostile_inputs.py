"""Hostile input, as a new user types it: every case ends in one line, a non-zero status and nothing written.

The README promises that bad input stops a command before it starts, with one line naming the key,
the value and what is allowed, a non-zero exit status and no results. Each case below is a command
and a fragment of the one line it must print. Add a case whenever a new input is added.
"""

from __future__ import annotations

import pytest

from tests.conftest import fowsim_main

SIZE = ("workers=1000", "months=2")

# fowsim run: the config's own checks, and what Hydra refuses
RUN = [
    (("workers=-5",), "workers=-5: a whole number of simulated workers"),
    (("workers=abc",), "workers='abc': a value of the key's type"),
    (("months=0",), "months=0: a whole number of months"),
    (("months=1.5",), "months=1.5: a value of the key's type"),
    (("seed=x",), "seed='x': a value of the key's type"),
    (("nosuchkey=1",), "nosuchkey='1': a key of the config"),
    (("world.nosuch=1",), "world.nosuch='1': a key of the config"),
    (("world.neighbours=x",), "world.neighbours='x': a value of the key's type"),
    (("world.params.no_such_thing=1",), "world.params.no_such_thing=1.0: one of"),
    (("world.params.visa_renewal_prob=1.7",), "world.params.visa_renewal_prob=1.7: a number in [0, 1]"),
    (("world.params.skill_transfer_exponent=nan",), "world.params.skill_transfer_exponent=nan: a number in [0, 20]"),
    (("world.params.training_yield=-1",), "world.params.training_yield=-1.0: a number in [0, 10]"),
    (("world.data=/nonexistent/world",), "world.data='/nonexistent/world': a world folder"),
    (("shock=gradul",), "shock='gradul': one of ['cycle', 'gradual', 'none', 'rapid', 'uneven']"),
    (("shock.size=2",), "shock.size=2.0: a share in [0, 1]"),
    (("shock.adoption=sometimes",), "shock.adoption='sometimes': one of"),
    (("shock=uneven", "shock.region_speed.west_africa=nan"), "shock.region_speed.west_africa=nan: a finite speed"),
    (("shock=uneven", "shock.region_speed.west_africa=-1"), "shock.region_speed.west_africa=-1.0: a finite speed"),
    (("shock=uneven", "shock.region_speed.atlantis=2"), "shock.region_speed.atlantis=2.0: a region among"),
    (("shock=uneven", "shock.adoption=wage"), "shock.adoption='wage': exogenous with shock.kind=uneven"),
    (("policy=nosuch",), "policy='nosuch': one of ['baseline'"),
    (("policy=[reskilling,",), "run override='policy=[reskilling,': key=value"),
    (("seed=0,1",), "seed='0,1': one value (several are a sweep: fowsim sweep)"),
    (("start=2020-13",), "start='2020-13': a calendar month"),
    (("agents.employer=no_such_module.Employer",), "agents.employer._target_='no_such_module.Employer': an importable"),
]

# fowsim sweep: the same one line, before any folder is written
SWEEP = [
    (("nosuchkey=1,2",), "nosuchkey"),
    (("seed=range(0)",), "seed='range(0)': a non-empty list of values"),
    (("seed=range(1,",), "sweep override='seed=range(1,'"),
    (("policy=baseline,nosuch",), "policy='nosuch': one of ['baseline'"),
    (("workers=100,-5",), "workers=-5"),
    (("workers=abc,100",), "workers='abc': a value of the key's type"),
    (("shock=gradual,gradul",), "shock='gradul': one of"),
    (("seed=0,0",), "seed='0,0': distinct values (0 repeats one given before"),
    (("seed=1,01",), "seed='1,01': distinct values ('01' repeats one given before"),
    (("shock.size=0.5,0.50",), "shock.size='0.5,0.50': distinct values (0.5 repeats"),
    (("policy=baseline,reskilling,baseline",), "policy='baseline,reskilling,baseline': distinct values"),
    (("--frobnicate",), "fowsim sweep takes overrides"),
    (("--config-dir", "/nonexistent/conf"), "--config-dir='/nonexistent/conf': an existing folder of configs"),
]


def _one_line(stderr: str) -> list[str]:
    return [x for x in stderr.strip().splitlines() if x.strip()]


@pytest.mark.parametrize(("args", "message"), RUN, ids=[" ".join(a) for a, _ in RUN])
def test_a_bad_run_fails_in_one_line_and_writes_nothing(tmp_path, args, message):
    out = tmp_path / "run"
    p = fowsim_main("run", *SIZE, *args, f"hydra.run.dir={out}", cwd=tmp_path)  # the case last: it wins
    lines = _one_line(p.stderr)
    assert p.returncode == 2 and len(lines) == 1 and message in lines[0], p.stderr
    assert "Traceback" not in p.stderr and not out.exists() and not list(tmp_path.rglob("results.nc"))


@pytest.mark.parametrize(("args", "message"), SWEEP, ids=[" ".join(a) for a, _ in SWEEP])
def test_a_bad_sweep_fails_in_one_line_and_writes_nothing(tmp_path, args, message):
    p = fowsim_main("sweep", *SIZE, *args, cwd=tmp_path)
    lines = _one_line(p.stderr)
    assert p.returncode == 2 and len(lines) == 1 and message in lines[0], p.stderr
    assert "Traceback" not in p.stderr and not (tmp_path / "multirun").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("collect", "nothing"), "nothing"),
        (("report", "."), "neither sweep.nc nor results.nc"),
        (("sensitivity", "no_such_experiment"), "no_such_experiment"),
        (("frobnicate",), "unknown command 'frobnicate'"),
    ],
    ids=["collect", "report", "sensitivity", "command"],
)
def test_the_other_commands_fail_in_one_line(tmp_path, args, message):
    p = fowsim_main(*args, cwd=tmp_path)
    lines = _one_line(p.stderr)
    assert p.returncode == 2 and len(lines) == 1 and message in lines[0], p.stderr
    assert "Traceback" not in p.stderr and not list(tmp_path.iterdir())


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_results_get_the_permissions_the_users_umask_gives(tmp_path, umask):
    import os

    import numpy as np
    import xarray as xr

    from fowsim.io import write_dataset, write_json

    old = os.umask(umask)
    try:
        paths = [write_json({"a": 1}, tmp_path / "summary.json"),
                 write_dataset(xr.Dataset({"x": ("t", np.arange(3.0))}), tmp_path / "results.nc")]  # fmt: skip
    finally:
        os.umask(old)
    assert all(p.stat().st_mode & 0o777 == 0o666 & ~umask for p in paths)
