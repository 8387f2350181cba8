"""Policy effects against the baseline in a multirun folder: `fowsim compare DIR` (or `python -m fowsim.compare DIR`).

A multirun (`fowsim run -m +experiment=...`) holds one run folder per arm and seed. Each policy
arm is compared with the baseline arm that shares its other swept keys (the shock, say) and its
seed: common random numbers, so the differences are the policy's effects, and their spread over
seeds gives a standard error. `effects` returns a table of the indicators below; the command
prints it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr
import yaml

from fowsim import evaluation
from fowsim.effects import METHOD, MIN_SEEDS, adjust, paired
from fowsim.evaluation import RESOLUTION, RESOLUTION_BASIS
from fowsim.indicators import COMPARE, INDICATORS
from fowsim.lottery import HORIZONS
from fowsim.recorder import open_results


def _participants(ds: xr.Dataset) -> float:
    """Thousand people the run's policies enrolled or moved (their accounts)."""
    return sum(a["participants"] for a in json.loads(ds.attrs.get("policy_accounts", "{}")).values()) / 1e3


def differences(p: xr.Dataset, b: xr.Dataset) -> dict[str, float]:
    """Each comparison indicator of run `p` minus the baseline run `b`'s (the same seed); `p`'s participants."""
    row = {name: float(INDICATORS[name].compute(p) - INDICATORS[name].compute(b)) for name in COMPARE}
    row = {k: 0.0 if v != v else v for k, v in row.items()}  # a share with nothing to share on either side
    row["participants"] = _participants(p)
    row["simulated_participants"] = evaluation.simulated_participants(p.attrs)
    row["workers"] = float(p.attrs.get("workers", 0))
    row["scale"] = float(p.attrs.get("scale_people_per_worker", 1.0))
    row["enrols"] = float(evaluation.enrols((json.loads(p.attrs.get("config", "{}")).get("policy") or {}).keys()))
    return row


COLUMNS = (*COMPARE, "participants")
UNITS = {**{n: INDICATORS[n].diff_unit for n in COMPARE}, "participants": "thousand people"}


def runs(folder: str | Path) -> dict[tuple[tuple[str, str], ...], Path]:
    """The finished runs of a multirun folder, keyed by their swept overrides (sorted key=value pairs)."""
    out = {}
    for nc in sorted(Path(folder).glob("*/results.nc")):
        overrides = yaml.safe_load((nc.parent / ".hydra" / "overrides.yaml").read_text()) or []
        pairs = [o.split("=", 1) for o in overrides if "=" in o and not o.startswith(("+", "~", "hydra."))]
        out[tuple(sorted((k.lstrip("+"), v) for k, v in pairs))] = nc
    return out


def _policy_runs(folder: str | Path, baseline: str) -> list[tuple[tuple, Path, Path | None]]:
    """Each policy run of a multirun folder with its arm and its baseline run.

    The arm is the keys that vary (but `seed`) and `policy`; the baseline is the `results.nc` of the
    run with the same other keys and seed (None if there is none).
    """
    found = runs(folder)
    if not found:
        raise FileNotFoundError(f"{folder}: no finished runs (*/results.nc)")
    varying = {k for k in {k for key in found for k, _ in key} if len({dict(key).get(k) for key in found}) > 1}
    out = []
    for key, nc in found.items():
        kv = dict(key)
        if kv.get("policy") == baseline:
            continue
        base_key = tuple(sorted({**kv, "policy": baseline}.items()))
        arm = tuple((k, v) for k, v in key if k != "seed" and (k in varying or k == "policy"))
        out.append((arm, nc, found.get(base_key)))
    return out


