r"""Sparse index sets and coefficients of the freight model (numpy and pandas, no Pyomo).

:func:`prepare` turns an :class:`~optimizer.instance.data.Instance` into :class:`ModelData` in named
steps: the candidate services, the integer codes of services and feeder legs, the demand pairs,
the routes (:func:`route_candidates`, two integer joins), the services and hubs that carry a route,
the train bounds, the hub–destination groups with the duplication limits that can bind, and the
hubs' reach. :mod:`.model` then makes the Pyomo model from it. The symbols are those of
:mod:`.model`'s table.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from ..instance.data import Instance
from ..instance.schema import INF
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
    min_open_hubs: int | None  # business rule (optimised plan only)
    open_hubs: list[int]  # hubs forced open, rows of ``hubs`` (optimised plan only)
    co2_price: float  # CNY per kg CO₂ in the objective (both plans: today's cost at the same price)
    co2_cap: float  # kg CO₂ a year at most (inf: no cap; optimised plan only)
    max_avg_days: float  # mean door-to-door days of the carried boxes at most (inf: no limit; optimised plan only)
    pairs: pd.DataFrame  # origin, destination, q, routes (number of routes of the pair)
    rpairs: pd.DataFrame  # the same, eastbound
    services: pd.DataFrame  # service_id, hub_id, destination_id, gateway_id, hub (row of hubs), group, k, kappa, min, max, F, km, co2 (kg/train), fixed_trains, has_n, has_y, W, E
    hubs: pd.DataFrame  # hub_id, eta, G, U, has_w, forced, cap, cap_row
    gateways: pd.DataFrame  # gateway_id, V (finite capacities only)
    groups: pd.DataFrame  # hub (row of hubs), destination_id, size (services of one hub to one destination)
    west: pd.DataFrame  # pair (row of pairs), svc (row of services), hub (row of hubs), q, f, eta, km, rail, days, co2 (kg/TEU)
    east: pd.DataFrame  # the same, eastbound (pair is a row of rpairs)
    K: dict[str, float]  # duplication limits that can bind, per destination (optimised plan only)


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

    Business rules (optimised plan only; the baseline is today's network): a city in
    ``fixed_assignments`` keeps only routes through its hub (as a status-quo assignment does);
    ``open_hubs`` and ``min_open_hubs`` give the hubs concerned an opening variable :math:`w_h`;
    a CO₂ price or cap gives every service a train count (trunk emissions are per train). The
    CO₂ price also prices today's network, so that the two costs compare; the cap does not
    apply to it.
    """
    p = instance.params
    penalty = float(p["unserved_penalty"])
    svc, fixed = candidate_services(instance, baseline)
    codes = _Codes.of(instance, svc)
    pairs = demand_pairs(instance, baseline)
    routes = {
        name: route_candidates(pairs.city[r], pairs.dest[r], pairs.q[name][r], pairs.tau[r], pairs.assigned_hub[r], codes.legs, codes.svc_key, codes.svc_days, codes.eta, penalty, codes.n_dest)
        for name, r in pairs.rows.items()
    }
    keep = np.arange(len(svc)) if baseline else used_services(routes, len(svc))
    svc, s_hub, s_dest, fixed = svc.iloc[keep], codes.s_hub[keep], codes.s_dest[keep], fixed[keep]
    model_hubs, s_hpos = hub_positions(s_hub, routes, len(instance.hubs))
    if not baseline:
        check_forced_hubs(instance, model_hubs)
    s_gw = instance.gateways.index.get_indexer(svc["gateway_id"])
    trains = train_bounds(instance, svc, s_gw, s_hpos, model_hubs, fixed, routes, baseline)
    group, g_keys, K = hub_destination_groups(instance, s_hpos, s_dest, baseline)
    return _assemble(instance, pairs, routes, svc, s_dest, s_gw, s_hpos, model_hubs, fixed, trains, group, g_keys, K, penalty, baseline)


def candidate_services(instance: Instance, baseline: bool) -> tuple[pd.DataFrame, np.ndarray]:
    """The services the model may use and today's train count of each (NaN: free).

    Optimised plan: every service whose hub is not in ``closed_hubs``. Baseline: today's network
    (:func:`~.baseline.baseline_services`) with its train counts.
    """
    if baseline:
        svc = baseline_services(instance)
        return svc, svc["trains"].to_numpy(dtype=float)
    svc = instance.services.reset_index()
    closed = list(instance.params.get("closed_hubs") or ())
    if closed:
        svc = svc[~svc["hub_id"].isin(closed)]
    return svc, np.full(len(svc), np.nan)


