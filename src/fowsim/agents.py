"""The few, readable agents: employers, training providers and governments (`mesa.Agent`).

They decide in aggregate (how many to lay off, hire, admit, which visas to issue); the phases
(`fowsim.phases`) carry the decisions out over the worker arrays. An employer's numbers live in
its row of the market's books (`model.market.E`, `.V`, `.D`), so that the market can work on all
employers at once while each agent reads its own row; the market's methods write them.
"""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np

from fowsim.state import State

SECTORS = ("agriculture", "industry", "services", "knowledge")
TRAINING_TYPES = ("tvet", "university", "online", "inhouse")


def sector_of(isco: str) -> int:
    """Sector of an ISCO-08 code: 6/92 agriculture, 7/8/93 industry, 1-3 knowledge, else services."""
    code = str(isco).strip()
    if code.startswith(("6", "92")):
        return 0
    if code.startswith(("7", "8", "93")):
        return 1
    if code.startswith(("1", "2", "3")):
        return 3
    return 2


def internal_moves(
    employment: np.ndarray, vacancies: np.ndarray, network: np.ndarray, rate: float
) -> tuple[np.ndarray, np.ndarray]:
    """Employers' internal labour markets: who is moved to fill an open vacancy from inside the firm.

    Each month an employer offers a share `rate` of its open vacancies (F, O) to its own workers
    from other occupations, drawn in proportion to the mobility network into the vacancy's
    occupation times the employer's staff in each (`network` (O, O), rows from, columns to); a
    worker takes the move if it pays more (`WorkerRules.accept`). Returns, per (employer,
    occupation), the probability that a worker there is offered a move (F, O), and the expected
    offers (F, O_from, O_to) whose rows give their destinations.
    """
    A = network.copy()
    np.fill_diagonal(A, 0.0)
    e = employment.astype(np.float64)
    weight = A[None, :, :] * e[:, :, None]  # (F, from, to)
    into = weight.sum(axis=1, keepdims=True)
    moves = np.divide(weight, into, out=np.zeros_like(weight), where=into > 0) * (rate * vacancies)[:, None, :]
    p_move = np.minimum(1.0, moves.sum(axis=2) / np.maximum(e, 1.0))
    return p_move, moves


