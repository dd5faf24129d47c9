"""TU games: hand-computed cases, published games, invariants, and the nucleolus checked by an
independent criterion (Kohlberg 1971) implemented here with non-negative least squares."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import linprog, nnls

from optimizer.errors import InfeasibleError, InputError
from optimizer.sharing import nucleolus as nucleolus_module
from optimizer.sharing.coalitions import popcounts, subset_sums
from optimizer.sharing.game_io import game_from_dict, load_game
from optimizer.sharing.games import (
    RULES,
    Game,
    airport_game,
    bankruptcy_game,
    core_check,
    solve_game,
)

GAMES_DIR = Path(__file__).resolve().parents[1] / "instances" / "games"
TOL = 1e-6


# ---------------------------------------------------------------- helpers (independent of the code)


def explicit(players, values, kind="profit"):
    """A game from {"a,b": value} with unlisted coalitions 0 (built here, not by the loader)."""
    n = len(players)
    v = np.zeros(1 << n)
    for key, val in values.items():
        v[sum(1 << players.index(p) for p in key.split(","))] = val
    return Game(list(players), v, kind, kind)


def excess_table(v, x):
    """e(S) = v(S) - x(S) for every proper non-empty coalition, by plain loops."""
    n = len(x)
    return {
        S: v[S] - sum(x[i] for i in range(n) if S >> i & 1) for S in range(1, (1 << n) - 1)
    }


def balanced(columns, n, singletons=()):
    """Is there a weight > 0 per column (and >= 0 per singleton) with sum of weights * 1_S = 1_N?

    Writing each weight as 1 + mu (mu >= 0) and scaling 1_N by s >= 0 gives the non-negative
    system [A, E, -1] (mu, w, s) = -A 1, feasible exactly when the collection is balanced.
    """
    A = np.array([[S >> i & 1 for S in columns] for i in range(n)], dtype=float).reshape(n, -1)
    E = np.eye(n)[:, list(singletons)]
    M = np.hstack([A, E, -np.ones((n, 1))])
    b = -A.sum(axis=1)
    _, residual = nnls(M, b)
    return residual <= 1e-8 * max(1.0, np.linalg.norm(b))


def kohlberg(v, x, lower=None):
    """Kohlberg's criterion: x is the prenucleolus (lower=None) or the nucleolus iff, for every
    excess value a, the coalitions with excess >= a form a balanced collection (for the nucleolus:
    balanced together with the singletons {i} whose x_i = v({i}) at any weight >= 0)."""
    n = len(x)
    full = (1 << n) - 1
    assert abs(sum(x) - v[full]) <= TOL
    zero_singletons = []
    if lower is not None:
        assert all(x[i] >= lower[i] - TOL for i in range(n))
        zero_singletons = [i for i in range(n) if abs(x[i] - lower[i]) <= TOL]
    e = excess_table(v, x)
    values = sorted(e.values(), reverse=True)
    cuts = [values[0]] + [b for a, b in zip(values, values[1:]) if a - b > TOL]
    for cut in cuts:
        collection = [S for S, val in e.items() if val >= cut - TOL]
        if not balanced(collection, n, zero_singletons):
            return False
    return True


def random_superadditive(n, seed):
    """v(S) = |S|^2 * u(S), u uniform in [0.91, 1]: superadditive since
    (s+t)^2 * 0.91 >= s^2 + t^2 for s + t <= 20 (the worst case 19 + 1 needs 0.905)."""
    rng = np.random.default_rng(seed)
    v = popcounts(n).astype(float) ** 2 * rng.uniform(0.91, 1.0, 1 << n)
    return Game([f"p{i}" for i in range(n)], v)


def random_game(n, seed):
    """No structure at all: v(S) uniform in [0, |S|]; the core is often empty."""
    rng = np.random.default_rng(seed)
    v = rng.uniform(0, 1, 1 << n) * popcounts(n)
    v[0] = 0.0
    return Game([f"p{i}" for i in range(n)], v)


def singleton_values(game):
    return game.sign * game.stand_alone()


# ---------------------------------------------------------------- the issue's example, by hand


def test_issue_example_every_rule_gives_thirty():
    # Pairs 60, all 90, singletons 0. Symmetric, so Shapley, Banzhaf (normalised) and the
    # nucleolus are (30, 30, 30). The pair excess at x is 60 - (90 - x_k) = x_k - 30; their sum
    # is 0, so max >= 0, reached only at (30, 30, 30): least core eps = 0, the core is that point.
    g = explicit(["a", "b", "c"], {"a,b": 60, "a,c": 60, "b,c": 60, "a,b,c": 90})
    for rule in ("shapley", "banzhaf", "nucleolus", "prenucleolus", "least-core", "core"):
        sol = solve_game(g, rule)
        assert sol.allocation == pytest.approx([30, 30, 30]), rule
    core = solve_game(g, "core")
    assert core.status == "optimal" and core.details["core_empty"] is False
    assert core.details["least_core_epsilon"] == pytest.approx(0, abs=TOL)
    levels = solve_game(g, "nucleolus").details["excess_levels"]
    assert levels[0]["level"] == pytest.approx(0, abs=TOL)
    assert levels[0]["coalitions"] == ["a,b", "a,c", "b,c"]
    # Banzhaf raw: each player's marginal contribution is 0 (alone), 60, 60 (to a single other)
    # and 30 (to the pair): mean 150 / 4 = 37.5.
    assert solve_game(g, "banzhaf").raw_index == pytest.approx([37.5] * 3)


def test_proportional_to_zero_stand_alone_values_is_refused():
    g = explicit(["a", "b", "c"], {"a,b": 60, "a,c": 60, "b,c": 60, "a,b,c": 90})
    with pytest.raises(InfeasibleError, match="stand-alone values sum to 0"):
        solve_game(g, "proportional")


def test_proportional_uses_given_weights_or_stand_alone_values():
    # Stand-alone 10, 20, 30 and v(N) = 120: shares 1:2:3 of 120 = 20, 40, 60.
    g = explicit(["a", "b", "c"], {"a": 10, "b": 20, "c": 30, "a,b": 40, "a,c": 50, "b,c": 60, "a,b,c": 120})
    sol = solve_game(g, "proportional")
    assert sol.allocation == pytest.approx([20, 40, 60])
    assert sol.details["weights"]["basis"] == "stand-alone values"
    g.weights, g.weights_basis = np.array([1.0, 1.0, 2.0]), "weights"
    assert solve_game(g, "proportional").allocation == pytest.approx([30, 30, 60])


# ---------------------------------------------------------------- published games


@pytest.mark.parametrize(
    "estate, talmud",
    [(100, [100 / 3] * 3), (200, [50, 75, 75]), (300, [50, 100, 150])],
)
def test_talmud_bankruptcy_nucleolus(estate, talmud):
    # Aumann and Maschler (1985): the Talmud's division is the nucleolus of the bankruptcy game.
    g = bankruptcy_game(estate, {"w1": 100, "w2": 200, "w3": 300})
    sol = solve_game(g, "nucleolus")
    assert sol.allocation == pytest.approx(talmud)
    assert kohlberg(g.values, sol.allocation, singleton_values(g))
    # Bankruptcy games are convex, so the core is non-empty and the prenucleolus = nucleolus.
    assert solve_game(g, "prenucleolus").allocation == pytest.approx(talmud)
    assert solve_game(g, "core").status == "optimal"


@pytest.mark.parametrize("factor", [1e-4, 1e7])
def test_money_units_do_not_change_the_answer(factor):
    # the nucleolus is homogeneous: scaling every value scales the allocation and the levels
    g = bankruptcy_game(200 * factor, {"w1": 100 * factor, "w2": 200 * factor, "w3": 300 * factor})
    sol = solve_game(g, "nucleolus")
    assert sol.allocation == pytest.approx(np.array([50, 75, 75]) * factor)
    levels = sol.details["excess_levels"]
    assert [lv["level"] for lv in levels] == pytest.approx([-50 * factor, -75 * factor])
    assert [sorted(lv["coalitions"]) for lv in levels] == [["w1", "w2,w3"], ["w2", "w3"]]


def test_talmud_200_shapley_and_proportional_by_hand():
    # v(S) = max(0, 200 - claims outside S): v(w2,w3) = 100, v(N) = 200, all else 0.
    # Shapley w1: only joining {w2,w3} adds 100, weight 1/3 -> 33.33; w2: joining {w3} adds 100
    # (weight 1/6), joining {w1,w3} adds 200 (weight 1/3) -> 83.33; w3 likewise.
    g = bankruptcy_game(200, {"w1": 100, "w2": 200, "w3": 300})
    assert solve_game(g, "shapley").allocation == pytest.approx([100 / 3, 250 / 3, 250 / 3])
    # Proportional to claims 1:2:3 of 200.
    sol = solve_game(g, "proportional")
    assert sol.allocation == pytest.approx([200 / 6, 400 / 6, 600 / 6])
    assert sol.details["weights"]["basis"] == "claims"


def littlechild_owen_shapley(costs):
    """Shapley value of an airport game: each runway segment shared equally by its users."""
    order = np.argsort(costs, kind="stable")
    c = np.asarray(costs, dtype=float)[order]
    n = len(c)
    x = np.zeros(n)
    prev = 0.0
    for k in range(n):
        x[k:] += (c[k] - prev) / (n - k)
        prev = c[k]
    out = np.empty(n)
    out[order] = x
    return out


def littlechild_nucleolus(costs):
    """Nucleolus of an airport game by Littlechild's (1974) recursion (see instances/games/README)."""
    order = np.argsort(costs, kind="stable")
    c = np.asarray(costs, dtype=float)[order]
    n = len(c)
    x = np.zeros(n)
    for i in range(n):
        paid = x[:i].sum()
        options = [(c[k] - paid) / (k - i + 2) for k in range(i, n - 1)]
        options.append((c[n - 1] - paid) / (n - i))
        x[i] = min(options)
    out = np.empty(n)
    out[order] = x
    return out


