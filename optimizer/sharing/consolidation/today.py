r"""What each player pays today: its cities' share of the cost of today's network.

Today's network is the instance's status quo, solved as ``optimizer freight solve`` solves it
(the baseline plan, all demand of the instance). Its cost is attributed to cities, and a player
pays what its cities pay:

* feeder and handling costs: to the city whose boxes they are (each flow's own cost);
* the train and fixed cost of a service: to the cities whose boxes ride it, by their TEU on it
  (westbound plus return); a service running without boxes, by the TEU its hub handles;
* a hub's fixed cost: to the cities whose boxes it handles, by TEU;
* the unserved penalty: to the city whose boxes are left unserved.

A cost without boxes to share it by (a service and its hub both empty) is split equally over
every city with demand. The attributed costs add up to the baseline's total cost.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...freight.run import PlanResult
from .players import Players

ATTRIBUTION_RULE = (
    "feeder and handling cost of its own boxes; each service's train and fixed cost by TEU share "
    "(westbound plus return) of the boxes riding it; each hub's fixed cost by TEU share of its "
    "throughput; the penalty for its own unserved boxes"
)


def _shares(teu: pd.DataFrame, key: str) -> pd.DataFrame:
    """(key, city_id, share) with each key's shares summing to 1 over its cities."""
    g = teu.groupby([key, "city_id"], as_index=False)["teu"].sum()
    g = g[g["teu"] > 0]
    g["share"] = g["teu"] / g.groupby(key)["teu"].transform("sum")
    return g[[key, "city_id", "share"]]


def city_costs(baseline: PlanResult, penalty: float) -> pd.Series:
    """Today's cost per city (CNY per year), attributed as the module docstring says."""
    t = baseline.tables
    flows, services, hubs, unserved = t["flows"], t["services"], t["hubs"], t["unserved"]
    cost: dict[str, float] = {}

    def add(city: str, amount: float) -> None:
        cost[city] = cost.get(city, 0.0) + float(amount)

    for c, a in (flows.groupby("city_id")[["feeder_cost", "handling_cost"]].sum().sum(axis=1)).items():
        add(c, a)
    for c, a in unserved.groupby("origin")["teu"].sum().items():
        add(c, a * penalty)
    cities = sorted(set(flows["city_id"]) | set(unserved["origin"]))
    by_service = _shares(flows, "service_id")
    by_hub = _shares(flows, "hub_id")
    leftover = 0.0
    svc_cost = services.set_index("service_id")[["train_cost", "fixed_cost"]].sum(axis=1)
    svc_hub = services.set_index("service_id")["hub_id"]
    for share_table, key, amounts in ((by_service, "service_id", svc_cost), (by_hub, "hub_id", hubs.set_index("hub_id")["fixed_cost"])):
        grouped = {k: g for k, g in share_table.groupby(key)}
        for k, amount in amounts.items():
            if not amount:
                continue
            g = grouped.get(k)
            if g is None and key == "service_id":
                g = grouped_hub(by_hub, svc_hub.get(k))
            if g is None or g.empty:
                leftover += float(amount)
                continue
            for c, s in zip(g["city_id"], g["share"]):
                add(c, amount * s)
    if leftover and cities:
        for c in cities:
            add(c, leftover / len(cities))
    return pd.Series(cost, dtype=float).sort_index()


def grouped_hub(by_hub: pd.DataFrame, hub: str | None) -> pd.DataFrame | None:
    """The city shares of a hub's throughput (for a service that carries no boxes)."""
    if hub is None:
        return None
    return by_hub[by_hub["hub_id"] == hub]


def player_costs(per_city: pd.Series, players: Players) -> np.ndarray:
    """Today's cost per player, in game order."""
    return np.array([float(per_city.reindex(list(players.cities[p])).fillna(0.0).sum()) for p in players.names])
