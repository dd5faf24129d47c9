r"""The freight consolidation MIP: feeder city → assembly hub → border gateway → destination.

:func:`build_model` turns an :class:`~optimizer.instance.data.Instance` into a Pyomo model in two
steps: :func:`~.prepare.prepare` computes the sparse index sets and every coefficient with numpy
(integer codes and joins, no Pyomo), then one ``add_<family>`` function per constraint family adds
its rows (:func:`populate` lists them in order; the business rules and the plan's measures are in
:mod:`.business`, the row and column helpers and :class:`~.rows.FreightModel` in :mod:`.rows`).
Each function's docstring holds its math with the domain it ranges over. Every column and row has a readable label (:mod:`.labels`: a route is
``("x", origin, destination, service)``), which starts and :mod:`.explain` use.

Symbols and code names
----------------------
==========================  ==============================  =====================================
symbol                      meaning                         code
==========================  ==============================  =====================================
:math:`P`                   westbound pairs, q > 0          ``data.pairs`` (origin, destination, q)
:math:`P'`                  eastbound pairs, q' > 0         ``data.rpairs``
:math:`R`                   trunk services in the model     ``data.services`` (row = service)
:math:`h(r), d(r), b(r)`    hub, destination, gateway of r  ``services.hub_id``, ``.destination_id``, ``.gateway_id``
:math:`A`                   westbound routes (c, r)         ``data.west`` (pair, svc, hub, q, f, eta, km, rail, days, co2)
:math:`A'`                  eastbound routes (c, r)         ``data.east``
:math:`x_{cr}, x'_{cr}`     TEU on a route (west / east)    ``m.x[i]``, ``m.xr[i]`` (i = row of west/east)
:math:`u_{cd}, u'_{cd}`     unserved TEU                    ``m.u[p]``, ``m.ur[p]``
:math:`n_r`                 trains per year (round trips)   ``m.n[j]`` (j = row of services with a train count)
:math:`y_r`                 service open                    ``m.y[j]``
:math:`R_{hd}`              services of hub h to d          ``data.groups`` (one row per (h, d)), ``services.group``
:math:`v_{hd}`              hub h runs services to d        ``m.v[g]`` (only for (h, d) with several gateways)
:math:`w_h`                 hub open                        ``m.w[j]``
:math:`z_{chd}`             single-sourcing choice          ``m.z[k]``
:math:`f, \eta, k, F, G`    feeder, handling, train,        ``west.f``, ``west.eta``, ``services.k``,
                            service fixed, hub fixed cost   ``services.F``, ``hubs.G``
:math:`\kappa, m, M`        train capacity, min/max trains  ``services.kappa``, ``.min``, ``.max``
:math:`U, V, K, p, \pi`     hub/gateway capacity, dup.      ``hubs.U``, ``gateways.V``, ``data.K``,
                            limit, max hubs, penalty        ``data.max_open_hubs``, ``data.penalty``
:math:`H^{open}, p^{min}`   hubs forced open, min. hubs     ``hubs.forced``, ``data.min_open_hubs``
:math:`e, \ell\epsilon`     kg CO₂ per TEU, per train       ``west.co2``, ``services.co2``
:math:`\rho, \bar E`        CO₂ price, cap                  ``data.co2_price``, ``data.co2_cap``
==========================  ==============================  =====================================

How this improves on the reference formulation (``shared/design/freight-model.md``)
----------------------------------------------------------------------------------
* Routes are indexed by (city, service) and exist only where the pair has demand, the feeder leg
  and the service exist, the hub is not closed and the door-to-door time fits (index filtering,
  :func:`route_candidates`). A service carries its gateway, so the gateway choice and its transit
  time are exact per route; a second index level (c, h, d) would only pay off with many gateways
  per hub–destination pair, which corridors do not have.
* A route whose feeder plus handling cost is not below the penalty π is dropped: leaving that
  demand unserved is never worse.
* Variables exist only where they carry a cost or a limit: :math:`n_r` when the service has a
  train cost, a minimum, a maximum or a capped gateway; :math:`y_r` when it has a fixed cost, a
  minimum or its destination a duplication limit; :math:`w_h` when the hub has a fixed cost or the
  number of open hubs is limited. Without them the matching rows vanish.
* Infinite upper bounds are replaced by valid finite ones derived from the demand a service or hub
  could carry (:func:`prepare`), which keeps big-M rows tight.
* Strong linking is disaggregated where it tightens the bound (westbound routes to :math:`y_r`,
  else to :math:`w_h`) and aggregated where it only needs to be valid (eastbound routes;
  :math:`y_r \le w_h` carries the hub link through the service). A pair's routes through one
  hub over several gateways are linked together to :math:`v_{hd}` (or :math:`w_h`), which the
  per-route rows alone leave loose (:func:`add_group_linking`).
* A duplication limit that cannot bind (no more hubs could serve d than :math:`K_d`) is dropped
  with its variables.
"""

