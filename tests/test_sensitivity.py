"""Sensitivity analysis, scenario discovery and regret: known answers, the CLI study, resuming, bad input."""

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

from fowsim import ConfigError
from fowsim.sensitivity import feature_scores, indices, parse, prim, regret
from tests.conftest import fowsim_main

ROOT = Path(__file__).parents[1]
TINY = ("workers=1000", "months=24", "sensitivity.samples=2")
# the shipped study on two of its policies, with the shock, the network and the lever as its inputs (20 runs);
# and on the baseline with the shock's two inputs (6 runs)
TWO_POLICIES = (*TINY, "policy=baseline,reskilling", "~sensitivity.parameters.world.params")
BASELINE_ONLY = (*TINY, "policy=baseline", "~sensitivity.parameters.policy", "~sensitivity.parameters.world")


def ishigami(X: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    return np.sin(X[:, 0]) + a * np.sin(X[:, 1]) ** 2 + b * X[:, 2] ** 4 * np.sin(X[:, 0])


# analytical Sobol indices of the Ishigami function (a = 7, b = 0.1)
ISHIGAMI_S1 = np.array([0.3139, 0.4424, 0.0])
ISHIGAMI_ST = np.array([0.5576, 0.4424, 0.2437])


def ishigami_study(method: str, samples: int):
    pi = float(np.pi)
    return parse({"method": method, "samples": samples, "seed": 1,
                  "parameters": {"x1": [-pi, pi], "x2": [-pi, pi], "x3": [-pi, pi]},
                  "outcomes": {"y": {"variable": "y"}}})  # fmt: skip


def test_sobol_indices_of_the_ishigami_function_are_recovered_within_their_intervals():
    study = ishigami_study("sobol", 4096)
    X = study.design()
    assert X.shape == (4096 * 5, 3) and study.n_samples == X.shape[0]
    si = indices(study, X, ishigami(X))
    for name, truth in (("S1", ISHIGAMI_S1), ("ST", ISHIGAMI_ST)):
        err = np.abs(si[name] - truth)
        assert (err <= si[f"{name}_conf"]).all(), (name, si[name], si[f"{name}_conf"])
        assert (si[f"{name}_conf"] < 0.06).all()  # and the intervals are tight


def test_morris_screening_ranks_the_ishigami_inputs_and_finds_the_interaction():
    study = ishigami_study("morris", 200)
    X = study.design()
    assert X.shape == (200 * 4, 3)
    si = indices(study, X, ishigami(X))
    # x3 acts only through its interaction with x1: a real effect (mu_star > 0) whose sign varies (mu ~ 0)
    assert si["mu_star"][2] > si["mu_star_conf"][2] and si["sigma"][2] > abs(si["mu"][2])
    assert si["mu_star"][1] > si["mu_star"][2] and si["mu_star"][0] > si["mu_star"][2]


def test_the_design_is_deterministic_and_independent_of_how_the_parameters_are_listed():
    a = parse({"samples": 4, "parameters": {"b": [0, 1], "a": [2, 3.5]}, "outcomes": {"y": {"variable": "y"}}})
    b = parse({"samples": 4, "parameters": {"a": [2, 3.5], "b": [0, 1]}, "outcomes": {"y": {"variable": "y"}}})
    assert a.names == b.names == ["a", "b"] and a.parameters[1].integer
    np.testing.assert_array_equal(a.design(), b.design())
    assert ((a.design() >= [2, 0]) & (a.design() <= [3.5, 1])).all()


def test_prim_finds_a_known_critical_region():
    rng = np.random.default_rng(3)
    X = rng.random((3000, 4))
    y = (X[:, 0] > 0.7) & (X[:, 2] < 0.3)  # the critical region: x0 > 0.7 and x2 < 0.3
    box = prim(X, y)
    assert box["lower"][0] == pytest.approx(0.7, abs=0.03) and box["upper"][2] == pytest.approx(0.3, abs=0.03)
    for j in (1, 3):  # the others are not restricted
        assert box["lower"][j] < 0.01 and box["upper"][j] > 0.99
    assert box["coverage"] > 0.85 and box["density"] > 0.9 and box["mass"] == pytest.approx(0.09, abs=0.02)
    traj = box["trajectory"]
    assert traj["coverage"][0] == 1.0 and traj["density"][0] == pytest.approx(y.mean())
    score, _ = feature_scores(X, y)
    assert min(score[0], score[2]) > 2 * max(score[1], score[3])


def test_regret_is_the_distance_to_the_best_policy_in_each_future():
    values = np.array([[1.0, 5.0, 3.0], [2.0, 2.0, 2.0], [0.0, 9.0, 1.0]])  # policies x futures, lower is better
    r = regret(values)
    np.testing.assert_array_equal(r, [[1, 3, 2], [2, 0, 1], [0, 7, 0]])
    np.testing.assert_array_equal(regret(values, minimise=False), [[1, 4, 0], [0, 7, 1], [2, 0, 2]])


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({}, "sensitivity={}: a study"),
        ({"method": "fast", "parameters": {"a": [0, 1]}, "outcomes": {"y": {"variable": "y"}}},
         "sensitivity.method='fast': one of morris, sobol"),
        ({"parameters": {"a": [1, 0]}, "outcomes": {"y": {"variable": "y"}}},
         "sensitivity.parameters.a=[1, 0]: [low, high] with low < high"),
        ({"parameters": {"seed": [0, 9]}, "outcomes": {"y": {"variable": "y"}}}, "sensitivity.parameters.seed"),
        ({"method": "sobol", "samples": 6, "parameters": {"a": [0, 1]}, "outcomes": {"y": {"variable": "y"}}},
         "a power of 2"),
        ({"parameters": {"a": [0, 1]}, "outcomes": {"y": {"variable": "y", "reduce": "median"}}},
         "sensitivity.outcomes.y.reduce='median': one of last_year"),
        ({"parameters": {"a": [0, 1]}, "outcomes": {"y": {"variable": "y"}}, "discovery": {"outcome": "z"}},
         "sensitivity.discovery.outcome='z': one of the outcomes ['y']"),
    ],
)  # fmt: skip
def test_a_bad_study_fails_in_one_line(spec, message):
    with pytest.raises(ConfigError) as err:
        parse(spec)
    assert message in str(err.value) and "\n" not in str(err.value)


