r"""Enclave revenue-sharing schedules: evaluate a written rule or find a fair one, year by year.

An enclave arrangement (飞地经济) shares the revenue streams s of a co-built park (local retained
tax, land income, grants, ... and statistics such as GDP) among parties p (the originating park
飞出地, the receiving park 飞入地, others) over the years t = 1..T of a :class:`~.case.Case`.

The package: :mod:`.model` (sets, variables, payoffs, one ``add_*`` per constraint family, and
the plain words of every row), :mod:`.written_rule` (``fixed_rule`` evaluated), :mod:`.rules` (the
five rules as sequences of LPs), :mod:`.analysis` (binding constraints and their duals, violated
ones, the conflict when no split exists) and :mod:`.result` (:class:`EnclaveResult`).

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

from .model import POLICY_FAMILIES, EnclaveModel, build_model
from .result import EnclaveResult, write_enclave_run
from .rules import RULES, solve_case
from .written_rule import fixed_shares, phase_out_schedule

__all__ = [
    "RULES",
    "POLICY_FAMILIES",
    "EnclaveModel",
    "EnclaveResult",
    "build_model",
    "fixed_shares",
    "phase_out_schedule",
    "solve_case",
    "write_enclave_run",
]