from __future__ import annotations

import time

import numpy as np
from pyomo.common.gc_manager import PauseGC
from pyomo.environ import Binary, ConcreteModel, NonNegativeIntegers, NonNegativeReals, Objective, minimize

from ..instance.data import Instance
from .business import add_co2_cap, add_max_avg_days, add_min_open_hubs, co2_terms
from .cuts import add_hub_rounding, add_train_rounding
from .prepare import ModelData, prepare
from .rows import FreightModel, add_rows, linear, new_vars


# ---------------------------------------------------------------------------------------------
# variables
# ---------------------------------------------------------------------------------------------


def add_variables(fm: FreightModel, data: ModelData) -> None:
    r"""Decision variables, each only over its sparse index set.

    .. math::

        0 \le x_{cr} \le q_{c,d(r)}\ \forall (c,r) \in A, \qquad
        0 \le x'_{cr} \le q'_{c,d(r)}\ \forall (c,r) \in A', \qquad
        0 \le u_{cd} \le q_{cd}\ \forall (c,d) \in P

        n_r \in \mathbb{Z},\ \underline n_r \le n_r \le \bar n_r\ \forall r \in R^n, \qquad
        y_r \in \{0,1\}\ \forall r \in R^y, \qquad w_h \in \{0,1\}\ \forall h \in H^w,
        \qquad w_h = 1\ \forall h \in H^{open}

    A pair without any route has :math:`u_{cd} = q_{cd}` (both bounds). In the baseline the
    status-quo services are open: :math:`\underline n_r = m_r`, or :math:`n_r` equals today's
    trains where the status quo gives them. :math:`H^{open}` are the hubs of ``open_hubs``.
    """
    s = data.services
    fm.x = new_vars(fm, "x", len(data.west), NonNegativeReals, upper=data.west["q"].tolist())
    fm.xr = new_vars(fm, "xr", len(data.east), NonNegativeReals, upper=data.east["q"].tolist())
    for name, attr, pairs in (("u", "u", data.pairs), ("ur", "ur", data.rpairs)):
        q = pairs["q"].tolist()
        lower = [qq if r == 0 else 0.0 for qq, r in zip(q, pairs["routes"].tolist())]
        setattr(fm, attr, new_vars(fm, name, len(pairs), NonNegativeReals, lower=lower, upper=q))
    jn = np.flatnonzero(s["has_n"].to_numpy())
    fixed = s["fixed_trains"].to_numpy()
    if data.baseline:
        lower = np.where(np.isnan(fixed), s["min"].to_numpy(), fixed)[jn]
        upper = np.where(np.isnan(fixed), s["max"].to_numpy(), fixed)[jn]
    else:
        lower, upper = np.zeros(len(jn)), s["max"].to_numpy()[jn]
    fm.n = dict(zip(jn.tolist(), new_vars(fm, "n", len(jn), NonNegativeIntegers, lower=lower, upper=upper)))
    jy = np.flatnonzero(s["has_y"].to_numpy())
    fm.y = dict(zip(jy.tolist(), new_vars(fm, "y", len(jy), Binary)))
    jw = np.flatnonzero(data.hubs["has_w"].to_numpy())
    fm.w = dict(zip(jw.tolist(), new_vars(fm, "w", len(jw), Binary, lower=data.hubs["forced"].to_numpy(dtype=float)[jw])))
    multi = data.groups.index[(data.groups["size"] > 1) & data.groups["destination_id"].isin(data.K.keys())]
    fm.v = dict(zip(multi.tolist(), new_vars(fm, "v", len(multi), Binary)))


# ---------------------------------------------------------------------------------------------
# constraint families
# ---------------------------------------------------------------------------------------------


