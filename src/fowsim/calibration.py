"""Calibration: fit the free parameters of a world to its baseline targets with scipy.optimize.

Free parameters and the targets that pin them down (targets from `regions.csv`, `FACTS.md`):

| parameter | per | target |
|---|---|---|
| `opening_multiplier` (vacancy openings relative to separations) | region | `unemployment_target` |
| `internal_fill_rate` (open vacancies filled from inside the firm a month) | world | occupational mobility 0.19 |
| `on_the_job_search_rate` (share of the employed searching a month) | world | job-to-job mobility 0.082 |

`calibrate` runs short baseline simulations (no shock, no policy) over a few fixed seeds (common
random numbers, so that the objective is smooth enough for finite differences) and minimises the
residuals, each divided by its tolerance, with `scipy.optimize.least_squares` (trust-region
reflective) on the logs of the parameters, within bounds. Each region's unemployment depends
mainly on its own multiplier and mobility on the search rate: the Jacobian's sparsity says so,
and finite differences then cost two runs per Jacobian, whatever the number of regions. The
long-term share of the unemployed is reported next to its target but not fitted. The result is
written to the world's `calibration.yaml` with the date, the targets, the fit achieved and the
method, and read back by every later run.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from scipy.optimize import least_squares
from scipy.sparse import lil_matrix

from fowsim.metrics import annual_rate
from fowsim.model import LabourMarketModel
from fowsim.scenario import build_scenario

MOBILITY_TARGET = 0.19  # del Rio-Chanona et al. (2021): annual occupational mobility (FACTS.md)
JOB_TO_JOB_TARGET = 0.082  # EU Labour Force Survey 2003: employed in another job a year later (Eurostat)
TOLERANCE = {"unemployment_rate": 0.005, "occupational_mobility": 0.01, "job_to_job": 0.01}  # residual scales
WORLD_PARAMETERS = ("internal_fill_rate", "on_the_job_search_rate")  # fitted, one value for all regions
BOUNDS = {"opening_multiplier": (0.2, 5.0), "internal_fill_rate": (0.005, 1.0), "on_the_job_search_rate": (0.005, 0.5)}


def baseline_moments(cfg: dict[str, Any], x: dict[str, Any], seeds: int, burn_in: int) -> dict[str, np.ndarray]:
    """Mean baseline moments after `burn_in` months over `seeds` runs, with the parameters `x`.

    Returns per-region unemployment rate and long-term share of the unemployed, and, for all
    regions together, annual occupational mobility (occupation changes a year / employed) and
    annual job-to-job mobility (moves from one employer to another a year / employed).
    """
    u, ltu, mob, jtj = [], [], [], []
    for seed in range(seeds):
        params = {**(cfg["world"].get("params") or {}), **{k: float(x[k]) for k in WORLD_PARAMETERS}}
        run_cfg = {**cfg, "seed": seed, "world": {**cfg["world"], "params": params}}
        scenario = build_scenario(run_cfg)
        scenario.world.calibration["opening_multiplier"] = np.asarray(x["opening_multiplier"], float)
        ds = LabourMarketModel(scenario).run().results().isel(time=slice(burn_in, None))
        u.append(ds["unemployment_rate"].mean("time").values)
        ltu.append((ds["long_term_unemployed"] / ds["unemployed"]).mean("time").values)
        mob.append(annual_rate(ds, "occupation_changes"))
        jtj.append(annual_rate(ds, "job_to_job"))
    return {"unemployment_rate": np.mean(u, axis=0), "ltu_share": np.mean(ltu, axis=0),
            "occupational_mobility": np.array([np.mean(mob)]), "job_to_job": np.array([np.mean(jtj)])}  # fmt: skip


def calibrate(
    cfg: dict[str, Any], seeds: int = 2, burn_in: int = 36, max_evaluations: int = 40, log=print
) -> dict[str, Any]:
    """Fit the free parameters for the config `cfg` (a plain dict); return the calibration record."""
    world = build_scenario(cfg).world
    R = world.n_regions
    target = {
        "unemployment_rate": world.rp("unemployment_target"),
        "occupational_mobility": np.array([MOBILITY_TARGET]),
        "job_to_job": np.array([JOB_TO_JOB_TARGET]),
    }
    n_world = len(WORLD_PARAMETERS)
    start_mult = np.nan_to_num(world.calibration.get("opening_multiplier", np.ones(R)), nan=1.0)
    x0 = np.log(np.concatenate([start_mult, [world.params[k] for k in WORLD_PARAMETERS]]))
    lo, hi = np.log(np.array([BOUNDS["opening_multiplier"]] * R + [BOUNDS[k] for k in WORLD_PARAMETERS])).T
    x0 = np.clip(x0, lo + 1e-9, hi - 1e-9)

    def unpack(z: np.ndarray) -> dict[str, Any]:
        v = np.exp(z)
        return {"opening_multiplier": v[:R], **{k: v[R + i] for i, k in enumerate(WORLD_PARAMETERS)}}

    seen: list[tuple[float, np.ndarray, dict[str, np.ndarray]]] = []

    def residuals(z: np.ndarray) -> np.ndarray:
        moments = baseline_moments(cfg, unpack(z), seeds, burn_in)
        res = np.concatenate([(moments[k] - target[k]) / TOLERANCE[k] for k in target])
        seen.append((float(np.sum(res**2)), z.copy(), moments))
        u, ltu, mob = moments["unemployment_rate"], moments["ltu_share"], moments["occupational_mobility"][0]
        log(f"evaluation {len(seen)}: cost {seen[-1][0]:.2f} u {np.round(u, 4).tolist()} "
            f"ltu {np.round(ltu, 3).tolist()} mobility {mob:.3f} job-to-job {moments['job_to_job'][0]:.3f}")  # fmt: skip  # noqa: E501
        return res

    # each region's unemployment depends on its own multiplier (and on the world parameters);
    # the two mobility moments on the world parameters: three groups of columns, three runs a Jacobian
    sparsity = lil_matrix((R + 2, R + n_world), dtype=int)
    sparsity.setdiag(1)
    sparsity[:, R:] = 1
    # steps of 0.2 in log parameters: large against the simulation noise of the moments
    least_squares(residuals, x0, bounds=(lo, hi), jac_sparsity=sparsity, diff_step=0.2, x_scale=1.0,
                  max_nfev=max_evaluations, method="trf")  # fmt: skip
    cost, z, moments = min(seen, key=lambda s: s[0])
    fit = unpack(z)
    regions = world.regions

    def per_region(a: np.ndarray, digits: int) -> dict[str, float]:
        return {r: round(float(v), digits) for r, v in zip(regions, a)}

    return {
        "date": _dt.date.today().isoformat(),
        "method": "fowsim.calibration.calibrate: scipy.optimize.least_squares (trf, sparse finite-difference "
        f"Jacobian) on log parameters; {seeds} seeds, {cfg['workers']} workers, {cfg['months']} months, "
        f"means after month {burn_in}; {len(seen)} evaluations; weighted cost {cost:.2f}",
        "targets": {
            "unemployment_rate": per_region(target["unemployment_rate"], 4),
            "occupational_mobility": MOBILITY_TARGET,
            "job_to_job": JOB_TO_JOB_TARGET,
        },
        "achieved": {
            "unemployment_rate": per_region(moments["unemployment_rate"], 4),
            "ltu_share (not fitted)": per_region(moments["ltu_share"], 4),
            "occupational_mobility": round(float(moments["occupational_mobility"][0]), 4),
            "job_to_job": round(float(moments["job_to_job"][0]), 4),
        },
        "values": {
            "opening_multiplier": per_region(fit["opening_multiplier"], 4),
        },
        "parameters": {k: round(float(fit[k]), 4) for k in WORLD_PARAMETERS},
    }


def write_calibration(record: dict[str, Any], world_dir: str | Path) -> Path:
    """Store a calibration record as `calibration.yaml` in the world's folder (atomically)."""
    path = Path(world_dir) / "calibration.yaml"
    tmp = path.with_suffix(".yaml.tmp")
    tmp.write_text(
        "# Fitted by fowsim.calibration.calibrate; regenerate with `python -m fowsim.calibration`.\n"
        + yaml.safe_dump(record, sort_keys=False)
    )
    tmp.replace(path)
    return path


if __name__ == "__main__":  # pragma: no cover - a maintenance command
    from fowsim.config import compose
    from fowsim.scenario import as_dict
    from fowsim.world import resolve_data_dir

    cfg = as_dict(compose(["workers=80000", "months=120"]))
    record = calibrate(cfg, seeds=2)
    print(write_calibration(record, resolve_data_dir(cfg["world"]["data"])))
