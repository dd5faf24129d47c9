r"""Business rules and the plan's measures as rows of the freight model.

The rules a planner sets beside the network (docs/business-rules.md): at least :math:`p^{min}`
hubs open (``min_open_hubs``), an emissions cap (``co2_cap``), a mean door-to-door time
(``max_avg_days``); and the measures they and the Pareto front (:mod:`.pareto`) use: the plan's
kg CO₂ (:func:`co2_terms`, also priced in the objective by ``co2_price``) and TEU-days
(:func:`days_terms`), the service level kept along a front and the objective it minimises
instead of cost. Forced-open hubs and fixed assignments are bounds set by :mod:`.prepare`.
"""

from __future__ import annotations

import math

from pyomo.environ import Objective, minimize

from .prepare import ModelData
from .rows import FreightModel, add_rows, linear


def add_min_open_hubs(fm: FreightModel, data: ModelData) -> None:
    r"""Business rule: at least :math:`p^{min}` hubs open (``min_open_hubs``).

    .. math::

        \sum_{h \in H} w_h \ge p^{min}

    (written as :math:`-\sum_h w_h \le -p^{min}`). An open hub pays its fixed cost :math:`G_h`;
    the rule does not make it carry boxes.
    """
    if data.min_open_hubs is None:
        return
    add_rows(fm, "min_open_hubs", [(None, [(-1.0, w) for w in fm.w.values()], -float(data.min_open_hubs))], ["all"])


def co2_terms(fm: FreightModel, data: ModelData) -> list:
    r"""The plan's emissions in kg CO₂ a year as (coefficient, variable) terms, as the ``co2_t`` KPI
    counts them (:mod:`.kpis`):

    .. math::

        E = \sum_{A} e_{c h} x_{cr} + \sum_{A'} e_{c h} x'_{cr} + \sum_{R^n} \ell_r\, \epsilon\, n_r

    with :math:`e_{ch}` the feeder leg's km times the factor of its mode (``co2_road_kg_per_teu_km``,
    ``co2_rail_kg_per_teu_km``), :math:`\ell_r` the service's rail km and :math:`\epsilon`
    ``co2_train_kg_per_km``. Exact when every service has a train count, which a CO₂ price or cap
    ensures (:func:`~.prepare.prepare`).
    """
    terms = []
    for flows, xs in ((data.west, fm.x), (data.east, fm.xr)):
        terms += [(c, x) for c, x in zip(flows["co2"].tolist(), xs) if c != 0.0]
    e = data.services["co2"].tolist()
    terms += [(e[r], n) for r, n in fm.n.items() if e[r] != 0.0]
    return terms


def add_co2_cap(fm: FreightModel, data: ModelData) -> None:
    r"""Business rule: emissions at most the cap (``co2_cap``, tonnes a year; :func:`co2_terms`).

    .. math::

        E \le 1000\, \bar E
    """
    if not math.isfinite(data.co2_cap):
        return
    add_rows(fm, "co2_cap", [(None, co2_terms(fm, data), data.co2_cap)], ["all"])


def days_terms(fm: FreightModel, data: ModelData, offset: float = 0.0) -> list:
    r"""TEU-days of the carried boxes, :math:`\sum_A (t_{cr} - o) x_{cr} + \sum_{A'} (t_{cr} - o) x'_{cr}`,
    as (coefficient, variable) terms; :math:`t_{cr}` is the route's door-to-door days (feeder plus
    trunk), :math:`o` the ``offset``."""
    terms = []
    for flows, xs in ((data.west, fm.x), (data.east, fm.xr)):
        terms += [(t - offset, x) for t, x in zip(flows["days"].tolist(), xs) if t != offset]
    return terms


def add_max_avg_days(fm: FreightModel, data: ModelData) -> None:
    r"""Business rule: the carried boxes' mean door-to-door days at most :math:`\bar t` (``max_avg_days``).

    .. math::

        \sum_A (t_{cr} - \bar t)\, x_{cr} + \sum_{A'} (t_{cr} - \bar t)\, x'_{cr} \le 0

    the linear form of :math:`\sum t x / \sum x \le \bar t` (:func:`days_terms`). Boxes left
    unserved do not count, so leaving slow boxes unserved is allowed, at the penalty π.
    """
    if not math.isfinite(data.max_avg_days):
        return
    add_rows(fm, "max_avg_days", [(None, days_terms(fm, data, data.max_avg_days), 0.0)], ["all"])


def add_service_level(fm: FreightModel, data: ModelData, max_unserved: float) -> None:
    r"""At most ``max_unserved`` TEU left unserved, both directions (the Pareto front's least-emission
    point keeps the service level of the least-cost plan, :mod:`.pareto`).

    .. math::

        \sum_P u_{cd} + \sum_{P'} u'_{cd} \le \bar u
    """
    add_rows(fm, "service_level", [(None, [(1.0, u) for u in fm.u + fm.ur], float(max_unserved))], ["all"])


def replace_objective(fm: FreightModel, terms: list) -> None:
    """Minimise ``terms`` ((coefficient, variable) pairs, e.g. :func:`co2_terms`) instead of the cost."""
    fm.model.cost.deactivate()
    fm.model.measure = Objective(expr=linear(terms), sense=minimize)
