"""Hostile input, as a new user types it: every case ends in one line, a non-zero status and nothing written.

The README promises that bad input stops a command before it starts, with one line naming the key,
the value and what is allowed, a non-zero exit status and no results. Each case below is a command
and a fragment of the one line it must print. Add a case whenever a new input is added.
"""

from __future__ import annotations

from pathlib import Path

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
    (("start=10000-01",), "start='10000-01': a calendar month YYYY-MM from 1000-01 to 9000-12"),
    (("start=0999-12",), "start='0999-12': a calendar month"),
    (("policy=reskilling", "policy.reskilling.seats=inf"), "policy.reskilling.seats=inf: a number >= 0"),
    (("policy=reskilling", "policy.reskilling.budget=nan"), "policy.reskilling.budget=nan: null or a number >= 0"),
    (("policy=reskilling", "policy.reskilling.duration_months=1e9"), "duration_months=1000000000.0: a whole number"),
    (("policy=entrepreneurship_training", "policy.entrepreneurship_training.sectors=3"), ".sectors=3: a list among"),
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
    (("seed=0,1", "hydra/launcher=jobib"), "hydra/launcher='jobib': one of ['basic', 'joblib', 'submitit_local'"),
    (
        ("seed=0,1", "hydra/launcher=submitit_slurm", "hydra.launcher.partitoin=x"),
        "hydra.launcher.partitoin='x': a setting of the launcher",
    ),
    (("seed=0,1", "hydra.launcher.n_jobs=abc"), "hydra.launcher.n_jobs='abc': a value of the key's type"),
    (
        ("seed=0,1", "hydra/launcher=submitit_slurm", "hydra.launcher.timeout_min=1.5"),
        "hydra.launcher.timeout_min=1.5: a value of the key's type",
    ),
    (("seed=0,1", "hydra/launcher=submitit_local", "hydra.launcher.nodes=-"), "hydra.launcher.nodes='-'"),
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


# the other commands: the same one line
OTHER = [
    (("collect", "nothing"), "nothing"),
    (("report", "."), "neither sweep.nc nor results.nc"),
    (("sensitivity", "no_such_experiment"), "no_such_experiment"),
    (("frobnicate",), "unknown command 'frobnicate'"),
    (
        ("sensitivity", "sensitivity", *SIZE, "sensitivity.outcomes.ltu_eu.region=eu_rope"),
        "sensitivity.outcomes.ltu_eu.region='eu_rope': a region of ['eu', 'gulf'",
    ),
    (
        ("sensitivity", "sensitivity", *SIZE, "+sensitivity.outcomes.x.variable=unemplyment_rate"),
        "sensitivity.outcomes.x.variable='unemplyment_rate': a variable of results.nc ([",
    ),
    (
        (
            "sensitivity",
            "sensitivity",
            *SIZE,
            "+sensitivity.outcomes.x.variable=unemployment_rate",
            "+sensitivity.outcomes.x.region=atlantis",
        ),
        "sensitivity.outcomes.x.region='atlantis': a region of",
    ),
    (
        ("sensitivity", "sensitivity", *SIZE, "sensitivity.outcomes.ltu_eu.indicator=long_term_unemplyment"),
        "sensitivity.outcomes.ltu_eu.indicator='long_term_unemplyment': one of",
    ),
    (
        ("sensitivity", "sensitivity", *SIZE, "sensitivity.discovery.policy=nosuch"),
        "sensitivity.discovery.policy='nosuch': one of the study's policies",
    ),
    (
        ("sensitivity", "sensitivity", *SIZE, "sensitivity.discovery.outcome=ltu_nowhere"),
        "sensitivity.discovery.outcome='ltu_nowhere': one of the outcomes",
    ),
    (("sensitivity", "sensitivity", *SIZE, "sensitivity.method=morse"), "sensitivity.method='morse': one of"),
    (
        ("sensitivity", "sensitivity", *SIZE, "sensitivity.parameters.shock.size=[1.0,0.4]"),
        "sensitivity.parameters.shock.size=[1.0, 0.4]: [low, high] with low < high",
    ),
    (("sensitivity", "sensitivity", *SIZE, "hydra/launcher=jobib"), "hydra/launcher='jobib': one of"),
    (("collect", ".", "-o", "/proc/x/sweep.nc"), "-o='/proc/x': a folder fowsim can write to"),
    (("collect",), "fowsim collect: error: the following arguments are required: path (`fowsim collect --help`"),
    (("report",), "fowsim report: error: the following arguments are required: path"),
    (("report", ".", "-o"), "fowsim report: error: argument -o/--out: expected one argument"),
    (("report", ".", "-o", "/proc/x/r.html"), "-o='/proc/x': a folder fowsim can write to"),
    (("validate", "--frob"), "fowsim validate: error: unrecognized arguments: --frob"),
    (("validate", "--out", "/proc/x"), "validate --out='/proc/x': a folder fowsim can write to"),
    (("validate", "--only", "nosuch"), "validate --only='nosuch': one of ['meanfield'"),
    (("bench", "--sizes", "abc"), "argument --sizes: 'abc': simulated workers, a whole number >= 100"),
    (("bench", "--sizes", "-5"), "argument --sizes: '-5': simulated workers, a whole number >= 100"),
    (("bench", "--months", "0"), "argument --months: '0': months, a whole number >= 1"),
    (("bench", "--sizes", "1000", "--scenario", "nosuch=1"), "nosuch='1': a key of the config"),
    (("bench", "--sizes", "1000", "--scenario", "shock=gradul"), "shock='gradul': one of"),
    (("version", "extra"), "fowsim version takes no arguments, not 'extra'"),
    (("run", "--frob"), "fowsim run takes overrides (key=value) and Hydra's options"),
    (("sensitivity", "--frob"), "fowsim sensitivity takes an experiment name"),
    (("sweep", "-m"), "fowsim sweep takes overrides"),
]


