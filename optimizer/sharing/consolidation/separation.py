r"""Coalitions found by a MIP instead of enumerated: the separation problem of the cost game.

For cost shares :math:`y` (CNY per player) the LP rules need the coalitions with the largest
excess :math:`e(S, y) = y(S) - c(S)` (the amount by which S pays more than it would alone). With
a binary membership :math:`z_p` per player, the freight model serves the demand of p iff
:math:`z_p = 1`:

.. math::

    \sum_{r : (c,r) \in A} x_{cr} + u_{cd} = q_{cd}\, z_{p(c)} \quad \forall (c,d) \in P, \qquad
    \sum_{r : (c,r) \in A'} x'_{cr} + u'_{cd} = q'_{cd}\, z_{p(c)} \quad \forall (c,d) \in P'

(replacing :func:`~optimizer.freight.model.add_demand_balance`; every other row of the freight
model is unchanged: with :math:`z_p = 0` the demand of p is zero, so its routes carry nothing),
and

.. math::

    \max_{z, \text{plan}}\ \sum_p y_p z_p - \text{cost(plan)} \quad\text{s.t.}\quad
    1 \le \sum_p z_p \le |N| - 1, \qquad
    \sum_{p \in T} (1 - z_p) + \sum_{p \notin T} z_p \ge 1 \ \ \forall T \in X

is :math:`\max_S e(S, y)` over the proper coalitions not in :math:`X` (no-good rows), because for a
fixed :math:`z` the best plan costs :math:`c(S)`. It is solved as the minimisation of
cost − y·z, with ``mip_rel_gap`` 0 and an absolute gap ``abs_gap``, so its optimum is the
largest excess within ``abs_gap``.

Row generation needs less than the largest excess: a coalition whose excess is above the stage
level :math:`\varepsilon` (``above``), or the proof that there is none. So when the LPs give
that level, the objective is cut off at :math:`-\varepsilon` (HiGHS ``objective_bound``: nodes
that cannot beat it are pruned, and "infeasible" is that proof), and the MIP is stopped as soon
as its plan's excess :math:`e` is above the level by at least :data:`TAKE_SHARE` of what HiGHS's
bound :math:`\bar e` still allows,

.. math::

    e - \varepsilon \ \ge\ \tau\, (\bar e - \varepsilon),

a coalition at least that share as violated as the most violated one can be. Proving which one
is the most violated was most of the time of a separation MIP (landbridge by province: 1,126 s
of 1,370 s over 102 MIPs).

One MIP's plan proves more than its own coalition violated. Taking a member :math:`p` out of the
plan for :math:`S` (its flows and unserved boxes set to 0) leaves a plan for
:math:`S \setminus \{p\}` that costs the plan's cost less :math:`a_p`, the cost of p's columns:
trains, services and hubs stay as they are, so every other row holds. Hence
:math:`e(S \setminus \{p\}) \ge e - y_p + a_p`, and where that is above the level the
coalition is violated without a MIP of its own (:meth:`Separation.removals`). The coalitions
of a round differ by a member whose price the LP has set at its marginal cost: the ties of the
later nucleolus levels (landbridge by province: up to three MIPs in a row found coalitions one
member apart at the same excess).

Most rounds need no MIP at all. With the *design* of an earlier plan fixed (its binary columns
but :math:`z`: which hubs and services are open), the separation problem is a small MIP over
:math:`z`, the train counts and the flows, solved in hundredths of a second, and its optimum is
the coalition of largest excess among those that design can serve (under the same cutoff at the
level). Its plan serves that coalition, so its cost bounds :math:`c(S)` from above and its excess
bounds :math:`e(S, y)` from below: a coalition it finds above the level is violated. Before each
MIP the :data:`DESIGNS_TRIED` kept designs whose own coalition has the largest plan excess at
the new prices are tried (:meth:`Separation.from_designs`); the MIP runs only when none of them
yields a violated coalition, so the proof that none is left is still the MIP's. In the later
nucleolus stages the prices move a little from round to round and the violated coalitions are
near those found before: replayed on ten recorded rounds of the landbridge game by province, the
first design tried found a violated coalition in 0.01–0.05 s in each, where the MIP took
1.5–17 s.

:meth:`Separation.ranked` lists coalitions by decreasing excess (each next one excluded by a
no-good row, removed again when the list is closed); with a level it lists one round: the MIP's
coalition and the removals its plan proves above the level. The one model is compiled once and
held in an :class:`~optimizer.solve.LpSession` (only prices and rows change).

:class:`FreightOracle` is that list in the oracle protocol of :mod:`optimizer.sharing.oracles`
(profit form :math:`v = -c`, allocations :math:`x = -y`), so the nucleolus, least core, core check
and equal profit method of :mod:`optimizer.sharing.games` run on it unchanged. The excess it
reports for a coalition uses :math:`c(S)` from the coalition's own MIP (cached, started from the
separation's plan), so every number the LPs see is a coalition value reported in coalitions.csv.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field
from typing import Callable, Hashable, Iterator

import highspy
import numpy as np
import pyomo.environ as pyo

from ...freight.labels import freight_labels
from ...freight.model import build_model
from ...instance.data import Instance
from ...solve import HighsSolver, Labels, LpSession, StartPool
from ..coalitions import mask_of, members
from .players import Players
from .values import coalition_instance

log = logging.getLogger(__name__)


def _labels(base: Labels) -> Labels:
    """Freight labels where the freight model has them, (family, index) for the rows added here."""

    def wrap(label):
        def f(family: str, index) -> Hashable:
            try:
                return label(family, index)
            except KeyError:
                return (family, index)

        return f

    return Labels(column=wrap(base.column), row=wrap(base.row))


#: a separation MIP given a level stops at a plan at least this share as violated as its bound allows
TAKE_SHARE = 0.5
#: designs of earlier plans kept (newest), and how many of them are tried before a MIP
DESIGNS_KEPT = 32
DESIGNS_TRIED = 4


@dataclass
class SeparationStats:
    solves: int = 0
    seconds: float = 0.0
    at_limit: int = 0  # solves that stopped at their time limit (their answer is not proven)
    taken_early: int = 0  # solves stopped at a violated coalition (TAKE_SHARE) before proving it the most violated
    removals: int = 0  # coalitions listed from a plan without a MIP of their own (Separation.removals)
    from_designs: int = 0  # rounds answered with an earlier plan's design fixed, without a MIP (Separation.from_designs)
    design_seconds: float = 0.0  # time of those tries, answered or not


@dataclass
class _Design:
    """The binary columns (but z) of a plan, with the coalition it served and its cost."""

    mask: int
    cost: float  # the plan's cost (without the prices)
    values: np.ndarray  # by Separation._design_columns


@dataclass
class Separation:
    """The membership MIP of the module docstring for ``players`` on ``instance``."""

    instance: Instance
    players: Players
    abs_gap: float
    time_limit: float | None = None
    pool: StartPool | None = None  # receives each plan found (coalition MIPs start from it)
    stats: SeparationStats = field(default_factory=SeparationStats)

    def __post_init__(self) -> None:
        grand = coalition_instance(self.instance, self.players.cities_of((1 << self.players.n) - 1))
        self.fm = fm = build_model(grand)
        m = fm.model
        n = self.players.n
        m.member = pyo.Var(range(n), domain=pyo.Binary)
        self.z = [m.member[i] for i in range(n)]
        add_membership_demand(fm, self.players, self.z)
        m.proper = pyo.Constraint(expr=pyo.inequality(1, pyo.quicksum(self.z), n - 1))
        m.nogood = pyo.ConstraintList()
        solver = HighsSolver(mip_gap=0.0, time_limit=self.time_limit, options={"mip_abs_gap": float(self.abs_gap)})
        self.session = LpSession(m, solver, labels=_labels(freight_labels(fm)))
        self._excluded: dict[int, object] = {}
        self._above: float | None = None  # the level of the solve running, if any
        self._own = _own_columns(fm, self.players, self.session)
        comp = self.session.compiled
        design = comp.integer & (comp.col_lower >= 0) & (comp.col_upper <= 1)
        self._z_columns = self.session.column_indices(self.z)
        design[self._z_columns] = False
        self._design_columns = np.flatnonzero(design).astype(np.int32)
        self._designs: list[_Design] = []  # newest last
        self.session.highs.cbMipInterrupt.subscribe(self._take_early)

    def _take_early(self, event) -> None:
        """HiGHS callback: stop at a plan violated enough (:data:`TAKE_SHARE`, module docstring)."""
        above = self._above
        d = event.data_out
        found, most = -d.mip_primal_bound, -d.mip_dual_bound  # excess = -(cost - y.z): incumbent and bound
        # set every time: HiGHS keeps the flag of the previous run's last callback
        event.data_in.user_interrupt = bool(
            above is not None and math.isfinite(found) and math.isfinite(most)
            and found > above and found - above >= TAKE_SHARE * (most - above)
        )

    def exclude(self, mask: int):
        """Add the no-good row of ``mask``; returns the row (for :meth:`allow`)."""
        z = self.z
        row = self.fm.model.nogood.add(
            pyo.quicksum((1 - z[i]) if mask >> i & 1 else z[i] for i in range(len(z))) >= 1
        )
        self.session.add([row])
        return row

    def settle(self, mask: int) -> None:
        """Exclude ``mask`` for good (a coalition whose excess the LPs have settled)."""
        if mask not in self._excluded:
            self._excluded[mask] = self.exclude(mask)

    def forget_settled(self) -> None:
        """Drop the exclusions of :meth:`settle` (a new run of the LPs settles afresh)."""
        self.allow(self._excluded.values())
        self._excluded.clear()

    def allow(self, rows) -> None:
        self.session.remove(list(rows))

    def solve(self, prices: np.ndarray, above: float | None = None) -> tuple[int, float, float | None, list[tuple[float, int]]] | None:
        """The coalition of largest excess at ``prices`` (CNY per player) among those not excluded:
        (mask, excess of its plan, upper bound on every excess, its :meth:`removals`), or None if
        none is left. With ``above`` (CNY): a coalition whose excess is above it (module
        docstring; from an earlier plan's design when one yields it, without a bound), or None if
        none is."""
        prices = np.asarray(prices, dtype=float)
        self.session.set_costs(self.z, -prices)
        h = self.session.highs
        h.setOptionValue("objective_bound", highspy.kHighsInf if above is None else -float(above))
        t0 = time.perf_counter()
        if above is not None:
            found = self.from_designs(prices, above)
            if found is not None:
                return self._logged(found, above, f"an earlier plan's design, {time.perf_counter() - t0:.2f}s")
        self._above = above
        t0 = time.perf_counter()
        try:
            res = self.session.solve(load=False)
        finally:
            self._above = None
        seconds = time.perf_counter() - t0
        self.stats.solves += 1
        self.stats.seconds += seconds
        if h.getModelStatus() == highspy.HighsModelStatus.kInterrupt:
            self.stats.taken_early += 1
        elif res.status == "time_limit":
            self.stats.at_limit += 1
        if not res.has_solution:
            if res.status == "infeasible":
                return self._logged(None, above, f"MIP, {seconds:.1f}s")
            raise RuntimeError(f"the separation MIP ended {res.status} ({res.termination}) without a plan")
        if above is not None and res.status == "optimal" and -float(res.objective) <= above:
            # proven: nothing above the level (its plan, at or below it, would cost a coalition MIP for nothing)
            return self._logged(None, above, f"MIP, {seconds:.1f}s")
        plan = self._plan()
        mask = self._mask(plan)
        self._keep(mask, plan)
        bound = -res.best_bound if res.best_bound is not None else None
        excess = -float(res.objective)
        return self._logged((mask, excess, bound, self.removals(prices, mask, excess, above, plan)), above, f"MIP, {seconds:.1f}s")

    def _logged(self, found, above: float | None, how: str):
        """Log what a separation found, the run's progress (``how``: by what, in how long), and return it."""
        level = "" if above is None else f" above the level {above:,.0f}"
        if found is None:
            log.info(f"separation: no coalition{level or ' left'} ({how})")
        else:
            mask, excess, _, more = found
            names = ", ".join(self.players.names[i] for i in members(mask, self.players.n))
            extra = f"; {len(more)} more violated by its plan" if more else ""
            log.info(f"separation: {{{names}}} excess {excess:,.0f}{level} ({how}){extra}")
        return found

    def from_designs(self, prices: np.ndarray, above: float) -> tuple[int, float, None, list[tuple[float, int]]] | None:
        r"""A coalition whose excess at ``prices`` is above ``above``, found with the design of an
        earlier plan fixed (module docstring), as :meth:`solve` returns it (no bound), or None.

        The :data:`DESIGNS_TRIED` kept designs whose own coalition :math:`S_k` has the largest
        plan excess :math:`y(S_k) - \text{cost}_k` are tried, each as the separation problem with
        its binary columns fixed (the costs and the cutoff at the level already set by
        :meth:`solve`); the most violated coalition they yield is returned."""
        if not self._designs:
            return None
        t0 = time.perf_counter()
        ranked = sorted(self._designs, key=lambda d: self._price(prices, d.mask) - d.cost, reverse=True)[:DESIGNS_TRIED]
        cols = self._design_columns
        best: tuple[float, np.ndarray] | None = None
        try:
            for design in ranked:
                self.session.fix(cols, design.values)
                res = self.session.solve(load=False)
                excess = -float(res.objective) if res.has_solution else -math.inf
                if excess > above and (best is None or excess > best[0]):
                    best = (excess, self._plan())
        finally:
            self.session.unfix(cols)
            self.stats.design_seconds += time.perf_counter() - t0
        if best is None:
            return None
        self.stats.from_designs += 1
        excess, plan = best
        mask = self._mask(plan)
        if self.pool is not None:
            self.pool.add(self.session.compiled, plan)
        return mask, excess, None, self.removals(prices, mask, excess, above, plan)

    def _plan(self) -> np.ndarray:
        """The column values of HiGHS's last solution."""
        return np.array(self.session.highs.getSolution().col_value, dtype=float)

    def _mask(self, plan: np.ndarray) -> int:
        """The coalition a plan serves (its memberships z at 1)."""
        return mask_of(i for i, v in enumerate(plan[self._z_columns]) if v > 0.5)

    @staticmethod
    def _price(prices: np.ndarray, mask: int) -> float:
        return float(prices[members(mask, len(prices))].sum())

    def _keep(self, mask: int, plan: np.ndarray) -> None:
        """Keep the design of a MIP's plan (for :meth:`from_designs`) and give the plan to the start pool."""
        if self.pool is not None:
            self.pool.add(self.session.compiled, plan)
        values = np.round(plan[self._design_columns])
        self._designs = [d for d in self._designs if not np.array_equal(d.values, values)]
        self._designs.append(_Design(mask, float(self.session.compiled.cost @ plan), values))
        del self._designs[:-DESIGNS_KEPT]

    def removals(self, prices: np.ndarray, mask: int, excess: float, above: float | None, plan: np.ndarray) -> list[tuple[float, int]]:
        r"""The coalitions :math:`S \setminus \{p\}` that ``plan`` (column values), found for :math:`S`, proves to
        have an excess above ``above`` (none without a level), as (lower bound on the excess,
        mask), most violated first.

        Without the boxes of :math:`p` (its flows and unserved boxes set to 0) the plan still
        serves :math:`S \setminus \{p\}`: every other row only loses load. So
        :math:`c(S \setminus \{p\}) \le \text{cost} - a_p`, with :math:`a_p` the cost of the
        columns of :math:`p` in the plan, and

        .. math:: e(S \setminus \{p\}) \;\ge\; e_{plan}(S) - y_p + a_p .

        Such a coalition costs a coalition MIP and no separation MIP (excluded and already-priced
        coalitions are left to the caller's bookkeeping; the settled ones are skipped here)."""
        if above is None:
            return []
        cost = self.session.compiled.cost
        out = []
        for i in range(self.players.n):
            rest = mask & ~(1 << i)
            if rest == mask or not rest or rest in self._excluded:
                continue
            cols = self._own[i]
            lower = excess - float(prices[i]) + float(cost[cols] @ plan[cols])
            if lower > above:
                out.append((lower, rest))
        return sorted(out, reverse=True)

    def ranked(self, prices: np.ndarray, above: float | None = None) -> Iterator[tuple[float, int]]:
        """(excess of its plan, mask) by decreasing excess, each coalition returned excluded until
        the iterator is closed. With ``above``: one round, a coalition whose excess is above it
        and then the :meth:`removals` of its plan (their lower bounds as keys), or nothing."""
        added = []
        try:
            while True:
                found = self.solve(prices, above)
                if found is None:
                    return
                mask, excess, _, nearby = found
                added.append(self.exclude(mask))
                yield excess, mask
                if above is not None:  # one MIP per listing: its coalition, then the removals its plan proves above the level
                    for item in nearby:
                        self.stats.removals += 1
                        yield item
                    return
        finally:
            self.allow(added)


def _owners(players: Players, pairs) -> list[int]:
    """The player (index) whose city each pair of ``pairs`` leaves from."""
    index = {p: i for i, p in enumerate(players.names)}
    player_of = players.player_of_city()
    return [index[player_of[c]] for c in pairs["origin"].astype(str).tolist()]


def _own_columns(fm, players: Players, session: LpSession) -> list[np.ndarray]:
    """Per player, the session's columns of its boxes: the flows and unserved boxes of its pairs
    (west and return)."""
    d = fm.data
    own: list[list] = [[] for _ in players.names]
    for flows, xs, us, pairs in ((d.west, fm.x, fm.u, d.pairs), (d.east, fm.xr, fm.ur, d.rpairs)):
        owner = _owners(players, pairs)
        for k, pr in enumerate(flows["pair"].tolist()):
            own[owner[pr]].append(xs[k])
        for pr, u in enumerate(us):
            own[owner[pr]].append(u)
    return [session.column_indices(vs) for vs in own]


def add_membership_demand(fm, players: Players, z: list) -> None:
    r"""Demand served iff its player is a member (the first rows of the module docstring).

    .. math::

        \sum_{r : (c,r) \in A} x_{cr} + u_{cd} - q_{cd}\, z_{p(c)} = 0 \quad \forall (c,d) \in P
        \qquad (\text{and } P' \text{ alike})

    Replaces the ``demand`` rows of the freight model (deactivated); a pair without routes,
    whose :math:`u` was fixed to :math:`q` by its bounds, gets the row :math:`u = q z_{p(c)}`.
    """
    m, d = fm.model, fm.data
    for name, flows, xs, us, pairs in (("demand", d.west, fm.x, fm.u, d.pairs), ("demand_east", d.east, fm.xr, fm.ur, d.rpairs)):
        if hasattr(m, name):
            getattr(m, name).deactivate()
        by_pair: dict[int, list] = {}
        for i, pr in enumerate(flows["pair"].tolist()):
            by_pair.setdefault(pr, []).append(xs[i])
        q, owner = pairs["q"].tolist(), _owners(players, pairs)
        rows = []
        for pr in range(len(pairs)):
            us[pr].setlb(0.0)
            rows.append(pyo.quicksum(by_pair.get(pr, [])) + us[pr] - q[pr] * z[owner[pr]] == 0)
        m.add_component(f"member_{name}", pyo.Constraint(range(len(rows)), rule=lambda _m, k, rows=rows: rows[k]))


class FreightOracle:
    """The consolidation cost game in the oracle protocol of :mod:`optimizer.sharing.oracles`
    (profit form, values times ``factor``): values from ``cost`` (c(S) by mask, cached by the
    caller), coalitions by decreasing excess from a :class:`Separation`. ``prefetch(masks)``, if
    given, prices the coalitions of a round together (on the batch executor: in parallel)."""

    def __init__(
        self, n: int, cost: Callable[[int], float], separation: Separation, factor: float = 1.0,
        prefetch: Callable[[list[int]], object] | None = None,
    ) -> None:
        self.n, self.cost, self.separation, self.factor, self.prefetch = n, cost, separation, factor, prefetch
        #: coalitions read per round of row generation: a listing with a level is one separation
        #: MIP's coalition and the removals its plan proves violated (at most n in all)
        self.batch = n

    def scaled(self, factor: float) -> "FreightOracle":
        return FreightOracle(self.n, self.cost, self.separation, self.factor * factor, self.prefetch)

    def settled(self, mask: int) -> None:
        """The LPs settled ``mask``: it is never listed again."""
        self.separation.settle(mask)

    def forget_settled(self) -> None:
        self.separation.forget_settled()

    def value(self, mask: int) -> float:
        return -self.factor * self.cost(mask) if mask else 0.0

    def stand_alone(self) -> np.ndarray:
        return np.array([self.value(1 << i) for i in range(self.n)])

    @property
    def scale(self) -> float:
        full = (1 << self.n) - 1
        return self.factor * max([self.cost(full)] + [self.cost(1 << i) for i in range(self.n)])

    def ranked(self, x: np.ndarray, above: float | None = None) -> Iterator[tuple[float, int]]:
        """(v(S) - x(S), S) by decreasing excess; x is a profit-form allocation (times factor). With
        ``above`` (same units): one round of the separation (its coalition and the removals of
        its plan), priced together by ``prefetch``."""
        x = np.asarray(x, dtype=float)
        prices = -x / self.factor
        listing = self.separation.ranked(prices, None if above is None else above / self.factor)
        if above is not None and self.prefetch is not None:
            found = list(listing)  # a round: one MIP
            self.prefetch([mask for _, mask in found])
            listing = iter(found)
        for _, mask in listing:
            yield self.value(mask) - float(sum(x[i] for i in range(self.n) if mask >> i & 1)), mask
