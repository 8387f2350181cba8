"""A sensitivity study's declaration and design: the `sensitivity:` node of an experiment, parsed and sampled.

An experiment declares a study (see `configs/experiment/sensitivity.yaml` and `fowsim.sensitivity`);
`parse` checks the declaration, `Study.design` draws the design (SALib: Morris trajectories or
Sobol/Saltelli points), and `apply_sample` sets a run's config to its row of the design (`sample=i`).
Kept apart from the study's running and analysis (`fowsim.sensitivity`) so that the config layer
can apply a design row without importing the sweep machinery.
"""

from __future__ import annotations

import copy
import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from fowsim.errors import ConfigError

METHODS = ("morris", "sobol")
REDUCE = ("last_year", "mean", "sum", "max", "end")
RESULT = "sensitivity.nc"
MAX_SAMPLES = 200_000


@dataclass(frozen=True)
class Parameter:
    """An uncertain input or a lever: a config key and its range; whole numbers if both bounds are."""

    key: str
    low: float
    high: float
    integer: bool = False


@dataclass(frozen=True)
class Outcome:
    """A number measured in each run: an indicator over some regions, or a variable of results.nc reduced.

    An indicator is a name of `fowsim.indicators.INDICATORS`; a variable is selected, summed and
    reduced over time (`reduce`).
    """

    name: str
    variable: str  # a variable of results.nc ("" where an indicator is named)
    sel: dict[str, Any] = field(default_factory=dict)
    reduce: str = "last_year"
    minimise: bool = True  # for regret: lower is better
    indicator: str = ""  # a name of fowsim.indicators.INDICATORS


@dataclass(frozen=True)
class Study:
    """The study an experiment declares: design, parameters, outcomes, discovery and regret."""

    method: str
    samples: int
    seed: int
    levels: int
    parameters: tuple[Parameter, ...]
    outcomes: tuple[Outcome, ...]
    discovery: dict[str, Any] | None
    regret: dict[str, Any] | None
    spec: str  # the declaration, as JSON

    @property
    def names(self) -> list[str]:
        """The parameters' config keys."""
        return [p.key for p in self.parameters]

    def problem(self) -> dict[str, Any]:
        """SALib's problem definition."""
        return {"num_vars": len(self.parameters), "names": self.names,
                "bounds": [[p.low, p.high] for p in self.parameters]}  # fmt: skip

    def design(self) -> np.ndarray:
        """The design: one row per sample, one column per parameter (deterministic from the seed)."""
        return _design(self.spec).copy()

    @property
    def n_samples(self) -> int:
        """Rows of the design."""
        d = len(self.parameters)
        return self.samples * (d + 1) if self.method == "morris" else self.samples * (d + 2)


def _key(prefix: str, name: str) -> str:
    return f"{prefix}.{name}"


