"""The batch runner with a trivial engine: run folders, summary, failure isolation, resume, locking.

The engine here computes ``objective = a * x`` (``a`` from the base file, ``x`` from the scenario),
so every expected number is obvious; the freight engine is tested in test_batch_freight.py.
"""

from __future__ import annotations

import io
import json
import os
import typing
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest

from optimizer.batch.engines import Engine, Outcome
from optimizer.batch.executors import LocalExecutor, WorkerDied
from optimizer.batch.progress import ProgressBar
from optimizer.batch.runner import FolderBusy, _Lock, clean_leftovers, prepare, run_plan
from optimizer.errors import InputError
from optimizer.summary import BatchRun


@dataclass
class ProductSummary(BatchRun):
    """summary.json of a product scenario, as the runner reads it back."""

    kpis: dict[str, typing.Any] = field(default_factory=dict)


class ProductEngine(Engine):
    """base: a JSON file {"a": number}; set: x (number), mode (ok | infeasible | raise | crash)."""

    name = "product"
    SUMMARY = (ProductSummary,)

    def load_base(self, path):
        return json.loads(Path(path).read_text())

    def check_options(self, options):
        bad = [f"options.{k}: unknown option" for k in options if k != "scale"]
        return dict(options), bad

    def check(self, base, overrides, options):
        out = {}
        for key, value in overrides.items():
            if key == "x":
                if not isinstance(value, (int, float)):
                    raise ValueError(f"x: not a number: {value!r}")
                out[key] = float(value)
            elif key == "mode":
                out[key] = str(value)
            else:
                raise ValueError(f"{key}: unknown parameter")
        return out

    def value(self, base, overrides, options, key):
        return overrides.get(key, {"x": 1.0, "mode": "ok"}[key])

    def run(self, task, base):
        mode = task.overrides.get("mode", "ok")
        if mode == "raise":
            raise RuntimeError("boom")
        if mode == "crash":
            os._exit(7)
        if mode == "infeasible":
            return Outcome(task.name, "infeasible", {"objective": None}, reason="no plan")
        x = task.overrides.get("x", 1.0) * task.options.get("scale", 1)
        objective = base["a"] * x
        summary = {"objective": objective, "mip_gap": 0.0, "kpis": {"x": x, "nested": {"deep": 1}}}
        return Outcome(task.name, "optimal", summary, tables={"values": pd.DataFrame({"x": [x]})})

    def summary_columns(self, summary):
        return {"kpis.x": summary.kpis["x"]} if "x" in summary.kpis else {}


def batch_file(tmp_path: Path, body: str) -> Path:
    (tmp_path / "base.json").write_text('{"a": 2}')
    p = tmp_path / "sweep.yaml"
    p.write_text("model: freight\nbase: base.json\n" + body, encoding="utf-8")
    return p


def run(tmp_path, body, *, workers=2, resume=False, out=None):
    plan = prepare(batch_file(tmp_path, body), engine=ProductEngine())
    stream = io.StringIO()
    result = run_plan(plan, out or tmp_path / "out", executor=LocalExecutor(workers), resume=resume, stream=stream)
    return plan, result, stream.getvalue()


SWEEP = "options: {scale: 1}\nscenarios:\n  - name: base\nsweep:\n  x: [1, 2, 3]\n"


def test_sweep_on_two_local_workers(tmp_path):
    plan, result, log = run(tmp_path, SWEEP)
    out = tmp_path / "out"
    df = pd.read_csv(out / "summary.csv")
    assert list(df["scenario"]) == ["base", "x=1", "x=2", "x=3"]
    assert list(df["objective"]) == [2.0, 2.0, 4.0, 6.0]  # a * x with a = 2
    assert list(df["x"]) == [1.0, 1.0, 2.0, 3.0]
    assert list(df["kpis.x"]) == [1.0, 1.0, 2.0, 3.0]
    assert set(df["status"]) == {"optimal"}
    pd.testing.assert_frame_equal(pd.read_parquet(out / "summary.parquet"), result.summary, check_dtype=False)
    for name in df["scenario"]:
        run_dir = out / "runs" / name
        summary = json.loads((run_dir / "summary.json").read_text())
        assert summary["batch"]["scenario"] == name
        assert summary["batch"]["hash"] == next(t.hash for t in plan.tasks if t.name == name)
        assert (run_dir / "values.csv").is_file()
    assert sorted(p.name for p in (out / "runs").iterdir()) == ["base", "x=1", "x=2", "x=3"]
    assert result.exit_code == 0 and result.ran == 4 and result.kept == 0
    meta = json.loads((out / "batch.json").read_text())
    assert [s["name"] for s in meta["scenarios"]] == ["base", "x=1", "x=2", "x=3"]
    assert "4/4 scenarios, 0 failed" in log


