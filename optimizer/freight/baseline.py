"""Today's network (the status quo) as a fixed service set for the freight model.

The baseline is the same model with the same costs, evaluated with the service set fixed to
today's:

* only the services in ``status_quo.csv`` exist, and all of them run (:math:`y_r = 1`): at
  least their ``min_trains``, or exactly ``trains`` a year where the status quo gives it, even when
  they carry nothing (that is what today's network pays for);
* where ``status_quo_assignments.csv`` names a city's hub for a destination, the city's boxes
  for that destination go only through that hub (or stay unserved);
* hubs open as needed (their fixed cost is paid when used);
* policy levers of the optimised plan do not apply: ``closed_hubs``, the duplication limit
  ``max_hubs``/``max_hubs_per_destination``, ``max_open_hubs`` and the business rules
  ``open_hubs``, ``min_open_hubs``, ``fixed_assignments`` and ``co2_cap`` (today's network is what
  it is). Demand, costs (the ``co2_price`` too), capacities, transit-time limits and
  ``single_sourcing`` apply as in the plan.

:func:`optimizer.freight.model.build_model` with ``baseline=True`` reads the status quo through
the functions below.
"""

from __future__ import annotations

import pandas as pd

from ..instance.data import Instance


def baseline_services(instance: Instance) -> pd.DataFrame:
    """The status-quo services: rows of ``services`` (with ``service_id`` as a column) plus ``trains``
    (today's trains a year, NaN where the model chooses them within the service's limits)."""
    svc = instance.services.reset_index()
    sq = instance.status_quo.reset_index()[["service_id", "trains"]]
    return svc.merge(sq, on="service_id", how="inner")


def baseline_assignments(instance: Instance) -> pd.DataFrame | None:
    """Today's feeder assignments (city_id, destination_id, hub_id), or None when not given."""
    a = instance.status_quo_assignments
    if not len(a):
        return None
    return a[["city_id", "destination_id", "hub_id"]]


def infeasible_message(instance: Instance) -> str:
    """Headline of the error when today's network cannot run as described."""
    return (
        f"today's network (status quo of '{instance.name}') cannot run as described: "
        "its services, fixed train counts or minimum trains conflict with these limits"
    )
