"""Tidy result tables of a solved freight model, the KPIs computed from them, and the changes
between today's network and the optimised plan.

Every KPI is computed from the tables (never from the Pyomo model), so a run folder's CSV files
reproduce its summary.json. Definitions:

* ``total_cost``: the sum of ``cost_breakdown`` (equals the model objective): feeder, handling,
  trains, service and hub fixed costs, the unserved penalty and ``co2`` (``co2_t`` × ``co2_price``,
  zero without a CO₂ price);
* ``cost_per_teu``: system cost without the unserved penalty, per TEU carried (both directions);
* ``served_teu`` / ``unserved_teu``: TEU carried / left unserved, westbound plus eastbound;
* ``trains``: trains a year (round trips when return flows are carried); ``train_km``: trains ×
  the service's rail distance (one way);
* ``avg_load_factor``: westbound load factor of each service running trains, weighted by its
  westbound TEU; ``min_load_factor``: the lowest westbound load factor of those services;
* ``services_open``, ``hubs_open``; ``destinations_multi_hub``: destinations with open services
  from more than one hub;
* ``co2_t``: trunk trains (train-km × ``co2_train_kg_per_km``) plus feeder legs (TEU-km ×
  ``co2_rail_kg_per_teu_km`` or ``co2_road_kg_per_teu_km`` by the leg's mode), in tonnes;
* ``avg_days``: mean door-to-door days (feeder plus trunk) of the carried boxes, TEU-weighted,
  both directions;
* ``hub_utilisation``: throughput over capacity per hub of the model (null when the capacity is
  unlimited).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..instance.data import Instance
from .model import FreightModel

#: flows and unserved volumes below this many TEU are solver noise and not reported
TEU_TOL = 1e-6

FLOW_COLUMNS = ["plan", "city_id", "hub_id", "service_id", "destination_id", "gateway_id", "direction", "teu", "feeder_cost", "handling_cost", "feeder_km", "feeder_mode", "days"]
SERVICE_COLUMNS = ["plan", "service_id", "hub_id", "destination_id", "gateway_id", "open", "trains", "capacity_teu", "teu_west", "teu_east", "load_factor", "load_factor_east", "train_km", "train_cost", "fixed_cost"]
HUB_COLUMNS = ["plan", "hub_id", "open", "throughput_teu", "capacity_teu", "utilisation", "handling_cost", "fixed_cost"]
UNSERVED_COLUMNS = ["plan", "origin", "destination", "direction", "teu"]
CHANGE_COLUMNS = ["kind", "id", "destination_id", "from_hub", "to_hub"]


def _values(vars_) -> np.ndarray:
    """Solved values; a variable HiGHS never saw (in no row, no cost) sits at its lower bound."""
    return np.array([v.value if v.value is not None else (v.lb or 0.0) for v in vars_], dtype=float)


def plan_tables(fm: FreightModel, plan: str) -> dict[str, pd.DataFrame]:
    """The ``flows``, ``services``, ``hubs`` and ``unserved`` tables of a solved model."""
    data = fm.data
    s, hubs = data.services, data.hubs
    frames = []
    for direction, flows, xs, pairs in (("west", data.west, fm.x, data.pairs), ("east", data.east, fm.xr, data.rpairs)):
        teu = _values(xs)
        keep = teu > TEU_TOL
        f = flows[keep]
        t = teu[keep]
        svc = s.iloc[f["svc"].to_numpy()]
        hub_ids = hubs["hub_id"].to_numpy()[f["hub"].to_numpy()]
        frames.append(
            pd.DataFrame(
                {
                    "plan": plan,
                    "city_id": pairs["origin"].to_numpy()[f["pair"].to_numpy()],
                    "hub_id": hub_ids,
                    "service_id": svc["service_id"].to_numpy(),
                    "destination_id": svc["destination_id"].to_numpy(),
                    "gateway_id": svc["gateway_id"].to_numpy(),
                    "direction": direction,
                    "teu": t,
                    "feeder_cost": t * f["f"].to_numpy(),
                    "handling_cost": t * f["eta"].to_numpy(),
                    "feeder_km": f["km"].to_numpy(),
                    "feeder_mode": np.where(f["rail"].to_numpy(), "rail", "road"),
                    "days": f["days"].to_numpy(),
                }
            )
        )
    flows = pd.concat(frames, ignore_index=True)[FLOW_COLUMNS]

    west = flows[flows["direction"] == "west"].groupby("service_id")["teu"].sum()
    east = flows[flows["direction"] == "east"].groupby("service_id")["teu"].sum()
    teu_w = s["service_id"].map(west).fillna(0.0).to_numpy()
    teu_e = s["service_id"].map(east).fillna(0.0).to_numpy()
    kappa = s["kappa"].to_numpy()
    trains = np.ceil(np.maximum(teu_w, teu_e) / kappa - 1e-9)  # services without a train count
    n_pos = np.fromiter(fm.n.keys(), dtype=int, count=len(fm.n))
    trains[n_pos] = np.round(_values(fm.n.values()))
    if data.baseline:
        is_open = np.ones(len(s), dtype=bool)
    else:
        is_open = (trains > 0) | (teu_w > TEU_TOL) | (teu_e > TEU_TOL)
        y_pos = np.fromiter(fm.y.keys(), dtype=int, count=len(fm.y))
        is_open[y_pos] = _values(fm.y.values()) > 0.5
    cap = kappa * trains
    with np.errstate(divide="ignore", invalid="ignore"):
        lf_w = np.where(cap > 0, teu_w / cap, np.nan)
        lf_e = np.where(cap > 0, teu_e / cap, np.nan)
    services = pd.DataFrame(
        {
            "plan": plan,
            "service_id": s["service_id"].to_numpy(),
            "hub_id": s["hub_id"].to_numpy(),
            "destination_id": s["destination_id"].to_numpy(),
            "gateway_id": s["gateway_id"].to_numpy(),
            "open": is_open,
            "trains": trains,
            "capacity_teu": cap,
            "teu_west": teu_w,
            "teu_east": teu_e,
            "load_factor": lf_w,
            "load_factor_east": lf_e,
            "train_km": trains * s["km"].to_numpy(),
            "train_cost": trains * s["k"].to_numpy(),
            "fixed_cost": np.where(is_open, s["F"].to_numpy(), 0.0),
        }
    )[SERVICE_COLUMNS]

    through = flows.groupby("hub_id")["teu"].sum()
    handling = flows.groupby("hub_id")["handling_cost"].sum()
    thr = hubs["hub_id"].map(through).fillna(0.0).to_numpy()
    hub_open = thr > TEU_TOL
    w_pos = np.fromiter(fm.w.keys(), dtype=int, count=len(fm.w))
    hub_open[w_pos] = _values(fm.w.values()) > 0.5
    U = hubs["U"].to_numpy()
    hubs_t = pd.DataFrame(
        {
            "plan": plan,
            "hub_id": hubs["hub_id"].to_numpy(),
            "open": hub_open,
            "throughput_teu": thr,
            "capacity_teu": U,
            "utilisation": np.where(np.isfinite(U) & (U > 0), thr / np.where(U > 0, U, 1.0), np.nan),
            "handling_cost": hubs["hub_id"].map(handling).fillna(0.0).to_numpy(),
            "fixed_cost": np.where(hub_open, hubs["G"].to_numpy(), 0.0),
        }
    )[HUB_COLUMNS]

    unserved = []
    for direction, us, pairs in (("west", fm.u, data.pairs), ("east", fm.ur, data.rpairs)):
        teu = _values(us)
        keep = teu > TEU_TOL
        unserved.append(pd.DataFrame({"plan": plan, "origin": pairs["origin"].to_numpy()[keep], "destination": pairs["destination"].to_numpy()[keep], "direction": direction, "teu": teu[keep]}))
    unserved_t = pd.concat(unserved, ignore_index=True)[UNSERVED_COLUMNS]
    return {"flows": flows, "services": services, "hubs": hubs_t, "unserved": unserved_t}


def compute_kpis(tables: dict[str, pd.DataFrame], instance: Instance, penalty: float) -> dict:
    """The KPIs of one plan (module docstring) from its tables."""
    flows, services, hubs, unserved = tables["flows"], tables["services"], tables["hubs"], tables["unserved"]
    p = instance.params
    co2_feeder = np.where(flows["feeder_mode"] == "rail", float(p["co2_rail_kg_per_teu_km"]), float(p["co2_road_kg_per_teu_km"]))
    co2_kg = float(services["train_km"].sum()) * float(p["co2_train_kg_per_km"]) + float((flows["teu"] * flows["feeder_km"] * co2_feeder).sum())
    breakdown = {
        "feeder": float(flows["feeder_cost"].sum()),
        "handling": float(flows["handling_cost"].sum()),
        "trains": float(services["train_cost"].sum()),
        "service_fixed": float(services["fixed_cost"].sum()),
        "hub_fixed": float(hubs["fixed_cost"].sum()),
        "unserved_penalty": float(penalty * unserved["teu"].sum()),
        "co2": float(p.get("co2_price", 0.0)) * co2_kg / 1000.0,
    }
    total = sum(breakdown.values())
    served = float(flows["teu"].sum())
    running = services[services["trains"] > 0]
    lf = running["load_factor"].to_numpy()
    weights = running["teu_west"].to_numpy()
    open_svc = services[services["open"]]
    per_dest = open_svc.groupby("destination_id")["hub_id"].nunique()
    return {
        "total_cost": total,
        "cost_per_teu": (total - breakdown["unserved_penalty"]) / served if served > 0 else None,
        "cost_breakdown": breakdown,
        "served_teu": served,
        "unserved_teu": float(unserved["teu"].sum()),
        "trains": float(services["trains"].sum()),
        "train_km": float(services["train_km"].sum()),
        "avg_load_factor": float(np.dot(lf, weights) / weights.sum()) if weights.sum() > 0 else None,
        "min_load_factor": float(lf.min()) if len(lf) else None,
        "services_open": int(len(open_svc)),
        "hubs_open": int(hubs["open"].sum()),
        "destinations_multi_hub": int((per_dest > 1).sum()),
        "co2_t": co2_kg / 1000.0,
        "avg_days": float(np.dot(flows["teu"], flows["days"]) / served) if served > 0 else None,
        "hub_utilisation": {h: (None if not math.isfinite(u) else float(u)) for h, u in zip(hubs["hub_id"], hubs["utilisation"])},
    }


def _main_hub(flows: pd.DataFrame) -> pd.Series:
    """Per (city, destination), the hub carrying most of the westbound boxes."""
    w = flows[flows["direction"] == "west"]
    if not len(w):
        return pd.Series(dtype=object)
    by = w.groupby(["city_id", "destination_id", "hub_id"], sort=True)["teu"].sum().reset_index()
    by = by.sort_values(["city_id", "destination_id", "teu"], ascending=[True, True, False], kind="stable")
    return by.drop_duplicates(["city_id", "destination_id"]).set_index(["city_id", "destination_id"])["hub_id"]


def compare(baseline: dict[str, pd.DataFrame], optimised: dict[str, pd.DataFrame]) -> tuple[dict, pd.DataFrame]:
    """What changed from today's network to the optimised plan: the ``changes`` summary and table.

    A city counts as re-assigned for a destination when the hub carrying most of its westbound
    boxes there differs (a hub of None: the boxes are unserved in that plan).
    """
    b_open = baseline["services"].loc[baseline["services"]["open"]]
    o_open = optimised["services"].loc[optimised["services"]["open"]]
    b_ids, o_ids = set(b_open["service_id"]), set(o_open["service_id"])
    closed = b_open[~b_open["service_id"].isin(o_ids)]
    opened = o_open[~o_open["service_id"].isin(b_ids)]
    bh, oh = _main_hub(baseline["flows"]), _main_hub(optimised["flows"])
    keys = sorted(set(bh.index) | set(oh.index))
    moved = [(c, d, bh.get((c, d)), oh.get((c, d))) for c, d in keys if bh.get((c, d)) != oh.get((c, d))]
    rows = [("service_closed", r.service_id, r.destination_id, r.hub_id, None) for r in closed.itertuples()]
    rows += [("service_opened", r.service_id, r.destination_id, None, r.hub_id) for r in opened.itertuples()]
    rows += [("city_reassigned", c, d, f, t) for c, d, f, t in moved]
    table = pd.DataFrame(rows, columns=CHANGE_COLUMNS)
    summary = {
        "services_closed": sorted(closed["service_id"].tolist()),
        "services_opened": sorted(opened["service_id"].tolist()),
        "cities_reassigned": [{"city_id": c, "destination_id": d, "from_hub": f, "to_hub": t} for c, d, f, t in moved],
    }
    return summary, table


def nodes_table(instance: Instance) -> pd.DataFrame:
    """Every place of the instance with its kind and coordinates (so a run folder draws its own map)."""
    parts = []
    for kind, df in (("city", instance.cities), ("hub", instance.hubs), ("gateway", instance.gateways), ("destination", instance.destinations)):
        parts.append(
            pd.DataFrame(
                {
                    "id": df.index.to_numpy(),
                    "kind": kind,
                    "name": df["name"].to_numpy(),
                    "name_zh": df["name_zh"].to_numpy() if "name_zh" in df else "",
                    "lon": df["lon"].to_numpy(dtype=float),
                    "lat": df["lat"].to_numpy(dtype=float),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)
