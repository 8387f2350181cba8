"""The report's charts: one readable matplotlib style, each policy in the same colour throughout.

Every function takes the report's `Source` and a facet (values of the other swept keys) and
returns a matplotlib Figure, or None where the data has nothing to show.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import matplotlib as plt  # figures are made without pyplot: no backend is chosen, none is changed
import matplotlib.dates as mdates
import numpy as np
import xarray as xr
from matplotlib.figure import Figure

from fowsim.indicators import INDICATORS
from fowsim.report.data import BASELINE, Source

# Okabe & Ito (2008): distinguishable with the common colour-vision deficiencies; black is the baseline
PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#F0E442", "#999999")
if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

LINESTYLES = ("-", "--", ":", "-.")
STYLE: dict[RcKeyType, Any] = {
    "figure.dpi": 110,
    "savefig.dpi": 110,
    "font.size": 8.5,
    "axes.titlesize": 9,
    "axes.labelsize": 8.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.25,
    "legend.fontsize": 7,
    "legend.frameon": False,
    "figure.constrained_layout.use": True,
}


def colours(arms: list[str]) -> dict[str, tuple[str, str]]:
    """(colour, line style) of each arm: the baseline black and solid, the others from the palette."""
    out, k = {}, 0
    for a in arms:
        if a == BASELINE:
            out[a] = ("#000000", "-")
        else:
            out[a] = (PALETTE[k % len(PALETTE)], LINESTYLES[(k // len(PALETTE)) % len(LINESTYLES)])
            k += 1
    return out


def _figure(width: float, height: float, ncols: int = 1, nrows: int = 1):
    with plt.rc_context(STYLE):
        fig = Figure(figsize=(width, height))
        axes = fig.subplots(nrows, ncols, squeeze=False)
    return fig, axes.ravel()


def _sel(src: Source, facet: dict) -> xr.Dataset:
    """The facet's runs, with the variables of runs that did not finish masked (NaN)."""
    ds = src.ds.sel(facet) if facet else src.ds
    done = ds.run_status == 0
    timed = [v for v in ds.data_vars if "time" in ds[v].dims]
    return ds.assign({v: ds[v].where(done) for v in timed})


def _legend(fig, axes, src: Source) -> None:
    handles, labels = axes[0].get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, loc="outside right upper", fontsize=7)


def _finish(fig, ax, src: Source, xlabel: str, ylabel: str, title: str) -> None:
    """Axis labels (with units), the title, and the arms' legend outside the plot."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    _legend(fig, [ax], src)


def _label(arm: object, width: int = 40) -> str:
    """An arm as a legend shows it: a long path (a world folder, a network file) by its last part."""
    text = str(arm)
    if len(text) <= width:
        return text
    tail = text.rstrip("/").rsplit("/", 1)[-1]
    return f".../{tail}" if "/" in text and len(tail) < width else text[: width - 3] + "..."


def _months(ds: xr.Dataset) -> np.ndarray:
    return ds.time.values


MANY = 6  # more arms than this: one small panel per arm, the baseline drawn in each


def _dates(ax, maxticks: int = 4) -> None:
    """Calendar ticks, at most `maxticks`: every 1 to 6 months, or yearly, whatever the run's length."""
    locator = mdates.AutoDateLocator(maxticks=maxticks)
    locator.intervald[mdates.MONTHLY] = [1, 2, 3, 4, 6, 12]  # a 2-3 year run fits no 6-monthly steps in 4 ticks
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _panels(src: Source, height: float = 1.55):
    """A grid of small panels, one per arm but the baseline (which each panel shows too)."""
    arms = [a for a in src.arms if a != BASELINE] or list(src.arms)
    cols = 4
    rows = int(np.ceil(len(arms) / cols))
    fig, axes = _figure(9.2, height * rows + 0.5, cols, rows)
    for ax in axes[len(arms) :]:
        ax.set_visible(False)
    return fig, axes, arms


