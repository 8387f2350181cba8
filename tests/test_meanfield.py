"""Behaviour of the mean-field reference (fowsim.validation.meanfield)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from fowsim.validation.meanfield import MeanFieldPaths, expected_hires, solve

PARAMS = {"delta_u": 0.016, "delta_v": 0.012, "gamma_u": 0.16, "gamma_v": 0.16}


def _initial(n_occ: int, size: float = 1000.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    labour_force = np.full(n_occ, size)
    u0 = 0.05 * labour_force
    e0 = labour_force - u0
    return e0, u0, 0.03 * e0


def _steady(network: np.ndarray, target: np.ndarray, months: int = 1200, **kwargs) -> MeanFieldPaths:
    e0, u0, v0 = _initial(network.shape[0])
    return solve(network, e0, u0, v0, np.tile(target, (months, 1)), **PARAMS, **kwargs)


def test_expected_hires_matches_enumeration_for_small_integers():
    # every vacancy draws one of s applications uniformly; count distinct applications drawn
    for s, v in itertools.product(range(0, 5), range(0, 5)):
        if s == 0:
            exact = 0.0
        else:
            draws = list(itertools.product(range(s), repeat=v))
            exact = sum(len(set(d)) for d in draws) / len(draws)
        assert expected_hires(s, v) == pytest.approx(exact, abs=1e-12), (s, v)


@pytest.mark.parametrize("matching", ["finite", "published"])
def test_expected_hires_bounded_and_continuous(matching):
    grid = np.linspace(0.0, 6.0, 241)
    s, v = np.meshgrid(grid, grid, indexing="ij")
    h = expected_hires(s, v, matching)
    assert np.all(h >= 0.0)
    assert np.all(h <= np.minimum(s, v) + 1e-12)
    assert np.all(np.abs(np.diff(h, axis=0)) < 0.1)
    assert np.all(np.abs(np.diff(h, axis=1)) < 0.1)


def test_expected_hires_large_numbers_and_published_form():
    s, v = np.array([2000.0, 500.0]), np.array([1000.0, 1000.0])
    assert np.allclose(expected_hires(s, v), s * (1 - np.exp(-v / s)), rtol=1e-3)
    assert np.allclose(expected_hires(s, v, "published"), v * (1 - np.exp(-s / v)))
    # the two forms agree at s = v and differ otherwise
    assert expected_hires(800.0, 800.0) == pytest.approx(float(expected_hires(800.0, 800.0, "published")), rel=1e-3)
    assert abs(expected_hires(2000.0, 1000.0) - expected_hires(2000.0, 1000.0, "published")) > 50


def test_one_occupation_step_by_hand():
    e, u, v, target = 100.0, 10.0, 5.0, 100.0
    d_u, d_v, g_u, g_v = 0.01, 0.02, 0.1, 0.2
    paths = solve([[1.0]], [e], [u], [v], [[target]], d_u, d_v, g_u, g_v, ltu_months=1)
    # gap e + v − d† = 5 > 0: state-dependent separations, no state-dependent openings
    omega = d_u * e + (1 - d_u) * min(e, g_u * 5.0)
    nu = d_v * e
    assert omega == pytest.approx(1.495)
    e_c, u_c, v_c = e - omega, u + omega, v + nu
    hires = u_c * (1 - (1 - 1 / u_c) ** v_c)  # one occupation: s = u_c, all applications to itself
    assert paths.separations[0, 0] == pytest.approx(omega)
    assert paths.openings[0, 0] == pytest.approx(nu)
    assert paths.hires[0, 0] == pytest.approx(hires)
    assert paths.unemployment_exits[0, 0] == pytest.approx(hires)
    assert paths.employment[1, 0] == pytest.approx(e_c + hires)
    assert paths.unemployment[1, 0] == pytest.approx(u_c - hires)
    assert paths.vacancies[1, 0] == pytest.approx(v_c - hires)
    # initial unemployed (duration 0) reach duration 1 = ltu_months after one step, minus the hired share
    assert paths.long_term_unemployment[0, 0] == 0.0
    assert paths.long_term_unemployment[1, 0] == pytest.approx(u * (1 - hires / u_c))


def test_openings_clip_at_max_of_employment_and_one():
    # empty occupation with positive target: openings are min(max(e, 1), γ_v gap) = 1
    paths = solve([[1.0]], [0.0], [0.0], [0.0], [[50.0]], 0.0, 0.0, 0.0, 0.5)
    assert paths.openings[0, 0] == pytest.approx(1.0)
    assert paths.vacancies[1, 0] == pytest.approx(1.0)  # no applicants, the vacancy stays open


def test_conservation_and_non_negativity_on_random_network():
    rng = np.random.default_rng(7)
    n_occ, months = 8, 120
    network = rng.random((n_occ, n_occ)) * (rng.random((n_occ, n_occ)) < 0.4)
    network[3] = 0.0  # an occupation whose unemployed reach no vacancy
    e0 = rng.uniform(50, 500, n_occ)
    u0 = rng.uniform(0, 50, n_occ)
    v0 = rng.uniform(0, 20, n_occ)
    v0[5] = 0.0
    target = (e0 + v0) * np.exp(np.cumsum(rng.normal(0, 0.05, (months, n_occ)), axis=0))
    paths = solve(network, e0, u0, v0, target, 0.02, 0.03, 0.2, 0.3, ltu_months=6)
    labour_force = paths.employment.sum(axis=1) + paths.unemployment.sum(axis=1)
    np.testing.assert_allclose(labour_force, e0.sum() + u0.sum(), rtol=1e-12)
    for stock in (paths.employment, paths.unemployment, paths.vacancies, paths.long_term_unemployment):
        assert stock.shape == (months + 1, n_occ)
        assert np.all(stock >= 0.0)
    assert np.all(paths.long_term_unemployment <= paths.unemployment + 1e-9)
    np.testing.assert_allclose(paths.hires.sum(axis=1), paths.unemployment_exits.sum(axis=1), rtol=1e-12)
    assert np.all(paths.unemployment_exits[:, 3] == 0.0)
    np.testing.assert_allclose(
        np.diff(paths.unemployment, axis=0), paths.separations - paths.unemployment_exits, atol=1e-9
    )


def test_steady_state_separations_equal_hires_without_gap():
    e0, u0, v0 = _initial(4)
    paths = _steady(np.ones((4, 4)), e0 + v0, months=1500)
    np.testing.assert_allclose(paths.separations[-1], paths.unemployment_exits[-1], rtol=1e-9)
    np.testing.assert_allclose(paths.employment[-1], paths.employment[-2], rtol=1e-9)
    np.testing.assert_allclose(paths.vacancies[-1], paths.vacancies[-2], rtol=1e-9)
    np.testing.assert_allclose(paths.hires[-1], paths.openings[-1], rtol=1e-9)


def test_falling_target_raises_unemployment_and_then_long_term_unemployment():
    n_occ, months, ltu = 3, 60, 12
    network = np.ones((n_occ, n_occ))
    e0, u0, v0 = _initial(n_occ)
    base = _steady(network, e0 + v0, months=800)
    start = (base.employment[-1], base.unemployment[-1], base.vacancies[-1])
    # steady cohorts: ω (1 − H)^(τ+1) for τ < 12, and the absorbing bin ω (1 − H)^13 / H
    omega = base.separations[-1]
    hazard = base.unemployment_exits[-1] / (base.unemployment[-2] + omega)
    cohorts = np.array(
        [omega * (1 - hazard) ** (k + 1) for k in range(ltu)] + [omega * (1 - hazard) ** (ltu + 1) / hazard]
    )
    np.testing.assert_allclose(cohorts.sum(axis=0), start[1], rtol=1e-9)
    target = np.tile(e0 + v0, (months, 1))
    shocked = target.copy()
    shocked[:, 0] *= 0.8
    calm = solve(network, *start, target, **PARAMS, u0_by_duration=cohorts, ltu_months=ltu)
    hit = solve(network, *start, shocked, **PARAMS, u0_by_duration=cohorts, ltu_months=ltu)
    np.testing.assert_allclose(
        calm.long_term_unemployment, np.tile(calm.long_term_unemployment[0], (months + 1, 1)), rtol=1e-9
    )
    assert hit.separations[0, 0] > 2 * calm.separations[0, 0]  # the gap is closed by extra separations
    assert np.all(hit.unemployment[1:, 0] > calm.unemployment[1:, 0])
    ratio = hit.long_term_unemployment[:, 0] / calm.long_term_unemployment[:, 0]
    assert np.all(ratio[1:] > 1.0)  # lower hazard for everyone already unemployed
    # the extra separations of the first step reach 12 months at the end of step 13
    assert ratio[13:].min() > ratio[:13].max()
    assert hit.rates()["long_term_unemployment_rate"][-1] > calm.rates()["long_term_unemployment_rate"][-1]


def test_sparse_network_has_higher_steady_state_unemployment():
    # labour forces are equal but demand sits in occupations 3–5: a block network cannot move workers there
    target = np.array([900.0, 900.0, 900.0, 1100.0, 1100.0, 1100.0]) * 0.98
    complete = _steady(np.ones((6, 6)), target)
    clusters = _steady(np.kron(np.eye(2), np.ones((3, 3))), target)
    u_complete = complete.rates()["unemployment_rate"][-1]
    u_clusters = clusters.rates()["unemployment_rate"][-1]
    assert u_clusters > u_complete + 0.01
    # both are steady states
    for paths in (complete, clusters):
        np.testing.assert_allclose(paths.separations[-1], paths.unemployment_exits[-1], rtol=1e-6)


def test_duration_counting_and_initial_cohorts():
    # no separations: the initial unemployed (duration 0) become long-term exactly after ltu_months steps
    e0, u0, v0 = _initial(2)
    target = np.tile(e0 + 2 * v0, (10, 1))
    paths = solve(np.ones((2, 2)), e0, u0, v0, target, 0.0, 0.02, 0.0, 0.1, ltu_months=4)
    assert np.all(paths.separations == 0.0)
    assert np.all(paths.long_term_unemployment[:4] == 0.0)
    np.testing.assert_allclose(paths.long_term_unemployment[4:], paths.unemployment[4:], rtol=1e-12)
    # all initial unemployed already long-term: the cohort decays with the step's hazard
    cohorts = np.zeros((3, 2))
    cohorts[2] = u0
    paths = solve(np.ones((2, 2)), e0, u0, v0, target, **PARAMS, u0_by_duration=cohorts, ltu_months=2)
    hazard = paths.unemployment_exits[0] / (u0 + paths.separations[0])
    np.testing.assert_allclose(paths.long_term_unemployment[0], u0)
    np.testing.assert_allclose(paths.long_term_unemployment[1], u0 * (1 - hazard))


def test_rates_and_published_matching():
    e0, u0, v0 = _initial(3)
    target = np.tile(e0 + v0, (5, 1))
    paths = solve(np.ones((3, 3)), e0, u0, v0, target, **PARAMS, matching="published")
    rates = paths.rates()
    e, u, v = (x.sum(axis=1) for x in (paths.employment, paths.unemployment, paths.vacancies))
    np.testing.assert_allclose(rates["unemployment_rate"], u / (e + u))
    np.testing.assert_allclose(rates["vacancy_rate"], v / (e + v))
    np.testing.assert_allclose(rates["employment_rate"], e / (e + u))
    np.testing.assert_allclose(rates["long_term_unemployment_rate"], paths.long_term_unemployment.sum(axis=1) / (e + u))
    assert all(r.shape == (6,) for r in rates.values())
    # first step by hand with the published matching function
    u_c = u0 + paths.separations[0]
    v_c = v0 + paths.openings[0]
    s_j = u_c.sum() * v_c / v_c.sum()
    np.testing.assert_allclose(paths.hires[0], v_c * (1 - np.exp(-s_j / v_c)))
    with pytest.raises(ValueError):
        paths.employment[0, 0] = 1.0


def test_no_steps_returns_initial_state():
    e0, u0, v0 = _initial(2)
    paths = solve(np.eye(2), e0, u0, v0, np.zeros((0, 2)), **PARAMS)
    assert paths.employment.shape == (1, 2)
    assert paths.separations.shape == (0, 2)


def _good() -> dict:
    e0, u0, v0 = _initial(2)
    return {
        "network": np.ones((2, 2)),
        "e0": e0,
        "u0": u0,
        "v0": v0,
        "target_demand": np.tile(e0 + v0, (3, 1)),
        **PARAMS,
    }


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("network", np.ones((2, 3))),
        ("network", [[1.0, -1.0], [0.0, 1.0]]),
        ("network", [[1.0, np.nan], [0.0, 1.0]]),
        ("e0", [1.0, 2.0, 3.0]),
        ("e0", [1.0, -2.0]),
        ("u0", [[1.0, 2.0]]),
        ("v0", [np.inf, 1.0]),
        ("v0", ["a", "b"]),
        ("target_demand", np.ones((3, 3))),
        ("target_demand", np.ones(2)),
        ("target_demand", [[1.0, np.nan]]),
        ("delta_u", 1.5),
        ("delta_v", -0.1),
        ("gamma_u", float("nan")),
        ("gamma_v", "0.1"),
        ("ltu_months", 0),
        ("ltu_months", 2.5),
        ("u0_by_duration", np.ones((3, 2))),
        ("u0_by_duration", np.ones((13, 3))),
        ("matching", "poisson"),
        ("order", "backwards"),
    ],
)
def test_bad_inputs_raise_value_error_naming_the_argument(name, value):
    kwargs = _good()
    kwargs[name] = value
    with pytest.raises(ValueError, match=name):
        solve(**kwargs)


def _paper_start(n_occ: int = 5, size: float = 1000.0) -> tuple[np.ndarray, ...]:
    """The paper's start: u0 = δu e0, v0 = δv e0, target demand at the labour force e0 + u0."""
    labour_force = np.full(n_occ, size)
    e0 = labour_force / (1 + PARAMS["delta_u"])
    return e0, PARAMS["delta_u"] * e0, PARAMS["delta_v"] * e0, labour_force


