"""The `fowsim` command: thin; parses, calls the layers below, prints.

`fowsim run [overrides]` hands its arguments to Hydra (so `--config-dir`, `-m`, `--cfg job` work
as Hydra documents them). Other subcommands use argparse.
"""

from __future__ import annotations

import contextlib
import shutil
import sys
from pathlib import Path

USAGE = """usage: fowsim <command> [args]

commands:
  run [overrides...]   run one scenario (Hydra overrides, e.g. shock=gradual workers=200000)
  sweep [overrides...] run every combination (policy=a,b seed='range(5)', +experiment=NAME) on all
                       cores (hydra/launcher=submitit_slurm for a cluster); resumable; ends in sweep.nc
  sensitivity EXPERIMENT  the sensitivity study an experiment declares (Morris or Sobol indices, scenario
                       discovery, regret across futures) through the sweep machinery; ends in sensitivity.nc
  collect SWEEP_DIR    (re)build SWEEP_DIR/sweep.nc from the finished runs
  report PATH [-o F]   HTML report of a run or a sweep folder (figures embedded, PNG/SVG beside it)
  validate [--quick]   run the validation checks; the report in outputs/validation/ (--write-docs: docs/)
  compare SWEEP_DIR    each policy arm against the baseline of the same seed (--accounts, --participants)
  bench [--sizes ...]  throughput and memory of the model, and the speed-up over a naive Mesa model
  version              print the version (also: fowsim --version)

`fowsim COMMAND --help` describes each command; `fowsim run --help` shows Hydra's options and the
config groups."""


# Hydra's own options, which `fowsim run` hands to Hydra (`fowsim run --help` describes them)
HYDRA_FLAGS_SHOWN = ("--help", "--hydra-help", "--cfg", "--package", "--info", "--resolve", "--config-dir", "-m")
HYDRA_FLAGS = {*HYDRA_FLAGS_SHOWN, "-h", "-c", "-p", "-i", "--version", "--shell-completion", "-sc", "--run", "-r",
               "--multirun", "--config-path", "-cp", "--config-name", "-cn", "-cd", "--experimental-rerun"}  # fmt: skip


def _fail(message: str, code: int = 2) -> None:
    print(f"fowsim: error: {message}", file=sys.stderr)
    raise SystemExit(code)


def _discard_partial(folder: Path) -> None:
    """Remove a run folder that holds nothing but Hydra's own files (a run that never started)."""
    if not folder.is_dir():
        return
    keep = [p for p in folder.iterdir() if p.name != ".hydra" and not p.name.endswith(".log")]
    if not keep:
        shutil.rmtree(folder, ignore_errors=True)


def _run_task(cfg) -> None:
    import logging

    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    from fowsim.config import with_sample
    from fowsim.errors import ConfigError, ExtensionError, OutputError
    from fowsim.io import write_run
    from fowsim.metrics import format_table
    from fowsim.model import LabourMarketModel
    from fowsim.progress import Progress
    from fowsim.provenance import stamp
    from fowsim.scenario import build_scenario

    logging.getLogger("MESA").setLevel(logging.WARNING)  # mesa logs every step at INFO
    out = Path(HydraConfig.get().runtime.output_dir)
    if HydraConfig.get().mode == RunMode.MULTIRUN:
        from fowsim.sweep import run_job

        run_job(cfg, out, list(HydraConfig.get().overrides.task))
        return
    try:
        scenario = build_scenario(with_sample(cfg))
        model = LabourMarketModel(scenario)
    except (ConfigError, ExtensionError) as exc:
        _discard_partial(out)
        _fail(str(exc))
    bar = Progress("months")
    try:
        with _interruptible():
            model.run(progress=bar)
    except ExtensionError as exc:  # a collaborator's class broke its contract mid-run: say what was expected
        bar.close()
        _discard_partial(out)
        _fail(str(exc))
    except KeyboardInterrupt:  # Ctrl-C, SIGTERM: a run is all or nothing
        bar.close()
        _discard_partial(out)
        _fail(f"interrupted after month {model.t} of {scenario.months}; nothing was written", code=130)
    bar.close()
    ds = model.results()
    stamp(ds, scenario)
    try:
        with _interruptible():
            write_run(ds, out)
    except OutputError as exc:  # a full disk: nothing half-written is kept
        _discard_partial(out)
        _fail(str(exc), code=1)
    except KeyboardInterrupt:
        _discard_partial(out)
        _fail("interrupted while writing the results; nothing was kept", code=130)
    print(format_table(ds))
    print(f"\nresults: {out / 'results.nc'}")


