"""Phase 3, `policies`: each active policy acts, drawing from its own stream."""

from __future__ import annotations

import numpy as np

from fowsim.phases.base import Phase
from fowsim.sim import Simulation


class Policies(Phase):
    """Each active policy acts through the agents, the books' public methods and the worker rules, on its own stream."""

    name = "policies"
    stream = None  # each policy draws from its own stream, `policy:<name>`

    def __call__(self, model: Simulation, rng: np.random.Generator | None) -> None:
        model.run_policies()
