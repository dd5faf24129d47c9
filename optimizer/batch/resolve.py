"""Build a freight model once, then re-solve it for each scenario: the fast path of batch runs.

Building a freight model costs three things: :func:`~optimizer.freight.model.prepare` (the sparse
index sets and coefficients, pandas), making the Pyomo objects, and compiling them into HiGHS
arrays (:class:`~optimizer.solve.Compiled`). Only the first depends on the scenario in a way
that cannot be patched. A :class:`ModelCache` therefore keeps, per worker, the last few built
models with their compiled arrays, and for a new scenario:

1. prepares the scenario's :class:`~optimizer.freight.model.ModelData`;
2. runs the builder's own constraint families on the *built* model in recording mode
   (``FreightModel.recording``, :func:`~optimizer.freight.model.populate`): the same code that
   built the model produces the new bounds, rows and objective, but no Pyomo objects;
3. if every variable family and every constraint has the same size and shape as when the model
   was built, writes those numbers into a copy of the compiled arrays (row and column positions
   are looked up by Pyomo object, so the new rows may even touch other variables) and hands it
   to HiGHS with ``HighsSolver.solve(compiled=...)``;
4. otherwise (the structure changed) builds the model anew and keeps it too.

The arrays HiGHS receives are exactly those a fresh build would compile (the tests compare them
array by array). Without a start (``warm_start=False``) HiGHS therefore returns exactly the
solution of a fresh solve.

Starts from similar scenarios (``warm_start``, on by default)
-------------------------------------------------------------
Each built model keeps the solutions of the scenarios solved on it (at most :data:`POOL`), with
their arrays. A re-solve ranks them by :func:`difference` from the new arrays and hands the
:data:`CANDIDATES` nearest to the solver, which fixes each one's open/closed decisions, re-optimises
the rest in a small MIP and starts HiGHS from the best completion
(:func:`optimizer.solve.complete_start`). On instances/landbridge HiGHS proves its bound at the
root node within a second or two but its own heuristics need seconds more to find a plan that
good; a neighbouring scenario's design, re-optimised, usually is one, and the re-solve ends
after the root (see benchmarks/batch.py for the figures). The result is optimal within the MIP
gap like a fresh solve's, and its objective differs from the fresh one by at most the gap
(either may be the better); when several plans lie within the gap the two may return different
ones. With ``mip_gap`` 0 both are optimal.

Which overrides keep the structure depends on
the data, not on the key: ``demand_scale``, ``train_capacity_teu`` and ``unserved_penalty``
usually do (a hub capacity row appears or vanishes when scaled demand crosses the capacity, and a
penalty below a route's feeder cost drops that route); ``closed_hubs``, ``max_days``,
``single_sourcing``, ``max_open_hubs``, ``max_hubs_per_destination`` and ``return_flows``
usually change which routes, variables or rows exist, so they are rebuilt once per distinct
value and re-solved within it (the runner sends scenarios that share those values to workers
together, see :meth:`structure_key`).

A re-solve that ends infeasible is solved again on a freshly built model, so the conflicting
constraints reported are those of a consistent Pyomo model.
"""

from __future__ import annotations

import copy
import json
import time
from collections import OrderedDict
from dataclasses import dataclass, field, fields, replace

import numpy as np
import pandas as pd
import scipy.sparse as sp
from pyomo.common.gc_manager import PauseGC
from pyomo.environ import Constraint, Var

from ..freight.model import FreightModel, StructureChanged, build_model, populate, prepare
from ..instance.data import Instance
from ..solve import INF, Compiled, HighsSolver, SolveResult

#: solutions kept per built model, and how many of the nearest are tried as starts
POOL = 24
CANDIDATES = 3

#: overrides that only change numbers in the usual case (everything else is assumed structural)
NUMERIC_OVERRIDES = frozenset({"demand_scale", "train_capacity_teu", "unserved_penalty"})


def structure_key(overrides: dict) -> str:
    """Scenarios with the same structural overrides are likely to share one built model."""
    kept = {k: v for k, v in overrides.items() if k not in NUMERIC_OVERRIDES}
    return json.dumps(kept, sort_keys=True, default=str)