def test_bundled_airport_game_closed_forms():
    g = load_game(GAMES_DIR / "airport.json")
    assert solve_game(g, "shapley").allocation == pytest.approx([1.6, 2.6, 2.6, 6.6, 16.6])
    nuc = solve_game(g, "nucleolus")
    assert nuc.allocation == pytest.approx([3, 3, 3, 5.5, 15.5])
    # cost game: shares c(N) = 30 and nobody pays more than alone
    assert nuc.allocation.sum() == pytest.approx(30)
    assert np.all(nuc.allocation <= g.stand_alone() + TOL)


@pytest.mark.parametrize("seed", range(6))
def test_random_airport_games_match_published_formulas(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 8))
    costs = rng.integers(1, 20, n).astype(float)
    g = airport_game({f"p{i}": c for i, c in enumerate(costs)})
    assert solve_game(g, "shapley").allocation == pytest.approx(littlechild_owen_shapley(costs))
    nuc = solve_game(g, "nucleolus").allocation
    assert nuc == pytest.approx(littlechild_nucleolus(costs), abs=1e-6)
    # the cost game's nucleolus is minus the nucleolus of its profit form v = -c
    assert kohlberg(-g.values, -nuc, -g.stand_alone())


def test_glove_game():
    # One left glove l, right gloves r1, r2. Core: x_l + x_ri >= 1 for both i and x_l + x_r1 +
    # x_r2 = 1 give x_r1 = x_r2 = 0: the single point (1, 0, 0) = nucleolus. Shapley: l is
    # pivotal unless first (prob 2/3). Raw Banzhaf: l adds 1 to {r1}, {r2}, {r1,r2} -> 3/4; r1
    # adds 1 only to {l} -> 1/4; normalised to 1: (3/5, 1/5, 1/5).
    g = load_game(GAMES_DIR / "glove.json")
    assert solve_game(g, "nucleolus").allocation == pytest.approx([1, 0, 0], abs=TOL)
    assert solve_game(g, "core").allocation == pytest.approx([1, 0, 0], abs=TOL)
    assert solve_game(g, "shapley").allocation == pytest.approx([2 / 3, 1 / 6, 1 / 6])
    banzhaf = solve_game(g, "banzhaf")
    assert banzhaf.raw_index == pytest.approx([3 / 4, 1 / 4, 1 / 4])
    assert banzhaf.allocation == pytest.approx([3 / 5, 1 / 5, 1 / 5])


