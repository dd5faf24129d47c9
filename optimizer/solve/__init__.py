"""The solver layer: the one place models are compiled for HiGHS and HiGHS is run.

* :mod:`.compile` -- a Pyomo model as HiGHS arrays (:class:`Compiled`), with a label for every
  column and row (:class:`Labels`);
* :mod:`.highs` -- :class:`HighsSolver`: options, limits, progress, status, bound, gap, duals;
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
from .highs import STATUSES, HighsSolver, Progress, SolveResult, value_or_none
from .session import LpSession
from .starts import StartPool, complete_start

__all__ = [
    "INF",
    "STATUSES",
    "Compiled",
    "HighsSolver",
    "Labels",
    "LpSession",
    "Progress",
    "SolveResult",
    "StartPool",
    "complete_start",
    "conflicting_constraints",
    "deletion_filter",
    "value_or_none",
]
