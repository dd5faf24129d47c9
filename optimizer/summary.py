"""summary.json of freight, enclave and batch runs: its shape, declared once as dataclasses, and read back checked.

A report or a batch reads summary.json files that may have been edited, truncated or written by something
else. :func:`read_summary` checks a file against the declaration of its kind and raises one
:class:`~optimizer.errors.InputError` (exit 2) naming the file and the key path of every value of the
wrong type (``kpis.total_cost: must be a number or null, got 'a lot'``), instead of failing deep inside
a chart. Keys the declaration does not know are kept (a newer version may add some); numbers may be
null (NaN and infinities are written as null) and are kept as written (a whole number stays an ``int``).

The report (:mod:`optimizer.report.runs`) and the batch runner (:mod:`optimizer.batch.runner`: resume
and the summary table) both read summaries through this module. A batch adds a :class:`BatchSection`
to every scenario's summary; a scenario without a result (an error, infeasible, no plan within the
time limit) has a summary of the :class:`BatchRun` shape only.
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
    avg_days: Number = None
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
class BatchSection:
    """The ``batch`` section the batch runner adds to every scenario's summary.json."""

    scenario: str
    hash: str  # of the base contents, options and overrides: what --resume compares
    scenario_file: typing.Optional[str] = None
    set: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    seconds: Number = None
    cpu_seconds: Number = None
    started: typing.Optional[bool] = None
    worker: typing.Optional[str] = None


@dataclass
class BatchRun:
    """What the batch runner reads of any scenario's summary.json, whatever the model.

    A scenario that ended without a result (an error, infeasible, no plan within the time limit) has
    a summary of only this shape; a scenario with one is read as its model's summary (which has these
    keys too).
    """

    TITLE: typing.ClassVar[str] = "batch scenario summary"
    KEYS: typing.ClassVar[tuple[str, ...]] = ()  # the keys that mark a summary of this kind: any

    status: str
    objective: Number = None
    mip_gap: Number = None
    best_bound: Number = None
    reason: typing.Optional[str] = None
    batch: typing.Optional[BatchSection] = None


@dataclass
class FreightSummary:
    """summary.json of ``optimizer freight solve`` (and of every freight scenario of a batch)."""

    TITLE: typing.ClassVar[str] = "freight run summary"
    KEYS: typing.ClassVar[tuple[str, ...]] = ("kpis",)

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
    batch: typing.Optional[BatchSection] = None
    reason: typing.Optional[str] = None


@dataclass
class Streams:
    money: list[str] = field(default_factory=list)
    statistics: list[str] = field(default_factory=list)


@dataclass
class EnclaveSummary:
    """summary.json of ``optimizer share enclave`` (and of every enclave scenario of a batch)."""

    TITLE: typing.ClassVar[str] = "enclave run summary"
    KEYS: typing.ClassVar[tuple[str, ...]] = ("rule", "shares")

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
    batch: typing.Optional[BatchSection] = None
    reason: typing.Optional[str] = None


@dataclass
class Savings:
    vs_stand_alone_pct: dict[str, Number] = field(default_factory=dict)


@dataclass
class Counts:
    coalitions_priced: typing.Optional[int] = None


@dataclass
class ConsolidationSummary:
    """summary.json of a consolidation game (:mod:`optimizer.sharing.consolidation.result`): the part a batch reads."""

    TITLE: typing.ClassVar[str] = "consolidation run summary"
    KEYS: typing.ClassVar[tuple[str, ...]] = ("grand_coalition_cost", "allocation")

    rule: str
    grand_coalition_cost: Number
    allocation: dict[str, Number]
    status: typing.Optional[str] = None  # written by a batch (optimal, time_limit)
    objective: Number = None  # written by a batch: the grand coalition's cost
    savings: typing.Optional[Savings] = None
    in_core: typing.Optional[bool] = None
    least_core_epsilon: Number = None
    counts: Counts = field(default_factory=Counts)
    batch: typing.Optional[BatchSection] = None
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
    return value  # a whole number where a number is declared stays an int, as written


def parse(cls, data: Any, source: str):
    """``data`` (parsed JSON) as a ``cls`` object; an :class:`InputError` lists every value of the wrong type."""
    problems: list[str] = []
    check(cls, data, "", problems)
    if problems:
        shown = problems[:20] + ([f"... and {len(problems) - 20} more"] if len(problems) > 20 else [])
        raise InputError([Problem(source, f"not a {getattr(cls, 'TITLE', cls.__name__)} this version can read: {p}") for p in shown], source=source)
    return build(cls, data)


def kind_of(data: Any, classes: tuple) -> type:
    """The first of ``classes`` whose ``KEYS`` the parsed summary ``data`` all has (else the last one)."""
    for cls in classes:
        if isinstance(data, dict) and all(k in data for k in getattr(cls, "KEYS", ())):
            return cls
    return classes[-1]


def read_summary(path: str | Path, cls):
    """Read ``path`` (summary.json) and check it against ``cls``; return ``(typed object, the parsed dict)``.

    ``cls`` may be a tuple of classes, the kinds a reader accepts: the summary is read as the first whose
    ``KEYS`` it has (:func:`kind_of`), e.g. ``(FreightSummary, BatchRun)`` for a freight scenario of a batch.
    """
    data = read_json(path, "summary").data
    if isinstance(cls, tuple):
        cls = kind_of(data, cls)
    return parse(cls, data, str(path)), data
