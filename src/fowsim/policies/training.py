"""Skilling policies: reskilling, upskilling, online, diaspora, demand-led and entrepreneurship training."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from fowsim.codes import DIASPORA_TRAINED, EMPLOYED, ENTREPRENEUR, RESKILLED, TEMPORARY, UNEMPLOYED
from fowsim.errors import ConfigError
from fowsim.policies.base import Policy, RegionalTraining, low_exposure, mid_skill, regions, working_age
from fowsim.policies.params import SKILL_AFTER_BASIS, SKILL_AFTER_UNIT, param
from fowsim.policies.registry import register
from fowsim.sampling import counts
from fowsim.sim import Simulation
from fowsim.world import World

ASSUMPTION = "ASSUMPTION"


# ---------------------------------------------------------------- reskilling
@register
@dataclass
class Reskilling(RegionalTraining):
    """Subsidised retraining of displaced and long-term unemployed workers toward low-exposure occupations.

    Each month, unemployed workers of `regions` who were displaced by automation or have been out
    of work `min_unemployed_months` are enrolled (at random, within the free seats and the
    budget) in a full-time programme of `duration_months`: off the market while they train
    (lock-in). Graduates hold a vocational credential in a low-exposure occupation chosen by
    `WorkerRules.training_target` (vacancies x wage), and have learnt `skill_after` of the skill
    they lacked there (`fowsim.phases.training.trained_skill`).
    """

    name: ClassVar[str] = "reskilling"
    seats: float = param(200_000.0, lo=0, unit="people in training at once, across the regions", basis=ASSUMPTION)
    duration_months: int = param(9, kind="whole", lo=1, hi=60, unit="months",
                                 basis="ASSUMPTION; lock-in then gain as in Card, Kluve & Weber (2018)")  # fmt: skip
    completion: float = param(0.75, lo=0.01, hi=1, unit="share of entrants who complete", basis=ASSUMPTION)
    min_unemployed_months: int = param(12, kind="whole", lo=0, hi=600, unit="months out of work before eligible",
                                       basis="long-term unemployment starts at 12 months (ILO, Eurostat)")  # fmt: skip
    include_displaced: bool = param(True, kind="flag", unit="workers displaced by automation are eligible at once",
                                    basis="the programme's purpose")  # fmt: skip
    exposure_quantile: float = param(0.5, lo=0.05, hi=1, unit="quantile of exposure below which target occupations "
                                     "lie", basis="ASSUMPTION: the less exposed half")  # fmt: skip

    def setup(self, model: Simulation) -> None:
        targets = low_exposure(model.world, self.exposure_quantile, max_level=3)
        self.regional_providers(model, "tvet", targets, award=2, flag=RESKILLED)

    def act(self, model: Simulation) -> None:
        ws = model.ws
        for pr in self.providers:
            idx = np.flatnonzero((ws.status == UNEMPLOYED) & (ws.region == pr.region))
            idx = idx[(ws.scheme[idx] & RESKILLED) == 0]
            long_term = model.t - ws.since[idx] >= self.min_unemployed_months
            displaced = (ws.displaced[idx] >= 0) if self.include_displaced else False
            self.enrol(model, pr, idx[long_term | displaced], off_market=True)


# ---------------------------------------------------------------- upskilling
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
    seats: float = param(200_000.0, lo=0, unit="people in training at once, across the regions", basis=ASSUMPTION)
    completion: float = param(0.9, lo=0.01, hi=1, unit="share of entrants who complete", basis=ASSUMPTION)
    subsidy_share: float = param(0.5, lo=0, hi=1, unit="share of the cost paid from public money",
                                 basis=ASSUMPTION)  # fmt: skip
    exposure_quantile: float = param(0.5, lo=0.05, hi=0.95, unit="quantile of exposure from which occupations "
                                     "are exposed", basis="ASSUMPTION: the more exposed half")  # fmt: skip

    def setup(self, model: Simulation) -> None:
        w = model.world
        self._exposed = w.exposure >= np.quantile(w.exposure, self.exposure_quantile)
        targets = np.flatnonzero(~self._exposed)
        self.regional_providers(model, "inhouse", targets, public_share=self.subsidy_share, payer="employer")

    def act(self, model: Simulation) -> None:
        ws = model.ws
        for pr in self.providers:
            idx = np.flatnonzero((ws.status == EMPLOYED) & (ws.region == pr.region) & (ws.programme < 0))
            self.enrol(model, pr, idx[self._exposed[ws.occ[idx]]], off_market=False)


# ---------------------------------------------------------------- online training
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
    seats: float = param(500_000.0, lo=0, unit="people in training at once, across the regions", basis=ASSUMPTION)
    duration_months: int = param(4, kind="whole", lo=1, hi=36, unit="months", basis="ASSUMPTION: short certificates")
    completion: float = param(0.3, lo=0.01, hi=1, unit="share of entrants who complete",
                              basis="open online courses see 3-15% completion (Reich & Ruiperez-Valiente 2019, "
                              "Science 363:130), subsidised programmes with support more: ASSUMPTION")  # fmt: skip
    include_employed: bool = param(False, kind="flag", unit="the employed may enrol too", basis="the unemployed only")

    def setup(self, model: Simulation) -> None:
        w = model.world
        self.regional_providers(model, "online", mid_skill(w))

    def act(self, model: Simulation) -> None:
        ws = model.ws
        for pr in self.providers:
            ok = (ws.status == UNEMPLOYED) | ((ws.status == EMPLOYED) & self.include_employed)
            idx = np.flatnonzero(ok & (ws.region == pr.region) & (ws.programme < 0))
            self.enrol(model, pr, idx, off_market=False)


# ---------------------------------------------------------------- diaspora training
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
    origins: list[str] = param(kind="names", unit="simulated regions whose diaspora trains at home",
                               basis="the three African regions of the default world",
                               factory=lambda: ["north_africa", "west_africa", "east_africa"])  # fmt: skip
    places_per_thousand: float = param(2.0, lo=0, unit="places at once per thousand workers abroad",
                                       basis=ASSUMPTION)  # fmt: skip
    duration_months: int = param(3, kind="whole", lo=1, hi=36, unit="months", basis=ASSUMPTION)
    completion: float = param(0.6, lo=0.01, hi=1, unit="share of entrants who complete", basis=ASSUMPTION)
    cost_per_participant: float = param(600.0, lo=0, unit="EUR a participant", basis=ASSUMPTION)
    public_share: float = param(0.0, lo=0, hi=1, unit="share of the cost paid from public money",
                                basis="the diaspora pays")  # fmt: skip
    skill_after: float | None = param(None, lo=0, hi=1, optional=True, unit=SKILL_AFTER_UNIT, basis=SKILL_AFTER_BASIS)

    def check(self, world: World) -> None:
        super().check(world)
        self._r = regions(world, self.key("origins"), self.origins)

    def setup(self, model: Simulation) -> None:
        w = model.world
        targets = mid_skill(w)
        for r in self._r:
            self.provider(
                model,
                int(r),
                "diaspora",
                0.0,
                duration=self.duration_months,
                completion=self.completion,
                cost_per_month=self.cost_per_participant / self.duration_months,
                targets=targets,
                skill_after=self.skill_after,
                public_share=self.public_share,
                payer="private",
                flag=DIASPORA_TRAINED,
            )

    def act(self, model: Simulation) -> None:
        ws, c = model.ws, model.world.corridors
        for pr in self.providers:
            abroad = model.migration.migrant_stock[c.origin == pr.region].sum() * model.scale  # people
            pr.seats = self.places_per_thousand * abroad / 1000.0 / model.scale
            idx = np.flatnonzero((ws.status == UNEMPLOYED) & (ws.region == pr.region))
            idx = idx[working_age(model, idx, 15, 25) & (ws.mig[idx] != TEMPORARY)]
            self.enrol(model, pr, idx, off_market=True)


# ---------------------------------------------------------------- demand-led training
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
    duration_months: int = param(3, kind="whole", lo=1, hi=24, unit="months", basis=ASSUMPTION)
    completion: float = param(0.85, lo=0.01, hi=1, unit="share of entrants who complete", basis=ASSUMPTION)
    n_occupations: int = param(4, kind="whole", lo=1, unit="occupations in shortage trained for", basis=ASSUMPTION)
    review_months: int = param(6, kind="whole", lo=1, hi=120, unit="months between reviews of the shortages",
                               basis=ASSUMPTION)  # fmt: skip
    employer_share: float = param(0.3, lo=0, hi=1, unit="share of the cost paid by employers", basis=ASSUMPTION)

    def check(self, world: World) -> None:
        super().check(world)
        if self.n_occupations > world.n_occupations:
            raise ConfigError(self.key("n_occupations"), self.n_occupations,
                              f"a number of occupations from 1 to {world.n_occupations}")  # fmt: skip

    def setup(self, model: Simulation) -> None:
        targets = np.arange(model.world.n_occupations)  # until the first review
        self.regional_providers(model, "demand_led", targets, public_share=1.0 - self.employer_share, payer="employer")

    def shortages(self, model: Simulation, r: int) -> np.ndarray:
        """The region's `n_occupations` tightest occupations (vacancies per unemployed worker)."""
        mk = model.market
        tight = mk.V_region[r] / (mk.U_region[r] + 1.0)
        return np.argsort(-tight, kind="stable")[: int(self.n_occupations)]

    def act(self, model: Simulation) -> None:
        ws = model.ws
        review = (model.t - self.start_month) % self.review_months == 0
        for pr in self.providers:
            if review:
                pr.targets = self.shortages(model, pr.region)
            idx = np.flatnonzero((ws.status == UNEMPLOYED) & (ws.region == pr.region) & (ws.since < model.t))
            self.enrol(model, pr, idx, off_market=True)


