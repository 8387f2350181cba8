"""`LabourMarketModel`: builds a run from a scenario and runs its schedule of phases, month by month."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Any

import mesa
import numpy as np
import xarray as xr

from fowsim.agents import TRAINING_TYPES, Employer, Government, TrainingProvider, sector_of
from fowsim.codes import ACTIVE, EMPLOYED, INFORMAL, UNEMPLOYED, VACANT
from fowsim.lottery import Panel, check_regions
from fowsim.phases import Phase, Schedule, default_schedule
from fowsim.policies import Policy
from fowsim.population import draw_categories, populate
from fowsim.recorder import Recorder
from fowsim.rules import Decisions, WorkerRules
from fowsim.scenario import Scenario, build_scenario, scenario_from_keywords
from fowsim.sim import Simulation
from fowsim.state import Clock, Market, Migration, Recognition, Tally


class LabourMarketModel(Simulation):
    """Workers, employers, training providers and governments across regions, month by month.

    Args:
        cfg: a validated `Scenario`, or a config mapping (`fowsim.compose()` output) to validate.
        rules: worker behaviour; defaults to the scenario's rules (`WorkerRules`).
        phases: the month's phases (a `fowsim.phases.Schedule`, a list of `Phase`s, or names of
            built-in phases); defaults to the scenario's schedule (its config's `phases` key).
        **overrides: instead of `cfg`, the config as keywords, each a command-line override:
            `LabourMarketModel(workers=2000, months=24, seed=1, shock="rapid")`, dotted keys through a
            dict (`**{"world.params.applications": 5}`). So Mesa's `batch_run` works.

    `step()` runs the schedule's phases in order, each with its own random stream; `results()`
    returns the recorded monthly aggregates. As a Mesa model it stops (`running`) at its horizon
    and its `datacollector` holds a few headline series, month by month (`MODEL_REPORTERS`).
    """

    def __init__(
        self,
        cfg: Scenario | Mapping[str, Any] | Any = None,
        rules: WorkerRules | None = None,
        phases: Schedule | Iterable[Phase | str] | None = None,
        **overrides: Any,
    ) -> None:
        if cfg is not None and overrides:
            raise TypeError("LabourMarketModel takes a config or keyword overrides (workers=..., seed=...), not both")
        if cfg is None:
            scenario = scenario_from_keywords(overrides)
        else:
            scenario = cfg if isinstance(cfg, Scenario) else build_scenario(cfg)
        self.scenario = scenario
        self.seed = scenario.seed
        self.streams = {}
        super().__init__(rng=self.stream("mesa"))
        self.schedule = _schedule(scenario.schedule if phases is None else phases)
        self.clock = Clock()
        self.world = w = scenario.world
        self.params = w.params
        self.shock = scenario.shock
        self.rules = rules if rules is not None else scenario.rules
        self.decide = Decisions(self.rules, self)
        self.months = scenario.months
        capacity = int(scenario.workers * (1.0 + self.params["capacity_headroom"])) + 16
        self.ws, self.scale = populate(w, scenario.workers, self.stream("init"), capacity)
        self.tally = Tally(w.n_regions, self.ws, self.clock)
        self.recognition = Recognition(w)
        # the agent classes: fowsim's, or a collaborator's subclasses (config `agents`)
        self.agent_classes = {"employer": Employer, "training_provider": TrainingProvider, "government": Government}
        self.agent_classes.update(scenario.agents)
        self.market = Market(w, self.params, self.ws, self.clock, self.tally, *self._build_employers())
        self.migration = Migration(w, self.params, self.ws, self.clock, self.tally, self.market)
        self._build_providers()
        government = self.agent_classes["government"]
        self.governments = [government(self, r, np.flatnonzero(w.corridors.destination == r))
                            for r in range(w.n_regions)]  # fmt: skip
        self.policies: list[Policy] = list(scenario.policies)
        self.evaluation = scenario.evaluation
        self.recorder = Recorder(self)
        if self.evaluation.records_panel(bool(self.policies)):
            check_regions(w.n_regions)
            self.recorder.panel = Panel(self.ws, w.low_skill)
        for policy in self.policies:
            policy.bind(self)
        self.lotteries = {p.name: p.lottery for p in self.policies if p.lottery is not None}
        census = self.recorder.census()
        self.migration.observe(census.stock, census.migrant_earnings, self.scale)
        self.datacollector = mesa.DataCollector(model_reporters=dict(MODEL_REPORTERS))

    # ---------------------------------------------------------------- construction
    def _build_employers(self) -> tuple[np.ndarray, ...]:
        """Employers (agents of each sector in each region) and the books the market starts from.

        Returns what `Market` is built from: each employer's region and sector, each occupation's
        sector, the employers' wage premia, employment and open vacancies (F, O), and the regions'
        separation and opening rates. The set-up's temporaries are gone before the market is built.
        """
        w, ws, p = self.world, self.ws, self.params
        rng = self.stream("agents")
        R, O = w.n_regions, w.n_occupations
        sector = np.array([sector_of(code) for code in w.isco])
        per = int(p["firms_per_sector"])
        self.employers: list[Employer] = []
        firm_region_list, firm_sector_list = [], []
        for r in range(R):
            for s in range(4):
                for _ in range(per):
                    self.employers.append(
                        self.agent_classes["employer"](
                            self,
                            len(self.employers),
                            r,
                            s,
                            adoption_speed=float(rng.lognormal(0.0, p["firm_adoption_dispersion"])),
                            wage_premium=float(rng.lognormal(0.0, p["firm_wage_dispersion"])),
                        )
                    )
                    firm_region_list.append(r)
                    firm_sector_list.append(s)
        F = len(self.employers)
        firm_region, firm_sector = np.array(firm_region_list), np.array(firm_sector_list)
        # firm weights within (region, occupation): random sizes among the sector's firms
        size = rng.gamma(2.0, 1.0, F)
        weight = size[:, None] * (firm_sector[:, None] == sector[None, :])
        region_total = np.zeros((R, O))
        np.add.at(region_total, firm_region, weight)
        share = weight / region_total[firm_region].clip(1e-300)
        # assign employed workers to firms in proportion to those weights
        emp = np.flatnonzero(ws.status == EMPLOYED)
        cum = np.cumsum(share, axis=0)  # firms ordered by region: cumulative within each region block
        firm_of = np.zeros(emp.size, dtype=np.int64)
        cell = ws.region[emp].astype(np.int64) * O + ws.occ[emp]
        for r in range(R):
            block = np.flatnonzero(firm_region == r)
            ccum = cum[block] - (cum[block[0] - 1] if block[0] > 0 else 0.0)  # (firms in r, O)
            pick = draw_categories(rng, cell[ws.region[emp] == r] - r * O, ccum.T)
            firm_of[ws.region[emp] == r] = block[pick]
        ws.employer[emp] = firm_of
        E = np.zeros((F, O), dtype=np.int64)
        np.add.at(E, (firm_of, ws.occ[emp]), 1)
        sep_rate = w.separation_rate()
        # openings at the separation rate keep the initial vacancies consistent with demand (see
        # docs/model.md); the calibration fits a per-region multiplier on it
        open_rate = sep_rate * w.fitted("opening_multiplier", 1.0)
        V = rng.poisson(open_rate[firm_region][:, None] * E)
        premium = np.array([e.wage_premium for e in self.employers])
        return firm_region, firm_sector, sector, premium, E, V, sep_rate, open_rate

    def _build_providers(self) -> None:
        """The default training providers: TVET, university, online and in-house in every region."""
        w, p = self.world, self.params
        lf_sim = np.bincount(self.ws.region[self.ws.status != VACANT], minlength=w.n_regions)
        level = w.skill_level
        occ = np.arange(w.n_occupations)
        spec = {  # kind: (targets, award, min credential, public)
            "tvet": (occ[(level == 2) | (level == 3)], 2, 0, True),
            "university": (occ[level >= 3], 3, 1, True),
            "online": (occ[(level >= 2) & (level <= 3)], -1, 1, True),
            "inhouse": (occ[w.exposure < np.median(w.exposure)], -1, 0, False),
        }
        self.providers: list[TrainingProvider] = []
        for r in range(w.n_regions):
            seats_total = w.rp("training_capacity")[r] * p["adult_training_share"] * lf_sim[r]
            for kind in TRAINING_TYPES:
                targets, award, min_cred, public = spec[kind]
                self.providers.append(
                    self.agent_classes["training_provider"](
                        self,
                        len(self.providers),
                        r,
                        kind,
                        seats=seats_total * p[f"{kind}_seat_share"],
                        duration=int(p[f"{kind}_months"]),
                        completion=p[f"{kind}_completion_rate"],
                        cost_per_month=p[f"{kind}_cost_share"] * self.market.region_wage[r],
                        award=award,
                        min_credential=min_cred,
                        targets=targets,
                        skill_after=p[f"{kind}_skill"],
                        public_share=1.0 if public else 0.0,
                    )
                )
                self.providers[-1].wage_indexed = True  # its cost is a share of the region's wage
        # households' own training: TVET courses paid from the remittances a region receives (seats set monthly,
        # `fowsim.phases.training.fund_household_training`)
        for r in range(w.n_regions):
            targets, award, min_cred, _ = spec["tvet"]
            self.providers.append(
                self.agent_classes["training_provider"](
                    self, len(self.providers), r, "household", seats=0.0, duration=int(p["tvet_months"]),
                    completion=p["tvet_completion_rate"],
                    cost_per_month=p["tvet_cost_share"] * self.market.region_wage[r],
                    award=award, min_credential=min_cred, targets=targets, skill_after=p["tvet_skill"],
                    public_share=0.0, payer="private",
                )
            )  # fmt: skip
            self.providers[-1].wage_indexed = True
        self.provider_of = np.array([[pr.index for pr in self.providers if pr.region == r and pr.kind in TRAINING_TYPES]
                                     for r in range(w.n_regions)])  # fmt: skip

    # ---------------------------------------------------------------- the schedule
    def run_policies(self) -> None:
        """Each policy's monthly hook, in the order of the config, each on its own stream."""
        for policy in self.policies:
            policy.apply(self)

    def step(self) -> None:
        """Advance one month: start the month's books afresh, then run each phase of the schedule in order."""
        self.tally.new_month()
        self.market.new_month()
        self.migration.new_month()
        self.ws.new_month()
        for phase in self.schedule:
            phase(self, None if phase.stream is None else self.stream(phase.stream))
        self.clock.tick()
        self.datacollector.collect(self)
        self.running = self.t < self.months  # (as Mesa's batch_run and SolaraViz read it)

    def run(self, months: int | None = None, progress: Any = None) -> LabourMarketModel:
        """Run `months` months (default: the scenario's horizon, less any already run)."""
        n = self.months - self.t if months is None else int(months)
        n = min(n, self.months - self.t)
        for _ in range(n):
            self.step()
            if progress is not None:
                progress(self.t, self.months)
        return self

    def accounts(self) -> dict[str, Any]:
        """Each policy's accounts (budget, spending, participants, outcomes), by policy name."""
        return {p.name: p.account() for p in self.policies}

    def results(self) -> xr.Dataset:
        """The recorded monthly aggregates so far as an `xarray.Dataset`."""
        s = self.scenario
        return self.recorder.dataset(s.start, s.workers, s.config, self.accounts(), self.lotteries)


