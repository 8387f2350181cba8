"""The state of a run and the owners of its books.

Each piece of state has one owner whose methods are its only writers:

- `Clock`: the month `t`; the model ticks it once a month.
- `Tally`: this month's events by region and group, and spending by payer (`count`,
  `count_people`, `spend`, `start_training`).
- `Market`: employers' employment, vacancies and demand; stocks and flows by region and state;
  wage sums and the going wage of each (region, occupation) (`set_wage_index`, `renegotiate`);
  employers' adoption of automation (`set_adoption`); the region tables searchers see
  (`transition`, `hire`, `fill`, `reopen`, `move_within`, `upskill`, `place`, `open_vacancies`,
  `set_demand`, ...).
- `Migration`: corridors' diaspora and migrant stocks, this month's migration and return flows,
  the hooks on returns (`move`, `arrive`, `record_returns`, `observe`, `on_return`).
- `Recognition`: each corridor's recognition pace and approval, and the hooks on single decisions
  (`agree`, `lapse`, `on_decision`).

The workforce arrays (`fowsim.workforce.Workforce`) are the workers' own attributes; a worker's
status, region, employer and wage change only through `Market`, which keeps the stocks, flows and
books that depend on them. `State` is what the worker rules and the agents see of a run: the
clock, the world, the workforce and these owners. `fowsim.sim.Simulation` adds the agents and the
rules (what phases and policies act on); `fowsim.model.LabourMarketModel` builds one and runs it.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping

import mesa
import numpy as np

from fowsim import kernels
from fowsim.codes import (
    ACTIVE,
    EMPLOYED,
    INFORMAL,
    N_STATES,
    NOT_NEEDED,
    PENDING,
    POST_SECONDARY,
    TEMPORARY,
    TRAINED,
    UNEMPLOYED,
    VACANT,
    YOUTH_MONTHS,
)
from fowsim.sampling import counts
from fowsim.shocks import Shock
from fowsim.workforce import Workforce
from fowsim.world import World

PAYERS = ("public", "employer", "private")


def stream_seed(seed: int, name: str) -> np.random.SeedSequence:
    """The seed sequence of the named stream: stable whatever other streams exist."""
    return np.random.SeedSequence(entropy=seed, spawn_key=(zlib.crc32(name.encode()),))


class Clock:
    """The month of the run: step `t` (0 is the calendar month `start`)."""

    def __init__(self) -> None:
        self.t = 0

    def tick(self) -> None:
        """Move on one month."""
        self.t += 1


class Tally:
    """This month's events by region (and by group: women, youth 15-24), and this month's spending by payer.

    The recorder reads them at the end of the month; they start afresh each month (`new_month`).
    """

    def __init__(self, n_regions: int, ws: Workforce, clock: Clock) -> None:
        self.n_regions = n_regions
        self._ws, self._clock = ws, clock
        self.counts: dict[str, np.ndarray] = {}
        self.spending = {payer: np.zeros(n_regions) for payer in PAYERS}
        self.started: list[np.ndarray] = []  # on-market trainees who started this month

    def new_month(self) -> None:
        """Start the month's counts, spending and new trainees from zero."""
        self.counts = {}
        for payer in self.spending.values():
            payer[:] = 0.0
        self.started = []

    def start_training(self, idx: np.ndarray) -> None:
        """Workers `idx` start a programme this month while staying on the market (they train from next month)."""
        self.started.append(idx)

    def get(self, name: str, default: np.ndarray) -> np.ndarray:
        """This month's tally `name`, or `default` where nothing was counted."""
        return self.counts.get(name, default)

    def count(self, name: str, region: np.ndarray, weights: np.ndarray | None = None) -> None:
        """Add events (one per entry of `region`, or `weights`) to this month's tally `name`."""
        add = np.bincount(region.astype(np.int64), weights=weights, minlength=self.n_regions)
        if name in self.counts:
            self.counts[name] += add
        else:
            self.counts[name] = add.astype(np.float64)

    def count_people(self, name: str, idx: np.ndarray) -> None:
        """Tally `name` for workers `idx` by region, and by group (women, youth 15-24) in `name_by_group`."""
        ws, R = self._ws, self.n_regions
        region = ws.region[idx].astype(np.int64)
        self.count(name, region)
        youth = (self._clock.t - ws.birth[idx].astype(np.int64)) < YOUTH_MONTHS
        add = np.stack(
            [np.bincount(region[ws.female[idx]], minlength=R), np.bincount(region[youth], minlength=R)]
        ).astype(np.float64)
        key = f"{name}_by_group"
        self.counts[key] = self.counts[key] + add if key in self.counts else add

    def spend(self, payer: str, region: int, amount: float) -> None:
        """Book `amount` EUR of `payer`'s spending in `region` this month."""
        self.spending[payer][region] += amount


