"""The default world and user worlds: loading, checks, the mobility network."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from fowsim import ConfigError, load_world
from fowsim.world import DATA_DIR, similarity_network


@pytest.fixture(scope="module")
def world():
    return load_world({"data": "default", "external_origins": ["rest_of_world"]})


def test_default_world_has_the_regions_occupations_and_corridors(world):
    assert world.regions == ("eu", "gulf", "north_africa", "west_africa", "east_africa")
    assert world.n_occupations >= 20
    assert set(world.skill_level) == {1, 2, 3, 4}
    np.testing.assert_allclose(world.employment.sum(axis=1), 1.0)
    np.testing.assert_allclose(world.network.sum(axis=1), 1.0)
    np.testing.assert_allclose(np.diag(world.network), world.params["network_self_loop"])  # as calibrated
    assert 0.2 <= world.params["network_self_loop"] < 1.0
    assert len(world.corridors) >= 10


def test_migrant_stocks_match_published_anchors(world):
    c, names = world.corridors, world.origins
    africa = [names.index(r) for r in ("north_africa", "west_africa", "east_africa")]
    eu, gulf = world.region("eu"), world.region("gulf")
    in_eu = c.initial_stock[np.isin(c.origin, africa) & (c.destination == eu)].sum()
    in_gulf = c.initial_stock[c.destination == gulf].sum()
    # about 11M Africans in Europe as a whole (UN DESA 2020); the EU-27 holds most of them
    assert 8e6 < in_eu < 11.5e6
    assert 28e6 < in_gulf < 32e6  # GCC 30.1M non-nationals (GLMM mid-2020)


def test_every_data_row_carries_a_source():
    import csv

    for name in ("regions.csv", "occupations.csv", "employment.csv", "corridors.csv", "parameters.csv"):
        with open(DATA_DIR / "default" / name) as fh:
            rows = list(csv.DictReader(fh))
        assert rows and all(r["source"].strip() for r in rows), name


def test_network_from_similarity_keeps_self_loop_and_neighbours():
    tasks = np.random.default_rng(0).random((8, 5))
    net = similarity_network(tasks, np.array([1, 2, 2, 3, 4, 4, 1, 2]), 0.5, 3)
    np.testing.assert_allclose(net.sum(axis=1), 1.0)
    assert ((net > 0).sum(axis=1) <= 4).all()


def _copy_world(tmp_path: Path) -> Path:
    dst = tmp_path / "w"
    shutil.copytree(DATA_DIR / "default", dst)
    return dst


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_a_probability_of_1_7_is_refused(tmp_path):
    d = _copy_world(tmp_path)
    _edit(d / "regions.csv", "eu,unemployment_target,0.067", "eu,unemployment_target,1.7")
    with pytest.raises(ConfigError, match=r"regions.csv\[eu.unemployment_target\]=1.7: a probability"):
        load_world({"data": str(d), "external_origins": ["rest_of_world"]})


def test_a_corridor_to_an_unknown_region_is_refused(tmp_path):
    d = _copy_world(tmp_path)
    _edit(d / "corridors.csv", "north_africa,eu,", "north_africa,atlantis,")
    with pytest.raises(ConfigError, match=r"corridors.csv.destination='atlantis': one of"):
        load_world({"data": str(d), "external_origins": ["rest_of_world"]})


def test_a_missing_data_file_is_named(tmp_path):
    d = _copy_world(tmp_path)
    (d / "occupations.csv").unlink()
    with pytest.raises(ConfigError, match="missing occupations.csv"):
        load_world({"data": str(d)})


def test_a_user_network_csv_replaces_the_similarity_network(tmp_path, world):
    occ = world.occupations
    rows = ["source,target,weight"] + [f"{o},{o},1" for o in occ] + [f"{occ[0]},{occ[1]},1"]
    (tmp_path / "net.csv").write_text("\n".join(rows) + "\n")
    w = load_world({"data": "default", "network": str(tmp_path / "net.csv"), "external_origins": ["rest_of_world"]})
    assert w.network[0, 0] == pytest.approx(0.5) and w.network[0, 1] == pytest.approx(0.5)
    assert w.network[1, 1] == 1.0


def test_a_two_region_user_world_runs(tmp_path):
    """Another world (other regions) from CSV files alone, no code."""
    from fowsim import simulate
    from tests.conftest import small

    d = _copy_world(tmp_path)
    keep = ("eu", "north_africa")
    for name in ("regions.csv", "employment.csv"):
        lines = (d / name).read_text().splitlines()
        (d / name).write_text("\n".join([lines[0]] + [x for x in lines[1:] if x.split(",")[0] in keep]) + "\n")
    lines = (d / "corridors.csv").read_text().splitlines()
    (d / "corridors.csv").write_text(
        lines[0] + "\n" + next(x for x in lines if x.startswith("north_africa,eu,")) + "\n"
    )
    (d / "calibration.yaml").unlink()
    cfg = small(f"world.data={d}", "world.external_origins=[]", workers=2000, months=6)
    ds = simulate(cfg)
    assert list(ds.region.values) == list(keep)
    assert float(ds.migrant_stock.sel(origin="north_africa", destination="eu").isel(time=-1)) > 0


def test_fitted_separation_rates_and_approval_multipliers_come_from_the_calibration(tmp_path):
    """calibration.yaml's per-region values replace regions.csv's; approvals are scaled and capped at 1."""
    d = _copy_world(tmp_path)
    (d / "calibration.yaml").write_text(
        "values:\n  separation_rate: {eu: 0.03}\n  recognition_multiplier: {eu: 10.0, gulf: 0.5}\n"
    )
    w = load_world({"data": str(d), "external_origins": ["rest_of_world"]})
    plain = load_world({"data": str(d), "external_origins": ["rest_of_world"]})
    plain.calibration.clear()
    eu, gulf = w.region("eu"), w.region("gulf")
    sep = w.separation_rate()
    assert sep[eu] == 0.03
    others = np.arange(w.n_regions) != eu
    assert np.array_equal(sep[others], w.rp("separation_rate")[others])
    approval, raw = w.recognition_approval(), plain.recognition_approval()
    dest = w.corridors.destination
    assert np.all(approval[dest == eu] == 1.0)
    assert np.allclose(approval[dest == gulf], 0.5 * raw[dest == gulf])
    rest = (dest != eu) & (dest != gulf)
    assert np.array_equal(approval[rest], raw[rest])


# ---------------------------------------------------------------- worlds built on a base world
def test_the_belgium_morocco_world_adds_two_countries_on_the_default_world(world):
    bm = load_world({"data": "belgium_morocco", "external_origins": ["rest_of_world"]})
    assert bm.regions == ("belgium", "morocco")
    # the default world's other regions send migrants into the two as external origins
    assert {"eu", "north_africa", "west_africa", "east_africa", "rest_of_world"} <= set(bm.origins)
    assert bm.occupations == world.occupations  # inherited from the base
    np.testing.assert_allclose(bm.employment.sum(axis=1), 1.0)
    np.testing.assert_allclose(bm.rp("labour_force"), [5.1e6, 12.082e6])
    c = bm.corridors
    k = np.flatnonzero((c.origin == bm.origins.index("morocco")) & (c.destination == bm.region("belgium")))
    assert c.initial_stock[k] == pytest.approx(215_000)  # OECD International Migration Outlook 2018
    assert set(bm.calibration) >= {"opening_multiplier", "separation_rate"}  # its own calibration
    assert not np.isnan(bm.calibration["separation_rate"]).any()
    assert "Belgium" in bm.sources and "Sources for the default world" in bm.sources


def test_a_world_built_on_a_base_replaces_rows_by_key_and_keeps_the_rest(tmp_path, world):
    (tmp_path / "world.yaml").write_text("base: default\n")
    (tmp_path / "regions.csv").write_text("region,parameter,value,unit,source\neu,unemployment_target,0.08,1,test\n")
    mine = load_world({"data": str(tmp_path), "external_origins": ["rest_of_world"]})
    assert mine.regions == world.regions  # the replaced row keeps its place
    eu = mine.region("eu")
    assert mine.rp("unemployment_target")[eu] == 0.08
    np.testing.assert_array_equal(np.delete(mine.rp("unemployment_target"), eu),
                                  np.delete(world.rp("unemployment_target"), eu))  # fmt: skip
    np.testing.assert_array_equal(mine.employment, world.employment)
    assert mine.calibration.keys() == world.calibration.keys()  # the base's calibration applies


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("base: no_such_world\n", "base='no_such_world': a world folder or one of"),
        ("base: default\nregions: [eu, atlantis]\n", "regions=['eu', 'atlantis']: a list of distinct regions"),
        ("base: default\nfrobnicate: 1\n", "a mapping with the keys base, description, regions"),
        ("base: {self}\n", "a world that does not lead back to this one"),
    ],
)
def test_a_bad_world_yaml_fails_in_one_line(tmp_path, spec, message):
    (tmp_path / "world.yaml").write_text(spec.format(self=tmp_path))
    with pytest.raises(ConfigError) as err:
        load_world({"data": str(tmp_path)})
    assert message in str(err.value) and "\n" not in str(err.value)


def _components(network: np.ndarray) -> int:
    from scipy.sparse.csgraph import connected_components

    links = network.copy()
    np.fill_diagonal(links, 0.0)
    return int(connected_components(links > 0, directed=True, connection="strong")[0])


def test_the_observed_network_is_the_worlds_own_and_every_occupation_reaches_every_other(world):
    observed = load_world({"data": "default", "network": "observed", "external_origins": ["rest_of_world"]})
    assert observed.network_kind == "observed" and world.network_kind == "observed"  # a world's own network.csv
    np.testing.assert_allclose(observed.network.sum(axis=1), 1.0)
    np.testing.assert_allclose(np.diag(observed.network), world.params["network_self_loop"])  # as for similarity
    assert _components(observed.network) == 1
    off = observed.network - np.diag(np.diag(observed.network))
    assert (off > 0).sum() > 900  # observed moves link almost every pair, not six neighbours each
    # the task-similarity option, kept for the sensitivity study, splits the occupations
    similarity = load_world({"data": "default", "network": "similarity", "external_origins": ["rest_of_world"]})
    assert similarity.network_kind == "similarity" and _components(similarity.network) > 1
    # the self-loop is a parameter of either network
    low = load_world({"data": "default", "network": "observed", "self_loop": 0.3,
                      "external_origins": ["rest_of_world"]})  # fmt: skip
    np.testing.assert_allclose(np.diag(low.network), 0.3)
    np.testing.assert_allclose(off[0] / off[0].sum(), (low.network[0] - np.eye(33)[0] * 0.3) / 0.7)


def test_the_shipped_network_is_what_the_script_makes_from_the_data(tmp_path):
    import importlib.util

    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("build_network", root / "scripts" / "build_network.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert script.main(["--out", str(tmp_path / "network.csv")]) == 0
    assert (tmp_path / "network.csv").read_bytes() == (DATA_DIR / "default" / "network.csv").read_bytes()
    # the aggregation keeps stayers: between the 33 occupations the data show 7.1% changing a year
    names, flows, employment = script.world_flows()
    assert 1.0 - np.trace(flows) / flows.sum() == pytest.approx(0.071, abs=0.001)
    assert employment.sum() == pytest.approx(144.7e6, rel=0.001)  # OES May 2023 wage and salary jobs


def test_observed_needs_a_world_with_its_own_network(tmp_path):
    folder = tmp_path / "bare"
    shutil.copytree(DATA_DIR / "default", folder)
    (folder / "network.csv").unlink()
    assert load_world({"data": str(folder), "external_origins": ["rest_of_world"]}).network_kind == "similarity"
    with pytest.raises(ConfigError, match="world.network='observed': a world with its own network.csv"):
        load_world({"data": str(folder), "network": "observed", "external_origins": ["rest_of_world"]})


def test_network_mix_blends_in_task_similarity_and_refuses_a_share_outside_zero_to_one(world):
    base = {"data": "default", "external_origins": ["rest_of_world"]}
    similarity = load_world({**base, "network": "similarity"}).network
    np.testing.assert_allclose(load_world({**base, "network_mix": 1.0}).network, similarity)
    half = load_world({**base, "network_mix": 0.5}).network
    np.testing.assert_allclose(half, 0.5 * world.network + 0.5 * similarity)
    with pytest.raises(ConfigError, match=r"world.network_mix=1.5: a share in \[0, 1\]"):
        load_world({**base, "network_mix": 1.5})


def test_demand_path_is_interpolated_in_logs_and_continued_at_its_last_growth(world):
    import dataclasses

    path = np.ones((world.n_regions, 11))
    path[0] = 1.01 ** np.arange(11)  # 1% a year for ten years
    path[1] = np.nan  # no path measured: demand_growth instead
    w = dataclasses.replace(world, demand_path=path)
    assert w.demand_index(0)[0] == pytest.approx(1.0)
    assert w.demand_index(18)[0] == pytest.approx(1.01**1.5)  # between years, in logs
    assert w.demand_index(12 * 14)[0] == pytest.approx(1.01**14)  # beyond the path: its last five years' growth
    growth = world.fitted("demand_growth", world.rp("demand_growth"))[1]  # the calibration's, where fitted
    assert w.demand_index(30)[1] == pytest.approx((1 + growth) ** 2.5)
    np.testing.assert_allclose(w.demand_index(60)[2:], 1.0)


def test_demand_grows_at_the_calibrations_fitted_rate_where_it_has_one(world):
    import dataclasses

    gulf = world.regions.index("gulf")
    fitted = np.full(world.n_regions, np.nan)
    fitted[gulf] = 0.02
    w = dataclasses.replace(world, demand_path=None, calibration={**world.calibration, "demand_growth": fitted})
    assert w.demand_index(24)[gulf] == pytest.approx(1.02**2)
    others = np.arange(world.n_regions) != gulf
    np.testing.assert_allclose(w.demand_index(24)[others], (1 + world.rp("demand_growth")[others]) ** 2)
