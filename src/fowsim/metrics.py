"""Headline indicators computed from a run's dataset: plain functions, one place."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import xarray as xr


def last_year(ds: xr.Dataset, name: str) -> xr.DataArray:
    """Mean of `name` over the last 12 recorded months (or all, if fewer)."""
    n = min(12, ds.sizes["time"])
    return ds[name].isel(time=slice(-n, None)).mean("time")


def annual_rate(ds: xr.Dataset, flow: str) -> float:
    """A monthly flow of the employed as a share of employment a year, over all of `ds` (e.g. occupation_changes)."""
    return float(12 * ds[flow].sum() / ds["employed"].sum())


def headline(ds: xr.Dataset) -> dict[str, dict[str, float]]:
    """Per-region headline indicators.

    Unemployment (first month, last year, peak), long-term unemployment, vacancy rate, migrant
    share of employment, over-qualification, total displaced, labour force, training spending.
    """
    out: dict[str, dict[str, float]] = {}
    first = ds.isel(time=0)
    for region in ds.region.values.tolist():
        d = ds.sel(region=region)
        out[region] = {
            "unemployment_rate_start": float(first["unemployment_rate"].sel(region=region)),
            "unemployment_rate_end": float(last_year(d, "unemployment_rate")),
            "unemployment_rate_peak": float(d["unemployment_rate"].max()),
            "long_term_unemployment_rate_end": float(last_year(d, "long_term_unemployment_rate")),
            "vacancy_rate_end": float(last_year(d, "vacancy_rate")),
            "migrant_share_employed_end": float(last_year(d, "migrant_share_employed")),
            "overqualification_native_end": float(last_year(d, "overqualification_native")),
            "overqualification_migrant_end": float(last_year(d, "overqualification_migrant")),
            "displaced_total_people": float(d["displaced"].sum()),
            "labour_force_end_people": float(d["labour_force"].isel(time=-1)),
            "training_spending_total_eur": float(spending(d).sum()),
        }
    return out


def spending(ds: xr.Dataset) -> xr.DataArray:
    """Monthly spending of all payers (public, employers, private), EUR."""
    return ds["public_spending"] + ds["employer_spending"] + ds["private_spending"]


RUN_DIMS = ("time", "region", "origin", "destination", "occupation")  # a run's own dimensions (not a sweep's)


def pooled_share(ds: xr.Dataset, num: str, den: str, months: int | None = None, **sel) -> xr.DataArray:
    """`num` / `den` summed over a run's own dimensions (the last `months` only, if given); NaN where `den` is 0.

    A sweep's dimensions (policy, seed...) are kept, so the result is a scalar for a run and an
    array over the arms and seeds for a sweep.
    """
    d = ds.isel(time=slice(-months, None)) if months else ds
    a, b = d[num].sel(sel), d[den].sel(sel)
    dims = [x for x in a.dims if x in RUN_DIMS]
    total = b.sum(dims)
    return a.sum(dims) / total.where(total > 0)


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
    """The run's `summary.json`: headline indicators by region, plus what identifies the run."""
    return {
        "seed": int(ds.attrs.get("seed", -1)),
        "workers": int(ds.attrs.get("workers", 0)),
        "months": int(ds.sizes["time"]),
        "scale_people_per_worker": float(ds.attrs.get("scale_people_per_worker", np.nan)),
        "regions": headline(ds),
        "policies": json.loads(ds.attrs.get("policy_accounts", "{}")),
    }


def format_table(ds: xr.Dataset) -> str:
    """The headline table printed after a run."""
    h = headline(ds)
    cols = [
        ("unemployment_rate_start", "u start"),
        ("unemployment_rate_end", "u end"),
        ("unemployment_rate_peak", "u peak"),
        ("long_term_unemployment_rate_end", "LTU end"),
        ("vacancy_rate_end", "vac rate"),
        ("migrant_share_employed_end", "migr. empl."),
        ("overqualification_native_end", "overq. nat."),
        ("overqualification_migrant_end", "overq. migr."),
    ]
    width = max(len(r) for r in h) + 2
    lines = ["region".ljust(width) + "".join(label.rjust(13) for _, label in cols)]
    for region, row in h.items():
        lines.append(region.ljust(width) + "".join(f"{100 * row[key]:12.1f}%" for key, _ in cols))
    return "\n".join(lines)
