"""What a collaborator's class must honour: it imports by its dotted path, and it answers arrays of the right shape."""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np

from fowsim.errors import ConfigError, ExtensionError


def import_target(path: str, key: str) -> Any:
    """The object named by a dotted `path` ('package.module.Name'), or a one-line ConfigError naming `key`."""
    module, _, name = str(path).rpartition(".")
    try:
        return getattr(importlib.import_module(module), name)
    except Exception as exc:  # noqa: BLE001 - a module that fails to import (any error in it) is one line
        why = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise ConfigError(key, path, f"an importable 'module.Name' ({exc.__class__.__name__}: {why})") from None


def checked(name: str, value: object, n: int, kind: str) -> np.ndarray:
    """Return `value` as an array of length `n` of dtype kind `kind` ('b', 'i', 'f'), or raise ExtensionError."""
    arr = np.asarray(value)
    ok_kind = (
        arr.dtype.kind == kind or (kind == "f" and arr.dtype.kind in "iu") or (kind == "i" and arr.dtype.kind == "u")
    )
    if arr.shape != (n,) or not ok_kind:
        want = {"b": "bool", "i": "integer", "f": "float"}[kind]
        raise ExtensionError(f"{name} returned shape {arr.shape} dtype {arr.dtype}; expected shape ({n},) of {want}")
    return arr


def checked_shape(name: str, value: object, shape: tuple[int, ...]) -> np.ndarray:
    """Return `value` as a float array of `shape`, or raise ExtensionError."""
    arr = np.asarray(value, dtype=np.float64)
    if arr.shape != shape:
        raise ExtensionError(f"{name} returned shape {arr.shape}; expected {shape}")
    return arr
