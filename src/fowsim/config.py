"""Config composition: the Hydra schema (first line of validation) and `compose`.

The schema types every top-level key and group, so a wrong type or an unknown key fails at
composition; `fowsim.scenario.build_scenario` then checks ranges and cross-references. A config
that names a row of a sensitivity study's design (`sample=i`) comes back with that row applied
(`fowsim.design.apply_sample`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from hydra import compose as _hydra_compose
from hydra import initialize_config_dir
from hydra.core.config_store import ConfigStore
from hydra.core.global_hydra import GlobalHydra
from omegaconf import DictConfig, OmegaConf

from fowsim.design import apply_sample
from fowsim.errors import ConfigError
from fowsim.scenario import register_composer

PACKAGE = Path(__file__).parent


def config_dir() -> Path:
    """The folder of fowsim's own configs: inside the installed package, or the repository's `configs/`."""
    for candidate in (PACKAGE / "configs", PACKAGE.parents[1] / "configs"):
        if (candidate / "config.yaml").is_file():
            return candidate
    raise FileNotFoundError("fowsim's configs/ folder is missing from the installation")


@dataclass
class WorldConfig:
    """The `world` group: which data folder, network and behavioural parameters."""

    name: str = "default"
    data: str = "default"  # a folder under fowsim/data, or a path to a folder of CSV files
    network: str | None = None  # None: the world's observed network.csv (else similarity); similarity; a CSV path
    network_mix: float = 0.0  # share of task similarity blended into the network (a sensitivity input)
    self_loop: float | None = None  # None: parameters.csv's network_self_loop (calibrated)
    neighbours: int = 6
    external_origins: list[str] = field(default_factory=lambda: ["rest_of_world"])
    params: dict[str, float] = field(default_factory=dict)  # overrides of parameters.csv


@dataclass
class ShockConfig:
    """The `shock` group: the automation shock's kind, size and timing."""

    kind: str = "none"
    size: float = 1.0
    start_month: int = 12
    duration_months: int = 360
    reallocation: float = 1.0
    region_speed: dict[str, float] = field(default_factory=dict)  # per region, shock=uneven only; empty: regions.csv
    cycle_amplitude: float = 0.0
    cycle_period_months: int = 96
    adoption: str = "wage"  # how employers adopt automation: with the wage of the exposed work, or exogenous


@dataclass
class PhasesConfig:
    """The `phases` key: changes to the monthly schedule (`fowsim.phases.schedule_from_config`)."""

    timing: str = "same_month"  # or paper: matching on the stocks at the start of the month (del Rio-Chanona et al.)
    add: list[Any] = field(default_factory=list)  # {_target_: module.Class, after: PHASE, ...arguments}
    replace: dict[str, Any] = field(default_factory=dict)  # phase name -> module.Class or {_target_: ...}
    remove: list[str] = field(default_factory=list)  # names of phases


@dataclass
class EvaluationConfig:
    """The `evaluation` key: how policy lotteries are followed (`fowsim.lottery`, `fowsim.evaluation`)."""

    controls: int = 1  # eligible losers of a lottery followed for each winner (0: winners only)
    panel: str = "off"  # record every worker's monthly outcome: baseline (runs without policies), on, off


@dataclass
class FowsimConfig:
    """Top level: seed, simulated workers, horizon in months, calendar start, and the groups."""

    seed: int = 0
    workers: int = 50_000
    months: int = 120
    start: str = "2020-01"
    world: WorldConfig = field(default_factory=WorldConfig)
    shock: ShockConfig = field(default_factory=ShockConfig)
    policy: dict[str, Any] = field(default_factory=dict)
    rules: Any = None
    agents: dict[str, Any] = field(default_factory=dict)  # employer / training_provider / government classes
    phases: PhasesConfig = field(default_factory=PhasesConfig)  # changes to the monthly schedule
    evaluation: EvaluationConfig = field(default_factory=EvaluationConfig)  # policy lotteries and their follow-up
    sensitivity: dict[str, Any] = field(default_factory=dict)  # a study's design (fowsim.sensitivity)
    sample: int | None = None  # the row of the study's design this run evaluates


def register_schema() -> None:
    """Register the structured schema with Hydra's ConfigStore (idempotent)."""
    cs = ConfigStore.instance()
    cs.store(name="fowsim_schema", node=FowsimConfig)
    cs.store(group="world", name="world_schema", node=WorldConfig)
    cs.store(group="shock", name="shock_schema", node=ShockConfig)


OPEN_MAPPINGS = ("world.params.", "shock.region_speed.", "agents.", "phases.replace")


def normalise_overrides(overrides: list[str] | tuple[str, ...]) -> list[str]:
    """Let `world.params.NAME=V` (and `shock.region_speed.REGION=V`) set keys the YAML does not list.

    These mappings start empty (their defaults live in the world's data files), so plain Hydra
    would ask for `+`; fowsim adds `++` (add or override) for them.
    """
    return [f"++{o}" if o.startswith(OPEN_MAPPINGS) else o for o in overrides]