@pytest.mark.parametrize(("args", "message"), OTHER, ids=[" ".join(a)[:70] for a, _ in OTHER])
def test_the_other_commands_fail_in_one_line(tmp_path, args, message):
    """Each before any run: a sensitivity study's outcomes are measured on a two-month probe run first."""
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


# a world folder: the default world's files, one of them broken as a user might break it
def _put(name, text):
    return lambda d: (d / name).write_bytes(text if isinstance(text, bytes) else text.encode())


def _edit(name, old, new):
    def edit(d):
        text = (d / name).read_bytes()
        assert old.encode() in text, (name, old)
        (d / name).write_bytes(text.replace(old.encode(), new if isinstance(new, bytes) else new.encode(), 1))

    return edit


def _add(name, row):
    return lambda d: (d / name).write_text((d / name).read_text() + row)


def _fitted(change):
    """calibration.yaml read, changed by `change` (a function of the record) and written back."""

    def edit(d):
        import yaml

        record = yaml.safe_load((d / "calibration.yaml").read_text())
        change(record)
        (d / "calibration.yaml").write_text(yaml.safe_dump(record))

    return edit


def _rename(name, to):
    return lambda d: (d / name).rename(d / to)


WORLD = [
    ("empty regions.csv", _put("regions.csv", ""), "regions.csv='empty': a CSV file with a header row"),
    ("empty occupations.csv", _put("occupations.csv", ""), "occupations.csv='empty'"),
    ("empty corridors.csv", _put("corridors.csv", ""), "corridors.csv='empty'"),
    ("empty parameters.csv", _put("parameters.csv", ""), "parameters.csv='empty'"),
    ("empty targets.csv", _put("targets.csv", ""), "targets.csv='empty'"),
    ("empty network.csv", _put("network.csv", ""), "network.csv='empty'"),
    ("header-only employment.csv", _put("employment.csv", "region,occupation,share\n"), "shares summing to 1"),
    ("header-only network.csv", _put("network.csv", "source,target,weight\n"), "at least one positive edge"),
    ("network weight text", _edit("network.csv", "0.028462", "abc"), "='abc': a number"),
    ("network weight negative", _edit("network.csv", "0.028462", "-1"), "=-1.0: a number >= 0"),
    ("network weight nan", _edit("network.csv", "0.028462", "nan"), "='nan': a finite number"),
    ("network unknown occupation", _edit("network.csv", "managers,sci", "wizards,sci"), "'wizards': an occupation id"),
    ("network columns", _put("network.csv", "a,b\n1,2\n"), "columns including source, target, weight"),
    ("calibration.yaml not YAML", _put("calibration.yaml", "targets: [unclosed\n"), "a UTF-8 YAML file (ParserError)"),
    ("calibration.yaml a list", _put("calibration.yaml", "- 1\n- 2\n"), "calibration.yaml=[1, 2]: a mapping"),
    ("calibration.yaml a word", _put("calibration.yaml", "hello\n"), "calibration.yaml='hello': a mapping"),
    (
        "calibration value text",
        _fitted(lambda c: c["values"]["opening_multiplier"].update(eu="lots")),
        "values.opening_multiplier.eu='lots': a finite number",
    ),
    (
        "calibration value nan",
        _fitted(lambda c: c["values"]["opening_multiplier"].update(eu=float("nan"))),
        "values.opening_multiplier.eu=nan: a finite number",
    ),
    ("calibration values a list", _fitted(lambda c: c.update(values=[1])), "values=[1]: a mapping"),
    (
        "calibration parameter text",
        _fitted(lambda c: c["parameters"].update(training_yield="lots")),
        "parameters.training_yield='lots': a number in [0, 10]",
    ),
    (
        "calibration parameter range",
        _fitted(lambda c: c["parameters"].update(training_yield=99)),
        "parameters.training_yield=99: a number in [0, 10]",
    ),
    (
        "calibration unknown parameter",
        _fitted(lambda c: c["parameters"].update(training_yeild=0.4)),
        "parameters.training_yeild=0.4: one of",
    ),
    (
        "calibration demand path text",
        _fitted(lambda c: c["demand_path"]["eu"].__setitem__(1, "x")),
        "demand_path.eu[1]='x'",
    ),
    (
        "calibration demand path a number",
        _fitted(lambda c: c["demand_path"].update(eu=1.0)),
        "demand_path.eu=1.0: a non-empty list of finite numbers",
    ),
    (
        "calibration.yaml not UTF-8",
        lambda d: _put("calibration.yaml", b"# caf\xe9\n" + (d / "calibration.yaml").read_bytes())(d),
        "calibration.yaml='unreadable': a UTF-8 YAML",
    ),
    (
        "regions.csv not UTF-8",
        _edit("regions.csv", "Eurostat", b"Euro\xe9stat"),
        "regions.csv='unreadable': a UTF-8 CSV",
    ),
    ("occupations.csv not UTF-8", _edit("occupations.csv", "Managers", b"Manag\xe9rs"), "a UTF-8 CSV file"),
    ("world.yaml not UTF-8", _put("world.yaml", b"description: caf\xe9\n"), "world.yaml='unreadable': a UTF-8"),
    ("world.yaml not YAML", _put("world.yaml", "base: [default\n"), "world.yaml='unreadable': a UTF-8 YAML"),
    ("base missing", _put("world.yaml", "base: nowhere\n"), "base='nowhere': a world folder or one of"),
    ("base not a world", _put("world.yaml", "base: /tmp\n"), "base='/tmp': a world folder (holding some of"),
    ("base the parent folder", _put("world.yaml", "base: .\n"), "base='.': a world folder"),
    ("world.yaml misspelt key", _put("world.yaml", "bsae: default\n"), "world.yaml=['bsae']: a mapping with the keys"),
    ("world.yaml unknown region", _put("world.yaml", "regions: [atlantis]\n"), "regions=['atlantis']: a list of"),
    ("world.yaml regions a word", _put("world.yaml", "regions: eu\n"), "regions='eu': a list of distinct regions"),
    ("misnamed network file", _rename("network.csv", "netwrok.csv"), "='netwrok.csv': a world file, one of"),
    ("misnamed calibration file", _rename("calibration.yaml", "calibration.yml"), "='calibration.yml': a world file"),
    (
        "a folder for regions.csv",
        lambda d: ((d / "regions.csv").unlink(), (d / "regions.csv").mkdir()),
        "(missing regions.csv)",
    ),
    (
        "parameter text",
        _edit("parameters.csv", "applications,3,", "applications,three,"),
        "parameters.csv[applications]='three': a number",
    ),
    ("parameter infinite", _edit("parameters.csv", "applications,3,", "applications,inf,"), "='inf': a finite number"),
    (
        "labour force negative",
        _edit("regions.csv", "eu,labour_force,213800000", "eu,labour_force,-5"),
        "regions.csv[eu.labour_force]=-5.0: a number > 0",
    ),
    ("region row twice", _add("regions.csv", "eu,labour_force,1,people,x\n"), "='eu/labour_force': each region/param"),
    ("employment unknown region", _add("employment.csv", "atlantis,managers,0.5,x\n"), "region='atlantis': one of"),
    ("employment unknown occupation", _add("employment.csv", "eu,wizards,0.5,x\n"), "'wizards': an occupation id"),
    (
        "employment share negative",
        _edit("employment.csv", "eu,managers,0.051000", "eu,managers,-0.05"),
        "employment.csv[eu.managers]=-0.05: a probability or share in [0, 1]",
    ),
    ("corridor unknown origin", _add("corridors.csv", "atlantis,eu,1,1,0.1,0.1,1,1,0.5,x\n"), "origin='atlantis'"),
    (
        "corridor twice",
        _add("corridors.csv", "north_africa,eu,1,1,0.1,0.1,1,1,0.5,x\n"),
        "='north_africa/eu': each origin/destination once",
    ),
    ("corridor stock text", _edit("corridors.csv", "north_africa,eu,5600000", "north_africa,eu,many"), "='many'"),
    (
        "occupation skill level",
        _edit("occupations.csv", "managers,1,Managers,4,", "managers,1,Managers,7,"),
        "occupations.csv[managers.skill_level]=7.0: an ISCO-08 skill level",
    ),
    (
        "target value text",
        _edit("targets.csv", "migrant_share_employed,gulf,52,", "migrant_share_employed,gulf,x,"),
        "targets.csv[migrant_share_employed,gulf.value]='x': a number",
    ),
    ("target rule", _edit("targets.csv", ",52,0,min,", ",52,0,sometimes,"), ".rule='sometimes': abs, min or max"),
    ("regions.csv unclosed quote", _add("regions.csv", 'eu,"unclosed\n'), "a UTF-8 CSV file (ParserError"),
    (
        "informal share above one",
        _edit("regions.csv", "west_africa,informal_share,0.89", "west_africa,informal_share,1.7"),
        "regions.csv[west_africa.informal_share]=1.7: a probability or share in [0, 1]",
    ),
    (
        "cohort negative",
        _edit("cohorts.csv", "eu,2030,22608.1", "eu,2030,-22608.1"),
        "cohorts.csv[eu,2030.entering_age]=-22608.1: a number > 0",
    ),
    (
        "cohort year not a year",
        _edit("cohorts.csv", "gulf,2035,", "gulf,2035.5,"),
        "cohorts.csv[gulf,2035.5].year='2035.5': a calendar year from 1900 to 2300",
    ),
    (
        "cohort year missing for one region",
        lambda d: (d / "cohorts.csv").write_text(
            "".join(
                line
                for line in (d / "cohorts.csv").read_text().splitlines(True)
                if not line.startswith("north_africa,2040,")
            )
        ),  # fmt: skip
        "cohorts.csv[north_africa]='no row for 2040': a row for each year",
    ),
    (
        "cohort without a source",
        _add("cohorts.csv", "eu,2055,1,1,\n"),
        "cohorts.csv[eu,2055].source='': the publication",
    ),
    (
        "women's share text",
        _edit("occupations.csv", ",0.347,", ",lots,"),
        "occupations.csv[managers.women_share]='lots': a number",
    ),
]