def pooled_rate_by_arm(src: Source, facet: dict, numerator: str, denominator: str, label: str):
    """The pooled rate over all regions, a small panel per arm against the baseline (black), 5-95% band."""
    ds = _sel(src, facet).sum("region", min_count=1)
    rate = 100 * ds[numerator] / ds[denominator]
    fig, axes, arms = _panels(src)
    cmap = colours(src.arms)
    with plt.rc_context(STYLE):
        lo_all, hi_all = float(rate.min()), float(rate.max())
        for ax, arm in zip(axes, arms):
            for a, colour, lw in ((BASELINE, "#000000", 0.9), (arm, cmap[arm][0], 1.3)):
                if a not in src.arms:
                    continue
                v = rate.sel({src.arm: a})
                ax.plot(_months(ds), v.mean("seed"), color=colour, lw=lw, label=_label(a))
                if ds.sizes["seed"] > 1:
                    ax.fill_between(_months(ds), v.quantile(0.05, "seed"), v.quantile(0.95, "seed"), color=colour,
                                    alpha=0.15, lw=0)  # fmt: skip
            ax.set_title(arm.replace("_", " "), fontsize=7.5)
            ax.set_ylim(lo_all - 0.02 * abs(hi_all), hi_all + 0.02 * abs(hi_all))
            _dates(ax)
        axes[0].set_ylabel(label)
        fig.suptitle(f"{label}, all regions: each policy (colour) against the baseline (black)", fontsize=8.5)
    return fig


def rates_over_time(src: Source, facet: dict, name: str, label: str):
    """`name` (a rate by region) over time, a panel per region: each arm's mean and its 5-95% band across seeds.

    With more than six arms: a small panel per arm, all regions pooled, against the baseline (black).
    """
    if len(src.arms) > MANY:
        pooled = {"unemployment_rate": ("unemployed", "labour_force"),
                  "long_term_unemployment_rate": ("long_term_unemployed", "labour_force")}  # fmt: skip
        if name in pooled:
            return pooled_rate_by_arm(src, facet, *pooled[name], label)
    ds = _sel(src, facet)
    return _region_panels(src, ds, [str(r) for r in ds.region.values], [(100 * ds[name], None, 1.1)], label)


def _region_panels(
    src: Source,
    ds: xr.Dataset,
    regions: list[str],
    lines: Sequence[tuple[xr.DataArray, str | None, float]],
    ylabel: str,
    band: bool = True,
    height: float = 2.2,
    maxticks: int = 5,
):
    """A panel per region: for each arm, each of `lines` (values, line style or None for the arm's, width).

    Each line is the arm's mean across seeds; the first one also gets its 5-95% band where `band`
    and there are several seeds. The legend names the arms by the first line.
    """
    cols = min(3, len(regions))
    rows = int(np.ceil(len(regions) / cols))
    fig, axes = _figure(8.8, height * rows + 0.4, cols, rows)
    with plt.rc_context(STYLE):
        for ax, region in zip(axes, regions):
            for arm, (colour, ls) in colours(src.arms).items():
                for k, (values, style, width) in enumerate(lines):
                    v = values.sel({src.arm: arm, "region": region})
                    ax.plot(_months(ds), v.mean("seed"), color=colour, ls=style or ls, lw=width,
                            label=_label(arm) if k == 0 else None)  # fmt: skip
                    if k == 0 and band and ds.sizes["seed"] > 1:
                        lo, hi = v.quantile(0.05, "seed"), v.quantile(0.95, "seed")
                        ax.fill_between(_months(ds), lo, hi, color=colour, alpha=0.15, lw=0)
            ax.set_title(region)
            ax.set_ylabel(ylabel)
            _dates(ax, maxticks=maxticks)
        for ax in axes[len(regions) :]:
            ax.set_visible(False)
        _legend(fig, axes, src)
    return fig


def beveridge(src: Source, facet: dict):
    """Vacancy rate against unemployment rate, all regions together, each arm's mean path.

    With more than six arms: a small panel per arm against the baseline (black).
    """
    ds = _sel(src, facet).sum("region")
    if len(src.arms) > MANY:
        fig, axes, arms = _panels(src, height=1.7)
        cmap = colours(src.arms)
        with plt.rc_context(STYLE):
            for ax, arm in zip(axes, arms):
                for a, colour in ((BASELINE, "#000000"), (arm, cmap[arm][0])):
                    if a not in src.arms:
                        continue
                    d = ds.sel({src.arm: a})
                    u = (100 * d.unemployed / d.labour_force).mean("seed")
                    v = (100 * d.vacancies / (d.employed + d.vacancies)).mean("seed")
                    ax.plot(u, v, color=colour, lw=0.9)
                    ax.plot(u[0], v[0], "o", color=colour, ms=2.5)
                ax.set_title(arm.replace("_", " "), fontsize=7.5)
            axes[0].set_ylabel("vacancy rate, %")
            fig.supxlabel("unemployment rate, % (dot: first month)", fontsize=8)
            fig.suptitle("Beveridge curves, all regions: each policy (colour) against the baseline (black)",
                         fontsize=8.5)  # fmt: skip
        return fig
    fig, (ax,) = _figure(5.6, 3.6)
    with plt.rc_context(STYLE):
        for arm, (colour, ls) in colours(src.arms).items():
            d = ds.sel({src.arm: arm})
            u = (100 * d.unemployed / d.labour_force).mean("seed")
            v = (100 * d.vacancies / (d.employed + d.vacancies)).mean("seed")
            ax.plot(u, v, color=colour, ls=ls, lw=1.0, label=_label(arm))
            ax.plot(u[0], v[0], "o", color=colour, ms=3)
        _finish(fig, ax, src, "unemployment rate, % (dot: first month)", "vacancy rate, % of jobs",
                "Beveridge curve, all regions")  # fmt: skip
    return fig


