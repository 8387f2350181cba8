"""`fowsim sweep` and `fowsim collect`: all cores, resumable, failures recorded, one labelled sweep.nc."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from fowsim import sweep as sw
from fowsim.collect import collect
from tests.conftest import fowsim_main

ROOT = Path(__file__).parents[1]
SMALL = ("workers=2000", "months=6")


# `fowsim ...` in this process; the killed sweep below is the one that needs a real process
fowsim = fowsim_main


def data_vars(ds: xr.Dataset) -> xr.Dataset:
    out = ds.drop_vars(["run_folder", "run_config"])
    out.attrs.pop("title")  # names the folder
    return out


def test_a_sweep_ends_in_one_labelled_dataset_that_slices_as_expected(tmp_path):
    out = tmp_path / "sweep"
    p = fowsim("sweep", "policy=baseline,recognition", "seed=range(2)", *SMALL, f"hydra.sweep.dir={out}", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert "sweep: 4/4 done, 0 failed, 0 left" in p.stderr
    manifest = json.loads((out / "sweep.json").read_text())
    assert manifest["counts"] == {"done": 4, "failed": 0, "missing": 0}
    ds = xr.open_dataset(out / "sweep.nc")
    assert ds.unemployment_rate.dims == ("policy", "seed", "time", "region")
    assert list(ds.policy.values) == ["baseline", "recognition"] and list(ds.seed.values) == [0, 1]
    assert ds.seed.attrs["standard_name"] == "realization"
    assert (ds.run_status == 0).all()
    mean = ds.sel(policy="recognition").mean("seed")
    assert mean.unemployment_rate.dims == ("time", "region") and np.isfinite(mean.unemployment_rate).all()
    # each cell is its run, exactly
    for num, run in enumerate(manifest["runs"]):
        keys = dict(o.split("=") for o in run["overrides"])
        with xr.open_dataset(out / str(num) / "results.nc") as one:
            cell = ds.sel(policy=keys["policy"], seed=int(keys["seed"]))
            np.testing.assert_array_equal(cell.employed.values, one.employed.values)
            assert json.loads(str(cell.run_config.values))["seed"] == int(keys["seed"])
    # it round-trips through NetCDF
    ds.to_netcdf(tmp_path / "copy.nc")
    xr.testing.assert_identical(xr.open_dataset(tmp_path / "copy.nc").load(), ds.load())


def test_sequential_parallel_and_submitit_sweeps_give_identical_datasets(tmp_path):
    args = ("policy=baseline,reskilling", "seed=range(2)", "shock=rapid", *SMALL)
    launchers = {
        "seq": "hydra/launcher=basic",
        "par": "hydra/launcher=joblib",
        "submitit": "hydra/launcher=submitit_local",
    }
    for name, launcher in launchers.items():
        p = fowsim("sweep", *args, launcher, f"hydra.sweep.dir={tmp_path / name}", cwd=tmp_path)
        assert p.returncode == 0, p.stderr
    a, *others = (xr.open_dataset(tmp_path / n / "sweep.nc") for n in launchers)
    for b in others:
        xr.testing.assert_identical(data_vars(a), data_vars(b))
        assert (a.run_config.values == b.run_config.values).all()


def test_a_failing_run_is_recorded_and_the_others_finish(tmp_path):
    out = tmp_path / "sweep"
    rules = "rules={_target_:tests.crashing_rules.CrashOnSeedOne}"
    p = fowsim("sweep", "seed=range(3)", rules, *SMALL, f"hydra.sweep.dir={out}", cwd=tmp_path)
    assert p.returncode == 1
    assert "failed: run 1" in p.stderr and "deliberate crash of the run with seed 1" in p.stderr
    assert "RuntimeError" in (out / "1" / "error.txt").read_text()
    ds = xr.open_dataset(out / "sweep.nc")
    assert list(ds.run_status.values) == [0, 1, 0]  # done, failed, done
    assert "deliberate crash" in str(ds.run_error.sel(seed=1).values)
    assert np.isnan(ds.employed.sel(seed=1)).all() and np.isfinite(ds.employed.sel(seed=0)).all()
    assert ds.attrs["runs_failed"] == 1


def test_a_killed_sweep_resumes_and_every_run_completes_once(tmp_path):
    out = tmp_path / "sweep"
    args = ("sweep", "seed=range(6)", "workers=60000", "months=24", "hydra/launcher=basic", f"hydra.sweep.dir={out}")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "fowsim", *args], cwd=tmp_path, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.time() + 300
    while len(list(out.glob("*/results.nc"))) < 2 and time.time() < deadline:
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    first = {p.parent.name: p.stat().st_mtime_ns for p in out.glob("*/results.nc")}
    assert 2 <= len(first) < 6, "the sweep should be killed halfway"
    assert not (out / "sweep.nc").exists()
    p = fowsim(*args, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    after = {p.parent.name: p.stat().st_mtime_ns for p in out.glob("*/results.nc")}
    assert len(after) == 6
    assert all(after[k] == t for k, t in first.items())  # finished runs were not run again
    assert not list(out.rglob("*.tmp"))
    ds = xr.open_dataset(out / "sweep.nc")
    assert (ds.run_status == 0).all() and np.isfinite(ds.employed).all()
    for num in range(6):  # no file is corrupt
        with xr.open_dataset(out / str(num) / "results.nc") as one:
            assert one.sizes["time"] == 24


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("nosuchkey=1,2", "nosuchkey"),
        ("seed=range(0)", "seed='range(0)': a non-empty list of values"),
        ("seed=range(1,", "sweep override='seed=range(1,'"),
        ("policy=baseline,nosuch", "policy='nosuch': one of ['baseline'"),
        ("workers=100,-5", "workers=-5"),
    ],
)
def test_bad_sweep_input_fails_in_one_line_and_writes_nothing(tmp_path, override, message):
    p = fowsim("sweep", override, "months=2", cwd=tmp_path)
    assert p.returncode != 0
    lines = [x for x in p.stderr.strip().splitlines() if x.strip()]
    assert len(lines) == 1 and message in lines[0], p.stderr
    assert not (tmp_path / "multirun").exists()


def test_the_plan_matches_hydras_job_order_and_names_a_stable_folder():
    a = sw.plan(["+experiment=pandemic", "seed=0", "workers=2000"])
    arms = ("baseline", "pandemic_closure", "pandemic_closure_online", "online_training")
    assert [j[0] for j in a.jobs] == [f"policy={p}" for p in arms]
    b = sw.plan(["+experiment=pandemic", "seed=0", "workers=2000", "hydra/launcher=submitit_slurm"])
    assert a.folder == b.folder and a.folder.name.startswith("pandemic-")  # the launcher does not move it
    assert sw.plan(["+experiment=pandemic", "seed=1", "workers=2000"]).folder != a.folder


def test_collect_reads_a_plain_hydra_multirun_too(tmp_path):
    out = tmp_path / "sweep"
    p = fowsim("sweep", "seed=0,1", *SMALL, f"hydra.sweep.dir={out}", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    (out / "sweep.json").unlink()
    (out / "sweep.nc").unlink()
    ds = xr.open_dataset(collect(out))
    assert list(ds.seed.values) == [0, 1] and (ds.run_status == 0).all()
    assert fowsim("collect", str(out), cwd=tmp_path).returncode == 0
    assert fowsim("collect", str(tmp_path / "nothing"), cwd=tmp_path).returncode == 2


def test_run_sweep_from_python_is_the_cli_sweep(tmp_path, monkeypatch):
    """`fowsim.run_sweep` plans, lays out and collects as `fowsim sweep`: the CLI finds its runs done."""
    from fowsim import run_sweep
    from fowsim.compare import effects

    monkeypatch.chdir(tmp_path)
    overrides = ["policy=baseline,recognition", "seed=range(2)", *SMALL]
    path = run_sweep(overrides, processes=2, progress=False)
    folder = path.parent
    assert folder == Path("multirun") / sw.plan(overrides).folder.name and path.name == "sweep.nc"
    manifest = json.loads((folder / "sweep.json").read_text())
    assert manifest["counts"] == {"done": 4, "failed": 0, "missing": 0}
    ds = xr.open_dataset(path).load()
    assert list(ds.policy.values) == ["baseline", "recognition"] and (ds.run_status == 0).all()
    # the same sweep from the CLI skips every run and writes the same dataset
    stamps = {d: (d / "results.nc").stat().st_mtime_ns for d in folder.glob("[0-9]*")}
    p = fowsim("sweep", *overrides, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert stamps == {d: (d / "results.nc").stat().st_mtime_ns for d in folder.glob("[0-9]*")}
    xr.testing.assert_identical(data_vars(xr.open_dataset(path).load()), data_vars(ds))
    # one process or two: the same numbers
    one = run_sweep(overrides, folder=tmp_path / "one", progress=False)
    xr.testing.assert_identical(data_vars(xr.open_dataset(one).load()), data_vars(ds))
    # the folders read as Hydra's: the comparison tools work on them
    table = effects(folder)
    assert list(table.policy) == ["recognition"] and table.seeds.iloc[0] == 2


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"overrides": ["policy=nope", *SMALL]}, "policy"),
        ({"overrides": ["seed=range(2)", "hydra/launcher=submitit_slurm"]}, "hydra/launcher='submitit_slurm'"),
        ({"overrides": ["seed=range(2)"], "processes": 0}, "processes=0: a whole number of worker processes"),
        ({"overrides": ["seed=range(2)"], "config_dir": "no/such/folder"}, "config_dir='no/such/folder'"),
    ],
)
def test_run_sweep_refuses_bad_input_before_writing_anything(tmp_path, monkeypatch, kwargs, message):
    from fowsim import ConfigError, run_sweep

    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as err:
        run_sweep(**kwargs, progress=False)
    assert message in str(err.value) and "\n" not in str(err.value)
    assert not any(tmp_path.iterdir())


def test_a_second_sweep_from_another_folder_in_the_same_process_writes_its_runs_there(tmp_path):
    """A notebook that changes folder between sweeps: the launcher's pool, started in the first folder, is reused."""
    for name in ("first", "second"):
        (tmp_path / name).mkdir()
        p = fowsim("sweep", "seed=0,1", *SMALL, "hydra/launcher=joblib", cwd=tmp_path / name)
        assert p.returncode == 0, p.stderr
        assert len(list((tmp_path / name).glob("multirun/*/*/results.nc"))) == 2, p.stderr


def test_run_sweep_on_processes_works_from_a_plain_script_without_a_main_guard(tmp_path):
    """The README's snippet as a script: spawned workers must not run the script (and its sweep) again."""
    script = tmp_path / "script.py"
    script.write_text(
        "from fowsim import run_sweep\n"
        f"path = run_sweep(['workers=1000', 'months=2', 'seed=0,1'], folder={str(tmp_path / 'sweep')!r}, "
        "processes=2, progress=False)\n"
        "print('DONE', path)\n"
    )
    p = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0 and p.stdout.count("DONE") == 1, p.stderr[-2000:]
    assert (tmp_path / "sweep" / "sweep.nc").is_file() and len(list((tmp_path / "sweep").glob("*/results.nc"))) == 2
