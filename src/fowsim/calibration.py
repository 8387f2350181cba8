"""Calibration: fit each region's vacancy-opening multiplier to its unemployment target.

The routine runs short baseline simulations (no shock, no policy) over a few seeds and solves
u_r(multiplier_r) = target_r (regions.csv `unemployment_target`) by damped Newton steps per
region on the log multiplier (regions interact only weakly, through migration), keeping the best
fit seen. The result is written to the world's `calibration.yaml` with the date, the targets and
the fit achieved, and read back by every later run.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from fowsim.model import LabourMarketModel
from fowsim.scenario import build_scenario


def baseline_unemployment(cfg: dict[str, Any], multiplier: np.ndarray, seeds: int, burn_in: int) -> np.ndarray:
    """Mean unemployment rate per region after `burn_in` months, averaged over `seeds` runs."""
    out = []
    for seed in range(seeds):
        scenario = build_scenario({**cfg, "seed": seed})
        scenario.world.calibration["opening_multiplier"] = multiplier
        ds = LabourMarketModel(scenario).run().results()
        out.append(ds["unemployment_rate"].isel(time=slice(burn_in, None)).mean("time").values)
    return np.mean(out, axis=0)


def calibrate(cfg: dict[str, Any], iterations: int = 8, seeds: int = 2, burn_in: int = 36, log=print) -> dict[str, Any]:
    """Fit the per-region opening multipliers for the config `cfg` (a plain dict); return the record."""
    world = build_scenario(cfg).world
    target = world.rp("unemployment_target")
    x = np.zeros(world.n_regions)  # log multiplier
    best_x, best_u, best_err = x, None, np.inf
    for it in range(iterations):
        u = baseline_unemployment(cfg, np.exp(x), seeds, burn_in)
        log(f"iteration {it}: multiplier {np.round(np.exp(x), 3).tolist()} unemployment {np.round(u, 4).tolist()}")
        worst = float(np.max(np.abs(u - target)))
        if worst < best_err:
            best_x, best_u, best_err = x.copy(), u, worst
        if worst < 0.002:
            break
        # d log u / d log multiplier is about -2 in this model: a damped Newton step with that slope
        x = x + np.clip(np.log(u / target) / 2.5, -0.4, 0.4)
    x, u = best_x, best_u
    return {
        "date": _dt.date.today().isoformat(),
        "method": "fowsim.calibration.calibrate: damped Newton steps on log opening multipliers, "
        f"{seeds} seeds, {cfg['workers']} workers, {cfg['months']} months, mean after month {burn_in}",
        "targets": {"unemployment_rate": dict(zip(world.regions, map(float, target)))},
        "achieved": {"unemployment_rate": dict(zip(world.regions, map(lambda v: round(float(v), 4), u)))},
        "values": {"opening_multiplier": dict(zip(world.regions, map(lambda v: round(float(v), 4), np.exp(x))))},
    }


def write_calibration(record: dict[str, Any], world_dir: str | Path) -> Path:
    """Store a calibration record as `calibration.yaml` in the world's folder."""
    path = Path(world_dir) / "calibration.yaml"
    path.write_text(
        "# Fitted by fowsim.calibration.calibrate; regenerate with `python -m fowsim.calibration`.\n"
        + yaml.safe_dump(record, sort_keys=False)
    )
    return path


if __name__ == "__main__":  # pragma: no cover - a maintenance command
    from fowsim.config import compose
    from fowsim.scenario import as_dict
    from fowsim.world import resolve_data_dir

    cfg = as_dict(compose(["workers=40000", "months=96"]))
    record = calibrate(cfg, iterations=10, seeds=3)
    print(write_calibration(record, resolve_data_dir(cfg["world"]["data"])))