def add_demand_balance(fm: FreightModel, data: ModelData) -> None:
    r"""Every box is carried or reported unserved, in each direction.

    .. math::

        \sum_{r : (c,r) \in A} x_{cr} + u_{cd} = q_{cd} \quad \forall (c,d) \in P, \qquad
        \sum_{r : (c,r) \in A'} x'_{cr} + u'_{cd} = q'_{cd} \quad \forall (c,d) \in P'

    Pairs without routes get no row (their :math:`u` is fixed to :math:`q` by its bounds).
    """
    for name, flows, xs, us, pairs in (("demand", data.west, fm.x, fm.u, data.pairs), ("demand_east", data.east, fm.xr, fm.ur, data.rpairs)):
        by_pair: dict[int, list] = {}
        for i, pr in enumerate(flows["pair"].tolist()):
            by_pair.setdefault(pr, []).append((1.0, xs[i]))
        q = pairs["q"].tolist()
        keys = sorted(by_pair)
        rows = [(q[pr], by_pair[pr] + [(1.0, us[pr])], q[pr]) for pr in keys]
        add_rows(fm, name, rows, keys)


def add_train_capacity(fm: FreightModel, data: ModelData) -> None:
    r"""Boxes ride on trains; eastbound boxes ride the same trains home (round trips).

    .. math::

        \sum_{c : (c,r) \in A} x_{cr} \le \kappa_r n_r, \qquad
        \sum_{c : (c,r) \in A'} x'_{cr} \le \kappa_r n_r \qquad \forall r \in R^n

    A service without a train count (no train cost, minimum, maximum or capped gateway) has
    unlimited capacity and no row.
    """
    kappa = data.services["kappa"].tolist()
    for name, flows, xs in (("train_capacity", data.west, fm.x), ("train_capacity_east", data.east, fm.xr)):
        by_svc: dict[int, list] = {}
        for i, r in enumerate(flows["svc"].tolist()):
            if r in fm.n:
                by_svc.setdefault(r, []).append((1.0, xs[i]))
        keys = sorted(by_svc)
        rows = [(None, by_svc[r] + [(-kappa[r], fm.n[r])], 0.0) for r in keys]
        add_rows(fm, name, rows, keys)


def add_frequency(fm: FreightModel, data: ModelData) -> None:
    r"""An open service runs between its minimum and maximum number of trains; a closed one none.

    .. math::

        m_r y_r \le n_r \le \bar n_r y_r \qquad \forall r \in R^n \cap R^y

    For :math:`r \in R^n \setminus R^y` the bounds of :math:`n_r` say it
    (:func:`add_variables`); for :math:`r \in R^y \setminus R^n` the service has no train count.
    """
    s = data.services
    lo_rows, hi_rows, keys_lo, keys_hi = [], [], [], []
    mins, maxs = s["min"].tolist(), s["max"].tolist()
    for r, y in fm.y.items():
        n = fm.n.get(r)
        if n is None:
            continue
        hi_rows.append((None, [(1.0, n), (-maxs[r], y)], 0.0))
        keys_hi.append(r)
        if mins[r] > 0:
            lo_rows.append((None, [(mins[r], y), (-1.0, n)], 0.0))
            keys_lo.append(r)
    add_rows(fm, "max_trains", hi_rows, keys_hi)
    add_rows(fm, "min_trains", lo_rows, keys_lo)


def add_hub_capacity(fm: FreightModel, data: ModelData) -> None:
    r"""Hub throughput, both directions, within capacity and only when the hub is open.

    .. math::

        \sum_{(c,r) \in A : h(r)=h} x_{cr} + \sum_{(c,r) \in A' : h(r)=h} x'_{cr}
        \le \bar U_h\, w_h \qquad \forall h \in H^w \cup H^U

    with :math:`\bar U_h = \min(U_h, Q_h)`, :math:`Q_h` the demand that could pass h. Without
    :math:`w_h` the right-hand side is :math:`U_h`; the row exists only where it can bind
    (:math:`U_h < Q_h`) or opens the hub.
    """
    hubs = data.hubs
    need = set(np.flatnonzero(hubs["cap_row"].to_numpy()).tolist())
    terms: dict[int, list] = {j: [] for j in need}
    for flows, xs in ((data.west, fm.x), (data.east, fm.xr)):
        for i, j in enumerate(flows["hub"].tolist()):
            if j in need:
                terms[j].append((1.0, xs[i]))
    cap = hubs["cap"].tolist()
    rows, keys = [], []
    for j in sorted(need):
        if not terms[j]:
            continue
        if j in fm.w:
            rows.append((None, terms[j] + [(-cap[j], fm.w[j])], 0.0))
        else:
            rows.append((None, terms[j], cap[j]))
        keys.append(j)
    add_rows(fm, "hub_capacity", rows, keys)


