"""Phases and the schedule: the month as an ordered list of named steps, each with its own random stream.

A phase is an object with a `name`, the name of the random `stream` it draws from (None if it
draws nothing), and a call `phase(model, rng)` that acts on a `fowsim.sim.Simulation` with that
stream's generator. The model runs its `Schedule` in order every month. A collaborator adds,
replaces or removes a phase from Python (`Schedule.insert`, `replace`, `remove`) or from a config
(the `phases` key: `fowsim.phases.schedule_from_config`) without editing the package. Streams are
seeded by their names (`fowsim.state.stream_seed`), so a phase with a stream of its own leaves
every other phase's draws unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np

from fowsim.errors import ConfigError
from fowsim.sim import Simulation

# streams that are not a phase's: the initial workforce, the agents' set-up, mesa's own
RESERVED_STREAMS = ("init", "agents", "mesa")


class Phase:
    """One step of the month. Subclass it, set `name` and `stream`, and write `__call__`.

    ```python
    class Strike(Phase):
        name = "strike"
        stream = "strike"          # its own stream: the other phases' draws do not change

        def __call__(self, model, rng):
            ...                    # act through model.market, model.migration, model.decide ...
    ```
    """

    name: str = "phase"
    stream: str | None = None

    def __call__(self, model: Simulation, rng: np.random.Generator | None) -> None:
        """Act on `model` for this month, drawing from `rng` (this phase's stream; None if it has none)."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, stream={self.stream!r})"


class Schedule:
    """The month's phases in order. Names are unique; a stream is used by one phase at most."""

    def __init__(self, phases: Iterable[Phase]) -> None:
        self.phases: list[Phase] = []
        for phase in phases:
            self._add(phase, len(self.phases))

    def __iter__(self) -> Iterator[Phase]:
        return iter(self.phases)

    def __len__(self) -> int:
        return len(self.phases)

    def __repr__(self) -> str:
        return f"Schedule({self.names})"

    @property
    def names(self) -> list[str]:
        """The phases' names, in order."""
        return [p.name for p in self.phases]

    def index(self, name: str, key: str = "phases") -> int:
        """Position of the phase `name`; a ConfigError naming `key` if there is none."""
        if name not in self.names:
            raise ConfigError(key, name, f"one of the phases {self.names}")
        return self.names.index(name)

    def _add(self, phase: Phase, position: int, key: str = "phases") -> None:
        if not isinstance(phase, Phase):
            raise ConfigError(key, phase, "a fowsim.phases.Phase")
        if not isinstance(phase.name, str) or not phase.name:
            raise ConfigError(f"{key}.name", phase.name, "a non-empty phase name")
        if phase.name in self.names:
            raise ConfigError(f"{key}.name", phase.name, f"a name not taken by another phase ({self.names})")
        taken = [p.stream for p in self.phases if p.stream is not None]
        if phase.stream is not None:
            if phase.stream in RESERVED_STREAMS or phase.stream.startswith(("policy:", "lottery:")):
                raise ConfigError(f"{key}.stream", phase.stream, f"a stream name other than {RESERVED_STREAMS} "
                                  "and policy:<name>, lottery:<name>")  # fmt: skip
            if phase.stream in taken:
                raise ConfigError(f"{key}.stream", phase.stream, f"a stream no other phase draws from ({taken})")
        self.phases.insert(position, phase)

    def insert(self, phase: Phase, after: str | None = None, before: str | None = None) -> Schedule:
        """Add `phase` after the phase `after`, before `before`, or at the end; returns the schedule."""
        if after is not None and before is not None:
            raise ConfigError("phases.add", phase.name, "either after or before a phase, not both")
        position = len(self.phases)
        if after is not None:
            position = self.index(after, "phases.add.after") + 1
        elif before is not None:
            position = self.index(before, "phases.add.before")
        self._add(phase, position, "phases.add")
        return self

    def replace(self, name: str, phase: Phase) -> Schedule:
        """Put `phase` in the place of the phase `name`; returns the schedule."""
        position = self.index(name, "phases.replace")
        old = self.phases.pop(position)
        try:
            self._add(phase, position, f"phases.replace.{name}")
        except ConfigError:
            self.phases.insert(position, old)
            raise
        return self

    def remove(self, name: str) -> Schedule:
        """Take the phase `name` out; returns the schedule."""
        del self.phases[self.index(name, "phases.remove")]
        return self
