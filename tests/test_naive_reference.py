"""The naive one-agent-per-worker Mesa reference and the array model agree on the shared core rules."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

from tests.conftest import small

spec = importlib.util.spec_from_file_location("naive_mesa", Path(__file__).parents[1] / "benchmarks" / "naive_mesa.py")
naive = importlib.util.module_from_spec(spec)
spec.loader.exec_module(naive)


def test_unemployment_paths_match_statistically():
    months, runs = 18, 4
    array_paths, naive_paths = [], []
    for seed in range(runs):
        cfg = small(f"seed={seed}", workers=4000, months=months)
        core = naive.core_model(cfg)
        ref = naive.NaiveModel(naive.core_model(cfg), seed=100 + seed)
        core.run()
        for _ in range(months):
            ref.step()
        ds = core.results()
        array_paths.append((ds.unemployed.sum("region") / ds.labour_force.sum("region")).values)
        naive_paths.append(np.array(ref.history))
    a, b = np.array(array_paths), np.array(naive_paths)
    # the mean paths over the last year agree within sampling noise
    diff = a[:, 6:].mean() - b[:, 6:].mean()
    se = np.sqrt(a[:, 6:].mean(axis=1).var(ddof=1) / runs + b[:, 6:].mean(axis=1).var(ddof=1) / runs)
    assert abs(diff) < max(4 * se, 0.004), (a.mean(axis=0), b.mean(axis=0))
    # and both move from the same start
    assert abs(a[:, 0].mean() - b[:, 0].mean()) < 0.01