# ---------------------------------------------------------------- entrepreneurship training
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
    seats: float = param(50_000.0, lo=0, unit="people in training at once, across the regions", basis=ASSUMPTION)
    duration_months: int = param(4, kind="whole", lo=1, hi=24, unit="months", basis=ASSUMPTION)
    completion: float = param(0.7, lo=0.01, hi=1, unit="share of entrants who complete", basis=ASSUMPTION)
    sectors: list[str] = param(kind="names", unit=f"sectors among {sorted(SECTOR_OCCUPATIONS)}",
                               basis="agriculture and digital, the sectors the 2020 discussion named",
                               factory=lambda: ["agriculture", "digital"])  # fmt: skip
    self_employment_share: float = param(0.3, lo=0, hi=1, unit="share of graduates who start a business",
                                         basis=ASSUMPTION)  # fmt: skip
    hiring_share: float = param(0.2, lo=0, hi=1, unit="share of new businesses that hire", basis=ASSUMPTION)
    hires_per_business: float = param(2.0, lo=0, hi=100, unit="jobs a hiring business opens", basis=ASSUMPTION)
    business_exit_rate: float = param(0.01, lo=0, hi=1, unit="monthly probability a business closes",
                                      basis="ASSUMPTION: about 11% of businesses close a year")  # fmt: skip

    def check(self, world: World) -> None:
        super().check(world)
        if not isinstance(self.sectors, (list, tuple)) or not self.sectors:
            raise ConfigError(self.key("sectors"), self.sectors, f"a list among {sorted(self.SECTOR_OCCUPATIONS)}")
        for s in self.sectors:
            if s not in self.SECTOR_OCCUPATIONS:
                raise ConfigError(self.key("sectors"), s, f"one of {sorted(self.SECTOR_OCCUPATIONS)}")
        prefixes = tuple(p for s in self.sectors for p in self.SECTOR_OCCUPATIONS[s])
        self._occ = np.array([i for i, code in enumerate(world.isco) if str(code).startswith(prefixes)], dtype=np.int64)
        if self._occ.size == 0:
            raise ConfigError(self.key("sectors"), self.sectors, "sectors with occupations in the world")

    def setup(self, model: Simulation) -> None:
        self.regional_providers(model, "entrepreneurship", self._occ, flag=ENTREPRENEUR)
        shape = model.market.D_extra.shape
        self.businesses = np.zeros(shape)  # (F, O) businesses started, by the employer that hosts them
        self._demand = np.zeros(shape)  # (F, O) the jobs they created

    def apply(self, model: Simulation) -> None:
        # businesses close whether or not the training still runs
        if self.businesses.any():
            closing = self.rng.binomial(self.businesses.astype(np.int64), self.business_exit_rate)
            share = np.divide(closing, self.businesses, out=np.zeros_like(self.businesses), where=self.businesses > 0)
            model.market.close_businesses(share * self._demand)
            self._demand -= share * self._demand
            self.businesses -= closing
        super().apply(model)

    def act(self, model: Simulation) -> None:
        ws, mk = model.ws, model.market
        grads = self.graduates(model, ENTREPRENEUR)
        start = grads[self.rng.random(grads.size) < self.self_employment_share]
        if start.size:
            region = ws.region[start].astype(np.int64)
            occ = ws.occ[start].astype(np.int64)
            sector = mk.occ_sector[occ]
            firm = np.empty(start.size, dtype=np.int64)
            for r, s in sorted(set(zip(region.tolist(), sector.tolist()))):
                hosts = np.flatnonzero((mk.firm_region == r) & (mk.firm_sector == s))
                mine = (region == r) & (sector == s)
                firm[mine] = self.rng.choice(hosts, size=int(mine.sum()))
            hires = (self.rng.random(start.size) < self.hiring_share) * self.hires_per_business
            extra = counts(mk.D_extra.shape, firm, occ).astype(float)
            jobs = np.zeros(mk.D_extra.shape)
            np.add.at(jobs, (firm, occ), hires)
            self._demand += extra + jobs
            self.businesses += counts(mk.D_extra.shape, firm, occ)
            mk.open_businesses(extra + jobs, np.floor(jobs).astype(np.int64))
            skill = np.clip(mk.skill_now(start), 0.0, 1.0).astype(np.float32)
            mk.hire(start, firm, occ, skill)
            model.tally.count("business_starts", ws.region[start])
        for pr in self.providers:
            idx = np.flatnonzero((ws.status == UNEMPLOYED) & (ws.region == pr.region))
            self.enrol(model, pr, idx[(ws.scheme[idx] & ENTREPRENEUR) == 0], off_market=True)
