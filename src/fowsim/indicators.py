"""The indicators that judge a run: one registry (name, label, unit, better direction, computation).

Each indicator reduces a run's dataset (`results.nc`), or a sweep's (`sweep.nc`, which keeps its
swept dimensions and `seed`), to one number per run over the regions present: select regions
first with `in_regions`. Shares are pooled (the sum of the numerator over the sum of the
denominator), so that a share over several regions weighs each region by its size. The same
registry gives `summary.json` and the table printed after a run (`fowsim.metrics`), the effects
of `fowsim.compare`, the report's headline table and the outcomes a sensitivity study may name.

```python
from fowsim.indicators import INDICATORS, in_regions
INDICATORS["long_term_unemployment_rate"].compute(in_regions(ds, ["north_africa"]))
```
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import xarray as xr

# a run's own dimensions (a sweep adds its swept keys and `seed` in front)
RUN_DIMS = ("time", "region", "origin", "destination", "occupation", "horizon", "credential", "group", "state",
            "from_state", "to_state")  # fmt: skip
LAST_YEAR = 12
LAST_TWO_YEARS = 24


@dataclass(frozen=True)
class Indicator:
    """A number per run: its name (a key in summaries and tables), its label and unit, which way is better."""

    name: str
    label: str  # words for tables and reports
    unit: str
    better: str  # "lower", "higher" or "" (neither: a quantity to know, not a goal)
    compute: Callable[[xr.Dataset], xr.DataArray]  # a run's (or sweep's) dataset -> one value per run
    goal: str  # what it measures, in the words of a summary ("long-term unemployment")
    digits: int = 1  # decimals shown

    @property
    def reads(self) -> tuple[str, ...] | None:
        """The variables of `results.nc` the computation reads (`reads`), or None where it does not say."""
        return getattr(self.compute, "reads", None)

    @property
    def diff_unit(self) -> str:
        """The unit of a difference: percentage points for a rate in %."""
        return "points" if self.unit.startswith("%") else self.unit


def _run_dims(x: xr.DataArray) -> list[str]:
    return [d for d in x.dims if d in RUN_DIMS]


def total(x: xr.DataArray) -> xr.DataArray:
    """`x` summed over a run's own dimensions (a sweep's dimensions kept)."""
    return x.sum(_run_dims(x))


def last(ds: xr.Dataset, months: int | None) -> xr.Dataset:
    """The last `months` months of `ds` (all of them where `months` is None)."""
    return ds.isel(time=slice(-months, None)) if months else ds


def pooled_share(ds: xr.Dataset, num: str, den: str, months: int | None = None, **sel: object) -> xr.DataArray:
    """`num` / `den` summed over a run's own dimensions (the last `months` only, if given); NaN where `den` is 0."""
    d = last(ds[[num, den]], months)
    a, b = d[num].sel(sel), d[den].sel(sel)
    denominator = total(b)
    return total(a) / denominator.where(denominator > 0)


def spending(ds: xr.Dataset) -> xr.DataArray:
    """Monthly spending on training and mobility programmes of all payers (public, employers, private), EUR."""
    return ds["public_spending"] + ds["employer_spending"] + ds["private_spending"]


def in_regions(ds: xr.Dataset, regions: Sequence[str]) -> xr.Dataset:
    """`ds` restricted to `regions`: where people live (`region`) and, for flows and stocks, where they went."""
    out = ds.sel(region=list(regions))
    if "destination" in ds.dims:
        out = out.sel(destination=list(regions))
    return out


def reads(*names: str) -> Callable[[Callable[[xr.Dataset], xr.DataArray]], Callable[[xr.Dataset], xr.DataArray]]:
    """Declare which variables a computation reads, so that a table of many selects only those first."""

    def mark(compute: Callable[[xr.Dataset], xr.DataArray]) -> Callable[[xr.Dataset], xr.DataArray]:
        compute.reads = names  # type: ignore[attr-defined]
        return compute

    return mark


def needed(indicators: Sequence[Indicator]) -> list[str] | None:
    """The variables `indicators` read together, or None if one of them does not say (it may read anything)."""
    names: dict[str, None] = {}
    for i in indicators:
        if i.reads is None:
            return None
        names.update(dict.fromkeys(i.reads))
    return list(names)


# ---------------------------------------------------------------- the computations
@reads("unemployed", "labour_force")
def _unemployment_start(ds: xr.Dataset) -> xr.DataArray:
    first = ds[["unemployed", "labour_force"]].isel(time=slice(0, 1))
    return 100 * pooled_share(first, "unemployed", "labour_force")


@reads("unemployed", "labour_force")
def _unemployment_peak(ds: xr.Dataset) -> xr.DataArray:
    unemployed, labour_force = ds["unemployed"].sum("region"), ds["labour_force"].sum("region")
    return 100 * (unemployed / labour_force.where(labour_force > 0)).max("time")


