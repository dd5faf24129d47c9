"""What a schedule means for the policy constraints: which bind and what relaxing them is worth
(from the LP duals), which a written rule breaks, and which conflict when no split exists."""

from __future__ import annotations

from typing import Callable

from pyomo.environ import ConcreteModel, Constraint, Objective, value

from ...solve import SolveResult, deletion_filter
from .model import POLICY_FAMILIES, EnclaveModel

DUAL_TOL = 1e-9  # duals smaller than this count as zero
STRUCTURAL = ("share_sum", "statistic_follows")  # families every split satisfies (not policy)


def policy_rows(m: ConcreteModel):
    """(family, row) of every active policy constraint row, family by family."""
    for name in POLICY_FAMILIES:
        con = m.component(name)
        if con is not None:
            for c in con.values():
                if c.active:
                    yield name, c


def binding_rows(em: EnclaveModel, r: SolveResult, objective_text: str, maximise: bool) -> tuple[list[dict], list[str]]:
    """Policy constraints that bind (hold with equality and have a non-zero dual), with their dual
    values and what relaxing each by one unit is worth; and the descriptions of the rows that hold
    with equality but whose relaxation alone is worth nothing (dual 0)."""
    out = []
    tight: list[str] = []
    for family, con in policy_rows(em.model):
        body = value(con.body)
        tol = 1e-7 * max(1.0, abs(con.ub if con.has_ub() else con.lb))
        if con.has_ub() and abs(con.ub - body) <= tol:
            side = "upper"
        elif con.has_lb() and abs(body - con.lb) <= tol:
            side = "lower"
        else:
            continue
        dual = r.dual(con) or 0.0
        desc = em.describe(con.name)
        if abs(dual) <= DUAL_TOL:
            tight.append(desc)
            continue
        per_unit = dual if side == "upper" else -dual  # change of the objective per unit of relaxation
        worth = per_unit if maximise else -per_unit
        step, step_text = (0.01, "one percentage point") if POLICY_FAMILIES[family][1] == "share" else (1.0, "1")
        change = per_unit * step
        verb = "raises" if change > 0 else "lowers"
        sentence = f"{desc}: binding; relaxing it by {step_text} {verb} {objective_text} by {abs(change):.4g}"
        out.append(
            {
                "constraint": con.name,
                "family": family,
                "description": desc,
                "dual": dual,
                "value_of_relaxing": worth,
                "explanation": sentence,
            }
        )
    out.sort(key=lambda b: -abs(b["value_of_relaxing"]))
    return out, tight


def check(em: EnclaveModel) -> tuple[list[dict], list[dict]]:
    """Evaluate the policy constraints at the (fixed) schedule: violations and a per-family summary."""
    violations = [{"constraint": None, "family": None, "description": text, "shortfall": None} for text in em.constant_conflicts]
    counts: dict[str, list[int]] = {}
    for family, con in policy_rows(em.model):
        body = value(con.body)
        over = body - con.ub if con.has_ub() else 0.0
        under = con.lb - body if con.has_lb() else 0.0
        excess = max(over, under, 0.0)
        bound = con.ub if con.has_ub() and (not con.has_lb() or over >= under) else con.lb
        n = counts.setdefault(family, [0, 0])
        n[0] += 1
        if excess > 1e-9 * max(1.0, abs(bound)):
            n[1] += 1
            violations.append(
                {"constraint": con.name, "family": family, "description": em.describe(con.name), "shortfall": excess}
            )
    checks = [
        {"family": f, "description": POLICY_FAMILIES[f][0], "rows": n, "violated": v, "status": "violated" if v else "satisfied"}
        for f, (n, v) in counts.items()
    ]
    return violations, checks


def conflict(em: EnclaveModel, feasibility: Callable[[], SolveResult]) -> list[str]:
    """The constraints of an irreducible infeasible subset, in plain words.

    The structure every schedule has (shares in [0, 1] adding up to 1, statistics following a
    money stream) is held fixed; among the other rows the grouped deletion filter of the solver
    layer (:func:`optimizer.solve.deletion_filter`) finds a subset that is infeasible together
    with that structure while dropping any one of its rows makes it feasible. Each test is
    ``feasibility()``, an LP with a zero objective. (:func:`optimizer.solve.conflicting_constraints`
    is not used: HiGHS 1.16's IIS routine crashes the process on some of these models.)
    """
    m = em.model
    m.objective.deactivate()
    m.feasibility = Objective(expr=0.0)
    candidates = [c for c in m.component_data_objects(Constraint, active=True) if c.parent_component().local_name not in STRUCTURAL]

    def infeasible_without(group: list) -> bool:
        for c in group:
            c.deactivate()
        if feasibility().status == "infeasible":
            return True
        for c in group:
            c.activate()
        return False

    try:
        needed = deletion_filter(candidates, infeasible_without)
    finally:
        for c in candidates:
            c.activate()
        m.del_component("feasibility")
        m.objective.activate()
    reasons = [em.describe(c.name) for c in needed]
    reasons.append("(with what every split satisfies: each share between 0 and 1, the shares of a stream and year adding up to 1)")
    return reasons