def test_majority_game_has_an_empty_core():
    # Pairs win 1. Core needs x_i + x_j >= 1 for the three pairs: summing, 2 >= 3, impossible.
    # Least core: pair excess 1 - (1 - x_k) = x_k, so max_k x_k >= 1/3: eps = 1/3 at (1/3,1/3,1/3).
    g = load_game(GAMES_DIR / "majority.json")
    sol = solve_game(g, "core")
    assert sol.status == "empty_core"
    assert sol.details["core_empty"] is True
    assert sol.details["least_core_epsilon"] == pytest.approx(1 / 3)
    assert sol.allocation == pytest.approx([1 / 3] * 3)
    # the file's allocation (1/2, 1/2, 0): {a,c} and {b,c} both have excess 1 - 1/2 = 1/2;
    # the first in mask order is reported
    check = sol.details["check"]
    assert check["in_core"] is False and check["efficient"] is True
    assert check["max_excess"] == pytest.approx(0.5)
    assert check["most_violated_coalition"] == "a,c"
    assert solve_game(g, "nucleolus").allocation == pytest.approx([1 / 3] * 3)


def test_pitfall_game_fixing_tight_in_one_solution_is_wrong():
    g = load_game(GAMES_DIR / "pitfall.json")
    v = g.values
    lower = singleton_values(g)
    # The first LP minimises the largest excess over imputations. e({a,b}) = x_c >= 0 and
    # e({c}) = -x_c, so eps_1 = 0 with x_c = 0; x_a is free in [0, 1]. The vertex (1, 0, 0) is
    # optimal for that LP and makes {b} (e = -x_b = 0) and {b,c} (e = x_a - 1 = 0) tight too.
    naive = np.array([1.0, 0.0, 0.0])
    e_naive = excess_table(v, naive)
    assert max(e_naive.values()) == pytest.approx(0)  # optimal for the first LP
    assert e_naive[0b010] == pytest.approx(0) and e_naive[0b110] == pytest.approx(0)
    # ... but fixing those coalitions gives a point that fails Kohlberg's criterion
    assert not kohlberg(v, naive, lower)
    sol = solve_game(g, "nucleolus")
    assert sol.allocation == pytest.approx([0.5, 0.5, 0.0], abs=TOL)
    assert kohlberg(v, sol.allocation, lower)


def test_nucleolus_and_prenucleolus_differ_when_individual_rationality_binds():
    # v(a) = 1, v(b,c) = 10 = v(N). Excesses: e(a) = 1 - x_a, e(b,c) = x_a, others lower.
    # Prenucleolus: max(1 - x_a, x_a) is least at x_a = 1/2, then b and c split 9.5 equally.
    # Nucleolus: x_a >= 1, so e(b,c) = x_a is least at x_a = 1; b and c split 9.
    g = explicit(["a", "b", "c"], {"a": 1, "b,c": 10, "a,b,c": 10})
    pre = solve_game(g, "prenucleolus").allocation
    nuc = solve_game(g, "nucleolus").allocation
    assert pre == pytest.approx([0.5, 4.75, 4.75])
    assert nuc == pytest.approx([1, 4.5, 4.5])
    assert kohlberg(g.values, pre) and not kohlberg(g.values, nuc)
    assert kohlberg(g.values, nuc, singleton_values(g))


def test_nucleolus_needs_an_imputation():
    # v(a) + v(b) = 10 > v(N) = 6: no individually rational allocation.
    g = explicit(["a", "b"], {"a": 5, "b": 5, "a,b": 6})
    with pytest.raises(InfeasibleError, match="no allocation is individually rational"):
        solve_game(g, "nucleolus")
    # the prenucleolus exists: the standard 2-player solution x_i = v(i) + (v(N) - v(a) - v(b))/2
    assert solve_game(g, "prenucleolus").allocation == pytest.approx([3, 3])


def test_cost_game_sign_convention():
    # Cost game: alone 50 each; pairs 80; all three 105. Savings game s(S) = sum c(i) - c(S):
    # pairs 20, all 45; its nucleolus is 15 each, so each pays 50 - 15 = 35.
    c = explicit(
        ["a", "b", "c"], {"a": 50, "b": 50, "c": 50, "a,b": 80, "a,c": 80, "b,c": 80, "a,b,c": 105}, "cost"
    )
    sol = solve_game(c, "nucleolus")
    assert sol.allocation == pytest.approx([35, 35, 35])
    # excess in cost form is x(S) - c(S): for a pair 70 - 80 = -10, for a player 35 - 50 = -15
    assert sol.details["excess_levels"][0]["level"] == pytest.approx(-10)
    assert sol.details["excess_levels"][0]["coalitions"] == ["a,b", "a,c", "b,c"]


@pytest.mark.parametrize("seed", range(3))
def test_cost_nucleolus_is_covariant_with_its_savings_game(seed):
    # Strategic equivalence: the savings game s(S) = sum_{i in S} c(i) - c(S) has nucleolus y
    # iff the cost game's nucleolus is x_i = c(i) - y_i. Likewise for Shapley.
    rng = np.random.default_rng(seed)
    n = 5
    c = rng.uniform(1, 10, 1 << n) * np.sqrt(popcounts(n))
    c[0] = 0
    cost = Game([f"p{i}" for i in range(n)], c, "cost", "cost")
    savings = Game(cost.players, subset_sums(cost.stand_alone()) - c, "profit", "profit")
    for rule in ("nucleolus", "prenucleolus", "shapley"):
        x = solve_game(cost, rule).allocation
        y = solve_game(savings, rule).allocation
        assert x == pytest.approx(cost.stand_alone() - y, abs=1e-6), rule


# ---------------------------------------------------------------- Kohlberg on random games


@pytest.mark.parametrize("n, seed", [(4, 0), (5, 1), (6, 2), (7, 3), (9, 4)])
def test_nucleolus_of_random_superadditive_games_satisfies_kohlberg(n, seed):
    g = random_superadditive(n, seed)
    nuc = solve_game(g, "nucleolus").allocation
    assert kohlberg(g.values, nuc, singleton_values(g))
    pre = solve_game(g, "prenucleolus").allocation
    assert kohlberg(g.values, pre)


@pytest.mark.parametrize("n, seed", [(4, 10), (6, 11), (8, 12)])
def test_prenucleolus_of_unstructured_games_satisfies_kohlberg(n, seed):
    g = random_game(n, seed)
    pre = solve_game(g, "prenucleolus").allocation
    assert kohlberg(g.values, pre)
    # the least core's eps is the largest excess at the prenucleolus (which lies in the least core)
    lc = solve_game(g, "least-core")
    assert lc.details["least_core_epsilon"] == pytest.approx(max(excess_table(g.values, pre).values()), abs=TOL)
    assert max(excess_table(g.values, lc.allocation).values()) <= lc.details["least_core_epsilon"] + TOL


