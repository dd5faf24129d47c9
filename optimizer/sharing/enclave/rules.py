"""The five sharing rules, each a sequence of LPs on the shares model (see :mod:`optimizer.sharing.enclave`)."""

from __future__ import annotations

import logging
import math
from typing import Callable

from pyomo.environ import Block, Constraint, ConstraintList, NonNegativeReals, Objective, Var, maximize, minimize, value

from ...errors import InfeasibleError, InputError, OptimizerError, Problem
from ...logs import RunLog
from ...solve import HighsSolver, SolveResult
from ..case import Case
from .analysis import binding_rows, check, conflict
from .model import REL_TOL, build_model, describe_rows
from .result import EnclaveResult
from .written_rule import fixed_shares

RULES = ("fixed", "proportional", "nash", "kalai-smorodinsky", "egalitarian")
#: tighter than HiGHS's defaults (1e-7): nash's tangent cuts meet at shallow angles near the optimum
log = logging.getLogger(__name__)

HIGHS_OPTIONS = {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}


class RuleRun:
    """One rule applied to one case: the model, the solver and the bookkeeping of its LPs."""

    def __init__(self, case: Case, rule: str, ir: bool | None = None) -> None:
        self.case = case
        self.rule = rule
        self.em = build_model(case, individual_rationality=ir)
        self.m = self.em.model
        self.solver = HighsSolver(options=HIGHS_OPTIONS)
        self.lps = 0
        self.seconds = 0.0
        self.scale = max(case.total_npv, 1.0)
        self.tol = REL_TOL * self.scale

    def objective(self, expr, sense) -> None:
        if self.m.component("objective") is not None:
            self.m.del_component("objective")
        self.m.objective = Objective(expr=expr, sense=sense)

    def block(self, name: str) -> Block:
        """A fresh (empty) block ``name``, replacing an earlier one."""
        if self.m.component(name) is not None:
            self.m.del_component(name)
        self.m.add_component(name, Block())
        return self.m.component(name)

    def _lp(self, duals: bool = True) -> SolveResult:
        r = self.solver.solve(self.m, duals=duals)
        self.lps += 1
        self.seconds += r.handoff_seconds + r.solve_seconds
        return r

    def solve(self, purpose: str) -> SolveResult:
        if self.em.constant_conflicts:
            raise InfeasibleError(
                f"case {self.case.name!r}: no split satisfies the constraints (rule {self.rule})",
                list(self.em.constant_conflicts),
            )
        r = self._lp()
        if r.status == "infeasible":
            raise InfeasibleError(
                f"case {self.case.name!r}: no split satisfies the constraints (rule {self.rule}, {purpose}; "
                f"the money to share is worth {self.case.total_npv:.6g} in NPV); these conflict",
                conflict(self.em, lambda: self._lp(duals=False)),
            )
        if r.status != "optimal":
            raise OptimizerError(f"HiGHS stopped with status {r.status!r} ({r.termination}) while {purpose}")
        return r

    def shares(self) -> dict[str, dict[str, list[float]]]:
        m = self.m
        return {
            s: {p: [min(1.0, max(0.0, value(m.share[p, s, t]))) for t in m.Y] for p in m.P}
            for s in m.S
        }

    def stats(self) -> dict:
        return {"lps": self.lps, "seconds": round(self.seconds, 4)}


def _l1_deviation(run: RuleRun, blk: Block, target: Callable) -> None:
    r"""On ``blk``: :math:`\sigma_{p,s,t} - \mathrm{target}(p,s) = u^+_{p,s,t} - u^-_{p,s,t}` over money streams,
    and the objective :math:`\min \sum (u^+ + u^-)`."""
    m = run.m
    blk.up = Var(m.P, m.M, m.Y, within=NonNegativeReals)
    blk.down = Var(m.P, m.M, m.Y, within=NonNegativeReals)
    blk.deviation = Constraint(
        m.P, m.M, m.Y, rule=lambda b, p, s, t: m.share[p, s, t] - target(p, s) == b.up[p, s, t] - b.down[p, s, t]
    )
    run.objective(sum(blk.up[i] + blk.down[i] for i in blk.up), minimize)


def _flatten(run: RuleRun, f: dict, floors: dict[str, float], tol: float) -> None:
    """Among schedules with ``f[p] >= floors[p] - tol``, load the flattest: the least L1 deviation
    of each party's shares of the money streams from one constant level per party."""
    m = run.m
    blk = run.block("flat")
    blk.level = Var(m.P, bounds=(0.0, 1.0))
    blk.keep = Constraint(m.P, rule=lambda b, p: f[p] >= floors[p] - tol)
    describe_rows(run.em, blk.keep, lambda p: f"{p} keeps its payoff under the rule (at least {floors[p]:g})")
    _l1_deviation(run, blk, lambda p, s: blk.level[p])
    run.solve("choosing the flattest schedule with these payoffs")


