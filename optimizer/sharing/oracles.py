"""Exact separation oracles for generated games too large to enumerate (bankruptcy, airport).

An oracle describes a game in profit form v (a cost game c as v = -c) by formula, and lists the
coalitions in DECREASING order of their excess at an allocation x,

    e(S, x) = v(S) - x(S),

lazily, one at a time (:meth:`ranked`). The sequential LPs of :mod:`.nucleolus` read this list
until the excess drops to the stage level: every coalition above it is found, so the search is
exact (they pass that level as ``ranked(x, above=level)``: an oracle may then list only the
coalitions above it, and those in any order, and end its list after some of them -- a round's
worth, at least one when any is above the level -- as the freight game's separation MIP does; the
caller then solves its LP again and asks anew. The oracles here ignore it and list everything, in
order), and coalitions that must be skipped (in the span of the fixed ones, already in the LP) are
passed over without losing the next best one. Coalitions are Python int bitmasks (player i is
bit i), which have no size limit.

Ranked subsets of a modular function
------------------------------------
Let f(S) = c + sum_{i in S} w_i over the subsets S of a ground set G (plus a set F of players
always in S, whose weights are in c). Its maximum is B = {i in G : w_i > 0}. Every other subset is
B with the members of some T subset of G flipped, and f(B xor T) = f(B) - sum_{i in T} |w_i|. So
listing the S by decreasing f is listing the flip sets T by increasing cost sum |w_i|. Sort G by
|w_i| ascending, a_1 <= ... <= a_m; starting from T = {} (then {1}), a popped set T whose largest
index is j has two successors, T + {j+1} and T - {j} + {j+1}. Each non-empty T has exactly one
predecessor (undo the step that produced its largest index), every successor costs at least as
much as its predecessor, so a heap pops all 2^m sets once each, in non-decreasing cost
(Lawler's ranking; e.g. Eppstein, "K-best enumeration", 2014). Each pop costs O(log k).

Bankruptcy (profit game): v(S) = max(0, E - d(N \\ S)) = max(0, E - D + d(S)) with D = d(N), so

    e(S, x) = max( f1(S), f2(S) ),   f1(S) = -x(S),   f2(S) = (E - D) + sum_{i in S} (d_i - x_i).

Both are modular. Merging the two ranked lists by their keys (larger head first) and keeping the
first appearance of each coalition lists the coalitions by e: a coalition appears in both lists;
its first appearance carries the larger key max(f1, f2) = e(S, x), because the merged keys never
increase and the other appearance has a key <= e. Proof that nothing is missed: every S is in
both lists, and it is emitted when the merged key passes e(S, x).

Airport (cost game): c(S) = max_{i in S} c_i. Order the players by (c_i, index); every non-empty S
has exactly one last member k in that order, and then c(S) = c_k and S - {k} is any subset of the
players before k. So, with x the profit-form allocation (x = -y for cost shares y),

    e(S, x) = -c_k - x_k + sum_{i in S - {k}} (-x_i)        (S with last member k),

one modular list per k over the players before k; the lists partition the coalitions, and merging
them by key lists every coalition once, by decreasing e. (For each k the best S takes the earlier
players whose term -x_i is positive: the "add players with cost <= c_k by sign" rule.)
"""

from __future__ import annotations

import heapq
import itertools
from typing import Iterator

import numpy as np

Ranked = Iterator[tuple[float, int]]


def ranked_modular(const: float, weights: np.ndarray, items: np.ndarray, forced: int = 0) -> Ranked:
    """Yield ``(f(S), mask)`` for every ``S = forced + subset of items``, by decreasing
    ``f(S) = const + sum of weights[i] over the items in S`` (see the module docstring).

    ``weights`` is indexed by player; ``items`` lists the player indices that may be added.
    """
    items = np.asarray(items, dtype=int)
    w = np.asarray(weights, dtype=float)[items]
    best = forced
    top = const
    for i, wi in zip(items.tolist(), w.tolist()):
        if wi > 0:
            best |= 1 << i
            top += wi
    order = np.argsort(np.abs(w), kind="stable")
    a = np.abs(w)[order].tolist()
    bits = [1 << int(i) for i in items[order]]
    yield top, best
    m = len(a)
    if m == 0:
        return
    tick = itertools.count()
    heap = [(a[0], next(tick), 0, bits[0])]
    while heap:
        cost, _, j, flips = heapq.heappop(heap)
        yield top - cost, best ^ flips
        if j + 1 < m:
            heapq.heappush(heap, (cost + a[j + 1], next(tick), j + 1, flips | bits[j + 1]))
            heapq.heappush(heap, (cost - a[j] + a[j + 1], next(tick), j + 1, (flips ^ bits[j]) | bits[j + 1]))


