"""`sweep.nc`: every run of a sweep in one labelled dataset, one dimension per swept key plus `seed`.

`collect(folder)` reads the sweep's runs one at a time (never all in memory) and writes them into a
NetCDF file whose variables are those of a run with the swept dimensions in front, e.g.
`unemployment_rate(policy, shock, seed, time, region)`. Runs that failed or are missing stay NaN,
and the variable `run_status` (with `run_error` and `run_config`) says which, so there is never a
silent gap. The file is written next to the runs under a temporary name, then renamed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import netCDF4
import numpy as np
import xarray as xr
import yaml

from fowsim.evaluation import simulated_participants
from fowsim.lottery import PEOPLE, PEOPLE_DIMS
from fowsim.manifest import MANIFEST, as_number, error_line, run_state
from fowsim.manifest import read as read_manifest
from fowsim.recorder import open_results

STATUS = ("done", "failed", "missing")


def _runs(folder: Path) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """The runs (num, dir, overrides, status) and the swept keys, from sweep.json or the run folders."""
    if (folder / MANIFEST).is_file():
        spec = read_manifest(folder)
        return spec["runs"], spec["swept"]
    runs: list[dict[str, Any]] = []
    for d in sorted((p for p in folder.iterdir() if (p / ".hydra" / "overrides.yaml").is_file()), key=_num):
        overrides = yaml.safe_load((d / ".hydra" / "overrides.yaml").read_text()) or []
        runs.append({"num": _num(d), "dir": d.name, "overrides": overrides, "status": run_state(d)})
    if not runs:
        raise FileNotFoundError(f"{folder}: not a sweep folder (no sweep.json and no run folders with .hydra/)")
    swept: dict[str, list[str]] = {}
    for r in runs:
        for item in r["overrides"]:
            if "=" in item and not item.startswith("hydra"):
                key, value = item.split("=", 1)
                values = swept.setdefault(key.lstrip("+~"), [])
                if value not in values:
                    values.append(value)
    return runs, {k: v for k, v in swept.items() if len(v) > 1 or k == "seed"}


def _values(overrides: list[str]) -> dict[str, Any]:
    """A run's overrides as key -> value, the values as the numbers they spell ('01' is 1)."""
    out: dict[str, Any] = {}
    for item in overrides:
        if "=" in item:
            key, value = item.split("=", 1)
            out[key.lstrip("+~")] = as_number(value)
    return out


def _check_results(path: Path, overrides: list[str], keys: list[str]) -> int | str:
    """The length of a finished run's time axis, or why its results.nc cannot be collected into its cell.

    Unreadable (truncated, not NetCDF, no time axis) or holding the run of other swept values (two
    run folders' files swapped, a file copied in by hand), it is not this cell's run.
    """
    try:
        with netCDF4.Dataset(path) as nc:
            n = len(nc.dimensions["time"])
            attrs = {a: nc.getncattr(a) for a in ("overrides", "seed") if a in nc.ncattrs()}
    except (OSError, RuntimeError, KeyError, ValueError) as exc:
        return f"results.nc unreadable ({exc.__class__.__name__}: {str(exc).splitlines()[0] if str(exc) else ''})"
    cell = _values(overrides)
    if "overrides" in attrs:
        held = _values(json.loads(attrs["overrides"]))
    else:  # written before runs recorded their overrides: the seed at least
        held = {"seed": int(attrs["seed"])} if "seed" in attrs else {}
    wrong = [k for k in keys if k in held and k in cell and held[k] != cell[k]]
    if wrong:
        theirs = " ".join(f"{k}={held[k]}" for k in wrong)
        mine = " ".join(f"{k}={cell[k]}" for k in wrong)
        return f"results.nc holds the run of {theirs}, not this cell's {mine}"
    return n


def _num(d: Path) -> int:
    return int(d.name) if d.name.isdigit() else 10**9


def _coordinate(values: list[str]) -> np.ndarray:
    """Swept values as numbers where they all are, else as text."""
    for kind in (int, float):
        try:
            return np.array([kind(v) for v in values])
        except ValueError:
            continue
    return np.array(values, dtype=object)


