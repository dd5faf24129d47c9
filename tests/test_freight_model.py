"""Hand-computed tiny freight instances: each test derives its optimum in the comments.

Common data unless a test says otherwise: train capacity κ = 82 TEU, handling cost 0, one gateway
G without a limit, unserved penalty π = 10⁶ CNY/TEU (so everything is served), costs in CNY.
"""

from __future__ import annotations

import pytest

from optimizer.errors import InfeasibleError
from optimizer.freight.model import build_model
from optimizer.freight.run import solve_instance
from optimizer.instance.overrides import apply_overrides

from freight_helpers import flows_by, service_row, solve, tiny_instance

PEN = 1e6


def two_hubs(*, demand, legs, services=None, **kw):
    """Cities A, B; hubs H1, H2; destination D; services S1 = H1→D and S2 = H2→D at 100,000 per train."""
    services = services or [
        {"service_id": "S1", "hub_id": "H1", "destination_id": "D", "cost_per_train": 100_000},
        {"service_id": "S2", "hub_id": "H2", "destination_id": "D", "cost_per_train": 100_000},
    ]
    kw.setdefault("unserved_penalty", PEN)
    return tiny_instance(cities=["A", "B"], hubs=kw.pop("hubs", ["H1", "H2"]), destinations=kw.pop("destinations", ["D"]), demand=demand, legs=legs, services=services, **kw)


def leg(c, h, cost, **extra):
    return {"city_id": c, "hub_id": h, "cost_per_teu": cost, **extra}


# A is near H1, B near H2 (100 CNY/TEU), the other hub is far (600 and 500 CNY/TEU).
NEAR_FAR = [leg("A", "H1", 100), leg("A", "H2", 600), leg("B", "H1", 500), leg("B", "H2", 100)]


def test_consolidation_beats_two_half_empty_trains():
    # A and B each ship 41 TEU to D.
    #   own hub each: 2 trains half empty: 200,000 + 41·100 + 41·100          = 208,200
    #   both via H1:  1 full train:         100,000 + 41·100 + 41·500          = 124,600  <- optimum
    #   both via H2:                        100,000 + 41·600 + 41·100          = 128,700
    inst = two_hubs(demand=[{"origin": "A", "destination": "D", "teu": 41}, {"origin": "B", "destination": "D", "teu": 41}], legs=NEAR_FAR)
    r = solve(inst)
    assert r.summary["objective"] == pytest.approx(124_600)
    assert flows_by(r) == {("A", "S1"): 41, ("B", "S1"): 41}
    k = r.summary["kpis"]
    assert (k["trains"], k["services_open"], k["hubs_open"]) == (1, 1, 1)
    assert k["avg_load_factor"] == pytest.approx(1.0) and k["min_load_factor"] == pytest.approx(1.0)
    assert k["cost_breakdown"] == pytest.approx({"feeder": 24_600, "handling": 0, "trains": 100_000, "service_fixed": 0, "hub_fixed": 0, "unserved_penalty": 0, "co2": 0})
    assert k["total_cost"] == pytest.approx(r.summary["objective"])
    assert k["cost_per_teu"] == pytest.approx(124_600 / 82)


def test_min_trains_forces_a_choice():
    # A and B each ship 82 TEU (one full train each). Without minimums each uses its own hub:
    #   2 trains 200,000 + 82·100 + 82·100 = 216,400.
    # S1 must run at least 10 trains a year if it runs (1,000,000): then
    #   both via H2: 2 trains 200,000 + 82·600 + 82·100 = 257,400  <- optimum (S1 closed)
    #   S1 open: at least 1,000,000 for S1 alone: worse.
    demand = [{"origin": "A", "destination": "D", "teu": 82}, {"origin": "B", "destination": "D", "teu": 82}]
    assert solve(two_hubs(demand=demand, legs=NEAR_FAR)).summary["objective"] == pytest.approx(216_400)
    services = [
        {"service_id": "S1", "hub_id": "H1", "destination_id": "D", "cost_per_train": 100_000, "min_trains": 10},
        {"service_id": "S2", "hub_id": "H2", "destination_id": "D", "cost_per_train": 100_000},
    ]
    r = solve(two_hubs(demand=demand, legs=NEAR_FAR, services=services))
    assert r.summary["objective"] == pytest.approx(257_400)
    assert service_row(r, "S1")["open"] is False and service_row(r, "S2")["trains"] == 2


