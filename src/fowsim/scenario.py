"""A validated scenario: the typed objects the model runs on, built from a config mapping.

`build_scenario` is the second line of validation (after the Hydra schema): ranges and
cross-references, each failure one line naming the key, the value and what is allowed.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fowsim.errors import ConfigError, ExtensionError
from fowsim.rules import WorkerRules
from fowsim.shocks import Shock, make_shock
from fowsim.world import World, load_world

MAX_MONTHS = 1200  # 100 years; months are stored as int16


@dataclass
class Scenario:
    """Everything one run needs, checked: seed, size, horizon, world, shock, policies, rules."""

    seed: int
    workers: int
    months: int
    start: str
    world: World
    shock: Shock
    policies: list = field(default_factory=list)
    rules: WorkerRules = field(default_factory=WorkerRules)
    config: dict = field(default_factory=dict)  # the resolved config, for the record
    agents: dict = field(default_factory=dict)  # employer / training_provider / government -> class


def as_dict(cfg: Any) -> dict:
    """A plain dict from a DictConfig, a mapping or a dataclass-like object."""
    if isinstance(cfg, dict):
        return cfg
    try:
        from omegaconf import DictConfig, OmegaConf

        if isinstance(cfg, DictConfig):
            return OmegaConf.to_container(cfg, resolve=True)  # type: ignore[return-value]
    except ImportError:  # pragma: no cover
        pass
    if isinstance(cfg, Mapping):
        return dict(cfg)
    raise ConfigError("cfg", type(cfg).__name__, "a config mapping (fowsim.compose()) or a Scenario")


def import_target(path: str, key: str) -> Any:
    """The object named by a dotted `path` ('package.module.Name'), or a clear error."""
    module, _, name = str(path).rpartition(".")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError, ValueError) as exc:
        raise ConfigError(key, path, f"an importable 'module.Name' ({exc.__class__.__name__}: {exc})") from None


def _int(cfg: dict, key: str, lo: int, hi: int, allowed: str) -> int:
    value = cfg.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ConfigError(key, value, allowed)
    return value


def build_rules(spec: Any) -> WorkerRules:
    """Worker rules from a `rules` config entry: null, a dotted class path, or {_target_: ...}."""
    if spec is None:
        return WorkerRules()
    target = spec.get("_target_") if isinstance(spec, Mapping) else spec
    cls = import_target(target, "rules._target_")
    if not (isinstance(cls, type) and issubclass(cls, WorkerRules)):
        raise ExtensionError(f"rules._target_={target!r}: expected a subclass of fowsim.WorkerRules")
    kwargs = {k: v for k, v in spec.items() if k != "_target_"} if isinstance(spec, Mapping) else {}
    return cls(**kwargs)


AGENT_KINDS = ("employer", "training_provider", "government")


def build_agents(spec: Any) -> dict[str, type]:
    """The agent classes from an `agents` config entry: per kind, null, a dotted class path or {_target_: ...}.

    Each must subclass fowsim's own (`Employer`, `TrainingProvider`, `Government`) and take the same
    constructor arguments; unset kinds keep fowsim's class.
    """
    from fowsim.agents import Employer, Government, TrainingProvider

    base = {"employer": Employer, "training_provider": TrainingProvider, "government": Government}
    spec = spec or {}
    if not isinstance(spec, Mapping):
        raise ConfigError("agents", spec, f"a mapping of {', '.join(AGENT_KINDS)} to a class")
    out = dict(base)
    for kind, entry in spec.items():
        if kind not in base:
            raise ConfigError(f"agents.{kind}", entry, f"one of {', '.join(AGENT_KINDS)}")
        if entry is None:
            continue
        target = entry.get("_target_") if isinstance(entry, Mapping) else entry
        cls = import_target(target, f"agents.{kind}._target_")
        if not (isinstance(cls, type) and issubclass(cls, base[kind])):
            raise ExtensionError(
                f"agents.{kind}._target_={target!r}: expected a subclass of fowsim.{base[kind].__name__}"
            )
        out[kind] = cls
    return out


def build_scenario(cfg: Any) -> Scenario:
    """Check a config mapping and build the `Scenario` it describes."""
    raw = as_dict(cfg)
    if raw.get("sample") is not None:  # a row of a sensitivity study's design
        from fowsim.sensitivity import apply_sample

        raw = apply_sample(raw)
    seed = _int(raw, "seed", 0, 2**63 - 1, "a whole number >= 0")
    workers = _int(raw, "workers", 100, 50_000_000, "a whole number of simulated workers from 100 to 50,000,000")
    months = _int(raw, "months", 1, MAX_MONTHS, f"a whole number of months from 1 to {MAX_MONTHS}")
    start = str(raw.get("start", "2020-01"))
    try:
        year, month = (int(x) for x in start.split("-"))
        if not 1 <= month <= 12:
            raise ValueError
    except ValueError:
        raise ConfigError("start", start, "a calendar month YYYY-MM") from None
    world = load_world(raw.get("world") or {})
    shock = make_shock(raw.get("shock") or {}, world.regions, world.rp("adoption_speed"))
    from fowsim.policies import build_policies

    policies = build_policies(raw.get("policy") or {}, world)
    rules = build_rules(raw.get("rules"))
    agents = build_agents(raw.get("agents"))
    return Scenario(seed, workers, months, f"{year:04d}-{month:02d}", world, shock, policies, rules, raw, agents)
