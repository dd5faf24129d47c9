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

``params`` maps every name of :data:`optimizer.instance.schema.PARAMETERS` to its value.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .schema import PARAMETERS


def default_params() -> dict:
    return {p.name: copy.deepcopy(p.default) for p in PARAMETERS}


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
