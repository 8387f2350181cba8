"""Sweep throughput: runs per minute of a 64-run sweep at 50,000 workers, one process and all cores.

    .venv/bin/python benchmarks/sweep_throughput.py [--runs 64] [--workers 50000] [--out /tmp/fowsim-sweep-bench]

Runs `fowsim sweep seed=range(RUNS)` twice, with Hydra's basic launcher (one process) and with the
default joblib launcher (all cores), and prints runs per minute and the parallel efficiency
(sequential time / (cores x parallel time)). The times include planning, checking and collecting
`sweep.nc`, as a user waits for them. The two `sweep.nc` must be identical.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import xarray as xr


def sweep(out: Path, runs: int, workers: int, *launcher: str) -> float:
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "fowsim", "sweep", f"seed=range({runs})", f"workers={workers}",
                    f"hydra.sweep.dir={out}", *launcher], check=True, capture_output=True)  # fmt: skip
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=64)
    parser.add_argument("--workers", type=int, default=50_000)
    parser.add_argument("--out", default="/tmp/fowsim-sweep-bench")
    args = parser.parse_args()
    out = Path(args.out)
    seq = sweep(out / "sequential", args.runs, args.workers, "hydra/launcher=basic")
    par = sweep(out / "parallel", args.runs, args.workers)
    cores = os.cpu_count() or 1
    a, b = (xr.open_dataset(out / n / "sweep.nc").drop_vars("run_folder") for n in ("sequential", "parallel"))
    a.attrs.pop("title"), b.attrs.pop("title")
    xr.testing.assert_identical(a, b)
    print(f"{args.runs} runs of {args.workers:,} workers x 120 months")
    print(f"one process: {seq:6.1f} s, {60 * args.runs / seq:5.1f} runs/min")
    print(f"{cores} cores:     {par:6.1f} s, {60 * args.runs / par:5.1f} runs/min")
    print(f"parallel efficiency on {cores} cores: {seq / (cores * par):.0%}; the two sweep.nc are identical")


if __name__ == "__main__":
    main()
