r"""Why a model has no solution: the constraints that conflict, found three ways.

* :func:`conflicting_constraints`: an irreducible infeasible subsystem (IIS) of the LP relaxation
  found by HiGHS in a child process (HiGHS 1.16's IIS routine crashes the process on some small
  LPs), else the rows of a Farkas certificate from an elastic LP (:func:`_min_violation_rows`).
* :func:`deletion_filter`: the classic grouped deletion filter over any set of items (rows,
  families, policy clauses) given a feasibility test; it needs no IIS routine at all, which makes
  it the method of choice for the small LPs of the sharing models.
"""

from __future__ import annotations

from typing import Callable, Sequence, TypeVar

import highspy
import numpy as np

from .compile import INF, Compiled

T = TypeVar("T")


def deletion_filter(items: Sequence[T], infeasible_without: Callable[[list[T]], bool]) -> list[T]:
    r"""An irreducible infeasible subset of ``items``: infeasible together, feasible without any one.

    ``infeasible_without(group)`` removes every item of ``group`` (on top of those removed before),
    tests, and answers whether the problem is still infeasible; if it is not, it puts the group
    back before answering. Items are tried in halving groups: a group whose removal keeps the
    problem infeasible stays removed, otherwise it is split until single items remain, each of
    which is then known to be needed. With k needed items among N this takes O(k log N) tests
    instead of N.

    Precondition: the problem with every item is infeasible. The result keeps the order of ``items``.
    """
    needed: list[T] = []
    remaining = list(items)
    chunk = len(remaining)
    while remaining:
        group = remaining[:chunk]
        if infeasible_without(group):  # the group is not needed for the conflict
            remaining = remaining[chunk:]
            chunk = max(1, min(chunk, len(remaining)))
            continue
        if chunk == 1:
            needed.append(group[0])
            remaining = remaining[1:]
            chunk = max(1, len(remaining) // 2)
        else:
            chunk = max(1, chunk // 2)
    return needed


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
