"""The report's executive summary says what its table says: gains and harms alike, and nothing beyond the noise
with too few seeds. Sweeps are built so that one arm clearly helps, one clearly harms and the others are null."""

from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr

from fowsim import LabourMarketModel
from fowsim.effects import MIN_SEEDS, benjamini_hochberg, paired
from fowsim.io import write_dataset
from fowsim.report import summary_lines
from fowsim.report.data import BASELINE, INDICATORS, headline, load
from tests.conftest import small

# arm -> factor on the unemployed (unemployment rate up by about that factor; nothing else changes)
ARMS = {"helps": 0.7, BASELINE: 1.0, "harms": 1.3, "null_a": 1.0, "null_b": 1.0}


@pytest.fixture(scope="module")
def runs():
    return [LabourMarketModel(small(f"seed={s}", workers=2000, months=14)).run().results() for s in range(4)]


def sweep(tmp_path, runs, seeds: int, arms: dict[str, float] = ARMS):
    one = xr.concat(runs[:seeds], "seed").assign_coords(seed=list(range(seeds)))
    ds = xr.concat([one.assign(unemployed=one.unemployed * f) for f in arms.values()], "policy")
    ds = ds.assign_coords(policy=list(arms)).transpose("policy", "seed", ...)
    ds["run_status"] = (("policy", "seed"), np.zeros((len(arms), seeds), dtype=np.int8))
    ds["run_config"] = (("policy", "seed"), np.full((len(arms), seeds), one.attrs["config"], dtype=object))
    ds.attrs["swept_keys"] = json.dumps(["policy", "seed"])
    for key in ("config", "policy_accounts"):
        ds.attrs.pop(key, None)
    src = load(write_dataset(ds, tmp_path / f"sweep{seeds}.nc"))
    table = headline(src, {})
    return table, summary_lines(src, {}, table)


def claims(lines: list[str], goal: str) -> list[str]:
    return [s for s in lines if s.lower().startswith(goal.lower() + ":")]


def test_every_sentence_follows_the_table(tmp_path, runs):
    table, lines = sweep(tmp_path, runs, 4)
    for ind in INDICATORS:
        if not ind.better:
            continue
        said = " ".join(claims(lines, ind.goal))
        assert said, (ind.goal, lines)  # every goal has its sentence
        for arm, cell in table[ind.name].items():
            if arm == BASELINE:
                continue
            assert (f"{arm} (" in said) == cell.significant, (ind.name, arm, said)
    u = table["unemployment_rate"]
    assert u["helps"].significant and u["helps"].diff < 0 and u["harms"].significant and u["harms"].diff > 0
    assert not u["null_a"].significant and u["null_a"].diff == 0
    said = claims(lines, "unemployment")
    assert any("helps (" in s and "lowers it most" in s for s in said)
    assert any("harms (" in s and "worse than the baseline" in s for s in said)  # a harm, named as a gain is
    assert claims(lines, "long-term unemployment") == ["Long-term unemployment: no policy changes it beyond the noise."]


def test_a_harm_is_named_when_nothing_helps(tmp_path, runs):
    _, lines = sweep(tmp_path, runs, 4, {BASELINE: 1.0, "harms": 1.3, "null_a": 1.0})
    said = claims(lines, "unemployment")
    assert any("harms (" in s and "worse than the baseline" in s for s in said)
    assert "Unemployment: no policy improves it beyond the noise." in said
    assert not any("no policy changes it" in s for s in said)  # the contradiction of the old summary


@pytest.mark.parametrize("seeds", [1, 2])
def test_with_too_few_seeds_nothing_is_ranked_or_called_beyond_the_noise(tmp_path, runs, seeds):
    assert seeds < MIN_SEEDS
    table, lines = sweep(tmp_path, runs, seeds)
    assert len(lines) == 1 and "no policy is ranked" in lines[0] and f"over {seeds} seed(s)" in lines[0]
    assert not any(c.significant for cells in table.values() for c in cells.values())
    assert table["unemployment_rate"]["harms"].effect.values  # the table shows each seed's difference


def test_paired_effects_use_student_t_intervals_and_false_discovery_control():
    e = paired(np.array([1.0, 2.0, 3.0]))
    assert e.mean == 2.0 and e.n == 3
    assert e.high - e.mean == pytest.approx(2.919986 * 1.0 / np.sqrt(3), rel=1e-5)  # t(0.95, 2 df) x se
    assert paired(np.zeros(5)).p == 1.0  # a policy that does nothing: no effect, whatever the seeds
    assert np.isnan(paired(np.array([4.0])).low)  # one seed: no interval
    p = np.array([0.01, 0.04, 0.03, 0.5, np.nan])
    np.testing.assert_allclose(benjamini_hochberg(p)[:4], [0.04, 0.0533333, 0.0533333, 0.5], rtol=1e-5)
    assert np.isnan(benjamini_hochberg(p)[4])
