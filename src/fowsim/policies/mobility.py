"""Mobility policies: pre-departure training, Global Skill Partnerships, circular and long-term mobility, closures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from fowsim.codes import (
    ACTIVE,
    CIRCULAR,
    FAMILY_DONE,
    LONG_TERM,
    NATIVE,
    PARTNER,
    PENDING,
    PERMANENT,
    PREPARED,
    RECOGNISED,
    RETURNEE,
    TEMPORARY,
    TRAINING,
    UNEMPLOYED,
    VACANT,
)
from fowsim.errors import ConfigError
from fowsim.phases.migration import recruit
from fowsim.policies.base import (
    Policy,
    corridors,
    corridors_from_home,
    mid_skill,
    occupations,
    regions,
    stochastic_round,
    working_age,
)
from fowsim.policies.params import SKILL_AFTER_BASIS, SKILL_AFTER_UNIT, param
from fowsim.policies.registry import register
from fowsim.sim import Simulation
from fowsim.workforce import Workforce
from fowsim.world import World

ASSUMPTION = "ASSUMPTION"
CORRIDORS = "corridors 'origin->destination' of the world"


# ---------------------------------------------------------------- pre-departure training
@register
@dataclass
class PreDeparture(Policy):
    """Training in the origin before a move: occupation skills for the destination's shortages, and language.

    Working-age natives of each corridor's origin with at least `min_credential` train full
    time for an occupation in demand in the destination (its open vacancies). Graduates then
    consider the move each month at `departure_rate`, decide by `WorkerRules.migration_choice`
    and go within the corridor's visas; abroad, their credentials are approved with
    `recognition_boost` more probability (the file and the language are ready: a hook on the
    recognition office) and they arrive with the skill of the destination's occupation.
    """

    name: ClassVar[str] = "pre_departure"
    corridors: list[Any] = param(kind="names", unit=f"{CORRIDORS}, from a simulated origin",
                                 basis="the largest African corridor into the EU",
                                 factory=lambda: ["north_africa->eu"])  # fmt: skip
    seats: float = param(20_000.0, lo=0, unit="people in training at once, across the corridors", basis=ASSUMPTION)
    duration_months: int = param(6, kind="whole", lo=1, hi=36, unit="months", basis=ASSUMPTION)
    completion: float = param(0.8, lo=0.01, hi=1, unit="share of entrants who complete", basis=ASSUMPTION)
    cost_per_participant: float = param(3_000.0, lo=0, unit="EUR a participant",
                                        basis="ASSUMPTION: six months of occupation and language training")  # fmt: skip
    min_credential: int = param(1, kind="whole", lo=0, hi=3, unit="credential level needed to enrol",
                                basis=ASSUMPTION)  # fmt: skip
    departure_rate: float = param(0.2, lo=0, hi=1, unit="monthly probability a graduate weighs the move",
                                  basis=ASSUMPTION)  # fmt: skip
    recognition_boost: float = param(0.3, lo=0, hi=1, unit="added to the approval probability abroad",
                                     basis=ASSUMPTION)  # fmt: skip
    skill_after: float | None = param(None, lo=0, hi=1, optional=True, unit=SKILL_AFTER_UNIT, basis=SKILL_AFTER_BASIS)

    def check(self, world: World) -> None:
        super().check(world)
        self._k = corridors_from_home(world, self.key("corridors"), self.corridors)

    def setup(self, model: Simulation) -> None:
        w, c = model.world, model.world.corridors
        # applied after any file's terms (a passport's, say): preparation adds to what the file would get
        model.recognition.on_decision(self._prepared, order=1)
        targets = mid_skill(w)
        share = self.seats / len(self._k)
        for k in self._k:
            pr = self.provider(
                model,
                int(c.origin[k]),
                "pre_departure",
                share,
                duration=self.duration_months,
                completion=self.completion,
                cost_per_month=self.cost_per_participant / self.duration_months,
                targets=targets,
                skill_after=self.skill_after,
                min_credential=self.min_credential,
                payer_region=int(c.destination[k]),
                flag=PREPARED,
            )
            pr.corridor = int(k)

    def _prepared(self, ws: Workforce, idx: np.ndarray, decide: np.ndarray, approve: np.ndarray) -> None:
        """Pre-departure graduates' files are approved with `recognition_boost` more probability."""
        prepared = (ws.scheme[idx] & PREPARED) > 0
        approve[prepared] = np.minimum(1.0, approve[prepared] + self.recognition_boost)

    def act(self, model: Simulation) -> None:
        ws, w, rng = model.ws, model.world, self.rng
        for pr in self.providers:
            k, d = pr.corridor, int(w.corridors.destination[pr.corridor])
            home = (ws.region == pr.region) & ((ws.mig == NATIVE) | (ws.mig == RETURNEE))
            # graduates weigh the move
            prepared = np.flatnonzero(
                home & ((ws.scheme & PREPARED) > 0) & (ws.status != TRAINING) & (ws.status != VACANT)
            )
            consider = prepared[rng.random(prepared.size) < self.departure_rate]
            if consider.size:
                movers = consider[model.decide.migration_choice(consider, np.full(consider.size, k), rng)]
                n = model.governments[d].issue_visas(k, movers.size)
                model.migration.move(movers[:n], np.full(n, k), w.corridors.draw_channel(rng, k, n))
            # new trainees: working-age natives with the credential, for the destination's shortages
            free = int(pr.seats - pr.enrolled) + 1
            if pr.seats <= 0:
                continue
            pool = np.flatnonzero(home & np.isin(ws.status, ACTIVE) & ((ws.scheme & PREPARED) == 0))
            pool = pool[(ws.cred[pool] >= self.min_credential) & working_age(model, pool, 20, 40)]
            # the programme serves those who mean to go: candidates who would choose the move
            pool = rng.permutation(pool)[: 20 * max(1, free)]
            want = model.decide.migration_choice(pool, np.full(pool.size, k), rng)
            take = self.enrol(model, pr, pool[want], off_market=True)
            if take.size:  # the occupation: where the destination has open jobs
                weight = model.market.V_region[d, pr.targets] + 1e-9
                cum = np.cumsum(weight)
                occ = pr.targets[np.minimum(np.searchsorted(cum, rng.random(take.size) * cum[-1]), pr.targets.size - 1)]
                ws.programme[take] = pr.index * w.n_occupations + occ