def test_hub_capacity_forces_a_split():
    # A ships 164 TEU; H1 (leg 100) handles at most 82 TEU, H2's leg costs 300.
    #   no capacity: 2 trains at H1: 200,000 + 164·100                 = 216,400
    #   capacity 82: 1 train at H1 + 1 at H2: 200,000 + 82·100 + 82·300 = 232,800  <- optimum
    legs = [leg("A", "H1", 100), leg("A", "H2", 300)]
    demand = [{"origin": "A", "destination": "D", "teu": 164}]
    assert solve(two_hubs(demand=demand, legs=legs)).summary["objective"] == pytest.approx(216_400)
    r = solve(two_hubs(demand=demand, legs=legs, hubs=[{"hub_id": "H1", "capacity_teu": 82}, "H2"]))
    assert r.summary["objective"] == pytest.approx(232_800)
    assert flows_by(r) == {("A", "S1"): 82, ("A", "S2"): 82}
    assert r.summary["kpis"]["hub_utilisation"]["H1"] == pytest.approx(1.0)
    assert r.summary["kpis"]["hub_utilisation"]["H2"] is None  # no capacity given


def test_hub_fixed_cost_and_capacity_row_open_the_hub():
    # H1 costs 50,000 a year to run, H2 nothing; A ships 82 TEU. Via H1: 100,000 + 8,200 + 50,000;
    # via H2 (leg 300): 100,000 + 24,600 = 124,600 <- optimum, H1 stays closed.
    legs = [leg("A", "H1", 100), leg("A", "H2", 300)]
    r = solve(two_hubs(demand=[{"origin": "A", "destination": "D", "teu": 82}], legs=legs, hubs=[{"hub_id": "H1", "fixed_cost": 50_000}, "H2"]))
    assert r.summary["objective"] == pytest.approx(124_600)
    hubs = r.tables["hubs"].set_index("hub_id")
    assert not hubs.loc["H1", "open"] and hubs.loc["H2", "open"]


def test_gateway_capacity():
    # One hub H1 with two services to D: S1 via G1 (100,000/train, G1 clears 1 train a year) and
    # S1b via G2 (150,000/train). A ships 164 TEU = 2 trains, leg 100.
    #   no limit: 2 trains on S1: 200,000 + 16,400                  = 216,400
    #   G1 ≤ 1:   1 on S1 + 1 on S1b: 250,000 + 16,400              = 266,400  <- optimum
    services = [
        {"service_id": "S1", "hub_id": "H1", "destination_id": "D", "gateway_id": "G1", "cost_per_train": 100_000},
        {"service_id": "S1b", "hub_id": "H1", "destination_id": "D", "gateway_id": "G2", "cost_per_train": 150_000},
    ]
    demand = [{"origin": "A", "destination": "D", "teu": 164}]
    free = two_hubs(demand=demand, legs=[leg("A", "H1", 100)], services=services, hubs=["H1"], gateways=["G1", "G2"])
    assert solve(free).summary["objective"] == pytest.approx(216_400)
    capped = two_hubs(demand=demand, legs=[leg("A", "H1", 100)], services=services, hubs=["H1"], gateways=[{"gateway_id": "G1", "capacity_trains": 1}, "G2"])
    r = solve(capped)
    assert r.summary["objective"] == pytest.approx(266_400)
    assert (service_row(r, "S1")["trains"], service_row(r, "S1b")["trains"]) == (1, 1)


