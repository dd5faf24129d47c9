"""summary.json of freight and enclave runs: its shape, declared once as dataclasses, and read back checked.

A report or a batch reads summary.json files that may have been edited, truncated or written by something
else. :func:`read_summary` checks a file against the declaration of its kind and raises one
:class:`~optimizer.errors.InputError` (exit 2) naming the file and the key path of every value of the
wrong type (``kpis.total_cost: must be a number or null, got 'a lot'``), instead of failing deep inside
a chart. Keys the declaration does not know are kept (a newer version may add some); numbers may be
null (NaN and infinities are written as null).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .documents import read_json
from .errors import InputError, Problem

Number = typing.Optional[float]


@dataclass
class Kpis:
    """The figures a planner reads (see :mod:`optimizer.freight.kpis`)."""

    total_cost: Number = None
    cost_per_teu: Number = None
    cost_breakdown: dict[str, Number] = field(default_factory=dict)
    served_teu: Number = None
    unserved_teu: Number = None
    trains: Number = None
    train_km: Number = None
    avg_load_factor: Number = None
    min_load_factor: Number = None
    services_open: typing.Optional[int] = None
    hubs_open: typing.Optional[int] = None
    destinations_multi_hub: typing.Optional[int] = None
    co2_t: Number = None
    hub_utilisation: dict[str, Number] = field(default_factory=dict)


@dataclass
class Unserved:
    origin: str
    destination: str
    direction: str
    teu: Number


@dataclass
class Reassignment:
    city_id: str
    destination_id: str
    from_hub: typing.Optional[str] = None
    to_hub: typing.Optional[str] = None


@dataclass
class Changes:
    services_closed: list[str] = field(default_factory=list)
    services_opened: list[str] = field(default_factory=list)
    cities_reassigned: list[Reassignment] = field(default_factory=list)


@dataclass
class Baseline:
    """Today's network evaluated with the same model."""

    status: str
    kpis: Kpis
    objective: Number = None
    best_bound: Number = None
    mip_gap: Number = None
    unserved: list[Unserved] = field(default_factory=list)


@dataclass
class FreightSummary:
    """summary.json of ``optimizer freight solve`` (and of every freight scenario of a batch)."""

    TITLE: typing.ClassVar[str] = "freight run summary"

    instance: str
    status: str
    kpis: Kpis
    termination: typing.Optional[str] = None
    objective: Number = None
    best_bound: Number = None
    mip_gap: Number = None
    build_seconds: Number = None
    solve_seconds: Number = None
    handoff_seconds: Number = None
    time_limit: Number = None
    overrides: dict[str, Any] = field(default_factory=dict)
    sizes: dict[str, typing.Optional[int]] = field(default_factory=dict)
    unserved: list[Unserved] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    baseline: typing.Optional[Baseline] = None
    changes: typing.Optional[Changes] = None
    start: typing.Optional[dict[str, Any]] = None
    batch: typing.Optional[dict[str, Any]] = None
    reason: typing.Optional[str] = None


@dataclass
class Streams:
    money: list[str] = field(default_factory=list)
    statistics: list[str] = field(default_factory=list)


@dataclass
class EnclaveSummary:
    """summary.json of ``optimizer share enclave`` (and of every enclave scenario of a batch)."""

    TITLE: typing.ClassVar[str] = "enclave run summary"

    status: str
    rule: str
    shares: dict[str, dict[str, list[Number]]]
    case: str = ""
    units: typing.Optional[str] = None
    years: list[int] = field(default_factory=list)
    discount_rate: Number = None
    streams: Streams = field(default_factory=Streams)
    npv: dict[str, Number] = field(default_factory=dict)
    gain: dict[str, Number] = field(default_factory=dict)
    disagreement: dict[str, Number] = field(default_factory=dict)
    totals: dict[str, dict[str, Number]] = field(default_factory=dict)
    amounts: dict[str, dict[str, list[Number]]] = field(default_factory=dict)
    objective: typing.Optional[dict[str, Any]] = None
    binding: list[dict[str, Any]] = field(default_factory=list)
    also_tight: list[str] = field(default_factory=list)
    violations: typing.Optional[list[dict[str, Any]]] = None
    checks: typing.Optional[list[dict[str, Any]]] = None
    approximation_gap: Number = None
    notes: list[str] = field(default_factory=list)
    solver: dict[str, Any] = field(default_factory=dict)
    batch: typing.Optional[dict[str, Any]] = None
    reason: typing.Optional[str] = None


