"""Sensitivity analysis, scenario discovery and robust policy comparison over sampled futures.

An experiment declares a study in its `sensitivity:` node (see `configs/experiment/sensitivity.yaml`):

```yaml
sensitivity:
  method: morris            # morris (screening) or sobol (variance shares)
  samples: 10               # Morris trajectories, or Sobol base samples N (a power of 2)
  seed: 0                   # of the design
  parameters:               # uncertainties and levers: a config key and its [low, high]
    shock.size: [0.5, 1.5]
    world.params.migration_cost_scale: [0.5, 2.0]
    policy.reskilling.seats: [50000, 400000]   # a lever: set where the policy runs
  outcomes:                 # what to measure in each run
    ltu_north_africa: {indicator: long_term_unemployment_rate, region: north_africa}   # in %, last year
  discovery: {outcome: ltu_north_africa, policy: baseline, above: 5}
  regret: {outcome: ltu_north_africa}
```

`fowsim sensitivity EXPERIMENT` draws the design (SALib: Morris trajectories or Sobol/Saltelli
points), runs every design row (`sample=i`) for each policy and seed of the experiment's sweep
through the sweep machinery (all cores, Slurm, resumable: a run already done is skipped), and
writes `sensitivity.nc`: the design, each run's outcomes, the indices with confidence intervals,
the scenario-discovery boxes (PRIM) with coverage, density and feature scores, and each policy's
regret. A run's design row is applied to its config before the model is built
(`fowsim.design.apply_sample`, by the run layer), so its `results.nc` carries the values it ran
with. The declaration and the design live in `fowsim.design`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from fowsim.design import RESULT, Outcome, Study, apply_values, parse
from fowsim.errors import ConfigError
from fowsim.indicators import value as indicator_value
from fowsim.manifest import read as read_manifest
from fowsim.recorder import open_results

__all__ = ["RESULT", "Outcome", "Study", "analyse", "describe", "parse", "plan_study", "run_study"]


# ---------------------------------------------------------------- measuring a run


def outcome_value(ds: xr.Dataset, o: Outcome) -> float:
    """One outcome of one run."""
    if o.indicator:
        region = o.sel.get("region")
        regions = None if region is None else ([region] if isinstance(region, str) else list(region))
        unknown = [r for r in regions or [] if r not in ds.region.values]
        if unknown:
            known = [str(r) for r in ds.region.values]
            raise ConfigError(f"sensitivity.outcomes.{o.name}.region", unknown[0], f"a region of {known}")
        return indicator_value(ds, o.indicator, regions)
    if o.variable not in ds:
        known = sorted(str(v) for v in ds.data_vars if "time" in ds[v].dims)
        raise ConfigError(f"sensitivity.outcomes.{o.name}.variable", o.variable, f"a variable of results.nc ({known})")
    x = ds[o.variable]
    for dim, value in o.sel.items():
        if dim not in x.dims or value not in x[dim].values:
            raise ConfigError(f"sensitivity.outcomes.{o.name}.{dim}", value, f"a {dim} of {o.variable}")
        x = x.sel({dim: value})
    x = x.sum([d for d in x.dims if d != "time"])
    if o.reduce == "last_year":
        return float(x.isel(time=slice(-12, None)).mean())
    if o.reduce == "end":
        return float(x.isel(time=-1))
    return float(getattr(x, o.reduce)())


# ---------------------------------------------------------------- analysis


def indices(study: Study, X: np.ndarray, Y: np.ndarray, conf_level: float = 0.95) -> dict[str, np.ndarray]:
    """Sensitivity indices of the outcome `Y` (one value per design row) with confidence intervals.

    Morris: `mu`, `mu_star` (mean absolute elementary effect), `mu_star_conf`, `sigma`. Sobol:
    first-order `S1` and total `ST` with `S1_conf` and `ST_conf` (half-widths at `conf_level`).
    """
    Y = np.asarray(Y, dtype=float)
    if not np.isfinite(Y).all():
        raise ValueError("an outcome is NaN in some runs: the indices need every run")
    if study.method == "morris":
        from SALib.analyze import morris

        si = morris.analyze(study.problem(), X, Y, num_levels=study.levels, conf_level=conf_level,
                            num_resamples=1000, seed=study.seed)  # fmt: skip
        keys = ("mu", "mu_star", "mu_star_conf", "sigma")
    else:
        from SALib.analyze import sobol

        si = sobol.analyze(study.problem(), Y, calc_second_order=False, conf_level=conf_level, num_resamples=1000,
                           seed=study.seed)  # fmt: skip
        keys = ("S1", "S1_conf", "ST", "ST_conf")
    return {k: np.asarray(si[k], dtype=float) for k in keys}


def prim(X: np.ndarray, y: np.ndarray, alpha: float = 0.05, min_mass: float = 0.02,
         min_coverage: float = 0.5) -> dict[str, Any]:  # fmt: skip
    """PRIM (Friedman and Fisher 1999): peel the box of the input space where `y` (booleans) is most often true.

    Each step removes the slice of at most `alpha` of the points in the box, at the lower or upper
    end of one parameter, that raises the share of cases of interest inside (density) the most,
    until `min_mass` of the points are left or no peel helps. The chosen box is the densest on the
    peeling trajectory whose coverage (share of all cases of interest inside) is at least
    `min_coverage`. Returns the box (`lower`, `upper` per parameter: a peeled bound sits at the
    outermost point left inside, an unpeeled one at the sample's range), its `coverage`, `density`
    and `mass`, and the trajectory.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=bool)
    n, d = X.shape
    total = max(int(y.sum()), 1)
    inside = np.ones(n, dtype=bool)
    lower, upper = X.min(axis=0).copy(), X.max(axis=0).copy()
    boxes = [(lower.copy(), upper.copy())]
    coverage, density, mass = [y.sum() / total], [y.mean() if n else 0.0], [1.0]
    while inside.sum() / n > min_mass:
        best = None
        xs_in, ys_in = X[inside], y[inside]
        for j in range(d):
            col = xs_in[:, j]
            for side in (0, 1):
                cut = np.quantile(col, alpha) if side == 0 else np.quantile(col, 1 - alpha)
                keep = col > cut if side == 0 else col < cut
                if keep.all() or not keep.any():  # discrete values: drop the extreme value itself
                    edge = col.min() if side == 0 else col.max()
                    keep = col > edge if side == 0 else col < edge
                if keep.all() or not keep.any() or keep.sum() / n < min_mass:
                    continue
                dens = ys_in[keep].mean()
                if best is None or dens > best[0] + 1e-12 or (abs(dens - best[0]) <= 1e-12 and keep.sum() > best[3]):
                    best = (dens, j, keep, int(keep.sum()), side)
        if best is None or best[0] <= density[-1] + 1e-12:
            break
        _, j, keep, _, side = best
        idx = np.flatnonzero(inside)
        inside[idx[~keep]] = False
        if side == 0:  # only the peeled bound moves: a parameter never peeled keeps its whole range
            lower[j] = X[inside, j].min()
        else:
            upper[j] = X[inside, j].max()
        boxes.append((lower.copy(), upper.copy()))
        coverage.append(y[inside].sum() / total)
        density.append(y[inside].mean())
        mass.append(inside.sum() / n)
    coverage_a, density_a = np.array(coverage), np.array(density)
    ok = np.flatnonzero(coverage_a >= min_coverage)
    pick = int(ok[np.argmax(density_a[ok])]) if ok.size else 0
    return {"lower": boxes[pick][0], "upper": boxes[pick][1], "coverage": float(coverage_a[pick]),
            "density": float(density_a[pick]), "mass": float(mass[pick]), "step": pick,
            "trajectory": {"coverage": coverage_a, "density": density_a, "mass": np.array(mass)}}  # fmt: skip