def add_gateway_capacity(fm: FreightModel, data: ModelData) -> None:
    r"""Trains through a border gateway within its capacity.

    .. math::

        \sum_{r \in R : b(r) = b} n_r \le V_b \qquad \forall b \in B,\ V_b < \infty
    """
    by_gw: dict[str, list] = {}
    for r, g in enumerate(data.services["gateway_id"].tolist()):
        if r in fm.n:
            by_gw.setdefault(g, []).append((1.0, fm.n[r]))
    rows, keys = [], []
    for g, V in zip(data.gateways["gateway_id"].tolist(), data.gateways["V"].tolist()):
        if g in by_gw:
            rows.append((None, by_gw[g], V))
            keys.append(g)
    add_rows(fm, "gateway_capacity", rows, keys)


def add_duplication_limit(fm: FreightModel, data: ModelData) -> None:
    r"""At most :math:`K_d` hubs run services to destination d (the duplication lever).

    .. math::

        \sum_{h : (h,d) \in G} o_{hd} \le K_d \quad \forall d,\ K_d < \infty, \qquad
        y_r \le v_{h(r)d(r)} \quad \forall r \in R^y \text{ in a group with several services}

    where :math:`o_{hd} = y_r` when hub h has one service r to d (one gateway), and
    :math:`o_{hd} = v_{hd}` when it has several (via different gateways), so a hub counts once.
    Not applied to the baseline.
    """
    s = data.services
    g_of = s["group"].tolist()
    link_rows, link_keys = [], []
    opened: dict[int, object] = {}
    for r, y in fm.y.items():
        g = g_of[r]
        if g in fm.v:
            link_rows.append((None, [(1.0, y), (-1.0, fm.v[g])], 0.0))
            link_keys.append(r)
            opened[g] = fm.v[g]
        else:
            opened[g] = y
    by_dest: dict[str, list] = {}
    for g, d in enumerate(data.groups["destination_id"].tolist()):
        if d in data.K and g in opened:
            by_dest.setdefault(d, []).append((1.0, opened[g]))
    keys = list(by_dest)
    add_rows(fm, "duplication_limit", [(None, by_dest[d], data.K[d]) for d in keys], keys)
    add_rows(fm, "hub_serves_destination", link_rows, link_keys)


def add_max_open_hubs(fm: FreightModel, data: ModelData) -> None:
    r"""Optionally, at most p hubs open in total.

    .. math::

        \sum_{h \in H} w_h \le p
    """
    if data.max_open_hubs is None or len(fm.w) <= data.max_open_hubs:
        return
    add_rows(fm, "max_open_hubs", [(None, [(1.0, w) for w in fm.w.values()], float(data.max_open_hubs))], ["all"])


def add_linking(fm: FreightModel, data: ModelData) -> None:
    r"""Strong linking: a route carries boxes only through an open service at an open hub.

    .. math::

        x_{cr} \le q_{c,d(r)}\, y_r \quad \forall (c,r) \in A,\ r \in R^y

        x_{cr} \le q_{c,d(r)}\, w_{h(r)} \quad \forall (c,r) \in A,\ r \notin R^y,\ h(r) \in H^w

        y_r \le w_{h(r)} \quad \forall r \in R^y,\ h(r) \in H^w \text{ (unless } v_{h(r)d(r)} \text{ exists)}

        \sum_{c} x'_{cr} \le \min(E_r, \kappa_r \bar n_r)\, y_r \quad \forall r \in R^y \text{ with eastbound routes}

    The disaggregated westbound rows make the LP bound tight (the capacitated facility location
    strong formulation); together with :math:`y_r \le w_h` they imply
    :math:`x_{cr} \le q\, w_h`, so that row is written only for routes without :math:`y_r`. The
    eastbound rows only need validity (boxes must not ride a closed service); the hub capacity row
    already links them to :math:`w_h`. When a service has a train count,
    :math:`n_r \le \bar n_r y_r` makes the eastbound row redundant, and it is left out.
    """
    s = data.services
    hub_of = s["hub"].tolist()
    rows, keys = [], []
    for i, (r, q) in enumerate(zip(data.west["svc"].tolist(), data.west["q"].tolist())):
        y = fm.y.get(r)
        if y is not None:
            rows.append((None, [(1.0, fm.x[i]), (-q, y)], 0.0))
        else:
            w = fm.w.get(hub_of[r])
            if w is None:
                continue
            rows.append((None, [(1.0, fm.x[i]), (-q, w)], 0.0))
        keys.append(i)
    add_rows(fm, "route_open", rows, keys)
    group = s["group"].tolist()
    sw_rows, sw_keys = [], []
    for r, y in fm.y.items():
        w = fm.w.get(hub_of[r])
        if w is not None and group[r] not in fm.v:  # else y_r <= v_hd <= w_h (add_group_linking)
            sw_rows.append((None, [(1.0, y), (-1.0, w)], 0.0))
            sw_keys.append(r)
    add_rows(fm, "service_at_open_hub", sw_rows, sw_keys)
    by_svc: dict[int, list] = {}
    for i, r in enumerate(data.east["svc"].tolist()):
        if r in fm.y and r not in fm.n:
            by_svc.setdefault(r, []).append((1.0, fm.xr[i]))
    E = s["E"].tolist()
    keys = sorted(by_svc)
    add_rows(fm, "route_open_east", [(None, by_svc[r] + [(-E[r], fm.y[r])], 0.0) for r in keys], keys)


