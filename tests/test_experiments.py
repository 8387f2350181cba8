"""The experiment presets in `configs/experiment/`: each composes, every arm of its sweep builds, and the
arms move what they are about (pandemic closures, partnership typologies) against the baseline."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
import yaml

from fowsim import compare, compose
from fowsim.config import config_dir
from fowsim.model import LabourMarketModel
from fowsim.policies import REGISTRY
from fowsim.scenario import as_dict, build_scenario
from tests.conftest import fowsim_main

EXPERIMENTS = Path(__file__).parents[1] / "configs" / "experiment"
NAMES = ("policy_comparison", "skills_partnership_pilot", "pandemic", "partnership_typologies")


def sweep_params(name: str) -> dict[str, list[str]]:
    """The experiment's swept keys and their values (comma lists; `range(n)`)."""
    spec = yaml.safe_load((EXPERIMENTS / f"{name}.yaml").read_text())
    out = {}
    for key, raw in spec["hydra"]["sweeper"]["params"].items():
        raw = str(raw).replace(" ", "")
        if raw.startswith("range("):
            out[key] = [str(i) for i in range(*map(int, raw[6:-1].split(",")))]
        else:
            out[key] = raw.split(",")
    return out


def test_the_four_experiments_ship_with_the_configs():
    for name in NAMES:
        assert (EXPERIMENTS / f"{name}.yaml").is_file()
        assert (config_dir() / "experiment" / f"{name}.yaml").is_file()  # what `+experiment=NAME` reads
    assert not (EXPERIMENTS.parents[1] / "experiments").exists()  # one copy of the experiments


@pytest.mark.parametrize("name", NAMES)
def test_every_arm_of_every_experiment_composes_and_builds(name):
    params = sweep_params(name)
    assert "seed" in params and len(params["seed"]) >= 3
    arms = [dict(zip(params, values)) for values in itertools.product(*params.values()) if values[-1] == "0"]
    for arm in arms:
        overrides = [f"+experiment={name}", *(f"{k}={v}" for k, v in arm.items()), "workers=2000", "months=2"]
        build_scenario(as_dict(compose(overrides)))


def test_policy_comparison_has_every_policy_and_mixes_under_both_shocks():
    params = sweep_params("policy_comparison")
    assert set(params["shock"]) == {"gradual", "rapid"}
    assert set(REGISTRY) < set(params["policy"]) and "baseline" in params["policy"]
    mixes = [p for p in params["policy"] if p.startswith("mix_")]
    assert len(mixes) == 3
    for mix in mixes:  # a mix composes two or more policies
        assert len(compose([f"policy={mix}"]).policy) >= 2


def test_partnership_typologies_are_the_four_setups():
    params = sweep_params("partnership_typologies")
    typologies = [p for p in params["policy"] if p != "baseline"]
    assert sorted(typologies) == sorted(
        ["typology_development", "typology_state_dialogue", "typology_private_sector", "typology_project_based"]
    )
    parts = {t: set(compose([f"policy={t}"]).policy) for t in typologies}
    assert parts["typology_development"] == {"diaspora_training", "entrepreneurship_training"}
    assert parts["typology_state_dialogue"] == {"recognition", "pre_departure"}
    assert parts["typology_private_sector"] == {"demand_led_training", "upskilling"}
    assert parts["typology_project_based"] == {"diaspora_training", "online_training"}


def arm(name: str, policy: str, *extra: str, workers: int = 20_000, months: int = 36):
    cfg = as_dict(compose([f"+experiment={name}", f"policy={policy}", f"workers={workers}", f"months={months}",
                           "seed=0", *extra]))  # fmt: skip
    model = LabourMarketModel(build_scenario(cfg)).run()
    return model, model.results()


def test_the_pandemic_closes_borders_and_online_training_keeps_skilling_going():
    _, base = arm("pandemic", "baseline")
    _, closed = arm("pandemic", "pandemic_closure")
    _, online = arm("pandemic", "pandemic_closure_online")
    during = slice(3, 20)  # March 2020 - September 2021, after the month of closing
    assert float(closed.migration_flow.isel(time=during).sum()) == 0.0
    assert float(base.migration_flow.isel(time=during).sum()) > 0.0
    after = slice(22, None)
    assert float(closed.migration_flow.isel(time=after).sum()) > 0.0  # borders reopen
    enrolled = {k: float(d.enrolments.isel(time=during).sum()) for k, d in (("closed", closed), ("online", online))}
    assert enrolled["online"] > 2 * enrolled["closed"]


