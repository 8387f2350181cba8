"""The monthly phases, and the schedule that runs them in order.

| # | phase | stream | what it does |
|---|---|---|---|
| 0 | `wages` | none | the going wage from the wage bargain; incumbents' yearly renegotiation |
| 1 | `automation` | automation | employers' demand (its own path, the going wage) and their adoption of automation |
| 2 | `separations_and_vacancies` | labour | layoffs, openings, internal moves |
| 3 | `policies` | each policy's own | each active policy acts |
| 4 | `training` | training | trainees advance, providers admit and are paid |
| 5 | `migration` | migration | returns, sponsored recruitment, emigration, arrivals |
| 6 | `recognition` | recognition | pending foreign credentials decided |
| 7 | `search_and_matching` | matching | applications, urn-ball matching, best offer |
| 8 | `informal_work` | informal | informal work ends or is taken up; its pay follows its crowding |
| 9 | `demography` | demography | retirement and death, young entrants |
| 10 | `record` | none | the census and the monthly aggregates |

`default_schedule()` is this list; `schedule_from_config(spec)` applies a config's `phases` key to
it (the order of matching, `timing`; add a collaborator's phase after or before a named one,
replace one, remove one).

Timing (`phases.timing`). In the default order, `same_month`, the month's separations search and
its openings can be filled in the same month: with a one-month step, a worker laid off early in a
month can be hired before its end, which is what monthly survey flows record, and the calibration
(`fowsim calibrate`) is fitted in this order. `paper` is the order of del Rio-Chanona et al.
(2021): `search_and_matching` runs first, on the unemployed and the vacancies at the start of the
month, and the month's separations and openings wait for the next month's matching. The
separations and openings are planned on the books at the start of the month in both orders, and
fall on the workers employed then (`Employer.plan`), so the two orders differ by the timing alone.
`fowsim.validation.meanfield` solves the published equations in both orders.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fowsim.errors import ConfigError, ExtensionError
from fowsim.extension import import_target
from fowsim.phases.automation import Automation
from fowsim.phases.base import Phase, Schedule
from fowsim.phases.demography import Demography
from fowsim.phases.informal import InformalWork
from fowsim.phases.labour import SeparationsAndVacancies
from fowsim.phases.matching import SearchAndMatching
from fowsim.phases.migration import Migration
from fowsim.phases.policies import Policies
from fowsim.phases.recognition import Recognition
from fowsim.phases.record import Record
from fowsim.phases.training import Training
from fowsim.phases.wages import Wages

# the built-in phases, by name, in the order of the default schedule
PHASES: dict[str, type[Phase]] = {
    cls.name: cls
    for cls in (
        Wages,
        Automation,
        SeparationsAndVacancies,
        Policies,
        Training,
        Migration,
        Recognition,
        SearchAndMatching,
        InformalWork,
        Demography,
        Record,
    )
}
PHASE_KEYS = ("timing", "add", "replace", "remove")
TIMINGS = ("same_month", "paper")  # the order of matching within the month (module docstring)


def default_schedule(names: Sequence[str] | None = None, timing: str = "same_month") -> Schedule:
    """Fowsim's monthly schedule, or only the built-in phases `names` in the order given.

    With `timing="paper"`, `search_and_matching` moves to the front, after `automation` where
    that runs (the order of del Rio-Chanona et al. 2021; module docstring).
    """
    if timing not in TIMINGS:
        raise ConfigError("phases.timing", timing, f"one of {', '.join(TIMINGS)}")
    chosen = list(PHASES) if names is None else list(names)
    if timing == "paper" and "search_and_matching" in chosen:
        chosen.remove("search_and_matching")
        chosen.insert(chosen.index("automation") + 1 if "automation" in chosen else 0, "search_and_matching")
    unknown = [n for n in chosen if n not in PHASES]
    if unknown:
        raise ConfigError("phases", unknown[0], f"one of the built-in phases {list(PHASES)}")
    return Schedule(PHASES[n]() for n in chosen)


def make_phase(spec: Any, key: str) -> tuple[Phase, dict[str, Any]]:
    """A phase from a config entry: a dotted class path, or {_target_: path, after/before: name, **arguments}.

    Returns the phase and the placement keys (`after`, `before`) found in the entry.
    """
    if isinstance(spec, str):
        spec = {"_target_": spec}
    if not isinstance(spec, Mapping) or "_target_" not in spec:
        raise ConfigError(key, spec, "a phase class 'module.Class' or {_target_: module.Class, after: PHASE, ...}")
    args = {k: v for k, v in spec.items() if k != "_target_"}
    place = {k: args.pop(k) for k in ("after", "before") if k in args}
    cls = import_target(spec["_target_"], f"{key}._target_")
    if not (isinstance(cls, type) and issubclass(cls, Phase)):
        raise ExtensionError(f"{key}._target_={spec['_target_']!r}: expected a subclass of fowsim.phases.Phase")
    try:
        phase = cls(**args)
    except TypeError as exc:
        raise ConfigError(key, args, f"the arguments of {cls.__name__} ({exc})") from None
    return phase, place


def schedule_from_config(spec: Any) -> Schedule:
    """The default schedule with a config's `phases` changes applied: timing, remove, replace, then add.

    ```yaml
    phases:
      timing: same_month          # or paper: matching on the stocks at the start of the month
      remove: [recognition]
      replace: {search_and_matching: mymod.MyMatching}
      add:
        - {_target_: mymod.Strike, after: separations_and_vacancies, size: 0.1}
    ```
    """
    if spec is None:
        return default_schedule()
    if not isinstance(spec, Mapping) or set(spec) - set(PHASE_KEYS):
        bad = sorted(set(spec) - set(PHASE_KEYS)) if isinstance(spec, Mapping) else spec
        raise ConfigError("phases", bad, f"a mapping with the keys {', '.join(PHASE_KEYS)}")
    schedule = default_schedule(timing=str(spec.get("timing") or "same_month"))
    removed = spec.get("remove") or []
    if isinstance(removed, str) or not isinstance(removed, Sequence):
        raise ConfigError("phases.remove", removed, "a list of phase names")
    for name in removed:
        schedule.remove(str(name))
    replaced = spec.get("replace") or {}
    if not isinstance(replaced, Mapping):
        raise ConfigError("phases.replace", replaced, "a mapping of phase name to a phase class")
    for name, entry in replaced.items():
        phase, _ = make_phase(entry, f"phases.replace.{name}")
        schedule.replace(str(name), phase)
    added = spec.get("add") or []
    if isinstance(added, (str, Mapping)) or not isinstance(added, Sequence):
        raise ConfigError("phases.add", added, "a list of {_target_: module.Class, after: PHASE}")
    for i, entry in enumerate(added):
        phase, place = make_phase(entry, f"phases.add[{i}]")
        schedule.insert(phase, **place)
    return schedule


__all__ = [
    "PHASES",
    "TIMINGS",
    "Automation",
    "Demography",
    "InformalWork",
    "Migration",
    "Phase",
    "Policies",
    "Recognition",
    "Record",
    "Schedule",
    "SearchAndMatching",
    "SeparationsAndVacancies",
    "Training",
    "Wages",
    "default_schedule",
    "make_phase",
    "schedule_from_config",
]