def _real(key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigError(key, value, "a finite number")
    return float(value)


def _whole(key: str, value: Any, minimum: int, allowed: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(key, value, allowed)
    return value


def parse(spec: Any, prefix: str = "sensitivity") -> Study:
    """Check a `sensitivity:` declaration and return the `Study`; bad input raises a one-line ConfigError."""
    from fowsim.scenario import as_dict

    raw = as_dict(spec) if spec is not None else {}
    if not raw:
        raise ConfigError(prefix, raw, "a study: method, samples, parameters and outcomes (see docs/sensitivity.md)")
    allowed = {"method", "samples", "seed", "levels", "parameters", "outcomes", "discovery", "regret"}
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise ConfigError(_key(prefix, unknown[0]), raw[unknown[0]], f"one of the keys {', '.join(sorted(allowed))}")
    method = raw.get("method", "morris")
    if method not in METHODS:
        raise ConfigError(_key(prefix, "method"), method, f"one of {', '.join(METHODS)}")
    samples = _whole(_key(prefix, "samples"), raw.get("samples", 10), 2, "a whole number >= 2")
    if method == "sobol" and samples & (samples - 1):
        raise ConfigError(_key(prefix, "samples"), samples, "a power of 2 for Sobol sequences (4, 8, 16, ...)")
    seed = _whole(_key(prefix, "seed"), raw.get("seed", 0), 0, "a whole number >= 0")
    levels_allowed = "an even whole number >= 2 (Morris grid levels)"
    levels = _whole(_key(prefix, "levels"), raw.get("levels", 4), 2, levels_allowed)
    if levels % 2:
        raise ConfigError(_key(prefix, "levels"), levels, levels_allowed)
    params = raw.get("parameters") or {}
    if not isinstance(params, dict) or not params:
        raise ConfigError(_key(prefix, "parameters"), params, "a mapping of config keys to [low, high]")
    params = _flatten(params)  # `shock.size: [..]` and `shock: {size: [..]}` (as the command line nests it) alike
    parameters = []
    for key, bounds in sorted(params.items()):  # sorted: the order must survive any serialisation of the config
        k = _key(prefix, f"parameters.{key}")
        if key in ("seed", "sample", "workers", "months", "start") or key.startswith(("sensitivity", "hydra")):
            raise ConfigError(k, bounds, "a model parameter (seed, sample, size and horizon are not uncertainties)")
        if not isinstance(bounds, (list, tuple)) or len(bounds) != 2:
            raise ConfigError(k, bounds, "[low, high]")
        low, high = _real(k, bounds[0]), _real(k, bounds[1])
        if not low < high:
            raise ConfigError(k, list(bounds), "[low, high] with low < high")
        integer = all(isinstance(b, int) and not isinstance(b, bool) for b in bounds)
        parameters.append(Parameter(str(key), low, high, integer))
    outs = raw.get("outcomes") or {}
    if not isinstance(outs, dict) or not outs:
        raise ConfigError(_key(prefix, "outcomes"), outs, "a mapping of names to {variable, reduce, ...}")
    outcomes = []
    for name, o in sorted(outs.items()):
        k = _key(prefix, f"outcomes.{name}")
        if isinstance(o, dict) and "indicator" in o:
            outcomes.append(_indicator_outcome(k, str(name), o))
            continue
        if not isinstance(o, dict) or "variable" not in o:
            raise ConfigError(k, o, "{indicator: NAME, [region: R]} or {variable: NAME, [region: R], "
                              "[reduce: last_year], [minimise: true]}")  # fmt: skip
        extra = sorted(set(o) - {"variable", "reduce", "minimise", "region", "origin", "destination", "occupation"})
        if extra:
            raise ConfigError(f"{k}.{extra[0]}", o[extra[0]], "variable, reduce, minimise or a dimension to select")
        reduce = o.get("reduce", "last_year")
        if reduce not in REDUCE:
            raise ConfigError(f"{k}.reduce", reduce, f"one of {', '.join(REDUCE)}")
        sel = {d: o[d] for d in ("region", "origin", "destination", "occupation") if d in o}
        outcomes.append(Outcome(str(name), str(o["variable"]), sel, reduce, bool(o.get("minimise", True))))
    names = [o.name for o in outcomes]
    discovery = raw.get("discovery")
    if discovery is not None:
        k = _key(prefix, "discovery")
        if not isinstance(discovery, dict) or discovery.get("outcome") not in names:
            raise ConfigError(f"{k}.outcome", (discovery or {}).get("outcome"), f"one of the outcomes {names}")
        if ("above" in discovery) == ("below" in discovery):
            raise ConfigError(k, discovery, "a threshold: either above: X or below: X")
        _real(f"{k}.{'above' if 'above' in discovery else 'below'}", discovery.get("above", discovery.get("below")))
        extra = sorted(set(discovery) - {"outcome", "above", "below", "policy", "min_coverage", "peel"})
        if extra:
            allowed_keys = "outcome, above/below, policy, min_coverage, peel"
            raise ConfigError(f"{k}.{extra[0]}", discovery[extra[0]], allowed_keys)
    regret = raw.get("regret")
    if regret is not None and (not isinstance(regret, dict) or regret.get("outcome") not in names):
        raise ConfigError(_key(prefix, "regret.outcome"), (regret or {}).get("outcome"), f"one of the outcomes {names}")
    spec_json = json.dumps({"method": method, "samples": samples, "seed": seed, "levels": levels,
                            "parameters": [[p.key, p.low, p.high] for p in parameters]}, sort_keys=True)  # fmt: skip
    study = Study(method, samples, seed, levels, tuple(parameters), tuple(outcomes), discovery, regret, spec_json)
    if study.n_samples > MAX_SAMPLES:
        raise ConfigError(_key(prefix, "samples"), samples, f"a design of at most {MAX_SAMPLES:,} rows")
    return study


def _indicator_outcome(key: str, name: str, o: dict[str, Any]) -> Outcome:
    """An outcome naming an indicator of the registry: `{indicator: NAME, region: R or [R, ...], minimise: ...}`."""
    from fowsim.indicators import INDICATORS

    extra = sorted(set(o) - {"indicator", "region", "minimise"})
    if extra:
        raise ConfigError(f"{key}.{extra[0]}", o[extra[0]], "indicator, region or minimise")
    ind = INDICATORS.get(str(o["indicator"]))
    if ind is None:
        raise ConfigError(f"{key}.indicator", o["indicator"], f"one of {sorted(INDICATORS)}")
    sel = {"region": o["region"]} if "region" in o else {}
    minimise = bool(o.get("minimise", ind.better != "higher"))
    return Outcome(name, "", sel, "last_year", minimise, ind.name)


def _flatten(node: dict, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in node.items():
        name = f"{prefix}{key}"
        inner = _flatten(value, f"{name}.") if isinstance(value, dict) else {name: value}
        for k, v in inner.items():
            if k in out:
                raise ConfigError(f"sensitivity.parameters.{k}", v, "one range per key (this one is given twice)")
            out[k] = v
    return out


@lru_cache(maxsize=8)
def _design(spec_json: str) -> np.ndarray:
    """The design of a study (cached: every run of a sweep in one process draws it once)."""
    spec = json.loads(spec_json)
    names = [key for key, _, _ in spec["parameters"]]  # in the order declared
    problem = {"num_vars": len(names), "names": names, "bounds": [[lo, hi] for _, lo, hi in spec["parameters"]]}
    if spec["method"] == "morris":
        from SALib.sample import morris

        return morris.sample(problem, spec["samples"], num_levels=spec["levels"], seed=spec["seed"])
    from SALib.sample import sobol

    return sobol.sample(problem, spec["samples"], calc_second_order=False, seed=spec["seed"])


def _set(raw: dict, key: str, value: Any) -> None:
    node = raw
    parts = key.split(".")
    for part in parts[:-1]:
        if not isinstance(node.get(part), dict):
            node[part] = {}
        node = node[part]
    node[parts[-1]] = value


def apply_values(raw: dict, study: Study, row: np.ndarray) -> dict:
    """`raw` (a config dict) with the parameters set to `row`; a lever `policy.NAME.x` only where NAME runs."""
    out = copy.deepcopy(raw)
    running = set((out.get("policy") or {}).keys())
    for p, v in zip(study.parameters, row):
        parts = p.key.split(".")
        if parts[0] == "policy" and len(parts) > 2 and parts[1] not in running:
            continue
        _set(out, p.key, int(round(float(v))) if p.integer else float(v))
    return out


def apply_sample(raw: dict) -> dict:
    """A run's config with its design row (`sample`) applied; unchanged where `sample` is null."""
    sample = raw.get("sample")
    if sample is None:
        return raw
    study = parse(raw.get("sensitivity"))
    if isinstance(sample, bool) or not isinstance(sample, int) or not 0 <= sample < study.n_samples:
        raise ConfigError("sample", sample, f"a row of the study's design, 0 to {study.n_samples - 1}")
    return apply_values(raw, study, study.design()[sample])