def run(argv: list[str]) -> None:
    """`fowsim run`: one scenario through Hydra (`-m`: a sweep, as `fowsim sweep`)."""
    if "-m" in argv or "--multirun" in argv:
        sweep([a for a in argv if a not in ("-m", "--multirun")])
        return
    import hydra

    from fowsim.config import config_dir, normalise_overrides, register_schema

    _check_run(argv)
    register_schema()
    sys.argv = ["fowsim run", *normalise_overrides(argv)]
    main_fn = hydra.main(version_base="1.3", config_path=str(config_dir()), config_name="config")(_run_task)
    main_fn()


def _check_run(argv: list[str]) -> None:
    """Compose the run's config and build its scenario before Hydra starts: bad input fails in one line.

    Hydra's own options (`--cfg job`, `--help`, `--info`) go to Hydra as they are.
    """
    from fowsim import sweep as sw
    from fowsim.config import normalise_overrides
    from fowsim.errors import ConfigError, ExtensionError
    from fowsim.io import check_writable

    rest, user_dir = _config_dir(argv)
    flags = [a.split("=", 1)[0] for a in rest if a.startswith("-")]
    unknown = [f for f in flags if f not in HYDRA_FLAGS]
    if unknown:
        _fail(f"fowsim run takes overrides (key=value) and Hydra's options ({', '.join(sorted(HYDRA_FLAGS_SHOWN))}), "
              f"not {unknown[0]!r}")  # fmt: skip
    if flags:
        return
    overrides = [o for o in rest if not o.startswith("hydra.")]
    try:
        for o in sw._hydra_overrides(normalise_overrides(overrides), what="run override"):
            if o.is_sweep_override():
                value = o.input_line.split("=", 1)[1]
                raise ConfigError(o.get_key_element(), value, "one value (several are a sweep: fowsim sweep)")
        sw.check_run(overrides, user_dir)
        check_writable(_run_dir(rest), "hydra.run.dir")
    except (ConfigError, ExtensionError) as exc:
        _fail(str(exc))


def _run_dir(argv: list[str]) -> Path:
    """The folder a run will write to, as far as it is known before Hydra starts (up to its first `${...}`)."""
    from fowsim import sweep as sw

    given = [o for o in argv if o.startswith("hydra.run.dir=")]
    value = str(sw._hydra_overrides(given[-1:], what="run override")[0].value()) if given else "outputs/${now:}"
    if "${" in value:
        head = value.split("${", 1)[0]
        value = head.rsplit("/", 1)[0] if "/" in head else "."
    return Path(value or ".")


def _config_dir(argv: list[str]) -> tuple[list[str], str | None]:
    """Take `--config-dir DIR` (`--config-dir=DIR`, `-cd DIR`) out of `argv`."""
    rest, folder, i = [], None, 0
    while i < len(argv):
        a = argv[i]
        if a in ("--config-dir", "-cd") and i + 1 < len(argv):
            folder, i = argv[i + 1], i + 2
            continue
        if a.startswith("--config-dir="):
            folder = a.split("=", 1)[1]
        else:
            rest.append(a)
        i += 1
    if folder is not None and not Path(folder).is_dir():
        _fail(f"--config-dir={folder!r}: an existing folder of configs")
    return rest, folder


