"""The registry of policies by config name, and building the policies of a config's `policy` node."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from typing import Any, TypeVar

from fowsim.errors import ConfigError, ExtensionError
from fowsim.extension import import_target
from fowsim.policies.base import Policy
from fowsim.world import World

REGISTRY: dict[str, type[Policy]] = {}
P = TypeVar("P", bound=type[Policy])


def register(cls: P) -> P:
    """Class decorator: make a policy available to configs under `cls.name`."""
    REGISTRY[cls.name] = cls
    return cls


def build_policies(spec: Any, world: World) -> list[Policy]:
    """Policies from the `policy` config node: a mapping name -> parameters (empty = baseline), each checked."""
    if not isinstance(spec, Mapping):
        raise ConfigError("policy", spec, "a mapping of policy name to parameters (or baseline)")
    out = []
    for name, params in spec.items():
        params = dict(params or {})
        target = params.pop("_target_", None)
        if target is not None:  # a collaborator's policy class
            cls = import_target(target, f"policy.{name}._target_")
            if not (isinstance(cls, type) and issubclass(cls, Policy) and is_dataclass(cls)):
                raise ExtensionError(
                    f"policy.{name}._target_={target!r}: expected a @dataclass subclass of fowsim.policies.Policy"
                )
        elif name in REGISTRY:
            cls = REGISTRY[name]
        else:
            raise ConfigError("policy", name, f"one of {sorted(REGISTRY)}, a {{_target_: module.Class}} (or baseline)")
        known = {f.name for f in fields(cls) if f.init}
        for key in params:
            if key not in known:
                raise ConfigError(f"policy.{name}.{key}", params[key], f"a parameter of {name}: one of {sorted(known)}")
        policy = cls(**params)
        if policy.name != name:
            # the config's name, in keys, accounts and the report: an instance attribute over the class's
            object.__setattr__(policy, "name", name)
        policy.check(world)
        out.append(policy)
    return out
