"""Nucleolus, prenucleolus and least core of a TU game: a sequence of LPs solved by HiGHS.

Convention (one place): the game is given in profit form ``v`` (a cost game ``c`` is passed as
``v = -c``), and the excess of coalition S at allocation x is the complaint

    e(S, x) = v(S) - x(S)        (for a cost game this equals x(S) - c(S)).

The prenucleolus lexicographically minimises the excesses sorted from largest to smallest over
the preimputations {x : x(N) = v(N)}; the nucleolus does the same over the imputations, which
also satisfy individual rationality x_i >= v({i}) (``lower``). The least core is the set of
preimputations whose largest excess is the smallest possible, eps_1.

The sequential LPs (Maschler, Peleg and Shapley 1979)
------------------------------------------------------
Stage k, with the coalitions F fixed at their levels eps(S) by earlier stages and the free
coalitions C (neither fixed nor in the span of the fixed ones)::

    minimise   eps
    subject to x(N) = v(N)
               x(S) = v(S) - eps(S)        S in F
               x(S) + eps >= v(S)          S in C         (e(S, x) <= eps)
               x_i >= v({i})               (nucleolus only, as column bounds)

Its optimum eps_k is the k-th excess level. Only coalitions that are tight in EVERY optimal
solution may be fixed at eps_k; fixing one that is tight in the solution HiGHS happened to return
gives wrong answers (Guajardo and Joernsten 2015, "Common mistakes in computing the nucleolus").
We fix the free coalitions whose row dual is strictly positive: by complementary slackness such
a row is tight in every optimal solution. A coalition that is tight in every optimum but has a
zero dual (a degenerate LP) is left free; this is harmless and still exact: the next stage is
then forced to eps_{k+1} = eps_k, and because the duals of the free rows sum to one, some free row
has a positive dual there and is fixed. The next stage is thus itself the check LP for every
zero-dual candidate at once -- if its optimum drops below eps_k none of them was tight in every
optimum. Consecutive stages with the same level are merged into one level in the output.

After fixing, every coalition whose characteristic vector lies in the span of the fixed ones and
1_N has a constant excess on the remaining optimal set and is dropped ("settled"). The span is
kept exactly, in integer arithmetic; a coalition is settled when the integer basis vectors of
the orthogonal complement all sum to zero over it. On the oracle path this is tested one
coalition at a time; for a table of all 2^n values the settled coalitions are listed at once
from the echelon form (:meth:`_Span.settled`, 2^rank sums per free column, not 2^n). Known
limit of the oracle path: settled coalitions whose excess is above the stage level are read and
skipped one by one; after many fixed singletons
there can be exponentially many (2^k for k fixed), and the search gives up after MAX_SCANNED. The
process ends when the span is R^n: the fixed equalities then determine x uniquely.

Coalitions generated on demand
------------------------------
The stage LPs hold only the rows of an active set of coalitions: the singletons and their
complements (they keep every stage LP bounded), the coalitions of largest excess at an equal
split of the surplus, and, for small games, all coalitions. After each solve the most violated
coalitions are searched for, in one of two exact ways:

* a game given by all 2^n values (an array ``v``): the excesses of all coalitions at x are
  computed in numpy;
* a game given by a separation oracle (:mod:`.oracles`, for generated games too large to
  enumerate; the freight MIP of :mod:`.consolidation.separation`): the oracle lists the coalitions
  by decreasing excess and the list is read until the excess is at most eps, skipping the settled
  coalitions and those already in the LP. An oracle with a ``settled(mask)`` method is told of
  each coalition a stage fixes or drops as settled, and of each settled coalition it lists (a
  settled coalition stays settled), so that one whose coalitions each cost a MIP need not list
  it again: a fixed coalition's excess stays at its level, above every later stage's, so
  without that it would be listed once more at the next stage, at the price of a separation
  MIP; its ``forget_settled()`` is called when the run ends.

While some unsettled coalition has e(S, x) > eps, the most violated ones are added and the LP is
solved again. The restricted LP is a relaxation of the full stage LP, so when no coalition is
violated x and eps are optimal for the full LP, and a row dual of the restricted LP extended by
zeros is an optimal dual of the full LP: the positive-dual test stays exact.

All stages are one LP in one HiGHS instance (:class:`~optimizer.solve.LpSession`): generated and
fixed rows are appended, dropped rows deleted, and each solve starts from the previous basis.
Besides saving the recompilation, this keeps x near the previous point, which matters for the
generation: on benchmarks/games.py's synergy game n = 20, seed 3, LPs rebuilt from scratch kept
returning points of the same restricted optimum that violated new coalitions (more than 300
rounds at one eps and 12,000 rows, unfinished after a minute); re-solved from the basis the
whole nucleolus took 21 LPs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pyomo.environ as pyo

from ..errors import TooLargeError
from ..solve import HighsSolver, LpSession
from .coalitions import indicator, members, subset_sums

#: relative tolerance on excesses (values are scaled so that max |v| = 1 before solving)
EXCESS_TOL = 1e-7
#: a row dual above this is strictly positive (the duals of the free rows sum to 1)
DUAL_TOL = 1e-8
#: games with at most this many players start with every coalition in the LP
ENUMERATE_UP_TO = 8
#: the oracle path gives up (TooLargeError, exit 2) after reading this many coalitions in one stage
MAX_SCANNED = 200_000
#: HiGHS tolerances tighter than its defaults (1e-7), so that EXCESS_TOL separates ties from gaps
_HIGHS_OPTIONS = {"primal_feasibility_tolerance": 1e-9, "dual_feasibility_tolerance": 1e-9}


@dataclass
class Level:
    """One excess level: the value ``epsilon`` and the coalitions (masks) fixed at it."""

    epsilon: float
    masks: list[int]


@dataclass
class SequentialResult:
    """What the sequential LPs produced (in the units of the ``v`` that was passed)."""

    x: np.ndarray
    levels: list[Level]
    lp_solves: int = 0
    rows: int = 0
    complete: bool = True  # False when stopped after the first level (least core)
    settled_first: np.ndarray | None = field(default=None, repr=False)


class _Span:
    """The exact linear span of characteristic vectors, in reduced row echelon form over Q.

    Rows are kept as primitive integer vectors (the entries of a row have no common divisor): row
    k is d_k > 0 at its pivot p_k and 0 at every other pivot, so dividing it by d_k gives the
    reduced row over Q. Python integers make every step exact without rational arithmetic.
    """

    def __init__(self, n: int) -> None:
        self.n = n
        self.rows: list[list[int]] = []
        self.pivots: list[int] = []
        self.masks: list[int] = []
        self._basis: list[np.ndarray] | None = None
        self._matrix: np.ndarray | None = None

    @property
    def rank(self) -> int:
        return len(self.rows)

    def add(self, mask: int) -> bool:
        """Add 1_S; False (and no change) when it is already in the span."""
        vec = [(mask >> i) & 1 for i in range(self.n)]
        for row, p in zip(self.rows, self.pivots):
            f = vec[p]
            if f:
                vec = _primitive([row[p] * a - f * b for a, b in zip(vec, row)])
        p = next((j for j, a in enumerate(vec) if a), None)
        if p is None:
            return False
        if vec[p] < 0:
            vec = [-a for a in vec]
        for k, row in enumerate(self.rows):
            f = row[p]
            if f:
                self.rows[k] = _primitive([vec[p] * a - f * b for a, b in zip(row, vec)])
        self.rows.append(vec)
        self.pivots.append(p)
        self.masks.append(mask)
        self._basis = self._matrix = None
        return True

    def complement_basis(self) -> list[np.ndarray]:
        """Integer vectors spanning the orthogonal complement of the span."""
        if self._basis is None:
            self._basis = self._complement_basis()
        return self._basis

    def contains(self, mask: int) -> bool:
        """Is 1_S in the span? (Every complement basis vector sums to zero over S.)"""
        if self._matrix is None:
            basis = self.complement_basis()
            self._matrix = np.stack(basis) if basis else np.zeros((0, self.n), dtype=np.int64)
        return not np.any(self._matrix[:, members(mask, self.n)].sum(axis=1))

    def _complement_basis(self) -> list[np.ndarray]:
        """For each free column f: z = e_f - sum_k (row_k[f] / d_k) e_{p_k}, made primitive integer
        (every row is orthogonal to it: row_k . z = row_k[f] - d_k row_k[f] / d_k = 0)."""
        basis = []
        pivot_set = set(self.pivots)
        scale = math.lcm(*(row[p] for row, p in zip(self.rows, self.pivots)))
        for f in range(self.n):
            if f in pivot_set:
                continue
            z = [0] * self.n
            z[f] = scale
            for row, p in zip(self.rows, self.pivots):
                z[p] = -row[f] * (scale // row[p])
            z = _primitive(z)
            if max(abs(a) for a in z) * self.n >= 2**62:
                raise OverflowError("complement basis too large for int64 coalition sums")
            basis.append(np.array(z, dtype=np.int64))
        return basis

    def settled(self) -> np.ndarray:
        """Boolean over all masks: is 1_S in the span? (The empty coalition always is.)

        Row k of the echelon form is the only one non-zero at its pivot p_k, so 1_S = sum_k c_k r_k
        forces c_k = [p_k in S]: the 0/1 vectors of the span are the sums of the rows of a set T
        that are 0/1 in every free column f. With q_f the complement basis vector of f (q_f[f] > 0
        and q_f . r_k = 0, so the row sum at f is -sum_{k in T} q_f[p_k] / q_f[f]), T gives a
        coalition iff each t_f = sum_{k in T} q_f[p_k] is 0 (f not in S) or -q_f[f] (f in S). All
        2^rank sets T are summed at once, in integers.
        """
        pivots = np.array(self.pivots, dtype=np.int64)
        masks = subset_sums(np.left_shift(1, pivots))
        valid = np.ones(len(masks), dtype=bool)
        free = [f for f in range(self.n) if f not in set(self.pivots)]
        for f, q in zip(free, self.complement_basis()):
            t = subset_sums(q[pivots])
            member = t == -q[f]
            valid &= member | (t == 0)
            masks |= member.astype(np.int64) << f
        out = np.zeros(1 << self.n, dtype=bool)
        out[masks[valid]] = True
        return out


def _primitive(vec: list[int]) -> list[int]:
    """``vec`` divided by the greatest common divisor of its entries (unchanged when all are 0)."""
    g = math.gcd(*vec)
    return vec if g <= 1 else [a // g for a in vec]


class _StageLP:
    """The Pyomo model of a stage LP; rows are added, fixed and dropped as stages go on, in one
    :class:`~optimizer.solve.LpSession` (HiGHS re-solves from the previous basis)."""

    def __init__(self, game, n: int, lower: np.ndarray | None) -> None:
        self.game = game
        self.n = n
        m = pyo.ConcreteModel(name="nucleolus_stage")
        m.P = pyo.RangeSet(0, n - 1)
        if lower is None:
            m.x = pyo.Var(m.P, domain=pyo.Reals)
        else:
            m.x = pyo.Var(m.P, domain=pyo.Reals, bounds=lambda _m, i: (float(lower[i]), None))
        m.eps = pyo.Var(domain=pyo.Reals)
        m.objective = pyo.Objective(expr=m.eps, sense=pyo.minimize)
        self.add_efficiency(m, game.value((1 << n) - 1))
        m.free = pyo.ConstraintList()
        m.fixed = pyo.ConstraintList()
        self.m = m
        self.free: dict[int, object] = {}
        self.session = LpSession(m, HighsSolver(options=_HIGHS_OPTIONS))
        self.solves = 0
        self.rows_added = 0

    def _x_of(self, mask: int):
        return pyo.quicksum(self.m.x[i] for i in range(self.n) if (mask >> i) & 1)

    @staticmethod
    def add_efficiency(m, grand: float) -> None:
        r"""Efficiency: the allocation shares exactly the grand coalition's value.

        .. math:: \sum_{i \in N} x_i = v(N)
        """
        m.efficiency = pyo.Constraint(expr=pyo.quicksum(m.x[i] for i in m.P) == grand)

    def add_free(self, masks) -> None:
        r"""Free coalitions: their excess is at most the stage variable.

        .. math:: x(S) + \varepsilon \ge v(S) \qquad S \in C
        """
        game_value = self.game.value
        new = []
        for s in masks:
            s = int(s)
            if s not in self.free:
                self.free[s] = con = self.m.free.add(self._x_of(s) + self.m.eps >= game_value(s))
                new.append(con)
        self.session.add(new)
        self.rows_added += len(new)

    def fix(self, mask: int, level: float) -> None:
        r"""A coalition tight in every optimum of a stage keeps its excess from then on.

        .. math:: x(S) = v(S) - \varepsilon_k \qquad S \in F_k
        """
        self.drop([mask])
        self.session.add([self.m.fixed.add(self._x_of(mask) == self.game.value(mask) - level)])

    def drop(self, masks) -> None:
        self.session.remove([self.free.pop(s) for s in masks if s in self.free])

    def solve(self) -> tuple[float, np.ndarray, dict[int, float]]:
        res = self.session.solve()
        self.solves += 1
        if res.status != "optimal":
            raise RuntimeError(f"nucleolus stage LP ended {res.status} ({res.termination})")
        x = np.array([pyo.value(self.m.x[i]) for i in range(self.n)])
        duals = {s: res.dual(con) or 0.0 for s, con in self.free.items()}
        return float(pyo.value(self.m.eps)), x, duals


class _Table:
    """A game given by all 2^n values: the excesses are searched in numpy."""

    def __init__(self, v: np.ndarray) -> None:
        self.v = np.asarray(v, dtype=float)
        self.n = len(self.v).bit_length() - 1
        if len(self.v) != 1 << self.n or self.n < 1:
            raise ValueError("v must have length 2**n with n >= 1")
        self._settled: tuple[int, np.ndarray] | None = None

    def value(self, mask: int) -> float:
        return float(self.v[mask])

    def tell_settled(self, masks: list[int]) -> None:
        """Nothing to tell: the settled coalitions of a table come from the span (:meth:`settled`)."""

    def settled(self, span: _Span) -> np.ndarray:
        """Boolean over all masks, recomputed only when the span has grown."""
        if self._settled is None or self._settled[0] != span.rank:
            self._settled = (span.rank, span.settled())
        return self._settled[1]

    def initial_rows(self, lower: np.ndarray | None, batch: int) -> list[int]:
        """Singletons and their complements, plus the coalitions with the largest excess at a
        starting point (equal split of the surplus over the stand-alone values); all of them for
        small games."""
        n, v = self.n, self.v
        full = (1 << n) - 1
        if n <= ENUMERATE_UP_TO:
            return list(range(1, full))
        singles = np.array([1 << i for i in range(n)])
        base = v[singles] if lower is None else lower
        x0 = base + (v[full] - base.sum()) / n
        e = v - subset_sums(x0)
        e[0] = e[full] = -np.inf
        top = np.argpartition(-e, batch)[:batch]
        return np.unique(np.concatenate([singles, full ^ singles, top])).tolist()

    def in_span(self, masks: list[int], span: _Span) -> list[int]:
        """The coalitions among ``masks`` that are settled."""
        settled = self.settled(span)
        return [s for s in masks if settled[s]]

    def violated(self, x: np.ndarray, eps: float, span: _Span, free, batch: int) -> list[int]:
        """Up to ``batch`` unsettled coalitions not in ``free`` with e(S, x) > eps, most violated first."""
        e = subset_sums(x)
        np.subtract(self.v, e, out=e)
        viol = np.flatnonzero(e > eps + EXCESS_TOL)
        viol = viol[~self.settled(span)[viol]]
        if free:
            viol = viol[~np.isin(viol, np.fromiter(free, dtype=np.int64, count=len(free)))]
        if viol.size > batch:
            viol = viol[np.argpartition(-e[viol], batch)[:batch]]
        return viol.tolist()


class _Oracle:
    """A game given by a separation oracle that lists coalitions by decreasing excess."""

    def __init__(self, oracle) -> None:
        self.oracle = oracle
        self.n = oracle.n

    def value(self, mask: int) -> float:
        return self.oracle.value(mask)

    def tell_settled(self, masks: list[int]) -> None:
        """Tell an oracle that keeps track (``settled(mask)``) that ``masks`` are settled."""
        if hasattr(self.oracle, "settled"):
            for s in masks:
                self.oracle.settled(s)

    def in_span(self, masks: list[int], span: _Span) -> list[int]:
        """The coalitions among ``masks`` that are settled."""
        return [s for s in masks if span.contains(s)]

    def initial_rows(self, lower: np.ndarray | None, batch: int) -> list[int]:
        """Singletons and their complements."""
        full = (1 << self.n) - 1
        singles = [1 << i for i in range(self.n)]
        return sorted({s for s in singles + [full ^ s for s in singles] if 0 < s < full})

    def violated(self, x: np.ndarray, eps: float, span: _Span, free, batch: int) -> list[int]:
        """Read the oracle's list down to excess eps: up to ``batch`` coalitions that are proper,
        unsettled and not in ``free``, most violated first (or, from an oracle that uses ``above``, any
        violated ones). Exact: when it returns nothing, no
        such coalition has an excess above eps (within EXCESS_TOL).

        An oracle given a level may end its list after a round (:mod:`.oracles`). If everything
        that round listed was settled, the oracle, told so, is asked again: ending there would
        take the list for empty while a violated coalition may remain."""
        full = (1 << self.n) - 1
        out: list[int] = []
        scanned = 0
        told = hasattr(self.oracle, "settled")
        while True:
            skipped = False
            for key, s in self.oracle.ranked(x, above=eps + EXCESS_TOL):
                if key <= eps + EXCESS_TOL:
                    return out
                if scanned >= MAX_SCANNED:
                    raise TooLargeError(
                        f"the {self.n}-player game is too large for an exact nucleolus here: the search for "
                        f"violated coalitions read more than {MAX_SCANNED:,} coalitions in one stage. "
                        "Use fewer players, or the shapley or proportional rule."
                    )
                scanned += 1
                if s == 0 or s == full or s in free:
                    continue
                if span.contains(s):
                    if told:  # it stays settled: the oracle need not list it again
                        self.oracle.settled(s)
                        skipped = True
                    continue
                out.append(s)
                if len(out) >= batch:
                    return out
            if out or not skipped:
                return out


def sequential_lp(
    v: np.ndarray,
    *,
    lower: np.ndarray | None = None,
    first_level_only: bool = False,
    batch: int | None = None,
) -> SequentialResult:
    """Run the sequential LPs on the profit-form game ``v`` (length 2^n, ``v[0] = 0``).

    ``lower``: individual-rationality bounds (the nucleolus); None for the prenucleolus.
    ``first_level_only``: stop once the first level is complete (the least core); ``x`` is then
    a point of the least core in which every coalition tight throughout the least core is tight.
    ``batch``: how many violated coalitions are added per round (default max(2n, 20)).
    The caller scales ``v`` so that its largest magnitude is about 1 (tolerances are absolute).
    """
    game = _Oracle(v) if hasattr(v, "ranked") else _Table(v)
    try:
        return _stages(game, lower, first_level_only, batch or max(2 * game.n, 20))
    finally:
        forget = getattr(getattr(game, "oracle", None), "forget_settled", None)
        if forget is not None:  # what this run settled says nothing about the next LP on the oracle
            forget()


def _stages(game, lower: np.ndarray | None, first_level_only: bool, batch: int) -> SequentialResult:
    """The sequential LPs of :func:`sequential_lp` on a :class:`_Table` or :class:`_Oracle`."""
    n = game.n
    full = (1 << n) - 1
    span = _Span(n)
    span.add(full)
    lp = _StageLP(game, n, lower)
    lp.add_free(m for m in game.initial_rows(lower, min(batch, full - 1)) if not span.contains(m))
    levels: list[Level] = []
    fixed_at: dict[int, float] = {}  # each fixed coalition's excess: its stage's eps (within EXCESS_TOL of its level's)
    settled_first = None
    while span.rank < n:
        eps, x, duals = _solve_with_generation(lp, game, span, batch)
        if levels and eps > levels[-1].epsilon - EXCESS_TOL:
            level = levels[-1]
        elif first_level_only and levels:
            return SequentialResult(x, levels, lp.solves, lp.rows_added, False, settled_first)
        else:
            level = Level(eps, [])
            levels.append(level)
        fix = _tight_in_every_optimum(duals, game, x, eps)
        for s in fix:
            level.masks.append(s)
            if span.add(s):
                # at this stage's own eps, where x has it: a merged level's first eps may differ by
                # up to the tolerance, and equalities off by that much can make the next LP infeasible
                fixed_at[s] = eps
                lp.fix(s, eps)
            else:
                lp.drop([s])
        dropped = game.in_span(list(lp.free), span)
        lp.drop(dropped)
        game.tell_settled(fix + dropped)
        if len(levels) == 1 and isinstance(game, _Table):
            settled_first = game.settled(span)
    x = _solve_fixed(span, game, fixed_at)
    return SequentialResult(x, levels, lp.solves, lp.rows_added, True, settled_first)


def _solve_with_generation(lp: _StageLP, game, span: _Span, batch: int):
    """Solve the stage LP, adding the most violated coalitions until none is violated."""
    while True:
        eps, x, duals = lp.solve()
        viol = game.violated(x, eps, span, lp.free, batch)
        if not viol:
            return eps, x, duals
        lp.add_free(viol)


def _tight_in_every_optimum(duals: dict[int, float], game, x: np.ndarray, eps: float) -> list[int]:
    """Free coalitions with a strictly positive dual (tight in every optimal solution)."""
    n = len(x)

    def tight(s: int) -> bool:
        return abs(game.value(s) - indicator(s, n) @ x - eps) <= EXCESS_TOL

    fix = [s for s, y in duals.items() if y > DUAL_TOL and tight(s)]
    if not fix:
        best = max(duals, key=duals.get)
        if duals[best] <= 0 or not tight(best):
            raise RuntimeError("no free coalition has a positive dual; the stage LP is inconsistent")
        fix = [best]
    return sorted(fix)


def _solve_fixed(span: _Span, game, fixed_at: dict[int, float]) -> np.ndarray:
    """The unique x with x(N) = v(N) and e(S, x) = eps(S) for the independent fixed coalitions."""
    n = span.n
    full = (1 << n) - 1
    A = np.array([indicator(s, n) for s in span.masks])
    b = np.array([game.value(s) - (0.0 if s == full else fixed_at[s]) for s in span.masks])
    return np.linalg.solve(A, b)
