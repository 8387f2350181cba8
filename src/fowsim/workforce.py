"""The workforce: every worker as one slot across a set of typed numpy arrays (struct of arrays).

Times are stored as absolute months (`since`, `birth`, `retire_at`) rather than counters, so the
monthly step never touches every worker to increment a clock: unemployment duration is
`t - since`, age is `t - birth`, skill growth on the job is a function of tenure.

The arrays are written by the phases; a worker's status, region, employer and wage only through
`fowsim.state.Market` (which keeps the stocks, flows and employers' books that depend on them).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from fowsim.codes import DOWNGRADED, PENDING, SECONDARY, VACANT
from fowsim.kernels import effective_skill


@dataclass
class Workforce:
    """Struct-of-arrays population. Slot i is one worker; VACANT slots are free for entrants."""

    region: np.ndarray  # int8, where the worker lives and works
    origin: np.ndarray  # int8, index into World.origins
    occ: np.ndarray  # int16, current or last occupation
    cred: np.ndarray  # int8, credential 0..3
    skill: np.ndarray  # float32 in [0, 1], occupation skill at month `since`
    status: np.ndarray  # int8
    employer: np.ndarray  # int16, employer index or -1
    wage: np.ndarray  # float32, EUR per month while employed
    since: np.ndarray  # int16, month the current status began
    jobless_since: np.ndarray  # int16, month of leaving the last job (or entering): time out of work, with training
    birth: np.ndarray  # int16, month of birth (negative before the start)
    retire_at: np.ndarray  # int16, month of retirement
    female: np.ndarray  # bool
    mig: np.ndarray  # int8, migration status
    visa_end: np.ndarray  # int16, month a temporary visa ends (-1: none)
    recog: np.ndarray  # int8, recognition state
    programme: np.ndarray  # int16, training programme or -1
    displaced: np.ndarray  # int16, month of the last automation-driven layoff or -1
    scheme: np.ndarray  # uint16, bits: programmes and schemes the worker has been through

    DTYPES = {
        "region": np.int8,
        "origin": np.int8,
        "occ": np.int16,
        "cred": np.int8,
        "skill": np.float32,
        "status": np.int8,
        "employer": np.int16,
        "wage": np.float32,
        "since": np.int16,
        "jobless_since": np.int16,
        "birth": np.int16,
        "retire_at": np.int16,
        "female": np.bool_,
        "mig": np.int8,
        "visa_end": np.int16,
        "recog": np.int8,
        "programme": np.int16,
        "displaced": np.int16,
        "scheme": np.uint16,
    }
    FILL = {"employer": -1, "visa_end": -1, "programme": -1, "displaced": -1}

    def __post_init__(self) -> None:
        self._free: np.ndarray | None = None  # vacant slots found this month, not yet taken

    @classmethod
    def empty(cls, capacity: int) -> Workforce:
        """A workforce of `capacity` vacant slots."""
        return cls(**{name: np.full(capacity, cls.FILL.get(name, 0), dtype=dt) for name, dt in cls.DTYPES.items()})

    def __len__(self) -> int:
        return len(self.status)

    def grow(self, extra: int) -> None:
        """Add `extra` vacant slots."""
        more = Workforce.empty(extra)
        for f in fields(self):
            setattr(self, f.name, np.concatenate([getattr(self, f.name), getattr(more, f.name)]))

    def nbytes(self) -> int:
        """Bytes held by the arrays."""
        return sum(getattr(self, f.name).nbytes for f in fields(self))

    def new_month(self) -> None:
        """Forget last month's scan of vacant slots."""
        self._free = None

    def free_slots(self, n: int) -> np.ndarray:
        """Indices of `n` vacant slots, growing the arrays when too few are left.

        One scan a month; slots freed later in the month are found by the next scan.
        """
        if self._free is None or self._free.size < n:
            self._free = np.flatnonzero(self.status == VACANT)
        free = self._free
        if free.size < n:
            start = len(self)
            self.grow(max(n - free.size, start // 8))
            free = np.concatenate([free, np.arange(start, len(self))])
        self._free = free[n:]
        return free[:n]

    def effective_credential(self, idx: np.ndarray) -> np.ndarray:
        """Credential employers can count on where the worker lives.

        A foreign credential awaiting recognition counts as secondary at most; a downgraded one
        counts one level lower. The only place this rule is written: matching, hiring, internal
        moves, the initial workforce and the naive reference all read it here.
        """
        return effective_credential(self.cred[idx], self.recog[idx])

    def effective_skill(self, idx: np.ndarray, t: int, learn: float, decay: float, grace: int) -> np.ndarray:
        """Skill at month `t`: rising on the job with tenure, decaying after `grace` months out of work.

        On the job `1 - (1 - s) exp(-learn tenure)`; out of work `s exp(-decay max(0, duration - grace))`,
        with `s` the skill stored at month `since` (a compiled kernel: one pass, no temporaries).
        """
        idx = np.asarray(idx, dtype=np.int64)
        return effective_skill(idx, self.skill, self.since, self.status, int(t), float(learn), float(decay), int(grace))


def effective_credential(cred: np.ndarray, recog: np.ndarray) -> np.ndarray:
    """The credential that counts, from credentials `cred` and their recognition states `recog` (same shape)."""
    out = np.asarray(cred).copy()
    pending = recog == PENDING
    out[pending] = np.minimum(out[pending], SECONDARY)
    down = recog == DOWNGRADED
    out[down] = np.maximum(out[down] - 1, 0)
    return out
