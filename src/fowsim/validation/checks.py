"""The validation checks: each is one function returning table rows and a figure.

Add a check by writing one function decorated with `@check(name, title)`: it takes `quick`
(the fast form run by the test suite) and a scratch folder, and returns a `Result` whose `rows`
compare a model value with a target, a tolerance and a source. The report (`fowsim validate`)
runs every registered check, draws its figure and lists its rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from fowsim.config import compose
from fowsim.model import LabourMarketModel
from fowsim.sampling import counts
from fowsim.scenario import as_dict, build_scenario
from fowsim.validation import meanfield, synthetic
from fowsim.workforce import UNEMPLOYED


@dataclass(frozen=True)
class Row:
    """One comparison: `model` against `target`, passing within `tolerance` (or by `rule`)."""

    quantity: str
    model: float
    target: float
    tolerance: float
    source: str
    unit: str = ""
    rule: str = "abs"  # "abs": |model - target| <= tolerance; "min": model >= target; "max": model <= target

    @property
    def passed(self) -> bool:
        """Whether the model meets the target."""
        if self.rule == "min":
            return self.model >= self.target
        if self.rule == "max":
            return self.model <= self.target
        return abs(self.model - self.target) <= self.tolerance

    @property
    def miss(self) -> float:
        """How far the model is outside its tolerance (0 when it passes)."""
        if self.rule == "min":
            return max(0.0, self.target - self.model)
        if self.rule == "max":
            return max(0.0, self.model - self.target)
        return max(0.0, abs(self.model - self.target) - self.tolerance)


@dataclass
class Result:
    """What a check returns: its rows, a figure-drawing function and a short account."""

    rows: list[Row]
    draw: Callable | None = None  # draw(fig) -> None
    summary: str = ""
    series: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """All rows pass."""
        return all(r.passed for r in self.rows)


@dataclass(frozen=True)
class Check:
    """A registered check."""

    name: str
    title: str
    run: Callable[[bool, Path], Result]


CHECKS: dict[str, Check] = {}


def check(name: str, title: str) -> Callable:
    """Register `fn(quick, workdir) -> Result` as the check `name`."""

    def register(fn: Callable[[bool, Path], Result]) -> Callable[[bool, Path], Result]:
        CHECKS[name] = Check(name, title, fn)
        return fn

    return register


# ---------------------------------------------------------------- helpers
def _reduced_config(world: Path, network: Path, workers: int, months: int, seed: int, *extra: str) -> dict:
    params = [f"world.params.{k}={v}" for k, v in synthetic.REDUCED_PARAMS.items()]
    return as_dict(
        compose(
            [
                f"world.data={world}",
                f"world.network={network}",
                "world.external_origins=[]",
                f"workers={workers}",
                f"months={months}",
                f"seed={seed}",
                *params,
                *extra,
            ]
        )
    )


def _rates(ds) -> dict[str, np.ndarray]:
    e, u, v = (ds[k].sum("region").values for k in ("employed", "unemployed", "vacancies"))
    ltu = ds["long_term_unemployed"].sum("region").values
    return {
        "unemployment_rate": u / (e + u),
        "vacancy_rate": v / (e + v),
        "long_term_unemployment_rate": ltu / (e + u),
        "employment_rate": e / (e + u),
    }


# ---------------------------------------------------------------- 1. mean-field agreement
@check("meanfield", "Mean-field agreement with del Rio-Chanona et al. (2021)")
def meanfield_agreement(quick: bool, workdir: Path) -> Result:
    """The reduced model's average paths against an independent solution of the mean-field equations."""
    world, network = synthetic.write_world(workdir / "meanfield_world", n_occupations=20, neighbours=4)
    workers, months, seeds = (200_000, 120, 2) if quick else (200_000, 240, 6)
    shock = ["shock=gradual", "shock.start_month=12", f"shock.duration_months={months // 2}"]
    runs, mf = [], None
    for seed in range(seeds):
        m = synthetic.ReducedModel(_reduced_config(world, network, workers, months, seed, *shock))
        ws = m.ws
        U = np.flatnonzero(ws.status == UNEMPLOYED)
        O = m.world.n_occupations
        u0 = np.bincount(ws.occ[U], minlength=O).astype(float)
        # cohorts by spell length at the end of "step -1": duration -1 - since, the last bin 12+
        dur = np.clip(-1 - ws.since[U].astype(np.int64), 0, 12)
        by_dur = counts((13, O), dur, ws.occ[U]).astype(float)
        e0, v0 = m.E_region[0].astype(float), m.V_region[0].astype(float)
        m.run()
        ds = m.results()
        runs.append(_rates(ds))
        if mf is None:
            target = ds["demand_by_occupation"].isel(region=0).values / float(np.ravel(m.scale)[0])
            gamma = float(m.params["gap_response"])
            sol = meanfield.solve(
                m.world.network, e0, u0, v0, target, float(m.sep_rate[0]), float(m.open_rate[0]), gamma, gamma,
                u0_by_duration=by_dur, ltu_months=12, matching="published",
            )  # fmt: skip
            mf = {k: v[1:] for k, v in sol.rates().items()}
    model = {k: np.mean([r[k] for r in runs], axis=0) for k in runs[0]}
    rows = [
        Row(
            f"max |model - mean field|, {k.replace('_', ' ')}",
            float(np.max(np.abs(model[k] - mf[k])) * 100),
            0.0,
            0.3,
            "del Rio-Chanona et al. (2021) mean-field equations, solved independently (fowsim.validation.meanfield)",
            "points",
        )
        for k in ("employment_rate", "unemployment_rate", "vacancy_rate", "long_term_unemployment_rate")
    ]

    def draw(fig) -> None:
        axes = fig.subplots(1, 3)
        t = np.arange(months)
        for ax, k in zip(axes, ("unemployment_rate", "vacancy_rate", "long_term_unemployment_rate")):
            ax.plot(t, model[k] * 100, label=f"model ({seeds} seed{'s' * (seeds > 1)}, {workers:,} workers)")
            ax.plot(t, mf[k] * 100, "--", label="mean field")
            ax.set_title(k.replace("_", " "))
            ax.set_xlabel("month")
            ax.set_ylabel("%")
        axes[0].legend(fontsize=7)

    return Result(
        rows,
        draw,
        f"One region, 20 occupations on a random network (4 neighbours plus a self-loop), a gradual "
        f"reallocation shock over {months // 2} months; {seeds} seed(s) of {workers:,} workers, {months} months.",
    )


