"""The validation checks in their quick form: the model against published results."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
import yaml

from fowsim.validation import checks, report
from fowsim.validation.checks import Row, loop_area
from fowsim.world import resolve_data_dir


def load_calibration() -> dict:
    return yaml.safe_load((resolve_data_dir("default") / "calibration.yaml").read_text())


def test_loop_area_sign_gives_the_turning_direction():
    t = np.linspace(0, 2 * np.pi, 48, endpoint=False)
    assert loop_area(np.cos(t), np.sin(t)) == pytest.approx(np.pi, rel=0.01)  # counter-clockwise
    assert loop_area(np.cos(t), -np.sin(t)) == pytest.approx(-np.pi, rel=0.01)


def test_a_row_fails_outside_its_tolerance_and_says_by_how_much():
    row = Row("u", model=7.9, target=6.7, tolerance=1.0, source="s")
    assert not row.passed and row.miss == pytest.approx(0.2)
    assert Row("gap", 0.4, 0.5, 0.0, "s", rule="min").miss == pytest.approx(0.1)


@pytest.fixture(scope="session")  # once: a module fixture is rebuilt if xdist interleaves another module
def quick_report(tmp_path_factory):
    """`fowsim validate --quick` run once: its exit code, report folder and rows."""
    out = tmp_path_factory.mktemp("validation")
    code = report.main(["--quick", "--out", str(out)])
    return code, out, json.loads((out / "results.json").read_text())


def _failed(rows: list[dict]) -> list[tuple[str, float]]:
    return [(r["quantity"], round(r["model"], 3)) for r in rows if not r["passed"]]


@pytest.mark.xdist_group("validation")
def test_validate_writes_a_figure_and_table_rows_per_check_and_names_every_miss(quick_report):
    code, out, results = quick_report
    text = (out / "README.md").read_text()
    assert set(results["checks"]) == {"meanfield", "paper", "qualitative", "reallocation", "beveridge", "wage_curve",
                                      "calibration", "reskilling", "training_effects", "africa_gulf"}  # fmt: skip
    for name, res in results["checks"].items():
        assert res["title"] in text
        assert (out / f"{name}.png").stat().st_size > 10_000  # a drawn figure
        for row in res["rows"]:
            assert row["quantity"] in text and row["source"]
            if not row["passed"]:  # each miss is named in plain words, with its size
                assert f"{row['quantity']} is " in text.split("## Where the model misses")[1]
    assert code == (0 if results["passed"] else 1)
    assert not list(out.glob(".validation.*"))  # no staging left behind


@pytest.mark.xdist_group("validation")
def test_reduced_model_agrees_with_the_mean_field_equations_in_both_orders(quick_report):
    rows = quick_report[2]["checks"]["meanfield"]["rows"]
    assert len(rows) == 8 and sum("paper order" in r["quantity"] for r in rows) == 4
    assert not _failed(rows)


@pytest.mark.xdist_group("validation")
def test_the_papers_order_and_parameters_give_its_steady_state_on_a_complete_network(quick_report):
    rows = quick_report[2]["checks"]["paper"]["rows"]
    assert [r["target"] for r in rows] == [4.1, 1.0, 4.1, 1.0]
    assert not _failed(rows)


def test_the_papers_steady_state_is_missed_in_the_other_order(tmp_path, monkeypatch):
    """The check can fail: with fowsim's default order on the same inputs, unemployment is far below 4.1%."""
    monkeypatch.setattr(checks, "PAPER_PHASES", checks.ORDERS["same_month"])
    monkeypatch.setattr(checks, "_mean_field", lambda m, ds, start, order, ltu: checks._rates(ds))
    result = checks.paper_steady_state(True, tmp_path)
    assert not result.rows[0].passed and result.rows[0].model < 3.5


@pytest.mark.xdist_group("validation")
def test_frictions_raise_unemployment_and_a_shock_passes_then_unemployment_recovers(quick_report):
    assert not _failed(quick_report[2]["checks"]["qualitative"]["rows"])


@pytest.mark.xdist_group("validation")
def test_a_thirty_year_reallocation_leaves_unemployment_near_or_below_its_start(quick_report):
    rows = quick_report[2]["checks"]["reallocation"]["rows"]
    assert len(rows) == 5
    # no region is left far above its start (before the demand closure: Africa at 40-67%, the EU at 19% after
    # the rapid shock)
    assert all(r["model"] < 5.0 for r in rows)


