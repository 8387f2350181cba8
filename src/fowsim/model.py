"""`LabourMarketModel`: the monthly schedule over a world, a workforce and a few agents."""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from typing import Any

import mesa
import numpy as np
import xarray as xr

from fowsim import processes as ph
from fowsim.agents import TRAINING_TYPES, Employer, Government, TrainingProvider, sector_of
from fowsim.population import draw_categories, populate
from fowsim.recorder import Recorder
from fowsim.rules import WorkerRules
from fowsim.sampling import counts
from fowsim.scenario import Scenario, build_scenario
from fowsim.workforce import EMPLOYED, UNEMPLOYED, VACANT, YOUTH_MONTHS, Workforce

STREAMS = (
    "init",
    "agents",
    "automation",
    "labour",
    "policies",
    "training",
    "migration",
    "recognition",
    "matching",
    "demography",
    "mesa",
)
N_STATES = 4  # 0 outside / vacant, 1 employed, 2 unemployed, 3 training


def stream_seed(seed: int, name: str) -> np.random.SeedSequence:
    """The seed sequence of the named stream: stable whatever other streams exist."""
    return np.random.SeedSequence(entropy=seed, spawn_key=(zlib.crc32(name.encode()),))


class LabourMarketModel(mesa.Model):
    """Workers, employers, training providers and governments across regions, month by month.

    Args:
        cfg: a validated `Scenario`, or a config mapping (`fowsim.compose()` output) to validate.
        rules: worker behaviour; defaults to the scenario's rules (`WorkerRules`).

    The step runs the named phases of `PHASES` in order; each is a function over the model's
    arrays in `fowsim.processes`. `results()` returns the recorded monthly aggregates.
    """

    PHASES = (
        "automation",
        "separations_and_vacancies",
        "policies",
        "training",
        "migration",
        "recognition",
        "search_and_matching",
        "demography",
        "record",
    )

    def __init__(self, cfg: Scenario | Mapping[str, Any] | Any, rules: WorkerRules | None = None) -> None:
        scenario = cfg if isinstance(cfg, Scenario) else build_scenario(cfg)
        self.scenario = scenario
        self.streams = {name: np.random.default_rng(stream_seed(scenario.seed, name)) for name in STREAMS}
        super().__init__(rng=self.streams["mesa"])
        self.world = w = scenario.world
        self.params = w.params
        self.shock = scenario.shock
        self.rules = rules if rules is not None else scenario.rules
        self.months = scenario.months
        self.t = 0
        R = w.n_regions
        capacity = int(scenario.workers * (1.0 + self.params["capacity_headroom"])) + 16
        self.ws: Workforce
        self.ws, self.scale = populate(w, scenario.workers, self.streams["init"], capacity)
        self.sep_rate = w.separation_rate()
        # recognition by corridor (policies change these: agreements, qualification passports)
        self.recognition_approval = w.recognition_approval()
        self.recognition_months = w.corridors.recognition_months.astype(np.float64).copy()
        self.passport_months = np.full(R, np.nan)  # refugees' qualification passport by destination
        self.passport_approval = np.full(R, np.nan)
        self.prepared_approval_bonus = 0.0  # added to approval for pre-departure graduates
        self.circular_return_gain = 0.0  # extra skill circular migrants bring home
        # openings at the separation rate keep the initial vacancies consistent with demand (see
        # docs/model.md); the calibration fits a per-region multiplier on it
        self.open_rate = self.sep_rate * w.fitted("opening_multiplier", 1.0)
        self.region_wage = w.rp("wage_level").copy()
        # corridor lookup: (origin, destination region) -> corridor index or -1
        self.corridor_of = np.full((len(w.origins), R), -1, dtype=np.int64)
        self.corridor_of[w.corridors.origin, w.corridors.destination] = np.arange(len(w.corridors))
        self.diaspora_share = np.zeros(len(w.corridors))
        self.unemployment_rate_now = w.rp("unemployment_target").copy()
        # the agent classes: fowsim's, or a collaborator's subclasses (config `agents`)
        self.agent_classes = {"employer": Employer, "training_provider": TrainingProvider, "government": Government}
        self.agent_classes.update(scenario.agents)
        self._build_employers()
        self._build_providers()
        government = self.agent_classes["government"]
        self.governments = [government(self, r, np.flatnonzero(w.corridors.destination == r)) for r in range(R)]
        self.policies = list(scenario.policies)
        self._free: np.ndarray | None = None
        # stocks by region and state, kept by `transition`; checked against the arrays in tests
        self.S = np.zeros((R, N_STATES), dtype=np.int64)
        live = self.ws.status != VACANT
        np.add.at(self.S, (self.ws.region[live], self.ws.status[live]), 1)
        self.flows = np.zeros((R, N_STATES, N_STATES), dtype=np.int64)
        self.tally: dict[str, np.ndarray] = {}
        self.enrolled_now: list[np.ndarray] = []  # on-market trainees who started this month
        self.spending = {"public": np.zeros(R), "employer": np.zeros(R), "private": np.zeros(R)}
        unemployed = self.ws.status == UNEMPLOYED
        self.U_region = counts((R, w.n_occupations), self.ws.region[unemployed], self.ws.occ[unemployed]).astype(float)
        # smoothed log labour force and its trend, which labour demand follows (processes.automation)
        self.demand_level0 = np.log(np.maximum(1.0, self.S[:, 1:].sum(axis=1)))
        self.demand_level = self.demand_level0.copy()
        self.demand_trend = np.zeros(R)
        # skill carried from one occupation to another: 1 in the same, task similarity elsewhere
        unit = w.tasks / np.linalg.norm(w.tasks, axis=1, keepdims=True).clip(1e-12)
        self.skill_transfer = np.clip(unit @ unit.T, 0.0, 1.0) ** self.params["skill_transfer_exponent"]
        np.fill_diagonal(self.skill_transfer, 1.0)
        emp = self.ws.status == EMPLOYED
        self.wage_sum = np.bincount(self.ws.region[emp], weights=self.ws.wage[emp], minlength=R)  # kept by hires/exits
        self.recorder = Recorder(self)
        for policy in self.policies:
            policy.rng = np.random.default_rng(stream_seed(scenario.seed, f"policy:{policy.name}"))
            policy._scale = self.scale
            policy.setup(self)
        ph.update_diaspora(self, self.recorder.census()[2])

    # ---------------------------------------------------------------- construction
    def _build_employers(self) -> None:
        w, ws, p = self.world, self.ws, self.params
        rng = self.streams["agents"]
        R, O = w.n_regions, w.n_occupations
        self.occ_sector = sector = np.array([sector_of(code) for code in w.isco])
        per = int(p["firms_per_sector"])
        self.employers: list[Employer] = []
        firm_region, firm_sector = [], []
        for r in range(R):
            for s in range(4):
                for _ in range(per):
                    f = len(self.employers)
                    self.employers.append(
                        self.agent_classes["employer"](
                            self,
                            f,
                            r,
                            s,
                            adoption_speed=float(rng.lognormal(0.0, p["firm_adoption_dispersion"])),
                            wage_premium=float(rng.lognormal(0.0, p["firm_wage_dispersion"])),
                        )
                    )
                    firm_region.append(r)
                    firm_sector.append(s)
        F = len(self.employers)
        self.firm_region = np.array(firm_region)
        self.firm_sector = firm_sector = np.array(firm_sector)
        # firm weights within (region, occupation): random sizes among the sector's firms
        size = rng.gamma(2.0, 1.0, F)
        weight = size[:, None] * (firm_sector[:, None] == sector[None, :])
        region_total = np.zeros((R, O))
        np.add.at(region_total, self.firm_region, weight)
        share = weight / region_total[self.firm_region].clip(1e-300)
        # assign employed workers to firms in proportion to those weights
        emp = np.flatnonzero(ws.status == EMPLOYED)
        cum = np.cumsum(share, axis=0)  # firms ordered by region: cumulative within each region block
        firm_of = np.zeros(emp.size, dtype=np.int64)
        cell = ws.region[emp].astype(np.int64) * O + ws.occ[emp]
        for r in range(R):
            block = np.flatnonzero(self.firm_region == r)
            ccum = cum[block] - (cum[block[0] - 1] if block[0] > 0 else 0.0)  # (firms in r, O)
            pick = draw_categories(rng, cell[ws.region[emp] == r] - r * O, ccum.T)
            firm_of[ws.region[emp] == r] = block[pick]
        ws.employer[emp] = firm_of
        self.E = np.zeros((F, O), dtype=np.int64)
        np.add.at(self.E, (firm_of, ws.occ[emp]), 1)
        open_rate = self.open_rate[self.firm_region][:, None]
        self.V = rng.poisson(open_rate * self.E)
        self.D0 = (self.E + self.V).astype(np.float64)
        self.D0_region = np.zeros((R, O))
        np.add.at(self.D0_region, self.firm_region, self.D0)
        self.demand_share = self.D0 / self.D0_region[self.firm_region].clip(1e-300)
        self.D = self.D0.copy()
        self.D_extra = np.zeros_like(self.D0)  # demand added by new businesses (entrepreneurship)
        self.V_carry = np.zeros_like(self.V)  # vacancies left open by last month's matching
        self.employer_premium = np.array([e.wage_premium for e in self.employers])
        skill = ws.effective_skill(emp, 0, p["skill_learning_rate"], p["skill_decay_rate"], int(p["skill_loss_grace"]))
        ws.wage[emp] = self.wage_of(firm_of, ws.occ[emp], skill)
        self._refresh_region_tables()

    def _build_providers(self) -> None:
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
                        cost_per_month=p[f"{kind}_cost_share"] * self.region_wage[r],
                        award=award,
                        min_credential=min_cred,
                        targets=targets,
                        skill_after=p[f"{kind}_skill"],
                        public_share=1.0 if public else 0.0,
                    )
                )
        self.provider_of = np.array([[pr.index for pr in self.providers if pr.region == r] for r in range(w.n_regions)])

    # ---------------------------------------------------------------- helpers used by the phases
    def wage_of(self, firm: np.ndarray, occ: np.ndarray, skill: np.ndarray) -> np.ndarray:
        """Monthly wage (EUR) at employer `firm` in occupation `occ` for skill `skill`."""
        base = self.region_wage[self.firm_region[firm]] * self.world.relative_wage[occ] * self.employer_premium[firm]
        return (base * (0.8 + 0.4 * skill)).astype(np.float32)

    def _refresh_region_tables(self) -> None:
        R, O = self.world.n_regions, self.world.n_occupations
        self.V_region = np.zeros((R, O))
        np.add.at(self.V_region, self.firm_region, self.V)
        self.D_region = np.zeros((R, O))
        np.add.at(self.D_region, self.firm_region, self.D)
        self.E_region = np.zeros((R, O))
        np.add.at(self.E_region, self.firm_region, self.E)

    def free_slots(self, n: int) -> np.ndarray:
        """Indices of `n` vacant slots, growing the workforce arrays when too few are left."""
        # one scan a month; slots freed later in the month are checked again before reuse
        if self._free is None or self._free.size < n:
            self._free = np.flatnonzero(self.ws.status == VACANT)
        free = self._free
        if free.size < n:
            start = len(self.ws)
            self.ws.grow(max(n - free.size, start // 8))
            free = np.concatenate([free, np.arange(start, len(self.ws))])
        self._free = free[n:]
        return free[:n]

    def skill_now(self, idx: np.ndarray) -> np.ndarray:
        """Effective skill of workers `idx` this month."""
        p = self.params
        return self.ws.effective_skill(
            idx, self.t, p["skill_learning_rate"], p["skill_decay_rate"], int(p["skill_loss_grace"])
        )

    def count(self, name: str, region: np.ndarray, weights: np.ndarray | None = None) -> None:
        """Add events (one per entry of `region`, or `weights`) to this month's tally `name`."""
        add = np.bincount(region.astype(np.int64), weights=weights, minlength=self.world.n_regions)
        if name in self.tally:
            self.tally[name] += add
        else:
            self.tally[name] = add.astype(np.float64)

    def count_people(self, name: str, idx: np.ndarray) -> None:
        """Tally `name` for workers `idx` by region, and by group (women, youth 15-24) in `name_by_group`."""
        ws, R = self.ws, self.world.n_regions
        region = ws.region[idx].astype(np.int64)
        self.count(name, region)
        youth = (self.t - ws.birth[idx].astype(np.int64)) < YOUTH_MONTHS
        add = np.stack(
            [np.bincount(region[ws.female[idx]], minlength=R), np.bincount(region[youth], minlength=R)]
        ).astype(np.float64)
        key = f"{name}_by_group"
        self.tally[key] = self.tally[key] + add if key in self.tally else add

    def transition(self, idx: np.ndarray, status: int, region: np.ndarray | int | None = None) -> None:
        """Move workers `idx` to `status` (and to `region`), keeping stocks, flows and employers right.

        Every change of a worker's status or region goes through here, so that stocks change only
        by recorded flows. Skill is fixed at its current effective value.
        """
        if idx.size == 0:
            return
        ws = self.ws
        R = self.world.n_regions
        old_s = ws.status[idx].astype(np.int64)
        old_r = ws.region[idx].astype(np.int64)
        ws.skill[idx] = self.skill_now(idx)
        was_emp = old_s == EMPLOYED
        if was_emp.any():
            e = idx[was_emp]
            self.E -= counts(self.E.shape, ws.employer[e], ws.occ[e])
            self.wage_sum -= np.bincount(old_r[was_emp], weights=ws.wage[e], minlength=R)
            ws.employer[e] = -1
            ws.wage[e] = 0.0
        new_r = old_r if region is None else np.broadcast_to(np.asarray(region, dtype=np.int64), idx.shape)
        self.S -= np.bincount(old_r * N_STATES + old_s, minlength=R * N_STATES).reshape(R, N_STATES)
        # flows: an entrant comes from outside (state 0); a move between regions leaves the old
        # region's states for outside and enters the new region's from outside
        entering = old_s == VACANT
        moved = ~entering & (new_r != old_r)
        stay = ~entering & ~moved
        F = self.flows.shape
        self.flows += counts(F, old_r[stay], old_s[stay], np.full(int(stay.sum()), status))
        if moved.any():
            self.flows += counts(F, old_r[moved], old_s[moved], np.zeros(int(moved.sum()), np.int64))
        arriving = new_r[moved | entering]
        self.flows += counts(F, arriving, np.zeros(arriving.size, np.int64), np.full(arriving.size, status))
        ws.status[idx] = status
        ws.since[idx] = self.t
        if region is not None:
            ws.region[idx] = new_r
        self.S += np.bincount(new_r * N_STATES + status, minlength=R * N_STATES).reshape(R, N_STATES)
        self.S[:, VACANT] = 0  # slots outside the labour force are not a stock of any region
        if status == VACANT:
            ws.programme[idx] = -1

    def hire(self, idx: np.ndarray, firm: np.ndarray, occ: np.ndarray, skill: np.ndarray) -> None:
        """Workers `idx` start at employers `firm` in occupations `occ` with skill `skill`."""
        self.transition(idx, EMPLOYED)
        ws = self.ws
        ws.employer[idx] = firm
        ws.occ[idx] = occ
        ws.skill[idx] = skill
        ws.wage[idx] = self.wage_of(firm, occ, skill)
        self.E += counts(self.E.shape, firm, occ)
        self.wage_sum += np.bincount(ws.region[idx], weights=ws.wage[idx], minlength=self.world.n_regions)

    # ---------------------------------------------------------------- the schedule
    def step(self) -> None:
        """Advance one month: run each phase of `PHASES` in order."""
        self.tally = {}
        self.enrolled_now = []
        self.flows[:] = 0
        self._free = None
        for name in self.PHASES:
            getattr(ph, name)(self)
        self.t += 1

    def run(self, months: int | None = None, progress: Any = None) -> LabourMarketModel:
        """Run `months` months (default: the scenario's horizon, less any already run)."""
        n = self.months - self.t if months is None else int(months)
        n = min(n, self.months - self.t)
        for _ in range(n):
            self.step()
            if progress is not None:
                progress(self.t, self.months)
        return self

    def results(self) -> xr.Dataset:
        """The recorded monthly aggregates so far as an `xarray.Dataset`."""
        return self.recorder.dataset()


def simulate(cfg: Scenario | Mapping[str, Any] | Any, progress: Any = None) -> xr.Dataset:
    """Build a model from `cfg`, run it to its horizon and return its results."""
    return LabourMarketModel(cfg).run(progress=progress).results()
