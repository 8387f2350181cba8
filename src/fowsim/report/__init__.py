"""`fowsim report PATH [-o FILE]`: one self-contained HTML report of a run or a sweep.

The report reads `results.nc` or `sweep.nc` (never runs the model) and writes one HTML file with
its figures embedded, and the figures as PNG and SVG in a folder beside it:
- an executive summary written from the numbers;
- a headline table (mean, 90% interval across seeds, difference from the baseline);
- the charts (`fowsim.report.figures`);
- the scenario's assumptions, with the full config in an appendix.
"""

from __future__ import annotations

import base64
import datetime as _dt
import io
import json
import os
from pathlib import Path

import numpy as np

from fowsim._version import __version__
from fowsim.effects import METHOD, MIN_SEEDS
from fowsim.indicators import Indicator
from fowsim.report import figures as fg
from fowsim.report.data import BASELINE, COST, COST_LABEL, INDICATORS, Cell, Source, facets, failures, headline, load
from fowsim.report.html import escape as _e

CSS = """
body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;
color:#1a1a1a;line-height:1.45;font-size:15px}
h1{font-size:1.7rem;margin-bottom:.2rem}h2{font-size:1.25rem;margin-top:2.2rem;border-bottom:1px solid #ccc}
h3{font-size:1.05rem}.meta{color:#555;font-size:.9rem}
table{border-collapse:collapse;font-size:.78rem;margin:.6rem 0;width:100%}
th,td{border-bottom:1px solid #ddd;padding:.25rem .4rem;text-align:right;vertical-align:top}
th:first-child,td:first-child{text-align:left}thead th{background:#f3f3f3}
.warn{background:#fff4e5;border-left:4px solid #D55E00;padding:.6rem .9rem}
.note{color:#555;font-size:.85rem}figure{margin:1rem 0;page-break-inside:avoid}
figure img{max-width:100%}figcaption{font-size:.85rem;color:#444}
pre{white-space:pre-wrap;font-size:.75rem;background:#f7f7f7;padding:.6rem}
.sig{font-weight:600}.wide{overflow-x:auto}
@media print{body{max-width:none;font-size:11pt}h2{page-break-after:avoid}}
"""


def _fmt(v: float, digits: int) -> str:
    return "–" if not np.isfinite(v) else f"{v:,.{digits}f}"


def _facet_name(facet: dict) -> str:
    return ", ".join(f"{k} = {v}" for k, v in facet.items())


# ---------------------------------------------------------------- executive summary
def _effect_text(arm: str, c: Cell, ind: Indicator) -> str:
    """`arm (+1.23 points, 90% interval +0.50 to +1.96)`: one arm's effect as the table gives it."""
    interval = (f", 90% interval {c.diff_low:+,.{ind.digits}f} to {c.diff_high:+,.{ind.digits}f}"
                if np.isfinite(c.diff_low) else "")  # fmt: skip
    return f"{arm} ({c.diff:+,.{ind.digits}f} {ind.diff_unit}{interval})"


def seeds_compared(table: dict[str, dict[str, Cell]]) -> int:
    """The fewest paired seeds behind any difference of the table (0 without a baseline or any difference)."""
    n = [c.effect.n for cells in table.values() for c in cells.values() if c.effect is not None and c.effect.n]
    return min(n) if n else 0