class Market:
    """The labour market's books, and the only writer of a worker's status, region, employer and wage.

    Employers' books are (F, O) matrices, one row per employer (`fowsim.agents.Employer` reads its
    row): employment `E`, open vacancies `V`, target demand `D`, demand added by new businesses
    `D_extra`, and `V_carry`, the vacancies last month's matching left open. By region: the stocks
    `S` (R, state) and this month's flows between states `flows` (R, from, to), the wage bill
    `wage_sum`, and the (R, O) tables of employment, vacancies, demand and unemployment that
    searchers and entrants see. Every change of a worker's status or region goes through
    `transition`, so stocks change only by recorded flows (the accounting the tests check).
    """

    def __init__(
        self,
        world: World,
        params: Mapping[str, float],
        ws: Workforce,
        clock: Clock,
        tally: Tally,
        firm_region: np.ndarray,
        firm_sector: np.ndarray,
        occ_sector: np.ndarray,
        employer_premium: np.ndarray,
        E: np.ndarray,
        V: np.ndarray,
        sep_rate: np.ndarray,
        open_rate: np.ndarray,
    ) -> None:
        self.world, self.params, self.ws, self.clock, self.tally = world, params, ws, clock, tally
        R, O = world.n_regions, world.n_occupations
        self.firm_region, self.firm_sector, self.employer_premium = firm_region, firm_sector, employer_premium
        self.occ_sector = occ_sector  # sector of each occupation (fowsim.agents.SECTORS)
        self.sep_rate = sep_rate  # monthly separation rate by region
        # openings at the separation rate keep the initial vacancies consistent with demand (see
        # docs/model.md); the calibration fits a per-region multiplier on it
        self.open_rate = open_rate
        self.region_wage = world.rp("wage_level").copy()
        # the going wage of a new hire in each (region, occupation), relative to the start of the run:
        # set each month by the wage bargain (phase `wages`); 1 where wages do not move
        self.wage_index = np.ones((R, O))
        self.tightness_state: dict[str, np.ndarray] | None = None  # what the wage bargain sees (phase `wages`)
        self.E, self.V = E, V
        self.D0 = (E + V).astype(np.float64)
        self.D0_region = np.zeros((R, O))
        np.add.at(self.D0_region, firm_region, self.D0)
        self.demand_share = self.D0 / self.D0_region[firm_region].clip(1e-300)
        self.D = self.D0.copy()
        self.D_extra = np.zeros_like(self.D0)  # demand added by new businesses (entrepreneurship)
        self.V_carry = np.zeros_like(V)  # vacancies left open by last month's matching
        self.E_start = E.copy()  # employment at the start of the month (`new_month`)
        self.hired: list[np.ndarray] = []  # workers hired from the market this month (`hire`)
        # skill carried from one occupation to another: 1 in the same, task similarity elsewhere
        unit = world.tasks / np.linalg.norm(world.tasks, axis=1, keepdims=True).clip(1e-12)
        self.skill_transfer = np.clip(unit @ unit.T, 0.0, 1.0) ** params["skill_transfer_exponent"]
        np.fill_diagonal(self.skill_transfer, 1.0)
        self._pay_initial_wages()
        self.refresh()
        # stocks by region and state, kept by `transition`
        self.S = np.zeros((R, N_STATES), dtype=np.int64)
        live = ws.status != VACANT
        np.add.at(self.S, (ws.region[live], ws.status[live]), 1)
        self.flows = np.zeros((R, N_STATES, N_STATES), dtype=np.int64)
        unemployed = ws.status == UNEMPLOYED
        self.U_region = counts((R, O), ws.region[unemployed], ws.occ[unemployed]).astype(float)
        # smoothed log labour force and its trend, which labour demand follows (phase `automation`)
        self.demand_level0 = np.log(np.maximum(1.0, self.labour_force()))
        self.demand_level = self.demand_level0.copy()
        self.demand_trend = np.zeros(R)
        # each employer's adoption of automation: the share of its exposed work automated (phase `automation`)
        self.adoption_f = np.zeros(len(firm_region))
        self.exposed_d0 = self.D0 * world.exposure[None, :]  # (F, O) the exposed part of each employer's demand
        self.reference_wage, self.reference_spread = self._reference_wage()
        self.unemployment_rate_now = world.rp("unemployment_target").copy()
        self.unemployment_rate0 = self.unemployment_rate_now.copy()  # what conditions are measured against
        emp_mask = ws.status == EMPLOYED
        self.wage_sum = np.bincount(ws.region[emp_mask], weights=ws.wage[emp_mask], minlength=R)
        # informal work: its share of all work at the start, and what crowding has done to its pay since
        self.informal_share0 = self.informal_share()
        self.labour_force0 = self.labour_force().astype(float)  # the base the entrants' cohorts are measured on
        self.informal_factor = np.ones(R)
        # the monthly chance that an unemployed worker takes up informal work (primary credential), by region:
        # fitted to the region's informal share (calibration.yaml), none where the region has no informal work
        has_informal = world.rp("informal_share") > 0
        self.informal_entry_rate = np.where(
            has_informal, world.fitted("informal_entry_rate", params["informal_entry_rate"]), 0.0
        )

    def informal_share(self) -> np.ndarray:
        """Informal workers as a share of all who work, formal and informal, by region (R,)."""
        working = self.S[:, EMPLOYED] + self.S[:, INFORMAL]
        return self.S[:, INFORMAL] / np.maximum(working, 1)

    def informal_pay(self, region: np.ndarray, occ: np.ndarray) -> np.ndarray:
        """What informal work in `region` and trade `occ` earns a month (EUR).

        `informal_pay_ratio` of the going formal wage of the occupation there, times the crowding
        factor of the region's informal work (`set_informal_factor`, phase `informal_work`).
        """
        ratio = self.params["informal_pay_ratio"]
        return self.going_wage(region, occ) * ratio * self.informal_factor[region]

    def set_informal_factor(self, factor: np.ndarray) -> None:
        """Informal pay by region relative to its start (R,): less work to share as informal work crowds."""
        self.informal_factor = factor

    def _pay_initial_wages(self) -> None:
        """The initial employed workers' wages, from their employer, occupation and skill."""
        ws, p = self.ws, self.params
        emp = np.flatnonzero(ws.status == EMPLOYED)
        skill = ws.effective_skill(emp, 0, p["skill_learning_rate"], p["skill_decay_rate"], int(p["skill_loss_grace"]))
        ws.wage[emp] = self.wage_of(ws.employer[emp].astype(np.int64), ws.occ[emp], skill)

    # ---------------------------------------------------------------- reading
    def wage_of(self, firm: np.ndarray, occ: np.ndarray, skill: np.ndarray) -> np.ndarray:
        """Monthly wage (EUR) at employer `firm` in occupation `occ` for skill `skill`."""
        r = self.firm_region[firm]
        base = self.region_wage[r] * self.world.relative_wage[occ] * self.employer_premium[firm]
        base = base * self.wage_index[r, occ]
        return (base * (0.8 + 0.4 * skill)).astype(np.float32)

    def pay_level(self) -> np.ndarray:
        """The going wage by region relative to the start (R,): `wage_index` weighted by employment."""
        e = self.E_region
        return (e * self.wage_index).sum(axis=1) / np.maximum(e.sum(axis=1), 1e-12)

    def going_wage(self, region: np.ndarray, occ: np.ndarray) -> np.ndarray:
        """The mean wage of a new hire in `region` and occupation `occ` (EUR a month, average employer and skill)."""
        return self.region_wage[region] * self.world.relative_wage[occ] * self.wage_index[region, occ]

    def skill_now(self, idx: np.ndarray) -> np.ndarray:
        """Effective skill of workers `idx` this month."""
        p = self.params
        return self.ws.effective_skill(
            idx, self.clock.t, p["skill_learning_rate"], p["skill_decay_rate"], int(p["skill_loss_grace"])
        )

    def labour_force(self) -> np.ndarray:
        """Employed (formal), unemployed, in training and in informal work, by region (simulated workers)."""
        return self.S[:, 1:].sum(axis=1)

    # ---------------------------------------------------------------- the month's bookkeeping
    def new_month(self) -> None:
        """Start this month's flows from zero; keep the employment the month starts with (`E_start`)."""
        self.flows[:] = 0
        self.E_start = self.E.copy()
        self.hired = []  # workers hired from the market this month

    def hired_this_month(self) -> np.ndarray:
        """Workers hired from the market so far this month (`hire`), in the order hired."""
        return np.concatenate(self.hired) if self.hired else np.zeros(0, dtype=np.int64)

    def refresh(self) -> None:
        """Recompute the (region, occupation) tables of vacancies, demand and employment from employers' books."""
        R, O = self.world.n_regions, self.world.n_occupations
        self.V_region = np.zeros((R, O))
        np.add.at(self.V_region, self.firm_region, self.V)
        self.D_region = np.zeros((R, O))
        np.add.at(self.D_region, self.firm_region, self.D)
        self.E_region = np.zeros((R, O))
        np.add.at(self.E_region, self.firm_region, self.E)

    def observe(self, unemployed_by_occupation: np.ndarray) -> None:
        """This month's census: unemployment by (region, occupation), and the unemployment rate by region."""
        self.U_region = unemployed_by_occupation
        active = self.S[:, list(ACTIVE)].sum(axis=1)  # in a formal job, in informal work or unemployed
        self.unemployment_rate_now = self.S[:, UNEMPLOYED] / np.maximum(1, active)

    def follow_labour_force(self, tau: float) -> None:
        """Move the smoothed log labour force and its trend one month on (Holt's linear method, time constant `tau`)."""
        lf = np.log(np.maximum(1.0, self.labour_force()))
        previous = self.demand_level.copy()
        self.demand_level += (lf - self.demand_level) / tau
        self.demand_trend += (self.demand_level - previous - self.demand_trend) / tau

    def set_demand(self, firm: int, demand: np.ndarray) -> None:
        """Employer `firm`'s target demand by occupation."""
        self.D[firm] = demand

    def set_adoption(self, adoption: np.ndarray) -> None:
        """Each employer's adoption level of automation this month (F,)."""
        self.adoption_f = adoption

    @property
    def adoption(self) -> np.ndarray:
        """Adoption of automation by region (R,): employers' levels weighted by their exposed demand at the start."""
        R = self.world.n_regions
        weight = self.exposed_d0.sum(axis=1)
        num = np.bincount(self.firm_region, weights=weight * self.adoption_f, minlength=R)
        return num / np.maximum(np.bincount(self.firm_region, weights=weight, minlength=R), 1e-12)

    def _reference_wage(self) -> tuple[float, float]:
        """The typical wage of the exposed work of the highest-wage region at the start (EUR a month), and its spread.

        Per region, the geometric mean of its employers' wages for exposed work, weighted by that
        work; the spread is the weighted standard deviation of their logs in that region.
        """
        R = self.world.n_regions
        weight = self.exposed_d0.sum(axis=1)
        log_w = np.log(self.exposed_wage())
        den = np.bincount(self.firm_region, weights=weight, minlength=R)
        mean = np.bincount(self.firm_region, weights=weight * log_w, minlength=R) / np.maximum(den, 1e-12)
        top = int(np.argmax(np.where(den > 0, mean, -np.inf)))
        mine = self.firm_region == top
        spread = np.sqrt(np.average((log_w[mine] - mean[top]) ** 2, weights=weight[mine]))
        return float(np.exp(mean[top])), float(spread)

    def exposed_wage(self) -> np.ndarray:
        """Each employer's wage (EUR a month) for its exposed work (F,): region, occupations, premium, going wage."""
        ex = self.exposed_d0
        rel = self.world.relative_wage[None, :] * self.wage_index[self.firm_region]
        mean_rel = (ex * rel).sum(axis=1) / np.maximum(ex.sum(axis=1), 1e-12)
        fallback = self.world.relative_wage.mean()  # an employer with no exposed work (its rate does not matter)
        mean_rel = np.where(ex.sum(axis=1) > 0, mean_rel, fallback)
        return self.region_wage[self.firm_region] * self.employer_premium * mean_rel

    def add_business_demand(self) -> None:
        """Add the demand of the businesses started by entrepreneurship graduates to this month's target demand."""
        self.D += self.D_extra

    def open_businesses(self, demand: np.ndarray, vacancies: np.ndarray) -> None:
        """New businesses: their demand (F, O) joins the employers' demand, with `vacancies` (F, O) opened at once."""
        self.D_extra += demand
        self.D += demand
        self.V += vacancies

    def close_businesses(self, demand: np.ndarray) -> None:
        """Businesses close: their demand (F, O) is withdrawn from next month's target."""
        self.D_extra -= demand

    def open_vacancies(self, firm: int, change: np.ndarray) -> None:
        """Employer `firm` opens (or, negative, withdraws) vacancies by occupation."""
        self.V[firm] += change

    def fill(self, firm: np.ndarray, occ: np.ndarray) -> None:
        """Close one open vacancy at each (employer, occupation) named: it has been filled."""
        self.V -= counts(self.V.shape, firm, occ)

    def reopen(self, firm: np.ndarray, occ: np.ndarray) -> None:
        """Advertise again the jobs (employer, occupation) that workers have just left."""
        self.V += counts(self.V.shape, firm, occ)

    def carry_vacancies(self) -> None:
        """Keep the vacancies this month's matching left open (employers recruit abroad for them next month)."""
        self.V_carry = self.V.copy()

    # ---------------------------------------------------------------- moving workers
    def transition(
        self, idx: np.ndarray, status: int, region: np.ndarray | int | None = None, skill: np.ndarray | None = None
    ) -> None:
        """Move workers `idx` to `status` (and to `region`), keeping stocks, flows and employers right.

        Every change of a worker's status or region goes through here, so that stocks change only
        by recorded flows (`fowsim.kernels.transition`). Skill is fixed at `skill`, by default its
        current effective value.
        """
        if idx.size == 0:
            return
        ws = self.ws
        ws.skill[idx] = self.skill_now(idx) if skill is None else skill
        to = ws.region[idx] if region is None else np.asarray(region, dtype=ws.region.dtype)
        new_r = np.broadcast_to(to, idx.shape)
        self.wage_sum -= kernels.transition(
            idx, status, new_r, self.clock.t, ws.status, ws.region, ws.employer, ws.occ, ws.wage, ws.since,
            ws.jobless_since, ws.programme, self.E, self.S, self.flows,
        )  # fmt: skip

    def hire(self, idx: np.ndarray, firm: np.ndarray, occ: np.ndarray, skill: np.ndarray) -> None:
        """Workers `idx` start at employers `firm` in occupations `occ` with skill `skill`.

        The vacancies they fill are the caller's to close (`fill`), as the caller knows which.
        """
        self.transition(idx, EMPLOYED, skill=skill)
        self.hired.append(idx)
        ws = self.ws
        ws.employer[idx] = firm
        ws.occ[idx] = occ
        ws.wage[idx] = self.wage_of(firm, occ, skill)
        self.E += counts(self.E.shape, firm, occ)
        self.wage_sum += np.bincount(ws.region[idx], weights=ws.wage[idx], minlength=self.world.n_regions)

    def move_within(
        self, idx: np.ndarray, firm: np.ndarray, old: np.ndarray, new: np.ndarray, skill: np.ndarray, wage: np.ndarray
    ) -> None:
        """Workers `idx` move from occupation `old` to `new` at their employer `firm`, into an open vacancy.

        The position they leave is advertised again; their wage becomes `wage`, their skill `skill`.
        """
        ws, w = self.ws, self.world
        moved_in, moved_out = counts(self.E.shape, firm, new), counts(self.E.shape, firm, old)
        self.E += moved_in - moved_out
        self.V += moved_out - moved_in
        self.wage_sum += np.bincount(ws.region[idx], weights=wage - ws.wage[idx], minlength=w.n_regions)
        ws.occ[idx] = new
        ws.skill[idx] = skill.astype(np.float32)
        ws.since[idx] = self.clock.t
        ws.wage[idx] = wage
        self.tally.count("internal_moves", ws.region[idx])
        self.tally.count("occupation_changes", ws.region[idx])

    def upskill(
        self, idx: np.ndarray, firm: np.ndarray, old: np.ndarray, target: np.ndarray, skill_after: np.ndarray
    ) -> None:
        """Employed workers `idx` finish in-house training, with skill `skill_after` in occupation `target`.

        Where `target` differs from their occupation `old` they move to it at their employer `firm`,
        into an open vacancy there, and the old job is advertised again.
        """
        ws = self.ws
        self.V += counts(self.V.shape, firm[old != target], old[old != target]) - counts(
            self.V.shape, firm[old != target], target[old != target]
        )
        self.E += counts(self.E.shape, firm, target) - counts(self.E.shape, firm, old)
        self.tally.count("occupation_changes", ws.region[idx], (old != target).astype(float))
        ws.skill[idx] = skill_after
        ws.occ[idx] = target
        ws.since[idx] = self.clock.t
        new_wage = self.wage_of(firm, target, ws.skill[idx].astype(np.float64))
        self.wage_sum += np.bincount(ws.region[idx], weights=new_wage - ws.wage[idx], minlength=self.world.n_regions)
        ws.wage[idx] = new_wage

    def set_wage_index(self, index: np.ndarray) -> None:
        """The going wage of new hires by (region, occupation), relative to the start (phase `wages`)."""
        self.wage_index = index

    def renegotiate(self, months: int) -> None:
        """Employed workers on an anniversary of their job (every `months` months) have their wage set again.

        It becomes the going wage of their job for the skill they have now (`wage_of`), in one
        compiled pass over the workforce (`fowsim.kernels.renegotiate`).
        """
        ws, w = self.ws, self.world
        r = self.firm_region
        going = (self.region_wage[r][:, None] * w.relative_wage[None, :] * self.employer_premium[:, None]
                 * self.wage_index[r])  # fmt: skip
        self.wage_sum += kernels.renegotiate(
            ws.status, ws.since, ws.employer, ws.occ, ws.region, ws.skill, ws.wage, going, self.clock.t, int(months),
            float(self.params["skill_learning_rate"]), w.n_regions,
        )  # fmt: skip

    def place(
        self, idx: np.ndarray, region: int, rng: np.random.Generator, occ: np.ndarray | None = None
    ) -> np.ndarray:
        """Place workers `idx` into random open vacancies of `region` (of their occupation `occ` if given); returns who.

        The draws come from `rng`: the caller's stream (a policy's own).
        """
        ws, O = self.ws, self.world.n_occupations
        if idx.size == 0:
            return idx
        firms = np.flatnonzero(self.firm_region == region)
        V = self.V[firms]
        if occ is None:
            cell = np.repeat(np.arange(V.size), V.ravel())
            cell = rng.permutation(cell)[: idx.size]
            placed = idx[: cell.size]
            f, o = firms[cell // O], cell % O
        else:
            parts: tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]] = ([], [], [])
            for oc in np.unique(occ):
                want = idx[occ == oc]
                col = V[:, oc]
                slots = np.repeat(np.arange(col.size), col)
                slots = rng.permutation(slots)[: want.size]
                parts[0].append(want[: slots.size])
                parts[1].append(firms[slots])
                parts[2].append(np.full(slots.size, oc))
            placed, f, o = (np.concatenate(a).astype(np.int64) for a in parts)
        if placed.size:
            skill = np.clip(self.skill_now(placed) * self.skill_transfer[ws.occ[placed], o], 0.0, 1.0)
            self.fill(f, o)
            self.hire(placed, f, o, skill.astype(np.float32))
        return placed