# ---------------------------------------------------------------------------------------------
# checking a parsed document against a declaration


def _describe(tp) -> str:
    origin = typing.get_origin(tp)
    if tp is Any:
        return "any value"
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return " or ".join(_describe(a) for a in args) + " or null"
    if origin is list:
        return "a list"
    if origin is dict or dataclasses.is_dataclass(tp):
        return "an object"
    return {str: "a text", int: "a whole number", float: "a number", bool: "true or false"}.get(tp, str(tp))


def _show(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def check(tp, value, path: str, problems: list[str]) -> None:
    """Add a message to ``problems`` for every value under ``value`` that does not fit type ``tp``."""
    origin = typing.get_origin(tp)
    if tp is Any:
        return
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        if value is None and type(None) in args:
            return
        inner = [a for a in args if a is not type(None)]
        if len(inner) == 1:
            if value is None:
                problems.append(f"{path}: must be {_describe(inner[0])}, got null")
                return
            check(inner[0], value, path, problems)
            return
        raise TypeError(f"unsupported union {tp}")
    if dataclasses.is_dataclass(tp):
        if not isinstance(value, dict):
            problems.append(f"{path}: must be an object, got {_show(value)}")
            return
        hints = typing.get_type_hints(tp)
        for f in dataclasses.fields(tp):
            key = f"{path}.{f.name}" if path else f.name
            if f.name not in value:
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                    problems.append(f"{key}: missing")
                continue
            check(hints[f.name], value[f.name], key, problems)
        return
    if origin is list:
        if not isinstance(value, list):
            problems.append(f"{path}: must be a list, got {_show(value)}")
            return
        (item,) = typing.get_args(tp)
        for i, v in enumerate(value):
            check(item, v, f"{path}[{i}]", problems)
        return
    if origin is dict:
        if not isinstance(value, dict):
            problems.append(f"{path}: must be an object, got {_show(value)}")
            return
        _, item = typing.get_args(tp)
        for k, v in value.items():
            check(item, v, f"{path}.{k}", problems)
        return
    ok = {
        str: isinstance(value, str),
        bool: isinstance(value, bool),
        int: isinstance(value, int) and not isinstance(value, bool),
        float: isinstance(value, (int, float)) and not isinstance(value, bool),
    }.get(tp)
    if ok is None:
        raise TypeError(f"unsupported type {tp}")
    if not ok:
        problems.append(f"{path}: must be {_describe(tp)}, got {_show(value)}")


def build(tp, value):
    """The typed object of a checked ``value`` (dataclasses built recursively; other values as they are)."""
    origin = typing.get_origin(tp)
    if value is None or tp is Any:
        return value
    if origin in (typing.Union, types.UnionType):
        (inner,) = [a for a in typing.get_args(tp) if a is not type(None)]
        return build(inner, value)
    if dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp)
        return tp(**{f.name: build(hints[f.name], value[f.name]) for f in dataclasses.fields(tp) if f.name in value})
    if origin is list:
        (item,) = typing.get_args(tp)
        return [build(item, v) for v in value]
    if origin is dict:
        _, item = typing.get_args(tp)
        return {k: build(item, v) for k, v in value.items()}
    return float(value) if tp is float else value


def parse(cls, data: Any, source: str):
    """``data`` (parsed JSON) as a ``cls`` object; an :class:`InputError` lists every value of the wrong type."""
    problems: list[str] = []
    check(cls, data, "", problems)
    if problems:
        shown = problems[:20] + ([f"... and {len(problems) - 20} more"] if len(problems) > 20 else [])
        raise InputError([Problem(source, f"not a {getattr(cls, 'TITLE', cls.__name__)} this version can read: {p}") for p in shown], source=source)
    return build(cls, data)


def read_summary(path: str | Path, cls):
    """Read ``path`` (summary.json) and check it against ``cls``; return ``(typed object, the parsed dict)``."""
    data = read_json(path, "summary").data
    return parse(cls, data, str(path)), data
