"""Calibration: fit the free parameters of a world to its baseline targets with scipy.optimize.

Free parameters and the targets that pin them down (targets from `regions.csv`, `FACTS.md`):

- `opening_multiplier` (vacancy openings relative to separations), per region: `unemployment_target`
  (regions.csv);
- `separation_rate` (monthly job loss into unemployment), per region: `ltu_share_target` (regions.csv);
- `recognition_multiplier` (on corridors.csv approvals into the region), per region with a target:
  migrants' over-qualification (targets.csv);
- `network_self_loop` (the weight of a searcher's own occupation in the mobility network), for
  the world: occupational mobility between the world's occupations (targets.csv), as del
  Rio-Chanona et al. (2021) fit theirs;
- `on_the_job_search_rate` (share of the employed searching a month), for the world: job-to-job
  mobility (targets.csv);
- `informal_queue_factor` (how much less often, per credential level, the unemployed take up informal
  work: the educated queue for formal jobs), for the world: with the informal take-up it sets how long
  the unemployed stay unemployed where there is informal work, so the long-term shares of those regions;
- `quota_multiplier` (on corridors.csv's annual quotas from the simulated regions into a region),
  per region with a fitted migrant stock (targets.csv): that stock over the last five years of
  the fit. The inflows are held to the quotas, which are assumptions built on a few verified
  permit counts; the stock the data start from then holds rather than drains through returns
  and retirements.
- `informal_entry_rate` (the monthly chance that an unemployed worker takes up informal work), per
  region with informal work: the informal share of employment (regions.csv `informal_share`);
- `remittance_share` (the share of their earnings migrants send home), per destination with a fitted
  outflow (targets.csv `remittance_outflow`): that outflow over the calibrated baseline's migrant
  earnings there (`remittance_shares`, a ratio, after the rest);
- `demand_growth` (labour demand's steady annual growth), per region whose labour force follows
  demand (the Gulf): no trend in the baseline's unemployment over thirty years
  (`steady_demand_growth`, fitted before the rest).
- `training_yield` (what a month of a policy's programme teaches, `fowsim.phases.training.taught_share`),
  for the world: the reskilling programme's effect on its participants' employment, averaged over the
  three horizons of Card, Kluve & Weber's (2018) meta-analysis, measured by lottery
  (`fit_training_yield`, fitted last, on the labour market as calibrated).

The targets are the world's data (`regions.csv`, and the fitted rows of `targets.csv`, each with its
source), so another world, or a sixth region, needs no change here.

The wage bargain's reference tightness (`tightness_reference`, `fowsim.phases.wages`) is
measured, not fitted: the calibrated baseline's, with wages as in the data. Labour demand's own
path (`demand_path`, the demand closure of `fowsim.phases.automation`) is measured, not fitted:
the labour force, year by year, of a long baseline run in which demand follows that path (a
fixed point, found in two rounds). In the baseline demand and the labour force then grow
together (the 2019 unemployment rates persist); in a scenario, workers it adds do not add demand.
Where the labour force follows demand instead (the Gulf's sponsored recruitment,
`demand_path_measured` = 0 in regions.csv) that fixed point chases its own tail; there demand
grows at a steady rate, `demand_growth`, fitted (`steady_demand_growth`) so that the same holds:
the baseline's unemployment keeps its level over thirty years, with neither trend up nor down.

A region's unemployment rate and the long-term share of its unemployed together pin down the
flows in and out of unemployment (in steady state u = s / (s + f), and the long-term share falls
as the outflow f rises): the openings fix where unemployment settles, the separation rate how
fast it turns over. The approval multiplier scales the share of foreign credentials recognised
(corridors.csv holds assumptions, see their sources), which decides how many migrant graduates
end in jobs below their level.

`calibrate` runs short baseline simulations (no shock, no policy) over a few fixed seeds (common
random numbers, so that the objective is smooth enough for finite differences) and minimises the
residuals, each divided by its tolerance, with `scipy.optimize.least_squares` (trust-region
reflective) on the logs of the parameters, within bounds. Each region's unemployment depends
mainly on its own multiplier and mobility on the search rate: the Jacobian's sparsity says so,
and finite differences then cost two runs per Jacobian, whatever the number of regions. The result is
written to the world's `calibration.yaml` with the date, the targets, the fit achieved and the
method, and read back by every later run.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from scipy.optimize import least_squares
from scipy.sparse import lil_matrix

from fowsim.config import compose
from fowsim.errors import ConfigError
from fowsim.metrics import annual_rate
from fowsim.model import LabourMarketModel
from fowsim.scenario import as_dict, build_scenario
from fowsim.world import World, load_world, resolve_data_dir

# residual scales: about half of each quantity's tolerance in the validation table
TOLERANCE = {"unemployment_rate": 0.005, "ltu_share": 0.04, "migrant_overqualification": 0.03,
             "occupational_mobility": 0.01, "job_to_job": 0.01, "migrant_stock": 0.5,
             "informal_share": 0.01}  # fmt: skip
STOCK_MONTHS = 60  # a fitted migrant stock is the mean of the fit's last five years
REGION_PARAMETERS = ("opening_multiplier", "separation_rate")  # fitted, one value per region
WORLD_PARAMETERS = ("network_self_loop", "on_the_job_search_rate", "informal_queue_factor")  # one value for all
BOUNDS = {"opening_multiplier": (0.2, 5.0), "separation_rate": (0.002, 0.08), "recognition_multiplier": (0.3, 3.0),
          "network_self_loop": (0.2, 0.97), "on_the_job_search_rate": (0.005, 0.5),
          "quota_multiplier": (0.3, 5.0), "informal_entry_rate": (0.005, 0.95),
          "informal_queue_factor": (0.05, 1.0)}  # fmt: skip


def world_target(world: World, quantity: str) -> float:
    """The world's fitted target of `quantity` for all regions (targets.csv, `where` = all), as a share."""
    found = [t for t in world.targets_of(quantity, fitted=True) if t.where == "all"]
    if not found:
        raise ConfigError("targets.csv", quantity, f"a fitted row '{quantity},all' in the world's targets.csv")
    return found[0].value / 100