@dataclass
class _Codes:
    """Integer codes of the services and feeder legs (rows of the hubs, destinations, cities tables)."""

    s_hub: np.ndarray
    s_dest: np.ndarray
    svc_key: np.ndarray  # hub × n_dest + destination per service
    svc_days: np.ndarray
    eta: np.ndarray  # handling cost per hub
    legs: "Legs"
    n_dest: int

    @classmethod
    def of(cls, instance: Instance, svc: pd.DataFrame) -> "_Codes":
        hubs, dests, legs = instance.hubs, instance.destinations, instance.feeder_legs
        s_hub = hubs.index.get_indexer(svc["hub_id"])
        s_dest = dests.index.get_indexer(svc["destination_id"])
        return cls(
            s_hub=s_hub,
            s_dest=s_dest,
            svc_key=s_hub * len(dests) + s_dest,
            svc_days=svc["days"].to_numpy(dtype=float),
            eta=hubs["handling_cost"].to_numpy(dtype=float),
            legs=Legs(
                city=instance.cities.index.get_indexer(legs["city_id"]),
                hub=hubs.index.get_indexer(legs["hub_id"]),
                cost=legs["cost_per_teu"].to_numpy(dtype=float),
                days=legs["days"].to_numpy(dtype=float),
                km=legs["distance_km"].to_numpy(dtype=float),
                rail=(legs["mode"] == "rail").to_numpy(dtype=bool),
            ),
            n_dest=len(dests),
        )


@dataclass
class Pairs:
    """Demand rows as codes: city, destination, day limit, the hub today's network assigns (-1: any),
    the TEU per direction and the rows with TEU > 0 of each direction."""

    city: np.ndarray
    dest: np.ndarray
    tau: np.ndarray
    assigned_hub: np.ndarray
    q: dict[str, np.ndarray]  # "west", "east" -> TEU per demand row
    rows: dict[str, np.ndarray]  # "west", "east" -> demand rows with TEU > 0


def demand_pairs(instance: Instance, baseline: bool) -> Pairs:
    """The demand rows of the model; eastbound TEU are zero without ``return_flows``. In the baseline
    a pair with a row in status_quo_assignments keeps only routes through its assigned hub; in the
    optimised plan every pair of a city in ``fixed_assignments`` keeps only routes through its hub."""
    dem, dests, hubs = instance.demand, instance.destinations, instance.hubs
    n_dest = len(dests)
    city = instance.cities.index.get_indexer(dem["origin"])
    dest = dests.index.get_indexer(dem["destination"])
    assigned_hub = np.full(len(dem), -1)
    a = baseline_assignments(instance) if baseline else None
    if a is not None:
        a_key = instance.cities.index.get_indexer(a["city_id"]) * n_dest + dests.index.get_indexer(a["destination_id"])
        pos = pd.Index(a_key).get_indexer(city * n_dest + dest)
        assigned_hub = np.where(pos >= 0, hubs.index.get_indexer(a["hub_id"])[np.maximum(pos, 0)], -1)
    fixed = {} if baseline else dict(instance.params.get("fixed_assignments") or {})
    if fixed:
        to_hub = pd.Series(hubs.index.get_indexer(list(fixed.values())), index=list(fixed.keys()))
        assigned_hub = np.where(dem["origin"].isin(to_hub.index), dem["origin"].map(to_hub).fillna(-1).to_numpy(dtype=int), assigned_hub)
    q = {"west": dem["teu"].to_numpy(dtype=float)}
    q["east"] = dem["return_teu"].to_numpy(dtype=float) if instance.params.get("return_flows", True) else np.zeros(len(dem))
    return Pairs(city, dest, dem["max_days"].to_numpy(dtype=float), assigned_hub, q, {k: np.flatnonzero(v > 0) for k, v in q.items()})


def check_forced_hubs(instance: Instance, model_hubs: np.ndarray) -> None:
    """A hub forced open must carry a route: raise InputError naming those that cannot."""
    in_model = set(instance.hubs.index.to_numpy()[model_hubs].tolist())
    idle = [h for h in instance.params.get("open_hubs") or () if h not in in_model]
    if idle:
        raise InputError(
            [Problem(file="parameters", column="open_hubs", message=f"hub {', '.join(idle)} cannot be forced open: no route of this scenario passes it (no feeder leg to it with a service to a destination its cities ship to within max_days)")],
            source="parameters",
        )


def used_services(routes: dict[str, dict], n_svc: int) -> np.ndarray:
    """Services with at least one route (in either direction), renumbering the routes' ``svc``."""
    keep = np.union1d(routes["west"]["svc"], routes["east"]["svc"]).astype(int)
    remap = np.full(n_svc, -1)
    remap[keep] = np.arange(len(keep))
    for rt in routes.values():
        rt["svc"] = remap[rt["svc"]]
    return keep