@reads("employed", "vacancies")
def _vacancy_rate(ds: xr.Dataset) -> xr.DataArray:
    d = last(ds[["employed", "vacancies"]], LAST_YEAR)
    positions = total(d["employed"] + d["vacancies"])
    return 100 * total(d["vacancies"]) / positions.where(positions > 0)


@reads("migrant_share_employed", "employed")
def _foreign_share(ds: xr.Dataset) -> xr.DataArray:
    d = last(ds[["migrant_share_employed", "employed"]], LAST_YEAR)
    foreign = total(d["migrant_share_employed"] * d["employed"])
    return 100 * foreign / total(d["employed"]).where(total(d["employed"]) > 0)


@reads("employed_by_credential", "migrant_tertiary_employed", "overqualification_native")
def _native_overqualification(ds: xr.Dataset) -> xr.DataArray:
    d = last(ds[["employed_by_credential", "migrant_tertiary_employed", "overqualification_native"]], LAST_YEAR)
    graduates = d["employed_by_credential"].sel(credential="tertiary") - d["migrant_tertiary_employed"].sum("origin")
    low = total(d["overqualification_native"] * graduates)
    return 100 * low / total(graduates).where(total(graduates) > 0)


@reads("informal", "employed")
def _informal_share(ds: xr.Dataset) -> xr.DataArray:
    d = last(ds[["informal", "employed"]], LAST_YEAR)
    working = total(d["informal"] + d["employed"])
    return 100 * total(d["informal"]) / working.where(working > 0)


@reads("informal_by_group", "labour_force_female", "unemployed_female")
def _informal_share_women(ds: xr.Dataset) -> xr.DataArray:
    d = last(ds[["informal_by_group", "labour_force_female", "unemployed_female"]], LAST_YEAR)
    informal = total(d["informal_by_group"].sel(group="female"))
    working = total(d["labour_force_female"] - d["unemployed_female"])
    return 100 * informal / working.where(working > 0)


def _sum(name: str, scale: float) -> Callable[[xr.Dataset], xr.DataArray]:
    @reads(name)
    def compute(ds: xr.Dataset) -> xr.DataArray:
        return total(ds[name]) / scale

    return compute


def _share(num: str, den: str, months: int | None = None, **sel: object) -> Callable[[xr.Dataset], xr.DataArray]:
    @reads(num, den)
    def compute(ds: xr.Dataset) -> xr.DataArray:
        return 100 * pooled_share(ds, num, den, months, **sel)

    return compute


def _last_year_mean(name: str, scale: float) -> Callable[[xr.Dataset], xr.DataArray]:
    @reads(name)
    def compute(ds: xr.Dataset) -> xr.DataArray:
        d = last(ds[[name]], LAST_YEAR)
        return total(d[name]) / d.sizes["time"] / scale

    return compute


def _at_end(name: str, scale: float) -> Callable[[xr.Dataset], xr.DataArray]:
    @reads(name)
    def compute(ds: xr.Dataset) -> xr.DataArray:
        return total(ds[name].isel(time=-1)) / scale

    return compute


def _spending_of(*names: str, scale: float) -> Callable[[xr.Dataset], xr.DataArray]:
    @reads(*names)
    def compute(ds: xr.Dataset) -> xr.DataArray:
        return sum(total(ds[n]) for n in names) / scale  # type: ignore[return-value]

    return compute


PAYERS = ("public_spending", "employer_spending", "private_spending")

