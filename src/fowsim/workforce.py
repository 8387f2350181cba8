"""The workforce: every worker as one slot across a set of typed numpy arrays (struct of arrays).

Times are stored as absolute months (`since`, `birth`, `retire_at`) rather than counters, so the
monthly step never touches every worker to increment a clock: unemployment duration is
`t - since`, age is `t - birth`, skill growth on the job is a function of tenure.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

# status: every slot is in exactly one
VACANT, EMPLOYED, UNEMPLOYED, TRAINING = 0, 1, 2, 3
STATUS_NAMES = ("vacant", "employed", "unemployed", "training")
# migration status
NATIVE, TEMPORARY, PERMANENT, REFUGEE, RETURNEE = 0, 1, 2, 3, 4
MIGRATION_NAMES = ("native", "temporary_migrant", "permanent_migrant", "refugee", "returnee")
# recognition of the highest credential where the worker lives
NOT_NEEDED, PENDING, RECOGNISED, DOWNGRADED = 0, 1, 2, 3
RECOGNITION_NAMES = ("not_needed", "pending", "recognised", "downgraded")
# credential (highest qualification), aligned with ISCO-08 skill levels 1..4
CREDENTIAL_NAMES = ("primary", "secondary", "post_secondary", "tertiary")
POST_SECONDARY = 2
TERTIARY = 3
YOUTH_MONTHS = 300  # workers younger than 25 (in months of age) count as youth (15-24)
# programmes and schemes a worker has been through (bits of `Workforce.scheme`)
TRAINED = 1  # completed any training programme
RESKILLED = 2  # completed a reskilling programme (policy `reskilling`)
PREPARED = 4  # completed pre-departure training (policy `pre_departure`)
PARTNER = 8  # graduate of a skills partnership (policy `skills_partnership`)
CIRCULAR = 16  # on or back from a circular mobility scheme (policy `circular_mobility`)
LONG_TERM = 32  # moved on a long-term mobility channel or joined family there (policy `long_term_mobility`)
DIASPORA_TRAINED = 64  # trained by diaspora members (policy `diaspora_training`)
ENTREPRENEUR = 128  # graduate of entrepreneurship training (policy `entrepreneurship_training`)
FAMILY_DONE = 256  # a long-term migrant whose family member has joined, or who joined as one


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

    def effective_credential(self, idx: np.ndarray) -> np.ndarray:
        """Credential employers can count on: pending foreign tertiary counts as secondary at most."""
        cred, rec = self.cred[idx], self.recog[idx]
        out = cred.copy()
        out[rec == PENDING] = np.minimum(cred[rec == PENDING], 1)
        down = rec == DOWNGRADED
        out[down] = np.maximum(cred[down] - 1, 0)
        return out

    def effective_skill(self, idx: np.ndarray, t: int, learn: float, decay: float, grace: int) -> np.ndarray:
        """Skill at month `t`: rising on the job with tenure, decaying after `grace` months out of work.

        On the job `1 - (1 - s) exp(-learn tenure)`; out of work `s exp(-decay max(0, duration - grace))`,
        with `s` the skill stored at month `since` (a compiled kernel: one pass, no temporaries).
        """
        from fowsim.kernels import effective_skill  # the kernels module imports this one

        idx = np.asarray(idx, dtype=np.int64)
        return effective_skill(idx, self.skill, self.since, self.status, int(t), float(learn), float(decay), int(grace))
