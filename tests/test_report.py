"""`fowsim report`: a self-contained HTML report of a run or a sweep, checked for its content."""

from __future__ import annotations

import base64
import html
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import matplotlib.image
import numpy as np
import pytest
import xarray as xr

from fowsim.report.data import INDICATORS

ROOT = Path(__file__).parents[1]
SECTIONS = ("summary", "headline", "charts", "assumptions", "appendix")


def fowsim(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "fowsim", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600, env=env)  # fmt: skip


@pytest.fixture(scope="module")
def sweep_report(tmp_path_factory):
    """A small sweep, with the runs of seed 1 crashing, and its report."""
    tmp = tmp_path_factory.mktemp("report")
    out = tmp / "sweep<&>"
    p = fowsim("sweep", "policy=baseline,recognition", "seed=range(3)", "shock=rapid", "workers=3000", "months=30",
               "rules={_target_:tests.crashing_rules.CrashOnSeedOne}", f"hydra.sweep.dir={out}", cwd=tmp)  # fmt: skip
    assert p.returncode == 1  # seed 1 fails in both arms
    r = fowsim("report", str(out), cwd=tmp)
    assert r.returncode == 0, r.stderr
    return out, (out / "report.html").read_text()


def figures(page: str) -> list[bytes]:
    return [base64.b64decode(m) for m in re.findall(r"src='data:image/png;base64,([^']+)'", page)]


def section(page: str, name: str) -> str:
    return page.split(f"id='{name}'>")[1].split("<h2 ")[0]


def test_a_sweep_report_has_every_section_and_every_figure_embedded_and_decodable(sweep_report):
    out, page = sweep_report
    for name in SECTIONS:
        assert f"<h2 id='{name}'>" in page
    pngs = figures(page)
    assert len(pngs) >= 9  # every chart, the cost-effectiveness one included (there is a baseline)
    for data in pngs:
        assert data.startswith(b"\x89PNG") and matplotlib.image.imread(io.BytesIO(data)).shape[0] > 100
    assets = out / "report_figures"
    assert len(list(assets.glob("*.png"))) == len(pngs) == len(list(assets.glob("*.svg")))
    assert "http://" not in page and "https://" not in page  # nothing to fetch


def test_the_first_page_says_which_runs_failed(sweep_report):
    _, page = sweep_report
    first = page.split("<h2 ")[0]
    assert "id='incomplete'" in first and "2 run(s) did not finish" in first
    assert "deliberate crash of the run with seed 1" in first


def test_the_table_holds_the_numbers_of_the_dataset(sweep_report):
    out, page = sweep_report
    ds = xr.open_dataset(out / "sweep.nc")
    done = ds.sel(seed=[0, 2])  # seed 1 failed
    late = done.isel(time=slice(-12, None))
    u = 100 * late.unemployed.sum(["time", "region"]) / late.labour_force.sum(["time", "region"])
    for arm in ("baseline", "recognition"):
        cell = re.search(rf"data-indicator='unemployment_rate' data-arm='{arm}' data-mean='([^']+)'", page)
        assert float(cell.group(1)) == pytest.approx(float(u.sel(policy=arm).mean()), rel=1e-9)
    spend = (done.public_spending + done.employer_spending + done.private_spending).sum(["time", "region"]) / 1e6
    cell = re.search(r"data-indicator='spending' data-arm='recognition' data-mean='([^']+)'", page)
    assert float(cell.group(1)) == pytest.approx(float(spend.sel(policy="recognition").mean()), rel=1e-9)
    for ind in INDICATORS:
        assert html.escape(ind.label) in section(page, "headline")


def test_the_summary_is_written_from_the_numbers_without_placeholders(sweep_report):
    _, page = sweep_report
    summary = section(page, "summary")
    assert "recognition" in summary and "seed" in summary
    assert "it most" in summary or "beyond the noise" in summary
    text = re.sub(r"<[^>]+>", " ", page).lower()
    for word in ("todo", "lorem", "placeholder", "xxx", "tbd", " nan "):
        assert word not in text


def test_names_and_config_strings_are_escaped(sweep_report):
    _, page = sweep_report
    assert "sweep<&>" not in page and "sweep&lt;&amp;&gt;" in page
    appendix = section(page, "appendix")
    assert "CrashOnSeedOne" in appendix and '"seed"' not in appendix and "&quot;seed&quot;" in appendix


def test_a_single_run_report(tmp_path):
    run = tmp_path / "run"
    p = fowsim("run", "workers=3000", "months=24", "shock=gradual", "policy=[reskilling]", f"hydra.run.dir={run}",
               cwd=tmp_path)  # fmt: skip
    assert p.returncode == 0, p.stderr
    r = fowsim("report", str(run), "-o", str(tmp_path / "one.html"), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    page = (tmp_path / "one.html").read_text()
    for name in SECTIONS:
        assert f"<h2 id='{name}'>" in page
    assert "a single run" in page and "reskilling" in section(page, "assumptions")
    assert "Sources for the default world" in section(page, "assumptions")  # the world's data sources
    assert "id='incomplete'" not in page
    assert len(figures(page)) >= 7


def test_report_of_nothing_fails_in_one_line(tmp_path):
    p = fowsim("report", str(tmp_path), cwd=tmp_path)
    assert p.returncode == 2 and p.stderr.count("\n") == 1 and "neither sweep.nc nor results.nc" in p.stderr


def test_the_report_opens_in_a_headless_browser(sweep_report, tmp_path):
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("no chromium here (.ci/run installs Debian's chromium where it is missing)")
    out, _ = sweep_report
    args = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--window-size=1280,1600"]
    shot = tmp_path / "first_screen.png"
    p = subprocess.run([*args, f"--screenshot={shot}", (out / "report.html").as_uri()], capture_output=True,
                       text=True, timeout=120)  # fmt: skip
    assert p.returncode == 0, p.stderr
    assert shot.stat().st_size > 20_000 and matplotlib.image.imread(shot).shape[:2] == (1600, 1280)
    dom = subprocess.run([*args, "--dump-dom", (out / "report.html").as_uri()], capture_output=True, text=True,
                         timeout=120)  # fmt: skip
    assert dom.returncode == 0 and "Executive summary" in dom.stdout
    img = matplotlib.image.imread(shot)
    assert np.std(img) > 0.01  # not a blank page
    print(f"screenshot of the report's first screen: {shot}", json.dumps({"bytes": shot.stat().st_size}))