SWEEP_HELP = """usage: fowsim sweep [overrides...] [--config-dir DIR]

Run every combination of the swept values (key=a,b,c; seed='range(5)'; +experiment=NAME sets a whole
sweep), on all local cores by default, then write sweep.nc in the sweep's folder
(multirun/<experiment or sweep>-<hash>; hydra.sweep.dir=PATH chooses another).

  hydra/launcher=submitit_slurm   send the runs to a Slurm cluster (see docs/sweeps.md)
  hydra.launcher.n_jobs=N         local worker processes (default: one per core)
  --config-dir DIR                a folder of your own config groups, searched before the package's

Resumable: the same command again skips the runs already done. Ctrl-C stops cleanly; a failed run
is named with its error and the others go on."""


def sweep(argv: list[str]) -> None:
    """`fowsim sweep`: the runs of a multirun, on all local cores by default; then `sweep.nc`."""
    from fowsim import sweep as sw
    from fowsim.errors import ConfigError
    from fowsim.io import check_writable

    if argv and argv[0] in ("-h", "--help"):
        print(SWEEP_HELP)
        raise SystemExit(0)
    argv, user_dir = _config_dir(argv)
    flags = [a for a in argv if a.startswith("-")]
    if flags:
        allowed = "overrides (key=value, key=a,b,c, seed='range(N)') and --config-dir"
        _fail(f"fowsim sweep takes {allowed}, not {flags[0]!r}")
    try:
        plan = sw.plan(argv, config_dir=user_dir)
        sw.check(plan)
        sw.check_launcher(plan)
        check_writable(plan.folder, "hydra.sweep.dir")
    except ConfigError as exc:
        _fail(str(exc))
    raise SystemExit(_launch(plan, argv, user_dir))


def _launch(plan, argv: list[str], user_dir: str | None, collect_runs: bool = True) -> int:
    """Send a checked plan's runs to Hydra's launcher, watch them, and account for them; the exit code."""
    import hydra

    from fowsim import sweep as sw
    from fowsim.config import config_dir, normalise_overrides, register_schema
    from fowsim.errors import ConfigError

    launcher = sw.launcher_overrides(plan)
    hydra_args = [o for o in argv if not o.startswith(("hydra.sweep.dir=", *sw.LAUNCHER_KEYS))]
    register_schema()
    # absolute: a launcher's workers may have started in another folder (a pool reused across a notebook's chdir)
    folder = f"hydra.sweep.dir={sw.quoted(plan.folder.absolute())}"
    extra = ["--config-dir", user_dir] if user_dir else []
    quiet = [] if any(o.startswith("hydra/hydra_logging=") for o in hydra_args) else ["hydra/hydra_logging=quiet"]
    sys.argv = ["fowsim sweep", "-m", *extra, *normalise_overrides(hydra_args), folder, *launcher, *quiet]
    main_fn = hydra.main(version_base="1.3", config_path=str(config_dir()), config_name="config")(_run_task)
    started = __import__("time").time()
    with contextlib.ExitStack() as held:
        try:
            held.enter_context(sw.lock(plan))
        except ConfigError as exc:
            _fail(str(exc))
        print(f"sweep: {len(plan.jobs)} runs in {plan.folder}", file=sys.stderr)
        in_process = "hydra/launcher=basic" in launcher  # the runs are in this process: stop between months
        with _interruptible(between_months=in_process), sw.sweep_environment(started):
            try:
                launcher_failed = _launch_until_done(plan, main_fn)
            except KeyboardInterrupt:
                _stop_workers()
                return sw.interrupted(plan, started)
        code = sw.finish(plan, started, collect_runs=collect_runs)
    return code or int(launcher_failed)


