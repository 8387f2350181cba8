"""The world a scenario lives in: regions, occupations, the mobility network, migration corridors.

A world is a folder of CSV files (and an optional `calibration.yaml`); `load_world` reads it,
checks every figure, and returns a `World` of plain numpy arrays. The default world ships in
`fowsim/data/default`; a user world is any folder with the same files (see `docs/worlds.md`).
"""

from __future__ import annotations

import copy
import functools
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import yaml
from scipy.optimize import brentq

from fowsim.codes import PERMANENT, REFUGEE, TEMPORARY
from fowsim.errors import ConfigError

DATA_DIR = Path(__file__).parent / "data"
TASKS = (
    "task_nonroutine_analytic",
    "task_nonroutine_interpersonal",
    "task_routine_cognitive",
    "task_routine_manual",
    "task_nonroutine_manual",
)
EDUCATION = ("edu_primary", "edu_secondary", "edu_post_secondary", "edu_tertiary")

# region parameter -> (kind of check, description of what is allowed)
REGION_PARAMETERS: dict[str, tuple[str, str]] = {
    "labour_force": ("positive", "people"),
    "unemployment_target": ("fraction", "fraction of the labour force"),
    "ltu_share_target": ("fraction", "fraction of the unemployed"),
    "wage_level": ("positive", "EUR per month"),
    "adoption_speed": ("positive", "relative speed, EU = 1"),
    "training_capacity": ("fraction", "fraction of the labour force in training"),
    "edu_primary": ("fraction", "share of the labour force"),
    "edu_secondary": ("fraction", "share of the labour force"),
    "edu_post_secondary": ("fraction", "share of the labour force"),
    "edu_tertiary": ("fraction", "share of the labour force"),
    "entry_rate": ("fraction", "entrants per year as a fraction of the labour force"),
    "retirement_age": ("age", "years"),
    "separation_rate": ("fraction", "monthly probability"),
    "female_share": ("fraction", "share of the labour force"),
    "median_age": ("age", "years"),
    "demand_follows_labour_force": ("flag", "1: labour demand follows the run's own labour force; 0: its own path"),
    "demand_growth": ("real", "annual growth of labour demand where the calibration holds no demand path"),
    "demand_path_measured": ("flag", "1: demand's path is the baseline's labour force (calibration); 0: demand_growth"),
    "employer_tied_visas": ("flag", "1: a temporary migrant's work visa is tied to the sponsoring employer (kafala)"),
    "informal_share": ("fraction", "informal employment as a share of all employment (0: no informal work)"),
    "youth_participation_ratio": ("positive", "participation at ages 15-24 against ages 15-64 (ages.csv weights)"),
}
# rows regions.csv may leave out, and their values then: demand follows the baseline's labour force; visas are not
# tied; no informal work
OPTIONAL_REGION_PARAMETERS = {"demand_path_measured": 1.0, "employer_tied_visas": 0.0, "informal_share": 0.0,
                              "youth_participation_ratio": 1.0}  # fmt: skip
OCCUPATION_COLUMNS = (
    "occupation",
    "isco",
    "name",
    "skill_level",
    "min_credential",
    "automation_exposure",
    "relative_wage",
    *TASKS,
)
CORRIDOR_COLUMNS = (
    "origin",
    "destination",
    "initial_stock",
    "migration_cost",
    "temporary_share",
    "refugee_share",
    "annual_quota",
    "recognition_months",
    "recognition_approval",
)
WORLD_FILES = ("regions.csv", "occupations.csv", "employment.csv", "corridors.csv", "parameters.csv")
OPTIONAL_WORLD_FILES = ("targets.csv", "network.csv", "world.yaml", "calibration.yaml", "cohorts.csv", "ages.csv",
                        "deaths.csv")  # fmt: skip
COHORT_COLUMNS = ("region", "year", "entering_age", "working_age", "source")
AGE_COLUMNS = ("region", "age", "women", "men", "source")


@dataclass(frozen=True)
class ParameterRange:
    """What a behavioural parameter may be: a number in [low, high] (a whole number where `whole`), in `unit`."""

    low: float
    high: float
    whole: bool
    unit: str

    def allowed(self) -> str:
        """What a value may be, in words."""
        what = "a whole number" if self.whole else "a number"
        return f"{what} in [{self.low:g}, {self.high:g}]" + (f" ({self.unit})" if self.unit not in ("", "1") else "")

    def admits(self, value: float) -> bool:
        """Whether `value` is finite, within the range, and whole where it must be."""
        return math.isfinite(value) and self.low <= value <= self.high and (not self.whole or value == int(value))


@dataclass(frozen=True)
class Corridors:
    """Migration corridors origin -> destination, one entry per corridor (arrays of length K)."""

    origin: np.ndarray  # index into World.origins
    destination: np.ndarray  # index into World.regions
    initial_stock: np.ndarray  # people
    migration_cost: np.ndarray  # EUR, one-off
    temporary_share: np.ndarray
    refugee_share: np.ndarray
    annual_quota: np.ndarray  # people per year
    recognition_months: np.ndarray
    recognition_approval: np.ndarray

    def __len__(self) -> int:
        return len(self.origin)

    def draw_channel(
        self, rng: np.random.Generator, k: np.ndarray | int | np.integer, n: int, temporary: bool = True
    ) -> np.ndarray:
        """Migration status of `n` movers on corridors `k`: temporary, refugee or permanent, by the shares.

        With `temporary=False` the temporary channel is left out and the others keep their proportions.
        """
        u = rng.random(n)
        temp, ref = self.temporary_share[k], self.refugee_share[k]
        if not temporary:
            ref = ref / np.maximum(1e-12, 1.0 - temp)
            temp = np.zeros_like(ref)
        return np.where(u < temp, TEMPORARY, np.where(u < temp + ref, REFUGEE, PERMANENT))


TARGET_QUANTITIES = ("migrant_share_employed", "migrant_stock", "overqualification_native", "overqualification_migrant",
                     "occupational_mobility", "job_to_job", "training_effect_6m", "training_effect_24m",
                     "training_direct_effect_short", "training_direct_effect_medium", "training_direct_effect_long",
                     "training_direct_effect_rise", "remittance_outflow", "remittance_inflow",
                     "informal_share_primary", "africans_in_africa", "women_unemployment_gap",
                     "gender_pay_gap", "female_participation_15_64", "female_participation_15plus",
                     "retirement_index")  # fmt: skip
TARGET_COLUMNS = ("quantity", "where", "value", "tolerance", "rule", "unit", "fitted", "source")


@dataclass(frozen=True)
class Target:
    """A published figure the world's baseline is checked against (a row of `targets.csv`).

    `where` is `all` (the whole world), a region, or `origin+origin->destination` for a migrant
    stock; `rule` is `abs` (within `tolerance` of `value`), `min` (at least) or `max` (at most);
    `fitted` targets are ones the calibration fits (`fowsim.calibration`).
    """

    quantity: str
    where: str
    value: float
    tolerance: float
    rule: str
    unit: str
    fitted: bool
    source: str

    @property
    def regions(self) -> tuple[str, ...]:
        """The regions the target names (origins and destination of a stock)."""
        if self.where == "all":
            return ()
        return tuple(p for part in self.where.split("->") for p in part.split("+"))


