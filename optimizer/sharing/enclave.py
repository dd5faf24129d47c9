r"""Enclave revenue-sharing schedules: evaluate a written rule or find a fair one, year by year.

An enclave arrangement (飞地经济) shares the revenue streams s of a co-built park (local retained
tax, land income, grants, ... and statistics such as GDP) among parties p (the originating park
飞出地, the receiving park 飞入地, others) over the years t = 1..T of a :class:`~.case.Case`.

Conventions
-----------
* Decision: shares :math:`\sigma_{p,s,t} \in [0,1]` with :math:`\sum_p \sigma_{p,s,t} = 1`.
* Year t is calendar year ``start_year + t - 1``; its amounts fall at the end of the year and are
  discounted to the start of the first year: :math:`\rho_t = (1+\delta)^{-t}`.
* Payoff: :math:`NPV_p = \sum_{s \in M} \sum_t R_{s,t}\,\sigma_{p,s,t}\,\rho_t` over the money
  streams M only; gain :math:`g_p = NPV_p - d_p` (d = disagreement payoff). Statistics (GDP) are
  shared by their own rule (``statistics_split``: follow a money stream, or fixed shares) and
  reported, never added to money.
* Every unit of money is shared, so :math:`\sum_p NPV_p` is the same for every schedule. Hence
  "maximise the total" can never break a tie; the payoff rules below break ties lexicographically.

Rules (every optimisation is a Pyomo LP solved by :class:`~optimizer.solve.HighsSolver`)
---------------------------------------------------------------------------------------
``fixed``
    The written rule (``fixed_rule``) is evaluated, not optimised: shares as written, or a
    phase-out with a cap and a conditional extension (Beijing–Tianjin–Hebei: 50:50 for 3 years,
    2 more if the originating side's receipts have not reached the cap, which is the firm's
    pre-move 3-year tax). The policy constraints are then *checked*, not imposed: the summary
    lists each one the rule breaks and by how much.
``proportional``
    Target shares :math:`\pi_p = C_p / \sum_q C_q` (valued contributions). Minimise the L1
    deviation :math:`\sum_{p,s \in M,t} |\sigma_{p,s,t} - \pi_p|`, linearised with
    :math:`\sigma - \pi = u^+ - u^-`, :math:`u^\pm \ge 0`, subject to the policy constraints.
``nash``
    Maximise :math:`\sum_p \beta_p \log g_p` by outer approximation: variables
    :math:`z_p \le \log \hat g + (g_p - \hat g)/\hat g` for every cut point :math:`\hat g`; the LP
    maximises :math:`\sum_p \beta_p z_p`, an upper bound. After each LP a tangent is added at
    every :math:`g_p^*` where :math:`z_p^* > \log g_p^*`, until the gap (LP bound minus the true
    :math:`\sum_p \beta_p \log g_p^*`) is below ``tol`` (default 1e-9). The gap is in log units,
    so it is also the relative gap of the weighted Nash product; the gains themselves are accurate
    to about the square root of it (the objective is flat at its maximum). Every party must gain at least
    :math:`\varepsilon = 10^{-6} \sum_p NPV_p` (the log needs :math:`g_p > 0`).
``kalai-smorodinsky``
    Ideal gain :math:`I_p = \max g_p` subject to every party's individual rationality and the
    policy constraints (one LP per party). Then maximise :math:`\lambda` with
    :math:`g_p \ge \lambda I_p`; ties are broken lexicographically (leximin of :math:`g_p/I_p`).
``egalitarian``
    Leximin of the gains: maximise the smallest gain, then, with the parties that cannot do better
    held at that level, the next smallest, and so on. A party is held when the LP "maximise its
    gain while every other free party keeps the current level" cannot raise it.

nash, kalai-smorodinsky and egalitarian determine the payoffs; many schedules give the same
payoffs (only discounted totals matter). A last LP picks, among the schedules that give every
party its payoff (within 1e-9 relative), the flattest one: minimise
:math:`\sum_{p,s \in M,t} |\sigma_{p,s,t} - a_p|` with a free level :math:`a_p \in [0,1]` per party
(without binding constraints every party then gets one constant share of everything).
nash and kalai-smorodinsky always impose individual rationality (they are defined on gains).

Policy constraints (``constraints`` in CASE.yaml), each a named Pyomo constraint family
-----------------------------------------------------------------------------------------
``individual_rationality``, ``buffer_monotone``, ``buffer_floor``, ``max_change_up``,
``max_change_down``, ``share_min``, ``share_max``, ``origin_cap``, ``guaranteed_minimum``: see the
``add_*`` functions for their algebra. For the optimising rules the summary lists the binding ones
with their dual value (d objective / d right-hand side) and what relaxing each by one unit is worth
to the objective. For nash these are the duals of the final linearised LP; for
kalai-smorodinsky and egalitarian of the first max-min LP. When no split satisfies them, an
irreducible infeasible subset is computed and reported in plain words (exit code 3).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import pandas as pd
from pyomo.environ import Block, ConcreteModel, Constraint, ConstraintList, Expression, NonNegativeReals, Objective, RangeSet, Set, Var, maximize, minimize, value

from ..console import SILENT, Console
from ..errors import InfeasibleError, InputError, OptimizerError, Problem
from ..solve import HighsSolver, SolveResult
from .case import Case

RULES = ("fixed", "proportional", "nash", "kalai-smorodinsky", "egalitarian")

#: policy constraint families: name -> (what it says, unit of its right-hand side)
POLICY_FAMILIES: dict[str, tuple[str, str]] = {
    "individual_rationality": ("every party gets at least its disagreement payoff", "money"),
    "buffer_monotone": ("the originating side's share never rises (buffer phase-out)", "share"),
    "buffer_floor": ("after the buffer years the originating side's share is at most the floor", "share"),
    "max_change_up": ("a party's share rises by at most the maximum change per year", "share"),
    "max_change_down": ("a party's share falls by at most the maximum change per year", "share"),
    "share_min": ("minimum share of a party", "share"),
    "share_max": ("maximum share of a party", "share"),
    "origin_cap": ("cap on the originating side's cumulative receipts", "money"),
    "guaranteed_minimum": ("guaranteed minimum amount per year for a party", "money"),
}

_REL_TOL = 1e-9  # relative tolerance of comparisons (in units of the case's total NPV)
_DUAL_TOL = 1e-9  # duals smaller than this count as zero
_STRUCTURAL = ("share_sum", "statistic_follows")  # families every split satisfies (not policy)
#: tighter than HiGHS's defaults (1e-7): nash's tangent cuts meet at shallow angles near the optimum
_HIGHS_OPTIONS = {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}


# =============================================================================================
# the model: sets, variables, payoffs and one function per constraint family


def build_model(case: Case, *, individual_rationality: bool | None = None) -> ConcreteModel:
    """The shares model of ``case`` with every policy constraint of its ``constraints`` section.

    ``individual_rationality`` overrides the case's switch (nash and kalai-smorodinsky need it on).
    The model has no objective; the rules add theirs. ``m.descriptions`` maps constraint names to
    plain words and ``m.constant_conflicts`` lists rows that no schedule can satisfy (their
    amounts are all zero), which are reported without solving.
    """
    m = ConcreteModel(name=case.name)
    m.case = case
    m.descriptions = {}
    m.constant_conflicts = []
    add_sets(m, case)
    add_shares(m, case)
    add_share_sum(m, case)
    add_payoffs(m, case)
    add_statistic_split(m, case)
    ir = case.constraints.individual_rationality if individual_rationality is None else individual_rationality
    if ir:
        add_individual_rationality(m, case)
    add_buffer(m, case)
    add_max_change(m, case)
    add_share_limits(m, case)
    add_origin_cap(m, case)
    add_guaranteed_minimum(m, case)
    return m


def add_sets(m: ConcreteModel, case: Case) -> None:
    """P parties, S streams, M ⊆ S money streams, Y = 1..T years."""
    m.P = Set(initialize=case.party_ids, ordered=True)
    m.S = Set(initialize=case.streams, ordered=True)
    m.M = Set(initialize=case.money_streams, ordered=True)
    m.Y = RangeSet(1, case.T)


def add_shares(m: ConcreteModel, case: Case) -> None:
    r""":math:`\sigma_{p,s,t} \in [0, 1]` for every party, stream (money and statistics) and year."""
    m.share = Var(m.P, m.S, m.Y, bounds=(0.0, 1.0))


def add_share_sum(m: ConcreteModel, case: Case) -> None:
    r""".. math:: \sum_p \sigma_{p,s,t} = 1 \quad \forall s, t"""
    m.share_sum = Constraint(m.S, m.Y, rule=lambda m, s, t: sum(m.share[p, s, t] for p in m.P) == 1.0)
    _describe(m, m.share_sum, lambda s, t: f"the shares of {s} in {case.year(t)} add up to 1")


def npv_coefficients(case: Case) -> dict[tuple[str, int], float]:
    r""":math:`R_{s,t}\rho_t` for money streams with revenue: the weight of :math:`\sigma_{p,s,t}` in :math:`NPV_p`."""
    return {
        (s, t): case.revenue(s, t) * case.discount(t)
        for s in case.money_streams
        for t in range(1, case.T + 1)
        if case.revenue(s, t) != 0.0
    }


def add_payoffs(m: ConcreteModel, case: Case) -> None:
    r"""Expressions :math:`NPV_p = \sum_{s \in M,t} R_{s,t}\rho_t\sigma_{p,s,t}` and :math:`g_p = NPV_p - d_p`."""
    coef = npv_coefficients(case)
    m.npv = Expression(m.P, rule=lambda m, p: sum(c * m.share[p, s, t] for (s, t), c in coef.items()))
    m.gain = Expression(m.P, rule=lambda m, p: m.npv[p] - case.party(p).disagreement)


def add_statistic_split(m: ConcreteModel, case: Case) -> None:
    r"""Statistics follow their rule (structural, not a policy constraint).

    .. math::
        \sigma_{p,g,t} = \sigma_{p,f(g),t} \quad \text{(follow)} \qquad
        \sigma_{p,g,t} = \bar\sigma_{p,g,t} \quad \text{(fixed shares)} \qquad \forall p, t
    """
    follow = [(p, g, t) for g, sp in case.statistics_split.items() if sp.follow for p in case.party_ids for t in m.Y]
    fixed = [(p, g, t) for g, sp in case.statistics_split.items() if sp.shares for p in case.party_ids for t in m.Y]
    split = case.statistics_split
    m.statistic_follows = Constraint(
        follow, rule=lambda m, p, g, t: m.share[p, g, t] == m.share[p, split[g].follow, t]
    )
    m.statistic_fixed = Constraint(fixed, rule=lambda m, p, g, t: m.share[p, g, t] == split[g].shares[p][t - 1])
    _describe(m, m.statistic_follows, lambda p, g, t: f"{g} shares follow {split[g].follow} ({p}, {case.year(t)})")
    _describe(
        m,
        m.statistic_fixed,
        lambda p, g, t: f"{g} share of {p} in {case.year(t)} fixed at {split[g].shares[p][t - 1]:g} by statistics_split",
    )


def add_individual_rationality(m: ConcreteModel, case: Case) -> None:
    r""".. math:: NPV_p \ge d_p \quad \forall p"""
    coef = npv_coefficients(case)

    def text(p):
        return f"individual rationality of {p}: NPV at least its disagreement payoff ({case.party(p).disagreement:g})"

    m.individual_rationality = Constraint(
        m.P,
        rule=lambda m, p: _row(m, [(c, m.share[p, s, t]) for (s, t), c in coef.items()], lo=case.party(p).disagreement, text=text(p)),
    )
    _describe(m, m.individual_rationality, text)


def add_buffer(m: ConcreteModel, case: Case) -> None:
    r"""Buffer years: the originating side O phases out monotonically, then stays at most at the floor.

    .. math::
        \sum_{p \in O} \sigma_{p,s,t} \le \sum_{p \in O} \sigma_{p,s,t-1} \quad \forall s \in B, t \ge 2
        \qquad
        \sum_{p \in O} \sigma_{p,s,t} \le \phi \quad \forall s \in B, t > Y_B
    """
    b = case.constraints.buffer
    streams = b.streams if b else ()
    O = case.originating
    side = _origin_name(case)
    m.buffer_monotone = Constraint(
        [(s, t) for s in streams for t in m.Y if t >= 2],
        rule=lambda m, s, t: sum(m.share[p, s, t] for p in O) <= sum(m.share[p, s, t - 1] for p in O),
    )
    m.buffer_floor = Constraint(
        [(s, t) for s in streams for t in m.Y if t > b.years],
        rule=lambda m, s, t: sum(m.share[p, s, t] for p in O) <= b.floor,
    )
    _describe(m, m.buffer_monotone, lambda s, t: f"buffer: {side}'s share of {s} may not rise from {case.year(t - 1)} to {case.year(t)}")
    _describe(
        m,
        m.buffer_floor,
        lambda s, t: f"buffer: {side}'s share of {s} in {case.year(t)} at most the floor {b.floor:g} (after {b.years} buffer years)",
    )


def add_max_change(m: ConcreteModel, case: Case) -> None:
    r""".. math:: -\Delta_s \le \sigma_{p,s,t} - \sigma_{p,s,t-1} \le \Delta_s \quad \forall p, s \in \mathrm{dom}\,\Delta, t \ge 2"""
    delta = case.constraints.max_change
    idx = [(p, s, t) for p in case.party_ids for s in delta for t in m.Y if t >= 2]
    m.max_change_up = Constraint(idx, rule=lambda m, p, s, t: m.share[p, s, t] - m.share[p, s, t - 1] <= delta[s])
    m.max_change_down = Constraint(idx, rule=lambda m, p, s, t: m.share[p, s, t - 1] - m.share[p, s, t] <= delta[s])
    for con, verb in ((m.max_change_up, "rise"), (m.max_change_down, "fall")):
        _describe(
            m,
            con,
            lambda p, s, t, verb=verb: f"max change: {p}'s share of {s} may {verb} by at most {delta[s]:g} from {case.year(t - 1)} to {case.year(t)}",
        )


def add_share_limits(m: ConcreteModel, case: Case) -> None:
    r""".. math:: \underline\sigma_k \le \sigma_{p_k,s,t} \le \overline\sigma_k \quad \forall k, s \in S_k, t \in Y_k

    Indexed by (k, s, t) with k the position in ``constraints.share_limits``.
    """
    limits = case.constraints.share_limits
    lows = [(k, s, t) for k, lim in enumerate(limits) if lim.min is not None for s in lim.streams for t in lim.years]
    highs = [(k, s, t) for k, lim in enumerate(limits) if lim.max is not None for s in lim.streams for t in lim.years]
    m.share_min = Constraint(lows, rule=lambda m, k, s, t: m.share[limits[k].party, s, t] >= limits[k].min)
    m.share_max = Constraint(highs, rule=lambda m, k, s, t: m.share[limits[k].party, s, t] <= limits[k].max)
    _describe(
        m,
        m.share_min,
        lambda k, s, t: f"minimum share of {limits[k].party} in {s} {case.year(t)} ({limits[k].min:g}; {limits[k].key})",
    )
    _describe(
        m,
        m.share_max,
        lambda k, s, t: f"maximum share of {limits[k].party} in {s} {case.year(t)} ({limits[k].max:g}; {limits[k].key})",
    )


def add_origin_cap(m: ConcreteModel, case: Case) -> None:
    r""".. math:: \sum_{p \in O} \sum_{s \in K} \sum_t R_{s,t}\,\sigma_{p,s,t} \le \bar K

    Cumulative receipts are undiscounted (as written in agreements).
    """
    cap = case.constraints.origin_cap
    if cap is None:
        return
    text = f"cap on {_origin_name(case)}'s cumulative receipts from {', '.join(cap.streams)} ({cap.amount:g})"
    terms = [(case.revenue(s, t), m.share[p, s, t]) for p in case.originating for s in cap.streams for t in m.Y]
    m.origin_cap = Constraint(rule=lambda m: _row(m, terms, hi=cap.amount, text=text))
    _describe(m, m.origin_cap, lambda: text)


def add_guaranteed_minimum(m: ConcreteModel, case: Case) -> None:
    r""".. math:: \sum_{s \in S_k} R_{s,t}\,\sigma_{p_k,s,t} \ge a_k \quad \forall k, t \in Y_k"""
    gs = case.constraints.guaranteed_minimum

    def text(k, t):
        g = gs[k]
        return f"guaranteed minimum for {g.party} in {case.year(t)}: at least {g.amount:g} from {', '.join(g.streams)} ({g.key})"

    m.guaranteed_minimum = Constraint(
        [(k, t) for k, g in enumerate(gs) for t in g.years],
        rule=lambda m, k, t: _row(
            m, [(case.revenue(s, t), m.share[gs[k].party, s, t]) for s in gs[k].streams], lo=gs[k].amount, text=text(k, t)
        ),
    )
    _describe(m, m.guaranteed_minimum, text)


def _row(m: ConcreteModel, terms, lo: float | None = None, hi: float | None = None, *, text: str):
    """``lo <= Σ c·x <= hi`` over the terms with c ≠ 0; a row without variables is skipped and, if
    it cannot hold, recorded in ``m.constant_conflicts`` (HiGHS never sees a constant row)."""
    terms = [(c, x) for c, x in terms if c != 0.0]
    if not terms:
        if (lo is not None and lo > 0.0) or (hi is not None and hi < 0.0):
            m.constant_conflicts.append(f"{text}: the amounts it applies to are all zero")
        return Constraint.Skip
    return (lo, sum(c * x for c, x in terms), hi)


def _describe(m: ConcreteModel, con, text: Callable[..., str]) -> None:
    for idx, c in con.items():
        if idx is None:
            m.descriptions[c.name] = text()
        elif isinstance(idx, tuple):
            m.descriptions[c.name] = text(*idx)
        else:
            m.descriptions[c.name] = text(idx)


def _origin_name(case: Case) -> str:
    O = case.originating
    return O[0] if len(O) == 1 else "the originating side (" + " + ".join(O) + ")"


# =============================================================================================
# the written rule


def phase_out_schedule(case: Case) -> tuple[list[float], list[str]]:
    """The origin's share per year under ``fixed_rule.phase_out`` and notes on the cap/extension.

    Sharing year k (1-based) pays ``origin_share[k-1]`` of the phase-out streams' revenue. With a
    cap, year t pays ``min(share·R_t, cap − paid so far)``; if after the written years the cap is
    not reached, sharing continues ``extension_years`` more years at the last share. A year whose
    streams have no revenue keeps the nominal share (no money moves).
    """
    po = case.fixed_rule.phase_out
    total = [sum(case.revenue(s, t) for s in po.streams) for t in range(1, case.T + 1)]
    written = len(po.origin_share)
    active = written
    paid = 0.0
    out: list[float] = []
    notes: list[str] = []
    capped = False
    for t in range(1, case.T + 1):
        if t == written + 1 and po.cap is not None and po.extension_years:
            if paid < po.cap * (1 - _REL_TOL):
                active = written + po.extension_years
                notes.append(
                    f"fixed rule: {po.origin} received {paid:g} of the cap {po.cap:g} in the first {written} years; "
                    f"sharing extended by {po.extension_years} years"
                )
            else:
                notes.append(f"fixed rule: cap {po.cap:g} reached within the first {written} years; no extension")
        if t > active or capped:
            out.append(0.0)
            continue
        nominal = po.origin_share[min(t, written) - 1]
        want = nominal * total[t - 1]
        if po.cap is not None and want >= po.cap - paid:
            want = max(po.cap - paid, 0.0)
            capped = True
            notes.append(f"fixed rule: {po.origin} reaches the cap {po.cap:g} in {case.year(t)}; sharing stops")
        out.append(want / total[t - 1] if total[t - 1] > 0 else nominal)
        paid += want
    return out, notes


def statistic_shares(case: Case, shares: dict[str, dict[str, list[float]]]) -> None:
    """Fill the statistic streams not set in ``shares`` by ``case.statistics_split``."""
    for g, sp in case.statistics_split.items():
        if g in shares:
            continue
        if sp.follow:
            shares[g] = {p: list(shares[sp.follow][p]) for p in case.party_ids}
        else:
            shares[g] = {p: list(sp.shares[p]) for p in case.party_ids}


def fixed_shares(case: Case) -> tuple[dict[str, dict[str, list[float]]], list[str]]:
    """Shares per stream, party and year under the written rule, and notes on how it played out."""
    fr = case.fixed_rule
    shares = {s: {p: list(v) for p, v in by_party.items()} for s, by_party in fr.shares.items()}
    notes: list[str] = []
    if fr.phase_out is not None:
        po = fr.phase_out
        origin, notes = phase_out_schedule(case)
        for s in po.streams:
            shares[s] = {p: [0.0] * case.T for p in case.party_ids}
            shares[s][po.origin] = list(origin)
            shares[s][po.receiver] = [1.0 - x for x in origin]
    statistic_shares(case, shares)
    return shares, notes


# =============================================================================================
# results


@dataclass
class EnclaveResult:
    """What a rule gives each party, year by year. ``summary()`` is what summary.json holds."""

    case: Case
    rule: str
    status: str
    shares: dict[str, dict[str, list[float]]]
    objective: dict | None = None
    binding: list[dict] = field(default_factory=list)
    also_tight: list[str] = field(default_factory=list)
    violations: list[dict] = field(default_factory=list)
    checks: list[dict] = field(default_factory=list)
    approximation_gap: float | None = None
    extra: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    solver: dict = field(default_factory=dict)

    @property
    def amounts(self) -> dict[str, dict[str, list[float]]]:
        c = self.case
        return {s: {p: [c.revenue(s, t) * v[t - 1] for t in range(1, c.T + 1)] for p, v in ps.items()} for s, ps in self.shares.items()}

    @property
    def npv(self) -> dict[str, float]:
        coef = npv_coefficients(self.case)
        return {p: sum(c * self.shares[s][p][t - 1] for (s, t), c in coef.items()) for p in self.case.party_ids}

    @property
    def gain(self) -> dict[str, float]:
        return {p: v - self.case.party(p).disagreement for p, v in self.npv.items()}

    def summary(self) -> dict:
        c = self.case
        out = {
            "status": self.status,
            "rule": self.rule,
            "case": c.name,
            "units": c.units,
            "years": c.years,
            "discount_rate": c.discount_rate,
            "streams": {"money": c.money_streams, "statistics": list(c.statistics)},
            "npv": self.npv,
            "gain": self.gain,
            "disagreement": {p.id: p.disagreement for p in c.parties},
            "totals": {s: {p: sum(v) for p, v in ps.items()} for s, ps in self.amounts.items()},
            "shares": self.shares,
            "amounts": self.amounts,
            "objective": self.objective,
            "binding": self.binding,
            "also_tight": self.also_tight,
        }
        if self.rule == "fixed":
            out["violations"] = self.violations
            out["checks"] = self.checks
        if self.rule == "nash":
            out["approximation_gap"] = self.approximation_gap
        out.update(self.extra)
        out["notes"] = self.notes
        out["solver"] = self.solver
        return out

    def shares_table(self) -> pd.DataFrame:
        """Tidy table: year, stream, party, share, amount."""
        amounts = self.amounts
        rows = [
            (year, s, p, self.shares[s][p][t], amounts[s][p][t])
            for t, year in enumerate(self.case.years)
            for s in self.case.streams
            for p in self.case.party_ids
        ]
        return pd.DataFrame(rows, columns=["year", "stream", "party", "share", "amount"])


# =============================================================================================
# solving


class _Run:
    """One rule applied to one case: the model, the solver and the bookkeeping of its LPs."""

    def __init__(self, case: Case, rule: str, console: Console, ir: bool | None = None) -> None:
        self.case = case
        self.rule = rule
        self.console = console
        self.m = build_model(case, individual_rationality=ir)
        self.solver = HighsSolver(options=_HIGHS_OPTIONS)
        self.lps = 0
        self.seconds = 0.0
        self.scale = max(case.total_npv, 1.0)
        self.tol = _REL_TOL * self.scale

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

    def solve(self, purpose: str) -> SolveResult:
        if self.m.constant_conflicts:
            raise InfeasibleError(
                f"case {self.case.name!r}: no split satisfies the constraints (rule {self.rule})",
                list(self.m.constant_conflicts),
            )
        r = self.solver.solve(self.m)
        self.lps += 1
        self.seconds += r.handoff_seconds + r.solve_seconds
        if r.status == "infeasible":
            raise InfeasibleError(
                f"case {self.case.name!r}: no split satisfies the constraints (rule {self.rule}, {purpose}; "
                f"the money to share is worth {self.case.total_npv:.6g} in NPV); these conflict",
                self.conflict(),
            )
        if r.status != "optimal":
            raise OptimizerError(f"HiGHS stopped with status {r.status!r} ({r.termination}) while {purpose}")
        return r

    def conflict(self) -> list[str]:
        """The constraints of an irreducible infeasible subset, in plain words.

        The structure every schedule has (shares in [0, 1] adding up to 1, statistics following a
        money stream) is held fixed; among the other rows a grouped deletion filter finds a subset
        that is infeasible together with that structure while dropping any one of its rows makes it
        feasible. Each test is an LP with a zero objective solved by HighsSolver.
        (:func:`optimizer.solve.conflicting_constraints` is not used: HiGHS 1.16's IIS routine
        crashes the process on some of these models.)
        """
        m = self.m
        m.objective.deactivate()
        m.feasibility = Objective(expr=0.0)
        candidates = [
            c
            for c in m.component_data_objects(Constraint, active=True)
            if c.parent_component().local_name not in _STRUCTURAL
        ]
        try:
            needed = self._deletion_filter(candidates)
        finally:
            for c in candidates:
                c.activate()
            m.del_component("feasibility")
            m.objective.activate()
        reasons = [self.describe(c.name) for c in needed]
        reasons.append("(with what every split satisfies: each share between 0 and 1, the shares of a stream and year adding up to 1)")
        return reasons

    def _deletion_filter(self, rows: list) -> list:
        """Rows that stay active: invariant, the model with the active rows is infeasible."""
        needed: list = []
        remaining = list(rows)
        chunk = len(remaining)
        while remaining:
            group = remaining[:chunk]
            for c in group:
                c.deactivate()
            r = self.solver.solve(self.m, duals=False)
            self.lps += 1
            if r.status == "infeasible":  # the group is not needed for the conflict
                remaining = remaining[chunk:]
                chunk = max(1, min(chunk, len(remaining)))
                continue
            for c in group:
                c.activate()
            if chunk == 1:
                needed.append(group[0])
                remaining = remaining[1:]
                chunk = max(1, len(remaining) // 2)
            else:
                chunk = max(1, chunk // 2)
        return needed

    def describe(self, name: str) -> str:
        return self.m.descriptions.get(name, name)

    def shares(self) -> dict[str, dict[str, list[float]]]:
        m = self.m
        return {
            s: {p: [min(1.0, max(0.0, value(m.share[p, s, t]))) for t in m.Y] for p in m.P}
            for s in m.S
        }

    def stats(self) -> dict:
        return {"lps": self.lps, "seconds": round(self.seconds, 4)}


def _policy_rows(m: ConcreteModel):
    for name in POLICY_FAMILIES:
        con = m.component(name)
        if con is not None:
            for c in con.values():
                if c.active:
                    yield name, c


def _binding(run: _Run, r: SolveResult, objective_text: str, maximise: bool) -> tuple[list[dict], list[str]]:
    """Policy constraints that bind (hold with equality and have a non-zero dual), with their dual
    values and what relaxing each by one unit is worth; and the descriptions of the rows that hold
    with equality but whose relaxation alone is worth nothing (dual 0)."""
    out = []
    tight: list[str] = []
    for family, con in _policy_rows(run.m):
        body = value(con.body)
        tol = 1e-7 * max(1.0, abs(con.ub if con.has_ub() else con.lb))
        if con.has_ub() and abs(con.ub - body) <= tol:
            side = "upper"
        elif con.has_lb() and abs(body - con.lb) <= tol:
            side = "lower"
        else:
            continue
        dual = r.dual(con) or 0.0
        desc = run.describe(con.name)
        if abs(dual) <= _DUAL_TOL:
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


def _check(run: _Run) -> tuple[list[dict], list[dict]]:
    """Evaluate the policy constraints at the (fixed) schedule: violations and a per-family summary."""
    violations = [{"constraint": None, "family": None, "description": text, "shortfall": None} for text in run.m.constant_conflicts]
    counts: dict[str, list[int]] = {}
    for family, con in _policy_rows(run.m):
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
                {"constraint": con.name, "family": family, "description": run.describe(con.name), "shortfall": excess}
            )
    checks = [
        {"family": f, "description": POLICY_FAMILIES[f][0], "rows": n, "violated": v, "status": "violated" if v else "satisfied"}
        for f, (n, v) in counts.items()
    ]
    return violations, checks


def _l1_deviation(run: _Run, blk: Block, target: Callable) -> None:
    r"""On ``blk``: :math:`\sigma_{p,s,t} - \mathrm{target}(p,s) = u^+_{p,s,t} - u^-_{p,s,t}` over money streams,
    and the objective :math:`\min \sum (u^+ + u^-)`."""
    m = run.m
    blk.up = Var(m.P, m.M, m.Y, within=NonNegativeReals)
    blk.down = Var(m.P, m.M, m.Y, within=NonNegativeReals)
    blk.deviation = Constraint(
        m.P, m.M, m.Y, rule=lambda b, p, s, t: m.share[p, s, t] - target(p, s) == b.up[p, s, t] - b.down[p, s, t]
    )
    run.objective(sum(blk.up[i] + blk.down[i] for i in blk.up), minimize)


def _flatten(run: _Run, f: dict, floors: dict[str, float], tol: float) -> None:
    """Among schedules with ``f[p] >= floors[p] - tol``, load the flattest: the least L1 deviation
    of each party's shares of the money streams from one constant level per party."""
    m = run.m
    blk = run.block("flat")
    blk.level = Var(m.P, bounds=(0.0, 1.0))
    blk.keep = Constraint(m.P, rule=lambda b, p: f[p] >= floors[p] - tol)
    _describe(m, blk.keep, lambda p: f"{p} keeps its payoff under the rule (at least {floors[p]:g})")
    _l1_deviation(run, blk, lambda p, s: blk.level[p])
    run.solve("choosing the flattest schedule with these payoffs")


