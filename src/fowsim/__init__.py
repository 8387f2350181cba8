"""fowsim: an agent-based model of automation, skilling and mobility in Gulf, EU and African labour markets.

The public API::

    from fowsim import compose, simulate, LabourMarketModel
    cfg = compose(["shock=gradual", "workers=20000"])
    ds = simulate(cfg)                      # an xarray.Dataset of monthly aggregates
    path = run_sweep(["policy=baseline,reskilling", "seed=range(3)"])   # -> sweep.nc
"""

from __future__ import annotations

from fowsim._version import __version__
from fowsim.agents import Employer, Government, TrainingProvider
from fowsim.config import compose
from fowsim.errors import ConfigError, ExtensionError
from fowsim.model import LabourMarketModel, simulate
from fowsim.phases import Phase, Schedule, default_schedule
from fowsim.policies import Policy
from fowsim.rules import WorkerRules
from fowsim.scenario import Scenario, build_scenario
from fowsim.sweep import run_sweep
from fowsim.world import World, load_world

__all__ = [
    "ConfigError",
    "Employer",
    "ExtensionError",
    "Government",
    "LabourMarketModel",
    "Phase",
    "Policy",
    "Scenario",
    "Schedule",
    "TrainingProvider",
    "World",
    "WorkerRules",
    "__version__",
    "build_scenario",
    "compose",
    "default_schedule",
    "load_world",
    "run_sweep",
    "simulate",
]
