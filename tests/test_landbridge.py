"""The bundled default instance ``instances/landbridge``: it loads, has the promised size, its status
quo is consistent, and (solved) the optimised network beats the status quo."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimizer.freight.run import solve_instance
from optimizer.instance.load import load_instance

LANDBRIDGE = Path(__file__).resolve().parents[1] / "instances" / "landbridge"
CORRIDOR_PROVINCES = {"Shandong", "Jiangsu", "Henan", "Shaanxi", "Gansu", "Qinghai", "Ningxia", "Xinjiang"}
ASSEMBLY_CENTRES = {"xian", "zhengzhou", "chongqing", "chengdu", "urumqi"}


@pytest.fixture(scope="module")
def inst():
    return load_instance(LANDBRIDGE)


def test_sizes(inst):
    assert len(inst.cities) >= 30
    assert len(inst.hubs) >= 8
    assert set(inst.gateways.index) == {"alashankou", "khorgos", "erenhot", "manzhouli"}
    assert len(inst.destinations) >= 10
    assert inst.has_status_quo
    assert len(inst.status_quo_assignments) == len(inst.demand)
    assert inst.meta["warnings"] == []


def test_cities_cover_the_corridor_and_the_xian_feeders(inst):
    assert CORRIDOR_PROVINCES <= set(inst.cities["province"])
    names = set(inst.cities["name"])
    assert {"Guiyang", "Shijiazhuang", "Tangshan", "Xiamen", "Xuzhou", "Changzhou", "Wuhan"} <= names
    assert {"Shiyan", "Xiangyang", "Bengbu", "Wuhu", "Nanyang"} <= names
    assert ASSEMBLY_CENTRES <= set(inst.hubs.index)
    assert (inst.cities["name_zh"] != "").all()


@pytest.fixture(scope="module")
def solved(inst):
    return solve_instance(inst)


def test_demand_is_sparse_in_trainloads_with_smaller_returns(inst):
    d = inst.demand
    assert len(d) < len(inst.cities) * len(inst.destinations) / 2
    assert (d["teu"] > 0).all()
    assert (d["teu"] % inst.params["train_capacity_teu"] == 0).all()
    assert (d["return_teu"] < d["teu"]).all()


def test_status_quo_lines_start_at_hubs_and_carry_todays_boxes(inst):
    """Every assigned (city, terminal) rides a status-quo line of its hub, and each line's trains
    hold its westbound and return boxes at 82 TEU a train."""
    svc = inst.services.loc[inst.status_quo.index]
    lines = {(h, d): n for h, d, n in zip(svc["hub_id"], svc["destination_id"], inst.status_quo["trains"])}
    a = inst.status_quo_assignments.merge(
        inst.demand, left_on=["city_id", "destination_id"], right_on=["origin", "destination"]
    )
    load = a.groupby(["hub_id", "destination_id"])[["teu", "return_teu"]].sum()
    assert set(load.index) == set(lines)
    for (h, d), row in load.iterrows():
        assert max(row["teu"], row["return_teu"]) <= 82 * lines[h, d]
    assert (inst.status_quo["trains"] >= svc["min_trains"]).all()
    # today's duplication: several terminals are served from more than three hubs
    assert (svc.groupby("destination_id")["hub_id"].nunique() > 3).sum() >= 5


def test_optimised_network_beats_the_status_quo(solved):
    s = solved.summary
    assert s["status"] == "optimal"
    assert s["baseline"]["status"] == "optimal"
    opt, today = s["kpis"], s["baseline"]["kpis"]
    assert opt["total_cost"] < today["total_cost"]
    assert opt["trains"] < today["trains"]
    assert opt["avg_load_factor"] > today["avg_load_factor"]
    assert opt["min_load_factor"] > today["min_load_factor"]
    assert opt["services_open"] < today["services_open"]
    assert opt["hubs_open"] < today["hubs_open"]
    assert opt["destinations_multi_hub"] < today["destinations_multi_hub"]
    assert opt["unserved_teu"] == today["unserved_teu"] == 0


def test_plans_carry_all_demand_within_train_and_policy_limits(inst, solved):
    flows, services = solved.tables["flows"], solved.tables["services"]
    for plan in ("baseline", "optimised"):
        f = flows[flows["plan"] == plan]
        for direction, column in (("west", "teu"), ("east", "return_teu")):
            carried = f[f["direction"] == direction].groupby(["city_id", "destination_id"])["teu"].sum()
            wanted = inst.demand.set_index(["origin", "destination"])[column]
            wanted = wanted[wanted > 0]
            assert carried.sum() == pytest.approx(wanted.sum())
            assert carried.reindex(wanted.index).to_numpy() == pytest.approx(wanted.to_numpy())
        s = services[(services["plan"] == plan) & services["open"]]
        assert (s["load_factor"] <= 1 + 1e-9).all()
        assert (s["load_factor_east"] <= 1 + 1e-9).all()
    opt = services[(services["plan"] == "optimised") & services["open"]]
    hubs_per_destination = opt.groupby("destination_id")["hub_id"].nunique()
    assert (hubs_per_destination <= inst.destinations.loc[hubs_per_destination.index, "max_hubs"]).all()
