"""Shared fixtures: configs composed once, outputs under tmp_path."""

from __future__ import annotations

import logging
import os

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
