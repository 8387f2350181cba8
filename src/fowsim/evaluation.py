"""Policy effects as an evaluation measures them: direct, spillover and total (Crépon et al. 2013).

A policy's lotteries (`fowsim.lottery`) give, for each run, the people who won a place and a
random sample of the eligible who lost, with their outcomes 6, 12, 24 and 36 months later. For
each outcome and horizon:

- **direct effect** (`direct`): winners against losers of the same lottery month, the
  months weighted by their winners (the effect of being offered a place, "intent to treat");
- **effect of taking part** (`participation`): the direct effect over the share of losers who did
  not win a later lottery by then (the Wald estimate: losers who won later took part too);
- **spillover** (`spillover`): the losers against themselves in the baseline run of the same seed
  (what the programme did to eligible people it did not take, through jobs and prices);
- **total effect** (`total`): the winners against themselves in the baseline of the same seed.

The last two need the baseline's panel (config `evaluation.panel=baseline`); a person is found
there by slot and month of birth. Effects over seeds are paired per-seed values with Student-t
intervals (`fowsim.effects`). `resolution` says whether a policy has enough participants in the
run to measure anything.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from fowsim.codes import EMPLOYED, INFORMAL, TRAINING
from fowsim.effects import Effect, paired
from fowsim.lottery import HORIZONS, NOT_REACHED, OVERQUALIFIED, decode
from fowsim.recorder import open_results

OUTCOMES = {
    "employed": "employed in a formal job",
    "informal": "in informal work",
    "overqualified": "employed below their qualification (a tertiary graduate in a skill level 1-2 job)",
    "moved": "living in another region than at the lottery",
    "in_training": "in full-time training",
    "earnings": "monthly earnings (EUR; informal pay in informal work; 0 out of work)",
}
# outcomes that are amounts, not shares: their effects are in their own units, not points
AMOUNTS = {"earnings": "EUR a month"}
EFFECTS = {
    "direct": "winners minus losers of the same lottery month (offer of a place)",
    "participation": "direct effect over the share of losers still without a place (taking part)",
    "spillover": "losers minus themselves in the baseline of the same seed",
    "total": "winners minus themselves in the baseline of the same seed",
}
MIN_STILL_OUT = 0.5  # the effect of taking part is given while at least this share of losers has no place
RESOLUTION = 200  # simulated participants a run needs before its effects are shown (see `resolution`)
RESOLUTION_BASIS = (f"at least {RESOLUTION} simulated participants a run: the winners-minus-losers difference in a "
                    "share then has a standard error of at most 5 points in each seed")  # fmt: skip


def lottery_policies(ds: xr.Dataset) -> list[str]:
    """The policies with people followed from their lotteries in run `ds`."""
    return list(json.loads(ds.attrs.get("lottery_policies", "[]")))


def followed(ds: xr.Dataset, policy: str) -> dict[str, np.ndarray]:
    """The people followed from `policy`'s lotteries in `ds`: slot, birth, month, won, region, crossed, outcome."""
    names = lottery_policies(ds)
    if policy not in names:
        return {}
    mine = ds["followed_policy"].values == names.index(policy)
    out = {
        k: ds[f"followed_{k}"].values[mine] for k in ("slot", "birth", "month", "won", "region", "crossed", "before")
    }
    out["won"] = out["won"].astype(bool)
    out["outcome"] = ds["followed_outcome"].values[mine]
    if "followed_earnings" in ds:
        out["earnings"] = ds["followed_earnings"].values[mine].astype(float)
    return out


def has_panel(ds: xr.Dataset | BaselinePanel | None) -> bool:
    """Whether run `ds` kept the panel the spillover and total effects need."""
    return isinstance(ds, BaselinePanel) or (ds is not None and "panel_code" in ds)


