r"""Who pays for consolidation: the cost game of the freight network, solved with the game rules.

:func:`solve_consolidation` prices coalitions of players (:mod:`.players`) with the freight MIP
(:mod:`.values`: c(S) is the optimum with the demand of everybody outside S removed, c(N) the
optimum of ``optimizer freight solve``), then splits c(N) by a rule of :mod:`optimizer.sharing.games`:

``shapley``, ``nucleolus``, ``least-core``, ``proportional`` (to stand-alone cost c({i})),
``equal-profit`` (Frisk et al. 2010), and ``core`` (a least-core point, and whether the Shapley and
proportional allocations lie in the core, with the coalition that objects most to each).

Two ways to the answer:

* **enumeration** (default up to :data:`ENUMERATE_UP_TO` players): all 2^n - 1 coalitions are
  solved, on the batch executors when given (local processes or a Dask cluster), and the rule is
  applied to the table of values, the same :class:`~optimizer.sharing.games.Game` that
  ``optimizer share game`` reads from the GAME.json written beside the result;
* **row generation** (larger games): no enumeration. The singletons, their complements and N are
  solved; the LP rules generate the coalitions they need with the separation MIP of
  :mod:`.separation` (the exact nucleolus levels of :mod:`optimizer.sharing.nucleolus` apply: a
  coalition is fixed only when it is tight in every optimum). The Shapley value is estimated from
  ``samples`` random orders of arrival (each order's marginal costs add up to c(N), so the estimate
  does too), with a 95 % confidence half-width per player, reusing every coalition already priced.

Every allocation is exact for the coalition values found. With a MIP gap g each value is within
g·c(S) of its optimum (HiGHS's proven bound), so every excess, and the least-core epsilon, is within
g·max c(S) of its exact value; the core verdict is certain when the largest excess is below
-g·max c(S). A coalition whose MIP stops at its time limit keeps its best plan's cost, is counted
in ``coalitions_at_time_limit`` and named in the warnings.

The savings game s(S) = sum_{i in S} c({i}) - c(S) is the same game seen as gains: a cost share
y_i is the saving c({i}) - y_i; both views are reported.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ...errors import Problem, TooLargeError
from ...instance.data import Instance
from ...solve import StartPool
from ..coalitions import members
from ..games import Game, GameSolution, core_check, solve_game
from ..nucleolus import EXCESS_TOL
from .players import BY_PROVINCE, Players, define_players
from .today import city_costs, player_costs
from .separation import FreightOracle, Separation
from .values import CoalitionCache, Evaluation, evaluate, fingerprint, solve_coalition

log = logging.getLogger(__name__)

RULES = ("shapley", "nucleolus", "least-core", "proportional", "equal-profit", "core")
#: games up to this many players are enumerated unless told otherwise
ENUMERATE_UP_TO = 10
#: enumeration is refused above this many players (2^n - 1 MIPs)
MAX_ENUMERATE = 16
#: random orders of arrival for the sampled Shapley value
SAMPLES = 20
PROGRESS_EVERY = 5.0


@dataclass
class ConsolidationResult:
    """A split of the consolidated network's cost; every amount in CNY per year."""

    instance: str
    players: Players
    rule: str
    method: str  # enumeration | row generation
    allocation: np.ndarray
    stand_alone: np.ndarray
    today: np.ndarray | None
    grand: float
    details: dict
    core: dict  # in_core, max_excess, most_objecting_coalition, least_core_epsilon
    cache: CoalitionCache
    counts: dict
    seconds: float
    options: dict
    game: Game | None = None  # the enumerated game
    warnings: list[str] = field(default_factory=list)
    source: Path | None = None
    city_today: dict[str, float] = field(default_factory=dict)
    cities: list[dict] = field(default_factory=list)  # id, name, name_zh, lon, lat, player: for the map


