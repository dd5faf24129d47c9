"""Scenario overrides: ``--set KEY=VALUE`` on the command line, or a mapping from a batch file.

Keys are the parameters of :data:`optimizer.instance.schema.PARAMETERS` marked ``settable``.
Values may be strings (command line) or typed values (YAML); both are checked the same way as in
``instance.yaml``. :func:`apply_overrides` returns a modified copy and never touches its input,
so one loaded instance can serve many scenarios. What the overrides do to the tables:

* ``demand_scale=F`` multiplies ``demand.teu`` and ``demand.return_teu`` by F (the factors of
  successive overrides multiply; ``params["demand_scale"]`` records the product);
* ``train_capacity_teu``, ``max_hubs_per_destination`` and ``max_days`` rewrite the matching
  column on every row (``services.train_capacity_teu``, ``destinations.max_hubs``,
  ``demand.max_days``);
* a feeder parameter (``circuity``, ``max_feeder_km``, costs, speeds, mode) re-derives the feeder
  legs when they were derived; when they come from ``feeder_legs.csv`` it has no effect and a
  warning says so;
* every other key only changes ``params``. Hub and city ids must exist and the business rules
  must not contradict each other or the instance's own (:mod:`.rules`).

The applied values are recorded in ``instance.meta["overrides"]``.
"""

from __future__ import annotations

from ..errors import ProblemCollector
from .data import Instance
from .network import derive_feeder_legs
from .rules import rule_problems
from .schema import INF, PARAMETERS, PARAMETERS_BY_NAME
from .values import coerce_parameter

SOURCE = "--set"
FEEDER_PARAMETERS = frozenset(
    {"feeder_cost_per_teu_km", "feeder_speed_km_per_day", "feeder_fixed_cost_per_teu", "feeder_mode", "rail_min_km", "max_feeder_km", "circuity"}
)


def settable_names() -> list[str]:
    return [p.name for p in PARAMETERS if p.settable]


def parse_set(items: list[str] | tuple[str, ...]) -> dict:
    """``["KEY=VALUE", ...]`` → ``{KEY: "VALUE"}`` (values stay strings; :func:`apply_overrides` types them)."""
    problems = ProblemCollector(source="overrides")
    out: dict[str, str] = {}
    for item in items or ():
        key, sep, value = str(item).partition("=")
        key = key.strip()
        if not sep or not key:
            problems.add(SOURCE, f"expected KEY=VALUE, got {item!r}")
        elif key in out:
            problems.add(SOURCE, "given more than once", column=key)
        else:
            out[key] = value.strip()
    problems.raise_if_any()
    return out


def check_overrides(instance: Instance, overrides: dict) -> dict:
    """The typed values of ``overrides``; raises one InputError naming every bad key or value."""
    problems = ProblemCollector(source="overrides")
    valid = settable_names()
    typed = {}
    for key, value in (overrides or {}).items():
        p = PARAMETERS_BY_NAME.get(str(key))
        if p is None or not p.settable:
            problems.add(SOURCE, f"unknown parameter (valid: {', '.join(valid)})", column=str(key))
            continue
        try:
            typed[p.name] = coerce_parameter(p, value)
        except ValueError as exc:
            problems.add(SOURCE, str(exc), column=p.name)
    merged = {**instance.params, **typed}
    for name, message in rule_problems(merged, instance.hubs.index, instance.cities.index):
        problems.add(SOURCE, message, column=name)
    problems.raise_if_any()
    return typed


def apply_overrides(instance: Instance, overrides: dict) -> Instance:
    """A copy of ``instance`` with ``overrides`` applied (see the module docstring)."""
    typed = check_overrides(instance, overrides)
    new = instance.copy()
    if not typed:
        return new
    for key, value in typed.items():
        if key == "demand_scale":
            new.demand[["teu", "return_teu"]] *= value
            new.params[key] = new.params.get(key, 1.0) * value
        else:
            new.params[key] = value
    if "train_capacity_teu" in typed:
        new.services["train_capacity_teu"] = typed["train_capacity_teu"]
    if "max_hubs_per_destination" in typed:
        k = typed["max_hubs_per_destination"]
        new.destinations["max_hubs"] = INF if k is None else float(k)
    if "max_days" in typed:
        new.demand["max_days"] = typed["max_days"]
    feeder = sorted(FEEDER_PARAMETERS & typed.keys())
    if feeder:
        if str(new.meta.get("feeder_legs", "")).startswith("derived"):
            new.feeder_legs = derive_feeder_legs(new.cities, new.hubs, new.params, new.network_edges)
        else:
            new.meta.setdefault("warnings", []).append(f"{', '.join(feeder)}: no effect, the feeder legs are given explicitly")
    new.meta["overrides"] = {**new.meta.get("overrides", {}), **typed}
    return new