def _merged(streams: list[Ranked], dedupe: bool) -> Ranked:
    """The streams merged by decreasing key; with ``dedupe``, each mask's first appearance only."""
    merged = heapq.merge(*streams, key=lambda t: -t[0])
    if not dedupe:
        yield from merged
        return
    seen: set[int] = set()
    for key, mask in merged:
        if mask not in seen:
            seen.add(mask)
            yield key, mask


class BankruptcyOracle:
    """O'Neill's bankruptcy game v(S) = max(0, E - d(N \\ S)) in profit form."""

    kind = "bankruptcy"

    def __init__(self, estate: float, claims: np.ndarray) -> None:
        self.estate = float(estate)
        self.claims = np.asarray(claims, dtype=float)
        self.n = len(self.claims)
        self.total = float(self.claims.sum())

    def scaled(self, factor: float) -> "BankruptcyOracle":
        return BankruptcyOracle(self.estate * factor, self.claims * factor)

    def value(self, mask: int) -> float:
        d_in = sum(float(self.claims[i]) for i in range(self.n) if mask >> i & 1)
        return max(0.0, self.estate - (self.total - d_in)) if mask else 0.0

    def stand_alone(self) -> np.ndarray:
        return np.maximum(0.0, self.estate - (self.total - self.claims))

    @property
    def scale(self) -> float:
        """The largest |v(S)|: v is monotone, so v(N) = E."""
        return self.estate

    def ranked(self, x: np.ndarray, above: float | None = None) -> Ranked:
        """Every coalition (the empty one included), by decreasing excess at ``x`` (``above`` is not needed)."""
        x = np.asarray(x, dtype=float)
        players = np.arange(self.n)
        return _merged(
            [ranked_modular(0.0, -x, players), ranked_modular(self.estate - self.total, self.claims - x, players)],
            dedupe=True,
        )


class AirportOracle:
    """Littlechild and Owen's airport game c(S) = max_{i in S} c_i, in profit form v = -c."""

    kind = "airport"

    def __init__(self, costs: np.ndarray) -> None:
        self.costs = np.asarray(costs, dtype=float)
        self.n = len(self.costs)
        self.order = np.argsort(self.costs, kind="stable")

    def scaled(self, factor: float) -> "AirportOracle":
        return AirportOracle(self.costs * factor)

    def value(self, mask: int) -> float:
        return -max((float(self.costs[i]) for i in range(self.n) if mask >> i & 1), default=0.0)

    def stand_alone(self) -> np.ndarray:
        return -self.costs

    @property
    def scale(self) -> float:
        return float(self.costs.max())

    def ranked(self, x: np.ndarray, above: float | None = None) -> Ranked:
        """Every non-empty coalition, by decreasing excess at ``x`` (profit form; ``above`` is not needed)."""
        x = np.asarray(x, dtype=float)
        streams = []
        for pos, k in enumerate(self.order.tolist()):
            streams.append(ranked_modular(-self.costs[k] - x[k], -x, self.order[:pos], forced=1 << k))
        return _merged(streams, dedupe=False)


def airport_shapley(costs: np.ndarray) -> np.ndarray:
    """Littlechild and Owen (1973): with c_(1) <= ... <= c_(n), runway segment k costs
    c_(k) - c_(k-1) and is shared equally by the n - k + 1 players who need it."""
    costs = np.asarray(costs, dtype=float)
    order = np.argsort(costs, kind="stable")
    c = costs[order]
    n = len(c)
    segments = np.diff(np.concatenate([[0.0], c])) / (n - np.arange(n))
    out = np.empty(n)
    out[order] = np.cumsum(segments)
    return out


def airport_banzhaf(costs: np.ndarray) -> np.ndarray:
    """Raw Banzhaf value of the airport cost game, exactly.

    beta_i = mean over S not containing i of c(S + i) - c(S) = E[(c_i - M)^+], where M is the
    largest cost in a random subset of the others (each in with probability 1/2, M = 0 when
    empty). E[(c_i - M)^+] = integral over t in [0, c_i) of P(M <= t) dt, and P(M <= t) =
    2^-(number of others with cost > t), constant between consecutive costs.
    """
    costs = np.asarray(costs, dtype=float)
    n = len(costs)
    beta = np.empty(n)
    for i in range(n):
        others = np.sort(np.delete(costs, i))
        cuts = np.concatenate([[0.0], others[others < costs[i]], [costs[i]]])
        total = 0.0
        for a, b in zip(cuts[:-1], cuts[1:]):
            above = int(np.sum(others > a))
            total += (b - a) * 2.0 ** (-above)
        beta[i] = total
    return beta
