"""Sensitivity of a plan with its design fixed (duals and ranging checked by hand), sensitivity.csv and
the report section, the open_hubs parameter, and ``optimizer freight whatif`` end to end.

Hand-computed instances: handling cost 0, one gateway without a limit, no status quo (so no
baseline), costs in CNY; each test derives its duals in the comments.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from click.testing import CliRunner

from optimizer.cli import main
from optimizer.freight.sensitivity import COLUMNS, KINDS
from optimizer.instance.load import load_instance
from optimizer.instance.overrides import apply_overrides
from optimizer.errors import InputError

from freight_helpers import solve, tiny_instance


def item(result, kind: str, id_: str, label_has: str = "") -> dict:
    t = result.tables["sensitivity"]
    rows = t[(t["kind"] == kind) & (t["id"] == id_) & t["label"].str.contains(label_has, regex=False)]
    assert len(rows) == 1, f"{kind} {id_} {label_has!r}: {len(rows)} rows\n{t.to_string()}"
    return rows.iloc[0].to_dict()


def test_full_trains_price_the_next_box_at_the_penalty_with_the_design_fixed():
    # City C ships 32 TEU to D through hub H on service S: trains of κ = 10 TEU at k = 1,000 per
    # train, feeder 5 CNY/TEU, penalty π = 500 CNY/TEU.
    #   3 trains: 3,000 + 30·5 + 2·500 = 4,150   <- optimum (x = 30, u = 2)
    #   4 trains: 4,000 + 32·5         = 4,160
    # Design fixed (n = 3): the trains are full and 2 boxes are unserved, so
    #   demand dual λ = π = 500 (the next box is unserved too), valid for q ≥ 30 (below, u = 0);
    #   westbound space of S: μ = -(π - f) → value 500 - 5 = 495 CNY/TEU, while space ≤ 32 (then u = 0);
    #   one more train: κ·495 - k = 10·495 - 1,000 = 3,950 CNY, for up to 32/10 = 3.2 trains;
    #   route cost 5 stays optimal up to π = 500 (dearer, the boxes would rather stay unserved).
    inst = tiny_instance(
        cities=["C"], hubs=["H"], destinations=["D"],
        demand=[{"origin": "C", "destination": "D", "teu": 32}],
        legs=[{"city_id": "C", "hub_id": "H", "cost_per_teu": 5}],
        services=[{"service_id": "S", "hub_id": "H", "destination_id": "D", "cost_per_train": 1000, "train_capacity_teu": 10}],
        unserved_penalty=500, return_flows=False,
    )
    r = solve(inst)
    assert r.summary["objective"] == pytest.approx(4150)
    assert r.summary["sensitivity"]["status"] == "optimal"
    assert r.summary["sensitivity"]["objective"] == pytest.approx(4150)  # the fixed-design LP costs what the plan costs
    assert list(r.tables["sensitivity"].columns) == COLUMNS
    demand = item(r, "city_demand", "C/D")
    assert demand["value"] == pytest.approx(500) and demand["low"] == pytest.approx(30) and demand["high"] == math.inf
    space = item(r, "service_capacity", "S", "westbound")
    assert space["value"] == pytest.approx(495) and space["high"] == pytest.approx(32)
    slot = item(r, "train_slot", "S")
    assert slot["value"] == pytest.approx(3950) and slot["high"] == pytest.approx(3.2)
    route = item(r, "route_cost", "C/D/S")
    assert route["value"] == pytest.approx(5) and route["high"] == pytest.approx(500) and route["low"] == -math.inf


def test_a_full_hub_is_worth_the_detour_it_saves():
    # City C ships 150 TEU to D: via hub H1 (feeder 10 CNY/TEU, capacity 100 TEU/yr) or H2 (feeder
    # 30, no limit); trains cost nothing (no train count), penalty 1,000.
    #   optimum: 100 via H1, 50 via H2: 100·10 + 50·30 = 2,500.
    # Design fixed: one more TEU of H1 capacity moves a box off H2: saves 30 - 10 = 20 CNY/TEU,
    #   until all 150 pass H1 (capacity 150); the next box of C goes via H2: λ = 30, for q ≥ 100;
    #   route via H2 (30) keeps the flows for costs 10..1,000 (cheaper than H1: all go via H2;
    #   dearer than π: unserved); route via H1 (10) up to 30.
    inst = tiny_instance(
        cities=["C"], hubs=[{"hub_id": "H1", "capacity_teu": 100}, "H2"], destinations=["D"],
        demand=[{"origin": "C", "destination": "D", "teu": 150}],
        legs=[{"city_id": "C", "hub_id": "H1", "cost_per_teu": 10}, {"city_id": "C", "hub_id": "H2", "cost_per_teu": 30}],
        services=[{"service_id": "S1", "hub_id": "H1", "destination_id": "D", "cost_per_train": 0},
                  {"service_id": "S2", "hub_id": "H2", "destination_id": "D", "cost_per_train": 0}],
        unserved_penalty=1000, return_flows=False,
    )
    r = solve(inst)
    assert r.summary["objective"] == pytest.approx(2500)
    h1 = item(r, "hub_capacity", "H1")
    assert h1["value"] == pytest.approx(20) and h1["high"] == pytest.approx(150) and "binding" in h1["note"]
    h2 = item(r, "hub_capacity", "H2")
    assert h2["value"] == 0 and "unlimited" in h2["note"]
    demand = item(r, "city_demand", "C/D")
    assert demand["value"] == pytest.approx(30) and demand["low"] == pytest.approx(100)
    via2 = item(r, "route_cost", "C/D/S2")
    assert (via2["low"], via2["high"]) == (pytest.approx(10), pytest.approx(1000))
    assert item(r, "route_cost", "C/D/S1")["high"] == pytest.approx(30)


def test_a_closed_hub_has_no_local_value(tiny_dir):
    # tiny: H_XIAN (fixed cost 1,000,000) is closed in the optimum; its capacity is not priced.
    r = solve(load_instance(tiny_dir))
    xian = item(r, "hub_capacity", "H_XIAN")
    assert math.isnan(xian["value"]) and "whatif" in xian["note"]
    assert set(r.tables["sensitivity"]["kind"]) <= set(KINDS)


# ------------------------------------------------------------------------------------- open_hubs


def test_open_hubs_forces_a_hub_open_and_pays_its_fixed_cost(tiny_dir):
    inst = load_instance(tiny_dir)
    base = solve(inst)
    forced = solve(apply_overrides(inst, {"open_hubs": "H_XIAN"}))
    hubs = forced.tables["hubs"].query("plan == 'optimised'").set_index("hub_id")
    assert bool(hubs.at["H_XIAN", "open"])
    assert forced.summary["objective"] == pytest.approx(base.summary["objective"] + 1_000_000)


@pytest.mark.parametrize("sets, message", [
    (["open_hubs=H_XIAN", "closed_hubs=H_XIAN"], "forced open and also closed (closed_hubs)"),
    (["open_hubs=NOWHERE"], "unknown hub ids NOWHERE"),
])
def test_bad_open_hubs_exit_2(tiny_dir, tmp_path, sets, message):
    args = [x for s in sets for x in ("--set", s)]
    res = CliRunner().invoke(main, ["freight", "solve", str(tiny_dir), "--out", str(tmp_path / "run"), "--quiet", *args])
    assert res.exit_code == 2, res.output
    assert message in res.output and not (tmp_path / "run").exists()


def test_open_hubs_in_instance_yaml_is_checked(tiny_files, tmp_path):
    from conftest import write_folder

    files = dict(tiny_files)
    files["instance.yaml"] += "  open_hubs: [H_LANZHOU]\n  closed_hubs: [H_LANZHOU]\n"
    with pytest.raises(InputError, match="forced open and also closed"):
        load_instance(write_folder(tmp_path / "bad", files))


# ------------------------------------------------------------------------ run folder and report


def test_freight_solve_writes_sensitivity_csv_and_the_report_section(tiny_dir, tmp_path):
    out = tmp_path / "run"
    res = CliRunner().invoke(main, ["freight", "solve", str(tiny_dir), "--out", str(out), "--quiet"])
    assert res.exit_code == 0, res.output
    df = pd.read_csv(out / "sensitivity.csv")
    assert list(df.columns) == COLUMNS
    assert {"hub_capacity", "gateway_capacity", "train_slot", "city_demand", "route_cost"} <= set(df["kind"])
    assert (df["unit"].str.startswith("CNY/")).all()
    assert "sensitivity" in pd.ExcelFile(out / "results.xlsx").sheet_names
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Sensitivity (local, design fixed)" in html and "Local values with the design fixed." in html


# ------------------------------------------------------------------------------------- whatif


def whatif(*args):
    return CliRunner().invoke(main, ["freight", "whatif", *map(str, args)])


def test_whatif_unknown_hub_exits_2_naming_it_and_the_valid_ids(tiny_dir, tmp_path):
    res = whatif(tiny_dir, "--hub", "H_XIAN", "--hub", "ATLANTIS", "--out", tmp_path / "w")
    assert res.exit_code == 2, res.output
    assert "ATLANTIS" in res.output and "valid: H_XIAN, H_LANZHOU" in res.output
    assert not (tmp_path / "w").exists()


def test_whatif_prices_keeping_and_closing_a_hub(tiny_dir, tmp_path):
    # tiny's optimum closes H_XIAN (fixed cost 1,000,000; Lanzhou carries everything): keeping it
    # costs exactly its fixed cost, closing it costs nothing.
    out = tmp_path / "w"
    res = whatif(tiny_dir, "--hub", "H_XIAN", "--out", out, "--workers", "1", "--quiet")
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[0].split()[:2] == ["scenario", "status"]
    assert [ln.split()[0] for ln in lines[1:]] == ["base", "H_XIAN-open", "H_XIAN-closed"]
    assert "+1,000,000" in lines[2]
    table = pd.read_csv(out / "whatif.csv").set_index("scenario")
    assert table.at["H_XIAN-open", "difference"] == pytest.approx(1_000_000)
    assert table.at["H_XIAN-closed", "difference"] == pytest.approx(0, abs=1e-6)
    assert table.at["H_XIAN-open", "hubs"] == table.at["base", "hubs"] + 1
    runs = out / "batch" / "runs"
    assert {p.name for p in runs.iterdir()} == {"base", "H_XIAN-open", "H_XIAN-closed"}
    assert (runs / "base" / "sensitivity.csv").exists()
    assert (out / "whatif.yaml").read_text().startswith("# written by optimizer freight whatif")
