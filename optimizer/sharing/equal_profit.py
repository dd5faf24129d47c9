r"""The equal profit method (Frisk, Göthe-Lundgren, Jörnsten and Rönnqvist 2010): stable shares
whose relative gains are as equal as possible.

In the game's profit form (values :math:`v`, stand-alone values :math:`w_i = v(\{i\})`; for a cost
game :math:`v = -c`, so :math:`x_i / w_i = y_i / c(\{i\})` is the share of its stand-alone cost a
player pays and :math:`1 - y_i / c(\{i\})` its relative saving):

.. math::

    \min\ f = t^{hi} - t^{lo} \quad \text{s.t.}\quad
    t^{lo} \le x_i / w_i \le t^{hi}\ \ \forall i, \qquad
    x(N) = v(N), \qquad
    x(S) \ge v(S) - \varepsilon\ \ \forall S \subset N

:math:`f` is the largest difference between two players' relative gains (Frisk et al. write it
with one row per ordered pair of players; the two bounds :math:`t^{lo}, t^{hi}` give the same
optimum with 2n rows). :math:`\varepsilon = 0` keeps the allocation in the core; when the core is
empty, :math:`\varepsilon = \varepsilon_1 > 0`, the least-core value, keeps it in the least core.
The method needs every :math:`w_i \ne 0` with one sign (a cost game with positive stand-alone
costs, or a profit game with positive stand-alone values).

The coalition rows are generated: the LP starts with the singletons and their complements,
and the coalitions with the largest excess :math:`v(S) - x(S) > \varepsilon` at its optimum are
added until none is left (from all 2^n values, or from the game's separation oracle, exactly like
the nucleolus stages of :mod:`.nucleolus`). One :class:`~optimizer.solve.LpSession` holds the LP.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo

from ..solve import HighsSolver, LpSession
from .coalitions import subset_sums
from .nucleolus import EXCESS_TOL


@dataclass
class EqualProfitResult:
    x: np.ndarray  # profit form, scaled like the input
    spread: float  # t_hi - t_lo
    ratios: np.ndarray  # x_i / w_i
    lp_solves: int
    rows: int


def _violated_table(v: np.ndarray, x: np.ndarray, eps: float, have: set[int], batch: int) -> list[int]:
    e = v - subset_sums(x)
    full = len(v) - 1
    e[0] = e[full] = -np.inf
    viol = np.flatnonzero(e > eps + EXCESS_TOL)
    viol = [int(s) for s in viol[np.argsort(-e[viol], kind="stable")] if int(s) not in have]
    return viol[:batch]


def _violated_oracle(oracle, x: np.ndarray, eps: float, have: set[int], batch: int) -> list[int]:
    full = (1 << oracle.n) - 1
    out: list[int] = []
    for key, s in oracle.ranked(x, above=eps + EXCESS_TOL):
        if key <= eps + EXCESS_TOL or len(out) >= batch:
            break
        if 0 < s < full and s not in have:
            out.append(s)
    return out


def equal_profit_lp(v, w: np.ndarray, eps: float, *, batch: int | None = None) -> EqualProfitResult:
    """Solve the LP of the module docstring on the scaled profit form ``v`` (a table of 2^n values
    or an oracle with ``n``, ``value`` and ``ranked``), stand-alone values ``w`` and level ``eps``."""
    oracle = None if isinstance(v, np.ndarray) else v
    n = oracle.n if oracle is not None else len(v).bit_length() - 1
    full = (1 << n) - 1
    value = oracle.value if oracle is not None else (lambda s: float(v[s]))
    batch = batch or getattr(oracle, "batch", None) or max(2 * n, 20)
    m = pyo.ConcreteModel(name="equal_profit")
    m.P = pyo.RangeSet(0, n - 1)
    m.x = pyo.Var(m.P, domain=pyo.Reals)
    m.hi = pyo.Var(domain=pyo.Reals)
    m.lo = pyo.Var(domain=pyo.Reals)
    m.spread = pyo.Objective(expr=m.hi - m.lo, sense=pyo.minimize)
    m.efficiency = pyo.Constraint(expr=pyo.quicksum(m.x[i] for i in m.P) == value(full))
    m.upper = pyo.Constraint(m.P, rule=lambda _m, i: m.x[i] * (1.0 / w[i]) <= m.hi)
    m.lower = pyo.Constraint(m.P, rule=lambda _m, i: m.x[i] * (1.0 / w[i]) >= m.lo)
    m.stable = pyo.ConstraintList()
    session = LpSession(m, HighsSolver(options={"primal_feasibility_tolerance": 1e-9, "dual_feasibility_tolerance": 1e-9}))
    have: set[int] = set()

    def add(masks) -> None:
        new = []
        for s in masks:
            if s in have or not 0 < s < full:
                continue
            have.add(s)
            new.append(m.stable.add(pyo.quicksum(m.x[i] for i in range(n) if s >> i & 1) >= value(s) - eps))
        session.add(new)

    singles = [1 << i for i in range(n)]
    add(singles + [full ^ s for s in singles])
    solves = 0
    while True:
        res = session.solve()
        solves += 1
        if res.status != "optimal":
            raise RuntimeError(f"equal-profit LP ended {res.status} ({res.termination})")
        x = np.array([pyo.value(m.x[i]) for i in range(n)])
        found = _violated_oracle(oracle, x, eps, have, batch) if oracle is not None else _violated_table(v, x, eps, have, batch)
        if not found:
            break
        add(found)
    spread = max(0.0, float(pyo.value(m.hi) - pyo.value(m.lo)))  # never below 0 but for solver noise
    return EqualProfitResult(x, spread, x / w, solves, len(have))