def effects(folder: str | Path, baseline: str = "baseline") -> pd.DataFrame:
    """Each indicator's effect, policy minus the baseline run of the same seed, over seeds (`fowsim.effects`).

    Rows: one per arm (the keys whose values differ between runs, but `seed`); columns per indicator:
    `<indicator>` (the mean paired difference), `<indicator>_se`, `<indicator>_low` and `_high` (its
    Student-t 90% interval), `<indicator>_p`, and `<indicator>_beyond_noise` (at least `MIN_SEEDS`
    seeds and Benjamini-Hochberg over every difference of the table at a false discovery rate of
    10%); then `cost_per_person_year` (EUR of extra spending per extra person-year of employment, only
    where the employment gain is beyond the noise) and `seeds`.
    """
    diffs: dict[tuple, list[dict[str, float]]] = {}
    for arm, nc, base in _policy_runs(folder, baseline):
        if base is None:
            continue
        with open_results(nc) as p, open_results(base) as b:
            diffs.setdefault(arm, []).append(differences(p, b))
    if not diffs:
        raise ValueError(f"{folder}: no policy run has a matching {baseline!r} run (same other keys and seed)")
    found_effects = {arm: {name: paired(pd.DataFrame(rows)[name].to_numpy()) for name in COMPARE}
                     for arm, rows in diffs.items()}  # fmt: skip
    adjust([e for per_arm in found_effects.values() for e in per_arm.values()])  # one family: the whole table
    table = []
    for arm, rows in diffs.items():
        entry: dict[str, Any] = dict(arm)
        for name, e in found_effects[arm].items():
            entry.update({name: e.mean, f"{name}_se": e.se, f"{name}_low": e.low, f"{name}_high": e.high,
                          f"{name}_p": e.adjusted, f"{name}_beyond_noise": e.significant})  # fmt: skip
        frame = pd.DataFrame(rows)
        entry["participants"] = float(frame["participants"].mean())
        entry["simulated_participants"] = float(frame["simulated_participants"].mean())
        entry["workers"] = int(frame["workers"].max())
        entry["resolved"], entry["workers_to_resolve"] = evaluation.resolution(
            entry["simulated_participants"], entry["workers"], float(frame["scale"].max())
        )
        if not frame["enrols"].any():  # a policy that acts on everyone concerned: nobody to count
            entry["resolved"], entry["workers_to_resolve"] = True, entry["workers"]
        # EUR per extra person-year, only where employment rises beyond the noise
        gain, extra = found_effects[arm]["employment"], found_effects[arm]["spending"].mean
        entry["cost_per_person_year"] = extra / gain.mean if gain.significant and gain.mean > 0 else float("nan")
        entry["seeds"] = len(rows)
        table.append(entry)
    keys = [k for k, _ in next(iter(diffs))]
    return pd.DataFrame(table).sort_values(keys, kind="stable").reset_index(drop=True)


def accounts(folder: str | Path) -> pd.DataFrame:
    """Each run's policy accounts (`summary.json`: budget, spending, participants, outcomes), one row per policy.

    Columns: the run's swept keys, `part` (the policy within the arm) and the account's fields.
    """
    rows = []
    for key, nc in runs(folder).items():
        summary = json.loads((nc.parent / "summary.json").read_text())
        for part, account in summary.get("policies", {}).items():
            rows.append({**dict(key), "part": part, **{k: _float(v) for k, v in account.items()}})
    return pd.DataFrame(rows)


def _float(value) -> float:
    return float("nan") if value is None else float(value)


def mean_accounts(folder: str | Path) -> pd.DataFrame:
    """`accounts` averaged over seeds: one row per arm and policy, numeric fields only."""
    table = accounts(folder)
    if table.empty:
        raise ValueError(f"{folder}: no run has a policy account")
    numeric = [c for c in table.columns if pd.api.types.is_float_dtype(table[c])]
    keys = [c for c in table.columns if c not in numeric and c != "seed"]
    return table.groupby(keys, sort=True)[numeric].mean().reset_index()


