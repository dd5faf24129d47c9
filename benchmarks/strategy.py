"""Solve strategy benchmark: plain HiGHS against the default strategy (the model with its valid
inequalities, :mod:`optimizer.freight.cuts`, and HiGHS with the neighbourhood search beside it,
:mod:`optimizer.solve.search`), same instance, same run, same machine.

    python benchmarks/strategy.py                       # every part (slow: about 50 min)
    python benchmarks/strategy.py --parts national,g130
    python benchmarks/strategy.py --parts orlib --orlib capb:5000,capc:5000 --orlib-limit 600
    python benchmarks/strategy.py --parts orlib --orlib-strategies search   # the default alone
    python benchmarks/strategy.py --parts sweep --scenarios 24

Parts and their targets (issue 12):

* ``national``: instances/national, gap 0.1 %, limit 60 s (target: 0.1 % in ≤ 60 s);
* ``g130``: ``optimizer generate corridor --cities 130 --hubs 30 --destinations 60 --seed 3``, gap
  0.1 %, limit 300 s (target: 0.1 % within 300 s);
* ``g500``: 500 × 40 × 60 seed 7, gap 1 %, limit 300 s (target: ≤ 1 % within 300 s);
* ``orlib``: OR-Library capa/capb/capc at the capacities given (default all twelve), gap 0, each
  against the published optimum (target: all reproduced, each time against plain);
* ``sweep``: instances/scenarios/landbridge-sweep.yaml at gap 0.1 %, one process: plain HiGHS
  solving every scenario afresh (``warm_start: false``, ``strategy: plain``) against the batch
  default (starts from earlier plans, the search) (target: ≥ 2×).

Each instance part builds the optimised plan's model as ``optimizer freight solve`` does for each
strategy (``plain``: as written; ``search``: with the valid inequalities) and solves it: the
seconds to reach the gap (or the limit), the final gap, plan and bound. Only HiGHS's bound is a
bound: the gap of both columns is HiGHS's, so the comparison is of proven gaps.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from optimizer.freight.labels import freight_labels  # noqa: E402
from optimizer.freight.model import build_model  # noqa: E402
from optimizer.freight.run import FreightStarts, solve_instance  # noqa: E402
from optimizer.instance.generate import generate_corridor  # noqa: E402
from optimizer.instance.importers.orlib import read_orlib_cap  # noqa: E402
from optimizer.instance.load import load_instance  # noqa: E402
from optimizer.instance.overrides import apply_overrides  # noqa: E402
from optimizer.solve import STRATEGIES, HighsSolver, adds_cuts  # noqa: E402

ORLIB_DIR = ROOT.parent / "shared" / "benchmarks" / "orlib-cflp"
#: OR-Library capopt (J.E. Beasley), as quoted in issue 12
ORLIB_OPTIMA = {
    ("capa", 8000): 19240822.449, ("capa", 10000): 18438046.543, ("capa", 12000): 17765201.949, ("capa", 14000): 17160439.012,
    ("capb", 5000): 13656379.578, ("capb", 6000): 13361927.449, ("capb", 7000): 13198556.434, ("capb", 8000): 13082516.496,
    ("capc", 5000): 11646596.974, ("capc", 5750): 11570340.289, ("capc", 6500): 11518743.744, ("capc", 7250): 11505767.394,
}  # fmt: skip
GENERATED = {"g130": (130, 30, 60, 3), "g500": (500, 40, 60, 7)}
TARGETS = {"national": (1e-3, 60.0), "g130": (1e-3, 300.0), "g500": (1e-2, 300.0)}
SWEEP = ROOT / "instances" / "scenarios" / "landbridge-sweep.yaml"


def solve_once(instance, strategy: str, gap: float, limit: float) -> dict:
    fm = build_model(instance, baseline=False, cuts=adds_cuts(strategy))  # as freight solve builds it
    t = time.perf_counter()
    res = HighsSolver(time_limit=limit, mip_gap=gap, strategy=strategy).solve(fm.model, labels=freight_labels(fm))
    seconds = time.perf_counter() - t
    return {"seconds": seconds, "status": res.status, "objective": res.objective, "bound": res.best_bound, "gap": res.mip_gap,
            "sub_mips": res.search.sub_mips if res.search else 0, "found": len(res.search.improvements) if res.search else 0}


def _fmt(r: dict) -> str:
    gap = "?" if r["gap"] is None else f"{100 * r['gap']:.3f}%"
    obj = "-" if r["objective"] is None else f"{r['objective']:,.2f}"
    return f"{r['seconds']:7.1f}s  {r['status']:<10} gap {gap:>8}  plan {obj}"


def compare(name: str, instance, gap: float, limit: float, note: str = "") -> dict:
    print(f"\n{name}: gap {100 * gap:g} %, limit {limit:g} s {note}", flush=True)
    out = {}
    for strategy in ("plain", "search"):
        r = out[strategy] = solve_once(instance, strategy, gap, limit)
        extra = f"  ({r['sub_mips']} sub-MIPs, {r['found']} plans found by the search)" if strategy == "search" else ""
        print(f"  {strategy:<7}{_fmt(r)}{extra}", flush=True)
    p, s = out["plain"], out["search"]
    reached = {k: v["gap"] is not None and v["gap"] <= gap + 1e-12 for k, v in out.items()}
    print(f"  reached the gap: plain {reached['plain']}, search {reached['search']}; time ratio plain/search {p['seconds'] / s['seconds']:.2f}x", flush=True)
    return out


def part_instance(name: str) -> None:
    gap, limit = TARGETS[name]
    if name == "national":
        compare(name, load_instance(ROOT / "instances" / "national"), gap, limit)
        return
    cities, hubs, dests, seed = GENERATED[name]
    compare(name, generate_corridor(cities, hubs, dests, seed), gap, limit, f"({cities} x {hubs} x {dests} seed {seed})")


def part_orlib(which: list[tuple[str, int]], limit: float, strategies: list[str]) -> None:
    if not ORLIB_DIR.is_dir():
        print(f"\norlib: {ORLIB_DIR} not found, skipped")
        return
    print(f"\norlib capa/b/c: gap 0, limit {limit:g} s each", flush=True)
    totals = {k: 0.0 for k in strategies}
    for name, cap in which:
        instance = read_orlib_cap(ORLIB_DIR / f"{name}.txt", capacity=cap)
        want = ORLIB_OPTIMA[(name, cap)]
        line = [f"  {name} {cap:>5}:"]
        for strategy in strategies:
            r = solve_once(instance, strategy, 0.0, limit)
            totals[strategy] += r["seconds"]
            ok = r["objective"] is not None and abs(r["objective"] - want) <= 0.01 and r["status"] == "optimal"
            line.append(f"{strategy} {r['seconds']:6.1f}s {'reproduced' if ok else 'NOT reproduced (' + r['status'] + ', ' + str(r['objective']) + ')'}")
        print("  ".join(line), flush=True)
    print("  total: " + ", ".join(f"{k} {v:.1f}s" for k, v in totals.items())
          + (f", ratio {totals['plain'] / max(totals['search'], 1e-9):.2f}x" if len(totals) == 2 else ""), flush=True)


def part_sweep(n: int | None, gap: float) -> None:
    from optimizer.batch.runner import prepare  # noqa: PLC0415 - only this part needs it

    plan = prepare(SWEEP)
    tasks = plan.tasks if n is None else [plan.tasks[round(i * (len(plan.tasks) - 1) / max(n - 1, 1))] for i in range(n)]
    base = plan.base
    print(f"\nsweep: {len(tasks)} scenarios of {SWEEP.name}, gap {100 * gap:g} %, one process", flush=True)
    times = {}
    for label, strategy, starts in (("plain, fresh", "plain", None), ("default (starts + search)", "search", FreightStarts())):
        t = time.perf_counter()
        objs = []
        for task in tasks:
            res = solve_instance(apply_overrides(base, task.overrides), mip_gap=gap, starts=starts, strategy=strategy, sensitivity=False)
            objs.append(res.summary["objective"])
        times[label] = time.perf_counter() - t
        print(f"  {label:<27} {times[label]:7.1f}s  ({times[label] / len(tasks):.2f} s per scenario)", flush=True)
    a, b = times.values()
    print(f"  ratio plain/default {a / b:.2f}x (target >= 2x)", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--parts", default="national,g130,g500,orlib,sweep")
    ap.add_argument("--orlib", default=",".join(f"{n}:{c}" for n, c in ORLIB_OPTIMA), help="name:capacity,... (default: all twelve)")
    ap.add_argument("--orlib-limit", type=float, default=600.0, help="seconds per OR-Library solve")
    ap.add_argument("--orlib-strategies", default="plain,search", help="the strategies to run on each OR-Library instance (plain,search)")
    ap.add_argument("--scenarios", type=int, default=None, help="sweep: this many scenarios spread over the file (default all)")
    args = ap.parse_args()
    for part in args.parts.split(","):
        if part in TARGETS:
            part_instance(part)
        elif part == "orlib":
            strategies = args.orlib_strategies.split(",")
            if not set(strategies) <= set(STRATEGIES):
                raise SystemExit(f"--orlib-strategies: each of {', '.join(STRATEGIES)}")
            part_orlib([(n, int(c)) for n, c in (x.split(":") for x in args.orlib.split(","))], args.orlib_limit, strategies)
        elif part == "sweep":
            part_sweep(args.scenarios, 1e-3)
        else:
            raise SystemExit(f"unknown part {part!r}")


if __name__ == "__main__":
    main()
