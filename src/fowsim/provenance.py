"""What a run's results depend on, recorded in its results.nc so that a resumed sweep knows what changed.

`provenance(scenario)` is the resolved config, a digest of the contents of the world's data files,
the fowsim version and a digest of the source of each user module the config names; `stamp` records
it (and the overrides the run ran with) in a run's dataset, and `same_run` tells whether a finished
run's file was written by exactly this scenario. `fowsim.sweep` skips a run only when it was.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any


def provenance(scenario) -> dict[str, Any]:
    """What a run's results depend on: its config, its world's data, fowsim's version, its user modules.

    That is: the resolved config, the contents of the world's data files, the fowsim version, and the
    source of every user module the config names (`_target_`). A sweep run again skips a run only
    when this is unchanged: editing the world's `regions.csv`, a collaborator's module or fowsim
    itself runs it again.
    """
    from fowsim import _version
    from fowsim.world import resolve_data_dir, world_layers

    config = scenario.config
    world = config.get("world") or {}
    files: dict[str, str] = {}
    folder = resolve_data_dir(world.get("data", "default"))
    for layer in world_layers(folder):
        for f in sorted(layer.iterdir()):
            if f.is_file() and f.suffix in (".csv", ".yaml") and not f.name.startswith("."):
                files[str(f.relative_to(layer.parent))] = _digest(f)
    network = world.get("network")
    if isinstance(network, str) and Path(network).expanduser().is_file():
        files[network] = _digest(Path(network).expanduser())
    modules = {m: _module_digest(m) for m in sorted(_targets(config)) if m.split(".")[0] != "fowsim"}
    return {"config": json.dumps(config, sort_keys=True, default=str), "world_files": files,
            "fowsim_version": _version.__version__, "user_modules": modules}  # fmt: skip


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def _targets(node: Any) -> set[str]:
    """The modules of every `_target_` in a config (the classes a collaborator's config names)."""
    out: set[str] = set()
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "_target_" and isinstance(v, str) and "." in v:
                out.add(v.rpartition(".")[0])
            else:
                out |= _targets(v)
    elif isinstance(node, list):
        for v in node:
            out |= _targets(v)
    return out


def _module_digest(module: str) -> str:
    import importlib.util

    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        spec = None
    origin = getattr(spec, "origin", None)
    return _digest(Path(origin)) if origin and Path(origin).is_file() else "not found"


def stamp(ds, scenario, overrides: list[str] | None = None) -> None:
    """Record in a run's results what it depends on (`provenance`) and the overrides it ran with."""
    ds.attrs["provenance"] = json.dumps(provenance(scenario), sort_keys=True)
    if overrides is not None:
        ds.attrs["overrides"] = json.dumps([str(o) for o in overrides])


def same_run(results: Path, scenario) -> bool:
    """Whether `results` was written by a run of exactly this scenario, world data, fowsim and user modules."""
    import netCDF4

    try:
        with netCDF4.Dataset(results) as nc:
            held = nc.getncattr("provenance") if "provenance" in nc.ncattrs() else None
    except (OSError, RuntimeError, ValueError):
        return False
    return held == json.dumps(provenance(scenario), sort_keys=True)
