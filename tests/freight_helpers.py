"""Tiny freight instances built in Python for hand-computed tests.

:func:`tiny_instance` takes only the columns a test cares about and fills the rest from the schema
(defaults, and blanks that refer to a parameter take the parameter's value, as the loader does).
Places get coordinates on a small grid; names are the ids.
"""

from __future__ import annotations

import math

import numpy as np

from optimizer.freight.run import solve_instance
from optimizer.instance.data import Instance, default_params, make_table
from optimizer.instance.schema import TABLES_BY_NAME

SOLVE = {"mip_gap": 0.0}


def _rows(ids_or_rows, key: str) -> list[dict]:
    rows = [dict(r) if isinstance(r, dict) else {key: r} for r in ids_or_rows]
    for i, r in enumerate(rows):
        r.setdefault("name", r[key])
        r.setdefault("lon", 100.0 + i)
        r.setdefault("lat", 30.0 + i)
    return rows


def _fill_blanks(name: str, df, params: dict):
    """Blank cells take the column's default, or the value of the parameter the column refers to
    (None: no limit, inf)."""
    for c in TABLES_BY_NAME[name].columns:
        if c.name not in df.columns or c.type not in ("float", "int"):
            continue
        if c.param:
            value = params[c.param]
            df[c.name] = df[c.name].fillna(math.inf if value is None else float(value))
        elif c.default is not None:
            df[c.name] = df[c.name].fillna(float(c.default))
    return df


def tiny_instance(
    *,
    cities,
    hubs,
    destinations,
    demand: list[dict],
    legs: list[dict],
    services: list[dict],
    gateways=("G",),
    status_quo: list[dict] = (),
    assignments: list[dict] = (),
    **params,
) -> Instance:
    """An :class:`Instance` from minimal rows.

    ``cities``/``hubs``/``destinations``/``gateways``: ids or row dicts. ``demand`` rows need
    origin, destination, teu; ``legs`` city_id, hub_id, cost_per_teu; ``services`` service_id,
    hub_id, destination_id, cost_per_train (gateway_id defaults to the first gateway).
    ``params`` override :func:`default_params` (e.g. ``unserved_penalty=1e6``).
    """
    p = default_params()
    p.update(params)
    gw = _rows(gateways, "gateway_id")
    svc = [{"gateway_id": gw[0]["gateway_id"], **s} for s in services]
    tables = {
        "cities": make_table("cities", _rows(cities, "city_id")),
        "hubs": make_table("hubs", _rows(hubs, "hub_id")),
        "gateways": make_table("gateways", gw),
        "destinations": make_table("destinations", _rows(destinations, "destination_id")),
        "demand": make_table("demand", list(demand)),
        "feeder_legs": make_table("feeder_legs", list(legs)),
        "services": make_table("services", svc),
        "status_quo": make_table("status_quo", list(status_quo)),
        "status_quo_assignments": make_table("status_quo_assignments", list(assignments)),
    }
    for name, df in tables.items():
        tables[name] = _fill_blanks(name, df, p)
    return Instance(name="tiny", params=p, meta={"overrides": {}, "warnings": []}, **tables)


def solve(instance: Instance, **kw):
    """``solve_instance`` with MIP gap 0: hand-computed optima are exact."""
    return solve_instance(instance, **{**SOLVE, **kw})


def flows_by(result, plan: str = "optimised", direction: str = "west") -> dict:
    """{(city_id, service_id): teu} of one plan and direction."""
    f = result.tables["flows"]
    f = f[(f["plan"] == plan) & (f["direction"] == direction)]
    return {(c, s): float(t) for c, s, t in zip(f["city_id"], f["service_id"], f["teu"])}


def service_row(result, service_id: str, plan: str = "optimised") -> dict:
    s = result.tables["services"]
    row = s[(s["plan"] == plan) & (s["service_id"] == service_id)]
    assert len(row) == 1, f"service {service_id} not in the {plan} plan"
    return {k: (v.item() if isinstance(v, np.generic) else v) for k, v in row.iloc[0].to_dict().items()}
