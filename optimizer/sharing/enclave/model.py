r"""The enclave shares model: sets, variables, payoffs and one function per constraint family.

The conventions and symbols are those of :mod:`optimizer.sharing.enclave`; every ``add_*``
function's docstring holds its algebra. :func:`build_model` returns an :class:`EnclaveModel`: the
Pyomo model with no objective (each rule adds its own) and the plain words of every row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from pyomo.environ import ConcreteModel, Constraint, Expression, RangeSet, Set, Var

from ..case import Case

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
REL_TOL = 1e-9  # relative tolerance of comparisons (in units of the case's total NPV)


@dataclass
class EnclaveModel:
    """The shares model of a case: the Pyomo model and what the rules need to word its rows.

    ``descriptions`` maps constraint names to plain words; ``constant_conflicts`` lists rows that no
    schedule can satisfy (their amounts are all zero), which are reported without solving.
    """

    model: ConcreteModel
    case: Case
    descriptions: dict[str, str] = field(default_factory=dict)
    constant_conflicts: list[str] = field(default_factory=list)

    def describe(self, name: str) -> str:
        return self.descriptions.get(name, name)


def build_model(case: Case, *, individual_rationality: bool | None = None) -> EnclaveModel:
    """The shares model of ``case`` with every policy constraint of its ``constraints`` section.

    ``individual_rationality`` overrides the case's switch (nash and kalai-smorodinsky need it on).
    The model has no objective; the rules add theirs.
    """
    em = EnclaveModel(ConcreteModel(name=case.name), case)
    add_sets(em)
    add_shares(em)
    add_share_sum(em)
    add_payoffs(em)
    add_statistic_split(em)
    ir = case.constraints.individual_rationality if individual_rationality is None else individual_rationality
    if ir:
        add_individual_rationality(em)
    add_buffer(em)
    add_max_change(em)
    add_share_limits(em)
    add_origin_cap(em)
    add_guaranteed_minimum(em)
    return em


def add_sets(em: EnclaveModel) -> None:
    """P parties, S streams, M ⊆ S money streams, Y = 1..T years."""
    m, case = em.model, em.case
    m.P = Set(initialize=case.party_ids, ordered=True)
    m.S = Set(initialize=case.streams, ordered=True)
    m.M = Set(initialize=case.money_streams, ordered=True)
    m.Y = RangeSet(1, case.T)


def add_shares(em: EnclaveModel) -> None:
    r""":math:`\sigma_{p,s,t} \in [0, 1]` for every party, stream (money and statistics) and year."""
    m = em.model
    m.share = Var(m.P, m.S, m.Y, bounds=(0.0, 1.0))


def add_share_sum(em: EnclaveModel) -> None:
    r""".. math:: \sum_p \sigma_{p,s,t} = 1 \quad \forall s, t"""
    m, case = em.model, em.case
    m.share_sum = Constraint(m.S, m.Y, rule=lambda m, s, t: sum(m.share[p, s, t] for p in m.P) == 1.0)
    describe_rows(em, m.share_sum, lambda s, t: f"the shares of {s} in {case.year(t)} add up to 1")


def npv_coefficients(case: Case) -> dict[tuple[str, int], float]:
    r""":math:`R_{s,t}\rho_t` for money streams with revenue: the weight of :math:`\sigma_{p,s,t}` in :math:`NPV_p`."""
    return {
        (s, t): case.revenue(s, t) * case.discount(t)
        for s in case.money_streams
        for t in range(1, case.T + 1)
        if case.revenue(s, t) != 0.0
    }


def add_payoffs(em: EnclaveModel) -> None:
    r"""Expressions :math:`NPV_p = \sum_{s \in M,t} R_{s,t}\rho_t\sigma_{p,s,t}` and :math:`g_p = NPV_p - d_p`."""
    m, case = em.model, em.case
    coef = npv_coefficients(case)
    m.npv = Expression(m.P, rule=lambda m, p: sum(c * m.share[p, s, t] for (s, t), c in coef.items()))
    m.gain = Expression(m.P, rule=lambda m, p: m.npv[p] - case.party(p).disagreement)


def add_statistic_split(em: EnclaveModel) -> None:
    r"""Statistics follow their rule (structural, not a policy constraint).

    .. math::
        \sigma_{p,g,t} = \sigma_{p,f(g),t} \quad \text{(follow)} \qquad
        \sigma_{p,g,t} = \bar\sigma_{p,g,t} \quad \text{(fixed shares)} \qquad \forall p, t
    """
    m, case = em.model, em.case
    follow = [(p, g, t) for g, sp in case.statistics_split.items() if sp.follow for p in case.party_ids for t in m.Y]
    fixed = [(p, g, t) for g, sp in case.statistics_split.items() if sp.shares for p in case.party_ids for t in m.Y]
    split = case.statistics_split
    m.statistic_follows = Constraint(
        follow, rule=lambda m, p, g, t: m.share[p, g, t] == m.share[p, split[g].follow, t]
    )
    m.statistic_fixed = Constraint(fixed, rule=lambda m, p, g, t: m.share[p, g, t] == split[g].shares[p][t - 1])
    describe_rows(em, m.statistic_follows, lambda p, g, t: f"{g} shares follow {split[g].follow} ({p}, {case.year(t)})")
    describe_rows(
        em,
        m.statistic_fixed,
        lambda p, g, t: f"{g} share of {p} in {case.year(t)} fixed at {split[g].shares[p][t - 1]:g} by statistics_split",
    )


def add_individual_rationality(em: EnclaveModel) -> None:
    r""".. math:: NPV_p \ge d_p \quad \forall p"""
    m, case = em.model, em.case
    coef = npv_coefficients(case)

    def text(p):
        return f"individual rationality of {p}: NPV at least its disagreement payoff ({case.party(p).disagreement:g})"

    m.individual_rationality = Constraint(
        m.P,
        rule=lambda m, p: _row(em, [(c, m.share[p, s, t]) for (s, t), c in coef.items()], lo=case.party(p).disagreement, text=text(p)),
    )
    describe_rows(em, m.individual_rationality, text)


def add_buffer(em: EnclaveModel) -> None:
    r"""Buffer years: the originating side O phases out monotonically, then stays at most at the floor.

    .. math::
        \sum_{p \in O} \sigma_{p,s,t} \le \sum_{p \in O} \sigma_{p,s,t-1} \quad \forall s \in B, t \ge 2
        \qquad
        \sum_{p \in O} \sigma_{p,s,t} \le \phi \quad \forall s \in B, t > Y_B
    """
    m, case = em.model, em.case
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
    describe_rows(em, m.buffer_monotone, lambda s, t: f"buffer: {side}'s share of {s} may not rise from {case.year(t - 1)} to {case.year(t)}")
    describe_rows(
        em,
        m.buffer_floor,
        lambda s, t: f"buffer: {side}'s share of {s} in {case.year(t)} at most the floor {b.floor:g} (after {b.years} buffer years)",
    )


def add_max_change(em: EnclaveModel) -> None:
    r""".. math:: -\Delta_s \le \sigma_{p,s,t} - \sigma_{p,s,t-1} \le \Delta_s \quad \forall p, s \in \mathrm{dom}\,\Delta, t \ge 2"""
    m, case = em.model, em.case
    delta = case.constraints.max_change
    idx = [(p, s, t) for p in case.party_ids for s in delta for t in m.Y if t >= 2]
    m.max_change_up = Constraint(idx, rule=lambda m, p, s, t: m.share[p, s, t] - m.share[p, s, t - 1] <= delta[s])
    m.max_change_down = Constraint(idx, rule=lambda m, p, s, t: m.share[p, s, t - 1] - m.share[p, s, t] <= delta[s])
    for con, verb in ((m.max_change_up, "rise"), (m.max_change_down, "fall")):
        describe_rows(
            em,
            con,
            lambda p, s, t, verb=verb: f"max change: {p}'s share of {s} may {verb} by at most {delta[s]:g} from {case.year(t - 1)} to {case.year(t)}",
        )


def add_share_limits(em: EnclaveModel) -> None:
    r""".. math:: \underline\sigma_k \le \sigma_{p_k,s,t} \le \overline\sigma_k \quad \forall k, s \in S_k, t \in Y_k

    Indexed by (k, s, t) with k the position in ``constraints.share_limits``.
    """
    m, case = em.model, em.case
    limits = case.constraints.share_limits
    lows = [(k, s, t) for k, lim in enumerate(limits) if lim.min is not None for s in lim.streams for t in lim.years]
    highs = [(k, s, t) for k, lim in enumerate(limits) if lim.max is not None for s in lim.streams for t in lim.years]
    m.share_min = Constraint(lows, rule=lambda m, k, s, t: m.share[limits[k].party, s, t] >= limits[k].min)
    m.share_max = Constraint(highs, rule=lambda m, k, s, t: m.share[limits[k].party, s, t] <= limits[k].max)
    describe_rows(
        em,
        m.share_min,
        lambda k, s, t: f"minimum share of {limits[k].party} in {s} {case.year(t)} ({limits[k].min:g}; {limits[k].key})",
    )
    describe_rows(
        em,
        m.share_max,
        lambda k, s, t: f"maximum share of {limits[k].party} in {s} {case.year(t)} ({limits[k].max:g}; {limits[k].key})",
    )


def add_origin_cap(em: EnclaveModel) -> None:
    r""".. math:: \sum_{p \in O} \sum_{s \in K} \sum_t R_{s,t}\,\sigma_{p,s,t} \le \bar K

    Cumulative receipts are undiscounted (as written in agreements).
    """
    m, case = em.model, em.case
    cap = case.constraints.origin_cap
    if cap is None:
        return
    text = f"cap on {_origin_name(case)}'s cumulative receipts from {', '.join(cap.streams)} ({cap.amount:g})"
    terms = [(case.revenue(s, t), m.share[p, s, t]) for p in case.originating for s in cap.streams for t in m.Y]
    m.origin_cap = Constraint(rule=lambda m: _row(em, terms, hi=cap.amount, text=text))
    describe_rows(em, m.origin_cap, lambda: text)


def add_guaranteed_minimum(em: EnclaveModel) -> None:
    r""".. math:: \sum_{s \in S_k} R_{s,t}\,\sigma_{p_k,s,t} \ge a_k \quad \forall k, t \in Y_k"""
    m, case = em.model, em.case
    gs = case.constraints.guaranteed_minimum

    def text(k, t):
        g = gs[k]
        return f"guaranteed minimum for {g.party} in {case.year(t)}: at least {g.amount:g} from {', '.join(g.streams)} ({g.key})"

    m.guaranteed_minimum = Constraint(
        [(k, t) for k, g in enumerate(gs) for t in g.years],
        rule=lambda m, k, t: _row(
            em, [(case.revenue(s, t), m.share[gs[k].party, s, t]) for s in gs[k].streams], lo=gs[k].amount, text=text(k, t)
        ),
    )
    describe_rows(em, m.guaranteed_minimum, text)


def _row(em: EnclaveModel, terms, lo: float | None = None, hi: float | None = None, *, text: str):
    """``lo <= Σ c·x <= hi`` over the terms with c ≠ 0; a row without variables is skipped and, if
    it cannot hold, recorded in ``em.constant_conflicts`` (HiGHS never sees a constant row)."""
    terms = [(c, x) for c, x in terms if c != 0.0]
    if not terms:
        if (lo is not None and lo > 0.0) or (hi is not None and hi < 0.0):
            em.constant_conflicts.append(f"{text}: the amounts it applies to are all zero")
        return Constraint.Skip
    return (lo, sum(c * x for c, x in terms), hi)


def describe_rows(em: EnclaveModel, con, text: Callable[..., str]) -> None:
    """Word every row of ``con``: ``text`` takes the row's index (unpacked)."""
    for idx, c in con.items():
        if idx is None:
            em.descriptions[c.name] = text()
        elif isinstance(idx, tuple):
            em.descriptions[c.name] = text(*idx)
        else:
            em.descriptions[c.name] = text(idx)


def _origin_name(case: Case) -> str:
    O = case.originating
    return O[0] if len(O) == 1 else "the originating side (" + " + ".join(O) + ")"


