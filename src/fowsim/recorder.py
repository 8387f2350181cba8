"""Monthly aggregates: each output declared once (dims, units, long name), filled into preallocated arrays.

Counts of workers are multiplied by the model's scale (people per simulated worker) so that every
count is in people and every amount in EUR; rates are scale-free.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import xarray as xr

from fowsim import __version__, kernels
from fowsim.workforce import CREDENTIAL_NAMES, EMPLOYED, STATUS_NAMES, UNEMPLOYED

if TYPE_CHECKING:
    from fowsim.model import LabourMarketModel


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
    "job_to_job": "moves from one job to another (on-the-job search)",
    "internal_moves": "moves to another occupation at the same employer (internal vacancy fills)",
    "sponsored_hires": "migrants recruited from abroad by employers into open vacancies (sponsored visas)",
    "occupation_changes": "hires, job-to-job, internal and in-house training moves into a different occupation",
    "overqualified_hires": "hires of tertiary-educated workers into skill level 1-2 jobs",
    "displaced_reemployed": "hires of workers once displaced by automation",
    "entrants": "young labour-market entrants",
    "retirements": "retirements",
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
GROUP_TALLIES = ("enrolments", "completions", "dropouts")  # also counted for women and youth (15-24)
OUTPUTS: dict[str, Output] = {
    "labour_force": Output(R, "people", "labour force (employed + unemployed)"),
    "employed": Output(R, "people", "employed"),
    "unemployed": Output(R, "people", "unemployed"),
    "in_training": Output(R, "people", "in full-time training (off the market)"),
    "long_term_unemployed": Output(R, "people", "unemployed for 12 months or more"),
    "vacancies": Output(R, "jobs", "open vacancies"),
    "unemployment_rate": Output(R, "1", "unemployment rate"),
    "long_term_unemployment_rate": Output(R, "1", "long-term unemployed as a share of the labour force"),
    "vacancy_rate": Output(R, "1", "vacancies / (employment + vacancies)"),
    "migrant_share_employed": Output(R, "1", "share of the employed who are foreign (temporary, permanent, refugee)"),
    "overqualification_native": Output(R, "1", "share of employed tertiary-educated natives in skill level 1-2 jobs"),
    "overqualification_migrant": Output(R, "1", "share of employed tertiary-educated migrants in skill level 1-2 jobs"),
    "mean_wage": Output(R, "EUR month-1", "mean monthly wage of the employed"),
    "public_spending": Output(R, "EUR month-1", "public spending on training"),
    "employer_spending": Output(R, "EUR month-1", "employers' spending on training"),
    "private_spending": Output(R, "EUR month-1", "diaspora and other private spending on training"),
    "unemployment_rate_female": Output(R, "1", "unemployment rate of women"),
    "unemployment_rate_youth": Output(R, "1", "unemployment rate of workers aged 15-24"),
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
    "migrant_stock": Output(OR, "people", "foreign workers from origin living in destination"),
    "migration_flow": Output(OR, "people month-1", "moves from origin to destination"),
    "return_flow": Output(OR, "people month-1", "returns home to origin from destination"),
    "stock": Output(("region", "state"), "people", "workers by region and state"),
    "transitions": Output(ST, "people month-1", "moves between states (state 'outside' = not in the region)"),
}


class Recorder:
    """Fills the declared outputs month by month; `dataset()` wraps them with coordinates and attributes."""

    def __init__(self, model: LabourMarketModel) -> None:
        self.m = model
        w = model.world
        self.sizes = {
            "region": w.n_regions,
            "occupation": w.n_occupations,
            "origin": len(w.origins),
            "destination": w.n_regions,
            "state": 4,
            "from_state": 4,
            "to_state": 4,
            "horizon": 3,
            "credential": 4,
            "group": 2,
        }
        T = model.months
        self.data = {name: np.zeros((T, *(self.sizes[d] for d in out.dims))) for name, out in OUTPUTS.items()}
        model.migration_flow = np.zeros((len(w.origins), w.n_regions))
        model.return_flow = np.zeros((len(w.origins), w.n_regions))

    def census(self) -> tuple[np.ndarray, ...]:
        """One pass over the workforce as it is now (`fowsim.kernels.census`)."""
        m = self.m
        ws, w = m.ws, m.world
        return kernels.census(
            ws.status, ws.region, ws.origin, ws.mig, ws.cred, ws.occ, ws.since, ws.female, ws.birth, ws.displaced,
            ws.scheme, ws.recog, m.t, w.low_skill, w.n_regions, len(w.origins),
        )  # fmt: skip

    def record(self) -> None:
        """Aggregate month `m.t` into the arrays."""
        m, d = self.m, self.data
        w, t, s = m.world, m.t, m.scale
        Rn = w.n_regions
        emp, unemp = m.S[:, EMPLOYED].astype(float), m.S[:, UNEMPLOYED].astype(float)
        lf = emp + unemp
        unemp_occ, ltu, stock, foreign_emp, tert, tert_low, *policy_indicators = self.census()
        lf_g, un_g, disp_lf, disp_emp, oq, emp_cred, pending, trained_home, partner = policy_indicators
        d["unemployment_rate_female"][t] = un_g[0] / np.maximum(lf_g[0], 1)
        d["unemployment_rate_youth"][t] = un_g[1] / np.maximum(lf_g[1], 1)
        d["returnees_in_labour_force"][t] = lf_g[2] * s
        d["returnee_employment_rate"][t] = 1.0 - un_g[2] / np.maximum(lf_g[2], 1)
        d["displaced_cohort"][t] = disp_lf[0] * s
        d["displaced_employed"][t] = disp_emp[0] * s
        d["displaced_cohort_by_group"][t] = disp_lf[1:] * s
        d["displaced_employed_by_group"][t] = disp_emp[1:] * s
        d["recognition_pending"][t] = pending * s
        d["employed_by_credential"][t] = emp_cred * s
        d["trained_stayers"][t] = trained_home * s
        d["partnership_graduates"][t] = partner[0] * s
        d["partnership_graduates_employed"][t] = partner[1] * s
        d["migrant_tertiary_employed"][t] = oq[0] * s
        d["migrant_tertiary_overqualified"][t] = oq[1] * s
        m.U_region = unemp_occ
        m.foreign_stock = stock  # the diaspora behind next month's migration decisions
        m._refresh_region_tables()
        vac = m.V_region.sum(axis=1)
        d["labour_force"][t] = lf * s
        d["employed"][t] = emp * s
        d["unemployed"][t] = unemp * s
        d["in_training"][t] = m.S[:, 3] * s
        d["long_term_unemployed"][t] = ltu * s
        d["vacancies"][t] = vac * s
        d["unemployment_rate"][t] = unemp / np.maximum(lf, 1)
        d["long_term_unemployment_rate"][t] = ltu / np.maximum(lf, 1)
        d["vacancy_rate"][t] = vac / np.maximum(emp + vac, 1)
        d["migrant_stock"][t] = stock * s
        d["migrant_share_employed"][t] = foreign_emp / np.maximum(emp, 1)
        d["overqualification_native"][t] = tert_low[0] / np.maximum(tert[0], 1)
        d["overqualification_migrant"][t] = tert_low[1] / np.maximum(tert[1], 1)
        d["mean_wage"][t] = m.wage_sum / np.maximum(emp, 1)
        d["public_spending"][t] = m.spending["public"]
        d["employer_spending"][t] = m.spending["employer"]
        d["private_spending"][t] = m.spending["private"]
        for payer in m.spending.values():
            payer[:] = 0.0
        d["automation_adoption"][t] = getattr(m, "adoption", np.zeros(Rn))
        for name in TALLIES:
            d[name][t] = m.tally.get(name, np.zeros(Rn)) * s
        for name in GROUP_TALLIES:
            d[f"{name}_by_group"][t] = m.tally.get(f"{name}_by_group", np.zeros((2, Rn))) * s
        d["employment_by_occupation"][t] = m.E_region * s
        d["unemployment_by_occupation"][t] = unemp_occ * s
        d["vacancies_by_occupation"][t] = m.V_region * s
        d["demand_by_occupation"][t] = m.D_region * s
        d["migration_flow"][t] = m.migration_flow * s
        d["return_flow"][t] = m.return_flow * s
        m.migration_flow[:] = 0.0
        m.return_flow[:] = 0.0
        d["stock"][t] = m.S * s
        d["transitions"][t] = m.flows * s

    def dataset(self) -> xr.Dataset:
        """The months recorded so far, with coordinates, CF units and the run's attributes."""
        m, w = self.m, self.m.world
        n = m.t
        coords = {
            "time": ("time", pd.date_range(f"{m.scenario.start}-01", periods=n, freq="MS"), {"long_name": "month"}),
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
        ds["occupation_name"] = ("occupation", list(w.occupation_names), {"long_name": "ISCO-08 based occupation"})
        ds["isco"] = ("occupation", list(w.isco), {"long_name": "ISCO-08 code"})
        ds["automation_exposure"] = ("occupation", w.exposure, {"units": "1", "long_name": "automation exposure"})
        ds["skill_level"] = ("occupation", w.skill_level, {"long_name": "ISCO-08 skill level"})
        ds.attrs.update(
            {
                "title": f"fowsim run: world {w.name}, shock {m.shock.kind}",
                "Conventions": "CF-1.8",
                "source": f"fowsim {__version__}",
                "seed": m.scenario.seed,
                "workers": m.scenario.workers,
                "scale_people_per_worker": m.scale,
                "price_year": 2019,
                "currency": "EUR",
                "months": n,
                "config": json.dumps(m.scenario.config, sort_keys=True, default=str),
                "policy_accounts": json.dumps({p.name: p.account() for p in m.policies}),
            }
        )
        return ds