def _launch_until_done(plan, main_fn) -> bool:
    """Run the launcher; after a worker process died, its runs alone (`isolate`), then the launcher again.

    Returns whether the launcher failed.
    """
    from fowsim import sweep as sw

    launcher_failed = True
    local_pool = "hydra/launcher=joblib" in sw.launcher_overrides(plan)
    with sw.Watch(plan), _composed_once():
        for _ in range(len(plan.jobs) + 1):
            launcher_failed = False
            try:
                main_fn()
            except SystemExit as exc:  # Hydra reports its own errors (a job the cluster lost, say) and exits
                launcher_failed = bool(exc.code)
            except Exception as exc:  # noqa: BLE001 - what the launcher raised; the runs' own state is below
                text = f"{exc.__class__.__name__}: {exc}".splitlines()[0]
                launcher_failed = True
                dead = sw.stale_runs(plan) if local_pool else []
                if dead:  # joblib ended the pool: each run under way runs alone, the culprit fails, the rest go on
                    print(f"sweep: a worker process died during run {', '.join(map(str, dead))}; each runs alone, "
                          "then the runs left go on", file=sys.stderr)  # fmt: skip
                    sw.isolate(plan, dead)
                    continue
                print(f"fowsim: the launcher stopped: {text}", file=sys.stderr)
            break
    return launcher_failed


@contextlib.contextmanager
def _interruptible(between_months: bool = True):
    """Ctrl-C and SIGTERM (`kill`, a scheduler's stop) end a run or a sweep; KeyboardInterrupt says so.

    `between_months`: the first signal asks the work in this process to stop after the month under
    way (`fowsim.progress.check_stop`), never inside compiled code; a second one stops at once. A
    sweep whose runs are in other processes stops waiting at once (`between_months=False`).
    """
    import signal
    import threading

    from fowsim.progress import STOP

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        if between_months and not STOP.is_set():
            STOP.set()
            return
        raise KeyboardInterrupt

    STOP.clear()
    old = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)
        STOP.clear()


def _stop_workers() -> None:
    """End the worker processes of joblib's pool (an interrupted sweep leaves none behind)."""
    loky = sys.modules.get("joblib.externals.loky.reusable_executor")
    executor = getattr(loky, "_executor", None) if loky else None
    if executor is not None:
        executor.shutdown(wait=False, kill_workers=True)


@contextlib.contextmanager
def _composed_once():
    """Skip Hydra's second composition of every run in this process before any is launched.

    Hydra's basic sweeper composes each run's config before launching (half a second a run, seeds and
    design rows included); the plan has already built every distinct one (`fowsim.sweep.check`,
    `fowsim.sensitivity.plan_study`), and each run composes its own again where it runs.
    """
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper

    own = BasicSweeper.__dict__.get("validate_batch_is_legal")  # None: inherited from Hydra's Sweeper
    BasicSweeper.validate_batch_is_legal = lambda self, batch: None  # type: ignore[method-assign]
    try:
        yield
    finally:
        if own is None:
            del BasicSweeper.validate_batch_is_legal
        else:
            BasicSweeper.validate_batch_is_legal = own  # type: ignore[method-assign]


def sensitivity(argv: list[str]) -> None:
    """`fowsim sensitivity EXPERIMENT [overrides]`: the study's runs, then `sensitivity.nc`."""
    from fowsim import sensitivity as sa
    from fowsim import sweep as sw
    from fowsim.errors import ConfigError
    from fowsim.io import check_writable

    argv, user_dir = _config_dir(argv)
    if not argv or argv[0] in ("-h", "--help"):
        print("usage: fowsim sensitivity EXPERIMENT [overrides...] [--config-dir DIR]\n\n"
              "Run the sensitivity study an experiment declares (its `sensitivity:` node: method, samples,\n"
              "parameters, outcomes, discovery, regret) through the sweep machinery, then write\n"
              "sensitivity.nc. Resumable: the same command skips the runs already done.")  # fmt: skip
        raise SystemExit(0 if argv else 2)
    name, rest = argv[0], argv[1:]
    bad = name if name.startswith("-") or "=" in name else next((a for a in rest if a.startswith("-")), None)
    if bad:
        _fail(f"fowsim sensitivity takes an experiment name, then overrides and --config-dir, not {bad!r}")
    try:
        plan, study = sa.plan_study(name, rest, user_dir)
        sw.check_launcher(plan)
        check_writable(plan.folder, "hydra.sweep.dir")
    except ConfigError as exc:
        _fail(str(exc))
    print(f"sensitivity: {study.method}, {study.n_samples} design rows x {len(plan.jobs) // study.n_samples} "
          f"policy/seed combinations = {len(plan.jobs)} runs", file=sys.stderr)  # fmt: skip
    code = _launch(plan, plan.overrides, user_dir, collect_runs=False)
    if code:
        raise SystemExit(code)
    try:
        path = sa.analyse(plan.folder)
    except (ConfigError, RuntimeError, ValueError) as exc:
        _fail(str(exc), code=1)
    print(sa.describe(path))
    print(f"\nsensitivity.nc: {path}")