def test_failures_are_isolated(tmp_path):
    body = (
        "scenarios:\n  - {name: raises, set: {mode: raise}}\n  - {name: crashes, set: {mode: crash}}\n"
        "  - {name: none, set: {mode: infeasible}}\nsweep:\n  x: [1, 2, 3, 4]\n"
    )
    plan, result, log = run(tmp_path, body)
    df = pd.read_csv(tmp_path / "out" / "summary.csv").set_index("scenario")
    assert df.loc["raises", "status"] == "error"
    assert "RuntimeError: boom" in df.loc["raises", "reason"]
    assert "boom" in (tmp_path / "out" / "runs" / "raises" / "error.txt").read_text()
    assert df.loc["crashes", "status"] == "error"
    assert "WorkerDied: its worker process died while running it" in df.loc["crashes", "reason"]
    assert df.loc["none", "status"] == "infeasible" and df.loc["none", "reason"] == "no plan"
    assert list(df.loc[["x=1", "x=2", "x=3", "x=4"], "objective"]) == [2.0, 4.0, 6.0, 8.0]
    assert result.exit_code == 1  # some scenario failed
    assert result.statuses == {"optimal": 4, "error": 2, "infeasible": 1}
    assert "3 failed" in log


def crash_if_negative(task: int, base: int) -> int:
    if task < 0:
        os._exit(3)
    return task * base


def test_local_executor_blames_only_the_tasks_that_kill_their_worker():
    tasks = [1, -1, 2, 3, -2, 4, 5, 6]
    results = dict(LocalExecutor(2).run(crash_if_negative, 10, tasks))
    assert {t: r for t, r in results.items() if t > 0} == {1: 10, 2: 20, 3: 30, 4: 40, 5: 50, 6: 60}
    assert all(isinstance(results[t], WorkerDied) for t in (-1, -2))
    assert len(results) == len(tasks)  # each task reported once


def test_no_plan_without_errors_exits_3(tmp_path):
    _, result, _ = run(tmp_path, "scenarios:\n  - {name: none, set: {mode: infeasible}}\n  - {name: ok}\n", workers=1)
    assert result.exit_code == 3 and result.without_plan == 1


def test_bad_overrides_are_reported_with_the_scenario_before_anything_runs(tmp_path):
    path = batch_file(
        tmp_path,
        "options: {scale: 1, speed: 3}\nscenarios:\n  - {name: a, set: {x: big}}\n  - {name: b, set: {y: 1}}\n  - {name: c}\n",
    )
    with pytest.raises(InputError) as info:
        prepare(path, engine=ProductEngine())
    assert [p.message for p in info.value.problems] == ["options.speed: unknown option"]
    path.write_text(path.read_text().replace(", speed: 3", ""))
    with pytest.raises(InputError) as info:
        prepare(path, engine=ProductEngine())
    assert [p.message for p in info.value.problems] == [
        "scenario 'a' (scenarios[0]): x: not a number: 'big'",
        "scenario 'b' (scenarios[1]): y: unknown parameter",
    ]
    assert not (tmp_path / "out").exists()


def test_resume_keeps_finished_runs_and_redoes_the_rest(tmp_path):
    run(tmp_path, SWEEP)
    runs = tmp_path / "out" / "runs"
    stamp = {p.name: (p / "summary.json").stat().st_mtime_ns for p in runs.iterdir()}
    # x=2 lost (as if killed before it ran); x=3 made by a different scenario definition;
    # "base" failed with an error; a staging folder of a killed run lies around
    import shutil

    shutil.rmtree(runs / "x=2")
    s3 = json.loads((runs / "x=3" / "summary.json").read_text())
    s3["batch"]["hash"] = "stale"
    (runs / "x=3" / "summary.json").write_text(json.dumps(s3))
    sb = json.loads((runs / "base" / "summary.json").read_text())
    sb["status"] = "error"
    (runs / "base" / "summary.json").write_text(json.dumps(sb))
    (runs / ".x=1.partial-abc").mkdir()
    stamp = {k: (runs / k / "summary.json").stat().st_mtime_ns for k in stamp if (runs / k).exists()}

    _, result, log = run(tmp_path, SWEEP, resume=True)
    assert result.kept == 1 and result.ran == 3
    assert (runs / "x=1" / "summary.json").stat().st_mtime_ns == stamp["x=1"]
    assert (runs / "x=3" / "summary.json").stat().st_mtime_ns != stamp["x=3"]
    assert (runs / "base" / "summary.json").stat().st_mtime_ns != stamp["base"]
    assert sorted(p.name for p in runs.iterdir()) == ["base", "x=1", "x=2", "x=3"]
    df = pd.read_csv(tmp_path / "out" / "summary.csv")
    assert list(df["scenario"]) == ["base", "x=1", "x=2", "x=3"] and set(df["status"]) == {"optimal"}
    assert "1 finished scenario(s) kept, 3 to run" in log


