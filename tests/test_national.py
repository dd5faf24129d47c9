"""The bundled national instance ``instances/national``: it loads without warnings, has the promised
size, today's network (the status quo) carries all of today's demand from each city's own platform,
and ``build.py`` reproduces the committed CSV files byte for byte.

The optimised plan is not solved here (about a minute of HiGHS on two cores); the README records
the solve."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from optimizer.freight.run import solve_plan
from optimizer.instance.load import load_instance

NATIONAL = Path(__file__).resolve().parents[1] / "instances" / "national"
GATEWAYS = {"alashankou", "khorgos", "erenhot", "manzhouli", "suifenhe", "tongjiang"}
NDRC_CENTRES = {"xian", "zhengzhou", "chengdu", "chongqing", "urumqi"}


@pytest.fixture(scope="module")
def inst():
    return load_instance(NATIONAL)


@pytest.fixture(scope="module")
def build():
    spec = importlib.util.spec_from_file_location("national_build", NATIONAL / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_sizes(inst):
    assert len(inst.cities) >= 100
    assert set(inst.gateways.index) == GATEWAYS
    assert {"Suifenhe", "Tongjiang North"} <= set(inst.gateways["name"])
    assert 40 <= len(inst.destinations) <= 80
    assert inst.has_status_quo
    assert inst.meta["warnings"] == []
    # every terminal has demand, every city ships something
    assert set(inst.demand["destination"]) == set(inst.destinations.index)
    assert set(inst.demand["origin"]) == set(inst.cities.index)


def test_cities_have_coordinates_and_provinces_beyond_the_corridor(inst):
    c = inst.cities
    assert c["lon"].between(73, 135).all() and c["lat"].between(18, 54).all()
    assert (c["province"] != "").all() and (c["name_zh"] != "").all()
    provinces = set(c["province"])
    assert len(provinces) >= 25
    assert {"Heilongjiang", "Guangdong", "Zhejiang", "Liaoning", "Yunnan", "Inner Mongolia"} <= provinces
    assert len(set(zip(c["lon"], c["lat"]))) == len(c)  # no two cities at one place


def test_fourteen_assembly_centres_among_the_hubs(inst, build):
    h = inst.hubs
    centres = h[h["name"].str.endswith("assembly centre")]
    assert len(centres) == 14
    assert set(centres.index) == set(build.ASSEMBLY_CENTRES)
    assert NDRC_CENTRES <= set(centres.index)
    assert centres["name_zh"].str.endswith("集结中心").all()
    regional = h[h["name"].str.endswith("regional hub")]
    assert len(regional) >= 5
    # centres and regional candidates can run to every terminal; city platforms only their own lines
    svc = inst.services
    for hub in list(centres.index) + list(regional.index):
        assert set(svc.loc[svc["hub_id"] == hub, "destination_id"]) == set(inst.destinations.index)


def test_demand_is_calibrated_to_the_2025_totals(inst, build):
    d = inst.demand
    assert d["teu"].sum() == pytest.approx(build.OUT_TEU_2025, rel=0.01)
    assert d["return_teu"].sum() == pytest.approx(build.IN_TEU_2025, rel=0.01)
    kappa = inst.params["train_capacity_teu"]
    assert (d["teu"] > 0).all() and (d["teu"] % kappa == 0).all() and (d["return_teu"] % kappa == 0).all()
    # the city split: Xi'an about a fifth, the 14 centres most of it, no single small city much
    by_city = d.groupby("origin")["teu"].sum() / d["teu"].sum()
    assert 0.25 <= by_city["xian"] <= 0.35
    assert by_city[list(build.ASSEMBLY_CENTRES)].sum() >= 0.8


def test_status_quo_runs_every_city_from_its_own_platform(inst):
    a = inst.status_quo_assignments
    assert len(a) == len(inst.demand)
    assert (a["city_id"] == a["hub_id"]).all()
    svc = inst.services.loc[inst.status_quo.index]
    assert (inst.status_quo["trains"] >= svc["min_trains"]).all()
    # today's duplication: several terminals are served from more than three platforms
    assert (svc.groupby("destination_id")["hub_id"].nunique() > 3).sum() >= 10
    # every port carries some of today's trains and none beyond its capacity
    per_gate = inst.status_quo["trains"].groupby(svc["gateway_id"]).sum()
    assert set(per_gate.index) == GATEWAYS
    assert (per_gate <= inst.gateways.loc[per_gate.index, "capacity_trains"]).all()


def test_status_quo_serves_all_demand(inst):
    base = solve_plan(inst, baseline=True, time_limit=120, mip_gap=None, log_path=None)
    assert base.solve.status == "optimal"
    assert base.kpis["unserved_teu"] == 0
    assert base.kpis["served_teu"] == pytest.approx(inst.demand["teu"].sum() + inst.demand["return_teu"].sum())
    assert base.kpis["services_open"] == len(inst.status_quo)
    assert base.kpis["hubs_open"] == len(inst.hubs)
    assert base.kpis["trains"] == inst.status_quo["trains"].sum()


def test_build_reproduces_the_committed_files(build):
    files, _ = build.outputs()
    committed = sorted(p.name for p in NATIONAL.glob("*.csv"))
    assert sorted(files) == committed
    for name, text in files.items():
        assert (NATIONAL / name).read_bytes() == text.encode("utf-8"), name
