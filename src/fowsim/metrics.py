"""A run's summary, the table printed after it, and the measures the studies share: plain functions.

The indicators themselves (name, unit, better direction, computation) are declared once, in
`fowsim.indicators`; `summary` and `format_table` show a selection of them.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import xarray as xr

from fowsim.indicators import INDICATORS, RUN_TABLE, SUMMARY, in_regions, needed, pooled_share, spending

__all__ = [
    "annual_rate",
    "cost_per_person_year",
    "displaced_reemployment",
    "displaced_reemployment_by_group",
    "format_table",
    "headline",
    "outcomes_by_group",
    "overall",
    "overqualification_by_origin",
    "pooled_share",
    "spending",
    "summary",
]


def annual_rate(ds: xr.Dataset, flow: str) -> float:
    """A monthly flow of the employed as a share of employment a year, over all of `ds` (e.g. occupation_changes)."""
    return float(12 * ds[flow].sum() / ds["employed"].sum())


def headline(ds: xr.Dataset, names: tuple[str, ...] = SUMMARY) -> dict[str, dict[str, float]]:
    """Indicators `names` of one run, by region."""
    regions = [str(r) for r in ds.region.values]
    variables = needed([INDICATORS[n] for n in names])
    if variables is not None:
        ds = ds[variables]  # a selection by region touches every variable: only those read
    out = {}
    for r in regions:
        one = in_regions(ds, [r])
        out[r] = {n: float(INDICATORS[n].compute(one)) for n in names}
    return out


def overall(ds: xr.Dataset, names: tuple[str, ...] = SUMMARY) -> dict[str, float]:
    """Indicators `names` of one run over all its regions."""
    return {n: float(INDICATORS[n].compute(ds)) for n in names}


def displaced_reemployment(ds: xr.Dataset, horizon: int) -> xr.DataArray:
    """Share employed, by region, of workers displaced `horizon` to `horizon + 2` months earlier (pooled over time).

    Workers in training count as not employed, as in evaluations of training programmes.
    """
    sel = {"horizon": horizon}
    return ds["displaced_employed"].sel(sel).sum("time") / ds["displaced_cohort"].sel(sel).sum("time").clip(1)


def displaced_reemployment_by_group(ds: xr.Dataset, horizon: int) -> xr.DataArray:
    """`displaced_reemployment` for women and youth (15-24) separately, by (group, region)."""
    sel = {"horizon": horizon}
    employed = ds["displaced_employed_by_group"].sel(sel).sum("time")
    return employed / ds["displaced_cohort_by_group"].sel(sel).sum("time").clip(1)


GROUPS = ("women", "men", "youth", "all")
GROUP_OUTCOMES = {  # name: (label, unit)
    "labour_force_share": ("share of the labour force", "%"),
    "unemployment_rate": ("unemployment rate", "%"),
    "informal_share": ("informal share of work", "%"),
    "wage_ratio": ("mean wage against everyone's", "%"),
    "overqualification": ("tertiary graduates in skill level 1-2 jobs", "%"),
    "migrant_share": ("share of the foreign-born living there", "%"),
    "emigrant_share": ("share of emigrants", "%"),
    "remittance_share": ("share of remittances sent from there", "%"),
    "enrolment_share": ("share of training enrolments", "%"),
}


def outcomes_by_group(ds: xr.Dataset, months: int = 12) -> xr.Dataset:
    """Outcomes of women, men, youth (15-24) and everyone, by region, over the last `months` months.

    One variable per `GROUP_OUTCOMES` entry, with a `group` dimension (`GROUPS`) before `region`
    (a sweep's dimensions kept in front), each pooled over the months (sums over sums). Men are
    everyone less women. Shares of a total (the labour force, migrants, emigrants, remittances,
    enrolments) are each group's part of it; rates are within the group.
    """
    d = ds.isel(time=slice(-months, None))
    lf = _groups(d["labour_force_female"], d["labour_force_youth"], d["labour_force"])
    unemployed = _groups(d["unemployed_female"], d["unemployed_youth"], d["unemployed"])
    informal = _groups(*_pair(d["informal_by_group"]), d["informal"])
    employed = lf - unemployed - informal
    women_pay, youth_pay = _pair(d["mean_wage_by_group"])
    wages = _groups(  # wage bills: a group's mean wage times its employed
        women_pay * employed.sel(group="women", drop=True),
        youth_pay * employed.sel(group="youth", drop=True),
        d["mean_wage"] * d["employed"],
    )
    at = {"destination": "region"}
    sum_ = {
        "lf": lf,
        "unemployed": unemployed,
        "informal": informal,
        "employed": employed,
        "wages": wages,
        "tertiary": _groups(*_pair(d["tertiary_employed_by_group"]), d["tertiary_employed"]),
        "overqualified": _groups(*_pair(d["tertiary_overqualified_by_group"]), d["tertiary_overqualified"]),
        "migrants": _groups(*_pair(d["migrants_by_group"]), d["migrant_stock"].sum("origin").rename(at)),
        "emigrants": _groups(*_pair(d["emigrants_by_group"]), d["emigrants"]),
        "remittances": _groups(*_pair(d["remittances_by_group"]), d["remittances"].sum("origin").rename(at)),
        "enrolments": _groups(*_pair(d["enrolments_by_group"]), d["enrolments"]),
    }
    n = {k: v.sum("time") for k, v in sum_.items()}
    mean_wage = _ratio(n["wages"], n["employed"])
    return xr.Dataset(
        {
            "labour_force_share": _part(n["lf"]),
            "unemployment_rate": 100 * _ratio(n["unemployed"], n["lf"]),
            "informal_share": 100 * _ratio(n["informal"], n["informal"] + n["employed"]),
            "wage_ratio": 100 * _ratio(mean_wage, mean_wage.sel(group="all")),
            "overqualification": 100 * _ratio(n["overqualified"], n["tertiary"]),
            "migrant_share": _part(n["migrants"]),
            "emigrant_share": _part(n["emigrants"]),
            "remittance_share": _part(n["remittances"]),
            "enrolment_share": _part(n["enrolments"]),
        }
    )


def _pair(x: xr.DataArray) -> tuple[xr.DataArray, xr.DataArray]:
    """A `*_by_group` variable's women and youth."""
    return x.sel(group="female", drop=True), x.sel(group="youth", drop=True)


def _groups(women: xr.DataArray, youth: xr.DataArray, everyone: xr.DataArray) -> xr.DataArray:
    """Women, men (everyone less women), youth and everyone along a new `group` dimension."""
    parts = [women, everyone - women, youth, everyone]
    return xr.concat(parts, dim="group").assign_coords(group=list(GROUPS)).transpose(..., "group", "region")


def _ratio(num: xr.DataArray, den: xr.DataArray) -> xr.DataArray:
    return num / den.where(den > 0)


def _part(x: xr.DataArray) -> xr.DataArray:
    """Each group's part of everyone's, in %."""
    return 100 * _ratio(x, x.sel(group="all"))


def overqualification_by_origin(ds: xr.Dataset) -> xr.DataArray:
    """Employed tertiary-educated migrants in skill level 1-2 jobs, as a share, by (origin, destination), pooled."""
    return ds["migrant_tertiary_overqualified"].sum("time") / ds["migrant_tertiary_employed"].sum("time").clip(1)


def cost_per_person_year(policy: xr.Dataset, baseline: xr.Dataset) -> float:
    """EUR of extra spending (all payers) per additional person-year of employment against `baseline`.

    Both runs must share world, seed and horizon (common random numbers). Infinite where the
    policy adds no employment.
    """
    extra_cost = float(spending(policy).sum() - spending(baseline).sum())
    extra_years = float((policy["employed"] - baseline["employed"]).sum()) / 12.0
    return extra_cost / extra_years if extra_years > 0 else float("inf")


def summary(ds: xr.Dataset) -> dict[str, Any]:
    """The run's `summary.json`: what identifies the run, its indicators by region and overall, the policies' accounts.

    Each indicator is given in its unit (`fowsim.indicators.INDICATORS[name].unit`), listed under `units`.
    """
    return {
        "seed": int(ds.attrs.get("seed", -1)),
        "workers": int(ds.attrs.get("workers", 0)),
        "months": int(ds.sizes["time"]),
        "scale_people_per_worker": float(ds.attrs.get("scale_people_per_worker", np.nan)),
        "units": {n: INDICATORS[n].unit for n in SUMMARY},
        "regions": {r: _finite(row) for r, row in headline(ds).items()},
        "all_regions": _finite(overall(ds)),
        "policies": json.loads(ds.attrs.get("policy_accounts", "{}")),
    }


def _finite(row: dict[str, float]) -> dict[str, float | None]:
    """`row` with NaN (a share of nobody: no migrants in a region, say) as None, JSON's null."""
    return {k: (v if np.isfinite(v) else None) for k, v in row.items()}


SHORT = {
    "unemployment_rate_start": "u start",
    "unemployment_rate": "u last yr",
    "unemployment_rate_peak": "u peak",
    "long_term_unemployment_rate": "LTU last yr",
    "vacancy_rate": "vac rate",
    "migrant_share_employed": "migr. empl.",
    "native_overqualification": "overq. nat.",
    "migrant_overqualification": "overq. migr.",
    "informal_share": "informal",
}


def format_table(ds: xr.Dataset) -> str:
    """The table printed after a run: the run-table indicators (`fowsim.indicators.RUN_TABLE`) by region, in %."""
    h = {**headline(ds, RUN_TABLE), "all regions": overall(ds, RUN_TABLE)}
    width = max(len(r) for r in h) + 2
    lines = ["region".ljust(width) + "".join(SHORT[n].rjust(13) for n in RUN_TABLE)]
    for region, row in h.items():
        lines.append(region.ljust(width) + "".join(f"{row[n]:12.1f}%" if np.isfinite(row[n]) else f"{'-':>13}"
                                                   for n in RUN_TABLE))  # fmt: skip
    lines.append("")
    lines.append("last yr: the last 12 months; overq. migr.: the last 24 months; informal: the informal share of "
                 "employment, last 12 months; -: no one to count (fowsim.indicators)")  # fmt: skip
    return "\n".join(lines)
