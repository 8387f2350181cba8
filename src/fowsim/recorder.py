"""Monthly aggregates: each output declared once (dims, units, long name), filled into preallocated arrays.

Counts of workers are multiplied by the model's scale (people per simulated worker) so that every
count is in people and every amount in EUR; rates are scale-free.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import xarray as xr

from fowsim import kernels
from fowsim._version import __version__
from fowsim.codes import (
    CREDENTIAL_NAMES,
    EMPLOYED,
    INFORMAL,
    LONG_TERM_MONTHS,
    N_CREDENTIALS,
    N_STATES,
    STATUS_NAMES,
    UNEMPLOYED,
)
from fowsim.lottery import COLUMNS, HORIZONS, Lottery, Panel
from fowsim.state import State


@dataclass(frozen=True)
class Output:
    """One recorded variable."""

    dims: tuple[str, ...]  # besides time
    units: str
    long_name: str


R, O, OR, ST = ("region",), ("region", "occupation"), ("origin", "destination"), ("region", "from_state", "to_state")
TALLIES = {
    "separations": "job separations into unemployment",
    "displaced": "demand-driven (automation) layoffs",
    "hires": "hires from unemployment",
    "formalisations": "hires of informal workers into formal jobs",
    "informal_entries": "unemployed workers taking up informal work",
    "informal_exits": "informal workers whose informal work ended (into unemployment)",
    "job_to_job": "moves from one job to another (on-the-job search)",
    "tied_job_to_job": "job-to-job moves of temporary migrants on employer-tied visas (kafala)",
    "tied_searches_refused": "on-the-job searches of workers on employer-tied visas that the sponsor did not release",
    "internal_moves": "moves to another occupation at the same employer (internal vacancy fills)",
    "sponsored_hires": "migrants recruited from abroad by employers into open vacancies (sponsored visas)",
    "occupation_changes": "hires, job-to-job, internal and in-house training moves into a different occupation",
    "overqualified_hires": "hires of tertiary-educated workers into skill level 1-2 jobs",
    "displaced_reemployed": "hires of workers once displaced by automation",
    "entrants": "young labour-market entrants",
    "retirements": "retirements",
    "deaths": "deaths before retirement age",
    "emigrants": "emigrants leaving the region",
    "immigrants": "immigrants arriving in the region",
    "returns": "migrants leaving the region to go home",
    "returnees": "returning migrants arriving home",
    "returnee_skill": "sum of returning migrants' skill on arrival home (over returnees: their mean skill)",
    "enrolments": "enrolments in training",
    "completions": "training completions",
    "dropouts": "training drop-outs",
    "recognised": "foreign credentials recognised",
    "downgraded": "foreign credentials downgraded",
    "trained_emigrants": "emigrants who completed a training programme in their origin (brain drain)",
    "graduate_emigrants": "emigrants with a post-secondary or tertiary credential (brain drain of the highly skilled)",
    "placements_home": "skills-partnership graduates placed in the origin (home track)",
    "placements_away": "skills-partnership graduates placed abroad (away track)",
    "unfunded_exits": "trainees whose programme ended when its policy budget ran out",
    "business_starts": "graduates of entrepreneurship training who became self-employed",
    "family_joiners": "family members joining migrants on long-term channels",
}
# also counted for women and youth (15-24)
GROUP_TALLIES = ("enrolments", "completions", "dropouts", "informal_entries", "informal_exits", "emigrants", "returns")
OUTPUTS: dict[str, Output] = {
    "labour_force": Output(R, "people", "labour force (in formal jobs, in informal work, or unemployed)"),
    "employed": Output(R, "people", "employed in formal jobs (at employers)"),
    "informal": Output(R, "people", "in informal work (at no employer: own-account, casual, family work)"),
    "unemployed": Output(R, "people", "unemployed"),
    "informal_share": Output(
        R, "1", "informal work as a share of all work, formal and informal (ILO informal employment)"
    ),
    "informal_pay": Output(R, "EUR month-1", "mean monthly earnings of informal workers"),
    "informal_underemployment": Output(
        R,
        "people",
        "full-time equivalents of informal work lost to crowding since the start (time-related "
        "underemployment beyond the start's)",
    ),
    "informal_by_credential": Output(("credential", "region"), "people", "in informal work by highest credential"),
    "informal_by_group": Output(("group", "region"), "people", "in informal work, women and youth (15-24)"),
    "mean_wage_by_group": Output(("group", "region"), "EUR month-1", "mean monthly wage of employed women and youth"),
    "tertiary_employed": Output(R, "people", "employed tertiary graduates"),
    "tertiary_overqualified": Output(R, "people", "of those, in skill level 1-2 jobs"),
    "tertiary_employed_by_group": Output(("group", "region"), "people", "tertiary_employed, women and youth"),
    "tertiary_overqualified_by_group": Output(("group", "region"), "people", "tertiary_overqualified, women and youth"),
    "migrants_by_group": Output(
        ("group", "region"), "people", "the foreign-born living in the region, women and youth"
    ),
    "remittances_by_group": Output(
        ("group", "region"), "EUR month-1", "remittances sent from the region by foreign-born women and youth"
    ),
    "in_training": Output(R, "people", "in full-time training (off the market)"),
    "long_term_unemployed": Output(R, "people", "unemployed for 12 months or more"),
    "vacancies": Output(R, "jobs", "open vacancies"),
    "unemployment_rate": Output(R, "1", "unemployment rate (unemployed / labour force)"),
    "long_term_unemployment_rate": Output(R, "1", "long-term unemployed as a share of the labour force"),
    "vacancy_rate": Output(R, "1", "vacancies / (employment + vacancies)"),
    "migrant_share_employed": Output(R, "1", "share of the employed who are foreign (temporary, permanent, refugee)"),
    "overqualification_native": Output(R, "1", "share of employed tertiary-educated natives in skill level 1-2 jobs"),
    "overqualification_migrant": Output(R, "1", "share of employed tertiary-educated migrants in skill level 1-2 jobs"),
    "mean_wage": Output(R, "EUR month-1", "mean monthly wage of the employed"),
    "mean_wage_native": Output(R, "EUR month-1", "mean monthly wage of employed natives (never migrated)"),
    "mean_wage_migrant": Output(R, "EUR month-1", "mean monthly wage of the employed foreign-born"),
    "mean_wage_returnee": Output(R, "EUR month-1", "mean monthly wage of employed returned migrants"),
    "public_spending": Output(R, "EUR month-1", "public spending on training and mobility programmes"),
    "employer_spending": Output(R, "EUR month-1", "employers' spending on training and mobility programmes"),
    "private_spending": Output(R, "EUR month-1", "diaspora and other private spending on programmes"),
    "unemployment_rate_female": Output(R, "1", "unemployment rate of women"),
    "labour_force_female": Output(R, "people", "women in the labour force"),
    "unemployed_female": Output(R, "people", "unemployed women"),
    "labour_force_youth": Output(R, "people", "workers aged 15-24 in the labour force"),
    "unemployed_youth": Output(R, "people", "unemployed workers aged 15-24"),
    "unemployment_rate_youth": Output(R, "1", "unemployment rate of workers aged 15-24"),
    "unemployment_rate_native": Output(R, "1", "unemployment rate of natives (born in the region, never migrated)"),
    "unemployment_rate_migrant": Output(
        R, "1", "unemployment rate of the foreign-born (temporary, permanent, refugees)"
    ),
    "returnees_in_labour_force": Output(R, "people", "returned migrants in the labour force"),
    "returnee_employment_rate": Output(R, "1", "employed returned migrants / returned migrants in the labour force"),
    "displaced_cohort": Output(
        ("horizon", "region"),
        "people",
        "workers displaced by automation 6-8, 12-14 or 24-26 months earlier (employed, unemployed or in training)",
    ),
    "displaced_employed": Output(
        ("horizon", "region"), "people", "of those, employed (re-employment of displaced workers)"
    ),
    "displaced_cohort_by_group": Output(
        ("group", "horizon", "region"), "people", "displaced_cohort, women and youth (15-24) separately"
    ),
    "displaced_employed_by_group": Output(
        ("group", "horizon", "region"), "people", "displaced_employed, women and youth (15-24) separately"
    ),
    **{
        f"{name}_by_group": Output(("group", "region"), "people month-1", f"{TALLIES[name]}, women and youth (15-24)")
        for name in GROUP_TALLIES
    },
    "recognition_pending": Output(R, "people", "foreign credentials awaiting a recognition decision"),
    "employed_by_credential": Output(("credential", "region"), "people", "employed by highest credential"),
    "trained_stayers": Output(R, "people", "workers who completed a training programme and live in their origin"),
    "partnership_graduates": Output(R, "people", "skills-partnership graduates in the labour force, where they live"),
    "partnership_graduates_employed": Output(R, "people", "of those, employed"),
    "migrant_tertiary_employed": Output(OR, "people", "employed tertiary-educated migrants by origin"),
    "migrant_tertiary_overqualified": Output(
        OR, "people", "of those, in skill level 1-2 jobs (brain waste, by origin)"
    ),
    "automation_adoption": Output(R, "1", "automation adoption level of the shock path"),
    **{name: Output(R, "people month-1", long) for name, long in TALLIES.items()},
    "employment_by_occupation": Output(O, "people", "employed by occupation"),
    "unemployment_by_occupation": Output(O, "people", "unemployed by last occupation"),
    "vacancies_by_occupation": Output(O, "jobs", "open vacancies by occupation"),
    "demand_by_occupation": Output(O, "jobs", "employers' target demand by occupation"),
    "mean_wage_by_occupation": Output(O, "EUR month-1", "mean monthly wage of the employed by occupation"),
    "going_wage_index": Output(O, "1", "going wage of a new hire relative to the start of the run (phase wages)"),
    "migrant_stock": Output(OR, "people", "foreign workers from origin living in destination"),
    "migrant_earnings": Output(OR, "EUR month-1", "wages of employed foreign workers from origin in destination"),
    "remittances": Output(
        OR, "EUR month-1", "sent home to origin by its migrants in destination (the destination's remittance_share)"
    ),
    "remittance_training": Output(R, "people", "training seats paid by households from remittances received"),
    "migration_flow": Output(OR, "people month-1", "moves from origin to destination"),
    "return_flow": Output(OR, "people month-1", "returns home to origin from destination"),
    "stock": Output(("region", "state"), "people", "workers by region and state"),
    "transitions": Output(ST, "people month-1", "moves between states (state 'outside' = not in the region)"),
}


class Census(NamedTuple):
    """One pass over the workforce at the end of a month (`fowsim.kernels.census`), in simulated workers."""

    unemployed: np.ndarray  # (R, O) by last occupation
    long_term: np.ndarray  # (R,) unemployed 12 months or more
    stock: np.ndarray  # (origins, R) foreign-born
    foreign_employed: np.ndarray  # (R,)
    tertiary: np.ndarray  # (native 0 / foreign 1, R) employed tertiary graduates
    tertiary_low: np.ndarray  # of those, in skill level 1-2 jobs
    group_lf: np.ndarray  # (women, youth, returnees, foreign-born, natives; R) in the labour force
    group_unemployed: np.ndarray  # of those, unemployed
    displaced_all: np.ndarray  # (all / women / youth, horizon, R)
    displaced_employed: np.ndarray
    migrant_tertiary: np.ndarray  # (all 0 / low-skill job 1, origins, R) employed foreign tertiary graduates
    employed_by_credential: np.ndarray  # (C, R)
    pending: np.ndarray  # (R,) recognitions pending
    trained_home: np.ndarray  # (R,) trained workers living in their origin
    partner: np.ndarray  # (all 0 / employed 1, R) skills-partnership graduates in the labour force
    wage_cell: np.ndarray  # (R, O) wages of the employed, summed
    wage_group: np.ndarray  # (natives 0 / foreign-born 1 / returnees 2, R) wages of the employed, summed
    employed_group: np.ndarray  # of those, the employed
    migrant_earnings: np.ndarray  # (origins, R) wages of the employed foreign-born, summed
    informal_by_credential: np.ndarray  # (C, R) in informal work
    group_informal: np.ndarray  # (women, youth, returnees, foreign-born, natives; R) in informal work
    informal_cell: np.ndarray  # (R, O) in informal work, by trade
    group_wage: np.ndarray  # (women, youth; R) wages of the employed, summed
    group_tertiary: np.ndarray  # (all 0 / in low-skill jobs 1, women / youth, R) employed tertiary graduates
    group_stock: np.ndarray  # (women, youth; R) foreign-born living in the region
    group_earnings: np.ndarray  # (women, youth; R) wages of the employed foreign-born, summed


class Recorder:
    """Fills the declared outputs month by month; `dataset()` wraps them with coordinates and attributes."""

    # unemployed this many months or more count as long-term unemployed (ILO; a check against
    # del Rio-Chanona et al. 2021 sets the paper's 27 weeks in its steps)
    long_term_months = LONG_TERM_MONTHS

    def __init__(self, model: State) -> None:
        self.m = model
        w = model.world
        self.sizes = {
            "region": w.n_regions,
            "occupation": w.n_occupations,
            "origin": len(w.origins),
            "destination": w.n_regions,
            "state": N_STATES,
            "from_state": N_STATES,
            "to_state": N_STATES,
            "horizon": 3,
            "credential": N_CREDENTIALS,
            "group": 2,
        }
        T = model.months
        self.data = {name: np.zeros((T, *(self.sizes[d] for d in out.dims))) for name, out in OUTPUTS.items()}
        self.panel: Panel | None = None  # every worker's monthly outcome, where the run keeps it (`evaluation.panel`)

    def census(self) -> Census:
        """One pass over the workforce as it is now (`fowsim.kernels.census`)."""
        m = self.m
        ws, w = m.ws, m.world
        return Census(*kernels.census(
            ws.status, ws.region, ws.origin, ws.mig, ws.cred, ws.occ, ws.since, ws.female, ws.birth, ws.displaced,
            ws.scheme, ws.recog, m.t, w.low_skill, w.n_regions, len(w.origins), self.long_term_months, ws.wage,
        ))  # fmt: skip

    def record(self, c: Census) -> None:
        """Aggregate month `t` into the arrays, from the month's census `c` and the books."""
        m, d = self.m, self.data
        w, t, s = m.world, m.t, m.scale
        mk, tally, mig = m.market, m.tally, m.migration
        Rn = w.n_regions
        emp, unemp = mk.S[:, EMPLOYED].astype(float), mk.S[:, UNEMPLOYED].astype(float)
        informal = mk.S[:, INFORMAL].astype(float)
        lf = emp + unemp + informal
        d["informal"][t] = informal * s
        d["informal_share"][t] = mk.informal_share()
        pay = (c.informal_cell * mk.informal_pay(np.arange(Rn)[:, None], np.arange(w.n_occupations)[None, :])).sum(1)
        d["informal_pay"][t] = pay / np.maximum(informal, 1)
        d["informal_underemployment"][t] = informal * np.maximum(0.0, 1.0 - mk.informal_factor) * s
        d["informal_by_credential"][t] = c.informal_by_credential * s
        d["informal_by_group"][t] = c.group_informal[:2] * s
        employed_g = c.group_lf[:2] - c.group_unemployed[:2] - c.group_informal[:2]
        d["mean_wage_by_group"][t] = c.group_wage / np.maximum(employed_g, 1)
        d["tertiary_employed"][t] = c.tertiary.sum(0) * s
        d["tertiary_overqualified"][t] = c.tertiary_low.sum(0) * s
        d["tertiary_employed_by_group"][t] = c.group_tertiary[0] * s
        d["tertiary_overqualified_by_group"][t] = c.group_tertiary[1] * s
        d["migrants_by_group"][t] = c.group_stock * s
        d["remittances_by_group"][t] = c.group_earnings * s * mig.remittance_share[None, :]
        lf_g, un_g = c.group_lf, c.group_unemployed
        d["unemployment_rate_female"][t] = un_g[0] / np.maximum(lf_g[0], 1)
        d["labour_force_female"][t], d["unemployed_female"][t] = lf_g[0] * s, un_g[0] * s
        d["labour_force_youth"][t], d["unemployed_youth"][t] = lf_g[1] * s, un_g[1] * s
        d["unemployment_rate_youth"][t] = un_g[1] / np.maximum(lf_g[1], 1)
        d["unemployment_rate_migrant"][t] = un_g[3] / np.maximum(lf_g[3], 1)
        d["unemployment_rate_native"][t] = un_g[4] / np.maximum(lf_g[4], 1)
        d["returnees_in_labour_force"][t] = lf_g[2] * s
        d["returnee_employment_rate"][t] = 1.0 - un_g[2] / np.maximum(lf_g[2], 1)
        d["displaced_cohort"][t] = c.displaced_all[0] * s
        d["displaced_employed"][t] = c.displaced_employed[0] * s
        d["displaced_cohort_by_group"][t] = c.displaced_all[1:] * s
        d["displaced_employed_by_group"][t] = c.displaced_employed[1:] * s
        d["recognition_pending"][t] = c.pending * s
        d["employed_by_credential"][t] = c.employed_by_credential * s
        d["trained_stayers"][t] = c.trained_home * s
        d["partnership_graduates"][t] = c.partner[0] * s
        d["partnership_graduates_employed"][t] = c.partner[1] * s
        d["migrant_tertiary_employed"][t] = c.migrant_tertiary[0] * s
        d["migrant_tertiary_overqualified"][t] = c.migrant_tertiary[1] * s
        vac = mk.V_region.sum(axis=1)
        d["labour_force"][t] = lf * s
        d["employed"][t] = emp * s
        d["unemployed"][t] = unemp * s
        d["in_training"][t] = mk.S[:, 3] * s
        d["long_term_unemployed"][t] = c.long_term * s
        d["vacancies"][t] = vac * s
        d["unemployment_rate"][t] = unemp / np.maximum(lf, 1)
        d["long_term_unemployment_rate"][t] = c.long_term / np.maximum(lf, 1)
        d["vacancy_rate"][t] = vac / np.maximum(emp + vac, 1)
        d["migrant_stock"][t] = c.stock * s
        d["migrant_earnings"][t] = c.migrant_earnings * s
        d["remittances"][t] = mig.remittances
        household = [pr for pr in m.providers if pr.kind == "household"]
        seats = np.bincount([pr.region for pr in household], [pr.seats for pr in household], minlength=Rn)
        d["remittance_training"][t] = seats * s
        d["migrant_share_employed"][t] = c.foreign_employed / np.maximum(emp, 1)
        d["overqualification_native"][t] = c.tertiary_low[0] / np.maximum(c.tertiary[0], 1)
        d["overqualification_migrant"][t] = c.tertiary_low[1] / np.maximum(c.tertiary[1], 1)
        d["mean_wage"][t] = mk.wage_sum / np.maximum(emp, 1)
        mean_group = c.wage_group / np.maximum(c.employed_group, 1)
        d["mean_wage_native"][t], d["mean_wage_migrant"][t], d["mean_wage_returnee"][t] = mean_group
        d["mean_wage_by_occupation"][t] = c.wage_cell / np.maximum(mk.E_region, 1)
        d["going_wage_index"][t] = mk.wage_index
        d["public_spending"][t] = tally.spending["public"]
        d["employer_spending"][t] = tally.spending["employer"]
        d["private_spending"][t] = tally.spending["private"]
        d["automation_adoption"][t] = mk.adoption
        for name in TALLIES:
            d[name][t] = tally.get(name, np.zeros(Rn)) * s
        for name in GROUP_TALLIES:
            d[f"{name}_by_group"][t] = tally.get(f"{name}_by_group", np.zeros((2, Rn))) * s
        d["employment_by_occupation"][t] = mk.E_region * s
        d["unemployment_by_occupation"][t] = c.unemployed * s
        d["vacancies_by_occupation"][t] = mk.V_region * s
        d["demand_by_occupation"][t] = mk.D_region * s
        d["migration_flow"][t] = mig.flow * s
        d["return_flow"][t] = mig.return_flow * s
        d["stock"][t] = mk.S * s
        d["transitions"][t] = mk.flows * s
        if self.panel is not None:
            self.panel.record(m.ws, t)

    def dataset(
        self,
        start: str,
        workers: int,
        config: dict[str, Any],
        accounts: dict[str, Any],
        lotteries: dict[str, Lottery] | None = None,
    ) -> xr.Dataset:
        """The months recorded so far, with coordinates, CF units and the run's attributes.

        `start` is the calendar month of step 0 (YYYY-MM), `workers` the simulated workers at the
        start, `config` the run's resolved config and `accounts` the policies' accounts, for the record;
        `lotteries` the policies' recorded draws and follow-ups (`followed_*` variables) and the panel
        where the run kept one (`panel_*`).
        """
        m, w = self.m, self.m.world
        n = m.t
        coords = {
            "time": ("time", pd.date_range(f"{start}-01", periods=n, freq="MS"), {"long_name": "month"}),
            "region": ("region", list(w.regions)),
            "occupation": ("occupation", list(w.occupations)),
            "origin": ("origin", list(w.origins)),
            "destination": ("destination", list(w.regions)),
            "state": ("state", ["outside", *STATUS_NAMES[1:]]),
            "from_state": ("from_state", ["outside", *STATUS_NAMES[1:]]),
            "to_state": ("to_state", ["outside", *STATUS_NAMES[1:]]),
            "horizon": ("horizon", [6, 12, 24], {"units": "months", "long_name": "months since displacement (from)"}),
            "credential": ("credential", list(CREDENTIAL_NAMES)),
            "group": ("group", ["female", "youth"], {"long_name": "women; workers aged 15-24 (overlapping groups)"}),
        }
        data_vars = {
            name: (("time", *out.dims), self.data[name][:n], {"units": out.units, "long_name": out.long_name})
            for name, out in OUTPUTS.items()
        }
        ds = xr.Dataset(data_vars, coords=coords)
        followed_variables(ds, lotteries or {})
        if self.panel is not None:
            panel_variables(ds, self.panel)
        ds["occupation_name"] = ("occupation", list(w.occupation_names), {"long_name": "ISCO-08 based occupation"})
        ds["isco"] = ("occupation", list(w.isco), {"long_name": "ISCO-08 code"})
        ds["automation_exposure"] = ("occupation", w.exposure, {"units": "1", "long_name": "automation exposure"})
        ds["skill_level"] = ("occupation", w.skill_level, {"long_name": "ISCO-08 skill level"})
        ds.attrs.update(
            {
                "title": f"fowsim run: world {w.name}, shock {m.shock.kind}",
                "Conventions": "CF-1.8",
                "source": f"fowsim {__version__}",
                "seed": m.seed,
                "workers": workers,
                "scale_people_per_worker": m.scale,
                "price_year": 2019,
                "currency": "EUR",
                "months": n,
                "config": json.dumps(config, sort_keys=True, default=str),
                "policy_accounts": json.dumps(accounts),
            }
        )
        return ds