def demand_path(cfg: dict[str, Any], years: int = 40, seeds: int = 2, rounds: int = 2, log=print) -> np.ndarray:
    """Labour demand's own path by region: the baseline labour force, year by year, relative to its start.

    The path is a fixed point: the labour force that the baseline (no shock, no policy) traces
    when demand follows the path. Each round runs the baseline for `years` years and a half over
    `seeds` seeds with demand on the previous round's path (the first on the world's own, else
    `demand_growth`), and measures the next: year y's value is the mean labour force (in work,
    unemployed or in training) of the 12 months around month 12 y, over the labour force of the
    first month. Where the labour force hardly depends on demand (the EU, Africa: it is set by
    entrants, retirements and migration) one round nearly settles it; where it follows demand (the
    Gulf's sponsored recruitment, `demand_path_measured` = 0 in regions.csv) there is no measured
    path (NaN): demand grows at `demand_growth`. Returns (R, years + 1), 1 in year 0.
    """
    path = None
    own_growth = build_scenario(cfg).world.rp("demand_path_measured") == 0
    for k in range(rounds):
        runs = []
        for seed in range(seeds):
            run_cfg = {**cfg, "seed": seed, "months": 12 * years + 6, "policy": {}}
            run_cfg["shock"] = {**cfg.get("shock", {}), "kind": "none"}
            ds = LabourMarketModel(with_demand_path(build_scenario(run_cfg), path)).run().results()
            lf = (ds["labour_force"] + ds["in_training"]).values  # (T, R)
            measured = np.ones((lf.shape[1], years + 1))
            for y in range(1, years + 1):
                measured[:, y] = lf[12 * y - 6 : 12 * y + 6].mean(axis=0) / lf[0]
            runs.append(measured)
        path = np.mean(runs, axis=0)
        # where the labour force follows demand (the Gulf's sponsored recruitment) demand keeps its
        # own growth, demand_growth: measuring it from the labour force would chase its own tail
        path[own_growth] = np.nan
        log(f"demand path, round {k + 1} of {rounds}: after {years} years {np.round(path[:, -1], 3).tolist()}")
    assert path is not None
    return path


def measured_reference(scenario: Any) -> np.ndarray:
    """The wage bargain's reference log tightness (R, O) of `scenario`'s world: its baseline, wages fixed.

    The scenario's baseline (no shock, no policy, its schedule without phase `wages`) runs two
    years; the reference is the mean log tightness by (region, occupation) over the second year
    (the first lets the vacancies settle from the initial state), from each month's census
    (`fowsim.phases.wages.tightness`). Phase `wages` smooths the unemployed and the vacancies it
    compares with it over `tightness_smoothing_months`, starting from the initial state; the
    smoothed values reach the settled ones within about two time constants, so the baseline's
    going wage is about 1 from then on. The months' log tightness is taken unsmoothed: in a
    small simulated cell noise lowers its mean a little: the baseline's going wage by region at
    20,000 or 60,000 workers is within 3% of that at 200,000 (measured over years 3-6).
    """
    from fowsim.phases.base import Schedule
    from fowsim.phases.wages import REFERENCE_MONTHS, tightness

    base = dataclasses.replace(
        scenario,
        months=2 * REFERENCE_MONTHS,
        policies=[],
        shock=dataclasses.replace(scenario.shock, kind="none"),
        schedule=Schedule(p for p in scenario.schedule if p.name != "wages"),
    )
    m = LabourMarketModel(base)
    total = np.zeros((m.world.n_regions, m.world.n_occupations))
    for t in range(2 * REFERENCE_MONTHS):
        m.step()
        if t >= REFERENCE_MONTHS:
            mk = m.market
            total += np.log(tightness(mk.U_region, mk.V_region, mk.E_region, m.world.network))
    return total / REFERENCE_MONTHS


def with_reference(scenario: Any) -> Any:
    """`scenario` with its world's wage-bargain reference measured for the scenario itself (`measured_reference`)."""
    ref = measured_reference(scenario)
    return dataclasses.replace(scenario, world=dataclasses.replace(scenario.world, tightness_reference=ref))