def test_duplication_limit():
    # A and B ship 82 TEU each; the far legs cost 2,000.
    #   no limit: each its own hub: 200,000 + 8,200 + 8,200                    = 216,400
    #   K = 1:    one hub serves D: 200,000 + 8,200 + 82·2,000                 = 372,200  <- optimum
    legs = [leg("A", "H1", 100), leg("A", "H2", 2000), leg("B", "H1", 2000), leg("B", "H2", 100)]
    demand = [{"origin": "A", "destination": "D", "teu": 82}, {"origin": "B", "destination": "D", "teu": 82}]
    free = solve(two_hubs(demand=demand, legs=legs))
    assert free.summary["objective"] == pytest.approx(216_400)
    assert free.summary["kpis"]["destinations_multi_hub"] == 1
    limited = solve(two_hubs(demand=demand, legs=legs, destinations=[{"destination_id": "D", "max_hubs": 1}]))
    assert limited.summary["objective"] == pytest.approx(372_200)
    assert limited.summary["kpis"]["destinations_multi_hub"] == 0


def test_duplication_limit_counts_a_hub_once_over_two_gateways():
    # H1 runs D through two gateways (S1a via G1 at 100,000, at most 1 train; S1b via G2 at 100,000);
    # H2 runs S2. K = 1. A ships 164 TEU near H1 (leg 100; to H2 2,000); B ships 82 near H2
    # (leg 100; to H1 2,000). With K = 1 only one hub may serve D:
    #   H1 only (both gateways count once): 3 trains 300,000 + 164·100 + 82·2,000       = 480,400 <- optimum
    #   H2 only: 3 trains 300,000 + 164·2,000 + 82·100                                  = 636,200
    services = [
        {"service_id": "S1a", "hub_id": "H1", "destination_id": "D", "gateway_id": "G1", "cost_per_train": 100_000, "max_trains": 1},
        {"service_id": "S1b", "hub_id": "H1", "destination_id": "D", "gateway_id": "G2", "cost_per_train": 100_000},
        {"service_id": "S2", "hub_id": "H2", "destination_id": "D", "gateway_id": "G1", "cost_per_train": 100_000},
    ]
    legs = [leg("A", "H1", 100), leg("A", "H2", 2000), leg("B", "H1", 2000), leg("B", "H2", 100)]
    demand = [{"origin": "A", "destination": "D", "teu": 164}, {"origin": "B", "destination": "D", "teu": 82}]
    inst = two_hubs(demand=demand, legs=legs, services=services, gateways=["G1", "G2"], destinations=[{"destination_id": "D", "max_hubs": 1}])
    r = solve(inst)
    assert r.summary["objective"] == pytest.approx(480_400)
    assert {s for (_, s) in flows_by(r)} == {"S1a", "S1b"}


def test_single_sourcing_changes_the_answer():
    # As in the hub-capacity test (H1 ≤ 82 TEU, A ships 164): split is 232,800. With single
    # sourcing A's 164 TEU go to one hub; H1 cannot take them all, so H2:
    #   2 trains 200,000 + 164·300 = 249,200 <- optimum
    inst = two_hubs(demand=[{"origin": "A", "destination": "D", "teu": 164}], legs=[leg("A", "H1", 100), leg("A", "H2", 300)], hubs=[{"hub_id": "H1", "capacity_teu": 82}, "H2"])
    assert solve(inst).summary["objective"] == pytest.approx(232_800)
    single = apply_overrides(inst, {"single_sourcing": True})
    r = solve(single)
    assert r.summary["objective"] == pytest.approx(249_200)
    assert flows_by(r) == {("A", "S2"): 164}


