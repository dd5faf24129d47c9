"""Freight scenarios in a batch: overrides of the instance's parameters, one freight solve each.

``set`` takes the keys of ``optimizer freight solve --set`` (every parameter of
:data:`optimizer.instance.schema.PARAMETERS` marked settable), with YAML values or the same
strings as on the command line; they are checked by
:func:`optimizer.instance.overrides.check_overrides` against the loaded base before anything
runs. ``options``: ``time_limit`` (seconds per solve, > 0), ``mip_gap`` (relative, in [0, 1)),
``warm_start`` (default true: each worker keeps the plans it found in start pools
(:class:`~optimizer.freight.run.FreightStarts`) and starts every scenario from the nearest earlier
plans, matched by label — routes by (origin, destination, service), services, hubs — with their
open/closed decisions kept and the rest re-optimised; results are optimal within ``mip_gap`` like
fresh solves, but when several plans lie within the gap may be another of them; false solves every
scenario exactly as ``optimizer freight solve`` would, so the very same solution), ``strategy``
(``search`` or ``plain``, as ``optimizer freight solve --strategy``).

Each scenario's run folder holds the files of ``optimizer freight solve``: the tables, results.xlsx,
the HiGHS logs and summary.json. A scenario without a feasible plan (infeasible, or no plan within the time
limit) gets status ``infeasible`` or ``time_limit``, its reasons, and a summary.json without
tables.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from pathlib import Path

from ..errors import InfeasibleError
from ..freight.run import FreightStarts, solve_instance
from ..freight.workbook import RESULTS_XLSX, write_results_workbook
from ..instance.data import Instance
from ..instance.load import load_instance
from ..instance.overrides import apply_overrides, check_overrides
from ..instance.values import parse_bool, parse_number
from ..results import RunFolder
from ..solve import DEFAULT_STRATEGY, STRATEGIES
from ..summary import BatchRun, FreightSummary
from .engines import Engine, Outcome, Task, flatten

#: KPI columns of the batch summary taken from each run's summary.json
BASELINE_KPIS = ("total_cost", "cost_per_teu", "trains", "unserved_teu")
#: overrides that only change numbers: scenarios differing only in these are sent out together
NUMERIC_OVERRIDES = frozenset({"demand_scale", "train_capacity_teu", "unserved_penalty"})

_local = threading.local()  # per worker thread: the start pools of the base being run


def start_pools(base_key: str) -> FreightStarts:
    """This thread's start pools for the base ``base_key`` (a new base drops the old plans)."""
    held = getattr(_local, "starts", None)
    if held is None or held[0] != base_key:
        held = _local.starts = (base_key, FreightStarts())
    return held[1]


class FreightEngine(Engine):
    name = "freight"
    SUMMARY = (FreightSummary, BatchRun)
    OPTIONS = {
        "time_limit": ("seconds of HiGHS time per solve (optimised plan and baseline each)", None),
        "mip_gap": ("relative MIP gap at which HiGHS stops", None),
        "warm_start": ("start each scenario from the re-optimised plans of the most similar earlier ones", True),
        "strategy": (f"how HiGHS solves the MIPs: {' or '.join(STRATEGIES)} (as freight solve --strategy)", DEFAULT_STRATEGY),
    }

    def load_base(self, path: Path) -> Instance:
        return load_instance(path)

    def check_options(self, options: dict) -> tuple[dict, list[str]]:
        out = {k: default for k, (_, default) in self.OPTIONS.items()}
        problems = []
        for key, value in options.items():
            try:
                if key == "time_limit":
                    out[key] = None if value is None else _positive(parse_number(value))
                elif key == "mip_gap":
                    out[key] = None if value is None else _fraction(parse_number(value))
                elif key == "warm_start":
                    out[key] = parse_bool(value)
                elif key == "strategy":
                    if value not in STRATEGIES:
                        raise ValueError(f"must be one of {', '.join(STRATEGIES)}, not {value!r}")
                    out[key] = value
                else:
                    problems.append(f"options.{key}: unknown option {str(key)!r} (freight options: {', '.join(self.OPTIONS)})")
            except ValueError as exc:
                problems.append(f"options.{key}: {exc}")
        return out, problems

    def check(self, base: Instance, overrides: dict, options: dict) -> dict:
        return check_overrides(base, overrides)

    def value(self, base: Instance, overrides: dict, options: dict, key: str):
        return overrides[key] if key in overrides else base.params.get(key)

    def similarity_key(self, overrides: dict) -> str:
        kept = {k: v for k, v in overrides.items() if k not in NUMERIC_OVERRIDES}
        return json.dumps(kept, sort_keys=True, default=str)

    def run(self, task: Task, base: Instance) -> Outcome:
        instance = apply_overrides(base, task.overrides)
        opts = task.options
        starts = start_pools(task.base_key) if opts.get("warm_start", True) else None
        try:
            result = solve_instance(instance, time_limit=opts.get("time_limit"), mip_gap=opts.get("mip_gap"), starts=starts,
                                    strategy=opts.get("strategy", DEFAULT_STRATEGY))
        except InfeasibleError as exc:
            status = exc.status
            summary = {"instance": instance.name, "status": status, "objective": None, "reason": str(exc), "reasons": exc.reasons}
            return Outcome(task.name, status, summary, reason=str(exc))
        return Outcome(
            task.name,
            result.status,
            result.summary,
            tables=result.tables,
            texts=result.logs,
            started="start" in result.summary,
        )

    def write(self, outcome: Outcome, run: RunFolder) -> None:
        super().write(outcome, run)
        if outcome.tables:
            write_results_workbook(run.path(RESULTS_XLSX), outcome.summary, outcome.tables)

    def summary_columns(self, summary: FreightSummary | BatchRun) -> dict:
        if not isinstance(summary, FreightSummary):  # no plan: no KPIs
            return {}
        kpis = {f.name: getattr(summary.kpis, f.name) for f in dataclasses.fields(summary.kpis) if f.name != "hub_utilisation"}
        out = flatten("kpis", kpis, {})
        if summary.baseline is not None:
            for k in BASELINE_KPIS:
                out[f"baseline.{k}"] = getattr(summary.baseline.kpis, k)
        return out


def _positive(x: float) -> float:
    if not x > 0:
        raise ValueError(f"must be greater than 0, not {x:g}")
    return x


def _fraction(x: float) -> float:
    if not 0 <= x < 1:
        raise ValueError(f"must be at least 0 and below 1, not {x:g}")
    return x