class _Pricer:
    """c(S) by mask, from the cache or solved now (in this process, starting from ``pool``)."""

    def __init__(self, ev: Evaluation, cache: CoalitionCache, pool: StartPool | None) -> None:
        self.ev, self.cache, self.pool = ev, cache, pool
        self.solved = 0

    def __call__(self, mask: int) -> float:
        if mask not in self.cache:
            value = solve_coalition(self.ev.instance, self.ev.players, mask, mip_gap=self.ev.mip_gap, time_limit=self.ev.time_limit, pool=self.pool)
            self.cache.add(value)
            self.solved += 1
            log.info(f"coalition {{{', '.join(self.ev.players.names[i] for i in members(mask, self.ev.players.n))}}}: c = {value.cost:,.0f} ({value.status}, {value.seconds:.1f}s)")
        return self.cache[mask].cost


def _price_all(ev: Evaluation, masks, cache: CoalitionCache, executor, pool: StartPool | None) -> int:
    """Price the coalitions of ``masks`` not cached yet; returns how many were solved."""
    todo = [m for m in masks if m and m not in cache]
    if not todo:
        return 0
    log.info(f"pricing {len(todo):,} coalition(s)" + (f" on {executor.describe()}" if executor is not None else ""))
    last = time.perf_counter()
    done = 0
    for _ in evaluate(ev, todo, cache, executor, pool):
        done += 1
        if time.perf_counter() - last >= PROGRESS_EVERY or done == len(todo):
            last = time.perf_counter()
            log.info(f"priced {done:,}/{len(todo):,} coalitions")
    return done


def _sampled_shapley(n: int, cost, samples: int, seed: int, prefetch) -> tuple[np.ndarray, np.ndarray, int]:
    """Mean marginal cost over ``samples`` random orders (seeded), its 95 % half-width, and the
    number of distinct coalitions it read. ``prefetch(masks)`` prices them first (in parallel)."""
    rng = np.random.default_rng(seed)
    orders = [rng.permutation(n) for _ in range(samples)]
    prefixes = set()
    for order in orders:
        m = 0
        for i in order:
            m |= 1 << int(i)
            prefixes.add(m)
    prefetch(sorted(prefixes, key=lambda s: (s.bit_count(), s)))
    marg = np.zeros((samples, n))
    for k, order in enumerate(orders):
        m, prev = 0, 0.0
        for i in order:
            m |= 1 << int(i)
            c = cost(m)
            marg[k, int(i)] = c - prev
            prev = c
    mean = marg.mean(axis=0)
    half = 1.96 * marg.std(axis=0, ddof=1) / np.sqrt(samples) if samples > 1 else np.full(n, np.inf)
    return mean, half, len(prefixes)


def _check_enumeration(players: Players, enumerate_all: bool | None) -> bool:
    if enumerate_all is None:
        return players.n <= ENUMERATE_UP_TO
    if enumerate_all and players.n > MAX_ENUMERATE:
        raise TooLargeError(
            f"--enumerate: {players.n} players make {2 ** players.n - 1:,} coalition MIPs; enumeration is allowed up to "
            f"{MAX_ENUMERATE} players. Use --no-enumerate (row generation; Shapley by sampling), or fewer players (--only)"
        )
    return bool(enumerate_all)