def _solve_fixed(run: _Run) -> EnclaveResult:
    case = run.case
    if case.fixed_rule is None:
        raise InputError([Problem(case.source, "fixed_rule: missing; --rule fixed evaluates the rule written there")], source=case.source)
    shares, notes = fixed_shares(case)
    for s, ps in shares.items():
        for p, vals in ps.items():
            for t, v in enumerate(vals, start=1):
                run.m.share[p, s, t].fix(v)
    violations, checks = _check(run)
    if violations:
        notes.append(f"the written rule breaks {len(violations)} policy constraint row(s); see violations")
    return EnclaveResult(case, "fixed", "evaluated", shares, violations=violations, checks=checks, notes=notes)


def _solve_proportional(run: _Run) -> EnclaveResult:
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
    binding, tight = _binding(run, r, text, maximise=False)
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


def _solve_nash(run: _Run, tol: float, max_iterations: int) -> EnclaveResult:
    case, m = run.case, run.m
    beta = {p.id: p.weight for p in case.parties}
    eps = 1e-6 * run.scale
    blk = run.block("nash")
    blk.z = Var(m.P)
    blk.positive_gain = Constraint(m.P, rule=lambda b, p: m.gain[p] >= eps)
    _describe(m, blk.positive_gain, lambda p: f"Nash bargaining: {p} must gain more than its disagreement payoff ({case.party(p).disagreement:g})")
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
        binding = _binding(run, r, text + " (linearised)", maximise=True)
        if gap <= tol:
            break
        above = [p for p in m.P if value(blk.z[p]) > math.log(g[p])]
        if not above:  # the LP is as tight as HiGHS's tolerances allow
            stalled = True
            break
        for p in above:
            cut(p, g[p])
    run.console.info(f"nash: {iterations} LPs, gap {gap:.3g} (tolerance {tol:g})")
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