def test_transit_time_limit_removes_a_route():
    # A ships 82 TEU within 10 days. Via H1: 1 + 12 = 13 days (S1 100,000/train); via H2: 2 + 7 = 9
    # days (S2 150,000/train); both legs cost 100.
    #   no limit: S1: 100,000 + 8,200 = 108,200;  limit 10 days: S2: 150,000 + 8,200 = 158,200
    legs = [leg("A", "H1", 100, days=1), leg("A", "H2", 100, days=2)]
    services = [
        {"service_id": "S1", "hub_id": "H1", "destination_id": "D", "cost_per_train": 100_000, "days": 12},
        {"service_id": "S2", "hub_id": "H2", "destination_id": "D", "cost_per_train": 150_000, "days": 7},
    ]
    free = two_hubs(demand=[{"origin": "A", "destination": "D", "teu": 82}], legs=legs, services=services)
    assert solve(free).summary["objective"] == pytest.approx(108_200)
    timed = two_hubs(demand=[{"origin": "A", "destination": "D", "teu": 82, "max_days": 10}], legs=legs, services=services)
    fm = build_model(timed)
    assert len(fm.data.west) == 1  # the 13-day route is not in the model at all
    r = solve(timed)
    assert r.summary["objective"] == pytest.approx(158_200)
    assert flows_by(r) == {("A", "S2"): 82}


def test_unserved_when_no_route_is_cheap_enough():
    # A ships 41 TEU; serving costs one train 100,000 + 41·100 = 104,100.
    #   penalty 1,000/TEU: unserved costs 41,000 < 104,100 → unserved (a solved plan, named in the summary)
    #   penalty 5,000/TEU: unserved 205,000 > 104,100 → served
    demand = [{"origin": "A", "destination": "D", "teu": 41}]
    r = solve(two_hubs(demand=demand, legs=[leg("A", "H1", 100)], unserved_penalty=1000))
    assert r.status == "optimal"
    assert r.summary["objective"] == pytest.approx(41_000)
    assert r.summary["kpis"]["unserved_teu"] == pytest.approx(41)
    assert r.summary["unserved"] == [{"origin": "A", "destination": "D", "direction": "west", "teu": pytest.approx(41)}]
    assert r.summary["kpis"]["cost_per_teu"] is None  # nothing carried
    assert solve(two_hubs(demand=demand, legs=[leg("A", "H1", 100)], unserved_penalty=5000)).summary["objective"] == pytest.approx(104_100)


def test_route_dearer_than_the_penalty_is_not_modelled():
    # The leg alone costs 2,000/TEU > penalty 1,500: the route is left out; 10 TEU unserved = 15,000.
    inst = two_hubs(demand=[{"origin": "A", "destination": "D", "teu": 10}], legs=[leg("A", "H1", 2000)], unserved_penalty=1500)
    assert len(build_model(inst).data.west) == 0
    assert solve(inst).summary["objective"] == pytest.approx(15_000)


def test_return_flows_fill_eastbound_capacity():
    # A ships 82 TEU west and receives R TEU back on the same (round-trip) trains; legs 100 both ways.
    #   R = 82:  1 train: 100,000 + 82·100 + 82·100              = 116,400 (east load factor 1)
    #   R = 100: 2 trains: 200,000 + 82·100 + 100·100            = 218,200
    #   return flows off: the return demand is ignored:           = 108,200
    def inst(ret, **kw):
        return two_hubs(demand=[{"origin": "A", "destination": "D", "teu": 82, "return_teu": ret}], legs=[leg("A", "H1", 100)], **kw)

    r = solve(inst(82))
    assert r.summary["objective"] == pytest.approx(116_400)
    row = service_row(r, "S1")
    assert (row["trains"], row["teu_east"], row["load_factor_east"]) == (1, 82, pytest.approx(1.0))
    assert flows_by(r, direction="east") == {("A", "S1"): 82}
    assert solve(inst(100)).summary["objective"] == pytest.approx(218_200)
    assert solve(inst(82, return_flows=False)).summary["objective"] == pytest.approx(108_200)