def _path_command(prog: str, description: str, help_path: str, help_out: str, argv: list[str], action):
    """A subcommand taking a path and `-o FILE`: `action(path, out)`; a bad path fails in one line (status 2)."""
    from fowsim.errors import ArgumentParser
    from fowsim.io import check_writable

    parser = ArgumentParser(prog=prog, description=description)
    parser.add_argument("path", help=help_path)
    parser.add_argument("-o", "--out", help=help_out)
    args = parser.parse_args(argv)
    try:
        if args.out is not None:
            check_writable(Path(args.out).absolute().parent, "-o")
        return action(args.path, args.out)
    except (FileNotFoundError, KeyError, ValueError) as exc:  # ConfigError is a ValueError
        _fail(str(exc).splitlines()[0])


def collect(argv: list[str]) -> None:
    """`fowsim collect SWEEP_DIR [-o FILE]`: (re)build `sweep.nc`; status 1 if runs failed or are missing."""
    from fowsim.collect import collect as build
    from fowsim.collect import describe, failures

    path = _path_command("fowsim collect", "(Re)build sweep.nc from a sweep's runs.", "a sweep folder",
                         "where to write (default: SWEEP_DIR/sweep.nc)", argv, build)  # fmt: skip
    for folder, why in failures(path):
        print(f"failed: run {folder}: {why}", file=sys.stderr)
    line = describe(path)
    print(line)
    raise SystemExit(0 if line.endswith(" 0 failed, 0 missing") else 1)


def report(argv: list[str]) -> None:
    """`fowsim report PATH [-o FILE]`: the HTML report of a run or a sweep."""
    from fowsim.report import build

    path = _path_command("fowsim report", "HTML report of a run or a sweep.",
                         "a run folder (results.nc), a sweep folder (sweep.nc), or either file",
                         "the HTML file to write (default: report.html beside the data)", argv, build)  # fmt: skip
    print(f"report: {path}")


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `fowsim` command."""
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(USAGE)
        return
    command, rest = argv[0], argv[1:]
    if command in ("--version", "-V"):
        command = "version"
    if command == "run":
        run(rest)
    elif command == "sweep":
        sweep(rest)
    elif command == "sensitivity":
        sensitivity(rest)
    elif command == "collect":
        collect(rest)
    elif command == "report":
        report(rest)
    elif command == "validate":
        from fowsim.validation.report import main as validate_main

        code = validate_main(rest)
        if code:
            raise SystemExit(code)
    elif command == "bench":
        from fowsim.bench import main as bench_main

        bench_main(rest)
    elif command == "compare":
        from fowsim.compare import main as compare_main

        code = compare_main(rest, prog="fowsim compare")
        if code:
            raise SystemExit(code)
    elif command == "version":
        from fowsim import __version__

        if rest:
            _fail(f"fowsim version takes no arguments, not {rest[0]!r}")
        print(__version__)
    else:
        commands = "run, sweep, sensitivity, collect, report, validate, compare, bench, version"
        _fail(f"unknown command {command!r}; one of {commands} (see fowsim --help)")