def hub_positions(s_hub: np.ndarray, routes: dict[str, dict], n_hubs: int) -> tuple[np.ndarray, np.ndarray]:
    """The hubs of the model (those with a service, in the order of the hubs table) and the position
    of each service's hub among them; the routes' ``hub`` becomes that position too."""
    model_hubs = np.unique(s_hub)
    hub_pos = np.full(n_hubs, -1)
    hub_pos[model_hubs] = np.arange(len(model_hubs))
    for rt in routes.values():
        rt["hub"] = hub_pos[rt["hub"]]
    return model_hubs, hub_pos[s_hub]


@dataclass
class Trains:
    """Per service: westbound and eastbound TEU its routes could carry, and its train limits."""

    W: np.ndarray
    E: np.ndarray
    mins: np.ndarray
    maxs: np.ndarray  # the valid upper bound of prepare()'s docstring
    M: np.ndarray  # max_trains as given
    kappa: np.ndarray
    V: np.ndarray  # capacity of the service's gateway (trains)


def train_bounds(instance: Instance, svc: pd.DataFrame, s_gw, s_hpos, model_hubs, fixed, routes, baseline: bool) -> Trains:
    r"""Train limits of each service with the valid upper bound :math:`\bar n_r` (see :func:`prepare`)."""
    n_svc = len(svc)
    W = np.bincount(routes["west"]["svc"], weights=routes["west"]["q"], minlength=n_svc)
    E = np.bincount(routes["east"]["svc"], weights=routes["east"]["q"], minlength=n_svc)
    U_s = instance.hubs["capacity_teu"].to_numpy(dtype=float)[model_hubs][s_hpos]
    svc_V = instance.gateways["capacity_trains"].to_numpy(dtype=float)[s_gw]
    kappa = svc["train_capacity_teu"].to_numpy(dtype=float)
    need = np.ceil(np.maximum(np.minimum(W, U_s), np.minimum(E, U_s)) / kappa - 1e-9)
    mins = svc["min_trains"].to_numpy(dtype=float)
    M = svc["max_trains"].to_numpy(dtype=float)
    maxs = np.minimum(M, np.maximum(mins, need))
    if not baseline:
        maxs = np.minimum(maxs, svc_V)
    maxs = np.where(np.isnan(fixed), maxs, np.fmax(maxs, fixed))
    return Trains(W=W, E=E, mins=mins, maxs=maxs, M=M, kappa=kappa, V=svc_V)


def hub_destination_groups(instance: Instance, s_hpos, s_dest, baseline: bool) -> tuple[np.ndarray, np.ndarray, dict[str, float]]:
    """One group per (hub, destination) (several services when several gateways): the group of each
    service, the group keys (hub position × n_dest + destination) and the duplication limits that
    can bind (only where more hubs could serve d than :math:`K_d` allows; optimised plan only)."""
    dests = instance.destinations
    n_dest = len(dests)
    g_keys, group = np.unique(s_hpos * n_dest + s_dest, return_inverse=True)
    K: dict[str, float] = {}
    if not baseline:
        Kd = dests["max_hubs"].to_numpy(dtype=float)
        n_hubs_to = np.bincount(g_keys % n_dest, minlength=n_dest)
        binding = np.flatnonzero(np.isfinite(Kd) & (n_hubs_to > Kd))
        K = {str(dests.index[d]): float(Kd[d]) for d in binding}
    return group, g_keys, K