def test_closed_hub():
    # The consolidation instance with H1 closed: both via H2: 100,000 + 41·600 + 41·100 = 128,700.
    inst = two_hubs(demand=[{"origin": "A", "destination": "D", "teu": 41}, {"origin": "B", "destination": "D", "teu": 41}], legs=NEAR_FAR)
    r = solve(apply_overrides(inst, {"closed_hubs": "H1"}))
    assert r.summary["objective"] == pytest.approx(128_700)
    assert set(r.tables["flows"]["hub_id"]) == {"H2"}
    assert "H1" not in set(build_model(apply_overrides(inst, {"closed_hubs": "H1"})).data.hubs["hub_id"])


def test_baseline_today_vs_optimised():
    # Today A runs S1 and B runs S2, one train a year each (the consolidation instance):
    #   baseline: 200,000 + 41·100 + 41·100 = 208,200; optimised 124,600 (both via S1).
    inst = two_hubs(
        demand=[{"origin": "A", "destination": "D", "teu": 41}, {"origin": "B", "destination": "D", "teu": 41}],
        legs=NEAR_FAR,
        status_quo=[{"service_id": "S1", "trains": 1}, {"service_id": "S2", "trains": 1}],
    )
    r = solve(inst)
    b = r.summary["baseline"]
    assert b["objective"] == pytest.approx(208_200) and b["status"] == "optimal"
    assert b["kpis"]["trains"] == 2 and b["kpis"]["avg_load_factor"] == pytest.approx(0.5)
    assert b["kpis"]["destinations_multi_hub"] == 1
    assert r.summary["changes"] == {
        "services_closed": ["S2"],
        "services_opened": [],
        "cities_reassigned": [{"city_id": "B", "destination_id": "D", "from_hub": "H2", "to_hub": "H1"}],
    }
    assert set(r.tables["flows"]["plan"]) == {"baseline", "optimised"}
    ch = r.tables["changes"]
    assert list(ch["kind"]) == ["service_closed", "city_reassigned"]


def test_baseline_runs_todays_services_even_empty_and_keeps_assignments():
    # Today: S1 and S2 both run, trains chosen by the model (no count given), S2 at least 3 a year;
    # A is assigned to H2. A (41 TEU) must ride S2 (leg 600): 3 trains (minimum) 300,000 + 24,600;
    # B rides S2 (leg 100) or S1 (leg 500, 1 train 100,000 more): S2. S1 runs 0 trains (no minimum).
    #   baseline = 300,000 + 41·600 + 41·100 = 328,700
    services = [
        {"service_id": "S1", "hub_id": "H1", "destination_id": "D", "cost_per_train": 100_000},
        {"service_id": "S2", "hub_id": "H2", "destination_id": "D", "cost_per_train": 100_000, "min_trains": 3},
    ]
    inst = two_hubs(
        demand=[{"origin": "A", "destination": "D", "teu": 41}, {"origin": "B", "destination": "D", "teu": 41}],
        legs=NEAR_FAR,
        services=services,
        status_quo=[{"service_id": "S1"}, {"service_id": "S2"}],
        assignments=[{"city_id": "A", "destination_id": "D", "hub_id": "H2"}],
    )
    r = solve(inst)
    assert r.summary["baseline"]["objective"] == pytest.approx(328_700)
    assert flows_by(r, plan="baseline") == {("A", "S2"): 41, ("B", "S2"): 41}
    assert r.summary["baseline"]["objective"] >= r.summary["objective"]


def test_baseline_ignores_policy_levers():
    # K = 1 and H1 closed bind the optimised plan, not today's network (both services run today).
    inst = two_hubs(
        demand=[{"origin": "A", "destination": "D", "teu": 82}, {"origin": "B", "destination": "D", "teu": 82}],
        legs=NEAR_FAR,
        status_quo=[{"service_id": "S1", "trains": 1}, {"service_id": "S2", "trains": 1}],
        destinations=[{"destination_id": "D", "max_hubs": 1}],
    )
    fm = build_model(apply_overrides(inst, {"closed_hubs": "H1"}), baseline=True)
    assert set(fm.data.services["service_id"]) == {"S1", "S2"} and fm.data.K == {}
    # baseline: 2 trains 200,000 + 8,200 + 8,200 = 216,400
    assert solve(inst).summary["baseline"]["objective"] == pytest.approx(216_400)


