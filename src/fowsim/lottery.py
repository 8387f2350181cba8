"""Recorded lotteries: who won a policy's place, a sample of the eligible who lost, and what became of both.

Where a policy chooses its participants among eligible people (applicants, when only those who
would take part apply), it draws them at random, and every such draw is a lottery an evaluator
could use (as in randomised evaluations of training, Card, Kluve & Weber 2018, and of migration
by visa lottery, McKenzie, Gibson & Stillman 2010). `Lottery.draw` records, in the month of the
draw, every winner not followed yet and a random sample of the losers not followed yet
(`controls` for each winner, drawn from the lottery's own stream `lottery:<policy>` so that
following people changes nothing in the run). Each followed person's outcome is read at
`HORIZONS` months after the draw (`Lottery.follow`, in the `record` phase): a one-byte code of
status, over-qualification and region (`outcome_codes`), and their monthly earnings (the wage
where employed, informal pay in informal work, 0 out of work).

Winners against losers of the same month is the direct effect of a place; a person's outcome
against their own in the baseline run of the same seed (common random numbers, `Panel`) is the
spillover (for losers) or the total effect (for winners): the decomposition of Crépon, Duflo,
Gurgand, Rathelot & Zamora (2013). The analysis is `fowsim.evaluation`'s.

A person is a slot and a month of birth: a slot whose month of birth changes has a new occupant,
and the person followed has left (code 0, as a vacant slot).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from fowsim.codes import EMPLOYED, INFORMAL, TERTIARY, VACANT
from fowsim.errors import ConfigError
from fowsim.workforce import Workforce

HORIZONS = (6, 12, 24, 36)  # months after the draw at which outcomes are read
NOT_REACHED = 255  # the code of an outcome whose month lies beyond the run's horizon
MAX_REGIONS = 15  # regions a code can hold (4 bits; NOT_REACHED, 255, is status 7, which no worker has)
STATUS_BITS = 0b111  # bits 0-2 of a code: the status (fowsim.codes)
OVERQUALIFIED = 0b1000  # bit 3: over-qualified (a tertiary graduate in a skill level 1-2 formal job)
REGION_SHIFT = 4  # bits 4-7: the region
_LOOKUP = np.full(max(HORIZONS) + 1, -1, dtype=np.int64)
_LOOKUP[list(HORIZONS)] = np.arange(len(HORIZONS))
PEOPLE = ("followed_", "panel_")  # prefixes of the results' per-person variables (not collected into sweep.nc)
PEOPLE_DIMS = ("followed", "lottery_horizon", "slot", "panel_change")
COLUMNS = {"slot": np.int32, "birth": np.int16, "month": np.int16, "won": np.bool_, "region": np.int8,
           "before": np.uint8}  # fmt: skip


PANEL_CHOICES = ("baseline", "on", "off")


@dataclass(frozen=True)
class Evaluation:
    """How policy lotteries are followed (config `evaluation`).

    `controls` losers are followed per winner; `panel` (every worker's monthly outcome) is recorded
    in runs without policies (`baseline`), in every run (`on`) or never (`off`, the default).
    """

    controls: int = 1
    panel: str = "off"

    def records_panel(self, has_policies: bool) -> bool:
        """Whether a run records the panel."""
        return self.panel == "on" or (self.panel == "baseline" and not has_policies)


def build_evaluation(spec: Any) -> Evaluation:
    """The `evaluation` config entry, checked."""
    spec = spec or {}
    if not isinstance(spec, Mapping):
        raise ConfigError("evaluation", spec, "a mapping with controls and panel")
    for key in spec:
        if key not in ("controls", "panel"):
            raise ConfigError(f"evaluation.{key}", spec[key], "one of the keys controls, panel")
    controls = spec.get("controls", 1)
    if isinstance(controls, bool) or not isinstance(controls, int) or not 0 <= controls <= 20:
        raise ConfigError("evaluation.controls", controls, "a whole number of losers per winner from 0 to 20")
    panel = spec.get("panel", "off")
    if isinstance(panel, (bool, str)):  # a YAML or Hydra true/false comes as a bool, or as "True" in a str field
        panel = {"true": "on", "false": "off"}.get(str(panel).lower(), panel)
    if panel not in PANEL_CHOICES:
        raise ConfigError("evaluation.panel", panel, f"one of {', '.join(PANEL_CHOICES)}")
    return Evaluation(controls, str(panel))


def check_regions(n_regions: int) -> None:
    """Outcome codes hold the region in 4 bits: a world of more regions cannot be followed."""
    if n_regions > MAX_REGIONS:
        raise ConfigError("world", f"{n_regions} regions", f"at most {MAX_REGIONS} regions to follow policy lotteries")


def outcome_codes(ws: Workforce, idx: np.ndarray, low_skill: np.ndarray) -> np.ndarray:
    """One byte for each worker `idx`: status, over-qualification and region.

    Bits 0-2 hold the status (`fowsim.codes`: employed in a formal job, unemployed, in training, in
    informal work), bit 3 whether the worker is over-qualified (a tertiary graduate in a skill level
    1-2 formal job), bits 4-7 the region. A vacant slot is 0.
    """
    status = ws.status[idx].astype(np.uint8)
    over = (status == EMPLOYED) & (ws.cred[idx] == TERTIARY) & low_skill[ws.occ[idx]]
    code = (
        status | (over.astype(np.uint8) * np.uint8(OVERQUALIFIED)) | (ws.region[idx].astype(np.uint8) << REGION_SHIFT)
    )
    return np.where(status == VACANT, np.uint8(0), code).astype(np.uint8)


def decode(code: np.ndarray) -> dict[str, np.ndarray]:
    """The parts of outcome codes: `status`, `overqualified`, `region` (mask NOT_REACHED entries first)."""
    c = np.asarray(code, dtype=np.uint8)
    return {"status": c & STATUS_BITS, "overqualified": (c & OVERQUALIFIED) > 0,
            "region": (c >> REGION_SHIFT).astype(np.int64)}  # fmt: skip


class Lottery:
    """A policy's recorded lotteries and the follow-up of the people in them.

    Args:
        rng: the lottery's own stream, for the sample of losers.
        controls: losers followed for each winner of a draw (0: winners only).
        low_skill: occupations (bool) where a tertiary graduate is over-qualified.
    """

    def __init__(self, rng: np.random.Generator, controls: int, low_skill: np.ndarray) -> None:
        self.rng = rng
        self.controls = int(controls)
        self.low_skill = np.asarray(low_skill, dtype=bool)
        self._cols: dict[str, list[np.ndarray]] = {k: [] for k in COLUMNS}
        self._seen = np.zeros(0, dtype=bool)
        self._won = np.zeros(0, dtype=bool)
        self._n = 0
        self._frozen: dict[str, np.ndarray] | None = None
        self.outcome = np.full((0, len(HORIZONS)), NOT_REACHED, dtype=np.uint8)
        self.earnings = np.full((0, len(HORIZONS)), np.nan, dtype=np.float32)  # EUR a month (0 out of work)
        self.crossed = np.zeros(0, dtype=np.int16)  # month a followed loser won a later draw (-1: never)
        self._status: np.ndarray | None = None  # status and region of every slot at the end of last month
        self._region: np.ndarray | None = None
        self.draws = 0  # lotteries with at least one loser
        self.entrants = 0  # people who took part in a draw for the first time (winners and losers)

    def __len__(self) -> int:
        return self._n

    def draw(self, model: Any, pool: np.ndarray, winners: np.ndarray) -> None:
        """Record this month's draw: `pool` the eligible (or the applicants), `winners` those given a place."""
        ws, t = model.ws, model.t
        pool = np.asarray(pool, dtype=np.int64)
        winners = np.asarray(winners, dtype=np.int64)
        if self._seen.size < len(ws):
            grow = len(ws) - self._seen.size
            self._seen = np.concatenate([self._seen, np.zeros(grow, dtype=bool)])
            self._won = np.concatenate([self._won, np.zeros(grow, dtype=bool)])
        won_now = self._won  # scratch: the winners of this draw, cleared before returning
        won_now[winners] = True
        try:
            if winners.size and self._n:  # followed losers who win now cross over
                slots = self.columns["slot"]
                late = np.flatnonzero(won_now[slots] & ~self.columns["won"] & (self.crossed < 0))
                if late.size:
                    alive = ws.birth[slots[late]] == self.columns["birth"][late]
                    self.crossed[late[alive]] = t
            new_w = winners[~self._seen[winners]]
            # the losers not followed yet, in slot order (the winners are drawn from the pool)
            lost = np.sort(pool[~won_now[pool] & ~self._seen[pool]])
            self.entrants += int(np.count_nonzero(~self._seen[pool]))
        finally:
            won_now[winners] = False
        if lost.size:
            self.draws += 1
        k = min(lost.size, self.controls * new_w.size)
        ctl = self.rng.choice(lost, size=k, replace=False) if k else lost[:0]
        who = np.concatenate([new_w, ctl])
        if who.size == 0:
            return
        self._seen[who] = True
        cols = self._cols
        cols["slot"].append(who.astype(np.int32))
        cols["birth"].append(ws.birth[who].astype(np.int16))
        cols["month"].append(np.full(who.size, t, dtype=np.int16))
        cols["won"].append(np.arange(who.size) < new_w.size)
        cols["region"].append(ws.region[who].astype(np.int8))
        cols["before"].append(self._before(who))
        self._n += who.size
        self._frozen = None
        self.outcome = np.concatenate([self.outcome, np.full((who.size, len(HORIZONS)), NOT_REACHED, np.uint8)])
        self.earnings = np.concatenate([self.earnings, np.full((who.size, len(HORIZONS)), np.nan, np.float32)])
        self.crossed = np.concatenate([self.crossed, np.full(who.size, -1, dtype=np.int16)])

    @property
    def columns(self) -> dict[str, np.ndarray]:
        """The followed people: `slot`, `birth`, `month` of the draw, `won`, `region` at the draw, and `before`.

        `before` is their status and region at the end of the month before the draw (a code without
        the over-qualified bit; NOT_REACHED for a draw in the first month).
        """
        if self._frozen is None:
            self._frozen = {k: np.concatenate(v) if v else np.zeros(0, dtype=COLUMNS[k]) for k, v in self._cols.items()}
            self._cols = {k: [v] for k, v in self._frozen.items()}
        return self._frozen

    def _before(self, who: np.ndarray) -> np.ndarray:
        """The code (status and region, no over-qualified bit) of workers `who` at the end of last month."""
        out = np.full(who.size, NOT_REACHED, dtype=np.uint8)
        if self._status is None or self._region is None:
            return out
        known = who < self._status.size
        w = who[known]
        out[known] = self._status[w].astype(np.uint8) | (self._region[w].astype(np.uint8) << REGION_SHIFT)
        return out

    def follow(self, model: Any) -> None:
        """Read the outcome of everyone whose draw was one of `HORIZONS` months ago (end of the month).

        Also keeps every slot's status and region as they end the month, for next month's draws.
        """
        self._status, self._region = model.ws.status.copy(), model.ws.region.copy()
        if not self._n:
            return
        cols = self.columns
        d = model.t - cols["month"].astype(np.int64)
        due = np.flatnonzero((d > 0) & (d <= HORIZONS[-1]))
        due = due[_LOOKUP[d[due]] >= 0]
        if due.size == 0:
            return
        slots = cols["slot"][due].astype(np.int64)
        code = outcome_codes(model.ws, slots, self.low_skill)
        left = model.ws.birth[slots] != cols["birth"][due]
        code[left] = 0  # another occupant: the person has left
        self.outcome[due, _LOOKUP[d[due]]] = code
        # monthly earnings: the wage where employed, informal pay in informal work, 0 out of work; unknown
        # (NaN) for a person who left
        ws = model.ws
        status = ws.status[slots]
        pay = np.where(status == EMPLOYED, ws.wage[slots], 0.0)
        informal = status == INFORMAL
        if informal.any():
            pay[informal] = model.market.informal_pay(ws.region[slots[informal]], ws.occ[slots[informal]])
        gone = left | (model.ws.status[slots] == VACANT)  # left, whether or not the slot has a new occupant
        self.earnings[due, _LOOKUP[d[due]]] = np.where(gone, np.nan, pay)


class Panel:
    """Every slot's outcome code each month, and the months its occupant changed.

    The baseline's side of the spillover and total effects (config `evaluation.panel`).
    """

    def __init__(self, ws: Workforce, low_skill: np.ndarray) -> None:
        self.low_skill = np.asarray(low_skill, dtype=bool)
        self.birth0 = ws.birth.copy()
        self._birth = ws.birth.copy()
        self.rows: list[np.ndarray] = []
        self.changes: list[tuple[np.ndarray, int, np.ndarray]] = []  # (slots, month, new births)

    def record(self, ws: Workforce, t: int) -> None:
        """Month `t`'s codes for every slot, and the slots whose occupant changed this month."""
        n = len(ws)
        if self._birth.size < n:
            self._birth = np.concatenate([self._birth, ws.birth[self._birth.size :]])
            grown = np.arange(self.birth0.size, n)
            self.changes.append((grown, t, ws.birth[grown].copy()))
            self.birth0 = np.concatenate([self.birth0, np.full(n - self.birth0.size, np.iinfo(np.int16).min,
                                                                dtype=np.int16)])  # fmt: skip
        changed = np.flatnonzero(ws.birth != self._birth)
        if changed.size:
            self.changes.append((changed, t, ws.birth[changed].copy()))
            self._birth[changed] = ws.birth[changed]
        self.rows.append(outcome_codes(ws, np.arange(n), self.low_skill))

    def arrays(self) -> dict[str, np.ndarray]:
        """`codes` (slot, month), `birth0` (slot), and the changes as `change_slot`, `change_month`, `change_birth`."""
        n = max((r.size for r in self.rows), default=self.birth0.size)
        codes = np.zeros((n, len(self.rows)), dtype=np.uint8)
        for t, r in enumerate(self.rows):
            codes[: r.size, t] = r
        changes = self.changes or [(np.zeros(0, np.int64), 0, np.zeros(0, np.int16))]
        return {
            "codes": codes,
            "birth0": self.birth0[:n],
            "change_slot": np.concatenate([c[0] for c in changes]).astype(np.int32),
            "change_month": np.concatenate([np.full(c[0].size, c[1], np.int16) for c in changes]),
            "change_birth": np.concatenate([c[2] for c in changes]).astype(np.int16),
        }
