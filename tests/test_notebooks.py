"""The notebooks in `notebooks/`: each runs top to bottom, in a scratch folder, on this interpreter."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
# each notebook's sizes, smaller: a cell put after the one tagged "parameters" (the way papermill passes them)
SMALL = {
    "02_extending_agents": (
        'SIZE = ["workers=5000", "months=36"]\n'
        'SWEEP_SIZE = ["seed=range(2)", "workers=3000", "months=36"]\n'
        'CLI_SIZE = ["seed=range(2)", "workers=2000", "months=24"]'
    ),
    "03_policy_comparison": 'SIZE = ["seed=range(2)", "workers=3000", "months=36"]',
    "04_custom_world": 'SIZE = ["seed=range(2)", "workers=3000", "months=36"]',
    "05_sensitivity": (  # two policies, the shock's inputs and the lever: 16 runs
        'SIZE = ["workers=1000", "months=24", "sensitivity.samples=2", "policy=baseline,reskilling", '
        '"~sensitivity.parameters.world"]'
    ),
}


@pytest.fixture
def kernel(tmp_path, monkeypatch) -> str:
    """A kernel spec for this interpreter, found before any other Jupyter installation's `python3`."""
    spec = tmp_path / "jupyter" / "kernels" / "fowsim-test"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "fowsim", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    return "fowsim-test"


def test_there_are_the_five_notebooks():
    assert [p.stem for p in NOTEBOOKS] == ["01_quickstart", "02_extending_agents", "03_policy_comparison",
                                           "04_custom_world", "05_sensitivity"]  # fmt: skip


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebooks_are_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code), "strip the outputs"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom(path, tmp_path, kernel):
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(path, work / path.name)
    nb = nbformat.read(work / path.name, as_version=4)
    tagged = [i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == (path.stem in SMALL), "one cell tagged parameters where the notebook runs at a size"
    if tagged:
        nb.cells.insert(tagged[0] + 1, nbformat.v4.new_code_cell(SMALL[path.stem]))
    NotebookClient(nb, timeout=600, kernel_name=kernel, resources={"metadata": {"path": str(work)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    figures = [o for o in outputs if "image/png" in o.get("data", {})]
    assert figures, "every notebook draws at least one figure"
    text = "".join(o.get("text", "") for o in outputs)
    if path.stem == "05_sensitivity":  # a study, its analysis and its report
        assert "sensitivity.nc" in text and list(work.glob("multirun/*/sensitivity.nc"))
        assert list(work.glob("multirun/*/report.html"))
    elif path.stem != "01_quickstart":  # the others run a sweep and read its sweep.nc
        assert "sweep.nc:" in text and list(work.glob("multirun/*/sweep.nc"))