def test_infeasible_status_quo_names_gateway_and_service():
    # Today S1 runs 5 trains a year through G, which clears only 3: no plan for today's network.
    inst = two_hubs(
        demand=[{"origin": "A", "destination": "D", "teu": 41}],
        legs=NEAR_FAR,
        gateways=[{"gateway_id": "G", "capacity_trains": 3}],
        status_quo=[{"service_id": "S1", "trains": 5}],
    )
    with pytest.raises(InfeasibleError) as err:
        solve(inst)
    text = str(err.value)
    assert "today's network" in text
    assert any("gateway G clears at most 3 trains" in r for r in err.value.reasons)
    assert any("S1 runs 5 trains a year today" in r for r in err.value.reasons)
    assert err.value.exit_code == 3


def test_model_sizes_stay_sparse():
    # Size guard: A reaches only H1, B only H2; D is served from both, E only from H2.
    # Routes: (A,S1), (B,S2), (B,S3) for the three pairs; no y (no fixed cost, minimum or K),
    # no w (no hub fixed cost), trains only where they cost: 3 services.
    services = [
        {"service_id": "S1", "hub_id": "H1", "destination_id": "D", "cost_per_train": 100_000},
        {"service_id": "S2", "hub_id": "H2", "destination_id": "D", "cost_per_train": 100_000},
        {"service_id": "S3", "hub_id": "H2", "destination_id": "E", "cost_per_train": 100_000},
    ]
    inst = two_hubs(
        demand=[{"origin": "A", "destination": "D", "teu": 10}, {"origin": "B", "destination": "D", "teu": 10}, {"origin": "B", "destination": "E", "teu": 10}],
        legs=[leg("A", "H1", 100), leg("B", "H2", 100)],
        services=services,
        destinations=["D", "E"],
    )
    fm = build_model(inst)
    assert (len(fm.x), len(fm.xr), len(fm.u), len(fm.n), len(fm.y), len(fm.w), len(fm.v)) == (3, 0, 3, 3, 0, 0, 0)
    r = solve_instance(inst, mip_gap=0.0, strategy="plain")
    # the model as written: 3 demand rows + 3 train-capacity rows; 3 x + 3 u + 3 n columns
    assert r.summary["sizes"]["constraints"] == 6 and r.summary["sizes"]["variables"] == 9
    assert r.summary["objective"] == pytest.approx(300_000 + 3_000)
    # the default strategy adds train-rounding rows (fractional trains of 82 TEU): D through both
    # hubs (20 TEU), D through H1 (A's 10) and through H2 (B's 10), E through H2 (10)
    r = solve(inst)
    assert r.summary["sizes"]["constraints"] == 6 + 4 and r.summary["sizes"]["variables"] == 9
    assert r.summary["objective"] == pytest.approx(300_000 + 3_000)


def test_max_open_hubs():
    # The duplication instance (far legs 2,000) with at most one hub open in total instead of K:
    # the same answer, one hub for both cities: 200,000 + 8,200 + 164,000 = 372,200.
    legs = [leg("A", "H1", 100), leg("A", "H2", 2000), leg("B", "H1", 2000), leg("B", "H2", 100)]
    demand = [{"origin": "A", "destination": "D", "teu": 82}, {"origin": "B", "destination": "D", "teu": 82}]
    r = solve(two_hubs(demand=demand, legs=legs, max_open_hubs=1))
    assert r.summary["objective"] == pytest.approx(372_200)
    assert r.summary["kpis"]["hubs_open"] == 1