@pytest.mark.parametrize("n, seed", [(7, 0), (9, 1)])
def test_weighted_majority_games_degenerate_lps(n, seed):
    # 0/1 values: the stage LPs have many ties and many optimal solutions.
    rng = np.random.default_rng(seed)
    w = rng.integers(1, 10, n).astype(float)
    g = Game([f"p{i}" for i in range(n)], (subset_sums(w) > 0.5 * w.sum()).astype(float))
    nuc = solve_game(g, "nucleolus").allocation
    assert kohlberg(g.values, nuc, singleton_values(g))


def test_kohlberg_checker_rejects_a_perturbed_nucleolus():
    g = random_superadditive(5, 7)
    nuc = solve_game(g, "nucleolus").allocation
    moved = nuc + np.array([0.01, -0.01, 0, 0, 0])
    assert not kohlberg(g.values, moved, singleton_values(g))


def test_symmetric_and_degenerate_games():
    # v(S) = |S|^2 for 7 players: symmetric, so the nucleolus is 7 each, with massive ties.
    n = 7
    g = Game([f"p{i}" for i in range(n)], popcounts(n).astype(float) ** 2)
    assert solve_game(g, "nucleolus").allocation == pytest.approx([7] * n)
    # glove market with 3 left and 4 right gloves: left gloves are scarce and take everything
    left = subset_sums(np.array([1, 1, 1, 0, 0, 0, 0]))
    right = subset_sums(np.array([0, 0, 0, 1, 1, 1, 1]))
    glove = Game([f"p{i}" for i in range(n)], np.minimum(left, right).astype(float))
    nuc = solve_game(glove, "nucleolus").allocation
    assert nuc == pytest.approx([1, 1, 1, 0, 0, 0, 0], abs=TOL)
    assert kohlberg(glove.values, nuc, singleton_values(glove))


def test_constraint_generation_gives_the_same_nucleolus(monkeypatch):
    # Force the LPs to start from singletons and complements only and add one coalition per
    # round; the answer must not change.
    g = random_superadditive(7, 21)
    full = solve_game(g, "nucleolus")
    monkeypatch.setattr(nucleolus_module, "ENUMERATE_UP_TO", 0)
    v = g.values / np.abs(g.values).max()
    res = nucleolus_module.sequential_lp(v, lower=v[[1 << i for i in range(7)]], batch=1)
    assert res.x * np.abs(g.values).max() == pytest.approx(full.allocation, abs=1e-6)
    assert res.rows < (1 << 7) - 2


@pytest.mark.parametrize("seed", range(4))
def test_settled_coalitions_are_those_whose_vector_is_in_the_span(seed):
    # Against the definition: 1_S is in the span iff appending it leaves the rank unchanged.
    rng = np.random.default_rng(seed)
    for _ in range(25):
        n = int(rng.integers(1, 8))
        span = nucleolus_module._Span(n)
        span.add((1 << n) - 1)
        for mask in rng.integers(1, 1 << n, int(rng.integers(0, n + 1))):
            span.add(int(mask))
        vectors = np.array([[S >> i & 1 for i in range(n)] for S in span.masks], dtype=float)
        rank = np.linalg.matrix_rank(vectors)
        expected = [
            np.linalg.matrix_rank(np.vstack([vectors, [[S >> i & 1 for i in range(n)]]])) == rank
            for S in range(1 << n)
        ]
        assert span.settled().tolist() == expected


def test_generation_beyond_enumeration_n12():
    g = random_superadditive(12, 5)
    sol = solve_game(g, "nucleolus")
    assert sol.details["coalitions_generated"] < (1 << 12) - 2
    x = sol.allocation
    assert x.sum() == pytest.approx(g.grand)
    # the reported levels are the excesses at x of the listed coalitions
    e = g.excesses(x)
    for level in sol.details["excess_levels"]:
        for name in level["coalitions"]:
            assert e[g.mask(name.split(","))] == pytest.approx(level["level"], abs=1e-6)
    # the largest excess over all 4094 coalitions is the first level (none was left out)
    assert e[1:-1].max() == pytest.approx(sol.details["excess_levels"][0]["level"], abs=1e-6)


# ---------------------------------------------------------------- synergy games against a slow reference


def synergy_values(n, seed):
    """v(S) = w(S) (1 + h(S)) of benchmarks/games.py (same draws), by plain loops: h(S) is the
    largest u(T) |T| / n over the subsets T of S."""
    rng = np.random.default_rng(seed)
    w = rng.uniform(1, 10, n)
    u = rng.uniform(0, 1, 1 << n)
    g = [u[T] * bin(T).count("1") / n for T in range(1 << n)]
    v = np.zeros(1 << n)
    for S in range(1, 1 << n):
        h = max(g[T] for T in range(S + 1) if T & S == T)
        v[S] = sum(w[i] for i in range(n) if S >> i & 1) * (1 + h)
    return v


def reference_nucleolus(v, lower=None, tol=1e-8):
    """Maschler, Peleg and Shapley's sequential LPs with every coalition in every LP and the
    per-coalition test: after stage k (min t s.t. e(S, x) <= t for the coalitions not fixed), each
    of them that is tight at the optimum found is fixed at t_k iff the largest slack t_k - e(S, x)
    it can get on the optimal set is 0 (one LP per such coalition). Stops when the fixed
    coalitions and N determine x. scipy's linprog."""
    n = len(lower) if lower is not None else len(v).bit_length() - 1
    full = (1 << n) - 1
    ind = {S: [S >> i & 1 for i in range(n)] for S in range(1, full + 1)}
    fixed = {full: 0.0}
    bounds = [(lo, None) for lo in lower] if lower is not None else [(None, None)] * n
    bounds.append((None, None))

    def lp(cost, t_max=None):
        free = [S for S in range(1, full) if S not in fixed]
        A_ub = [[-a for a in ind[S]] + [-1.0] for S in free]
        b_ub = [-v[S] for S in free]
        A_eq = [ind[S] + [0.0] for S in fixed]
        b_eq = [v[S] - level for S, level in fixed.items()]
        if t_max is not None:
            A_ub.append([0.0] * n + [1.0])
            b_ub.append(t_max)
        res = linprog(cost, A_ub=A_ub or None, b_ub=b_ub or None, A_eq=A_eq, b_eq=b_eq, bounds=bounds)
        assert res.status == 0
        return res

    while np.linalg.matrix_rank(np.array([ind[S] for S in fixed], dtype=float)) < n:
        opt = lp([0.0] * n + [1.0])
        t, x = opt.fun, opt.x[:n]
        # only a coalition tight at this optimum can be tight at every one
        for S in [S for S in range(1, full) if S not in fixed and v[S] - x @ ind[S] >= t - 1e-6]:
            # largest slack of S on the optimal set: max t - (v(S) - x(S)) = max x(S) + t - v(S)
            slack = -lp([-a for a in ind[S]] + [-1.0], t_max=t + tol).fun - v[S]
            if slack <= 10 * tol:
                fixed[S] = t
    rows = list(fixed)
    A = np.array([ind[S] for S in rows], dtype=float)
    b = np.array([v[S] - fixed[S] for S in rows])
    return np.linalg.lstsq(A, b, rcond=None)[0]