def add_group_linking(fm: FreightModel, data: ModelData) -> None:
    r"""A pair's boxes through one hub, over all its gateways, ride only if the hub serves d.

    .. math::

        \sum_{r \in R_{hd}} x_{cr} \le q_{cd}\, o_{hd} \quad \forall (c,d) \in P,\ h :
        |\{r \in R_{hd} : (c,r) \in A\}| \ge 2, \qquad
        v_{hd} \le w_h \quad \forall (h,d) \text{ with } v_{hd},\ h \in H^w

    with :math:`o_{hd} = v_{hd}` where it exists, else :math:`w_h`. When a hub reaches d through
    several gateways, the per-route rows of :func:`add_linking` let a city spread its boxes over
    the gateways, each route only as open as its own service (:math:`\sum_r y_r` may exceed
    :math:`v_{hd}`); these rows close that gap of the LP relaxation (about a quarter of the root
    gap on ``instances/landbridge``). Only pairs with at least two routes through the hub get a
    row (with one route the per-route row is as strong).
    """
    group = data.services["group"].tolist()
    by_pg: dict[tuple, list] = {}
    for i, (pr, r) in enumerate(zip(data.west["pair"].tolist(), data.west["svc"].tolist())):
        by_pg.setdefault((pr, group[r]), []).append(i)
    g_hub = data.groups["hub"].tolist()
    q = data.pairs["q"].tolist()
    rows, keys = [], []
    for (pr, g), idx in by_pg.items():
        if len(idx) < 2:
            continue
        o = fm.v[g] if g in fm.v else fm.w.get(g_hub[g])
        if o is None:
            continue
        rows.append((None, [(1.0, fm.x[i]) for i in idx] + [(-q[pr], o)], 0.0))
        keys.append((pr, g))
    add_rows(fm, "hub_route_open", rows, keys)
    vw = [(g, fm.w[g_hub[g]]) for g in fm.v if g_hub[g] in fm.w]
    add_rows(fm, "serves_at_open_hub", [(None, [(1.0, fm.v[g]), (-1.0, w)], 0.0) for g, w in vw], [g for g, _ in vw])


def add_single_sourcing(fm: FreightModel, data: ModelData) -> None:
    r"""Optionally, each city sends each destination's boxes to one hub (all or nothing).

    .. math::

        \sum_{r : h(r)=h,\ (c,r) \in A} x_{cr} = q_{cd}\, z_{chd} \quad \forall (c,h,d), \qquad
        \sum_h z_{chd} \le 1 \quad \forall (c,d) \in P, \qquad z_{chd} \in \{0,1\}

    Demand balance then makes :math:`u_{cd} \in \{0, q_{cd}\}`. Eastbound boxes may still split.
    """
    if not data.single_sourcing or not len(data.west):
        return
    w = data.west
    key = list(zip(w["pair"].tolist(), w["hub"].tolist()))
    z_keys = list(dict.fromkeys(key))
    zpos = {k: i for i, k in enumerate(z_keys)}
    fm.z = new_vars(fm, "z", len(z_keys), Binary)
    fm.z_keys = z_keys
    terms: list[list] = [[] for _ in z_keys]
    for i, k in enumerate(key):
        terms[zpos[k]].append((1.0, fm.x[i]))
    q = data.pairs["q"].tolist()
    rows = [(0.0, terms[i] + [(-q[pr], fm.z[i])], 0.0) for i, (pr, _h) in enumerate(z_keys)]
    add_rows(fm, "single_source", rows, z_keys)
    by_pair: dict[int, list] = {}
    for i, (pr, _h) in enumerate(z_keys):
        by_pair.setdefault(pr, []).append((1.0, fm.z[i]))
    keys = [pr for pr in by_pair if len(by_pair[pr]) > 1]
    add_rows(fm, "one_hub", [(None, by_pair[pr], 1.0) for pr in keys], keys)