@dataclass
class BaselinePanel:
    """A baseline run's panel, read once: codes (slot, month), first occupants' births, changes sorted by slot."""

    codes: np.ndarray
    birth0: np.ndarray
    c_slot: np.ndarray
    c_month: np.ndarray
    c_birth: np.ndarray

    @classmethod
    def of(cls, base: xr.Dataset) -> BaselinePanel:
        """The panel of run `base` (which kept one: `has_panel`)."""
        c_slot = base["panel_change_slot"].values.astype(np.int64)
        c_month = base["panel_change_month"].values.astype(np.int64)
        order = np.lexsort((c_month, c_slot))
        return cls(base["panel_code"].values, base["panel_birth0"].values, c_slot[order], c_month[order],
                   base["panel_change_birth"].values[order])  # fmt: skip


def baseline_panel(path: Path, cache: dict[Path, BaselinePanel | None]) -> BaselinePanel | None:
    """The panel of the baseline run at `path` (None if it kept none), read once for all arms (`cache`)."""
    if path not in cache:
        with open_results(path) as base:
            cache[path] = BaselinePanel.of(base) if has_panel(base) else None
    return cache[path]


def in_baseline(
    base: xr.Dataset | BaselinePanel, slot: np.ndarray, birth: np.ndarray, month: np.ndarray, before: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The outcome codes (n, horizons) in baseline run `base` of people (slot, birth, lottery month), and whether found.

    A person is found there in the same situation where the same slot held a person of the same month of birth,
    with the same status and region at the end of the month before the lottery as `before` (their situation
    in the policy's run; 255, unknown, is never found). Comparing people in the same situation at the start
    keeps chance differences between the two runs' paths out of the effect.
    """
    panel = base if isinstance(base, BaselinePanel) else BaselinePanel.of(base)
    codes = panel.codes
    n_slot, n_time = codes.shape
    c_slot, c_month, c_birth = panel.c_slot, panel.c_month, panel.c_birth
    slot = slot.astype(np.int64)
    month = month.astype(np.int64)
    inside = slot < n_slot
    s = np.where(inside, slot, 0)
    # the occupant at the start of the lottery month: the last change before it, else the first occupant
    key = s * (n_time + 2) + month  # changes in months < lottery month
    c_key = c_slot * (n_time + 2) + c_month
    pos = np.searchsorted(c_key, key, side="left") - 1
    if c_slot.size:
        prior = (pos >= 0) & (c_slot[np.maximum(pos, 0)] == s)
        occupant = np.where(prior, c_birth[np.maximum(pos, 0)], panel.birth0[s])
    else:  # no slot changed occupant in the whole run
        occupant = panel.birth0[s]
    prev = codes[s, np.maximum(month - 1, 0)] & np.uint8(0xFF ^ OVERQUALIFIED)  # status and region, as `before`
    found = inside & (occupant == birth) & (month >= 1) & (before != NOT_REACHED) & (prev == before)
    out = np.full((slot.size, len(HORIZONS)), NOT_REACHED, dtype=np.uint8)
    for j, h in enumerate(HORIZONS):
        t = month + h
        ok = found & (t < n_time)
        # a change of occupant from the lottery month to the follow-up: the person has left
        left = np.searchsorted(c_key, s * (n_time + 2) + t, side="right") - 1 - pos > 0
        out[ok, j] = np.where(left[ok], 0, codes[s[ok], t[ok]])
    return out, found


def measures(code: np.ndarray, region0: np.ndarray, earnings: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Each outcome (NaN where not reached) from codes (n, horizons), regions at the lottery and earnings.

    The shares are 0/1; `earnings` (EUR a month, n x horizons) where the run recorded them, else NaN
    (the baseline's panel holds codes only, so spillover and total effects on earnings are not measured).
    """
    reached = code != NOT_REACHED
    d = decode(code)
    vals = {
        "employed": d["status"] == EMPLOYED,
        "informal": d["status"] == INFORMAL,
        "overqualified": d["overqualified"],
        "moved": (d["region"] != region0[:, None]) & (d["status"] != 0),
        "in_training": d["status"] == TRAINING,
    }
    out = {k: np.where(reached, v.astype(float), np.nan) for k, v in vals.items()}
    out["earnings"] = np.where(reached, earnings, np.nan) if earnings is not None else np.full(code.shape, np.nan)
    return out


@dataclass
class RunEffects:
    """One run's effects of one policy: `values[(effect, outcome, horizon)]`, and the people behind them."""

    policy: str
    winners: int  # simulated workers who won a place (first lottery)
    losers: int  # losers followed
    draws: int  # lotteries with at least one loser
    values: dict[tuple[str, str, int], float] = field(default_factory=dict)
    still_out: dict[int, float] = field(default_factory=dict)  # share of losers without a place by each horizon
    matched: float = np.nan  # share of the followed found in the baseline


def _stratified(y: np.ndarray, won: np.ndarray, month: np.ndarray) -> float:
    """Winners minus losers within each lottery month, months weighted by their winners (NaN if none compare)."""
    ok = np.isfinite(y)
    num = den = 0.0
    for m in np.unique(month[ok]):
        sel = ok & (month == m)
        w, lo = y[sel & won], y[sel & ~won]
        if w.size and lo.size:
            num += w.size * (w.mean() - lo.mean())
            den += w.size
    return num / den if den else np.nan


def run_effects(ds: xr.Dataset, policy: str, base: xr.Dataset | BaselinePanel | None = None) -> RunEffects | None:
    """The direct effect of `policy` in run `ds`, and its spillover and total effects against `base`.

    `base` is the baseline run of the same seed, with its panel (else only the direct effects);
    None where the policy followed nobody.
    """
    f = followed(ds, policy)
    if not f or f["slot"].size == 0:
        return None
    won, month = f["won"], f["month"].astype(np.int64)
    draws = json.loads(ds.attrs.get("lottery_draws", "{}")).get(policy, 0)
    out = RunEffects(policy, int(won.sum()), int((~won).sum()), int(draws))
    y = measures(f["outcome"], f["region"], f.get("earnings"))
    crossed = f["crossed"].astype(np.int64)
    for j, h in enumerate(HORIZONS):
        lost = ~won & np.isfinite(y["employed"][:, j])
        still = float(np.mean((crossed[lost] < 0) | (crossed[lost] > month[lost] + h))) if lost.any() else np.nan
        out.still_out[h] = still
        for k in OUTCOMES:
            direct = _stratified(y[k][:, j], won, month)
            out.values[("direct", k, h)] = direct
            # the Wald estimate, only while most losers are still without a place (else it divides by little)
            ok = np.isfinite(still) and still >= MIN_STILL_OUT
            out.values[("participation", k, h)] = direct / still if ok else np.nan
    if base is not None and has_panel(base):
        code_b, found = in_baseline(base, f["slot"], f["birth"], month, f["before"])
        out.matched = float(found.mean())
        yb = measures(code_b, f["region"])
        for j, h in enumerate(HORIZONS):
            for k in OUTCOMES:
                diff = y[k][:, j] - yb[k][:, j]
                for name, who in (("spillover", ~won), ("total", won)):
                    d = diff[who & found]
                    d = d[np.isfinite(d)]
                    out.values[(name, k, h)] = float(d.mean()) if d.size else np.nan
    return out


def effects_of_run(ds: xr.Dataset, base: xr.Dataset | BaselinePanel | None = None) -> dict[str, RunEffects]:
    """`run_effects` of every policy that followed people in run `ds`, by policy."""
    out = {}
    for policy in lottery_policies(ds):
        r = run_effects(ds, policy, base)
        if r is not None:
            out[policy] = r
    return out


@dataclass
class PolicyEffects:
    """A policy's effects over seeds: `effects[(effect, outcome, horizon)]` as paired `Effect`s."""

    policy: str
    runs: list[RunEffects]
    effects: dict[tuple[str, str, int], Effect] = field(default_factory=dict)

    @property
    def winners(self) -> float:
        """Mean simulated winners a run."""
        return float(np.mean([r.winners for r in self.runs])) if self.runs else 0.0

    def get(self, effect: str, outcome: str, horizon: int) -> Effect | None:
        """The effect, or None where it was not measured (no baseline panel, horizon beyond the runs)."""
        e = self.effects.get((effect, outcome, horizon))
        return e if e is not None and e.n > 0 else None


def over_seeds(policy: str, runs: list[RunEffects]) -> PolicyEffects:
    """Paired effects over the seeds' `runs` of one policy (points for shares: x 100; amounts in their units)."""
    out = PolicyEffects(policy, runs)
    keys = sorted({k for r in runs for k in r.values}, key=str)
    for key in keys:
        scale = 1.0 if key[1] in AMOUNTS else 100.0
        out.effects[key] = paired(np.array([scale * r.values.get(key, np.nan) for r in runs]))
    return out


def person_years(effects: dict[int, float]) -> float:
    """Years of employment gained per person over the follow-up, from effects (shares) at `HORIZONS` months.

    The effect is taken as 0 at the lottery and linear between follow-ups (trapezoids), so the
    result can never exceed the follow-up's length in years while each effect is a share in [-1, 1].
    """
    months = [0, *HORIZONS]
    values = [0.0, *(effects.get(h, np.nan) for h in HORIZONS)]
    total = 0.0
    for (m0, v0), (m1, v1) in zip(zip(months, values), zip(months[1:], values[1:])):
        if not (np.isfinite(v0) and np.isfinite(v1)):
            break
        total += (m1 - m0) * (v0 + v1) / 2.0
    return total / 12.0


def simulated_participants(attrs: Mapping[str, Any]) -> float:
    """Simulated workers a run's policies enrolled or moved, from its attributes (the accounts' people / scale)."""
    accounts = json.loads(attrs.get("policy_accounts") or "{}")
    scale = float(attrs.get("scale_people_per_worker", 1.0))
    return sum(float(a.get("participants", 0.0)) for a in accounts.values()) / scale


def enrols(policies: Iterable[str]) -> bool:
    """Whether any of the named policies takes part of the people (else resolution does not apply)."""
    from fowsim.policies import REGISTRY  # the core's registry, read only where asked

    return any(getattr(REGISTRY.get(name), "ENROLS", True) for name in policies)


def below_resolution(
    participants: float, workers: int, needed: int, people: float | None = None, unit: str = "simulated participants"
) -> str:
    """What to say, instead of an effect, of `participants` (`unit`) a run at `workers`, `needed` as `resolution`."""
    if needed < 0:
        took = f"{people:,.0f} people take part" if people is not None else f"fewer than {RESOLUTION} people take part"
        return (f"below the model's resolution at any size: {took}, fewer than the {RESOLUTION} participants it "
                "needs even at one simulated worker a person")  # fmt: skip
    if needed == 0:
        return (f"below the model's resolution at {workers:,} workers: nobody took part (the programme is smaller "
                "than one simulated worker)")  # fmt: skip
    return (f"below the model's resolution at {workers:,} workers: {participants:.3g} {unit} a run (fewer than "
            f"{RESOLUTION}); about {needed:,} workers would resolve it")  # fmt: skip


def resolution(participants: float, workers: int, people_per_worker: float | None = None) -> tuple[bool, int]:
    """Whether a run with `participants` simulated participants resolves a policy, and the workers that would.

    Participants grow with the simulated workers at a fixed world; the workers needed are
    `workers x RESOLUTION / participants`, rounded up to a thousand (0 when nobody took part:
    the programme is smaller than one simulated worker, so no size can be read from the run;
    -1 when it would take more simulated workers than there are people, `people_per_worker`
    being the run's scale: fewer than RESOLUTION people take part, at any size).
    """
    if participants >= RESOLUTION:
        return True, workers
    if participants <= 0:
        return False, 0
    need = workers * RESOLUTION / participants
    if people_per_worker is not None and need > workers * people_per_worker:
        return False, -1
    return False, int(math.ceil(need / 1000.0) * 1000)
