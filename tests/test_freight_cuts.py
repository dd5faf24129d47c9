"""The valid inequalities of optimizer/freight/cuts.py: rows computed by hand, an LP bound they raise
to the optimum, and optima unchanged by them (gap 0) where they cut deep into the LP relaxation."""

from __future__ import annotations

from dataclasses import replace

import pytest
from pyomo.environ import TransformationFactory
from pyomo.repn import generate_standard_repn

from optimizer.freight.labels import freight_labels
from optimizer.freight.model import build_model
from optimizer.freight.run import solve_instance
from optimizer.instance.generate import generate_corridor
from optimizer.instance.overrides import apply_overrides
from optimizer.solve import HighsSolver, adds_cuts

from freight_helpers import tiny_instance


def one_line(teu: float, return_teu: float = 0.0, **params):
    """City C -> hub H -> destination D on one service S: trains of 10 TEU at 1,000 CNY, no fixed
    costs, feeder 5 CNY/TEU, penalty 500 CNY/TEU."""
    return tiny_instance(
        cities=["C"], hubs=["H"], destinations=["D"],
        demand=[{"origin": "C", "destination": "D", "teu": teu, "return_teu": return_teu}],
        legs=[{"city_id": "C", "hub_id": "H", "cost_per_teu": 5}],
        services=[{"service_id": "S", "hub_id": "H", "destination_id": "D", "cost_per_train": 1000, "train_capacity_teu": 10}],
        unserved_penalty=500, **params,
    )


def rows_of(fm, family: str) -> list[tuple[dict, float]]:
    """Each row of ``family`` as ({variable name: coefficient}, upper bound)."""
    out = []
    for con in getattr(fm.model, family).values():
        repn = generate_standard_repn(con.body)
        out.append(({v.name: c for c, v in zip(repn.linear_coefs, repn.linear_vars)}, con.upper))
    return out


def lp_bound(fm) -> float:
    """The LP relaxation's optimum of a built model."""
    TransformationFactory("core.relax_integer_vars").apply_to(fm.model)
    res = HighsSolver(strategy="plain").solve(fm.model, labels=freight_labels(fm))
    assert res.status == "optimal"
    return res.objective


def test_the_rounding_row_of_one_destination_by_hand():
    # 25 TEU west, 17 TEU back on 10-TEU trains: beta = 2.5 (f = 0.5) and 1.7 (f = 0.7), so
    #   n + u / (10 * 0.5) >= 3   and   n + u' / (10 * 0.7) >= 2, written as <= rows.
    fm = build_model(one_line(25, 17, return_flows=True), cuts=True)
    (west, west_ub), = rows_of(fm, "train_rounding")
    (east, east_ub), = rows_of(fm, "train_rounding_east")
    assert west_ub == pytest.approx(-3) and east_ub == pytest.approx(-2)
    assert west == pytest.approx({"n[0]": -1.0, "u[0]": -0.2})
    assert east == pytest.approx({"n[0]": -1.0, "ur[0]": -1 / 7})
    assert fm.row_keys["train_rounding"] == [("D", ("H",))] and fm.row_keys["train_rounding_east"] == [("D", ("H",))]


def test_a_row_for_the_hubs_a_city_can_reach():
    # A reaches only H1, B both hubs; 10-TEU trains (S1 at H1, S2 at H2, both to D):
    #   all hubs {H1, H2}: A + B = 7 + 8 = 15 TEU, beta 1.5 -> n1 + n2 + (uA + uB) / 5 >= 2
    #   A's reach {H1}:    A = 7 TEU,       beta 0.7 -> n1 + uA / 7 >= 1
    #   B's reach is all hubs: the same row as the first.
    inst = tiny_instance(
        cities=["A", "B"], hubs=["H1", "H2"], destinations=["D"],
        demand=[{"origin": "A", "destination": "D", "teu": 7}, {"origin": "B", "destination": "D", "teu": 8}],
        legs=[{"city_id": "A", "hub_id": "H1", "cost_per_teu": 5}, {"city_id": "B", "hub_id": "H1", "cost_per_teu": 9},
              {"city_id": "B", "hub_id": "H2", "cost_per_teu": 5}],
        services=[{"service_id": "S1", "hub_id": "H1", "destination_id": "D", "cost_per_train": 1000, "train_capacity_teu": 10},
                  {"service_id": "S2", "hub_id": "H2", "destination_id": "D", "cost_per_train": 1000, "train_capacity_teu": 10}],
        unserved_penalty=500, return_flows=False,
    )
    fm = build_model(inst, cuts=True)
    assert fm.row_keys["train_rounding"] == [("D", ("H1", "H2")), ("D", ("H1",))]
    (both, both_ub), (h1, h1_ub) = rows_of(fm, "train_rounding")
    assert both_ub == pytest.approx(-2) and both == pytest.approx({"n[0]": -1.0, "n[1]": -1.0, "u[0]": -0.2, "u[1]": -0.2})
    assert h1_ub == pytest.approx(-1) and h1 == pytest.approx({"n[0]": -1.0, "u[0]": -1 / 7})


