"""Shared fixtures: configs composed once, outputs under tmp_path."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import logging
import os
import sys
from pathlib import Path

import pytest

from fowsim import compose
from fowsim.scenario import as_dict

logging.getLogger("MESA").setLevel(logging.WARNING)
os.environ.setdefault("HYDRA_FULL_ERROR", "0")


def small(*overrides: str, workers: int = 4000, months: int = 24) -> dict:
    """A small composed config as a plain dict."""
    return as_dict(compose([f"workers={workers}", f"months={months}", *overrides]))


@pytest.fixture(scope="session")
def small_cfg() -> dict:
    return small()


@dataclasses.dataclass
class Ran:
    """What a `fowsim` command did: its exit status and what it printed."""

    returncode: int
    stdout: str
    stderr: str


def fowsim_main(*args: str, cwd: Path) -> Ran:
    """`fowsim ARGS` run in this process from folder `cwd` (the CLI's `main(argv)`), as a user's command.

    In-process, so a test pays no interpreter start and imports; the few tests that need a real
    process (a killed sweep, a launcher's own workers) start one.
    """
    from fowsim.cli import main

    out, err = io.StringIO(), io.StringIO()
    argv, here = sys.argv[:], Path.cwd()
    code: int = 0
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main(list(args))
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.argv = argv
        os.chdir(here)
    return Ran(code, out.getvalue(), err.getvalue())
