"""Batch benchmark: solving each scenario afresh against starting it from earlier plans, and
throughput with 1 and 2 worker processes.

    python benchmarks/batch.py                                   # the whole sweep file (slow)
    python benchmarks/batch.py --scenarios 12 --mip-gap 0.01     # a quick look

Scenarios come from a scenario file (default ``instances/scenarios/landbridge-sweep.yaml``,
at least 100 scenarios on instances/landbridge); ``--scenarios N`` takes N of them spread evenly
over the file (so every sweep axis is represented).

1. Per-scenario time, one process, scenarios in the order a worker gets them: ``fresh`` builds and
   solves each scenario as ``optimizer freight solve`` does (``solve_instance``, no starts: what
   ``warm_start: false`` runs); ``started`` passes one
   :class:`~optimizer.freight.run.FreightStarts`, so each scenario starts HiGHS from the
   re-optimised plans of the nearest earlier scenarios, matched by label (the batch default).
   Both include applying the overrides, both plans (optimised and today's network), tables and
   KPIs: the whole of a scenario. The objectives of the two are compared (they must agree within
   the MIP gap). Also printed per group of scenarios with the same non-numeric overrides, and the
   scenarios whose plan got no start.
2. Throughput of the batch runner (run folders, summary) with 1 and 2 local worker processes,
   starts on. Target: 2 workers >= 1.7x the scenarios per second of 1.

HiGHS is about 93 % of a scenario on instances/landbridge: starts shorten the search, nothing
else here is worth measuring; the output splits the time so that this is visible.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from optimizer.batch.executors import LocalExecutor  # noqa: E402
from optimizer.batch.runner import Plan, _ordered, prepare, run_plan  # noqa: E402
from optimizer.freight.run import FreightStarts, solve_instance  # noqa: E402
from optimizer.instance.overrides import apply_overrides  # noqa: E402

DEFAULT = ROOT / "instances" / "scenarios" / "landbridge-sweep.yaml"


def pick(plan: Plan, n: int | None) -> Plan:
    """``n`` scenarios spread evenly over the plan (all when n is None)."""
    if n is None or n >= len(plan.tasks):
        return plan
    step = len(plan.tasks) / n
    tasks = [plan.tasks[int(i * step)] for i in range(n)]
    return Plan(plan.spec, plan.engine, plan.base, plan.base_hash, tasks, plan.param_keys)


def per_scenario(plan: Plan, time_limit: float | None, mip_gap: float | None) -> None:
    tasks = _ordered(plan.engine, plan.tasks)
    starts = FreightStarts()
    times = {"fresh": [], "started": []}
    highs = {"fresh": [], "started": []}
    groups: dict[str, list[tuple[float, float]]] = {}
    worst = 0.0
    unstarted = []
    for task in tasks:
        row = {}
        for mode in ("fresh", "started"):
            t0 = time.perf_counter()
            inst = apply_overrides(plan.base, task.overrides)
            res = solve_instance(inst, time_limit=time_limit, mip_gap=mip_gap, starts=starts if mode == "started" else None)
            times[mode].append(time.perf_counter() - t0)
            s = res.summary
            highs[mode].append(s["solve_seconds"] + (_baseline_seconds(res) or 0.0))
            row[mode] = s["objective"]
        if "start" not in s:
            unstarted.append(task.name)
        worst = max(worst, abs(row["fresh"] - row["started"]) / max(1.0, abs(row["fresh"])))
        groups.setdefault(plan.engine.similarity_key(task.overrides), []).append((times["fresh"][-1], times["started"][-1]))
        print(
            f"  {task.name:60s} fresh {times['fresh'][-1]:6.2f}s  started {times['started'][-1]:6.2f}s"
            f"{'' if 'start' in s else '  (no start)'}",
            flush=True,
        )
    n = len(tasks)
    tf, ts = statistics.mean(times["fresh"]), statistics.mean(times["started"])
    hf, hs = statistics.mean(highs["fresh"]), statistics.mean(highs["started"])
    print(f"\nper scenario ({n} scenarios, one process):")
    print(f"  fresh  : {tf:7.3f} s  (HiGHS {hf:6.3f} s, everything else {tf - hf:6.3f} s)")
    print(f"  started: {ts:7.3f} s  (HiGHS {hs:6.3f} s, everything else {ts - hs:6.3f} s)")
    print(f"  speed-up: {tf / ts:.2f}x")
    print(f"  {n - len(unstarted)} plans started from earlier ones; without a start: {', '.join(unstarted) or 'none'}")
    print(f"  largest relative objective difference {worst:.2e}")
    print("  per group of scenarios with the same non-numeric overrides (the order workers get them in):")
    for key, pairs in groups.items():
        fresh, again = sum(p[0] for p in pairs), sum(p[1] for p in pairs)
        print(f"    {key:45s} {len(pairs):3d} scenarios  fresh {fresh / len(pairs):6.2f} s  started {again / len(pairs):6.2f} s  ({fresh / again:.2f}x)")


def _baseline_seconds(res) -> float | None:
    return res.baseline.solve.solve_seconds if res.baseline is not None else None


def throughput(plan: Plan, workers: int, out: Path) -> float:
    t0 = time.perf_counter()
    result = run_plan(plan, out, executor=LocalExecutor(workers), quiet=True)
    seconds = time.perf_counter() - t0
    rate = len(plan.tasks) / seconds
    cpu = sum(json.loads((out / "runs" / t.name / "summary.json").read_text())["batch"]["cpu_seconds"] for t in plan.tasks)
    print(
        f"  {workers} worker(s): {len(plan.tasks)} scenarios in {seconds:7.2f} s = {rate:.3f} scenarios/s, "
        f"{cpu / len(plan.tasks):.2f} CPU s per scenario, {cpu / seconds:.2f} cores busy on average  {result.statuses}"
    )
    return rate


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("file", nargs="?", default=str(DEFAULT), help="scenario file (freight)")
    ap.add_argument("--scenarios", type=int, default=None, help="use N scenarios spread over the file")
    ap.add_argument("--time-limit", type=float, default=None, help="HiGHS seconds per solve (default: the file's)")
    ap.add_argument("--mip-gap", type=float, default=None, help="relative MIP gap (default: the file's)")
    ap.add_argument("--skip", choices=("per-scenario", "throughput"), action="append", default=[], help="skip a part")
    args = ap.parse_args()
    plan = prepare(args.file)
    if plan.spec.model != "freight":
        sys.exit("the benchmark needs a freight scenario file")
    opts = dict(plan.tasks[0].options)
    if args.time_limit is not None:
        opts["time_limit"] = args.time_limit
    if args.mip_gap is not None:
        opts["mip_gap"] = args.mip_gap
    plan.tasks = [t.__class__(**{**t.__dict__, "options": opts}) for t in plan.tasks]
    full = len(plan.tasks)
    plan = pick(plan, args.scenarios)
    print(f"{args.file}: {full} scenarios, using {len(plan.tasks)}; time_limit {opts.get('time_limit')}, mip_gap {opts.get('mip_gap')}")
    if "per-scenario" not in args.skip:
        per_scenario(plan, opts.get("time_limit"), opts.get("mip_gap"))
    if "throughput" not in args.skip:
        print("\nthroughput (batch runner, local processes, starts on):")
        with tempfile.TemporaryDirectory(prefix="batch-bench-") as tmp:
            one = throughput(plan, 1, Path(tmp) / "w1")
            two = throughput(plan, 2, Path(tmp) / "w2")
        print(f"  2 workers / 1 worker: {two / one:.2f}x (target >= 1.7x)")


if __name__ == "__main__":
    main()