def feature_scores(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """How much each parameter tells the cases of interest apart, and the p-value of that.

    The score is the Kolmogorov-Smirnov distance between the parameter's values in the cases of
    interest and in the others: 0, no difference; 1, they do not overlap.
    """
    from scipy.stats import ks_2samp

    y = np.asarray(y, dtype=bool)
    if y.all() or not y.any():
        return np.zeros(X.shape[1]), np.ones(X.shape[1])
    tests = [ks_2samp(X[y, j], X[~y, j]) for j in range(X.shape[1])]
    return np.array([t.statistic for t in tests]), np.array([t.pvalue for t in tests])


def regret(values: np.ndarray, minimise: bool = True) -> np.ndarray:
    """Each policy's regret in each future: how far its outcome is from the best policy's (policies x futures)."""
    values = np.asarray(values, dtype=float)
    best = values.min(axis=0) if minimise else values.max(axis=0)
    return values - best if minimise else best - values


def analyse(folder: str | Path, out: str | Path | None = None) -> Path:
    """`sensitivity.nc` from a finished study folder: outcomes, indices, discovery boxes and regret."""
    folder = Path(folder)
    runs = read_manifest(folder)["runs"]
    missing = [r for r in runs if r["status"] != "done"]
    if missing:
        raise RuntimeError(f"{len(missing)} of {len(runs)} runs did not finish; run the same command again")
    keyed = []
    for r in runs:
        kv = dict(o.lstrip("+").split("=", 1) for o in r["overrides"] if "=" in o)
        keyed.append((kv.get("policy", "baseline"), int(kv["sample"]), int(kv.get("seed", 0)), r["dir"]))
    policies = list(dict.fromkeys(k[0] for k in keyed))
    seeds = sorted({k[2] for k in keyed})
    with open_results(folder / keyed[0][3] / "results.nc") as first:
        config = json.loads(first.attrs["config"])
    study = parse(config.get("sensitivity"))
    X = study.design()
    n = X.shape[0]
    values = np.full((len(study.outcomes), len(policies), n, len(seeds)), np.nan)
    for policy, sample, seed, d in keyed:
        with open_results(folder / d / "results.nc") as ds:
            ran = json.loads(ds.attrs["config"])
            applied = apply_values(ran, study, X[sample])
            if applied != ran:  # the design drawn here is not the one the run used
                raise RuntimeError(f"run {d}: its parameters differ from the design's row {sample}")
            for i, o in enumerate(study.outcomes):
                values[i, policies.index(policy), sample, seeds.index(seed)] = outcome_value(ds, o)
    mean = values.mean(axis=3)  # over seeds: (outcome, policy, sample)
    onames = [o.name for o in study.outcomes]
    coords = {"outcome": onames, "policy": policies, "sample": np.arange(n), "seed": seeds, "parameter": study.names}
    out_ds = xr.Dataset(coords=coords)
    out_ds["design"] = (("sample", "parameter"), X)
    out_ds["low"] = ("parameter", [p.low for p in study.parameters])
    out_ds["high"] = ("parameter", [p.high for p in study.parameters])
    out_ds["value"] = (("outcome", "policy", "sample", "seed"), values)
    out_ds["value"].attrs["long_name"] = "each run's outcome"
    si = [[indices(study, X, mean[i, j]) for j in range(len(policies))] for i in range(len(onames))]
    for k in si[0][0]:
        out_ds[k] = (("outcome", "policy", "parameter"), np.array([[row[k] for row in per] for per in si]))
    attrs: dict[str, Any] = {"title": f"fowsim sensitivity: {folder.name}", "method": study.method,
                             "samples": study.samples, "design_rows": n, "runs": len(runs),
                             "study": json.dumps(config.get("sensitivity"), sort_keys=True),
                             "minimise": json.dumps({o.name: o.minimise for o in study.outcomes})}  # fmt: skip
    if study.discovery:
        dsc = study.discovery
        oi = onames.index(dsc["outcome"])
        policy = dsc.get("policy", policies[0])
        if policy not in policies:
            raise ConfigError("sensitivity.discovery.policy", policy, f"one of the study's policies {policies}")
        y_val = mean[oi, policies.index(policy)]
        above = "above" in dsc
        threshold = float(dsc["above"] if above else dsc["below"])
        cases = y_val > threshold if above else y_val < threshold
        box = prim(X, cases, alpha=float(dsc.get("peel", 0.05)), min_coverage=float(dsc.get("min_coverage", 0.5)))
        score, pvalue = feature_scores(X, cases)
        out_ds["case_of_interest"] = ("sample", cases)
        out_ds["box_lower"] = ("parameter", box["lower"])
        out_ds["box_upper"] = ("parameter", box["upper"])
        out_ds["feature_score"] = ("parameter", score)
        out_ds["feature_pvalue"] = ("parameter", pvalue)
        for k in ("coverage", "density", "mass"):
            out_ds[f"peel_{k}"] = ("peel_step", box["trajectory"][k])
        attrs.update({"discovery_outcome": dsc["outcome"], "discovery_policy": policy,
                      "discovery_rule": f"{dsc['outcome']} {'>' if above else '<'} {threshold:g}",
                      "box_coverage": box["coverage"], "box_density": box["density"], "box_mass": box["mass"],
                      "box_step": box["step"], "cases_of_interest": int(cases.sum())})  # fmt: skip
    if study.regret and len(policies) > 1:
        oi = onames.index(study.regret["outcome"])
        r = regret(mean[oi], study.outcomes[oi].minimise)
        out_ds["regret"] = (("policy", "sample"), r)
        best = np.argmin(r, axis=0)
        out_ds["best_count"] = ("policy", np.bincount(best, minlength=len(policies)))
        out_ds["regret_mean"] = ("policy", r.mean(axis=1))
        out_ds["regret_max"] = ("policy", r.max(axis=1))
        out_ds["regret_p90"] = ("policy", np.quantile(r, 0.9, axis=1))
        attrs.update({"regret_outcome": study.regret["outcome"],
                      "most_often_best": policies[int(np.argmax(out_ds.best_count.values))],
                      "least_worst_case": policies[int(np.argmin(out_ds.regret_max.values))]})  # fmt: skip
    out_ds.attrs.update(attrs)
    path = Path(out) if out else folder / RESULT
    from fowsim.io import write_dataset

    write_dataset(out_ds, path)
    return path


def main_index(ds: xr.Dataset) -> tuple[str, str]:
    """The index that ranks the parameters in a `sensitivity.nc`, and its interval: Morris mu*, or Sobol ST."""
    return ("mu_star", "mu_star_conf") if ds.attrs["method"] == "morris" else ("ST", "ST_conf")


def restricted(ds: xr.Dataset) -> list[str]:
    """The parameters whose range the discovery box narrows."""
    tol = 1e-9 * (ds.high - ds.low)
    narrowed = (ds.box_lower - ds.low > tol) | (ds.high - ds.box_upper > tol)
    return [str(p) for p in ds.parameter.values[narrowed.values]]


def describe(path: str | Path) -> str:
    """A few lines on a `sensitivity.nc`: the most influential parameters, the box, the regret."""
    with open_results(path) as f:
        ds = f.load()
    lines = [f"{path}: {ds.attrs['method']}, {ds.attrs['design_rows']} design rows, {ds.attrs['runs']} runs"]
    key, _ = main_index(ds)
    for o in ds.outcome.values:
        s = ds[key].sel(outcome=o).isel(policy=0)
        order = np.argsort(-s.values)[:3]
        top = ", ".join(f"{ds.parameter.values[i]} ({s.values[i]:.3g})" for i in order)
        lines.append(f"  {o} ({ds.policy.values[0]}): {key} largest for {top}")
    if "box_lower" in ds and not ds.attrs.get("cases_of_interest"):
        lines.append(f"  {ds.attrs['discovery_rule']} ({ds.attrs['discovery_policy']}): in none of the futures")
    elif "box_lower" in ds:
        narrowed = restricted(ds)
        rule = " and ".join(f"{ds.box_lower.sel(parameter=p).item():.3g} <= {p} <= "
                            f"{ds.box_upper.sel(parameter=p).item():.3g}" for p in narrowed) or "anywhere"  # fmt: skip
        lines.append(f"  {ds.attrs['discovery_rule']} ({ds.attrs['discovery_policy']}): {rule}; coverage "
                     f"{ds.attrs['box_coverage']:.0%}, density {ds.attrs['box_density']:.0%}")  # fmt: skip
    if "regret" in ds:
        lines.append(f"  regret on {ds.attrs['regret_outcome']}: best most often {ds.attrs['most_often_best']}, "
                     f"smallest worst case {ds.attrs['least_worst_case']}")  # fmt: skip
    return "\n".join(lines)


def plan_study(name: str, overrides: list[str], config_dir: str | None = None):
    """The sweep of a study: the experiment's policies and seeds x every design row; checked before any run.

    Every parameter key must exist in the config (a policy's lever in a policy the study runs), and
    every policy must build at the parameters' lows and at their highs. Returns (plan, study).
    """
    from omegaconf import OmegaConf

    from fowsim.config import compose
    from fowsim.scenario import as_dict, build_scenario
    from fowsim.sweep import fixed_overrides, plan

    # what every run shares; a key swept on the command line (policy=a,b) is the sweep's, as in `fowsim sweep`
    fixed = fixed_overrides([o for o in overrides if not o.startswith("hydra")])

    def composed(extra: list[str]):
        try:
            return compose([f"+experiment={name}", *fixed, *extra], config_dir_extra=config_dir)
        except ConfigError:  # a key, a value or the experiment's name: compose's one line says which
            raise
        except Exception as exc:  # noqa: BLE001 - Hydra's composition error, in one line
            first = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
            raise ConfigError("experiment", name, f"an experiment whose config composes ({first})") from None

    cfg = composed([])
    study = parse(cfg.get("sensitivity"))
    if any(o.split("=", 1)[0].lstrip("+") == "sample" for o in overrides):
        raise ConfigError("sample", "given", "left to fowsim sensitivity (it runs every row of the design)")
    p = plan([f"+experiment={name}", *overrides, f"sample=range({study.n_samples})"], config_dir=config_dir)
    policies = sorted({o.split("=", 1)[1] for job in p.jobs for o in job if o.startswith("policy=")})
    bases = {pol: composed([f"policy={pol}"]) for pol in policies} or {"": cfg}
    absent = object()
    for q in study.parameters:
        parts = q.key.split(".")
        if q.key.startswith(("world.params.", "shock.region_speed.")):
            continue  # open mappings: checked when the world loads (below)
        found = [pol for pol, c in bases.items() if OmegaConf.select(c, q.key, default=absent) is not absent]
        if not found:
            where = "a config key" if parts[0] != "policy" else f"a field of a policy the study runs ({policies})"
            raise ConfigError(f"sensitivity.parameters.{q.key}", [q.low, q.high], where)
    lows = np.array([q.low for q in study.parameters])
    highs = np.array([q.high for q in study.parameters])
    for pol, c in bases.items():
        base = as_dict(c)
        for corner in (lows, highs):
            try:
                build_scenario(apply_values(base, study, corner))
            except ConfigError as exc:
                hit = next((q for q in study.parameters if exc.key == q.key or exc.key.endswith(q.key)), None)
                key, value = (
                    (f"sensitivity.parameters.{hit.key}", [hit.low, hit.high]) if hit else ("sensitivity", exc.key)
                )
                where = f" with policy={pol}" if pol else ""
                raise ConfigError(key, value, f"a range the model accepts{where} ({exc})") from None
    dsc = study.discovery or {}
    if policies and dsc.get("policy") is not None and dsc["policy"] not in policies:
        raise ConfigError("sensitivity.discovery.policy", dsc["policy"], f"one of the study's policies {policies}")
    _probe_outcomes(study, as_dict(next(iter(bases.values()))))
    return p, study


def _probe_outcomes(study: Study, base: dict[str, Any]) -> None:
    """Measure every outcome on a two-month run of 1,000 workers: a misspelt variable or region fails now.

    Only the names are checked here (a region of the world, a variable of results.nc, a coordinate of
    its dimensions); the values of a run this small mean nothing.
    """
    from fowsim.model import LabourMarketModel
    from fowsim.scenario import build_scenario

    small = {**base, "workers": 1000, "months": 2, "sample": None}
    try:
        ds = LabourMarketModel(build_scenario(small)).run().results()
    except Exception:  # noqa: BLE001 - a config the corners accept but this size does not: the runs will say
        return
    for o in study.outcomes:
        try:
            outcome_value(ds, o)
        except ConfigError as exc:
            if exc.key.startswith("sensitivity.outcomes."):
                raise
        except Exception:  # noqa: BLE001,S112 - a value this small a run cannot give (a horizon): not a name
            continue


def run_study(
    name: str,
    overrides: list[str] | tuple[str, ...] = (),
    config_dir: str | Path | None = None,
    processes: int = 1,
    progress: bool = True,
) -> Path:
    """`fowsim sensitivity NAME [overrides]` from Python: the study's runs (resumable), then `sensitivity.nc`.

    The runs land in the same folder as the CLI's, so either can resume the other. Returns the path
    of `sensitivity.nc`.
    """
    from fowsim.sweep import execute

    user_dir = str(Path(config_dir).resolve()) if config_dir is not None else None
    p, study = plan_study(name, [str(o) for o in overrides], user_dir)
    if progress:
        print(f"sensitivity: {study.method}, {study.n_samples} design rows, {len(p.jobs)} runs", file=sys.stderr)
    execute(p, processes=processes, progress=progress, collect_runs=False)
    return analyse(p.folder)