@pytest.mark.parametrize("n, seed", [(3, 0), (4, 1), (5, 2), (6, 3), (6, 4)])
def test_synergy_nucleolus_equals_the_reference(n, seed):
    v = synergy_values(n, seed)
    g = Game([f"p{i}" for i in range(n)], v)
    singles = v[[1 << i for i in range(n)]]
    assert solve_game(g, "nucleolus").allocation == pytest.approx(reference_nucleolus(v, singles), abs=TOL)
    assert solve_game(g, "prenucleolus").allocation == pytest.approx(reference_nucleolus(v), abs=TOL)


@pytest.mark.parametrize("n, seed", [(5, 13), (6, 11), (6, 14)])
def test_synergy_nucleolus_by_generation_one_coalition_a_round(n, seed, monkeypatch):
    # The stage LPs start from singletons and complements and get every other coalition by
    # generation, one per round: rows are added and deleted in one HiGHS instance between solves.
    monkeypatch.setattr(nucleolus_module, "ENUMERATE_UP_TO", 0)
    v = synergy_values(n, seed)
    scale = np.abs(v).max()
    singles = v[[1 << i for i in range(n)]]
    for lower in (singles, None):
        res = nucleolus_module.sequential_lp(v / scale, lower=None if lower is None else lower / scale, batch=1)
        assert res.lp_solves > len(res.levels)  # some stage needed generated coalitions
        assert res.x * scale == pytest.approx(reference_nucleolus(v, lower), abs=TOL)


def facility_cost_values(n, hubs, seed):
    """A small facility-location cost game: c(S) is the cheapest set of open hubs (fixed cost)
    plus, per hub, trains rounded up for the demand of S assigned to its nearest open hub, plus
    the haul of each member to it."""
    rng = np.random.default_rng(seed)
    dist = np.linalg.norm(rng.uniform(0, 100, (n, 1, 2)) - rng.uniform(0, 100, (1, hubs, 2)), axis=2) * 0.1
    demand, fixed = rng.uniform(1, 10, n), rng.uniform(50, 150, hubs)
    member = (np.arange(1 << n)[:, None] >> np.arange(n)) & 1
    best = np.full(1 << n, np.inf)
    for k in range(1, hubs + 1):
        for H in itertools.combinations(range(hubs), k):
            near = np.array(H)[np.argmin(dist[:, H], axis=1)]
            haul = member @ (demand * dist[np.arange(n), near])
            trains = sum(np.ceil(member[:, near == h] @ demand[near == h] / 12.0 - 1e-9) for h in H)
            best = np.minimum(best, fixed[list(H)].sum() + haul + 40.0 * trains)
    best[0] = 0.0
    return best


class _OneRoundOracle:
    """Lists, given a level, one coalition above it per call (the least violated: any one may
    come, as from the freight game's separation MIP), settled ones included until told."""

    def __init__(self, v):
        self.v, self.n, self.told, self.only_settled_rounds = v, len(v).bit_length() - 1, set(), 0
        self.events: list[tuple[str, int]] = []  # ("listed" | "told", mask), in order
        self._last_ask = None

    def value(self, mask):
        return float(self.v[mask])

    def settled(self, mask):
        self.told.add(mask)
        self.events.append(("told", mask))

    def forget_settled(self):
        self.told.clear()

    def ranked(self, x, above=None):
        e = self.v - subset_sums(np.asarray(x, dtype=float))
        full = (1 << self.n) - 1
        order = [s for s in np.argsort(-e, kind="stable").tolist() if 0 < s < full and s not in self.told]
        if above is None:
            yield from ((float(e[s]), s) for s in order)
            return
        ask = (tuple(np.asarray(x, dtype=float)), above)
        self.only_settled_rounds += ask == self._last_ask  # asked again at the same point: the round listed only settled ones
        self._last_ask = ask
        above_it = [s for s in order if e[s] > above]
        if above_it:
            self.events.append(("listed", above_it[-1]))
            yield float(e[above_it[-1]]), above_it[-1]


def one_round_nucleolus(n: int, seed: int):
    """The nucleolus of a facility game through :class:`_OneRoundOracle` (one coalition per
    round), checked against the table's; returns the oracle and the result."""
    c = facility_cost_values(n, 4, seed)
    v = -c / np.abs(c).max()
    lower = v[[1 << i for i in range(n)]]
    oracle = _OneRoundOracle(v)
    res = nucleolus_module.sequential_lp(oracle, lower=lower, batch=1)
    assert res.x == pytest.approx(nucleolus_module.sequential_lp(v, lower=lower).x, abs=1e-9)
    return oracle, res


@pytest.mark.parametrize("n, seed", [(5, 7), (6, 9), (7, 0), (7, 7)])
def test_oracle_ending_its_list_after_a_round_gives_the_exact_nucleolus(n, seed):
    # A round may list only a settled coalition (in the span of those fixed at earlier, higher
    # levels, though not fixed itself); the search must then ask again instead of taking the
    # stage as finished (it did, and games like these got a wrong nucleolus).
    oracle, _ = one_round_nucleolus(n, seed)
    assert oracle.only_settled_rounds > 0


@pytest.mark.parametrize("n, seed", [(5, 0), (5, 4), (6, 7), (7, 0)])
def test_oracle_is_told_of_each_fixed_coalition_and_never_lists_it_again(n, seed):
    # A fixed coalition's excess stays at its level, above every later stage's: told only once
    # listed again, it cost the freight game a separation MIP per fixed coalition.
    oracle, res = one_round_nucleolus(n, seed)
    told = [m for what, m in oracle.events if what == "told"]
    assert {m for level in res.levels for m in level.masks} <= set(told)
    for k, (what, m) in enumerate(oracle.events):
        if what == "told":
            assert ("listed", m) not in oracle.events[k + 1:]


