r"""Models that grow by rows: one Pyomo LP (or MIP) held in one HiGHS instance across solves.

An :class:`LpSession` keeps one Pyomo model in one HiGHS instance across solves, for algorithms
that solve a sequence of models differing by a few rows and objective coefficients (row
generation: the nucleolus stages of :mod:`optimizer.sharing.nucleolus`; the separation MIPs of
:mod:`optimizer.sharing.consolidation.separation`, whose prices change from one solve to the next). The model is compiled once; afterwards the caller hands the
constraints it adds (``add``: each is compiled on its own, once, and appended as one row) and
those it drops (``remove``: deactivated in the model and deleted in HiGHS), so the rows HiGHS
holds are always the model's active constraints. Each ``solve`` re-runs HiGHS from the basis
of the previous run: appended rows enter it as basic slacks, so the old basis stays dual
feasible and the dual simplex needs only the pivots that the new rows cause, instead of a solve
from scratch of a model recompiled from all its constraints. A MIP is solved afresh each time
(HiGHS keeps no search tree), but it is compiled once: a solve costs HiGHS's time only.
"""

from __future__ import annotations

import time
from typing import Sequence

import highspy
import numpy as np
from pyomo.core.base.constraint import ConstraintData
from pyomo.repn import generate_standard_repn

from .compile import INF, Compiled, Labels
from .highs import _STATUS_MAP, HighsSolver, SolveResult, _finite


class LpSession:
    """A Pyomo model held in one HiGHS instance, re-solved as rows are added and removed and
    objective coefficients change (see the module docstring). Columns and their bounds are those
    of the model when the session was made, and an added constraint may use only those columns."""

    def __init__(self, model, solver: HighsSolver, labels: Labels | None = None) -> None:
        comp = Compiled(model, labels)
        self.is_mip = bool(comp.integer.any())
        self.compiled = comp
        self.model = model
        self.columns = comp.columns
        self._col = {cid: j for j, cid in enumerate(comp.col_ids)}
        self.rows: list[ConstraintData] = [con for con, _ in comp.rows]
        self.highs = highspy.Highs()
        solver._configure(self.highs)
        self.highs.passModel(comp.to_highs_lp())

    def add(self, constraints: Sequence[ConstraintData]) -> None:
        """Append active linear constraints of the model as rows (one row per constraint)."""
        lower, upper, starts, index, coef = [], [], [], [], []
        for con in constraints:
            repn = generate_standard_repn(con.body, compute_values=True)
            if not repn.is_linear():
                raise ValueError(f"{con.name} is not linear")
            starts.append(len(index))
            try:
                index.extend(self._col[id(v)] for v in repn.linear_vars)
            except KeyError:
                raise ValueError(f"{con.name} uses a variable that is not a column of the session") from None
            coef.extend(repn.linear_coefs)
            lower.append(-INF if con.lb is None else float(con.lb) - repn.constant)
            upper.append(INF if con.ub is None else float(con.ub) - repn.constant)
            self.rows.append(con)
        if lower:
            self.highs.addRows(
                len(lower), np.array(lower), np.array(upper), len(index),
                np.array(starts, dtype=np.int32), np.array(index, dtype=np.int32), np.array(coef, dtype=float),
            )

    def column_indices(self, variables: Sequence) -> np.ndarray:
        """The HiGHS column of each of ``variables`` (ValueError for one that is not a column)."""
        try:
            return np.array([self._col[id(v)] for v in variables], dtype=np.int32)
        except KeyError:
            raise ValueError("a variable that is not a column of the session") from None

    def set_costs(self, variables: Sequence, costs: Sequence[float]) -> None:
        """Change the objective coefficients of ``variables`` (columns of the session) in HiGHS."""
        idx = self.column_indices(variables)
        if idx.size:
            self.highs.changeColsCost(idx.size, idx, np.asarray(costs, dtype=float))

    def values(self, variables: Sequence) -> np.ndarray:
        """The last solution's values of ``variables`` (columns of the session)."""
        x = np.asarray(self.highs.getSolution().col_value, dtype=float)
        return x[self.column_indices(variables)]

    def remove(self, constraints: Sequence[ConstraintData]) -> None:
        """Deactivate constraints in the model and delete their rows."""
        gone = {id(con) for con in constraints}
        for con in constraints:
            con.deactivate()
        dropped = np.array([k for k, con in enumerate(self.rows) if id(con) in gone], dtype=np.int32)
        if dropped.size:
            self.highs.deleteRows(dropped.size, dropped)
            self.rows = [con for con in self.rows if id(con) not in gone]

    def fix(self, columns: np.ndarray, values: np.ndarray) -> None:
        """Fix the HiGHS columns ``columns`` (positions, as :meth:`column_indices` gives them) at
        ``values`` until :meth:`unfix`; the Pyomo model is not touched."""
        values = np.asarray(values, dtype=float)
        self.highs.changeColsBounds(len(columns), np.asarray(columns, dtype=np.int32), values, values)

    def unfix(self, columns: np.ndarray) -> None:
        """Give the columns ``columns`` their bounds of the model back (after :meth:`fix`)."""
        columns = np.asarray(columns, dtype=np.int32)
        comp = self.compiled
        self.highs.changeColsBounds(len(columns), columns, comp.col_lower[columns], comp.col_upper[columns])

    def solve(self, load: bool = True) -> SolveResult:
        """Run HiGHS from the previous basis and keep the duals; ``load``: also put the solution
        into the Pyomo model (without, read it with :meth:`values`)."""
        t0 = time.perf_counter()
        h = self.highs
        h.run()
        seconds = time.perf_counter() - t0
        ms = h.getModelStatus()
        status = _STATUS_MAP.get(ms, "error")
        info = h.getInfo()
        has_solution = info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible
        objective = None
        dual_map: dict[int, float] = {}
        if has_solution:
            sol = h.getSolution()
            x = np.asarray(sol.col_value, dtype=float)
            if self.is_mip:
                x = np.where(self.compiled.integer, np.round(x), x)
            if load:
                for v, val in zip(self.columns, x):
                    v.set_value(float(val), skip_validation=True)
            objective = float(info.objective_function_value)
            if not self.is_mip and status == "optimal" and sol.dual_valid:
                for con, y in zip(self.rows, sol.row_dual):
                    dual_map[id(con)] = dual_map.get(id(con), 0.0) + float(y)
        optimal = has_solution and status == "optimal"
        if self.is_mip:
            bound, gap = _finite(info.mip_dual_bound), (_finite(info.mip_gap) if has_solution else None)
        else:
            bound, gap = (objective, 0.0) if optimal else (None, None)
        return SolveResult(
            status=status,
            termination=h.modelStatusToString(ms),
            has_solution=has_solution,
            objective=objective,
            best_bound=bound,
            mip_gap=gap,
            is_mip=self.is_mip,
            handoff_seconds=0.0,
            solve_seconds=seconds,
            n_vars=len(self.columns),
            n_cons=len(self.rows),
            n_integer=int(self.compiled.integer.sum()),
            _duals=dual_map,
        )
