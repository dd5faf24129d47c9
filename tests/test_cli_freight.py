"""``optimizer freight solve`` end to end: files, --json, overrides, exit codes 0/1/2/3, atomic folders."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from optimizer.cli import main
from optimizer.freight import run as run_module
from optimizer.solve import HighsSolver

from conftest import TINY_FILES, write_folder

RUN_FILES = {"summary.json", "flows.csv", "services.csv", "hubs.csv", "unserved.csv", "changes.csv", "nodes.csv", "highs.log", "highs-baseline.log",
             "report.html", "map.png"}  # the report is written by default (--no-report skips it)
SUMMARY_KEYS = {"instance", "status", "objective", "best_bound", "mip_gap", "build_seconds", "solve_seconds", "handoff_seconds", "overrides", "sizes", "kpis", "baseline", "changes", "unserved"}
KPI_KEYS = {
    "total_cost", "cost_per_teu", "cost_breakdown", "served_teu", "unserved_teu", "trains", "train_km", "avg_load_factor",
    "min_load_factor", "services_open", "hubs_open", "destinations_multi_hub", "co2_t", "avg_days", "hub_utilisation",
}  # fmt: skip


def invoke(*args):
    return CliRunner().invoke(main, ["freight", "solve", *map(str, args)])


def infeasible_dir(tmp_path: Path) -> Path:
    """The tiny instance whose status quo runs 60 trains through Khorgos, capped here at 50."""
    files = dict(TINY_FILES)
    files["gateways.csv"] = files["gateways.csv"].replace("8000", "50")
    return write_folder(tmp_path / "conflict", files)


def test_solve_writes_the_run_folder_and_json(tiny_dir, tmp_path):
    out = tmp_path / "run"
    res = invoke(tiny_dir, "--out", out, "--json", "--quiet")
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert res.stderr == ""
    assert RUN_FILES <= {p.name for p in out.iterdir()}
    assert json.loads((out / "summary.json").read_text()) == summary
    assert SUMMARY_KEYS <= summary.keys()
    assert summary["status"] == "optimal" and summary["instance"] == "tiny"
    assert set(summary["kpis"]) == KPI_KEYS and set(summary["baseline"]["kpis"]) == KPI_KEYS
    assert summary["kpis"]["total_cost"] == pytest.approx(summary["objective"], rel=1e-9)
    assert summary["baseline"]["objective"] >= summary["objective"]
    flows = pd.read_csv(out / "flows.csv")
    assert set(flows["plan"]) == {"optimised", "baseline"}
    assert list(flows.columns[:10]) == ["plan", "city_id", "hub_id", "service_id", "destination_id", "gateway_id", "direction", "teu", "feeder_cost", "handling_cost"]
    nodes = pd.read_csv(out / "nodes.csv")
    assert set(nodes["kind"]) == {"city", "hub", "gateway", "destination"}
    assert "Running HiGHS" in (out / "highs.log").read_text() or (out / "highs.log").stat().st_size > 0


@pytest.mark.parametrize("strategy", ["plain", "search"])
def test_strategy_is_chosen_on_the_command_line_and_recorded(tiny_dir, tmp_path, strategy):
    res = invoke(tiny_dir, "--out", tmp_path / "run", "--json", "--quiet", "--strategy", strategy)
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert summary["strategy"] == strategy and summary["status"] == "optimal"
    assert json.loads((tmp_path / "run" / "summary.json").read_text())["strategy"] == strategy


def test_an_unknown_strategy_exits_2(tiny_dir, tmp_path):
    res = invoke(tiny_dir, "--out", tmp_path / "run", "--strategy", "fastest")
    assert res.exit_code == 2 and "'fastest' is not one of 'plain', 'search'" in res.output
    assert not (tmp_path / "run").exists()


def test_progress_and_kpi_table_on_stderr(tiny_dir, tmp_path):
    res = invoke(tiny_dir, "--out", tmp_path / "run")
    assert res.exit_code == 0
    assert res.stdout == ""
    err = res.stderr
    assert "optimised plan: model built" in err and "today's network" in err
    assert "total cost, CNY/yr" in err and "today" in err and "optimised" in err and "change" in err
    assert f"run folder: {tmp_path / 'run'}" in err


def test_overrides_and_flags_reach_the_model(tiny_dir, tmp_path):
    res = invoke(tiny_dir, "--out", tmp_path / "run", "--json", "--quiet", "--single-sourcing", "--max-hubs-per-destination", "1", "--set", "demand_scale=2", "--set", "closed_hubs=H_LANZHOU")
    assert res.exit_code == 0, res.output
    s = json.loads(res.stdout)
    assert s["overrides"] == {"demand_scale": 2.0, "closed_hubs": ["H_LANZHOU"], "single_sourcing": True, "max_hubs_per_destination": 1}
    flows = pd.read_csv(tmp_path / "run" / "flows.csv")
    assert set(flows.loc[flows["plan"] == "optimised", "hub_id"]) == {"H_XIAN"}
    # demand doubled: 2 × (1000 + 300) TEU westbound to Duisburg served; Almaty has no hub left (unserved)
    assert s["kpis"]["unserved_teu"] == pytest.approx(2 * (200 + 50))
    assert {(u["origin"], u["destination"]) for u in s["unserved"]} == {("TIANSHUI", "ALMATY")}


def test_unserved_pairs_are_named_on_the_console(tiny_dir, tmp_path):
    # Lanzhou closed: Almaty has no hub left; twice the demand makes Xi'an's 52 weekly trains worth running
    res = invoke(tiny_dir, "--out", tmp_path / "run", "--set", "closed_hubs=H_LANZHOU", "--set", "demand_scale=2")
    assert res.exit_code == 0
    assert "overrides: closed_hubs=H_LANZHOU, demand_scale=2" in res.stderr
    assert "unserved: 2 pair(s), 500 TEU" in res.stderr and "TIANSHUI → ALMATY (west): 400 TEU" in res.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["--set", "no_such_key=1"], "unknown parameter"),
        (["--set", "demand_scale"], "expected KEY=VALUE"),
        (["--set", "closed_hubs=NOPE"], "unknown hub ids NOPE"),
        (["--single-sourcing", "--set", "single_sourcing=false"], "given both as --single-sourcing and in --set"),
    ],
)
def test_bad_overrides_exit_2(tiny_dir, tmp_path, args, message):
    res = invoke(tiny_dir, "--out", tmp_path / "run", *args)
    assert res.exit_code == 2
    assert message in res.stderr and "Traceback" not in res.stderr
    assert not (tmp_path / "run").exists()


def test_bad_instance_exits_2(tmp_path):
    res = invoke(tmp_path / "missing", "--out", tmp_path / "run")
    assert res.exit_code == 2 and "instance folder not found" in res.stderr
    assert not (tmp_path / "run").exists()


def test_infeasible_exits_3_and_keeps_a_previous_good_run(tiny_dir, tmp_path):
    out = tmp_path / "run"
    assert invoke(tiny_dir, "--out", out, "--quiet").exit_code == 0
    before = (out / "summary.json").read_text()
    res = invoke(infeasible_dir(tmp_path), "--out", out, "--quiet")
    assert res.exit_code == 3
    assert "today's network" in res.stderr and "gateway KHORGOS clears at most 50 trains" in res.stderr and "XIAN-DUI runs 60 trains" in res.stderr
    assert (out / "summary.json").read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["conflict", "run", "tiny"]  # no partial folder left behind


def test_infeasible_leaves_no_folder(tmp_path):
    res = invoke(infeasible_dir(tmp_path), "--out", tmp_path / "run", "--quiet")
    assert res.exit_code == 3
    assert not (tmp_path / "run").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["conflict"]


def test_default_run_folder_under_results(tiny_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = invoke(tiny_dir, "--quiet")
    assert res.exit_code == 0
    runs = list((tmp_path / "results").iterdir())
    assert len(runs) == 1 and runs[0].name.startswith("tiny-") and (runs[0] / "summary.json").is_file()


def _relabel(status: str, keep_solution: bool):
    """A HighsSolver.solve that solves, then reports ``status`` (a limit hit) with or without the plan."""
    real = HighsSolver.solve

    def solve(self, model, **kw):
        res = real(self, model, **kw)
        res.status = status
        res.has_solution = keep_solution and res.has_solution
        if status == "time_limit" and keep_solution:
            res.mip_gap = 0.05
        return res

    return solve


def test_time_limit_with_a_plan_exits_0(tiny_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(HighsSolver, "solve", _relabel("time_limit", keep_solution=True))
    res = invoke(tiny_dir, "--out", tmp_path / "run", "--json", "--quiet", "--time-limit", "5")
    assert res.exit_code == 0
    s = json.loads(res.stdout)
    assert s["status"] == "time_limit" and s["mip_gap"] == 0.05 and s["time_limit"] == 5


def test_time_limit_without_a_plan_exits_3(tiny_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(HighsSolver, "solve", _relabel("time_limit", keep_solution=False))
    res = invoke(tiny_dir, "--out", tmp_path / "run", "--time-limit", "5")
    assert res.exit_code == 3 and "no feasible optimised plan found within the time limit of 5 s" in res.stderr
    assert not (tmp_path / "run").exists()


def test_no_plan_within_the_limit_is_told_apart_from_infeasible(tiny_dir, monkeypatch):
    from optimizer.errors import InfeasibleError
    from optimizer.freight.run import solve_instance
    from optimizer.instance.load import load_instance

    monkeypatch.setattr(HighsSolver, "solve", _relabel("time_limit", keep_solution=False))
    with pytest.raises(InfeasibleError) as err:
        solve_instance(load_instance(tiny_dir), time_limit=5)
    assert err.value.status == "time_limit"


def test_internal_error_exits_1_without_traceback(tiny_dir, tmp_path, monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("boom")

    monkeypatch.setattr(run_module, "build_model", boom)
    res = invoke(tiny_dir, "--out", tmp_path / "run")
    assert res.exit_code == 1 and "internal error: RuntimeError: boom" in res.stderr and "Traceback" not in res.stderr
    assert not (tmp_path / "run").exists()


def test_real_subprocess_exit_codes(tiny_dir, tmp_path):
    ok = subprocess.run([sys.executable, "-m", "optimizer", "freight", "solve", str(tiny_dir), "--out", str(tmp_path / "run"), "--json", "--quiet"], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["status"] == "optimal"
    bad = subprocess.run([sys.executable, "-m", "optimizer", "freight", "solve", str(infeasible_dir(tmp_path)), "--out", str(tmp_path / "bad"), "--quiet"], capture_output=True, text=True)
    assert bad.returncode == 3 and not (tmp_path / "bad").exists()
    bad_input = subprocess.run([sys.executable, "-m", "optimizer", "freight", "solve", str(tmp_path / "nope")], capture_output=True, text=True)
    assert bad_input.returncode == 2 and "Traceback" not in bad_input.stderr
