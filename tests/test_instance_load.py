"""Loading and validating native instance folders: defaults, every error path, the validate command, write/read."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from conftest import write_folder
from optimizer.cli import main
from optimizer.errors import InputError
from optimizer.instance.load import load_instance, validate
from optimizer.instance.network import derive_feeder_legs, haversine_km
from optimizer.instance.schema import PARAMETERS, TABLES, markdown
from optimizer.instance.write import write_instance


def problems_of(folder) -> InputError:
    with pytest.raises(InputError) as info:
        load_instance(folder)
    return info.value


def where(err: InputError) -> set[tuple]:
    return {(p.file, p.row, p.column) for p in err.problems}


def assert_same_instance(a, b) -> None:
    for t in TABLES:
        pd.testing.assert_frame_equal(getattr(a, t.name), getattr(b, t.name))
    assert a.params == b.params
    assert a.name == b.name


# ---------------------------------------------------------------------------------- good input


def test_tiny_instance_loads_with_defaults(tiny_dir):
    inst = load_instance(tiny_dir)
    assert inst.summary()["cities"] == 3 and inst.summary()["services"] == 3
    assert inst.name == "tiny" and inst.params["unserved_penalty"] == 50000.0
    # blanks take their defaults: no capacity limit, no fixed cost, no return demand
    assert inst.hubs.loc["H_XIAN", "capacity_teu"] == np.inf
    assert inst.hubs.loc["H_LANZHOU", "fixed_cost"] == 0.0
    assert inst.demand.loc[1, "return_teu"] == 0.0
    # blanks that refer to a parameter take its value: train capacity 82, max_days and max_hubs unlimited
    assert inst.services["train_capacity_teu"].tolist() == [82.0, 82.0, 82.0]
    assert inst.demand["max_days"].tolist() == [np.inf, np.inf, 20.0]
    assert inst.destinations["max_hubs"].tolist() == [np.inf, 1.0]
    assert inst.services.loc["XIAN-DUI", "max_trains"] == np.inf
    assert inst.status_quo.loc["XIAN-DUI", "trains"] == 60.0
    assert inst.meta["warnings"] == [] and inst.meta["feeder_legs"] == "derived from coordinates"


def test_derived_legs_hub_at_its_city_is_free_and_far_pairs_are_dropped(tiny_dir):
    legs = load_instance(tiny_dir).feeder_legs.set_index(["city_id", "hub_id"])
    assert legs.loc[("XIAN", "H_XIAN"), ["cost_per_teu", "days", "distance_km"]].tolist() == [0.0, 0.0, 0.0]
    # Baoji → Xi'an: great circle ≈ 156 km, × circuity 1.25 ≈ 195 km, road 4 CNY/TEU-km, 500 km/day
    km = float(haversine_km(107.24, 34.36, 108.94, 34.34)) * 1.25
    assert legs.loc[("BAOJI", "H_XIAN"), "distance_km"] == pytest.approx(km)
    assert legs.loc[("BAOJI", "H_XIAN"), "cost_per_teu"] == pytest.approx(4.0 * km)
    assert legs.loc[("BAOJI", "H_XIAN"), "days"] == pytest.approx(km / 500.0)
    assert (legs["distance_km"] <= 1000.0).all()  # max_feeder_km in instance.yaml


def test_haversine_one_degree_on_the_equator():
    # 2πR / 360 with R = 6371.0088 km
    assert float(haversine_km(0, 0, 1, 0)) == pytest.approx(111.195, abs=1e-3)


def test_derive_modes_fixed_cost_and_sparsity():
    cities = pd.DataFrame({"lon": [0.0, 0.0, 0.0], "lat": [0.0, 5.0, 20.0]}, index=pd.Index(["A", "B", "C"], name="city_id"))
    hubs = pd.DataFrame({"lon": [0.0], "lat": [0.0], "city_id": [""]}, index=pd.Index(["H"], name="hub_id"))
    params = {
        "circuity": 1.0, "max_feeder_km": 1000.0, "feeder_mode": "auto", "rail_min_km": 300.0,
        "feeder_cost_per_teu_km": {"road": 4.0, "rail": 1.0}, "feeder_speed_km_per_day": {"road": 500.0, "rail": 250.0},
        "feeder_fixed_cost_per_teu": 100.0,
    }
    legs = derive_feeder_legs(cities, hubs, params).set_index("city_id")
    assert list(legs.index) == ["A", "B"]  # C is 2224 km away: beyond max_feeder_km
    # A stands on the hub: 0 km by road, only the fixed part; B is 556 km away: rail (> 300 km)
    assert legs.loc["A", ["cost_per_teu", "days", "mode"]].tolist() == [100.0, 0.0, "road"]
    km = 5 * 111.19508
    assert legs.loc["B", "mode"] == "rail"
    assert legs.loc["B", "cost_per_teu"] == pytest.approx(100.0 + km, rel=1e-5)
    assert legs.loc["B", "days"] == pytest.approx(km / 250.0, rel=1e-5)


def test_network_edges_give_cheapest_paths(tiny_files, tmp_path):
    # Baoji -(road 200)- J -(rail 300)- Lanzhou hub; Xi'an -(road 180)- Baoji; Tianshui -(road 150)- J
    tiny_files["network_edges.csv"] = (
        "from_id,to_id,distance_km,mode\nBAOJI,J,200,road\nJ,H_LANZHOU,300,rail\nXIAN,BAOJI,180,road\nTIANSHUI,J,150,road\n"
    )
    tiny_files["instance.yaml"] = tiny_files["instance.yaml"].replace("max_feeder_km: 1000", "max_feeder_km: 700")
    inst = load_instance(write_folder(tmp_path / "net", tiny_files))
    legs = inst.feeder_legs.set_index(["city_id", "hub_id"])
    assert inst.meta["feeder_legs"] == "derived from network_edges.csv"
    # Baoji → Lanzhou: 200 road × 4 + 300 rail × 1.6 = 1280 CNY/TEU, 200/500 + 300/400 = 1.15 days, mostly rail
    assert legs.loc[("BAOJI", "H_LANZHOU"), ["cost_per_teu", "days", "distance_km", "mode"]].tolist() == pytest.approx([1280.0, 1.15, 500.0, "rail"])
    # Baoji → Xi'an hub (at city XIAN): 180 km road = 720
    assert legs.loc[("BAOJI", "H_XIAN"), "cost_per_teu"] == pytest.approx(720.0)
    # Xi'an → Lanzhou: 180 + 200 + 300 = 680 km ≤ 700; Tianshui → Xi'an: 150 + 200 + 180 = 530 km
    assert legs.loc[("XIAN", "H_LANZHOU"), "distance_km"] == pytest.approx(680.0)
    assert legs.loc[("TIANSHUI", "H_XIAN"), "cost_per_teu"] == pytest.approx(4.0 * 350 + 4.0 * 180)
    assert legs.loc[("XIAN", "H_XIAN"), "cost_per_teu"] == 0.0


def test_bom_whitespace_blank_rows_and_unknown_columns(tiny_files, tmp_path):
    tiny_files["cities.csv"] = (
        "\ufeff city_id , name ,province, lon , lat ,population\n"
        " XIAN , Xi'an ,Shaanxi, 108.94 , 34.34 ,13000000\n"
        ",,,,,\n"
        "BAOJI,Baoji,Shaanxi,107.24,34.36,3300000\n"
        "TIANSHUI,Tianshui,Gansu,105.72,34.58,\n"
    )
    inst = load_instance(write_folder(tmp_path / "bom", tiny_files))
    assert list(inst.cities.index) == ["XIAN", "BAOJI", "TIANSHUI"]
    assert inst.cities.loc["XIAN", "name"] == "Xi'an" and inst.cities.loc["XIAN", "lon"] == 108.94
    assert inst.meta["warnings"] == ["cities.csv: unknown column 'population' ignored"]


def test_demand_scale_in_yaml_scales_demand(tiny_files, tmp_path):
    tiny_files["instance.yaml"] += "  demand_scale: 2\n"
    inst = load_instance(write_folder(tmp_path / "scaled", tiny_files))
    assert inst.demand["teu"].tolist() == [2000.0, 600.0, 400.0]
    assert inst.demand["return_teu"].tolist() == [800.0, 0.0, 100.0]


def test_explicit_feeder_legs_get_the_hubs_own_city_leg(tiny_files, tmp_path):
    tiny_files["feeder_legs.csv"] = "city_id,hub_id,cost_per_teu,days\nBAOJI,H_XIAN,700,0.5\nTIANSHUI,H_LANZHOU,900,\n"
    inst = load_instance(write_folder(tmp_path / "legs", tiny_files))
    legs = inst.feeder_legs.set_index(["city_id", "hub_id"])
    assert len(legs) == 3 and legs.loc[("XIAN", "H_XIAN"), "cost_per_teu"] == 0.0
    assert legs.loc[("TIANSHUI", "H_LANZHOU"), ["days", "mode"]].tolist() == [0.0, "road"]
    assert inst.meta["feeder_legs"] == "feeder_legs.csv"


# ---------------------------------------------------------------------------------- bad input


def test_every_problem_is_reported_at_once_with_file_row_and_column(tiny_files, tmp_path):
    f = tiny_files
    f["instance.yaml"] += "  bogus_key: 3\n  single_sourcing: maybe\n"
    f["cities.csv"] += "LANZHOU,Lanzhou,Gansu,abc,36.06\nYINCHUAN,Yinchuan,Ningxia,106.23,95\nKASHGAR,Kashgar,Xinjiang,75.99,39.47\n,Nameless,,100,30\n"
    f["hubs.csv"] += "H_LANZHOU,duplicate,,103.83,36.06,-5,,\n"
    f["gateways.csv"] = "gateway_id,name,lon\nKHORGOS,Khorgos,80.42\n"
    f["destinations.csv"] += "MOSCOW,Moscow,RU,37.62,55.75,\nMINSK,Minsk,BY,27.56,53.9,1.5\n"
    f["services.csv"] += "BAD-MIN,H_XIAN,ALMATY,KHORGOS,100,0,60,50,0,5,3000\nINF-COST,H_XIAN,ALMATY,KHORGOS,inf,,,,,,\n"
    f["demand.csv"] = (
        "origin,destination,teu,return_teu,max_days\n"
        "XIAN,DUISBURG,1000,400,\n"  # 2: fine
        "NOWHERE,DUISBURG,10,,\n"  # 3: unknown city
        "XIAN,MOSCOW,50,,\n"  # 4: unreachable destination
        "KASHGAR,DUISBURG,20,,\n"  # 5: no feeder leg within 1000 km to a hub serving Duisburg
        "BAOJI,DUISBURG,30,,3\n"  # 6: fastest route takes 14 + 0.9 days
        "BAOJI,DUISBURG,5,,\n"  # 7: duplicate pair
        "TIANSHUI,DUISBURG,-1,,\n"  # 8: negative
    )
    err = problems_of(write_folder(tmp_path / "bad", f))
    expected = {
        ("instance.yaml", None, "parameters.bogus_key"),
        ("instance.yaml", None, "parameters.single_sourcing"),
        ("cities.csv", 5, "lon"),  # not a number
        ("cities.csv", 6, "lat"),  # 95 > 90
        ("cities.csv", 8, "city_id"),  # blank id
        ("hubs.csv", 4, "hub_id"),  # duplicate
        ("hubs.csv", 4, "handling_cost"),  # negative
        ("gateways.csv", None, "lat"),  # missing column
        ("destinations.csv", 5, "max_hubs"),  # not a whole number
        ("services.csv", 5, "train_capacity_teu"),  # zero capacity
        ("services.csv", 5, "min_trains"),  # min > max
        ("services.csv", 6, "cost_per_train"),  # inf where a finite number is needed
        ("demand.csv", 3, "origin"),  # unknown id
        ("demand.csv", 4, "destination"),  # unreachable destination
        ("demand.csv", 5, "origin"),  # no route
        ("demand.csv", 6, "max_days"),  # too slow
        ("demand.csv", 7, "origin"),  # duplicate pair
        ("demand.csv", 8, "teu"),  # negative
    }
    assert where(err) == expected
    text = str(err)
    assert f"{len(expected)} problems found" in text
    for needle in (
        "cities.csv, row 5, column 'lon': not a number: 'abc'",
        "cities.csv, row 6, column 'lat': must be at most 90, not 95",
        "hubs.csv, row 4, column 'hub_id': duplicate hub_id 'H_LANZHOU' (first at row 3)",
        "gateways.csv, column 'lat': missing column",
        "services.csv, row 5, column 'min_trains': min_trains 60 is greater than max_trains 50",
        "services.csv, row 5, column 'train_capacity_teu': must be greater than 0, not 0",
        "demand.csv, row 3, column 'origin': unknown city_id 'NOWHERE' (not in cities.csv)",
        "demand.csv, row 4, column 'destination': unreachable destination 'MOSCOW' (destinations.csv row 4)",
        "demand.csv, row 5, column 'origin': no route can carry 'KASHGAR' → 'DUISBURG'",
        "demand.csv, row 6, column 'max_days': no route can carry 'BAOJI' → 'DUISBURG' within max_days 3",
        "demand.csv, row 7, column 'origin': duplicate origin / destination 'BAOJI / DUISBURG' (first at row 6)",
        "demand.csv, row 8, column 'teu': must be at least 0, not -1",
        "instance.yaml, column 'parameters.bogus_key': unknown parameter (valid: unserved_penalty,",
        "instance.yaml, column 'parameters.single_sourcing': not a boolean: 'maybe'",
    ):
        assert needle in text
    assert err.exit_code == 2


def test_missing_folder():
    err = problems_of("/nonexistent/instance/folder")
    assert "instance folder not found" in str(err)


def test_missing_files_and_empty_file(tiny_files, tmp_path):
    tiny_files["instance.yaml"] = None
    tiny_files["cities.csv"] = None
    tiny_files["gateways.csv"] = ""
    err = problems_of(write_folder(tmp_path / "missing", tiny_files))
    assert {("instance.yaml", None, None), ("cities.csv", None, None), ("gateways.csv", None, None)} <= where(err)
    assert "cities.csv: missing file" in str(err)
    assert "gateways.csv: empty file" in str(err)


def test_unknown_top_level_yaml_key_and_bad_yaml(tiny_files, tmp_path):
    tiny_files["instance.yaml"] = "name: x\nmax_days: 3\nparameters:\n  circuity: 0.5\n  feeder_mode: ship\n  closed_hubs: H_XIAN, H_NOPE\n"
    err = problems_of(write_folder(tmp_path / "keys", tiny_files))
    assert where(err) == {
        ("instance.yaml", None, "max_days"),
        ("instance.yaml", None, "parameters.circuity"),
        ("instance.yaml", None, "parameters.feeder_mode"),
        ("instance.yaml", None, "parameters.closed_hubs"),
    }
    assert "parameters go under 'parameters:'" in str(err) and "H_NOPE" in str(err)
    tiny_files["instance.yaml"] = "name: x\nparameters:\n  circuity: [1.2\n"
    err = problems_of(write_folder(tmp_path / "syntax", tiny_files))
    assert err.problems[0].file == "instance.yaml" and err.problems[0].line is not None
    assert "not valid YAML" in str(err)


def test_not_utf8_and_ragged_rows(tiny_files, tmp_path):
    tiny_files["gateways.csv"] = "gateway_id,name,lon,lat\nKHORGOS,Khorgos,80.42,44.21\n".encode() + "ERENHOT,Erenhot é,112,43\n".encode("latin-1")
    tiny_files["destinations.csv"] += "MOSCOW,Moscow,RU,37.62,55.75,,extra\n"
    err = problems_of(write_folder(tmp_path / "enc", tiny_files))
    assert ("gateways.csv", None, None) in where(err) and "not UTF-8" in str(err)
    assert ("destinations.csv", 4, None) in where(err)


def test_explicit_legs_and_status_quo_errors(tiny_files, tmp_path):
    tiny_files["feeder_legs.csv"] = (
        "city_id,hub_id,cost_per_teu,days,mode\n"
        "BAOJI,H_XIAN,700,0.5,ship\n"  # 2: bad mode
        "BAOJI,H_XIAN,710,0.5,road\n"  # 3: duplicate pair
        "TIANSHUI,H_NOPE,900,,\n"  # 4: unknown hub
        "TIANSHUI,H_LANZHOU,900,,\n"
    )
    tiny_files["status_quo.csv"] = "service_id,trains\nXIAN-DUI,60\nLZ-DUI,500\nGHOST,3\n"
    tiny_files["status_quo_assignments.csv"] = "city_id,destination_id,hub_id\nBAOJI,ALMATY,H_XIAN\nTIANSHUI,DUISBURG,H_XIAN\n"
    err = problems_of(write_folder(tmp_path / "legs", tiny_files))
    assert where(err) == {
        ("feeder_legs.csv", 2, "mode"),
        ("feeder_legs.csv", 3, "city_id"),
        ("feeder_legs.csv", 4, "hub_id"),
        ("status_quo.csv", 3, "trains"),  # 500 > max_trains 400
        ("status_quo.csv", 4, "service_id"),  # unknown service
        ("status_quo_assignments.csv", 2, "hub_id"),  # Xi'an runs no service to Almaty
        ("status_quo_assignments.csv", 3, "hub_id"),  # no feeder leg Tianshui → Xi'an hub in the file
    }


def test_many_bad_rows_are_counted_not_all_listed(tiny_files, tmp_path):
    tiny_files["gateways.csv"] += "".join(f"G{i},gate,x,40\n" for i in range(30))
    err = problems_of(write_folder(tmp_path / "many", tiny_files))
    assert len(err.problems) == 21
    assert "... and 10 more rows with such problems (rows 23, 24" in str(err)


def test_validate_is_load(tiny_dir):
    assert validate(tiny_dir).summary() == load_instance(tiny_dir).summary()


# ---------------------------------------------------------------------------------- CLI


def test_cli_validate_ok_and_bad(tiny_dir, tiny_files, tmp_path):
    runner = CliRunner()
    ok = runner.invoke(main, ["validate", str(tiny_dir)])
    assert ok.exit_code == 0, ok.output
    assert "tiny: valid" in ok.output and "3 cities, 2 hubs" in ok.output
    as_json = runner.invoke(main, ["validate", str(tiny_dir), "--json"])
    assert as_json.exit_code == 0 and json.loads(as_json.output)["sizes"]["demand_pairs"] == 3
    tiny_files["demand.csv"] += "NOWHERE,DUISBURG,5,,\n"
    bad = runner.invoke(main, ["validate", str(write_folder(tmp_path / "bad", tiny_files))])
    assert bad.exit_code == 2
    assert "demand.csv, row 5, column 'origin': unknown city_id 'NOWHERE'" in bad.output
    assert "Traceback" not in bad.output


def test_cli_validate_subprocess_exit_codes(tiny_dir, tmp_path):
    ok = subprocess.run([sys.executable, "-m", "optimizer", "validate", str(tiny_dir)], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert "tiny: valid" in ok.stdout
    bad = subprocess.run([sys.executable, "-m", "optimizer", "validate", str(tmp_path / "absent")], capture_output=True, text=True)
    assert bad.returncode == 2
    assert "instance folder not found" in bad.stderr and "Traceback" not in bad.stderr


# ---------------------------------------------------------------------------------- write / read


def test_write_read_round_trip(tiny_dir, tmp_path):
    a = load_instance(tiny_dir)
    b = load_instance(write_instance(a, tmp_path / "copy"))
    assert_same_instance(a, b)
    assert b.meta["description"] == a.meta["description"] and b.meta["units"] == a.meta["units"]
    assert not (tmp_path / "copy" / "status_quo_assignments.csv").exists()  # empty optional tables are left out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy", "tiny"]  # no staging folder left behind


def test_round_trip_with_network_and_scaled_demand(tiny_files, tmp_path):
    tiny_files["network_edges.csv"] = "from_id,to_id,distance_km,mode\nBAOJI,H_XIAN,200,road\nTIANSHUI,H_LANZHOU,300,rail\n"
    tiny_files["instance.yaml"] += "  demand_scale: 1.5\n"
    a = load_instance(write_folder(tmp_path / "src", tiny_files))
    out = write_instance(a, tmp_path / "copy")
    b = load_instance(out)
    for t in TABLES:
        pd.testing.assert_frame_equal(getattr(a, t.name), getattr(b, t.name))
    assert b.params["demand_scale"] == 1.0 and "already multiplied by demand_scale 1.5" in b.meta["notes"]
    assert b.meta["feeder_legs"] == "feeder_legs.csv"


def test_write_replaces_an_instance_folder_it_wrote_whole(tiny_dir, tmp_path):
    out = tmp_path / "copy"
    inst = load_instance(tiny_dir)
    write_instance(inst, out)
    (out / "status_quo.csv").unlink()  # the tool's own files may change or go; nothing else is there
    write_instance(inst, out)
    assert (out / "status_quo.csv").exists() and (out / "instance.yaml").exists()


def test_write_never_replaces_a_folder_of_the_users(tiny_dir, tmp_path):
    out = tmp_path / "copy"
    out.mkdir()
    (out / "stale.csv").write_text("mine")
    with pytest.raises(InputError, match="files this tool did not write"):
        write_instance(load_instance(tiny_dir), out)
    assert [p.name for p in out.iterdir()] == ["stale.csv"] and (out / "stale.csv").read_text() == "mine"


# ---------------------------------------------------------------------------------- format reference


def test_format_doc_is_generated_from_the_schema():
    doc = Path(__file__).resolve().parents[1] / "docs" / "instance-format.md"
    assert doc.read_text(encoding="utf-8") == markdown(), "regenerate: python -m optimizer.instance.schema > docs/instance-format.md"


def test_every_column_and_parameter_is_documented():
    text = markdown()
    for t in TABLES:
        assert f"## {t.file}" in text
        for c in t.columns:
            assert c.description, f"{t.file}: column {c.name} has no description"
            assert f"| `{c.name}` |" in text
    for p in PARAMETERS:
        assert p.description and f"| `{p.name}` |" in text