@pytest.mark.parametrize(("break_it", "message"), [c[1:] for c in WORLD], ids=[c[0] for c in WORLD])
def test_a_broken_world_folder_fails_in_one_line(tmp_path, break_it, message):
    import shutil

    from fowsim.world import DATA_DIR

    world = tmp_path / "worlds" / "mine"
    shutil.copytree(DATA_DIR / "default", world)
    break_it(world)
    out = tmp_path / "run"
    p = fowsim_main("run", *SIZE, f"world.data={world}", f"hydra.run.dir={out}", cwd=tmp_path)
    lines = _one_line(p.stderr)
    assert p.returncode == 2 and len(lines) == 1 and message in lines[0], p.stderr
    assert "Traceback" not in p.stderr and not out.exists()


# where results go: refused before the run starts, or (a full disk) one line and nothing half-written
def _output_cases(tmp_path):
    (tmp_path / "afile").write_text("in the way\n")
    return {
        "a file as the run folder": (f"hydra.run.dir={tmp_path / 'afile'}", "a folder ("),
        "a file as a parent": (f"hydra.run.dir={tmp_path / 'afile' / 'run'}", "is a file)"),
        "a path the system refuses": ("hydra.run.dir=/proc/fowsim_run", "a folder fowsim can write to ("),
        "a backslash": (f"hydra.run.dir='{tmp_path}/a\\\\b'", "a path without a backslash"),
    }


OUTPUT = ["a file as the run folder", "a file as a parent", "a path the system refuses", "a backslash"]


