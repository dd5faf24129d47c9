"""The solver layer: the one place models are compiled for HiGHS and HiGHS is run.

* :mod:`.compile` -- a Pyomo model as HiGHS arrays (:class:`Compiled`), with a label for every
  column and row (:class:`Labels`);
* :mod:`.highs` -- :class:`HighsSolver`: options, limits, progress, status, bound, gap, duals,
  and the solve strategy (``"plain"``, or ``"search"``: the model's valid inequalities, which the
  model adds when :func:`adds_cuts` says so, and HiGHS with :mod:`.search` beside it);
* :mod:`.search` -- :class:`NeighbourhoodSearch`: better plans from small MIPs, in a thread next
  to HiGHS's branch and bound, handed to HiGHS through its callbacks;
* :mod:`.fixed` -- :func:`solve_fixed`: the LP of a solved MIP with its integer columns fixed, with
  duals, reduced costs and ranging (:class:`FixedLp`);
* :mod:`.session` -- :class:`LpSession`: one LP in one HiGHS instance, re-solved as rows come and go
  (row generation: the nucleolus stages);
* :mod:`.starts` -- :class:`StartPool`: earlier solutions kept by label, completed by fix and
  re-optimise (:func:`complete_start`) into the first incumbent of a new MIP;
* :mod:`.conflicts` -- why a model is infeasible: an IIS (:func:`conflicting_constraints`) and a
  generic :func:`deletion_filter`.

Models know nothing of HiGHS; this package knows nothing of the models.
"""

from .compile import INF, Compiled, Labels
from .conflicts import conflicting_constraints, deletion_filter
from .fixed import FixedLp, solve_fixed
from .highs import DEFAULT_STRATEGY, STATUSES, STRATEGIES, HighsSolver, Progress, SolveResult, adds_cuts, value_or_none
from .search import NeighbourhoodSearch, SearchStats
from .session import LpSession
from .starts import StartPool, complete_start

__all__ = [
    "DEFAULT_STRATEGY",
    "INF",
    "STATUSES",
    "STRATEGIES",
    "Compiled",
    "FixedLp",
    "HighsSolver",
    "Labels",
    "LpSession",
    "NeighbourhoodSearch",
    "Progress",
    "SearchStats",
    "SolveResult",
    "StartPool",
    "adds_cuts",
    "complete_start",
    "conflicting_constraints",
    "deletion_filter",
    "solve_fixed",
    "value_or_none",
]
