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
from typing import Any

import numpy as np

from fowsim._version import __version__
from fowsim.effects import METHOD, MIN_SEEDS
from fowsim.indicators import Indicator
from fowsim.recorder import open_results
from fowsim.report import figures as fg
from fowsim.report.data import (
    BASELINE,
    COST,
    COST_LABEL,
    INDICATORS,
    Cell,
    Source,
    facets,
    failures,
    headline,
    load,
    participant_effects,
    resolutions,
)
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
nav{font-size:.9rem;background:#f7f7f7;padding:.4rem .9rem;margin:1rem 0}nav ol{margin:.2rem 0}
@page{size:A4 landscape;margin:12mm}
@media print{body{max-width:none;margin:0;padding:0;font-size:9.5pt}h2{page-break-after:avoid}
nav{display:none}.wide{overflow:visible}table{font-size:6.6pt;table-layout:fixed;width:100%}
th,td{padding:.1rem .15rem;word-wrap:break-word;overflow-wrap:anywhere}table .note{font-size:1em}
th:first-child,td:first-child{width:13%}thead{display:table-header-group}
tr{page-break-inside:avoid}figure img{max-width:100%;max-height:17cm}details{display:block}
details>*{display:block}pre{font-size:6.5pt}}
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
    below = {a: r for a, r in resolutions(src, facet).items() if not r.resolved}
    if below and src.has_baseline:
        lines.append("Not measured, " + "; ".join(f"{a}: {r.text()}" for a, r in below.items()) + ".")
    if not src.has_baseline:
        for ind in INDICATORS[:4]:
            cells = table[ind.name]
            ordered = sorted(cells.items(), key=lambda kv: kv[1].mean, reverse=ind.better == "higher")
            parts = ", ".join(f"{a} {_fmt(c.mean, ind.digits)}" for a, c in ordered)
            lines.append(f"{ind.label.capitalize()} ({ind.unit}): {parts}.")
        lines.append(f"There is no baseline arm to compare with: figures are levels, over {n_seeds} seed(s).")
        return lines
    paired_seeds = seeds_compared(table)
    if not [a for a in src.arms if a != BASELINE and a not in below]:
        lines.append("No policy arm is resolved at this size, so none is compared with the baseline: raise workers "
                     "to the sizes named above.")  # fmt: skip
        return lines
    if paired_seeds < MIN_SEEDS:
        arms = ", ".join(a for a in src.arms if a != BASELINE and a not in below)
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
                text += f", for EUR {spent:+,.1f} million of extra spending, all payers"
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
def _table_html(src: Source, table: dict[str, dict[str, Cell]], facet: dict | None = None) -> str:
    digits = {i.name: i.digits for i in INDICATORS}
    units = {i.name: i.unit for i in INDICATORS}
    labels = {i.name: i.label for i in INDICATORS}
    units[COST], labels[COST] = "EUR, where employment rises beyond the noise", COST_LABEL
    head = "".join(f"<th>{_e(labels[name])}<br><span class='note'>{_e(units[name])}</span></th>" for name in table)
    rows = []
    res = resolutions(src, facet or {})
    for arm in src.arms:
        cells = []
        if not res[arm].resolved:
            note = f"<br><span class='note' data-resolution='below'>{_e(res[arm].text())}</span>"
            rows.append(f"<tr><td>{_e(arm)}{note}</td>" + "".join(
                f"<td data-indicator='{_e(n)}' data-arm='{_e(arm)}'>{_fmt(per[arm].mean, digits.get(n, 0))}</td>"
                for n, per in table.items()) + "</tr>")  # fmt: skip
            continue
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


def _participants_html(src: Source, facet: dict) -> str:
    """The effects on the people of the policies' lotteries: one small table per effect, horizons across."""
    from fowsim import evaluation
    from fowsim.lottery import HORIZONS

    effects = participant_effects(src, facet)
    res = resolutions(src, facet)
    rows = [(arm, part, pe) for arm, parts in effects.items() for part, pe in parts.items()]
    if not rows:
        return "<p>No policy of these runs chose its participants by lottery.</p>"
    has_base = any(pe.get("total", "employed", h) for _, _, pe in rows for h in HORIZONS)
    scale = float(src.ds.attrs.get("scale_people_per_worker", 1.0))
    blocks = []
    for eff, text in evaluation.EFFECTS.items():
        if eff in ("spillover", "total") and not has_base:
            continue
        head = "".join(f"<th>{h} months</th>" for h in HORIZONS)
        body = []
        for arm, part, pe in rows:
            label = arm if arm == part else f"{arm}: {part}"
            if pe.winners >= evaluation.RESOLUTION:
                cells = []
                for h in HORIZONS:
                    e = pe.get(eff, "employed", h)
                    if e is None:
                        cells.append("<td>–</td>")
                    elif not e.resolved:
                        each = ", ".join(f"{v:+.1f}" for v in e.values)
                        cells.append(f"<td>{e.mean:+.1f}<br><span class='note'>per seed: {each}</span></td>")
                    else:
                        cells.append(f"<td>{e.mean:+.1f}<br><span class='note'>({e.low:+.1f}, {e.high:+.1f})"
                                     "</span></td>")  # fmt: skip
                body.append(f"<tr><td>{_e(label)}</td>{''.join(cells)}<td>{pe.winners:,.0f}</td></tr>")
            else:
                workers = res[arm].workers if arm in res else 0
                _, need = evaluation.resolution(pe.winners, workers, scale)
                below = evaluation.below_resolution(pe.winners, workers, need, unit="winners followed")
                body.append(f"<tr><td>{_e(label)}</td><td colspan='{len(HORIZONS) + 1}' data-resolution='below'>"
                            f"{_e(below)}</td></tr>")  # fmt: skip
        blocks.append(f"<h4>{_e(eff.capitalize())}: {_e(text)}</h4><div class='wide'><table><thead><tr>"
                      f"<th>policy</th>{head}<th>winners a run</th></tr></thead><tbody>{''.join(body)}</tbody>"
                      "</table></div>")  # fmt: skip
    if not has_base:
        blocks.append("<p class='note'>The spillover and total effects need the baseline runs' panel of every "
                      "worker: run the baseline with <code>evaluation.panel=baseline</code> (the experiments "
                      "that compare policies set it).</p>")  # fmt: skip
    return "".join(blocks)


def _groups_html(src: Source, facet: dict) -> str:
    """Outcomes of women, men and youth by region, each arm's mean over its finished seeds.

    From `metrics.outcomes_by_group`. The reference arm's table is open; the other arms' fold away.
    """
    from fowsim.metrics import GROUP_OUTCOMES, outcomes_by_group

    ds = src.ds.sel(facet) if facet else src.ds
    done = ds.run_status == 0
    table = outcomes_by_group(ds).where(done).mean("seed")
    head = "".join(f"<th>{_e(label)} ({_e(unit)})</th>" for label, unit in GROUP_OUTCOMES.values())
    blocks = []
    for arm in sorted(src.arms, key=lambda a: a != src.reference):
        one = table.sel({src.arm: arm})
        rows = []
        for region in one.region.values:
            for group in ("women", "men", "youth"):
                cells = "".join(
                    f"<td>{_fmt(float(one[name].sel(region=region, group=group)), 1)}</td>" for name in GROUP_OUTCOMES
                )
                rows.append(f"<tr><td>{_e(region)}: {group}</td>{cells}</tr>")
        page = (f"<div class='wide'><table><thead><tr><th>region: group</th>{head}</tr></thead>"
                f"<tbody>{''.join(rows)}</tbody></table></div>")  # fmt: skip
        if arm == src.reference:
            blocks.append(f"<h4>{_e(arm)}</h4>{page}")
        else:
            blocks.append(f"<details><summary><b>{_e(arm)}</b></summary>{page}</details>")
    return "".join(blocks)


def _embed(fig, folder: Path, stem: str) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    fig.savefig(folder / f"{stem}.png")
    fig.savefig(folder / f"{stem}.svg")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def calendar(start: str, month: Any) -> str:
    """Month `month` of a run starting in `start` (YYYY-MM) as a calendar month, e.g. 'January 2021'."""
    try:
        year, m = (int(x) for x in str(start).split("-"))
        total = year * 12 + m - 1 + int(month)
    except (TypeError, ValueError):
        return f"month {month}"
    return _dt.date(total // 12, total % 12 + 1, 1).strftime("%B %Y")


def preset_text(name: str) -> str:
    """The description at the head of the policy preset `configs/policy/<name>.yaml`, in words ('' if none)."""
    from fowsim.config import config_dir

    path = config_dir() / "policy" / f"{name}.yaml"
    if not path.is_file():
        return ""
    lines = []
    for line in path.read_text().splitlines():
        if not line.startswith("#"):
            break
        text = line.lstrip("#").strip()
        if text.startswith(("Used by", "Each part", "fowsim", "@package")):
            break
        lines.append(text)
    return " ".join(lines).strip()


def _assumptions(src: Source) -> str:
    """What each facet assumes (world, size, shock, in calendar months), and each arm's policies in words."""
    from fowsim.policies import REGISTRY

    sections = []
    for facet in facets(src):
        cfg = src.config(**facet) if src.kind == "sweep" else src.config()
        shock, world, start = cfg.get("shock", {}), cfg.get("world", {}), cfg.get("start", "2020-01")
        months = cfg.get("months", 0) or 0
        items = [
            f"World <code>{_e(world.get('name', '?'))}</code> (data <code>{_e(world.get('data', '?'))}</code>): "
            "its figures and their sources are in the world's folder (<code>SOURCES.md</code>, a source on every "
            "row).",
            f"{_e(format(int(cfg.get('workers', 0) or 0), ','))} simulated workers over {_e(months)} months, "
            f"{_e(calendar(start, 0))} to {_e(calendar(start, max(int(months) - 1, 0)))}; each simulated worker "
            f"stands for about {_e(format(float(src.ds.attrs.get('scale_people_per_worker', np.nan)), ',.0f'))} "
            "people.",
        ]
        kind = shock.get("kind", "none")
        if kind == "none":
            items.append("No automation shock.")
        else:
            years = (shock.get("duration_months") or 0) / 12
            items.append(f"Automation shock <code>{_e(kind)}</code> of size {_e(shock.get('size'))}, from "
                         f"{_e(calendar(start, shock.get('start_month', 0)))} over {years:g} years, reallocation "
                         f"{_e(shock.get('reallocation'))}.")  # fmt: skip
        policies = []
        for arm in src.arms:
            c = src.config(**{src.arm: arm}, **facet) if src.kind == "sweep" else cfg
            described = preset_text(arm)
            parts = []
            for name, params in sorted((c.get("policy") or {}).items()):
                doc = (REGISTRY[name].__doc__ or "").strip().splitlines()[0] if name in REGISTRY else ""
                params = params or {}
                when = f"from {calendar(start, params.get('start_month', 12))}"
                if params.get("end_month") is not None:
                    when += f" to {calendar(start, int(params['end_month']) - 1)}"
                given = ", ".join(f"{k} = {v}" for k, v in params.items() if k not in ("start_month", "end_month"))
                parts.append(f"<code>{_e(name)}</code>: {_e(doc)} {_e(when)} "
                             f"<span class='note'>({_e(given) or 'defaults'})</span>")  # fmt: skip
            if not parts:
                continue
            head = f"<b>{_e(arm.replace('_', ' '))}</b>" + (f": {_e(described)}" if described else "")
            policies.append(f"<li>{head}<ul>{''.join(f'<li>{p}</li>' for p in parts)}</ul></li>")
        heading = f"<h3>{_e(_facet_name(facet))}</h3>" if facet else ""
        body = "".join(f"<li>{i}</li>" for i in items)
        pol = f"<h4>Policies</h4><ul>{''.join(policies)}</ul>" if policies else "<p>No policy: the baseline.</p>"
        sections.append(f"{heading}<ul>{body}</ul>{pol}")
    swept = ""
    if src.kind == "sweep":
        keys = json.loads(src.ds.attrs.get("swept_keys", "[]"))
        swept = "<p>Swept: " + "; ".join(f"<code>{_e(k)}</code> = {_e(', '.join(map(str, src.ds[k].values)))}"
                                         for k in keys if k in src.ds.dims) + ".</p>"  # fmt: skip
    world = (src.config(**facets(src)[0]) if src.kind == "sweep" else src.config()).get("world", {})
    return swept + "".join(sections) + _sources(world)


def _appendix(src: Source) -> str:
    """The full config of the reference arm in each facet, and each other arm's policy settings."""
    out = []
    for facet in facets(src):
        sel = {**facet, src.arm: src.reference} if src.kind == "sweep" else {}
        cfg = src.config(**sel) if src.kind == "sweep" else src.config()
        heading = f"<h3>{_e(_facet_name(facet))}</h3>" if facet else ""
        out.append(f"{heading}<p>The full config of <b>{_e(src.reference)}</b>:</p>"
                   f"<pre>{_e(json.dumps(cfg, indent=1, sort_keys=True))}</pre>")  # fmt: skip
        for arm in src.arms:
            if arm == src.reference or src.kind != "sweep":
                continue
            policy = src.config(**facet, **{src.arm: arm}).get("policy", {})
            out.append(
                f"<details><summary><b>{_e(arm)}</b>: its <code>policy</code> settings (the rest as "
                f"above)</summary><pre>{_e(json.dumps(policy, indent=1, sort_keys=True))}</pre></details>"
            )
    return "".join(out)


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
    from fowsim.report.sensitivity import section

    with open_results(path) as f:
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
        tables.append(heading + _table_html(src, table, facet))
    parts.append("<h2 id='summary'>Executive summary</h2>" + "".join(summary))
    note = (
        "Each cell: the mean across seeds and [5th, 95th percentile] across seeds; where there is a "
        "baseline, the mean difference from the baseline run of the same seed and its Student-t 90% interval "
        f"(bold: beyond the noise, with at least {MIN_SEEDS} seeds and Benjamini-Hochberg control of the "
        "false discovery rate at 10% over the table's differences; with fewer seeds, each seed's difference)."
    )
    parts.append(f"<h2 id='headline'>Headline table</h2><p class='note'>{note}</p>" + "".join(tables))
    from fowsim.evaluation import RESOLUTION_BASIS

    about = (
        "Where a policy chooses its participants among eligible people, it draws them by lottery, and the run "
        "follows the winners and as many of the eligible who lost, 6, 12, 24 and 36 months on. Effects in points "
        "of the share employed, mean over seeds and (Student-t 90% interval), or each seed's value with fewer "
        f"than {MIN_SEEDS} seeds. The direct effect compares winners with losers of the same month; taking part "
        "divides it by the share of losers who had no place by then; the spillover compares the losers with "
        "themselves in the baseline run of the same seed, the total effect the winners (Crepon et al. 2013). "
        f"Resolution: {RESOLUTION_BASIS}. See docs/effects.md."
    )
    people = [(f"<h3>{_e(_facet_name(f))}</h3>" if f else "") + _participants_html(src, f) for f in facets(src)]
    parts.append(f"<h2 id='participants'>Effects on participants</h2><p class='note'>{_e(about)}</p>"
                 + "".join(people))  # fmt: skip
    about = (
        "Over the last 12 months, pooled over months and averaged over seeds. Rates are within the group (the "
        "unemployment rate of women is unemployed women over women in the labour force; the informal share is of "
        "those at work; over-qualification is of employed tertiary graduates); shares are the group's part of the "
        "region's total. A mean wage is the group's against everyone's in formal jobs: pay does not depend on sex "
        "or age in the model, so its gaps come from where each group works. Youth: aged 15-24; –: no one to count."
    )
    groups = [(f"<h3>{_e(_facet_name(f))}</h3>" if f else "") + _groups_html(src, f) for f in facets(src)]
    parts.append(f"<h2 id='groups'>Women, men and youth</h2><p class='note'>{_e(about)}</p>" + "".join(groups))
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
    parts.append("<h2 id='appendix'>Appendix: the configs</h2>" + _appendix(src))
    return _page(title, [*parts[:2], _contents(parts), *parts[2:]], out)


def _contents(parts: list[str]) -> str:
    """A table of contents of the page's sections (its h2 headings)."""
    import re

    found = re.findall(r"<h2 id='([^']+)'>([^<]+)</h2>", "".join(parts))
    items = "".join(f"<li><a href='#{i}'>{t}</a></li>" for i, t in found)
    return f"<nav id='contents'><b>Contents</b><ol>{items}</ol></nav>"