def tightness_reference(cfg: dict[str, Any], seeds: int = 2, log=print) -> dict[str, Any]:
    """The reference tightness of the wage bargain for calibration.yaml, over `seeds` seeds (`measured_reference`).

    Every run of the world then shares it, so a policy or a shock acting early does not move it.
    Returns the entry: the network it was measured on and the values by region.
    """
    logs, world = [], None
    for seed in range(seeds):
        scenario = build_scenario({**cfg, "seed": seed})
        logs.append(measured_reference(scenario))
        world = scenario.world
    assert world is not None
    mean = np.mean(logs, axis=0)
    log(f"tightness reference: mean log tightness by region {np.round(mean.mean(axis=1), 3).tolist()}")
    return {"network": world.network_kind, "self_loop": round(float(world.params["network_self_loop"]), 4),
            "log_tightness": {r: [round(float(v), 4) for v in row] for r, row in zip(world.regions, mean)}}  # fmt: skip


def with_demand_path(scenario: Any, path: np.ndarray | None, growth: np.ndarray | None = None) -> Any:
    """`scenario` with labour demand's own path replaced by `path` and its steady growth by `growth`.

    None keeps the world's; `growth` is per region, NaN where the world's value stays.
    """
    if growth is not None:
        scenario.world.calibration["demand_growth"] = np.asarray(growth, float)
    if path is None:
        return scenario
    return dataclasses.replace(scenario, world=dataclasses.replace(scenario.world, demand_path=path))


GROWTH_BOUNDS = (-0.02, 0.05)  # annual demand growth the fit may return
GROWTH_STEP = 0.003  # the fit's second trial: the first's growth plus this


def unemployment_trend(
    cfg: dict[str, Any], growth: np.ndarray, path: np.ndarray | None, years: int, seeds: int
) -> np.ndarray:
    """The baseline's unemployment trend by region, in points per decade, with demand's steady growth `growth`.

    The least-squares slope of the annual mean unemployment rate over years 3 to `years` (the first
    two let the initial state settle), averaged over `seeds` runs (no shock, no policy).
    """
    slopes = []
    for seed in range(seeds):
        run_cfg = {**cfg, "seed": seed, "months": 12 * years, "policy": {}}
        run_cfg["shock"] = {**cfg.get("shock", {}), "kind": "none"}
        ds = LabourMarketModel(with_demand_path(build_scenario(run_cfg), path, growth)).run().results()
        u = ds["unemployment_rate"].values.reshape(years, 12, -1).mean(axis=1)[2:]  # (years - 2, R)
        t = np.arange(u.shape[0], dtype=float)
        slopes.append(np.polyfit(t, u, 1)[0] * 10 * 100)
    return np.mean(slopes, axis=0)


def steady_demand_growth(
    cfg: dict[str, Any], path: np.ndarray | None = None, years: int = 30, seeds: int = 2, rounds: int = 3, log=print
) -> np.ndarray:
    """Labour demand's steady growth where the labour force follows demand: the rate with no unemployment trend.

    Where `demand_path_measured` is 0 (the Gulf) the labour force follows demand through sponsored
    recruitment, and the nationals entering it grow on their own; demand growing slower than they
    do lets unemployment creep up over decades, faster pulls it down. The fit closes the baseline
    there as `demand_path` closes it elsewhere: its unemployment keeps its level. Each of `rounds`
    rounds measures the trend (`unemployment_trend`, `years` years, `seeds` seeds) at a trial
    growth: the world's, then that plus `GROWTH_STEP`, then the root of the straight line through
    the trials so far; the result is that line's root over all rounds, within `GROWTH_BOUNDS`.
    Returns (R,): the fitted growth, NaN where demand follows its measured path.
    """
    world = build_scenario(cfg).world
    own = world.rp("demand_path_measured") == 0
    start = world.fitted("demand_growth", world.rp("demand_growth"))
    if not own.any():
        return np.full(world.n_regions, np.nan)
    trials: list[np.ndarray] = []
    trends: list[np.ndarray] = []
    growth = start.copy()

    def root() -> np.ndarray:
        g, b = np.array(trials), np.array(trends)
        out = start.copy()
        for r in np.flatnonzero(own):
            slope, intercept = np.polyfit(g[:, r], b[:, r], 1)
            out[r] = -intercept / slope if slope < 0 else g[np.argmin(np.abs(b[:, r])), r]
        return np.clip(out, *GROWTH_BOUNDS)

    for k in range(rounds):
        trial = np.where(own, growth, np.nan)
        trials.append(growth.copy())
        trends.append(unemployment_trend(cfg, trial, path, years, seeds))
        log(f"demand growth, round {k + 1} of {rounds}: growth {np.round(growth[own], 5).tolist()} "
            f"unemployment trend {np.round(trends[-1][own], 3).tolist()} points a decade")  # fmt: skip
        growth = start + GROWTH_STEP if k == 0 else root()
    fitted = np.where(own, root(), np.nan)
    log(f"demand growth fitted: {np.round(fitted[own], 5).tolist()}")
    return fitted


