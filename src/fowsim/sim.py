"""`Simulation`: the state of a run together with its agents and worker rules, as the phases and policies see it.

`fowsim.state.State` holds the clock, the world, the workforce and the books; this class adds the
agents (employers, training providers, governments), the worker rules and the checked way of
asking them (`decide`). `fowsim.model.LabourMarketModel` builds a `Simulation` from a scenario and
runs its schedule of phases; the phases and policies are written against this class, so they
import nothing from the model's construction.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fowsim.agents import Employer, Government, TrainingProvider
from fowsim.lottery import Evaluation, Lottery
from fowsim.recorder import Recorder
from fowsim.rules import Decisions, WorkerRules
from fowsim.state import State


class Simulation(State):
    """A run's state, agents and worker rules (built and run by `fowsim.model.LabourMarketModel`).

    Declared here: `rules` (the worker rules), `decide` (the rules asked with their answers
    checked), `recorder` (the monthly aggregates), `employers`, `providers`, `governments`,
    `provider_of` (the default providers' indices by region and kind), `agent_classes` (the
    classes new agents are made of: fowsim's or a collaborator's), `evaluation` (how policy
    lotteries are followed, `fowsim.lottery`) and `lotteries` (each policy's, by name).
    """

    rules: WorkerRules
    decide: Decisions
    recorder: Recorder
    employers: list[Employer]
    providers: list[TrainingProvider]
    governments: list[Government]
    provider_of: np.ndarray
    agent_classes: dict[str, type[Any]]
    evaluation: Evaluation
    lotteries: dict[str, Lottery]

    def tied_regions(self) -> np.ndarray:
        """(R,) bool: regions whose governments tie temporary migrants' visas to the sponsor (kafala)."""
        return np.array([g.tied_visas for g in self.governments], dtype=bool)

    def run_policies(self) -> None:
        """Let each policy act this month, on its own stream (the `policies` phase calls this)."""
        raise NotImplementedError

    def add_provider(self, provider: TrainingProvider) -> None:
        """A training provider joins the run (a policy's own, say); the `training` phase advances and pays it."""
        self.providers.append(provider)
