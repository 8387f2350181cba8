"""Employer-tied visas (the Gulf's kafala) and their reform: who may change employer, and when."""

from __future__ import annotations

import numpy as np
import pytest

from fowsim import LabourMarketModel, compose
from fowsim.codes import EMPLOYED, TEMPORARY
from fowsim.errors import ConfigError

SIZE = ("workers=20000",)


def _job_changes(months: int, *overrides: str) -> list[tuple[int, int]]:
    """(month, tenure) of every job-to-job move of a temporary migrant in the Gulf, seen worker by worker.

    A job-to-job move: the same worker (a slot may pass to a newcomer: same birth month and origin)
    employed in two months in a row, at another employer, with no spell out of work in between (the
    month of leaving a job, `jobless_since`, unchanged and not this month).
    """
    m = LabourMarketModel(compose([*SIZE, f"months={months}", *overrides]))
    gulf = m.world.regions.index("gulf")
    moves = []
    for _ in range(months):
        ws = m.ws
        before = (ws.status == EMPLOYED) & (ws.region == gulf) & (ws.mig == TEMPORARY)
        employer, jobless, since = ws.employer.copy(), ws.jobless_since.copy(), ws.since.copy()
        birth, origin = ws.birth.copy(), ws.origin.copy()
        t = m.t
        m.step()
        # out of work this month (laid off, hired again) sets jobless_since to this month: not a move between jobs
        same = (ws.birth == birth) & (ws.origin == origin) & (ws.jobless_since == jobless) & (jobless != t)
        moved = before & same & (ws.status == EMPLOYED) & (ws.employer != employer)
        moves += [(t, t - int(s)) for s in since[moved]]
    return moves


def test_a_sponsored_worker_cannot_change_employer_without_a_release():
    assert _job_changes(18, "world.params.sponsor_release_share=0") == []


def test_with_releases_some_sponsored_workers_change_employer():
    moves = _job_changes(18)  # the world's own release share
    assert len(moves) > 0


def test_after_the_reform_they_move_once_in_the_job_long_enough_and_not_before_it_starts():
    reform = ("world.params.sponsor_release_share=0", "policy=sponsorship_reform",
              "policy.sponsorship_reform.start_month=6", "policy.sponsorship_reform.min_tenure_months=12")  # fmt: skip
    moves = _job_changes(24, *reform)
    assert len(moves) >= 10  # about 600 simulated sponsored workers in the Gulf at this size
    assert min(month for month, _ in moves) >= 6  # nothing before the reform
    assert min(tenure for _, tenure in moves) >= 12  # and only after a year in the job


def test_a_reform_with_no_tenure_condition_is_a_release_of_every_search():
    reform = ("policy=sponsorship_reform", "policy.sponsorship_reform.start_month=0",
              "policy.sponsorship_reform.min_tenure_months=0")  # fmt: skip
    free = compose([*SIZE, "months=18", *reform, "world.params.sponsor_release_share=0"])
    released = compose([*SIZE, "months=18", "world.params.sponsor_release_share=1"])
    a, b = LabourMarketModel(free).run().results(), LabourMarketModel(released).run().results()
    for v in ("job_to_job", "tied_job_to_job", "unemployment_rate", "mean_wage"):
        np.testing.assert_array_equal(a[v].values, b[v].values)
    assert float(a["tied_searches_refused"].sum()) == 0.0


def test_the_reform_raises_sponsored_workers_job_changes_to_about_the_free_rate():
    def rates(*o):
        ds = LabourMarketModel(compose(["workers=40000", "months=36", *o])).run().results()
        g = list(ds.region.values).index("gulf")
        return float(ds["tied_job_to_job"].isel(region=g).sum()), float(
            ds["tied_searches_refused"].isel(region=g).sum()
        )

    tied, refused = rates()
    free, none_refused = rates("policy=sponsorship_reform", "policy.sponsorship_reform.start_month=0",
                               "policy.sponsorship_reform.min_tenure_months=0")  # fmt: skip
    assert none_refused == 0.0 and refused > 0.0
    # a release share of 0.1 lets about a tenth of the searches through; the reform all of them
    assert 4.0 < free / tied < 20.0


def test_the_reform_names_only_regions_whose_visas_are_tied():
    with pytest.raises(ConfigError, match=r"policy.sponsorship_reform.regions='eu': a region whose visas are tied"):
        LabourMarketModel(compose([*SIZE, "policy=sponsorship_reform", "policy.sponsorship_reform.regions=[eu]"]))


def test_only_the_gulf_ties_visas_in_the_default_world():
    m = LabourMarketModel(compose([*SIZE, "months=1"]))
    assert [g.tied_visas for g in m.governments] == [r == "gulf" for r in m.world.regions]