def signature(data) -> tuple:
    """A cheap fingerprint of a model's shape: table sizes, counts of every flag column, limit keys.

    Models of different signatures cannot share arrays, so :meth:`ModelCache.arrays` tries only
    built models with the same one (the recording pass still checks everything).
    """
    out: list = []
    for f in fields(data):
        value = getattr(data, f.name)
        if isinstance(value, pd.DataFrame):
            flags = [c for c, t in value.dtypes.items() if t == bool]
            counts = value[flags].to_numpy().sum(axis=0).tolist() if flags else []
            out.append((f.name, len(value), tuple(counts)))
        elif isinstance(value, dict):
            out.append((f.name, tuple(sorted(map(str, value)))))
        elif isinstance(value, bool) or value is None:
            out.append((f.name, value))
    return tuple(out)


@dataclass(frozen=True)
class ColumnIndex:
    """Columns of Pyomo variables, looked up by object identity in bulk (sorted ids, binary search)."""

    ids: np.ndarray  # id(VarData) of every column, sorted
    cols: np.ndarray  # the column of each

    @classmethod
    def of(cls, col_ids: list[int]) -> "ColumnIndex":
        ids = np.asarray(col_ids, dtype=np.int64)
        order = np.argsort(ids, kind="stable")
        return cls(ids[order], order)

    def lookup(self, variables, where: str) -> np.ndarray:
        """The columns of ``variables``; StructureChanged if one is not a column of the built model."""
        ids = np.fromiter(map(id, variables), dtype=np.int64, count=len(variables))
        pos = np.minimum(np.searchsorted(self.ids, ids), len(self.ids) - 1)
        if len(ids) and (not len(self.ids) or not np.array_equal(self.ids[pos], ids)):
            raise StructureChanged(f"{where} uses a variable the built model does not")
        return self.cols[pos] if len(ids) else np.zeros(0, dtype=np.int64)


@dataclass
class Built:
    """A built model, its compiled arrays and the maps from Pyomo objects to array positions."""

    fm: FreightModel
    comp: Compiled
    col: ColumnIndex
    var_cols: dict[str, np.ndarray]  # variable family -> column of each variable (-1: not a column)
    row_pos: dict[str, list[tuple]]  # constraint family -> per row: its array rows (two for a range)
    row_senses: dict[str, list[tuple]]  # constraint family -> per row: the senses of those array rows
    dom_lower: np.ndarray  # column bounds of the variables' domains alone
    dom_upper: np.ndarray
    signature: tuple = ()
    pool: list = field(default_factory=list)  # (arrays, solution) of scenarios solved on this model, oldest first

    def remember(self, comp: Compiled, solver: HighsSolver) -> None:
        """Keep the solution ``solver`` just found for the arrays ``comp`` (at most :data:`POOL`)."""
        x = solver.solution_of(comp)
        if x is None:
            return
        self.pool.append((comp, x))
        del self.pool[:-POOL]

    def starts(self, comp: Compiled) -> list[np.ndarray]:
        """Solutions of the :data:`CANDIDATES` kept scenarios nearest to ``comp``, nearest first."""
        ranked = sorted(self.pool[::-1], key=lambda entry: difference(comp, entry[0]))  # ties: newest first
        return [x for _, x in ranked[:CANDIDATES]]

    @classmethod
    def of(cls, fm: FreightModel, comp: Compiled) -> "Built":
        col = {vid: j for j, vid in enumerate(comp.col_ids)}
        by_con: dict[int, list] = {}
        for r, (con, sense) in enumerate(comp.rows):
            by_con.setdefault(id(con), []).append((r, sense))
        model = fm.model
        var_cols = {
            v.local_name: np.fromiter((col.get(id(x), -1) for x in v.values()), dtype=np.int64, count=len(v))
            for v in model.component_objects(ctype=Var)
            if len(v)
        }
        pos = {
            c.local_name: [by_con.get(id(con), ()) for con in c.values()]
            for c in model.component_objects(ctype=Constraint, active=True)
        }
        dom = [v.domain.bounds() for v in comp.columns]
        return cls(
            fm=fm,
            comp=comp,
            col=ColumnIndex.of(comp.col_ids),
            var_cols=var_cols,
            row_pos={k: [tuple(r for r, _ in p) for p in rows] for k, rows in pos.items()},
            row_senses={k: [tuple(s for _, s in p) for p in rows] for k, rows in pos.items()},
            dom_lower=np.array([-INF if lb is None else lb for lb, _ in dom], dtype=float),
            dom_upper=np.array([INF if ub is None else ub for _, ub in dom], dtype=float),
            signature=signature(fm.data),
        )


