r"""A large-neighbourhood search beside HiGHS: plans from one core, the bound from the other.

On the freight MIPs HiGHS proves its bound early and then spends most of its time finding plans
as good as it (generated 130 × 30 × 60: bound within 0.02 points of its final value after 30 s,
best plan 0.4 % above it after 120 s). :class:`NeighbourhoodSearch` runs in a thread next to
HiGHS's branch and bound (HiGHS releases the GIL while it works) and improves the best plan
known by solving small MIPs: with :math:`\bar x` the best plan, :math:`B` the binary columns and
:math:`N \subseteq B` a *neighbourhood*,

.. math::

    \min \{ c^\top x : x \text{ feasible},\ x_j = \bar x_j\ \forall j \in B \setminus N \}

is the whole model with every binary outside :math:`N` fixed at the plan's value; presolve removes
most of it, so it solves in seconds, and :math:`\bar x` is feasible for it (its start). Every plan
it finds is feasible for the whole model, and is handed to HiGHS through its user-solution
callback; HiGHS's own improving plans come back the same way. HiGHS alone proves the bound: the
gap reported is HiGHS's, exact as without the search.

Its first plan comes from the LP relaxation: binaries rounded, the rest re-optimised (the fix and
re-optimise completion of :mod:`.starts`). Then neighbourhoods (alternating, knowing nothing of the
model):

* **RINS** (relaxation-induced): free the binaries on which the plan and the LP relaxation's
  solution disagree (:math:`|\bar x_j - x^{LP}_j| > 0.1`), and those linked to them;
* **block**: free the binaries reached from a random binary through shared rows (breadth first,
  rows of more than :data:`DENSE_ROW` entries skipped), so binaries that constrain each other
  (services to one destination under a duplication limit, a hub and its services) move together.

A neighbourhood holds a share of the binaries that grows while sub-MIPs end at their optimum
without improving, and shrinks when one hits its time limit (:data:`SUB_SECONDS`) without one.
When sub-MIPs stop paying (:data:`IDLE_ROUNDS` in a row without a better plan) the search pauses,
longer each time, and leaves both cores to HiGHS: on instances/national HiGHS finds good plans
itself, and a search that kept running took half of its second core (0.1 % in 50 s instead of 25 s).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Callable

import highspy
import numpy as np

from .compile import Compiled
from .starts import COMPLETION_GAP

log = logging.getLogger(__name__)

#: rows with more entries than this do not link binaries in a block neighbourhood
DENSE_ROW = 200
#: share of the binaries in the first neighbourhood, and the bounds of its adaptation
SHARE, MIN_SHARE, MAX_SHARE = 0.15, 0.03, 0.6
#: seconds a sub-MIP may take (the plan it has found by then is kept)
SUB_SECONDS = 5.0
#: the closest relative gap a sub-MIP is solved to
MIN_SUB_GAP = 1e-5
#: niceness of the search's thread, above HiGHS's
NICE = 10
#: sub-MIPs in a row without a better plan after which the search pauses, for a sub-MIP's time
#: doubled with every further one (at most MAX_PAUSE seconds); a better plan ends the pauses
IDLE_ROUNDS, MAX_PAUSE = 2, 60.0
_LIMITS = (highspy.HighsModelStatus.kTimeLimit, highspy.HighsModelStatus.kInterrupt, highspy.HighsModelStatus.kIterationLimit)


@dataclass
class Plan:
    """A feasible solution of the whole model and who found it."""

    objective: float
    x: np.ndarray
    source: str  # "highs", "start", or the search's: "rounding", "rins", "block"


@dataclass
class SearchStats:
    """What the search did: sub-MIPs solved, and the plans it handed to HiGHS."""

    sub_mips: int = 0
    pauses: int = 0
    improvements: list[tuple[float, str, float]] = field(default_factory=list)  # (seconds, source, objective)

    def as_dict(self) -> dict:
        return {
            "sub_mips": self.sub_mips,
            "pauses": self.pauses,
            "improvements": [{"seconds": round(s, 2), "neighbourhood": src, "objective": obj} for s, src, obj in self.improvements],
        }


def _lower_priority() -> None:
    """Run this thread at a lower priority than HiGHS's (Linux: nice is per thread), so the
    search takes only the CPU that HiGHS's own threads leave idle."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICE)
    except (AttributeError, OSError):  # not Linux, or not allowed: the search runs at HiGHS's priority
        pass


