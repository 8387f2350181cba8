"""`fowsim bench`: worker-steps per second and peak bytes per worker, and the speed-up over Mesa.

The naive one-agent-per-worker Mesa reference (`benchmarks/naive_mesa.py`) is measured in the
same run.
"""

from __future__ import annotations

import gc
import importlib.util
import time
import tracemalloc
from pathlib import Path

from fowsim.config import compose
from fowsim.model import LabourMarketModel
from fowsim.scenario import as_dict

NAIVE = Path(__file__).resolve().parents[2] / "benchmarks" / "naive_mesa.py"


def _config(workers: int, months: int, extra: list[str]) -> dict:
    return as_dict(compose([f"workers={workers}", f"months={months}", *extra]))


def throughput(workers: int, months: int, extra: tuple[str, ...] | list[str] = ()) -> dict[str, float]:
    """Worker-steps per second of the full scenario (build excluded) at `workers`."""
    cfg = _config(workers, months, list(extra))
    model = LabourMarketModel(cfg)
    model.step()  # warm caches
    t0 = time.perf_counter()
    model.run()
    dt = time.perf_counter() - t0
    return {"workers": workers, "months": months - 1, "seconds": dt, "worker_steps_per_s": workers * (months - 1) / dt}


def peak_bytes(workers: int, months: int, extra: tuple[str, ...] | list[str] = ()) -> float:
    """Peak traced memory (numpy arrays included) per worker while building and running."""
    cfg = _config(workers, months, list(extra))
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    model = LabourMarketModel(cfg)
    model.run()
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    del model
    return peak / workers


def naive(workers: int, months: int) -> dict[str, float] | None:
    """Worker-steps per second of the naive Mesa reference and of the array model's same core rules."""
    if not NAIVE.is_file():
        return None
    spec = importlib.util.spec_from_file_location("naive_mesa", NAIVE)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    cfg = _config(workers, months + 1, [])
    # both start from the same state and are timed after one untimed month (caches, compiled kernels)
    src = mod.core_model(cfg)
    ref = mod.NaiveModel(src, seed=1)
    ref.step()
    t0 = time.perf_counter()
    for _ in range(months):
        ref.step()
    dt_naive = time.perf_counter() - t0
    del ref, src
    core_months = max(months, 12)  # the array model is fast: time it over more months, for a steadier figure
    core = mod.core_model(_config(workers, core_months + 1, []))
    core.step()
    t0 = time.perf_counter()
    core.run()
    dt_core = time.perf_counter() - t0
    return {
        "workers": workers,
        "naive_worker_steps_per_s": workers * months / dt_naive,
        "core_worker_steps_per_s": workers * core_months / dt_core,
    }


def main(argv: list[str] | None = None) -> None:
    """Print the benchmark table."""
    import sys

    from fowsim.errors import ArgumentParser, ConfigError, ExtensionError, at_least
    from fowsim.sweep import check_run

    p = ArgumentParser(prog="fowsim bench", description=__doc__)
    workers = at_least(100, "simulated workers")
    p.add_argument("--sizes", type=workers, nargs="+", default=[100_000, 1_000_000], help="simulated workers")
    p.add_argument("--months", type=at_least(1, "months"), default=24, help="months timed per size")
    p.add_argument(
        "--naive-workers",
        type=workers,
        default=None,
        help="size of the naive Mesa comparison (default: the largest of --sizes)",
    )
    p.add_argument("--naive-months", type=at_least(1, "months"), default=3)
    p.add_argument("--scenario", nargs="*", default=[], help="overrides, e.g. shock=gradual")
    a = p.parse_args(argv)
    try:  # the scenario, at each size, before minutes of timing
        for n in a.sizes:
            check_run([*a.scenario, f"workers={n}", f"months={a.months}"], what="bench --scenario")
    except (ConfigError, ExtensionError) as exc:
        print(f"fowsim: error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    print(f"fowsim bench: default scenario {' '.join(a.scenario) or '(no overrides)'}, one process\n")
    print(f"{'workers':>10} {'months':>7} {'seconds':>8} {'worker-steps/s':>15} {'peak B/worker':>14}")
    best = 0.0
    naive_size = a.naive_workers or max(a.sizes)
    for n in a.sizes:
        r = throughput(n, a.months, a.scenario)
        b = peak_bytes(n, min(a.months, 6), a.scenario)
        if n == naive_size:
            best = r["worker_steps_per_s"]
        print(f"{n:>10} {r['months']:>7} {r['seconds']:>8.2f} {r['worker_steps_per_s'] / 1e6:>13.1f}M {b:>14.0f}")
    nv = naive(a.naive_workers or max(a.sizes), a.naive_months)
    if nv is None:
        print("\nnaive Mesa reference: benchmarks/naive_mesa.py not found (run from a source checkout)")
        return
    print(
        f"\nnaive Mesa reference ({nv['workers']} workers, an agent per worker, core rules): "
        f"{nv['naive_worker_steps_per_s'] / 1e6:.3f}M worker-steps/s"
    )
    print(
        f"array model, same core rules and size: {nv['core_worker_steps_per_s'] / 1e6:.1f}M worker-steps/s "
        f"({nv['core_worker_steps_per_s'] / nv['naive_worker_steps_per_s']:.0f}x)"
    )
    if best:
        print(
            f"array model, full scenario at the same size: {best / 1e6:.1f}M worker-steps/s "
            f"({best / nv['naive_worker_steps_per_s']:.0f}x the naive reference)"
        )
