r"""Running HiGHS: options and limits, progress, status, objective, bound, gap and duals.

:class:`HighsSolver` solves any Pyomo model of the package (freight MIPs, enclave LPs, game LPs)
and knows nothing about which model it solves. The model is compiled by :mod:`.compile`; after the
run, primal values are written back into the Pyomo variables, and for LPs the row duals are kept
per constraint (:meth:`SolveResult.dual`); for a MIP, :meth:`HighsSolver.fixed_lp` solves the LP
that remains with the integer columns fixed (:mod:`.fixed`). The dual of a constraint is the change of the objective
per unit increase of its right-hand side (a ``<=`` constraint that binds in a minimisation has a
dual <= 0: more room lowers the cost).

Starts
------
A :class:`HighsSolver` may be used for many solves; when the columns are the same as in its
previous solve (a model changed in place: mutable parameters, fixed variables, bounds) the
previous solution is HiGHS's starting point (``warm_start``). ``starts=[x1, ...]`` (solutions over
the same columns) and ``pool=`` (a :class:`~.starts.StartPool` of solutions of *other* models,
matched by label) are completed by fix and re-optimise (:func:`~.starts.complete_start`) and the
best completion is HiGHS's first incumbent. With such a start HiGHS's restarts are switched off:
holding a near-optimal incumbent, its reduced-cost fixing made it restart the root over and over
(four times in one landbridge log), redoing the cut loop each time; on the 112-scenario sweep this
took re-solves from 1.41x to 1.61x faster than rebuilding without starts (benchmarks/batch.py).
Every solution found is added to ``pool``.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

import highspy
import numpy as np
from pyomo.core.base.constraint import ConstraintData
from pyomo.core.expr.numvalue import value

from .compile import INF, Compiled, Labels
from .search import NeighbourhoodSearch, SearchStats
from .starts import StartPool, complete_start

if TYPE_CHECKING:
    from .fixed import FixedLp


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
    source: str = "highs"  # who found the plan: "highs", "start", or the search's neighbourhood


#: solve strategies for MIPs: ``plain`` is HiGHS alone on the model as written; ``search`` is the
#: model with its valid inequalities (a model that has some builds them when :func:`adds_cuts`
#: says so: the freight model's :mod:`optimizer.freight.cuts`) and HiGHS with a neighbourhood
#: search beside it
STRATEGIES = ("plain", "search")
DEFAULT_STRATEGY = "search"


def adds_cuts(strategy: str) -> bool:
    """Whether models solved with ``strategy`` get their valid inequalities (all but ``plain``)."""
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {', '.join(STRATEGIES)}, not {strategy!r}")
    return strategy != "plain"

#: seconds HiGHS works alone before the search starts: MIPs solved sooner pay nothing for it. With
#: 2 s the landbridge sweep (scenarios of 2-10 s) ran 1.09x faster than plain instead of 1.61x
#: with starts alone: there the search only took HiGHS's second core.
SEARCH_AFTER = 10.0


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
    strategy: str = "plain"
    search: SearchStats | None = None  # what the neighbourhood search did (strategy "search")
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
        if self.is_mip:
            out["strategy"] = self.strategy
        if self.search is not None:
            out["search"] = self.search.as_dict()
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
    strategy: how a MIP is solved (:data:`STRATEGIES`): ``"plain"`` runs HiGHS alone; ``"search"``
        runs a neighbourhood search for better plans beside it (:mod:`.search`) once HiGHS has
        worked for ``search_after`` seconds (default :data:`SEARCH_AFTER`). Either way the bound and
        gap are HiGHS's.
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
        strategy: str = DEFAULT_STRATEGY,
        search_after: float = SEARCH_AFTER,
    ) -> None:
        if strategy not in STRATEGIES:
            raise ValueError(f"strategy must be one of {', '.join(STRATEGIES)}, not {strategy!r}")
        self.strategy = strategy
        self.search_after = search_after
        self.time_limit = time_limit
        self.mip_gap = mip_gap
        self.threads = threads
        self.log_path = str(log_path) if log_path else None
        self.verbose = verbose
        self.on_progress = on_progress
        self.options = dict(options or {})
        self._last_cols: list[int] | None = None
        self._last_x: np.ndarray | None = None
        self._last_comp: Compiled | None = None

    def solution_of(self, comp: Compiled) -> np.ndarray | None:
        """The most recent solution this solver found, if it was one of arrays with ``comp``'s columns."""
        return self._last_x if self._last_x is not None and self._last_cols == comp.col_ids else None

    def fixed_lp(self, links: Callable | None = None, implied: Callable | None = None) -> "FixedLp | None":
        """The LP of the model last solved with its integer columns fixed at the solution found
        (:func:`~.fixed.solve_fixed`: duals, reduced costs, ranging); None without a solution.

        ``links(row_label) -> bool`` names the rows that only link flows to design decisions
        (row labels as in :attr:`Compiled.row_labels`); ``implied(column_label) -> bool`` the
        columns whose upper bound the rows imply (:attr:`Compiled.column_labels`)."""
        from .fixed import solve_fixed  # fixed uses this module's status map

        if self._last_comp is None or self._last_x is None or self._last_cols != self._last_comp.col_ids:
            return None
        comp = self._last_comp
        mask = None if links is None else np.fromiter((bool(links(label)) for label in comp.row_labels), dtype=bool, count=comp.m)
        upper = None if implied is None else np.fromiter((bool(implied(label)) for label in comp.column_labels), dtype=bool, count=comp.n)
        return solve_fixed(comp, self._last_x, links=mask, implied=upper, threads=self.threads, time_limit=self.time_limit)

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
        starts: Sequence[np.ndarray] = (),
        pool: StartPool | None = None,
        labels: Labels | None = None,
    ) -> SolveResult:
        """Compile ``model``, run HiGHS, load the solution into the model's variables.

        ``warm_start``: start from this solver's previous solution when it was over the same columns.
        ``starts``: solutions over the same columns, most promising first; ``pool``: solutions of
        other models, the nearest lined up by label (:meth:`StartPool.candidates`). The best of their
        completions (:func:`complete_start`) starts a MIP; the time it takes counts against
        ``time_limit`` and is part of ``solve_seconds``. A solution found is added to ``pool``.
        ``labels``: how the model names its columns and rows (:class:`~.compile.Labels`).
        """
        t0 = time.perf_counter()
        comp = Compiled(model, labels)
        self._last_comp = comp
        is_mip = bool(comp.integer.any())
        start = None
        start_seconds = 0.0
        lp = comp.to_highs_lp()
        if pool is not None and is_mip:
            starts = [*starts, *pool.candidates(comp)]
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
        search = self._search(comp, lp, start) if is_mip and self.strategy == "search" else None
        if is_mip and (self.on_progress is not None or search is not None):
            self._subscribe(h, search, start)
        t1 = time.perf_counter()
        if search is not None:
            search.start()
        try:
            h.run()
        finally:
            if search is not None:
                search.stop()
        t2 = time.perf_counter()
        result = self._read(h, comp, model, is_mip, duals)
        if is_mip:
            result.strategy = self.strategy
            result.search = search.stats if search is not None else None
        result.handoff_seconds = t1 - t0 - start_seconds
        result.solve_seconds = t2 - t1 + start_seconds
        if start is not None:
            result.start_objective, result.start_seconds = start[0], start_seconds
        if pool is not None and result.has_solution and self._last_x is not None:
            pool.add(comp, self._last_x)
        return result

    def _search(self, comp: Compiled, lp: highspy.HighsLp, start: tuple[float, np.ndarray] | None) -> NeighbourhoodSearch:
        deadline = None if self.time_limit is None else time.perf_counter() + float(self.time_limit)
        search = NeighbourhoodSearch(comp, lp, deadline=deadline, delay=self.search_after, mip_gap=self.mip_gap, threads=self.threads)
        if start is not None:
            search.offer(start[0], start[1], "start")
        return search

    def _subscribe(self, h: highspy.Highs, search: NeighbourhoodSearch | None, start) -> None:
        """HiGHS callbacks: progress events, and the plans exchanged with the search."""
        began = time.perf_counter()
        handed: list[tuple[float, str] | None] = [None if start is None else (float(start[0]), "start")]  # last plan handed to HiGHS

        def improving(event) -> None:
            d = event.data_out
            obj = _finite(d.objective_function_value)
            source = "highs"
            last = handed[0]
            if obj is not None and last is not None and abs(obj - last[0]) <= 1e-9 * max(1.0, abs(obj)):
                source = last[1]
            if search is not None and obj is not None and source == "highs":
                search.offer(obj, np.asarray(d.mip_solution, dtype=float))
            if self.on_progress is not None:
                self.on_progress(Progress(seconds=time.perf_counter() - began, objective=obj, best_bound=_finite(d.mip_dual_bound), mip_gap=_finite(d.mip_gap), source=source))

        h.cbMipImprovingSolution.subscribe(improving)
        if search is None:
            return
        bound: list[float | None] = [None]

        def watch_bound(event) -> None:
            bound[0] = _finite(event.data_out.mip_dual_bound)

        h.cbMipLogging.subscribe(watch_bound)
        if self.on_progress is not None:
            def found(plan) -> None:  # on the search's thread: HiGHS gets the plan at its next callback
                b = bound[0]
                gap = None if b is None else abs(plan.objective - b) / max(abs(plan.objective), 1e-9)
                self.on_progress(Progress(seconds=time.perf_counter() - began, objective=plan.objective, best_bound=b, mip_gap=gap, source=plan.source))

            search.on_plan = found

        def user_solution(event) -> None:
            plan = search.take()
            if plan is not None:
                handed[0] = (plan.objective, plan.source)
                event.data_in.setSolution(plan.x)

        h.cbMipUserSolution.subscribe(user_solution)

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


def value_or_none(expr) -> float | None:
    """``pyomo.value`` that returns None for an expression over variables with no value."""
    try:
        return float(value(expr))
    except (ValueError, TypeError):
        return None