@pytest.mark.xdist_group("validation")
def test_after_a_thirty_year_reallocation_no_region_is_left_above_its_start(quick_report):
    # the Gulf's miss (1.9 points above its start) went with the reallocation's fix of 2026-12: each region's
    # lost demand is now pooled across its employers, none created or destroyed; North Africa's (+1.81 in the full
    # form, within the seeds' noise of its bound) went with informal work there (full form +1.32, 2026-12-07)
    assert not _failed(quick_report[2]["checks"]["reallocation"]["rows"])


@pytest.mark.xdist_group("validation")
def test_beveridge_loops_turn_counter_clockwise_in_the_report(quick_report):
    assert not _failed(quick_report[2]["checks"]["beveridge"]["rows"])


@pytest.mark.xdist_group("validation")
def test_reskilling_locks_displaced_workers_in_and_leaves_them_a_little_behind_in_the_report(quick_report):
    rows = quick_report[2]["checks"]["reskilling"]["rows"]
    six = [r for r in rows if r["quantity"].startswith("employed 6 months")]
    two_years = [r for r in rows if r["quantity"].startswith("employed 24 months")]
    assert len(six) == len(two_years) == 3  # all regions, the EU, North Africa
    assert all(r["model"] < -5 and r["rule"] == "max" and r["passed"] for r in six)  # lock-in: well below baseline
    assert all(r["rule"] == "min" for r in two_years)
    # two years on, a little behind the baseline in all regions and the EU: within eight points of it
    # (KNOWN_MISSES['reskilling']); in North Africa a little ahead (full form +0.4, quick +3.0)
    assert all(-8.0 < r["model"] < 0.5 for r in two_years if "north_africa" not in r["quantity"])
    assert all(0.0 <= r["model"] < 8.0 for r in two_years if "north_africa" in r["quantity"])


@pytest.mark.xdist_group("validation")
@pytest.mark.xfail(strict=True, reason="KNOWN_MISSES['reskilling']")
def test_two_years_after_displacement_reskilling_has_raised_employment_in_every_region(quick_report):
    assert not _failed(quick_report[2]["checks"]["reskilling"]["rows"])


@pytest.mark.xdist_group("validation")
def test_training_direct_effects_are_compared_with_the_meta_analysis_by_horizon(quick_report):
    rows = quick_report[2]["checks"]["training_effects"]["rows"]
    assert len(rows) == 5 and all("Card, Kluve & Weber (2018)" in r["source"] for r in rows[:4])
    by = {r["quantity"].split(" after the programme")[0].split("employment ")[-1]: r for r in rows}
    assert [r["target"] for r in rows[:3]] == [1.6, 5.4, 8.7]
    assert all(np.isfinite(r["model"]) for r in rows) and by  # measured at every horizon, from the lottery
    assert rows[3]["rule"] == "min"  # the rise from the first year to after two years
    # the level is what the training yield is fitted to: a row of its own, said to be fitted, and the mean of the three
    level = rows[4]
    assert "fitted" in level["quantity"] and level["target"] == pytest.approx((1.6 + 5.4 + 8.7) / 3, abs=1e-3)
    assert level["model"] == pytest.approx(np.mean([r["model"] for r in rows[:3]]))


