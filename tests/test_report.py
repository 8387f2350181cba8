"""`fowsim report`: a self-contained HTML report of a run or a sweep, checked for its content."""

from __future__ import annotations

import base64
import html
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import matplotlib.image
import numpy as np
import pytest
import xarray as xr

from fowsim.report.data import INDICATORS
from tests.conftest import fowsim_main

ROOT = Path(__file__).parents[1]
SECTIONS = ("summary", "headline", "groups", "charts", "assumptions", "appendix")


# `fowsim ...` in this process (`fowsim_main`)
fowsim = fowsim_main


@pytest.fixture(scope="session")  # once, on the worker of the "report" group
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


@pytest.mark.xdist_group("report")
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


@pytest.mark.xdist_group("report")
def test_the_first_page_says_which_runs_failed(sweep_report):
    _, page = sweep_report
    first = page.split("<h2 ")[0]
    assert "id='incomplete'" in first and "2 run(s) did not finish" in first
    assert "deliberate crash of the run with seed 1" in first


@pytest.mark.xdist_group("report")
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


@pytest.mark.xdist_group("report")
def test_the_outcomes_of_women_men_and_youth_are_the_datasets(sweep_report):
    out, page = sweep_report
    groups = section(page, "groups")
    assert "<details><summary><b>recognition</b>" in groups  # the other arm folds away, the baseline is open
    ds = xr.open_dataset(out / "sweep.nc").sel(seed=[0, 2], policy="baseline")  # seed 1 failed
    late = ds.isel(time=slice(-12, None)).sum("time").sel(region="north_africa")
    women = 100 * late.unemployed_female / late.labour_force_female
    men = 100 * (late.unemployed - late.unemployed_female) / (late.labour_force - late.labour_force_female)
    rows = {
        m.group(1): m.group(2) for m in re.finditer(r"<tr><td>([^<]+)</td>(.*?)</tr>", groups.split("<details>")[0])
    }
    cells = [re.findall(r"<td>([^<]+)</td>", rows[f"north_africa: {g}"]) for g in ("women", "men")]
    assert float(cells[0][1]) == pytest.approx(float(women.mean()), abs=0.051)  # the unemployment rate, column 2
    assert float(cells[1][1]) == pytest.approx(float(men.mean()), abs=0.051)
    assert float(cells[0][0]) + float(cells[1][0]) == pytest.approx(100, abs=0.11)  # shares of the labour force


@pytest.mark.xdist_group("report")
def test_the_summary_is_written_from_the_numbers_without_placeholders(sweep_report):
    _, page = sweep_report
    summary = section(page, "summary")
    assert "recognition" in summary and "seed" in summary
    assert "it most" in summary or "beyond the noise" in summary
    text = re.sub(r"<[^>]+>", " ", page).lower()
    for word in ("todo", "lorem", "placeholder", "xxx", "tbd", " nan "):
        assert word not in text


@pytest.mark.xdist_group("report")
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


@pytest.mark.xdist_group("report")
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


@pytest.mark.xdist_group("report")
def test_the_printed_report_keeps_every_column_of_the_headline_table(sweep_report, tmp_path):
    """Printed to PDF in headless Chromium and turned into images: every column is there, nothing is cut."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    tools = [shutil.which(t) for t in ("pdftotext", "pdftoppm")]
    if browser is None or None in tools:
        pytest.skip("needs chromium and poppler's pdftotext and pdftoppm (.ci/run installs them where missing)")
    out, page = sweep_report
    pdf = tmp_path / "report.pdf"
    p = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                        f"--print-to-pdf={pdf}", (out / "report.html").as_uri()], capture_output=True, text=True,
                       timeout=180)  # fmt: skip
    assert p.returncode == 0 and pdf.stat().st_size > 10_000, p.stderr
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, timeout=60).stdout
    words = " ".join(text.split())
    headline = section(page, "headline")
    columns = re.findall(r"<th>([^<]+)<br>", headline)
    assert len(columns) == len(INDICATORS) + 1  # the indicators and the cost per person-year
    for label in columns:  # each column's heading is printed (a word of it at least: headings wrap)
        longest = max(html.unescape(label).replace("-", " ").split(), key=len)
        assert longest in words, (label, longest)
    # and each column's baseline figure, the last column's included
    means = re.findall(r"data-arm='baseline' data-mean='([^']+)'", headline)
    assert len(means) == len(columns)
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")], check=True, timeout=120)
    images = sorted(tmp_path.glob("page-*.png"))
    assert images
    for image in images:  # nothing runs off the page: the right margin stays white on every page
        img = matplotlib.image.imread(image)
        margin = img[:, -int(img.shape[1] * 0.012) :, :3]
        assert margin.min() > 0.9, image.name


@pytest.mark.xdist_group("report")
def test_a_report_has_a_table_of_contents_and_calendar_months(sweep_report):
    _, page = sweep_report
    nav = page.split("<nav id='contents'>")[1].split("</nav>")[0]
    for name in (*SECTIONS, "participants"):
        assert f"href='#{name}'" in nav
    assumptions = section(page, "assumptions")
    assert "January 2020" in assumptions and "month 12" not in assumptions  # the shock starts in a calendar month
    assert "@media print" in page and "landscape" in page


def test_with_many_arms_the_charts_are_small_multiples_with_the_baseline_in_each(tmp_path):
    from fowsim import LabourMarketModel
    from fowsim.io import write_dataset
    from fowsim.report import figures as fg
    from fowsim.report.data import BASELINE, load
    from tests.conftest import small

    run = LabourMarketModel(small(workers=2000, months=14)).run().results()
    arms = [BASELINE, *[f"arm_{i}" for i in range(9)]]
    one = xr.concat([run, run], "seed").assign_coords(seed=[0, 1])
    ds = xr.concat([one] * len(arms), "policy").assign_coords(policy=arms).transpose("policy", "seed", ...)
    ds["run_status"] = (("policy", "seed"), np.zeros((len(arms), 2), dtype=np.int8))
    ds["run_config"] = (("policy", "seed"), np.full((len(arms), 2), run.attrs["config"], dtype=object))
    ds.attrs["swept_keys"] = json.dumps(["policy", "seed"])
    for key in ("config", "policy_accounts"):
        ds.attrs.pop(key, None)
    src = load(write_dataset(ds, tmp_path / "many.nc"))
    for fig in (fg.rates_over_time(src, {}, "unemployment_rate", "unemployment rate, %"), fg.beveridge(src, {})):
        panels = [ax for ax in fig.axes if ax.get_visible()]
        assert len(panels) == len(arms) - 1  # one per policy
        for ax in panels:
            colours = [line.get_color() for line in ax.get_lines()]
            assert "#000000" in colours and len(set(colours)) == 2  # the baseline, black, and the arm