def _solve_fixed(run: RuleRun) -> EnclaveResult:
    case = run.case
    if case.fixed_rule is None:
        raise InputError([Problem(case.source, "fixed_rule: missing; --rule fixed evaluates the rule written there")], source=case.source)
    shares, notes = fixed_shares(case)
    for s, ps in shares.items():
        for p, vals in ps.items():
            for t, v in enumerate(vals, start=1):
                run.m.share[p, s, t].fix(v)
    violations, checks = check(run.em)
    if violations:
        notes.append(f"the written rule breaks {len(violations)} policy constraint row(s); see violations")
    return EnclaveResult(case, "fixed", "evaluated", shares, violations=violations, checks=checks, notes=notes)


def _solve_proportional(run: RuleRun) -> EnclaveResult:
    case = run.case
    total = sum(p.contribution for p in case.parties)
    if total <= 0:
        raise InputError(
            [Problem(case.source, "parties[*].contributions: all zero; proportional needs valued contributions")], source=case.source
        )
    target = {p.id: p.contribution / total for p in case.parties}
    blk = run.block("proportional")
    _l1_deviation(run, blk, lambda p, s: target[p])
    text = "the total deviation from the contribution shares"
    r = run.solve("following the contribution shares")
    binding, tight = binding_rows(run.em, r, text, maximise=False)
    return EnclaveResult(
        case,
        "proportional",
        "optimal",
        run.shares(),
        objective={"value": r.objective, "sense": "min", "description": text},
        binding=binding,
        also_tight=tight,
        extra={"target_shares": target},
    )


def _solve_nash(run: RuleRun, tol: float, max_iterations: int) -> EnclaveResult:
    case, m = run.case, run.m
    beta = {p.id: p.weight for p in case.parties}
    eps = 1e-6 * run.scale
    blk = run.block("nash")
    blk.z = Var(m.P)
    blk.positive_gain = Constraint(m.P, rule=lambda b, p: m.gain[p] >= eps)
    describe_rows(run.em, blk.positive_gain, lambda p: f"Nash bargaining: {p} must gain more than its disagreement payoff ({case.party(p).disagreement:g})")
    blk.cuts = ConstraintList()
    surplus = case.total_npv - sum(p.disagreement for p in case.parties)
    start = max(surplus / len(case.parties), 10 * eps)

    def cut(p: str, g: float) -> None:
        blk.cuts.add(blk.z[p] <= math.log(g) - 1.0 + m.gain[p] / g)

    for p in case.party_ids:
        cut(p, start)
    run.objective(sum(beta[p] * blk.z[p] for p in m.P), maximize)
    text = "the log Nash product Σ β·log(gain)"
    gap = math.inf
    iterations = 0
    binding: tuple[list[dict], list[str]] = ([], [])
    r = None
    stalled = False
    while iterations < max_iterations:
        iterations += 1
        r = run.solve("maximising the Nash product")
        g = {p: value(m.gain[p]) for p in m.P}
        true = sum(beta[p] * math.log(g[p]) for p in m.P)
        gap = max(r.objective - true, 0.0)
        binding = binding_rows(run.em, r, text + " (linearised)", maximise=True)
        if gap <= tol:
            break
        above = [p for p in m.P if value(blk.z[p]) > math.log(g[p])]
        if not above:  # the LP is as tight as HiGHS's tolerances allow
            stalled = True
            break
        for p in above:
            cut(p, g[p])
    log.info(f"nash: {iterations} LPs, gap {gap:.3g} (tolerance {tol:g})")
    gains = {p: value(m.gain[p]) for p in m.P}
    log_product = sum(beta[p] * math.log(gains[p]) for p in m.P)
    _flatten(run, m.gain, gains, run.tol)
    status = "optimal" if gap <= tol else "approximate"
    notes = [f"duals are those of the final linearised LP ({iterations} LPs with {len(blk.cuts)} tangent cuts)"]
    if gap > 0:
        notes.append("gains are accurate to about the square root of the gap, relative (the log is flat at its maximum)")
    if status != "optimal":
        why = "the LP cannot be solved more precisely" if stalled else f"{max_iterations} LPs were solved"
        notes.append(f"stopped with gap {gap:.3g} > tolerance {tol:g}: {why}")
    return EnclaveResult(
        case,
        "nash",
        status,
        run.shares(),
        objective={"value": log_product, "upper_bound": r.objective, "sense": "max", "description": text},
        binding=binding[0],
        also_tight=binding[1],
        approximation_gap=gap,
        extra={"log_nash_product": log_product, "iterations": iterations, "weights": beta},
        notes=notes,
    )