def _leximin(run: _Run, f: dict, tol: float, objective_text: str) -> tuple[dict[str, float], SolveResult, tuple]:
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
            first, binding = r, _binding(run, r, objective_text, maximise=True)
        level = value(blk.level)
        at_level = [p for p in free if value(f[p]) <= level + tol]
        newly = [p for p in at_level if len(free) == 1 or not _can_rise(run, f, p, free, level, held, tol)]
        for p in newly or at_level:
            held[p] = level
    run.m.del_component("lex")
    return held, first, binding


def _can_rise(run: _Run, f: dict, p: str, free: list[str], level: float, held: dict[str, float], tol: float) -> bool:
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


def _solve_ks(run: _Run) -> EnclaveResult:
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
    return _leximin_rule(run, f, _REL_TOL, text, extra)


def _solve_egalitarian(run: _Run) -> EnclaveResult:
    m = run.m
    return _leximin_rule(run, {p: m.gain[p] for p in m.P}, run.tol, "the smallest gain", {})


def _leximin_rule(run: _Run, f: dict, tol: float, text: str, extra: dict) -> EnclaveResult:
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
    console: Console = SILENT,
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
    run = _Run(case, rule, console, ir=ir)
    console.info(f"case {case.name}: {len(case.parties)} parties, {len(case.streams)} streams, {case.T} years; rule {rule}")
    if rule == "fixed":
        result = _solve_fixed(run)
    elif rule == "proportional":
        result = _solve_proportional(run)
    elif rule == "nash":
        result = _solve_nash(run, tol, max_iterations)
    elif rule == "kalai-smorodinsky":
        result = _solve_ks(run)
    else:
        result = _solve_egalitarian(run)
    result.solver = run.stats()
    return result


__all__ = [
    "RULES",
    "POLICY_FAMILIES",
    "EnclaveResult",
    "build_model",
    "fixed_shares",
    "phase_out_schedule",
    "solve_case",
]
