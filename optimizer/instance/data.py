"""The validated freight instance that the model builder receives.

An :class:`Instance` is what every source (CSV folder, OR-Library importer, generator) produces,
and the only thing the model builder reads. By the time one exists, every table has passed the
checks of :mod:`optimizer.instance.load`: keys are unique, references resolve, numbers are
numbers, blanks carry their defaults (``inf`` for "no limit"), and ``feeder_legs`` is complete
(derived from coordinates where the folder gave none).

Tables (pandas DataFrames, one row per item, columns as in :mod:`optimizer.instance.schema`):

* ``cities``        index ``city_id``
* ``hubs``          index ``hub_id``
* ``gateways``      index ``gateway_id``
* ``destinations``  index ``destination_id``
* ``demand``        columns origin, destination, teu, return_teu, max_days (one row per pair)
* ``feeder_legs``   columns city_id, hub_id, cost_per_teu, days, distance_km, mode
* ``services``      index ``service_id``
* ``status_quo``    index ``service_id`` (may be empty), column trains
* ``status_quo_assignments`` columns city_id, destination_id, hub_id (may be empty)
* ``network_edges`` columns from_id, to_id, distance_km, mode (may be empty; kept only to
  re-derive feeder legs when an override changes a feeder parameter)

``params`` maps every name of :data:`optimizer.instance.schema.PARAMETERS` to its value.

The tables are final numbers; the model builder needs no parameter to read them:

* blanks that refer to a parameter (``services.train_capacity_teu``, ``destinations.max_hubs``,
  ``demand.max_days``) hold that parameter's value (``inf`` where it means no limit); the
  overrides ``train_capacity_teu``, ``max_hubs_per_destination`` and ``max_days`` rewrite every row;
* ``demand.teu`` and ``demand.return_teu`` are already multiplied by ``demand_scale``, and
  ``params["demand_scale"]`` only records the factor applied: never apply it again;
* the model applies the scenario parameters ``closed_hubs`` (no flow, service or opening at
  those hubs) and the business rules ``open_hubs``, ``min_open_hubs``, ``fixed_assignments``,
  ``co2_price`` and ``co2_cap`` itself (:mod:`optimizer.freight.prepare`, :mod:`optimizer.freight.model`).

Column types: ``id``/``str`` columns are strings, ``float`` and ``int`` columns are float64
(``int`` columns hold whole numbers or ``inf``), ``bool`` columns are bool. :func:`make_table`
gives any table this canonical form; every producer of an :class:`Instance` uses it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .schema import PARAMETERS, TABLES_BY_NAME


def default_params() -> dict:
    return {p.name: copy.deepcopy(p.default) for p in PARAMETERS}


def make_table(name: str, data=None) -> pd.DataFrame:
    """The canonical frame of table ``name``: schema columns in schema order, typed, indexed by the key.

    ``data`` is a DataFrame (indexed by the key or not), a list of row dicts or a dict of columns;
    absent columns take their default (``None`` becomes NaN). Values are converted, not validated:
    validation is the loader's job.
    """
    table = TABLES_BY_NAME[name]
    if isinstance(data, pd.DataFrame):
        df = data.reset_index() if table.key and data.index.name == table.key else data.reset_index(drop=True)
    else:
        df = pd.DataFrame(data if data is not None else {})
    n = len(df)
    cols = {}
    for c in table.columns:
        s = df[c.name] if c.name in df.columns else pd.Series([c.default] * n, dtype=object)
        if c.type in ("id", "str"):
            cols[c.name] = s.fillna(c.default if c.default is not None else "").to_numpy()
        elif c.type == "bool":
            cols[c.name] = s.fillna(bool(c.default)).astype(bool).to_numpy()
        else:
            cols[c.name] = pd.to_numeric(s.astype(object).where(s.notna(), None)).astype("float64").to_numpy()
    out = pd.DataFrame(cols, index=pd.RangeIndex(n))
    for c in table.columns:
        if c.type in ("id", "str"):
            out[c.name] = out[c.name].astype(str)
    return out.set_index(table.key) if table.key else out


@dataclass
class Instance:
    name: str
    cities: pd.DataFrame
    hubs: pd.DataFrame
    gateways: pd.DataFrame
    destinations: pd.DataFrame
    demand: pd.DataFrame
    feeder_legs: pd.DataFrame
    services: pd.DataFrame
    status_quo: pd.DataFrame
    status_quo_assignments: pd.DataFrame
    params: dict = field(default_factory=default_params)
    meta: dict = field(default_factory=dict)  # description, units, provenance from instance.yaml
    source: Path | None = None
    network_edges: pd.DataFrame = field(default_factory=lambda: make_table("network_edges"))

    @property
    def has_status_quo(self) -> bool:
        return len(self.status_quo) > 0

    def copy(self) -> "Instance":
        """A deep copy (tables and parameters), for applying overrides."""
        return copy.deepcopy(self)

    def summary(self) -> dict:
        """Sizes, for the console and summary.json."""
        return {
            "cities": len(self.cities),
            "hubs": len(self.hubs),
            "gateways": len(self.gateways),
            "destinations": len(self.destinations),
            "demand_pairs": len(self.demand),
            "demand_teu": float(self.demand["teu"].sum()),
            "return_teu": float(self.demand["return_teu"].sum()),
            "feeder_legs": len(self.feeder_legs),
            "services": len(self.services),
            "status_quo_services": len(self.status_quo),
        }
