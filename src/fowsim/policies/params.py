"""A policy's parameters, declared once: default, allowed range, unit and basis, as dataclass field metadata.

```python
seats: float = param(200_000.0, lo=0, unit="people", basis="ASSUMPTION: ...")
```

From that one declaration come the range check (`check_declared`, called by `Policy.check`), the
policy's preset in `configs/policy/<name>.yaml` (`preset_text`) and its parameter table in
`docs/policies.md` (`parameter_table`); the tests check that the preset and the docs say what the
declarations say (`python -m fowsim.policies --write` rewrites both).
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass, field
from typing import Any

from fowsim.errors import ConfigError

KINDS = ("number", "whole", "flag", "names", "name")
# what a training policy's `skill_after` means, and where its default comes from
SKILL_AFTER_UNIT = (
    "share of the missing skill in the target occupation taught; null: duration_months / 36 x the fitted training_yield"
)
SKILL_AFTER_BASIS = (
    "in proportion to the programme's length against a full vocational qualification, 36 months "
    "(BIBB: two to three and a half years; fowsim.phases.training.taught_share): ASSUMPTION; times "
    "training_yield, fitted to the meta-analysis of programmes' effects (Card, Kluve & Weber 2018)"
)


@dataclass(frozen=True)
class Param:
    """How one parameter is declared: kind, bounds (inclusive), whether null is allowed, unit, basis."""

    kind: str = "number"  # number, whole, flag, names (a list checked by the policy), name (one)
    lo: float | None = None
    hi: float | None = None
    optional: bool = False  # null allowed (and what it means is in `unit`)
    unit: str = ""
    basis: str = ""

    def allowed(self) -> str:
        """What a value may be, in words."""
        if self.kind == "flag":
            text = "true or false"
        elif self.kind in ("names", "name"):
            text = self.unit
        else:
            what = "a whole number" if self.kind == "whole" else "a number"
            if self.lo is not None and self.hi is not None:
                text = f"{what} in [{self.lo:g}, {self.hi:g}]"
            elif self.lo is not None:
                text = f"{what} >= {self.lo:g}"
            elif self.hi is not None:
                text = f"{what} <= {self.hi:g}"
            else:
                text = f"a finite {what[2:]}"
            if self.unit:
                text += f" ({self.unit})"
        return f"null or {text}" if self.optional and self.kind not in ("names", "name") else text


def param(
    default: Any = dataclasses.MISSING,
    *,
    kind: str = "number",
    lo: float | None = None,
    hi: float | None = None,
    optional: bool = False,
    unit: str = "",
    basis: str = "",
    factory: Any = None,
) -> Any:
    """A dataclass field declaring a policy parameter (`factory` for a list default)."""
    if kind not in KINDS:
        raise ValueError(f"kind {kind!r}: one of {KINDS}")
    meta = {"fowsim": Param(kind, lo, hi, optional, unit, basis)}
    if factory is not None:
        return field(default_factory=factory, metadata=meta)
    return field(default=default, metadata=meta)


def declared(cls_or_policy: Any) -> dict[str, tuple[dataclasses.Field, Param]]:
    """The declared parameters of a policy class or instance: name -> (field, declaration), in field order."""
    out = {}
    for f in dataclasses.fields(cls_or_policy):
        decl = f.metadata.get("fowsim")
        if f.init and isinstance(decl, Param):
            out[f.name] = (f, decl)
    return out


def default_of(f: dataclasses.Field) -> Any:
    """A field's default value."""
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return f.default


def check_value(key: str, value: Any, decl: Param) -> None:
    """Raise a one-line ConfigError naming `key` if `value` is not what `decl` allows (NaN and infinity included)."""
    if value is None:
        if not decl.optional:
            raise ConfigError(key, value, decl.allowed())
        return
    if decl.kind == "flag":
        if not isinstance(value, bool):
            raise ConfigError(key, value, decl.allowed())
        return
    if decl.kind in ("names", "name"):
        return  # names are resolved against the world by the policy's own check
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigError(key, value, decl.allowed())
    if decl.kind == "whole" and value != int(value):
        raise ConfigError(key, value, decl.allowed())
    if (decl.lo is not None and value < decl.lo) or (decl.hi is not None and value > decl.hi):
        raise ConfigError(key, value, decl.allowed())


def check_declared(policy: Any) -> None:
    """Check every declared parameter of `policy` against its declaration (`Policy.check` calls this)."""
    for name, (_, decl) in declared(policy).items():
        check_value(policy.key(name), getattr(policy, name), decl)


# ---------------------------------------------------------------- what comes from the declarations
def _yaml(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_yaml(v) for v in value) + "]"
    if isinstance(value, float) and value.is_integer() and abs(value) >= 1000:
        return str(int(value))
    return str(value)


def preset_text(cls: Any) -> str:
    """The preset `configs/policy/<name>.yaml` of a policy class: every declared parameter at its default."""
    doc = (cls.__doc__ or "").strip().splitlines()[0]
    lines = [f"# {doc}", f"# Generated from the declarations in {cls.__module__}.{cls.__name__}; parameters, "
             f"units and basis: docs/policies.md#{cls.name}", f"{cls.name}:"]  # fmt: skip
    for name, (f, decl) in declared(cls).items():
        value = f"  {name}: {_yaml(default_of(f))}"
        unit = decl.unit if decl.kind != "flag" else ""
        lines.append(f"{value:<44}# {unit}" if unit else value)
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def parameter_table(cls: Any) -> str:
    """The parameter table of a policy class for `docs/policies.md`: default, allowed values, basis."""
    rows = ["| parameter | default | allowed | basis |", "|---|---|---|---|"]
    for name, (f, decl) in declared(cls).items():
        rows.append(f"| `{name}` | `{_yaml(default_of(f))}` | {_cell(decl.allowed())} | {_cell(decl.basis)} |")
    return "\n".join(rows)


BEGIN, END = "<!-- parameters of {name}: generated from the declarations -->", "<!-- end of parameters -->"


def render_docs(text: str, registry: dict[str, Any]) -> str:
    """`docs/policies.md` with each policy's parameter table replaced by the one its declarations give."""
    for name, cls in registry.items():
        begin = BEGIN.format(name=name)
        found = re.compile(re.escape(begin) + r".*?" + re.escape(END), re.S).search(text)
        if found is None:
            raise ValueError(f"docs/policies.md has no parameter block for {name} ({begin})")
        text = text[: found.start()] + f"{begin}\n{parameter_table(cls)}\n{END}" + text[found.end() :]
    return text