def displaced(src: Source, facet: dict):
    """Share of displaced workers employed 6, 12 and 24 months after displacement, each arm (mean, 5-95%).

    With more than six arms: each policy's difference from the baseline, a panel per horizon.
    """
    ds = _sel(src, facet)
    if float(ds.displaced_cohort.sum()) <= 0:
        return None
    cohort = ds.displaced_cohort.sum(["time", "region"])
    # only the horizons some cohort has reached (a run shorter than 24 months has no 24-month outcome)
    reached = [h for h in cohort.horizon.values if float(cohort.sel(horizon=h).sum()) > 0]
    rate = (100 * ds.displaced_employed.sum(["time", "region"]) / cohort.where(cohort > 0)).sel(horizon=reached)
    if len(src.arms) > MANY and src.has_baseline:
        title = "Displaced workers employed: each policy minus the baseline of the same seed"
        diff = rate - rate.sel({src.arm: BASELINE})
        return _differences_by_arm(src, diff, "horizon", "{} months after displacement",
                                   "employed, points against the baseline", title)  # fmt: skip
    fig, (ax,) = _figure(5.6, 3.4)
    with plt.rc_context(STYLE):
        h = rate.horizon.values
        for k, (arm, (colour, ls)) in enumerate(colours(src.arms).items()):
            r = rate.sel({src.arm: arm})
            x = h + (k - len(src.arms) / 2) * 0.15
            lo, hi = r.quantile(0.05, "seed"), r.quantile(0.95, "seed")
            m = r.mean("seed")
            ax.errorbar(x, m, yerr=[m - lo, hi - m], color=colour, ls=ls, marker="o", ms=3, lw=1, capsize=2,
                        label=_label(arm))  # fmt: skip
        ax.set_xticks(h)
        _finish(fig, ax, src, "months after displacement", "displaced workers employed, %",
                "Paths of workers displaced by automation")  # fmt: skip
    return fig


def _differences_by_arm(src: Source, diff: xr.DataArray, over: str, title: str, xlabel: str, suptitle: str):
    """One panel per value of `over`: each policy's difference from the baseline (mean, 5-95% across seeds)."""
    arms = [a for a in src.arms if a != BASELINE]
    values = list(diff[over].values)
    fig, axes = _figure(9.0, 0.9 + 0.22 * len(arms), len(values))
    cmap = colours(src.arms)
    with plt.rc_context(STYLE):
        y = np.arange(len(arms))
        for ax, v in zip(axes, values):
            d = diff.sel({over: v})
            for k, arm in enumerate(arms):
                x = d.sel({src.arm: arm})
                m, lo, hi = float(x.mean()), float(x.quantile(0.05)), float(x.quantile(0.95))
                ax.errorbar(m, k, xerr=[[m - lo], [hi - m]], fmt="o", ms=3.5, color=cmap[arm][0], capsize=2, lw=0.9)
            ax.axvline(0, color="#000000", lw=0.9)
            ax.set_title(title.format(v))
            ax.set_xlabel(xlabel)
            ax.set_yticks(y, arms if ax is axes[0] else [""] * len(arms))
            ax.invert_yaxis()
        fig.suptitle(suptitle + " (black line: no difference)", fontsize=8.5)
    return fig


def migration(src: Source, facet: dict):
    """Moves by corridor (origin x destination) in the baseline (or the first arm), and all moves by arm."""
    first = src.reference
    flows = _sel(src, facet).migration_flow.sum("time").mean("seed")
    ds = src.ds
    fig, (ax1, ax2) = _figure(9.0, 3.6, 2)
    with plt.rc_context(STYLE):
        m = flows.sel({src.arm: first}).values / 1e3
        im = ax1.imshow(m, cmap="Blues", aspect="auto")
        ax1.set_xticks(range(m.shape[1]), [str(d) for d in ds.destination.values], rotation=30, ha="right")
        ax1.set_yticks(range(m.shape[0]), [str(o) for o in ds.origin.values])
        ax1.set_xlabel("destination")
        ax1.set_ylabel("origin")
        ax1.grid(False)
        ax1.set_title(f"moves by corridor, {first} (thousands)")
        for (i, j), value in np.ndenumerate(m):
            if value > 0:
                ax1.text(j, i, f"{value:,.0f}", ha="center", va="center", fontsize=6,
                         color="white" if value > m.max() / 2 else "black")  # fmt: skip
        fig.colorbar(im, ax=ax1, shrink=0.8)
        totals = flows.sum(["origin", "destination"]) / 1e3
        cmap = colours(src.arms)
        ax2.barh(src.arms, [float(totals.sel({src.arm: a})) for a in src.arms], color=[cmap[a][0] for a in src.arms])
        ax2.set_xlabel("all moves over the horizon, thousands")
        ax2.invert_yaxis()
        ax2.set_title("migration by policy")
    return fig


