"""Cooperative games: nucleolus of random superadditive games and exact Shapley values, timed.

    python benchmarks/games.py [--sizes 10,15,20] [--seeds 3] [--shapley-n 20]
    python benchmarks/games.py --sizes '' --shapley-n 0 --generated-sizes '' --compare-sizes 16,20 --compare-seeds 5

Three families of random superadditive games (n players, all 2^n values drawn):

* ``quadratic``: v(S) = |S|^2 * u(S), u(S) uniform in [0.91, 1]. Superadditive because
  (s + t)^2 * 0.91 >= s^2 + t^2 whenever s + t <= 20 (s = 19, t = 1 needs 0.905).
* ``majority``: weighted majority games: integer weights w_i uniform in 1..9, v(S) = 1 if w(S) is
  more than half the total weight, else 0. Superadditive (two disjoint coalitions cannot both
  win), not convex, the core is empty unless a player has a veto; 0/1 values make the LPs highly
  degenerate (many ties), the hard case for fixing only the coalitions tight in every optimum.
* ``synergy``: v(S) = w(S) (1 + h(S)), the family of issue 11. With ``rng =
  numpy.random.default_rng(seed)``, in this order: weights w_i = ``rng.uniform(1, 10, n)``
  (w(S) their sum over S), then one draw per mask u = ``rng.uniform(0, 1, 2**n)`` (u[0] unused),
  g(S) = u(S) |S| / n, and h the superset-max closure of g, h(S) = max over T subset of S of g(T)
  (so h(S) <= h(S') whenever S is a subset of S'); v(empty) = 0. Superadditive: for disjoint S, T,
  h(S + T) >= max(h(S), h(T)), so v(S + T) = (w(S) + w(T))(1 + h(S + T)) >= v(S) + v(T).

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

Side by side with coopgame-py 0.3.0 (``--compare-sizes``, default 16,20; ``--compare-seeds``,
default 5): the ``synergy`` games solved by ``solve_game(game, "nucleolus")`` and by coopgame's
``nucleolus(coopgame.Game(values))`` (Rust core, sequential LPs with constraint generation, the
imputation domain by default), both in this process, each timed as the best of ``--repeat``
calls on a game built beforehand (building it is not timed). Both nucleoli must agree within
1e-6 in every coordinate, or the script exits 1. The table gives both times and their ratio per
game, then per n the total of each and the ratio of the totals (target: at most 1). coopgame-py
is not a dependency of the project: install it by hand (``pip install coopgame-py==0.3.0``); the
comparison is skipped, with a note, when it is absent.
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


def superset_max(g: np.ndarray) -> np.ndarray:
    """h(S) = max over the subsets T of S of g(T), by one pass per player over the masks."""
    h = g.copy()
    n = len(h).bit_length() - 1
    for i in range(n):
        blocks = h.reshape(-1, 2, 1 << i)
        np.maximum(blocks[:, 1, :], blocks[:, 0, :], out=blocks[:, 1, :])
    return h


def synergy_game(n: int, seed: int) -> Game:
    """v(S) = w(S) (1 + h(S)), drawn exactly as the module docstring says."""
    rng = np.random.default_rng(seed)
    w = rng.uniform(1, 10, n)
    g = rng.uniform(0, 1, 1 << n) * popcounts(n) / n
    v = subset_sums(w) * (1 + superset_max(g))
    v[0] = 0.0
    return Game([f"p{i}" for i in range(n)], v, name=f"synergy-{n}-{seed}")


FAMILIES = {"quadratic": quadratic_game, "majority": majority_game, "synergy": synergy_game}


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


def coopgame_module():
    """coopgame-py 0.3.0 if it is installed (None otherwise, with the reason printed)."""
    from importlib import metadata

    try:
        version = metadata.version("coopgame-py")
    except metadata.PackageNotFoundError:
        print("coopgame-py is not installed: comparison skipped (pip install coopgame-py==0.3.0)")
        return None
    if version != "0.3.0":
        print(f"coopgame-py {version} is installed, the comparison is with 0.3.0: skipped")
        return None
    import coopgame

    return coopgame


def best_time(solve, repeat: int):
    """The result of ``solve()`` and the least of ``repeat`` wall-clock times."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        out = solve()
        times.append(time.perf_counter() - t)
    return out, min(times)