# ---------------------------------------------------------------- Shapley and Banzhaf


def brute_force_shapley(v, n):
    phi = np.zeros(n)
    for order in itertools.permutations(range(n)):
        S = 0
        for i in order:
            phi[i] += v[S | 1 << i] - v[S]
            S |= 1 << i
    return phi / math.factorial(n)


@pytest.mark.parametrize("seed", range(3))
def test_shapley_and_banzhaf_match_brute_force(seed):
    g = random_game(5, seed)
    n = 5
    assert solve_game(g, "shapley").allocation == pytest.approx(brute_force_shapley(g.values, n))
    raw = [
        sum(g.values[S | 1 << i] - g.values[S] for S in range(1 << n) if not S >> i & 1) / 2 ** (n - 1)
        for i in range(n)
    ]
    assert solve_game(g, "banzhaf").raw_index == pytest.approx(raw)


def test_shapley_symmetry_and_null_player():
    # p0 and p1 are symmetric, p3 is a null player (adds nothing to any coalition).
    g = explicit(
        ["p0", "p1", "p2", "p3"],
        {"p0": 1, "p1": 1, "p2": 2, "p0,p1": 3, "p0,p2": 5, "p1,p2": 5, "p0,p1,p2": 9},
    )
    for S in range(8):
        g.values[S | 8] = g.values[S]
    phi = solve_game(g, "shapley").allocation
    assert phi[0] == pytest.approx(phi[1])
    assert phi[3] == pytest.approx(0)
    assert phi.sum() == pytest.approx(9)


def test_banzhaf_that_sums_to_zero():
    # Sum of raw Banzhaf values = sum_S v(S) (2|S| - n) / 2^(n-1). For n = 3 with singletons 0,
    # pairs -1 and v(N) = 1: (3 * (-1) + 3 * 1) / 4 = 0, so nothing can be scaled to v(N) = 1.
    g = explicit(["a", "b", "c"], {"a,b": -1, "a,c": -1, "b,c": -1, "a,b,c": 1})
    with pytest.raises(InfeasibleError, match="raw Banzhaf values sum to 0"):
        solve_game(g, "banzhaf")
    # v(a) = 1, v(b) = -1, v(N) = 0: raw a = (1 + (0 + 1)) / 2 = 1, raw b = -1; v(N) = 0 -> zeros
    g = explicit(["a", "b"], {"a": 1, "b": -1, "a,b": 0})
    sol = solve_game(g, "banzhaf")
    assert sol.raw_index == pytest.approx([1, -1])
    assert sol.allocation == pytest.approx([0, 0])


# ---------------------------------------------------------------- game files


def write(tmp_path, text, name="game.json"):
    p = tmp_path / name
    p.write_text(text if isinstance(text, str) else json.dumps(text), encoding="utf-8")
    return p


def problems(tmp_path, data):
    with pytest.raises(InputError) as info:
        load_game(write(tmp_path, data))
    messages = [str(p) for p in info.value.problems]
    assert all("game.json" in m for m in messages)
    return "\n".join(messages)


def test_keys_in_any_order_with_spaces_and_the_empty_coalition(tmp_path):
    g = load_game(
        write(
            tmp_path,
            {"players": ["a", "b"], "kind": "profit", "values": {"": 0, "b": 1, " a ": 2, "b , a": 5}},
        )
    )
    assert g.value(["a"]) == 2 and g.value(["b"]) == 1 and g.value(["a", "b"]) == 5


def test_default_fills_missing_coalitions(tmp_path):
    g = load_game(write(tmp_path, {"players": ["a", "b", "c"], "kind": "cost", "values": {"a,b,c": 9}, "default": 4}))
    assert g.convention == "cost"
    assert g.value(["a", "c"]) == 4 and g.value(["a", "b", "c"]) == 9 and g.values[0] == 0


def test_bundled_games_load_and_every_rule_runs():
    files = sorted(GAMES_DIR.glob("*.json"))
    assert len(files) >= 6
    for path in files:
        g = load_game(path)
        for rule in RULES:
            try:
                sol = solve_game(g, rule)
            except InfeasibleError:
                assert rule in ("proportional", "equal-profit")  # zero stand-alone values
                continue
            assert sol.allocation.sum() == pytest.approx(g.grand), (path.name, rule)


def test_invalid_json_names_line_and_column(tmp_path):
    msg = problems(tmp_path, '{"players": ["a"],\n "kind": "profit" "values": {}}')
    assert "invalid JSON at line 2, column 19" in msg