KNOWN_MISSES = {  # the full form's (`fowsim validate`; the slow test below checks that exactly these miss)
    "reskilling": "two years after displacement the reskilled are behind the baseline, not above it (full form: all "
    "regions -2.7, EU -3.5, North Africa +0.4 points; quick form -3.9, -4.4, +3.0, 2026-12-08): the check compares "
    "everyone "
    "displaced with everyone displaced, and where every displaced worker trains the graduates compete with one "
    "another for the target occupations' vacancies, keep their time out of work, and where automation slackens the "
    "displaced's own occupations their going wage falls and their demand holds up, so the baseline's displaced find "
    "work back there. How much the course teaches is not what decides it: teaching them all of the new occupation's "
    "skill still leaves them -0.6 points behind at 24 months (2 seeds of 60,000; -0.8 at 0.6 of it, -2.9 at a "
    "quarter), while the lottery's winners gain +8.4 on those who lost (check training_effects): what a trainee "
    "gains on others, a programme for everyone does not gain on the baseline (Crepon et al. 2013's displacement)",
    "calibration": "North Africa's long-term share: the fit stops at 60.2% long-term with the region's separation "
    "rate at its lower bound (2 seeds of 60,000 workers over 15 years; full form 61.4%, quick form 55.5%) against 77 "
    "+- 10: where the unemployed can take informal work, spells end sooner than the data's, whatever the openings "
    "and separations. The Gulf's long-term share, 51.7% in the full form (months 36-240) against 40 +- 10, met in the "
    "fit's 15 years (41.2%) and the quick form: it rises through a run (29%, 42%, 48%, 61% at the start of each five "
    "years, 150,000 workers) as the Gulf's unemployed become young nationals (23% of them at the start, 71% after 20 "
    "years; mean age 27): employers fill their vacancies by sponsored recruitment from abroad, and national entrants "
    "wait in long spells (cost 22.4 over 17 targets, 2026-12-08)",
    "africa_gulf": "remittances received by North Africa, EUR 19.4 billion a year in the full form (20.0 quick) "
    "against 33.4 +- 10: the world leaves out senders outside the EU and the Gulf (32% of Egypt's came from the "
    "United States in 2006), and the EU's fitted share (5.0% of migrants' earnings, to Eurostat's extra-EU personal "
    "transfers) is diluted by migrants whose transfers that figure does not count. West Africa's labour force after "
    "20 years, 1.87 of its start against the UN's working-age population's 1.76 +- 0.1: entrants join at the "
    "participation of the ages of work (entry_rate, derived from cohorts.csv and ages.csv), and few West Africans "
    "emigrate. West Africa's women's participation in the first year, 54.5% against the ILO's 51.0 +- 3.5. The Gulf's "
    "women's participation in the first year, 24.6% of its women aged 15 and over against the ILO's 35.5% (2021): "
    "regions.csv's female_share (15%, the GLMM's employed women in five GCC states in 2016) is below what the ILO's "
    "modelled rates imply (about 21%). Retirements in the Gulf, tenth year against the first, 1.22 against the UN's "
    "cohort aged 60-64 (2.09): its older workers are temporary migrants who go home first. The EU's gender pay gap: "
    "women's mean wage 2.2% above men's against Eurostat's 14.1% below (2019): pay does not depend on sex in the "
    "model, only where women work, and by ISCO major group women work more in clerical and professional jobs that "
    "pay more than the crafts",
}


@pytest.mark.xdist_group("validation")
def test_training_direct_effects_match_card_kluve_weber(quick_report):
    """Every row passes, in the quick form as in the full one (the level row is the training yield's fit)."""
    assert not _failed(quick_report[2]["checks"]["training_effects"]["rows"])


CALIBRATION_MISSES = {  # KNOWN_MISSES['calibration'] (the Gulf's only over 20 years: the quick form meets it)
    "long-term share of the unemployed, north_africa (fitted)",
    "long-term share of the unemployed, gulf (fitted)",
}


@pytest.mark.xdist_group("validation")
def test_fitted_calibration_targets_are_met(quick_report):
    rows = [r for r in quick_report[2]["checks"]["calibration"]["rows"] if "(fitted)" in r["quantity"]]
    # five unemployment rates, five long-term shares, EU migrants' over-qualification, two mobility rates, and the
    # stock of Africans in the EU (the quotas into the EU are fitted to it)
    assert len(rows) == 14
    assert not _failed([r for r in rows if r["quantity"] not in CALIBRATION_MISSES])
    missed = {q for q, _ in _failed(rows)}
    assert missed <= CALIBRATION_MISSES  # no other fitted row misses
    north = next(r for r in rows if r["quantity"] == "long-term share of the unemployed, north_africa (fitted)")
    assert north["model"] > 50  # the miss stays within three tolerances of the 77% target


@pytest.mark.xdist_group("validation")
@pytest.mark.xfail(strict=True, reason="KNOWN_MISSES['calibration']")
def test_the_whole_calibration_table_passes(quick_report):
    assert not _failed(quick_report[2]["checks"]["calibration"]["rows"])


@pytest.mark.xdist_group("validation")
def test_a_calibrated_parameter_far_from_its_fit_fails_the_calibration_check():
    fitted = load_calibration()["parameters"]["on_the_job_search_rate"]
    rows, _ = checks.calibration_rows(40_000, 72, 1, (f"world.params.on_the_job_search_rate={8 * fitted}",))
    failed = {r.quantity for r in rows if not r.passed}
    assert "annual job-to-job mobility (fitted)" in failed