class Employer(mesa.Agent):
    """Firms of one sector in one region: demand per occupation, vacancies, layoffs, wages, automation.

    Attributes:
        index: row of this employer in the model's employer matrices.
        region: region index.
        sector: sector index into `SECTORS`.
        adoption_speed: multiplier on the region's automation path (heterogeneous adopters).
        wage_premium: multiplier on the regional wage for each occupation.
    """

    model: State

    def __init__(
        self, model: State, index: int, region: int, sector: int, adoption_speed: float, wage_premium: float
    ) -> None:
        super().__init__(model)
        self.index, self.region, self.sector = index, region, sector
        self.adoption_speed, self.wage_premium = adoption_speed, wage_premium

    # rows of the market's books, read-only: the market's methods write them
    @property
    def employment(self) -> np.ndarray:
        """Workers employed, by occupation (simulated units)."""
        return _row(self.model.market.E, self.index)

    @property
    def employment_at_start(self) -> np.ndarray:
        """Workers employed at the start of this month, by occupation (before any of this month's hires)."""
        return _row(self.model.market.E_start, self.index)

    @property
    def vacancies(self) -> np.ndarray:
        """Open vacancies, by occupation."""
        return _row(self.model.market.V, self.index)

    @property
    def demand(self) -> np.ndarray:
        """Target demand (employment plus vacancies wanted), by occupation."""
        return _row(self.model.market.D, self.index)

    def set_demand(self, demand: np.ndarray) -> None:
        """Set this employer's target demand by occupation (O,) (phase `automation`)."""
        self.model.market.set_demand(self.index, demand)

    def effective_time(self, t: float, start: float) -> float:
        """Month on the regional adoption path this employer has reached by month `t`."""
        return start + (t - start) * self.adoption_speed if t > start else t

    def plan(
        self,
        rng: np.random.Generator,
        sep_rate: float,
        open_rate: float,
        gap_response: float,
        withdrawal: float = 0.0,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Layoff probabilities, the demand-driven part of them, new vacancies and withdrawn ones, by occupation.

        The rule of del Rio-Chanona et al. (2021): with the gap g = e + v - d, employers close
        gap_response * g of a surplus each month and open (1 - open_rate) * min(e, gap_response * -g)
        extra vacancies on top of the spontaneous open_rate * e when demand exceeds positions.
        A share `withdrawal` of the surplus to close is first taken from open vacancies (a hiring
        freeze comes before layoffs); the rest is laid off: separations are spontaneous (sep_rate)
        plus (1 - sep_rate) * min(e, rest). With `withdrawal` = 0 this is their rule exactly.
        As in their equations, e is the employment at the start of the month and the layoffs fall
        on those workers (`employment_at_start`; the same as `employment` unless matching ran
        first, `phases.timing=paper`); a hire moves a vacancy into employment, so the gap is the same.
        """
        e = self.employment_at_start.astype(np.float64)
        v = self.vacancies
        gap = self.employment + v - self.demand
        close = gap_response * np.maximum(gap, 0.0)
        withdrawn = np.zeros_like(v)
        if withdrawal > 0.0:
            p_withdraw = np.minimum(1.0, withdrawal * close / np.maximum(v, 1))
            withdrawn = rng.binomial(v, p_withdraw)
            close = np.maximum(close - withdrawn, 0.0)
        extra = np.minimum(e, close)
        safe_e = np.maximum(e, 1.0)
        p_extra = (1.0 - sep_rate) * extra / safe_e
        p_sep = sep_rate + p_extra
        want = open_rate * e + (1.0 - open_rate) * np.minimum(safe_e, gap_response * np.maximum(-gap, 0.0))
        openings = rng.poisson(want)
        return p_sep, p_extra, openings, withdrawn


def _row(books: np.ndarray, index: int) -> np.ndarray:
    """Row `index` of an employer matrix, as a read-only view."""
    row = books[index]
    row.flags.writeable = False
    return row


class TrainingProvider(mesa.Agent):
    """A training provider of one type in one region: programmes, seats, duration, cost, completion.

    `kind` is one of `TRAINING_TYPES` (or a policy's own kind). A programme of `duration` months,
    `completion` of whose entrants finish, costing `cost_per_month` EUR a trainee-month, trains
    toward a target occupation among `targets`, awards credential `award` (-1: none; a trainee keeps
    a higher one) and leaves `skill_after` of skill; it admits workers of at least `min_credential`.
    `seats` are simulated workers in training at once.
    """

    model: State

    def __init__(
        self,
        model: State,
        index: int,
        region: int,
        kind: str,
        seats: float,
        duration: int,
        completion: float,
        cost_per_month: float,
        targets: np.ndarray,
        *,
        award: int = -1,
        min_credential: int = 0,
        skill_after: float = 0.5,
        public_share: float = 1.0,
        payer: str = "employer",
        payer_region: int | None = None,
        owner: Any = None,
        open_enrolment: bool = True,
        flag: int = 0,
    ) -> None:
        super().__init__(model)
        self.index, self.region, self.kind = index, region, kind
        self.seats, self.duration, self.completion = seats, duration, completion
        self.cost_per_month, self.award, self.min_credential = cost_per_month, award, min_credential
        self.targets, self.skill_after = targets, skill_after
        self.enrolled = 0
        self.completed = 0  # simulated workers who finished a programme here, cumulative
        self.spent = 0.0  # EUR, cumulative, real-world units
        # who pays: `public_share` from public money (a policy's budget where `owner` is set),
        # the rest by `payer` ("employer" or "private"), booked in `payer_region`
        self.public_share, self.payer = public_share, payer
        self.payer_region = region if payer_region is None else payer_region
        self.owner = owner  # the policy that runs this provider, if any (its budget pays the public share)
        self.open_enrolment = open_enrolment  # the unemployed enrol on their own (WorkerRules.seeks_training)
        self.flag = flag  # scheme bits set on completion (fowsim.codes)
        self.corridor = -1  # the corridor a pre-departure programme prepares for (-1: none)
        # a cost set as a share of the region's wage moves with its going wage (`monthly_cost`)
        self.wage_indexed = False

    def monthly_cost(self, pay_level: np.ndarray) -> float:
        """EUR a trainee-month: `cost_per_month`, times the region's going wage (relative to the start) if indexed."""
        return self.cost_per_month * (float(pay_level[self.region]) if self.wage_indexed else 1.0)

    @property
    def dropout_hazard(self) -> float:
        """Monthly drop-out probability that yields `completion` over the programme's duration."""
        return 1.0 - self.completion ** (1.0 / self.duration)

    def admit(self, applicants: int) -> int:
        """How many of `applicants` to take this month: the seats that are free."""
        free = int(self.seats) - self.enrolled
        return max(0, min(applicants, free))


class Government(mesa.Agent):
    """The government of a region: visa channels with quotas, recognition rules, open borders, tied visas.

    Quotas are people per year in real-world units, converted to simulated workers per month; the
    unused part of a month's allowance carries over within the year. Where the world ties a
    temporary migrant's visa to the sponsoring employer (regions.csv `employer_tied_visas`, the
    Gulf's kafala), such a worker changes employer only with the sponsor's release, or, after a
    reform (`allow_transfers`), once in the job `free_after` months.
    """

    model: State

    def __init__(self, model: State, region: int, corridor_ids: np.ndarray) -> None:
        super().__init__(model)
        self.region = region
        self.corridor_ids = corridor_ids  # corridors whose destination is this region
        self.borders_open = True
        self.allowance = np.zeros(len(model.world.corridors))
        self.tied_visas = bool(model.world.rp("employer_tied_visas")[region] > 0)
        self.free_after = -1  # months in the job after which a tied worker may move without a release; -1: never

    def allow_transfers(self, after_months: int | None) -> None:
        """A reform of tied visas: a worker may change employer without a release after `after_months` in the job.

        None restores the tied rule (a release is needed, whatever the tenure).
        """
        self.free_after = -1 if after_months is None else int(after_months)

    def refresh_quotas(self) -> None:
        """Add this month's visa allowance for the corridors into this region."""
        k = self.corridor_ids
        # quotas count people; a share of them join the labour force
        quota = self.model.world.annual_quota()[k]
        monthly = quota * self.model.params["migrant_activity_rate"] / 12.0 / self.model.scale
        self.allowance[k] = np.minimum(self.allowance[k] + monthly, monthly * 12.0)

    def set_borders(self, open_: bool) -> None:
        """Open or close the region's borders: closed, no visa is issued on any channel."""
        self.borders_open = open_

    def issue_visas(self, corridor: int, requested: int) -> int:
        """Visas granted on `corridor` out of `requested`, within the allowance."""
        if not self.borders_open:
            return 0
        granted = int(min(requested, np.floor(self.allowance[corridor])))
        self.allowance[corridor] -= granted
        return granted

    def recognition_rates(self, corridor: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Monthly decision probability and approval probability for credentials from `corridor`."""
        return self.model.recognition.rates(corridor)