@pytest.mark.parametrize(
    "data, expected",
    [
        ({"players": ["a", "b"], "kind": "profit", "values": {"a": 1, "b": 1, "a,x": 3}}, "values['a,x']: unknown player 'x'"),
        ({"players": ["a", "b"], "kind": "profit", "values": {"a": 1, "b": 1, "a,b": 2, "b,a": 3}}, "values['b,a']: the same coalition as values['a,b']"),
        ({"players": ["a", "b"], "kind": "profit", "values": {"a": 1, "b": 1, "a,a": 2}}, "player 'a' appears twice"),
        ({"players": ["a", "b"], "kind": "profit", "values": {"a": 1, "b": "x", "a,b": 2}}, "values.b: must be a number, not \"x\""),
        ({"players": ["a", "b"], "kind": "profit", "values": {"a": 1, "b": True, "a,b": 2}}, "values.b: must be a number, not true"),
        ({"players": ["a", "b"], "kind": "profit", "values": {"a": 1, "b": None, "a,b": 2}}, "values.b: missing"),
        ({"players": ["a", "b"], "kind": "profit", "values": {"a": 1, "a,b": 2}}, "values: 1 coalition(s) have no value: 'b'"),
        ({"players": ["a", "b"], "kind": "profit", "values": {"": 1, "a": 1, "b": 1, "a,b": 2}}, "the empty coalition must have value 0"),
        ({"players": ["a", "b"], "kind": "profit", "values": {"a": 1, "b": 1, "a,b": 2}, "defualt": 0}, "defualt: unknown key"),
        ({"players": ["a", "b"], "kind": "profit", "values": {"a,b": 2}, "default": "zero"}, "default: must be a number"),
        ({"players": ["a", "b"], "kind": "profit", "values": [1, 2]}, "values: must be an object"),
        ({"players": ["a", "b"], "kind": "profit"}, "values: missing"),
        ({"kind": "profit", "values": {"a": 1}}, "players: missing"),
        ({"players": "a,b", "kind": "profit", "values": {}}, "players: must be a list (player names), not \"a,b\""),
        ({"players": ["a", "a"], "kind": "profit", "values": {}}, "players[1]: player 'a' is listed twice"),
        ({"players": ["a,b"], "kind": "profit", "values": {}}, "must not contain a comma"),
        ({"players": ["a", ""], "kind": "profit", "values": {}}, "players[1]: must be a non-empty string, not \"\""),
        ({"players": [f"p{i}" for i in range(23)], "kind": "profit", "values": {}, "default": 0}, "23 players; at most 22"),
        ({"players": ["a"], "kind": "gain", "values": {"a": 1}}, "kind: must be one of profit | cost | bankruptcy | airport, not \"gain\""),
        ({"players": ["a"], "values": {"a": 1}}, "kind: missing (one of profit | cost | bankruptcy | airport)"),
        ({"kind": "bankruptcy", "estate": 10, "claims": {"a": -1, "b": 5}}, "claims.a: must be at least 0, not -1"),
        ({"kind": "bankruptcy", "estate": 700, "claims": {"a": 100, "b": 500}}, "estate: 700 exceeds the total claims 600"),
        ({"kind": "bankruptcy", "estate": -5, "claims": {"a": 100}}, "estate: must be at least 0, not -5"),
        ({"kind": "bankruptcy", "claims": {"a": 100}}, "estate: missing"),
        ({"kind": "bankruptcy", "estate": 5, "claims": [1, 2]}, "claims: must be an object"),
        ({"kind": "bankruptcy", "estate": 5, "claims": {"a": 1, "b": 9}, "players": ["a", "c"]}, "players: must name exactly the players of 'claims'"),
        ({"kind": "airport", "costs": {"a": 3, "b": -2}}, "costs.b: must be at least 0, not -2"),
        ({"kind": "airport", "costs": {"a": 3, "b,c": 2}}, "must not contain a comma"),
        ({"kind": "airport"}, "costs: missing"),
        ({"kind": "airport", "costs": {"a": 3, "b": 4}, "weights": {"a": 1}}, "weights: missing player(s) 'b'"),
        ({"kind": "airport", "costs": {"a": 3, "b": 4}, "weights": {"a": 1, "b": -1}}, "weights.b: must be at least 0, not -1"),
        ({"kind": "airport", "costs": {"a": 3, "b": 4}, "allocation": {"a": 1, "z": 3}}, "allocation.z: unknown player 'z'"),
        ({"kind": "airport", "costs": {"a": 3, "b": 4}, "name": 5}, "name: must be a string"),
        ({"kind": "airport", "costs": {"a": 3, "b": 4}, "weights": None}, "weights: must be an object (each player mapped to a number), not null"),
        ({"players": ["a"], "kind": "profit", "values": {"a": 1}, "default": None}, "default: must be a number, not null"),
        ({"kind": "airport", "costs": {"a": 3, " a": 4}}, "costs[' a']: player 'a' is listed twice"),
    ],
)
def test_every_input_error_names_the_file_and_the_key(tmp_path, data, expected):
    assert expected in problems(tmp_path, data)


def test_non_finite_number_and_duplicate_json_key(tmp_path):
    msg = problems(tmp_path, '{"players": ["a"], "kind": "profit", "values": {"a": NaN}}')
    assert "values.a: must be a finite number, not nan" in msg
    msg = problems(tmp_path, '{"players": ["a"], "kind": "profit", "values": {"a": 1, "a": 2}}')
    assert "key 'a': given twice" in msg


def test_several_problems_are_reported_together(tmp_path):
    msg = problems(
        tmp_path,
        {"players": ["a", "b"], "kind": "profit", "values": {"a": "x", "q": 1, "a,b": 2}, "extra": 1},
    )
    assert "values.a: must be a number" in msg and "unknown player 'q'" in msg and "extra: unknown key" in msg