# ---------------------------------------------------------------- 2. qualitative results
@check("qualitative", "Network frictions and a 30-year automation shock (del Rio-Chanona et al. 2021)")
def qualitative(quick: bool, workdir: Path) -> Result:
    """Frictions raise steady-state unemployment; an automation shock raises it for a while, then it recovers."""
    workers = 50_000 if quick else 200_000
    sparse = synthetic.write_world(workdir / "sparse_world", neighbours=2, self_loop=0.8)
    complete = synthetic.write_world(workdir / "complete_world", complete=True, self_loop=0.8)
    steady = {}
    for name, (world, net) in (("sparse", sparse), ("complete", complete)):
        ds = synthetic.ReducedModel(_reduced_config(world, net, workers, 120, 0)).run().results()
        steady[name] = float(_rates(ds)["unemployment_rate"][36:].mean())
    months = 12 + 360 + 240
    shock = ["shock=gradual", "shock.start_month=12", "shock.duration_months=360"]
    world = synthetic.write_world(workdir / "shock_world", neighbours=4, self_loop=0.5)
    ds = synthetic.ReducedModel(_reduced_config(*world, workers, months, 0, *shock)).run().results()
    r = _rates(ds)
    u, ltu = r["unemployment_rate"], r["long_term_unemployment_rate"]
    before, end = float(u[:12].mean()), float(u[-24:].mean())
    src = "del Rio-Chanona et al. (2021): frictions raise unemployment; the shock raises u and LTU, then u recovers"
    rows = [
        Row("steady-state unemployment, sparse minus complete network", (steady["sparse"] - steady["complete"]) * 100,
            0.0, 0.0, src, "points", "min"),
        Row("peak unemployment minus pre-shock level", (float(u.max()) - before) * 100, 0.5, 0.0, src, "points", "min"),
        Row("peak long-term unemployment minus pre-shock level", (float(ltu.max()) - float(ltu[:12].mean())) * 100,
            0.2, 0.0, src, "points", "min"),
        Row("unemployment after the shock minus pre-shock level", (end - before) * 100, 0.0, 1.0, src, "points"),
    ]  # fmt: skip

    def draw(fig) -> None:
        ax1, ax2 = fig.subplots(1, 2)
        ax1.bar(["sparse network", "complete network"], [steady["sparse"] * 100, steady["complete"] * 100])
        ax1.set_ylabel("steady-state unemployment, %")
        ax2.plot(u * 100, label="unemployment")
        ax2.plot(ltu * 100, label="long-term unemployment")
        ax2.axvspan(12, 372, alpha=0.1, label="shock")
        ax2.set_xlabel("month")
        ax2.set_ylabel("% of labour force")
        ax2.legend(fontsize=7)

    return Result(rows, draw, f"Reduced model, {workers:,} workers, a logistic reallocation shock over 30 years.")