def baseline_moments(
    cfg: dict[str, Any],
    x: dict[str, Any],
    seeds: int,
    burn_in: int,
    path: np.ndarray | None = None,
    stocks: tuple[str, ...] = (),
    growth: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Mean baseline moments after `burn_in` months over `seeds` runs, with the parameters `x`.

    `x` holds per-region arrays for `REGION_PARAMETERS` and `recognition_multiplier` (NaN where
    not fitted) and scalars for `WORLD_PARAMETERS`. Returns per-region unemployment rate,
    long-term share of the unemployed, informal share of employment and migrants' over-qualification,
    and, for all regions together, annual occupational mobility (occupation changes a year / employed) and annual
    job-to-job mobility (moves from one employer to another a year / employed), and the migrant
    stocks `stocks` (targets.csv `where`, 'origins->destination'), in millions of people, over the
    last `STOCK_MONTHS` months; and migrants' earnings by destination, billion EUR a year. `x` may
    hold per-region `quota_multiplier` and `informal_entry_rate` (NaN where not fitted).
    `path` and `growth`: labour demand's (`with_demand_path`).
    """
    keys = ("unemployment_rate", "ltu_share", "migrant_overqualification", "occupational_mobility", "job_to_job",
            "migrant_stock", "informal_share", "migrant_earnings")  # fmt: skip
    out: dict[str, list] = {k: [] for k in keys}
    for seed in range(seeds):
        params = {**(cfg["world"].get("params") or {}), **{k: float(x[k]) for k in WORLD_PARAMETERS}}
        run_cfg = {**cfg, "seed": seed, "world": {**cfg["world"], "params": params}}
        scenario = with_demand_path(build_scenario(run_cfg), path, growth)
        for k in (*REGION_PARAMETERS, "recognition_multiplier", "quota_multiplier", "informal_entry_rate"):
            if k in x:
                scenario.world.calibration[k] = np.asarray(x[k], float)
        # the wage bargain's reference for these very parameters, as the calibration will store it
        scenario = with_reference(scenario)
        full = LabourMarketModel(scenario).run().results()
        late = full.isel(time=slice(-STOCK_MONTHS, None)).mean("time")
        out["migrant_stock"].append([migrant_stock(late, w, scenario.world) for w in stocks])
        ds = full.isel(time=slice(burn_in, None))
        out["unemployment_rate"].append(ds["unemployment_rate"].mean("time").values)
        out["ltu_share"].append((ds["long_term_unemployed"] / ds["unemployed"]).mean("time").values)
        out["migrant_overqualification"].append(ds["overqualification_migrant"].mean("time").values)
        out["informal_share"].append(ds["informal_share"].mean("time").values)
        out["migrant_earnings"].append(ds["migrant_earnings"].sum("origin").mean("time").values * 12 / 1e9)
        out["occupational_mobility"].append([annual_rate(ds, "occupation_changes")])
        out["job_to_job"].append([annual_rate(ds, "job_to_job")])
    return {k: np.mean(v, axis=0) for k, v in out.items()}


def migrant_stock(mean: Any, where: str, world: World) -> float:
    """The migrant stock `where` ('origins->destination') in `mean` (a time mean), in millions of people.

    The model holds workers; a stock counts people of all ages (`migrant_activity_rate`).
    """
    origins, dest = where.split("->")
    stock = mean.migrant_stock.sel(origin=origins.split("+"), destination=dest).sum()
    return float(stock) / world.params["migrant_activity_rate"] / 1e6


def _per_region(a: np.ndarray, regions: tuple[str, ...] | list[str], digits: int, where=None) -> dict[str, float]:
    """`a` as {region: value} for the record, over `where` (region indices) or every region."""
    idx = range(len(regions)) if where is None else where
    return {regions[i]: round(float(v), digits) for i, v in zip(idx, a)}


def _achieved(moments: dict[str, np.ndarray], regions, oq_regions: np.ndarray, stocks: tuple[str, ...],
              informal_regions: np.ndarray) -> dict:  # fmt: skip
    """The record's `achieved`: the fit's moments.

    Migrants' over-qualification and the informal share are given for `oq_regions` and `informal_regions` only.
    """
    return {
        "unemployment_rate": _per_region(moments["unemployment_rate"], regions, 4),
        "ltu_share": _per_region(moments["ltu_share"], regions, 4),
        **(
            {"informal_share": _per_region(moments["informal_share"], regions, 4, informal_regions)}
            if informal_regions.size
            else {}
        ),  # fmt: skip
        "migrant_overqualification": _per_region(moments["migrant_overqualification"], regions, 4, oq_regions),
        "occupational_mobility": round(float(moments["occupational_mobility"][0]), 4),
        "job_to_job": round(float(moments["job_to_job"][0]), 4),
        **(
            {"migrant_stock": {w: round(float(v), 3) for w, v in zip(stocks, moments["migrant_stock"])}}
            if stocks
            else {}
        ),  # fmt: skip
    }


def _growth_entry(growth: np.ndarray | None, regions) -> dict[str, dict[str, float]]:
    """The record's `values.demand_growth` where `growth` has fitted values (none: nothing)."""
    if growth is None or not np.isfinite(growth).any():
        return {}
    where = np.flatnonzero(np.isfinite(growth))
    return {"demand_growth": _per_region(growth[where], regions, 5, where)}


def calibrate(
    cfg: dict[str, Any],
    seeds: int = 2,
    burn_in: int = 36,
    max_evaluations: int = 80,
    log=print,
    path: np.ndarray | None = None,
    growth: np.ndarray | None = None,
) -> dict[str, Any]:
    """Fit the free parameters for the config `cfg` (a plain dict); return the calibration record.

    `path`: labour demand's own path to fit with (`demand_path`), `growth` its steady growth where
    it has no path (`steady_demand_growth`); None keeps the world's. The record carries both, so
    that the runs that read the calibration use the demand it was fitted with.
    """
    world = build_scenario(cfg).world
    R, regions = world.n_regions, world.regions
    oq = world.targets_of("overqualification_migrant", fitted=True)
    oq_regions = np.array([world.regions.index(t.where) for t in oq], int)
    E = oq_regions.size
    stock_targets = world.targets_of("migrant_stock", fitted=True)
    stocks = tuple(t.where for t in stock_targets)
    stock_regions = np.array([world.regions.index(w.split("->")[1]) for w in stocks], int)
    S = stock_regions.size
    informal_regions = np.flatnonzero(world.rp("informal_share") > 0)
    Inf = informal_regions.size
    W = len(WORLD_PARAMETERS)
    target = {
        "unemployment_rate": world.rp("unemployment_target"),
        "ltu_share": world.rp("ltu_share_target"),
        "migrant_overqualification": np.array([t.value / 100 for t in oq]),
        "occupational_mobility": np.array([world_target(world, "occupational_mobility")]),
        "job_to_job": np.array([world_target(world, "job_to_job")]),
        "migrant_stock": np.array([t.value for t in stock_targets]),
        "informal_share": world.rp("informal_share")[informal_regions],
    }
    # the parameter vector (logs): openings (R), separations (R), approval multipliers (E), quota
    # multipliers (S), informal take-up (Inf), world
    start = np.concatenate([
        world.fitted("opening_multiplier", 1.0),
        world.separation_rate(),
        world.fitted("recognition_multiplier", 1.0)[oq_regions],
        world.fitted("quota_multiplier", 1.0)[stock_regions],
        world.fitted("informal_entry_rate", world.params["informal_entry_rate"])[informal_regions],
        [world.params[k] for k in WORLD_PARAMETERS],
    ])  # fmt: skip
    names = [*["opening_multiplier"] * R, *["separation_rate"] * R, *["recognition_multiplier"] * E,
             *["quota_multiplier"] * S, *["informal_entry_rate"] * Inf, *WORLD_PARAMETERS]  # fmt: skip
    lo, hi = np.log(np.array([BOUNDS[n] for n in names])).T
    x0 = np.clip(np.log(start), lo + 1e-9, hi - 1e-9)

    def unpack(z: np.ndarray) -> dict[str, Any]:
        v = np.exp(z)
        recognition = np.full(R, np.nan)
        recognition[oq_regions] = v[2 * R : 2 * R + E]
        quota = np.full(R, np.nan)
        quota[stock_regions] = v[2 * R + E : 2 * R + E + S]
        informal = np.full(R, np.nan)
        informal[informal_regions] = v[2 * R + E + S : 2 * R + E + S + Inf]
        world_values = {k: v[2 * R + E + S + Inf + i] for i, k in enumerate(WORLD_PARAMETERS)}
        return {"opening_multiplier": v[:R], "separation_rate": v[R : 2 * R], "recognition_multiplier": recognition,
                "quota_multiplier": quota, "informal_entry_rate": informal, **world_values}  # fmt: skip

    seen: list[tuple[float, np.ndarray, dict[str, np.ndarray]]] = []

    def residuals(z: np.ndarray) -> np.ndarray:
        moments = baseline_moments(cfg, unpack(z), seeds, burn_in, path, stocks, growth)
        moments["migrant_overqualification"] = moments["migrant_overqualification"][oq_regions]
        moments["informal_share"] = moments["informal_share"][informal_regions]
        res = np.concatenate([(moments[k] - target[k]) / TOLERANCE[k] for k in target])
        seen.append((float(np.sum(res**2)), z.copy(), moments))
        log(f"evaluation {len(seen)}: cost {seen[-1][0]:.2f} u {np.round(moments['unemployment_rate'], 4).tolist()} "
            f"ltu {np.round(moments['ltu_share'], 3).tolist()} "
            f"migrant over-qualification {np.round(moments['migrant_overqualification'], 3).tolist()} "
            f"mobility {moments['occupational_mobility'][0]:.3f} job-to-job {moments['job_to_job'][0]:.3f} "
            f"stocks {np.round(moments['migrant_stock'], 2).tolist()} "
            f"informal {np.round(moments['informal_share'], 3).tolist()}")  # fmt: skip  # noqa: E501
        return res

    # a region's unemployment and long-term share depend on its own openings and separations; the
    # migrants' over-qualification on the region's approval multiplier; everything on the world
    # parameters. Finite differences then take four runs per Jacobian, whatever the number of regions.
    n_res, n_par = 2 * R + E + 2 + S + Inf, 2 * R + E + S + Inf + W
    sparsity = lil_matrix((n_res, n_par), dtype=int)
    for r in range(R):
        for row in (r, R + r):
            sparsity[row, r] = sparsity[row, R + r] = 1
    # a region's informal share, unemployment and long-term share depend on its informal take-up too
    for i, r in enumerate(informal_regions.tolist()):
        row, col = 2 * R + E + 2 + S + i, 2 * R + E + S + i
        sparsity[row, col] = sparsity[row, r] = sparsity[row, R + r] = 1
        sparsity[r, col] = sparsity[R + r, col] = 1
    for e in range(E):
        sparsity[2 * R + e, 2 * R + e] = 1
    # a fitted stock depends on its destination's quota multiplier, openings and separations (and the
    # quota on the destination's unemployment)
    for i, r in enumerate(stock_regions):
        row, col = 2 * R + E + 2 + i, 2 * R + E + i
        sparsity[row, col] = sparsity[row, r] = sparsity[row, R + r] = 1
        sparsity[r, col] = sparsity[R + r, col] = 1
    sparsity[:, 2 * R + E + S + Inf :] = 1
    # steps of 0.2 in log parameters: large against the simulation noise of the moments
    result = least_squares(residuals, x0, bounds=(lo, hi), jac_sparsity=sparsity, diff_step=0.2, x_scale=1.0,
                           max_nfev=max_evaluations, method="trf")  # fmt: skip
    log(f"least_squares stopped: {result.message}")
    cost, z, moments = min(seen, key=lambda s: s[0])
    fit = unpack(z)
    shares = remittance_shares(world, moments["migrant_earnings"])

    def per_region(a: np.ndarray, digits: int, where: np.ndarray | None = None) -> dict[str, float]:
        return _per_region(a, regions, digits, where)

    return {
        "date": _dt.date.today().isoformat(),
        "method": "fowsim.calibration.calibrate: scipy.optimize.least_squares (trf, sparse finite-difference "
        f"Jacobian) on log parameters; {seeds} seeds, {cfg['workers']} workers, {cfg['months']} months, "
        f"means after month {burn_in}; {len(seen)} evaluations; weighted cost {cost:.2f}",
        "targets": {
            "unemployment_rate": per_region(target["unemployment_rate"], 4),
            "ltu_share": per_region(target["ltu_share"], 4),
            "migrant_overqualification": per_region(target["migrant_overqualification"], 4, oq_regions),
            "occupational_mobility": float(target["occupational_mobility"][0]),
            "job_to_job": float(target["job_to_job"][0]),
            **({"migrant_stock": {w: float(v) for w, v in zip(stocks, target["migrant_stock"])}} if stocks else {}),
            **({"informal_share": per_region(target["informal_share"], 4, informal_regions)} if Inf else {}),
            **(
                {"remittance_outflow": {t.where: t.value for t in world.targets_of("remittance_outflow", fitted=True)}}
                if shares
                else {}
            ),  # fmt: skip
        },
        "achieved": _achieved(moments, regions, oq_regions, stocks, informal_regions),
        "values": {
            "opening_multiplier": per_region(fit["opening_multiplier"], 4),
            "separation_rate": per_region(fit["separation_rate"], 5),
            "recognition_multiplier": per_region(fit["recognition_multiplier"][oq_regions], 4, oq_regions),
            **(
                {"quota_multiplier": per_region(fit["quota_multiplier"][stock_regions], 4, stock_regions)} if S else {}
            ),  # fmt: skip
            **(
                {"informal_entry_rate": per_region(fit["informal_entry_rate"][informal_regions], 4, informal_regions)}
                if Inf
                else {}
            ),  # fmt: skip
            **_growth_entry(growth, regions),
            **({"remittance_share": {r: round(v, 4) for r, v in shares.items()}} if shares else {}),
        },
        "parameters": {k: round(float(fit[k]), 4) for k in WORLD_PARAMETERS},
        **(
            {}
            if path is None
            else {
                "demand_path": {
                    r: [round(float(v), 5) for v in row] for r, row in zip(regions, path) if np.isfinite(row).all()
                }
            }
        ),  # fmt: skip
    }


def remittance_shares(world: World, earnings: np.ndarray) -> dict[str, float]:
    """The share of their earnings that migrants in each destination send home, from its fitted outflow.

    `earnings`: migrants' earnings by destination in the calibrated baseline, billion EUR a year; a
    destination with a fitted `remittance_outflow` row (targets.csv) sends that outflow: its share is
    outflow / earnings (at most 1). The others keep parameters.csv's `remittance_share`.
    """
    out = {}
    for t in world.targets_of("remittance_outflow", fitted=True):
        r = world.regions.index(t.where)
        out[t.where] = float(min(1.0, t.value / max(float(earnings[r]), 1e-9)))
    return out


def write_calibration(record: dict[str, Any], world_dir: str | Path) -> Path:
    """Store a calibration record as `calibration.yaml` in the world's folder (atomically)."""
    path = Path(world_dir) / "calibration.yaml"
    tmp = path.with_suffix(".yaml.tmp")
    tmp.write_text(
        "# Fitted by fowsim.calibration.calibrate; regenerate with `python -m fowsim.calibration [world=NAME]`.\n"
        + yaml.safe_dump(record, sort_keys=False)
    )
    tmp.replace(path)
    return path


def refit_demand_growth(cfg: dict[str, Any], seeds: int = 2, burn_in: int = 36, log=print) -> dict[str, Any]:
    """The world's calibration record with `demand_growth` fitted again, the other values held.

    `steady_demand_growth` on the world as calibrated (200,000 workers), then the record's
    `achieved` measured again with that growth (`baseline_moments`, `cfg`'s size). The record's
    `method` says so. A full calibration refits everything, this growth included.
    """
    world = build_scenario(cfg).world
    record = yaml.safe_load((resolve_world_dir(cfg) / "calibration.yaml").read_text())
    growth = steady_demand_growth({**cfg, "workers": 200_000}, log=log)
    # the calibration's values as the world holds them
    x: dict[str, Any] = {
        "opening_multiplier": world.fitted("opening_multiplier", 1.0),
        "separation_rate": world.separation_rate(),
        "recognition_multiplier": world.fitted("recognition_multiplier", np.nan),
        "quota_multiplier": world.fitted("quota_multiplier", np.nan),
        "informal_entry_rate": world.fitted("informal_entry_rate", np.nan),
        **{k: world.params[k] for k in WORLD_PARAMETERS},
    }
    stocks = tuple(t.where for t in world.targets_of("migrant_stock", fitted=True))
    oq = np.array([world.regions.index(t.where) for t in world.targets_of("overqualification_migrant", fitted=True)],
                  int)  # fmt: skip
    moments = baseline_moments(cfg, x, seeds, burn_in, stocks=stocks, growth=growth)
    moments["migrant_overqualification"] = moments["migrant_overqualification"][oq]
    record["values"].update(_growth_entry(growth, world.regions))
    informal = np.flatnonzero(world.rp("informal_share") > 0)
    moments["informal_share"] = moments["informal_share"][informal]
    record["achieved"] = {**record["achieved"], **_achieved(moments, world.regions, oq, stocks, informal)}
    record["method"] = (
        f"{record['method']}; then demand_growth fitted again, the rest held ({_dt.date.today().isoformat()}, "
        f"fowsim.calibration.steady_demand_growth), and achieved measured again with it"
    )
    return record


# ------------------------------------------------------------ training's yield, from its effects
# the programme the fit and the validation check (`training_effects`) evaluate: the reskilling
# policy's, nine months full time, with places for part of the eligible each month (so that there
# are lottery losers to compare with), under a rapid shock on the same path in every region
TRAINING_MONTHS = 9
TRAINING_LOTTERY = ("shock=rapid", "shock.start_month=6", "shock.adoption=exogenous", "policy=reskilling",
                    f"policy.reskilling.duration_months={TRAINING_MONTHS}")  # fmt: skip
# places at once as a share of the world's labour force: 2 million in the default world's 636.2 million
TRAINING_SEAT_SHARE = 2e6 / 636.2e6
# the meta-analysis' horizons, after the programme's end (Card, Kluve & Weber 2018), and targets.csv's name of each
CKW_BINS = {"short": "within the first year", "medium": "one to two years", "long": "more than two years"}
YIELD_BOUNDS = (0.02, 4.0)  # training yields the fit may try
YIELD_TOLERANCE = 0.3  # points: the fit stops once the level is this near its target (about its noise over 3 seeds)


def ckw_horizon(months_after_enrolment: int, duration: int = TRAINING_MONTHS) -> str | None:
    """The meta-analysis' horizon of a follow-up `months_after_enrolment` into a programme of `duration` months."""
    after = months_after_enrolment - duration
    if after <= 0:
        return None  # still in training
    return "short" if after <= 12 else "medium" if after <= 24 else "long"


def training_effects(overrides: list[str], seeds: int, workers: int, months: int,
                     training_yield: float | None = None) -> Any:  # fmt: skip
    """The lottery's effects of the reskilling programme (`TRAINING_LOTTERY`), over `seeds` seeds.

    `fowsim.evaluation.PolicyEffects` of policy "reskilling": winners against the eligible who lost
    the same month's lottery. `training_yield`, if given, replaces the world's.
    """
    from fowsim import evaluation

    extra = [] if training_yield is None else [f"world.params.training_yield={training_yield}"]
    world = load_world(compose(overrides).world)
    # people, to the thousand: seats count people, as the eligible do, so every size samples the same programme
    seats = round(TRAINING_SEAT_SHARE * float(world.rp("labour_force").sum()), -3)
    runs = []
    for seed in range(seeds):
        cfg = as_dict(compose([*TRAINING_LOTTERY, f"policy.reskilling.seats={seats:.0f}", *overrides, *extra,
                               f"workers={workers}", f"months={months}", f"seed={seed}"]))  # fmt: skip
        r = evaluation.run_effects(LabourMarketModel(build_scenario(cfg)).run().results(), "reskilling")
        if r is not None:
            runs.append(r)
    return evaluation.over_seeds("reskilling", runs)


def effects_by_bin(pe: Any) -> dict[str, float]:
    """The effect of taking part on employment, points, averaged over the follow-ups in each meta-analysis bin."""
    from fowsim.lottery import HORIZONS

    out = {}
    for b in CKW_BINS:
        es = [pe.get("participation", "employed", h) for h in HORIZONS if ckw_horizon(h) == b]
        out[b] = float(np.mean([e.mean for e in es])) if es and all(e is not None for e in es) else float("nan")
    return out


def training_level_target(world: World) -> float:
    """The meta-analysis' effect averaged over its three horizons (targets.csv), points: what the yield is fitted to."""
    values = [t.value for b in CKW_BINS for t in world.targets_of(f"training_direct_effect_{b}") if t.where == "all"]
    if len(values) != len(CKW_BINS):
        raise ConfigError("targets.csv: training_direct_effect_{short,medium,long} rows for 'all'", len(values),
                          f"one row each ({len(CKW_BINS)})")  # fmt: skip
    return float(np.mean(values))


def fit_training_yield(overrides: list[str], seeds: int = 3, workers: int = 200_000, months: int = 96,
                       rounds: int = 4, log=print) -> tuple[float, float, float]:  # fmt: skip
    """The training yield at which the programme's effect on its participants has the meta-analysis' level.

    What a month of training teaches is measured nowhere; what programmes do to participants'
    employment is (Card, Kluve & Weber 2018). The level is the effect of taking part averaged over
    the meta-analysis' three horizons (`effects_by_bin`); its path over them is not fitted, and the
    validation check `training_effects` tests it. Each of `rounds` rounds measures the level at a
    trial yield: the world's, then half or one and a half times it, then the secant through the
    last two; it stops once within `YIELD_TOLERANCE`. Returns the measured trial nearest the target,
    its level and the target (points).
    """
    world = load_world(compose(overrides).world)
    target = training_level_target(world)
    y = float(world.params["training_yield"])
    trials: list[tuple[float, float]] = []
    for k in range(rounds):
        bins = effects_by_bin(training_effects(overrides, seeds, workers, months, y))
        missing = [b for b, v in bins.items() if not np.isfinite(v)]
        if missing:
            raise ConfigError("training lottery", ", ".join(missing), "an effect at every horizon of the meta-analysis "
                              "(the lottery had no losers to compare with, or too few months)")  # fmt: skip
        level = float(np.mean(list(bins.values())))
        trials.append((y, level))
        log(f"training yield, round {k + 1} of {rounds}: yield {y:.4f}, effect level {level:+.2f} points "
            f"(target {target:+.2f})")  # fmt: skip
        if abs(level - target) <= YIELD_TOLERANCE:
            break
        if k == 0:
            y *= 0.5 if level > target else 1.5
        else:
            (y0, l0), (y1, l1) = trials[-2], trials[-1]
            slope = (l1 - l0) / (y1 - y0) if y1 != y0 else 0.0
            if slope <= 0:  # the level does not rise with the yield here: keep the nearest trial
                break
            y = y1 + (target - l1) / slope
        y = float(np.clip(y, *YIELD_BOUNDS))
    best, level = min(trials, key=lambda t: abs(t[1] - target))
    log(f"training yield fitted: {best:.4f} (effect level {level:+.2f} points, target {target:+.2f})")
    return best, level, target


def refit_training_yield(cfg: dict[str, Any], overrides: list[str], log=print, **fit: Any) -> dict[str, Any]:
    """The world's calibration record with `training_yield` fitted (`fit_training_yield`), the rest held."""
    record = yaml.safe_load((resolve_world_dir(cfg) / "calibration.yaml").read_text())
    value, level, target = fit_training_yield(overrides, log=log, **fit)
    record.setdefault("parameters", {})["training_yield"] = round(value, 4)
    record.setdefault("targets", {})["training_effect_level"] = round(target, 3)
    record.setdefault("achieved", {})["training_effect_level"] = round(level, 3)
    record["method"] = (
        f"{record['method']}; then training_yield fitted ({_dt.date.today().isoformat()}, "
        "fowsim.calibration.fit_training_yield: the reskilling programme's effect on participants' employment, "
        "averaged over the meta-analysis' three horizons, in points)"
    )
    return record


def resolve_world_dir(cfg: dict[str, Any]) -> Path:
    """The folder of `cfg`'s world, where its calibration.yaml is."""
    return Path(resolve_data_dir(cfg["world"]["data"]))


if __name__ == "__main__":  # pragma: no cover - a maintenance command
    import sys

    # `python -m fowsim.calibration [overrides]`, e.g. world=belgium_morocco: 15 years of 60,000 workers
    # (the full validation's table runs 20 years; the slow test checks every five-year window of 30)
    args = sys.argv[1:]
    if "--training" in args:  # only the training yield, on the world as calibrated
        args.remove("--training")
        cfg = as_dict(compose(args))
        record = refit_training_yield(cfg, args, log=lambda m: print(m, flush=True))
        print(write_calibration(record, resolve_world_dir(cfg)))
        sys.exit(0)
    if "--demand-growth" in args:  # only the steady demand growth, on the world as calibrated
        args.remove("--demand-growth")
        cfg = as_dict(compose(["workers=60000", "months=180", *args]))
        print(write_calibration(refit_demand_growth(cfg, log=lambda m: print(m, flush=True)), resolve_world_dir(cfg)))
        sys.exit(0)
    cfg = as_dict(compose(["workers=60000", "months=180", *args]))
    path = demand_path({**cfg, "workers": 200_000}, years=40, seeds=2, log=lambda m: print(m, flush=True))
    growth = steady_demand_growth({**cfg, "workers": 200_000}, path, log=lambda m: print(m, flush=True))
    record = calibrate(cfg, seeds=2, path=path, growth=growth)
    folder = resolve_world_dir(cfg)
    write_calibration(record, folder)
    # the wage bargain's reference, measured on the world as just calibrated
    record["tightness_reference"] = tightness_reference({**cfg, "workers": 200_000}, log=lambda m: print(m, flush=True))
    write_calibration(record, folder)
    # training's yield, from its participants' effects on the labour market as just calibrated
    print(write_calibration(refit_training_yield(cfg, args, log=lambda m: print(m, flush=True)), folder))
