"""Freight batches end to end on the tiny instance (tests/conftest.py): re-solve equals a fresh solve,
local and Dask runs, validation before anything runs, kill and resume.

The reference for every batch result is a fresh ``solve_instance`` of the same overrides: a batch
must give exactly what ``optimizer freight solve --set ...`` gives, whichever worker ran it and
whether it re-solved a model built for an earlier scenario.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from optimizer.batch.engines import flatten
from optimizer.batch.executors import ClusterUnavailable, DaskExecutor
from optimizer.cli import main
from optimizer.freight.model import build_model
from optimizer.freight.labels import freight_labels
from optimizer.freight.run import FreightStarts, solve_instance
from optimizer.instance.load import load_instance
from optimizer.instance.overrides import apply_overrides
from optimizer.solve import Compiled, HighsSolver, StartPool

SWEEP = """\
model: freight
base: tiny
options: {{time_limit: 30}}
scenarios:
  - name: lanzhou-closed
    set: {{closed_hubs: [H_LANZHOU]}}
sweep:
  demand_scale: {scales}
  train_capacity_teu: [60, 82]
"""


def scenario_file(tmp_path: Path, text: str, name: str = "sweep.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def fresh(instance, overrides: dict) -> dict:
    return solve_instance(apply_overrides(instance, overrides), time_limit=30).summary


def assert_same_kpis(got: dict, want: dict) -> None:
    a, b = flatten("", got, {}, depth=3), flatten("", want, {}, depth=3)
    assert a.keys() == b.keys()
    for k in a:
        assert (a[k] is None and b[k] is None) or a[k] == pytest.approx(b[k], rel=1e-9), k


def flows(tables: dict) -> pd.DataFrame:
    df = tables["flows"]
    keys = [c for c in df.columns if df[c].dtype == object]
    return df.sort_values(keys).reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# starts from earlier plans


def test_starts_from_earlier_plans_find_the_same_optimum(tiny_dir):
    """With starts (the batch default) a solve is optimal like a fresh solve: at MIP gap 0 the same cost."""
    base = load_instance(tiny_dir)
    starts = FreightStarts()
    started = 0
    for scale, capacity in ((1.0, 82), (1.1, 82), (0.9, 60), (1.6, 60), (0.4, 100)):
        inst = apply_overrides(base, {"demand_scale": scale, "train_capacity_teu": capacity})
        got = solve_instance(inst, time_limit=30, mip_gap=0, starts=starts)
        want = solve_instance(inst, time_limit=30, mip_gap=0)
        assert got.status == want.status == "optimal"
        assert got.summary["objective"] == pytest.approx(want.summary["objective"], rel=1e-9)
        assert got.summary["baseline"]["objective"] == pytest.approx(want.summary["baseline"]["objective"], rel=1e-9)
        if "start" in got.summary:
            started += 1
            assert got.summary["start"]["objective"] >= got.summary["objective"] - 1e-6 * abs(got.summary["objective"])
    assert started == 4  # every plan but the first started from an earlier one
    assert len(starts.plan) == len(starts.baseline) == 5


@pytest.mark.parametrize("first,then", [({}, {"closed_hubs": ["H_LANZHOU"]}), ({"closed_hubs": ["H_LANZHOU"]}, {}),
                                        ({}, {"max_hubs_per_destination": 1, "demand_scale": 1.3})])
def test_a_scenario_with_other_columns_starts_from_earlier_plans(tiny_dir, first, then):
    """Closing or reopening a hub changes which columns exist; the start is lined up by label."""
    base = load_instance(tiny_dir)
    starts = FreightStarts()
    solve_instance(apply_overrides(base, first), mip_gap=0, starts=starts)
    inst = apply_overrides(base, then)
    got = solve_instance(inst, mip_gap=0, starts=starts)
    want = solve_instance(inst, mip_gap=0)
    assert "start" in got.summary and "start" not in want.summary
    assert got.summary["objective"] == pytest.approx(want.summary["objective"], rel=1e-9)


def _solution(model, labels) -> dict:
    comp = Compiled(model, labels)
    return {label: v.value for label, v in zip(comp.column_labels, comp.columns)}


def test_starts_come_from_the_nearest_earlier_scenarios(tiny_dir):
    base = load_instance(tiny_dir)
    pool = StartPool()
    solutions = {}
    for scale in (1.0, 2.0, 0.5):
        fm = build_model(apply_overrides(base, {"demand_scale": scale}))
        HighsSolver().solve(fm.model, pool=pool, labels=freight_labels(fm))
        solutions[scale] = _solution(fm.model, freight_labels(fm))
    fm = build_model(apply_overrides(base, {"demand_scale": 1.9}))
    comp = Compiled(fm.model, freight_labels(fm))
    order = []
    for x in pool.candidates(comp):
        lined_up = dict(zip(comp.column_labels, x))
        order.append(next(s for s, sol in solutions.items() if all(sol.get(k, 0.0) == pytest.approx(v) for k, v in lined_up.items())))
    assert order == [2.0, 1.0, 0.5]


def test_the_pool_lines_up_columns_by_label():
    """A column the earlier model lacked starts at 0; one the new model lacks is dropped."""
    import pyomo.environ as pe

    def model(names):
        m = pe.ConcreteModel()
        m.y = pe.Var(names, within=pe.Binary)
        m.c = pe.Constraint(expr=sum(m.y[k] for k in names) >= 1)
        m.o = pe.Objective(expr=sum((i + 1) * m.y[k] for i, k in enumerate(names)))
        return m

    pool = StartPool()
    earlier = model(["b", "a"])
    HighsSolver().solve(earlier, pool=pool)  # y[b] = 1 (cost 1), y[a] = 0
    later = model(["c", "a", "b"])  # y[c] new: starts at 0
    comp = Compiled(later)
    (x,) = pool.candidates(comp)
    assert dict(zip([lab[1] for lab in comp.column_labels], x)) == {"c": 0.0, "a": 0.0, "b": 1.0}


def test_warm_start_false_is_exactly_a_fresh_solve(tiny_dir, tmp_path):
    spec = scenario_file(tmp_path, SWEEP.format(scales="[0.5, 1.0]").replace("{time_limit: 30}", "{time_limit: 30, warm_start: false}"))
    out = tmp_path / "out"
    res = run_cli(["batch", str(spec), "--workers", "1", "--out", str(out), "--quiet"])
    assert res.exit_code == 0, res.output
    base = load_instance(tiny_dir)
    df = pd.read_csv(out / "summary.csv")
    assert not df["started"].any()
    for name in df["scenario"]:
        summary = json.loads((out / "runs" / name / "summary.json").read_text())
        want = solve_instance(apply_overrides(base, summary["batch"]["set"]), time_limit=30)
        assert summary["objective"] == want.summary["objective"]
        assert_same_kpis(summary["kpis"], want.summary["kpis"])
        keys = ["plan", "city_id", "hub_id", "service_id", "destination_id", "direction"]
        got_flows = pd.read_csv(out / "runs" / name / "flows.csv", keep_default_na=False).sort_values(keys)
        want_flows = want.tables["flows"].sort_values(keys)
        assert got_flows[keys].astype(str).values.tolist() == want_flows[keys].astype(str).values.tolist()
        np.testing.assert_allclose(got_flows["teu"], want_flows["teu"], rtol=1e-9)


# ---------------------------------------------------------------------------------------------
# batches through the CLI


def run_cli(args: list[str]):
    return CliRunner().invoke(main, args, catch_exceptions=False)


def test_sweep_on_two_local_workers_equals_fresh_solves(tiny_dir, tmp_path):
    spec = scenario_file(tmp_path, SWEEP.format(scales="[0.5, 1.0]"))
    out = tmp_path / "out"
    res = run_cli(["batch", str(spec), "--workers", "2", "--out", str(out), "--quiet"])
    assert res.exit_code == 0, res.output
    df = pd.read_csv(out / "summary.csv")
    assert list(df["scenario"]) == [
        "lanzhou-closed",
        "demand_scale=0.5,train_capacity_teu=60",
        "demand_scale=0.5,train_capacity_teu=82",
        "demand_scale=1,train_capacity_teu=60",
        "demand_scale=1,train_capacity_teu=82",
    ]
    assert set(df["status"]) == {"optimal"}
    assert list(df["closed_hubs"].fillna("")) == ["H_LANZHOU", "", "", "", ""]
    base = load_instance(tiny_dir)
    sets = [{"closed_hubs": ["H_LANZHOU"]}] + [
        {"demand_scale": s, "train_capacity_teu": k} for s in (0.5, 1.0) for k in (60, 82)
    ]
    for row, overrides in zip(df.itertuples(), sets):
        want = fresh(base, overrides)
        assert row.objective == pytest.approx(want["objective"], rel=1e-9)
        got = json.loads((out / "runs" / row.scenario / "summary.json").read_text())
        assert_same_kpis(got["kpis"], want["kpis"])
        assert got["batch"]["set"] == json.loads(json.dumps(overrides))
    assert df["kpis.total_cost"].tolist() == pytest.approx(df["objective"].tolist(), rel=1e-9)
    single = {p.name for p in (out / "runs" / "lanzhou-closed").iterdir()}
    assert {"summary.json", "flows.csv", "services.csv", "hubs.csv", "unserved.csv", "highs.log"} <= single
    assert not [p for p in (out / "runs").iterdir() if p.name.startswith(".")]


def test_bad_overrides_exit_2_naming_each_scenario(tiny_dir, tmp_path):
    spec = scenario_file(
        tmp_path,
        """\
