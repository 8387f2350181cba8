"""The base of every policy: an active period, a budget, its own random stream, accounts, and the training helpers.

A policy subclasses `Policy` as a `@dataclass`, declares its parameters once with `param`
(`fowsim.policies.params`), resolves names against the world in `check`, builds what it runs in
`setup` (training providers, hooks on the books), and acts each month of its active period in
`act` (the model's `policies` phase). It acts only through the agents, the books' public methods
(`model.market`, `model.migration`, `model.recognition`, `model.tally`), the hooks it registers
and the worker rules (`model.decide`), and every draw it makes, the rules' included, comes from
its own stream `policy:<name>` (`self.rng`): a policy that does nothing leaves the run identical to
the baseline with the same seed (common random numbers).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from fowsim.agents import TrainingProvider
from fowsim.codes import TRAINING, UNEMPLOYED, YOUTH_MONTHS
from fowsim.errors import ConfigError
from fowsim.lottery import Lottery, check_regions
from fowsim.phases.training import taught_share
from fowsim.policies.params import SKILL_AFTER_BASIS, SKILL_AFTER_UNIT, check_declared, param
from fowsim.sim import Simulation
from fowsim.world import World

START_BASIS = "the default automation shock starts in month 12 (configs/shock); policies start with it"


# ---------------------------------------------------------------- names resolved against the world
def regions(world: World, key: str, names: Sequence[str] | None) -> np.ndarray:
    """Indices of regions `names` (all regions if None)."""
    if names is None:
        return np.arange(world.n_regions)
    if isinstance(names, str) or not isinstance(names, Sequence) or not names:
        raise ConfigError(key, names, f"a non-empty list of regions among {list(world.regions)}")
    for n in names:
        if n not in world.regions:
            raise ConfigError(key, n, f"one of {list(world.regions)}")
    return np.array([world.regions.index(n) for n in names], dtype=np.int64)


def corridors(world: World, key: str, specs: Sequence[Any], both_ways: bool = False) -> np.ndarray:
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


def corridors_from_home(world: World, key: str, specs: Sequence[Any]) -> np.ndarray:
    """`corridors`, all of whose origins are simulated regions (a policy that acts in the origin)."""
    k = corridors(world, key, specs)
    if (world.corridors.origin[k] >= world.n_regions).any():
        raise ConfigError(key, list(specs), "corridors whose origin is a simulated region")
    return k


def occupations(world: World, key: str, names: Sequence[str]) -> np.ndarray:
    """Indices of occupations `names`."""
    if isinstance(names, str) or not isinstance(names, Sequence) or not names:
        raise ConfigError(key, names, "a non-empty list of occupations")
    for n in names:
        if n not in world.occupations:
            raise ConfigError(key, n, f"one of the world's occupations ({', '.join(world.occupations[:4])}, ...)")
    return np.array([world.occupations.index(n) for n in names], dtype=np.int64)


def stochastic_round(rng: np.random.Generator, x: float) -> int:
    """`x` rounded down or up at random, so that the expectation is `x` (people to simulated workers)."""
    return int(math.floor(x + rng.random())) if x > 0 else 0


def working_age(model: Simulation, idx: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Whether workers `idx` are aged `lo` to under `hi` years this month."""
    age = (model.t - model.ws.birth[idx]) / 12.0
    return (age >= lo) & (age < hi)


def mid_skill(world: World) -> np.ndarray:
    """Occupations of ISCO-08 skill level 2-3: what short courses and pre-departure training prepare for."""
    return np.flatnonzero((world.skill_level >= 2) & (world.skill_level <= 3))


def low_exposure(world: World, quantile: float, max_level: int = 4) -> np.ndarray:
    """Occupations at or below the `quantile` of automation exposure, of skill level `max_level` at most."""
    cut = np.quantile(world.exposure, quantile)
    return np.flatnonzero((world.exposure <= cut) & (world.skill_level <= max_level))