# ---------------------------------------------------------------- Global Skill Partnership
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
    PALIM: ClassVar[str] = "the Belgium-Morocco pilot PALIM (Enabel 2019)"
    origin: str = param("north_africa", kind="name", unit="the simulated region trainees come from",
                        basis="North Africa, as Morocco in PALIM")  # fmt: skip
    destination: str = param("eu", kind="name", unit="the simulated region that funds the partnership",
                             basis="the EU, as Belgium in PALIM")  # fmt: skip
    occupations: list[str] | None = param(None, kind="names", optional=True,
                                          unit="occupations trained for; null: the destination's 3 most unfilled "
                                          "skill level 2-3 occupations", basis="PALIM trained for ICT shortages "
                                          "in Belgium")  # fmt: skip
    cohort_size: float = param(120.0, lo=0, unit="people a cohort", basis=f"the scale of {PALIM}")
    cohorts: int = param(3, kind="whole", lo=1, hi=1000, unit="cohorts", basis=ASSUMPTION)
    cohort_interval_months: int = param(12, kind="whole", lo=1, hi=120, unit="months between cohorts",
                                        basis=ASSUMPTION)  # fmt: skip
    duration_months: int = param(7, kind="whole", lo=1, hi=48, unit="months", basis=f"{PALIM}: seven months")
    completion: float = param(0.9, lo=0.01, hi=1, unit="share of entrants who complete", basis=ASSUMPTION)
    cost_per_trainee: float = param(12_500.0, lo=0, unit="EUR a trainee", basis=f"{PALIM}: about EUR 12,500")
    home_share: float = param(0.5, lo=0, hi=1, unit="share of trainees on the home track",
                              basis=f"{PALIM} as planned in March 2019: 50/50")  # fmt: skip
    away_share: float = param(0.5, lo=0, hi=1, unit="share of trainees on the away track; home_share + "
                              "away_share = 1", basis=f"{PALIM} as planned in March 2019: 50/50")  # fmt: skip
    min_credential: int = param(1, kind="whole", lo=0, hi=3, unit="credential level needed to enrol",
                                basis=ASSUMPTION)  # fmt: skip
    recognised_abroad: bool = param(True, kind="flag", unit="the away track's credential is recognised on arrival",
                                    basis="Clemens (2015): training to the destination's standard")  # fmt: skip
    skill_after: float | None = param(None, lo=0, hi=1, optional=True, unit=SKILL_AFTER_UNIT, basis=SKILL_AFTER_BASIS)

    def check(self, world: World) -> None:
        super().check(world)
        o = regions(world, self.key("origin"), [self.origin])[0]
        d = regions(world, self.key("destination"), [self.destination])[0]
        c = world.corridors
        k = np.flatnonzero((c.origin == o) & (c.destination == d))
        self._k = int(k[0]) if k.size else -1
        self._o, self._d = int(o), int(d)
        if self.occupations is not None:
            self._occ = occupations(world, self.key("occupations"), self.occupations)
        if abs(self.home_share + self.away_share - 1.0) > 1e-9:
            raise ConfigError(self.key("away_share"), self.away_share,
                              f"home_share + away_share = 1 (home_share is {self.home_share})")  # fmt: skip

    def setup(self, model: Simulation) -> None:
        w, mk = model.world, model.market
        if self.occupations is None:
            mid = mid_skill(w)
            rate = mk.V_region[self._d, mid] / np.maximum(mk.E_region[self._d, mid] + mk.V_region[self._d, mid], 1)
            self._occ = mid[np.argsort(-rate)[:3]]
        self._model = model  # its recorder follows the graduates (`account`)
        monthly = self.cost_per_trainee / self.duration_months
        course = {"duration": self.duration_months, "completion": self.completion, "cost_per_month": monthly,
                  "targets": self._occ, "award": 2, "skill_after": self.skill_after,
                  "payer_region": self._d}  # fmt: skip
        self.home = self.provider(model, self._o, "partnership", self.cohort_size, flag=PARTNER, **course)
        self.away = self.provider(model, self._o, "partnership", self.cohort_size, public_share=0.0, payer="employer",
                                  flag=PARTNER | PREPARED, **course)  # fmt: skip
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

    def active(self, t: int) -> bool:
        """Active from `start_month` until its last cohort is placed (and before `end_month`)."""
        last = self.start_month + (self.cohorts - 1) * self.cohort_interval_months + self.duration_months + 2
        return t >= self.start_month and t <= last and (self.end_month is None or t < self.end_month)

    def act(self, model: Simulation) -> None:
        ws, rng = model.ws, self.rng
        self._place(model)
        due = (model.t - self.start_month) % self.cohort_interval_months == 0
        if not due or self.cohorts_started >= self.cohorts:
            return
        self.cohorts_started += 1
        pool = np.flatnonzero((ws.region == self._o) & (ws.status == UNEMPLOYED) & (ws.mig != TEMPORARY))
        pool = pool[(ws.cred[pool] >= self.min_credential) & working_age(model, pool, 18, 35)]
        n = min(pool.size, stochastic_round(rng, self.cohort_size / model.scale))
        cohort = rng.choice(pool, size=n, replace=False)
        self.draw(model, pool, cohort)
        away = rng.random(n) < self.away_share
        for pr, who in ((self.away, cohort[away]), (self.home, cohort[~away])):
            pr.seats = pr.enrolled + who.size  # one cohort at a time: its own seats
            self.enrol(model, pr, who, off_market=True)

    def _place(self, model: Simulation) -> None:
        ws, mk, t = model.ws, model.market, model.t
        at_home = (ws.region == self._o) & np.isin(ws.status, ACTIVE)
        away = np.flatnonzero(at_home & ((ws.scheme & (PARTNER | PREPARED)) == PARTNER | PREPARED))
        # the partnership's own visas, where the corridor exists and the destination's borders are open
        can_go = self._k >= 0 and model.governments[self._d].borders_open
        movers, stay = (away, away[:0]) if can_go else (away[:0], away)
        if movers.size:
            model.migration.move(movers, np.full(movers.size, self._k), np.full(movers.size, TEMPORARY))
            ws.visa_end[movers] = t + 48  # a four-year work permit, as in Clemens' design
            if self.recognised_abroad:
                ws.recog[movers[ws.recog[movers] == PENDING]] = RECOGNISED
            placed = mk.place(movers, self._d, self.rng, ws.occ[movers].astype(np.int64))
            model.tally.count("placements_away", np.full(placed.size, self._d))
        ws.scheme[stay] &= ~np.uint16(PREPARED)  # the away track could not go: they stay home
        home = self.graduates(model, PARTNER)
        home = home[(ws.region[home] == self._o) & ((ws.scheme[home] & PREPARED) == 0)]
        placed = mk.place(home, self._o, self.rng, ws.occ[home].astype(np.int64))
        model.tally.count("placements_home", np.full(placed.size, self._o))


