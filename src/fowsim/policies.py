"""Policy plug-ins: objects whose hooks the model calls at named phases.

A policy subclasses `Policy`, declares its parameters as dataclass fields, and acts through the
agents and the workforce in `apply` (the `policies` phase). The catalogue of skilling and
mobility policies is registered in `REGISTRY`; a config names them under the `policy` group.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from fowsim.errors import ConfigError

if TYPE_CHECKING:
    from fowsim.model import LabourMarketModel
    from fowsim.world import World


class Policy:
    """Base class of policy plug-ins."""

    name = "policy"

    def setup(self, model: LabourMarketModel) -> None:
        """Called once when the model is built (agents exist, no month has run)."""

    def apply(self, model: LabourMarketModel) -> None:
        """Called every month in the `policies` phase."""


REGISTRY: dict[str, type[Policy]] = {}


def build_policies(spec: Any, world: World) -> list[Policy]:
    """Policies from the `policy` config node: a mapping name -> parameters (empty = baseline)."""
    if not isinstance(spec, Mapping):
        raise ConfigError("policy", spec, "a mapping of policy name to parameters (or baseline)")
    out = []
    for name, params in spec.items():
        if name not in REGISTRY:
            raise ConfigError("policy", name, f"one of {sorted(REGISTRY) or ['baseline']}")
        out.append(REGISTRY[name](**dict(params or {})))
    return out