def followed_variables(ds: xr.Dataset, lotteries: dict[str, Lottery]) -> None:
    """Add the people followed from policy lotteries (dimension `followed`) to `ds`."""
    names = [name for name, lot in lotteries.items() if len(lot)]
    ds.attrs["lottery_policies"] = json.dumps(names)
    ds.attrs["lottery_draws"] = json.dumps({n: lot.draws for n, lot in lotteries.items()})
    ds.attrs["lottery_entrants"] = json.dumps({n: lot.entrants for n, lot in lotteries.items()})
    if not names:
        return
    cols = {k: np.concatenate([lotteries[n].columns[k] for n in names]) for k in COLUMNS}
    which = np.concatenate([np.full(len(lotteries[n]), i, dtype=np.int8) for i, n in enumerate(names)])
    outcome = np.concatenate([lotteries[n].outcome for n in names])
    earnings = np.concatenate([lotteries[n].earnings for n in names])
    crossed = np.concatenate([lotteries[n].crossed for n in names])
    ds.coords["lottery_horizon"] = ("lottery_horizon", list(HORIZONS),
                                    {"units": "months", "long_name": "months after the lottery"})  # fmt: skip
    f = ("followed",)
    ds["followed_policy"] = (f, which, {"long_name": "policy of the lottery (index into attribute lottery_policies)"})
    ds["followed_slot"] = (f, cols["slot"], {"long_name": "worker slot"})
    ds["followed_birth"] = (f, cols["birth"], {"units": "month of the run", "long_name": "month of birth"})
    ds["followed_month"] = (f, cols["month"], {"units": "month of the run", "long_name": "month of the lottery"})
    ds["followed_won"] = (f, cols["won"].astype(np.int8), {"long_name": "won a place (1) or lost (0)"})
    ds["followed_region"] = (f, cols["region"], {"long_name": "region at the lottery (index into region)"})
    ds["followed_before"] = (f, cols["before"], {"long_name": "status and region code at the end of the month "
                                                 "before the lottery (255: unknown)"})  # fmt: skip
    ds["followed_crossed"] = (f, crossed, {"units": "month of the run",
                                           "long_name": "month a loser won a later lottery (-1: never)"})  # fmt: skip
    code = "outcome code (fowsim.lottery.outcome_codes; 255: beyond the run)"
    ds["followed_outcome"] = (("followed", "lottery_horizon"), outcome, {"long_name": code})
    pay = "monthly earnings: the wage where employed, 0 out of work (NaN: left or not reached)"
    ds["followed_earnings"] = (("followed", "lottery_horizon"), earnings, {"units": "EUR month-1", "long_name": pay})


def panel_variables(ds: xr.Dataset, panel: Panel) -> None:
    """Add the panel of every slot's monthly outcome code to `ds` (dimensions `slot`, `time`; `panel_change`)."""
    a = panel.arrays()
    ds["panel_code"] = (("slot", "time"), a["codes"], {"long_name": "outcome code (fowsim.lottery.outcome_codes)"})
    first = "month of birth of the slot's first occupant"
    ds["panel_birth0"] = (("slot",), a["birth0"], {"units": "month of the run", "long_name": first})
    c = ("panel_change",)
    ds["panel_change_slot"] = (c, a["change_slot"], {"long_name": "slot with a new occupant"})
    ds["panel_change_month"] = (c, a["change_month"], {"units": "month of the run", "long_name": "month of the change"})
    ds["panel_change_birth"] = (c, a["change_birth"], {"units": "month of the run",
                                                       "long_name": "the new occupant's month of birth"})  # fmt: skip


def open_results(path: str | os.PathLike) -> xr.Dataset:
    """Open a results.nc or sweep.nc; months as datetime64[s], so a run may start or end past 2262."""
    return xr.open_dataset(path, decode_times=xr.coders.CFDatetimeCoder(time_unit="s"))