@pytest.mark.parametrize(
    "edit",
    [
        lambda s: '{"status": "optimal", "objective": 4',  # cut short: not JSON
        lambda s: json.dumps([s]),  # not an object
        lambda s: json.dumps({**s, "objective": "abc"}),  # a value of the wrong type
        lambda s: json.dumps({**s, "status": 5}),
        lambda s: json.dumps({**s, "batch": "x"}),
        lambda s: json.dumps({**s, "batch": {**s["batch"], "seconds": "slow"}}),
    ],
    ids=["truncated", "list", "objective-text", "status-number", "batch-text", "seconds-text"],
)
def test_resume_runs_again_a_scenario_whose_summary_cannot_be_read(tmp_path, edit):
    run(tmp_path, SWEEP)
    runs = tmp_path / "out" / "runs"
    path = runs / "x=2" / "summary.json"
    path.write_text(edit(json.loads(path.read_text())))
    _, result, log = run(tmp_path, SWEEP, resume=True)
    assert result.kept == 3 and result.ran == 1 and result.exit_code == 0
    assert json.loads(path.read_text())["objective"] == 4.0  # x=2 ran again: a * x with a = 2
    df = pd.read_csv(tmp_path / "out" / "summary.csv")
    assert list(df["scenario"]) == ["base", "x=1", "x=2", "x=3"] and list(df["objective"]) == [2.0, 2.0, 4.0, 6.0]
    assert "3 finished scenario(s) kept, 1 to run" in log


def test_a_changed_option_invalidates_finished_runs(tmp_path):
    run(tmp_path, SWEEP)
    _, result, _ = run(tmp_path, SWEEP.replace("scale: 1", "scale: 10"), resume=True)
    assert result.kept == 0 and result.ran == 4
    df = pd.read_csv(tmp_path / "out" / "summary.csv")
    assert list(df["objective"]) == [20.0, 20.0, 40.0, 60.0]


def test_summary_only_lists_scenarios_of_the_current_file(tmp_path):
    run(tmp_path, SWEEP)
    _, result, _ = run(tmp_path, "options: {scale: 1}\nsweep:\n  x: [2, 5]\n", resume=True)
    assert result.kept == 1 and result.ran == 1
    df = pd.read_csv(tmp_path / "out" / "summary.csv")
    assert list(df["scenario"]) == ["x=2", "x=5"]


def test_leftovers_of_a_killed_batch(tmp_path):
    runs = tmp_path / "runs"
    (runs / ".a.partial-123").mkdir(parents=True)
    (runs / ".b.old-99").mkdir()
    (runs / ".b.old-99" / "summary.json").write_text("{}")  # b was being replaced when the batch died
    (runs / "c").mkdir()
    (runs / ".c.old-98").mkdir()  # c was replaced completely; the old copy is junk
    clean_leftovers(runs)
    assert sorted(p.name for p in runs.iterdir()) == ["b", "c"]
    assert (runs / "b" / "summary.json").is_file()


def test_one_batch_per_folder(tmp_path):
    with _Lock(tmp_path / "out"):
        with pytest.raises(FolderBusy, match=f"pid {os.getpid()}"):
            run(tmp_path, SWEEP, workers=1)


def test_progress_bar_counts_and_eta():
    stream = io.StringIO()
    bar = ProgressBar(4, done=1, stream=stream, interval=0)
    assert "1/4 scenarios, 0 failed" in stream.getvalue() and "ETA --:--" in stream.getvalue()
    bar.update(failed=True)
    assert "2/4 scenarios, 1 failed" in stream.getvalue()
    assert bar.eta() is not None
    bar.update()
    bar.update()
    bar.close()
    last = stream.getvalue().strip().splitlines()[-1]
    assert "4/4 scenarios, 1 failed" in last and "ETA" not in last
    quiet = io.StringIO()
    ProgressBar(3, quiet=True, stream=quiet).update()
    assert quiet.getvalue() == ""
