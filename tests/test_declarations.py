"""Each parameter declared once: policies' parameters (default, range, unit, basis) and the world's behavioural
parameters (their allowed ranges in parameters.csv). Presets, docs and checks come from the declarations."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import pytest

from fowsim import ConfigError, load_world
from fowsim.policies import REGISTRY, Param
from fowsim.policies.params import check_value, declared, default_of, preset_text, render_docs
from fowsim.world import DATA_DIR

ROOT = Path(__file__).parents[1]


def test_every_parameter_of_every_policy_is_declared_with_a_unit_and_a_basis():
    for name, cls in REGISTRY.items():
        fields = [f for f in dataclasses.fields(cls) if f.init]
        decl = declared(cls)
        assert [f.name for f in fields] == list(decl), name  # no field without a declaration
        for field_name, (f, d) in decl.items():
            assert isinstance(d, Param) and d.unit and d.basis, (name, field_name)
            check_value(f"policy.{name}.{field_name}", default_of(f), d)  # the default is allowed


def test_each_policy_preset_is_its_declaration():
    for name, cls in REGISTRY.items():
        preset = ROOT / "configs" / "policy" / f"{name}.yaml"
        assert preset.read_text() == preset_text(cls), f"{preset} differs: run `python -m fowsim.policies --write`"


def test_the_parameter_tables_of_the_policies_page_are_the_declarations():
    docs = ROOT / "docs" / "policies.md"
    text = docs.read_text()
    assert text == render_docs(text, REGISTRY), "docs/policies.md differs: run `python -m fowsim.policies --write`"
    for name in REGISTRY:
        assert f"## `{name}`" in text


def test_the_python_api_and_the_command_line_start_a_policy_in_the_same_month():
    from fowsim import compose
    from fowsim.scenario import build_scenario

    for name, cls in REGISTRY.items():
        from_cli = build_scenario(compose([f"policy=[{name}]", "workers=1000", "months=2"])).policies[0]
        assert from_cli.start_month == cls().start_month and from_cli.end_month == cls().end_month, name


@pytest.mark.parametrize(
    ("decl", "value", "ok"),
    [
        (Param("number", 0, 1), 0.5, True),
        (Param("number", 0, 1), math.nan, False),
        (Param("number", 0, None), math.inf, False),
        (Param("number", 0, 1), True, False),
        (Param("whole", 1, 12), 3.0, True),
        (Param("whole", 1, 12), 3.5, False),
        (Param("number", None, None, optional=True), None, True),
        (Param("number", None, None), None, False),
        (Param("flag"), "yes", False),
    ],
)
def test_a_declaration_checks_its_values(decl, value, ok):
    if ok:
        check_value("k", value, decl)
    else:
        with pytest.raises(ConfigError):
            check_value("k", value, decl)


def test_every_behavioural_parameter_of_every_world_states_its_range_and_lies_in_it():
    for name in sorted(p.name for p in DATA_DIR.iterdir() if p.is_dir()):
        w = load_world({"data": name, "external_origins": ["rest_of_world"]})
        assert set(w.param_ranges) == set(w.params), name
        for key, value in w.params.items():
            assert w.param_ranges[key].admits(value), (name, key, value)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"applications": -3}, "world.params.applications=-3: a number in [0, 50]"),
        ({"skill_transfer_exponent": math.nan}, "world.params.skill_transfer_exponent=nan"),
        ({"search_persistence": math.inf}, "world.params.search_persistence=inf"),
        ({"firms_per_sector": 2.5}, "world.params.firms_per_sector=2.5: a whole number"),
        ({"tvet_completion_rate": 0}, "world.params.tvet_completion_rate=0: a number in [0.01, 1]"),
    ],
)
def test_a_parameter_outside_its_range_fails_at_set_up(params, message):
    with pytest.raises(ConfigError) as exc:
        load_world({"data": "default", "external_origins": ["rest_of_world"], "params": params})
    assert message in str(exc.value) and "\n" not in str(exc.value)


def test_a_world_row_without_a_range_is_refused(tmp_path):
    import shutil

    shutil.copytree(DATA_DIR / "default", tmp_path / "w")
    path = tmp_path / "w" / "parameters.csv"
    lines = path.read_text().splitlines()
    lines[1] = lines[1].replace(",0,50,", ",,50,", 1)  # applications: no lower bound
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ConfigError, match=r"parameters.csv\[applications.low\]"):
        load_world({"data": str(tmp_path / "w"), "external_origins": ["rest_of_world"]})
