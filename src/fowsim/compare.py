"""Policy effects against the baseline in a multirun folder: `python -m fowsim.compare DIR`.

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

from fowsim.effects import METHOD, MIN_SEEDS, adjust, paired
from fowsim.indicators import COMPARE, INDICATORS


def _participants(ds: xr.Dataset) -> float:
    """Thousand people the run's policies enrolled or moved (their accounts)."""
    return sum(a["participants"] for a in json.loads(ds.attrs.get("policy_accounts", "{}")).values()) / 1e3


def differences(p: xr.Dataset, b: xr.Dataset) -> dict[str, float]:
    """Each comparison indicator of run `p` minus the baseline run `b`'s (the same seed); `p`'s participants."""
    row = {name: float(INDICATORS[name].compute(p) - INDICATORS[name].compute(b)) for name in COMPARE}
    row = {k: 0.0 if v != v else v for k, v in row.items()}  # a share with nothing to share on either side
    row["participants"] = _participants(p)
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


def effects(folder: str | Path, baseline: str = "baseline") -> pd.DataFrame:
    """Each indicator's effect, policy minus the baseline run of the same seed, over seeds (`fowsim.effects`).

    Rows: one per arm (the keys whose values differ between runs, but `seed`); columns per indicator:
    `<indicator>` (the mean paired difference), `<indicator>_se`, `<indicator>_low` and `_high` (its
    Student-t 90% interval), `<indicator>_p`, and `<indicator>_beyond_noise` (at least `MIN_SEEDS`
    seeds and Benjamini-Hochberg over every difference of the table at a false discovery rate of
    10%); then `cost_per_person_year` (EUR of extra spending per extra person-year of employment, only
    where the employment gain is beyond the noise) and `seeds`.
    """
    found = runs(folder)
    if not found:
        raise FileNotFoundError(f"{folder}: no finished runs (*/results.nc)")
    varying = {k for k in {k for key in found for k, _ in key} if len({dict(key).get(k) for key in found}) > 1}
    diffs: dict[tuple, list[dict[str, float]]] = {}
    for key, nc in found.items():
        kv = dict(key)
        if kv.get("policy") == baseline:
            continue
        base_key = tuple(sorted({**kv, "policy": baseline}.items()))
        if base_key not in found:
            continue
        with xr.open_dataset(nc) as p, xr.open_dataset(found[base_key]) as b:
            row = differences(p, b)
        arm = tuple((k, v) for k, v in key if k != "seed" and (k in varying or k == "policy"))
        diffs.setdefault(arm, []).append(row)
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
        entry["participants"] = float(pd.DataFrame(rows)["participants"].mean())
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
            "_beyond_noise")) and c not in ("cost_per_person_year", "seeds")]  # fmt: skip
    short = {"employment": "employment", "spending": "spending", "public_spending": "public",
             "displaced_employed_6m": "displ.6m", "displaced_employed_24m": "displ.24m",
             "migrant_overqualification": "migr.overq.", "long_term_unemployed": "LTU", "migration": "migration",
             "completions": "completions", "participants": "particip."}  # fmt: skip
    width = {k: max(len(k), *(len(str(v)) for v in table[k])) for k in keys}
    head = " ".join(k.ljust(width[k]) for k in keys) + "".join(f"{short[n]:>17}" for n in COLUMNS)
    lines = [head + f"{'EUR/person-yr':>15}"]
    for _, r in table.iterrows():
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


def main(argv: list[str] | None = None) -> int:
    """`python -m fowsim.compare MULTIRUN_DIR [--baseline NAME] [--csv FILE] [--accounts]`."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m fowsim.compare", description=__doc__.splitlines()[0])
    parser.add_argument("folder")
    parser.add_argument("--baseline", default="baseline", help="the policy arm to compare with")
    parser.add_argument("--csv", help="also write the table to this CSV file")
    parser.add_argument("--accounts", action="store_true", help="the policies' accounts (mean over seeds) instead")
    args = parser.parse_args(argv)
    try:
        table = mean_accounts(args.folder) if args.accounts else effects(args.folder, args.baseline)
    except (FileNotFoundError, ValueError) as exc:
        print(f"fowsim.compare: error: {exc}", file=sys.stderr)
        return 2
    if args.accounts:
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
