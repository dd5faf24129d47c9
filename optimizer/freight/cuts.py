r"""Valid inequalities of the freight model: rows that cut off fractional points of the LP
relaxation and no integer plan.

They are not needed for correctness (every plan of the model satisfies them), only for speed:
the solve strategy ``search`` adds them (:func:`~.model.build_model` with ``cuts=True``), while
``--strategy plain`` solves the model as written (``docs/solving.md``).

Trains to a destination, rounded up
-----------------------------------
Every box to destination :math:`d` that is served rides a train of a service to :math:`d`, so the
train-capacity rows of those services add up to

.. math::

    \sum_{r : d(r)=d} \kappa_r n_r \;\ge\; \sum_{(c,r) \in A : d(r) = d} x_{cr}
    \;=\; D_d - \sum_{c : (c,d) \in P_d} u_{cd},
    \qquad D_d = \sum_{(c,d) \in P_d} q_{cd}

(:math:`P_d`: the westbound pairs to :math:`d` with a route; eastbound alike with :math:`x', u',
q'`). With :math:`\hat\kappa_d = \max_{r : d(r)=d} \kappa_r`, dividing by :math:`\hat\kappa_d`
gives :math:`\sum_r n_r + \sum_c u_{cd} / \hat\kappa_d \ge \beta_d = D_d / \hat\kappa_d`, with
integer :math:`n_r \ge 0` and continuous :math:`u_{cd} \ge 0`. Its mixed-integer rounding (MIR)
with :math:`f_d = \beta_d - \lfloor \beta_d \rfloor > 0` is

.. math::

    \sum_{r : d(r)=d} n_r + \frac{1}{\hat\kappa_d f_d} \sum_{c : (c,d) \in P_d} u_{cd}
    \;\ge\; \lceil \beta_d \rceil

(valid: with :math:`N = \sum_r n_r \le \lfloor\beta_d\rfloor` the unserved boxes are at least
:math:`\hat\kappa_d(\beta_d - N) \ge \hat\kappa_d f_d (\lceil\beta_d\rceil - N)`). The LP
relaxation runs exactly :math:`\beta_d` trains to a fully served destination; this row asks for
the next whole train, which every plan that serves it all must run. A destination gets the row
only when every service to it carries a train count (a service without one has no train
capacity row) and :math:`f_d \ge` :data:`MIN_FRACTION` (a whole number of trains needs no
rounding; a tiny fraction would give a huge coefficient).

Measured (``benchmarks/strategy.py``): on the landbridge sweep, where the demand scale makes
:math:`\beta_d` fractional, these rows close most of what HiGHS's own root cuts leave open.
"""

from __future__ import annotations

import math

from .prepare import ModelData
from .rows import FreightModel, add_rows

#: smallest fractional part of the trains a destination needs that gets a rounding row
MIN_FRACTION = 1e-4
#: the row families of this module (left out of the design-fixed LP of :mod:`.sensitivity`)
CUT_FAMILIES = frozenset({"train_rounding", "train_rounding_east"})


def add_train_rounding(fm: FreightModel, data: ModelData) -> None:
    r"""Trains to each destination rounded up (module docstring), west and eastbound.

    .. math::

        -\sum_{r : d(r)=d} n_r - \frac{1}{\hat\kappa_d f_d} \sum_{c} u_{cd}
        \le -\lceil D_d / \hat\kappa_d \rceil \qquad \forall d : f_d \ge f_{min}

    (the ``<=`` form of the row above; ``train_rounding`` westbound, ``train_rounding_east`` for
    the return boxes on the same trains), keyed by destination.
    """
    s = data.services
    dest, kappa = s["destination_id"].tolist(), s["kappa"].tolist()
    for name, flows, pairs, us in (("train_rounding", data.west, data.pairs, fm.u), ("train_rounding_east", data.east, data.rpairs, fm.ur)):
        services: dict[str, set[int]] = {}
        counted: dict[str, bool] = {}
        for r in set(flows["svc"].tolist()):
            d = dest[r]
            services.setdefault(d, set()).add(r)
            counted[d] = counted.get(d, True) and r in fm.n
        served: dict[str, list[int]] = {}
        for p, (d, routes) in enumerate(zip(pairs["destination"].tolist(), pairs["routes"].tolist())):
            if routes > 0:
                served.setdefault(d, []).append(p)
        q = pairs["q"].tolist()
        rows, keys = [], []
        for d in sorted(services):
            if not counted[d] or d not in served:
                continue
            k = max(kappa[r] for r in services[d])
            beta = sum(q[p] for p in served[d]) / k
            f = beta - math.floor(beta)
            if f < MIN_FRACTION or f > 1.0 - MIN_FRACTION:  # whole trains (or round-off of them): nothing to round
                continue
            terms = [(-1.0, fm.n[r]) for r in sorted(services[d])] + [(-1.0 / (k * f), us[p]) for p in served[d]]
            rows.append((None, terms, -float(math.ceil(beta))))
            keys.append(d)
        add_rows(fm, name, rows, keys)