def collect(folder: str | Path, out: str | Path | None = None) -> Path:
    """Build `folder/sweep.nc` (or `out`) from the sweep's runs; returns its path."""
    folder = Path(folder)
    runs, swept = _runs(folder)
    swept = dict(swept)
    if "seed" not in swept:
        swept["seed"] = ["0"]
    keys = [k for k in swept if k != "seed"] + ["seed"]
    index = {k: {v: i for i, v in enumerate(swept[k])} for k in keys}
    # each finished run's results.nc, opened once: unreadable, or the run of another cell, it counts as failed
    lengths: dict[str, int] = {}
    for r in runs:
        if r["status"] != "done":
            continue
        why = _check_results(folder / r["dir"] / "results.nc", r["overrides"], keys)
        if isinstance(why, str):
            r["status"], r["why"] = "failed", why
        else:
            lengths[r["dir"]] = why
    done = [r for r in runs if r["status"] == "done"]
    if not done:
        reasons = sorted({r["why"] for r in runs if "why" in r})
        raise ValueError(f"{folder}: no finished run to collect" + (f" ({reasons[0]})" if reasons else ""))
    # the template: the longest finished run (runs may differ only in their horizon)
    template_dir = max(lengths, key=lambda d: lengths[d])
    with open_results(folder / template_dir / "results.nc") as first:
        # people's records (lotteries' follow-ups, the panel) stay in each run's results.nc (fowsim.evaluation)
        people = [v for v in first.data_vars if str(v).startswith(PEOPLE)]
        first = first.drop_vars(people)
        first = first.drop_dims([d for d in PEOPLE_DIMS if d in first.dims]).load()
    timed = [str(v) for v in first.data_vars if "time" in first[v].dims]
    static = [v for v in first.data_vars if v not in timed]
    shape = [len(swept[k]) for k in keys]
    skeleton = xr.Dataset(
        {v: first[v] for v in static},
        coords={**{c: first[c] for c in first.coords}, **{k: (k, _coordinate(swept[k])) for k in keys}},
    )
    skeleton["seed"].attrs.update({"standard_name": "realization", "long_name": "seed of the run (a replicate)"})
    for k in keys[:-1]:
        skeleton[k].attrs["long_name"] = f"swept config key {k}"
    status = np.full(shape, STATUS.index("missing"), dtype=np.int8)
    errors = np.full(shape, "", dtype=object)
    configs = np.full(shape, "", dtype=object)
    position: dict[str, tuple[int, ...]] = {}
    for r in runs:
        values = dict(item.split("=", 1) for item in r["overrides"] if "=" in item)
        values = {k.lstrip("+~"): v for k, v in values.items()}
        pos = tuple(index[k].get(values.get(k, swept[k][0]), -1) for k in keys)
        if -1 in pos:
            continue
        position[r["dir"]] = pos
        status[pos] = STATUS.index(r["status"])
        if r["status"] == "failed":
            errors[pos] = r.get("why") or error_line(folder / r["dir"])
        configs[pos] = " ".join(r["overrides"])
    flags = {"long_name": "status of the run", "flag_values": np.arange(3, dtype=np.int8),
             "flag_meanings": " ".join(STATUS)}  # fmt: skip
    skeleton["run_status"] = (keys, status, flags)
    skeleton["run_error"] = (keys, errors, {"long_name": "last line of the error of a failed run"})
    folders = np.full(shape, "", dtype=object)
    for d, pos in position.items():
        folders[pos] = d
    skeleton["run_folder"] = (keys, folders, {"long_name": "folder of the run, relative to the sweep"})
    skeleton.attrs.update({
        "title": f"fowsim sweep: {folder.name}",
        "Conventions": "CF-1.8",
        "source": first.attrs.get("source", "fowsim"),
        "swept_keys": json.dumps(keys),
        "runs_done": int((status == 0).sum()),
        "runs_failed": int((status == 1).sum()),
        "runs_missing": int((status == 2).sum()),
        "scale_people_per_worker": first.attrs.get("scale_people_per_worker", np.nan),
        "price_year": first.attrs.get("price_year", 2019),
        "currency": first.attrs.get("currency", "EUR"),
    })  # fmt: skip
    target = Path(out) if out else folder / "sweep.nc"
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        skeleton.to_netcdf(tmp, engine="netcdf4")
        with netCDF4.Dataset(tmp, "a") as nc:
            variables = {}
            for v in timed:
                own = [str(d) for d in first[v].dims]
                dims = (*keys, *own)
                chunks = [1] * len(keys) + [nc.dimensions[d].size for d in own]
                var = nc.createVariable(v, "f8", dims, zlib=True, complevel=1, fill_value=np.nan, chunksizes=chunks)
                var.setncatts({a: first[v].attrs[a] for a in ("units", "long_name") if a in first[v].attrs})
                variables[v] = var
            part_var = nc.createVariable("run_participants", "f8", tuple(keys), fill_value=np.nan)
            part_var.long_name = "simulated workers the run's policies enrolled or moved (the model's resolution)"
            part_var.units = "simulated workers"
            config_var = nc.createVariable("run_config", str, tuple(keys))
            config_var.long_name = "resolved config of the run (JSON), or its overrides where it did not finish"
            for r in done:
                if r["dir"] not in position:
                    continue
                pos = position[r["dir"]]
                try:
                    with netCDF4.Dataset(folder / r["dir"] / "results.nc") as run:
                        for v, var in variables.items():
                            data = run.variables[v][:]
                            var[pos + tuple(slice(0, n) for n in data.shape)] = np.ma.filled(data, np.nan)
                        configs[pos] = run.getncattr("config") if "config" in run.ncattrs() else configs[pos]
                        part_var[pos] = simulated_participants({a: run.getncattr(a) for a in run.ncattrs()})
                except (OSError, RuntimeError, KeyError, IndexError, ValueError) as exc:  # a file damaged inside
                    for var in variables.values():
                        var[pos] = np.nan
                    said = str(exc).splitlines()[0] if str(exc) else ""
                    why = f"results.nc unreadable ({exc.__class__.__name__}: {said})"
                    nc.variables["run_status"][pos] = STATUS.index("failed")
                    nc.variables["run_error"][pos] = why
                    nc.runs_done, nc.runs_failed = int(nc.runs_done) - 1, int(nc.runs_failed) + 1
            for pos in np.ndindex(*shape):
                config_var[pos] = configs[pos]
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def failures(path: str | Path) -> list[tuple[str, str]]:
    """The runs a sweep.nc holds as failed: (run folder, why), in the order of the cells."""
    with open_results(path) as ds:
        status, errors, folders = (ds[v].values.ravel() for v in ("run_status", "run_error", "run_folder"))
    return [(str(d), str(e)) for st, e, d in zip(status, errors, folders) if st == STATUS.index("failed")]


def describe(path: str | Path) -> str:
    """One line on a sweep.nc: its swept dimensions and how many runs are done, failed and missing."""
    with open_results(path) as ds:
        done, failed, missing = (int(ds.attrs[f"runs_{s}"]) for s in STATUS)
        dims = ", ".join(f"{k}={ds.sizes[k]}" for k in json.loads(ds.attrs["swept_keys"]))
    return f"{path}: {dims}; {done} runs done, {failed} failed, {missing} missing"