class ModelCache:
    """The freight models one worker (thread) has built, newest first; at most ``size`` per plan kind."""

    def __init__(self, size: int = 3, *, warm_start: bool = True) -> None:
        self.size = size
        self.warm_start = warm_start
        self.entries: dict[bool, OrderedDict[int, Built]] = {False: OrderedDict(), True: OrderedDict()}
        self.builds = 0
        self.reuses = 0
        self.last_reused = {False: False, True: False}  # per plan kind: did the last solve re-solve?

    @property
    def last_plan_reused(self) -> bool:
        """The last optimised plan was re-solved on a model built for an earlier scenario."""
        return self.last_reused[False]

    def arrays(self, instance: Instance, *, baseline: bool) -> tuple[FreightModel, Compiled, Built | None]:
        """The model and compiled arrays of ``instance``'s plan: a built model re-targeted when one fits
        (returned as the third item), else a new build (None)."""
        t0 = time.perf_counter()
        entries = self.entries[baseline]
        with PauseGC():  # many small objects, no cycles: collecting is wasted time (as in build_model)
            data = prepare(instance, baseline=baseline)
            sig = signature(data)
            for key in reversed(list(entries)):
                built = entries[key]
                if built.signature != sig:
                    continue
                try:
                    fm, comp = update(built, data)
                except StructureChanged:
                    continue
                fm.build_seconds = time.perf_counter() - t0
                entries.move_to_end(key)
                self.reuses += 1
                self.last_reused[baseline] = True
                return fm, comp, built
        fm = build_model(instance, baseline=baseline)
        self.builds += 1
        self.last_reused[baseline] = False
        return fm, Compiled(fm.model), None

    def solve(self, instance: Instance, *, baseline: bool, solver: HighsSolver) -> tuple[FreightModel, SolveResult]:
        """Solve the plan of ``instance``: re-solve a built model when the structure allows, else build.

        Returns the model whose variables hold the solution (its ``data`` is the scenario's) and
        the solver result, as ``build_model`` followed by ``solver.solve`` would.
        """
        fm, comp, built = self.arrays(instance, baseline=baseline)
        if built is not None:
            starts = built.starts(comp) if self.warm_start else ()
            res = solver.solve(fm.model, compiled=comp, warm_start=False, starts=starts)
            if res.status != "infeasible":
                built.fm = fm
                built.remember(comp, solver)
                return fm, res
            fm = build_model(instance, baseline=baseline)  # explain the infeasibility on a consistent model
            comp = Compiled(fm.model)
        res = solver.solve(fm.model, compiled=comp, warm_start=False)
        self.keep(fm, comp, baseline).remember(comp, solver)
        return fm, res

    def keep(self, fm: FreightModel, comp: Compiled, baseline: bool) -> Built:
        """Remember a freshly built model (dropping the least recently used beyond ``size``)."""
        entries = self.entries[baseline]
        built = entries[id(fm)] = Built.of(fm, comp)
        while len(entries) > self.size:
            entries.popitem(last=False)
        return built


def difference(a: Compiled, b: Compiled) -> float:
    r"""How far apart two arrays of one model are: the sum of relative L1 changes

    .. math::

        \frac{\lVert c - c' \rVert_1}{\lVert c \rVert_1} + \frac{\lVert A - A' \rVert_1}{\lVert A \rVert_1}
        + \sum_{v \in \{l, u, L, U\}} \frac{\lVert v - v' \rVert_1}{\lVert v \rVert_1}

    over costs, matrix entries, column bounds and row bounds (infinite bounds count as 0). Scenarios
    that differ in a few numbers are near; the solution of a near one is the most promising start.
    """
    total = 0.0
    for u, v in ((a.cost, b.cost), (a.col_lower, b.col_lower), (a.col_upper, b.col_upper), (a.row_lower, b.row_lower), (a.row_upper, b.row_upper)):
        fu, fv = np.where(np.abs(u) >= INF, 0.0, u), np.where(np.abs(v) >= INF, 0.0, v)
        total += float(np.abs(fu - fv).sum()) / max(float(np.abs(fu).sum()), 1e-12)
    return total + float(np.abs((a.A - b.A).data).sum()) / max(float(np.abs(a.A.data).sum()), 1e-12)


