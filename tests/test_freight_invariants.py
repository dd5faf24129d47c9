"""Invariants of the freight model on small generated corridors (no hand-computed optimum needed).

Every solve proves optimality (MIP gap 0), so comparisons between scenarios are exact up to
floating-point tolerance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from optimizer.freight.model import build_model
from optimizer.freight.run import solve_instance
from optimizer.instance.generate import generate_corridor
from optimizer.instance.overrides import apply_overrides
from optimizer.solve import HighsSolver

REL = 1e-7


@pytest.fixture(scope="module")
def corridor():
    return generate_corridor(12, 4, 3, seed=1)


@pytest.fixture(scope="module")
def solved(corridor):
    return solve_instance(corridor, mip_gap=0.0)


def cost(instance) -> float:
    res = HighsSolver(mip_gap=0.0).solve(build_model(instance).model)
    assert res.status == "optimal"
    return res.objective


def scaled(instance, table: str, column: str, factor: float):
    new = instance.copy()
    getattr(new, table)[column] = getattr(new, table)[column] * factor
    return new


def test_relaxing_the_duplication_limit_never_raises_the_cost(corridor):
    costs = [cost(apply_overrides(corridor, {"max_hubs_per_destination": k})) for k in (1, 2, None)]
    assert costs[0] >= costs[1] * (1 - REL) and costs[1] >= costs[2] * (1 - REL)
    assert costs[0] > costs[2] * (1 + 1e-6)  # K = 1 binds on this corridor


def test_relaxing_capacities_never_raises_the_cost(corridor):
    free = cost(corridor)
    hubs = cost(scaled(corridor, "hubs", "capacity_teu", 0.3))
    gates = cost(scaled(corridor, "gateways", "capacity_trains", 0.2))
    assert hubs > free * (1 + 1e-6) and gates > free * (1 + 1e-6)  # both bind when tightened


def test_closing_a_hub_never_lowers_the_cost(corridor, solved):
    busiest = solved.plan.tables["hubs"].sort_values("throughput_teu").iloc[-1]["hub_id"]
    assert cost(apply_overrides(corridor, {"closed_hubs": busiest})) >= solved.summary["objective"] * (1 - REL)


@pytest.mark.parametrize("plan", ["optimised", "baseline"])
def test_flows_add_up_to_demand_minus_unserved(corridor, solved, plan):
    flows = solved.tables["flows"].query("plan == @plan")
    unserved = solved.tables["unserved"].query("plan == @plan")
    dem = corridor.demand
    for direction, col in (("west", "teu"), ("east", "return_teu")):
        carried = flows[flows["direction"] == direction].groupby(["city_id", "destination_id"])["teu"].sum()
        left = unserved[unserved["direction"] == direction].groupby(["origin", "destination"])["teu"].sum()
        want = dem[dem[col] > 0].set_index(["origin", "destination"])[col]
        got = carried.reindex(want.index, fill_value=0.0).to_numpy() + left.reindex(want.index, fill_value=0.0).to_numpy()
        np.testing.assert_allclose(got, want.to_numpy(), rtol=1e-7, atol=1e-4)


@pytest.mark.parametrize("plan", ["optimised", "baseline"])
def test_capacities_hold_and_load_factors_at_most_one(corridor, solved, plan):
    svc = solved.tables["services"].query("plan == @plan")
    running = svc[svc["trains"] > 0]
    assert (running["load_factor"] <= 1 + 1e-9).all() and (running["load_factor_east"] <= 1 + 1e-9).all()
    assert (svc.loc[svc["trains"] == 0, ["teu_west", "teu_east"]].to_numpy() <= 1e-6).all()
    kappa = corridor.services.loc[svc["service_id"], "train_capacity_teu"].to_numpy()
    np.testing.assert_allclose(svc["capacity_teu"], kappa * svc["trains"])
    per_gate = svc.groupby("gateway_id")["trains"].sum()
    assert (per_gate <= corridor.gateways.loc[per_gate.index, "capacity_trains"] + 1e-9).all()
    hubs = solved.tables["hubs"].query("plan == @plan")
    assert (hubs["throughput_teu"] <= hubs["capacity_teu"] * (1 + 1e-9)).all()
    open_svc = svc[svc["open"]]
    if plan == "optimised":
        assert (open_svc["trains"] >= corridor.services.loc[open_svc["service_id"], "min_trains"].to_numpy() - 1e-9).all()


def test_kpis_match_the_objective_and_tables(solved):
    for part in ("kpis",):
        k = solved.summary[part]
        assert k["total_cost"] == pytest.approx(solved.summary["objective"], rel=1e-9)
        assert k["total_cost"] == pytest.approx(sum(k["cost_breakdown"].values()), rel=1e-12)
    b = solved.summary["baseline"]
    assert b["kpis"]["total_cost"] == pytest.approx(b["objective"], rel=1e-9)
    flows = solved.tables["flows"].query("plan == 'optimised'")
    assert solved.summary["kpis"]["served_teu"] == pytest.approx(flows["teu"].sum())


def test_baseline_never_beats_the_optimised_plan(solved):
    # The corridor has no duplication limit, closed hub or hub-count limit: the optimised plan may
    # use every service of today's network, so it costs at most as much.
    assert solved.summary["baseline"]["objective"] >= solved.summary["objective"] * (1 - REL)


def test_changes_are_consistent_with_the_tables(solved):
    svc = solved.tables["services"]
    b_open = set(svc.query("plan == 'baseline' and open")["service_id"])
    o_open = set(svc.query("plan == 'optimised' and open")["service_id"])
    ch = solved.summary["changes"]
    assert set(ch["services_closed"]) == b_open - o_open and set(ch["services_opened"]) == o_open - b_open
    table = solved.tables["changes"]
    assert len(table) == len(ch["services_closed"]) + len(ch["services_opened"]) + len(ch["cities_reassigned"])
    assert isinstance(table, pd.DataFrame)
