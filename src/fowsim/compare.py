"""Policy effects against the baseline in a multirun folder: `python -m fowsim.compare DIR`.

A multirun (`fowsim run -m +experiment=...`) holds one run folder per arm and seed. Each policy
arm is compared with the baseline arm that shares its other swept keys (the shock, say) and its
seed: common random numbers, so the differences are the policy's effects, and their spread over
seeds gives a standard error. `effects` returns a table of the indicators below; the command
prints it.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr
import yaml

from fowsim.metrics import pooled_share, spending

LAST = 24  # months at the end over which end-of-run shares are averaged


def _share(ds: xr.Dataset, num: str, den: str, months: int | None = None, **sel) -> float:
    """A run's pooled share (`metrics.pooled_share`), 0 where there is nothing to share."""
    return float(pooled_share(ds, num, den, months, **sel).fillna(0.0))


def _oq_migrants(ds: xr.Dataset) -> float:
    return _share(ds, "migrant_tertiary_overqualified", "migrant_tertiary_employed", LAST)


def _displaced(p: xr.Dataset, b: xr.Dataset, horizon: int) -> float:
    """Points more displaced workers employed `horizon` months after displacement."""
    rate = [_share(d, "displaced_employed", "displaced_cohort", horizon=horizon) for d in (p, b)]
    return 100 * (rate[0] - rate[1])


# indicator -> (unit, policy-minus-baseline difference)
INDICATORS: dict[str, tuple[str, Callable[[xr.Dataset, xr.Dataset], float]]] = {
    "employment": ("thousand person-years", lambda p, b: float((p.employed - b.employed).sum()) / 12e3),
    "cost": ("EUR million, all payers", lambda p, b: float(spending(p).sum() - spending(b).sum()) / 1e6),
    "public_cost": ("EUR million", lambda p, b: float((p.public_spending - b.public_spending).sum()) / 1e6),
    "displaced_employed_6m": ("points", lambda p, b: _displaced(p, b, 6)),
    "displaced_employed_24m": ("points", lambda p, b: _displaced(p, b, 24)),
    "migrant_overqualification": ("points, last 2 years", lambda p, b: 100 * (_oq_migrants(p) - _oq_migrants(b))),
    "long_term_unemployed": (
        "thousand people, last year",
        lambda p, b: float((p.long_term_unemployed - b.long_term_unemployed).isel(time=slice(-12, None)).mean()) / 1e3,
    ),
    "migration": ("thousand moves", lambda p, b: float((p.migration_flow - b.migration_flow).sum()) / 1e3),
    "completions": ("thousand people", lambda p, b: float((p.completions - b.completions).sum()) / 1e3),
    "participants": (
        "thousand people",
        lambda p, b: sum(a["participants"] for a in json.loads(p.attrs["policy_accounts"]).values()) / 1e3,
    ),
}


def runs(folder: str | Path) -> dict[tuple[tuple[str, str], ...], Path]:
    """The finished runs of a multirun folder, keyed by their swept overrides (sorted key=value pairs)."""
    out = {}
    for nc in sorted(Path(folder).glob("*/results.nc")):
        overrides = yaml.safe_load((nc.parent / ".hydra" / "overrides.yaml").read_text()) or []
        pairs = [o.split("=", 1) for o in overrides if "=" in o and not o.startswith(("+", "~", "hydra."))]
        out[tuple(sorted((k.lstrip("+"), v) for k, v in pairs))] = nc
    return out


def effects(folder: str | Path, baseline: str = "baseline") -> pd.DataFrame:
    """Mean and standard error over seeds of each indicator, policy minus the matching baseline.

    Rows: one per arm (the keys whose values differ between runs, but `seed`); columns: `<indicator>` (mean),
    `<indicator>_se`, `cost_per_person_year` (EUR of extra spending per extra person-year of
    employment; NaN where employment does not rise) and `seeds`.
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
            row = {name: fn(p, b) for name, (_, fn) in INDICATORS.items()}
        arm = tuple((k, v) for k, v in key if k != "seed" and (k in varying or k == "policy"))
        diffs.setdefault(arm, []).append(row)
    if not diffs:
        raise ValueError(f"{folder}: no policy run has a matching {baseline!r} run (same other keys and seed)")
    table = []
    for arm, rows in diffs.items():
        df = pd.DataFrame(rows)
        n = len(df)
        entry: dict[str, float | str] = dict(arm)
        for name in INDICATORS:
            entry[name] = float(df[name].mean())
            entry[f"{name}_se"] = float(df[name].std(ddof=1) / math.sqrt(n)) if n > 1 else float("nan")
        gain = entry["employment"]
        entry["cost_per_person_year"] = entry["cost"] * 1e6 / (gain * 1e3) if gain > 0 else float("nan")
        entry["seeds"] = n
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
    """The table as aligned text: mean ± standard error, the unit of each indicator below."""
    keys = [c for c in table.columns if c not in INDICATORS and not c.endswith("_se")
            and c not in ("cost_per_person_year", "seeds")]  # fmt: skip
    short = {"employment": "employment", "cost": "cost", "public_cost": "public", "displaced_employed_6m": "displ.6m",
             "displaced_employed_24m": "displ.24m", "migrant_overqualification": "migr.overq.",
             "long_term_unemployed": "LTU", "migration": "migration", "completions": "completions",
             "participants": "particip."}  # fmt: skip
    width = {k: max(len(k), *(len(str(v)) for v in table[k])) for k in keys}
    head = " ".join(k.ljust(width[k]) for k in keys) + "".join(f"{short[n]:>17}" for n in INDICATORS)
    lines = [head + f"{'EUR/person-yr':>15}"]
    for _, r in table.iterrows():
        cells = "".join(
            f"{r[n]:>10.1f} ±{r[n + '_se']:<5.1f}" if np.isfinite(r[n + "_se"]) else f"{r[n]:>17.1f}"
            for n in INDICATORS
        )
        cpy = f"{r['cost_per_person_year']:>15,.0f}" if np.isfinite(r["cost_per_person_year"]) else f"{'-':>15}"
        lines.append(" ".join(str(r[k]).ljust(width[k]) for k in keys) + cells + cpy)
    lines.append("")
    lines += [
        f"{short[n]}: {n.replace('_', ' ')}, {unit}, policy minus baseline" for n, (unit, _) in INDICATORS.items()
    ]  # noqa: E501
    lines.append(f"mean ± standard error over {int(table['seeds'].min())}-{int(table['seeds'].max())} seeds")
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