def update(built: Built, data) -> tuple[FreightModel, Compiled]:
    """The built model re-targeted at ``data`` and its new compiled arrays; StructureChanged if it does not fit."""
    fm = replace(built.fm, data=data, recording=[], row_keys={})
    populate(fm, data)
    recording, fm.recording = fm.recording, None
    return fm, assemble(built, recording)


def assemble(built: Built, recording: list) -> Compiled:
    """Compiled arrays of the built model with the recorded bounds, rows and objective."""
    comp, col = built.comp, built.col
    n, m = comp.n, comp.m
    col_lower, col_upper = built.dom_lower.copy(), built.dom_upper.copy()
    row_lower, row_upper = np.full(m, -INF), np.full(m, INF)
    cost, offset = np.zeros(n), 0.0
    parts: list[tuple[np.ndarray, list, list]] = []
    var_names, row_names = set(), set()
    for entry in recording:
        kind = entry[0]
        if kind == "vars":
            _, name, lower, upper = entry
            var_names.add(name)
            _bounds(built.var_cols[name], lower, upper, col_lower, col_upper)
        elif kind == "rows":
            _, name, rows = entry
            row_names.add(name)
            parts.append(_rows(name, rows, built, row_lower, row_upper))
        else:
            _, terms, offset = entry
            coefs, cols = _columns(col, terms, "the objective")
            np.add.at(cost, cols, coefs)
    if var_names != built.var_cols.keys() or row_names != built.row_pos.keys():
        raise StructureChanged("other variable or constraint families than the built model's")
    r_idx = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, dtype=np.int64)
    c_idx = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, dtype=np.int64)
    vals = np.concatenate([p[2] for p in parts]) if parts else np.zeros(0)
    new = copy.copy(comp)
    new.cost, new.offset = cost, float(offset)
    new.col_lower, new.col_upper = col_lower, col_upper
    new.row_lower, new.row_upper = row_lower, row_upper
    A = sp.csc_matrix((vals, (r_idx, c_idx)), shape=(m, n))
    A.eliminate_zeros()
    new.A = A
    return new


def _columns(col: ColumnIndex, terms: list, where: str) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients and column positions of ``[(coef, var), ...]``."""
    if not terms:
        return np.zeros(0), np.zeros(0, dtype=np.int64)
    coefs, variables = zip(*terms)
    return np.asarray(coefs, dtype=float), col.lookup(variables, where)


def _bounds(cols: np.ndarray, lower, upper, col_lower: np.ndarray, col_upper: np.ndarray) -> None:
    """Column bounds as Pyomo makes them: the tighter of the domain's and the explicit bound."""
    used = cols >= 0
    j = cols[used]
    if lower is not None:
        col_lower[j] = np.maximum(col_lower[j], np.asarray(lower, dtype=float)[used])
    if upper is not None:
        col_upper[j] = np.minimum(col_upper[j], np.asarray(upper, dtype=float)[used])


#: the rows the compiler makes of ``lo <= e <= hi``: (lo is None, hi is None, lo == hi) -> senses
_SENSES = {(True, False, False): (1,), (False, True, False): (-1,), (False, False, True): (0,), (False, False, False): (1, -1)}


def _rows(name: str, rows: list, built: Built, row_lower, row_upper) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One constraint family's recorded rows: bounds into the arrays, (row, column, value) triplets returned."""
    pos_list, sense_list = built.row_pos.get(name), built.row_senses.get(name)
    if pos_list is None or len(pos_list) != len(rows):
        raise StructureChanged(f"{name} changed size")
    starts, lens, terms_all = [], [], []
    for i, ((lo, terms, hi), pos, senses) in enumerate(zip(rows, pos_list, sense_list)):
        if _SENSES.get((lo is None, hi is None, lo is not None and lo == hi)) != senses:
            raise StructureChanged(f"{name}[{i}] changed shape")
        for r, sense in zip(pos, senses):
            if sense >= 0:
                row_upper[r] = hi
            if sense <= 0:
                row_lower[r] = lo
            starts.append(r)
            lens.append(len(terms))
            terms_all.extend(terms)
    coefs, cols = _columns(built.col, terms_all, name)
    return np.repeat(np.asarray(starts, dtype=np.int64), lens), cols, coefs