def add_objective(fm: FreightModel, data: ModelData) -> None:
    r"""Total annual system cost.

    .. math::

        \min \sum_{A} (f_{ch} + \eta_h) x_{cr} + \sum_{A'} (f_{ch} + \eta_h) x'_{cr}
        + \sum_{R^n} k_r n_r + \sum_{R^y} F_r y_r + \sum_{H^w} G_h w_h
        + \pi \Bigl(\sum_P u_{cd} + \sum_{P'} u'_{cd}\Bigr) + \frac{\rho}{1000} E

    with :math:`\rho` the ``co2_price`` (CNY per tonne) and :math:`E` the kg of :func:`co2_terms`
    (only when :math:`\rho > 0`; today's network is priced the same). In the baseline every service is open: its :math:`F_r` is a constant, and so is
    :math:`k_r n_r` for a service without a train count (then :math:`k_r = 0`). Services of the
    optimised plan without :math:`y_r` have :math:`F_r = 0`.
    """
    s, hubs = data.services, data.hubs
    terms = []
    for flows, xs in ((data.west, fm.x), (data.east, fm.xr)):
        c = (flows["f"] + flows["eta"]).tolist()
        terms += [(ci, x) for ci, x in zip(c, xs) if ci != 0.0]
    pen = data.penalty
    terms += [(pen, u) for u in fm.u] + [(pen, u) for u in fm.ur]
    k, F, G = s["k"].tolist(), s["F"].tolist(), hubs["G"].tolist()
    terms += [(k[r], n) for r, n in fm.n.items() if k[r] != 0.0]
    terms += [(F[r], y) for r, y in fm.y.items() if F[r] != 0.0]
    terms += [(G[j], w) for j, w in fm.w.items() if G[j] != 0.0]
    if data.co2_price > 0:
        terms += [(data.co2_price * c, v) for c, v in co2_terms(fm, data)]
    const = float(s["F"].sum()) if data.baseline else 0.0
    expr = linear(terms)
    fm.model.cost = Objective(expr=expr + const if const else expr, sense=minimize)


# ---------------------------------------------------------------------------------------------
# the builder
# ---------------------------------------------------------------------------------------------


def build_model(instance: Instance, *, baseline: bool = False, cuts: bool = False) -> FreightModel:
    """The freight model of ``instance`` (the optimised plan, or today's network with ``baseline``).

    ``cuts``: also add the valid inequalities of :mod:`.cuts` (rows every plan satisfies, which
    tighten the LP relaxation; the ``search`` strategy solves with them, ``plain`` without)."""
    t0 = time.perf_counter()
    with PauseGC():  # the build makes many small objects and no cycles: collecting is wasted time
        data = prepare(instance, baseline=baseline)
        fm = FreightModel(model=ConcreteModel(name=f"freight-{'baseline' if baseline else 'plan'}"), data=data)
        populate(fm, data, cuts=cuts)
    fm.build_seconds = time.perf_counter() - t0
    return fm


def populate(fm: FreightModel, data: ModelData, *, cuts: bool = False) -> None:
    """Add the variables, every constraint family and the objective of ``data`` to ``fm``
    (with ``cuts``, the valid inequalities of :mod:`.cuts` too)."""
    add_variables(fm, data)
    add_demand_balance(fm, data)
    add_train_capacity(fm, data)
    add_frequency(fm, data)
    add_hub_capacity(fm, data)
    add_gateway_capacity(fm, data)
    add_duplication_limit(fm, data)
    add_max_open_hubs(fm, data)
    add_min_open_hubs(fm, data)
    add_co2_cap(fm, data)
    add_max_avg_days(fm, data)
    add_linking(fm, data)
    add_group_linking(fm, data)
    add_single_sourcing(fm, data)
    if cuts:
        add_train_rounding(fm, data)
        add_hub_rounding(fm, data)
    add_objective(fm, data)