@pytest.mark.parametrize("case", OUTPUT)
@pytest.mark.parametrize("command", ["run", "sweep"])
def test_an_output_folder_that_cannot_be_written_is_refused_before_the_run(tmp_path, case, command):
    override, message = _output_cases(tmp_path)[case]
    if command == "sweep":
        override = override.replace("hydra.run.dir", "hydra.sweep.dir")
    before = sorted(tmp_path.rglob("*"))
    p = fowsim_main(command, *SIZE, *(["seed=0,1"] if command == "sweep" else []), override, cwd=tmp_path)
    lines = _one_line(p.stderr)
    key = "hydra.sweep.dir" if command == "sweep" else "hydra.run.dir"
    assert p.returncode == 2 and len(lines) == 1 and key in lines[0] and message in lines[0], p.stderr
    assert sorted(tmp_path.rglob("*")) == before and not Path("/proc/fowsim_run").exists()


def test_quotes_and_spaces_in_the_run_folder_are_fine(tmp_path):
    out = tmp_path / "it's a run"
    p = fowsim_main("run", *SIZE, f'hydra.run.dir="{out}"', cwd=tmp_path)
    assert p.returncode == 0 and (out / "results.nc").is_file(), p.stderr


def _disk_full(monkeypatch):
    import errno

    import xarray as xr

    def full(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(xr.Dataset, "to_netcdf", full)


def test_a_full_disk_ends_a_run_in_one_line_and_keeps_nothing_half_written(tmp_path, monkeypatch):
    _disk_full(monkeypatch)
    out = tmp_path / "run"
    p = fowsim_main("run", *SIZE, f"hydra.run.dir={out}", cwd=tmp_path)
    lines = _one_line(p.stderr)
    assert p.returncode == 1 and len(lines) == 1 and "results.nc: could not be written (" in lines[0], p.stderr
    assert "nothing of it was kept" in lines[0] and "Traceback" not in p.stderr
    assert not out.exists()  # no summary.json without its results.nc, no temporary file, no empty folder


def test_a_full_disk_fails_a_sweeps_runs_and_the_same_command_then_finishes_them(tmp_path, monkeypatch):
    import xarray as xr

    args = ("sweep", *SIZE, "seed=0,1", "hydra/launcher=basic")
    with monkeypatch.context() as m:
        _disk_full(m)
        p = fowsim_main(*args, cwd=tmp_path)
    (folder,) = (tmp_path / "multirun").iterdir()
    assert p.returncode == 1 and "could not be written" in p.stderr, p.stderr
    assert sorted(x.name for x in folder.rglob("error.txt")) == ["error.txt", "error.txt"]
    assert not list(folder.rglob("results.nc")) and not list(folder.rglob("summary.json"))
    assert not list(folder.rglob("*.tmp"))
    p = fowsim_main(*args, cwd=tmp_path)  # the disk has room again
    assert p.returncode == 0, p.stderr
    with xr.open_dataset(folder / "sweep.nc") as ds:
        assert int(ds.attrs["runs_done"]) == 2 and not list(folder.rglob("error.txt"))


def _namespace_mounts() -> bool:
    import shutil
    import subprocess

    if not shutil.which("unshare"):
        return False
    probe = subprocess.run(["unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /tmp"],
                           capture_output=True)  # fmt: skip
    return probe.returncode == 0


@pytest.mark.skipif(not _namespace_mounts(), reason="needs unshare -rm (a private mount namespace) to mount a tmpfs")
@pytest.mark.parametrize(("options", "code", "message"), [
    ("size=40k", 1, "results.nc: could not be written ("),
    ("ro", 2, "a folder fowsim can write to (Read-only file system)"),
], ids=["a small tmpfs fills up", "a read-only mount"])  # fmt: skip
def test_a_real_full_or_read_only_disk(tmp_path, options, code, message):
    """A small (or read-only) tmpfs, mounted in a private namespace: nothing outside it is touched."""
    import subprocess
    import sys

    disk = tmp_path / "disk"
    disk.mkdir()
    script = (f"mount -t tmpfs -o {options} tmpfs {disk} && {sys.executable} -m fowsim run {' '.join(SIZE)} "
              f"hydra.run.dir={disk}/run; echo status=$?; find {disk} -mindepth 1")  # fmt: skip
    p = subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, timeout=300)
    lines = _one_line(p.stderr)
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in p.stderr, p.stderr
    assert p.stdout.strip().splitlines()[-1] == f"status={code}", p.stdout  # and find listed nothing on the disk


