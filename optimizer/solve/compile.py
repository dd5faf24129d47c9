r"""A Pyomo model as HiGHS arrays: the one place a model is compiled for HiGHS.

Pyomo's :class:`~pyomo.repn.plugins.standard_form.LinearStandardFormCompiler` turns the active
linear constraints and the objective into sparse matrices in one pass (``mixed_form``: each row
keeps its sense, ranged constraints give two rows). :meth:`Compiled.to_highs_lp` passes those
arrays to HiGHS whole (``Highs.passModel``). On the OR-Library cap instances this is about three
times faster than the row-by-row hand-off of Pyomo's persistent HiGHS interface, which matters
because the benchmarks compare the engine with a model written directly in highspy.

Labels
------
Every column and row has a label that does not depend on the order in which Pyomo or the
compiler happened to number them: by default ``(component name, index)``, or what the model's
own :class:`Labels` say (the freight model labels a route column ``("x", origin, destination,
service)``). Starts (:mod:`.starts`) and conflict explanations (:mod:`.conflicts`) work on labels,
so they carry over between models of different scenarios whose columns differ.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cached_property
from typing import Callable, Hashable

import highspy
import numpy as np
from pyomo.environ import maximize
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

INF = highspy.kHighsInf
#: Pyomo's compiler sets its scipy constructors on first use, one attribute after the other: two
#: threads compiling at once (a Dask worker with two threads) can see a half-set class. Compiling
#: holds the GIL throughout anyway, so one at a time costs nothing.
_COMPILE_LOCK = threading.Lock()

#: (component name, index) -> label
Labeller = Callable[[str, object], Hashable]


def _default_label(family: str, index) -> Hashable:
    return (family, index)


@dataclass(frozen=True)
class Labels:
    """How a model names its columns (variables) and rows (constraints); both default to (name, index)."""

    column: Labeller = _default_label
    row: Labeller = _default_label


def _label_of(component_data, labeller: Labeller) -> Hashable:
    return labeller(component_data.parent_component().local_name, component_data.index())


class Compiled:
    """A Pyomo model as HiGHS arrays, with the maps back to Pyomo objects and the labels of both.

    ``rows`` pairs each array row with its constraint and sense (1: <=, -1: >=, 0: ==); ``A`` is
    the CSC matrix, rows × columns.
    """

    def __init__(self, model, labels: Labels | None = None) -> None:
        with _COMPILE_LOCK:
            sf = LinearStandardFormCompiler().write(model, mixed_form=True, set_sense=None)
        if len(sf.objectives) != 1:
            raise ValueError(f"model must have exactly one active objective, found {len(sf.objectives)}")
        self.labels = labels or Labels()
        self.columns, self.rows = sf.columns, sf.rows
        self.sense_max = sf.objectives[0].sense == maximize
        n, m = len(sf.columns), len(sf.rows)
        self.cost = np.asarray(sf.c.toarray()[0] if n else np.zeros(0), dtype=float)
        self.offset = float(sf.c_offset[0]) if len(sf.c_offset) else 0.0
        rhs = np.asarray(sf.rhs, dtype=float) if m else np.zeros(0)
        sense = np.fromiter((s for _, s in sf.rows), dtype=int, count=m)
        self.row_lower = np.where(sense <= 0, rhs, -INF)
        self.row_upper = np.where(sense >= 0, rhs, INF)
        self.A = sf.A.tocsc()
        self.col_lower, self.col_upper, self.integer = np.empty(n), np.empty(n), np.zeros(n, dtype=bool)
        for j, v in enumerate(sf.columns):
            lb, ub = v.bounds
            self.col_lower[j] = -INF if lb is None else lb
            self.col_upper[j] = INF if ub is None else ub
            self.integer[j] = v.is_integer()

    @property
    def n(self) -> int:
        return len(self.columns)

    @property
    def m(self) -> int:
        return len(self.rows)

    @cached_property
    def col_ids(self) -> list[int]:
        """Identity of each column's Pyomo variable (two compilations of one model have the same)."""
        return [id(v) for v in self.columns]

    @cached_property
    def column_labels(self) -> list[Hashable]:
        return [_label_of(v, self.labels.column) for v in self.columns]

    @cached_property
    def row_labels(self) -> list[Hashable]:
        """One label per array row; the two rows of a ranged constraint are told apart by their sense."""
        return [(_label_of(con, self.labels.row), sense) for con, sense in self.rows]

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
            lp.integrality_ = [highspy.HighsVarType.kInteger if f else highspy.HighsVarType.kContinuous for f in self.integer]
        return lp
