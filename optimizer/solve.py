r"""The one place HiGHS is called.

Every model of the package (freight MIPs, enclave LPs, game LPs) is a Pyomo model handed to
:class:`HighsSolver`. The solver layer knows nothing about which model it solves.

How the model reaches HiGHS
---------------------------
Pyomo's :class:`~pyomo.repn.plugins.standard_form.LinearStandardFormCompiler` turns the active
linear constraints and the objective into sparse matrices in one pass (``mixed_form``: each row
keeps its sense, ranged constraints give two rows). Those arrays are passed to HiGHS whole with
``Highs.passModel``. On the OR-Library cap instances this is about three times faster than the
row-by-row hand-off of Pyomo's persistent HiGHS interface, which matters because the
benchmarks compare the engine with a model written directly in highspy.

After the run, primal values are written back into the Pyomo variables, and for LPs the row
duals are kept per constraint (:meth:`SolveResult.dual`). The dual of a constraint is the change
of the objective per unit increase of its right-hand side (a ``<=`` constraint that binds in a
minimisation has a dual <= 0: more room lowers the cost).

Re-solving
----------
A :class:`HighsSolver` may be used for many solves. ``solve(model)`` recompiles the model's
current state (mutable parameters, fixed variables, bounds) -- cheap compared with building
it -- and, when the columns are the same as in the previous solve, hands the previous solution
to HiGHS as a starting point.

LPs that grow by rows
---------------------
An :class:`LpSession` keeps one Pyomo LP in one HiGHS instance across solves, for algorithms
that solve a sequence of LPs differing by a few rows (row generation: the nucleolus stages of
:mod:`optimizer.sharing.nucleolus`). The model is compiled once; afterwards the caller hands the
constraints it adds (``add``: each is compiled on its own, once, and appended as one row) and
those it drops (``remove``: deactivated in the model and deleted in HiGHS), so the rows HiGHS
holds are always the model's active constraints. Each ``solve`` re-runs HiGHS from the basis
of the previous run: appended rows enter it as basic slacks, so the old basis stays dual
feasible and the dual simplex needs only the pivots that the new rows cause, instead of a solve
from scratch of a model recompiled from all its constraints.

Starts from similar models
--------------------------
``solve(..., starts=[x1, x2, ...])`` takes solutions of *other* models over the same columns
(earlier scenarios of a batch, :mod:`optimizer.batch.resolve`) and turns them into a start for
this one by *fix and re-optimise* (:func:`complete_start`): with :math:`B` the binary columns,

.. math::

    \hat x^k = \arg\min \{ c^\top x : x \text{ feasible for this model},\
    x_j = \operatorname{round}(x^k_j)\ \forall j \in B \}

is a small MIP (the open/closed decisions are fixed, train counts and flows are re-optimised),
feasible for this model by construction, so its solution is a valid incumbent. The best
:math:`\hat x^k` goes to HiGHS with ``setSolution``. When HiGHS's own heuristics are what
keeps it from stopping (its bound is within the gap early but no plan that good is known yet,
typical of the freight MIPs) this turns a solve of seconds into one of a few LP solves. The
result is then, like any MIP result, optimal within ``mip_gap``; it need not be the same
solution a solve without a start returns when several plans are within the gap. With a start,
HiGHS's restarts are switched off: holding a near-optimal incumbent, its reduced-cost fixing
made it restart the root over and over (four times in one landbridge log), redoing the cut loop
each time; on the 112-scenario sweep this took re-solves from 1.41x to 1.61x faster than
rebuilding (benchmarks/batch.py). A partial start
(only the binaries, HiGHS completing it) was measured and is slower: HiGHS completes it with
its own sub-MIP limits and then searches as without one.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import highspy
import numpy as np
from pyomo.core.base.constraint import ConstraintData
from pyomo.core.expr.numvalue import value
from pyomo.environ import maximize
from pyomo.repn import generate_standard_repn
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

INF = highspy.kHighsInf


def _silence_banner() -> None:
    """HiGHS prints its banner on stdout when the first instance is made; keep stdout clean (--json)."""
    import os
    import sys

    try:
        fd = sys.stdout.fileno()
    except (AttributeError, ValueError, OSError):
        highspy.Highs()
        return
    sys.stdout.flush()
    saved = os.dup(fd)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), fd)
            highspy.Highs()
    finally:
        os.dup2(saved, fd)
        os.close(saved)


_silence_banner()

#: statuses reported in summaries; ``time_limit`` covers every limit (time, iterations, interrupts)
STATUSES = ("optimal", "time_limit", "infeasible", "unbounded", "error")


@dataclass
class Progress:
    """A MIP progress event handed to the ``on_progress`` callback."""

    seconds: float
    objective: float | None
    best_bound: float | None
    mip_gap: float | None


@dataclass
class SolveResult:
    """What a solve produced. ``status`` is one of :data:`STATUSES`."""

    status: str
    termination: str
    has_solution: bool
    objective: float | None
    best_bound: float | None
    mip_gap: float | None
    is_mip: bool
    handoff_seconds: float
    solve_seconds: float
    n_vars: int
    n_cons: int
    n_integer: int
    log_path: str | None = None
    start_objective: float | None = None  # objective of the start handed to HiGHS (starts=...)
    start_seconds: float = 0.0  # time spent making it (included in solve_seconds)
    _duals: dict[int, float] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        """True when a feasible solution was loaded into the model."""
        return self.has_solution and self.status in ("optimal", "time_limit")

    def dual(self, con: ConstraintData) -> float | None:
        """Dual value of ``con`` (LPs only): d objective / d right-hand side; None if unknown."""
        if not self._duals:
            return None
        return self._duals.get(id(con), 0.0)

    def as_dict(self) -> dict:
        out = {
            "status": self.status,
            "termination": self.termination,
            "objective": self.objective,
            "best_bound": self.best_bound,
            "mip_gap": self.mip_gap,
            "handoff_seconds": round(self.handoff_seconds, 4),
            "solve_seconds": round(self.solve_seconds, 4),
            "variables": self.n_vars,
            "constraints": self.n_cons,
            "integer_variables": self.n_integer,
        }
        if self.start is not None:
            out["start"] = self.start
        return out

    @property
    def start(self) -> dict | None:
        """The start HiGHS got from ``starts`` (objective, seconds to make it), None without one."""
        if self.start_objective is None:
            return None
        return {"objective": self.start_objective, "seconds": round(self.start_seconds, 4)}


_STATUS_MAP = {
    highspy.HighsModelStatus.kOptimal: "optimal",
    highspy.HighsModelStatus.kInfeasible: "infeasible",
    highspy.HighsModelStatus.kUnboundedOrInfeasible: "infeasible",
    highspy.HighsModelStatus.kUnbounded: "unbounded",
    highspy.HighsModelStatus.kTimeLimit: "time_limit",
    highspy.HighsModelStatus.kIterationLimit: "time_limit",
    highspy.HighsModelStatus.kSolutionLimit: "time_limit",
    highspy.HighsModelStatus.kInterrupt: "time_limit",
    highspy.HighsModelStatus.kObjectiveBound: "time_limit",
    highspy.HighsModelStatus.kObjectiveTarget: "time_limit",
    highspy.HighsModelStatus.kModelEmpty: "optimal",
}


def _finite(x: float | None) -> float | None:
    if x is None or not math.isfinite(x) or abs(x) >= INF:
        return None
    return float(x)


class Compiled:
    """A Pyomo model as HiGHS arrays, with the maps back to Pyomo objects."""

    def __init__(self, model) -> None:
        sf = LinearStandardFormCompiler().write(model, mixed_form=True, set_sense=None)
        if len(sf.objectives) != 1:
            raise ValueError(f"model must have exactly one active objective, found {len(sf.objectives)}")
        self.columns = sf.columns
        self.rows = sf.rows
        self.sense_max = sf.objectives[0].sense == maximize
        n = len(sf.columns)
        m = len(sf.rows)
        self.n, self.m = n, m
        self.cost = np.asarray(sf.c.toarray()[0] if n else np.zeros(0), dtype=float)
        self.offset = float(sf.c_offset[0]) if len(sf.c_offset) else 0.0
        rhs = np.asarray(sf.rhs, dtype=float) if m else np.zeros(0)
        sense = np.fromiter((s for _, s in sf.rows), dtype=int, count=m)
        self.row_lower = np.where(sense <= 0, rhs, -INF)
        self.row_upper = np.where(sense >= 0, rhs, INF)
        A = sf.A.tocsc()
        self.A = A
        self.col_lower = np.empty(n)
        self.col_upper = np.empty(n)
        self.integer = np.zeros(n, dtype=bool)
        for j, v in enumerate(sf.columns):
            lb, ub = v.bounds
            self.col_lower[j] = -INF if lb is None else lb
            self.col_upper[j] = INF if ub is None else ub
            self.integer[j] = v.is_integer()
        self.col_ids = [id(v) for v in sf.columns]

    def to_highs_lp(self) -> highspy.HighsLp:
        lp = highspy.HighsLp()
        lp.num_col_ = self.n
        lp.num_row_ = self.m
        lp.col_cost_ = self.cost
        lp.col_lower_ = self.col_lower
        lp.col_upper_ = self.col_upper
        lp.row_lower_ = self.row_lower
        lp.row_upper_ = self.row_upper
        lp.offset_ = self.offset
        lp.sense_ = highspy.ObjSense.kMaximize if self.sense_max else highspy.ObjSense.kMinimize
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = self.A.indptr.astype(np.int32)
        lp.a_matrix_.index_ = self.A.indices.astype(np.int32)
        lp.a_matrix_.value_ = self.A.data.astype(float)
        if self.integer.any():
            lp.integrality_ = [
                highspy.HighsVarType.kInteger if f else highspy.HighsVarType.kContinuous for f in self.integer
            ]
        return lp


class HighsSolver:
    """Solve Pyomo models with HiGHS.

    Parameters
    ----------
    time_limit: seconds of HiGHS run time, None for no limit.
    mip_gap: relative MIP gap at which HiGHS stops (HiGHS's default 1e-4 when None).
    threads: HiGHS threads (None: HiGHS decides).
    log_path: file that receives the full HiGHS log.
    verbose: echo the HiGHS log on the console.
    on_progress: called with a :class:`Progress` on every improved MIP solution.
    options: further raw HiGHS options.
    """

    def __init__(
        self,
        *,
        time_limit: float | None = None,
        mip_gap: float | None = None,
        threads: int | None = None,
        log_path: str | Path | None = None,
        verbose: bool = False,
        on_progress: Callable[[Progress], None] | None = None,
        options: dict | None = None,
    ) -> None:
        self.time_limit = time_limit
        self.mip_gap = mip_gap
        self.threads = threads
        self.log_path = str(log_path) if log_path else None
        self.verbose = verbose
        self.on_progress = on_progress
        self.options = dict(options or {})
        self._last_cols: list[int] | None = None
        self._last_x: np.ndarray | None = None
        self.last_compiled: Compiled | None = None
        self.last_highs: highspy.Highs | None = None

    def solution_of(self, comp: Compiled) -> np.ndarray | None:
        """The most recent solution this solver found, if it was one of arrays with ``comp``'s columns."""
        return self._last_x if self._last_x is not None and self._last_cols == comp.col_ids else None

    def start_budget(self) -> float:
        """Seconds that making a start from ``starts`` may take: 5 % of the time limit, at most 2 s.

        On instances/landbridge a completion takes 0.02-0.4 s when it pays; the ones that took 3-10 s
        (high demand, three hubs per destination) never made the solve faster than a fresh one.
        """
        return 2.0 if self.time_limit is None else min(2.0, 0.05 * float(self.time_limit))

    def _configure(self, h: highspy.Highs) -> None:
        h.setOptionValue("output_flag", bool(self.verbose or self.log_path))
        h.setOptionValue("log_to_console", bool(self.verbose))
        if self.log_path:
            h.setOptionValue("log_file", self.log_path)
        if self.time_limit is not None:
            h.setOptionValue("time_limit", float(self.time_limit))
        if self.mip_gap is not None:
            h.setOptionValue("mip_rel_gap", float(self.mip_gap))
        if self.threads is not None:
            h.setOptionValue("threads", int(self.threads))
        for k, v in self.options.items():
            h.setOptionValue(k, v)

    def solve(
        self,
        model,
        *,
        duals: bool = True,
        warm_start: bool = True,
        compiled: "Compiled | None" = None,
        starts: Sequence[np.ndarray] = (),
    ) -> SolveResult:
        """Compile ``model``, run HiGHS, load the solution into the model's variables.

        ``compiled``: the model's arrays made by the caller (a :class:`Compiled` of this model whose
        numbers were updated in place, see :mod:`optimizer.batch.resolve`); skips the compile.
        ``starts``: solutions of similar models over the same columns, most promising first; the
        best of their completions (:func:`complete_start`) starts a MIP. The time it takes counts
        against ``time_limit`` and is part of ``solve_seconds``.
        """
        t0 = time.perf_counter()
        comp = compiled if compiled is not None else Compiled(model)
        is_mip = bool(comp.integer.any())
        start = None
        start_seconds = 0.0
        lp = comp.to_highs_lp()
        if starts and is_mip:
            ts = time.perf_counter()
            start = complete_start(comp, starts, mip_gap=self.mip_gap, time_limit=self.start_budget(), threads=self.threads, lp=lp)
            start_seconds = time.perf_counter() - ts
        h = highspy.Highs()
        self._configure(h)
        if self.time_limit is not None and start_seconds:
            h.setOptionValue("time_limit", max(float(self.time_limit) - start_seconds, 0.01))
        h.passModel(lp)
        if start is not None:
            h.setOptionValue("mip_allow_restart", False)
        x0 = start[1] if start is not None else self.solution_of(comp) if warm_start and is_mip else None
        if x0 is not None:
            h.setSolution(comp.n, np.arange(comp.n, dtype=np.int32), np.asarray(x0, dtype=float))
        if self.on_progress is not None and is_mip:
            began = time.perf_counter()

            def _cb(event) -> None:
                d = event.data_out
                self.on_progress(
                    Progress(
                        seconds=time.perf_counter() - began,
                        objective=_finite(d.objective_function_value),
                        best_bound=_finite(d.mip_dual_bound),
                        mip_gap=_finite(d.mip_gap),
                    )
                )

            h.cbMipImprovingSolution.subscribe(_cb)
        t1 = time.perf_counter()
        h.run()
        t2 = time.perf_counter()
        result = self._read(h, comp, model, is_mip, duals)
        result.handoff_seconds = t1 - t0 - start_seconds
        result.solve_seconds = t2 - t1 + start_seconds
        if start is not None:
            result.start_objective, result.start_seconds = start[0], start_seconds
        self.last_compiled, self.last_highs = comp, h
        return result

    def _read(self, h: highspy.Highs, comp: Compiled, model, is_mip: bool, want_duals: bool) -> SolveResult:
        ms = h.getModelStatus()
        info = h.getInfo()
        status = _STATUS_MAP.get(ms, "error")
        has_solution = info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible
        if ms == highspy.HighsModelStatus.kModelEmpty:
            has_solution = True
        objective = best_bound = gap = None
        dual_map: dict[int, float] = {}
        if has_solution:
            sol = h.getSolution()
            x = np.asarray(sol.col_value, dtype=float)
            if is_mip:
                x = np.where(comp.integer, np.round(x), x)
            for v, val in zip(comp.columns, x):
                v.set_value(float(val), skip_validation=True)
            self._last_cols, self._last_x = comp.col_ids, x
            objective = float(info.objective_function_value) if comp.n else comp.offset
            if is_mip:
                best_bound = _finite(info.mip_dual_bound)
                gap = _finite(info.mip_gap) if status != "optimal" else max(0.0, _finite(info.mip_gap) or 0.0)
            else:
                best_bound = objective if status == "optimal" else None
                gap = 0.0 if status == "optimal" else None
            if want_duals and not is_mip and status == "optimal" and sol.dual_valid:
                for (con, _), y in zip(comp.rows, sol.row_dual):
                    dual_map[id(con)] = dual_map.get(id(con), 0.0) + float(y)
        elif is_mip:
            best_bound = _finite(info.mip_dual_bound)
        return SolveResult(
            status=status,
            termination=h.modelStatusToString(ms),
            has_solution=has_solution,
            objective=objective,
            best_bound=best_bound,
            mip_gap=gap,
            is_mip=is_mip,
            handoff_seconds=0.0,
            solve_seconds=0.0,
            n_vars=comp.n,
            n_cons=comp.m,
            n_integer=int(comp.integer.sum()),
            log_path=self.log_path,
            _duals=dual_map,
        )


class LpSession:
    """A Pyomo LP held in one HiGHS instance, re-solved as rows are added and removed (see the
    module docstring). Only rows change: columns, their bounds and the objective are those of
    the model when the session was made, and an added constraint may use only those columns."""

    def __init__(self, model, solver: HighsSolver) -> None:
        comp = Compiled(model)
        if comp.integer.any():
            raise ValueError("an LpSession holds LPs only")
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

    def remove(self, constraints: Sequence[ConstraintData]) -> None:
        """Deactivate constraints in the model and delete their rows."""
        gone = {id(con) for con in constraints}
        for con in constraints:
            con.deactivate()
        dropped = np.array([k for k, con in enumerate(self.rows) if id(con) in gone], dtype=np.int32)
        if dropped.size:
            self.highs.deleteRows(dropped.size, dropped)
            self.rows = [con for con in self.rows if id(con) not in gone]

    def solve(self) -> SolveResult:
        """Run HiGHS from the previous basis, load the solution into the model, keep the duals."""
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
            for v, val in zip(self.columns, sol.col_value):
                v.set_value(float(val), skip_validation=True)
            objective = float(info.objective_function_value)
            if status == "optimal" and sol.dual_valid:
                for con, y in zip(self.rows, sol.row_dual):
                    dual_map[id(con)] = dual_map.get(id(con), 0.0) + float(y)
        optimal = has_solution and status == "optimal"
        return SolveResult(
            status=status,
            termination=h.modelStatusToString(ms),
            has_solution=has_solution,
            objective=objective,
            best_bound=objective if optimal else None,
            mip_gap=0.0 if optimal else None,
            is_mip=False,
            handoff_seconds=0.0,
            solve_seconds=seconds,
            n_vars=len(self.columns),
            n_cons=len(self.rows),
            n_integer=0,
            _duals=dual_map,
        )


def complete_start(
    comp: Compiled,
    candidates: Sequence[np.ndarray],
    *,
    mip_gap: float | None,
    time_limit: float,
    threads: int | None = None,
    lp: highspy.HighsLp | None = None,
) -> tuple[float, np.ndarray] | None:
    """Fix and re-optimise: the best completion of ``candidates`` for the model ``comp``, or None.

    For each candidate (a value per column of ``comp``, from a similar model) the binary columns
    are fixed to its rounded values and the rest of the MIP (general integers, continuous columns)
    is solved with HiGHS, to ``mip_gap`` (default 1e-4) within a share of ``time_limit`` seconds.
    Candidates whose binaries repeat an earlier one's are skipped. Returns (objective, column
    values) of the best feasible completion: a feasible solution of ``comp`` itself. ``lp``: the
    model as :meth:`Compiled.to_highs_lp` makes it, when the caller has it already.
    """
    binary = np.flatnonzero(comp.integer & (comp.col_lower >= 0) & (comp.col_upper <= 1))
    lower, upper = comp.col_lower[binary], comp.col_upper[binary]
    lp = comp.to_highs_lp() if lp is None else lp
    deadline = time.perf_counter() + time_limit
    best: tuple[float, np.ndarray] | None = None
    seen: set[bytes] = set()
    todo = [np.asarray(x, dtype=float) for x in candidates if len(x) == comp.n]
    for i, x in enumerate(todo):
        left = deadline - time.perf_counter()
        if left <= 0:
            break
        fixed = np.clip(np.round(x[binary]), lower, upper)
        key = fixed.tobytes()
        if key in seen:
            continue
        seen.add(key)
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("mip_rel_gap", 1e-4 if mip_gap is None else float(mip_gap))
        h.setOptionValue("time_limit", left / (len(todo) - i))
        if threads is not None:
            h.setOptionValue("threads", int(threads))
        h.passModel(lp)
        if len(binary):
            h.changeColsBounds(len(binary), binary.astype(np.int32), fixed, fixed)
        h.run()
        info = h.getInfo()
        if info.primal_solution_status != highspy.SolutionStatus.kSolutionStatusFeasible:
            continue
        obj = float(info.objective_function_value)
        if best is None or (obj > best[0] if comp.sense_max else obj < best[0]):
            best = (obj, np.asarray(h.getSolution().col_value, dtype=float))
    return best


_IIS_CHILD = """
import json, sys, highspy
h = highspy.Highs()
h.setOptionValue("output_flag", False)
h.setOptionValue("iis_strategy", 2)
h.setOptionValue("time_limit", float(sys.argv[2]))
h.readModel(sys.argv[1])
h.run()
status, iis = h.getIis()
ok = status != highspy.HighsStatus.kError and iis.valid_
print(json.dumps({"ok": bool(ok), "rows": list(iis.row_index_), "cols": list(iis.col_index_)}))
"""


def _iis_in_child(comp: Compiled, time_limit: float | None) -> tuple[list[int], list[int]] | None:
    """Row and column indices of an IIS, computed by HiGHS in a child process.

    HiGHS 1.16's IIS routine crashes the process (segmentation fault) on some small infeasible
    LPs, so it never runs in ours: a crash or a time-out there just means "no IIS" (None).
    """
    import json
    import subprocess
    import sys
    import tempfile

    with tempfile.TemporaryDirectory(prefix="optimizer-iis-") as tmp:
        path = f"{tmp}/model.mps"
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.passModel(comp.to_highs_lp())
        h.writeModel(path)
        limit = 60.0 if time_limit is None else float(time_limit)
        try:
            out = subprocess.run(
                [sys.executable, "-c", _IIS_CHILD, path, str(limit)],
                capture_output=True,
                text=True,
                timeout=limit + 30,
            )
        except subprocess.TimeoutExpired:
            return None
    if out.returncode != 0:
        return None
    try:
        data = json.loads(out.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return None
    if not data["ok"] or not data["rows"]:
        return None
    return data["rows"], data["cols"]


def _min_violation_rows(comp: Compiled) -> list[int]:
    """Rows of a Farkas certificate of infeasibility, from an elastic LP.

    Each row gets non-negative slacks s+ and s- (row_lower <= a x + s+ - s- <= row_upper) and the
    sum of slacks is minimised. The optimal duals y (|y| <= 1) combine the rows into a
    contradiction, so the rows with y != 0 form an infeasible subsystem: not always minimal,
    but every row in it takes part in the conflict.
    """
    import scipy.sparse as sp

    n, m = comp.n, comp.m
    eye = sp.identity(m, format="csc")
    A = sp.hstack([comp.A, eye, -eye], format="csc")
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n + 2 * m, m
    lp.col_cost_ = np.concatenate([np.zeros(n), np.ones(2 * m)])
    lp.col_lower_ = np.concatenate([comp.col_lower, np.zeros(2 * m)])
    lp.col_upper_ = np.concatenate([comp.col_upper, np.full(2 * m, INF)])
    lp.row_lower_, lp.row_upper_ = comp.row_lower, comp.row_upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = A.indptr.astype(np.int32)
    lp.a_matrix_.index_ = A.indices.astype(np.int32)
    lp.a_matrix_.value_ = A.data.astype(float)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.passModel(lp)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return []
    y = np.asarray(h.getSolution().row_dual)
    return [int(i) for i in np.flatnonzero(np.abs(y) > 1e-9)]


def conflicting_constraints(model, *, time_limit: float | None = 60.0) -> list[str]:
    """Names of constraints of ``model`` that conflict, in model order.

    Integrality is dropped first: when the LP relaxation is already infeasible these
    constraints conflict among themselves whatever the integer decisions are. The answer is an
    irreducible infeasible subsystem (IIS) found by HiGHS (in a child process, see
    :func:`_iis_in_child`); when HiGHS finds none, the rows violated by a least-violation
    solution (:func:`_min_violation_rows`). Returns an empty list when the relaxation is
    feasible (only integrality makes the model infeasible). Both rows of a ranged constraint are
    reported once; a variable bound in the IIS is reported as ``bounds of <var>`` unless it is a
    plain non-negativity bound.
    """
    comp = Compiled(model)
    comp.integer[:] = False
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    if time_limit is not None:
        h.setOptionValue("time_limit", float(time_limit))
    h.passModel(comp.to_highs_lp())
    h.run()
    if h.getModelStatus() not in (
        highspy.HighsModelStatus.kInfeasible,
        highspy.HighsModelStatus.kUnboundedOrInfeasible,
    ):
        return []
    found = _iis_in_child(comp, time_limit)
    rows, cols = found if found is not None else (_min_violation_rows(comp), [])
    names: list[str] = []
    seen: set[int] = set()
    for i in sorted(rows):
        con = comp.rows[i][0]
        if id(con) not in seen:
            seen.add(id(con))
            names.append(con.name)
    for j in sorted(cols):
        lo, hi = comp.col_lower[j], comp.col_upper[j]
        if lo != 0.0 or hi < INF:  # a plain non-negativity bound says nothing to the user
            names.append(f"bounds of {comp.columns[j].name}")
    return names


def value_or_none(expr) -> float | None:
    """``pyomo.value`` that returns None for an expression over variables with no value."""
    try:
        return float(value(expr))
    except (ValueError, TypeError):
        return None