model: freight
base: tiny
options: {time_limit: -1, colour: red, warm_start: maybe, strategy: fastest}
scenarios:
  - {name: typo, set: {demand_scael: 2}}
  - {name: negative, set: {demand_scale: -1, closed_hubs: [NOWHERE]}}
  - {name: fine, set: {demand_scale: 2}}
sweep:
  max_hubs_per_destination: [0, 1]
""",
    )
    res = CliRunner().invoke(main, ["batch", str(spec), "--out", str(tmp_path / "out")])
    assert res.exit_code == 2
    assert "options.time_limit: must be greater than 0" in res.output
    assert "options.colour: unknown option" in res.output
    assert "options.warm_start: not a boolean: 'maybe' (use true or false)" in res.output
    assert "options.strategy: must be one of plain, search, not 'fastest'" in res.output
    res = CliRunner().invoke(main, ["batch", str(spec).replace("sweep", "x"), "--out", str(tmp_path / "out")])
    assert res.exit_code == 2 and "file not found" in res.output
    spec.write_text(spec.read_text().replace("{time_limit: -1, colour: red, warm_start: maybe, strategy: fastest}", "{time_limit: 5, strategy: plain}"))
    res = CliRunner().invoke(main, ["batch", str(spec), "--out", str(tmp_path / "out")])
    assert res.exit_code == 2
    assert "scenario 'typo' (scenarios[0]): demand_scael: unknown parameter" in res.output
    assert "scenario 'negative' (scenarios[1]): demand_scale: must be at least 0" in res.output
    assert "scenario 'negative' (scenarios[1]): closed_hubs: unknown hub ids NOWHERE" in res.output
    assert "scenario 'max_hubs_per_destination=0' (sweep): max_hubs_per_destination: must be at least 1" in res.output
    assert "'fine'" not in res.output and "max_hubs_per_destination=1'" not in res.output
    assert "Traceback" not in res.output
    assert not (tmp_path / "out").exists()  # nothing ran, nothing written


def test_resume_runs_again_a_freight_summary_of_the_wrong_type(tiny_dir, tmp_path):
    """A summary.json edited to hold a value of the wrong type is no finished run: --resume runs it again."""
    spec = scenario_file(tmp_path, "model: freight\nbase: tiny\nsweep: {demand_scale: [1, 2]}\n")
    out = tmp_path / "out"
    assert run_cli(["batch", str(spec), "--workers", "1", "--out", str(out), "--quiet"]).exit_code == 0
    before = pd.read_csv(out / "summary.csv")
    edited = {"demand_scale=1": ("objective", "abc"), "demand_scale=2": ("kpis", {"total_cost": "a lot"})}
    for name, (key, value) in edited.items():
        path = out / "runs" / name / "summary.json"
        path.write_text(json.dumps({**json.loads(path.read_text()), key: value}))
    stamp = {name: (out / "runs" / name / "summary.json").stat().st_mtime_ns for name in edited}
    res = run_cli(["batch", str(spec), "--workers", "1", "--out", str(out), "--resume", "--quiet"])
    assert res.exit_code == 0, res.output
    for name in edited:  # both ran again
        assert (out / "runs" / name / "summary.json").stat().st_mtime_ns != stamp[name]
        summary = json.loads((out / "runs" / name / "summary.json").read_text())
        assert isinstance(summary["objective"], float) and isinstance(summary["kpis"]["total_cost"], float)
    after = pd.read_csv(out / "summary.csv")
    assert list(after.columns) == list(before.columns)
    pd.testing.assert_frame_equal(after.drop(columns=["seconds", "started"]), before.drop(columns=["seconds", "started"]))


@pytest.mark.slow
def test_subprocess_exit_codes(tiny_dir, tmp_path):
    bad = scenario_file(tmp_path, "model: freight\nbase: tiny\nsweep: {demand_scale: [x]}\n", "bad.yaml")
    proc = subprocess.run([sys.executable, "-m", "optimizer", "batch", str(bad)], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert proc.returncode == 2 and "scenario 'demand_scale=x' (sweep): demand_scale: not a number" in proc.stderr
    good = scenario_file(tmp_path, "model: freight\nbase: tiny\nsweep: {demand_scale: [1, 2]}\n", "good.yaml")
    proc = subprocess.run(
        [sys.executable, "-m", "optimizer", "batch", str(good), "--workers", "1"], capture_output=True, text=True, cwd=tmp_path, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""  # progress and messages go to stderr
    [out] = (tmp_path / "results").glob("good-*")  # the default output folder
    assert len(pd.read_csv(out / "summary.csv")) == 2
    assert "2/2 scenarios, 0 failed" in proc.stderr
    proc = subprocess.run(
        [sys.executable, "-m", "optimizer", "batch", str(good), "--resume", "--quiet"], capture_output=True, text=True, cwd=tmp_path, timeout=120
    )
    assert proc.returncode == 0 and proc.stderr == ""
    assert [p.name for p in (tmp_path / "results").iterdir()] == [out.name]  # --resume found the folder


# ---------------------------------------------------------------------------------------------
# kill and resume


def _start_batch(spec: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "optimizer", "batch", str(spec), "--workers", "1", "--out", str(out), "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def _wait_for_runs(proc: subprocess.Popen, runs: Path, n: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if runs.is_dir() and len([p for p in runs.iterdir() if not p.name.startswith(".")]) >= n:
            return
        if proc.poll() is not None:
            pytest.fail(f"the batch ended before {n} scenarios finished: {proc.stderr.read().decode()}")
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    pytest.fail("the batch was too slow")


def _complete(run_dir: Path) -> bool:
    return (run_dir / "summary.json").is_file() and (run_dir / "flows.csv").is_file()


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_kill_and_resume(tiny_dir, tmp_path, sig):
    scales = [round(0.5 + 0.1 * i, 1) for i in range(8)]
    spec = scenario_file(tmp_path, SWEEP.format(scales=scales))
    out = tmp_path / "out"
    runs = out / "runs"
    proc = _start_batch(spec, out)
    _wait_for_runs(proc, runs, 3)
    if sig == signal.SIGKILL:
        os.killpg(proc.pid, sig)  # the batch and its workers, at once
        proc.wait(timeout=60)
    else:
        proc.send_signal(sig)  # the batch alone: it stops its workers and summarises
        proc.wait(timeout=60)
        assert proc.returncode == 130
        assert "rerun with --resume" in proc.stderr.read().decode()
        assert len(pd.read_csv(out / "summary.csv")) >= 3
    visible = [p for p in runs.iterdir() if not p.name.startswith(".")]
    assert visible and all(_complete(p) for p in visible)  # only complete run folders
    kept = {p.name: (p / "summary.json").stat().st_mtime_ns for p in visible}

    res = run_cli(["batch", str(spec), "--workers", "1", "--out", str(out), "--resume", "--quiet"])
    assert res.exit_code == 0, res.output
    df = pd.read_csv(out / "summary.csv")
    names = ["lanzhou-closed"] + [f"demand_scale={s:g},train_capacity_teu={k}" for s in scales for k in (60, 82)]
    assert list(df["scenario"]) == names  # every scenario exactly once, in file order
    assert set(df["status"]) == {"optimal"}
    assert sorted(p.name for p in runs.iterdir()) == sorted(names)  # no leftovers, no partial folders
    assert all(_complete(runs / n) for n in names)
    for name, stamp in kept.items():  # finished scenarios were not run again
        assert (runs / name / "summary.json").stat().st_mtime_ns == stamp


# ---------------------------------------------------------------------------------------------
# a real local Dask cluster


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def dask_cluster(tmp_path):
    """``dask scheduler`` and one ``dask worker`` on 127.0.0.1, stopped after the test."""
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    logs = tmp_path / "dask-logs"
    logs.mkdir()
    common = dict(cwd=tmp_path, start_new_session=True)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            stdout=open(logs / "scheduler.out", "w"),
            stderr=subprocess.STDOUT,
            **common,
        )
    ]
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or procs[0].poll() is not None:
                    pytest.fail("the Dask scheduler did not start: " + (logs / "scheduler.out").read_text())
                time.sleep(0.2)
        procs.append(
            subprocess.Popen(
                [sys.executable, "-m", "distributed.cli.dask_worker", address, "--host", "127.0.0.1", "--nworkers", "1", "--nthreads", "2", "--no-dashboard"],
                stdout=open(logs / "worker.out", "w"),
                stderr=subprocess.STDOUT,
                **common,
            )
        )
        yield address
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in reversed(procs):
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(timeout=10)


@pytest.mark.slow
def test_sweep_on_a_local_dask_cluster(tiny_dir, tmp_path, dask_cluster):
    spec = scenario_file(tmp_path, SWEEP.format(scales="[0.5, 1.0]"))
    out = tmp_path / "out"
    res = run_cli(["batch", str(spec), "--scheduler", dask_cluster, "--out", str(out), "--quiet"])
    assert res.exit_code == 0, res.output
    df = pd.read_csv(out / "summary.csv")
    assert len(df) == 5 and set(df["status"]) == {"optimal"}
    base = load_instance(tiny_dir)
    sets = [{"closed_hubs": ["H_LANZHOU"]}] + [{"demand_scale": s, "train_capacity_teu": k} for s in (0.5, 1.0) for k in (60, 82)]
    for row, overrides in zip(df.itertuples(), sets):
        assert row.objective == pytest.approx(fresh(base, overrides)["objective"], rel=1e-9)
    workers = {json.loads((out / "runs" / n / "summary.json").read_text())["batch"]["worker"] for n in df["scenario"]}
    assert all(w.split(":")[1] != str(os.getpid()) for w in workers)  # ran in the Dask worker, not here
    assert json.loads((out / "batch.json").read_text())["executor"] == f"Dask cluster at {dask_cluster}"


def test_an_unreachable_scheduler_is_reported():
    address = f"tcp://127.0.0.1:{_free_port()}"
    with pytest.raises(ClusterUnavailable, match=f"cannot reach the Dask scheduler at {address}") as info:
        list(DaskExecutor(address, connect_timeout=1).run(len, None, []))
    assert info.value.exit_code == 2