def test_papers_order_on_a_complete_network_gives_its_steady_state():
    # del Rio-Chanona et al. (2021): complete network, 4.1% unemployed, 1.0% unemployed 27 weeks or more
    e0, u0, v0, lf = _paper_start()
    paper = solve(np.ones((5, 5)), e0, u0, v0, np.tile(lf, (400, 1)), **PARAMS, ltu_months=3,
                  matching="published", order="paper").rates()  # fmt: skip
    assert paper["unemployment_rate"][-1] * 100 == pytest.approx(4.1, abs=0.05)
    assert paper["long_term_unemployment_rate"][-1] * 100 == pytest.approx(1.0, abs=0.05)
    # the same inputs in fowsim's default order: the month's separations find jobs at once, far less unemployment
    same = solve(np.ones((5, 5)), e0, u0, v0, np.tile(lf, (400, 1)), **PARAMS, ltu_months=3,
                 matching="published").rates()  # fmt: skip
    assert paper["unemployment_rate"][-1] - same["unemployment_rate"][-1] > 0.01


def test_papers_order_one_step_by_hand():
    e, u, v, target = 100.0, 10.0, 5.0, 100.0
    d_u, d_v, g_u, g_v = 0.01, 0.02, 0.1, 0.2
    paths = solve([[1.0]], [e], [u], [v], [[target]], d_u, d_v, g_u, g_v, ltu_months=1,
                  matching="published", order="paper")  # fmt: skip
    hires = v * (1 - np.exp(-u / v))  # matching on the stocks at the start of the step
    omega = d_u * e + (1 - d_u) * min(e, g_u * 5.0)  # from e, v at the start of the step
    nu = d_v * e
    assert paths.hires[0, 0] == pytest.approx(hires)
    assert paths.employment[1, 0] == pytest.approx(e - omega + hires)
    assert paths.unemployment[1, 0] == pytest.approx(u + omega - hires)
    assert paths.vacancies[1, 0] == pytest.approx(v + nu - hires)
    # the step's separations have not searched yet: only the initial unemployed age into duration 1
    assert paths.long_term_unemployment[1, 0] == pytest.approx(u * (1 - hires / u))