def compare(sizes: list[int], seeds: int, repeat: int) -> bool:
    """The ``synergy`` nucleolus here and in coopgame-py, per game and per n; False on a mismatch."""
    coopgame = coopgame_module()
    if coopgame is None:
        return True
    coopgame.nucleolus(coopgame.Game([0.0, 0.0, 1.0]))
    print(f"{'synergy':<10} {'n':>3} {'seed':>4} {'ours s':>8} {'coopgame s':>10} {'ratio':>6} {'max |dx|':>9}")
    agree = True
    for n in sizes:
        ours_total = theirs_total = 0.0
        for seed in range(seeds):
            game = synergy_game(n, seed)
            theirs_game = coopgame.Game(game.values[1:].tolist())
            sol, ours = best_time(lambda: solve_game(game, "nucleolus"), repeat)
            res, theirs = best_time(lambda: coopgame.nucleolus(theirs_game), repeat)
            dx = float(np.abs(sol.allocation - np.asarray(res["allocation"])).max())
            agree &= dx <= 1e-6
            ours_total += ours
            theirs_total += theirs
            print(f"{'synergy':<10} {n:>3} {seed:>4} {ours:>8.3f} {theirs:>10.3f} {ours / theirs:>6.2f} {dx:>9.1e}")
        print(
            f"n = {n}: ours {ours_total:.3f} s, coopgame {theirs_total:.3f} s over {seeds} games, "
            f"ratio {ours_total / theirs_total:.2f} (target <= 1)"
        )
    if not agree:
        print("MISMATCH: the two nucleoli differ by more than 1e-6 on some game")
    return agree


def numbers(text: str) -> list[int]:
    return [int(s) for s in text.split(",") if s]


HEADER = f"{'n':>3} {'seed':>4} {'seconds':>8} {'LPs':>4} {'coalitions':>10} {'levels':>6}"


def timed_row(label: str, n: int, seed: int, game: Game) -> float:
    """Solve the nucleolus of ``game``, print its row of the table, return the seconds."""
    t = time.perf_counter()
    d = solve_game(game, "nucleolus").details
    dt = time.perf_counter() - t
    print(
        f"{label:<10} {n:>3} {seed:>4} {dt:>8.3f} {d['lp_solves']:>4} "
        f"{d['coalitions_generated']:>10} {len(d['excess_levels']):>6}"
    )
    return dt


def random_families(sizes: list[int], seeds: int) -> None:
    """The nucleolus of every family at every size, and the slowest game per size."""
    print(f"{'family':<10} {HEADER}")
    worst: dict[int, float] = {}
    for n in sizes:
        for family, make in FAMILIES.items():
            for seed in range(seeds):
                worst[n] = max(worst.get(n, 0.0), timed_row(family, n, seed, make(n, seed)))
    for n, dt in worst.items():
        print(f"nucleolus n = {n}: slowest {dt:.3f} s")
    print()


def shapley_timing(n: int) -> None:
    game = quadratic_game(n, 0)
    _, best = best_time(lambda: solve_game(game, "shapley"), 3)
    print(f"Shapley n = {n} (2^{n} coalitions, exact): best of 3 {best:.3f} s")
    print()


def generated(sizes: list[int], seeds: int) -> None:
    """The nucleolus of the large generated games, through their oracles."""
    print(f"{'generated':<10} {HEADER}")
    for n in sizes:
        for seed in range(seeds):
            for family, game in generated_games(n, seed):
                timed_row(family, n, seed, game)
    print()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10,15,20", help="numbers of players for the nucleolus ('' for none)")
    ap.add_argument("--seeds", type=int, default=3, help="random games per family and size")
    ap.add_argument("--shapley-n", type=int, default=20, help="players for the Shapley timing (0: none)")
    ap.add_argument("--generated-sizes", default="50,100", help="players of the oracle-path games")
    ap.add_argument("--compare-sizes", default="16,20", help="players of the coopgame-py comparison")
    ap.add_argument("--compare-seeds", type=int, default=5, help="synergy games per size compared")
    ap.add_argument("--repeat", type=int, default=3, help="timed calls per compared game (best is kept)")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    solve_game(airport_game({"a": 1.0, "b": 2.0}), "nucleolus")
    print(f"warm-up (first HiGHS solve in the process, imports): {time.perf_counter() - t0:.2f} s")
    print()
    if numbers(args.sizes):
        random_families(numbers(args.sizes), args.seeds)
    if args.shapley_n:
        shapley_timing(args.shapley_n)
    if numbers(args.generated_sizes):
        generated(numbers(args.generated_sizes), args.seeds)
    if numbers(args.compare_sizes):
        return 0 if compare(numbers(args.compare_sizes), args.compare_seeds, args.repeat) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
