"""Readable labels of the freight model's columns and rows, by ids rather than positions.

A column or row of :mod:`.model` is indexed by its position in :class:`~.prepare.ModelData`
(route i is row i of ``data.west``); positions change between scenarios, ids do not. Labels::

    x, xr      (origin, destination, service_id)      route, westbound / eastbound
    u, ur      (origin, destination)                  unserved TEU
    n, y       service_id                             trains, service open
    w          hub_id                                 hub open
    v          (hub_id, destination_id)               hub serves destination
    z          (origin, destination, hub_id)          single-sourcing choice

Rows are labelled the same way by what they are about (``demand`` by pair, ``train_capacity`` by
service, ``hub_capacity`` by hub, ``route_open`` by route, ...). :func:`freight_labels` gives them to
the solver layer (:class:`optimizer.solve.Labels`), so that a start pool matches routes by
(origin, destination, service) across scenarios that close hubs or change transit limits, and
:mod:`.explain` words a conflict by ids.
"""

from __future__ import annotations

from functools import cache
from typing import Callable, Hashable

from ..solve import Labels
from .model import FreightModel


def column_labels(fm: FreightModel) -> dict[str, list[Hashable]]:
    """Variable family -> the label of each of its indices."""
    d = fm.data
    svc, hub_ids = d.services["service_id"].tolist(), d.hubs["hub_id"].tolist()
    west, east = _pair_ids(d.pairs), _pair_ids(d.rpairs)
    g_hub, g_dest = d.groups["hub"].tolist(), d.groups["destination_id"].tolist()
    return {
        "x": [(*west[p], svc[r]) for p, r in zip(d.west["pair"].tolist(), d.west["svc"].tolist())],
        "xr": [(*east[p], svc[r]) for p, r in zip(d.east["pair"].tolist(), d.east["svc"].tolist())],
        "u": west,
        "ur": east,
        "n": [svc[r] for r in fm.n],
        "y": [svc[r] for r in fm.y],
        "w": [hub_ids[j] for j in fm.w],
        "v": [(hub_ids[g_hub[g]], g_dest[g]) for g in fm.v],
        "z": [(*west[p], hub_ids[h]) for p, h in fm.z_keys],
    }


def row_labels(fm: FreightModel) -> dict[str, list[Hashable]]:
    """Constraint family -> the label of each of its rows (from ``fm.row_keys``, which are positions)."""
    d = fm.data
    svc, hub_ids = d.services["service_id"].tolist(), d.hubs["hub_id"].tolist()
    west, east = _pair_ids(d.pairs), _pair_ids(d.rpairs)
    g_hub, g_dest = d.groups["hub"].tolist(), d.groups["destination_id"].tolist()
    route = list(zip(d.west["pair"].tolist(), d.west["svc"].tolist()))
    by_key: dict[str, Callable] = {
        "demand": lambda p: west[p],
        "demand_east": lambda p: east[p],
        "hub_capacity": lambda j: hub_ids[j],
        "route_open": lambda i: (*west[route[i][0]], svc[route[i][1]]),
        "hub_route_open": lambda k: (*west[k[0]], hub_ids[g_hub[k[1]]]),
        "serves_at_open_hub": lambda g: (hub_ids[g_hub[g]], g_dest[g]),
        "single_source": lambda k: (*west[k[0]], hub_ids[k[1]]),
        "one_hub": lambda p: west[p],
        "gateway_capacity": lambda g: g,
        "duplication_limit": lambda dest: dest,
        "max_open_hubs": lambda key: key,
        "min_open_hubs": lambda key: key,
        "co2_cap": lambda key: key,
        "max_avg_days": lambda key: key,
        "service_level": lambda key: key,
        "train_rounding": lambda key: key,
        "train_rounding_east": lambda key: key,
        "hub_rounding": lambda key: key,
    }
    per_service = lambda r: svc[r]  # noqa: E731 - train_capacity, max/min_trains, service links
    return {name: [by_key.get(name, per_service)(k) for k in keys] for name, keys in fm.row_keys.items()}


def _pair_ids(pairs) -> list[tuple[str, str]]:
    return list(zip(pairs["origin"].tolist(), pairs["destination"].tolist()))


def freight_labels(fm: FreightModel) -> Labels:
    """The model's labels for the solver layer, computed on first use (a plain solve never asks)."""
    columns = cache(lambda: column_labels(fm))
    rows = cache(lambda: row_labels(fm))
    return Labels(
        column=lambda family, index: (family, columns()[family][index]),
        row=lambda family, index: (family, rows()[family][index]),
    )
