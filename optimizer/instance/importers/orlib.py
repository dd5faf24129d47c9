"""OR-Library capacitated facility location ("cap" files, J.E. Beasley) → :class:`Instance`.

File format, read as a stream of whitespace-separated tokens (the line layout differs between
copies; numbers may be written ``7500.`` or ``.00000``)::

    m n
    capacity_1 fixed_cost_1        # m facilities
    ...
    demand_1 cost_1_1 ... cost_m_1 # n customers: demand, then the cost of serving ALL of the
    ...                            # customer's demand from facility 1..m

In capa, capb and capc every capacity is the word ``capacity``; the caller gives the number.

The mapping makes the freight model's objective equal the CFLP objective: customers are cities,
facilities are hubs (fixed cost and capacity from the file, no handling cost), one destination
reached through one uncapacitated gateway by one free, uncapacitated service per hub (cost per
train 0, no fixed cost, no minimum, train capacity = total demand), and explicit feeder legs
costing ``cost[i,j] / demand[j]`` per TEU, so serving all of customer j from facility i costs
``cost[i,j]``. Demand may be split (no single sourcing), there are no return flows, and the
penalty for unserved demand is far above any cost (``10 × (max fixed cost + max cost per TEU)``:
with whole-number capacities and demands a shortfall is at least one TEU, and serving it by
opening one more facility always costs less).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from ...errors import InputError, Problem
from ..data import Instance, default_params, make_table

GRID = 25  # cities and hubs are placed on small grids; the coordinates are not used


class _Tokens:
    """The file's tokens with their line numbers, read one by one with positioned errors."""

    def __init__(self, path: Path) -> None:
        self.file = str(path)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError([Problem(self.file, f"cannot read the file: {exc}")], source="orlib-cap") from None
        matches = list(re.finditer(r"\S+", text))
        self.words = [m.group() for m in matches]
        newlines = np.array([m.start() for m in re.finditer("\n", text)], dtype=np.int64)
        self.lines = (np.searchsorted(newlines, [m.start() for m in matches]) + 1).tolist()
        self.pos = 0

    def error(self, message: str, index: int | None = None) -> InputError:
        if index is not None and index < len(self.words):
            where = f"line {self.lines[index]}, token {index + 1} ('{self.words[index]}')"
            return InputError([Problem(self.file, f"{where}: {message}")], source="orlib-cap")
        return InputError([Problem(self.file, message)], source="orlib-cap")

    def take(self, what: str, words_ok: dict[str, float] | None = None) -> float:
        i = self.pos
        if i >= len(self.words):
            raise self.error(f"the file ends after {len(self.words)} tokens, while reading {what}: truncated")
        self.pos += 1
        word = self.words[i]
        if words_ok is not None and word in words_ok:
            if words_ok[word] is None:
                raise self.error(f"{what} is the word '{word}': give the capacity with --capacity", i)
            return words_ok[word]
        try:
            x = float(word)
        except ValueError:
            raise self.error(f"{what}: not a number", i) from None
        if not np.isfinite(x) or x < 0:
            raise self.error(f"{what}: must be a finite number ≥ 0", i)
        return x

    def count(self, what: str) -> int:
        i = self.pos
        x = self.take(what)
        if x != int(x) or x < 1:
            raise self.error(f"{what}: must be a whole number ≥ 1", i)
        return int(x)


def read_orlib_cap(path: str | Path, capacity: float | None = None) -> Instance:
    """Read an OR-Library cap file; ``capacity`` replaces the word ``capacity`` (capa, capb, capc)."""
    path = Path(path)
    if not path.is_file():
        raise InputError([Problem(str(path), "file not found")], source="orlib-cap")
    tok = _Tokens(path)
    m = tok.count("the number of facilities m")
    n = tok.count("the number of customers n")
    caps, fixed = np.empty(m), np.empty(m)
    for i in range(m):
        caps[i] = tok.take(f"the capacity of facility {i + 1}", {"capacity": capacity})
        fixed[i] = tok.take(f"the fixed cost of facility {i + 1}")
    demand, cost = np.empty(n), np.empty((m, n))
    for j in range(n):
        demand[j] = tok.take(f"the demand of customer {j + 1}")
        for i in range(m):
            cost[i, j] = tok.take(f"the cost of serving customer {j + 1} from facility {i + 1}")
    if tok.pos < len(tok.words):
        raise tok.error(f"unexpected token after the {m} facilities and {n} customers", tok.pos)
    return _instance(path.stem, m, n, caps, fixed, demand, cost, capacity)


def _instance(name, m, n, caps, fixed, demand, cost, capacity) -> Instance:
    city_ids = [f"C{j + 1}" for j in range(n)]
    hub_ids = [f"F{i + 1}" for i in range(m)]
    total = float(demand.sum())
    served = demand > 0
    per_teu = np.divide(cost, demand[None, :], out=np.zeros_like(cost), where=served[None, :])
    ii, jj = np.nonzero(np.broadcast_to(served[None, :], cost.shape))
    params = default_params()
    params.update(
        single_sourcing=False,
        return_flows=False,
        train_capacity_teu=max(total, 1.0),
        unserved_penalty=float(np.ceil(10 * (fixed.max() + per_teu.max()))),
    )
    return Instance(
        name=name,
        cities=make_table(
            "cities",
            {"city_id": city_ids, "name": [f"customer {j + 1}" for j in range(n)], "lon": 100 + (np.arange(n) % GRID) * 0.1, "lat": 30 + (np.arange(n) // GRID) * 0.1},
        ),
        hubs=make_table(
            "hubs",
            {
                "hub_id": hub_ids,
                "name": [f"facility {i + 1}" for i in range(m)],
                "lon": 100 + (np.arange(m) % GRID) * 0.1 + 0.05,
                "lat": 30 + (np.arange(m) // GRID) * 0.1 + 0.05,
                "handling_cost": 0.0,
                "capacity_teu": caps,
                "fixed_cost": fixed,
            },
        ),
        gateways=make_table("gateways", {"gateway_id": ["GATE"], "name": ["gateway"], "lon": [100.0], "lat": [29.0]}),
        destinations=make_table("destinations", {"destination_id": ["DEST"], "name": ["destination"], "lon": [101.0], "lat": [29.0], "max_hubs": [np.inf]}),
        demand=make_table("demand", {"origin": np.array(city_ids)[served], "destination": "DEST", "teu": demand[served], "max_days": np.inf}),
        feeder_legs=make_table(
            "feeder_legs",
            {"city_id": np.array(city_ids)[jj], "hub_id": np.array(hub_ids)[ii], "cost_per_teu": per_teu[ii, jj]},
        ).sort_values(["city_id", "hub_id"], ignore_index=True),
        services=make_table(
            "services",
            {"service_id": [f"{h}-DEST" for h in hub_ids], "hub_id": hub_ids, "destination_id": "DEST", "gateway_id": "GATE", "cost_per_train": 0.0, "train_capacity_teu": max(total, 1.0)},
        ),
        status_quo=make_table("status_quo"),
        status_quo_assignments=make_table("status_quo_assignments"),
        params=params,
        meta={
            "description": f"OR-Library capacitated facility location {name}: {m} facilities, {n} customers"
            + (f", capacity {capacity:g}" if capacity is not None else ""),
            "provenance": "J.E. Beasley, OR-Library (cap files), imported by optimizer.instance.importers.orlib",
            "feeder_legs": "imported",
            "warnings": [],
            "overrides": {},
        },
    )


__all__ = ["read_orlib_cap"]
