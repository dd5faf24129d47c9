"""Reports: freight, enclave, batch and comparison pages checked for content, self-containment and the PNG map.

The fixture run folders are written here by hand, following the run-folder contract (summary.json + tidy CSVs
with a ``plan`` column); the enclave runs are solved for real on a two-party, one-year case whose result is
computed by hand below. The bundled landbridge run is used once `freight solve` exists.
"""

from __future__ import annotations

import json
import re
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from optimizer.cli import main
from optimizer.errors import InputError
from optimizer.report import detect_kind, write_comparison, write_report
from optimizer.report.basemap import load_basemap
from optimizer.report.charts import _axis
from optimizer.report.fmt import NBSP, Unit, change, compact, number, percent
from optimizer.report.freight import KPIS
from optimizer.report.netmap import Projection
from optimizer.results import RunFolder

REPO = Path(__file__).resolve().parents[1]

# ------------------------------------------------------------------------------------------ fixtures

NODES = [
    ("XIAN", "city", "Xi'an", "西安", 108.94, 34.34),
    ("BAOJI", "city", "Baoji", "宝鸡", 107.24, 34.36),
    ("LANZHOU", "city", "Lanzhou", "兰州", 103.83, 36.06),
    ("H_XIAN", "hub", "Xi'an hub", "西安集结中心", 108.94, 34.34),
    ("H_LZ", "hub", "Lanzhou hub", "", 103.83, 36.06),
    ("ALA", "gateway", "Alashankou", "阿拉山口", 82.57, 45.17),
    ("DUIS", "destination", "Duisburg", "杜伊斯堡", 6.76, 51.43),
    ("MOS", "destination", "Moscow", "莫斯科", 37.62, 55.75),
]

# (plan, service, hub, destination, trains, load factor); all through ALA, 82 TEU per train
SERVICES = [
    ("baseline", "S1", "H_XIAN", "DUIS", 100, 0.5),
    ("baseline", "S2", "H_LZ", "DUIS", 60, 0.4),
    ("baseline", "S3", "H_LZ", "MOS", 40, 0.6),
    ("optimised", "S1", "H_XIAN", "DUIS", 110, 0.9),
    ("optimised", "S4", "H_XIAN", "MOS", 30, 0.85),
]

# (plan, city, hub, destination, teu)
FLOWS = [
    ("baseline", "XIAN", "H_XIAN", "DUIS", 3000), ("baseline", "BAOJI", "H_XIAN", "DUIS", 1100),
    ("baseline", "LANZHOU", "H_LZ", "DUIS", 1968), ("baseline", "LANZHOU", "H_LZ", "MOS", 1968),
    ("optimised", "XIAN", "H_XIAN", "DUIS", 3000), ("optimised", "BAOJI", "H_XIAN", "DUIS", 1100),
    ("optimised", "LANZHOU", "H_XIAN", "DUIS", 3900), ("optimised", "LANZHOU", "H_XIAN", "MOS", 2091),
]


def _kpis(total, trains, avg_lf, min_lf, services, hubs, unserved):
    return {
        "total_cost": total, "cost_per_teu": total / 10000, "served_teu": 10000 - unserved, "unserved_teu": unserved,
        "trains": trains, "train_km": trains * 10000.0, "avg_load_factor": avg_lf, "min_load_factor": min_lf,
        "services_open": services, "hubs_open": hubs, "destinations_multi_hub": 1 if hubs > 1 else 0,
        "co2_t": trains * 90.0,
        "cost_breakdown": {"feeder": 0.1 * total, "handling": 0.1 * total, "trains": 0.7 * total,
                           "service_fixed": 0.05 * total, "hub_fixed": 0.05 * total, "unserved_penalty": 0.0},
        "hub_utilisation": {},
    }


