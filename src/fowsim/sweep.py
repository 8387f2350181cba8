"""Sweeps: the runs of a Hydra multirun, planned, checked, watched and accounted for.

`fowsim sweep [overrides]` (and `fowsim run -m`) expands the sweep the way Hydra's basic sweeper
does (comma lists, `range()`, `choice()`, and an experiment's `hydra.sweeper.params`), checks
every distinct configuration before any run starts, and picks a sweep folder that depends only on
the sweep (not on the clock or the launcher), so that the same command run again resumes it: a
run whose `results.nc` holds the same resolved config is skipped. Runs go to Hydra's launcher:
`joblib` on all local cores by default, `hydra/launcher=submitit_local` or `submitit_slurm` for
clusters. A run that fails writes `error.txt` in its folder and the others go on. While the sweep
runs, a line on stderr counts runs done, failed and left. At the end `sweep.json` records every
run's status and `fowsim.collect` builds `sweep.nc`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fowsim.errors import ConfigError
from fowsim.manifest import ERROR_FILE, LOCK, MANIFEST, RUNNING, as_number, error_line, run_state

LAUNCHER_KEYS = ("hydra/launcher", "hydra.launcher.")
SWEEP_STARTED = "FOWSIM_SWEEP_STARTED"  # set by the sweep for its runs: when this invocation started


@dataclass
class Plan:
    """The runs of a sweep: their overrides (in Hydra's job order), the swept keys, and the folder."""

    overrides: list[str]  # the command line, as given
    jobs: list[list[str]]  # each run's overrides (the command line's fixed ones, then its sweep values)
    swept: dict[str, list[str]]  # swept key -> its values, in order
    folder: Path
    launcher: list[str] = field(default_factory=list)  # the launcher overrides
    config_dir: str | None = None  # a folder of the user's own configs (`--config-dir`)

    def job_dir(self, num: int) -> Path:
        """The folder of run `num`."""
        return self.folder / str(num)


def quoted(path: str | Path) -> str:
    """`path` as a quoted Hydra string, so that any character in it survives the override grammar."""
    return "'" + str(path).replace("\\", "\\\\").replace("'", "\\'") + "'"


def _hydra_overrides(overrides: list[str], what: str = "sweep override") -> list:
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import OverrideParseException

    try:
        return OverridesParser.create().parse_overrides(overrides)
    except OverrideParseException as exc:
        bad = next((o for o in overrides if _parse_one(o) is None), " ".join(overrides))
        why = str(exc).splitlines()[0]
        allowed = "key=value" if what == "run override" else "key=value, key=a,b,c or key=range(start,stop)"
        raise ConfigError(what, bad, f"{allowed} ({why})") from None


def fixed_overrides(overrides: list[str]) -> list[str]:
    """The overrides every run of a sweep shares: those that sweep no key (`policy=a,b` does)."""
    return [o.input_line for o in _hydra_overrides(overrides) if not o.is_sweep_override()]


def _parse_one(override: str):
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import OverrideParseException

    try:
        return OverridesParser.create().parse_overrides([override])
    except OverrideParseException:
        return None


def _sweeper_params(fixed: list[str], config_dir_extra: str | None = None) -> list[str]:
    """`hydra.sweeper.params` of the config the fixed overrides compose (an experiment's sweep)."""
    from omegaconf import OmegaConf

    from fowsim.config import compose_with_hydra

    cfg = compose_with_hydra(fixed, config_dir_extra, what="sweep")
    node = cfg.hydra.sweeper.get("params")
    params = OmegaConf.to_container(node, resolve=False) if node is not None else {}
    assert isinstance(params, dict)
    return [f"{k!s}={' '.join(str(v).split())}" for k, v in params.items()]


def _refuse_duplicates(o: Any) -> None:
    """Refuse a swept key whose values repeat (`seed=0,0`, `seed=1,01`, `shock.size=0.5,0.50`): one cell, two runs."""
    seen: list[Any] = []
    for value in o.sweep_iterator():
        v = as_number(value)
        if any(v == w for w in seen):
            why = f"distinct values ({value!r} repeats one given before: each would be the same run)"
            raise ConfigError(o.get_key_element(), o.input_line.split("=", 1)[1], why)
        seen.append(v)


def plan(
    overrides: list[str], folder: str | Path | None = None, root: str | Path = "multirun", config_dir: str | None = None
) -> Plan:
    """Expand the sweep `overrides` into runs, as Hydra's basic sweeper will, and name its folder.

    The folder is `root/<experiment or "sweep">-<hash of the overrides>` unless given (or set with
    `hydra.sweep.dir=`): the launcher and its settings do not enter the hash, so the same sweep
    through joblib or Slurm lands in the same folder.
    """
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper

    launcher = [o for o in overrides if o.startswith(LAUNCHER_KEYS)]
    given = [o for o in overrides if o.startswith("hydra.sweep.dir=")]
    from fowsim.config import normalise_overrides

    model = normalise_overrides(
        [o for o in overrides if o not in launcher and o not in given and not o.startswith("hydra.")]
    )
    fixed = fixed_overrides(model)
    # as Hydra's basic sweeper: the config's sweep first, then the command line (a key given in
    # both keeps the config's place and takes the command line's values)
    expanded = _hydra_overrides(_sweeper_params(fixed, config_dir) + model)
    for o in expanded:
        if o.is_sweep_override() and not list(o.sweep_iterator()):
            raise ConfigError(o.get_key_element(), o.input_line.split("=", 1)[1], "a non-empty list of values")
        if o.is_sweep_override():
            _refuse_duplicates(o)
    jobs = [job for batch in BasicSweeper.split_arguments(expanded, None) for job in batch]
    swept: dict[str, list[str]] = {}
    for job in jobs:
        for item in job:
            key, value = item.split("=", 1)
            values = swept.setdefault(key.lstrip("+~"), [])
            if value not in values:
                values.append(value)
    swept = {k: v for k, v in swept.items() if len(v) > 1 or any(o.get_key_element() == k and o.is_sweep_override()
                                                                   for o in expanded)}  # fmt: skip
    if folder is None and given:
        folder = given[-1].split("=", 1)[1]
        if len(folder) > 1 and folder[0] == folder[-1] and folder[0] in "'\"":  # a quoted Hydra string
            folder = folder[1:-1]
    if folder is None:
        name = next((o.split("=", 1)[1] for o in model if o.startswith("+experiment=")), "sweep")
        digest = hashlib.sha1(json.dumps(sorted(model)).encode()).hexdigest()[:8]
        folder = Path(root) / f"{name}-{digest}"
    return Plan(overrides=list(overrides), jobs=jobs, swept=swept, folder=Path(folder), launcher=launcher,
                config_dir=config_dir)  # fmt: skip


def check(p: Plan) -> None:
    """Build every distinct configuration of the sweep (seeds aside) before any run starts.

    A bad value fails here with the one line of `ConfigError`, before anything is written.
    """
    seen = set()
    for job in p.jobs:
        key = tuple(o for o in job if not o.startswith("seed="))
        if key in seen:
            continue
        seen.add(key)
        check_run(list(key), p.config_dir, what="sweep run")


def launcher_overrides(p: Plan) -> list[str]:
    """The launcher overrides the sweep goes with: the plan's, on joblib unless they name a launcher."""
    named = any(o.startswith("hydra/launcher=") for o in p.launcher)
    return p.launcher if named else ["hydra/launcher=joblib", *p.launcher]


def check_launcher(p: Plan) -> None:
    """Compose the sweep's launcher and import it before anything is written: a typo is one line.

    A launcher that is not installed, a misspelt setting (`hydra.launcher.partitoin=`) or a value of
    the wrong type fails here, not after the sweep folder and `sweep.json` exist.
    """
    from omegaconf import OmegaConf

    from fowsim.config import compose_with_hydra
    from fowsim.extension import import_target

    launcher = launcher_overrides(p)
    node = OmegaConf.to_container(compose_with_hydra(launcher, what="launcher").hydra.launcher, resolve=False)
    assert isinstance(node, dict)
    import_target(str(node.get("_target_")), "hydra/launcher")


def check_run(overrides: list[str], config_dir: str | None = None, what: str = "run") -> None:
    """Compose one run's config and build its scenario: a bad value raises the one line of `ConfigError`."""
    from fowsim.config import compose, composition_error
    from fowsim.scenario import as_dict, build_scenario

    try:
        cfg = compose(overrides, config_dir_extra=config_dir)
    except ConfigError:
        raise
    except Exception as exc:  # a composition error of Hydra: one line
        raise composition_error(exc, overrides, what=what) from None
    build_scenario(as_dict(cfg))


def status(p: Plan) -> dict[str, list[int]]:
    """Runs by status: done (results.nc), failed (error.txt), missing (neither)."""
    out: dict[str, list[int]] = {"done": [], "failed": [], "missing": []}
    for num in range(len(p.jobs)):
        out[run_state(p.job_dir(num))].append(num)
    return out


def write_manifest(p: Plan, started: float) -> Path:
    """`sweep.json`: the command, the swept keys, and each run's overrides, folder and status."""
    st = status(p)
    state = {n: s for s, nums in st.items() for n in nums}
    runs = []
    for num, job in enumerate(p.jobs):
        entry: dict[str, Any] = {"num": num, "dir": str(num), "overrides": job, "status": state[num]}
        if state[num] == "failed":
            entry["error"] = error_line(p.job_dir(num))
        runs.append(entry)
    manifest = {"command": ["fowsim", "sweep", *p.overrides], "swept": p.swept, "runs": runs,
                "counts": {k: len(v) for k, v in st.items()}, "seconds": round(time.time() - started, 1)}  # fmt: skip
    p.folder.mkdir(parents=True, exist_ok=True)
    tmp = p.folder / f".{MANIFEST}.tmp"
    tmp.write_text(json.dumps(manifest, indent=1) + "\n")
    tmp.replace(p.folder / MANIFEST)
    return p.folder / MANIFEST


class Watch:
    """A line on stderr, refreshed every `every` seconds: runs done, failed, left, and the time left."""

    def __init__(self, p: Plan, every: float = 2.0, stream=None) -> None:
        self.p, self.every, self.stream = p, every, stream or sys.stderr
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self.start = time.time()
        self.done0 = len(status(p)["done"])  # finished before this invocation (resumed)

    def __enter__(self) -> Watch:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.line(final=True)

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            self.line()

    def line(self, final: bool = False) -> None:
        """Write the line once (`final`: with a newline and no estimate); to a log, only when a run ends."""
        st = status(self.p)
        done, failed, left = len(st["done"]), len(st["failed"]), len(st["missing"])
        tty = self.stream.isatty()
        if not tty and (done, failed) == getattr(self, "_last", None) and (not final or not left):
            return  # a log: one line per change (the last one is already there when nothing is left)
        self._last = (done, failed)
        elapsed = time.time() - self.start
        new = done + failed - self.done0
        eta = f", ~{_duration(elapsed / new * left)} left" if new > 0 and left and not final else ""
        text = f"sweep: {done}/{len(self.p.jobs)} done, {failed} failed, {left} left, {_duration(elapsed)}{eta}"
        end = "\n" if final or not tty else ""
        self.stream.write(("\r" if tty else "") + text + end)
        self.stream.flush()


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


def run_job(cfg, out: Path, overrides: list[str] | None = None) -> None:
    """One run of a sweep, in its folder `out`: skipped if done with the same provenance; errors to `error.txt`.

    A run never raises: a failure is written to `error.txt` (the traceback) and the sweep goes on.
    While it runs, `.running` in its folder names its process: a marker left behind after the
    launcher stopped means that process died (`isolate`).
    """
    import traceback

    from fowsim.config import with_sample
    from fowsim.io import _atomic, write_run
    from fowsim.model import LabourMarketModel
    from fowsim.progress import check_stop
    from fowsim.provenance import same_run, stamp
    from fowsim.scenario import build_scenario

    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob(".*.tmp"):  # left by a run killed while writing
        stale.unlink(missing_ok=True)
    started = os.environ.get(SWEEP_STARTED)
    if started and (out / ERROR_FILE).is_file() and (out / ERROR_FILE).stat().st_mtime >= float(started):
        return  # failed already in this invocation of the sweep (launched again after a worker died)
    _watch_parent()
    marker = out / RUNNING
    marker.write_text(f"{os.getpid()}\n")
    try:
        scenario = build_scenario(with_sample(cfg))
        if (out / "results.nc").is_file() and same_run(out / "results.nc", scenario):
            return
        (out / ERROR_FILE).unlink(missing_ok=True)
        (out / "results.nc").unlink(missing_ok=True)
        model = LabourMarketModel(scenario).run(progress=check_stop)  # an interrupt stops it between months
        ds = model.results()
        stamp(ds, scenario, overrides)
        write_run(ds, out)
    except Exception as exc:
        if _interrupted(exc):  # an interrupt that reached compiled code arrives wrapped: it is not the run's error
            raise KeyboardInterrupt from None
        text = traceback.format_exc()
        _atomic(out / ERROR_FILE, lambda tmp: Path(tmp).write_text(text))
    finally:
        marker.unlink(missing_ok=True)


def _interrupted(exc: BaseException) -> bool:
    """Whether `exc` is, or was caused by, a KeyboardInterrupt."""
    seen = 0
    link: BaseException | None = exc
    while link is not None and seen < 16:
        if isinstance(link, KeyboardInterrupt):
            return True
        link, seen = link.__cause__ or link.__context__, seen + 1
    return False


_WATCHING = False


def _watch_parent() -> None:
    """In a worker process of a sweep: exit when the sweep's process is gone (no worker outlives it)."""
    global _WATCHING
    owner = os.environ.get("FOWSIM_SWEEP_PID")
    if _WATCHING or not owner or int(owner) == os.getpid():
        return
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:  # re-parented: the process that started this one died
                os._exit(1)

    threading.Thread(target=watch, daemon=True, name="fowsim-parent-watch").start()
    _WATCHING = True


def stale_runs(p: Plan) -> list[int]:
    """Runs whose folder holds a `.running` marker: after the launcher stopped, their processes died."""
    return [num for num in range(len(p.jobs)) if (p.job_dir(num) / RUNNING).is_file()]


WORKER_DIED = ("WorkerDied: the process running this run died without a word, alone in its own process (killed "
               "by a signal, or out of memory: try fewer workers per run or fewer processes at once)")  # fmt: skip


def isolate(p: Plan, nums: list[int]) -> list[int]:
    """Run each of `nums` alone in a fresh worker process; one that dies there fails, with why. Those failed.

    When one worker of a pool dies, the pool ends the others: each run that was under way is a
    suspect until it has run alone. A run whose process dies alone is the culprit (out of memory, a
    signal); the others finish here and the sweep goes on.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    from fowsim.io import _atomic

    failed = []
    for num in nums:
        out = p.job_dir(num)
        pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
        try:
            pool.submit(_run_in_process, p.jobs[num], str(out), p.config_dir).result()
        except BrokenProcessPool:
            _atomic(out / ERROR_FILE, lambda tmp: Path(tmp).write_text(WORKER_DIED + "\n"))
            failed.append(num)
        finally:
            (out / RUNNING).unlink(missing_ok=True)
            pool.shutdown(wait=False)
    return failed


def forget_running(p: Plan) -> None:
    """Remove the `.running` markers of an interrupted sweep's runs: the interrupt was not their doing."""
    for num in stale_runs(p):
        (p.job_dir(num) / RUNNING).unlink(missing_ok=True)


@contextlib.contextmanager
def lock(p: Plan, key: str = "hydra.sweep.dir"):
    """Hold the sweep folder for this sweep alone; a second sweep on it fails in one line.

    Inside the lock, temporary files a killed sweep left (`sweep.nc`, `sweep.json` and run files
    half-written) are removed: no live process is writing them.
    """
    import fcntl

    p.folder.mkdir(parents=True, exist_ok=True)
    fh = open(p.folder / LOCK, "a+")  # noqa: SIM115 - held open for the whole sweep (the lock is the open file)
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        fh.seek(0)
        owner = fh.read().strip() or "another process"
        fh.close()
        raise ConfigError(key, str(p.folder), f"a folder no other sweep is using (process {owner} is running one "
                          "in it: wait for it to end, or give another hydra.sweep.dir)") from None  # fmt: skip
    fh.seek(0)
    fh.truncate()
    fh.write(f"{os.getpid()}\n")
    fh.flush()
    try:
        for stale in [*p.folder.glob(".*.tmp"), *p.folder.glob("*/.*.tmp"), *p.folder.glob(f"*/{RUNNING}")]:
            stale.unlink(missing_ok=True)  # no live process writes them: this sweep holds the folder
        yield
    finally:
        fcntl.flock(fh, fcntl.LOCK_UN)
        fh.close()


@contextlib.contextmanager
def sweep_environment(started: float):
    """What a sweep's runs read from the environment: this sweep's process and when it started."""
    old = {k: os.environ.get(k) for k in (SWEEP_STARTED, "FOWSIM_SWEEP_PID", "HYDRA_FULL_ERROR")}
    os.environ.update({SWEEP_STARTED: repr(started), "FOWSIM_SWEEP_PID": str(os.getpid()),
                       "HYDRA_FULL_ERROR": "1"})  # fmt: skip  # the launcher's errors reach fowsim, not a traceback
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def interrupted(p: Plan, started: float, stream=None) -> int:
    """After Ctrl-C or SIGTERM: `sweep.json`, one line on what finished and how to resume; status 130."""
    stream = stream or sys.stderr
    forget_running(p)
    write_manifest(p, started)
    st = status(p)
    stream.write(f"\nsweep: interrupted: {len(st['done'])} of {len(p.jobs)} runs finished, {len(st['failed'])} failed; "
                 f"run the same command again to resume ({p.folder / MANIFEST})\n")  # fmt: skip
    return 130


def finish(p: Plan, started: float, stream=None, collect_runs: bool = True) -> int:
    """After the launcher: `sweep.json`, the list of what failed or is missing, `sweep.nc`; the exit code.

    `collect_runs=False` leaves out `sweep.nc` (a sensitivity study keeps only its outcomes).
    """
    from fowsim.collect import collect

    stream = stream or sys.stderr
    write_manifest(p, started)
    st = status(p)
    for num in st["failed"]:
        stream.write(f"failed: run {num} ({' '.join(p.jobs[num])}): {error_line(p.job_dir(num))}"
                     f" [{p.job_dir(num) / ERROR_FILE}]\n")  # fmt: skip
    for num in st["missing"]:
        stream.write(f"missing: run {num} ({' '.join(p.jobs[num])}): no results in {p.job_dir(num)}\n")
    bad = len(st["failed"]) + len(st["missing"])
    if st["done"] and collect_runs:
        from fowsim.collect import failures

        try:
            path = collect(p.folder)
        except ValueError as exc:  # every finished run's file is unreadable or another cell's
            stream.write(f"sweep.nc: not written: {exc}\n")
            return 1
        for d, why in failures(path):
            if d.isdigit() and int(d) in st["done"]:  # finished, but its results.nc is not this cell's run
                stream.write(f"failed: run {d} ({' '.join(p.jobs[int(d)])}): {why}\n")
                bad += 1
        stream.write(f"sweep.nc: {path}\n")
    if bad:
        stream.write(f"sweep: {bad} of {len(p.jobs)} runs did not finish; run the same command again to retry them\n")
    return 1 if bad else 0


def _run_in_process(job: list[str], out: str, config_dir: str | None) -> None:
    """One run of `run_sweep`, composed as Hydra would compose it (in a worker process or this one)."""
    import logging

    from omegaconf import OmegaConf

    from fowsim.config import compose

    logging.getLogger("MESA").setLevel(logging.WARNING)
    cfg = compose(job, config_dir_extra=config_dir)
    meta = Path(out) / ".hydra"  # as Hydra writes it, for the tools that read a multirun's folders
    meta.mkdir(parents=True, exist_ok=True)
    OmegaConf.save(cfg, meta / "config.yaml")
    OmegaConf.save(OmegaConf.create(list(job)), meta / "overrides.yaml")
    run_job(cfg, Path(out), list(job))


def run_sweep(
    overrides: list[str] | tuple[str, ...],
    folder: str | Path | None = None,
    config_dir: str | Path | None = None,
    processes: int = 1,
    root: str | Path = "multirun",
    progress: bool = True,
    collect_runs: bool = True,
) -> Path:
    """`fowsim sweep` from Python (a notebook, a script): run every combination, then build `sweep.nc`.

    `overrides` are those of the command line, e.g. `["policy=baseline,reskilling", "seed=range(3)"]`.
    The sweep is planned and checked as `fowsim sweep` plans and checks it, and lands in the same
    folder (`root/<experiment or sweep>-<hash>` unless `folder` is given) with the same layout, so
    the CLI can resume it, collect it or report on it, and a run already done with the same config is
    skipped. `config_dir` is a folder of the user's own configs (`--config-dir`). Runs go one after
    another in this process, or on `processes` worker processes (which import the user's classes by
    their `_target_`, so those must live in an importable module, not in a notebook cell). For a
    cluster, use `fowsim sweep hydra/launcher=submitit_slurm`.

    Returns the path of `sweep.nc` (of the folder with `collect_runs=False`). Runs that fail write
    `error.txt` and are listed on stderr; their cells of `sweep.nc` are NaN with `run_status` = 1.
    Raises `ConfigError` (before any run) on bad input and `RuntimeError` if no run finished.
    """
    overrides = [str(o) for o in overrides]
    bad = next((o for o in overrides if o.startswith(LAUNCHER_KEYS)), None)
    if bad:
        raise ConfigError("hydra/launcher", bad.split("=", 1)[-1], "processes=N here; for Slurm, `fowsim sweep`")
    if not isinstance(processes, int) or processes < 1:
        raise ConfigError("processes", processes, "a whole number of worker processes, at least 1")
    user_dir = str(Path(config_dir).resolve()) if config_dir is not None else None
    if user_dir is not None and not Path(user_dir).is_dir():
        raise ConfigError("config_dir", config_dir, "an existing folder of configs")
    p = plan(overrides, folder=folder, root=root, config_dir=user_dir)
    check(p)
    from fowsim.io import check_writable

    check_writable(p.folder, "folder")
    return execute(p, processes, progress, collect_runs)


def execute(p: Plan, processes: int = 1, progress: bool = True, collect_runs: bool = True) -> Path:
    """Run a checked plan's runs here or on `processes` worker processes, then account for them (`run_sweep`).

    The sweep folder is held for this sweep alone (`lock`). A worker process that dies fails only its
    own run (each run under way then runs alone, `isolate`); the others go on. An interrupt (Ctrl-C,
    a notebook's stop) ends the workers, writes `sweep.json` and raises `KeyboardInterrupt`.
    """
    from contextlib import nullcontext

    user_dir = p.config_dir
    started = time.time()
    with lock(p, key="folder"), sweep_environment(started):
        write_manifest(p, started)  # so that an interrupted sweep can still be collected or resumed
        if progress:
            print(f"sweep: {len(p.jobs)} runs in {p.folder}", file=sys.stderr)
        args = [(job, str(p.job_dir(num)), user_dir) for num, job in enumerate(p.jobs)]
        try:
            with Watch(p) if progress else nullcontext():
                if processes == 1 or len(args) == 1:
                    for a in args:
                        _run_in_process(*a)
                else:
                    _run_on_processes(p, args, processes)
        except KeyboardInterrupt:
            interrupted(p, started)
            raise
        finish(p, started, collect_runs=collect_runs)
    path = p.folder / "sweep.nc" if collect_runs else p.folder
    if not status(p)["done"]:
        raise RuntimeError(f"sweep {p.folder}: no run finished; see the error.txt files in its run folders")
    return path


@contextlib.contextmanager
def _spawn_without_main(jobs: list[list[str]]):
    """Start worker processes without running the caller's script again in each.

    Spawned workers import `__main__`, which runs a plain script's top level again: a script that
    calls `run_sweep` without `if __name__ == "__main__":` would start sweeps within sweeps. The
    workers need only fowsim and the packages the runs name, so the script is hidden from them while
    they start, unless the runs name a class of the script itself (`__main__.`), which then needs the
    guard, as multiprocessing documents.
    """
    main = sys.modules.get("__main__")
    if main is None or any("__main__." in o for job in jobs for o in job):
        yield
        return
    saved: dict[str, Any] = {k: main.__dict__[k] for k in ("__spec__", "__file__") if k in main.__dict__}
    main.__dict__.pop("__file__", None)
    main.__spec__ = None
    try:
        yield
    finally:
        main.__dict__.pop("__spec__", None)
        main.__dict__.update(saved)


def _run_on_processes(p: Plan, args: list[tuple], processes: int) -> None:
    """`args`' runs on a pool of worker processes; a pool broken by a dead worker is replaced (`run_job`)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    ctx = multiprocessing.get_context("spawn")  # as mesa sets it; safe with threads and notebooks
    for _ in range(len(args) + 1):
        pool = ProcessPoolExecutor(min(processes, len(args)), mp_context=ctx)
        try:
            with _spawn_without_main(p.jobs):  # the workers start as the runs are submitted
                results = pool.map(_run_in_process, *zip(*args))
            list(results)
            pool.shutdown()
            return
        except BrokenProcessPool:
            pool.shutdown(wait=False, cancel_futures=True)
            dead = stale_runs(p)
            if not dead:
                raise
            print(f"sweep: a worker process died during run {', '.join(map(str, dead))}; each runs alone, "
                  "then the runs left go on", file=sys.stderr)  # fmt: skip
            isolate(p, dead)
        except BaseException:
            for proc in list(getattr(pool, "_processes", {}).values()):  # an interrupt: no worker left behind
                proc.terminate()
            pool.shutdown(wait=False, cancel_futures=True)
            raise