def test_missing_file_and_non_object(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        load_game(tmp_path / "nope.json")
    assert "must be an object with a key kind (profit | cost | bankruptcy | airport); this file holds a list" in problems(tmp_path, "[1, 2]")
    with pytest.raises(InputError, match="<game>: 1 problem"):
        game_from_dict([1])


def test_allocation_and_weights_from_the_file(tmp_path):
    g = load_game(
        write(
            tmp_path,
            {
                "players": ["a", "b", "c"],
                "kind": "profit",
                "values": {"a,b": 60, "a,c": 60, "b,c": 60, "a,b,c": 90},
                "default": 0,
                "weights": {"a": 1, "b": 1, "c": 4},
                "allocation": {"a": 40, "b": 30, "c": 20},
            },
        )
    )
    assert solve_game(g, "proportional").allocation == pytest.approx([15, 15, 60])
    # (40, 30, 20): e(b,c) = 60 - 50 = 10 is the largest excess; not in the core
    check = solve_game(g, "core").details["check"]
    assert check["in_core"] is False and check["most_violated_coalition"] == "b,c"
    assert check["max_excess"] == pytest.approx(10)
    assert core_check(g, np.array([30.0, 30, 30]))["in_core"] is True
    # inefficient allocation: sums to 100, not 90
    inefficient = core_check(g, np.array([40.0, 30, 30]))
    assert inefficient["efficient"] is False and inefficient["total_minus_grand"] == pytest.approx(10)
    assert inefficient["in_core"] is False


def test_single_player_game():
    g = game_from_dict({"players": ["solo"], "kind": "cost", "values": {"solo": 7}})
    for rule in RULES:
        assert solve_game(g, rule).allocation == pytest.approx([7]), rule


# ---------------------------------------------------------------- large generated games: the oracle path


def talmud_rule(estate, claims):
    """Aumann and Maschler's (1985) Talmud rule, independently of the LPs: constrained equal
    awards (CEA) on the half-claims when E <= D/2, else each gets d_i minus CEA of the half-claims
    applied to the losses D - E. CEA(E, c)_i = min(c_i, lam) with sum = E, lam by bisection."""
    half = np.asarray(claims, dtype=float) / 2

    def cea(amount):
        lo, hi = 0.0, float(half.max())
        for _ in range(200):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if np.minimum(half, mid).sum() < amount else (lo, mid)
        return np.minimum(half, hi)

    total = 2 * half.sum()
    if estate <= total / 2:
        return cea(estate)
    return 2 * half - cea(total - estate)


def test_talmud_rule_helper_on_the_mishna():
    assert talmud_rule(200, [100, 200, 300]) == pytest.approx([50, 75, 75])
    assert talmud_rule(300, [100, 200, 300]) == pytest.approx([50, 100, 150])


@pytest.mark.parametrize("seed", range(4))
def test_oracle_path_equals_enumeration_on_random_bankruptcy_games(seed):
    rng = np.random.default_rng(100 + seed)
    n = int(rng.integers(3, 15))
    d = rng.integers(1, 60, n).astype(float)
    claims = {f"p{i}": c for i, c in enumerate(d)}
    estate = float(np.round(rng.uniform(0.05, 0.95) * d.sum()))
    table = bankruptcy_game(estate, claims)
    oracle = bankruptcy_game(estate, claims, tabulate=False)
    assert oracle.values is None
    for rule in ("nucleolus", "prenucleolus"):
        assert solve_game(oracle, rule).allocation == pytest.approx(solve_game(table, rule).allocation, abs=1e-6)
    for rule in ("least-core", "core"):
        a, b = solve_game(oracle, rule), solve_game(table, rule)
        assert a.details["least_core_epsilon"] == pytest.approx(b.details["least_core_epsilon"], abs=1e-6)
        # the oracle's least-core point has every excess <= eps (checked over all 2^n coalitions)
        assert table.excesses(a.allocation)[1:-1].max() <= b.details["least_core_epsilon"] + 1e-6
    assert solve_game(oracle, "nucleolus").allocation == pytest.approx(talmud_rule(estate, d), abs=1e-6)


@pytest.mark.parametrize("seed", range(4))
def test_oracle_path_equals_enumeration_on_random_airport_games(seed):
    rng = np.random.default_rng(200 + seed)
    n = int(rng.integers(3, 15))
    costs = {f"p{i}": c for i, c in enumerate(rng.integers(1, 30, n).astype(float))}
    table, oracle = airport_game(costs), airport_game(costs, tabulate=False)
    for rule in ("nucleolus", "prenucleolus", "shapley", "banzhaf", "proportional"):
        assert solve_game(oracle, rule).allocation == pytest.approx(solve_game(table, rule).allocation, abs=1e-6)
    assert solve_game(oracle, "banzhaf").raw_index == pytest.approx(solve_game(table, "banzhaf").raw_index)
    # a given allocation: the oracle finds the same largest excess as the full table
    x = solve_game(table, "shapley").allocation
    assert core_check(oracle, x)["max_excess"] == pytest.approx(core_check(table, x)["max_excess"])


def test_bankruptcy_nucleolus_n60_is_the_talmud_rule():
    rng = np.random.default_rng(60)
    d = rng.integers(1, 100, 60).astype(float)
    for share in (0.3, 0.7):
        estate = float(np.round(share * d.sum()))
        g = bankruptcy_game(estate, {f"p{i}": c for i, c in enumerate(d)})
        assert not g.tabulated
        sol = solve_game(g, "nucleolus")
        assert sol.allocation == pytest.approx(talmud_rule(estate, d), abs=1e-6)
        assert sol.details["excess_levels"][0]["listed"] == "fixed"


def test_airport_nucleolus_n60_is_littlechilds_formula():
    rng = np.random.default_rng(61)
    costs = rng.integers(1, 200, 60).astype(float)
    g = airport_game({f"p{i}": c for i, c in enumerate(costs)})
    assert not g.tabulated
    assert solve_game(g, "nucleolus").allocation == pytest.approx(littlechild_nucleolus(costs), abs=1e-6)
    assert solve_game(g, "shapley").allocation == pytest.approx(littlechild_owen_shapley(costs))
    core = solve_game(g, "core")
    assert core.status == "optimal" and not core.details["core_empty"]


def test_large_bankruptcy_shapley_is_refused_and_the_limits_of_the_loader(tmp_path):
    claims = {f"p{i}": float(i + 1) for i in range(25)}
    g = game_from_dict({"kind": "bankruptcy", "estate": 100, "claims": claims})
    with pytest.raises(InputError, match="exact only up to 20 players"):
        solve_game(g, "shapley")
    assert solve_game(g, "proportional").allocation.sum() == pytest.approx(100)
    with pytest.raises(InputError, match="at most 500"):
        game_from_dict({"kind": "airport", "costs": {f"p{i}": 1.0 for i in range(501)}})
    with pytest.raises(InputError, match="at most 22"):
        game_from_dict({"kind": "profit", "players": [f"p{i}" for i in range(23)], "values": {}, "default": 0})


def test_equal_profit_by_hand():
    # c(a)=10, c(b)=20, c(c)=30, c(ab)=24, c(ac)=36, c(bc)=44, c(N)=50. Equal shares of the
    # stand-alone cost (5/6 each) give a and b 25 > c(ab) = 24, so {a, b} binds: 30 r <= 24 with
    # a and b at ratio r and c at s = (50 - 30 r) / 30; the spread s - r = 5/3 - 2 r is least at
    # r = 0.8: y = (8, 16, 26), savings 20 %, 20 %, 13.3 %, largest difference 1/15.
    v = np.array([0, 10, 20, 24, 30, 36, 44, 50.0])
    sol = solve_game(Game(["a", "b", "c"], v, "cost", "cost"), "equal-profit")
    assert sol.allocation == pytest.approx([8, 16, 26])
    ep = sol.details["equal_profit"]
    assert ep["within"] == "core" and ep["max_difference"] == pytest.approx(1 / 15)
    assert ep["relative_saving"] == pytest.approx({"a": 0.2, "b": 0.2, "c": 2 / 15})


def test_equal_profit_in_the_least_core_when_the_core_is_empty():
    # c(i) = 1, c(pair) = 1, c(N) = 2: y(pair) <= 1 for all pairs sums to y(N) <= 1.5 < 2, so the
    # core is empty; the least core is y(pair) <= 1 + eps with eps = 1/3, the single point (2/3,)*3.
    v = np.array([0, 1, 1, 1, 1, 1, 1, 2.0])
    sol = solve_game(Game(["a", "b", "c"], v, "cost", "cost"), "equal-profit")
    assert sol.allocation == pytest.approx([2 / 3] * 3)
    assert sol.details["equal_profit"]["within"] == "least core"
    assert sol.details["least_core_epsilon"] == pytest.approx(1 / 3)