# ---------------------------------------------------------------- circular mobility
@register
@dataclass
class CircularMobility(Policy):
    """Temporary work visas with a fixed stay and a return: migrants fill open jobs abroad, then bring skills home.

    Each month up to `annual_places / 12` workers of each corridor's origin are recruited for
    vacancies the destination's employers could not fill (they accept by
    `WorkerRules.migration_choice`), hired on arrival (in their own occupation where a job of it
    is open), and leave after `stay_months` (no renewal). Back home they carry `skill_gain`
    more skill (on top of every returnee's: a hook on migration's books) and
    their credential. Each place costs the destination `cost_per_place` (matching, travel).
    """

    name: ClassVar[str] = "circular_mobility"
    corridors: list[Any] = param(kind="names", unit=CORRIDORS, basis="the North and West African corridors into the EU",
                                 factory=lambda: ["north_africa->eu", "west_africa->eu"])  # fmt: skip
    annual_places: float = param(50_000.0, lo=0, unit="people a year, across the corridors", basis=ASSUMPTION)
    stay_months: int = param(18, kind="whole", lo=1, hi=120, unit="months abroad", basis=ASSUMPTION)
    skill_gain: float = param(0.1, lo=0, hi=1, unit="skill units brought home, beyond every returnee's",
                              basis=ASSUMPTION)  # fmt: skip
    cost_per_place: float = param(1_500.0, lo=0, unit="EUR a place (matching, travel)", basis=ASSUMPTION)

    def check(self, world: World) -> None:
        super().check(world)
        self._k = corridors(world, self.key("corridors"), self.corridors)

    def setup(self, model: Simulation) -> None:
        model.migration.on_return(self._skill_gain)
        self._allowance = np.zeros(len(self._k))

    def _skill_gain(self, ws: Workforce, idx: np.ndarray) -> np.ndarray:
        """Circular migrants bring `skill_gain` more skill home."""
        return np.where((ws.scheme[idx] & CIRCULAR) > 0, self.skill_gain, 0.0)

    def act(self, model: Simulation) -> None:
        ws, c, mk, rng = model.ws, model.world.corridors, model.market, self.rng
        self._allowance += self.annual_places / 12.0 / model.scale / len(self._k)
        for i, k in enumerate(self._k):
            d = int(c.destination[k])
            if not model.governments[d].borders_open:
                continue
            open_jobs = int(mk.V_carry[mk.firm_region == d].sum())
            n = min(int(self._allowance[i]), open_jobs)
            n = self.affordable(self.cost_per_place * model.scale, n)
            if n <= 0:
                continue
            recruits = recruit(model, int(k), n, rng, lottery=lambda pool, won: self.draw(model, pool, won))
            self._allowance[i] -= recruits.size
            self.pay(model, d, self.cost_per_place * model.scale, recruits.size)
            ws.visa_end[recruits] = model.t + self.stay_months
            ws.scheme[recruits] |= CIRCULAR
            self.join(model, recruits)
            # jobs of their own occupation first (skills carry over), then any open job
            placed = mk.place(recruits, d, rng, ws.occ[recruits].astype(np.int64))
            mk.place(np.setdiff1d(recruits, placed), d, rng)