def test_the_rows_lift_the_lp_bound_to_the_optimum_of_one_line():
    # 25 TEU: the LP runs 2.5 trains (2,500 + 125 = 2,625); the MIP runs 3 (3,000 + 125 = 3,125),
    # since leaving 5 TEU unserved costs 2,500 > one more train. With the row, the LP runs 3 too.
    inst = one_line(25, return_flows=False)
    assert lp_bound(build_model(inst)) == pytest.approx(2625)
    assert lp_bound(build_model(inst, cuts=True)) == pytest.approx(3125)
    r = solve_instance(inst, mip_gap=0.0)
    assert r.summary["objective"] == pytest.approx(3125)


def test_no_row_for_whole_trains_or_a_service_without_train_count():
    assert not hasattr(build_model(one_line(30, return_flows=False), cuts=True).model, "train_rounding")  # 3 whole trains
    free = tiny_instance(  # no train cost, minimum or maximum: no train count, no capacity row, no rounding
        cities=["C"], hubs=["H"], destinations=["D"],
        demand=[{"origin": "C", "destination": "D", "teu": 25}],
        legs=[{"city_id": "C", "hub_id": "H", "cost_per_teu": 5}],
        services=[{"service_id": "S", "hub_id": "H", "destination_id": "D", "cost_per_train": 0, "fixed_cost": 100}],
        unserved_penalty=500, return_flows=False,
    )
    assert not hasattr(build_model(free, cuts=True).model, "train_rounding")


def test_only_the_plain_strategy_solves_without_them():
    assert adds_cuts("search") and not adds_cuts("plain")
    with pytest.raises(ValueError, match="strategy must be one of"):
        adds_cuts("fast")


@pytest.mark.parametrize("overrides", [
    {"demand_scale": 0.77, "max_hubs_per_destination": 1},
    {"demand_scale": 1.13, "train_capacity_teu": 70},
])
def test_optima_are_the_same_with_and_without_them(overrides):
    # A corridor whose trains to every destination are fractional in the LP: the rows cut deep
    # into the relaxation (its bound rises) and leave the optimum (gap 0) where it is.
    inst = apply_overrides(generate_corridor(16, 4, 6, seed=2), overrides)
    assert_same_optimum_higher_lp_bound(inst, "train_rounding", at_least=4)


def assert_same_optimum_higher_lp_bound(inst, family: str, at_least: int) -> None:
    """With the valid inequalities (``family`` has ``at_least`` rows) the optimum at gap 0 is the
    same as without them and the LP bound is higher."""
    plain, strong = build_model(inst), build_model(inst, cuts=True)
    assert len(getattr(strong.model, family)) >= at_least
    objectives = []
    for fm in (plain, strong):
        res = HighsSolver(mip_gap=0.0, strategy="plain", time_limit=300).solve(fm.model, labels=freight_labels(fm))
        assert res.status == "optimal"
        objectives.append(res.objective)
    assert objectives[1] == pytest.approx(objectives[0], rel=1e-9)
    assert lp_bound(build_model(inst, cuts=True)) > lp_bound(build_model(inst)) + 1.0


def hub_pair(demand, legs, hubs, **params):
    """Cities to destination D through hubs of given capacity and fixed cost; one free service per
    hub (no train count), feeder 5 CNY/TEU unless given, penalty 10,000 CNY/TEU."""
    services = [{"service_id": f"S{i}", "hub_id": h["hub_id"], "destination_id": "D", "cost_per_train": 0} for i, h in enumerate(hubs)]
    cities = sorted({d["origin"] for d in demand})
    return tiny_instance(cities=cities, hubs=hubs, destinations=["D"], demand=demand, legs=legs, services=services,
                         unserved_penalty=10_000, **params)


