"""A validated scenario: the typed objects the model runs on, built from a config mapping.

`build_scenario` is the second line of validation (after the Hydra schema): ranges and
cross-references, each failure one line naming the key, the value and what is allowed. The
keys `sensitivity` and `sample` describe a sensitivity study and are the run layer's to apply
(`fowsim.design.apply_sample`); the model never reads them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fowsim.agents import Employer, Government, TrainingProvider
from fowsim.errors import ConfigError, ExtensionError
from fowsim.extension import import_target
from fowsim.lottery import Evaluation, build_evaluation
from fowsim.phases import Schedule, default_schedule, schedule_from_config
from fowsim.policies import Policy, build_policies
from fowsim.rules import WorkerRules
from fowsim.shocks import Shock, make_shock
from fowsim.world import World, load_world

MAX_MONTHS = 1200  # 100 years; months are stored as int16


@dataclass
class Scenario:
    """Everything one run needs, checked: seed, size, horizon, world, shock, policies, rules, agents, phases."""

    seed: int
    workers: int
    months: int
    start: str
    world: World
    shock: Shock
    policies: list[Policy] = field(default_factory=list)
    rules: WorkerRules = field(default_factory=WorkerRules)
    config: dict[str, Any] = field(default_factory=dict)  # the resolved config, for the record
    agents: dict[str, type[Any]] = field(default_factory=dict)  # employer / training_provider / government -> class
    schedule: Schedule = field(default_factory=default_schedule)  # the month's phases, in order
    evaluation: Evaluation = field(default_factory=Evaluation)  # lotteries' follow-up


def as_dict(cfg: Any) -> dict[str, Any]:
    """A plain dict of plain values from a config mapping (a dict, or the DictConfig `fowsim.compose()` returns).

    Nested mappings become dicts and sequences lists; reading a composed config's values resolves
    its interpolations. A plain dict is returned as it is.
    """
    if isinstance(cfg, dict):
        return cfg
    if isinstance(cfg, Mapping):
        return {str(k): _plain(v) for k, v in cfg.items()}
    raise ConfigError("cfg", type(cfg).__name__, "a config mapping (fowsim.compose()) or a Scenario")


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        return [_plain(v) for v in value]
    return value


def _int(cfg: dict[str, Any], key: str, lo: int, hi: int, allowed: str) -> int:
    value = cfg.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ConfigError(key, value, allowed)
    return value


def build_rules(spec: Any) -> WorkerRules:
    """Worker rules from a `rules` config entry: null, a dotted class path, or {_target_: ...}."""
    if spec is None:
        return WorkerRules()
    target = str(spec.get("_target_") if isinstance(spec, Mapping) else spec)
    cls = import_target(target, "rules._target_")
    if not (isinstance(cls, type) and issubclass(cls, WorkerRules)):
        raise ExtensionError(f"rules._target_={target!r}: expected a subclass of fowsim.WorkerRules")
    kwargs = {k: v for k, v in spec.items() if k != "_target_"} if isinstance(spec, Mapping) else {}
    rules: WorkerRules = cls(**kwargs)
    return rules


AGENT_KINDS = ("employer", "training_provider", "government")
AGENT_BASES: dict[str, type[Any]] = {"employer": Employer, "training_provider": TrainingProvider,
                                     "government": Government}  # fmt: skip


def build_agents(spec: Any) -> dict[str, type[Any]]:
    """The agent classes from an `agents` config entry: per kind, null, a dotted class path or {_target_: ...}.

    Each must subclass fowsim's own (`Employer`, `TrainingProvider`, `Government`) and take the same
    constructor arguments; unset kinds keep fowsim's class.
    """
    spec = spec or {}
    if not isinstance(spec, Mapping):
        raise ConfigError("agents", spec, f"a mapping of {', '.join(AGENT_KINDS)} to a class")
    out = dict(AGENT_BASES)
    for kind, entry in spec.items():
        if kind not in AGENT_BASES:
            raise ConfigError(f"agents.{kind}", entry, f"one of {', '.join(AGENT_KINDS)}")
        if entry is None:
            continue
        target = str(entry.get("_target_") if isinstance(entry, Mapping) else entry)
        cls = import_target(target, f"agents.{kind}._target_")
        if not (isinstance(cls, type) and issubclass(cls, AGENT_BASES[kind])):
            raise ExtensionError(
                f"agents.{kind}._target_={target!r}: expected a subclass of fowsim.{AGENT_BASES[kind].__name__}"
            )
        out[kind] = cls
    return out


# Keyword arguments as a config: the model core knows no Hydra, so `fowsim.config` registers its `compose` here
# when it is imported (as `import fowsim` does), and `LabourMarketModel(workers=2000, seed=1)` works as Mesa's
# `batch_run` calls a model.
_composer: Callable[[list[str]], Any] | None = None


def register_composer(compose: Callable[[list[str]], Any]) -> None:
    """Let `scenario_from_keywords` turn keyword arguments into a config through `compose(overrides)`."""
    global _composer
    _composer = compose


def as_override(key: str, value: Any) -> str:
    """`key=value` as a command-line override: lists as [a,b], booleans as true/false, None as null."""

    def text(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if v is None:
            return "null"
        if isinstance(v, list | tuple):
            return "[" + ",".join(text(x) for x in v) + "]"
        return str(v)

    return f"{key}={text(value)}"


def scenario_from_keywords(overrides: Mapping[str, Any]) -> Scenario:
    """The scenario of keyword overrides (`workers=2000, seed=1, shock="rapid"`, `**{"world.params.x": 2}`)."""
    if _composer is None:
        raise ConfigError("LabourMarketModel(**overrides)", dict(overrides),
                          "keyword overrides need fowsim's configs: import fowsim first")  # fmt: skip
    return build_scenario(_composer([as_override(k, v) for k, v in overrides.items()]))


def build_scenario(cfg: Any) -> Scenario:
    """Check a config mapping and build the `Scenario` it describes."""
    raw = as_dict(cfg)
    seed = _int(raw, "seed", 0, 2**63 - 1, "a whole number >= 0")
    workers = _int(raw, "workers", 100, 50_000_000, "a whole number of simulated workers from 100 to 50,000,000")
    months = _int(raw, "months", 1, MAX_MONTHS, f"a whole number of months from 1 to {MAX_MONTHS}")
    start = str(raw.get("start", "2020-01"))
    try:
        year, month = (int(x) for x in start.split("-"))
        if not 1 <= month <= 12 or not 1000 <= year <= 9000:  # calendars, plots and files all hold these
            raise ValueError
    except ValueError:
        raise ConfigError("start", start, "a calendar month YYYY-MM from 1000-01 to 9000-12") from None
    world = load_world(raw.get("world") or {})
    shock = make_shock(raw.get("shock") or {}, world.regions, world.rp("adoption_speed"))
    policies = build_policies(raw.get("policy") or {}, world)
    rules = build_rules(raw.get("rules"))
    agents = build_agents(raw.get("agents"))
    schedule = schedule_from_config(raw.get("phases"))
    evaluation = build_evaluation(raw.get("evaluation"))
    return Scenario(seed, workers, months, f"{year:04d}-{month:02d}", world, shock, policies, rules, raw, agents,
                    schedule, evaluation)  # fmt: skip
