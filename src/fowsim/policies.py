"""Skilling and mobility policies: plug-ins that act through the agents and the workforce.

A policy subclasses `Policy`, declares its parameters as dataclass fields (with defaults and
their sources in `docs/policies.md`), checks them against the world in `check`, and acts each
month of its active period in `act` (the model's `policies` phase). Policies that train run
their own `TrainingProvider`s, which the `training` phase advances and pays; every euro of
public money is charged to the policy's `budget`, which spending never exceeds.

The twelve policies of the catalogue are registered in `REGISTRY` under their config names; a
config composes them as `policy=[reskilling,recognition]`, each under `policy.<name>`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, is_dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from fowsim.errors import ConfigError
from fowsim.rules import checked
from fowsim.sampling import counts
from fowsim.workforce import (
    CIRCULAR,
    DIASPORA_TRAINED,
    EMPLOYED,
    ENTREPRENEUR,
    FAMILY_DONE,
    LONG_TERM,
    NATIVE,
    PARTNER,
    PENDING,
    PERMANENT,
    PREPARED,
    RECOGNISED,
    RESKILLED,
    RETURNEE,
    TEMPORARY,
    TRAINING,
    UNEMPLOYED,
    VACANT,
    YOUTH_MONTHS,
)

if TYPE_CHECKING:
    from fowsim.agents import TrainingProvider
    from fowsim.model import LabourMarketModel
    from fowsim.world import World

REGISTRY: dict[str, type[Policy]] = {}


def register(cls: type[Policy]) -> type[Policy]:
    """Class decorator: make a policy available to configs under `cls.name`."""
    REGISTRY[cls.name] = cls
    return cls


# ---------------------------------------------------------------- checks of parameters
def _regions(world: World, key: str, names: Sequence[str] | None) -> np.ndarray:
    """Indices of regions `names` (all regions if None)."""
    if names is None:
        return np.arange(world.n_regions)
    if isinstance(names, str) or not isinstance(names, Sequence) or not names:
        raise ConfigError(key, names, f"a non-empty list of regions among {list(world.regions)}")
    for n in names:
        if n not in world.regions:
            raise ConfigError(key, n, f"one of {list(world.regions)}")
    return np.array([world.regions.index(n) for n in names], dtype=np.int64)


def _corridors(world: World, key: str, specs: Sequence[Any], both_ways: bool = False) -> np.ndarray:
    """Corridor indices from 'origin->destination' strings or [origin, destination] pairs."""
    c = world.corridors
    names = [f"{world.origins[o]}->{world.regions[d]}" for o, d in zip(c.origin, c.destination)]
    if isinstance(specs, str) or not isinstance(specs, Sequence) or not specs:
        raise ConfigError(key, specs, f"a non-empty list of corridors 'origin->destination' among {names}")
    out = []
    for spec in specs:
        pair = spec.split("->") if isinstance(spec, str) else list(spec)
        name = "->".join(str(x).strip() for x in pair)
        if len(pair) != 2:
            raise ConfigError(key, spec, "a corridor written 'origin->destination' or [origin, destination]")
        ways = [name, "->".join(reversed(name.split("->")))] if both_ways else [name]
        found = [names.index(n) for n in ways if n in names]
        if not found:
            raise ConfigError(key, name, f"a corridor of the world: one of {names}")
        out += found
    return np.array(sorted(set(out)), dtype=np.int64)


def _occupations(world: World, key: str, names: Sequence[str]) -> np.ndarray:
    if isinstance(names, str) or not isinstance(names, Sequence) or not names:
        raise ConfigError(key, names, "a non-empty list of occupations")
    for n in names:
        if n not in world.occupations:
            raise ConfigError(key, n, f"one of the world's occupations ({', '.join(world.occupations[:4])}, ...)")
    return np.array([world.occupations.index(n) for n in names], dtype=np.int64)


def _number(key: str, value: Any, lo: float = 0.0, hi: float = math.inf, what: str = "a number") -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not lo <= value <= hi or value != value:
        bounds = f">= {lo:g}" if hi == math.inf else f"in [{lo:g}, {hi:g}]"
        raise ConfigError(key, value, f"{what} {bounds}")
    return float(value)


def stochastic_round(rng: np.random.Generator, x: float) -> int:
    """`x` rounded down or up at random, so that the expectation is `x` (people to simulated workers)."""
    return int(math.floor(x + rng.random())) if x > 0 else 0


# ---------------------------------------------------------------- the base class
@dataclass
class Policy:
    """Base class: an active period, a budget of public money, and the hooks the model calls.

    Parameters common to all policies:
        start_month: first month the policy acts.
        end_month: month it stops (None: runs to the horizon).
        budget: EUR of public money over the policy's life (None: no limit); spending never exceeds it.
    """

    name: ClassVar[str] = "policy"
    start_month: int = 0
    end_month: int | None = None
    budget: float | None = None

    def __post_init__(self) -> None:
        self.spent = 0.0  # public EUR charged so far
        self.total_cost = 0.0  # all EUR (public, employers, private) of the policy's programmes
        self.participants = 0.0  # people (simulated workers x scale) the policy enrolled or moved
        self.participants_female = 0.0  # of whom women
        self.participants_youth = 0.0  # of whom aged 15-24 when they joined
        self.providers: list[TrainingProvider] = []
        self.rng: np.random.Generator | None = None
        self._scale = 1.0  # people per simulated worker, set at setup

    # -- checks
    def key(self, name: str) -> str:
        return f"policy.{self.name}.{name}"

    def check(self, world: World) -> None:
        """Check the parameters against `world` (one-line ConfigError naming the key); resolve names."""
        if isinstance(self.start_month, bool) or not isinstance(self.start_month, int) or self.start_month < 0:
            raise ConfigError(self.key("start_month"), self.start_month, "a whole month >= 0")
        if self.end_month is not None and (not isinstance(self.end_month, int) or self.end_month <= self.start_month):
            raise ConfigError(
                self.key("end_month"), self.end_month, f"null or a month after start_month {self.start_month}"
            )
        if self.budget is not None:
            _number(self.key("budget"), self.budget, what="EUR (null for no limit),")

    # -- hooks
    def setup(self, model: LabourMarketModel) -> None:
        """Called once when the model is built: create providers, set rules."""

    def apply(self, model: LabourMarketModel) -> None:
        """Called every month in the `policies` phase; acts while the policy is active."""
        if self.active(model.t):
            self.act(model)

    def act(self, model: LabourMarketModel) -> None:
        """What the policy does in an active month."""

    def active(self, t: int) -> bool:
        return t >= self.start_month and (self.end_month is None or t < self.end_month)

    # -- money
    def committed(self, model: LabourMarketModel) -> float:
        """Public EUR still to pay for the trainees enrolled now, over the rest of their programmes (at most)."""
        return sum(
            pr.enrolled * pr.cost_per_month * model.scale * pr.public_share * pr.duration for pr in self.providers
        )

    def room(self, model: LabourMarketModel, unit: float) -> int:
        """How many more commitments of `unit` public EUR the budget allows."""
        if self.budget is None or unit <= 0:
            return 10**12
        return max(0, int((self.budget - self.spent - self.committed(model)) // unit))

    def affordable(self, unit: float, n: int) -> int:
        """How many of `n` charges of `unit` public EUR the budget still covers."""
        if self.budget is None or unit <= 0:
            return n
        return max(0, min(n, int((self.budget - self.spent) // unit)))

    def charge(self, public: float, total: float) -> None:
        """Book spending: `public` EUR against the budget, `total` EUR of all payers."""
        self.spent += public
        self.total_cost += total

    def pay(self, model: LabourMarketModel, region: int, unit: float, n: int, payer: str = "public") -> int:
        """Pay `unit` EUR for up to `n` items in `region` within the budget; returns how many are paid."""
        n = self.affordable(unit, n) if payer == "public" else n
        amount = unit * n
        model.spending[payer][region] += amount
        self.charge(amount if payer == "public" else 0.0, amount)
        return n

    def join(self, model: LabourMarketModel, idx: np.ndarray) -> None:
        """Count workers `idx` as the policy's participants (in people), women and youth among them."""
        ws = model.ws
        self.participants += idx.size * model.scale
        self.participants_female += int(np.count_nonzero(ws.female[idx])) * model.scale
        self.participants_youth += int(np.count_nonzero(model.t - ws.birth[idx].astype(np.int64) < YOUTH_MONTHS)) * (
            model.scale
        )

    def account(self) -> dict[str, Any]:
        """The policy's accounts, for summaries and reports."""
        return {
            "budget_eur": None if self.budget is None else float(self.budget),
            "public_spent_eur": round(float(self.spent), 2),
            "total_cost_eur": round(float(self.total_cost), 2),
            "participants": round(float(self.participants), 1),
            "participants_female": round(float(self.participants_female), 1),
            "participants_youth": round(float(self.participants_youth), 1),
            "completions": round(float(sum(pr.completed for pr in self.providers) * self._scale), 1),
        }

    # -- helpers for training policies
    def provider(
        self,
        model: LabourMarketModel,
        region: int,
        kind: str,
        seats: float,
        duration: int,
        completion: float,
        cost_per_month: float,
        targets: np.ndarray,
        award: int = -1,
        skill_after: float = 0.5,
        min_credential: int = 0,
        public_share: float = 1.0,
        payer: str = "employer",
        payer_region: int | None = None,
        flag: int = 0,
    ) -> TrainingProvider:
        """A training provider run by this policy (no open enrolment: the policy enrols)."""
        pr = model.agent_classes["training_provider"](
            model,
            len(model.providers),
            region,
            kind,
            seats / model.scale,
            int(duration),
            completion,
            cost_per_month,
            award,
            min_credential,
            np.asarray(targets, dtype=np.int64),
            skill_after,
            public_share=public_share,
            payer=payer,
            payer_region=payer_region,
            owner=self,
            open_enrolment=False,
            flag=flag,
        )
        model.providers.append(pr)
        self.providers.append(pr)
        return pr

    def enrol(self, model: LabourMarketModel, pr: TrainingProvider, pool: np.ndarray, off_market: bool) -> np.ndarray:
        """Enrol a random subset of `pool` in `pr`, within its free seats and the budget; returns who."""
        ws, rng = model.ws, self.rng
        free = stochastic_round(rng, pr.seats - pr.enrolled)
        unit = pr.cost_per_month * model.scale * pr.public_share * pr.duration
        n = min(pool.size, free, self.room(model, unit))
        if n <= 0:
            return pool[:0]
        take = rng.choice(pool, size=n, replace=False)
        target = checked("WorkerRules.training_target", model.rules.training_target(model, take, pr.targets), n, "i")
        if off_market:
            model.transition(take, TRAINING)
        else:
            model.enrolled_now.append(take)
        ws.programme[take] = pr.index * model.world.n_occupations + target
        pr.enrolled += n
        model.count_people("enrolments", take)
        self.join(model, take)
        return take

    def graduates(self, model: LabourMarketModel, flag: int) -> np.ndarray:
        """Workers who finished one of this policy's full-time programmes last month (`flag` set, on the market)."""
        ws = model.ws
        idx = np.flatnonzero((ws.scheme & flag) == flag)
        return idx[(ws.status[idx] == UNEMPLOYED) & (ws.since[idx] == model.t - 1)]


