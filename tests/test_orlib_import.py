"""OR-Library capacitated facility location files → native instances."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from click.testing import CliRunner

from optimizer.cli import main
from optimizer.errors import InputError
from optimizer.instance.importers.orlib import read_orlib_cap
from optimizer.instance.load import load_instance

# 2 facilities × 3 customers, written the way the OR-Library files are (numbers like `7500.`,
# `.00000`, lines broken anywhere). Customer 3 has no demand.
SMALL = """2 3
 100 50.
 80 .5E2
10 20. 30
 5 15.00000
 10
 0 .00000 0.
"""


def cap_file(benchmarks, name):
    path = benchmarks / "orlib-cflp" / name
    if not path.is_file():
        pytest.skip(f"benchmark file {path} not found (../shared/benchmarks is absent)")
    return path


def test_small_file_mapping(tmp_path):
    path = tmp_path / "small.txt"
    path.write_text(SMALL)
    inst = read_orlib_cap(path)
    assert inst.hubs["capacity_teu"].tolist() == [100.0, 80.0]
    assert inst.hubs["fixed_cost"].tolist() == [50.0, 50.0]
    assert inst.hubs["handling_cost"].tolist() == [0.0, 0.0]
    # customer 3 has zero demand: a city, but no demand row and no legs
    assert list(inst.cities.index) == ["C1", "C2", "C3"]
    assert inst.demand[["origin", "teu"]].values.tolist() == [["C1", 10.0], ["C2", 5.0]]
    legs = inst.feeder_legs.set_index(["city_id", "hub_id"])["cost_per_teu"]
    # serving ALL of customer 1 (10) from facility 1 costs 20 → 2 per unit; customer 2 from facility 2: 10 / 5
    assert legs.to_dict() == {("C1", "F1"): 2.0, ("C1", "F2"): 3.0, ("C2", "F1"): 3.0, ("C2", "F2"): 2.0}
    # one free service per facility to the single destination, trains as big as all demand
    assert inst.services["cost_per_train"].tolist() == [0.0, 0.0]
    assert inst.services["train_capacity_teu"].tolist() == [15.0, 15.0]
    assert inst.services["min_trains"].tolist() == [0.0, 0.0] and inst.services["fixed_cost"].tolist() == [0.0, 0.0]
    assert inst.gateways["capacity_trains"].tolist() == [np.inf] and len(inst.destinations) == 1
    assert inst.params["single_sourcing"] is False and inst.params["return_flows"] is False
    # penalty 10 × (max fixed cost 50 + max cost per unit 3)
    assert inst.params["unserved_penalty"] == 530.0


def test_cap41_sizes_and_numbers(benchmarks):
    inst = read_orlib_cap(cap_file(benchmarks, "cap41.txt"))
    s = inst.summary()
    assert (s["hubs"], s["cities"], s["demand_pairs"], s["feeder_legs"]) == (16, 50, 50, 800)
    assert s["demand_teu"] == 58268.0
    assert (inst.hubs["capacity_teu"] == 5000.0).all()
    assert inst.hubs.loc["F1", "fixed_cost"] == 7500.0 and inst.hubs.loc["F11", "fixed_cost"] == 0.0
    assert inst.demand.loc[0, "teu"] == 146.0
    legs = inst.feeder_legs.set_index(["city_id", "hub_id"])["cost_per_teu"]
    assert legs[("C1", "F1")] * 146 == pytest.approx(6739.725)
    assert legs[("C2", "F16")] * 87 == pytest.approx(2838.375)


def test_capa_needs_capacity(benchmarks):
    path = cap_file(benchmarks, "capa.txt")
    with pytest.raises(InputError) as info:
        read_orlib_cap(path)
    assert "line 2, token 3 ('capacity')" in str(info.value) and "--capacity" in str(info.value)
    inst = read_orlib_cap(path, capacity=8000)
    assert (inst.hubs["capacity_teu"] == 8000.0).all() and inst.summary()["cities"] == 1000


@pytest.mark.parametrize(
    "text, message",
    [
        ("2 3\n 100 50.\n 80 50\n10 20. 30\n 5 15", "the file ends after 11 tokens, while reading the cost of serving customer 2 from facility 2: truncated"),
        ("2 3\n 100 50.\n 80 5O\n", "line 3, token 6 ('5O'): the fixed cost of facility 2: not a number"),
        (SMALL + " 7\n", "line 8, token 16 ('7'): unexpected token after the 2 facilities and 3 customers"),
        ("2.5 3\n", "line 1, token 1 ('2.5'): the number of facilities m: must be a whole number"),
        ("2 3\n 100 -50\n", "line 2, token 4 ('-50'): the fixed cost of facility 1: must be a finite number ≥ 0"),
    ],
)
def test_bad_files_name_file_and_token(tmp_path, text, message):
    path = tmp_path / "bad.txt"
    path.write_text(text)
    with pytest.raises(InputError) as info:
        read_orlib_cap(path)
    assert str(path) in str(info.value) and message in str(info.value)


def test_cli_import_writes_a_loadable_instance(tmp_path):
    src = tmp_path / "small.txt"
    src.write_text(SMALL.replace(" 100 ", " capacity "))
    out = tmp_path / "small"
    runner = CliRunner()
    bad = runner.invoke(main, ["import", "orlib-cap", str(src), "--out", str(out)])
    assert bad.exit_code == 2 and "--capacity" in bad.output and not out.exists()
    ok = runner.invoke(main, ["import", "orlib-cap", str(src), "--capacity", "90", "--out", str(out), "--quiet"])
    assert ok.exit_code == 0, ok.output
    inst = load_instance(out)
    assert inst.hubs["capacity_teu"].tolist() == [90.0, 80.0]
    assert inst.feeder_legs.set_index(["city_id", "hub_id"]).loc[("C1", "F2"), "cost_per_teu"] == 3.0


def test_cli_import_subprocess(benchmarks, tmp_path):
    path = cap_file(benchmarks, "cap41.txt")
    out = tmp_path / "cap41"
    run = subprocess.run([sys.executable, "-m", "optimizer", "import", "orlib-cap", str(path), "--out", str(out)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert load_instance(out).summary()["feeder_legs"] == 800
    missing = subprocess.run([sys.executable, "-m", "optimizer", "import", "orlib-cap", str(tmp_path / "nope.txt"), "--out", str(out)], capture_output=True, text=True)
    assert missing.returncode == 2 and "file not found" in missing.stderr and "Traceback" not in missing.stderr