def test_each_partnership_typology_acts_through_its_own_channel():
    _, base = arm("partnership_typologies", "baseline", months=72)
    _, dev = arm("partnership_typologies", "typology_development", months=72)
    assert float(dev.business_starts.sum()) > 0 and float(dev.private_spending.sum()) > 0
    model, state = arm("partnership_typologies", "typology_state_dialogue", months=72)
    # faster, more favourable recognition decisions on the corridors, and pre-departure courses
    office, pairs = model.recognition, next(p for p in model.policies if p.name == "recognition")._k
    assert (office.months[pairs] < office.base_months[pairs]).all() and (office.approval[pairs] >= 0.9).all()
    assert {p.name: p.account()["participants"] > 0 for p in model.policies}["pre_departure"]
    # (the outcomes of single decisions are a few simulated workers a month at this size, most of them files
    # from outside Africa that no agreement covers: the recognition policy's own test measures them)
    _, private = arm("partnership_typologies", "typology_private_sector", months=72)
    assert float(private.employer_spending.sum()) > float(base.employer_spending.sum())
    # the donor pays while the project lasts (months 12-60) and never beyond its budgets
    cfg = as_dict(compose(["+experiment=partnership_typologies", "policy=typology_project_based", "workers=20000",
                           "months=72", "seed=0"]))  # fmt: skip
    model = LabourMarketModel(build_scenario(cfg))
    model.run(months=12)
    assert all(p.spent == 0 for p in model.policies)
    model.run(months=49)
    spent = [p.spent for p in model.policies]
    assert all(s > 0 for s in spent)
    model.run(months=11)
    assert [p.spent for p in model.policies] == spent  # nothing after the project
    assert all(p.spent <= p.budget + 1e-6 for p in model.policies)
    assert all(pr.enrolled == 0 for p in model.policies for pr in p.providers)


def test_an_experiment_runs_as_a_multirun_from_the_command_line(tmp_path):
    out = tmp_path / "sweep"
    p = fowsim_main("run", "-m", "+experiment=pandemic", "workers=2000", "months=14", "seed=0",
                    f"hydra.sweep.dir={out}", cwd=tmp_path)  # fmt: skip
    assert p.returncode == 0, p.stderr
    assert "Launching" not in p.stdout + p.stderr and "#0 :" not in p.stdout + p.stderr  # not Hydra's job list
    assert "sweep: 4 runs in" in p.stderr
    runs = sorted(out.glob("*/results.nc"))
    assert len(runs) == len(sweep_params("pandemic")["policy"])
    assert np.all([(r.parent / "summary.json").is_file() for r in runs])
    # each arm against the baseline of the same seed
    table = compare.effects(out)
    assert sorted(table.policy) == ["online_training", "pandemic_closure", "pandemic_closure_online"]
    assert (table.seeds == 1).all() and set(compare.COLUMNS) <= set(table.columns)
    online = table.set_index("policy").loc["online_training"]
    assert online.participants > 0 and online.spending > 0
    books = compare.mean_accounts(out)
    both = books[books.policy == "pandemic_closure_online"]
    assert set(both.part) == {"mobility_restrictions", "online_training"}
    assert (books.total_cost_eur >= books.public_spent_eur).all()
    assert compare.main([str(out), "--accounts"]) == 0
    shown = fowsim_main("compare", str(out), cwd=tmp_path)  # the same table from the command line
    assert shown.returncode == 0 and "pandemic_closure_online" in shown.stdout and "employment" in shown.stdout
    assert compare.main([str(out), "--csv", str(tmp_path / "effects.csv")]) == 0
    assert (tmp_path / "effects.csv").read_text().count("\n") == 4
    # the people of the policies' lotteries, against the baseline's panel (the experiment keeps it)
    people = compare.participant_effects(out)
    assert set(people.part) == {"online_training"} and people.attrs["baseline_panel"]
    assert compare.main([str(out), "--participants"]) == 0


def test_compare_says_in_one_line_when_there_is_nothing_to_compare(tmp_path, capsys):
    assert compare.main([str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "no finished runs" in err


def test_the_pilot_places_its_cohort_at_home_and_abroad_unless_borders_close():
    # 400,000 workers for 17.2 million people: the cohort of 120 is about 3 simulated workers
    model, pilot = arm("skills_partnership_pilot", "pilot_palim", months=36, workers=400_000)
    account = model.policies[0].account()
    assert account["participants"] == pytest.approx(120, abs=model.scale)  # one cohort of 120
    assert account["total_cost_eur"] == pytest.approx(account["participants"] * 12_470, rel=1e-3)
    assert 0 < account["public_spent_eur"] < account["total_cost_eur"]  # employers pay the away track
    assert float(pilot.placements_home.sel(region="morocco").sum()) > 0
    assert account["graduates_abroad"] > 0 and float(pilot.partnership_graduates.sel(region="belgium")[-1]) > 0
    model, closed = arm("skills_partnership_pilot", "pilot_palim_pandemic", months=36, workers=400_000)
    account = model.policies[0].account()
    assert account["graduates_abroad"] == 0 and float(closed.placements_away.sum()) == 0
    assert account["graduates_at_home"] == pytest.approx(account["participants"])  # the away track stayed home
    _, base = arm("skills_partnership_pilot", "baseline", months=36, workers=400_000)
    assert float(base.partnership_graduates.sum()) == 0


def test_every_policy_experiment_states_the_size_it_needs():
    """Each experiment that compares policies says which arms its size resolves (docs/effects.md)."""
    for path in sorted(EXPERIMENTS.glob("*.yaml")):
        spec = yaml.safe_load(path.read_text())
        if "policy" not in sweep_params(path.stem) or "sensitivity" in spec:  # a study's outcomes, not effects
            continue
        header = [line for line in path.read_text().splitlines() if line.startswith("#")]
        size = " ".join(line.lstrip("# ") for line in header[[i for i, x in enumerate(header) if "Size" in x][0] :])
        assert "resolv" in size and "workers" in size, path.name
        assert spec["evaluation"]["panel"] == "baseline", path.name  # spillover and total effects measured
