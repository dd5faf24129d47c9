r"""Starts: earlier solutions, kept by column label, turned into a first incumbent for a new MIP.

A :class:`StartPool` keeps the solutions of models solved before (earlier scenarios of a batch,
earlier coalitions of a game, earlier calls of the API) with a fingerprint of each model, all by
label (:mod:`.compile`). For a new model it ranks them by :func:`distance` and lines the nearest
up with the new model's columns: a column the earlier model did not have starts at zero (a
service of a hub that was closed there stays closed), a column it had that the new one lacks is
dropped. So a scenario that closes a hub or tightens a transit limit still starts from its
neighbours' plans.

A lined-up solution is rarely feasible as it stands (demand, capacities and bounds changed), so it
is completed by *fix and re-optimise* (:func:`complete_start`): with :math:`B` the binary columns,

.. math::

    \hat x^k = \arg\min \{ c^\top x : x \text{ feasible for this model},\
    x_j = \operatorname{round}(x^k_j)\ \forall j \in B \}

is a small MIP (the open/closed decisions are fixed, train counts and flows re-optimised),
feasible for this model by construction, so its solution is a valid incumbent. The best
:math:`\hat x^k` goes to HiGHS with ``setSolution``. When no earlier design is feasible as it stands
(a scenario that allows one hub per destination where its neighbours used two, shorter trains
that cannot carry a fixed routing), the designs are relaxed to their union: only the binaries that
are 0 in every candidate are fixed,

.. math::

    \hat x = \arg\min \{ c^\top x : x \text{ feasible for this model},\
    x_j = 0\ \forall j \in B \text{ with } \operatorname{round}(x^k_j) = 0\ \forall k \}

a MIP over the sites and services some neighbour used, which chooses among them. When HiGHS's own heuristics are what keeps it
from stopping (its bound is within the gap early but no plan that good is known yet, typical of
the freight MIPs) this turns a solve of seconds into one of a few LP solves. The result is then,
like any MIP result, optimal within ``mip_gap``; it need not be the same solution a solve without
a start returns when several plans are within the gap. A partial start (only the binaries, HiGHS
completing it) was measured and is slower: HiGHS completes it with its own sub-MIP limits and then
searches as without one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Hashable, Sequence

import highspy
import numpy as np

from .compile import INF, Compiled

#: solutions kept by a pool, and how many of the nearest are tried as starts
POOL = 24
CANDIDATES = 3
#: loosest relative gap a completion is solved to: a start needs to be good, not proven (the MIP it
#: starts proves). Solving completions to a gap of 0 made the consolidation game's coalition MIPs
#: (about 1 s each, gap 0) 45 % slower with starts than without; at 1e-3 they are 5 % faster.
COMPLETION_GAP = 1e-3


@dataclass
class _Side:
    """Columns or rows of one model by label id: sorted ids, the position of each, and its numbers."""

    ids: np.ndarray  # label ids, sorted
    order: np.ndarray  # position (column or row) of each sorted id
    values: np.ndarray  # numbers × positions: what distance() compares
    total: np.ndarray  # sum of |values| per number

    @classmethod
    def of(cls, ids: np.ndarray, values: np.ndarray) -> "_Side":
        order = np.argsort(ids, kind="stable")
        return cls(ids[order], order, values, np.abs(values).sum(axis=1))

    def align(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each id: whether this side has it, and its position here (0 where not)."""
        if not len(self.ids):
            return np.zeros(len(ids), dtype=bool), np.zeros(len(ids), dtype=np.int64)
        pos = np.minimum(np.searchsorted(self.ids, ids), len(self.ids) - 1)
        found = self.ids[pos] == ids
        return found, np.where(found, self.order[pos], 0)


@dataclass
class _Entry:
    cols: _Side
    rows: _Side
    x: np.ndarray  # the solution, by column of the model it was found for


def _finite(v: np.ndarray) -> np.ndarray:
    return np.where(np.abs(v) >= INF, 0.0, v)


class StartPool:
    """Solutions of earlier models, kept by label; the nearest become starts of the next one.

    ``size``: solutions kept (the oldest is dropped); ``candidates``: how many of the nearest are
    completed (:func:`complete_start`) for each new model.
    """

    def __init__(self, size: int = POOL, candidates: int = CANDIDATES) -> None:
        self.size = size
        self.candidates_per_solve = candidates
        self._ids: dict[Hashable, int] = {}
        self._entries: list[_Entry] = []

    def __len__(self) -> int:
        return len(self._entries)

    def _label_ids(self, labels: list[Hashable]) -> np.ndarray:
        ids = self._ids
        return np.fromiter((ids.setdefault(label, len(ids)) for label in labels), dtype=np.int64, count=len(labels))

    def _sides(self, comp: Compiled) -> tuple[_Side, _Side]:
        col_values = np.vstack([_finite(comp.cost), _finite(comp.col_lower), _finite(comp.col_upper), np.asarray(abs(comp.A).sum(axis=0)).ravel()])
        row_values = np.vstack([_finite(comp.row_lower), _finite(comp.row_upper)])
        return (
            _Side.of(self._label_ids(comp.column_labels), col_values),
            _Side.of(self._label_ids(comp.row_labels), row_values),
        )

    def add(self, comp: Compiled, x: np.ndarray) -> None:
        """Keep ``x``, a solution of the model ``comp`` (at most ``size`` are kept, newest last)."""
        cols, rows = self._sides(comp)
        self._entries.append(_Entry(cols, rows, np.asarray(x, dtype=float).copy()))
        del self._entries[: -self.size]

    def candidates(self, comp: Compiled) -> list[np.ndarray]:
        """The kept solutions nearest to ``comp`` (at most ``candidates``), nearest first, each lined up
        with ``comp``'s columns (columns the earlier model lacked are 0)."""
        if not self._entries:
            return []
        cols, rows = self._sides(comp)
        ranked = []
        for age, entry in enumerate(reversed(self._entries)):  # ties: newest first
            ranked.append((distance(cols, rows, entry), age, entry))
        ranked.sort(key=lambda r: (r[0], r[1]))
        out = []
        for _, _, entry in ranked[: self.candidates_per_solve]:
            found, pos = entry.cols.align(cols.ids)
            x = np.zeros(comp.n)
            x[cols.order] = np.where(found, entry.x[pos], 0.0)
            out.append(x)
        return out