def hub_reach(routes: dict[str, dict], n_h: int) -> np.ndarray:
    """:math:`Q_h`: demand that could pass each hub of the model (each pair counted once per hub and direction)."""
    Q = np.zeros(n_h)
    width = max(n_h, 1)
    for rt in routes.values():
        pair_hub = np.unique(rt["pair"] * width + rt["hub"])
        Q += np.bincount(pair_hub % width, weights=rt["q_pair"][pair_hub // width], minlength=n_h)
    return Q


def _assemble(instance, pairs: Pairs, routes, svc, s_dest, s_gw, s_hpos, model_hubs, fixed, trains: Trains, group, g_keys, K, penalty, baseline) -> ModelData:
    """The :class:`ModelData` tables, with the flags saying which variables exist."""
    p, hubs, dests, gws, dem = instance.params, instance.hubs, instance.destinations, instance.gateways, instance.demand
    n_dest = len(dests)
    n_svc = len(svc)
    k_cost = svc["cost_per_train"].to_numpy(dtype=float)
    F = svc["fixed_cost"].to_numpy(dtype=float)
    dest_ids = dests.index.to_numpy()[s_dest]
    co2_price = float(p.get("co2_price", 0.0)) / 1000.0
    co2_cap = INF if baseline else float(p.get("co2_cap", INF)) * 1000.0
    priced = co2_price > 0 or np.isfinite(co2_cap)
    has_n = (k_cost > 0) | (trains.mins > 0) | np.isfinite(trains.M) | np.isfinite(trains.V) | ~np.isnan(fixed) | priced
    has_y = np.zeros(n_svc, dtype=bool) if baseline else (F > 0) | (trains.mins > 0) | np.isin(dest_ids, list(K))
    max_open = None if baseline else p.get("max_open_hubs")
    min_open = None if baseline else p.get("min_open_hubs")
    hub_ids = hubs.index.to_numpy()[model_hubs]
    forced = np.zeros(len(model_hubs), dtype=bool) if baseline else np.isin(hub_ids, list(p.get("open_hubs") or ()))
    U = hubs["capacity_teu"].to_numpy(dtype=float)[model_hubs]
    Q = hub_reach(routes, len(model_hubs))
    G = hubs["fixed_cost"].to_numpy(dtype=float)[model_hubs]
    has_w = (G > 0) | (max_open is not None) | (min_open is not None) | forced
    co2_feeder = np.array([float(p["co2_road_kg_per_teu_km"]), float(p["co2_rail_kg_per_teu_km"])])
    V_all = gws["capacity_trains"].to_numpy(dtype=float)
    gw_in = np.unique(s_gw)
    gw_in = gw_in[np.isfinite(V_all[gw_in])]

    def pairs_frame(name: str) -> pd.DataFrame:
        r = pairs.rows[name]
        return pd.DataFrame({"origin": dem["origin"].to_numpy()[r], "destination": dem["destination"].to_numpy()[r], "q": pairs.q[name][r], "routes": np.bincount(routes[name]["pair"], minlength=len(r))})

    return ModelData(
        baseline=baseline,
        penalty=penalty,
        single_sourcing=bool(p.get("single_sourcing", False)),
        max_open_hubs=None if max_open is None else int(max_open),
        min_open_hubs=None if min_open is None else int(min_open),
        open_hubs=np.flatnonzero(forced).tolist(),
        co2_price=co2_price,
        co2_cap=co2_cap,
        max_avg_days=INF if baseline else float(p.get("max_avg_days", INF)),
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
                "kappa": trains.kappa,
                "min": trains.mins,
                "max": trains.maxs,
                "F": F,
                "km": svc["distance_km"].to_numpy(dtype=float),
                "co2": svc["distance_km"].to_numpy(dtype=float) * float(p["co2_train_kg_per_km"]),
                "fixed_trains": fixed,
                "has_n": has_n,
                "has_y": has_y,
                "W": trains.W,
                "E": trains.E,
            }
        ),
        hubs=pd.DataFrame(
            {
                "hub_id": hub_ids,
                "eta": hubs["handling_cost"].to_numpy(dtype=float)[model_hubs],
                "G": G,
                "U": U,
                "has_w": has_w,
                "forced": forced,
                "cap": np.minimum(U, Q),
                "cap_row": has_w | (U < Q),
            }
        ),
        gateways=pd.DataFrame({"gateway_id": gws.index.to_numpy()[gw_in], "V": V_all[gw_in]}),
        groups=pd.DataFrame({"hub": g_keys // n_dest, "destination_id": dests.index.to_numpy()[g_keys % n_dest], "size": np.bincount(group, minlength=len(g_keys))}),
        west=_routes_frame(routes["west"], co2_feeder),
        east=_routes_frame(routes["east"], co2_feeder),
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


ROUTE_COLUMNS = ("pair", "svc", "hub", "q", "f", "eta", "km", "rail", "days")


def _routes_frame(rt: dict[str, np.ndarray], co2_feeder: np.ndarray) -> pd.DataFrame:
    """The route table, with the feeder leg's kg CO₂ per TEU (km × the factor of its mode: road, rail)."""
    frame = pd.DataFrame({c: rt[c] for c in ROUTE_COLUMNS})
    frame["co2"] = frame["km"].to_numpy(dtype=float) * co2_feeder[frame["rail"].to_numpy().astype(int)]
    return frame


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
    route's pair), q_pair (q by pair), f, eta, km, rail, days (feeder plus trunk).
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
    return {"pair": pair, "svc": si, "hub": hub, "q": q[pair], "q_pair": q, "f": leg.cost[lg], "eta": eta[hub], "km": leg.km[lg], "rail": leg.rail[lg], "days": leg.days[lg] + svc_days[si]}


