"""Freight plans side by side (`optimizer report RUN RUN ... [--scenario NAME]`): compare.html and compare.csv.

The runs are real solves of the tiny instance (tests/conftest.py) with different parameters (`--set`), and a
real batch over it. The differences in compare.csv must be exactly the differences of the runs' summary.json;
runs of different instances, folders that are not freight runs and unknown scenarios are refused (exit 2)
before anything is written; --out never replaces a file the tool did not write.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import TINY_FILES, write_folder
from test_report import assert_self_contained, write_enclave_run

from optimizer.cli import main
from optimizer.report import write_freight_comparison
from optimizer.report.charts import waterfall
from optimizer.report.compare import COLUMNS
from optimizer.report.freight import COST_PARTS, KPIS


def cli(*args: str):
    return CliRunner().invoke(main, [*map(str, args)])


def solve(instance: Path, out: Path, *sets: str, report: bool = False) -> Path:
    args = ["freight", "solve", instance, "--out", out, "-q"] + [a for s in sets for a in ("--set", s)]
    r = cli(*args, "--report" if report else "--no-report")
    assert r.exit_code == 0, r.output
    return out


def summary(run: Path) -> dict:
    return json.loads((run / "summary.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    """``base``: the tiny instance; ``more``: demand × 1.5; ``xian``: Lanzhou hub closed, unserved boxes dear
    (so the plan moves to Xi'an: services and hubs open and close, cities are re-assigned)."""
    root = tmp_path_factory.mktemp("compare")
    tiny = write_folder(root / "tiny", TINY_FILES)
    return {
        "tiny": tiny,
        "base": solve(tiny, root / "base", report=True),
        "more": solve(tiny, root / "more", "demand_scale=1.5"),
        "xian": solve(tiny, root / "xian", "closed_hubs=H_LANZHOU", "unserved_penalty=1000000"),
    }


def rows(df: pd.DataFrame, section: str, run: str) -> pd.DataFrame:
    return df[(df["section"] == section) & (df["run"] == run)].set_index("item")


def assert_differences_match(df: pd.DataFrame, first: dict, other: dict, label: str) -> None:
    """Every KPI and cost component of compare.csv: value, first run's value and difference as in summary.json."""
    kpis = rows(df, "kpi", label)
    checked = 0
    for key, *_ in KPIS:
        a, b = first["kpis"].get(key), other["kpis"].get(key)
        if a is None or b is None:
            continue
        r = kpis.loc[key]
        assert float(r["value"]) == pytest.approx(b, rel=1e-12, abs=1e-9)
        assert float(r["first_run"]) == pytest.approx(a, rel=1e-12, abs=1e-9)
        assert float(r["difference"]) == pytest.approx(b - a, rel=1e-9, abs=1e-6), key
        if a:
            assert float(r["relative_difference"]) == pytest.approx((b - a) / abs(a), rel=1e-9, abs=1e-12)
        checked += 1
    assert checked >= 10
    costs = rows(df, "cost", label)
    for key, _ in COST_PARTS:
        a, b = first["kpis"]["cost_breakdown"][key], other["kpis"]["cost_breakdown"][key]
        assert float(costs.loc[key, "difference"]) == pytest.approx(b - a, rel=1e-9, abs=1e-6), key


# ------------------------------------------------------------------------------------------ two runs


def test_compare_csv_differences_equal_the_summary_differences(runs, tmp_path):
    out = tmp_path / "cmp" / "compare.html"
    r = cli("report", runs["base"], runs["more"], "--out", out, "-q")
    assert r.exit_code == 0, r.output
    csv = out.with_suffix(".csv")
    assert r.output.split() == [str(out), str(csv)]
    df = pd.read_csv(csv)
    assert list(df.columns) == COLUMNS
    assert set(df["run"]) == {"base", "more"}
    assert_differences_match(df, summary(runs["base"]), summary(runs["more"]), "more")
    # the reference's own differences are zero
    assert (pd.to_numeric(rows(df, "kpi", "base")["difference"]) == 0).all()
    # the setting that differs is named
    setting = rows(df, "run", "more").loc["set.demand_scale"]
    assert float(setting["value"]) == 1.5 and setting["change"] == "differs"
    # more boxes: the same services, more trains
    svc = rows(df, "service", "more")
    assert set(svc["change"]) == {"more trains"}
    assert set(rows(df, "assignment", "more")["change"].fillna("")) == {""}

    html = out.read_text(encoding="utf-8")
    assert_self_contained(html)
    assert '<meta name="generator" content="optimizer report">' in html
    for heading in ("Runs", "Key figures", "Cost waterfall", "Map of what changes", "What changes"):
        assert f"<h2>{heading}</h2>" in html
    assert "<th>more − base</th>" in html.replace(' class="num"', "")
    # the first run's report is linked relative to the page, the second has none
    links = re.findall(r'<a href="([^"]+)">report</a>', html)
    assert len(links) == 1 and (out.parent / links[0]).resolve() == (runs["base"] / "report.html").resolve()
    # a waterfall from base to more: start, the components that change, end
    wf = re.search(r'<svg[^>]*aria-label="Cost from base to more">(.*?)</svg>', html, re.S).group(1)
    changed = sum(1 for k, _ in COST_PARTS
                  if abs(summary(runs["more"])["kpis"]["cost_breakdown"][k] - summary(runs["base"])["kpis"]["cost_breakdown"][k]) > 1e-9)
    assert wf.count('class="wf-step"') == changed + 2


def test_the_map_and_tables_show_services_hubs_and_cities_that_change(runs, tmp_path):
    html_path, csv_path = write_freight_comparison([runs["base"], runs["xian"]], out=tmp_path / "x.html")
    assert csv_path == tmp_path / "x.csv"
    df = pd.read_csv(csv_path)
    assert_differences_match(df, summary(runs["base"]), summary(runs["xian"]), "xian")
    svc = rows(df, "service", "xian")["change"].to_dict()
    assert svc == {"LZ-ALA": "closed", "LZ-DUI": "closed", "XIAN-DUI": "opened"}
    assert float(rows(df, "service", "xian").loc["XIAN-DUI", "value"]) == 52
    assert rows(df, "hub", "xian")["change"].to_dict() == {"H_LANZHOU": "closed", "H_XIAN": "opened"}
    moves = rows(df, "assignment", "xian")
    assert moves["change"].to_dict() == {"BAOJI>DUISBURG": "reassigned", "TIANSHUI>ALMATY": "unserved",
                                         "XIAN>DUISBURG": "reassigned"}
    assert moves.loc["BAOJI>DUISBURG", "first_run"] == "H_LANZHOU" and moves.loc["BAOJI>DUISBURG", "value"] == "H_XIAN"
    # the csv's service changes agree with each run's own services.csv
    for run, label in ((runs["base"], "base"), (runs["xian"], "xian")):
        s = pd.read_csv(run / "services.csv")
        s = s[(s["plan"] == "optimised") & s["open"].astype(str).isin(["True", "1"])]
        got = rows(df, "service", label)["value"].astype(float)
        assert {k: v for k, v in got.items() if v > 0} == dict(zip(s["service_id"], s["trains"].astype(float)))

    html = html_path.read_text(encoding="utf-8")
    assert_self_contained(html)
    drawn = "".join(re.findall(r'<g class="plan-change">(.*?)</g>', html, re.S))
    assert re.search(r'class="trunk added" data-ref="service:XIAN-DUI"', drawn)
    assert re.search(r'class="trunk removed" data-ref="service:LZ-DUI"', drawn)
    assert re.search(r'class="trunk removed" data-ref="service:LZ-ALA"', drawn)
    assert re.search(r'class="feeder added" data-ref="feeder:city:BAOJI&gt;hub:H_XIAN"', drawn)
    assert re.search(r'class="feeder removed" data-ref="feeder:city:BAOJI&gt;hub:H_LANZHOU"', drawn)
    assert re.search(r'data-node="hub:H_XIAN"><title>hub Xi&#x27;an: opened, 0 → 1,700 TEU/yr \(base → xian\)', drawn)
    assert re.search(r'data-node="hub:H_LANZHOU"><title>hub Lanzhou hub: closed', drawn)
    assert 'data-node="city:BAOJI"><title>Baoji: boxes go to another hub' in drawn
    changes = html[html.index('<section id="changes">'):]
    assert "<td>opened</td><td>XIAN-DUI</td>" in changes and "<td>closed</td><td>LZ-DUI</td>" in changes
    assert "<td>reassigned</td><td>Baoji</td><td>Duisburg</td><td>Lanzhou hub</td><td>Xi&#x27;an hub</td>" in changes


def test_three_runs_each_against_the_first(runs, tmp_path):
    html, csv = write_freight_comparison([runs["base"], runs["more"], runs["xian"]], out=tmp_path / "three.html")
    df = pd.read_csv(csv)
    assert list(dict.fromkeys(df["run"])) == ["base", "more", "xian"]
    assert_differences_match(df, summary(runs["base"]), summary(runs["more"]), "more")
    assert_differences_match(df, summary(runs["base"]), summary(runs["xian"]), "xian")
    text = html.read_text(encoding="utf-8")
    assert text.count('aria-label="Cost from base to') == 2
    assert "<h3>more against base</h3>" in text and "<h3>xian against base</h3>" in text


def test_default_out_is_compare_html_beside_the_first_run(runs, tmp_path):
    import shutil

    a, b = shutil.copytree(runs["base"], tmp_path / "a"), shutil.copytree(runs["more"], tmp_path / "b")
    r = cli("report", a, b, "-q")
    assert r.exit_code == 0, r.output
    assert (tmp_path / "compare.html").is_file() and (tmp_path / "compare.csv").is_file()
    # the tool's own output is replaced on the next run
    r = cli("report", b, a, "-q")
    assert r.exit_code == 0, r.output
    assert list(dict.fromkeys(pd.read_csv(tmp_path / "compare.csv")["run"])) == ["b", "a"]


# ------------------------------------------------------------------------------------------ refused


@pytest.mark.parametrize("change, message", [
    (lambda files: files.update({"instance.yaml": files["instance.yaml"].replace("name: tiny", "name: other")}),
     "instance 'other', not 'tiny'"),
    (lambda files: files.update({"cities.csv": files["cities.csv"] + "LONGXI,Longxi,Gansu,104.63,35.0\n",
                                 "demand.csv": files["demand.csv"] + "LONGXI,DUISBURG,100,,\n"}),
     "other cities (only here: LONGXI)"),
    (lambda files: files.update({"hubs.csv": files["hubs.csv"].replace("H_LANZHOU", "H_LZ"),
                                 "services.csv": files["services.csv"].replace("H_LANZHOU", "H_LZ")}),
     "other hubs (only here: H_LZ; only in base: H_LANZHOU)"),
])
def test_runs_of_different_instances_are_refused(runs, tmp_path, change, message):
    files = dict(TINY_FILES)
    change(files)
    other = solve(write_folder(tmp_path / "inst", files), tmp_path / "other")
    out = tmp_path / "cmp.html"
    r = cli("report", runs["base"], other, "--out", out)
    assert r.exit_code == 2, r.output
    assert "a run of another instance than base" in r.output and message in r.output, r.output
    assert "Only runs of one instance can be compared" in r.output and "Traceback" not in r.output
    assert not out.exists() and not out.with_suffix(".csv").exists()


def test_folders_that_are_not_freight_runs_are_refused(runs, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    r = cli("report", runs["base"], empty, "--out", tmp_path / "c.html")
    assert r.exit_code == 2 and "not a run folder" in r.output
    enclave = write_enclave_run(tmp_path / "nash", "nash")
    r = cli("report", runs["base"], enclave, "--out", tmp_path / "c.html")
    assert r.exit_code == 2 and "an enclave run, not a freight run" in r.output, r.output
    r = cli("report", runs["base"], runs["base"], "--out", tmp_path / "c.html")
    assert r.exit_code == 2 and "given twice" in r.output
    r = cli("report", runs["base"], runs["more"], "--scenario", "x", "--out", tmp_path / "c.html")
    assert r.exit_code == 2 and "none of these folders is a batch" in r.output
    assert not (tmp_path / "c.html").exists() and not (tmp_path / "c.csv").exists()


def test_out_never_replaces_a_file_the_tool_did_not_write(runs, tmp_path):
    mine = tmp_path / "notes.html"
    mine.write_text("<html>my notes</html>")
    r = cli("report", runs["base"], runs["more"], "--out", mine)
    assert r.exit_code == 2 and "was not written by this tool" in r.output
    assert mine.read_text() == "<html>my notes</html>" and not (tmp_path / "notes.csv").exists()
    # a table of the user's where compare.csv would go
    table = tmp_path / "compare.csv"
    table.write_text("a,b\n1,2\n")
    r = cli("report", runs["base"], runs["more"], "--out", tmp_path / "compare.html")
    assert r.exit_code == 2 and "not a file this tool wrote" in r.output
    assert table.read_text() == "a,b\n1,2\n" and not (tmp_path / "compare.html").exists()
    r = cli("report", runs["base"], runs["more"], "--out", tmp_path / "x.csv")
    assert r.exit_code == 2 and "give the page's name" in r.output
    r = cli("report", runs["base"], runs["more"], "--out", tmp_path)
    assert r.exit_code == 2 and "is a folder" in r.output


def test_written_into_a_run_folder_it_becomes_part_of_that_folder(runs, tmp_path):
    """compare.html inside a run folder is registered in its marker, so the run can still be replaced."""
    import shutil

    a = shutil.copytree(runs["base"], tmp_path / "a")
    r = cli("report", a, runs["more"], "--out", a / "vs-more.html", "-q")
    assert r.exit_code == 0, r.output
    marker = json.loads((a / ".optimizer-run").read_text(encoding="utf-8"))
    assert {"vs-more.html", "vs-more.csv"} <= set(marker["files"])
    solve(runs["tiny"], a)  # replacing the run folder is not refused for files it does not know


# ------------------------------------------------------------------------------------------ batch


@pytest.fixture(scope="module")
def batch(runs, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("batch")
    spec = root / "sweep.yaml"
    spec.write_text(f"model: freight\nbase: {runs['tiny']}\noptions: {{time_limit: 30}}\n"
                    "scenarios:\n  - name: xian\n    set: {closed_hubs: [H_LANZHOU], unserved_penalty: 1000000}\n"
                    "sweep: {demand_scale: [1.0, 1.5]}\n", encoding="utf-8")
    out = root / "out"
    r = cli("batch", spec, "--out", out, "--workers", "1", "-q", "--no-report")
    assert r.exit_code == 0, r.output
    return out


def test_batch_scenarios_side_by_side(batch, tmp_path):
    out = tmp_path / "b.html"
    r = cli("report", batch, "--scenario", "demand_scale=1", "--scenario", "DEMAND_SCALE=1.5", "--scenario", "xian",
            "--out", out, "-q")
    assert r.exit_code == 0, r.output
    df = pd.read_csv(out.with_suffix(".csv"))
    assert list(dict.fromkeys(df["run"])) == ["demand_scale=1", "demand_scale=1.5", "xian"]
    first = summary(batch / "runs" / "demand_scale=1")
    assert_differences_match(df, first, summary(batch / "runs" / "demand_scale=1.5"), "demand_scale=1.5")
    assert_differences_match(df, first, summary(batch / "runs" / "xian"), "xian")
    assert rows(df, "hub", "xian")["change"].to_dict() == {"H_LANZHOU": "closed", "H_XIAN": "opened"}
    source = rows(df, "run", "xian").loc["source", "value"]
    assert source == f"{batch}, scenario xian"
    html = out.read_text(encoding="utf-8")
    assert_self_contained(html)
    assert "xian against demand_scale=1" in html


def test_batch_scenarios_mixed_with_a_run_folder(batch, runs, tmp_path):
    html, csv = write_freight_comparison([runs["base"], batch], ["demand_scale=1.5"], tmp_path / "m.html")
    df = pd.read_csv(csv)
    assert list(dict.fromkeys(df["run"])) == ["base", "demand_scale=1.5"]
    # the batch's scenario at demand 1.5 against a plain solve at 1.0: the same as `more` against `base`
    assert_differences_match(df, summary(runs["base"]), summary(runs["more"]), "demand_scale=1.5")


def test_a_missing_scenario_name_lists_the_valid_ones(batch, tmp_path):
    r = cli("report", batch, "--scenario", "demand_scale=1", "--scenario", "nowhere", "--out", tmp_path / "c.html")
    assert r.exit_code == 2, r.output
    assert "no scenario named 'nowhere'; its scenarios: xian, demand_scale=1, demand_scale=1.5" in r.output
    r = cli("report", batch, batch / "runs" / "xian", "--out", tmp_path / "c.html")
    assert r.exit_code == 2 and "pick the scenarios to compare with --scenario NAME" in r.output
    assert "its scenarios: xian, demand_scale=1, demand_scale=1.5" in r.output
    r = cli("report", batch, "--scenario", "xian", "--out", tmp_path / "c.html")
    assert r.exit_code == 2 and "only one freight run to compare" in r.output
    assert not (tmp_path / "c.html").exists()


def test_a_scenario_without_a_plan_is_refused(batch, tmp_path):
    import shutil

    copy = shutil.copytree(batch, tmp_path / "copy")
    df = pd.read_csv(copy / "summary.csv")
    df.loc[df["scenario"] == "xian", ["status", "has_plan"]] = ["infeasible", False]
    df.to_csv(copy / "summary.csv", index=False)
    r = cli("report", copy, "--scenario", "demand_scale=1", "--scenario", "xian", "--out", tmp_path / "c.html")
    assert r.exit_code == 2 and "scenario 'xian' has no plan (status: infeasible)" in r.output, r.output


# ------------------------------------------------------------------------------------------ charts, browser


def test_waterfall_bars_add_up():
    svg = waterfall(("A", 100.0), [("x", 20.0), ("same", 0.0), ("y", -50.0)], ("B", 70.0), lambda v: f"{v:g}")
    rects = re.findall(r'<rect class="wf-step" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"', svg)
    assert len(rects) == 4  # the unchanged component is left out
    (x0, w0), (x1, w1), (x2, w2), (x3, w3) = [(float(x), float(w)) for x, w in rects]
    scale = w0 / 100.0
    assert x1 == pytest.approx(x0 + w0, abs=0.15) and w1 == pytest.approx(20 * scale, abs=0.15)
    assert x2 + w2 == pytest.approx(x1 + w1, abs=0.15) and w2 == pytest.approx(50 * scale, abs=0.15)
    assert x3 == pytest.approx(x0) and w3 == pytest.approx(70 * scale, abs=0.15) and math.isclose(x2, x3 + w3, abs_tol=0.15)
    assert ">+20<" in svg and ">-50<" in svg


def test_compare_page_in_headless_chromium(runs, tmp_path):
    """compare.html in headless Chromium, with the existing browser helper: it renders, its script runs to the
    end, and nothing is logged or fetched (skipped, like the other browser tests, without Chromium)."""
    from test_report_browser import CHROMIUM, console_messages, run_chromium

    if CHROMIUM is None:
        pytest.skip("headless Chromium not found (Debian: apt-get install chromium; .ci/run installs it on CI)")
    html, _ = write_freight_comparison([runs["base"], runs["xian"]], out=tmp_path / "compare.html")
    p = run_chromium(tmp_path, html, "--dump-dom")
    assert p.returncode == 0, p.stderr[-2000:]
    assert console_messages(p.stderr) == []
    assert 'data-ready="1"' in p.stdout
    assert "<h1>Freight plans side by side – tiny</h1>" in p.stdout
    assert 'data-ref="service:XIAN-DUI"' in p.stdout