def solve_consolidation(
    instance: Instance,
    rule: str = "shapley",
    *,
    players: str | Path = BY_PROVINCE,
    only: list[str] | None = None,
    mip_gap: float | None = 0.0,
    time_limit: float | None = None,
    enumerate_all: bool | None = None,
    executor=None,
    starts: bool = True,
    samples: int = SAMPLES,
    seed: int = 0,
    cache_path: Path | None = None,
) -> ConsolidationResult:
    """Price the coalitions and split c(N) by ``rule`` (see the module docstring).

    ``executor``: a connected batch executor for pricing many coalitions at once (None: one after
    the other in this process). ``starts``: start each MIP from the plans of coalitions solved
    before (one start pool per process). ``cache_path``: JSON-lines file of coalition values kept
    across runs (:class:`~.values.CoalitionCache`). Raises InputError for bad players,
    TooLargeError when enumeration is refused, :class:`~.values.CoalitionFailed` (exit 3) when a
    coalition has no plan.
    """
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}; choose one of {', '.join(RULES)}")
    t0 = time.perf_counter()
    ps = define_players(instance, players, only)
    enumerated = _check_enumeration(ps, enumerate_all)
    n, full = ps.n, (1 << ps.n) - 1
    ev = Evaluation(instance, ps, mip_gap, time_limit, starts)
    cache = CoalitionCache(ps, fingerprint(instance, ps, mip_gap, time_limit), cache_path)
    if cache.loaded:
        log.info(f"resuming: {cache.loaded:,} coalition value(s) read from {cache_path}")
    pool = StartPool() if starts else None
    price = _Pricer(ev, cache, pool)

    def prefetch(masks) -> int:
        """Price the uncached coalitions of ``masks`` together (on ``executor``: in parallel)."""
        return _price_all(ev, masks, cache, executor, pool)

    log.info(f"{instance.name}: {n} players by {ps.basis}; rule {rule}; {'enumeration of all ' + format(full, ',') + ' coalitions' if enumerated else 'row generation'}")
    price(full)  # the grand coalition first: every other coalition can start from its plan
    solved = price.solved
    separation = None
    sample_info: dict = {}
    if enumerated:
        solved += prefetch(range(1, full + 1))
        values = np.zeros(1 << n)
        for m in range(1, full + 1):
            values[m] = cache[m].cost
        game = Game(list(ps.names), values, "cost", "cost", f"{instance.name} consolidation by {ps.basis}")
    else:
        singles = [1 << i for i in range(n)]
        solved += prefetch(singles + [full ^ s for s in singles if full ^ s])
        separation = Separation(instance, ps, abs_gap=max(EXCESS_TOL, mip_gap or 0.0) * price(full), time_limit=time_limit, pool=pool)
        oracle = FreightOracle(n, price, separation, prefetch=prefetch)
        game = Game(list(ps.names), None, "cost", "cost", f"{instance.name} consolidation by {ps.basis}", oracle=oracle)

    def shapley() -> np.ndarray:
        if enumerated:
            return solve_game(game, "shapley").allocation
        if not sample_info:
            before = len(cache.values)
            mean, half, read = _sampled_shapley(n, price, samples, seed, prefetch)
            sample_info.update(estimate=mean, half=half, read=read, new=len(cache.values) - before)
        return sample_info["estimate"]

    details: dict = {}
    if rule == "shapley":
        x = shapley()
    else:
        sol: GameSolution = solve_game(game, rule)
        x, details = sol.allocation, dict(sol.details)
    if rule == "core":
        details["checks"] = {name: _core(game, alloc) for name, alloc in (("shapley", shapley()), ("proportional", solve_game(game, "proportional").allocation))}
    core = _core(game, x)
    core["least_core_epsilon"] = details.get("least_core_epsilon")
    if core["least_core_epsilon"] is None:
        core["least_core_epsilon"] = float(solve_game(game, "least-core").details["least_core_epsilon"])
    if sample_info:
        details["shapley_sampling"] = {
            "orders": samples,
            "seed": seed,
            "coalitions_read": sample_info["read"],
            "coalitions_solved_for_it": sample_info["new"],
            "ci95_half_width": dict(zip(ps.names, sample_info["half"].tolist())),
        }
    counts = {
        "players": n,
        "coalitions_priced": len(cache.values),
        "coalitions_solved": len(cache.values) - cache.loaded,
        "coalitions_resumed": cache.loaded,
        "coalitions_at_time_limit": sum(1 for v in cache.values.values() if v.status == "time_limit"),
        "coalitions_started": sum(1 for v in cache.values.values() if v.started),
        "mip_seconds": round(sum(v.seconds for v in cache.values.values()), 3),
        "separation_mips": separation.stats.solves if separation else 0,
        "separation_seconds": round(separation.stats.seconds, 3) if separation else 0.0,
        "separation_at_time_limit": separation.stats.at_limit if separation else 0,
        "separation_taken_early": separation.stats.taken_early if separation else 0,
        "separation_removals": separation.stats.removals if separation else 0,
        "separation_from_designs": separation.stats.from_designs if separation else 0,
        "separation_design_seconds": round(separation.stats.design_seconds, 3) if separation else 0.0,
    }
    warnings = _warnings(cache, ps, counts)
    today, per_city = _today(instance, ps, mip_gap, time_limit)
    stand = np.array([cache[1 << i].cost for i in range(n)])
    options = {"mip_gap": mip_gap, "time_limit": time_limit, "starts": starts, "samples": samples if sample_info else None, "seed": seed if sample_info else None}
    return ConsolidationResult(
        instance=instance.name, players=ps, rule=rule, method="enumeration" if enumerated else "row generation",
        allocation=np.asarray(x, dtype=float), stand_alone=stand, today=today, grand=cache[full].cost,
        details=details, core=core, cache=cache, counts=counts, seconds=time.perf_counter() - t0, options=options,
        game=game if enumerated else None, warnings=warnings, source=instance.source, city_today=per_city, cities=_city_rows(instance, ps),
    )


