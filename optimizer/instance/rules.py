"""Consistency of the scenario parameters that name hubs and cities (the business rules).

One function, :func:`rule_problems`, used by the loader (``instance.yaml``, a workbook's
instance sheet) and by the overrides (``--set``, batch files), so both name the same problems in
the same words. It checks what a single value's type check cannot:

* ``closed_hubs``, ``open_hubs`` and the hubs of ``fixed_assignments`` name existing hubs, the
  cities of ``fixed_assignments`` existing cities;
* no hub is both forced open and closed, no city is assigned to a closed hub;
* the numbers of open hubs can be met: ``len(open_hubs)`` ≤ ``max_open_hubs``,
  ``min_open_hubs`` ≤ ``max_open_hubs`` and ``min_open_hubs`` ≤ the hubs not closed.
"""

from __future__ import annotations

from collections.abc import Collection


def _listed(ids) -> str:
    return ", ".join(map(str, ids))


def rule_problems(params: dict, hub_ids: Collection[str], city_ids: Collection[str], *, hubs_in: str = "the instance's hubs", cities_in: str = "the instance's cities") -> list[tuple[str, str]]:
    """(parameter, message) for every inconsistency of ``params`` with the instance's hubs and cities;
    ``hubs_in``/``cities_in`` say where the ids were looked for (a file or a sheet)."""
    hubs, cities = set(hub_ids), set(city_ids)
    closed = tuple(params.get("closed_hubs") or ())
    forced = tuple(params.get("open_hubs") or ())
    assigned = dict(params.get("fixed_assignments") or {})
    out: list[tuple[str, str]] = []
    for name, ids in (("closed_hubs", closed), ("open_hubs", forced)):
        unknown = [h for h in ids if h not in hubs]
        if unknown:
            out.append((name, f"unknown hub ids {_listed(unknown)} (not in {hubs_in})"))
    both = [h for h in forced if h in closed]
    if both:
        out.append(("open_hubs", f"hub {_listed(both)} is forced open and also closed (closed_hubs): a conflict, drop it from one of them"))
    unknown_c = [c for c in assigned if c not in cities]
    if unknown_c:
        out.append(("fixed_assignments", f"unknown city ids {_listed(unknown_c)} (not in {cities_in})"))
    unknown_h = sorted({h for h in assigned.values() if h not in hubs})
    if unknown_h:
        out.append(("fixed_assignments", f"unknown hub ids {_listed(unknown_h)} (not in {hubs_in})"))
    to_closed = [f"{c}:{h}" for c, h in assigned.items() if h in closed]
    if to_closed:
        out.append(("fixed_assignments", f"{_listed(to_closed)} assign a city to a closed hub (closed_hubs): a conflict"))
    most, least = params.get("max_open_hubs"), params.get("min_open_hubs")
    if most is not None and len(forced) > most:
        out.append(("open_hubs", f"{len(forced)} hubs forced open but max_open_hubs is {most}"))
    if most is not None and least is not None and least > most:
        out.append(("min_open_hubs", f"{least} is more than max_open_hubs ({most})"))
    available = len(hubs - set(closed))
    if hubs and least is not None and least > available:
        out.append(("min_open_hubs", f"{least} hubs cannot be open: the instance has {available} hubs that are not closed"))
    return out