# ---------------------------------------------------------------- the base class
@dataclass
class Policy:
    """Base class: an active period, a budget of public money, and the hooks the model calls.

    Parameters common to all policies:
        start_month: first month the policy acts.
        end_month: month it stops (None: runs to the horizon); the last active month is end_month - 1.
        budget: EUR of public money over the policy's life (None: no limit); spending never exceeds it.
    """

    name: ClassVar[str] = "policy"
    # whether the policy takes part of the people (enrols, moves, places): its effects then need enough
    # simulated participants to be measured (`fowsim.evaluation.resolution`); False for policies that act on
    # everyone concerned (a recognition agreement, closed borders)
    ENROLS: ClassVar[bool] = True
    start_month: int = param(12, kind="whole", lo=0, unit="month of the run", basis=START_BASIS)
    end_month: int | None = param(None, kind="whole", lo=1, optional=True, unit="month; null: to the horizon",
                                  basis="runs to the horizon")  # fmt: skip
    budget: float | None = param(None, lo=0, optional=True, unit="EUR of public money; null: no limit",
                                 basis="no limit, so that effects are not capped by an assumed budget")  # fmt: skip

    def __post_init__(self) -> None:
        self.spent = 0.0  # public EUR charged so far
        self.total_cost = 0.0  # all EUR (public, employers, private) of the policy's programmes
        self.participants = 0.0  # people (simulated workers x scale) the policy enrolled or moved
        self.participants_female = 0.0  # of whom women
        self.participants_youth = 0.0  # of whom aged 15-24 when they joined
        self.providers: list[TrainingProvider] = []
        self._rng: np.random.Generator | None = None
        self._scale = 1.0  # people per simulated worker, set when bound to a model
        self.lottery: Lottery | None = None  # the recorded draws of participants (set when bound to a model)

    # -- checks
    def key(self, name: str) -> str:
        """The config key of parameter `name`: `policy.<name of the policy>.<name>`."""
        return f"policy.{self.name}.{name}"

    def check(self, world: World) -> None:
        """Check the parameters against their declarations and `world` (one-line ConfigError naming the key).

        Subclasses resolve names (regions, corridors, occupations) here, after `super().check(world)`.
        """
        check_declared(self)
        if self.end_month is not None and self.end_month <= self.start_month:
            raise ConfigError(
                self.key("end_month"), self.end_month, f"null or a month after start_month {self.start_month}"
            )

    # -- life in a model
    @property
    def rng(self) -> np.random.Generator:
        """The policy's own random stream (`policy:<name>`): every draw of the policy, the worker rules' included."""
        if self._rng is None:
            raise RuntimeError(f"policy {self.name!r} is not part of a model yet (LabourMarketModel binds it)")
        return self._rng

    def bind(self, model: Simulation) -> None:
        """Join `model`: take the policy's stream, the model's scale and a recorded lottery, then `setup`."""
        self._rng = model.stream(f"policy:{self.name}")
        self._scale = model.scale
        check_regions(model.world.n_regions)
        self.lottery = Lottery(model.stream(f"lottery:{self.name}"), model.evaluation.controls,
                               model.world.low_skill)  # fmt: skip
        self.setup(model)

    def draw(self, model: Simulation, pool: np.ndarray, winners: np.ndarray) -> None:
        """Record a lottery: `winners` (given a place this month) drawn at random from the eligible `pool`.

        Every policy that chooses participants among eligible people or applicants calls it (`enrol`
        does), so that its direct effect can be measured as an evaluation would (`fowsim.lottery`).
        """
        if self.lottery is not None:
            self.lottery.draw(model, pool, winners)

    def setup(self, model: Simulation) -> None:
        """Called once when the model is built: create providers, register hooks."""

    def apply(self, model: Simulation) -> None:
        """Called every month in the `policies` phase; acts while the policy is active."""
        if self.active(model.t):
            self.act(model)

    def act(self, model: Simulation) -> None:
        """What the policy does in an active month."""

    def active(self, t: int) -> bool:
        """Whether the policy acts in month `t`: from `start_month` to `end_month - 1`."""
        return t >= self.start_month and (self.end_month is None or t < self.end_month)

    # -- money
    def committed(self, model: Simulation) -> float:
        """Public EUR still to pay for the trainees enrolled now, over the rest of their programmes (at most)."""
        pay = model.market.pay_level()  # a cost set as a wage share follows the going wage (`monthly_cost`)
        return sum(
            pr.enrolled * pr.monthly_cost(pay) * model.scale * pr.public_share * pr.duration for pr in self.providers
        )

    def room(self, model: Simulation, unit: float) -> int:
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

    def pay(self, model: Simulation, region: int, unit: float, n: int, payer: str = "public") -> int:
        """Pay `unit` EUR for up to `n` items in `region` within the budget; returns how many are paid."""
        n = self.affordable(unit, n) if payer == "public" else n
        amount = unit * n
        model.tally.spend(payer, region, amount)
        self.charge(amount if payer == "public" else 0.0, amount)
        return n

    def join(self, model: Simulation, idx: np.ndarray) -> None:
        """Count workers `idx` as the policy's participants (in people), women and youth among them."""
        ws = model.ws
        self.participants += idx.size * model.scale
        self.participants_female += int(np.count_nonzero(ws.female[idx])) * model.scale
        young = int(np.count_nonzero(model.t - ws.birth[idx].astype(np.int64) < YOUTH_MONTHS))
        self.participants_youth += young * model.scale

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
    def provider(self, model: Simulation, region: int, kind: str, seats: float, **programme: Any) -> TrainingProvider:
        """A training provider run by this policy in `region`, with `seats` people in training at once.

        `programme` holds the provider's other arguments (`fowsim.agents.TrainingProvider`:
        duration, completion, cost_per_month, targets, award, skill_after, ...). The policy enrols
        (no open enrolment) and its budget pays the public share. A `skill_after` of None is what a
        programme of that duration teaches (`fowsim.phases.training.taught_share`, with the world's
        fitted `training_yield`).
        """
        programme["duration"] = int(programme["duration"])
        if programme.get("skill_after") is None:  # what a programme of that length teaches
            programme["skill_after"] = taught_share(programme["duration"], model.params["training_yield"])
        programme["targets"] = np.asarray(programme["targets"], dtype=np.int64)
        cls = model.agent_classes["training_provider"]
        pr: TrainingProvider = cls(model, len(model.providers), region, kind, seats / model.scale, owner=self,
                                   open_enrolment=False, **programme)  # fmt: skip
        model.add_provider(pr)
        self.providers.append(pr)
        return pr

    def enrol(self, model: Simulation, pr: TrainingProvider, pool: np.ndarray, off_market: bool) -> np.ndarray:
        """Enrol a random subset of `pool` in `pr`, within its free seats and the budget; returns who."""
        ws, rng = model.ws, self.rng
        free = stochastic_round(rng, pr.seats - pr.enrolled)
        unit = pr.monthly_cost(model.market.pay_level()) * model.scale * pr.public_share * pr.duration
        n = min(pool.size, free, self.room(model, unit))
        if n <= 0:
            return pool[:0]
        take = rng.choice(pool, size=n, replace=False)
        self.draw(model, pool, take)
        target = model.decide.training_target(take, pr.targets, rng)
        if off_market:
            model.market.transition(take, TRAINING)
        else:
            model.tally.start_training(take)
        ws.programme[take] = pr.index * model.world.n_occupations + target
        pr.enrolled += n
        model.tally.count_people("enrolments", take)
        self.join(model, take)
        return take

    def graduates(self, model: Simulation, flag: int) -> np.ndarray:
        """Workers who finished one of this policy's full-time programmes last month (`flag` set, on the market)."""
        ws = model.ws
        idx = np.flatnonzero((ws.scheme & flag) == flag)
        return idx[(ws.status[idx] == UNEMPLOYED) & (ws.since[idx] == model.t - 1)]


