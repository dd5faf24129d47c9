r"""The freight consolidation MIP: feeder city → assembly hub → border gateway → destination.

:func:`build_model` turns an :class:`~optimizer.instance.data.Instance` into a Pyomo model in two
steps: :func:`prepare` computes the sparse index sets and every coefficient with numpy (integer
codes and joins, no Pyomo), then one ``add_<family>`` function per constraint family adds its
rows (:func:`populate` lists them in order). Each function's docstring holds its math with the
domain it ranges over.

Symbols and code names
----------------------
==========================  ==============================  =====================================
symbol                      meaning                         code
==========================  ==============================  =====================================
:math:`P`                   westbound pairs, q > 0          ``data.pairs`` (origin, destination, q)
:math:`P'`                  eastbound pairs, q' > 0         ``data.rpairs``
:math:`R`                   trunk services in the model     ``data.services`` (row = service)
:math:`h(r), d(r), b(r)`    hub, destination, gateway of r  ``services.hub_id``, ``.destination_id``, ``.gateway_id``
:math:`A`                   westbound routes (c, r)         ``data.west`` (pair, svc, hub, q, f, eta, km, rail)
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

import math
import re
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from pyomo.common.gc_manager import PauseGC
from pyomo.core.expr.numeric_expr import LinearExpression, MonomialTermExpression
from pyomo.core.expr.relational_expr import EqualityExpression, InequalityExpression
from pyomo.environ import (
    Binary,
    ConcreteModel,
    Constraint,
    NonNegativeIntegers,
    NonNegativeReals,
    Objective,
    Var,
    minimize,
)

from ..instance.data import Instance
from .baseline import baseline_assignments, baseline_services

#: slack when comparing door-to-door days with a limit (days are often sums of decimals)
DAYS_TOL = 1e-9


@dataclass
class ModelData:
    """Sparse index sets and coefficients of one freight model (pandas tables, no Pyomo).

    Row positions are the indices of the Pyomo components: ``data.west`` row i is ``m.x[i]``,
    ``data.services`` row j is service j, and so on.
    """

    baseline: bool
    penalty: float
    single_sourcing: bool
    max_open_hubs: int | None
    pairs: pd.DataFrame  # origin, destination, q, routes (number of routes of the pair)
    rpairs: pd.DataFrame  # the same, eastbound
    services: pd.DataFrame  # service_id, hub_id, destination_id, gateway_id, hub (row of hubs), group, k, kappa, min, max, F, km, fixed_trains, has_n, has_y, W, E
    hubs: pd.DataFrame  # hub_id, eta, G, U, has_w, cap, cap_row
    gateways: pd.DataFrame  # gateway_id, V (finite capacities only)
    groups: pd.DataFrame  # hub (row of hubs), destination_id, size (services of one hub to one destination)
    west: pd.DataFrame  # pair (row of pairs), svc (row of services), hub (row of hubs), q, f, eta, km, rail
    east: pd.DataFrame  # the same, eastbound (pair is a row of rpairs)
    K: dict[str, float]  # duplication limits that can bind, per destination (optimised plan only)


@dataclass
class FreightModel:
    """A built model: the Pyomo model, its data and the variables in row order of the data."""

    model: ConcreteModel
    data: ModelData
    x: list = field(default_factory=list)
    xr: list = field(default_factory=list)
    u: list = field(default_factory=list)
    ur: list = field(default_factory=list)
    n: dict = field(default_factory=dict)  # service position -> VarData
    y: dict = field(default_factory=dict)  # service position -> VarData
    w: dict = field(default_factory=dict)  # hub position -> VarData
    v: dict = field(default_factory=dict)  # group position -> VarData
    z: list = field(default_factory=list)
    z_keys: list = field(default_factory=list)  # (pair, hub) per z
    row_keys: dict = field(default_factory=dict)  # constraint name -> key per index
    build_seconds: float = 0.0
    #: when a list, :func:`populate` records variable bounds, rows and the objective here instead of
    #: making Pyomo objects (the re-solve of :mod:`optimizer.batch.resolve` reuses a built model)
    recording: list | None = None

    @property
    def baseline(self) -> bool:
        return self.data.baseline


class StructureChanged(Exception):
    """Recording found a variable family whose size differs from the built model's."""