def _in(values: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    return np.isin(values, allowed)


def _working_age(model: LabourMarketModel, idx: np.ndarray, lo: float, hi: float) -> np.ndarray:
    age = (model.t - model.ws.birth[idx]) / 12.0
    return (age >= lo) & (age < hi)


def _fill_vacancies(
    model: LabourMarketModel, idx: np.ndarray, region: int, occ: np.ndarray | None = None
) -> np.ndarray:
    """Place workers `idx` into random open vacancies in `region` (of their occupation `occ` if given); returns who."""
    ws, O = model.ws, model.world.n_occupations
    if idx.size == 0:
        return idx
    firms = np.flatnonzero(model.firm_region == region)
    V = model.V[firms]
    if occ is None:
        cell = np.repeat(np.arange(V.size), V.ravel())
        cell = model.streams["policies"].permutation(cell)[: idx.size]
        placed = idx[: cell.size]
        f, o = firms[cell // O], cell % O
    else:
        placed, f, o = [], [], []
        for oc in np.unique(occ):
            want = idx[occ == oc]
            col = V[:, oc]
            slots = np.repeat(np.arange(col.size), col)
            slots = model.streams["policies"].permutation(slots)[: want.size]
            placed.append(want[: slots.size])
            f.append(firms[slots])
            o.append(np.full(slots.size, oc))
        placed, f, o = (np.concatenate(a).astype(np.int64) for a in (placed, f, o))
    if placed.size:
        skill = np.clip(model.skill_now(placed) * model.skill_transfer[ws.occ[placed], o], 0.0, 1.0)
        model.V -= counts(model.V.shape, f, o)
        model.hire(placed, f, o, skill.astype(np.float32))
    return placed


def _low_exposure(world: World, quantile: float, max_level: int = 4) -> np.ndarray:
    cut = np.quantile(world.exposure, quantile)
    return np.flatnonzero((world.exposure <= cut) & (world.skill_level <= max_level))


@dataclass
class RegionalTraining(Policy):
    """Base of the policies that run one training provider in each of `regions`.

    Seats (people in training at once) are split across the regions by labour force; a
    trainee-month costs `cost_per_participant / duration_months` EUR, or, where that is null,
    the share `COST_SHARE` (a parameters.csv entry) of the regional mean wage.
    """

    COST_SHARE: ClassVar[str] = "tvet_cost_share"
    MAX_MONTHS: ClassVar[int] = 60
    regions: list[str] | None = None
    seats: float = 100_000.0
    duration_months: int = 6
    completion: float = 0.8
    cost_per_participant: float | None = None
    skill_after: float = 0.5

    def check(self, world: World) -> None:
        super().check(world)
        self._r = _regions(world, self.key("regions"), self.regions)
        _number(self.key("seats"), self.seats, what="people")
        _number(self.key("duration_months"), self.duration_months, 1, self.MAX_MONTHS, "months")
        _number(self.key("completion"), self.completion, 0.01, 1, "a share")
        if self.cost_per_participant is not None:
            _number(self.key("cost_per_participant"), self.cost_per_participant, what="EUR")
        _number(self.key("skill_after"), self.skill_after, 0, 1, "a skill level")

    def regional_providers(self, model: LabourMarketModel, kind: str, targets: np.ndarray, **kw: Any) -> None:
        """One provider of `kind` per region of the policy, training toward `targets` (`Policy.provider` keywords)."""
        w = model.world
        lf = w.rp("labour_force")
        for r in self._r:
            monthly = (
                self.cost_per_participant / self.duration_months
                if self.cost_per_participant is not None
                else model.params[self.COST_SHARE] * model.region_wage[r]
            )
            seats = self.seats * lf[r] / lf[self._r].sum()
            self.provider(model, int(r), kind, seats, self.duration_months, self.completion, monthly, targets,
                          skill_after=self.skill_after, **kw)  # fmt: skip


# ---------------------------------------------------------------- 1. reskilling
@register
@dataclass
class Reskilling(RegionalTraining):
    """Subsidised retraining of displaced and long-term unemployed workers toward low-exposure occupations.

    Each month, unemployed workers of `regions` who were displaced by automation or have been out
    of work `min_unemployed_months` are enrolled (at random, within the free seats and the
    budget) in a full-time programme of `duration_months`: off the market while they train
    (lock-in). Graduates hold a vocational credential and `skill_after` of full skill in a
    low-exposure occupation chosen by `WorkerRules.training_target` (vacancies x wage).
    """

    name: ClassVar[str] = "reskilling"
    seats: float = 200_000.0
    duration_months: int = 9
    completion: float = 0.75
    skill_after: float = 0.6
    min_unemployed_months: int = 12
    include_displaced: bool = True
    exposure_quantile: float = 0.5

    def check(self, world: World) -> None:
        super().check(world)
        _number(self.key("min_unemployed_months"), self.min_unemployed_months, 0, 600, "months")
        _number(self.key("exposure_quantile"), self.exposure_quantile, 0.05, 1, "a quantile")

    def setup(self, model: LabourMarketModel) -> None:
        targets = _low_exposure(model.world, self.exposure_quantile, max_level=3)
        self.regional_providers(model, "tvet", targets, award=2, flag=RESKILLED)

    def act(self, model: LabourMarketModel) -> None:
        ws = model.ws
        for pr in self.providers:
            idx = np.flatnonzero((ws.status == UNEMPLOYED) & (ws.region == pr.region))
            idx = idx[(ws.scheme[idx] & RESKILLED) == 0]
            long_term = model.t - ws.since[idx] >= self.min_unemployed_months
            displaced = (ws.displaced[idx] >= 0) if self.include_displaced else False
            self.enrol(model, pr, idx[long_term | displaced], off_market=True)


# ---------------------------------------------------------------- 2. upskilling
@register
@dataclass
class Upskilling(RegionalTraining):
    """Employers train workers of exposed occupations on the job toward less exposed ones, with a public subsidy.

    Employed workers of `regions` in occupations at or above the `exposure_quantile` of exposure
    are enrolled in-house (they keep working); on completion they move to a low-exposure
    occupation at their employer. The employer pays `1 - subsidy_share` of the cost, the
    government the rest (charged to the budget).
    """

    name: ClassVar[str] = "upskilling"
    COST_SHARE: ClassVar[str] = "inhouse_cost_share"
    seats: float = 200_000.0
    completion: float = 0.9
    skill_after: float = 0.6
    subsidy_share: float = 0.5
    exposure_quantile: float = 0.5

    def check(self, world: World) -> None:
        super().check(world)
        _number(self.key("subsidy_share"), self.subsidy_share, 0, 1, "a share")
        _number(self.key("exposure_quantile"), self.exposure_quantile, 0.05, 0.95, "a quantile")

    def setup(self, model: LabourMarketModel) -> None:
        w = model.world
        self._exposed = w.exposure >= np.quantile(w.exposure, self.exposure_quantile)
        targets = np.flatnonzero(~self._exposed)
        self.regional_providers(model, "inhouse", targets, public_share=self.subsidy_share, payer="employer")

    def act(self, model: LabourMarketModel) -> None:
        ws = model.ws
        for pr in self.providers:
            idx = np.flatnonzero((ws.status == EMPLOYED) & (ws.region == pr.region) & (ws.programme < 0))
            self.enrol(model, pr, idx[self._exposed[ws.occ[idx]]], off_market=False)


# ---------------------------------------------------------------- 3. pre-departure training
@register
@dataclass
class PreDeparture(Policy):
    """Training in the origin before a move: occupation skills for the destination's shortages, and language.

    Working-age natives of each corridor's origin with at least `min_credential` train full
    time for an occupation in demand in the destination (its open vacancies). Graduates then
    consider the move each month at `departure_rate`, decide by `WorkerRules.migration_choice`
    and go within the corridor's visas; abroad, their credentials are approved with
    `recognition_boost` more probability (the file and the language are ready) and they arrive
    with the skill of the destination's occupation.
    """

    name: ClassVar[str] = "pre_departure"
    corridors: list[Any] = field(default_factory=lambda: ["north_africa->eu"])
    seats: float = 20_000.0
    duration_months: int = 6
    completion: float = 0.8
    cost_per_participant: float = 3_000.0
    min_credential: int = 1
    departure_rate: float = 0.2
    recognition_boost: float = 0.3
    skill_after: float = 0.6

    def check(self, world: World) -> None:
        super().check(world)
        self._k = _corridors(world, self.key("corridors"), self.corridors)
        if (world.corridors.origin[self._k] >= world.n_regions).any():
            raise ConfigError(self.key("corridors"), self.corridors, "corridors whose origin is a simulated region")
        _number(self.key("seats"), self.seats, what="people")
        _number(self.key("duration_months"), self.duration_months, 1, 36, "months")
        _number(self.key("completion"), self.completion, 0.01, 1, "a share")
        _number(self.key("cost_per_participant"), self.cost_per_participant, what="EUR")
        _number(self.key("min_credential"), self.min_credential, 0, 3, "a credential level")
        _number(self.key("departure_rate"), self.departure_rate, 0, 1, "a monthly probability")
        _number(self.key("recognition_boost"), self.recognition_boost, 0, 1, "a probability")

    def setup(self, model: LabourMarketModel) -> None:
        w, c = model.world, model.world.corridors
        model.prepared_approval_bonus = max(model.prepared_approval_bonus, self.recognition_boost)
        targets = np.flatnonzero((w.skill_level >= 2) & (w.skill_level <= 3))
        share = self.seats / len(self._k)
        for k in self._k:
            pr = self.provider(
                model,
                int(c.origin[k]),
                "pre_departure",
                share,
                self.duration_months,
                self.completion,
                self.cost_per_participant / self.duration_months,
                targets,
                skill_after=self.skill_after,
                min_credential=self.min_credential,
                payer_region=int(c.destination[k]),
                flag=PREPARED,
            )
            pr.corridor = int(k)

    def act(self, model: LabourMarketModel) -> None:
        ws, w = model.ws, model.world
        for pr in self.providers:
            k, d = pr.corridor, int(w.corridors.destination[pr.corridor])
            home = (ws.region == pr.region) & ((ws.mig == NATIVE) | (ws.mig == RETURNEE))
            # graduates weigh the move
            prepared = np.flatnonzero(
                home & ((ws.scheme & PREPARED) > 0) & (ws.status != TRAINING) & (ws.status != VACANT)
            )
            consider = prepared[self.rng.random(prepared.size) < self.departure_rate]
            if consider.size:
                go = checked(
                    "WorkerRules.migration_choice",
                    model.rules.migration_choice(model, consider, np.full(consider.size, k)),
                    consider.size,
                    "b",
                )
                movers = consider[go]
                n = model.governments[d].issue_visas(k, movers.size)
                _move_scheme(model, movers[:n], k, w.corridors.draw_channel(self.rng, k, n))
            # new trainees: working-age natives with the credential, for the destination's shortages
            pool = np.flatnonzero(
                home & ((ws.status == EMPLOYED) | (ws.status == UNEMPLOYED)) & ((ws.scheme & PREPARED) == 0)
            )
            pool = pool[(ws.cred[pool] >= self.min_credential) & _working_age(model, pool, 20, 40)]
            # the programme serves those who mean to go: candidates who would choose the move
            pool = self.rng.permutation(pool)[: 20 * max(1, int(pr.seats - pr.enrolled) + 1)]
            want = checked(
                "WorkerRules.migration_choice",
                model.rules.migration_choice(model, pool, np.full(pool.size, k)),
                pool.size,
                "b",
            )
            take = self.enrol(model, pr, pool[want], off_market=True)
            if take.size:  # the occupation: where the destination has open jobs
                weight = model.V_region[d, pr.targets] + 1e-9
                cum = np.cumsum(weight)
                occ = pr.targets[
                    np.minimum(np.searchsorted(cum, self.rng.random(take.size) * cum[-1]), pr.targets.size - 1)
                ]
                ws.programme[take] = pr.index * w.n_occupations + occ


def _move_scheme(model: LabourMarketModel, idx: np.ndarray, k: int, channel: np.ndarray) -> None:
    from fowsim.processes import _move

    _move(model, idx, np.full(idx.size, k), channel)


# ---------------------------------------------------------------- 4. Global Skill Partnership
@register
@dataclass
class SkillsPartnership(Policy):
    """A Global Skill Partnership (Clemens 2015): the destination funds training in the origin, home and away tracks.

    Every `cohort_interval_months` a cohort of `cohort_size` people (young unemployed of the
    origin with at least `min_credential`) starts a `duration_months` course for `occupations`
    (default: the destination's most unfilled skill-level 2-3 occupations). Trainees are
    assigned to the away track with probability `away_share`, else the home track. Cost sharing
    as Clemens designed it: destination employers pay the away-track trainees' training, the
    destination government the home track's (development funds, charged to the budget).
    Graduates of the home track are placed in open jobs of their occupation at home where there
    are any; the away track moves on the corridor's visas, with the credential recognised
    (`recognised_abroad`) and a job of the occupation if one is open, on the partnership's own
    visas (outside the corridor's quota). Where there is no corridor, or the destination's
    borders are closed, an away graduate stays and looks for work at home. The accounts follow
    the graduates: how many are at home and abroad at the last month, and how many of them work.
    """

    name: ClassVar[str] = "skills_partnership"
    origin: str = "north_africa"
    destination: str = "eu"
    occupations: list[str] | None = None
    cohort_size: float = 120.0
    cohorts: int = 3
    cohort_interval_months: int = 12
    duration_months: int = 7
    completion: float = 0.9
    cost_per_trainee: float = 12_500.0
    home_share: float = 0.5
    away_share: float = 0.5
    min_credential: int = 1
    recognised_abroad: bool = True
    skill_after: float = 0.65

    def check(self, world: World) -> None:
        super().check(world)
        o = _regions(world, self.key("origin"), [self.origin])[0]
        d = _regions(world, self.key("destination"), [self.destination])[0]
        c = world.corridors
        k = np.flatnonzero((c.origin == o) & (c.destination == d))
        self._k = int(k[0]) if k.size else -1
        self._o, self._d = int(o), int(d)
        if self.occupations is not None:
            self._occ = _occupations(world, self.key("occupations"), self.occupations)
        for name in ("home_share", "away_share"):
            _number(self.key(name), getattr(self, name), 0, 1, "a share")
        if abs(self.home_share + self.away_share - 1.0) > 1e-9:
            raise ConfigError(
                self.key("away_share"),
                self.away_share,
                f"home_share + away_share = 1 (home_share is {self.home_share})",
            )
        _number(self.key("cohort_size"), self.cohort_size, what="people")
        _number(self.key("cohorts"), self.cohorts, 1, 1000, "a number of cohorts")
        _number(self.key("cohort_interval_months"), self.cohort_interval_months, 1, 120, "months")
        _number(self.key("duration_months"), self.duration_months, 1, 48, "months")
        _number(self.key("completion"), self.completion, 0.01, 1, "a share")
        _number(self.key("cost_per_trainee"), self.cost_per_trainee, what="EUR")

    def setup(self, model: LabourMarketModel) -> None:
        w = model.world
        if self.occupations is None:
            mid = np.flatnonzero((w.skill_level >= 2) & (w.skill_level <= 3))
            rate = model.V_region[self._d, mid] / np.maximum(
                model.E_region[self._d, mid] + model.V_region[self._d, mid], 1
            )
            self._occ = mid[np.argsort(-rate)[:3]]
        self._model = model  # its recorder follows the graduates (`account`)
        monthly = self.cost_per_trainee / self.duration_months
        args = (self.cohort_size, self.duration_months, self.completion, monthly, self._occ)
        self.home = self.provider(
            model,
            self._o,
            "partnership",
            *args,
            award=2,
            skill_after=self.skill_after,
            payer_region=self._d,
            flag=PARTNER,
        )
        self.away = self.provider(
            model,
            self._o,
            "partnership",
            *args,
            award=2,
            skill_after=self.skill_after,
            public_share=0.0,
            payer="employer",
            payer_region=self._d,
            flag=PARTNER | PREPARED,
        )
        self.cohorts_started = 0

    def account(self) -> dict[str, Any]:
        """The common accounts, and where the graduates are and whether they work, at the last month recorded.

        Read from the recorder's census (`partnership_graduates`, `partnership_graduates_employed`
        by region, in people): at home is the origin, abroad every other region.
        """
        out = super().account()
        t = self._model.t - 1 if hasattr(self, "_model") else -1
        if t < self.start_month:
            return out
        data = self._model.recorder.data
        grads, works = data["partnership_graduates"][t], data["partnership_graduates_employed"][t]
        o = self._o
        outcome = {
            "graduates_at_home": grads[o],
            "graduates_at_home_employed": works[o],
            "graduates_abroad": grads.sum() - grads[o],
            "graduates_abroad_employed": works.sum() - works[o],
        }
        return {**out, **{k: round(float(v), 1) for k, v in outcome.items()}}

    def active(self, t: int) -> bool:  # runs until its last cohort is placed
        last = self.start_month + (self.cohorts - 1) * self.cohort_interval_months + self.duration_months + 2
        return t >= self.start_month and t <= last and (self.end_month is None or t < self.end_month)

    def act(self, model: LabourMarketModel) -> None:
        ws = model.ws
        self._place(model)
        due = (model.t - self.start_month) % self.cohort_interval_months == 0
        if not due or self.cohorts_started >= self.cohorts:
            return
        self.cohorts_started += 1
        pool = np.flatnonzero((ws.region == self._o) & (ws.status == UNEMPLOYED) & (ws.mig != TEMPORARY))
        pool = pool[(ws.cred[pool] >= self.min_credential) & _working_age(model, pool, 18, 35)]
        n = min(pool.size, stochastic_round(self.rng, self.cohort_size / model.scale))
        cohort = self.rng.choice(pool, size=n, replace=False)
        away = self.rng.random(n) < self.away_share
        for pr, who in ((self.away, cohort[away]), (self.home, cohort[~away])):
            pr.seats = pr.enrolled + who.size  # one cohort at a time: its own seats
            self.enrol(model, pr, who, off_market=True)

    def _place(self, model: LabourMarketModel) -> None:
        ws = model.ws
        at_home = (ws.region == self._o) & ((ws.status == EMPLOYED) | (ws.status == UNEMPLOYED))
        away = np.flatnonzero(at_home & ((ws.scheme & (PARTNER | PREPARED)) == PARTNER | PREPARED))
        # the partnership's own visas, where the corridor exists and the destination's borders are open
        can_go = self._k >= 0 and model.governments[self._d].borders_open
        movers, stay = (away, away[:0]) if can_go else (away[:0], away)
        if movers.size:
            _move_scheme(model, movers, self._k, np.full(movers.size, TEMPORARY))
            ws.visa_end[movers] = model.t + 48  # a four-year work permit, as in Clemens' design
            if self.recognised_abroad:
                ws.recog[movers[ws.recog[movers] == PENDING]] = RECOGNISED
            placed = _fill_vacancies(model, movers, self._d, ws.occ[movers].astype(np.int64))
            model.count("placements_away", np.full(placed.size, self._d))
        ws.scheme[stay] &= ~np.uint16(PREPARED)  # the away track could not go: they stay home
        home = self.graduates(model, PARTNER)
        home = home[(ws.region[home] == self._o) & ((ws.scheme[home] & PREPARED) == 0)]
        placed = _fill_vacancies(model, home, self._o, ws.occ[home].astype(np.int64))
        model.count("placements_home", np.full(placed.size, self._o))


# ---------------------------------------------------------------- 5. recognition
@register
@dataclass
class Recognition(Policy):
    """Mutual recognition agreements between region pairs, and a qualification passport for refugees.

    On the corridors of `pairs` (both directions), decisions come `speedup` times as fast and
    approve with probability `approval` (fewer downgrades); each decision costs the destination
    `cost_per_decision`. With `refugee_passport`, refugees' credentials in `passport_regions`
    (default: every destination of the pairs) are assessed within `passport_months` and approved
    with `passport_approval` (the UNESCO Qualifications Passport). When the budget runs out the
    agreements lapse back to the corridors' own rates. A recognised credential opens the
    professions it qualifies for: each month a share `bridging_rate` of recognised migrants of
    the pairs who work below their level move to an open job at their level where there is one
    (their old job is advertised again).
    """

    name: ClassVar[str] = "recognition"
    pairs: list[Any] = field(default_factory=lambda: ["north_africa->eu", "west_africa->eu", "east_africa->eu"])
    approval: float = 0.9
    bridging_rate: float = 0.05
    speedup: float = 2.0
    cost_per_decision: float = 300.0
    refugee_passport: bool = True
    passport_regions: list[str] | None = None
    passport_months: float = 3.0
    passport_approval: float = 0.8

    def check(self, world: World) -> None:
        super().check(world)
        self._k = _corridors(world, self.key("pairs"), self.pairs, both_ways=True)
        _number(self.key("approval"), self.approval, 0, 1, "a probability")
        _number(self.key("speedup"), self.speedup, 1, 100, "a factor")
        _number(self.key("cost_per_decision"), self.cost_per_decision, what="EUR")
        _number(self.key("passport_months"), self.passport_months, 1, 120, "months")
        _number(self.key("passport_approval"), self.passport_approval, 0, 1, "a probability")
        _number(self.key("bridging_rate"), self.bridging_rate, 0, 1, "a monthly probability")
        dests = sorted({world.regions[d] for d in world.corridors.destination[self._k]})
        self._p = _regions(world, self.key("passport_regions"), self.passport_regions or dests)

    def setup(self, model: LabourMarketModel) -> None:
        self._base = (model.recognition_months.copy(), model.recognition_approval.copy())
        self._on = False

    def apply(self, model: LabourMarketModel) -> None:
        ws = model.ws
        on = self.active(model.t)
        if on:
            # this month's expected decisions under the agreements, paid before they are made
            pend = np.flatnonzero(ws.recog == PENDING)
            pend = pend[ws.status[pend] != VACANT]
            k = model.corridor_of[ws.origin[pend], ws.region[pend]]
            k = k[np.isin(k, self._k)]
            months = self._base[0][k] / self.speedup
            decisions = np.bincount(
                model.world.corridors.destination[k], weights=1.0 / months, minlength=model.world.n_regions
            )
            for d in np.flatnonzero(decisions > 0):
                n = stochastic_round(self.rng, float(decisions[d]))
                on &= self.pay(model, int(d), self.cost_per_decision * model.scale, n) == n
        if on and self.bridging_rate > 0:
            self._bridge(model)
        if on != self._on:
            months, approval = self._base
            k = self._k
            model.recognition_months[k] = months[k] / self.speedup if on else months[k]
            model.recognition_approval[k] = np.maximum(approval[k], self.approval) if on else approval[k]
            if self.refugee_passport:
                model.passport_months[self._p] = self.passport_months if on else np.nan
                model.passport_approval[self._p] = self.passport_approval if on else np.nan
            self._on = on

    def _bridge(self, model: LabourMarketModel) -> None:
        ws, w = model.ws, model.world
        emp = np.flatnonzero((ws.status == EMPLOYED) & (ws.recog == RECOGNISED))
        k = model.corridor_of[ws.origin[emp], ws.region[emp]]
        emp = emp[np.isin(k, self._k) & (w.skill_level[ws.occ[emp]] < ws.cred[emp] + 1)]
        movers = emp[self.rng.random(emp.size) < self.bridging_rate]
        for r in np.unique(ws.region[movers]):
            mine = movers[ws.region[movers] == r]
            old_f, old_o = ws.employer[mine].astype(np.int64), ws.occ[mine].astype(np.int64)
            # an occupation at the credential's level (skill level = credential + 1), weighted by its open jobs
            level_ok = w.skill_level[None, :] == (ws.cred[mine][:, None] + 1)
            weight = (
                level_ok * (model.V_region[r][None, :] + 1e-12) * (w.min_credential[None, :] <= ws.cred[mine][:, None])
            )
            total = weight.sum(axis=1)
            has = total > 1e-9
            cum = np.cumsum(weight[has], axis=1)
            occ = np.minimum((cum < self.rng.random(has.sum())[:, None] * cum[:, -1:]).sum(axis=1), w.n_occupations - 1)
            placed = _fill_vacancies(model, mine[has], int(r), occ)
            moved = np.isin(mine, placed)
            model.V += counts(model.V.shape, old_f[moved], old_o[moved])
            model.count("job_to_job", ws.region[placed])


# ---------------------------------------------------------------- 6. circular mobility
@register
@dataclass
class CircularMobility(Policy):
    """Temporary work visas with a fixed stay and a return: migrants fill open jobs abroad, then bring skills home.

    Each month up to `annual_places / 12` workers of each corridor's origin are recruited for
    vacancies the destination's employers could not fill (they accept by
    `WorkerRules.migration_choice`), hired on arrival (in their own occupation where a job of it
    is open), and leave after `stay_months` (no renewal). Back home they carry `skill_gain`
    more skill (on top of every returnee's) and
    their credential. Each place costs the destination `cost_per_place` (matching, travel).
    """

    name: ClassVar[str] = "circular_mobility"
    corridors: list[Any] = field(default_factory=lambda: ["north_africa->eu", "west_africa->eu"])
    annual_places: float = 50_000.0
    stay_months: int = 18
    skill_gain: float = 0.1
    cost_per_place: float = 1_500.0

    def check(self, world: World) -> None:
        super().check(world)
        self._k = _corridors(world, self.key("corridors"), self.corridors)
        _number(self.key("annual_places"), self.annual_places, what="people a year")
        _number(self.key("stay_months"), self.stay_months, 1, 120, "months")
        _number(self.key("skill_gain"), self.skill_gain, 0, 1, "skill units")
        _number(self.key("cost_per_place"), self.cost_per_place, what="EUR")

    def setup(self, model: LabourMarketModel) -> None:
        model.circular_return_gain = max(model.circular_return_gain, self.skill_gain)
        self._allowance = np.zeros(len(self._k))

    def act(self, model: LabourMarketModel) -> None:
        from fowsim.processes import _recruit

        ws, c = model.ws, model.world.corridors
        self._allowance += self.annual_places / 12.0 / model.scale / len(self._k)
        for i, k in enumerate(self._k):
            d = int(c.destination[k])
            if not model.governments[d].borders_open:
                continue
            open_jobs = int(model.V_carry[model.firm_region == d].sum())
            n = min(int(self._allowance[i]), open_jobs)
            n = self.affordable(self.cost_per_place * model.scale, n)
            if n <= 0:
                continue
            recruits = _recruit(model, model.streams["policies"], int(k), n)
            self._allowance[i] -= recruits.size
            self.pay(model, d, self.cost_per_place * model.scale, recruits.size)
            ws.visa_end[recruits] = model.t + self.stay_months
            ws.scheme[recruits] |= CIRCULAR
            self.join(model, recruits)
            # jobs of their own occupation first (skills carry over), then any open job
            placed = _fill_vacancies(model, recruits, d, ws.occ[recruits].astype(np.int64))
            _fill_vacancies(model, np.setdiff1d(recruits, placed), d)


# ---------------------------------------------------------------- 7. long-term mobility
@register
@dataclass
class LongTermMobility(Policy):
    """Permanent channels with quotas, and family joining: more settled migration on chosen corridors.

    Each month up to `annual_quota / 12` working-age natives of each corridor's origin who
    decide to go (`WorkerRules.migration_choice`, which weighs the diaspora already there) move
    on a permanent visa. Each such migrant is joined by one working family member at the
    monthly rate `family_rate` (outside the quota), which grows the diaspora that draws the
    next movers.
    """

    name: ClassVar[str] = "long_term_mobility"
    corridors: list[Any] = field(default_factory=lambda: ["north_africa->eu", "west_africa->eu"])
    annual_quota: float = 100_000.0
    family_rate: float = 0.02
    cost_per_migrant: float = 0.0

    def check(self, world: World) -> None:
        super().check(world)
        self._k = _corridors(world, self.key("corridors"), self.corridors)
        if (world.corridors.origin[self._k] >= world.n_regions).any():
            raise ConfigError(self.key("corridors"), self.corridors, "corridors whose origin is a simulated region")
        _number(self.key("annual_quota"), self.annual_quota, what="people a year")
        _number(self.key("family_rate"), self.family_rate, 0, 1, "a monthly probability")
        _number(self.key("cost_per_migrant"), self.cost_per_migrant, what="EUR")

    def setup(self, model: LabourMarketModel) -> None:
        self._allowance = np.zeros(len(self._k))

    def act(self, model: LabourMarketModel) -> None:
        ws, c = model.ws, model.world.corridors
        self._allowance += self.annual_quota / 12.0 / model.scale / len(self._k)
        for i, k in enumerate(self._k):
            o, d = int(c.origin[k]), int(c.destination[k])
            if not model.governments[d].borders_open:
                continue
            home = np.flatnonzero((ws.region == o) & ((ws.status == EMPLOYED) | (ws.status == UNEMPLOYED)))
            home = home[((ws.mig[home] == NATIVE) | (ws.mig[home] == RETURNEE)) & _working_age(model, home, 18, 45)]
            n = int(self._allowance[i])
            if n > 0 and home.size:
                cand = self.rng.choice(home, size=min(home.size, 4 * n), replace=False)
                go = checked(
                    "WorkerRules.migration_choice",
                    model.rules.migration_choice(model, cand, np.full(cand.size, k)),
                    cand.size,
                    "b",
                )
                movers = cand[go][:n]
                movers = movers[: self.affordable(self.cost_per_migrant * model.scale, movers.size)]
                self.pay(model, d, self.cost_per_migrant * model.scale, movers.size)
                _move_scheme(model, movers, int(k), np.full(movers.size, PERMANENT))
                ws.scheme[movers] |= LONG_TERM
                self._allowance[i] -= movers.size
                self.join(model, movers)
            # family joining: one working family member per scheme migrant, outside the quota
            settled = np.flatnonzero((ws.region == d) & (ws.origin == o) & ((ws.scheme & LONG_TERM) > 0))
            settled = settled[((ws.scheme[settled] & FAMILY_DONE) == 0) & (ws.status[settled] != VACANT)]
            joined = settled[self.rng.random(settled.size) < self.family_rate]
            home = home[ws.region[home] == o]  # those who just left are no longer at home
            family = self.rng.choice(home, size=min(home.size, joined.size), replace=False) if home.size else home
            ws.scheme[joined[: family.size]] |= FAMILY_DONE
            _move_scheme(model, family, int(k), np.full(family.size, PERMANENT))
            ws.scheme[family] |= LONG_TERM | FAMILY_DONE
            model.count("family_joiners", np.full(family.size, d))


# ---------------------------------------------------------------- 8. online training
@register
@dataclass
class OnlineTraining(RegionalTraining):
    """Training without travel: cheap, large, and less often completed; open during mobility restrictions.

    Unemployed workers of `regions` (and employed ones with `include_employed`) enrol at random
    up to the seats and budget and keep searching while they learn (no lock-in); they finish at
    a monthly hazard 1/duration, or drop out so that `completion` finish. Graduates gain
    `skill_after` in the target occupation but no formal credential.
    """

    name: ClassVar[str] = "online_training"
    COST_SHARE: ClassVar[str] = "online_cost_share"
    MAX_MONTHS: ClassVar[int] = 36
    seats: float = 500_000.0
    duration_months: int = 4
    completion: float = 0.3
    skill_after: float = 0.4
    include_employed: bool = False

    def setup(self, model: LabourMarketModel) -> None:
        w = model.world
        self.regional_providers(model, "online", np.flatnonzero((w.skill_level >= 2) & (w.skill_level <= 3)))

    def act(self, model: LabourMarketModel) -> None:
        ws = model.ws
        for pr in self.providers:
            ok = (ws.status == UNEMPLOYED) | ((ws.status == EMPLOYED) & self.include_employed)
            idx = np.flatnonzero(ok & (ws.region == pr.region) & (ws.programme < 0))
            self.enrol(model, pr, idx, off_market=False)


# ---------------------------------------------------------------- 9. diaspora training
@register
@dataclass
class DiasporaTraining(Policy):
    """Diaspora members train youth in their origin region; the places grow with the diaspora abroad.

    Each origin of `origins` offers `places_per_thousand` training places per thousand of its
    workers abroad (the model's migrant stock, this month). Unemployed youth (15-24) of the
    origin take them, off the market for `duration_months`, and graduate with skill in a skill
    level 2-3 occupation in demand at home. The diaspora pays (private spending), so there is
    no public budget unless `public_share` > 0.
    """

    name: ClassVar[str] = "diaspora_training"
    origins: list[str] = field(default_factory=lambda: ["north_africa", "west_africa", "east_africa"])
    places_per_thousand: float = 2.0
    duration_months: int = 3
    completion: float = 0.6
    cost_per_participant: float = 600.0
    public_share: float = 0.0
    skill_after: float = 0.5

    def check(self, world: World) -> None:
        super().check(world)
        self._r = _regions(world, self.key("origins"), self.origins)
        _number(self.key("places_per_thousand"), self.places_per_thousand, what="places per thousand")
        _number(self.key("duration_months"), self.duration_months, 1, 36, "months")
        _number(self.key("completion"), self.completion, 0.01, 1, "a share")
        _number(self.key("cost_per_participant"), self.cost_per_participant, what="EUR")
        _number(self.key("public_share"), self.public_share, 0, 1, "a share")

    def setup(self, model: LabourMarketModel) -> None:
        w = model.world
        targets = np.flatnonzero((w.skill_level >= 2) & (w.skill_level <= 3))
        for r in self._r:
            self.provider(
                model,
                int(r),
                "diaspora",
                0.0,
                self.duration_months,
                self.completion,
                self.cost_per_participant / self.duration_months,
                targets,
                skill_after=self.skill_after,
                public_share=self.public_share,
                payer="private",
                flag=DIASPORA_TRAINED,
            )

    def act(self, model: LabourMarketModel) -> None:
        ws, c = model.ws, model.world.corridors
        for pr in self.providers:
            abroad = model.migrant_stock[c.origin == pr.region].sum() * model.scale  # people
            pr.seats = self.places_per_thousand * abroad / 1000.0 / model.scale
            idx = np.flatnonzero((ws.status == UNEMPLOYED) & (ws.region == pr.region))
            idx = idx[_working_age(model, idx, 15, 25) & (ws.mig[idx] != TEMPORARY)]
            self.enrol(model, pr, idx, off_market=True)


# ---------------------------------------------------------------- 10. mobility restrictions
@register
@dataclass
class MobilityRestrictions(Policy):
    """Borders close for a period (the pandemic case): no visas into `regions`, on any channel.

    From `start_month` to `end_month` the governments of `regions` issue no visas (work,
    family, protection, sponsored recruitment); migrants already there stay or return as usual.
    """

    name: ClassVar[str] = "mobility_restrictions"
    regions: list[str] | None = None
    start_month: int = 12
    end_month: int | None = 30

    def check(self, world: World) -> None:
        super().check(world)
        self._r = _regions(world, self.key("regions"), self.regions)

    def apply(self, model: LabourMarketModel) -> None:
        for r in self._r:
            model.governments[r].borders_open = not self.active(model.t)


# ---------------------------------------------------------------- 11. demand-led training
@register
@dataclass
class DemandLedTraining(RegionalTraining):
    """Short courses for the occupations in shortage, read from vacancy data (the private-sector partnership).

    Every `review_months` the `n_occupations` tightest occupations of each region (open
    vacancies per unemployed worker) become the courses' targets; unemployed workers enrol for
    `duration_months` full time. Against training planned from supply (the default providers'
    fixed programmes), the targets follow demand.
    """

    name: ClassVar[str] = "demand_led_training"
    MAX_MONTHS: ClassVar[int] = 24
    duration_months: int = 3
    completion: float = 0.85
    skill_after: float = 0.55
    n_occupations: int = 4
    review_months: int = 6
    employer_share: float = 0.3

    def check(self, world: World) -> None:
        super().check(world)
        _number(self.key("n_occupations"), self.n_occupations, 1, world.n_occupations, "a number of occupations")
        _number(self.key("review_months"), self.review_months, 1, 120, "months")
        _number(self.key("employer_share"), self.employer_share, 0, 1, "a share")

    def setup(self, model: LabourMarketModel) -> None:
        targets = np.arange(model.world.n_occupations)  # until the first review
        self.regional_providers(model, "demand_led", targets, public_share=1.0 - self.employer_share, payer="employer")

    def shortages(self, model: LabourMarketModel, r: int) -> np.ndarray:
        """The region's `n_occupations` tightest occupations (vacancies per unemployed worker)."""
        tight = model.V_region[r] / (model.U_region[r] + 1.0)
        return np.argsort(-tight, kind="stable")[: int(self.n_occupations)]

    def act(self, model: LabourMarketModel) -> None:
        ws = model.ws
        review = (model.t - self.start_month) % self.review_months == 0
        for pr in self.providers:
            if review:
                pr.targets = self.shortages(model, pr.region)
            idx = np.flatnonzero((ws.status == UNEMPLOYED) & (ws.region == pr.region) & (ws.since < model.t))
            self.enrol(model, pr, idx, off_market=True)


# ---------------------------------------------------------------- 12. entrepreneurship training
@register
@dataclass
class EntrepreneurshipTraining(RegionalTraining):
    """Training in entrepreneurship (agriculture, digital): some graduates start a business, some of those hire.

    Unemployed workers of `regions` train full time for `duration_months` in the `sectors`'
    occupations. Of the graduates, `self_employment_share` start a business: they are employed
    in it (new demand at an employer of the sector) and `hiring_share` of the businesses open
    `hires_per_business` jobs more. Businesses close at `business_exit_rate` a month, which
    takes their demand away (and their jobs, through the usual layoffs).
    """

    name: ClassVar[str] = "entrepreneurship_training"
    SECTOR_OCCUPATIONS: ClassVar[dict[str, tuple[str, ...]]] = {
        "agriculture": ("6",),
        "digital": ("25", "35"),
        "crafts": ("7",),
        "services": ("5",),
    }
    MAX_MONTHS: ClassVar[int] = 24
    seats: float = 50_000.0
    duration_months: int = 4
    completion: float = 0.7
    sectors: list[str] = field(default_factory=lambda: ["agriculture", "digital"])
    self_employment_share: float = 0.3
    hiring_share: float = 0.2
    hires_per_business: float = 2.0
    business_exit_rate: float = 0.01

    def check(self, world: World) -> None:
        super().check(world)
        if isinstance(self.sectors, str) or not self.sectors:
            raise ConfigError(self.key("sectors"), self.sectors, f"a list among {sorted(self.SECTOR_OCCUPATIONS)}")
        for s in self.sectors:
            if s not in self.SECTOR_OCCUPATIONS:
                raise ConfigError(self.key("sectors"), s, f"one of {sorted(self.SECTOR_OCCUPATIONS)}")
        prefixes = tuple(p for s in self.sectors for p in self.SECTOR_OCCUPATIONS[s])
        self._occ = np.array([i for i, code in enumerate(world.isco) if str(code).startswith(prefixes)], dtype=np.int64)
        if self._occ.size == 0:
            raise ConfigError(self.key("sectors"), self.sectors, "sectors with occupations in the world")
        for name in ("self_employment_share", "hiring_share", "business_exit_rate"):
            _number(self.key(name), getattr(self, name), 0, 1, "a share")
        _number(self.key("hires_per_business"), self.hires_per_business, 0, 100, "jobs")

    def setup(self, model: LabourMarketModel) -> None:
        self.regional_providers(model, "entrepreneurship", self._occ, flag=ENTREPRENEUR)
        self.businesses = np.zeros_like(model.D_extra)  # (F, O) businesses started, by the employer that hosts them
        self._demand = np.zeros_like(model.D_extra)  # (F, O) the jobs they created

    def apply(self, model: LabourMarketModel) -> None:
        # businesses close whether or not the training still runs
        if self.businesses.any():
            closing = self.rng.binomial(self.businesses.astype(np.int64), self.business_exit_rate)
            share = np.divide(closing, self.businesses, out=np.zeros_like(self.businesses), where=self.businesses > 0)
            model.D_extra -= share * self._demand
            self._demand -= share * self._demand
            self.businesses -= closing
        super().apply(model)

    def act(self, model: LabourMarketModel) -> None:
        ws = model.ws
        grads = self.graduates(model, ENTREPRENEUR)
        start = grads[self.rng.random(grads.size) < self.self_employment_share]
        if start.size:
            region = ws.region[start].astype(np.int64)
            occ = ws.occ[start].astype(np.int64)
            sector = model.occ_sector[occ]
            firm = np.empty(start.size, dtype=np.int64)
            for r, s in set(zip(region.tolist(), sector.tolist())):
                hosts = np.flatnonzero((model.firm_region == r) & (model.firm_sector == s))
                mine = (region == r) & (sector == s)
                firm[mine] = self.rng.choice(hosts, size=int(mine.sum()))
            hires = (self.rng.random(start.size) < self.hiring_share) * self.hires_per_business
            extra = counts(model.D_extra.shape, firm, occ).astype(float)
            jobs = np.zeros_like(model.D_extra)
            np.add.at(jobs, (firm, occ), hires)
            model.D_extra += extra + jobs
            self._demand += extra + jobs
            self.businesses += counts(model.D_extra.shape, firm, occ)
            model.D += extra + jobs
            model.V += np.floor(jobs).astype(np.int64)
            skill = np.clip(model.skill_now(start), 0.0, 1.0).astype(np.float32)
            model.hire(start, firm, occ, skill)
            model.count("business_starts", ws.region[start])
        for pr in self.providers:
            idx = np.flatnonzero((ws.status == UNEMPLOYED) & (ws.region == pr.region))
            self.enrol(model, pr, idx[(ws.scheme[idx] & ENTREPRENEUR) == 0], off_market=True)


# ---------------------------------------------------------------- building from a config
def build_policies(spec: Any, world: World) -> list[Policy]:
    """Policies from the `policy` config node: a mapping name -> parameters (empty = baseline)."""
    if not isinstance(spec, Mapping):
        raise ConfigError("policy", spec, "a mapping of policy name to parameters (or baseline)")
    out = []
    for name, params in spec.items():
        params = dict(params or {})
        target = params.pop("_target_", None)
        if target is not None:  # a collaborator's policy class
            from fowsim.errors import ExtensionError
            from fowsim.scenario import import_target

            cls = import_target(target, f"policy.{name}._target_")
            if not (isinstance(cls, type) and issubclass(cls, Policy) and is_dataclass(cls)):
                raise ExtensionError(
                    f"policy.{name}._target_={target!r}: expected a @dataclass subclass of fowsim.policies.Policy"
                )
        elif name in REGISTRY:
            cls = REGISTRY[name]
        else:
            raise ConfigError("policy", name, f"one of {sorted(REGISTRY)}, a {{_target_: module.Class}} (or baseline)")
        known = {f.name for f in fields(cls) if f.init}
        for key in params:
            if key not in known:
                raise ConfigError(f"policy.{name}.{key}", params[key], f"a parameter of {name}: one of {sorted(known)}")
        policy = cls(**params)
        if policy.name != name:
            policy.name = name  # the config's name: in keys, accounts and the report
        policy.check(world)
        out.append(policy)
    return out
