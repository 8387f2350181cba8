"""The structure of the package: no import cycles, layers that only import downward, one copy of each thing."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).parents[1] / "src"
PACKAGE = SRC / "fowsim"


def module_name(path: Path, root: Path = SRC) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports(path: Path, known: set[str], root: Path = SRC) -> set[str]:
    """The fowsim modules `path` imports anywhere: at the top, inside functions, under TYPE_CHECKING."""
    tree = ast.parse(path.read_text())
    here = module_name(path, root)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else [])
                )
            # `from fowsim import kernels` names a module; `from fowsim.x import Y` names the module fowsim.x
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        else:
            continue
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != here:
                out.add(name)
    return out


def graph() -> dict[str, set[str]]:
    mods = modules()
    return {m: imports(p, set(mods)) for m, p in mods.items()}


def cycles(g: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in g.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(g):
        if v not in index:
            visit(v)
    return out


def test_the_cycle_finder_finds_a_cycle_through_a_function_level_import(tmp_path):
    g = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(g) == [["a", "b", "c"]]
    src = tmp_path / "fowsim"
    src.mkdir()
    (src / "x.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from fowsim.y import Y\n")
    (src / "y.py").write_text("def f():\n    from fowsim import x\n")
    known = {"fowsim", "fowsim.x", "fowsim.y"}
    g = {m: imports(src / f"{m.split('.')[1]}.py", known, tmp_path) for m in ("fowsim.x", "fowsim.y")}
    assert g == {"fowsim.x": {"fowsim.y"}, "fowsim.y": {"fowsim.x"}}
    assert cycles(g) == [["fowsim.x", "fowsim.y"]]


def test_no_import_cycles_in_the_package():
    found = cycles(graph())
    assert not found, f"import cycles (counting imports in functions and under TYPE_CHECKING): {found}"


# the layers, lowest first: a module may import its own layer and those below it, never above
LAYERS = {
    "core": {
        "fowsim._version", "fowsim.codes", "fowsim.errors", "fowsim.extension", "fowsim.sampling", "fowsim.kernels",
        "fowsim.world", "fowsim.shocks", "fowsim.workforce", "fowsim.state", "fowsim.population", "fowsim.rules",
        "fowsim.agents", "fowsim.lottery", "fowsim.recorder", "fowsim.sim", "fowsim.phases", "fowsim.policies",
        "fowsim.scenario", "fowsim.model",
    },
    "analysis": {"fowsim.indicators", "fowsim.metrics", "fowsim.effects", "fowsim.evaluation"},
    "runs": {"fowsim.design", "fowsim.config", "fowsim.io", "fowsim.manifest", "fowsim.collect", "fowsim.sweep",
             "fowsim.provenance", "fowsim.progress"},
    "studies": {"fowsim.compare", "fowsim.sensitivity", "fowsim.calibration", "fowsim.validation", "fowsim.report",
                "fowsim.bench"},
    "interface": {"fowsim.cli", "fowsim.__main__", "fowsim"},
}  # fmt: skip
ORDER = list(LAYERS)


def layer_of(module: str) -> str:
    for name, members in LAYERS.items():
        if any(module == m or module.startswith(m + ".") for m in members if m != "fowsim") or module == "fowsim" \
                and "fowsim" in members:  # fmt: skip
            return name
    raise AssertionError(f"{module} is in no layer: add it to LAYERS in tests/test_architecture.py")


def test_every_module_imports_only_its_own_layer_and_those_below():
    g = graph()
    wrong = []
    for module, targets in g.items():
        mine = ORDER.index(layer_of(module))
        for t in targets:
            if ORDER.index(layer_of(t)) > mine:
                wrong.append(f"{module} ({layer_of(module)}) imports {t} ({layer_of(t)})")
    assert not wrong, wrong


def test_the_model_core_imports_neither_hydra_nor_matplotlib():
    mods = modules()
    for module, path in mods.items():
        if layer_of(module) != "core":
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])  # fmt: skip
            for n in names:
                assert not n.startswith(("hydra", "omegaconf", "matplotlib")), f"{module} imports {n}"
