"""The notebook API: the same operations as the CLI, results as DataFrames."""

from pathlib import Path

import pandas as pd
import pytest

from optimizer import api

ROOT = Path(__file__).resolve().parents[1]


def test_freight_from_a_folder_with_overrides_gives_tidy_tables(tmp_path):
    inst = api.generate_corridor(12, 3, 3, seed=4)
    api.write_instance(inst, tmp_path / "inst")
    res = api.solve_freight(tmp_path / "inst", overrides={"demand_scale": 0.5})
    assert res.status == "optimal"
    assert res.summary["overrides"] == {"demand_scale": 0.5}
    flows = res.tables["flows"]
    assert isinstance(flows, pd.DataFrame)
    plan = flows[(flows.plan == "optimised") & (flows.direction == "west")]
    demand = inst.demand["teu"].sum() * 0.5
    unserved = res.summary["kpis"]["unserved_teu"]
    # flows add up to the (scaled) demand minus what is left unserved
    assert plan["teu"].sum() + unserved == pytest.approx(demand, rel=1e-6)
    out = api.write_run(res, tmp_path / "run")
    assert (out / "summary.json").exists() and (out / "flows.csv").exists()


def test_bad_override_is_an_input_error():
    inst = api.generate_corridor(5, 2, 2, seed=1)
    with pytest.raises(api.InputError) as err:
        api.solve_freight(inst, overrides={"no_such_key": 1})
    assert "no_such_key" in str(err.value)


def test_sharing_from_python():
    case = api.load_case(ROOT / "instances/enclave/bth-relocated-firm/case.yaml")
    res = api.solve_case(case, "proportional")
    table = res.shares_table()
    assert set(table.columns) >= {"year", "stream", "party", "share", "amount"}
    sums = table.groupby(["year", "stream"])["share"].sum()
    assert sums.to_numpy() == pytest.approx(1.0)
    game = api.load_game(ROOT / "instances/games/talmud-200.json")
    sol = api.solve_game(game, "nucleolus")
    # the Talmud's division of an estate of 200 between claims 100, 200, 300
    assert sorted(sol.summary()["allocation"].values()) == pytest.approx([50, 75, 75])
