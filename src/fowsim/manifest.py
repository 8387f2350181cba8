"""What a sweep folder holds, and how to read it: `sweep.json`, and each run folder's state.

Shared by the sweep (`fowsim.sweep`, which writes them), `fowsim.collect` and the sensitivity
analysis (which read them); it imports nothing of fowsim.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

MANIFEST = "sweep.json"
ERROR_FILE = "error.txt"
RUNNING = ".running"  # in a run folder while a process runs it: left behind, its process died
LOCK = ".sweep.lock"  # in a sweep folder: held by the one sweep using it


def as_number(value: Any) -> Any:
    """An override's value as the number it spells, where it spells one ("01" is 1, "0.50" is 0.5)."""
    if isinstance(value, str):
        for kind in (int, float):
            try:
                return kind(value)
            except ValueError:
                pass
    return value


def run_state(d: Path) -> str:
    """A run folder's state: done (it holds results.nc), failed (error.txt) or missing."""
    if (d / "results.nc").is_file():
        return "done"
    return "failed" if (d / ERROR_FILE).is_file() else "missing"


def error_line(d: Path) -> str:
    """The last line of a failed run's `error.txt` (the exception), or 'unknown error'."""
    text = (d / ERROR_FILE).read_text() if (d / ERROR_FILE).is_file() else ""
    lines = [x for x in text.splitlines() if x.strip()]
    return lines[-1] if lines else "unknown error"


def read(folder: Path) -> dict[str, Any]:
    """A sweep's `sweep.json`, each run's status read afresh from its folder (a run may have finished since)."""
    spec: dict[str, Any] = json.loads((folder / MANIFEST).read_text())
    for r in spec["runs"]:
        r["status"] = run_state(folder / r["dir"])
    return spec