def write_freight_run(path: Path) -> Path:
    """A status quo with two hubs and three services, and an optimised plan on one hub with two services.

    Status quo: 2.00 bn CNY, 200 trains, average load factor 50 %; optimised: 1.50 bn, 140 trains, 88 %.
    So the story reads: cost −25.0 %, trains −60, load factor 50 % → 88 %.
    """
    path.mkdir(parents=True)
    pd.DataFrame(NODES, columns=["id", "kind", "name", "name_zh", "lon", "lat"]).to_csv(path / "nodes.csv", index=False)
    pd.DataFrame([
        {"plan": p, "service_id": s, "hub_id": h, "destination_id": d, "gateway_id": "ALA", "open": True, "trains": n,
         "capacity_teu": 82 * n, "teu_west": lf * 82 * n, "teu_east": 0.0, "load_factor": lf, "train_km": n * 10000.0,
         "train_cost": n * 2.0e6, "fixed_cost": 5e6}
        for p, s, h, d, n, lf in SERVICES
    ] + [{"plan": "optimised", "service_id": "S2", "hub_id": "H_LZ", "destination_id": "DUIS", "gateway_id": "ALA",
          "open": False, "trains": 0, "capacity_teu": 0, "teu_west": 0, "teu_east": 0, "load_factor": None,
          "train_km": 0, "train_cost": 0, "fixed_cost": 0}]).to_csv(path / "services.csv", index=False)
    pd.DataFrame([
        {"plan": p, "city_id": c, "hub_id": h, "service_id": "", "destination_id": d, "gateway_id": "ALA",
         "direction": "west", "teu": t, "feeder_cost": 0.0, "handling_cost": 0.0} for p, c, h, d, t in FLOWS
    ]).to_csv(path / "flows.csv", index=False)
    pd.DataFrame([
        {"plan": "baseline", "hub_id": "H_XIAN", "open": True, "throughput_teu": 4100, "capacity_teu": 10000, "utilisation": 0.41},
        {"plan": "baseline", "hub_id": "H_LZ", "open": True, "throughput_teu": 3936, "capacity_teu": 8000, "utilisation": 0.492},
        {"plan": "optimised", "hub_id": "H_XIAN", "open": True, "throughput_teu": 10091, "capacity_teu": 10000, "utilisation": 1.0091},
        {"plan": "optimised", "hub_id": "H_LZ", "open": False, "throughput_teu": 0, "capacity_teu": 8000, "utilisation": 0.0},
    ]).to_csv(path / "hubs.csv", index=False)
    pd.DataFrame([{"plan": "baseline", "origin": "BAOJI", "destination": "MOS", "direction": "west", "teu": 120.0}]).to_csv(
        path / "unserved.csv", index=False)
    summary = {
        "instance": "tiny-corridor", "status": "optimal", "objective": 1.5e9, "best_bound": 1.4999e9, "mip_gap": 0.0001,
        "build_seconds": 0.1, "solve_seconds": 0.2, "overrides": {"demand_scale": 1.0}, "sizes": {"variables": 40},
        "kpis": _kpis(1.5e9, 140, 0.88, 0.85, 2, 1, 0),
        "baseline": {"status": "optimal", "objective": 2.0e9, "kpis": _kpis(2.0e9, 200, 0.5, 0.4, 3, 2, 120)},
        "changes": {"services_closed": ["S2", "S3"], "services_opened": ["S4"],
                    "cities_reassigned": [{"city_id": "LANZHOU", "destination_id": "DUIS", "from_hub": "H_LZ", "to_hub": "H_XIAN"},
                                          {"city_id": "LANZHOU", "destination_id": "MOS", "from_hub": "H_LZ", "to_hub": "H_XIAN"}]},
    }
    (path / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    return path


# Two parties, one year, discount rate 0, revenue 100, disagreement points 10 and 20, contributions 75:25.
# NPV = share × 100. Nash splits the surplus 100 − 30 = 70 equally: origin 10 + 35 = 45, host 20 + 35 = 55.
# Proportional follows contributions: origin 75, host 25 (both above their disagreement points).
CASE = {
    "name": "two-party", "units": "million CNY", "start_year": 2025, "discount_rate": 0.0,
    "parties": [{"id": "origin", "role": "originating", "contributions": {"capital": 75}, "disagreement": 10},
                {"id": "host", "role": "receiving", "contributions": {"land": 25}, "disagreement": 20}],
    "revenues": {"tax": [100]},
}


def write_enclave_run(path: Path, rule: str) -> Path:
    from optimizer.sharing.case import case_from_dict
    from optimizer.sharing.enclave import solve_case

    result = solve_case(case_from_dict(CASE), rule)
    with RunFolder(path, "enclave") as run:
        run.write_json("summary.json", result.summary())
        run.write_table("shares", result.shares_table())
    return path


def write_batch(path: Path) -> Path:
    """A 3 × 2 sweep of demand_scale × max_hubs_per_destination; one scenario infeasible."""
    path.mkdir(parents=True)
    rows, scenarios = [], []
    for ds in (0.8, 1.0, 1.2):
        for k in (1, 2):
            name = f"demand_scale={ds}-max_hubs_per_destination={k}"
            ok = not (ds == 1.2 and k == 1)
            cost = 1e9 * ds * (1 + 0.1 / k) if ok else None
            rows.append({"scenario": name, "demand_scale": ds, "max_hubs_per_destination": k,
                         "status": "optimal" if ok else "infeasible", "has_plan": ok, "objective": cost,
                         "mip_gap": 0.0 if ok else None, "best_bound": cost, "seconds": 1.5, "started": False,
                         "reason": "" if ok else "gateway ALA over capacity",
                         "kpis.total_cost": cost, "kpis.trains": 1000 * ds if ok else None,
                         "kpis.avg_load_factor": 0.8 + 0.05 * k if ok else None})
            scenarios.append({"name": name, "set": {"demand_scale": ds, "max_hubs_per_destination": k}})
    pd.DataFrame(rows).to_csv(path / "summary.csv", index=False)
    (path / "batch.json").write_text(json.dumps({"model": "freight", "scenarios": scenarios}), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def freight_report(tmp_path_factory):
    run = write_freight_run(tmp_path_factory.mktemp("freight") / "run")
    return run, write_report(run).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def enclave_runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("enclave")
    return {rule: write_enclave_run(root / rule, rule) for rule in ("nash", "proportional")}


# ------------------------------------------------------------------------------------------ helpers

EXTERNAL = re.compile(r"""(?:\b(?:src|href|xlink:href|action)\s*=\s*["']?\s*(?:[a-z]+:)?//)|(?:url\(\s*["']?\s*(?:[a-z]+:)?//)"""
                      r"""|@import|https?:""", re.I)


def assert_self_contained(html: str) -> None:
    """No external reference of any kind: no scheme-relative or absolute URL in src/href/url(), no http(s):."""
    assert not EXTERNAL.search(html), EXTERNAL.search(html).group(0)
    assert "<link" not in html.lower()
    assert not re.search(r"<script[^>]+src", html, re.I)


def plan_group(html: str, plan: str) -> str:
    """Everything drawn in one plan's layers (all views)."""
    return "".join(re.findall(rf'<g class="plan-{plan}">(.*?)</g>', html, re.S))


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def squash(text: str) -> str:
    return text.replace(NBSP, " ")


# ------------------------------------------------------------------------------------------ formatting


def test_numbers_units_and_changes():
    assert number(1234.6) == "1,235"
    assert number(12.345) == "12.3"
    assert number(-0.2, 0) == "0"
    assert compact(4.1e9) == f"4.10{NBSP}bn"
    assert compact(-9e8) == f"−900{NBSP}m"
    assert compact(45_600_000) == f"45.6{NBSP}m"
    assert percent(0.734) == f"73.4{NBSP}%"
    assert change(200, 140, Unit("trains/yr", "count")) == (f"−60 (−30.0{NBSP}%)", -60.0)
    text, diff = change(0.5, 0.88, Unit("%", "fraction"))
    assert text == f"+38.0{NBSP}pp" and diff == pytest.approx(0.38)
    assert change(None, 1, Unit("x")) == ("–", None)


def test_axis_ticks_are_round_and_cover_the_data():
    assert _axis(1.255, n=4) == pytest.approx([0, 0.5, 1.0, 1.5])
    assert _axis(5.04e9, 3.31e9, n=4)[0] <= 3.31e9 and _axis(5.04e9, 3.31e9, n=4)[-1] >= 5.04e9


# ------------------------------------------------------------------------------------------ basemap and map


def test_basemap_is_read_from_the_installed_package_in_lon_lat_order():
    from matplotlib.path import Path as MplPath

    bm = load_basemap((-10.0, 35.0, 125.0, 60.0))
    assert bm.land and bm.borders

    def inside(shapes, lon, lat):
        return any(MplPath(s.lonlat).contains_point((lon, lat)) for s in shapes)

    assert inside(bm.land, 2.35, 48.85)  # Paris
    assert inside(bm.land, 108.94, 34.34)  # Xi'an
    assert not inside(bm.land, -20.0, 45.0)  # the Atlantic
    assert inside(bm.lakes, 51.0, 42.0) and not inside(bm.lakes, 2.35, 48.85)  # the Caspian Sea is a lake


def test_projection_maps_the_box_corners_to_the_canvas_corners():
    proj = Projection((0.0, 30.0, 120.0, 60.0), 1200.0)
    x, y = proj(np.array([0.0, 120.0]), np.array([60.0, 30.0]))
    assert x.tolist() == pytest.approx([0.0, 1200.0]) and y.tolist() == pytest.approx([0.0, proj.height])
    assert proj.height == pytest.approx(30 * 1200 / (120 * np.cos(np.radians(45))))


# ------------------------------------------------------------------------------------------ freight


def test_freight_report_tells_the_story_and_has_every_kpi(freight_report):
    _, html = freight_report
    story = squash(re.search(r'<p class="story">(.*?)</p>', html, re.S).group(1))
    assert "−25.0 %" in story and "2.00 bn → 1.50 bn" in story
    assert "−60" in story and "200 → 140" in story
    assert "50 % → 88 %" in story
    assert "2 services closed" in story and "2 city–destination flows" in story
    page = squash(html)
    for label, old, new, delta in [
        ("Total cost", "2.00 bn", "1.50 bn", "−500 m (−25.0 %)"),
        ("Trains", "200", "140", "−60 (−30.0 %)"),
        ("Average load factor", "50.0 %", "88.0 %", "+38.0 pp"),
        ("Freight unserved", "120", "0", "−120 (−100.0 %)"),
        ("Services run", "3", "2", "−1 (−33.3 %)"),
        ("Destinations served from more than one hub", "1", "0", "−1 (−100.0 %)"),
        ("CO₂ emitted", "18,000", "12,600", "−5,400 (−30.0 %)"),
    ]:
        row = re.search(rf"<tr><td>{re.escape(label)}</td>(.*?)</tr>", page).group(1)
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
        assert cells[1:] == [old, new, delta], (label, cells)
    assert re.search(r'class="good[^"]*">−500 m', page)  # lower cost is good


def test_freight_map_draws_every_hub_and_every_open_service_per_plan(freight_report):
    _, html = freight_report
    base, opt = plan_group(html, "baseline"), plan_group(html, "optimised")
    for sid in ("S1", "S2", "S3"):
        assert f'data-ref="service:{sid}"' in base
    for sid in ("S1", "S4"):
        assert f'data-ref="service:{sid}"' in opt
    assert 'data-ref="service:S2"' not in opt and 'data-ref="service:S4"' not in base
    for hub in ("H_XIAN", "H_LZ"):
        assert f'data-node="hub:{hub}"' in base and f'data-node="hub:{hub}"' in opt
    assert "hub Lanzhou 兰州: closed" in opt  # the hub on Lanzhou city, labelled with the city's name
    for node in ("gateway:ALA", "destination:DUIS", "destination:MOS", "city:BAOJI"):
        assert f'data-node="{node}"' in html
    assert 'data-ref="feeder:city:LANZHOU&gt;hub:H_XIAN"' in opt
    assert html.count('class="basemap"') == 2  # corridor and feeder-region views
    assert html.count('class="land"') > 10
    assert "西安" in html and "阿拉山口" in html and "莫斯科" in html


def test_freight_report_sections(freight_report):
    _, html = freight_report
    page = squash(html)
    assert "Services closed (2)" in page and "Services opened (1)" in page
    assert "Cities re-assigned to another hub (2)" in page
    assert "Unserved demand" in page and "Baoji 宝鸡" in page
    assert "Hub utilisation" in page and "100.9 %" in page
    assert "Feeder legs" in page and "Unserved penalty" not in page  # zero in both plans
    assert page.count("Load factor per service, ") == 2
    assert '<button type="button" data-plan="optimised" class=on>' in html


def test_freight_report_is_self_contained_and_writes_the_png(freight_report):
    run, html = freight_report
    assert_self_contained(html)
    w, h = png_size(run / "map.png")
    assert w > 1000 and h > 400


def test_freight_report_without_status_quo(tmp_path):
    run = write_freight_run(tmp_path / "run")
    summary = json.loads((run / "summary.json").read_text())
    del summary["baseline"], summary["changes"]
    (run / "summary.json").write_text(json.dumps(summary))
    for name in ("services.csv", "flows.csv", "hubs.csv"):
        df = pd.read_csv(run / name)
        df[df["plan"] == "optimised"].to_csv(run / name, index=False)
    html = write_report(run).read_text()
    assert "Status quo" not in html and 'class="plan-baseline"' not in html
    assert 'data-ref="service:S4"' in html
    assert "No status quo in this instance" in html


def test_the_bundled_landbridge_run(tmp_path):
    """`freight solve instances/landbridge` writes its report: every open hub and service is drawn."""
    out = tmp_path / "landbridge"
    result = CliRunner().invoke(main, ["freight", "solve", str(REPO / "instances" / "landbridge"), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    html = (out / "report.html").read_text(encoding="utf-8")
    assert_self_contained(html)
    services, hubs = pd.read_csv(out / "services.csv"), pd.read_csv(out / "hubs.csv")
    for plan in ("baseline", "optimised"):
        drawn = plan_group(html, plan)
        for sid in services[(services["plan"] == plan) & services["open"].astype(str).isin(["True", "1"])]["service_id"]:
            assert f'data-ref="service:{sid}"' in drawn, (plan, sid)
        for hub in hubs[hubs["plan"] == plan]["hub_id"]:
            assert f'data-node="hub:{hub}"' in drawn, (plan, hub)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    page = squash(html)
    for key, label, unit, _ in KPIS:
        if summary["kpis"].get(key) is not None:
            assert f"<td>{label}</td><td>{unit.label}</td><td class=\"num\">{squash(unit(summary['baseline']['kpis'][key]))}" in page
    assert "西安" in html and "阿拉山口" in html
    assert png_size(out / "map.png")[0] > 1000


def test_freight_solve_no_report(tiny_dir, tmp_path):
    r = CliRunner().invoke(main, ["freight", "solve", str(tiny_dir), "--out", str(tmp_path / "a"), "-q", "--no-report"])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "a" / "summary.json").is_file() and not (tmp_path / "a" / "report.html").exists()


# ------------------------------------------------------------------------------------------ enclave


def test_enclave_report_shows_the_hand_computed_split(enclave_runs):
    html = squash(write_report(enclave_runs["nash"]).read_text(encoding="utf-8"))
    assert_self_contained(html)
    row = re.search(r"<tr><td>origin</td>(.*?)</tr>", html).group(1)
    assert re.findall(r"<td[^>]*>(.*?)</td>", row)[:3] == ["10.0", "45.0", "+35.0"]
    row = re.search(r"<tr><td>host</td>(.*?)</tr>", html).group(1)
    assert re.findall(r"<td[^>]*>(.*?)</td>", row)[:3] == ["20.0", "55.0", "+35.0"]
    assert "Shares of tax" in html and "Amounts of tax" in html
    assert "<title>2025 – origin: 45 %</title>" in html  # stacked share column, hover title
    assert "NPV against the disagreement point" in html
    assert "million CNY" in html


def test_enclave_comparison_side_by_side(enclave_runs, tmp_path):
    out = write_comparison([enclave_runs["nash"], enclave_runs["proportional"]], tmp_path / "cmp.html")
    html = squash(out.read_text(encoding="utf-8"))
    assert_self_contained(html)
    nash = re.findall(r"<td[^>]*>(.*?)</td>", re.search(r"<tr><td>nash</td>(.*?)</tr>", html).group(1))
    prop = re.findall(r"<td[^>]*>(.*?)</td>", re.search(r"<tr><td>proportional</td>(.*?)</tr>", html).group(1))
    assert nash[1:5] == ["45.0", "55.0", "+35.0", "+35.0"]
    assert prop[1:5] == ["75.0", "25.0", "+65.0", "+5.00"]
    assert "tax: share of origin (host gets the rest)" in html


def test_comparison_refuses_non_enclave_runs(enclave_runs, tmp_path):
    run = write_freight_run(tmp_path / "run")
    with pytest.raises(InputError, match="only enclave runs can be compared"):
        write_comparison([enclave_runs["nash"], run])


# ------------------------------------------------------------------------------------------ batch


def test_batch_report_plots_each_swept_parameter_and_lists_failures(tmp_path):
    out = write_batch(tmp_path / "batch")
    html = squash(write_report(out).read_text(encoding="utf-8"))
    assert_self_contained(html)
    assert "Against demand_scale" in html and "Against max_hubs_per_destination" in html
    sweep = html[html.index("Against demand_scale"):html.index("Against max_hubs_per_destination")]
    # objective, trains, load factor (total cost equals the objective: not repeated); one line per k
    charts_ = re.findall(r"<svg viewBox.*?</svg>", sweep, re.S)
    assert len(charts_) == 3
    assert all(c.count("<polyline") == 2 for c in charts_)
    assert "max_hubs_per_destination=1" in sweep and "max_hubs_per_destination=2" in sweep
    failures = html[html.index("Failures (1)"):html.index("All scenarios")]
    assert "demand_scale=1.2-max_hubs_per_destination=1" in failures and "gateway ALA over capacity" in failures
    assert "6 scenarios · 5 with a plan · 1 without" in html


def test_batch_of_enclave_rules_compares_them(tmp_path, enclave_runs):
    import shutil

    out = tmp_path / "batch"
    (out / "runs").mkdir(parents=True)
    rows = []
    for rule, path in enclave_runs.items():
        shutil.copytree(path, out / "runs" / rule)
        s = json.loads((path / "summary.json").read_text())
        rows.append({"scenario": rule, "rule": rule, "status": s["status"], "has_plan": True, "objective": None,
                     **{f"npv.{p}": v for p, v in s["npv"].items()}})
    pd.DataFrame(rows).to_csv(out / "summary.csv", index=False)
    html = write_report(out).read_text(encoding="utf-8")
    assert "Rules side by side" in html and "Against rule" in html and "npv origin against rule" in html


# ------------------------------------------------------------------------------------------ kinds, errors, CLI


def test_detect_kind_and_errors(tmp_path, enclave_runs):
    assert detect_kind(write_freight_run(tmp_path / "f")) == "freight"
    assert detect_kind(enclave_runs["nash"]) == "enclave"
    assert detect_kind(write_batch(tmp_path / "b")) == "batch"
    with pytest.raises(InputError, match="no such folder"):
        detect_kind(tmp_path / "missing")
    with pytest.raises(InputError, match="not a run folder"):
        detect_kind(tmp_path)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "summary.json").write_text("{not json")
    with pytest.raises(InputError, match="invalid JSON"):
        detect_kind(bad)
    (bad / "summary.json").write_text('{"status": "optimal"}')
    with pytest.raises(InputError, match="neither a freight run"):
        detect_kind(bad)


def test_cli_report(tmp_path, enclave_runs):
    run = write_freight_run(tmp_path / "run")
    r = CliRunner().invoke(main, ["report", str(run), "--quiet"])
    assert r.exit_code == 0, r.output
    assert r.output.strip() == str(run / "report.html") and (run / "report.html").is_file()
    r = CliRunner().invoke(main, ["report", str(enclave_runs["nash"]), str(enclave_runs["proportional"]),
                                  "--out", str(tmp_path / "c.html"), "--quiet"])
    assert r.exit_code == 0 and (tmp_path / "c.html").is_file()
    r = CliRunner().invoke(main, ["report", str(tmp_path)])
    assert r.exit_code == 2 and "not a run folder" in r.output and "Traceback" not in r.output


def test_cli_report_subprocess_exit_codes(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    p = subprocess.run([sys.executable, "-m", "optimizer", "report", str(empty)], capture_output=True, text=True)
    assert p.returncode == 2 and "not a run folder" in p.stderr and "Traceback" not in p.stderr
    batch = write_batch(tmp_path / "batch")
    p = subprocess.run([sys.executable, "-m", "optimizer", "report", str(batch), "-q"], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == str(batch / "report.html")


def test_share_enclave_writes_its_report_unless_told_not_to(tmp_path):
    case = tmp_path / "case.yaml"
    case.write_text(json.dumps(CASE), encoding="utf-8")  # JSON is YAML
    r = CliRunner().invoke(main, ["share", "enclave", str(case), "--rule", "nash", "--out", str(tmp_path / "a"), "-q"])
    assert r.exit_code == 0, r.output
    html = (tmp_path / "a" / "report.html").read_text(encoding="utf-8")
    assert "Enclave sharing – two-party – nash" in html
    r = CliRunner().invoke(main, ["share", "enclave", str(case), "--rule", "nash", "--out", str(tmp_path / "b"), "-q",
                                  "--no-report"])
    assert r.exit_code == 0 and not (tmp_path / "b" / "report.html").exists()


def test_batch_of_the_bth_negotiation_writes_its_report(tmp_path):
    """The bundled enclave sweep: its report plots the three swept keys and sets the five rules side by side."""
    spec = REPO / "instances" / "scenarios" / "bth-negotiation.yaml"
    r = CliRunner().invoke(main, ["batch", str(spec), "--out", str(tmp_path / "b"), "-w", "1", "-q"])
    assert r.exit_code == 0, r.output
    html = squash((tmp_path / "b" / "report.html").read_text(encoding="utf-8"))
    assert_self_contained(html)
    for key in ("rule", "discount_rate", "revenue_scale"):
        assert f"<h2>Against {key}</h2>" in html
    assert "Against constraints.origin_cap.amount" not in html  # a named scenario, not a sweep
    table_ = html[html.index("<h2>Rules side by side</h2>"):html.index("<h2>Shares by year under each rule</h2>")]
    for rule in ("fixed", "proportional", "nash", "kalai-smorodinsky", "egalitarian"):
        assert f"<tr><td>{rule}</td>" in table_
    assert "npv beijing against discount_rate" in html
    r = CliRunner().invoke(main, ["batch", str(spec), "--out", str(tmp_path / "c"), "-w", "1", "-q", "--no-report"])
    assert r.exit_code == 0 and not (tmp_path / "c" / "report.html").exists()


def test_without_a_cjk_font_the_png_leaves_chinese_out_and_says_so(tmp_path, monkeypatch):
    from optimizer.report import netmap

    monkeypatch.setattr(netmap, "_cjk_font", lambda: None)
    run = write_freight_run(tmp_path / "run")
    html = write_report(run).read_text(encoding="utf-8")
    assert "map.png shows English names only (install fonts-noto-cjk)" in html
    assert "西安" in html  # the HTML keeps them: the browser picks a font from the stack
    assert png_size(run / "map.png")[0] > 1000
    assert netmap._strip_cjk("Xi'an 西安") == "Xi'an"