def _city_rows(instance: Instance, ps: Players) -> list[dict]:
    c = instance.cities
    player_of = ps.player_of_city()
    return [
        {"city_id": cid, "name": str(c.at[cid, "name"]), "name_zh": str(c.at[cid, "name_zh"]) if "name_zh" in c.columns else "",
         "lon": float(c.at[cid, "lon"]), "lat": float(c.at[cid, "lat"]), "player": player_of[cid]}
        for cid in player_of
    ]


def _today(instance: Instance, ps: Players, mip_gap: float | None, time_limit: float | None) -> tuple[np.ndarray | None, dict[str, float]]:
    """Each player's cost today (:mod:`.today`), None without a status quo."""
    if not instance.has_status_quo:
        return None, {}
    from ...freight.run import solve_plan

    base = solve_plan(instance, baseline=True, time_limit=time_limit, mip_gap=mip_gap, log_path=None)
    per_city = city_costs(base, base.model.data.penalty)
    return player_costs(per_city, ps), {str(c): float(a) for c, a in per_city.items()}


def _core(game: Game, allocation: np.ndarray) -> dict:
    """Core membership of a cost allocation and the coalition that objects most (largest excess)."""
    check = core_check(game, allocation)
    return {
        "in_core": check["in_core"],
        "max_excess": check["max_excess"],
        "most_objecting_coalition": check["most_violated_coalition"].split(",") if check["most_violated_coalition"] else None,
    }


def _warnings(cache: CoalitionCache, ps: Players, counts: dict) -> list[str]:
    out = []
    limited = [v for v in cache.values.values() if v.status == "time_limit"]
    for v in limited[:10]:
        names = ", ".join(ps.names[i] for i in members(v.mask, ps.n))
        gap = f"{100 * v.mip_gap:.3f} %" if v.mip_gap is not None else "unknown"
        out.append(f"coalition {{{names}}} stopped at its time limit: its cost is its best plan's, gap {gap}")
    if len(limited) > 10:
        out.append(f"... and {len(limited) - 10} more coalitions at their time limit")
    if counts["separation_at_time_limit"]:
        out.append(f"{counts['separation_at_time_limit']} separation MIP(s) stopped at the time limit: a coalition objecting more than reported may exist")
    return out


def problems_of_rule(rule: str) -> list[Problem]:
    """Problems with a rule name (for the batch engine's checks)."""
    return [] if rule in RULES else [Problem("rule", f"must be one of {', '.join(RULES)}, got {rule!r}")]
