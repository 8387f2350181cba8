"""Worker rules that crash the run with seed 1 from its third month, the first time they are asked (sweep tests)."""

from __future__ import annotations

from fowsim.rules import WorkerRules


class CrashOnSeedOne(WorkerRules):
    """As `WorkerRules`, but the run with seed 1 raises the first time it is asked in month 2 or later."""

    def seeks_training(self, model, idx, rng):
        if model.scenario.seed == 1 and model.t >= 2:
            raise RuntimeError("deliberate crash of the run with seed 1")
        return super().seeks_training(model, idx, rng)


class DieOnSeedOne(WorkerRules):
    """As `WorkerRules`, but the run with seed 1 dies in month 2 or later (no traceback, no error.txt)."""

    def seeks_training(self, model, idx, rng):
        if model.scenario.seed == 1 and model.t >= 2:
            import os

            os._exit(3)
        return super().seeks_training(model, idx, rng)