def _unemployment_rate(m: LabourMarketModel) -> float:
    """Unemployed over the labour force (formal jobs, informal work, unemployed), all regions."""
    return float(m.market.S[:, UNEMPLOYED].sum() / max(1, m.market.S[:, list(ACTIVE)].sum()))


def _people(status: int, m: LabourMarketModel) -> float:
    """People of `status` (a worker stands for `scale` of them), all regions."""
    return float(m.market.S[:, status].sum() * m.scale)


# the headline series a Mesa user's `datacollector` holds (the full results: `results()`)
MODEL_REPORTERS = {
    "unemployment_rate": _unemployment_rate,
    "employed": functools.partial(_people, EMPLOYED),  # people in formal jobs
    "informal": functools.partial(_people, INFORMAL),  # people in informal work
    "unemployed": functools.partial(_people, UNEMPLOYED),
}


def _schedule(phases: Schedule | Iterable[Phase | str]) -> Schedule:
    """A schedule from a `Schedule`, or from phases and names of built-in phases (a fresh copy of the list)."""
    items = list(phases)
    if all(isinstance(p, str) for p in items):
        return default_schedule([str(p) for p in items])
    built = default_schedule()
    by_name = {p.name: p for p in built}
    return Schedule(by_name[p] if isinstance(p, str) else p for p in items)


def simulate(cfg: Scenario | Mapping[str, Any] | Any, progress: Any = None) -> xr.Dataset:
    """Build a model from `cfg`, run it to its horizon and return its results."""
    return LabourMarketModel(cfg).run(progress=progress).results()
