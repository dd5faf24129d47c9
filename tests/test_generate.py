"""Synthetic corridor generator: determinism, sparsity, realism of the pieces, solvable by construction."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from optimizer.cli import main
from optimizer.errors import InputError
from optimizer.freight.run import solve_plan
from optimizer.instance.generate import GATEWAYS, generate_corridor
from optimizer.instance.load import load_instance
from optimizer.instance.schema import TABLES
from optimizer.instance.write import write_instance


@pytest.fixture(scope="module")
def big():
    return generate_corridor(500, 40, 60, seed=7)


def test_same_seed_same_instance_other_seed_other_instance():
    a, b, c = (generate_corridor(60, 8, 12, seed=s) for s in (3, 3, 4))
    for t in TABLES:
        pd.testing.assert_frame_equal(getattr(a, t.name), getattr(b, t.name))
    assert a.params == b.params
    assert not a.demand.equals(c.demand)


def test_sizes_and_sparsity(big):
    s = big.summary()
    assert (s["cities"], s["hubs"], s["gateways"], s["destinations"]) == (500, 40, 4, 60)
    per_city_legs = big.feeder_legs.groupby("city_id").size()
    assert per_city_legs.index.nunique() == 500
    assert per_city_legs.min() >= 2 and per_city_legs.mean() < 10  # a handful of hubs each, out of 40
    per_city_dests = big.demand.groupby("origin").size()
    assert per_city_dests.max() <= 12 and per_city_dests.mean() < 8  # a sparse subset of the 60 destinations
    per_pair = big.services.groupby(["hub_id", "destination_id"]).size()
    assert per_pair.max() <= 2  # one or two gateways per hub and destination
    assert len(big.services) < 40 * 60 * 2


def test_hubs_are_the_largest_cities_and_stand_at_them(big):
    assert set(big.hubs["city_id"]) <= set(big.cities.index)
    own = big.feeder_legs.merge(big.hubs.reset_index()[["hub_id", "city_id"]], on=["city_id", "hub_id"])
    assert len(own) == 40 and (own["cost_per_teu"] == 0).all() and (own["days"] == 0).all()
    westbound = big.demand.groupby("origin")["teu"].sum()
    assert westbound[big.hubs["city_id"]].mean() > 3 * westbound.mean()  # hub cities are the big shippers


def test_realistic_pieces(big):
    assert list(big.gateways.index) == [g[0] for g in GATEWAYS]
    assert big.gateways.loc["KHORGOS", "capacity_trains"] == 8500.0
    assert big.demand["teu"].sum() == pytest.approx(1.2e6, rel=0.01)
    # heavy tail: the top 10 % of cities ship far more than 10 % of the boxes
    by_city = big.demand.groupby("origin")["teu"].sum().sort_values(ascending=False)
    assert by_city.head(50).sum() > 0.35 * by_city.sum()
    ratio = big.demand["return_teu"] / big.demand["teu"]
    assert ratio.between(0, 0.91).all()
    assert set(big.services["min_trains"]) == {0.0, 52.0}
    assert (big.services["train_capacity_teu"] == 82.0).all()
    # CNY 400 k + 190 per km, ± 10 %: about CNY 2.3 M for a 10,000 km train (US$ 7-9 k per FEU on 41 FEU)
    ratio_to_model = big.services["cost_per_train"] / (400_000 + 190 * big.services["distance_km"])
    assert ratio_to_model.between(0.89, 1.11).all()
    europe = big.services[big.services["destination_id"] == "DUISBURG"]
    assert europe["distance_km"].between(7000, 13000).all() and europe["cost_per_train"].between(1.5e6, 3.2e6).all()
    assert big.services["days"].between(1.5, 25).all()
    dests = big.destinations
    assert {"DUISBURG", "ALMATY", "MOSCOW"} <= set(dests.index) and dests["lon"].between(-10, 110).all()


def test_status_quo_has_duplicated_services(big):
    sq = big.services.loc[big.status_quo.index]
    assert len(sq) > 40
    assert sq.groupby("destination_id")["hub_id"].nunique().max() >= 10  # many hubs run to the same terminal
    a = big.status_quo_assignments
    assert len(a) > 0 and not a.duplicated(["city_id", "destination_id"]).any()


def test_status_quo_lines_stay_within_their_limits(big):
    sq = big.services.loc[big.status_quo.index].assign(trains=big.status_quo["trains"])
    assert (sq["trains"] >= sq["min_trains"]).all() and (sq["trains"] <= sq["max_trains"]).all()
    through = sq.groupby("gateway_id")["trains"].sum()
    assert (through <= big.gateways.loc[through.index, "capacity_trains"]).all()
    lines = set(zip(sq["hub_id"], sq["destination_id"]))
    a = big.status_quo_assignments
    assert set(zip(a["hub_id"], a["destination_id"])) <= lines  # every assigned pair has its hub's line
    own = a.merge(big.hubs.reset_index()[["hub_id", "city_id"]], on="city_id", suffixes=("", "_own"))
    assert (own["hub_id"] == own["hub_id_own"]).mean() > 0.9  # hub cities ship from their own platform


@pytest.mark.parametrize("size", [(20, 4, 6, 1), (60, 8, 12, 3), (130, 30, 60, 3), (250, 20, 30, 0)])
def test_status_quo_carries_all_demand(size):
    """Today's network (the baseline: status-quo lines, trains and assignments fixed) leaves no box behind."""
    cities, hubs, destinations, seed = size
    inst = generate_corridor(cities, hubs, destinations, seed=seed)
    today = solve_plan(inst, baseline=True, time_limit=60, mip_gap=None, log_path=None)
    assert today.solve.status == "optimal"
    assert today.kpis["unserved_teu"] == pytest.approx(0.0, abs=1e-6)
    assert today.kpis["served_teu"] == pytest.approx(inst.demand["teu"].sum() + inst.demand["return_teu"].sum())
    assert today.kpis["hubs_open"] == hubs  # every platform runs trains today