def test_the_hub_rounding_rows_by_hand():
    # A (7 TEU) reaches H1 only; B (8 TEU west, 3 back) reaches H1 and H2; H1 passes 10 TEU, H2 4:
    #   all hubs: 18 TEU, U^ = 10, beta 1.8 (f 0.8), a_H2 = 0.4 -> w1 + 0.5 w2 + (uA + uB + u'B) / 8 >= 2
    #   A's reach {H1}: 7 TEU, beta 0.7 -> w1 + uA / 7 >= 1;  B's reaches are all hubs: the first row.
    hubs = [{"hub_id": "H1", "capacity_teu": 10, "fixed_cost": 100}, {"hub_id": "H2", "capacity_teu": 4, "fixed_cost": 100}]
    demand = [{"origin": "A", "destination": "D", "teu": 7}, {"origin": "B", "destination": "D", "teu": 8, "return_teu": 3}]
    legs = [{"city_id": "A", "hub_id": "H1", "cost_per_teu": 5}, {"city_id": "B", "hub_id": "H1", "cost_per_teu": 5},
            {"city_id": "B", "hub_id": "H2", "cost_per_teu": 5}]
    fm = build_model(hub_pair(demand, legs, hubs, return_flows=True), cuts=True)
    assert fm.row_keys["hub_rounding"] == [("H1", "H2"), ("H1",)]
    (both, both_ub), (h1, h1_ub) = rows_of(fm, "hub_rounding")
    assert both_ub == pytest.approx(-2) and both == pytest.approx({"w[0]": -1.0, "w[1]": -0.5, "u[0]": -1 / 8, "u[1]": -1 / 8, "ur[0]": -1 / 8})
    assert h1_ub == pytest.approx(-1) and h1 == pytest.approx({"w[0]": -1.0, "u[0]": -1 / 7})


def test_a_hub_without_fixed_cost_passes_its_capacity_as_a_constant():
    # H2 has no open/closed variable: it passes at most its 4 TEU whatever the plan, so the boxes of
    # all hubs leave 15 - 4 = 11 TEU for H1 (beta 1.1): w1 + (uA + uB) / 1 >= 2.
    hubs = [{"hub_id": "H1", "capacity_teu": 10, "fixed_cost": 100}, {"hub_id": "H2", "capacity_teu": 4}]
    demand = [{"origin": "A", "destination": "D", "teu": 7}, {"origin": "B", "destination": "D", "teu": 8}]
    legs = [{"city_id": c, "hub_id": h, "cost_per_teu": 5} for c in "AB" for h in ("H1", "H2")]
    fm = build_model(hub_pair(demand, legs, hubs, return_flows=False), cuts=True)
    (row, ub), = rows_of(fm, "hub_rounding")
    assert ub == pytest.approx(-2) and row == pytest.approx({"w[0]": -1.0, "u[0]": -1.0, "u[1]": -1.0})


def test_the_hub_rows_lift_the_lp_bound_to_the_optimum():
    # Two cities of 15 TEU, two hubs of 20 TEU at 1,000 CNY: the LP opens 0.75 of each (each city
    # splits 7.5/7.5): 1,500 + feeder 150; the plan needs both hubs: 2,000 + 150. With the row
    # w1 + w2 + u / 10 >= 2 the LP opens both too.
    hubs = [{"hub_id": h, "capacity_teu": 20, "fixed_cost": 1000} for h in ("H1", "H2")]
    demand = [{"origin": c, "destination": "D", "teu": 15} for c in "AB"]
    legs = [{"city_id": c, "hub_id": h, "cost_per_teu": 5} for c in "AB" for h in ("H1", "H2")]
    inst = hub_pair(demand, legs, hubs, return_flows=False)
    assert lp_bound(build_model(inst)) == pytest.approx(1650)
    assert lp_bound(build_model(inst, cuts=True)) == pytest.approx(2150)
    assert solve_instance(inst, mip_gap=0.0).summary["objective"] == pytest.approx(2150)


@pytest.mark.parametrize("shares", [(0.3,) * 4, (0.45, 0.2, 0.35, 0.3)])
def test_optima_are_the_same_with_and_without_the_hub_rows(shares):
    # Hubs whose capacities (shares of all the boxes, both ways) bind: the hub rows cut into the LP
    # relaxation and leave the optimum (gap 0) where it is.
    inst = generate_corridor(10, 4, 3, seed=4)
    boxes = inst.demand["teu"].sum() + inst.demand["return_teu"].sum()
    inst = replace(inst, hubs=inst.hubs.assign(capacity_teu=[round(s * boxes) for s in shares]))
    assert_same_optimum_higher_lp_bound(inst, "hub_rounding", at_least=1)
