"""The naive reference: one `mesa.Agent` per worker running fowsim's core rules.

Separations (spontaneous and demand-driven, per employer and occupation), vacancy openings,
search along the mobility network weighted by vacancies (the unemployed, and a share of informal
workers with one application each), urn-ball matching (each application lands on a random vacancy;
a vacancy picks one of those it received), best offer taken, then informal work ending and taken
up by the unemployed left without a job: the same rules as `fowsim.phases`, written the way a
first Mesa model would be, with a Python call per worker per phase (`shuffle_do`). It starts from the
state of an array model so the two can be compared side by side (`fowsim bench`, and
`tests/test_naive_reference.py`).
"""

from __future__ import annotations

import mesa
import numpy as np

from fowsim.codes import EMPLOYED, INFORMAL, TEMPORARY, UNEMPLOYED
from fowsim.model import LabourMarketModel


class WorkerAgent(mesa.Agent):
    """One worker."""

    def __init__(self, model: NaiveModel, region: int, occ: int, cred: int, status: int, employer: int,
                 own_cred: int = 0, temporary: bool = False) -> None:  # fmt: skip
        super().__init__(model)
        self.region, self.occ, self.cred, self.status, self.employer = region, occ, cred, status, employer
        self.own_cred, self.temporary = own_cred, temporary
        self.offers: list[tuple[float, int, int]] = []

    def separate(self) -> None:
        m = self.model
        if self.status == EMPLOYED and m.random.random() < m.p_sep[self.employer, self.occ]:
            m.E[self.employer, self.occ] -= 1
            self.status, self.employer = UNEMPLOYED, -1
            m.unemployed += 1

    def search(self) -> None:
        m = self.model
        informal = self.status == INFORMAL and m.random.random() < m.informal_search
        if self.status == UNEMPLOYED or informal:
            cum = m.search_cum[self.region, self.occ, self.cred]
            if cum[-1] <= 0:
                return
            for _ in range(1 if informal else m.applications):
                target = int(np.searchsorted(cum, m.random.random() * cum[-1], side="right"))
                m.applicants.setdefault((self.region, min(target, m.n_occ - 1)), []).append(self)

    def take_best_offer(self) -> None:
        if not self.offers or self.status not in (UNEMPLOYED, INFORMAL):
            self.offers = []
            return
        wage, firm, occ = max(self.offers)
        self.offers = []
        if self.model.V[firm, occ] <= 0:
            return
        self.model.V[firm, occ] -= 1
        self.model.E[firm, occ] += 1
        if self.status == UNEMPLOYED:
            self.model.unemployed -= 1
        self.status, self.employer, self.occ = EMPLOYED, firm, occ

    def informal_work(self) -> None:
        """Informal work ends into unemployment; an unemployed worker left without a job may take it up."""
        m = self.model
        if self.status == INFORMAL and m.random.random() < m.informal_exit:
            self.status = UNEMPLOYED
            m.unemployed += 1
        elif self.status == UNEMPLOYED and not self.temporary and m.random.random() < self.informal_chance():
            self.status = INFORMAL
            m.unemployed -= 1

    def informal_chance(self) -> float:
        m = self.model
        return float(m.informal_entry[self.region] * m.informal_queue**self.own_cred)


class NaiveModel(mesa.Model):
    """Core labour-market rules with an agent per worker, started from an array model's state."""

    def __init__(self, source: LabourMarketModel, seed: int = 0) -> None:
        super().__init__(seed=seed)
        self.src = source
        ws = source.ws
        live = np.flatnonzero((ws.status == EMPLOYED) | (ws.status == UNEMPLOYED) | (ws.status == INFORMAL))
        eff = ws.effective_credential(live)
        for i, c in zip(live, eff):
            WorkerAgent(self, int(ws.region[i]), int(ws.occ[i]), int(c), int(ws.status[i]), int(ws.employer[i]),
                        int(ws.cred[i]), bool(ws.mig[i] == TEMPORARY))  # fmt: skip
        self.E, self.V = source.market.E.copy(), source.market.V.copy()
        self.n_occ = source.world.n_occupations
        self.applications = int(source.params["applications"])
        p = source.params
        self.informal_search, self.informal_exit = p["informal_search_rate"], p["informal_exit_rate"]
        self.informal_entry, self.informal_queue = source.market.informal_entry_rate, p["informal_queue_factor"]
        self.unemployed = int((ws.status[live] == UNEMPLOYED).sum())
        self.labour_force = live.size
        self.history: list[float] = []
        self.np_rng = np.random.default_rng(seed)

    def step(self) -> None:
        src, w = self.src, self.src.world
        # employers plan from their own counts (the same Employer.plan rule)
        mk = src.market
        mk.E[:], mk.V[:] = self.E, self.V
        self.p_sep = np.zeros(self.E.shape)
        for emp in src.employers:
            p_sep, _, openings, withdrawn = emp.plan(
                self.np_rng,
                mk.sep_rate[emp.region],
                mk.open_rate[emp.region],
                src.params["gap_response"],
                src.params["vacancy_withdrawal"],
            )
            self.p_sep[emp.index] = p_sep
            self.V[emp.index] += openings - withdrawn
        mk.V[:] = self.V
        mk.refresh()
        self.search_cum = np.cumsum(src.rules.search_weights(src), axis=-1)
        self.applicants: dict[tuple[int, int], list[WorkerAgent]] = {}
        # the phases in the model's order: all separations, then the search of all the unemployed
        # (those laid off this month included)
        self.agents.shuffle_do("separate")
        self.agents.shuffle_do("search")
        # each application lands on a random vacancy of its (region, occupation); a vacancy that
        # received any offers the job to one of them
        open_jobs: dict[tuple[int, int], list[tuple[int, int]]] = {}
        for f, emp in enumerate(src.employers):
            for o in np.flatnonzero(self.V[f]):
                open_jobs.setdefault((emp.region, int(o)), []).extend([(f, int(o))] * int(self.V[f, o]))
        received: dict[tuple[tuple[int, int], int], list[WorkerAgent]] = {}
        for cell, pool in self.applicants.items():
            jobs = open_jobs.get(cell)
            if not jobs:
                continue
            for worker in pool:
                received.setdefault((cell, int(self.random.random() * len(jobs))), []).append(worker)
        offered: list[WorkerAgent] = []
        for (cell, job), pool in received.items():
            f, o = open_jobs[cell][job]
            worker = pool[int(self.random.random() * len(pool))]
            worker.offers.append((w.relative_wage[o] * src.employers[f].wage_premium, f, o))
            offered.append(worker)
        for worker in offered:
            worker.take_best_offer()
        self.agents.shuffle_do("informal_work")
        self.history.append(self.unemployed / self.labour_force)


def core_model(cfg) -> LabourMarketModel:
    """An array model running only the core phases the naive reference shares with it."""
    # the reference has neither on-the-job search, internal moves nor discouragement
    params = {
        **cfg["world"].get("params", {}),
        "on_the_job_search_rate": 0.0,
        "internal_fill_rate": 0.0,
        "search_persistence": 1e12,
    }
    cfg = {**cfg, "world": {**cfg["world"], "params": params}}
    return LabourMarketModel(
        cfg, phases=("separations_and_vacancies", "search_and_matching", "informal_work", "record")
    )