# `fowsim ...` in this process (`fowsim_main`)
fowsim = fowsim_main


def test_a_small_study_of_the_model_runs_end_to_end_and_reports(tmp_path):
    p = fowsim("sensitivity", "sensitivity", *TWO_POLICIES, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    (folder,) = (tmp_path / "multirun").iterdir()
    ds = xr.open_dataset(folder / "sensitivity.nc")
    # 2 trajectories over 4 of the shipped study's inputs, for 2 of its policies
    assert ds.attrs["method"] == "morris" and ds.sizes["sample"] == 2 * (4 + 1) and ds.attrs["runs"] == 20
    assert "world.network_mix" in ds.parameter.values  # the mobility network is among the uncertain inputs
    assert list(ds.policy.values) == ["baseline", "reskilling"]
    assert "shock.size" in ds.parameter.values and np.isfinite(ds.value).all()
    assert np.isfinite(ds.mu_star).all() and (ds.mu_star >= 0).all() and (ds.mu_star_conf >= 0).all()
    # the lever is set only where its policy runs, and the runs carry the values they ran with
    manifest = json.loads((folder / "sweep.json").read_text())
    for run in manifest["runs"][::7]:
        kv = dict(o.lstrip("+").split("=", 1) for o in run["overrides"])
        with xr.open_dataset(folder / run["dir"] / "results.nc") as one:
            config = json.loads(one.attrs["config"])
        row = ds.design.sel(sample=int(kv["sample"]))
        assert config["shock"]["size"] == pytest.approx(float(row.sel(parameter="shock.size")))
        seats = config["policy"].get("reskilling", {}).get("seats")
        assert (seats == round(float(row.sel(parameter="policy.reskilling.seats")))) == (kv["policy"] == "reskilling")
    # regret: every future has a best policy with zero regret
    assert (ds.regret.min("policy") == 0).all() and int(ds.best_count.sum()) == ds.sizes["sample"]
    assert ds.attrs["most_often_best"] in ds.policy.values
    assert "mu_star largest for" in p.stdout and "regret on ltu_north_africa" in p.stdout
    # the report has the study's section
    r = fowsim("report", str(folder), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    page = (folder / "report.html").read_text()
    for anchor in ("id='indices'", "id='discovery'", "id='regret'"):
        assert anchor in page
    assert "shock.size" in page and "most often" in page


def test_an_interrupted_study_resumes_without_rerunning_finished_runs(tmp_path):
    cmd = [sys.executable, "-m", "fowsim", "sensitivity", "sensitivity", *BASELINE_ONLY, "hydra/launcher=basic"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)  # fmt: skip
    deadline = time.time() + 300
    while time.time() < deadline and len(list(tmp_path.glob("multirun/*/*/results.nc"))) < 2:
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done = {p: p.stat().st_mtime_ns for p in tmp_path.glob("multirun/*/*/results.nc")}
    assert 2 <= len(done) < 6
    p = fowsim("sensitivity", "sensitivity", *BASELINE_ONLY, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert all(path.stat().st_mtime_ns == stamp for path, stamp in done.items())  # not run again
    assert len(list(tmp_path.glob("multirun/*/*/results.nc"))) == 6
    assert not list(tmp_path.glob("multirun/**/.*.tmp"))
    assert (next((tmp_path / "multirun").iterdir()) / "sensitivity.nc").is_file()


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("++sensitivity.parameters.shock.sizes=[0,1]", "sensitivity.parameters.shock.sizes=[0.0, 1.0]: a config key"),
        ("++sensitivity.parameters.policy.recognition.approval=[0.5,1]", "a field of a policy the study runs"),
        ("sensitivity.parameters.shock.size=[0.5,1.5]", "sensitivity.parameters.shock.size=[0.5, 1.5]: a range the "
         "model accepts"),
        ("sample=3", "sample='given'"),
    ],
)  # fmt: skip
def test_a_bad_study_on_the_command_line_fails_in_one_line_and_writes_nothing(tmp_path, override, message):
    p = fowsim("sensitivity", "sensitivity", *TINY, override, cwd=tmp_path)
    lines = [x for x in p.stderr.splitlines() if x.strip()]
    assert p.returncode == 2 and len(lines) == 1 and message in lines[0], p.stderr
    assert not (tmp_path / "multirun").exists()


def test_an_experiment_without_a_study_is_refused(tmp_path):
    p = fowsim("sensitivity", "pandemic", cwd=tmp_path)
    assert p.returncode == 2 and "sensitivity={}: a study" in p.stderr
    p = fowsim("sensitivity", "no_such_experiment", cwd=tmp_path)
    assert p.returncode == 2 and "experiment='no_such_experiment'" in p.stderr