def compose(overrides: list[str] | tuple[str, ...] = (), config_dir_extra: str | Path | None = None) -> DictConfig:
    """The config `fowsim run` would build from `overrides`, e.g. `compose(["shock=gradual", "workers=20000"])`.

    `config_dir_extra` adds a folder of the user's own configs (as `--config-dir` does on the CLI).
    What Hydra refuses (an unknown key, a value of the wrong type, a group option that does not
    exist, a config file that is not YAML) raises `ConfigError` with the CLI's one line.
    """
    return with_sample(_compose(normalise_overrides(overrides), config_dir_extra, shown=list(overrides)))


def compose_with_hydra(
    overrides: list[str], config_dir_extra: str | Path | None = None, what: str = "sweep"
) -> DictConfig:
    """The config of `overrides` with Hydra's own node: an experiment's `hydra.sweeper`, the `hydra.launcher`."""
    return _compose(overrides, config_dir_extra, hydra=True, what=what)


def _compose(
    overrides: list[str],
    config_dir_extra: str | Path | None = None,
    hydra: bool = False,
    what: str = "run",
    shown: list[str] | None = None,
) -> DictConfig:
    """Hydra's composition of fowsim's configs (and the user's folder); its errors as the one line of `ConfigError`.

    `shown`: the overrides the error line names (as the user typed them), `overrides` by default.
    """
    register_schema()
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(config_dir()), version_base="1.3"):
            extra = [f"hydra.searchpath=[file://{Path(config_dir_extra).resolve()}]"] if config_dir_extra else []
            return _hydra_compose(config_name="config", overrides=[*extra, *overrides], return_hydra_config=hydra)
    except ConfigError:
        raise
    except Exception as exc:  # noqa: BLE001 - Hydra's and YAML's errors, as one line
        raise composition_error(exc, shown if shown is not None else overrides, what=what) from None
    finally:
        GlobalHydra.instance().clear()


def composition_error(exc: BaseException, overrides: list[str] | tuple[str, ...], what: str = "run") -> ConfigError:
    """Hydra's (often many-line) error composing `overrides` as the one line of `ConfigError`.

    A missing group option names the group and its options; a value of the wrong type, or a key the
    config does not have, names the key and its value; anything else names the overrides.
    """
    import re

    from hydra.errors import MissingConfigException

    text = [line.strip() for line in str(exc).splitlines() if line.strip()]
    first = text[0] if text else exc.__class__.__name__
    found = re.search(r"Could not find '(.+)/([^/']+)'", first)
    if isinstance(exc, MissingConfigException) and found:
        group, name = found.groups()
        start = next((i for i, line in enumerate(text) if line.startswith(f"Available options in '{group}'")), None)
        options = []
        if start is not None:
            for line in text[start + 1 :]:
                if line.startswith("Config search path"):
                    break
                if not line.endswith("_schema"):
                    options.append(line)
        return ConfigError(group, name, f"one of {options}" if options else "a config of that group")
    chain: list[BaseException] = []
    link = exc.__cause__ or exc.__context__
    while link is not None and len(chain) < 8:
        chain.append(link)
        link = link.__cause__ or link.__context__
    broken = next((c for c in [exc, *chain] if isinstance(c, yaml.MarkedYAMLError)), None)
    if broken is not None:  # a config file of the user's that is not YAML
        mark = broken.problem_mark or broken.context_mark
        where = f"{mark.name}" if mark is not None else what
        line = f"line {mark.line + 1}: " if mark is not None else ""
        return ConfigError(where, "unreadable", f"a YAML file ({line}{broken.problem or broken.context})")
    cause = next((c for c in chain if getattr(c, "full_key", None)), exc.__cause__)
    key = getattr(cause, "full_key", None)
    if key:
        # the value refused (Hydra stops at it), else the last override of that key
        given = getattr(cause, "value", None)
        if given is None:
            given = next((o.split("=", 1)[1] for o in reversed(list(overrides))
                          if o.lstrip("+~").split("=", 1)[0] == key), None)  # fmt: skip
        why = str(getattr(cause, "msg", "") or cause).splitlines()[0].strip()
        if "not in" in why and key.startswith("hydra.launcher."):
            return ConfigError(key, given, "a setting of the launcher (`fowsim run hydra/launcher=NAME --cfg hydra "
                               "--package hydra.launcher` lists them)")  # fmt: skip
        if "not in" in why:  # a key the config does not have
            return ConfigError(key, given, "a key of the config (`fowsim run --help` lists the groups; "
                               "world.params.NAME sets a parameter of parameters.csv)")  # fmt: skip
        return ConfigError(key, given, f"a value of the key's type ({why})")
    return ConfigError(what, " ".join(overrides), f"overrides that compose ({first})")


def with_sample(cfg: DictConfig) -> DictConfig:
    """`cfg` with its sensitivity design row (`sample`) applied; unchanged where `sample` is null."""
    if cfg.get("sample") is None:
        return cfg
    raw = OmegaConf.to_container(cfg, resolve=True)
    applied: DictConfig = OmegaConf.create(apply_sample(raw))  # type: ignore[arg-type]
    return applied


register_composer(compose)  # LabourMarketModel(workers=..., seed=..., **overrides)