def summary_lines(src: Source, facet: dict, table: dict[str, dict[str, Cell]]) -> list[str]:
    """Plain sentences, each derived from the table: per goal, the policies that help and those that harm.

    A policy is said to help or harm only where its cell is marked beyond the noise (bold in the
    table: `fowsim.effects`); harms are named in the same form as gains. With fewer than
    `MIN_SEEDS` seeds no arm is ranked and nothing is called beyond the noise.
    """
    lines = []
    n_seeds = int(src.ds.sizes["seed"])
    if not src.has_baseline:
        for ind in INDICATORS[:4]:
            cells = table[ind.name]
            ordered = sorted(cells.items(), key=lambda kv: kv[1].mean, reverse=ind.better == "higher")
            parts = ", ".join(f"{a} {_fmt(c.mean, ind.digits)}" for a, c in ordered)
            lines.append(f"{ind.label.capitalize()} ({ind.unit}): {parts}.")
        lines.append(f"There is no baseline arm to compare with: figures are levels, over {n_seeds} seed(s).")
        return lines
    paired_seeds = seeds_compared(table)
    if paired_seeds < MIN_SEEDS:
        arms = ", ".join(a for a in src.arms if a != BASELINE)
        lines.append(f"Each policy ({arms}) is compared with the baseline over {paired_seeds} seed(s); at least "
                     f"{MIN_SEEDS} are needed to tell an effect from the noise across seeds, so no policy is "
                     "ranked and no difference is called beyond the noise. The table gives each seed's difference "
                     "from its baseline.")  # fmt: skip
        return lines
    cost = table.get(COST, {})
    spend = table["spending"]
    for ind in INDICATORS:
        if not ind.better:
            continue
        cells = {a: c for a, c in table[ind.name].items() if a != BASELINE and np.isfinite(c.diff)}
        if not cells:
            lines.append(f"{ind.goal.capitalize()}: nothing to compare in these runs (no one to count).")
            continue
        sign = -1 if ind.better == "lower" else 1
        good = sorted(((a, c) for a, c in cells.items() if c.significant and sign * c.diff > 0),
                      key=lambda kv: sign * kv[1].diff, reverse=True)  # fmt: skip
        bad = sorted(((a, c) for a, c in cells.items() if c.significant and sign * c.diff < 0),
                     key=lambda kv: sign * kv[1].diff)  # fmt: skip
        if good:
            best, c = good[0]
            verb = "lowers" if sign < 0 else "raises"
            text = f"{ind.goal.capitalize()}: {_effect_text(best, c, ind)} {verb} it most"
            spent = spend[best].diff
            if ind.name != "employment" and np.isfinite(spent) and abs(spent) >= 0.05:
                text += f", for EUR {spent:+,.1f} million of spending on training"
            per_year = cost.get(best)
            if per_year is not None and np.isfinite(per_year.mean):
                text += f", about EUR {per_year.mean:,.0f} per additional person-year of employment"
            others = [_effect_text(a, cc, ind) for a, cc in good[1:]]
            if others:
                text += "; beyond the noise too: " + ", ".join(others)
            lines.append(text + ".")
        if bad:
            verb = "do" if len(bad) > 1 else "does"
            lines.append(f"{ind.goal.capitalize()}: {', '.join(_effect_text(a, c, ind) for a, c in bad)} "
                         f"{verb} worse than the baseline, beyond the noise.")  # fmt: skip
        if not good and not bad:
            lines.append(f"{ind.goal.capitalize()}: no policy changes it beyond the noise.")
        elif not good:
            lines.append(f"{ind.goal.capitalize()}: no policy improves it beyond the noise.")
    lines.append(f"Each policy is compared with the baseline run of the same seed (common random numbers), over "
                 f"{paired_seeds} seeds: {METHOD}.")  # fmt: skip
    return lines


# ---------------------------------------------------------------- parts of the page
def _table_html(src: Source, table: dict[str, dict[str, Cell]]) -> str:
    digits = {i.name: i.digits for i in INDICATORS}
    units = {i.name: i.unit for i in INDICATORS}
    labels = {i.name: i.label for i in INDICATORS}
    units[COST], labels[COST] = "EUR, where employment rises beyond the noise", COST_LABEL
    head = "".join(f"<th>{_e(labels[name])}<br><span class='note'>{_e(units[name])}</span></th>" for name in table)
    rows = []
    for arm in src.arms:
        cells = []
        for name, per_arm in table.items():
            c = per_arm[arm]
            d = digits.get(name, 0)
            text = _fmt(c.mean, d)
            if np.isfinite(c.low):
                text += f"<br><span class='note'>[{_fmt(c.low, d)}, {_fmt(c.high, d)}]</span>"
            if c.effect is not None and np.isfinite(c.diff):
                cls = " class='sig'" if c.significant else ""
                text += f"<br><span{cls}>{c.diff:+,.{d}f}</span>"
                if not c.effect.resolved:  # too few seeds for an interval: each seed's difference
                    each = ", ".join(f"{v:+,.{d}f}" for v in c.effect.values)
                    text += f"<br><span class='note'>per seed: {each}</span>"
                elif np.isfinite(c.diff_low):
                    text += f"<br><span class='note'>({c.diff_low:+,.{d}f}, {c.diff_high:+,.{d}f})</span>"
            cells.append(f"<td data-indicator='{_e(name)}' data-arm='{_e(arm)}' data-mean='{c.mean!r}'>{text}</td>")
        rows.append(f"<tr><td>{_e(arm)}</td>{''.join(cells)}</tr>")
    page = f"<table><thead><tr><th>{_e(src.arm)}</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    return f"<div class='wide'>{page}</div>"