def test_status_quo_minimum_trains_beyond_the_gateway():
    # Today S1 and S2 both run with at least 2 trains a year each (no count given) through G,
    # which clears 3: 2 + 2 > 3, whatever the boxes do.
    services = [
        {"service_id": "S1", "hub_id": "H1", "destination_id": "D", "cost_per_train": 100_000, "min_trains": 2},
        {"service_id": "S2", "hub_id": "H2", "destination_id": "D", "cost_per_train": 100_000, "min_trains": 2},
    ]
    inst = two_hubs(
        demand=[{"origin": "A", "destination": "D", "teu": 41}],
        legs=NEAR_FAR,
        services=services,
        gateways=[{"gateway_id": "G", "capacity_trains": 3}],
        status_quo=[{"service_id": "S1"}, {"service_id": "S2"}],
    )
    with pytest.raises(InfeasibleError) as err:
        solve(inst)
    reasons = err.value.reasons
    assert any(r.startswith("gateway G clears at most 3 trains a year (services through it: S1, S2)") for r in reasons)
    assert "service S1 runs today, so at least its min_trains 2 a year" in reasons
    assert "service S2 runs today, so at least its min_trains 2 a year" in reasons


def test_no_demand_is_an_empty_plan():
    inst = two_hubs(demand=[{"origin": "A", "destination": "D", "teu": 0}], legs=NEAR_FAR)
    r = solve(inst)
    assert r.status == "optimal" and r.summary["objective"] == pytest.approx(0.0)
    assert r.summary["kpis"]["services_open"] == 0 and len(r.tables["flows"]) == 0


def test_every_constraint_family_and_bound_is_worded_by_ids():
    """explain() words every row and bound of a model that has every family (no positions shown)."""
    from pyomo.environ import Constraint, Var

    from optimizer.freight.explain import explain

    services = [
        {"service_id": "S1a", "hub_id": "H1", "destination_id": "D", "gateway_id": "G1", "cost_per_train": 100_000, "max_trains": 1, "min_trains": 1, "fixed_cost": 5},
        {"service_id": "S1b", "hub_id": "H1", "destination_id": "D", "gateway_id": "G2", "cost_per_train": 100_000},
        {"service_id": "S2", "hub_id": "H2", "destination_id": "D", "gateway_id": "G1", "cost_per_train": 100_000},
    ]
    legs = [leg("A", "H1", 100), leg("A", "H2", 2000), leg("B", "H1", 2000), leg("B", "H2", 100)]
    demand = [{"origin": "A", "destination": "D", "teu": 164, "return_teu": 20}, {"origin": "B", "destination": "D", "teu": 82}]
    inst = two_hubs(demand=demand, legs=legs, services=services, gateways=[{"gateway_id": "G1", "capacity_trains": 9}, "G2"],
                    destinations=[{"destination_id": "D", "max_hubs": 1}],
                    hubs=[{"hub_id": "H1", "capacity_teu": 100, "fixed_cost": 7}, "H2"])
    inst = apply_overrides(inst, {"single_sourcing": True, "max_open_hubs": 1})
    fm = build_model(inst, cuts=True)  # the valid inequalities too: 20 return TEU need a fraction of a train
    rows = [c.name for c in fm.model.component_data_objects(Constraint)]
    families = {name.split("[")[0] for name in rows}
    assert {"demand", "train_capacity", "max_trains", "min_trains", "hub_capacity", "gateway_capacity", "duplication_limit",
            "hub_serves_destination", "max_open_hubs", "route_open", "hub_route_open", "serves_at_open_hub",
            "single_source", "one_hub", "train_rounding_east"} <= families
    bounds = [f"bounds of {v.name}" for v in fm.model.component_data_objects(Var)]
    for name, words in zip(rows + bounds, explain(fm, rows + bounds)):
        family = name.removeprefix("bounds of ").split("[")[0]
        assert words != f"{family.replace('_', ' ')} ({name.split('[')[1][:-1]})", name
        assert any(i in words for i in ("A", "B", "D", "H1", "H2", "S1a", "S1b", "S2", "G1", "all", "hubs open")), (name, words)
