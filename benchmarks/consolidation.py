"""The consolidation cost game on the landbridge corridor, timed.

    python benchmarks/consolidation.py                          # both parts
    python benchmarks/consolidation.py --part rowgen [--rule nucleolus] [--workers 2]
    python benchmarks/consolidation.py --part enumeration [--workers 2]

``rowgen``: the 15 provinces of instances/landbridge as players, the rule (default nucleolus)
by row generation (no enumeration): the master LPs over the coalitions found so far and the
membership separation MIP (:mod:`optimizer.sharing.consolidation.separation`), in this process;
the coalitions each round finds (a separation MIP's coalition and the removals of its plan) are
priced on ``--workers`` local processes (1: in this process). Prints the wall time, the coalition
MIPs priced and their seconds, the separation MIPs and their seconds. Target (issue 11): at most
15 min on a 2-core machine.

``enumeration``: nine players, the eight corridor provinces (Shandong, Jiangsu, Henan, Shaanxi,
Gansu, Ningxia, Qinghai, Xinjiang) and "outside" for every other city (a player file written to
a temporary folder); all 511 coalitions priced on ``--workers`` local processes, once with starts
(each worker starts every MIP from the plans of the coalitions it solved before) and once without,
then the nucleolus of the enumerated game. Prints both wall times, their ratio and whether the two
games agree (every c(S) within the MIP tolerance; the script exits 1 if not). Target (issue 11):
at most 10 min with 2 workers.

Every coalition MIP is solved to optimality (gap 0, as ``optimizer share consolidation`` does by
default); nothing is cached between runs (no run folder).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from optimizer.batch.executors import LocalExecutor  # noqa: E402
from optimizer.instance.load import load_instance  # noqa: E402
from optimizer.sharing.consolidation import solve_consolidation  # noqa: E402

CORRIDOR = ("Shandong", "Jiangsu", "Henan", "Shaanxi", "Gansu", "Ningxia", "Qinghai", "Xinjiang")


def _line(label: str, res, seconds: float) -> None:
    c = res.counts
    print(
        f"  {label:22s} {seconds:8.1f}s  coalitions priced {c['coalitions_priced']:4d} ({c['mip_seconds']:7.1f}s of MIP, "
        f"{c['coalitions_started']} started)  separation MIPs {c['separation_mips']:3d} ({c['separation_seconds']:7.1f}s, "
        f"{c['separation_taken_early']} taken early; {c['separation_removals']} coalitions listed from their plans)  "
        f"rounds answered by earlier designs {c['separation_from_designs']} ({c['separation_design_seconds']:.1f}s of tries)"
    )


def rowgen(rule: str, workers: int) -> None:
    inst = load_instance(ROOT / "instances" / "landbridge")
    where = f"coalition MIPs on {workers} worker processes" if workers > 1 else "every MIP in this process"
    print(f"row generation: {rule} of landbridge by province (15 players), every MIP to gap 0, {where}")
    executor = LocalExecutor(workers) if workers > 1 else None
    if executor is not None:
        executor.connect()
    try:
        t0 = time.perf_counter()
        res = solve_consolidation(inst, rule, enumerate_all=False, executor=executor)
        seconds = time.perf_counter() - t0
    finally:
        if executor is not None:
            executor.close()
    _line("row generation", res, seconds)
    print(f"  c(N) = {res.grand:,.0f}; allocation adds up to {res.allocation.sum():,.0f}; in core: {res.core.get('in_core')}")
    for name, x, alone in zip(res.players.names, res.allocation, res.stand_alone):
        print(f"    {name:12s} stand-alone {alone:16,.0f}  allocated {x:16,.0f}  saving {100 * (1 - x / alone):5.1f}%")
    print(f"  target: at most 900 s -> {'met' if seconds <= 900 else 'NOT met'} ({seconds:.0f} s)")


def enumeration(workers: int) -> int:
    inst = load_instance(ROOT / "instances" / "landbridge")
    with tempfile.TemporaryDirectory() as tmp:
        players = Path(tmp) / "players.csv"
        rows = [f"{c},{p if p in CORRIDOR else 'outside'}" for c, p in inst.cities["province"].items()]
        players.write_text("city_id,player\n" + "\n".join(rows) + "\n")
        games = {}
        times = {}
        for starts in (True, False):
            label = "with starts" if starts else "without starts"
            executor = LocalExecutor(workers)
            executor.connect()
            try:
                t0 = time.perf_counter()
                res = solve_consolidation(inst, "nucleolus", players=players, enumerate_all=True, executor=executor, starts=starts)
                times[label] = time.perf_counter() - t0
            finally:
                executor.close()
            games[label] = res
            print(f"enumeration of n = 9 (eight corridor provinces + outside) on {workers} worker(s), {label}")
            _line(label, res, times[label])
    a, b = games["with starts"], games["without starts"]
    masks = sorted(a.cache.values)
    diff = max(abs(a.cache[m].cost - b.cache[m].cost) / max(1.0, abs(b.cache[m].cost)) for m in masks)
    same = diff <= 1e-6 and np.allclose(a.allocation, b.allocation, rtol=1e-6)
    print(f"  without / with starts: {times['without starts'] / times['with starts']:.2f}x; largest relative c(S) difference {diff:.1e}")
    print("  nucleolus: " + ", ".join(f"{p} {x:,.0f}" for p, x in zip(a.players.names, a.allocation)))
    worst = max(times.values())
    print(f"  target: at most 600 s -> {'met' if worst <= 600 else 'NOT met'} (slowest {worst:.0f} s)")
    if not same:
        print("  the two games differ", file=sys.stderr)
        return 1
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--part", choices=("rowgen", "enumeration", "both"), default="both")
    ap.add_argument("--rule", default="nucleolus", choices=("nucleolus", "least-core", "equal-profit", "core"))
    ap.add_argument("--workers", type=int, default=2, help="worker processes for coalition MIPs (1: all in this process)")
    args = ap.parse_args()
    rc = 0
    if args.part in ("enumeration", "both"):
        rc = enumeration(args.workers)
    if args.part in ("rowgen", "both"):
        rowgen(args.rule, args.workers)
    return rc


if __name__ == "__main__":
    sys.exit(main())
