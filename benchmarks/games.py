"""Cooperative games: nucleolus of random superadditive games and exact Shapley values, timed.

    python benchmarks/games.py [--sizes 10,15,20] [--seeds 3] [--shapley-n 20]

Two families of random superadditive games (n players, all 2^n values drawn):

* ``quadratic``: v(S) = |S|^2 * u(S), u(S) uniform in [0.91, 1]. Superadditive because
  (s + t)^2 * 0.91 >= s^2 + t^2 whenever s + t <= 20 (s = 19, t = 1 needs 0.905).
* ``majority``: weighted majority games: integer weights w_i uniform in 1..9, v(S) = 1 if w(S) is
  more than half the total weight, else 0. Superadditive (two disjoint coalitions cannot both
  win), not convex, the core is empty unless a player has a veto; 0/1 values make the LPs highly
  degenerate (many ties), the hard case for fixing only the coalitions tight in every optimum.

For each game the nucleolus is computed exactly by the sequential LPs of
``optimizer.sharing.nucleolus``: 2^n excesses are computed in numpy after every LP, and the LP
only holds the coalitions that have been violated. The table gives the time of
``solve_game(game, "nucleolus")``, the number of LPs and of coalitions generated, and the number
of excess levels. One tiny game is solved first and reported on its own line, because the first
HiGHS solve in a process pays for imports; it is not counted in the rows. Targets (issue 3):
nucleolus n = 20 under 5 s, exact Shapley n = 20 under 1 s.

Large generated games (``--generated-sizes``, default 50,100): random bankruptcy games (integer
claims 1..99, estate 30 % and 70 % of the claims) and airport games (integer costs 1..199), whose
nucleolus is computed through the separation oracles of ``optimizer.sharing.oracles`` (no table
of 2^n values).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from optimizer.sharing.coalitions import popcounts, subset_sums  # noqa: E402
from optimizer.sharing.games import Game, airport_game, bankruptcy_game, solve_game  # noqa: E402


def quadratic_game(n: int, seed: int) -> Game:
    rng = np.random.default_rng(seed)
    v = popcounts(n).astype(float) ** 2 * rng.uniform(0.91, 1.0, 1 << n)
    return Game([f"p{i}" for i in range(n)], v, name=f"quadratic-{n}-{seed}")


def majority_game(n: int, seed: int) -> Game:
    rng = np.random.default_rng(seed)
    w = rng.integers(1, 10, n).astype(float)
    v = (subset_sums(w) > 0.5 * w.sum()).astype(float)
    return Game([f"p{i}" for i in range(n)], v, name=f"majority-{n}-{seed}")


FAMILIES = {"quadratic": quadratic_game, "majority": majority_game}


def generated_games(n: int, seed: int) -> list[tuple[str, Game]]:
    """Two bankruptcy games (estate 30 % and 70 % of the claims) and one airport game."""
    rng = np.random.default_rng(seed)
    d = rng.integers(1, 100, n).astype(float)
    claims = {f"p{i}": c for i, c in enumerate(d)}
    costs = {f"p{i}": c for i, c in enumerate(rng.integers(1, 200, n).astype(float))}
    return [
        ("bankr-30%", bankruptcy_game(float(np.round(0.3 * d.sum())), claims)),
        ("bankr-70%", bankruptcy_game(float(np.round(0.7 * d.sum())), claims)),
        ("airport", airport_game(costs)),
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10,15,20", help="numbers of players for the nucleolus")
    ap.add_argument("--seeds", type=int, default=3, help="random games per family and size")
    ap.add_argument("--shapley-n", type=int, default=20, help="players for the Shapley timing")
    ap.add_argument("--generated-sizes", default="50,100", help="players of the oracle-path games")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]

    t0 = time.perf_counter()
    solve_game(airport_game({"a": 1.0, "b": 2.0}), "nucleolus")
    print(f"warm-up (first HiGHS solve in the process, imports): {time.perf_counter() - t0:.2f} s")
    print()
    print(f"{'family':<10} {'n':>3} {'seed':>4} {'seconds':>8} {'LPs':>4} {'coalitions':>10} {'levels':>6}")
    worst: dict[int, float] = {}
    for n in sizes:
        for family, make in FAMILIES.items():
            for seed in range(args.seeds):
                game = make(n, seed)
                t = time.perf_counter()
                sol = solve_game(game, "nucleolus")
                dt = time.perf_counter() - t
                worst[n] = max(worst.get(n, 0.0), dt)
                d = sol.details
                print(
                    f"{family:<10} {n:>3} {seed:>4} {dt:>8.3f} {d['lp_solves']:>4} "
                    f"{d['coalitions_generated']:>10} {len(d['excess_levels']):>6}"
                )
    print()
    for n, dt in worst.items():
        print(f"nucleolus n = {n}: slowest {dt:.3f} s")
    game = quadratic_game(args.shapley_n, 0)
    times = []
    for _ in range(3):
        t = time.perf_counter()
        solve_game(game, "shapley")
        times.append(time.perf_counter() - t)
    print(f"Shapley n = {args.shapley_n} (2^{args.shapley_n} coalitions, exact): best of 3 {min(times):.3f} s")
    print()
    print(f"{'generated':<10} {'n':>3} {'seed':>4} {'seconds':>8} {'LPs':>4} {'coalitions':>10} {'levels':>6}")
    for n in [int(s) for s in args.generated_sizes.split(",") if s]:
        for seed in range(args.seeds):
            for family, game in generated_games(n, seed):
                t = time.perf_counter()
                d = solve_game(game, "nucleolus").details
                dt = time.perf_counter() - t
                print(
                    f"{family:<10} {n:>3} {seed:>4} {dt:>8.3f} {d['lp_solves']:>4} "
                    f"{d['coalitions_generated']:>10} {len(d['excess_levels']):>6}"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
