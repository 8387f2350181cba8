"""A synthetic one-region world for the checks against del Rio-Chanona et al. (2021).

Written as a world folder of the usual CSV files, so the model reads it exactly as a user's
world. Every number here is a test setting, not a claim about a real labour market.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np

from fowsim.model import LabourMarketModel
from fowsim.world import DATA_DIR, OCCUPATION_COLUMNS

REGION = "synthetic"
TEST_SETTING = "validation test setting (synthetic world, not data)"

# the reduced model: no policies, training, migration, recognition or demography
REDUCED_PHASES = ("automation", "separations_and_vacancies", "search_and_matching", "record")

# behavioural parameters that reduce the model to del Rio-Chanona et al.'s rules
REDUCED_PARAMS = {
    "applications": 1,  # one application per unemployed worker per step
    "underqualified_search_weight": 1.0,  # search by network and vacancies only
    "reservation_wage": 0.0,  # every offer is taken
    "employer_skill_weight": 0.0,  # a vacancy picks among its applications at random
    "credential_fit_weight": 0.0,
    "firms_per_sector": 1,  # one employer per occupation: the gap rule acts per occupation
    "firm_adoption_dispersion": 0.0,
    "firm_wage_dispersion": 0.0,
    "demand_adjustment_months": 1,
    "on_the_job_search_rate": 0.0,  # only the unemployed search
    "search_persistence": 1e9,  # search effort does not fall with duration
    "vacancy_withdrawal": 0.0,  # a demand surplus is closed by layoffs alone
    "internal_fill_rate": 0.0,  # vacancies are filled from the market only
}


class ReducedModel(LabourMarketModel):
    """The labour-market core only: automation, separations and openings, search and matching.

    `phases` sets their order (default `REDUCED_PHASES`, fowsim's order of the month).
    """

    def __init__(self, cfg: Any, phases: tuple[str, ...] = REDUCED_PHASES) -> None:
        super().__init__(cfg, phases=phases)


def write_world(
    folder: Path,
    n_occupations: int = 40,
    neighbours: int = 4,
    self_loop: float = 0.5,
    complete: bool = False,
    separation_rate: float = 0.02,
    unemployment: float = 0.06,
    seed: int = 0,
) -> tuple[Path, Path]:
    """Write a synthetic world folder and its network CSV; return (world folder, network file).

    Occupations have random employment shares and automation exposures; the network links each
    occupation to `neighbours` random others (or to all, `complete`) plus a self-loop of weight
    `self_loop`. One of the random links of each occupation is to the next one (in a ring), so
    every occupation reaches every other by some chain of moves (one strongly connected network).
    """
    rng = np.random.default_rng(seed)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    names = [f"occ{i:02d}" for i in range(n_occupations)]
    regions = {
        "labour_force": 1_000_000,
        "unemployment_target": unemployment,
        "ltu_share_target": 0.2,
        "wage_level": 2000,
        "adoption_speed": 1.0,
        "training_capacity": 0.0,
        "edu_primary": 0.25,
        "edu_secondary": 0.25,
        "edu_post_secondary": 0.25,
        "edu_tertiary": 0.25,
        "entry_rate": 0.0,
        "retirement_age": 90,
        "separation_rate": separation_rate,
        "female_share": 0.5,
        "median_age": 35,
        "demand_follows_labour_force": 1,
        "demand_growth": 0.0,
    }
    _write(folder / "regions.csv", ["region", "parameter", "value", "unit", "source"],
           [[REGION, k, v, "", TEST_SETTING] for k, v in regions.items()])  # fmt: skip
    exposure = rng.uniform(0.0, 1.0, n_occupations)
    occ_rows = []
    for i, name in enumerate(names):
        tasks = rng.uniform(0.1, 0.9, 5).round(3).tolist()
        row = {"occupation": name, "isco": str(4000 + i), "name": f"Occupation {i}", "skill_level": 2}
        row.update({"min_credential": 0, "automation_exposure": round(float(exposure[i]), 4), "relative_wage": 1.0})
        row.update({c: t for c, t in zip([c for c in OCCUPATION_COLUMNS if c.startswith("task_")], tasks)})
        row["source"] = TEST_SETTING
        occ_rows.append([row[c] for c in OCCUPATION_COLUMNS])
    _write(folder / "occupations.csv", list(OCCUPATION_COLUMNS), occ_rows)
    share = rng.uniform(0.5, 1.5, n_occupations)
    share = np.round(share / share.sum(), 8)
    share[-1] = round(1.0 - share[:-1].sum(), 8)
    _write(folder / "employment.csv", ["region", "occupation", "share", "source"],
           [[REGION, n, f"{s:.8f}", TEST_SETTING] for n, s in zip(names, share)])  # fmt: skip
    corridor_header = (DATA_DIR / "default" / "corridors.csv").read_text().splitlines()[0]
    (folder / "corridors.csv").write_text(corridor_header + "\n")
    (folder / "parameters.csv").write_text((DATA_DIR / "default" / "parameters.csv").read_text())
    edges = []
    for i in range(n_occupations):
        others = [j for j in range(n_occupations) if j != i]
        ring = (i + 1) % n_occupations
        rest = [j for j in others if j != ring]
        linked = others if complete else [ring, *rng.choice(rest, size=neighbours - 1, replace=False)]
        edges.append([names[i], names[i], self_loop])
        edges += [[names[i], names[j], round((1.0 - self_loop) / len(linked), 6)] for j in linked]
    network = folder / "network.csv"
    _write(network, ["source", "target", "weight"], edges)
    return folder, network


def _write(path: Path, header: list[str], rows: list[list]) -> None:
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
