"""`python -m fowsim.policies [--write]`: check (or rewrite) the policies' presets and their tables in docs/policies.md.

Both come from the parameters' declarations (`fowsim.policies.params`); run it from a source checkout.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fowsim.policies import REGISTRY
from fowsim.policies.params import preset_text, render_docs


def main(argv: list[str]) -> int:
    """Report (or, with --write, rewrite) every preset and docs table that differs from the declarations."""
    write = "--write" in argv
    root = Path(__file__).resolve().parents[3]
    stale = []
    for name, cls in REGISTRY.items():
        path = root / "configs" / "policy" / f"{name}.yaml"
        if not path.is_file() or path.read_text() != preset_text(cls):
            stale.append(path)
            if write:
                path.write_text(preset_text(cls))
    docs = root / "docs" / "policies.md"
    text = docs.read_text()
    if text != render_docs(text, REGISTRY):
        stale.append(docs)
        if write:
            docs.write_text(render_docs(text, REGISTRY))
    for path in stale:
        print(f"{'rewritten' if write else 'out of date'}: {path}")
    return 0 if write or not stale else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