def _embed(fig, folder: Path, stem: str) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    fig.savefig(folder / f"{stem}.png")
    fig.savefig(folder / f"{stem}.svg")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _assumptions(src: Source) -> str:
    from fowsim.policies import REGISTRY

    cfg = src.config()
    shock = cfg.get("shock", {})
    world = cfg.get("world", {})
    items = [
        f"World <code>{_e(world.get('name', '?'))}</code> (data <code>{_e(world.get('data', '?'))}</code>): its "
        "figures and their sources are in the world's folder (<code>SOURCES.md</code>, a source on every row).",
        f"{_e(cfg.get('workers', '?'))} simulated workers, {_e(cfg.get('months', '?'))} months from "
        f"{_e(cfg.get('start', '?'))}; each simulated worker stands for about "
        f"{_e(format(float(src.ds.attrs.get('scale_people_per_worker', np.nan)), ',.0f'))} people.",
        f"Automation shock <code>{_e(shock.get('kind', 'none'))}</code>: size {_e(shock.get('size'))}, from month "
        f"{_e(shock.get('start_month'))} over {_e(shock.get('duration_months'))} months, reallocation "
        f"{_e(shock.get('reallocation'))}.",
    ]
    if src.kind == "sweep":
        keys = json.loads(src.ds.attrs.get("swept_keys", "[]"))
        items.append("Swept: " + "; ".join(f"<code>{_e(k)}</code> = {_e(', '.join(map(str, src.ds[k].values)))}"
                                            for k in keys if k in src.ds.dims) + ".")  # fmt: skip
    policies = []
    for arm in src.arms:
        c = src.config(**{src.arm: arm}) if src.kind == "sweep" else cfg
        for name, params in sorted((c.get("policy") or {}).items()):
            doc = (REGISTRY[name].__doc__ or "").strip().splitlines()[0] if name in REGISTRY else ""
            given = ", ".join(f"{k} = {v}" for k, v in (params or {}).items())
            policies.append(f"<li><b>{_e(arm)}</b>: <code>{_e(name)}</code>: {_e(doc)} "
                            f"<span class='note'>({_e(given) or 'defaults'})</span></li>")  # fmt: skip
    body = "".join(f"<li>{i}</li>" for i in items)
    pol = f"<h3>Policies</h3><ul>{''.join(policies)}</ul>" if policies else "<p>No policy: the baseline.</p>"
    return f"<ul>{body}</ul>{pol}{_sources(world)}"


def _sources(world: dict) -> str:
    """The world's data sources (its SOURCES.md and its bases'), folded, as plain text."""
    from fowsim.world import resolve_data_dir, world_layers

    try:
        layers = world_layers(resolve_data_dir(world.get("data", "default")))
    except Exception:  # noqa: BLE001 - a world moved since the run: say so rather than fail the report
        return "<p class='note'>The world's data folder is not available here; its sources are not shown.</p>"
    texts = [p.joinpath("SOURCES.md").read_text() for p in reversed(layers) if (p / "SOURCES.md").is_file()]
    if not texts:
        return ""
    return ("<h3>The world's data sources</h3><details><summary>SOURCES.md of the world's data folder"
            f"</summary><pre>{_e(chr(10).join(texts))}</pre></details>")  # fmt: skip


def _page(title: str, parts: list[str], out: Path) -> Path:
    page = (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{_e(title)}</title>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'><style>{CSS}</style></head>"
            f"<body>{''.join(parts)}</body></html>")  # fmt: skip
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(out)
    return out


def _study_file(path: Path) -> Path | None:
    """The `sensitivity.nc` that `path` names (the file, or a study folder holding it), if any."""
    if path.is_file() and path.name == "sensitivity.nc":
        return path
    if path.is_dir() and (path / "sensitivity.nc").is_file() and not (path / "sweep.nc").is_file():
        return path / "sensitivity.nc"
    return None