# ---------------------------------------------------------------- long-term mobility
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
    corridors: list[Any] = param(kind="names", unit=f"{CORRIDORS}, from a simulated origin",
                                 basis="the North and West African corridors into the EU",
                                 factory=lambda: ["north_africa->eu", "west_africa->eu"])  # fmt: skip
    annual_quota: float = param(100_000.0, lo=0, unit="extra permanent places a year, across the corridors",
                                basis=ASSUMPTION)  # fmt: skip
    family_rate: float = param(0.02, lo=0, hi=1, unit="monthly probability a scheme migrant's family member joins",
                               basis=ASSUMPTION)  # fmt: skip
    cost_per_migrant: float = param(0.0, lo=0, unit="EUR a migrant", basis="no programme cost beyond the visa")

    def check(self, world: World) -> None:
        super().check(world)
        self._k = corridors_from_home(world, self.key("corridors"), self.corridors)

    def setup(self, model: Simulation) -> None:
        self._allowance = np.zeros(len(self._k))

    def act(self, model: Simulation) -> None:
        ws, c, rng = model.ws, model.world.corridors, self.rng
        self._allowance += self.annual_quota / 12.0 / model.scale / len(self._k)
        for i, k in enumerate(self._k):
            o, d = int(c.origin[k]), int(c.destination[k])
            if not model.governments[d].borders_open:
                continue
            home = np.flatnonzero((ws.region == o) & np.isin(ws.status, ACTIVE))
            home = home[((ws.mig[home] == NATIVE) | (ws.mig[home] == RETURNEE)) & working_age(model, home, 18, 45)]
            n = int(self._allowance[i])
            if n > 0 and home.size:
                cand = rng.choice(home, size=min(home.size, 4 * n), replace=False)
                applicants = cand[model.decide.migration_choice(cand, np.full(cand.size, k), rng)]
                movers = applicants[:n]
                movers = movers[: self.affordable(self.cost_per_migrant * model.scale, movers.size)]
                self.draw(model, applicants, movers)  # places go to applicants in random order
                self.pay(model, d, self.cost_per_migrant * model.scale, movers.size)
                model.migration.move(movers, np.full(movers.size, k), np.full(movers.size, PERMANENT))
                ws.scheme[movers] |= LONG_TERM
                self._allowance[i] -= movers.size
                self.join(model, movers)
            # family joining: one working family member per scheme migrant, outside the quota
            settled = np.flatnonzero((ws.region == d) & (ws.origin == o) & ((ws.scheme & LONG_TERM) > 0))
            settled = settled[((ws.scheme[settled] & FAMILY_DONE) == 0) & (ws.status[settled] != VACANT)]
            joined = settled[rng.random(settled.size) < self.family_rate]
            home = home[ws.region[home] == o]  # those who just left are no longer at home
            family = rng.choice(home, size=min(home.size, joined.size), replace=False) if home.size else home
            ws.scheme[joined[: family.size]] |= FAMILY_DONE
            model.migration.move(family, np.full(family.size, k), np.full(family.size, PERMANENT))
            ws.scheme[family] |= LONG_TERM | FAMILY_DONE
            model.tally.count("family_joiners", np.full(family.size, d))