def overqualification(src: Source, facet: dict):
    """Employed tertiary-educated migrants in jobs below their level, by origin, each arm (last 2 years).

    With more than six arms: each policy's difference from the baseline, a panel per origin.
    """
    ds = _sel(src, facet).isel(time=slice(-24, None))
    emp = ds.migrant_tertiary_employed.sum(["time", "destination"])
    over = ds.migrant_tertiary_overqualified.sum(["time", "destination"])
    keep = [o for o in ds.origin.values if float(emp.sel(origin=o).sum()) > 0]
    if not keep:
        return None
    if len(src.arms) > MANY and src.has_baseline:
        each = (100 * over / emp.where(emp > 0)).sel(origin=keep)
        return _differences_by_arm(src, each - each.sel({src.arm: BASELINE}), "origin", "from {}",
                                   "over-qualified, points against the baseline",
                                   "Brain waste by origin, last two years: each policy minus the baseline of the same "
                                   "seed")  # fmt: skip
    share = (100 * over / emp.where(emp > 0)).sel(origin=keep).mean("seed")
    fig, (ax,) = _figure(6.4, 0.5 + 0.45 * len(keep) + 0.1 * len(src.arms))
    with plt.rc_context(STYLE):
        for k, (arm, (colour, _)) in enumerate(colours(src.arms).items()):
            y = np.arange(len(keep)) + (k - len(src.arms) / 2) * 0.8 / max(1, len(src.arms))
            ax.plot(share.sel({src.arm: arm}).values, y, "o", color=colour, ms=4, label=_label(arm))
        ax.set_yticks(range(len(keep)), [str(o) for o in keep])
        ax.set_xlabel("over-qualified, % of employed tertiary-educated migrants")
        ax.set_title("Brain waste by origin (last two years)")
        _legend(fig, [ax], src)
    return fig


def training(src: Source, facet: dict):
    """Training enrolments and completions over the horizon, each arm (millions, mean across seeds)."""
    ds = _sel(src, facet)
    fig, (ax,) = _figure(6.4, 0.8 + 0.28 * len(src.arms))
    with plt.rc_context(STYLE):
        y = np.arange(len(src.arms))
        enrol = [float(ds.enrolments.sel({src.arm: a}).sum(["time", "region"]).mean("seed")) / 1e6 for a in src.arms]
        done = [float(ds.completions.sel({src.arm: a}).sum(["time", "region"]).mean("seed")) / 1e6 for a in src.arms]
        ax.barh(y - 0.2, enrol, 0.4, color="#56B4E9", label="enrolments")
        ax.barh(y + 0.2, done, 0.4, color="#0072B2", label="completions")
        ax.set_yticks(y, src.arms)
        ax.invert_yaxis()
        ax.set_xlabel("people over the horizon, millions")
        ax.set_title("Training enrolments and completions")
        ax.legend(loc="lower right")
    return fig


def cost_effectiveness(src: Source, facet: dict):
    """Extra spending against extra employment, each policy against the baseline with the same seed (5-95%)."""
    if not src.has_baseline or len(src.arms) < 2:
        return None
    ds = _sel(src, facet)
    spend = INDICATORS["spending"].compute(ds)
    years = INDICATORS["employment"].compute(ds)
    d_spend = spend - spend.sel({src.arm: BASELINE})
    d_years = years - years.sel({src.arm: BASELINE})
    fig, (ax,) = _figure(6.4, 4.0)
    with plt.rc_context(STYLE):
        for arm, (colour, _) in colours(src.arms).items():
            if arm == BASELINE:
                continue
            x, y = d_spend.sel({src.arm: arm}), d_years.sel({src.arm: arm})
            mx, my = float(x.mean()), float(y.mean())
            ax.errorbar(mx, my, xerr=[[mx - float(x.quantile(0.05))], [float(x.quantile(0.95)) - mx]],
                        yerr=[[my - float(y.quantile(0.05))], [float(y.quantile(0.95)) - my]], fmt="o", ms=4,
                        color=colour, capsize=2, lw=0.8, label=_label(arm))  # fmt: skip
        ax.axhline(0, color="black", lw=0.6)
        ax.axvline(0, color="black", lw=0.6)
        labels = ("extra spending on programmes, all payers, EUR million", "extra employment, million person-years",
                  "Spending and employment against the baseline (bars: 5-95% across seeds)")  # fmt: skip
        _finish(fig, ax, src, *labels)
    return fig