ReturnGain = Callable[[Workforce, np.ndarray], "np.ndarray | None"]


class Migration:
    """Migration's books: corridors' diaspora and migrant stocks, this month's flows, and the hooks on returns.

    `move` carries migrants along a corridor (through `Market.transition`) and `arrive` settles new
    workers from an origin outside the simulated regions; `record_returns` books those who go home.
    A policy that changes what returnees bring home registers a hook with `on_return`.
    """

    def __init__(self, world: World, params: Mapping[str, float], ws: Workforce, clock: Clock, tally: Tally,
                 market: Market) -> None:  # fmt: skip
        self.world, self.params, self.ws, self.clock, self.tally, self.market = world, params, ws, clock, tally, market
        R, c = world.n_regions, world.corridors
        # corridor lookup: (origin, destination region) -> corridor index or -1
        self.corridor_of = np.full((len(world.origins), R), -1, dtype=np.int64)
        self.corridor_of[c.origin, c.destination] = np.arange(len(c))
        self.diaspora_share = np.zeros(len(c))
        self.migrant_stock = np.zeros(len(c))
        self.foreign_stock = np.zeros((len(world.origins), R))  # by (origin, region), from the census
        self.flow = np.zeros((len(world.origins), R))  # moves this month, simulated workers
        # remittances sent home by (origin, destination), EUR a month (real units), from the last census, and
        # the share of earnings migrants in each destination send (remittance_share, fitted where calibrated)
        self.remittance_share = world.fitted("remittance_share", params["remittance_share"])
        self.remittances = np.zeros((len(world.origins), R))
        self.return_flow = np.zeros((len(world.origins), R))
        self._return_gains: list[ReturnGain] = []

    def new_month(self) -> None:
        """Start this month's flows from zero."""
        self.flow[:] = 0.0
        self.return_flow[:] = 0.0

    def observe(self, stock: np.ndarray, earnings: np.ndarray | None = None, scale: float = 1.0) -> None:
        """Each corridor's diaspora, and the remittances sent home, from the month's census.

        `stock` is the foreign-born count by (origin, region), `earnings` the wages of the employed
        foreign-born summed by (origin, region), as the monthly census gives them (simulated
        workers; `scale` people each). A corridor's diaspora is the migrants of the origin in the
        destination over the origin's labour force; remittances are the destination's
        `remittance_share` of those earnings, EUR a month.
        """
        w = self.world
        c = w.corridors
        if earnings is not None:
            self.remittances = np.asarray(earnings, dtype=float) * scale * self.remittance_share[None, :]
        self.foreign_stock = stock
        self.migrant_stock = np.asarray(stock, dtype=float)[c.origin, c.destination]
        lf = self.market.labour_force().astype(float)
        origin_lf = np.where(c.origin < w.n_regions, lf[np.minimum(c.origin, w.n_regions - 1)], np.inf)
        self.diaspora_share = self.migrant_stock / origin_lf

    def remittances_received(self) -> np.ndarray:
        """Remittances received by each simulated region from its migrants everywhere (R,), EUR a month."""
        return self.remittances[: self.world.n_regions].sum(axis=1)

    def on_return(self, hook: ReturnGain) -> None:
        """Register `hook(ws, idx)`: extra skill (an array over `idx`, or None) that returnees `idx` bring home."""
        self._return_gains.append(hook)

    def return_gain(self, idx: np.ndarray) -> np.ndarray:
        """Extra skill returnees `idx` bring home, beyond every returnee's: the most any registered hook gives."""
        gain = np.zeros(idx.size)
        for hook in self._return_gains:
            extra = hook(self.ws, idx)
            if extra is not None:
                gain = np.maximum(gain, extra)
        return gain

    def move(self, idx: np.ndarray, k: np.ndarray, channel: np.ndarray) -> None:
        """Workers `idx` emigrate along corridors `k` with migration status `channel`; they arrive unemployed."""
        ws, p, c, tally = self.ws, self.params, self.world.corridors, self.tally
        if idx.size == 0:
            return
        t = self.clock.t
        dest = c.destination[k]
        tally.count_people("emigrants", idx)
        tally.count("trained_emigrants", ws.region[idx], ((ws.scheme[idx] & TRAINED) > 0).astype(float))
        tally.count("graduate_emigrants", ws.region[idx], (ws.cred[idx] >= POST_SECONDARY).astype(float))
        tally.count("immigrants", dest)
        self.flow += counts(self.flow.shape, ws.origin[idx], dest)
        before = ws.region[idx].copy()
        self.market.transition(idx, UNEMPLOYED, region=dest)
        ws.retire_at[idx] = self.world.moved_exit_month(dest, before, ws.birth[idx], ws.retire_at[idx])
        ws.mig[idx] = channel
        ws.programme[idx] = -1
        ws.visa_end[idx] = np.where(channel == TEMPORARY, t + int(p["temporary_visa_months"]), -1)
        ws.recog[idx] = np.where(ws.cred[idx] >= 2, PENDING, NOT_NEEDED)

    def arrive(self, idx: np.ndarray, k: int, channel: np.ndarray) -> None:
        """New workers `idx` (slots filled as entrants) arrive unemployed from corridor `k`'s external origin."""
        ws, p, c = self.ws, self.params, self.world.corridors
        n, d, origin = idx.size, int(c.destination[k]), int(c.origin[k])
        ws.origin[idx] = origin
        self.tally.count("immigrants", np.full(n, d))
        self.flow[origin, d] += n
        self.market.transition(idx, UNEMPLOYED, region=d)
        ws.mig[idx] = channel
        ws.visa_end[idx] = np.where(channel == TEMPORARY, self.clock.t + int(p["temporary_visa_months"]), -1)
        ws.recog[idx] = np.where(ws.cred[idx] >= 2, PENDING, NOT_NEEDED)

    def record_returns(self, home: np.ndarray, region: np.ndarray) -> None:
        """Book returns home to origins `home` from regions `region` (one entry per migrant)."""
        self.return_flow += counts(self.return_flow.shape, home, region)