def build_study(path: Path, out: Path | None = None) -> Path:
    """The report of a sensitivity study: its indices, discovery boxes and regret (`fowsim.report.sensitivity`)."""
    import xarray as xr

    from fowsim.report.sensitivity import section

    with xr.open_dataset(path) as f:
        ds = f.load()
    out = Path(out) if out else path.parent / "report.html"
    assets = out.with_name(out.stem + "_figures")
    assets.mkdir(parents=True, exist_ok=True)
    title = f"fowsim sensitivity report: {path.parent.name}"
    meta = f"a sensitivity study · fowsim {__version__} · {_dt.date.today().isoformat()} · source {path}"
    parts = [f"<h1>{_e(title)}</h1>", f"<p class='meta'>{_e(meta)}</p>",
             section(ds, lambda fig, stem: _embed(fig, assets, stem))]  # fmt: skip
    study = json.dumps(json.loads(ds.attrs.get("study", "{}")), indent=1, sort_keys=True)
    parts.append(f"<h2 id='appendix'>Appendix: the study as declared</h2><pre>{_e(study)}</pre>")
    return _page(title, parts, out)


def build(path: str | Path, out: str | Path | None = None) -> Path:
    """Write the report of the run, sweep or sensitivity study at `path` to `out` (default: `report.html` beside it)."""
    study = _study_file(Path(path))
    if study is not None:
        return build_study(study, Path(out) if out else None)
    src = load(path)
    out = Path(out) if out else src.path.parent / "report.html"
    assets = out.with_name(out.stem + "_figures")
    assets.mkdir(parents=True, exist_ok=True)
    title = f"fowsim report: {src.path.parent.name}"
    what = f"a sweep, {int(src.ds.sizes['seed'])} seed(s) per arm" if src.kind == "sweep" else "a single run"
    meta = f"{what} · fowsim {__version__} · {_dt.date.today().isoformat()} · source {src.path}"
    parts = [f"<h1>{_e(title)}</h1>", f"<p class='meta'>{_e(meta)}</p>"]
    bad = failures(src)
    if bad:
        items = "".join(f"<li>{_e(b)}</li>" for b in bad[:20])
        more = f"<li>and {len(bad) - 20} more</li>" if len(bad) > 20 else ""
        warn = (f"<b>{len(bad)} run(s) did not finish.</b> The figures and tables below leave them out, so some "
                f"arms rest on fewer seeds:<ul>{items}{more}</ul>")  # fmt: skip
        parts.append(f"<div class='warn' id='incomplete'>{warn}</div>")
    tables, summary = [], []
    for facet in facets(src):
        table = headline(src, facet)
        heading = f"<h3>{_e(_facet_name(facet))}</h3>" if facet else ""
        lines = summary_lines(src, facet, table)
        summary.append(heading + "<ul>" + "".join(f"<li>{_e(x)}</li>" for x in lines) + "</ul>")
        tables.append(heading + _table_html(src, table))
    parts.append("<h2 id='summary'>Executive summary</h2>" + "".join(summary))
    note = (
        "Each cell: the mean across seeds and [5th, 95th percentile] across seeds; where there is a "
        "baseline, the mean difference from the baseline run of the same seed and its Student-t 90% interval "
        f"(bold: beyond the noise, with at least {MIN_SEEDS} seeds and Benjamini-Hochberg control of the "
        "false discovery rate at 10% over the table's differences; with fewer seeds, each seed's difference)."
    )
    parts.append(f"<h2 id='headline'>Headline table</h2><p class='note'>{note}</p>" + "".join(tables))
    charts = []
    for facet in facets(src):
        suffix = "_".join(f"{v}" for v in facet.values())
        for stem, caption, fn in fg.FIGURES:
            fig = fn(src, facet)
            if fig is None:
                continue
            name = f"{stem}_{suffix}" if suffix else stem
            data = _embed(fig, assets, name)
            cap = caption + (f" ({_facet_name(facet)})" if facet else "") + ". " + (fn.__doc__ or "").strip()
            charts.append(f"<figure id='{_e(name)}'><img alt='{_e(caption)}' src='data:image/png;base64,{data}'>"
                          f"<figcaption>{_e(cap)}</figcaption></figure>")  # fmt: skip
    parts.append("<h2 id='charts'>Charts</h2>" + "".join(charts))
    parts.append("<h2 id='assumptions'>Scenario and assumptions</h2>" + _assumptions(src))
    config = json.dumps(src.config(), indent=1, sort_keys=True)
    parts.append(f"<h2 id='appendix'>Appendix: the full config</h2><pre>{_e(config)}</pre>")
    return _page(title, parts, out)
