"""A sweep through a real single-node Slurm cluster (`.ci/slurm/start.sh`) with `submitit_slurm`.

The cluster needs root and Debian's Slurm packages; where it cannot start (a laptop), the test skips
and says why. `FOWSIM_SLURM=0` skips it on purpose.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

ROOT = Path(__file__).parents[1]
START = ROOT / ".ci" / "slurm" / "start.sh"


@pytest.fixture(scope="session")
def slurm_cluster():
    if os.environ.get("FOWSIM_SLURM") == "0":
        pytest.skip("FOWSIM_SLURM=0: the Slurm test is switched off")
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("starting a single-node Slurm cluster needs root (.ci/slurm/start.sh)")
    if not shutil.which("sbatch") and not shutil.which("apt-get"):
        pytest.skip("no Slurm here and no apt-get to install it (.ci/slurm/start.sh needs Debian)")
    running = shutil.which("sinfo") and subprocess.run(["sinfo"], capture_output=True, timeout=30).returncode == 0
    try:
        p = subprocess.run(["bash", str(START)], capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired:
        pytest.skip("the Slurm cluster did not start within 10 minutes")
    if p.returncode != 0:
        last = (p.stderr.strip() or p.stdout.strip() or "no output").splitlines()[-1]
        pytest.skip(f"the Slurm cluster could not start: {last}")
    yield "debug"
    if not running:  # leave the machine as it was
        subprocess.run(["bash", str(START.with_name("stop.sh"))], capture_output=True, timeout=120)


def sweep(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "fowsim", "sweep", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=900, env=env)  # fmt: skip


@pytest.mark.xdist_group("slurm")
def test_a_sweep_through_slurm_matches_the_local_one_and_records_the_crash(slurm_cluster, tmp_path):
    args = ("seed=range(3)", "policy=baseline,recognition", "rules={_target_:tests.crashing_rules.CrashOnSeedOne}",
            "workers=2000", "months=6")  # fmt: skip
    slurm = sweep(*args, "hydra/launcher=submitit_slurm", f"hydra.launcher.partition={slurm_cluster}",
                  f"hydra.sweep.dir={tmp_path / 'slurm'}", cwd=tmp_path)  # fmt: skip
    assert slurm.returncode == 1, slurm.stderr  # the runs with seed 1 crash
    assert "deliberate crash of the run with seed 1" in slurm.stderr
    assert list((tmp_path / "slurm" / ".submitit").glob("*"))  # the runs went through Slurm
    local = sweep(*args, f"hydra.sweep.dir={tmp_path / 'local'}", cwd=tmp_path)
    assert local.returncode == 1, local.stderr
    a, b = (xr.open_dataset(tmp_path / n / "sweep.nc") for n in ("slurm", "local"))
    assert (a.run_status.sel(seed=1) == 1).all() and (a.run_status.sel(seed=[0, 2]) == 0).all()
    assert np.isnan(a.employed.sel(seed=1)).all()
    same = a.drop_vars(["run_folder"])
    same.attrs.pop("title")
    other = b.drop_vars(["run_folder"])
    other.attrs.pop("title")
    xr.testing.assert_identical(same, other)


@pytest.mark.xdist_group("slurm")
def test_a_slurm_task_that_dies_is_reported_missing_and_the_sweep_does_not_hang(slurm_cluster, tmp_path):
    out = tmp_path / "sweep"
    p = sweep("seed=range(2)", "rules={_target_:tests.crashing_rules.DieOnSeedOne}", "workers=2000", "months=6",
              "hydra/launcher=submitit_slurm", f"hydra.launcher.partition={slurm_cluster}", f"hydra.sweep.dir={out}",
              cwd=tmp_path)  # fmt: skip
    assert p.returncode == 1
    assert "missing: run 1" in p.stderr
    ds = xr.open_dataset(out / "sweep.nc")
    assert list(ds.run_status.values) == [0, 2]  # done, missing
    assert np.isfinite(ds.employed.sel(seed=0)).all() and np.isnan(ds.employed.sel(seed=1)).all()


@pytest.mark.xdist_group("slurm")
def test_a_sensitivity_study_through_slurm_matches_the_local_one(slurm_cluster, tmp_path):
    # the study's two shock inputs only: 2 x 3 runs
    args = ("sensitivity", "sensitivity", "policy=baseline", "~sensitivity.parameters.policy",
            "~sensitivity.parameters.world", "workers=1000", "months=12", "sensitivity.samples=2")  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = {}
    for name, extra in (("slurm", ["hydra/launcher=submitit_slurm", f"hydra.launcher.partition={slurm_cluster}"]),
                        ("local", [])):  # fmt: skip
        p = subprocess.run([sys.executable, "-m", "fowsim", *args, *extra, f"hydra.sweep.dir={tmp_path / name}"],
                           cwd=tmp_path, capture_output=True, text=True, timeout=900, env=env)  # fmt: skip
        assert p.returncode == 0, p.stderr
        out[name] = xr.open_dataset(tmp_path / name / "sensitivity.nc")
    assert list((tmp_path / "slurm" / ".submitit").glob("*"))  # the runs went through Slurm
    keep = ["design", "value", "mu_star", "mu_star_conf", "box_lower", "box_upper"]
    xr.testing.assert_equal(out["slurm"][keep], out["local"][keep])
