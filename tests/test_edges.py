"""Each mechanism at its edge: the boundary a single-point mistake would move, tested directly.

Every test here fails for one small, plausible bug that the statistical tests elsewhere might miss:
a downgraded credential counted in full, long-term unemployment from 13 months, a policy's last month
off by one, a sweep resumed after its config changed still skipping the run, a corridor's visa quota
ignored, the report's differences taken against the wrong arm.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr

from fowsim import LabourMarketModel, kernels
from fowsim.codes import DOWNGRADED, LONG_TERM_MONTHS, NATIVE, NOT_NEEDED, PENDING, RECOGNISED, UNEMPLOYED
from fowsim.phases import matching
from fowsim.policies import Reskilling
from fowsim.workforce import Workforce, effective_credential
from tests.conftest import small


# ---------------------------------------------------------------- recognition
def test_a_downgraded_credential_counts_one_level_lower_and_a_pending_one_as_secondary():
    cred = np.array([3, 3, 3, 3, 2, 1, 0], dtype=np.int8)
    recog = np.array([NOT_NEEDED, RECOGNISED, DOWNGRADED, PENDING, DOWNGRADED, PENDING, DOWNGRADED], dtype=np.int8)
    assert effective_credential(cred, recog).tolist() == [3, 3, 2, 1, 1, 1, 0]


def test_matching_counts_downgraded_graduates_at_the_level_below(monkeypatch):
    m = LabourMarketModel(small(workers=4000, months=3))
    ws = m.ws
    m.step()  # one month in, so the searchers of the next are known before it starts
    graduates = np.flatnonzero((ws.cred == 3) & (ws.status == UNEMPLOYED))
    ws.recog[graduates] = DOWNGRADED
    captured = {}
    real_searchers = kernels.searchers

    def searchers(status, rate, informal_rate, key):
        unemployed, informal, looking = real_searchers(status, rate, informal_rate, key)
        captured["unemployed"] = np.concatenate([unemployed, informal])
        return unemployed, informal, looking

    real_tied = matching.tied_visa_searchers

    def tied_visa_searchers(model, looking, rng):  # the on-the-job searchers who may leave (tied visas)
        free = real_tied(model, looking, rng)
        captured["U"] = np.concatenate([captured["unemployed"], free])
        return free

    def urn_ball(rows, n_app, indptr, cols, cum, region, quality, own, transfer, credential, *rest):
        captured["credential"] = credential.copy()
        return real_urn_ball(rows, n_app, indptr, cols, cum, region, quality, own, transfer, credential, *rest)

    real_urn_ball = kernels.urn_ball
    monkeypatch.setattr(kernels, "searchers", searchers)
    monkeypatch.setattr(matching, "tied_visa_searchers", tied_visa_searchers)
    monkeypatch.setattr(kernels, "urn_ball", urn_ball)
    m.step()
    U, credential = captured["U"], captured["credential"]
    downgraded = np.isin(U, graduates) & (ws.recog[U] == DOWNGRADED)
    assert downgraded.sum() > 5
    assert (credential[downgraded] == 2).all()


# ---------------------------------------------------------------- long-term unemployment
def test_long_term_unemployment_starts_at_twelve_months():
    t = 40
    n = 4
    ws = Workforce.empty(n)
    ws.status[:] = UNEMPLOYED
    ws.since[:] = [t - 11, t - 12, t - 13, t]  # 11, 12, 13 and 0 months out of work
    ws.mig[:] = NATIVE
    ws.birth[:] = t - 30 * 12
    low_skill = np.zeros(2, dtype=bool)
    out = kernels.census(ws.status, ws.region, ws.origin, ws.mig, ws.cred, ws.occ, ws.since, ws.female, ws.birth,
                         ws.displaced, ws.scheme, ws.recog, t, low_skill, 1, 1, LONG_TERM_MONTHS, ws.wage)  # fmt: skip
    assert LONG_TERM_MONTHS == 12  # ILO and Eurostat: a year or more out of work
    assert out[1].tolist() == [2.0]  # 12 and 13 months; not 11


def test_reskilling_takes_the_long_term_unemployed_from_twelve_months():
    m = LabourMarketModel({**small(workers=12_000, months=14), "policy": {"reskilling": {"start_month": 13,
                                                                                        "seats": 5e7}}})  # fmt: skip
    m.run(13)
    ws = m.ws
    pr = m.policies[0].providers[0]
    waiting = np.flatnonzero((ws.status == UNEMPLOYED) & (ws.region == pr.region) & (ws.displaced < 0))
    eleven = waiting[m.t - ws.since[waiting] == 11]
    twelve = waiting[m.t - ws.since[waiting] == 12]
    assert eleven.size > 0 and twelve.size > 0
    m.step()  # month 13: the policy enrols
    enrolled = ws.programme >= 0
    assert enrolled[twelve].all() and not enrolled[eleven].any()


# ---------------------------------------------------------------- a policy's active period
def test_a_policy_acts_from_its_start_month_to_the_month_before_its_end():
    p = Reskilling(start_month=3, end_month=5)
    assert [t for t in range(8) if p.active(t)] == [3, 4]
    m = LabourMarketModel({**small("shock=rapid", "shock.start_month=0", workers=4000, months=8),
                           "policy": {"reskilling": {"start_month": 3, "end_month": 5, "min_unemployed_months": 0,
                                                     "seats": 5e7}}})  # fmt: skip
    joined = []
    for _ in range(8):
        before = m.policies[0].participants
        m.step()
        joined.append(m.policies[0].participants > before)
    assert joined == [False, False, False, True, True, False, False, False]


# ---------------------------------------------------------------- visas
@pytest.mark.parametrize("quota", [0.0, 2_000_000.0])
def test_no_corridor_moves_more_people_than_its_quota(quota):
    cfg = small(workers=20_000, months=24)
    from fowsim.scenario import build_scenario

    scenario = build_scenario(cfg)
    w = scenario.world
    c = w.corridors
    k = int(np.flatnonzero((c.origin == w.origins.index("north_africa")) & (c.destination == w.region("eu")))[0])
    c.annual_quota[k] = quota
    model = LabourMarketModel(scenario).run()
    ds = model.results()
    moved = float(ds.migration_flow.sel(origin="north_africa", destination="eu").sum())
    # people: the monthly allowance, 24 months, of the quota as calibrated (`World.annual_quota`)
    allowance = w.annual_quota()[k] * w.params["migrant_activity_rate"] * 24 / 12
    assert moved <= allowance + 1e-6
    assert w.annual_quota()[k] == quota * w.fitted("quota_multiplier", 1.0)[w.region("eu")]
    if quota > 0:
        assert moved > 0.5 * allowance  # the quota is used (the corridor is full)


# ---------------------------------------------------------------- sweeps
def test_a_sweep_resumed_after_its_config_changed_runs_again(tmp_path):
    from fowsim import run_sweep

    conf = tmp_path / "conf" / "shock"
    conf.mkdir(parents=True)
    preset = conf / "mine.yaml"
    preset.write_text("defaults:\n  - shock_schema\nkind: rapid\nsize: 1.0\nstart_month: 2\nduration_months: 24\n")
    args = (["shock=mine", "seed=0,1", "workers=1000", "months=4"],)
    kw = {"folder": tmp_path / "sweep", "config_dir": tmp_path / "conf", "progress": False}
    run_sweep(*args, **kw)
    first = [json.loads(xr.open_dataset(tmp_path / "sweep" / str(i) / "results.nc").attrs["config"]) for i in (0, 1)]
    assert all(c["shock"]["start_month"] == 2 for c in first)
    run_sweep(*args, **kw)  # nothing changed: both runs skipped, their files untouched
    stamp = [(tmp_path / "sweep" / str(i) / "results.nc").stat().st_mtime_ns for i in (0, 1)]
    run_sweep(*args, **kw)
    assert stamp == [(tmp_path / "sweep" / str(i) / "results.nc").stat().st_mtime_ns for i in (0, 1)]
    preset.write_text(preset.read_text().replace("start_month: 2", "start_month: 1"))
    run_sweep(*args, **kw)  # the same command, a different config: both run again
    again = [json.loads(xr.open_dataset(tmp_path / "sweep" / str(i) / "results.nc").attrs["config"]) for i in (0, 1)]
    assert all(c["shock"]["start_month"] == 1 for c in again)


# ---------------------------------------------------------------- the report's differences
def test_the_report_takes_each_arm_against_the_baseline_of_the_same_seed(tmp_path):
    from fowsim.io import write_dataset
    from fowsim.report.data import headline, load

    runs = [LabourMarketModel(small(f"seed={s}", workers=2000, months=14)).run().results() for s in (0, 1)]
    one = xr.concat(runs, "seed").assign_coords(seed=[0, 1])
    # three arms, the baseline in the middle: "more" has 20% more unemployed than the baseline, "less" 20% fewer
    arms = {"more": 1.2, "baseline": 1.0, "less": 0.8}
    ds = xr.concat([one.assign(unemployed=one.unemployed * f) for f in arms.values()], "policy")
    ds = ds.assign_coords(policy=list(arms)).transpose("policy", "seed", ...)
    ds["run_status"] = (("policy", "seed"), np.zeros((3, 2), dtype=np.int8))
    ds["run_config"] = (("policy", "seed"), np.full((3, 2), one.attrs["config"], dtype=object))
    ds.attrs["swept_keys"] = json.dumps(["policy", "seed"])
    for key in ("config", "policy_accounts"):
        ds.attrs.pop(key, None)
    path = write_dataset(ds, tmp_path / "sweep.nc")
    table = headline(load(path), {})["unemployment_rate"]
    late = ds.isel(time=slice(-12, None))
    u = 100 * late.unemployed.sum(["time", "region"]) / late.labour_force.sum(["time", "region"])
    for arm in ("more", "less"):
        expected = float((u.sel(policy=arm) - u.sel(policy="baseline")).mean())
        assert table[arm].diff == pytest.approx(expected, rel=1e-9)
    assert table["more"].diff > 0 > table["less"].diff
