"""Transferable-utility games and the rules that split their value.

A :class:`Game` holds the characteristic function of every coalition as one numpy array indexed
by bitmask (see :mod:`.coalitions`), in its own convention:

* ``profit`` games give v(S), the value S secures alone; an allocation shares v(N);
* ``cost`` games give c(S), what S would pay alone; an allocation shares c(N).

Sign conventions are handled here, once. The linear rules (Shapley, Banzhaf, proportional) are
computed on the values as given. The LP rules (nucleolus, prenucleolus, least core, core) run on
the profit form v = -c of a cost game and negate the allocation back. The excess reported for a
coalition is its complaint, the same number in both conventions:

    e(S, x) = v(S) - x(S)   (profit)        e(S, x) = x(S) - c(S)   (cost)

so e(S, x) > 0 means S would be better off on its own, and x is in the core iff x shares the
grand coalition's value and e(S, x) <= 0 for every S.

Rules (:data:`RULES`)
---------------------
``shapley``      average marginal contribution over all orders of arrival (exact, vectorised).
``banzhaf``      raw Banzhaf value beta_i = mean over S not containing i of v(S+i) - v(S), reported
                 as ``raw_index``; the allocation is beta scaled to share v(N) (normalised Banzhaf).
``proportional`` shares v(N) in proportion to the game's weights: the ``weights`` given with the
                 game, else the claims of a bankruptcy game, else the stand-alone values v({i}).
``nucleolus``    lexicographic minimiser of the sorted excesses over the imputations (x_i >= v({i})).
``prenucleolus`` the same over all preimputations.
``least-core``   smallest eps such that some allocation has every excess <= eps; gives that eps, a
                 point of the least core and the coalitions tight throughout it.
``core``         whether the core is empty (least-core eps > 0) and a core point if not (a point of
                 the least core); checks a given allocation for core membership.
``equal-profit`` the equal profit method (Frisk et al. 2010, :mod:`.equal_profit`): within the core
                 (the least core when the core is empty), the allocation whose relative gains
                 x_i / v({i}) (for a cost game, savings 1 - y_i / c({i})) differ the least.

Large generated games
---------------------
Bankruptcy and airport games with more than :data:`TABULATE_UP_TO` players (up to
:data:`MAX_GENERATED_PLAYERS`) hold no table of values: they carry a separation oracle
(:mod:`.oracles`) that evaluates v(S) by formula and lists coalitions by decreasing excess, and
the LP rules generate the most violated coalitions from it (exact, see :mod:`.nucleolus`). Their
excess levels list the coalitions FIXED at each level by the LPs (``listed``: ``"fixed"``), not
every coalition at that excess. Shapley and Banzhaf use closed forms for the airport game
(Littlechild and Owen 1973, and the exact Banzhaf integral in :mod:`.oracles`); for a bankruptcy
game above :data:`TABULATE_UP_TO` players they are refused with an :class:`InputError` (no exact
method short of enumerating 2^n coalitions is implemented; a dynamic program over sums of
integer claims would be one).

Statuses: ``ok`` (a formula rule), ``optimal`` (an LP rule), ``empty_core`` (``core`` on a game
whose core is empty: the allocation is then a least-core point and ``least_core_epsilon`` > 0).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from ..errors import InfeasibleError, InputError, Problem
from .coalitions import MAX_PLAYERS, marginal_pairs, members, popcounts, subset_max, subset_sums
from .equal_profit import equal_profit_lp
from .nucleolus import EXCESS_TOL, sequential_lp
from .oracles import AirportOracle, BankruptcyOracle, airport_banzhaf, airport_shapley

RULES = ("shapley", "banzhaf", "nucleolus", "prenucleolus", "least-core", "proportional", "core", "equal-profit")
KINDS = ("profit", "cost", "bankruptcy", "airport")
#: at most this many coalitions are listed per excess level (the count is always given)
LEVEL_LIST_CAP = 100
#: generated games with at most this many players get the table of all 2^n values
TABULATE_UP_TO = 20
#: largest generated (bankruptcy, airport) game: values by formula, coalitions by oracle
MAX_GENERATED_PLAYERS = 500


@dataclass
class Game:
    """A TU game: players and the value (or cost) of every coalition, indexed by bitmask; or,
    for a large generated game, ``values=None`` and an ``oracle`` (profit form) instead."""

    players: list[str]
    values: np.ndarray | None
    convention: str = "profit"
    kind: str = "profit"
    name: str = "game"
    weights: np.ndarray | None = None
    weights_basis: str = "weights"
    allocation: np.ndarray | None = None
    parameters: dict = field(default_factory=dict)
    oracle: BankruptcyOracle | AirportOracle | None = None

    def __post_init__(self) -> None:
        if self.convention not in ("profit", "cost"):
            raise ValueError(f"convention must be 'profit' or 'cost', not {self.convention!r}")
        if self.values is None:
            if self.oracle is None or self.oracle.n != self.n:
                raise ValueError("a game without values needs an oracle for its players")
            if not 1 <= self.n <= MAX_GENERATED_PLAYERS:
                raise ValueError(f"a generated game needs 1 to {MAX_GENERATED_PLAYERS} players, got {self.n}")
            return
        self.values = np.asarray(self.values, dtype=float)
        if not 1 <= self.n <= MAX_PLAYERS:
            raise ValueError(f"a game needs 1 to {MAX_PLAYERS} players, got {self.n}")
        if self.values.shape != (1 << self.n,):
            raise ValueError(f"values must have length 2**{self.n}")
        if self.values[0] != 0:
            raise ValueError("the empty coalition must have value 0")

    @property
    def n(self) -> int:
        return len(self.players)

    @property
    def full(self) -> int:
        return (1 << self.n) - 1

    @property
    def sign(self) -> float:
        """+1 for profit games, -1 for cost games: ``sign * values`` is the profit form."""
        return 1.0 if self.convention == "profit" else -1.0

    @property
    def tabulated(self) -> bool:
        """True when all 2^n values are held (False: a large generated game with an oracle)."""
        return self.values is not None

    @property
    def grand(self) -> float:
        """v(N) or c(N): what every allocation shares."""
        return self.value_of(self.full)

    def value_of(self, mask: int) -> float:
        """v(S) or c(S) of a coalition given by its mask."""
        if self.values is None:
            return self.sign * self.oracle.value(mask)
        return float(self.values[mask])

    def stand_alone(self) -> np.ndarray:
        """v({i}) or c({i}) per player."""
        if self.values is None:
            return self.sign * self.oracle.stand_alone()
        return self.values[[1 << i for i in range(self.n)]]

    def mask(self, coalition: Iterable[str]) -> int:
        index = {p: i for i, p in enumerate(self.players)}
        return sum(1 << index[p] for p in set(coalition))

    def value(self, coalition: Iterable[str]) -> float:
        """v(S) or c(S) of a coalition given by player names."""
        return self.value_of(self.mask(coalition))

    def coalition_name(self, mask: int) -> str:
        """Player names joined by commas (the key format of game files)."""
        return ",".join(self.players[i] for i in members(mask, self.n))

    def excesses(self, allocation: np.ndarray) -> np.ndarray:
        """e(S, x) for every mask (see the module docstring for the sign convention)."""
        return self.sign * (self.values - subset_sums(np.asarray(allocation, dtype=float)))


def _tabulate(n: int, tabulate: bool | None) -> bool:
    return n <= TABULATE_UP_TO if tabulate is None else tabulate


def bankruptcy_game(
    estate: float, claims: Mapping[str, float], name: str = "bankruptcy", *, tabulate: bool | None = None
) -> Game:
    """O'Neill's bankruptcy game: v(S) = max(0, E - claims of the players outside S).

    ``tabulate``: hold all 2^n values (default: when n <= :data:`TABULATE_UP_TO`); otherwise the
    game carries a :class:`~.oracles.BankruptcyOracle`.
    """
    players = list(claims)
    d = np.array([claims[p] for p in players], dtype=float)
    oracle = BankruptcyOracle(estate, d)
    values = None
    if _tabulate(len(d), tabulate):
        values = np.maximum(0.0, estate - (d.sum() - subset_sums(d)))
        values[0] = 0.0
    return Game(
        players, values, "profit", "bankruptcy", name, weights=d, weights_basis="claims",
        parameters={"estate": float(estate), "claims": {p: float(c) for p, c in zip(players, d)}},
        oracle=oracle,
    )


def airport_game(costs: Mapping[str, float], name: str = "airport", *, tabulate: bool | None = None) -> Game:
    """Littlechild and Owen's airport game: c(S) = the largest cost of a player in S.

    ``tabulate`` as for :func:`bankruptcy_game`; the oracle is an :class:`~.oracles.AirportOracle`.
    """
    players = list(costs)
    c = np.array([costs[p] for p in players], dtype=float)
    return Game(
        players, subset_max(c) if _tabulate(len(c), tabulate) else None, "cost", "airport", name,
        parameters={"costs": {p: float(x) for p, x in zip(players, c)}},
        oracle=AirportOracle(c),
    )


@dataclass
class GameSolution:
    """An allocation (in the game's own convention) and what the rule reports with it."""

    game: Game
    rule: str
    status: str
    allocation: np.ndarray
    details: dict = field(default_factory=dict)
    seconds: float = 0.0
    raw_index: np.ndarray | None = None

    def summary(self) -> dict:
        g = self.game
        out = {
            "name": g.name,
            "rule": self.rule,
            "status": self.status,
            "kind": g.kind,
            "convention": g.convention,
            "players": list(g.players),
            "grand_coalition_value": g.grand,
            "allocation": dict(zip(g.players, self.allocation.tolist())),
        }
        if self.raw_index is not None:
            out["raw_index"] = dict(zip(g.players, self.raw_index.tolist()))
        out.update(self.details)
        out["seconds"] = round(self.seconds, 4)
        return out

    def table(self) -> pd.DataFrame:
        df = pd.DataFrame(
            {"player": self.game.players, "allocation": self.allocation, "stand_alone": self.game.stand_alone()}
        )
        if self.raw_index is not None:
            df["raw_index"] = self.raw_index
        return df


# ---------------------------------------------------------------- formula rules


def shapley_value(values: np.ndarray) -> np.ndarray:
    """phi_i = sum over S not containing i of |S|! (n-|S|-1)! / n! * (v(S+i) - v(S)).

    One pass over the 2^(n-1) coalitions without i per player; the weights depend on |S| only.
    """
    n = len(values).bit_length() - 1
    weight_by_size = np.array([math.factorial(s) * math.factorial(n - s - 1) / math.factorial(n) for s in range(n)])
    sizes = popcounts(n)
    phi = np.empty(n)
    for i in range(n):
        without, with_i = marginal_pairs(values, i)
        size_without, _ = marginal_pairs(sizes, i)
        phi[i] = np.sum(weight_by_size[size_without] * (with_i - without))
    return phi


def banzhaf_index(values: np.ndarray) -> np.ndarray:
    """Raw Banzhaf value: beta_i = 2^-(n-1) * sum over S not containing i of v(S+i) - v(S)."""
    n = len(values).bit_length() - 1
    beta = np.empty(n)
    for i in range(n):
        without, with_i = marginal_pairs(values, i)
        beta[i] = np.sum(with_i - without) / (1 << (n - 1))
    return beta


def _scale_to(shares: np.ndarray, total: float, what: str) -> np.ndarray:
    """``shares`` scaled so that they sum to ``total``."""
    s = shares.sum()
    if abs(s) <= 1e-12 * max(1.0, np.abs(shares).max(initial=0.0)):
        if abs(total) <= 1e-12:
            return np.zeros_like(shares)
        raise InfeasibleError(f"the {what} sum to 0, so they cannot be scaled to share {total:g}")
    return shares * (total / s)


def proportional_weights(game: Game) -> tuple[np.ndarray, str]:
    """The weights of the proportional rule and what they are."""
    if game.weights is not None:
        return np.asarray(game.weights, dtype=float), game.weights_basis
    return game.stand_alone(), "stand-alone values"


# ---------------------------------------------------------------- LP rules


def _levels_summary(game: Game, e: np.ndarray, levels: list[tuple[float, np.ndarray]]) -> list[dict]:
    """For each level, the coalitions in ``candidates`` (boolean) whose excess equals it
    (sorted by size, at most :data:`LEVEL_LIST_CAP` listed)."""
    sizes = popcounts(game.n)
    tol = EXCESS_TOL * _scale(game)
    near = np.flatnonzero(e >= min((eps for eps, _ in levels), default=np.inf) - tol)
    near = near[(near != 0) & (near != game.full)]
    out = []
    for eps, candidates in levels:
        hit = near[candidates[near] & (np.abs(e[near] - eps) <= tol)]
        hit = hit[np.lexsort((hit, sizes[hit]))]
        out.append(
            {
                "level": float(eps),
                "count": int(hit.size),
                "coalitions": [game.coalition_name(int(s)) for s in hit[:LEVEL_LIST_CAP]],
            }
        )
    return out


def _scale(game: Game) -> float:
    """The largest magnitude among the game's values (1 for the zero game)."""
    if game.values is None:
        return game.oracle.scale or 1.0
    return float(np.abs(game.values).max()) or 1.0


def _tidy(a, scale: float):
    """Round away solver noise below 1e-10 of the game's scale, and negative zeros."""
    digits = 10 - math.floor(math.log10(scale))
    return np.round(np.asarray(a, dtype=float), digits) + 0.0


def _profit_scaled(game: Game):
    """The profit form divided by the scale (a table, or a scaled oracle), and the scale."""
    scale = _scale(game)
    if game.values is None:
        return game.oracle.scaled(1.0 / scale), scale
    return game.sign * game.values / scale, scale


def _check_imputations(game: Game) -> None:
    lower = game.sign * game.stand_alone()
    v_n = game.sign * game.grand
    if lower.sum() > v_n + EXCESS_TOL * _scale(game):
        word = "v(N) is smaller than the sum of the v({i})" if game.sign > 0 else "c(N) exceeds the sum of the c({i})"
        raise InfeasibleError(
            "the nucleolus is undefined: no allocation is individually rational",
            [f"{word}: {game.grand:g} vs {game.stand_alone().sum():g}; use --rule prenucleolus"],
        )


def _lexicographic(game: Game, rule: str) -> tuple[np.ndarray, dict]:
    v, scale = _profit_scaled(game)
    lower = None
    if rule == "nucleolus":
        _check_imputations(game)
        lower = game.sign * game.stand_alone() / scale
    batch = getattr(game.oracle, "batch", None)  # an oracle whose coalitions are costly to list says how many per round
    res = sequential_lp(v, lower=lower, first_level_only=rule in ("least-core", "core"), batch=batch)
    x = _tidy(game.sign * res.x * scale, scale)
    if game.values is None:
        return x, _oracle_details(game, res, scale, rule)
    e = game.excesses(x)
    if res.complete:
        candidates = np.ones(1 << game.n, dtype=bool)
        levels = [(_tidy(lv.epsilon * scale, scale), candidates) for lv in res.levels]
    else:
        levels = [(_tidy(res.levels[0].epsilon * scale, scale), res.settled_first)]
    details = {
        "excess_levels": _levels_summary(game, e, levels),
        "lp_solves": res.lp_solves,
        "coalitions_generated": res.rows,
    }
    if rule in ("least-core", "core"):
        details["least_core_epsilon"] = float(levels[0][0]) if levels else float(np.max(e[1:-1], initial=-np.inf))
    return x, details


def _oracle_details(game: Game, res, scale: float, rule: str) -> dict:
    """Excess levels of a game solved through its oracle: each level lists the coalitions the
    LPs fixed at it (tight throughout the remaining optimal set), not every coalition at it."""
    levels = []
    for lv in res.levels:
        masks = sorted(lv.masks, key=lambda s: (s.bit_count(), s))
        levels.append(
            {
                "level": float(_tidy(lv.epsilon * scale, scale)),
                "count": len(masks),
                "listed": "fixed",
                "coalitions": [game.coalition_name(s) for s in masks[:LEVEL_LIST_CAP]],
            }
        )
    details = {"excess_levels": levels, "lp_solves": res.lp_solves, "coalitions_generated": res.rows}
    if rule in ("least-core", "core"):
        details["least_core_epsilon"] = levels[0]["level"] if levels else -math.inf
    return details


def _most_violated(game: Game, x: np.ndarray) -> tuple[float, int | None]:
    """The largest excess over the proper non-empty coalitions at ``x`` and a coalition having it."""
    if game.n == 1:
        return -math.inf, None
    if game.values is not None:
        e = game.excesses(x)
        e[0] = e[game.full] = -np.inf
        worst = int(np.argmax(e))
        return float(e[worst]), worst
    for key, s in game.oracle.ranked(game.sign * x):
        if 0 < s < game.full:
            return float(key), s
    raise AssertionError("the oracle listed no proper coalition")


def core_check(game: Game, allocation: np.ndarray) -> dict:
    """Is ``allocation`` (in the game's convention) in the core? Efficiency and the worst coalition."""
    x = np.asarray(allocation, dtype=float)
    tol = EXCESS_TOL * _scale(game)
    max_excess, worst = _most_violated(game, x)
    shortfall = float(x.sum() - game.grand)
    efficient = abs(shortfall) <= tol
    max_excess = max_excess if worst is not None else None
    return {
        "allocation": dict(zip(game.players, x.tolist())),
        "efficient": efficient,
        "total_minus_grand": shortfall,
        "max_excess": max_excess,
        "most_violated_coalition": game.coalition_name(worst) if worst is not None else None,
        "in_core": bool(efficient and (max_excess is None or max_excess <= tol)),
    }


def _equal_profit(game: Game) -> tuple[np.ndarray, dict]:
    """The equal profit method within the core, or within the least core when the core is empty."""
    v, scale = _profit_scaled(game)
    w = game.sign * game.stand_alone() / scale
    if not (np.all(w > 0) or np.all(w < 0)):
        what = "stand-alone cost" if game.sign < 0 else "stand-alone value"
        raise InfeasibleError(
            "the equal profit method needs every player's stand-alone value to be non-zero and of one sign",
            [f"{p}: {what} {x:g}" for p, x in zip(game.players, game.stand_alone())][:10],
        )
    _, first = _lexicographic(game, "least-core")
    eps = float(first["least_core_epsilon"])
    in_core = eps <= EXCESS_TOL * scale
    res = equal_profit_lp(v, w, 0.0 if in_core else eps / scale)
    x = _tidy(game.sign * res.x * scale, scale)
    ratios = x / game.stand_alone()
    relative = {"relative_saving": dict(zip(game.players, (1.0 - ratios).tolist()))} if game.sign < 0 else {"relative_value": dict(zip(game.players, ratios.tolist()))}
    details = {
        "least_core_epsilon": eps,
        "equal_profit": {"within": "core" if in_core else "least core", "epsilon": 0.0 if in_core else eps, "max_difference": res.spread, **relative},
        "lp_solves": first["lp_solves"] + res.lp_solves,
        "coalitions_generated": first["coalitions_generated"] + res.rows,
    }
    return x, details


# ---------------------------------------------------------------- dispatcher


def _closed_form(game: Game, rule: str) -> np.ndarray:
    """Shapley value or raw Banzhaf value of a large generated game, where a formula is known."""
    if game.kind == "airport":
        costs = -game.oracle.stand_alone()
        return airport_shapley(costs) if rule == "shapley" else airport_banzhaf(costs)
    raise InputError(
        [
            Problem(
                game.name,
                f"--rule {rule} of a {game.kind} game is exact only up to {TABULATE_UP_TO} players "
                f"(all 2^n coalitions are enumerated); this game has {game.n}. Use nucleolus, "
                "prenucleolus, least-core, core or proportional",
            )
        ],
        source=game.name,
    )


def solve_game(game: Game, rule: str) -> GameSolution:
    """Apply ``rule`` (one of :data:`RULES`) to ``game``."""
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}; choose one of {', '.join(RULES)}")
    t0 = time.perf_counter()
    raw = None
    details: dict = {}
    status = "ok"
    if rule in ("shapley", "banzhaf") and game.values is None:
        raw = _closed_form(game, rule)
        x = raw if rule == "shapley" else _scale_to(raw, game.grand, "raw Banzhaf values")
        raw = None if rule == "shapley" else raw
    elif rule == "shapley":
        x = shapley_value(game.values)
    elif rule == "banzhaf":
        raw = banzhaf_index(game.values)
        x = _scale_to(raw, game.grand, "raw Banzhaf values")
    elif rule == "proportional":
        w, what = proportional_weights(game)
        x = _scale_to(w, game.grand, what)
        details["weights"] = {"basis": what, "values": dict(zip(game.players, w.tolist()))}
    elif rule == "equal-profit":
        x, details = _equal_profit(game)
        status = "optimal"
    else:
        x, details = _lexicographic(game, rule)
        status = "optimal"
        if rule == "core":
            eps = details["least_core_epsilon"]
            empty = eps > EXCESS_TOL * _scale(game)
            details["core_empty"] = bool(empty)
            status = "empty_core" if empty else "optimal"
            if game.allocation is not None:
                details["check"] = core_check(game, game.allocation)
    x = _tidy(x, _scale(game))
    return GameSolution(game, rule, status, x, details, time.perf_counter() - t0, raw)
