"""Plain words for the constraints of a conflict (an IIS of :func:`optimizer.solve.conflicting_constraints`).

The optimised plan is always feasible (any box may stay unserved, any service closed), so a
conflict comes from today's network: services forced to run (their minimum, or today's train count)
through a gateway or hub that cannot take that many, or from limits and business rules a user set. Every constraint family
of :mod:`.model` and every variable bound is worded, by the ids of :mod:`.labels`.
"""

from __future__ import annotations

import re
from typing import Callable

import numpy as np

from .labels import column_labels, row_labels
from .model import FreightModel

_NAME = re.compile(r"^(bounds of )?(\w+)\[(\d+)\]$")


def explain(fm: FreightModel, names: list[str]) -> list[str]:
    """One sentence per constraint name (``family[i]`` or ``bounds of var[i]``), in the order given."""
    rows, cols = row_labels(fm), column_labels(fm)
    words = _row_words(fm)
    out: list[str] = []
    for name in names:
        match = _NAME.match(name)
        if not match:
            out.append(name)
            continue
        bound, family, idx = bool(match.group(1)), match.group(2), int(match.group(3))
        if bound:
            out.append(_bound_words(fm, family, idx, cols))
        elif family in words and family in rows:
            out.append(words[family](rows[family][idx]))
        else:
            out.append(f"{family.replace('_', ' ')} ({idx})")
    return out


def _bound_words(fm: FreightModel, family: str, idx: int, cols: dict) -> str:
    label = cols[family][idx]
    if family == "w" and fm.data.hubs.iloc[list(fm.w)[idx]]["forced"]:
        return f"hub {label} is forced open (open_hubs)"
    if family == "n":
        row = fm.data.services.iloc[list(fm.n)[idx]]
        if not fm.baseline:
            return f"service {label} runs at most {row['max']:g} trains a year"
        if np.isnan(row["fixed_trains"]):
            return f"service {label} runs today, so at least its min_trains {row['min']:g} a year"
        return f"service {label} runs {row['fixed_trains']:g} trains a year today (status_quo.csv)"
    what = {"x": "TEU on route", "xr": "eastbound TEU on route", "u": "unserved TEU of", "ur": "unserved eastbound TEU of",
            "y": "open/closed of service", "w": "open/closed of hub", "v": "serves-or-not of hub / destination",
            "z": "single-sourcing choice of"}
    return f"bounds of {what.get(family, family)} {_text(label)}"


def _text(label) -> str:
    return " / ".join(map(str, label)) if isinstance(label, tuple) else str(label)


def _row_words(fm: FreightModel) -> dict[str, Callable]:
    """Family -> sentence for a row's label."""
    d = fm.data
    s = d.services.set_index("service_id")
    hubs = d.hubs.set_index("hub_id")
    V = d.gateways.set_index("gateway_id")["V"]

    def gateway(g) -> str:
        through = ", ".join(d.services.loc[d.services["gateway_id"] == g, "service_id"].tolist())
        return f"gateway {g} clears at most {V[g]:g} trains a year (services through it: {through})"

    return {
        "demand": lambda k: f"every westbound box of {k[0]} for {k[1]} is carried or counted unserved",
        "demand_east": lambda k: f"every return box for {k[0]} from {k[1]} is carried or counted unserved",
        "train_capacity": lambda r: f"westbound boxes on service {r} ride its trains ({s.at[r, 'kappa']:g} TEU each)",
        "train_capacity_east": lambda r: f"return boxes on service {r} ride its trains ({s.at[r, 'kappa']:g} TEU each)",
        "max_trains": lambda r: f"service {r} runs at most {s.at[r, 'max']:g} trains a year, and none when closed",
        "min_trains": lambda r: f"service {r} runs at least its min_trains {s.at[r, 'min']:g} a year when open",
        "hub_capacity": lambda h: f"hub {h} handles at most {hubs.at[h, 'cap']:g} TEU a year" + (" and only when open" if hubs.at[h, "has_w"] else ""),
        "gateway_capacity": gateway,
        "duplication_limit": lambda dest: f"at most {d.K[dest]:g} hubs run services to {dest} (max_hubs)",
        "hub_serves_destination": lambda r: f"service {r} runs only if its hub counts as serving {s.at[r, 'destination_id']}",
        "max_open_hubs": lambda _k: f"at most {d.max_open_hubs} hubs open (max_open_hubs)",
        "min_open_hubs": lambda _k: f"at least {d.min_open_hubs} hubs open (min_open_hubs)",
        "co2_cap": lambda _k: f"at most {d.co2_cap / 1000:,.0f} t CO₂ a year (co2_cap)",
        "max_avg_days": lambda _k: f"the carried boxes take at most {d.max_avg_days:g} days door to door on average (max_avg_days)",
        "route_open": lambda k: f"boxes of {k[0]} for {k[1]} ride service {k[2]} only if it is open",
        "service_at_open_hub": lambda r: f"service {r} runs only if hub {s.at[r, 'hub_id']} is open",
        "route_open_east": lambda r: f"return boxes ride service {r} only if it is open",
        "hub_route_open": lambda k: f"boxes of {k[0]} for {k[1]} pass hub {k[2]} only if it serves {k[1]}",
        "serves_at_open_hub": lambda k: f"hub {k[0]} serves {k[1]} only if it is open",
        "single_source": lambda k: f"the boxes of {k[0]} for {k[1]} through hub {k[2]} go all or none (single_sourcing)",
        "one_hub": lambda k: f"the boxes of {k[0]} for {k[1]} use one hub (single_sourcing)",
        "train_rounding": lambda k: f"the westbound boxes for {k[0]} through hubs {', '.join(k[1])} need whole trains (a valid inequality of the search strategy)",
        "train_rounding_east": lambda k: f"the return boxes from {k[0]} through hubs {', '.join(k[1])} need whole trains (a valid inequality of the search strategy)",
        "hub_rounding": lambda k: f"the boxes through hubs {', '.join(k)} need whole open hubs (a valid inequality of the search strategy)",
    }
