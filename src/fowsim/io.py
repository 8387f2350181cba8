"""Writing results: atomically (a temporary file in the same folder, then a rename)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import xarray as xr

from fowsim.errors import ConfigError, OutputError
from fowsim.metrics import summary


def check_writable(folder: str | Path, key: str) -> None:
    """Refuse, in one line and before anything is written, a folder that results could not be written to.

    The folder may not exist yet: its missing parents and a probe file are made, then removed, so a
    read-only disk, a file in the way or a path the system refuses is found now and leaves nothing.
    """
    path = Path(folder)
    if "\\" in str(path):
        raise ConfigError(key, str(path), "a path without a backslash (the netCDF library cannot write one)")
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise ConfigError(key, str(path), f"a folder ({existing} is a file)")
    missing: list[Path] = []
    d = path
    while d != existing:
        missing.insert(0, d)
        d = d.parent
    created: list[Path] = []
    try:
        for d in missing:
            d.mkdir()
            created.append(d)
        fd, probe = tempfile.mkstemp(prefix=".fowsim-probe-", dir=path)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise ConfigError(key, str(path), f"a folder fowsim can write to ({exc.strerror or exc})") from None
    finally:
        for d in reversed(created):
            with contextlib.suppress(OSError):  # another process wrote into it meanwhile: it is theirs
                d.rmdir()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _atomic(path: Path, write) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        try:
            write(tmp)
        except Exception as exc:  # a full disk, a lost mount: netCDF says "HDF error", Python ENOSPC
            free = shutil.disk_usage(path.parent).free
            why = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
            raise OutputError(f"{path}: could not be written ({why}; {free / 2**20:.1f} MiB free there); "
                              "nothing of it was kept") from exc  # fmt: skip
        # the mode a plain open() gives (mkstemp's is 0600): colleagues on a shared cluster read what the umask lets
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_dataset(ds: xr.Dataset, path: str | Path) -> Path:
    """Write `ds` as NetCDF-4 to `path` atomically: a crash never leaves a half-written file."""
    path = Path(path)
    encoding: dict[str, dict[str, Any]] = {
        str(name): {"zlib": True, "complevel": 1} for name in ds.data_vars if ds[name].dtype.kind == "f"
    }
    if "panel_code" in ds:  # one byte a worker a month, long runs of the same value along time
        n_slot, n_time = ds["panel_code"].shape
        chunks = (min(n_slot, max(1, 2**20 // max(n_time, 1))), n_time)
        encoding["panel_code"] = {"zlib": True, "complevel": 4, "shuffle": False, "chunksizes": chunks}
    _atomic(path, lambda tmp: ds.to_netcdf(tmp, engine="netcdf4", encoding=encoding))
    return path


def write_json(obj: Any, path: str | Path) -> Path:
    """Write `obj` as indented JSON to `path` atomically."""
    path = Path(path)

    def write(tmp: str) -> None:
        with open(tmp, "w") as fh:
            json.dump(obj, fh, indent=2, sort_keys=True)
            fh.write("\n")

    _atomic(path, write)
    return path


def write_run(ds: xr.Dataset, folder: str | Path) -> tuple[Path, Path]:
    """Write `summary.json` and `results.nc` into `folder`; `results.nc` last, as the mark of a finished run."""
    folder = Path(folder)
    js = write_json(summary(ds), folder / "summary.json")
    try:
        nc = write_dataset(ds, folder / "results.nc")
    except BaseException:
        js.unlink(missing_ok=True)  # a summary without its results would look like a finished run's
        raise
    return nc, js
