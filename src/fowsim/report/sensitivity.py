"""The report's section on a sensitivity study (`sensitivity.nc`): indices, discovery boxes, regret.

`section(ds, assets, embed)` returns the HTML of the three parts, each with its figure and table;
`fowsim report STUDY_FOLDER` puts it in a page of its own, in the report's style.
"""

from __future__ import annotations

import json

import numpy as np
import xarray as xr

from fowsim.report.figures import PALETTE, _figure
from fowsim.report.html import escape as _e
from fowsim.sensitivity import main_index, restricted


def _g(v: float) -> str:
    return f"{v:.3g}" if np.isfinite(v) else "–"


MEANING = {
    "mu_star": "mean absolute elementary effect (Morris mu*), in the outcome's units",
    "ST": "total-order Sobol index: the share of the outcome's variance the parameter is part of",
}


def indices_figure(ds: xr.Dataset, outcome: str):
    """The parameters by influence on one outcome, for each policy, with their confidence intervals."""
    key, conf = main_index(ds)
    s = ds[key].sel(outcome=outcome)
    order = np.argsort(s.max("policy").values)  # most influential on top
    params = ds.parameter.values[order]
    n_pol = ds.sizes["policy"]
    fig, (ax,) = _figure(7.0, 0.45 * len(params) + 1.2)
    height = 0.8 / n_pol
    for i, policy in enumerate(ds.policy.values):
        y = np.arange(len(params)) + (i - (n_pol - 1) / 2) * height
        ax.barh(y, s.sel(policy=policy).values[order], height, xerr=ds[conf].sel(outcome=outcome, policy=policy)
                .values[order], color="#000000" if i == 0 else PALETTE[(i - 1) % len(PALETTE)], label=str(policy),
                error_kw={"elinewidth": 0.8, "capsize": 2})  # fmt: skip
        if key == "ST":
            ax.barh(y, ds["S1"].sel(outcome=outcome, policy=policy).values[order], height * 0.45, color="white",
                    alpha=0.6)  # fmt: skip
    ax.set_yticks(np.arange(len(params)), params)
    ax.set_xlabel("Morris mu*" if key == "mu_star" else "Sobol ST (white: S1)")
    ax.set_title(f"What drives {outcome}")
    ax.legend(loc="lower right")
    return fig


def discovery_figure(ds: xr.Dataset):
    """The peeling trajectory: each step trades coverage for density; the chosen box is marked."""
    fig, axes = _figure(8.0, 3.0, ncols=2)
    cov, den = ds.peel_coverage.values, ds.peel_density.values
    ax = axes[0]
    ax.plot(cov, den, "-o", ms=3, color=PALETTE[3])
    step = int(ds.attrs["box_step"])
    ax.plot([cov[step]], [den[step]], "o", ms=9, mfc="none", color=PALETTE[4], label="chosen box")
    ax.set(xlabel="coverage", ylabel="density", title="PRIM peeling trajectory")
    ax.legend(loc="lower left")
    ax = axes[1]
    order = np.argsort(ds.feature_score.values)
    ax.barh(ds.parameter.values[order], ds.feature_score.values[order], color=PALETTE[1])
    ax.set(xlabel="Kolmogorov-Smirnov distance", title="Feature scores")
    return fig


def regret_figure(ds: xr.Dataset):
    """Each policy's regret across the sampled futures: the box spans the middle half, whiskers the range."""
    fig, (ax,) = _figure(7.0, 0.5 * ds.sizes["policy"] + 1.2)
    data = [ds.regret.sel(policy=p).values for p in ds.policy.values]
    ax.boxplot(data, orientation="horizontal", whis=(0, 100), tick_labels=[str(p) for p in ds.policy.values])
    ax.set(xlabel=f"regret on {ds.attrs['regret_outcome']} (distance to the best policy of the future)",
           title="Regret across futures")  # fmt: skip
    return fig


