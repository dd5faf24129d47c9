r"""Valid inequalities of the freight model: rows that cut off fractional points of the LP
relaxation and no integer plan.

They are not needed for correctness (every plan of the model satisfies them), only for speed:
the solve strategy ``search`` adds them (:func:`~.model.build_model` with ``cuts=True``), while
``--strategy plain`` solves the model as written (``docs/solving.md``).

Trains to a destination, rounded up
-----------------------------------
Every box to destination :math:`d` that is served rides a train of a service to :math:`d`. Take a
set :math:`H` of hubs, the services :math:`T` to :math:`d` at hubs of :math:`H` (those with
routes), and the pairs :math:`C` to :math:`d` whose routes all pass hubs of :math:`H`: the boxes
of :math:`C` can ride only :math:`T`, so the train-capacity rows of :math:`T` add up to

.. math::

    \sum_{r \in T} \kappa_r n_r \;\ge\; \sum_{(c,r) \in A : (c,d) \in C} x_{cr}
    \;=\; D - \sum_{(c,d) \in C} u_{cd}, \qquad D = \sum_{(c,d) \in C} q_{cd}

(eastbound alike with :math:`x', u', q'`). With :math:`\hat\kappa = \max_{r \in T} \kappa_r`,
dividing by :math:`\hat\kappa` gives :math:`\sum_{r \in T} n_r + \sum_C u_{cd} / \hat\kappa \ge
\beta = D / \hat\kappa`, with integer :math:`n_r \ge 0` and continuous :math:`u_{cd} \ge 0`. Its
mixed-integer rounding (MIR) with :math:`f = \beta - \lfloor \beta \rfloor > 0` is

.. math::

    \sum_{r \in T} n_r + \frac{1}{\hat\kappa f} \sum_{(c,d) \in C} u_{cd}
    \;\ge\; \lceil \beta \rceil

(valid: with :math:`N = \sum_T n_r \le \lfloor\beta\rfloor` the unserved boxes are at least
:math:`\hat\kappa(\beta - N) \ge \hat\kappa f (\lceil\beta\rceil - N)`). The LP relaxation runs
exactly :math:`\beta` trains for a fully served :math:`C`; the row asks for the next whole train,
which every plan that serves :math:`C` fully must run.

The sets :math:`H` used, per destination and direction: all its hubs (:math:`C` is every pair to
:math:`d`), and the hubs each pair can use (its reach: the cities near a few hubs share a row).
A set gets its row only when every service of :math:`T` carries a train count (a service without
one has no train capacity row) and :math:`f \ge` :data:`MIN_FRACTION` (a whole number of trains
needs no rounding; a tiny fraction would give a huge coefficient).

Measured (``docs/solving.md``): on the landbridge sweep, where the demand scale makes the trains
fractional, the rows of all hubs of a destination cut the time to 0.1 % by 2.7x; on the generated
130-city corridor, where cities reach few hubs, the rows of the reaches raise the bound HiGHS proves.

Hubs to open, rounded up
------------------------
The same rounding on the hub-capacity rows. Every carried box, west or east, passes one hub, and
hub :math:`h` passes at most :math:`\bar U_h w_h` (:math:`\bar U_h` the capacity of its row; a hub
without an open/closed variable passes at most the constant :math:`\bar U_h`: its capacity, or
:math:`Q_h`, all the demand that could pass it). Take a set :math:`H` of hubs and the pairs
:math:`C` (both directions) whose routes all pass hubs of :math:`H`:

.. math::

    \sum_{h \in H^w} \bar U_h w_h \;\ge\; D - \sum_{(c,d) \in C} u_{cd}, \qquad
    D = \sum_{(c,d) \in C} q_{cd} - \sum_{h \in H \setminus H^w} \bar U_h

With :math:`\hat U = \max_{h \in H^w} \bar U_h`, :math:`a_h = \bar U_h / \hat U \le 1`,
:math:`\beta = D / \hat U` and :math:`f = \beta - \lfloor\beta\rfloor`, the MIR of
:math:`\sum a_h w_h + \sum u / \hat U \ge \beta` is

.. math::

    \sum_{h \in H^w} \min(1, a_h / f)\, w_h + \frac{1}{\hat U f} \sum_{(c,d) \in C} u_{cd}
    \;\ge\; \lceil \beta \rceil

(with equal capacities: open at least :math:`\lceil D / \hat U \rceil` hubs to serve everything).
The LP relaxation opens fractions of many hubs whose capacities add up to exactly :math:`D`; the
row asks for whole hubs. The sets :math:`H` used: all hubs, and the hubs each pair can use (its
reach), as for the trains. A set gets its row only when :math:`\beta > 0` and
:math:`f \ge` :data:`MIN_FRACTION`.

Measured (``docs/solving.md``): on OR-Library capa 8000 (1,000 customers, 100 facilities of
capacity 8,000, 50,886 units of demand: at least 7 open) the bound HiGHS reaches in 60 s rose
from 18.85 M to 19.23 M (optimum 19.24 M); with them the default strategy proves all twelve
capa/b/c optima of issue 12 within 250 s each; plain HiGHS proves seven (capa 8000, 10000, capb
6000, 7000 not at 600 s, capa 12000 not at 300 s).
"""

from __future__ import annotations

import math

from .prepare import ModelData
from .rows import FreightModel, add_rows

#: smallest fractional part of the trains (hubs) a set of pairs needs that gets a rounding row
MIN_FRACTION = 1e-4
#: the row families of this module (left out of the design-fixed LP of :mod:`.sensitivity`)
CUT_FAMILIES = frozenset({"train_rounding", "train_rounding_east", "hub_rounding"})


