"""fowsim: an agent-based model of automation, skilling and mobility in Gulf, EU and African labour markets.

The public API::

    from fowsim import compose, simulate, LabourMarketModel
    cfg = compose(["shock=gradual", "workers=20000"])
    ds = simulate(cfg)                      # an xarray.Dataset of monthly aggregates
    path = run_sweep(["policy=baseline,reskilling", "seed=range(3)"])   # -> sweep.nc
"""

from __future__ import annotations

__version__ = "0.1.0"

from fowsim.agents import Employer, Government, TrainingProvider  # noqa: E402
from fowsim.config import compose  # noqa: E402
from fowsim.errors import ConfigError, ExtensionError  # noqa: E402
from fowsim.model import LabourMarketModel, simulate  # noqa: E402
from fowsim.policies import Policy  # noqa: E402
from fowsim.rules import WorkerRules  # noqa: E402
from fowsim.scenario import Scenario, build_scenario  # noqa: E402
from fowsim.sweep import run_sweep  # noqa: E402
from fowsim.world import World, load_world  # noqa: E402

__all__ = [
    "ConfigError",
    "Employer",
    "ExtensionError",
    "Government",
    "LabourMarketModel",
    "Policy",
    "Scenario",
    "TrainingProvider",
    "World",
    "WorkerRules",
    "__version__",
    "build_scenario",
    "compose",
    "load_world",
    "run_sweep",
    "simulate",
]