def distance(cols: _Side, rows: _Side, entry: _Entry) -> float:
    r"""How far an earlier model is from this one: the sum of relative L1 changes

    .. math::

        \sum_{v} \frac{\lVert v - v' \rVert_1}{\lVert v \rVert_1}

    over the costs, column bounds and column norms :math:`\sum_i |a_{ij}|` (by column label) and
    the row bounds (by row label), infinite bounds counted as 0; a label only one model has counts
    with its whole value. Scenarios that differ in a few numbers are near; the solution of a near
    one is the most promising start.
    """
    total = 0.0
    for mine, theirs in ((cols, entry.cols), (rows, entry.rows)):
        found, pos = theirs.align(mine.ids)
        here = mine.values[:, mine.order]
        there = np.where(found, theirs.values[:, pos], 0.0)
        only_there = theirs.total - np.abs(there).sum(axis=1)
        diff = np.abs(here - there).sum(axis=1) + only_there
        total += float((diff / np.maximum(mine.total, 1e-12)).sum())
    return total


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

    For each candidate (a value per column of ``comp``) the binary columns are fixed to its rounded
    values and the rest of the MIP (general integers, continuous columns) is solved with HiGHS, to
    the larger of ``mip_gap`` and :data:`COMPLETION_GAP`, within a share of ``time_limit`` seconds.
    Candidates whose binaries repeat an earlier one's are skipped. When none is feasible, the MIP
    restricted to the union of their designs (binaries 0 in every candidate fixed at 0, the others
    free) gets the time left. Returns (objective, column values) of the best feasible
    completion: a feasible solution of ``comp`` itself. ``lp``: the model as
    :meth:`Compiled.to_highs_lp` makes it, when the caller has it already.
    """
    binary = np.flatnonzero(comp.integer & (comp.col_lower >= 0) & (comp.col_upper <= 1))
    lower, upper = comp.col_lower[binary], comp.col_upper[binary]
    lp = comp.to_highs_lp() if lp is None else lp
    deadline = time.perf_counter() + time_limit
    gap = max(COMPLETION_GAP, float(mip_gap or 0.0))
    best: tuple[float, np.ndarray] | None = None
    seen: set[bytes] = set()
    designs = [np.clip(np.round(np.asarray(x, dtype=float)[binary]), lower, upper) for x in candidates if len(x) == comp.n]
    for i, fixed in enumerate(designs):
        left = deadline - time.perf_counter()
        if left <= 0:
            break
        key = fixed.tobytes()
        if key in seen:
            continue
        seen.add(key)
        found = _solve_restricted(lp, binary, fixed, fixed, gap=gap, time_limit=left / (len(designs) - i), threads=threads)
        if found is not None and (best is None or (found[0] > best[0] if comp.sense_max else found[0] < best[0])):
            best = found
    left = deadline - time.perf_counter()
    if best is None and designs and len(binary) and left > 0:
        used = np.max(designs, axis=0)  # 1 where some candidate has the binary at 1
        best = _solve_restricted(lp, binary, np.minimum(lower, used), np.minimum(upper, used), gap=gap, time_limit=left, threads=threads)
    return best


def _solve_restricted(
    lp: highspy.HighsLp, binary: np.ndarray, lower: np.ndarray, upper: np.ndarray, *, gap: float, time_limit: float, threads: int | None
) -> tuple[float, np.ndarray] | None:
    """The MIP ``lp`` with the columns ``binary`` bounded to [lower, upper]: (objective, column values)
    of the best plan HiGHS finds within ``time_limit`` seconds and relative ``gap``, or None."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", gap)
    h.setOptionValue("time_limit", time_limit)
    if threads is not None:
        h.setOptionValue("threads", int(threads))
    h.passModel(lp)
    if len(binary):
        h.changeColsBounds(len(binary), binary.astype(np.int32), lower, upper)
    h.run()
    info = h.getInfo()
    if info.primal_solution_status != highspy.SolutionStatus.kSolutionStatusFeasible:
        return None
    return float(info.objective_function_value), np.asarray(h.getSolution().col_value, dtype=float)