DecisionHook = Callable[[Workforce, np.ndarray, np.ndarray, np.ndarray], None]


class Recognition:
    """Recognition of foreign credentials: each corridor's pace and approval, and the hooks on single decisions.

    The corridors' own terms come from the world (`World.recognition_approval`, `recognition_months`);
    a mutual recognition agreement replaces them while it holds (`agree`, `lapse`). A policy that
    changes single decisions (a refugee qualification passport, pre-departure preparation) registers
    a hook with `on_decision`; the `recognition` phase applies the hooks in the order registered.
    """

    def __init__(self, world: World) -> None:
        self.base_approval = world.recognition_approval()
        self.base_months = world.corridors.recognition_months.astype(np.float64).copy()
        self.approval = self.base_approval.copy()
        self.months = self.base_months.copy()
        self._hooks: list[tuple[int, int, DecisionHook]] = []

    def rates(self, k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Monthly decision probability and approval probability of credentials from corridors `k`."""
        return 1.0 / self.months[k], self.approval[k]

    def agree(self, k: np.ndarray, speedup: float, approval: float) -> None:
        """An agreement on corridors `k`: decisions `speedup` times as fast, approval at least `approval`."""
        self.months[k] = self.base_months[k] / speedup
        self.approval[k] = np.maximum(self.base_approval[k], approval)

    def lapse(self, k: np.ndarray) -> None:
        """The agreement on corridors `k` ends: their own terms again."""
        self.months[k] = self.base_months[k]
        self.approval[k] = self.base_approval[k]

    def on_decision(self, hook: DecisionHook, order: int = 0) -> None:
        """Register `hook(ws, idx, decide, approve)`, which may change the files' probabilities in place.

        `decide` and `approve` are the monthly decision and approval probabilities of the pending
        files `idx`.

        Hooks run by `order`, then in the order registered: terms that replace a file's own (order 0,
        a qualification passport) come before adjustments to them (order 1, preparation's bonus).
        """
        self._hooks.append((order, len(self._hooks), hook))
        self._hooks.sort(key=lambda h: (h[0], h[1]))

    def adjust(self, ws: Workforce, idx: np.ndarray, decide: np.ndarray, approve: np.ndarray) -> None:
        """Apply the registered hooks to this month's pending files `idx`."""
        for _, _, hook in self._hooks:
            hook(ws, idx, decide, approve)


class State(mesa.Model):
    """What the worker rules and the agents read of a run: the clock, the world, the workforce and the books.

    Declared here and built by `fowsim.model.LabourMarketModel`:
    `clock`, `world`, `params` (the world's behavioural parameters), `shock`, `months` (the horizon),
    `scale` (people per simulated worker), `ws` (the workforce), `market`, `migration`,
    `recognition`, `tally`, `seed`, and `streams` (the named random streams, `stream(name)`).
    """

    clock: Clock
    world: World
    params: Mapping[str, float]
    shock: Shock
    months: int
    scale: float
    ws: Workforce
    market: Market
    migration: Migration
    recognition: Recognition
    tally: Tally
    seed: int
    streams: dict[str, np.random.Generator]

    @property
    def t(self) -> int:
        """The month: step `t` of the run."""
        return self.clock.t

    def stream(self, name: str) -> np.random.Generator:
        """The named random stream, made on first use from the run's seed and the name (`stream_seed`).

        Each phase draws from its own stream and each policy from `policy:<name>`, so adding a phase
        or a policy leaves every other stream's numbers as they were.
        """
        if name not in self.streams:
            self.streams[name] = np.random.default_rng(stream_seed(self.seed, name))
        return self.streams[name]