@dataclass(frozen=True)
class World:
    """Everything the model needs to know about places, jobs and routes, as arrays."""

    name: str
    regions: tuple[str, ...]
    origins: tuple[str, ...]  # regions, then external origins (no simulated labour market)
    occupations: tuple[str, ...]
    occupation_names: tuple[str, ...]
    isco: tuple[str, ...]
    region_params: dict[str, np.ndarray]  # parameter -> (R,)
    skill_level: np.ndarray  # (O,) ISCO-08 skill level 1..4
    min_credential: np.ndarray  # (O,) 0..3
    exposure: np.ndarray  # (O,) automation exposure probability
    relative_wage: np.ndarray  # (O,)
    women_share: np.ndarray  # (O,) women's share of the occupation where measured (occupations.csv), NaN elsewhere
    tasks: np.ndarray  # (O, 5)
    employment: np.ndarray  # (R, O) employment shares, rows sum to 1
    network: np.ndarray  # (O, O) row-stochastic occupational mobility, self-loop on the diagonal
    corridors: Corridors
    params: dict[str, float]  # behavioural parameters (parameters.csv + overrides)
    calibration: dict[str, np.ndarray]  # fitted per-region values
    calibration_info: dict[str, Any] = field(default_factory=dict)
    sources: str = ""
    param_ranges: dict[str, ParameterRange] = field(default_factory=dict)  # what each parameter may be
    targets: tuple[Target, ...] = ()  # published figures the baseline is checked against (targets.csv)
    network_kind: str = "similarity"  # observed (the world's network.csv), similarity, or the CSV's path
    demand_path: np.ndarray | None = None  # (R, years + 1) labour demand relative to its start, year by year
    cohorts: Cohorts | None = None  # projected population reaching working age, and of working age (cohorts.csv)
    ages: Ages | None = None  # the base year's population by age group and sex (ages.csv)
    deaths: Mortality | None = None  # death rates by age group and sex (deaths.csv)
    # (R, O) the wage bargain's reference log tightness (calibration.yaml), where measured on this network
    tightness_reference: np.ndarray | None = None

    def demand_index(self, t: float) -> np.ndarray:
        """Labour demand's own path at month `t`, relative to its start, by region (the demand closure).

        The baseline's labour force, year by year, where calibration.yaml holds it (`demand_path`,
        measured by `fowsim.calibration.demand_path`): interpolated in logs between years, and
        beyond the last year continued at its last five years' growth. Elsewhere `demand_growth`
        a year (calibration.yaml's where fitted, `fowsim.calibration.steady_demand_growth`, else
        regions.csv's). A scenario's extra workers (migrants, entrants) do not move this path.
        """
        steady = (1.0 + self.fitted("demand_growth", self.rp("demand_growth"))) ** (t / 12.0)
        if self.demand_path is None:
            return steady
        log_path = np.log(self.demand_path)
        years = t / 12.0
        last = log_path.shape[1] - 1
        slope = (log_path[:, last] - log_path[:, max(0, last - 5)]) / max(1, min(5, last))
        inside = np.array([np.interp(years, np.arange(last + 1), row) for row in log_path])
        value = np.exp(np.where(years <= last, inside, log_path[:, last] + slope * (years - last)))
        return np.where(np.isfinite(value), value, steady)

    @property
    def n_regions(self) -> int:
        """Number of simulated regions."""
        return len(self.regions)

    @property
    def n_occupations(self) -> int:
        """Number of occupations."""
        return len(self.occupations)

    @property
    def low_skill(self) -> np.ndarray:
        """Occupations (bool, O) of ISCO skill level 1-2: a tertiary graduate there is over-qualified."""
        return self.skill_level <= 2

    @functools.cached_property
    def female_probability(self) -> np.ndarray:
        """Probability (R, O) that a worker of region r in occupation o is a woman: occupational segregation.

        Each occupation's odds of a woman are its measured odds (`women_share`, occupations.csv) times
        the region's factor, which is set so that the region's employment (employment.csv) holds its
        `female_share` of women (regions.csv): the pattern of where women work is the data's, its
        level the region's. Without a measured share, an occupation holds the region's share.
        """
        share = self.rp("female_share")
        measured = np.isfinite(self.women_share)
        out = np.repeat(share[:, None], self.n_occupations, axis=1)
        if not measured.any():
            return out
        w = np.clip(self.women_share, 1e-3, 1 - 1e-3)
        log_odds = np.log(w / (1 - w))  # NaN where not measured: those keep the region's share

        def held(a: float, f: float) -> np.ndarray:
            return np.where(measured, 1.0 / (1.0 + np.exp(-(a + log_odds))), f)

        def gap(a: float, emp: np.ndarray, f: float) -> float:
            return float(emp @ held(a, f)) - f

        for r, f in enumerate(share):
            if 0.0 < f < 1.0:  # (a region of all men or all women keeps its share everywhere)
                out[r] = held(brentq(gap, -30.0, 30.0, args=(self.employment[r], f)), f)
        return out

    def region(self, name: str) -> int:
        """Index of region `name`."""
        return self.regions.index(name)

    def rp(self, name: str) -> np.ndarray:
        """Per-region parameter `name` as an array over regions."""
        return self.region_params[name]

    @functools.cached_property
    def retirement_months(self) -> np.ndarray:
        """Each region's `retirement_age` in whole months of age (R,): a worker's retirement, or else a death."""
        return np.round(self.rp("retirement_age") * 12).astype(np.int64)

    def exit_month(
        self, rng: np.random.Generator, region: np.ndarray, female: np.ndarray, birth: np.ndarray, t: int
    ) -> np.ndarray:
        """Month each worker, alive at month `t`, leaves the labour force for good: retirement or death.

        Retirement at the region's `retirement_age`; death before it drawn from the region's death
        rates by age and sex (deaths.csv), where the world has them (no draw where it has none).
        """
        retire = np.asarray(birth, dtype=np.int64) + self.retirement_months[region]
        if self.deaths is None:
            return retire
        death = self.deaths.months_to_death(rng, region, female, t - np.asarray(birth))
        death += t
        return np.minimum(retire, death, out=death)

    def moved_exit_month(
        self, region: np.ndarray, before: np.ndarray, birth: np.ndarray, exit_before: np.ndarray
    ) -> np.ndarray:
        """Exit month of workers moving from region `before` to `region`: the new region's retirement age.

        A death drawn before the move (an exit earlier than the old region's retirement) stays.
        """
        ret = self.retirement_months
        birth = np.asarray(birth, dtype=np.int64)
        exit_before = np.asarray(exit_before, dtype=np.int64)
        death = np.where(exit_before < birth + ret[before], exit_before, np.iinfo(np.int16).max)
        return np.minimum(birth + ret[region], death)

    def fitted(self, name: str, default: np.ndarray | float) -> np.ndarray:
        """Per-region value `name` from calibration.yaml, `default` where the calibration has none."""
        base = np.broadcast_to(np.asarray(default, dtype=float), (self.n_regions,))
        value = self.calibration.get(name)
        return base.copy() if value is None else np.where(np.isnan(value), base, value)

    def separation_rate(self) -> np.ndarray:
        """Monthly separation rate by region: fitted to the long-term share where calibrated, else regions.csv."""
        return self.fitted("separation_rate", self.rp("separation_rate"))

    def targets_of(self, quantity: str, fitted: bool | None = None) -> list[Target]:
        """The targets of `quantity` that apply to this world (only fitted ones, or only unfitted, if asked).

        A target applies where its regions are simulated (a migrant stock's origins may be external).
        """

        def applies(t: Target) -> bool:
            if "->" in t.where:
                origins, dest = t.where.split("->")
                return dest in self.regions and all(o in self.origins for o in origins.split("+"))
            return all(r in self.regions for r in t.regions)

        return [t for t in self.targets if t.quantity == quantity and applies(t)
                and (fitted is None or t.fitted == fitted)]  # fmt: skip

    def annual_quota(self) -> np.ndarray:
        """Each corridor's annual quota (people a year): corridors.csv's, scaled where calibrated.

        Corridors from the simulated regions into a destination with a fitted `quota_multiplier`
        (fitted to the migrant stock there, targets.csv) take corridors.csv's quota times it; the
        others keep corridors.csv's.
        """
        c = self.corridors
        fitted = self.fitted("quota_multiplier", 1.0)[c.destination]
        return c.annual_quota * np.where(c.origin < self.n_regions, fitted, 1.0)

    def recognition_approval(self) -> np.ndarray:
        """Approval probability of each corridor's credentials, at most 1.

        corridors.csv's rate times the destination's fitted `recognition_multiplier` (fitted to
        migrants' over-qualification; 1 where not fitted) times `recognition_approval_scale`.
        """
        c = self.corridors
        scale = self.params.get("recognition_approval_scale", 1.0)
        fitted = self.fitted("recognition_multiplier", 1.0)[c.destination]
        return np.minimum(1.0, c.recognition_approval * fitted * scale)


