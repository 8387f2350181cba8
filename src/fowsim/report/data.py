"""What a report shows, computed from a run's `results.nc` or a sweep's `sweep.nc`.

Both are brought to one shape: the sweep's dimensions (`policy`, `shock`, ...) plus `seed` in
front of a run's own. A single run becomes a sweep of one policy arm and one seed. Headline
indicators are scalars per arm and seed; `headline` returns their mean, a 90% interval across seeds
and the paired difference from the baseline arm with the same seed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xarray as xr

from fowsim.effects import Effect, adjust, paired
from fowsim.evaluation import (
    BaselinePanel,
    PolicyEffects,
    baseline_panel,
    below_resolution,
    effects_of_run,
    enrols,
    over_seeds,
    simulated_participants,
)
from fowsim.evaluation import resolution as _resolution
from fowsim.indicators import INDICATORS as REGISTRY
from fowsim.indicators import REPORT, Indicator
from fowsim.recorder import open_results

BASELINE = "baseline"


@dataclass
class Source:
    """A report's input: the dataset (swept dims + seed in front), its kind and the arm dimension."""

    ds: xr.Dataset
    kind: str  # "run" or "sweep"
    path: Path
    arm: str  # the dimension whose values are compared (policy where swept)
    facets: list[str]  # other swept dimensions: one table per combination

    @property
    def arms(self) -> list[str]:
        """The compared values, as text."""
        return [str(v) for v in self.ds[self.arm].values]

    @property
    def reference(self) -> str:
        """The arm single-arm charts show: the baseline, or else the first arm."""
        return BASELINE if BASELINE in self.arms else self.arms[0]

    @property
    def has_baseline(self) -> bool:
        """Whether a baseline arm is there to compare with."""
        return self.arm == "policy" and BASELINE in self.arms

    def config(self, **sel) -> dict:
        """The resolved config of one run (the first finished one of the selection)."""
        if "run_config" not in self.ds:
            return json.loads(self.ds.attrs["config"])
        cell = self.ds["run_config"].sel(sel) if sel else self.ds["run_config"]
        status = self.ds["run_status"].sel(sel) if sel else self.ds["run_status"]
        for text, st in zip(np.ravel(cell.values), np.ravel(status.values)):
            if st == 0 and str(text).startswith("{"):
                return json.loads(str(text))
        return {}


def _policy_name(config: dict) -> str:
    names = sorted((config.get("policy") or {}).keys())
    return "+".join(names) if names else BASELINE


def load(path: str | Path) -> Source:
    """Open a run folder, a sweep folder, or either file."""
    path = Path(path)
    if path.is_dir():
        candidates = [path / "sweep.nc", path / "results.nc"]
        found = next((c for c in candidates if c.is_file()), None)
        if found is None:
            raise FileNotFoundError(
                f"{path}: neither sweep.nc nor results.nc (run `fowsim collect {path}` for a sweep)"
            )
        path = found
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    ds = open_results(path).load()
    if "run_status" in ds:
        keys = json.loads(ds.attrs["swept_keys"])
        others = [k for k in keys if k != "seed"]
        arm = "policy" if "policy" in others else (others[0] if others else "seed")
        if arm == "seed":  # a sweep of seeds only: one arm, named by its policy
            ds = ds.expand_dims(policy=[_policy_name(Source(ds, "sweep", path, "seed", []).config())])
            arm = "policy"
        return Source(ds, "sweep", path, arm, [k for k in others if k != arm])
    config = json.loads(ds.attrs["config"])
    ds = ds.expand_dims(seed=[int(ds.attrs.get("seed", 0))]).expand_dims(policy=[_policy_name(config)])
    ds["run_status"] = (("policy", "seed"), np.zeros((1, 1), dtype=np.int8))
    return Source(ds, "run", path, "policy", [])


# ---------------------------------------------------------------- headline indicators
# the report's headline indicators, from the one registry (`fowsim.indicators`): a scalar per arm and seed
INDICATORS: tuple[Indicator, ...] = tuple(REGISTRY[name] for name in REPORT)


@dataclass
class Cell:
    """An arm's level (mean, 5th and 95th percentiles across seeds) and its effect against the baseline.

    The effect is the paired per-seed difference from the baseline run of the same seed
    (`fowsim.effects`): its mean, Student-t 90% interval, and whether it is beyond the noise.
    """

    mean: float
    low: float
    high: float
    seeds: int = 0
    effect: Effect | None = None

    @property
    def diff(self) -> float:
        """The mean difference from the baseline (NaN without one)."""
        return self.effect.mean if self.effect is not None else np.nan

    @property
    def diff_low(self) -> float:
        """Lower end of the difference's 90% interval (NaN with fewer than two seeds)."""
        return self.effect.low if self.effect is not None else np.nan

    @property
    def diff_high(self) -> float:
        """Upper end of the difference's 90% interval."""
        return self.effect.high if self.effect is not None else np.nan

    @property
    def significant(self) -> bool:
        """Beyond the noise: enough seeds, and the false-discovery-rate control of the table passed."""
        return self.effect is not None and self.effect.significant


def _interval(values: np.ndarray) -> tuple[float, float, float]:
    values = values[np.isfinite(values)]
    if values.size == 0:
        return np.nan, np.nan, np.nan
    return float(values.mean()), float(np.percentile(values, 5)), float(np.percentile(values, 95))


@dataclass(frozen=True)
class Resolution:
    """Whether an arm's participants are enough to measure it at this size (`fowsim.evaluation.resolution`)."""

    participants: float  # simulated workers a run took part
    resolved: bool
    workers: int  # simulated workers of the runs
    needed: int  # workers that would resolve it (0: nobody took part, no size can be read from the runs)

    def text(self) -> str:
        """What the report says instead of an effect."""
        return "" if self.resolved else below_resolution(self.participants, self.workers, self.needed)