INDICATORS: dict[str, Indicator] = {
    i.name: i
    for i in (
        Indicator("unemployment_rate_start", "unemployment rate, first month", "%", "", _unemployment_start,
                  "unemployment at the start", 2),
        Indicator("unemployment_rate", "unemployment rate, last year", "%", "lower",
                  _share("unemployed", "labour_force", LAST_YEAR), "unemployment", 2),
        Indicator("unemployment_rate_women", "unemployment rate of women, last year", "%", "lower",
                  _share("unemployed_female", "labour_force_female", LAST_YEAR), "women's unemployment", 2),
        Indicator("unemployment_rate_youth", "unemployment rate of youth (15-24), last year", "%", "lower",
                  _share("unemployed_youth", "labour_force_youth", LAST_YEAR), "youth unemployment", 2),
        Indicator("unemployment_rate_peak", "unemployment rate, peak month", "%", "lower", _unemployment_peak,
                  "the peak of unemployment", 2),
        Indicator("long_term_unemployment_rate", "long-term unemployment rate, last year", "% of labour force",
                  "lower", _share("long_term_unemployed", "labour_force", LAST_YEAR), "long-term unemployment", 2),
        Indicator("long_term_unemployed", "long-term unemployed, last year", "thousand people", "lower",
                  _last_year_mean("long_term_unemployed", 1e3), "the number of long-term unemployed", 1),
        Indicator("vacancy_rate", "vacancy rate, last year", "%", "", _vacancy_rate, "unfilled jobs", 2),
        Indicator("migrant_share_employed", "migrants' share of employment, last year", "%", "", _foreign_share,
                  "migrants' share of employment", 1),
        Indicator("native_overqualification", "natives' over-qualification, last year", "%", "lower",
                  _native_overqualification, "natives' over-qualification", 1),
        Indicator("migrant_overqualification", "migrants' over-qualification, last 2 years", "%", "lower",
                  _share("migrant_tertiary_overqualified", "migrant_tertiary_employed", LAST_TWO_YEARS),
                  "brain waste (over-qualification)", 1),
        Indicator("displaced_employed_6m", "displaced workers employed 6 months on", "%", "",
                  _share("displaced_employed", "displaced_cohort", horizon=6),
                  "re-employment of displaced workers after 6 months (lock-in shows here)", 1),
        Indicator("displaced_employed_24m", "displaced workers employed 24 months on", "%", "higher",
                  _share("displaced_employed", "displaced_cohort", horizon=24),
                  "re-employment of displaced workers", 1),
        Indicator("displaced", "workers displaced by automation", "thousand people", "",
                  _sum("displaced", 1e3), "displacement by automation", 1),
        Indicator("trained_emigrants", "emigration of trained workers", "thousand people", "",
                  _sum("trained_emigrants", 1e3), "emigration of trained workers (brain drain)", 1),
        Indicator("returnees", "returns home", "thousand people", "", _sum("returnees", 1e3),
                  "returns of migrants", 1),
        Indicator("migration", "moves between regions", "thousand moves", "", _sum("migration_flow", 1e3),
                  "migration", 1),
        Indicator("completions", "training completions", "thousand people", "", _sum("completions", 1e3),
                  "training completions", 1),
        Indicator("spending", "spending on programmes, all payers", "EUR million", "", _spending_of(*PAYERS, scale=1e6),
                  "spending", 1),
        Indicator("public_spending", "public spending on programmes", "EUR million", "",
                  _spending_of("public_spending", scale=1e6), "public spending", 1),
        Indicator("employment", "employment in formal jobs", "million person-years", "higher",
                  _sum("employed", 12e6), "formal employment", 2),
        Indicator("labour_force_end", "labour force, last month", "million people", "",
                  _at_end("labour_force", 1e6), "the labour force", 2),
        Indicator("informal_share", "informal share of employment, last year", "%", "lower", _informal_share,
                  "informal work", 1),
        Indicator("informal_share_women", "informal share of women's employment, last year", "%", "lower",
                  _informal_share_women, "women's informal work", 1),
        Indicator("formalisations", "moves from informal work into formal jobs", "thousand people", "higher",
                  _sum("formalisations", 1e3), "formalisation", 1),
        Indicator("informal_underemployment", "informal work lost to crowding, last year", "thousand full-time "
                  "equivalents", "lower", _last_year_mean("informal_underemployment", 1e3),
                  "underemployment in informal work", 1),
        Indicator("remittances", "remittances sent home by migrants, last year", "EUR billion a year", "",
                  _last_year_mean("remittances", 1e9 / 12), "remittances sent home", 2),
        Indicator("tied_job_changes", "job changes on employer-tied visas, last year", "thousand a year", "",
                  _last_year_mean("tied_job_to_job", 1e3 / 12), "job changes of sponsored workers", 1),
    )
}  # fmt: skip

# which indicators each product shows
RUN_TABLE = (
    "unemployment_rate_start",
    "unemployment_rate",
    "unemployment_rate_peak",
    "long_term_unemployment_rate",
    "vacancy_rate",
    "migrant_share_employed",
    "native_overqualification",
    "migrant_overqualification",
    "informal_share",
)
SUMMARY = (*RUN_TABLE, "displaced", "labour_force_end", "spending")
REPORT = ("unemployment_rate", "unemployment_rate_women", "unemployment_rate_youth", "long_term_unemployment_rate",
          "informal_share", "displaced_employed_24m", "migrant_overqualification", "trained_emigrants", "returnees",
          "spending", "employment")  # fmt: skip
COMPARE = ("employment", "spending", "public_spending", "displaced_employed_6m", "displaced_employed_24m",
           "migrant_overqualification", "long_term_unemployed", "migration", "completions",
           "formalisations")  # fmt: skip


def value(ds: xr.Dataset, name: str, regions: Sequence[str] | None = None) -> float:
    """Indicator `name` of one run (over `regions`, default all) as a float."""
    d = ds if regions is None else in_regions(ds, regions)
    return float(INDICATORS[name].compute(d))