@pytest.mark.xdist_group("validation")
def test_validate_only_updates_its_checks_in_the_report_already_there(quick_report, tmp_path):
    _, out, results = quick_report
    folder = tmp_path / "v"
    shutil.copytree(out, folder)
    code = report.main(["--quick", "--only", "qualitative", "--out", str(folder)])
    assert code == 0
    again = json.loads((folder / "results.json").read_text())
    assert list(again["checks"]) == list(results["checks"])  # the others kept, in order
    assert again["checks"]["beveridge"]["rows"] == results["checks"]["beveridge"]["rows"]
    text = (folder / "README.md").read_text()
    assert all(f"![{name}]({name}.png)" in text for name in results["checks"])


def test_validate_rejects_an_unknown_check_with_one_line_and_writes_nothing(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        report.main(["--quick", "--only", "nonexistent", "--out", str(tmp_path / "v")])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "nonexistent" in err and "meanfield" in err
    assert not (tmp_path / "v").exists()


@pytest.mark.xdist_group("validation")
def test_the_mean_field_check_can_fail(tmp_path, monkeypatch):
    """With employers choosing by skill alone (little else in their choice), long-term unemployment no longer agrees."""
    params = {**checks.synthetic.REDUCED_PARAMS, "employer_skill_weight": 1.0, "employer_choice_noise": 0.05}
    monkeypatch.setattr(checks.synthetic, "REDUCED_PARAMS", params)
    result = checks.CHECKS["meanfield"].run(True, tmp_path)
    assert not result.passed


def test_the_calibration_table_averages_several_seeds():
    rows, _ = checks.calibration_rows(20_000, 48, 2)  # the full form's path (several seeds), small
    assert len(rows) == 17 and all(np.isfinite(r.model) for r in rows)


@pytest.mark.slow
def test_the_full_validation_passes_every_check_but_the_known_misses(tmp_path):
    """`fowsim validate` in its full form (the report in docs/validation/): every check passes but the misses named."""
    code = report.main(["--out", str(tmp_path / "v")])
    results = json.loads((tmp_path / "v" / "results.json").read_text())
    failed = {name: _failed(res["rows"]) for name, res in results["checks"].items() if _failed(res["rows"])}
    assert code == (1 if KNOWN_MISSES else 0) and set(failed) == set(KNOWN_MISSES), failed  # those named only


@pytest.mark.xdist_group("validation")
def test_africa_and_the_gulf_are_checked_against_published_figures(quick_report):
    rows = quick_report[2]["checks"]["africa_gulf"]["rows"]
    by = {r["quantity"]: r for r in rows}
    informal = [r for r in rows if r["quantity"].startswith("informal share of employment")]
    assert len(informal) == 3 and all(r["passed"] and "(fitted)" in r["quantity"] for r in informal)
    assert all(r["passed"] for r in rows if "(fitted)" in r["quantity"])  # the remittance outflows too
    primary = next(r for r in rows if "primary credential" in r["quantity"])
    # full form 94.5 against 91.2 +- 3.5 (docs/validation); the quick form's 40,000 workers sit at the edge (95.0)
    assert primary["model"] < 91.2 + 2 * 3.5 and "ILO (2018)" in primary["source"]
    growth = next(r for r in rows if r["quantity"].startswith("growth of the stock of Africans"))
    assert growth["passed"] and growth["unit"] == "% a year"
    women = [r for r in rows if r["quantity"].startswith("women's share of the labour force")]
    assert len(women) == 5 and all(r["passed"] for r in women if "gulf" not in r["quantity"])
    participation = [r for r in rows if r["quantity"].startswith("women's labour-force participation")]
    assert len(participation) == 5 and all("ages.csv" in r["source"] for r in participation)
    assert all(r["passed"] for r in participation if "gulf" not in r["quantity"] and "west_africa" not in r["quantity"])
    retirements = [r for r in rows if r["quantity"].startswith("retirements in the tenth year")]
    assert len(retirements) == 5 and by["retirements in the tenth year against the first, eu"]["passed"]
    # Africa's growing cohorts, less those who die first (the quick form's 40,000 workers retire only about 70 West
    # Africans a year: each region's row is noisy, their mean less so; full form 1.27, 1.43, 1.48)
    assert np.mean([r["model"] for r in retirements if "africa" in r["quantity"]]) > 1.2
    assert by["women's unemployment less men's, eu"]["passed"]
    cohorts = [r for r in rows if r["quantity"].startswith("labour force after")]
    assert len(cohorts) == 5 and all("World Population Prospects" in r["source"] for r in cohorts)
    # the misses named in KNOWN_MISSES['africa_gulf'], and only those
    missed = {q for q, _ in _failed(rows)}
    assert missed <= {
        "remittances received by north_africa",
        "informal share of workers with a primary credential, west_africa, east_africa, year 20",  # (above)
        "labour force after 20 years against its start, west_africa",
        "women's share of the labour force, gulf, year 20",  # (quick form: 18.1 against 15 +- 3)
        "women's labour-force participation, aged 15-64, west_africa, first year",
        "women's labour-force participation, aged 15 and over, gulf, first year",
        *(f"retirements in the tenth year against the first, {r}" for r in ("gulf", *AFRICA)),
        "women's mean wage below men's, eu (pay does not depend on sex in the model: only where women work)",
    }, missed


AFRICA = ("north_africa", "west_africa", "east_africa")


def _africa_rows_without(tmp_path, monkeypatch, file: str) -> dict:
    """The quick africa_gulf check's rows, by quantity, on a copy of the default world without `file`.

    (A copy: worlds are cached by folder.)
    """
    import shutil

    from fowsim.world import DATA_DIR

    world = tmp_path / f"without-{file}"
    shutil.copytree(DATA_DIR / "default", world, ignore=shutil.ignore_patterns(file))
    real = checks.compose
    monkeypatch.setattr(checks, "compose", lambda o: real([*o, f"world.data={world}"]))
    return {r.quantity: r for r in checks.CHECKS["africa_gulf"].run(True, tmp_path).rows}


def test_the_retirement_rows_fail_when_the_labour_force_ages_are_not_the_populations(tmp_path, monkeypatch):
    """Ages drawn from median_age (ages.csv left out) no longer follow Africa's pyramid: retirements rise far less.

    (With the UN's ages the quick form's rows are 1.7-2.3 in Africa; the pyramid alone, cohort aged 50-54 against
    60-64 in 2020, gives 1.43-1.65.)
    """
    rows = _africa_rows_without(tmp_path, monkeypatch, "ages.csv")
    assert not any(q.startswith("women's labour-force participation") for q in rows)  # no population to divide by
    flat = [rows[f"retirements in the tenth year against the first, {r}"].model for r in AFRICA]
    assert np.mean(flat) < 1.35, flat


def test_the_africa_check_can_fail_when_informal_work_is_left_out(tmp_path, monkeypatch):
    """With no informal take-up the informal shares collapse: the fitted rows miss."""
    real = checks.compose
    monkeypatch.setattr(checks, "compose", lambda o: real([*o, "world.params.informal_exit_rate=0.2"]))
    result = checks.CHECKS["africa_gulf"].run(True, tmp_path)
    failed = {r.quantity for r in result.rows if not r.passed}
    assert "informal share of employment, west_africa (fitted)" in failed


def test_the_retirement_rows_fail_when_no_one_dies_before_retiring(tmp_path, monkeypatch):
    """Without the UN's death rates (deaths.csv left out) Africa's retirements rise too steeply."""
    rows = _africa_rows_without(tmp_path, monkeypatch, "deaths.csv")
    steep = [rows[f"retirements in the tenth year against the first, {r}"] for r in AFRICA]
    assert np.mean([r.model for r in steep]) > 1.6 and sum(not r.passed for r in steep) >= 2, [r.model for r in steep]


def test_validate_writes_into_the_current_folder_unless_asked_for_the_docs(tmp_path, monkeypatch, capsys):
    """The committed docs/validation/ is written only with --write-docs; by default a dated folder under outputs/."""
    docs = report.docs_folder()
    before = {p.name: p.stat().st_mtime_ns for p in docs.iterdir()}
    monkeypatch.chdir(tmp_path)
    assert report.main(["--quick", "--only", "qualitative"]) == 0
    written = list((tmp_path / "outputs" / "validation").glob("*/README.md"))
    assert len(written) == 1 and "qualitative" in written[0].read_text()
    assert {p.name: p.stat().st_mtime_ns for p in docs.iterdir()} == before  # the committed report untouched
    with pytest.raises(SystemExit) as exc:
        report.main(["--write-docs", "--out", str(tmp_path / "x")])
    err = capsys.readouterr().err.strip()
    assert exc.value.code == 2 and err.count("\n") == 0 and "--write-docs" in err