# ---------------------------------------------------------------- mobility restrictions
@register
@dataclass
class MobilityRestrictions(Policy):
    """Borders close for a period (the pandemic case): no visas into `regions`, on any channel.

    From `start_month` to `end_month` the governments of `regions` issue no visas (work,
    family, protection, sponsored recruitment); migrants already there stay or return as usual.
    """

    name: ClassVar[str] = "mobility_restrictions"
    ENROLS: ClassVar[bool] = False  # acts on everyone concerned
    end_month: int | None = param(
        30,
        kind="whole",
        lo=1,
        optional=True,
        unit="month the borders open again; null: never",
        basis="ASSUMPTION: the length of the 2020-21 restrictions, 18 months",
    )
    regions: list[str] | None = param(None, kind="names", optional=True, unit="regions that close; null: every region",
                                      basis="every region")  # fmt: skip

    def check(self, world: World) -> None:
        super().check(world)
        self._r = regions(world, self.key("regions"), self.regions)

    def apply(self, model: Simulation) -> None:
        for r in self._r:
            model.governments[r].set_borders(not self.active(model.t))


@register
@dataclass
class SponsorshipReform(Policy):
    """Tied visas reformed: a worker on an employer-tied visa may change employer without the sponsor's consent.

    From `start_month`, in `regions` whose visas are tied to the sponsor (kafala), a temporary migrant
    who has been `min_tenure_months` in the job may take another job without a release (a
    No-Objection Certificate). Qatar removed the certificate in 2020, Saudi Arabia's Labour Reform
    Initiative allowed transfers after 12 months from March 2021, Oman from 2021 and the UAE in 2022.
    """

    name: ClassVar[str] = "sponsorship_reform"
    ENROLS: ClassVar[bool] = False  # acts on everyone concerned
    start_month: int = param(14, kind="whole", lo=0, unit="month of the run",
                             basis="March 2021 in a run starting 2020-01: Saudi Arabia's Labour Reform Initiative "
                                   "(in force 14 March 2021), the largest labour market of the GCC")  # fmt: skip
    min_tenure_months: int = param(12, kind="whole", lo=0, hi=600, unit="months in the job before a free transfer",
                                   basis="Saudi Arabia's Labour Reform Initiative: a transfer without the employer's "
                                         "consent at the end of the contract or after 12 months; Qatar's Law No. 19 "
                                         "of 2020 asks only for notice (0 here)")  # fmt: skip
    regions: list[str] | None = param(None, kind="names", optional=True,
                                      unit="regions that reform; null: every region with tied visas",
                                      basis="every region whose visas are tied (employer_tied_visas)")  # fmt: skip

    def check(self, world: World) -> None:
        super().check(world)
        self._r = regions(world, self.key("regions"), self.regions)
        tied = [world.regions[r] for r in self._r if world.rp("employer_tied_visas")[r] > 0]
        if self.regions is not None and len(tied) < len(self._r):
            untied = [world.regions[r] for r in self._r if world.regions[r] not in tied]
            raise ConfigError(self.key("regions"), untied[0], f"a region whose visas are tied, one of {tied}")

    def apply(self, model: Simulation) -> None:
        on = self.active(model.t)
        for r in self._r:
            model.governments[r].allow_transfers(self.min_tenure_months if on else None)