@dataclass
class RegionalTraining(Policy):
    """Base of the policies that run one training provider in each of `regions`.

    Seats (people in training at once) are split across the regions by labour force; a
    trainee-month costs `cost_per_participant / duration_months` EUR, or, where that is null,
    the share `COST_SHARE` (a parameters.csv entry) of the regional mean wage.
    """

    COST_SHARE: ClassVar[str] = "tvet_cost_share"
    regions: list[str] | None = param(
        None, kind="names", optional=True, unit="regions of the world; null: every region", basis="every region"
    )
    seats: float = param(100_000.0, lo=0, unit="people in training at once, across the regions", basis="ASSUMPTION")
    duration_months: int = param(6, kind="whole", lo=1, hi=60, unit="months", basis="ASSUMPTION")
    completion: float = param(0.8, lo=0.01, hi=1, unit="share of entrants who complete", basis="ASSUMPTION")
    cost_per_participant: float | None = param(
        None, lo=0, optional=True, unit="EUR a participant; null: the regional cost share of parameters.csv",
        basis="the provider type's cost share of the regional mean wage a month (parameters.csv)",
    )  # fmt: skip
    skill_after: float | None = param(None, lo=0, hi=1, optional=True, unit=SKILL_AFTER_UNIT, basis=SKILL_AFTER_BASIS)

    def check(self, world: World) -> None:
        super().check(world)
        self._r = regions(world, self.key("regions"), self.regions)

    def regional_providers(self, model: Simulation, kind: str, targets: np.ndarray, **kw: Any) -> None:
        """One provider of `kind` per region of the policy, training toward `targets` (`Policy.provider` keywords)."""
        w = model.world
        lf = w.rp("labour_force")
        for r in self._r:
            monthly = (
                self.cost_per_participant / self.duration_months
                if self.cost_per_participant is not None
                else model.params[self.COST_SHARE] * model.market.region_wage[r]
            )
            seats = self.seats * lf[r] / lf[self._r].sum()
            self.provider(model, int(r), kind, seats, duration=self.duration_months, completion=self.completion,
                          cost_per_month=monthly, targets=targets, skill_after=self.skill_after, **kw)  # fmt: skip
            self.providers[-1].wage_indexed = self.cost_per_participant is None  # a wage share follows the wage
