"""Feeder legs city → hub, derived from coordinates or from a road/rail network graph.

Used when an instance has no ``feeder_legs.csv``. Two ways, both sparse (only legs up to
``max_feeder_km`` are kept):

* coordinates: great-circle (haversine) distance × ``circuity``; the mode follows
  ``feeder_mode`` (``road``, ``rail``, or ``auto``: rail beyond ``rail_min_km``);
* ``network_edges.csv``: the cheapest path in the undirected graph (networkx Dijkstra from each
  hub), its length the network distance (no circuity).

Either way a leg costs ``feeder_fixed_cost_per_teu + km × feeder_cost_per_teu_km[mode]`` per TEU
and takes ``km / feeder_speed_km_per_day[mode]`` days, and a hub that stands at a city
(``hubs.city_id``) gets a zero-cost, zero-day leg from that city.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd

from .data import make_table

EARTH_RADIUS_KM = 6371.0088


def haversine_km(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Great-circle distance in km; the arguments broadcast like numpy arrays (degrees)."""
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(a, dtype=float)) for a in (lon1, lat1, lon2, lat2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def derive_feeder_legs(cities: pd.DataFrame, hubs: pd.DataFrame, params: dict, edges: pd.DataFrame | None = None) -> pd.DataFrame:
    """Feeder legs (the ``feeder_legs`` table) for every city–hub pair within ``max_feeder_km``.

    ``cities`` is indexed by city_id (columns lon, lat), ``hubs`` by hub_id (lon, lat, city_id).
    With a non-empty ``edges`` table (columns of ``network_edges``) the graph is used instead of
    coordinates.
    """
    if edges is not None and len(edges):
        legs = _graph_legs(cities, hubs, params, edges)
    else:
        legs = _coordinate_legs(cities, hubs, params)
    return add_own_city_legs(legs, cities, hubs, replace=True)


def add_own_city_legs(legs: pd.DataFrame, cities: pd.DataFrame, hubs: pd.DataFrame, replace: bool) -> pd.DataFrame:
    """``legs`` with a zero-cost, zero-day leg from each hub's own city (``hubs.city_id``).

    ``replace``: the zero leg replaces a leg given for that pair (derived legs); otherwise it is
    added only where the pair has no leg (legs given in a file are kept as written).
    """
    own = own_city_legs(cities, hubs)
    if len(own):
        pairs = pd.MultiIndex.from_frame(own[["city_id", "hub_id"]])
        present = pd.MultiIndex.from_frame(legs[["city_id", "hub_id"]].astype(str)).isin(pairs)
        if replace:
            legs = legs[~present]
        else:
            own = own[~pairs.isin(pd.MultiIndex.from_frame(legs[["city_id", "hub_id"]].astype(str)))]
        legs = pd.concat([own, legs], ignore_index=True)
    legs = make_table("feeder_legs", legs)
    return legs.sort_values(["city_id", "hub_id"], kind="stable", ignore_index=True)


def _leg_cost_days(km: np.ndarray, mode: np.ndarray, params: dict) -> tuple[np.ndarray, np.ndarray]:
    cost_km = params["feeder_cost_per_teu_km"]
    speed = params["feeder_speed_km_per_day"]
    rail = mode == "rail"
    cost = params["feeder_fixed_cost_per_teu"] + km * np.where(rail, cost_km["rail"], cost_km["road"])
    days = km / np.where(rail, speed["rail"], speed["road"])
    return cost, days


def _modes_for(km: np.ndarray, params: dict) -> np.ndarray:
    mode = params["feeder_mode"]
    if mode == "auto":
        return np.where(km > params["rail_min_km"], "rail", "road")
    return np.full(km.shape, mode, dtype=object)


def _coordinate_legs(cities: pd.DataFrame, hubs: pd.DataFrame, params: dict) -> pd.DataFrame:
    c_lon = cities["lon"].to_numpy(float)[:, None]
    c_lat = cities["lat"].to_numpy(float)[:, None]
    km = haversine_km(c_lon, c_lat, hubs["lon"].to_numpy(float)[None, :], hubs["lat"].to_numpy(float)[None, :])
    km = km * params["circuity"]
    ci, hi = np.nonzero(km <= params["max_feeder_km"])
    km = km[ci, hi]
    mode = _modes_for(km, params)
    cost, days = _leg_cost_days(km, mode, params)
    return pd.DataFrame(
        {
            "city_id": cities.index.to_numpy()[ci],
            "hub_id": hubs.index.to_numpy()[hi],
            "cost_per_teu": cost,
            "days": days,
            "distance_km": km,
            "mode": mode,
        }
    )


def own_city_legs(cities: pd.DataFrame, hubs: pd.DataFrame) -> pd.DataFrame:
    at_city = hubs[hubs["city_id"].isin(cities.index)]
    return pd.DataFrame(
        {
            "city_id": at_city["city_id"].to_numpy(),
            "hub_id": at_city.index.to_numpy(),
            "cost_per_teu": 0.0,
            "days": 0.0,
            "distance_km": 0.0,
            "mode": "road",
        }
    )


def build_graph(hubs: pd.DataFrame, params: dict, edges: pd.DataFrame) -> nx.Graph:
    """Undirected graph of the edges, weighted by feeder cost; a hub is joined to its city at no cost."""
    km = edges["distance_km"].to_numpy(float)
    mode = edges["mode"].to_numpy(object)
    cost, days = _leg_cost_days(km, mode, params)
    cost = cost - params["feeder_fixed_cost_per_teu"]
    g = nx.Graph()
    for u, v, k, m, c, d in zip(edges["from_id"], edges["to_id"], km, mode, cost, days):
        if not g.has_edge(u, v) or g[u][v]["cost"] > c:
            g.add_edge(u, v, cost=c, km=k, days=d, rail_km=k if m == "rail" else 0.0)
    for hub_id, city_id in hubs["city_id"].items():
        if city_id and city_id != hub_id:
            g.add_edge(hub_id, city_id, cost=0.0, km=0.0, days=0.0, rail_km=0.0)
    return g


def _graph_legs(cities: pd.DataFrame, hubs: pd.DataFrame, params: dict, edges: pd.DataFrame) -> pd.DataFrame:
    g = build_graph(hubs, params, edges)
    city_ids = set(cities.index)
    rows = []
    for hub_id in hubs.index:
        if hub_id not in g:
            continue
        _, paths = nx.single_source_dijkstra(g, hub_id, weight="cost")
        for city_id, path in paths.items():
            if city_id not in city_ids:
                continue
            km = days = rail_km = cost = 0.0
            for u, v in zip(path[:-1], path[1:]):
                e = g[u][v]
                km += e["km"]
                days += e["days"]
                rail_km += e["rail_km"]
                cost += e["cost"]
            if km <= params["max_feeder_km"]:
                mode = "rail" if rail_km > km - rail_km else "road"
                rows.append((city_id, hub_id, params["feeder_fixed_cost_per_teu"] + cost, days, km, mode))
    return pd.DataFrame(rows, columns=["city_id", "hub_id", "cost_per_teu", "days", "distance_km", "mode"])
