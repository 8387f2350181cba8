"""The validation checks in their quick form: the model against published results."""

from __future__ import annotations

import numpy as np
import pytest

from fowsim.validation import checks
from fowsim.validation.checks import Row, loop_area


def test_loop_area_sign_gives_the_turning_direction():
    t = np.linspace(0, 2 * np.pi, 48, endpoint=False)
    assert loop_area(np.cos(t), np.sin(t)) == pytest.approx(np.pi, rel=0.01)  # counter-clockwise
    assert loop_area(np.cos(t), -np.sin(t)) == pytest.approx(-np.pi, rel=0.01)


def test_a_row_fails_outside_its_tolerance_and_says_by_how_much():
    row = Row("u", model=7.9, target=6.7, tolerance=1.0, source="s")
    assert not row.passed and row.miss == pytest.approx(0.2)
    assert Row("gap", 0.4, 0.5, 0.0, "s", rule="min").miss == pytest.approx(0.1)


@pytest.mark.xdist_group("validation")
def test_reduced_model_agrees_with_the_mean_field_equations(tmp_path):
    result = checks.CHECKS["meanfield"].run(True, tmp_path)
    assert len(result.rows) == 4
    for row in result.rows:
        assert row.passed, (row.quantity, row.model)


@pytest.mark.xdist_group("validation")
def test_frictions_raise_unemployment_and_a_shock_passes_then_unemployment_recovers(tmp_path):
    result = checks.CHECKS["qualitative"].run(True, tmp_path)
    failed = [(r.quantity, round(r.model, 3)) for r in result.rows if not r.passed]
    assert not failed, failed


@pytest.mark.xdist_group("validation")
def test_the_mean_field_check_can_fail(tmp_path, monkeypatch):
    """With employers choosing by skill (the default world's rule), long-term unemployment no longer agrees."""
    params = {**checks.synthetic.REDUCED_PARAMS, "employer_skill_weight": 1.0}
    monkeypatch.setattr(checks.synthetic, "REDUCED_PARAMS", params)
    result = checks.CHECKS["meanfield"].run(True, tmp_path)
    assert not result.passed