def section(ds: xr.Dataset, embed) -> str:
    """HTML of the study: indices, discovery and regret; `embed(fig, stem)` returns a figure's base64 PNG."""
    key, conf = main_index(ds)
    meaning = MEANING[key]
    minimise = json.loads(ds.attrs.get("minimise", "{}"))
    rows = ds.sizes["sample"]
    parts = [f"<h2 id='study'>The study</h2><p>{_e(ds.attrs['method'].capitalize())} design: {rows} sampled futures "
             f"(design rows) x {ds.sizes['policy']} policies x {ds.sizes['seed']} seed(s) = {ds.attrs['runs']} runs. "
             "Each parameter's range:</p>"]  # fmt: skip
    table = "".join(f"<tr><td>{_e(p)}</td><td>{_g(float(ds.low.sel(parameter=p)))}</td>"
                    f"<td>{_g(float(ds.high.sel(parameter=p)))}</td></tr>" for p in ds.parameter.values)  # fmt: skip
    parts.append(f"<table><thead><tr><th>parameter</th><th>low</th><th>high</th></tr></thead>{table}</table>")
    # indices
    parts.append(f"<h2 id='indices'>Which assumptions drive the answer</h2><p class='note'>{_e(key)}: {_e(meaning)}; "
                 f"bars show the {_e(conf)} 95% interval. Outcomes are the mean over seeds.</p>")  # fmt: skip
    for outcome in ds.outcome.values:
        data = embed(indices_figure(ds, str(outcome)), f"indices_{outcome}")
        s = ds[key].sel(outcome=outcome)
        head = "".join(f"<th>{_e(p)}</th>" for p in ds.policy.values)
        body = "".join(
            "<tr><td>" + _e(p) + "</td>" + "".join(
                f"<td>{_g(float(s.sel(policy=q, parameter=p)))} ± "
                f"{_g(float(ds[conf].sel(outcome=outcome, policy=q, parameter=p)))}</td>" for q in ds.policy.values)
            + "</tr>" for p in ds.parameter.values[np.argsort(-s.max('policy').values)])  # fmt: skip
        better = "lower is better" if minimise.get(str(outcome), True) else "higher is better"
        parts.append(f"<h3>{_e(outcome)} ({better})</h3><figure><img alt='indices of {_e(outcome)}' "
                     f"src='data:image/png;base64,{data}'></figure><div class='wide'><table><thead><tr>"
                     f"<th>parameter</th>{head}</tr></thead>{body}</table></div>")  # fmt: skip
    # discovery
    if "box_lower" in ds:
        rule, policy = ds.attrs["discovery_rule"], ds.attrs["discovery_policy"]
        cases = int(ds.attrs.get("cases_of_interest", 0))
        parts.append(f"<h2 id='discovery'>Where it goes wrong: {_e(rule)} ({_e(policy)})</h2>")
        if cases == 0:
            parts.append(f"<p>In none of the {rows} sampled futures: no box to find.</p>")
        else:
            data = embed(discovery_figure(ds), "discovery")
            narrowed = restricted(ds)
            body = "".join(f"<tr><td>{_e(p)}</td><td>{_g(float(ds.box_lower.sel(parameter=p)))}</td>"
                           f"<td>{_g(float(ds.box_upper.sel(parameter=p)))}</td><td>{_g(float(ds.low.sel(parameter=p)))}"
                           f" to {_g(float(ds.high.sel(parameter=p)))}</td></tr>" for p in narrowed)  # fmt: skip
            box = (f"<table><thead><tr><th>parameter</th><th>box from</th><th>box to</th><th>sampled range</th></tr>"
                   f"</thead>{body}</table>" if narrowed else "<p>The box restricts no parameter.</p>")  # fmt: skip
            parts.append(
                f"<p>{cases} of {rows} sampled futures meet the rule. PRIM peels the parameter space down to the box "
                f"below: it holds {ds.attrs['box_coverage']:.0%} of those futures (coverage), and "
                f"{ds.attrs['box_density']:.0%} of the futures inside it meet the rule (density); it spans "
                f"{ds.attrs['box_mass']:.0%} of the sample. Feature scores: how differently each parameter is "
                f"distributed in the futures that meet the rule.</p>{box}<figure><img alt='discovery' "
                f"src='data:image/png;base64,{data}'></figure>"
            )
    # regret
    if "regret" in ds:
        data = embed(regret_figure(ds), "regret")
        body = "".join(
            f"<tr><td>{_e(p)}</td><td>{_g(float(ds.regret_mean.sel(policy=p)))}</td>"
            f"<td>{_g(float(ds.regret_p90.sel(policy=p)))}</td><td>{_g(float(ds.regret_max.sel(policy=p)))}</td>"
            f"<td>{int(ds.best_count.sel(policy=p))} of {rows}</td></tr>" for p in ds.policy.values)  # fmt: skip
        parts.append(
            f"<h2 id='regret'>Which policy holds up: regret on {_e(ds.attrs['regret_outcome'])}</h2><p>In each sampled "
            "future, a policy's regret is how far its outcome falls from the best policy's in that future. "
            f"Best most often: <b>{_e(ds.attrs['most_often_best'])}</b>; smallest worst-case regret: "
            f"<b>{_e(ds.attrs['least_worst_case'])}</b>.</p><table><thead><tr><th>policy</th><th>mean regret</th>"
            f"<th>90th percentile</th><th>worst case</th><th>best in</th></tr></thead>{body}</table>"
            f"<figure><img alt='regret' src='data:image/png;base64,{data}'></figure>"
        )
    return "".join(parts)
