r"""The LP that remains of a MIP when its integer columns are fixed: duals, reduced costs, ranging.

A MIP has no duals; the local economics of a solved plan are those of the LP in which every
integer column :math:`j \in I` is fixed at its value :math:`\hat x_j` in the plan. With :math:`C`
the continuous columns and row :math:`i` written :math:`\ell_i \le a_{iC} x_C + a_{iI} x_I \le u_i`,
:func:`solve_fixed` moves the fixed part to the bounds and solves

.. math::

    \min\ c_C^\top x_C + c_I^\top \hat x_I \quad\text{s.t.}\quad
    \ell_i - a_{iI} \hat x_I \le a_{iC} x_C \le u_i - a_{iI} \hat x_I \quad \forall i : a_{iC} \ne 0,
    \qquad l_C \le x_C \le u_C

with HiGHS's simplex. Rows over fixed columns only are constants and are left out (they have no
dual). Rows the caller marks as *links* (``links``: rows whose only job is to tie continuous
columns to a design decision, like :math:`x_{cr} \le q_{cd}\, y_r`) are left out too once the
decision is fixed: with :math:`\hat y_r = 1` the bound :math:`q_{cd}` is a big-M, not a capacity,
and as a row it would bind whenever a pair sends all its boxes one way and price the next box as
if it had nowhere to go. Where a link leaves no room (its bound becomes 0, its coefficients are
positive and its columns non-negative: :math:`\hat y_r = 0`) its columns are fixed at 0 instead.
For the same reason the caller may name columns whose upper bound the rows imply (``implied``:
a flow :math:`x_{cr} \le q_{cd}` when demand balance says so already); their upper bound is
dropped, so that it does not stand in for the row that matters. What comes back, all in the units of the reduced rows (right-hand sides with the fixed part
moved over, e.g. a hub's capacity :math:`U_h \hat w_h` rather than the 0 of
:math:`\sum x - U_h w_h \le 0`):

* ``row_dual`` :math:`y_i = \partial z / \partial b_i`: the change of the objective per unit
  increase of the row's active bound (HiGHS's sign: in a minimisation a binding ``<=`` row has
  :math:`y_i \le 0`);
* ``row_low``/``row_high``: the interval of that bound over which :math:`y_i` holds (HiGHS
  ``getRanging().row_bound_dn/up`` for a binding row; for a row with slack, from its activity
  to infinity on the side of its bound);
* ``col_reduced`` :math:`d_j = c_j - \sum_i a_{ij} y_i` for every column, fixed ones included: for
  a fixed column it is the change of the objective per unit increase of :math:`\hat x_j` through
  the rows kept (one more train on a service: its train cost less the value of the space it adds);
* ``cost_low``/``cost_high``: for a continuous column, the interval of :math:`c_j` over which the
  solution stays optimal (``col_cost_dn/up``); NaN for fixed columns.

All of it is local: it holds for small changes with the integer decisions as they are, and a
degenerate LP (common in flow problems) has several valid duals, of which HiGHS reports one.
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np

from .compile import INF, Compiled
from .highs import _STATUS_MAP


@dataclass
class FixedLp:
    """The solved LP of a MIP with its integer columns fixed (see the module docstring).

    Arrays are by column or row of ``compiled``; a row left out (fixed columns only) has NaN.
    """

    compiled: Compiled
    status: str
    objective: float | None
    x: np.ndarray  # column values (fixed columns at their fixed value)
    fixed: np.ndarray  # bool per column: an integer column fixed at its value
    kept: np.ndarray  # bool per row: a row of the LP (it has a continuous column and is no link)
    closed: np.ndarray  # bool per column: a continuous column fixed at 0 by a link with no room
    rhs: np.ndarray  # active bound of each reduced row (the upper side of a <= row, the lower of a >=)
    activity: np.ndarray  # a_iC x_C of each reduced row
    row_dual: np.ndarray
    row_low: np.ndarray
    row_high: np.ndarray
    col_reduced: np.ndarray
    cost_low: np.ndarray
    cost_high: np.ndarray

    @property
    def ok(self) -> bool:
        return self.status == "optimal"


def _ranged(values, n: int) -> np.ndarray:
    out = np.asarray(values, dtype=float)[:n].copy()
    big = np.abs(out) >= INF
    out[big] = np.copysign(np.inf, out[big])
    return out


def solve_fixed(
    comp: Compiled,
    x: np.ndarray,
    *,
    links: np.ndarray | None = None,
    implied: np.ndarray | None = None,
    threads: int | None = None,
    time_limit: float | None = None,
) -> FixedLp:
    """Fix the integer columns of ``comp`` at ``x`` (rounded), solve the LP that remains, read duals and ranging.

    ``links``: bool per row of ``comp``, the rows that only link continuous columns to integer ones
    (see the module docstring); None: no row is a link. ``implied``: bool per column, continuous
    columns whose upper bound the rows imply (it is dropped).
    """
    x = np.asarray(x, dtype=float).copy()
    fixed = comp.integer.copy()
    x[fixed] = np.clip(np.round(x[fixed]), comp.col_lower[fixed], comp.col_upper[fixed])
    free = np.flatnonzero(~fixed)
    A = comp.A.tocsr()
    shift = A[:, fixed] @ x[fixed] if fixed.any() else np.zeros(comp.m)
    Afr = A[:, free].tocsr()
    kept = np.diff(Afr.indptr) > 0
    all_lower = np.where(comp.row_lower <= -INF, -INF, comp.row_lower - shift)
    all_upper = np.where(comp.row_upper >= INF, INF, comp.row_upper - shift)
    col_upper = comp.col_upper.copy()
    if implied is not None:
        col_upper[np.asarray(implied, dtype=bool) & ~fixed] = INF
    closed = np.zeros(comp.n, dtype=bool)
    if links is not None:
        links = np.asarray(links, dtype=bool) & kept
        for i in np.flatnonzero(links):
            lo, hi = Afr.indptr[i], Afr.indptr[i + 1]
            cols, coef = free[Afr.indices[lo:hi]], Afr.data[lo:hi]
            if all_upper[i] <= 1e-9 and (coef > 0).all() and (comp.col_lower[cols] >= 0).all():
                col_upper[cols] = 0.0
                closed[cols] = True
        kept &= ~links
    rows = np.flatnonzero(kept)
    lower, upper = all_lower[rows], all_upper[rows]
    Ak = Afr[rows, :].tocsc()

    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = len(free), len(rows)
    lp.col_cost_ = comp.cost[free]
    lp.col_lower_, lp.col_upper_ = comp.col_lower[free], col_upper[free]
    lp.row_lower_, lp.row_upper_ = lower, upper
    lp.offset_ = comp.offset + float(comp.cost[fixed] @ x[fixed])
    lp.sense_ = highspy.ObjSense.kMaximize if comp.sense_max else highspy.ObjSense.kMinimize
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = Ak.indptr.astype(np.int32)
    lp.a_matrix_.index_ = Ak.indices.astype(np.int32)
    lp.a_matrix_.value_ = Ak.data.astype(float)

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("solver", "simplex")  # ranging needs a basis
    if threads is not None:
        h.setOptionValue("threads", int(threads))
    if time_limit is not None:
        h.setOptionValue("time_limit", float(time_limit))
    h.passModel(lp)
    h.run()
    status = _STATUS_MAP.get(h.getModelStatus(), "error")
    if not len(free):
        status = "optimal"

    nan_rows, nan_cols = np.full(comp.m, np.nan), np.full(comp.n, np.nan)
    out = FixedLp(
        compiled=comp, status=status, objective=None, x=x, fixed=fixed, kept=kept, closed=closed,
        rhs=nan_rows.copy(), activity=nan_rows.copy(), row_dual=nan_rows.copy(), row_low=nan_rows.copy(),
        row_high=nan_rows.copy(), col_reduced=nan_cols.copy(), cost_low=nan_cols.copy(), cost_high=nan_cols.copy(),
    )
    if status != "optimal":
        return out
    out.objective = float(h.getInfo().objective_function_value) if len(free) else float(lp.offset_)
    if not len(free):
        out.col_reduced = comp.cost.copy()
        return out
    sol = h.getSolution()
    x[free] = np.asarray(sol.col_value, dtype=float)
    y = np.asarray(sol.row_dual, dtype=float) if len(rows) else np.zeros(0)
    out.row_dual[rows] = y
    out.activity[rows] = np.asarray(sol.row_value, dtype=float)
    sense = np.array([s for _, s in comp.rows], dtype=int)[rows] if len(rows) else np.zeros(0, dtype=int)
    out.rhs[rows] = np.where(sense < 0, lower, upper)  # equality rows: lower == upper
    yk = np.zeros(comp.m)
    yk[rows] = y
    out.col_reduced = comp.cost - np.asarray(A.T @ yk).ravel()
    if len(rows):
        ok, rng = h.getRanging()
        if ok == highspy.HighsStatus.kOk:
            low, high = _ranged(rng.row_bound_dn.value_, len(rows)), _ranged(rng.row_bound_up.value_, len(rows))
            # a basic row (slack) keeps its zero dual while its bound stays beyond its activity;
            # HiGHS's row ranging of a basic row is about its activity, not its bound
            basic = np.array([st == highspy.HighsBasisStatus.kBasic for st in h.getBasis().row_status], dtype=bool)
            act = out.activity[rows]
            low = np.where(basic, np.where(sense < 0, -np.inf, act), low)
            high = np.where(basic, np.where(sense < 0, act, np.inf), high)
            out.row_low[rows], out.row_high[rows] = low, high
            out.cost_low[free] = _ranged(rng.col_cost_dn.value_, len(free))
            out.cost_high[free] = _ranged(rng.col_cost_up.value_, len(free))
    return out