# ---------------------------------------------------------------- 3. Beveridge curve
def loop_area(u: np.ndarray, v: np.ndarray) -> float:
    """Signed area of the closed path (u, v) by the shoelace formula: > 0 means counter-clockwise."""
    return float(0.5 * np.sum(u * np.roll(v, -1) - np.roll(u, -1) * v))


@check("beveridge", "Beveridge curve under a demand cycle")
def beveridge(quick: bool, workdir: Path) -> Result:
    """A demand cycle traces counter-clockwise loops in the (unemployment, vacancy) plane."""
    workers, cycles = (50_000, 3) if quick else (200_000, 5)
    period = 48
    cfg = as_dict(
        compose(
            ["shock=cycle", "shock.cycle_amplitude=0.05", f"shock.cycle_period_months={period}", f"workers={workers}",
             f"months={24 + period * cycles}"]
        )
    )  # fmt: skip
    ds = LabourMarketModel(build_scenario(cfg)).run().results()
    u = (ds.unemployed.sum("region") / ds.labour_force.sum("region")).values[24:]
    v = (ds.vacancies.sum("region") / (ds.employed + ds.vacancies).sum("region")).values[24:]
    loops_u, loops_v = u[: period * cycles].reshape(cycles, period), v[: period * cycles].reshape(cycles, period)
    areas = [loop_area(a, b) for a, b in zip(loops_u, loops_v)]
    mean_area = loop_area(loops_u.mean(axis=0), loops_v.mean(axis=0))
    src = "FACTS.md: Beveridge curves trace counter-clockwise loops (del Rio-Chanona et al. 2021)"
    rows = [
        Row("signed area of the average loop (> 0: counter-clockwise)", mean_area * 1e4, 0.0, 0.0, src,
            "points squared", "min"),
        Row("share of single loops that turn counter-clockwise", float(np.mean(np.array(areas) > 0)), 0.5, 0.0, src,
            "", "min"),
    ]  # fmt: skip

    def draw(fig) -> None:
        ax = fig.subplots()
        ax.plot(u * 100, v * 100, lw=0.8)
        ax.plot(u[0] * 100, v[0] * 100, "o", label="start")
        ax.set_xlabel("unemployment rate, %")
        ax.set_ylabel("vacancy rate, %")
        ax.legend(fontsize=7)

    turn = "counter-clockwise" if mean_area > 0 else "clockwise"
    return Result(
        rows,
        draw,
        f"Default world, {workers:,} workers, a ±5% demand cycle of {period} months; over {cycles} cycles the "
        f"average loop turns {turn}; "
        f"the average loop has area {mean_area * 1e4:.3f} points squared.",
    )