def format_effects(table: pd.DataFrame) -> str:
    """The table as aligned text: mean ± standard error (* beyond the noise), the unit of each indicator below."""
    keys = [c for c in table.columns if c not in COLUMNS and not c.endswith(("_se", "_low", "_high", "_p",
            "_beyond_noise")) and c not in EXTRA]  # fmt: skip
    short = {"employment": "employment", "spending": "spending", "public_spending": "public",
             "displaced_employed_6m": "displ.6m", "displaced_employed_24m": "displ.24m",
             "migrant_overqualification": "migr.overq.", "long_term_unemployed": "LTU", "migration": "migration",
             "completions": "completions", "formalisations": "formalised", "participants": "particip."}  # fmt: skip
    width = {k: max(len(k), *(len(str(v)) for v in table[k])) for k in keys}
    head = " ".join(k.ljust(width[k]) for k in keys) + "".join(f"{short[n]:>17}" for n in COLUMNS)
    lines = [head + f"{'EUR/person-yr':>15}"]
    for _, r in table.iterrows():
        if not r.get("resolved", True):
            lines.append(" ".join(str(r[k]).ljust(width[k]) for k in keys) + "  " + below_resolution(r))
            continue
        cells = "".join(
            f"{r[n]:>10.1f} ±{r[n + '_se']:<5.1f}{'*' if r.get(n + '_beyond_noise') else ' '}"
            if n in COMPARE and np.isfinite(r[n + "_se"])
            else f"{r[n]:>17.1f} "
            for n in COLUMNS
        )
        cpy = f"{r['cost_per_person_year']:>15,.0f}" if np.isfinite(r["cost_per_person_year"]) else f"{'-':>15}"
        lines.append(" ".join(str(r[k]).ljust(width[k]) for k in keys) + cells + cpy)
    lines.append("")
    lines += [f"{short[n]}: {n.replace('_', ' ')}, {UNITS[n]}, policy minus baseline" for n in COLUMNS]
    lines.append("EUR/person-yr: extra spending per extra person-year employed, where the gain is beyond the noise")
    seeds = int(table["seeds"].min())
    lines.append(f"mean ± standard error over {seeds}-{int(table['seeds'].max())} seeds; * beyond the noise: {METHOD}")
    if seeds < MIN_SEEDS:
        lines.append(f"fewer than {MIN_SEEDS} seeds: no effect can be told from the noise, and the arms are not "
                     "ranked; run more seeds")  # fmt: skip
    return "\n".join(lines)


EXTRA = ("cost_per_person_year", "seeds", "simulated_participants", "workers", "resolved", "workers_to_resolve")


def below_resolution(r: Any) -> str:
    """What to say of an arm whose participants are too few to measure at this size."""
    return evaluation.below_resolution(r["simulated_participants"], int(r.get("workers", 0) or 0),
                                       int(r["workers_to_resolve"]), people=r["participants"] * 1e3)  # fmt: skip


def participant_effects(folder: str | Path, baseline: str = "baseline", outcome: str = "employed") -> pd.DataFrame:
    """Each policy's effects on the people of its lotteries (`fowsim.evaluation`), over seeds, in points.

    Rows: arm and policy (`part`); columns per effect (direct, participation, spillover, total) and
    horizon: `<effect>_<h>m` (mean), `_low`, `_high`; then `winners` (simulated workers a run who won a
    place), `seeds` and `baseline_panel` (whether the baseline runs kept the panel the spillover and
    total effects need: `evaluation.panel=baseline`).
    """
    per: dict[tuple, list[evaluation.RunEffects]] = {}
    panels = []
    cache: dict[Path, evaluation.BaselinePanel | None] = {}
    for arm, nc, base in _policy_runs(folder, baseline):
        b = evaluation.baseline_panel(base, cache) if base is not None else None
        panels.append(b is not None)
        with open_results(nc) as p:
            for part, r in evaluation.effects_of_run(p, b).items():
                per.setdefault((*arm, ("part", part)), []).append(r)
    rows = []
    for arm, found_runs in per.items():
        pe = evaluation.over_seeds(dict(arm)["part"], found_runs)
        entry: dict[str, Any] = dict(arm)
        for eff in evaluation.EFFECTS:
            for h in HORIZONS:
                e = pe.get(eff, outcome, h)
                entry[f"{eff}_{h}m"] = e.mean if e else np.nan
                entry[f"{eff}_{h}m_low"] = e.low if e else np.nan
                entry[f"{eff}_{h}m_high"] = e.high if e else np.nan
        entry["winners"] = pe.winners
        entry["seeds"] = len(found_runs)
        rows.append(entry)
    table = pd.DataFrame(rows)
    if not table.empty:
        keys = [c for c in table.columns if c in {k for arm in per for k, _ in arm}]
        table = table.sort_values(keys, kind="stable").reset_index(drop=True)
    table.attrs["baseline_panel"] = bool(panels) and all(panels)
    return table