def resolutions(src: Source, facet: dict) -> dict[str, Resolution]:
    """Each policy arm's resolution in the runs of `facet` (arms whose policies all act on everyone are resolved)."""
    ds = src.ds.sel(facet) if facet else src.ds
    out = {}
    for arm in src.arms:
        cfg = src.config(**{src.arm: arm}, **facet) if src.kind == "sweep" else src.config()
        names = list((cfg.get("policy") or {}).keys())
        workers = int(cfg.get("workers", 0) or 0)
        if not names or not enrols(names):
            out[arm] = Resolution(np.nan, True, workers, workers)
            continue
        if "run_participants" in ds:
            v = ds["run_participants"].sel({src.arm: arm}).where(ds.run_status.sel({src.arm: arm}) == 0).values
            n = float(np.nanmean(v)) if np.isfinite(v).any() else 0.0
        else:
            n = simulated_participants(src.ds.attrs)
        ok, needed = _resolution(n, workers, float(src.ds.attrs.get("scale_people_per_worker", 1.0)))
        out[arm] = Resolution(n, ok, workers, needed)
    return out


def headline(src: Source, facet: dict) -> dict[str, dict[str, Cell]]:
    """Indicator name -> arm -> Cell, for the runs of `facet` (values of the other swept keys).

    An arm below the model's resolution (`resolutions`) gets no effect: its cells show levels only.
    """
    ds = src.ds.sel(facet) if facet else src.ds
    done = ds.run_status == 0
    below = {a for a, r in resolutions(src, facet).items() if not r.resolved}
    out: dict[str, dict[str, Cell]] = {}
    for ind in INDICATORS:
        values = ind.compute(ds).where(done)
        base = values.sel({src.arm: BASELINE}) if src.has_baseline else None
        cells = {}
        for a in src.arms:
            v = values.sel({src.arm: a}).values
            cell = Cell(*_interval(np.asarray(v, float)), seeds=int(np.isfinite(v).sum()))
            if base is not None and a != BASELINE and a not in below:
                cell.effect = paired(np.asarray((values.sel({src.arm: a}) - base).values, float))
            cells[a] = cell
        out[ind.name] = cells
    # the table's differences are one family: which of them are beyond the noise is decided together
    adjust([c.effect for cells in out.values() for c in cells.values() if c.effect is not None])
    if src.has_baseline:
        # EUR per extra person-year: the ratio of the mean differences, where employment rises beyond the noise
        spend, emp = out["spending"], out["employment"]
        out[COST] = {}
        for a in src.arms:
            gain = emp[a].diff if emp[a].significant and emp[a].diff > 0 else np.nan
            out[COST][a] = Cell(spend[a].diff * 1e6 / (gain * 1e6), np.nan, np.nan, seeds=emp[a].seeds)
    return out


COST = "cost_per_person_year"  # derived from two indicators: not in the registry
COST_LABEL = "cost per additional person-year employed"


def facets(src: Source) -> list[dict]:
    """Every combination of the other swept keys (one table each); [{}] when there are none."""
    combos: list[dict] = [{}]
    for key in src.facets:
        combos = [{**c, key: v} for c in combos for v in src.ds[key].values]
    return combos


def failures(src: Source) -> list[str]:
    """A line per run that failed or is missing, naming its keys and its error."""
    ds = src.ds
    if "run_status" not in ds:
        return []
    lines = []
    status = ds.run_status
    for index in zip(*np.nonzero(status.values > 0)):
        sel = {d: ds[d].values[i] for d, i in zip(status.dims, index)}
        what = ", ".join(f"{k}={v}" for k, v in sel.items())
        state = "failed" if int(status.values[index]) == 1 else "missing"
        error = str(ds.run_error.values[index]) if "run_error" in ds and state == "failed" else ""
        lines.append(f"{what}: {state}" + (f" ({error})" if error else ""))
    return lines


def participant_effects(src: Source, facet: dict) -> dict[str, dict[str, PolicyEffects]]:
    """Arm -> policy -> its effects on the people of its lotteries over the seeds (`fowsim.evaluation`).

    Read from each run's `results.nc` (a sweep's `run_folder`s), against the baseline run of the same
    seed and facet where there is one and it kept its panel (spillover and total effects).
    """
    if src.kind == "run":
        with open_results(src.path) as ds:
            return {src.arms[0]: {p: over_seeds(p, [r]) for p, r in effects_of_run(ds).items()}}
    ds = src.ds.sel(facet) if facet else src.ds
    folder = src.path.parent
    out: dict[str, dict[str, PolicyEffects]] = {}
    cache: dict[Path, BaselinePanel | None] = {}
    for arm in src.arms:
        if arm == BASELINE:
            continue
        per: dict[str, list] = {}
        for seed in ds.seed.values:
            cell = {src.arm: arm, "seed": seed}
            if int(ds.run_status.sel(cell)) != 0:
                continue
            base = None
            if src.has_baseline and int(ds.run_status.sel({**cell, src.arm: BASELINE})) == 0:
                base = folder / str(ds.run_folder.sel({**cell, src.arm: BASELINE}).values) / "results.nc"
            b = baseline_panel(base, cache) if base is not None else None
            with open_results(folder / str(ds.run_folder.sel(cell).values) / "results.nc") as run:
                for p, r in effects_of_run(run, b).items():
                    per.setdefault(p, []).append(r)
        out[arm] = {p: over_seeds(p, runs) for p, runs in per.items()}
    return out
