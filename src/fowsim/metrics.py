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
