"""Scale: generated corridors → build → hand-off → HiGHS, and the share of time spent outside HiGHS.

    python benchmarks/scale.py [--sizes 100x10x15,250x20x30,500x40x60] [--time-limit 120] [--seed 0] [--mip-gap G]

Sizes are CITIESxHUBSxDESTINATIONS for :func:`optimizer.instance.generate.generate_corridor`.
Per size it prints the model size (routes, rows, columns, integers), the seconds of generation
(not part of the engine), of ``build_model`` (pandas/numpy index sets + Pyomo objects), of the
hand-off to HiGHS (Pyomo → arrays → ``passModel``) and of HiGHS itself, the ratio
(build + hand-off) / solve (target ≤ 15 % at the largest size), the status and the MIP gap
reached within the time limit. Only the optimised plan is solved (the baseline of the status quo
is a much smaller model).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from optimizer.freight.model import build_model  # noqa: E402
from optimizer.instance.generate import generate_corridor  # noqa: E402
from optimizer.solve import HighsSolver  # noqa: E402


def parse_sizes(text: str) -> list[tuple[int, int, int]]:
    out = []
    for part in text.split(","):
        c, h, d = (int(x) for x in part.lower().split("x"))
        out.append((c, h, d))
    return out


def run(cities: int, hubs: int, dests: int, seed: int, time_limit: float | None, mip_gap: float | None) -> dict:
    t0 = time.perf_counter()
    inst = generate_corridor(cities, hubs, dests, seed)
    t1 = time.perf_counter()
    fm = build_model(inst)
    res = HighsSolver(time_limit=time_limit, mip_gap=mip_gap).solve(fm.model, duals=False)
    d = fm.data
    return {
        "size": f"{cities}x{hubs}x{dests}",
        "routes": len(d.west) + len(d.east),
        "rows": res.n_cons,
        "cols": res.n_vars,
        "ints": res.n_integer,
        "generate": t1 - t0,
        "build": fm.build_seconds,
        "handoff": res.handoff_seconds,
        "solve": res.solve_seconds,
        "status": res.status,
        "gap": res.mip_gap,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="100x10x15,250x20x30,500x40x60")
    ap.add_argument("--time-limit", type=float, default=120.0, help="seconds of HiGHS time per size")
    ap.add_argument("--mip-gap", type=float, default=None, help="relative MIP gap (HiGHS default 1e-4)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    run(20, 4, 3, args.seed, args.time_limit, args.mip_gap)  # warm-up: first-call imports are not part of any size
    head = f"{'size':>11} {'routes':>7} {'rows':>7} {'cols':>7} {'ints':>6} {'gen s':>6} {'build s':>7} {'hand s':>6} {'solve s':>7} {'ratio':>6} {'status':>10} {'gap':>7}"
    print(head)
    last = None
    for c, h, d in parse_sizes(args.sizes):
        r = run(c, h, d, args.seed, args.time_limit, args.mip_gap)
        ratio = (r["build"] + r["handoff"]) / r["solve"] if r["solve"] > 0 else float("inf")
        gap = "-" if r["gap"] is None else f"{100 * r['gap']:.2f}%"
        print(
            f"{r['size']:>11} {r['routes']:>7} {r['rows']:>7} {r['cols']:>7} {r['ints']:>6} {r['generate']:6.2f} {r['build']:7.2f} "
            f"{r['handoff']:6.2f} {r['solve']:7.2f} {ratio:6.1%} {r['status']:>10} {gap:>7}",
            flush=True,
        )
        last = ratio
    if last is not None:
        print(f"(build + hand-off) / solve at the largest size: {last:.1%} (target <= 15%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
