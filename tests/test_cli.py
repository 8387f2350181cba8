"""The `fowsim` command as a user meets it: a run, its outputs, and one-line errors for bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import xarray as xr

from tests.conftest import fowsim_main as fowsim


def test_run_writes_results_summary_and_config(tmp_path):
    out = tmp_path / "run"
    p = fowsim("run", "workers=2000", "months=6", f"hydra.run.dir={out}", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert "u start" in p.stdout and "north_africa" in p.stdout and str(out / "results.nc") in p.stdout
    ds = xr.open_dataset(out / "results.nc")
    assert ds.sizes["time"] == 6 and ds.attrs["workers"] == 2000
    summary = json.loads((out / "summary.json").read_text())
    assert set(summary["regions"]) == set(ds.region.values)
    assert (out / ".hydra" / "config.yaml").is_file()
    assert not list(out.glob("*.tmp"))


def test_world_params_override_without_plus(tmp_path):
    out = tmp_path / "run"
    p = fowsim("run", "workers=1000", "months=2", "world.params.applications=5", f"hydra.run.dir={out}", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert '"applications": 5' in xr.open_dataset(out / "results.nc").attrs["config"]


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("workers=-5", "workers=-5: a whole number of simulated workers"),
        ("months=0", "months=0: a whole number of months"),
        ("world.params.visa_renewal_prob=1.7", "world.params.visa_renewal_prob=1.7: a number in [0, 1]"),
        ("world.params.applications=-3", "world.params.applications=-3.0: a number in [0, 50]"),
        ("world.params.skill_transfer_exponent=nan", "world.params.skill_transfer_exponent=nan: a number in [0, 20]"),
        ("world.params.no_such_thing=1", "world.params.no_such_thing=1.0: one of"),
        ("world.data=/nonexistent/world", "world.data='/nonexistent/world': a world folder"),
        ("shock.size=2", "shock.size=2.0: a share in [0, 1]"),
        ("start=2020-13", "start='2020-13': a calendar month"),
        # what Hydra itself refuses, in the same one line (more in tests/test_hostile_inputs.py)
        ("workers=abc", "workers='abc': a value of the key's type (Value 'abc' of type 'str' could not be converted"),
    ],
)
def test_bad_input_fails_in_one_line_and_writes_nothing(tmp_path, override, message):
    out = tmp_path / "run"
    p = fowsim("run", override, f"hydra.run.dir={out}", cwd=tmp_path)
    assert p.returncode != 0
    lines = [x for x in p.stderr.strip().splitlines() if x.strip()]
    assert len(lines) == 1 and message in lines[0], p.stderr
    assert not (out / "results.nc").exists()


def test_the_readmes_uneven_shock_runs_and_a_region_speed_that_is_no_speed_fails_in_one_line(tmp_path):
    out = tmp_path / "run"
    p = fowsim("run", "shock=uneven", "shock.region_speed.west_africa=0.3", "workers=1000", "months=2",
               f"hydra.run.dir={out}", cwd=tmp_path)  # fmt: skip
    assert p.returncode == 0, p.stderr
    shock = json.loads(xr.open_dataset(out / "results.nc").attrs["config"])["shock"]
    assert shock["region_speed"] == {"west_africa": 0.3}
    for value, allowed in (("nan", "a finite speed > 0"), ("0", "a finite speed > 0")):
        bad = tmp_path / f"bad-{value}"
        p = fowsim("run", "shock=uneven", f"shock.region_speed.west_africa={value}", f"hydra.run.dir={bad}",
                   cwd=tmp_path)  # fmt: skip
        lines = [x for x in p.stderr.strip().splitlines() if x.strip()]
        assert p.returncode == 2 and len(lines) == 1 and allowed in lines[0], p.stderr
        assert not bad.exists()
    p = fowsim("run", "shock=uneven", "shock.region_speed.atlantis=2", cwd=tmp_path)
    assert p.returncode == 2 and "shock.region_speed.atlantis=2.0: a region among" in p.stderr


def test_unknown_shock_lists_the_options(tmp_path):
    p = fowsim("run", "shock=nonexistent", cwd=tmp_path)
    assert p.returncode != 0
    assert "shock" in p.stderr and "gradual" in p.stderr and "rapid" in p.stderr
    assert not list(tmp_path.rglob("results.nc"))


def test_help_and_unknown_command(tmp_path):
    """In a real process, as the console script a user types: the one test of `fowsim` from outside."""
    exe = Path(sys.executable).with_name("fowsim")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "fowsim"]
    assert "run [overrides" in subprocess.run([*command, "--help"], capture_output=True, text=True).stdout
    p = subprocess.run([*command, "frobnicate"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert p.returncode == 2 and "unknown command 'frobnicate'" in p.stderr


def test_python_api_compose_and_simulate():
    from fowsim import LabourMarketModel, compose, simulate

    cfg = compose(["workers=1500", "months=3", "shock=rapid"])
    assert cfg.shock.kind == "rapid"
    ds = simulate(cfg)
    assert ds.sizes["time"] == 3
    m = LabourMarketModel(cfg)
    m.step()
    assert m.results().sizes["time"] == 1
    m.run()
    assert m.results().sizes["time"] == 3


@pytest.mark.parametrize("command", ["sweep", "sensitivity", "collect", "report", "validate", "compare", "bench"])
def test_every_subcommand_has_help(tmp_path, command):
    p = fowsim(command, "--help", cwd=tmp_path)
    assert p.returncode == 0 and p.stdout.startswith(f"usage: fowsim {command}"), (p.stdout, p.stderr)
    assert not list(tmp_path.iterdir())  # asking for help writes nothing


def test_version_flag_and_compare_errors_in_one_line(tmp_path):
    from fowsim import __version__

    for flag in ("--version", "-V", "version"):
        p = fowsim(flag, cwd=tmp_path)
        assert p.returncode == 0 and p.stdout.strip() == __version__
    assert "compare SWEEP_DIR" in fowsim("--help", cwd=tmp_path).stdout
    p = fowsim("compare", str(tmp_path / "nowhere"), cwd=tmp_path)
    assert p.returncode == 2 and p.stderr.count("\n") == 1 and "fowsim compare: error:" in p.stderr
    p = fowsim("compare", cwd=tmp_path)
    assert p.returncode == 2 and p.stderr.count("\n") == 1 and "SWEEP_DIR" in p.stderr


def test_mesas_batch_run_takes_the_model_with_keyword_overrides():
    """What Mesa users reach for first: batch_run over two worker counts and two seeds."""
    import pickle

    import mesa

    from fowsim import LabourMarketModel

    grid = {"workers": [1000, 2000], "months": 6, "seed": [0, 1]}
    rows = mesa.batch_run(LabourMarketModel, parameters=grid, number_processes=1, display_progress=False)
    assert len(rows) == 4 and {(r["workers"], r["seed"]) for r in rows} == {(1000, 0), (1000, 1), (2000, 0), (2000, 1)}
    at_horizon = [r for r in rows if r["Step"] == 5]  # (Mesa counts steps from 0)
    assert len(at_horizon) == 4 and all(0 < r["unemployment_rate"] < 0.3 and r["employed"] > 0 for r in rows)
    again = mesa.batch_run(LabourMarketModel, parameters={**grid, "workers": 1000, "seed": 1}, display_progress=False)
    first = next(r for r in rows if (r["workers"], r["seed"]) == (1000, 1))
    assert again[0]["unemployment_rate"] == first["unemployment_rate"]  # the same seed, the same run
    # keywords are the config's overrides: dotted keys through a dict; a config and keywords together are refused
    m = LabourMarketModel(workers=1000, months=2, shock="rapid", **{"world.params.applications": 5})
    assert m.shock.kind == "rapid" and m.params["applications"] == 5
    m.run()
    assert not m.running and m.datacollector.get_model_vars_dataframe().shape == (2, 4)
    pickle.dumps(m.datacollector.model_reporters)
    with pytest.raises(TypeError, match="not both"):
        LabourMarketModel(m.scenario, workers=1000)
    with pytest.raises(Exception, match="workers"):
        LabourMarketModel(workers=5)


def test_the_progress_bar_writes_whole_lines_into_a_log_and_redraws_on_a_terminal():
    import io

    from fowsim.progress import Progress

    log = io.StringIO()  # not a terminal: a line at each tenth of the work, no carriage returns
    bar = Progress("months", delay=0.0, every=0.0, stream=log)
    for done in range(1, 121):
        bar(done, 120)
    lines = log.getvalue().splitlines()
    assert "\r" not in log.getvalue() and len(lines) == 10 and lines[-1].startswith("120/120 months")

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    term = Terminal()
    bar = Progress("months", delay=0.0, every=0.0, stream=term)
    for done in range(1, 11):
        bar(done, 10)
    assert term.getvalue().count("\r") == 10 and term.getvalue().endswith("\n")
