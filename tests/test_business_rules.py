"""Business rules (open_hubs, min_open_hubs, fixed_assignments, co2_price, co2_cap, max_avg_days)
and the cost–CO₂ Pareto front, on hand-computed tiny instances.

Common data (as in test_freight_model): cities A, B each ship 41 TEU to D; hubs H1, H2; services
S1 = H1→D and S2 = H2→D at 100,000 CNY per train of 82 TEU, 1,000 km (20 kg CO₂/train-km: 20 t a
train); feeder legs (cost CNY/TEU, road km, days):

    A→H1 100, 100 km, 1 d    A→H2 600, 600 km, 3 d
    B→H1 500, 1000 km, 4 d   B→H2 100, 100 km, 1 d

Plans that serve everything (road feeder CO₂ 0.9 kg/TEU-km; trunk 10 days):
    both via H1: 100,000 + 41·100 + 41·500 = 124,600 CNY; CO₂ 20 + 41·1100·0.9/1000 = 60.59 t; 12.5 days
    both via H2: 100,000 + 41·600 + 41·100 = 128,700 CNY; CO₂ 20 + 41·700·0.9/1000  = 45.83 t; 12.0 days
    own hubs:    200,000 + 41·100 + 41·100 = 208,200 CNY; CO₂ 40 + 41·200·0.9/1000  = 47.38 t
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from optimizer.cli import main
from optimizer.errors import InputError
from optimizer.freight.pareto import pareto_front
from optimizer.instance.overrides import apply_overrides
from optimizer.instance.write import write_instance

from freight_helpers import flows_by, solve, tiny_instance

H1, H2 = 124_600.0, 128_700.0
CO2_H1, CO2_H2 = 60.59, 45.83


def leg(c, h, cost, km, days):
    return {"city_id": c, "hub_id": h, "cost_per_teu": cost, "distance_km": km, "days": days}


def corridor(**params):
    params.setdefault("unserved_penalty", 1e6)
    hub_cost = params.pop("hub_fixed_cost", 0.0)
    return tiny_instance(
        cities=["A", "B"],
        hubs=[{"hub_id": "H1", "fixed_cost": hub_cost}, {"hub_id": "H2", "fixed_cost": hub_cost}],
        destinations=["D"],
        demand=[{"origin": "A", "destination": "D", "teu": 41}, {"origin": "B", "destination": "D", "teu": 41}],
        legs=[leg("A", "H1", 100, 100, 1), leg("A", "H2", 600, 600, 3), leg("B", "H1", 500, 1000, 4), leg("B", "H2", 100, 100, 1)],
        services=[
            {"service_id": "S1", "hub_id": "H1", "destination_id": "D", "cost_per_train": 100_000, "distance_km": 1000, "days": 10},
            {"service_id": "S2", "hub_id": "H2", "destination_id": "D", "cost_per_train": 100_000, "distance_km": 1000, "days": 10},
        ],
        **params,
    )


def with_rules(**rules):
    return apply_overrides(corridor(hub_fixed_cost=rules.pop("hub_fixed_cost", 0.0)), rules)


def test_the_common_data_as_computed_by_hand():
    k = solve(corridor()).summary["kpis"]
    assert k["total_cost"] == pytest.approx(H1)
    assert k["co2_t"] == pytest.approx(CO2_H1)
    assert k["avg_days"] == pytest.approx(12.5)


def test_a_hub_forced_open_pays_its_fixed_cost():
    # hub fixed cost 10,000 each. Free choice: both via H1, one hub: 134,600.
    # H2 forced open: its 10,000 is paid anyway, so both via H2 with H1 closed: 128,700 + 10,000 = 138,700
    # beats both via H1 with both hubs open: 124,600 + 20,000 = 144,600.
    assert solve(with_rules(hub_fixed_cost=10_000)).summary["objective"] == pytest.approx(134_600)
    r = solve(with_rules(hub_fixed_cost=10_000, open_hubs="H2"))
    assert r.summary["objective"] == pytest.approx(138_700)
    hubs = r.tables["hubs"]
    assert set(hubs[(hubs["plan"] == "optimised") & hubs["open"]]["hub_id"]) == {"H2"}


def test_min_open_hubs_opens_the_cheapest_second_hub():
    # as above, at least two hubs open: both fixed costs, boxes via H1: 124,600 + 20,000 = 144,600
    r = solve(with_rules(hub_fixed_cost=10_000, min_open_hubs=2))
    assert r.summary["objective"] == pytest.approx(144_600)
    assert r.summary["kpis"]["hubs_open"] == 2


def test_a_fixed_assignment_routes_the_city_through_its_hub():
    # A must use H2: both via H2 (one train) 128,700 beats A via H2 + B via H1 (two trains).
    r = solve(with_rules(fixed_assignments="A:H2"))
    assert r.summary["objective"] == pytest.approx(H2)
    assert flows_by(r) == {("A", "S2"): 41, ("B", "S2"): 41}


def test_a_co2_price_moves_the_plan_and_is_part_of_the_cost():
    # price 500 CNY/t: via H1 124,600 + 60.59·500 = 154,895; via H2 128,700 + 45.83·500 = 151,615 <- optimum
    r = solve(with_rules(co2_price=500))
    k = r.summary["kpis"]
    assert r.summary["objective"] == pytest.approx(H2 + 500 * CO2_H2)
    assert k["cost_breakdown"]["co2"] == pytest.approx(500 * CO2_H2)
    assert k["total_cost"] == pytest.approx(r.summary["objective"])
    # below the break-even price 4,100 / 14.76 = 277.8 CNY/t the plan stays at H1
    assert solve(with_rules(co2_price=250)).summary["objective"] == pytest.approx(H1 + 250 * CO2_H1)


def test_a_co2_cap_is_a_limit_not_a_price():
    # 50 t: via H1 (60.59 t) is over the cap; via H2 (45.83 t) is the cheapest plan under it
    r = solve(with_rules(co2_cap=50))
    assert r.summary["objective"] == pytest.approx(H2)
    assert r.summary["kpis"]["co2_t"] <= 50 + 1e-6
    assert r.summary["kpis"]["cost_breakdown"]["co2"] == 0


def test_max_avg_days_caps_the_mean_door_to_door_days():
    # via H1 the boxes take (11 + 14) / 2 = 12.5 days, via H2 (13 + 11) / 2 = 12.0
    r = solve(with_rules(max_avg_days=12.2))
    assert r.summary["objective"] == pytest.approx(H2)
    assert r.summary["kpis"]["avg_days"] == pytest.approx(12.0)


def test_today_is_not_bound_by_the_rules_of_the_plan():
    inst = apply_overrides(corridor(), {"co2_cap": 50, "fixed_assignments": "A:H2"})
    sq = corridor(status_quo=[{"service_id": "S1", "trains": 1}])
    sq = apply_overrides(sq, {"co2_cap": 50, "fixed_assignments": "A:H2"})
    r = solve(sq)
    assert r.summary["baseline"]["objective"] == pytest.approx(H1)  # today: both via S1, 60.59 t over the cap
    assert solve(inst).summary["objective"] == pytest.approx(H2)


@pytest.mark.parametrize(
    "rules, words",
    [
        ({"open_hubs": "H1", "closed_hubs": "H1"}, ["open_hubs", "H1", "forced open and also closed"]),
        ({"open_hubs": "H9"}, ["open_hubs", "unknown hub ids H9"]),
        ({"fixed_assignments": "A:H1", "closed_hubs": "H1"}, ["fixed_assignments", "A:H1", "closed hub"]),
        ({"fixed_assignments": "Z:H1"}, ["fixed_assignments", "unknown city ids Z"]),
        ({"fixed_assignments": "A-H1"}, ["fixed_assignments", "expected KEY:ID pairs"]),
        ({"min_open_hubs": 3}, ["min_open_hubs", "3 hubs cannot be open", "2 hubs"]),
        ({"min_open_hubs": 2, "max_open_hubs": 1}, ["min_open_hubs", "more than max_open_hubs"]),
        ({"co2_cap": -1}, ["co2_cap"]),
    ],
)
def test_contradicting_rules_are_refused_by_name(rules, words):
    with pytest.raises(InputError) as info:
        apply_overrides(corridor(), rules)
    text = str(info.value)
    for w in words:
        assert w in text, (w, text)


def test_contradicting_rules_on_the_command_line_exit_2(tmp_path):
    folder = write_instance(corridor(), tmp_path / "tiny")
    res = CliRunner().invoke(main, ["freight", "solve", str(folder), "--set", "open_hubs=H1", "--set", "closed_hubs=H1", "--out", str(tmp_path / "run")])
    assert res.exit_code == 2, res.output
    assert "open_hubs" in res.output and "forced open and also closed" in res.output
    assert not (tmp_path / "run").exists()


def test_rules_in_instance_yaml_are_checked_like_the_other_parameters(tmp_path):
    folder = write_instance(corridor(), tmp_path / "tiny")
    doc = yaml.safe_load((folder / "instance.yaml").read_text())
    doc["parameters"].update({"fixed_assignments": {"A": "H7"}, "open_hubs": ["H2"], "closed_hubs": ["H2"]})
    (folder / "instance.yaml").write_text(yaml.safe_dump(doc))
    res = CliRunner().invoke(main, ["validate", str(folder)])
    assert res.exit_code == 2, res.output
    assert "unknown hub ids H7" in res.output and "forced open and also closed" in res.output


def test_a_hub_forced_open_without_any_route_is_named(tmp_path):
    inst = apply_overrides(corridor(), {"open_hubs": "H2", "max_days": 11.5})  # every route through H2 takes 13 or 11 days... B→H2 fits
    assert solve(inst).summary["objective"] > 0
    inst = apply_overrides(corridor(), {"open_hubs": "H2", "max_days": 10.5})  # nothing fits within 10.5 days
    with pytest.raises(InputError, match="H2 cannot be forced open"):
        solve(inst)


def test_the_co2_front_is_monotone_and_ends_at_the_least_emissions():
    # least cost: via H1 (124,600, 60.59 t). Least CO₂ with everything served: via H2 (45.83 t; own
    # hubs need two trains, 47.38 t). Caps 60.59 → 53.21 → 45.83: the last two points are via H2.
    front = pareto_front(corridor(), "co2", 3, mip_gap=0.0)
    t = front.table()
    assert list(t["point"]) == ["01", "02", "03"]
    assert t["total_cost"].tolist() == pytest.approx([H1, H2, H2])
    assert t["co2_t"].tolist() == pytest.approx([CO2_H1, CO2_H2, CO2_H2])
    assert front.lowest["value"] == pytest.approx(CO2_H2)
    assert t["total_cost"].is_monotonic_increasing and t["co2_t"].is_monotonic_decreasing
    assert front.monotone


def test_the_days_front_trades_cost_for_speed():
    # the fastest plan sends each city to its own hub: 11 days each, two trains, 208,200
    front = pareto_front(corridor(), "days", 2, mip_gap=0.0)
    t = front.table()
    assert t["avg_days"].tolist() == pytest.approx([12.5, 11.0])
    assert t["total_cost"].tolist() == pytest.approx([H1, 208_200])


def test_pareto_on_the_command_line_writes_a_folder_per_point(tmp_path):
    folder = write_instance(corridor(), tmp_path / "tiny")
    out = tmp_path / "front"
    res = CliRunner().invoke(main, ["freight", "pareto", str(folder), "--objective", "co2", "--points", "3", "--mip-gap", "0", "--out", str(out), "--json"])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert [p["name"] for p in summary["points"]] == ["01", "02", "03"]
    table = pd.read_csv(out / "pareto.csv")
    assert table["total_cost"].tolist() == pytest.approx([H1, H2, H2])
    for name in ("01", "02", "03"):
        point = json.loads((out / "points" / name / "summary.json").read_text())
        assert "kpis" in point and "baseline" not in point  # a full freight run folder (this instance has no status quo)
        assert (out / "points" / name / "report.html").is_file()
    html = (out / "report.html").read_text()
    assert "Pareto front" in html and "points/02/report.html" in html
    # a cap given by the user would be overwritten point by point: refused
    res = CliRunner().invoke(main, ["freight", "pareto", str(folder), "--set", "co2_cap=50", "--out", str(tmp_path / "f2")])
    assert res.exit_code == 2 and "co2_cap is set" in res.output