def _folder(data: str | Path, relative_to: Path | None = None) -> Path:
    """The world folder `data`: a path, absolute or relative, or the name of a folder under `fowsim/data`.

    A relative path is looked up under `relative_to` first, then under the working folder.
    """
    path = Path(str(data)).expanduser()
    if relative_to is not None and not path.is_absolute() and (relative_to / path).is_dir():
        return (relative_to / path).resolve()
    if not path.is_absolute() and not path.exists() and (DATA_DIR / str(data)).is_dir():
        return DATA_DIR / str(data)
    return path


WORLD_SPEC_KEYS = {"base", "description", "regions"}


def read_yaml(path: Path) -> Any:
    """A world's YAML file (`world.yaml`, `calibration.yaml`); unreadable, not UTF-8 or not YAML: one line."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        why = str(exc).splitlines()[0] if isinstance(exc, UnicodeDecodeError) else exc.__class__.__name__
        raise ConfigError(str(path), "unreadable", f"a UTF-8 YAML file ({why})") from None


def world_spec(path: Path) -> dict[str, Any]:
    """The world's `world.yaml` merged over its bases' (the world's own keys win); {} without one."""
    spec: dict[str, Any] = {}
    for layer in world_layers(path):
        if (layer / "world.yaml").is_file():
            spec.update(read_yaml(layer / "world.yaml") or {})
    return spec


def world_layers(path: Path) -> list[Path]:
    """The folders a world reads, base first: the world itself, or a chain of `base:` in `world.yaml`.

    A world folder with a `world.yaml` naming a `base` world holds only what differs from it: each
    CSV row it has replaces the base's row with the same key (region and parameter, region and
    occupation, origin and destination...) or adds a new one; files it lacks come from the base.
    `world.yaml` may also list the `regions` to simulate: the others' rows are left out, and those
    with corridors into a simulated region become external origins of migrants.
    """
    layers = [path]
    while (layers[0] / "world.yaml").is_file():
        spec = layers[0] / "world.yaml"
        raw = read_yaml(spec) or {}
        if not isinstance(raw, dict) or set(raw) - WORLD_SPEC_KEYS:
            keys = sorted(raw) if isinstance(raw, dict) else raw
            raise ConfigError(str(spec), keys, f"a mapping with the keys {', '.join(sorted(WORLD_SPEC_KEYS))}")
        if raw.get("base") is None:
            break
        base = _folder(raw["base"], relative_to=layers[0].parent)
        names = sorted(p.name for p in DATA_DIR.iterdir() if p.is_dir())
        if not base.is_dir():
            raise ConfigError(f"{spec}: base", raw["base"], f"a world folder or one of {names}")
        if base.resolve() in {p.resolve() for p in layers}:
            raise ConfigError(f"{spec}: base", raw["base"], "a world that does not lead back to this one")
        if not any((base / f).is_file() for f in (*WORLD_FILES, "world.yaml")):
            holding = ", ".join(WORLD_FILES)
            raise ConfigError(f"{spec}: base", raw["base"], f"a world folder (holding some of {holding}), "
                              f"relative to {layers[0].parent} or one of {names}")  # fmt: skip
        layers.insert(0, base)
    return layers


def resolve_data_dir(data: str | Path) -> Path:
    """Folder of a world: a name under `fowsim/data`, or a path."""
    path = _folder(data)
    if not path.is_dir():
        names = sorted(p.name for p in DATA_DIR.iterdir() if p.is_dir())
        raise ConfigError("world.data", str(data), f"a world folder or one of {names}")
    layers = world_layers(path)
    known = {*WORLD_FILES, *OPTIONAL_WORLD_FILES}
    for layer in layers:  # a misnamed file (netwrok.csv, calibration.yml) would be silently never read
        stray = sorted(f.name for f in layer.iterdir() if f.suffix in (".csv", ".yaml", ".yml")
                       and not f.name.startswith(".") and f.name not in known)  # fmt: skip
        if stray:
            raise ConfigError(f"world.data ({layer})", stray[0], f"a world file, one of {', '.join(sorted(known))}")
    missing = [f for f in WORLD_FILES if not any((p / f).is_file() for p in layers)]
    if missing:
        raise ConfigError(
            "world.data", str(path), f"a folder holding {', '.join(WORLD_FILES)} (missing {', '.join(missing)})"
        )
    return path


# the columns that identify a row of each file: a world built on a base replaces rows by these keys
ROW_KEYS = {
    "regions.csv": ("region", "parameter"),
    "occupations.csv": ("occupation",),
    "employment.csv": ("region", "occupation"),
    "corridors.csv": ("origin", "destination"),
    "parameters.csv": ("parameter",),
    "targets.csv": ("quantity", "where"),
    "cohorts.csv": ("region", "year"),
    "ages.csv": ("region", "age"),
    "deaths.csv": ("region", "age"),
}


def _table(path: Path, file: str, columns: tuple[str, ...]) -> pd.DataFrame:
    """`file` of the world at `path`, merged over its base worlds by `ROW_KEYS` (later layers win)."""
    rows: dict[tuple[str, ...], dict[str, str]] = {}
    key_cols, names, found = ROW_KEYS[file], list(columns), False
    for layer in world_layers(path):
        if not (layer / file).is_file():
            continue
        df = _read_csv(layer / file, columns)
        found = True
        names += [c for c in df.columns if c not in names]
        mine: dict[tuple[str, ...], dict[str, str]] = {}
        for row in df.to_dict("records"):
            key = tuple(str(row[c]).strip() for c in key_cols)
            if key in mine:
                raise ConfigError(f"{layer.name}/{file}", "/".join(key), f"each {'/'.join(key_cols)} once")
            mine[key] = row
        rows.update(mine)  # a replaced row keeps its place; new rows come last
    if not found:
        raise ConfigError("world.data", str(path), f"a folder holding {file}")
    return pd.DataFrame(list(rows.values()), columns=names).fillna("")


def _read_csv(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise ConfigError(str(path), "empty", f"a CSV file with a header row ({', '.join(columns)})") from None
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        why = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise ConfigError(str(path), "unreadable", f"a UTF-8 CSV file ({exc.__class__.__name__}: {why})") from None
    df.columns = [c.strip() for c in df.columns]
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ConfigError(path.name, list(df.columns), f"columns including {', '.join(missing)}")
    return df


def _number(file: str, key: str, raw: str, kind: str = "real") -> float:
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{file}[{key}]", raw, "a number") from None
    if not math.isfinite(value):
        raise ConfigError(f"{file}[{key}]", raw, "a finite number")
    checks = {
        "real": (True, ""),
        "fraction": (0.0 <= value <= 1.0, "a probability or share in [0, 1]"),
        "positive": (value > 0.0, "a number > 0"),
        "nonnegative": (value >= 0.0, "a number >= 0"),
        "age": (10.0 <= value <= 90.0, "an age in years between 10 and 90"),
        "level": (value in (1, 2, 3, 4), "an ISCO-08 skill level 1, 2, 3 or 4"),
        "credential": (value in (0, 1, 2, 3), "a credential level 0, 1, 2 or 3"),
        "flag": (value in (0, 1), "0 or 1"),
    }
    ok, allowed = checks[kind]
    if not ok:
        raise ConfigError(f"{file}[{key}]", value, allowed)
    return value


def _regions(path: Path) -> tuple[tuple[str, ...], dict[str, np.ndarray]]:
    df = _table(path, "regions.csv", ("region", "parameter", "value"))
    regions = tuple(dict.fromkeys(df["region"].str.strip()))
    table: dict[str, dict[str, float]] = {r: {} for r in regions}
    for row in df.itertuples(index=False):
        region, param = row.region.strip(), row.parameter.strip()
        if param not in REGION_PARAMETERS:
            raise ConfigError(f"regions.csv[{region}].parameter", param, f"one of {sorted(REGION_PARAMETERS)}")
        kind = REGION_PARAMETERS[param][0]
        table[region][param] = _number("regions.csv", f"{region}.{param}", row.value, kind)
    for region, values in table.items():
        for param, value in OPTIONAL_REGION_PARAMETERS.items():
            values.setdefault(param, value)
        missing = sorted(set(REGION_PARAMETERS) - set(values))
        if missing:
            raise ConfigError(f"regions.csv[{region}]", "incomplete", f"a row for each of {', '.join(missing)}")
        total = sum(values[e] for e in EDUCATION)
        if abs(total - 1.0) > 1e-3:
            raise ConfigError(f"regions.csv[{region}].edu_*", round(total, 6), "education shares summing to 1")
    params = {p: np.array([table[r][p] for r in regions]) for p in REGION_PARAMETERS}
    edu = np.stack([params[e] for e in EDUCATION], axis=1)
    edu /= edu.sum(axis=1, keepdims=True)
    for i, e in enumerate(EDUCATION):
        params[e] = edu[:, i]
    return regions, params


def _occupations(path: Path) -> pd.DataFrame:
    df = _table(path, "occupations.csv", OCCUPATION_COLUMNS)
    df["occupation"] = df["occupation"].str.strip()
    dup = df["occupation"][df["occupation"].duplicated()].tolist()
    if dup:
        raise ConfigError("occupations.csv.occupation", dup[0], "unique occupation ids")
    kinds = {
        "skill_level": "level",
        "min_credential": "credential",
        "automation_exposure": "fraction",
        "relative_wage": "positive",
    } | dict.fromkeys(TASKS, "fraction")
    for col, kind in kinds.items():
        df[col] = [_number("occupations.csv", f"{o}.{col}", v, kind) for o, v in zip(df["occupation"], df[col])]
    # optional: women's share of the occupation's employment (occupational segregation by sex)
    if "women_share" in df.columns:
        df["women_share"] = [
            _number("occupations.csv", f"{o}.women_share", v, "fraction") if str(v).strip() else np.nan
            for o, v in zip(df["occupation"], df["women_share"])
        ]
    else:
        df["women_share"] = np.nan
    return df


def _employment(
    path: Path, regions: tuple[str, ...], occupations: tuple[str, ...], dropped: tuple[str, ...] = ()
) -> np.ndarray:
    df = _table(path, "employment.csv", ("region", "occupation", "share"))
    emp = np.zeros((len(regions), len(occupations)))
    for row in df.itertuples(index=False):
        r, o = row.region.strip(), row.occupation.strip()
        if r in dropped:
            continue
        if r not in regions:
            raise ConfigError("employment.csv.region", r, f"one of {list(regions)}")
        if o not in occupations:
            raise ConfigError("employment.csv.occupation", o, "an occupation id from occupations.csv")
        emp[regions.index(r), occupations.index(o)] = _number("employment.csv", f"{r}.{o}", row.share, "fraction")
    for i, r in enumerate(regions):
        if abs(emp[i].sum() - 1.0) > 1e-3:
            raise ConfigError(f"employment.csv[{r}].share", round(emp[i].sum(), 6), "shares summing to 1")
    return emp / emp.sum(axis=1, keepdims=True)


def _corridors(
    path: Path, regions: tuple[str, ...], origins: tuple[str, ...], dropped: tuple[str, ...] = ()
) -> Corridors:
    df = _table(path, "corridors.csv", CORRIDOR_COLUMNS)
    df = df[~df["destination"].str.strip().isin(dropped)]
    kinds = {
        "initial_stock": "nonnegative",
        "migration_cost": "nonnegative",
        "temporary_share": "fraction",
        "refugee_share": "fraction",
        "annual_quota": "nonnegative",
        "recognition_months": "positive",
        "recognition_approval": "fraction",
    }
    cols: dict[str, list[float]] = {c: [] for c in kinds}
    orig, dest, seen = [], [], set()
    for row in df.itertuples(index=False):
        o, d = row.origin.strip(), row.destination.strip()
        if o not in origins:
            raise ConfigError("corridors.csv.origin", o, f"one of {list(origins)}")
        if d not in regions:
            raise ConfigError("corridors.csv.destination", d, f"one of {list(regions)}")
        if (o, d) in seen:  # (origin = destination: migrants between the countries of one region)
            raise ConfigError("corridors.csv", f"{o}->{d}", "each origin and destination pair once")
        seen.add((o, d))
        orig.append(origins.index(o))
        dest.append(regions.index(d))
        for c, kind in kinds.items():
            cols[c].append(_number("corridors.csv", f"{o}->{d}.{c}", getattr(row, c), kind))
        if cols["temporary_share"][-1] + cols["refugee_share"][-1] > 1.0 + 1e-9:
            raise ConfigError(
                f"corridors.csv[{o}->{d}].temporary_share+refugee_share",
                cols["temporary_share"][-1] + cols["refugee_share"][-1],
                "a sum <= 1",
            )
    return Corridors(
        np.array(orig, dtype=np.int64),
        np.array(dest, dtype=np.int64),
        **{c: np.array(v, dtype=float) for c, v in cols.items()},
    )


def _parameters(
    path: Path, fitted: dict[str, Any], overrides: dict[str, Any]
) -> tuple[dict[str, float], dict[str, ParameterRange]]:
    """The behavioural parameters (parameters.csv, then the calibration's fitted ones, then the config's).

    Every parameter states its allowed range in parameters.csv (`low`, `high`, `whole`); each value,
    wherever it comes from, is checked against it (NaN and infinity included).
    """
    df = _table(path, "parameters.csv", ("parameter", "value", "low", "high", "whole", "unit", "kind", "source"))
    params: dict[str, float] = {}
    ranges: dict[str, ParameterRange] = {}
    for row in df.itertuples(index=False):
        name = str(row.parameter).strip()
        where = f"parameters.csv[{name}]"
        low, high = (
            _number("parameters.csv", f"{name}.low", row.low),
            _number("parameters.csv", f"{name}.high", row.high),
        )
        whole = str(row.whole).strip().lower()
        if whole not in ("", "yes", "no") or not low <= high:
            raise ConfigError(where, f"low={row.low} high={row.high} whole={row.whole}",
                              "a range low <= high, with whole empty, yes or no")  # fmt: skip
        ranges[name] = ParameterRange(low, high, whole == "yes", str(row.unit).strip())
        params[name] = _number("parameters.csv", name, row.value)
    given = [(f"parameters.csv[{k}]", k, v) for k, v in params.items()]
    given += [(f"calibration.yaml: parameters.{k}", k, v) for k, v in (fitted or {}).items()]
    given += [(f"world.params.{k}", k, v) for k, v in (overrides or {}).items()]
    for key, name, value in given:
        if name not in ranges:
            raise ConfigError(key, value, f"one of {sorted(ranges)}")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ConfigError(key, value, ranges[name].allowed()) from None
        if isinstance(value, bool) or not ranges[name].admits(number):
            raise ConfigError(key, value, ranges[name].allowed())
        params[name] = number
    return params, ranges


def _targets(path: Path) -> tuple[Target, ...]:
    """The world's `targets.csv` (merged over its bases'), checked; () where no layer has one."""
    if not any((layer / "targets.csv").is_file() for layer in world_layers(path)):
        return ()
    df = _table(path, "targets.csv", TARGET_COLUMNS)
    out = []
    for row in df.itertuples(index=False):
        quantity, where = str(row.quantity).strip(), str(row.where).strip()
        key = f"targets.csv[{quantity},{where}]"
        if quantity not in TARGET_QUANTITIES:
            raise ConfigError(f"{key}.quantity", quantity, f"one of {list(TARGET_QUANTITIES)}")
        if str(row.rule).strip() not in ("abs", "min", "max"):
            raise ConfigError(f"{key}.rule", row.rule, "abs, min or max")
        if str(row.fitted).strip() not in ("yes", "no"):
            raise ConfigError(f"{key}.fitted", row.fitted, "yes or no")
        if not str(row.source).strip():
            raise ConfigError(f"{key}.source", "", "the publication the figure comes from")
        out.append(Target(quantity, where, _number("targets.csv", f"{quantity},{where}.value", row.value),
                          _number("targets.csv", f"{quantity},{where}.tolerance", row.tolerance, "nonnegative"),
                          str(row.rule).strip(), str(row.unit).strip(), str(row.fitted).strip() == "yes",
                          str(row.source).strip()))  # fmt: skip
    return tuple(out)


def _by_region(
    rows: Mapping[tuple[str, int], tuple[float, ...]],
    regions: tuple[str, ...],
    file: str,
    name: Callable[[float], str],
    each: str,
) -> tuple[np.ndarray, np.ndarray]:
    """Rows keyed (region, step) as a table (2, R, steps) over the sorted steps, NaN for a region without rows.

    A region with rows has one for every step (else ConfigError naming the first missing step, `name`d).
    """
    steps = np.array(sorted({k for _, k in rows}), dtype=float)
    table = np.full((2, len(regions), steps.size), np.nan)
    for (r, k), values in rows.items():
        table[:, regions.index(r), int(np.searchsorted(steps, k))] = values
    for i, r in enumerate(regions):
        have = np.isfinite(table[0, i])
        if have.any() and not have.all():
            raise ConfigError(f"{file}[{r}]", f"no row for {name(steps[~have][0])}",
                              f"{each} [{', '.join(name(k) for k in steps)}]")  # fmt: skip
    return steps, table


@dataclass(frozen=True)
class Cohorts:
    """Projected population by region (cohorts.csv): those reaching working age, and the working-age population.

    `years` (Y,) calendar years; `entering` and `working_age` (R, Y) in thousands, NaN for a region
    without rows. Year `years[0]` is the world's base year, step 0 of a run.
    """

    years: np.ndarray
    entering: np.ndarray
    working_age: np.ndarray

    def index(self, which: str, t: float) -> np.ndarray:
        """`which` ("entering" or "working_age") at month `t` relative to the base year, by region (NaN: no data).

        Linear between the years given; held at the last year's value beyond it.
        """
        table = getattr(self, which)
        year = self.years[0] + t / 12.0
        out = np.full(table.shape[0], np.nan)
        for r, row in enumerate(table):
            if np.isfinite(row).all():
                out[r] = np.interp(year, self.years, row) / row[0]
        return out


def _cohorts(path: Path, regions: tuple[str, ...]) -> Cohorts | None:
    """The world's `cohorts.csv` (merged over its bases'), checked; None where no layer has one."""
    if not any((layer / "cohorts.csv").is_file() for layer in world_layers(path)):
        return None
    df = _table(path, "cohorts.csv", COHORT_COLUMNS)
    rows = {}
    for row in df.itertuples(index=False):
        r, key = str(row.region).strip(), f"{str(row.region).strip()},{str(row.year).strip()}"
        if r not in regions:
            continue  # a region the world does not simulate
        year = _number("cohorts.csv", f"{key}.year", row.year)
        if year != int(year) or not 1900 <= year <= 2300:
            raise ConfigError(f"cohorts.csv[{key}].year", row.year, "a calendar year from 1900 to 2300")
        values = tuple(_number("cohorts.csv", f"{key}.{c}", getattr(row, c), "positive") for c in COHORT_COLUMNS[2:4])
        if not str(row.source).strip():
            raise ConfigError(f"cohorts.csv[{key}].source", "", "the publication the figures come from")
        rows[(r, int(year))] = values
    if not rows:
        return None
    years, table = _by_region(rows, regions, "cohorts.csv", lambda y: f"{int(y)}", "a row for each year")
    return Cohorts(years, table[0], table[1])


@dataclass(frozen=True)
class Ages:
    """The base year's population by five-year age group and sex (ages.csv), thousands.

    `lower` (A,) the groups' first years of age (15, 20, ...), each group five years wide;
    `women` and `men` (R, A), NaN for a region without rows; `older` (2, R) women and men in the
    open group beyond the last ("70+" in ages.csv), 0 where not given.
    """

    lower: np.ndarray
    women: np.ndarray
    men: np.ndarray
    older: np.ndarray

    def has(self, r: int) -> bool:
        """Whether region `r` has an age structure."""
        return bool(np.isfinite(self.women[r]).all())

    def population(self, r: int, female: bool, lo: float, hi: float) -> float:
        """Region `r`'s women (or men) aged `lo` to `hi` (exclusive), thousands, spread evenly within a group."""
        table = self.women if female else self.men
        overlap = np.clip(np.minimum(self.lower + 5.0, hi) - np.maximum(self.lower, lo), 0.0, 5.0) / 5.0
        beyond = self.older[0 if female else 1, r] if hi > self.lower[-1] + 5.0 else 0.0
        return float((table[r] * overlap).sum() + beyond)

    def draw(self, rng: np.random.Generator, r: int, female: np.ndarray, youth_ratio: float, hi: float) -> np.ndarray:
        """Ages in years on [15, `hi`) of workers of region `r` (`female` per worker): the labour force's age structure.

        A group's weight is its population of the worker's sex times the share of the group below
        `hi` (the retirement age), times `youth_ratio` (participation at 15-24 against 15-64) for the
        groups of ages 15-24: participation is taken as even across the ages of work beyond them.
        Within a group, ages are spread evenly.
        """
        ages = np.empty(female.size)
        width = np.clip(hi - self.lower, 0.0, 5.0)
        for sex in (True, False):
            who = np.flatnonzero(female == sex)
            table = (self.women if sex else self.men)[r]
            weight = table * width / 5.0 * np.where(self.lower < 25, youth_ratio, 1.0)
            cum = np.cumsum(weight)
            group = np.minimum(np.searchsorted(cum, rng.random(who.size) * cum[-1], side="right"), cum.size - 1)
            ages[who] = self.lower[group] + rng.random(who.size) * width[group]
        return ages


T = TypeVar("T")


def _sex_age_table(path: Path, regions: tuple[str, ...], file: str, what: str, kind: Callable[..., T]) -> T | None:
    """A world file of women and men by five-year age group (ages.csv, deaths.csv), merged over the world's bases.

    Returns `kind(lower, women, men, older)`: the groups' first years (A,), women and men (R, A),
    NaN for a region without rows, and the open group beyond the last (2, R), 0 where not given;
    None where no layer has the file. `what` names the figures in errors; values are >= 0.
    """
    if not any((layer / file).is_file() for layer in world_layers(path)):
        return None
    df = _table(path, file, AGE_COLUMNS)
    rows: dict[tuple[str, int], tuple[float, float]] = {}
    older = np.zeros((2, len(regions)))
    open_group: dict[str, str] = {}
    for row in df.itertuples(index=False):
        r, age = str(row.region).strip(), str(row.age).strip()
        key = f"{r},{age}"
        if r not in regions:
            continue  # a region the world does not simulate
        if not str(row.source).strip():
            raise ConfigError(f"{file}[{key}].source", "", f"the publication the {what} come from")
        if age.endswith("+"):  # the open group beyond the last five-year one: counted in totals of all ages
            if not age[:-1].isdigit() or r in open_group:
                raise ConfigError(f"{file}[{key}].age", age, "one open group per region, such as 70+")
            open_group[r] = age[:-1]
            older[:, regions.index(r)] = [_number(file, f"{key}.{c}", getattr(row, c), "nonnegative")
                                          for c in ("women", "men")]  # fmt: skip
            continue
        lo, _, hi = age.partition("-")
        if not (lo.isdigit() and hi.isdigit() and int(hi) == int(lo) + 4 and int(lo) % 5 == 0 and int(lo) >= 15):
            raise ConfigError(f"{file}[{key}].age", age, "a five-year group from 15 (15-19, 20-24, ...) or 70+")
        rows[(r, int(lo))] = (_number(file, f"{key}.women", row.women, "nonnegative"),
                              _number(file, f"{key}.men", row.men, "nonnegative"))  # fmt: skip
    if not rows:
        return None
    lower = np.array(sorted({a for _, a in rows}), dtype=float)
    if not np.array_equal(lower, 15.0 + 5.0 * np.arange(lower.size)):
        raise ConfigError(file, f"groups from {int(lower[0])} to {int(lower[-1])} with gaps",
                          "every five-year group from 15-19 on")  # fmt: skip
    _, table = _by_region(rows, regions, file, lambda a: f"{int(a)}-{int(a) + 4}", "a row for each age group")
    for r, lo in open_group.items():
        if float(lo) != lower[-1] + 5.0:
            raise ConfigError(f"{file}[{r},{lo}+].age", f"{lo}+", f"{int(lower[-1]) + 5}+, after the last group")
    return kind(lower, table[0], table[1], older)


@dataclass(frozen=True)
class Mortality:
    """Death rates by five-year age group and sex (deaths.csv): deaths per person-year, the UN's central rates.

    `lower` (A,) the groups' first years of age; `women` and `men` (R, A), NaN for a region without
    rows. Below the first group the first group's rate holds, beyond the last the last's (or the open
    group's, where deaths.csv gives one).
    """

    lower: np.ndarray
    women: np.ndarray
    men: np.ndarray
    older: np.ndarray

    SPAN = 110 * 12  # months of age the cumulative hazard covers; a death beyond it is not drawn
    CHUNK = 1 << 16  # workers drawn at once

    def has(self, r: int) -> bool:
        """Whether region `r` has death rates."""
        return bool(np.isfinite(self.women[r]).all())

    @functools.cached_property
    def _laid_out(self) -> np.ndarray:
        """Each region's and sex's cumulative hazard from birth to each month of age, rows laid end to end.

        Row (r, s) (women then men) is `SPAN + 1` months long, rising from 0 (0 throughout without
        rates), offset by more than any draw can reach, so one binary search serves every row.
        """
        months = np.arange(self.SPAN)
        group = np.clip((months / 12.0 - self.lower[0]) // 5.0, 0, self.lower.size).astype(np.int64)
        cum = np.zeros((self.women.shape[0], 2, self.SPAN + 1))
        for r in range(self.women.shape[0]):
            if not self.has(r):
                continue
            for s, table in enumerate((self.women, self.men)):
                rates = np.append(table[r], self.older[s, r] if self.older[s, r] > 0 else table[r, -1])
                cum[r, s, 1:] = np.cumsum(rates[group] / 12.0)  # a central death rate a year, as a monthly hazard
        step = float(cum.max()) + 1e3
        return (cum + step * np.arange(cum.shape[0] * 2).reshape(-1, 2, 1)).ravel()

    def months_to_death(
        self, rng: np.random.Generator, region: np.ndarray, female: np.ndarray, age: np.ndarray
    ) -> np.ndarray:
        """Months from now until each worker dies, given alive at `age` (months): drawn from the rates by age and sex.

        One exponential draw per worker, inverted through the cumulative hazard (so the rates change
        with age as the worker ages); `SPAN` (never reached by a worker of working age) where the region
        has no rates.
        """
        flat = self._laid_out
        region, female = np.broadcast_to(region, np.shape(age)), np.broadcast_to(female, np.shape(age))
        draws = np.minimum(rng.exponential(size=np.size(age)), 5e2)
        out = np.empty(np.size(age), dtype=np.int64)
        for lo in range(0, out.size, self.CHUNK):  # (in chunks: a million workers' temporaries stay small)
            sl = slice(lo, lo + self.CHUNK)
            row = (np.asarray(region[sl], dtype=np.int64) * 2 + np.where(female[sl], 0, 1)) * (self.SPAN + 1)
            a = np.clip(age[sl], 0, self.SPAN).astype(np.int64)
            at = np.searchsorted(flat, flat[row + a] + draws[sl], side="left") - row  # first month the draw is reached
            dies = (at <= self.SPAN) & (flat[row + self.SPAN] > flat[row])
            out[sl] = np.where(dies, at - a, self.SPAN)
        return out


def similarity_network(tasks: np.ndarray, skill_level: np.ndarray, self_loop: float, neighbours: int) -> np.ndarray:
    """Row-stochastic mobility matrix from task-profile similarity, with `self_loop` on the diagonal.

    Similarity is the cosine of the task profiles, damped by the distance in ISCO skill level; each
    occupation keeps its `neighbours` most similar others, weighted by similarity squared.
    """
    unit = tasks / np.linalg.norm(tasks, axis=1, keepdims=True).clip(1e-12)
    sim = (unit @ unit.T) * np.exp(-np.abs(skill_level[:, None] - skill_level[None, :]) / 1.5)
    np.fill_diagonal(sim, 0.0)
    k = min(neighbours, len(tasks) - 1)
    cut = -np.sort(-sim, axis=1)[:, k - 1 : k] if k > 0 else np.inf
    w = np.where(sim >= cut, sim, 0.0) ** 2
    w = w / w.sum(axis=1, keepdims=True).clip(1e-12) * (1.0 - self_loop)
    np.fill_diagonal(w, self_loop)
    return w


NETWORK_FILE = "network.csv"  # a world's own observed network, in its data folder (or a base's)


def _network_csv(file: Path, occupations: tuple[str, ...], self_loop: float) -> np.ndarray:
    """A mobility network from a CSV of source,target,weight (rows normalised to 1).

    A file without any self-loop lists moves between occupations only (as the default world's
    observed network does): `self_loop` goes on the diagonal and each row's links share the rest.
    A file with self-loops is taken as it is.
    """
    if not file.is_file():
        raise ConfigError("world.network", str(file), "an existing CSV file with columns source,target,weight")
    df = _read_csv(file, ("source", "target", "weight"))
    net = np.zeros((len(occupations), len(occupations)))
    for row in df.itertuples(index=False):
        s, t = row.source.strip(), row.target.strip()
        for key, occ in (("source", s), ("target", t)):
            if occ not in occupations:
                raise ConfigError(f"{file.name}.{key}", occ, "an occupation id from occupations.csv")
        net[occupations.index(s), occupations.index(t)] = _number(file.name, f"{s}->{t}", row.weight, "nonnegative")
    empty = [occupations[i] for i in np.flatnonzero(net.sum(axis=1) <= 0)]
    if empty:
        raise ConfigError(f"{file.name}.source", empty[0], "every occupation with at least one positive edge")
    if not np.any(np.diag(net) > 0):
        net = net / net.sum(axis=1, keepdims=True) * (1.0 - self_loop)
        np.fill_diagonal(net, self_loop)
    return net / net.sum(axis=1, keepdims=True)


def _network(
    choice: Any,
    layers: list[Path],
    occupations: tuple[str, ...],
    tasks: np.ndarray,
    skill_level: np.ndarray,
    self_loop: float,
    neighbours: int,
) -> tuple[np.ndarray, str]:
    """The world's mobility network and what it is: `similarity`, `observed` (the world's own file) or a path.

    `world.network` null: the world's own `network.csv` (its folder's, else its nearest base's), or
    task similarity where it has none; `similarity`: task similarity; a path: that CSV file.
    """
    if choice in (None, "", "observed"):
        own = next((p / NETWORK_FILE for p in reversed(layers) if (p / NETWORK_FILE).is_file()), None)
        if own is not None:
            return _network_csv(own, occupations, self_loop), "observed"
        if choice == "observed":
            raise ConfigError("world.network", choice,
                              f"a world with its own {NETWORK_FILE}, similarity, or a CSV path")  # fmt: skip
        choice = "similarity"
    if choice == "similarity":
        return similarity_network(tasks, skill_level, self_loop, neighbours), "similarity"
    file = Path(str(choice)).expanduser()
    return _network_csv(file, occupations, self_loop), str(file)


def _simulated_regions(
    path: Path, regions: tuple[str, ...], params: dict[str, np.ndarray]
) -> tuple[tuple[str, ...], dict[str, np.ndarray], tuple[str, ...], tuple[str, ...]]:
    """Keep the `regions` that world.yaml lists (all without a list).

    Returns the simulated regions, their parameters, the regions left out, and those of the left-out
    regions that send migrants into a simulated one (they become external origins).
    """
    keep = world_spec(path).get("regions")
    if keep is None:
        return regions, params, (), ()
    if not isinstance(keep, list) or not keep or any(r not in regions for r in keep) or len(set(keep)) < len(keep):
        raise ConfigError(f"{path / 'world.yaml'}: regions", keep, f"a list of distinct regions from {list(regions)}")
    idx = [regions.index(r) for r in keep]
    dropped = tuple(r for r in regions if r not in keep)
    df = _table(path, "corridors.csv", CORRIDOR_COLUMNS)
    into = df[df["destination"].str.strip().isin(keep)]["origin"].str.strip()
    sending = tuple(r for r in dropped if r in set(into))
    return tuple(keep), {k: v[idx] for k, v in params.items()}, dropped, sending


CALIBRATION_KEYS = ("values", "parameters", "demand_path", "tightness_reference")


def _calibration(
    file: Path, regions: tuple[str, ...]
) -> tuple[dict[str, np.ndarray], dict[str, Any], dict[str, Any], np.ndarray | None, dict[str, Any]]:
    """calibration.yaml, checked: per-region values, fitted parameters, demand paths, the wage reference, the rest.

    Each part that a run reads must have its shape: a mapping (of regions) of finite numbers (lists
    of them for `demand_path`); otherwise one line names the file, the entry and the value.
    """
    raw = read_yaml(file)
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(str(file), raw, f"a mapping with the keys {', '.join(CALIBRATION_KEYS)} (and notes)")

    def mapping(name: str, node: Any) -> dict[str, Any]:
        if node is None:
            return {}
        if not isinstance(node, dict):
            raise ConfigError(f"{file.name}: {name}", node, "a mapping")
        return node

    def number(name: str, value: Any) -> float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
        if not ok:
            raise ConfigError(f"{file.name}: {name}", value, "a finite number")
        return float(value)

    calibration: dict[str, np.ndarray] = {}
    for key, per_region in mapping("values", raw.get("values")).items():
        node = mapping(f"values.{key}", per_region)
        calibration[key] = np.array([number(f"values.{key}.{r}", node[r]) if r in node else np.nan for r in regions])
    fitted = mapping("parameters", raw.get("parameters"))  # each checked against its range by _parameters
    demand_path = None
    paths = mapping("demand_path", raw.get("demand_path"))
    for r, values in paths.items():
        if not isinstance(values, list) or not values:
            raise ConfigError(f"{file.name}: demand_path.{r}", values, "a non-empty list of finite numbers")
        for i, x in enumerate(values):
            number(f"demand_path.{r}[{i}]", x)
    if paths:
        size = max(len(v) for v in paths.values())
        demand_path = np.full((len(regions), size), np.nan)
        for i, r in enumerate(regions):
            if r in paths:
                demand_path[i, : len(paths[r])] = [float(x) for x in paths[r]]
    reference = mapping("tightness_reference", raw.get("tightness_reference"))
    for r, values in mapping("tightness_reference.log_tightness", reference.get("log_tightness")).items():
        if not isinstance(values, list):
            raise ConfigError(f"{file.name}: tightness_reference.log_tightness.{r}", values, "a list of finite numbers")
        for i, x in enumerate(values):
            number(f"tightness_reference.log_tightness.{r}[{i}]", x)
    if "self_loop" in reference:
        number("tightness_reference.self_loop", reference["self_loop"])
    info = {k: v for k, v in raw.items() if k not in CALIBRATION_KEYS}
    return calibration, info, fitted, demand_path, reference


def _tightness_reference(
    entry: Mapping[str, Any], regions: tuple[str, ...], n_occ: int, network_kind: str, mix: float, self_loop: float
) -> np.ndarray | None:
    """The wage bargain's reference log tightness (R, O) from calibration.yaml, if measured on this very network.

    Measured on another network (another kind, a blend, another self-loop) or without every
    region, it does not apply: each run then takes its own first year as the reference.
    """
    values = entry.get("log_tightness") or {}
    same = entry.get("network") == network_kind and mix == 0.0
    same = same and abs(float(entry.get("self_loop", -1.0)) - self_loop) < 1e-4
    if not same or any(r not in values or len(values[r]) != n_occ for r in regions):
        return None
    return np.array([[float(v) for v in values[r]] for r in regions])


_LOADED: dict[tuple, World] = {}  # worlds read in this process, by their config and their files' stamps
_LOADED_MAX = 8


def _world_key(cfg: Any) -> tuple | None:
    """What a loaded world depends on: its config node and the size and time of each file it may read."""
    try:
        plain = cfg if isinstance(cfg, dict) else dict(cfg)
        node = json.dumps(plain, sort_keys=True, default=str)
        path = resolve_data_dir(plain.get("data", "default"))
        stamps = tuple(
            (str(f), f.stat().st_mtime_ns, f.stat().st_size)
            for layer in world_layers(path)
            for f in sorted(layer.iterdir())
            if f.is_file()
        )  # fmt: skip
    except Exception:  # whatever is wrong, the full read below says it in its own words
        return None
    network = plain.get("network")
    if isinstance(network, str) and Path(network).suffix == ".csv" and Path(network).is_file():
        stamps += ((network, Path(network).stat().st_mtime_ns, Path(network).stat().st_size),)
    return (node, stamps)


def load_world(cfg: Any) -> World:
    """Read and check the world described by the `world` config node (a mapping).

    A world read before in this process, from the same config and unchanged files, is copied
    rather than read again (the CSV files take about 0.1 s); each caller gets its own copy.
    """
    key = _world_key(cfg)
    if key is not None and key in _LOADED:
        return copy.deepcopy(_LOADED[key])
    world = _read_world(cfg)
    if key is not None:
        if len(_LOADED) >= _LOADED_MAX:
            _LOADED.pop(next(iter(_LOADED)))
        _LOADED[key] = copy.deepcopy(world)
    return world


def _read_world(cfg: Any) -> World:
    """`load_world`'s reading of the files."""
    get = cfg.get if hasattr(cfg, "get") else lambda k, d=None: getattr(cfg, k, d)
    path = resolve_data_dir(get("data", "default"))
    regions, region_params = _regions(path)
    regions, region_params, dropped, sending = _simulated_regions(path, regions, region_params)
    external = tuple(get("external_origins", ()) or ())
    clash = [e for e in external if e in regions]
    if clash:
        raise ConfigError("world.external_origins", clash[0], "names that are not simulated regions")
    origins = regions + sending + tuple(e for e in external if e not in sending)
    occ = _occupations(path)
    occupations = tuple(occ["occupation"])
    tasks = occ[list(TASKS)].to_numpy(float)
    skill_level = occ["skill_level"].to_numpy(np.int64)
    layers = world_layers(path)
    # calibration.yaml: fitted per-region values, and fitted model parameters (which replace
    # parameters.csv; a config's world.params still wins)
    calibration: dict[str, np.ndarray] = {}
    info: dict[str, Any] = {}
    fitted: dict[str, Any] = {}
    demand_path: np.ndarray | None = None
    reference: dict[str, Any] = {}
    # the world's own calibration, else its nearest base's (regions it does not cover keep regions.csv)
    cal_file = next((p / "calibration.yaml" for p in reversed(layers) if (p / "calibration.yaml").is_file()), None)
    if cal_file is not None:
        calibration, info, fitted, demand_path, reference = _calibration(cal_file, regions)
    params, ranges = _parameters(path, fitted, dict(get("params", {}) or {}))
    # the network's self-loop: world.self_loop where given, else parameters.csv's (as calibrated)
    raw_loop = get("self_loop", None)
    self_loop = float(params["network_self_loop"] if raw_loop is None else raw_loop)
    if not 0.0 <= self_loop < 1.0:
        raise ConfigError("world.self_loop", self_loop, "a probability in [0, 1)")
    neighbours = int(get("neighbours", 6))
    network, network_kind = _network(get("network", None), layers, occupations, tasks, skill_level, self_loop,
                                     neighbours)  # fmt: skip
    mix = float(get("network_mix", 0.0) or 0.0)
    if not 0.0 <= mix <= 1.0:
        raise ConfigError("world.network_mix", mix, "a share in [0, 1] of task similarity blended into the network")
    if mix > 0.0:  # an uncertain input of the sensitivity study: how far the US pattern holds elsewhere
        network = (1.0 - mix) * network + mix * similarity_network(tasks, skill_level, self_loop, neighbours)
    notes = [p / "SOURCES.md" for p in reversed(layers) if (p / "SOURCES.md").is_file()]
    sources = "\n\n".join(f.read_text(encoding="utf-8", errors="replace") for f in notes)  # notes only
    return World(
        name=str(get("name", path.name)),
        regions=regions,
        origins=origins,
        occupations=occupations,
        occupation_names=tuple(occ["name"]),
        isco=tuple(occ["isco"]),
        region_params=region_params,
        skill_level=skill_level,
        min_credential=occ["min_credential"].to_numpy(np.int64),
        exposure=occ["automation_exposure"].to_numpy(float),
        relative_wage=occ["relative_wage"].to_numpy(float),
        women_share=occ["women_share"].to_numpy(float),
        tasks=tasks,
        employment=_employment(path, regions, occupations, dropped),
        network=network,
        network_kind=network_kind,
        demand_path=demand_path,
        tightness_reference=_tightness_reference(reference, regions, len(occupations), network_kind, mix, self_loop),
        corridors=_corridors(path, regions, origins, dropped),
        params=params,
        calibration=calibration,
        calibration_info=info,
        sources=sources,
        param_ranges=ranges,
        targets=_targets(path),
        cohorts=_cohorts(path, regions),
        ages=_sex_age_table(path, regions, "ages.csv", "figures", Ages),
        deaths=_sex_age_table(path, regions, "deaths.csv", "rates", Mortality),
    )