def format_participant_effects(table: pd.DataFrame, outcome: str = "employed") -> str:
    """The participant effects as aligned text, one block of horizons per effect."""
    if table.empty:
        return "no policy of these runs chose its participants by lottery"
    keys = [c for c in table.columns if "_" not in c or c == "part"]
    keys = [k for k in keys if k not in ("winners", "seeds")]
    width = {k: max(len(k), *(len(str(v)) for v in table[k])) for k in keys}
    head = " ".join(k.ljust(width[k]) for k in keys)
    lines = []
    for eff, text in evaluation.EFFECTS.items():
        unit = evaluation.AMOUNTS.get(outcome, "points")
        lines.append(f"{eff}: {text} ({evaluation.OUTCOMES[outcome]}, {unit})")
        lines.append(head + "".join(f"{f'{h} months':>22}" for h in HORIZONS) + f"{'winners/run':>13}")
        for _, r in table.iterrows():
            cells = ""
            for h in HORIZONS:
                m, lo, hi = r[f"{eff}_{h}m"], r[f"{eff}_{h}m_low"], r[f"{eff}_{h}m_high"]
                text_h = "-" if not np.isfinite(m) else (f"{m:.1f}" if not np.isfinite(lo) else
                                                         f"{m:.1f} [{lo:.1f}, {hi:.1f}]")  # fmt: skip
                cells += f"{text_h:>22}"
            if r["winners"] < RESOLUTION:
                cells = f"{'below the model resolution: ' + f'{r.winners:.0f} winners a run':>88}"
            lines.append(" ".join(str(r[k]).ljust(width[k]) for k in keys) + cells + f"{r['winners']:>13.0f}")
        lines.append("")
    lines.append(f"mean [90% interval] over seeds; resolution: {RESOLUTION_BASIS}")
    if not table.attrs.get("baseline_panel"):
        lines.append("spillover and total effects need the baseline runs' panel: run the baseline with "
                     "evaluation.panel=baseline")  # fmt: skip
    return "\n".join(lines)


def main(argv: list[str] | None = None, prog: str = "python -m fowsim.compare") -> int:
    """`fowsim compare SWEEP_DIR [--baseline NAME] [--csv FILE] [--accounts | --participants]` (also `python -m`)."""
    from fowsim.errors import ArgumentParser

    parser = ArgumentParser(prog=prog, description=__doc__.splitlines()[0])
    parser.add_argument("folder", metavar="SWEEP_DIR", help="a sweep folder (its runs, or sweep.nc)")
    parser.add_argument("--baseline", default="baseline", help="the policy arm to compare with")
    parser.add_argument("--csv", help="also write the table to this CSV file")
    parser.add_argument("--accounts", action="store_true", help="the policies' accounts (mean over seeds) instead")
    parser.add_argument("--participants", action="store_true",
                        help="effects on the people of the policies' lotteries: direct, spillover, total")  # fmt: skip
    parser.add_argument("--outcome", default="employed", choices=list(evaluation.OUTCOMES),
                        help="the participant effects' outcome (earnings: EUR a month, direct effects)")  # fmt: skip
    args = parser.parse_args(argv)
    try:
        if args.participants:
            table = participant_effects(args.folder, args.baseline, args.outcome)
        else:
            table = mean_accounts(args.folder) if args.accounts else effects(args.folder, args.baseline)
    except (FileNotFoundError, ValueError) as exc:
        print(f"{prog}: error: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 2
    if args.participants:
        print(format_participant_effects(table, args.outcome))
    elif args.accounts:
        with pd.option_context("display.max_columns", None, "display.width", 250):
            print(table.to_string(index=False, float_format=lambda v: f"{v:,.1f}"))
    else:
        print(format_effects(table))
    if args.csv:
        tmp = Path(args.csv).with_suffix(".csv.tmp")
        table.to_csv(tmp, index=False)
        tmp.replace(args.csv)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