# fault injection: what a sweep folder goes through, and what collect and resume make of it
def _small_sweep(tmp_path, *extra, seeds="0,1,2,3"):
    args = ("sweep", *SIZE, f"seed={seeds}", "hydra/launcher=basic", *extra)
    p = fowsim_main(*args, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    (folder,) = (tmp_path / "multirun").iterdir()
    return args, folder


def _cells(folder):
    import xarray as xr

    with xr.open_dataset(folder / "sweep.nc") as ds:
        return [int(x) for x in ds["run_status"].values], [str(x) for x in ds["run_error"].values]


def test_collect_records_corrupt_and_swapped_runs_as_failed_and_still_writes_sweep_nc(tmp_path):
    import shutil

    args, folder = _small_sweep(tmp_path)
    mtimes = {p: p.stat().st_mtime_ns for p in folder.rglob("results.nc")}
    shutil.move(folder / "0" / "results.nc", tmp_path / "r0.nc")  # run 0 and run 1 swapped
    shutil.move(folder / "1" / "results.nc", folder / "0" / "results.nc")
    shutil.move(tmp_path / "r0.nc", folder / "1" / "results.nc")
    data = (folder / "2" / "results.nc").read_bytes()
    (folder / "2" / "results.nc").write_bytes(data[: len(data) // 3])  # truncated, as by a full disk
    p = fowsim_main("collect", str(folder), cwd=tmp_path)
    assert p.returncode == 1 and "1 runs done, 3 failed, 0 missing" in p.stdout, p.stdout + p.stderr
    status, errors = _cells(folder)
    assert status == [1, 1, 1, 0]
    assert errors[0] == "results.nc holds the run of seed=1, not this cell's seed=0"
    assert errors[1] == "results.nc holds the run of seed=0, not this cell's seed=1"
    assert errors[2].startswith("results.nc unreadable (") and errors[3] == ""
    assert "Traceback" not in p.stderr and len(_one_line(p.stderr)) == 3
    # the same sweep command runs the three again, each into its own cell
    p = fowsim_main(*args, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert _cells(folder) == ([0, 0, 0, 0], ["", "", "", ""])
    assert (folder / "3" / "results.nc").stat().st_mtime_ns == mtimes[folder / "3" / "results.nc"]  # kept


@pytest.mark.parametrize("garbage", [b"", b"not a netcdf file\n", b"\x89HDF\r\n\x1a\n" + b"\0" * 100])
def test_collect_of_a_results_file_that_is_not_netcdf(tmp_path, garbage):
    _, folder = _small_sweep(tmp_path, seeds="0,1")
    (folder / "1" / "results.nc").write_bytes(garbage)
    p = fowsim_main("collect", str(folder), cwd=tmp_path)
    assert p.returncode == 1 and "1 runs done, 1 failed" in p.stdout and "Traceback" not in p.stderr
    assert _cells(folder)[0] == [0, 1] and _cells(folder)[1][1].startswith("results.nc unreadable (")


def test_collect_with_no_readable_run_fails_in_one_line(tmp_path):
    _, folder = _small_sweep(tmp_path, seeds="0,1")
    for f in folder.rglob("results.nc"):
        f.write_bytes(b"junk")
    (folder / "sweep.nc").unlink()
    p = fowsim_main("collect", str(folder), cwd=tmp_path)
    lines = _one_line(p.stderr)
    assert p.returncode == 2 and len(lines) == 1 and "no finished run to collect (results.nc unreadable" in lines[0]
    assert not (folder / "sweep.nc").exists() and not list(folder.glob(".*.tmp"))


def _times(folder):
    return {p.parent.name: p.stat().st_mtime_ns for p in folder.rglob("results.nc")}


def test_resume_runs_again_when_the_worlds_data_change(tmp_path):
    import shutil

    from fowsim.world import DATA_DIR

    world = tmp_path / "mine"
    shutil.copytree(DATA_DIR / "default", world)
    args, folder = _small_sweep(tmp_path, f"world.data={world}", seeds="0,1")
    first = _times(folder)
    assert fowsim_main(*args, cwd=tmp_path).returncode == 0 and _times(folder) == first  # unchanged: skipped
    regions = world / "regions.csv"
    regions.write_text(regions.read_text().replace("eu,labour_force,213800000", "eu,labour_force,200000000"))
    assert fowsim_main(*args, cwd=tmp_path).returncode == 0
    assert all(_times(folder)[k] != first[k] for k in first)  # same config text, other data: both run again


def test_resume_runs_again_for_another_fowsim_version(tmp_path, monkeypatch):
    from fowsim import _version

    args, folder = _small_sweep(tmp_path, seeds="0,1")
    first = _times(folder)
    monkeypatch.setattr(_version, "__version__", _version.__version__ + ".post1")
    assert fowsim_main(*args, cwd=tmp_path).returncode == 0
    assert all(_times(folder)[k] != first[k] for k in first)


def test_resume_runs_again_when_a_user_module_changes(tmp_path, monkeypatch):
    module = tmp_path / "my_employer_mod.py"
    module.write_text("from fowsim.agents import Employer\n\n\nclass Mine(Employer):\n    pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    args, folder = _small_sweep(tmp_path, "agents.employer._target_=my_employer_mod.Mine", seeds="0,1")
    first = _times(folder)
    assert fowsim_main(*args, cwd=tmp_path).returncode == 0 and _times(folder) == first
    module.write_text(module.read_text() + "\n# a change of the collaborator's\n")
    assert fowsim_main(*args, cwd=tmp_path).returncode == 0
    assert all(_times(folder)[k] != first[k] for k in first)


@pytest.mark.parametrize("source", ["raise RuntimeError('no database here')\n", "def broken(:\n", "1 / 0\n"])
def test_a_user_module_that_fails_to_import_is_one_line(tmp_path, monkeypatch, source):
    (tmp_path / "bad_mod.py").write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path))
    p = fowsim_main("run", *SIZE, "agents.employer._target_=bad_mod.Mine", f"hydra.run.dir={tmp_path / 'r'}",
                    cwd=tmp_path)  # fmt: skip
    lines = _one_line(p.stderr)
    assert p.returncode == 2 and len(lines) == 1
    assert "agents.employer._target_='bad_mod.Mine': an importable" in lines[0]
    assert "Traceback" not in p.stderr and not (tmp_path / "r").exists()


KILLER = '''import os
import signal

from fowsim.agents import Employer


class Mine(Employer):
    """Dies as a worker process dies out of memory: without a word, in the run of seed 1 only."""

    def __init__(self, model, *args, **kwargs):
        super().__init__(model, *args, **kwargs)
        if model.seed == 1:
            os.kill(os.getpid(), signal.{sig})
'''


def _killer(tmp_path, monkeypatch, sig="SIGKILL"):
    from fowsim.cli import _stop_workers

    (tmp_path / "killer_mod.py").write_text(KILLER.format(sig=sig))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    _stop_workers()  # joblib's pool of an earlier test in this process started without this PYTHONPATH
    return "agents.employer._target_=killer_mod.Mine"


def _sweep_state(folder):
    import json

    spec = json.loads((folder / "sweep.json").read_text())
    return {r["num"]: r["status"] for r in spec["runs"]}


def test_a_dead_worker_fails_only_its_run_and_the_others_go_on(tmp_path, monkeypatch):
    """joblib's pool breaks when a worker dies; the sweep runs what is left again, and fails only that run."""
    target = _killer(tmp_path, monkeypatch)
    p = fowsim_main("sweep", *SIZE, "seed=0,1,2,3", target, "hydra.launcher.n_jobs=2", cwd=tmp_path)
    (folder,) = (tmp_path / "multirun").iterdir()
    assert p.returncode == 1 and "a worker process died during run" in p.stderr, p.stderr
    assert _sweep_state(folder) == {0: "done", 1: "failed", 2: "done", 3: "done"}
    assert (folder / "1" / "error.txt").read_text().startswith("WorkerDied: the process running this run died")
    assert "Traceback" not in p.stderr and not list(folder.rglob(".running")) and (folder / "sweep.nc").is_file()
    assert _cells(folder)[0] == [0, 1, 0, 0]


def test_a_dead_worker_of_the_python_api_fails_only_its_run(tmp_path, monkeypatch):
    from fowsim.sweep import run_sweep

    target = _killer(tmp_path, monkeypatch)
    path = run_sweep([*SIZE, "seed=0,1,2", target], folder=tmp_path / "s", processes=2, progress=False)
    assert _sweep_state(tmp_path / "s") == {0: "done", 1: "failed", 2: "done"} and path.is_file()
    assert "died without a word, alone" in (tmp_path / "s" / "1" / "error.txt").read_text()


def test_an_interrupted_python_api_sweep_writes_sweep_json_and_resumes(tmp_path, monkeypatch):
    from fowsim.sweep import run_sweep

    (tmp_path / "stop_mod.py").write_text(
        "from fowsim.agents import Employer\n\n\nclass Mine(Employer):\n"
        "    def __init__(self, model, *args, **kwargs):\n        super().__init__(model, *args, **kwargs)\n"
        "        if model.seed == 1:\n            raise KeyboardInterrupt\n"
    )  # fmt: skip
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(KeyboardInterrupt):
        run_sweep([*SIZE, "seed=0,1,2", "agents.employer._target_=stop_mod.Mine"], folder=tmp_path / "s",
                  progress=False)  # fmt: skip
    assert _sweep_state(tmp_path / "s") == {0: "done", 1: "missing", 2: "missing"}
    assert not list((tmp_path / "s").rglob(".running"))


def _start_sweep(tmp_path, *args):
    import subprocess
    import sys
    import time

    p = subprocess.Popen([sys.executable, "-m", "fowsim", "sweep", "workers=20000", "months=36", *args], cwd=tmp_path,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    deadline = time.time() + 120
    while time.time() < deadline and not list(tmp_path.glob("multirun/*/*/results.nc")):
        time.sleep(0.2)  # at least one run finished: the sweep is well under way
    return p


def _processes_of(pid: int) -> list[str]:
    """Processes that hold the environment of sweep `pid` (its workers)."""
    found = []
    for d in Path("/proc").iterdir():
        try:
            if f"FOWSIM_SWEEP_PID={pid}\0".encode() in (d / "environ").read_bytes():
                found.append(d.name)
        except OSError:
            pass
    return found


@pytest.mark.parametrize(
    ("signal_name", "launcher"), [("SIGINT", "joblib"), ("SIGTERM", "joblib"), ("SIGINT", "basic")]
)
def test_an_interrupt_ends_a_sweep_within_seconds_and_the_same_command_resumes(tmp_path, signal_name, launcher):
    """With its runs in worker processes (joblib) or in the sweep's own process (basic: between two months)."""
    import signal
    import time

    args = ("seed=range(8)", f"hydra/launcher={launcher}")
    p = _start_sweep(tmp_path, *args)
    sent = time.time()
    p.send_signal(getattr(signal, signal_name))
    _, err = p.communicate(timeout=60)
    took = time.time() - sent
    (folder,) = (tmp_path / "multirun").iterdir()
    assert p.returncode == 130 and took < 10, (took, err)
    last = [x for x in err.splitlines() if x.strip()][-1]
    assert last.startswith("sweep: interrupted: ") and "run the same command again to resume" in last, err
    assert "Traceback" not in err and (folder / "sweep.json").is_file()
    time.sleep(1.5)
    assert _processes_of(p.pid) == [] and not list(folder.rglob(".running"))
    done = [n for n, s in _sweep_state(folder).items() if s == "done"]
    assert f"{len(done)} of 8 runs finished" in last
    kept = {n: (folder / str(n) / "results.nc").stat().st_mtime_ns for n in done}
    r = fowsim_main("sweep", "workers=20000", "months=36", *args, cwd=tmp_path)
    assert r.returncode == 0 and set(_sweep_state(folder).values()) == {"done"}, r.stderr
    assert {n: (folder / str(n) / "results.nc").stat().st_mtime_ns for n in done} == kept  # finished runs kept


def test_killing_the_sweep_process_leaves_no_worker_behind(tmp_path):
    import signal
    import time

    p = _start_sweep(tmp_path, "seed=range(8)")
    p.send_signal(signal.SIGKILL)
    p.communicate(timeout=60)
    deadline = time.time() + 10
    while _processes_of(p.pid) and time.time() < deadline:
        time.sleep(0.2)
    assert _processes_of(p.pid) == []


def test_one_sweep_folder_is_used_by_one_sweep_at_a_time(tmp_path):
    p = _start_sweep(tmp_path, "seed=range(8)")
    try:
        (folder,) = (tmp_path / "multirun").iterdir()
        r = fowsim_main("sweep", "workers=20000", "months=36", "seed=range(8)", cwd=tmp_path)
        lines = _one_line(r.stderr)
        name = folder.relative_to(tmp_path)
        assert r.returncode == 2 and len(lines) == 1, r.stderr
        assert f"hydra.sweep.dir='{name}': a folder no other sweep is using (process {p.pid} is running" in lines[0]
    finally:
        _, err = p.communicate(timeout=300)
    assert p.returncode == 0, err  # the first sweep did not notice the second
    assert set(_sweep_state(folder).values()) == {"done"} and not list(folder.rglob("error.txt"))


def test_a_rerun_removes_the_temporary_files_a_killed_sweep_left(tmp_path):
    args, folder = _small_sweep(tmp_path, seeds="0,1")
    left = [folder / ".sweep.nc.123.tmp", folder / ".sweep.json.tmp", folder / "0" / ".results.nc.abc.tmp"]
    for f in left:
        f.write_bytes(b"half")
    assert fowsim_main(*args, cwd=tmp_path).returncode == 0
    assert not any(f.exists() for f in left) and not list(folder.rglob("*.tmp"))


def _policy_fields():
    from dataclasses import fields

    from fowsim.policies.registry import REGISTRY

    return [(name, f.name) for name, cls in sorted(REGISTRY.items()) for f in fields(cls)
            if f.init and not isinstance(f.default, bool) and f.name != "name"]  # fmt: skip


@pytest.fixture(scope="module")
def default_world():
    from fowsim.config import compose
    from fowsim.scenario import as_dict
    from fowsim.world import load_world

    return load_world(as_dict(compose([]))["world"])


@pytest.mark.parametrize("value", [float("inf"), float("nan"), -1e300])
@pytest.mark.parametrize(("policy", "key"), _policy_fields(), ids=[f"{p}.{k}" for p, k in _policy_fields()])
def test_every_policy_parameter_refuses_infinite_and_nan_sizes(default_world, policy, key, value):
    """Through the Python API (as `fowsim run` checks it): one line naming the key, before any run."""
    from fowsim.errors import ConfigError
    from fowsim.policies.registry import build_policies

    with pytest.raises(ConfigError) as err:
        build_policies({policy: {key: value}}, default_world)
    assert str(err.value).startswith(f"policy.{policy}.{key}=") and "\n" not in str(err.value)


@pytest.mark.parametrize("start", ["2263-01", "1600-01"])
def test_a_report_of_a_run_far_from_the_present(tmp_path, start):
    """Months past 2262 (or before 1678) do not fit datetime64[ns]: results are read with second resolution."""
    out = tmp_path / "run"
    assert fowsim_main("run", *SIZE, f"start={start}", f"hydra.run.dir={out}", cwd=tmp_path).returncode == 0
    p = fowsim_main("report", str(out), cwd=tmp_path)
    assert p.returncode == 0 and (out / "report.html").is_file(), p.stderr
    assert "Traceback" not in p.stderr and "SerializationWarning" not in p.stderr


def test_a_report_of_a_sweep_over_world_folders_with_slashes(tmp_path):
    import shutil

    from fowsim.world import DATA_DIR

    shutil.copytree(DATA_DIR / "default", tmp_path / "my worlds" / "mine")
    _, folder = _small_sweep(tmp_path, f"world.data=default,{tmp_path / 'my worlds' / 'mine'}", seeds="0")
    p = fowsim_main("report", str(folder), cwd=tmp_path)
    assert p.returncode == 0 and (folder / "report.html").is_file() and "Traceback" not in p.stderr, p.stderr


@pytest.mark.parametrize("signal_name", ["SIGINT", "SIGTERM"])
def test_an_interrupted_run_says_so_in_one_line_and_leaves_nothing(tmp_path, signal_name):
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "run"
    command = [sys.executable, "-m", "fowsim", "run", "workers=200000", "months=600", f"hydra.run.dir={out}"]
    p = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while time.time() < deadline and not (out / ".hydra").is_dir():
        time.sleep(0.1)
    time.sleep(2.0)  # under way
    sent = time.time()
    p.send_signal(getattr(signal, signal_name))
    _, err = p.communicate(timeout=60)
    lines = [x for x in err.replace("\r", "\n").splitlines() if x.strip() and not x.startswith("months")]
    assert p.returncode == 130 and time.time() - sent < 10, err
    assert len(lines) == 1 and lines[0].startswith("fowsim: error: interrupted after month "), err
    assert "Traceback" not in err and not out.exists()


# a collaborator's own configs (--config-dir): experiments and policies that are broken
USER_CONFIGS = {
    "experiment/bad_yaml.yaml": "hydra:\n  sweeper:\n    params:\n      seed: [unclosed\n",
    "experiment/bad_type.yaml": "# @package _global_\nworkers: lots\n",
    "experiment/empty_sweep.yaml": "# @package _global_\nhydra:\n  sweeper:\n    params:\n      seed: range(0)\n",
    "experiment/bad_key.yaml": "# @package _global_\nhydra:\n  sweeper:\n    params:\n      nosuch: 1,2\n",
    "experiment/repeats.yaml": "# @package _global_\nhydra:\n  sweeper:\n    params:\n      seed: 1,01\n",
    "experiment/bad_policy.yaml": "# @package _global_\ndefaults:\n  - override /policy: reskilling\npolicy:\n"
    "  reskilling:\n    seats: -3\n",
}
USER = [
    ("run", "+experiment=nosuch", "experiment='nosuch': one of ['bad_key', 'bad_policy'"),
    ("sweep", "+experiment=nosuch", "experiment='nosuch': one of ['bad_key', 'bad_policy'"),
    ("run", "+experiment=bad_yaml", "bad_yaml.yaml='unreadable': a YAML file (line 5: expected ','"),
    ("sweep", "+experiment=bad_yaml", "bad_yaml.yaml='unreadable': a YAML file (line 5"),
    ("run", "+experiment=bad_type", "workers='lots': a value of the key's type"),
    ("sweep", "+experiment=bad_type", "workers='lots': a value of the key's type"),
    ("sweep", "+experiment=empty_sweep", "seed='range(0)': a non-empty list of values"),
    ("sweep", "+experiment=bad_key", "nosuch='1': a key of the config"),
    ("sweep", "+experiment=repeats", "seed='1,01': distinct values"),
    ("run", "+experiment=bad_policy", "policy.reskilling.seats=-3: a number >= 0"),
    ("sweep", "+experiment=bad_policy", "policy.reskilling.seats=-3: a number >= 0"),
]


@pytest.mark.parametrize(("command", "override", "message"), USER, ids=[f"{c} {o}" for c, o, _ in USER])
def test_a_broken_user_config_fails_in_one_line(tmp_path, command, override, message):
    conf = tmp_path / "conf"
    for name, text in USER_CONFIGS.items():
        (conf / name).parent.mkdir(parents=True, exist_ok=True)
        (conf / name).write_text(text)
    p = fowsim_main(command, "--config-dir", str(conf), *SIZE, override, cwd=tmp_path)
    lines = _one_line(p.stderr)
    assert p.returncode == 2 and len(lines) == 1 and message in lines[0], p.stderr
    assert "Traceback" not in p.stderr and sorted(x.name for x in tmp_path.iterdir()) == ["conf"]


def _parameter_ranges():
    import csv

    from fowsim.world import DATA_DIR

    with open(DATA_DIR / "default" / "parameters.csv", encoding="utf-8") as fh:
        return [(r["parameter"], float(r["low"]), float(r["high"]), r["whole"] == "yes") for r in csv.DictReader(fh)]


PARAMETERS = _parameter_ranges()


@pytest.mark.parametrize("where", ["world.params", "parameters.csv", "calibration.yaml"])
@pytest.mark.parametrize(("name", "low", "high", "whole"), PARAMETERS, ids=[p[0] for p in PARAMETERS])
def test_every_world_parameter_is_range_checked_on_every_path(tmp_path, where, name, low, high, whole):
    """A value past a parameter's declared range (parameters.csv's low and high) is refused wherever it is set."""
    import shutil

    import yaml

    from fowsim.errors import ConfigError
    from fowsim.world import DATA_DIR, load_world

    bad = high + max(1.0, abs(high)) if where != "parameters.csv" else low - max(1.0, abs(low))
    node: dict = {"external_origins": ["rest_of_world"]}
    if where == "world.params":
        node["params"] = {name: bad}
        key = f"world.params.{name}="
    else:
        world = tmp_path / "mine"
        shutil.copytree(DATA_DIR / "default", world)
        node["data"] = str(world)
        if where == "parameters.csv":
            rows = (world / "parameters.csv").read_text().splitlines(keepends=True)
            rows = [f"{name},{bad}," + r.split(",", 2)[2] if r.startswith(f"{name},") else r for r in rows]
            (world / "parameters.csv").write_text("".join(rows))
            key = f"parameters.csv[{name}]="
        else:
            record = yaml.safe_load((world / "calibration.yaml").read_text())
            record["parameters"][name] = bad
            (world / "calibration.yaml").write_text(yaml.safe_dump(record))
            key = f"calibration.yaml: parameters.{name}="
    with pytest.raises(ConfigError) as err:
        load_world(node)
    assert str(err.value).startswith(key) and f"in [{low:g}, {high:g}]" in str(err.value), err.value


# the Python API: the same one line, as a ConfigError, and nothing written
def _api_cases(tmp_path):
    import fowsim
    from fowsim.sensitivity import run_study
    from fowsim.sweep import run_sweep

    def simulate(*overrides):
        return lambda: fowsim.simulate(fowsim.compose([*SIZE, *overrides]))

    def model(**raw):
        return lambda: fowsim.LabourMarketModel({**fowsim.scenario.as_dict(fowsim.compose(list(SIZE))), **raw})

    return {
        "compose unknown key": (lambda: fowsim.compose(["nosuch=1"]), "nosuch='1': a key of the config"),
        "compose type": (lambda: fowsim.compose(["workers=abc"]), "workers='abc': a value of the key's type"),
        "compose group": (lambda: fowsim.compose(["shock=gradul"]), "shock='gradul': one of ['cycle'"),
        "compose grammar": (lambda: fowsim.compose(["policy=[a,"]), "overrides that compose"),
        "simulate range": (simulate("workers=-5"), "workers=-5: a whole number of simulated workers"),
        "simulate policy": (simulate("policy=reskilling", "policy.reskilling.seats=inf"), "seats=inf: a number >= 0"),
        "model start": (model(start="2020-13"), "start='2020-13': a calendar month"),
        "model world": (model(world={"data": "/nonexistent"}), "world.data='/nonexistent': a world folder"),
        "sweep repeats": (lambda: run_sweep([*SIZE, "seed=0,0"], root=tmp_path / "m"), "seed='0,0': distinct"),
        "sweep processes": (lambda: run_sweep(list(SIZE), processes=0, root=tmp_path / "m"), "processes=0: a whole"),
        "sweep launcher": (lambda: run_sweep(["hydra/launcher=joblib"], root=tmp_path / "m"), "'joblib'"),
        "sweep folder": (lambda: run_sweep(list(SIZE), folder="/proc/fowsim_sweep"), "folder='/proc/fowsim_sweep'"),
        "sweep config_dir": (lambda: run_sweep(list(SIZE), config_dir=tmp_path / "no", root=tmp_path / "m"),
                             "config_dir="),
        "study name": (lambda: run_study("no_such_study", list(SIZE)), "experiment='no_such_study': one of"),
        "study outcome": (lambda: run_study("sensitivity", [*SIZE, "sensitivity.outcomes.ltu_eu.region=eu_rope"]),
                          "sensitivity.outcomes.ltu_eu.region='eu_rope': a region of"),
    }  # fmt: skip


API = ["compose unknown key", "compose type", "compose group", "compose grammar", "simulate range", "simulate policy",
       "model start", "model world", "sweep repeats", "sweep processes", "sweep launcher", "sweep folder",
       "sweep config_dir", "study name", "study outcome"]  # fmt: skip


@pytest.mark.parametrize("case", API)
def test_the_python_api_raises_the_same_one_line(tmp_path, monkeypatch, case):
    from fowsim.errors import ConfigError

    monkeypatch.chdir(tmp_path)
    call, message = _api_cases(tmp_path)[case]
    with pytest.raises(ConfigError) as err:
        call()
    assert message in str(err.value) and "\n" not in str(err.value), err.value
    assert not list(tmp_path.iterdir())
