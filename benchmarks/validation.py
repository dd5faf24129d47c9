"""Validation time of an instance folder against its size: loading must stay linear in the rows.

    python benchmarks/validation.py [--cities 2000,4000,8000,16000] [--repeat 3]

For each size it writes a generated corridor (``generate_corridor(cities, 40 hubs, 60 destinations)``,
about 12 demand rows per city) to a temporary folder once, then times :func:`load_instance` on it —
reading every CSV, typing and range-checking every cell, the references between tables and the
derived feeder legs: what ``optimizer validate`` does. Each time is the best of ``--repeat`` runs.
The last column is microseconds per demand row divided by that of the smallest size: about 1.0 at
every size when validation is linear.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from optimizer.instance.generate import generate_corridor  # noqa: E402
from optimizer.instance.load import load_instance  # noqa: E402
from optimizer.instance.write import write_instance  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cities", default="2000,4000,8000,16000", help="comma-separated city counts")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    sizes = [int(x) for x in args.cities.split(",")]
    print(f"{'cities':>7} {'demand rows':>12} {'legs':>9} {'seconds':>8} {'us/row':>7} {'ratio':>6}")
    first = None
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            folder = Path(tmp) / f"c{n}"
            write_instance(generate_corridor(n, 40, 60, seed=1), folder)
            best = float("inf")
            for _ in range(args.repeat):
                start = time.perf_counter()
                inst = load_instance(folder)
                best = min(best, time.perf_counter() - start)
            rows = len(inst.demand)
            per_row = best / rows * 1e6
            first = first or per_row
            print(f"{n:>7} {rows:>12,} {len(inst.feeder_legs):>9,} {best:>8.2f} {per_row:>7.1f} {per_row / first:>6.2f}")


if __name__ == "__main__":
    main()