def _leximin(run: RuleRun, f: dict, tol: float, objective_text: str) -> tuple[dict[str, float], SolveResult, tuple]:
    """Lexicographic max-min of the expressions ``f[p]``; returns the levels, the first LP's result and its binding rows."""
    m = run.m
    held: dict[str, float] = {}
    first: SolveResult | None = None
    binding: tuple[list[dict], list[str]] = ([], [])
    while len(held) < len(f):
        free = [p for p in m.P if p not in held]
        blk = run.block("lex")
        blk.level = Var()
        blk.free = Constraint(free, rule=lambda b, p: f[p] >= b.level)
        blk.held = Constraint(list(held), rule=lambda b, p: f[p] >= held[p] - tol)
        run.objective(blk.level, maximize)
        r = run.solve("maximising the smallest level")
        if first is None:
            first, binding = r, binding_rows(run.em, r, objective_text, maximise=True)
        level = value(blk.level)
        at_level = [p for p in free if value(f[p]) <= level + tol]
        newly = [p for p in at_level if len(free) == 1 or not _can_rise(run, f, p, free, level, held, tol)]
        for p in newly or at_level:
            held[p] = level
    run.m.del_component("lex")
    return held, first, binding


def _can_rise(run: RuleRun, f: dict, p: str, free: list[str], level: float, held: dict[str, float], tol: float) -> bool:
    """Can ``f[p]`` exceed ``level`` while the other free parties keep it and the held ones keep theirs?"""
    run.m.lex.deactivate()
    blk = run.block("lex_test")
    others = [q for q in free if q != p]
    blk.free = Constraint(others, rule=lambda b, q: f[q] >= level - tol)
    blk.held = Constraint(list(held), rule=lambda b, q: f[q] >= held[q] - tol)
    run.objective(f[p], maximize)
    r = run.solve("testing whether a party can do better")
    run.m.del_component("lex_test")
    run.m.lex.activate()
    return r.objective > level + 10 * tol


def _solve_ks(run: RuleRun) -> EnclaveResult:
    case, m = run.case, run.m
    ideal = {}
    for p in m.P:
        run.objective(m.gain[p], maximize)
        ideal[p] = run.solve(f"computing the ideal gain of {p}").objective
    short = [p for p, v in ideal.items() if v <= run.tol]
    if short:
        raise InfeasibleError(
            f"case {case.name!r}: kalai-smorodinsky needs every party able to gain over its disagreement payoff",
            [f"{p}: the best it can get under the constraints, with the others individually rational, is a gain of {ideal[p]:.6g}" for p in short],
        )
    f = {p: m.gain[p] / ideal[p] for p in m.P}
    text = "λ, the fraction of its ideal gain every party gets"
    extra = {"ideal_gain": ideal, "ideal_npv": {p: ideal[p] + case.party(p).disagreement for p in ideal}}
    return _leximin_rule(run, f, REL_TOL, text, extra)


def _solve_egalitarian(run: RuleRun) -> EnclaveResult:
    m = run.m
    return _leximin_rule(run, {p: m.gain[p] for p in m.P}, run.tol, "the smallest gain", {})


def _leximin_rule(run: RuleRun, f: dict, tol: float, text: str, extra: dict) -> EnclaveResult:
    """Leximin of ``f``, then the flattest schedule with those levels (kalai-smorodinsky, egalitarian)."""
    levels, first, binding = _leximin(run, f, tol, text)
    _flatten(run, f, levels, tol)
    return EnclaveResult(
        run.case,
        run.rule,
        "optimal",
        run.shares(),
        objective={"value": first.objective, "sense": "max", "description": text},
        binding=binding[0],
        also_tight=binding[1],
        extra={**extra, "levels": levels},
        notes=["duals are those of the first max-min LP; ties are broken lexicographically (leximin)"],
    )


def solve_case(
    case: Case,
    rule: str,
    *,
    tol: float = 1e-9,
    max_iterations: int = 500,
) -> EnclaveResult:
    """Apply ``rule`` (one of :data:`RULES`) to ``case``.

    Raises :class:`~optimizer.errors.InfeasibleError` naming the conflicting constraints when no
    split satisfies them, and :class:`~optimizer.errors.InputError` when the case lacks what the
    rule needs (a ``fixed_rule`` for fixed, valued contributions for proportional).
    ``tol`` and ``max_iterations`` control nash's outer approximation.
    """
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}; choose one of {', '.join(RULES)}")
    ir = True if rule in ("nash", "kalai-smorodinsky") else None
    with RunLog() as run_log:
        log.info(f"case {case.name}: {len(case.parties)} parties, {len(case.streams)} streams, {case.T} years; rule {rule}")
        run = RuleRun(case, rule, ir=ir)
        result = _RULES[rule](run, tol, max_iterations)
        result.solver = run.stats()
        log.info(f"{rule}: {result.status} after {run.lps} LPs in {run.seconds:.2f}s")
    result.log = run_log.text()
    return result


#: rule -> its solver, each called with (run, tol, max_iterations)
_RULES: dict[str, Callable] = {
    "fixed": lambda run, tol, n: _solve_fixed(run),
    "proportional": lambda run, tol, n: _solve_proportional(run),
    "nash": _solve_nash,
    "kalai-smorodinsky": lambda run, tol, n: _solve_ks(run),
    "egalitarian": lambda run, tol, n: _solve_egalitarian(run),
}
