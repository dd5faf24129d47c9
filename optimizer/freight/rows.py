"""The built freight model and the few helpers every constraint family writes its rows with.

:class:`FreightModel` holds the Pyomo model, its data (:mod:`.prepare`) and the variables in row
order of the data; :func:`add_rows` and :func:`new_vars` add one family's rows or columns from plain
lists (one linear expression per row: much faster than Pyomo rules over index sets), recording a
key per row for :mod:`.labels` and :mod:`.explain`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from pyomo.core.expr.numeric_expr import LinearExpression, MonomialTermExpression
from pyomo.core.expr.relational_expr import EqualityExpression, InequalityExpression
from pyomo.environ import ConcreteModel, Constraint, Var

from .prepare import ModelData


@dataclass
class FreightModel:
    """A built model: the Pyomo model, its data and the variables in row order of the data."""

    model: ConcreteModel
    data: ModelData
    x: list = field(default_factory=list)
    xr: list = field(default_factory=list)
    u: list = field(default_factory=list)
    ur: list = field(default_factory=list)
    n: dict = field(default_factory=dict)  # service position -> VarData
    y: dict = field(default_factory=dict)  # service position -> VarData
    w: dict = field(default_factory=dict)  # hub position -> VarData
    v: dict = field(default_factory=dict)  # group position -> VarData
    z: list = field(default_factory=list)
    z_keys: list = field(default_factory=list)  # (pair, hub) per z
    row_keys: dict = field(default_factory=dict)  # constraint name -> key per index (positions in data)
    build_seconds: float = 0.0

    @property
    def baseline(self) -> bool:
        return self.data.baseline




def linear(terms) -> LinearExpression:
    """``terms`` = [(coef, var), ...] → LinearExpression (a coefficient 1 keeps the bare variable)."""
    return LinearExpression([v if c == 1.0 else MonomialTermExpression((c, v)) for c, v in terms])


def add_rows(fm: FreightModel, name: str, rows: list, keys: list) -> None:
    """Add ``Constraint`` ``name`` over ``range(len(rows))``; a row is (lower, terms, upper).

    A row is ``terms <= upper`` (``lower`` None) or ``terms == upper`` (``lower == upper``): every
    family is written in one of these two forms. ``keys`` (one per row) let :func:`explain` name
    what a row stands for.
    """
    if not rows:
        return
    built = []
    for lo, terms, hi in rows:  # relational expressions made directly: twice as fast as (lo, e, hi) tuples
        e = linear(terms)
        built.append(InequalityExpression((e, hi), False) if lo is None else EqualityExpression((e, hi)))
    fm.model.add_component(name, Constraint(range(len(built)), rule=lambda _m, i: built[i]))
    fm.row_keys[name] = keys


def new_vars(fm: FreightModel, name: str, n: int, domain, lower=None, upper=None) -> list:
    """``Var(range(n))`` with per-element bounds from the lists ``lower``/``upper``; returns the VarData list."""
    if n == 0:
        return []
    comp = Var(range(n), domain=domain)
    fm.model.add_component(name, comp)
    out = list(comp.values())
    if lower is not None:
        for var, lb in zip(out, lower):
            var.setlb(float(lb))
    if upper is not None:
        for var, ub in zip(out, upper):
            var.setub(None if not math.isfinite(ub) else float(ub))
    return out