class NeighbourhoodSearch:
    """Improve the best known plan of ``comp`` until :meth:`stop` (see the module docstring).

    ``lp``: the model as HiGHS arrays (:meth:`Compiled.to_highs_lp`); ``deadline``: a
    ``time.perf_counter()`` value at which the search stops by itself; ``delay``: seconds to wait
    before the search begins (a MIP solved sooner costs nothing); ``mip_gap``: the gap the whole
    MIP is solved to (HiGHS's default 1e-4 when None): a sub-MIP stops at a quarter of it, since
    proving a neighbourhood's optimum any closer buys the whole solve nothing; ``seed``: the random
    neighbourhoods' seed (same seed, same sequence of neighbourhoods); ``threads``: HiGHS threads.
    """

    def __init__(self, comp: Compiled, lp: highspy.HighsLp, *, deadline: float | None, delay: float = 0.0, mip_gap: float | None = None, seed: int = 0, threads: int | None = None) -> None:
        self._thread = threading.Thread(target=self._run, name="neighbourhood-search", daemon=True)
        self.comp, self.lp, self.deadline, self.delay, self.threads = comp, lp, deadline, delay, threads
        self.sub_gap = max(MIN_SUB_GAP, 0.25 * (1e-4 if mip_gap is None else float(mip_gap)))
        self.binary = np.flatnonzero(comp.integer & (comp.col_lower >= 0) & (comp.col_upper <= 1))
        self.rng = np.random.default_rng(seed)
        self.stats = SearchStats()
        self.share = SHARE
        self.on_plan: Callable[[Plan], None] | None = None  # told of every plan found here (on this thread)
        self._lock = threading.Lock()
        self._halt = threading.Event()
        self._best: Plan | None = None
        self._outbox: Plan | None = None  # a plan found here, not yet handed to HiGHS
        self._relaxed: np.ndarray | None = None
        self._began = time.perf_counter()
        csr = comp.A.tocsr()
        self._rows_of = comp.A  # CSC: column -> rows
        self._cols_of = csr  # CSR: row -> columns
        self._is_binary = np.zeros(comp.n, dtype=bool)
        self._is_binary[self.binary] = True

    # -- exchange with HiGHS (called from its callbacks, on its thread) ---------------------------
    def offer(self, objective: float, x: np.ndarray, source: str = "highs") -> None:
        """A feasible plan found elsewhere (HiGHS's improving solution, a start)."""
        with self._lock:
            if self._best is None or self._better(objective, self._best.objective):
                self._best = Plan(float(objective), np.array(x, dtype=float), source)

    def take(self) -> Plan | None:
        """The plan found here since the last call that HiGHS does not know yet, or None."""
        with self._lock:
            plan, self._outbox = self._outbox, None
            return plan

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """End the search (a sub-MIP under way is interrupted) and wait for its thread."""
        self._halt.set()
        if self._thread.is_alive():
            self._thread.join()

    # -- the search --------------------------------------------------------------------------------
    def _better(self, a: float, b: float) -> bool:
        tol = 1e-9 * max(1.0, abs(b))
        return a > b + tol if self.comp.sense_max else a < b - tol

    def _time_left(self) -> float:
        """Seconds the next solve of the search may take: :data:`SUB_SECONDS`, or less near the deadline."""
        return SUB_SECONDS if self.deadline is None else min(SUB_SECONDS, self.deadline - time.perf_counter())

    def _stopping(self) -> bool:
        return self._halt.is_set() or (self.deadline is not None and time.perf_counter() >= self.deadline)

    def _run(self) -> None:
        _lower_priority()
        if not len(self.binary) or self._halt.wait(self.delay):
            return
        self._relaxed = self._relaxation()
        if self._relaxed is not None and not self._stopping():
            self._rounding(self._relaxed)
        rounds = idle = 0
        while not self._stopping():
            with self._lock:
                best = self._best
            if best is None:
                self._halt.wait(0.2)
                continue
            kind = "rins" if rounds % 2 == 0 and self._relaxed is not None else "block"
            rounds += 1
            free = self._rins(best.x) if kind == "rins" else self._block()
            if not len(free):
                continue
            idle = 0 if self._sub_mip(best, free, kind) else idle + 1
            if idle >= IDLE_ROUNDS:  # not paying: leave both cores to HiGHS for a while
                self.stats.pauses += 1
                self._halt.wait(min(MAX_PAUSE, SUB_SECONDS * 2 ** (idle - IDLE_ROUNDS)))

    def _relaxation(self) -> np.ndarray | None:
        h = self._highs()
        h.passModel(self.lp)
        integer = np.flatnonzero(self.comp.integer).astype(np.int32)
        h.changeColsIntegrality(len(integer), integer, np.full(len(integer), highspy.HighsVarType.kContinuous))
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        return np.asarray(h.getSolution().col_value, dtype=float)

    def _rounding(self, relaxed: np.ndarray) -> None:
        """A first plan from the LP relaxation: binaries rounded and fixed, the rest re-optimised
        (the fix and re-optimise completion of :mod:`.starts`)."""
        limit = self._time_left()
        if limit <= 0.05:
            return
        b = self.binary
        fixed = np.clip(np.round(relaxed[b]), self.comp.col_lower[b], self.comp.col_upper[b])
        h = self._highs()
        h.setOptionValue("mip_rel_gap", max(COMPLETION_GAP, self.sub_gap))
        h.setOptionValue("time_limit", float(limit))
        h.passModel(self.lp)
        h.changeColsBounds(len(b), b.astype(np.int32), fixed, fixed)
        h.run()
        if h.getInfo().primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible:
            self._publish(float(h.getInfo().objective_function_value), h.getSolution().col_value, "rounding")

    def _publish(self, objective: float, x: np.ndarray, kind: str, size: int | None = None) -> bool:
        """Keep a plan found here if it is the best known, to be handed to HiGHS; True if it was."""
        with self._lock:
            if self._best is not None and not self._better(objective, self._best.objective):
                return False
            x = np.array(x, dtype=float)
            x[self.binary] = np.round(x[self.binary])
            self._best = self._outbox = Plan(float(objective), x, kind)
        seconds = time.perf_counter() - self._began
        self.stats.improvements.append((seconds, kind, float(objective)))
        free = "" if size is None else f" ({size} binaries free)"
        log.debug(f"search: {kind}{free} found a plan of {objective:,.2f} at {seconds:.1f}s")
        if self.on_plan is not None:
            self.on_plan(self._best)
        return True

    def _highs(self) -> highspy.Highs:
        """A HiGHS instance for the search's own solves, interrupted as soon as the search stops."""
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        if self.threads is not None:
            h.setOptionValue("threads", int(self.threads))

        def interrupt(event) -> None:
            if self._halt.is_set():
                event.data_in.user_interrupt = True

        h.cbMipInterrupt.subscribe(interrupt)
        h.cbSimplexInterrupt.subscribe(interrupt)
        return h

    def _target(self) -> int:
        return max(1, int(round(self.share * len(self.binary))))

    def _rins(self, x: np.ndarray) -> np.ndarray:
        """Binaries where the plan and the LP relaxation disagree, topped up by blocks around them."""
        b = self.binary
        differ = b[np.abs(x[b] - self._relaxed[b]) > 0.1]
        if len(differ) > self._target():
            return self.rng.choice(differ, self._target(), replace=False)
        return self._grow(list(differ) or [int(self.rng.choice(b))])

    def _block(self) -> np.ndarray:
        return self._grow([int(self.rng.choice(self.binary))])

    def _grow(self, seeds: list[int]) -> np.ndarray:
        """Breadth first from ``seeds`` through shared rows until the target number of binaries is reached."""
        target = self._target()
        A, R = self._rows_of, self._cols_of
        seen_cols = set(seeds)
        seen_rows: set[int] = set()
        free = [j for j in seeds if self._is_binary[j]]
        queue = deque(seeds)
        while queue and len(free) < target:
            j = queue.popleft()
            rows = A.indices[A.indptr[j]:A.indptr[j + 1]]
            for i in self.rng.permutation(rows):
                if i in seen_rows or R.indptr[i + 1] - R.indptr[i] > DENSE_ROW:
                    continue
                seen_rows.add(int(i))
                for k in R.indices[R.indptr[i]:R.indptr[i + 1]]:
                    k = int(k)
                    if k in seen_cols:
                        continue
                    seen_cols.add(k)
                    queue.append(k)
                    if self._is_binary[k]:
                        free.append(k)
                        if len(free) >= target:
                            break
                if len(free) >= target:
                    break
            if not queue and len(free) < target:  # a component exhausted: jump elsewhere
                rest = np.setdiff1d(self.binary, np.fromiter(seen_cols, dtype=np.int64), assume_unique=False)
                if len(rest):
                    k = int(self.rng.choice(rest))
                    seen_cols.add(k)
                    queue.append(k)
                    free.append(k)
        return np.asarray(free, dtype=np.int64)

    def _sub_mip(self, best: Plan, free: np.ndarray, kind: str) -> bool:
        """Solve the neighbourhood ``free`` of ``best``; True if it gave a better plan."""
        fixed = np.setdiff1d(self.binary, free)
        values = np.round(best.x[fixed])
        h = self._highs()
        h.setOptionValue("mip_rel_gap", self.sub_gap)
        limit = self._time_left()
        if limit <= 0.05:
            return False
        h.setOptionValue("time_limit", float(limit))
        h.passModel(self.lp)
        if len(fixed):
            h.changeColsBounds(len(fixed), fixed.astype(np.int32), values, values)
        h.setSolution(self.comp.n, np.arange(self.comp.n, dtype=np.int32), best.x)
        if self._halt.is_set():
            return False
        h.run()
        self.stats.sub_mips += 1
        status = h.getModelStatus()
        info = h.getInfo()
        improved = False
        if info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible:
            improved = self._publish(float(info.objective_function_value), h.getSolution().col_value, kind, len(free))
        if improved:
            return True
        if status in _LIMITS:  # no better plan in time: look closer
            self.share = max(MIN_SHARE, self.share / 1.3)
        else:  # solved (or infeasible) without a better plan: look wider
            self.share = min(MAX_SHARE, self.share * 1.3)
        return False