SMALL = [(1, 1, 1, 0), (5, 1, 3, 2), (12, 2, 4, 0), (20, 4, 6, 1), (40, 6, 8, 5), (60, 8, 12, 3), (80, 10, 20, 11)]


@pytest.mark.parametrize("size", SMALL)
def test_every_city_with_demand_has_a_line_today(size):
    """Each demand pair has today's hub: a feeder leg to it, a status-quo line from it to the destination within
    the pair's max_days, and per line group (hub, destination) trains enough for the westbound and return TEU
    assigned to it; hubs handle today's boxes; most pairs ship from their city's home platform (own hub, else cheapest leg)."""
    cities, hubs, destinations, seed = size
    inst = generate_corridor(cities, hubs, destinations, seed=seed)
    a = inst.status_quo_assignments
    pairs = inst.demand.merge(a, left_on=["origin", "destination"], right_on=["city_id", "destination_id"], how="left", validate="one_to_one")
    assert pairs["hub_id"].notna().all()  # every pair has a hub today, none is left to chance
    sq = inst.services.loc[inst.status_quo.index].assign(trains=inst.status_quo["trains"]).reset_index()
    legs = inst.feeder_legs[["city_id", "hub_id", "days", "cost_per_teu"]]
    routes = pairs.merge(legs, on=["city_id", "hub_id"]).merge(sq, on=["hub_id", "destination_id"], suffixes=("_leg", "_svc"))
    ok = routes[routes["days_leg"] + routes["days_svc"] <= routes["max_days"] + 1e-9]
    assert set(zip(ok["origin"], ok["destination"])) == set(zip(pairs["origin"], pairs["destination"]))
    carried = pairs.groupby(["hub_id", "destination_id"])[["teu", "return_teu"]].sum()
    room = sq.assign(cap=sq["trains"] * sq["train_capacity_teu"]).groupby(["hub_id", "destination_id"])["cap"].sum()
    assert (carried["teu"] <= room[carried.index] + 1e-6).all() and (carried["return_teu"] <= room[carried.index] + 1e-6).all()
    assert (sq["trains"] >= sq["min_trains"]).all() and (sq["trains"] <= sq["max_trains"]).all()
    through = sq.groupby("gateway_id")["trains"].sum()
    assert (through <= inst.gateways.loc[through.index, "capacity_trains"]).all()
    handled = pairs.groupby("hub_id")[["teu", "return_teu"]].sum().sum(axis=1)
    assert (handled <= inst.hubs.loc[handled.index, "capacity_teu"]).all()
    own = dict(zip(inst.hubs["city_id"], inst.hubs.index))
    cheapest = inst.feeder_legs.sort_values(["cost_per_teu", "hub_id"], kind="stable").groupby("city_id")["hub_id"].first()
    home = pairs["origin"].map(lambda c: own.get(c, cheapest[c]))
    assert (pairs["hub_id"] == home).mean() >= 0.75


@pytest.mark.parametrize("size", SMALL)
def test_status_quo_of_small_corridors_leaves_nothing_unserved(size):
    cities, hubs, destinations, seed = size
    inst = generate_corridor(cities, hubs, destinations, seed=seed)
    today = solve_plan(inst, baseline=True, time_limit=60, mip_gap=None, log_path=None)
    assert today.solve.status == "optimal"
    assert today.kpis["unserved_teu"] == pytest.approx(0.0, abs=1e-6)


def test_every_demand_has_a_route_and_the_instance_validates(tmp_path):
    inst = generate_corridor(120, 12, 20, seed=1)
    routes = inst.demand.merge(inst.feeder_legs, left_on="origin", right_on="city_id").merge(
        inst.services, left_on=["hub_id", "destination"], right_on=["hub_id", "destination_id"]
    )
    routes["total_days"] = routes["days_x"] + routes["days_y"]
    fastest = routes.groupby(["origin", "destination"])["total_days"].min()
    assert len(fastest) == len(inst.demand)
    limits = inst.demand.set_index(["origin", "destination"])["max_days"]
    assert (fastest <= limits[fastest.index]).all() and np.isfinite(limits).any()
    loaded = load_instance(write_instance(inst, tmp_path / "gen"))  # every check of the loader passes
    for t in TABLES:
        pd.testing.assert_frame_equal(getattr(inst, t.name), getattr(loaded, t.name))


def test_more_destinations_than_the_list_and_tiny_sizes():
    many = generate_corridor(30, 5, 70, seed=2)
    assert many.destinations.index.is_unique and len(many.destinations) == 70
    tiny = generate_corridor(1, 1, 1, seed=0)
    assert tiny.summary()["demand_pairs"] == 1 and len(tiny.services) >= 1


def test_bad_sizes():
    with pytest.raises(InputError) as info:
        generate_corridor(10, 20, 0, seed=0)
    text = str(info.value)
    assert "--hubs" in text and "--destinations" in text


def test_cli_generate(tmp_path):
    out = tmp_path / "gen"
    runner = CliRunner()
    ok = runner.invoke(main, ["generate", "corridor", "--cities", "40", "--hubs", "6", "--destinations", "8", "--seed", "5", "--out", str(out)])
    assert ok.exit_code == 0, ok.output
    assert load_instance(out).summary()["cities"] == 40
    bad = subprocess.run(
        [sys.executable, "-m", "optimizer", "generate", "corridor", "--cities", "3", "--hubs", "5", "--destinations", "2", "--out", str(tmp_path / "bad")],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and "--hubs" in bad.stderr and "Traceback" not in bad.stderr
    assert not (tmp_path / "bad").exists()