def exposure(src: Source, facet: dict):
    """Automation exposure of each occupation against its change in employment over the horizon."""
    first, ds = src.reference, _sel(src, facet)
    emp = ds.employment_by_occupation.sel({src.arm: first}).sum("region").mean("seed")
    start, end = emp.isel(time=slice(0, 12)).mean("time"), emp.isel(time=slice(-12, None)).mean("time")
    change = 100 * (end / start.where(start > 0) - 1)
    fig, (ax,) = _figure(6.4, 4.0)
    with plt.rc_context(STYLE):
        exp = ds.automation_exposure  # the same in every arm and seed: one row of it
        x = exp.isel({d: 0 for d in exp.dims if d != "occupation"}).values
        ax.scatter(x, change.values, s=14 + 60 * start.values / float(start.max()), color="#0072B2", alpha=0.8)
        for xi, yi, name in zip(x, change.values, ds.occupation.values):
            if np.isfinite(yi) and (abs(yi) > np.nanpercentile(np.abs(change.values), 75)):
                ax.annotate(str(name).replace("_", " "), (xi, yi), fontsize=6, xytext=(3, 2),
                            textcoords="offset points")  # fmt: skip
        ax.axhline(0, color="black", lw=0.6)
        ax.set_xlabel("automation exposure (Frey & Osborne probability)")
        ax.set_ylabel("employment, last year against first year, %")
        ax.set_title(f"Exposure and outcome by occupation, {first} (size: employment)")
    return fig


def work(src: Source, facet: dict):
    """Informal work's share of all work (solid) and of women's work (dashed), by region: each arm's mean.

    Regions with informal work only; the 5-95% band across seeds around the share of all work. Formal
    jobs are at employers; informal work (own-account, casual, family work) is at none. An arm that opens
    formal jobs lowers the share; one that pushes workers out of formal jobs raises it.
    """
    ds = _sel(src, facet)
    if "informal" not in ds or float(ds["informal"].sum()) == 0:
        return None
    keep = [str(r) for r in ds.region.values if float(ds["informal"].sel(region=r).sum()) > 0]
    share = 100 * ds["informal"] / (ds["informal"] + ds["employed"])
    women = 100 * ds["informal_by_group"].sel(group="female") / (ds["labour_force_female"] - ds["unemployed_female"])
    lines = [(share, None, 1.1), (women, "--", 0.8)]
    return _region_panels(src, ds, keep, lines, "informal, % of work (--: women)", height=2.0, maxticks=4)


def by_sex(src: Source, facet: dict):
    """Women's (solid) and men's (dashed) unemployment rate by region, for each arm's mean across seeds."""
    ds = _sel(src, facet)
    regions = [str(r) for r in ds.region.values]
    women = 100 * ds["unemployed_female"] / ds["labour_force_female"]
    men = 100 * (ds["unemployed"] - ds["unemployed_female"]) / (ds["labour_force"] - ds["labour_force_female"])
    lines = [(women, "-", 1.1), (men, "--", 0.9)]
    return _region_panels(src, ds, regions, lines, "unemployment rate, %", band=False, height=2.1, maxticks=4)


FIGURES = (
    ("unemployment", "Unemployment by region", lambda s, f: rates_over_time(s, f, "unemployment_rate",
                                                                             "unemployment rate, %")),
    ("long_term_unemployment", "Long-term unemployment by region",
     lambda s, f: rates_over_time(s, f, "long_term_unemployment_rate", "long-term unemployed, % of labour force")),
    ("work", "Formal and informal work", work),
    ("by_sex", "Unemployment of women and men", by_sex),
    ("beveridge", "Beveridge curves", beveridge),
    ("displaced", "Displaced workers' paths", displaced),
    ("migration", "Migration by corridor", migration),
    ("overqualification", "Over-qualification by origin", overqualification),
    ("training", "Training enrolments and completions", training),
    ("cost_effectiveness", "Spending and cost-effectiveness", cost_effectiveness),
    ("exposure", "Exposure and outcome by occupation", exposure),
)  # fmt: skip