# ---------------------------------------------------------------------------------------------
# index sets and coefficients
# ---------------------------------------------------------------------------------------------


def prepare(instance: Instance, *, baseline: bool = False) -> ModelData:
    r"""Sparse index sets, coefficients and valid bounds of the model (numpy, no Pyomo).

    Optimised plan: every service whose hub is not in ``closed_hubs``. Baseline (``baseline=True``):
    today's network as defined in :mod:`optimizer.freight.baseline`. Ids are turned into integer
    codes once; the route join (:func:`route_candidates`) and every aggregate are array operations,
    so the cost grows with the number of routes, not with cities × hubs × destinations.

    Upper bound of the train count (valid because trains cost :math:`k_r \ge 0` and are needed
    only to carry boxes):

    .. math::

        \bar n_r = \min\Bigl(M_r,\ V_{b(r)},\ \max\bigl(m_r,\
        \lceil \max(\min(W_r, U_{h(r)}),\ \min(E_r, U_{h(r)})) / \kappa_r \rceil\bigr)\Bigr)

    with :math:`W_r = \sum_{(c,r) \in A} q_{c,d(r)}` and :math:`E_r` the same over eastbound
    routes. In the baseline :math:`V_b` is left out of the bound so that a capped gateway shows up
    as its own conflicting row.
    """
    p = instance.params
    penalty = float(p["unserved_penalty"])
    hubs, dests, gws = instance.hubs, instance.destinations, instance.gateways
    n_dest = len(dests)

    if baseline:
        svc = baseline_services(instance)
        fixed = svc["trains"].to_numpy(dtype=float)
    else:
        svc = instance.services.reset_index()
        closed = list(p.get("closed_hubs") or ())
        if closed:
            svc = svc[~svc["hub_id"].isin(closed)]
        fixed = np.full(len(svc), np.nan)
    s_hub = hubs.index.get_indexer(svc["hub_id"])
    s_dest = dests.index.get_indexer(svc["destination_id"])
    eta = hubs["handling_cost"].to_numpy(dtype=float)

    legs = instance.feeder_legs
    leg = Legs(
        city=instance.cities.index.get_indexer(legs["city_id"]),
        hub=hubs.index.get_indexer(legs["hub_id"]),
        cost=legs["cost_per_teu"].to_numpy(dtype=float),
        days=legs["days"].to_numpy(dtype=float),
        km=legs["distance_km"].to_numpy(dtype=float),
        rail=(legs["mode"] == "rail").to_numpy(dtype=bool),
    )
    svc_key = s_hub * n_dest + s_dest
    svc_days = svc["days"].to_numpy(dtype=float)

    dem = instance.demand
    d_city = instance.cities.index.get_indexer(dem["origin"])
    d_dest = dests.index.get_indexer(dem["destination"])
    tau = dem["max_days"].to_numpy(dtype=float)
    assigned_hub = np.full(len(dem), -1)
    if baseline:
        a = baseline_assignments(instance)
        if a is not None:
            a_key = instance.cities.index.get_indexer(a["city_id"]) * n_dest + dests.index.get_indexer(a["destination_id"])
            pos = pd.Index(a_key).get_indexer(d_city * n_dest + d_dest)
            assigned_hub = np.where(pos >= 0, hubs.index.get_indexer(a["hub_id"])[np.maximum(pos, 0)], -1)

    directions = {"west": dem["teu"].to_numpy(dtype=float)}
    directions["east"] = dem["return_teu"].to_numpy(dtype=float) if p.get("return_flows", True) else np.zeros(len(dem))
    rows, routes = {}, {}
    for name, qall in directions.items():
        rows[name] = np.flatnonzero(qall > 0)
        r = rows[name]
        routes[name] = route_candidates(d_city[r], d_dest[r], qall[r], tau[r], assigned_hub[r], leg, svc_key, svc_days, eta, penalty, n_dest)

    n_svc = len(svc)
    if baseline:
        keep = np.arange(n_svc)
    else:
        keep = np.union1d(routes["west"]["svc"], routes["east"]["svc"]).astype(int)
        remap = np.full(n_svc, -1)
        remap[keep] = np.arange(len(keep))
        for rt in routes.values():
            rt["svc"] = remap[rt["svc"]]
    svc = svc.iloc[keep]
    s_hub, s_dest, fixed = s_hub[keep], s_dest[keep], fixed[keep]
    n_svc = len(keep)

    # hubs of the model: those with a service, in the order of the hubs table
    model_hubs = np.unique(s_hub)
    hub_pos = np.full(len(hubs), -1)
    hub_pos[model_hubs] = np.arange(len(model_hubs))
    for rt in routes.values():
        rt["hub"] = hub_pos[rt["hub"]]
    s_hpos = hub_pos[s_hub]

    W = np.bincount(routes["west"]["svc"], weights=routes["west"]["q"], minlength=n_svc)
    E = np.bincount(routes["east"]["svc"], weights=routes["east"]["q"], minlength=n_svc)
    U_all = hubs["capacity_teu"].to_numpy(dtype=float)
    U = U_all[model_hubs]
    V_all = gws["capacity_trains"].to_numpy(dtype=float)
    s_gw = gws.index.get_indexer(svc["gateway_id"])
    svc_V = V_all[s_gw]
    kappa = svc["train_capacity_teu"].to_numpy(dtype=float)
    U_s = U[s_hpos]
    need = np.ceil(np.maximum(np.minimum(W, U_s), np.minimum(E, U_s)) / kappa - 1e-9)
    mins = svc["min_trains"].to_numpy(dtype=float)
    M = svc["max_trains"].to_numpy(dtype=float)
    maxs = np.minimum(M, np.maximum(mins, need))
    if not baseline:
        maxs = np.minimum(maxs, svc_V)
    maxs = np.where(np.isnan(fixed), maxs, np.fmax(maxs, fixed))

    # one group per (hub, destination): several services when several gateways
    g_keys, group = np.unique(s_hpos * n_dest + s_dest, return_inverse=True)
    g_dest = g_keys % n_dest
    K: dict[str, float] = {}
    if not baseline:
        # a duplication limit matters only where more hubs could serve d than K[d] allows
        Kd = dests["max_hubs"].to_numpy(dtype=float)
        n_hubs_to = np.bincount(g_dest, minlength=n_dest)
        binding = np.flatnonzero(np.isfinite(Kd) & (n_hubs_to > Kd))
        K = {str(dests.index[d]): float(Kd[d]) for d in binding}
    k_cost = svc["cost_per_train"].to_numpy(dtype=float)
    F = svc["fixed_cost"].to_numpy(dtype=float)
    dest_ids = dests.index.to_numpy()[s_dest]
    has_n = (k_cost > 0) | (mins > 0) | np.isfinite(M) | np.isfinite(svc_V) | ~np.isnan(fixed)
    has_y = np.zeros(n_svc, dtype=bool) if baseline else (F > 0) | (mins > 0) | np.isin(dest_ids, list(K))

    max_open = None if baseline else p.get("max_open_hubs")
    n_h = len(model_hubs)
    Q = np.zeros(n_h)
    for rt in routes.values():  # demand that could pass each hub (each pair counted once per hub)
        pair_hub = np.unique(rt["pair"] * max(n_h, 1) + rt["hub"])
        Q += np.bincount(pair_hub % max(n_h, 1), weights=rt["q_pair"][pair_hub // max(n_h, 1)], minlength=n_h)
    G = hubs["fixed_cost"].to_numpy(dtype=float)[model_hubs]
    has_w = (G > 0) | (max_open is not None)
    gw_in = np.unique(s_gw)
    gw_in = gw_in[np.isfinite(V_all[gw_in])]

    def pairs_frame(name: str) -> pd.DataFrame:
        r = rows[name]
        return pd.DataFrame({"origin": dem["origin"].to_numpy()[r], "destination": dem["destination"].to_numpy()[r], "q": directions[name][r], "routes": np.bincount(routes[name]["pair"], minlength=len(r))})

    return ModelData(
        baseline=baseline,
        penalty=penalty,
        single_sourcing=bool(p.get("single_sourcing", False)),
        max_open_hubs=None if max_open is None else int(max_open),
        pairs=pairs_frame("west"),
        rpairs=pairs_frame("east"),
        services=pd.DataFrame(
            {
                "service_id": svc["service_id"].to_numpy(),
                "hub_id": svc["hub_id"].to_numpy(),
                "destination_id": dest_ids,
                "gateway_id": svc["gateway_id"].to_numpy(),
                "hub": s_hpos,
                "group": group,
                "k": k_cost,
                "kappa": kappa,
                "min": mins,
                "max": maxs,
                "F": F,
                "km": svc["distance_km"].to_numpy(dtype=float),
                "fixed_trains": fixed,
                "has_n": has_n,
                "has_y": has_y,
                "W": W,
                "E": E,
            }
        ),
        hubs=pd.DataFrame(
            {
                "hub_id": hubs.index.to_numpy()[model_hubs],
                "eta": eta[model_hubs],
                "G": G,
                "U": U,
                "has_w": has_w,
                "cap": np.minimum(U, Q),
                "cap_row": has_w | (U < Q),
            }
        ),
        gateways=pd.DataFrame({"gateway_id": gws.index.to_numpy()[gw_in], "V": V_all[gw_in]}),
        groups=pd.DataFrame({"hub": g_keys // n_dest, "destination_id": dests.index.to_numpy()[g_dest], "size": np.bincount(group, minlength=len(g_keys))}),
        west=pd.DataFrame({c: routes["west"][c] for c in ROUTE_COLUMNS}),
        east=pd.DataFrame({c: routes["east"][c] for c in ROUTE_COLUMNS}),
        K=K,
    )


@dataclass
class Legs:
    """Feeder legs as arrays: city and hub codes (rows of the cities/hubs tables), cost, days, km, rail."""

    city: np.ndarray
    hub: np.ndarray
    cost: np.ndarray
    days: np.ndarray
    km: np.ndarray
    rail: np.ndarray


ROUTE_COLUMNS = ("pair", "svc", "hub", "q", "f", "eta", "km", "rail")


def _join(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All index pairs (i, j) with ``left[i] == right[j]`` (an inner join of two integer key arrays),
    ordered by i, then by j."""
    order = np.argsort(right, kind="stable")
    rk = right[order]
    lo = np.searchsorted(rk, left, "left")
    cnt = np.searchsorted(rk, left, "right") - lo
    total = int(cnt.sum())
    li = np.repeat(np.arange(len(left)), cnt)
    start = np.repeat(lo - (np.cumsum(cnt) - cnt), cnt)
    return li, order[start + np.arange(total)]


def route_candidates(city, dest, q, tau, assigned_hub, leg: Legs, svc_key, svc_days, eta, penalty: float, n_dest: int) -> dict[str, np.ndarray]:
    r"""The routes :math:`A = \{(c, r)\}` of the given pairs: two integer joins, no dense product.

    .. math::

        A = \{(c, r) : q_{c,d(r)} > 0,\ (c, h(r)) \in L,\ h(r) \notin \text{closed},\
        t_{c,h(r)} + T_r \le \tau_{c,d(r)},\ f_{c,h(r)} + \eta_{h(r)} < \pi\}

    The pairs (``city``, ``dest``, ``q``, ``tau``) are joined with the feeder legs on the city,
    then with the services (``svc_key`` = hub × n_dest + destination; the services allowed, so
    closed hubs are already out) on (hub, destination). A route whose feeder plus handling cost
    is not below the penalty π is dropped (leaving the boxes unserved is never worse). A pair
    with ``assigned_hub`` ≥ 0 (baseline with status-quo assignments) keeps only routes through
    that hub. Returns arrays ordered by pair, then service: pair, svc, hub (code), q (of the
    route's pair), q_pair (q by pair), f, eta, km, rail.
    """
    pi, li = _join(city, leg.city)
    h = leg.hub[li]
    a, si = _join(h * n_dest + dest[pi], svc_key)
    pair, lg = pi[a], li[a]
    hub = leg.hub[lg]
    f = leg.cost[lg]
    e = eta[hub]
    keep = (leg.days[lg] + svc_days[si] <= tau[pair] + DAYS_TOL) & (f + e < penalty)
    keep &= (assigned_hub[pair] < 0) | (assigned_hub[pair] == hub)
    order = np.flatnonzero(keep)
    order = order[np.lexsort((si[order], pair[order]))]
    pair, lg, si, hub = pair[order], lg[order], si[order], hub[order]
    return {"pair": pair, "svc": si, "hub": hub, "q": q[pair], "q_pair": q, "f": leg.cost[lg], "eta": eta[hub], "km": leg.km[lg], "rail": leg.rail[lg]}


# ---------------------------------------------------------------------------------------------
# Pyomo construction helpers: one linear expression per row, built from plain lists
# ---------------------------------------------------------------------------------------------


def _expr(terms) -> LinearExpression:
    """``terms`` = [(coef, var), ...] → LinearExpression (a coefficient 1 keeps the bare variable)."""
    return LinearExpression([v if c == 1.0 else MonomialTermExpression((c, v)) for c, v in terms])


def _add_rows(fm: FreightModel, name: str, rows: list, keys: list) -> None:
    """Add ``Constraint`` ``name`` over ``range(len(rows))``; a row is (lower, terms, upper).

    A row is ``terms <= upper`` (``lower`` None) or ``terms == upper`` (``lower == upper``): every
    family is written in one of these two forms. ``keys`` (one per row) let :func:`explain` name
    what a row stands for.
    """
    if not rows:
        return
    if fm.recording is not None:
        fm.recording.append(("rows", name, rows))
        fm.row_keys[name] = keys
        return
    built = []
    for lo, terms, hi in rows:  # relational expressions made directly: twice as fast as (lo, e, hi) tuples
        e = _expr(terms)
        built.append(InequalityExpression((e, hi), False) if lo is None else EqualityExpression((e, hi)))
    fm.model.add_component(name, Constraint(range(len(built)), rule=lambda _m, i: built[i]))
    fm.row_keys[name] = keys


def _vars(fm: FreightModel, name: str, n: int, domain, lower=None, upper=None) -> list:
    """``Var(range(n))`` with per-element bounds from the lists ``lower``/``upper``; returns the VarData list."""
    if n == 0:
        return []
    if fm.recording is not None:
        comp = fm.model.component(name)
        if comp is None or len(comp) != n:
            raise StructureChanged(f"{name}: {0 if comp is None else len(comp)} variables built, {n} now")
        fm.recording.append(("vars", name, lower, upper))
        return list(comp.values())
    comp = Var(range(n), domain=domain)
    fm.model.add_component(name, comp)
    out = list(comp.values())
    if lower is not None:
        for var, lb in zip(out, lower):
            var.setlb(float(lb))
    if upper is not None:
        for var, ub in zip(out, upper):
            var.setub(None if not math.isfinite(ub) else float(ub))
    return out


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
        y_r \in \{0,1\}\ \forall r \in R^y, \qquad w_h \in \{0,1\}\ \forall h \in H^w

    A pair without any route has :math:`u_{cd} = q_{cd}` (both bounds). In the baseline the
    status-quo services are open: :math:`\underline n_r = m_r`, or :math:`n_r` equals today's
    trains where the status quo gives them.
    """
    s = data.services
    fm.x = _vars(fm, "x", len(data.west), NonNegativeReals, upper=data.west["q"].tolist())
    fm.xr = _vars(fm, "xr", len(data.east), NonNegativeReals, upper=data.east["q"].tolist())
    for name, attr, pairs in (("u", "u", data.pairs), ("ur", "ur", data.rpairs)):
        q = pairs["q"].tolist()
        lower = [qq if r == 0 else 0.0 for qq, r in zip(q, pairs["routes"].tolist())]
        setattr(fm, attr, _vars(fm, name, len(pairs), NonNegativeReals, lower=lower, upper=q))
    jn = np.flatnonzero(s["has_n"].to_numpy())
    fixed = s["fixed_trains"].to_numpy()
    if data.baseline:
        lower = np.where(np.isnan(fixed), s["min"].to_numpy(), fixed)[jn]
        upper = np.where(np.isnan(fixed), s["max"].to_numpy(), fixed)[jn]
    else:
        lower, upper = np.zeros(len(jn)), s["max"].to_numpy()[jn]
    fm.n = dict(zip(jn.tolist(), _vars(fm, "n", len(jn), NonNegativeIntegers, lower=lower, upper=upper)))
    jy = np.flatnonzero(s["has_y"].to_numpy())
    fm.y = dict(zip(jy.tolist(), _vars(fm, "y", len(jy), Binary)))
    jw = np.flatnonzero(data.hubs["has_w"].to_numpy())
    fm.w = dict(zip(jw.tolist(), _vars(fm, "w", len(jw), Binary)))
    multi = data.groups.index[(data.groups["size"] > 1) & data.groups["destination_id"].isin(data.K.keys())]
    fm.v = dict(zip(multi.tolist(), _vars(fm, "v", len(multi), Binary)))


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
        _add_rows(fm, name, rows, keys)


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
        _add_rows(fm, name, rows, keys)


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
    _add_rows(fm, "max_trains", hi_rows, keys_hi)
    _add_rows(fm, "min_trains", lo_rows, keys_lo)


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
    _add_rows(fm, "hub_capacity", rows, keys)


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
    _add_rows(fm, "gateway_capacity", rows, keys)


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
    _add_rows(fm, "duplication_limit", [(None, by_dest[d], data.K[d]) for d in keys], keys)
    _add_rows(fm, "hub_serves_destination", link_rows, link_keys)


def add_max_open_hubs(fm: FreightModel, data: ModelData) -> None:
    r"""Optionally, at most p hubs open in total.

    .. math::

        \sum_{h \in H} w_h \le p
    """
    if data.max_open_hubs is None or len(fm.w) <= data.max_open_hubs:
        return
    _add_rows(fm, "max_open_hubs", [(None, [(1.0, w) for w in fm.w.values()], float(data.max_open_hubs))], ["all"])


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
    _add_rows(fm, "route_open", rows, keys)
    group = s["group"].tolist()
    sw_rows, sw_keys = [], []
    for r, y in fm.y.items():
        w = fm.w.get(hub_of[r])
        if w is not None and group[r] not in fm.v:  # else y_r <= v_hd <= w_h (add_group_linking)
            sw_rows.append((None, [(1.0, y), (-1.0, w)], 0.0))
            sw_keys.append(r)
    _add_rows(fm, "service_at_open_hub", sw_rows, sw_keys)
    by_svc: dict[int, list] = {}
    for i, r in enumerate(data.east["svc"].tolist()):
        if r in fm.y and r not in fm.n:
            by_svc.setdefault(r, []).append((1.0, fm.xr[i]))
    E = s["E"].tolist()
    keys = sorted(by_svc)
    _add_rows(fm, "route_open_east", [(None, by_svc[r] + [(-E[r], fm.y[r])], 0.0) for r in keys], keys)


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
    _add_rows(fm, "hub_route_open", rows, keys)
    vw = [(g, fm.w[g_hub[g]]) for g in fm.v if g_hub[g] in fm.w]
    _add_rows(fm, "serves_at_open_hub", [(None, [(1.0, fm.v[g]), (-1.0, w)], 0.0) for g, w in vw], [g for g, _ in vw])


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
    fm.z = _vars(fm, "z", len(z_keys), Binary)
    fm.z_keys = z_keys
    terms: list[list] = [[] for _ in z_keys]
    for i, k in enumerate(key):
        terms[zpos[k]].append((1.0, fm.x[i]))
    q = data.pairs["q"].tolist()
    rows = [(0.0, terms[i] + [(-q[pr], fm.z[i])], 0.0) for i, (pr, _h) in enumerate(z_keys)]
    _add_rows(fm, "single_source", rows, z_keys)
    by_pair: dict[int, list] = {}
    for i, (pr, _h) in enumerate(z_keys):
        by_pair.setdefault(pr, []).append((1.0, fm.z[i]))
    keys = [pr for pr in by_pair if len(by_pair[pr]) > 1]
    _add_rows(fm, "one_hub", [(None, by_pair[pr], 1.0) for pr in keys], keys)


def add_objective(fm: FreightModel, data: ModelData) -> None:
    r"""Total annual system cost.

    .. math::

        \min \sum_{A} (f_{ch} + \eta_h) x_{cr} + \sum_{A'} (f_{ch} + \eta_h) x'_{cr}
        + \sum_{R^n} k_r n_r + \sum_{R^y} F_r y_r + \sum_{H^w} G_h w_h
        + \pi \Bigl(\sum_P u_{cd} + \sum_{P'} u'_{cd}\Bigr)

    In the baseline every service is open: its :math:`F_r` is a constant, and so is
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
    const = float(s["F"].sum()) if data.baseline else 0.0
    if fm.recording is not None:
        fm.recording.append(("objective", terms, const))
        return
    expr = _expr(terms)
    fm.model.cost = Objective(expr=expr + const if const else expr, sense=minimize)


# ---------------------------------------------------------------------------------------------
# the builder
# ---------------------------------------------------------------------------------------------


def build_model(instance: Instance, *, baseline: bool = False) -> FreightModel:
    """The freight model of ``instance`` (the optimised plan, or today's network with ``baseline``)."""
    t0 = time.perf_counter()
    with PauseGC():  # the build makes many small objects and no cycles: collecting is wasted time
        data = prepare(instance, baseline=baseline)
        fm = FreightModel(model=ConcreteModel(name=f"freight-{'baseline' if baseline else 'plan'}"), data=data)
        populate(fm, data)
    fm.build_seconds = time.perf_counter() - t0
    return fm


def populate(fm: FreightModel, data: ModelData) -> None:
    """Add the variables, every constraint family and the objective of ``data`` to ``fm``."""
    add_variables(fm, data)
    add_demand_balance(fm, data)
    add_train_capacity(fm, data)
    add_frequency(fm, data)
    add_hub_capacity(fm, data)
    add_gateway_capacity(fm, data)
    add_duplication_limit(fm, data)
    add_max_open_hubs(fm, data)
    add_linking(fm, data)
    add_group_linking(fm, data)
    add_single_sourcing(fm, data)
    add_objective(fm, data)


# ---------------------------------------------------------------------------------------------
# plain words for conflicting constraints
# ---------------------------------------------------------------------------------------------

_NAME = re.compile(r"^(?:bounds of )?(\w+)\[(\d+)\]$")


def explain(fm: FreightModel, names: list[str]) -> list[str]:
    """Plain-word reasons for the constraint names of an IIS (:func:`optimizer.solve.conflicting_constraints`).

    The optimised plan is always feasible (any box may stay unserved, any service closed), so a
    conflict comes from today's network: services forced to run (their minimum, or today's train
    count) through a gateway that cannot clear that many trains. Those two kinds are worded; any
    other constraint is named by its family and key.
    """
    data = fm.data
    s = data.services
    n_pos = list(fm.n)
    out: list[str] = []
    for name in names:
        match = _NAME.match(name)
        if not match:
            out.append(name)
            continue
        comp, idx = match.group(1), int(match.group(2))
        if name.startswith("bounds of ") and comp == "n":
            row = s.iloc[n_pos[idx]]
            if np.isnan(row["fixed_trains"]):
                out.append(f"service {row['service_id']} runs today, so at least its min_trains {row['min']:g} a year")
            else:
                out.append(f"service {row['service_id']} runs {row['fixed_trains']:g} trains a year today (status_quo.csv)")
            continue
        key = fm.row_keys.get(comp, [None] * (idx + 1))[idx]
        if comp == "gateway_capacity":
            V = float(data.gateways.set_index("gateway_id").loc[key, "V"])
            sv = ", ".join(s.loc[s["gateway_id"] == key, "service_id"].tolist())
            out.append(f"gateway {key} clears at most {V:g} trains a year (services through it: {sv})")
        else:
            out.append(f"{comp.replace('_', ' ')} ({key})")
    return out