def _rounded(integers: list[tuple[float, object]], unserved: list, demand: float, unit: float):
    r"""The MIR row of :math:`\sum_i a_i z_i + \sum u / \kappa \ge \beta = D / \kappa` (integers
    :math:`z_i \ge 0` with :math:`0 < a_i \le 1`, continuous :math:`u \ge 0`; ``unit`` is
    :math:`\kappa`), in ``<=`` form for :func:`~.rows.add_rows`:

    .. math:: -\sum_i \min(1, a_i / f)\, z_i - \frac{1}{\kappa f} \sum u \le -\lceil \beta \rceil,
        \qquad f = \beta - \lfloor \beta \rfloor

    or None when there is nothing to round (:math:`\beta \le 0`, or whole units within
    :data:`MIN_FRACTION`: a tiny fraction would give a huge coefficient)."""
    beta = demand / unit
    f = beta - math.floor(beta)
    if beta <= 0.0 or f < MIN_FRACTION or f > 1.0 - MIN_FRACTION:
        return None
    terms = [(-min(1.0, a / f), z) for a, z in integers] + [(-1.0 / (unit * f), u) for u in unserved]
    return (None, terms, -float(math.ceil(beta)))


def add_train_rounding(fm: FreightModel, data: ModelData) -> None:
    r"""Trains rounded up (module docstring), west and eastbound, per destination and hub set.

    .. math::

        -\sum_{r \in T} n_r - \frac{1}{\hat\kappa f} \sum_{(c,d) \in C} u_{cd}
        \le -\lceil D / \hat\kappa \rceil \qquad \forall (d, H) : f \ge f_{min}

    (the ``<=`` form of the row above; ``train_rounding`` westbound, ``train_rounding_east`` for
    the return boxes on the same trains), keyed by (destination, hub ids of H).
    """
    s = data.services
    dest, kappa, hub = s["destination_id"].tolist(), s["kappa"].tolist(), s["hub"].tolist()
    hub_ids = data.hubs["hub_id"].tolist()
    for name, flows, pairs, us in (("train_rounding", data.west, data.pairs, fm.u), ("train_rounding_east", data.east, data.rpairs, fm.ur)):
        reach: dict[int, set[int]] = {}  # pair -> hubs its routes pass
        services: dict[tuple[str, int], set[int]] = {}  # (destination, hub) -> services with routes
        for p, r in zip(flows["pair"].tolist(), flows["svc"].tolist()):
            reach.setdefault(p, set()).add(hub[r])
            services.setdefault((dest[r], hub[r]), set()).add(r)
        to = pairs["destination"].tolist()
        by_dest: dict[str, list[int]] = {}
        for p in sorted(reach):
            by_dest.setdefault(to[p], []).append(p)
        q = pairs["q"].tolist()
        rows, keys = [], []
        for d in sorted(by_dest):
            everywhere = frozenset().union(*(reach[p] for p in by_dest[d]))
            for hubs in dict.fromkeys([everywhere] + [frozenset(reach[p]) for p in by_dest[d]]):
                T = sorted(set().union(*(services[(d, h)] for h in hubs)))
                if any(r not in fm.n for r in T):
                    continue
                C = [p for p in by_dest[d] if reach[p] <= hubs]
                k = max(kappa[r] for r in T)
                row = _rounded([(1.0, fm.n[r]) for r in T], [us[p] for p in C], sum(q[p] for p in C), k)
                if row is not None:
                    rows.append(row)
                    keys.append((d, tuple(sorted(hub_ids[h] for h in hubs))))
        add_rows(fm, name, rows, keys)


def add_hub_rounding(fm: FreightModel, data: ModelData) -> None:
    r"""Hubs rounded up (module docstring), both directions together, per hub set.

    .. math::

        -\sum_{h \in H^w} \min(1, a_h / f)\, w_h - \frac{1}{\hat U f} \sum_{(c,d) \in C} u_{cd}
        \le -\lceil \beta \rceil \qquad \forall H : \beta > 0,\ f \ge f_{min}

    keyed by the hub ids of H (``hub_rounding``).
    """
    if not fm.w:
        return
    cap = data.hubs["cap"].tolist()
    hub_ids = data.hubs["hub_id"].tolist()
    reach: dict[tuple[int, int], set[int]] = {}  # (direction, pair) -> hubs its routes pass
    for side, flows in enumerate((data.west, data.east)):
        for p, h in zip(flows["pair"].tolist(), flows["hub"].tolist()):
            reach.setdefault((side, p), set()).add(h)
    groups: dict[frozenset[int], list[tuple[int, int]]] = {}  # reach -> the pairs with it
    for key, r in reach.items():
        groups.setdefault(frozenset(r), []).append(key)
    if not groups:
        return
    q = (data.pairs["q"].tolist(), data.rpairs["q"].tolist())
    us = (fm.u, fm.ur)
    everywhere = frozenset().union(*groups)
    rows, keys = [], []
    for hubs in dict.fromkeys([everywhere, *groups]):
        opened = sorted(h for h in hubs if h in fm.w)
        if not opened:
            continue
        C = [key for r, members in groups.items() if r <= hubs for key in members]
        demand = sum(q[side][p] for side, p in C) - sum(cap[h] for h in hubs if h not in fm.w)
        top = max(cap[h] for h in opened)
        row = _rounded([(cap[h] / top, fm.w[h]) for h in opened], [us[side][p] for side, p in C], demand, top)
        if row is not None:
            rows.append(row)
            keys.append(tuple(sorted(hub_ids[h] for h in hubs)))
    add_rows(fm, "hub_rounding", rows, keys)
