"""What the batch runner needs from a model: load the base, check scenarios, run one, write its folder.

An :class:`Engine` is the bridge between the generic runner (:mod:`optimizer.batch.runner`) and
one model (freight: :mod:`optimizer.batch.freight_engine`; enclave:
:mod:`optimizer.batch.enclave_engine`; the consolidation game:
:mod:`optimizer.batch.consolidation_engine`). The runner calls, in the parent process:

1. :meth:`Engine.load_base` once (the instance or case, fully validated);
2. :meth:`Engine.check_options` once and :meth:`Engine.check` per scenario, collecting every
   problem before anything runs;
3. then sends :class:`Task` objects to workers, which call :meth:`Engine.execute` and return an
   :class:`Outcome` (never raising: a failure is an outcome with status ``error``);
4. and writes each outcome's run folder with :meth:`Engine.write` inside a
   :class:`~optimizer.results.RunFolder`, so the folder appears whole or not at all.

The runner reads run folders' summary.json back (resume, the summary table) through
:func:`optimizer.summary.read_summary` as the kinds :attr:`Engine.SUMMARY` names, and gives
:meth:`Engine.has_plan`, :meth:`Engine.headline` and :meth:`Engine.summary_columns` the typed object.
"""

from __future__ import annotations

import os
import socket
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import OptimizerError
from ..results import RunFolder
from ..summary import BatchRun

#: statuses of a scenario; the first two carry a plan
OK_STATUSES = ("optimal", "time_limit")


@dataclass(frozen=True)
class Task:
    """One scenario as sent to a worker (picklable, small)."""

    name: str
    hash: str
    overrides: dict  # normalised by Engine.check
    options: dict  # normalised by Engine.check_options
    base_key: str  # content hash of the base: keys the worker's model cache
    params: dict = field(default_factory=dict)  # effective parameter values, for the summary


@dataclass
class Outcome:
    """What running one scenario produced; the parent writes it as the scenario's run folder."""

    name: str
    status: str  # optimal | time_limit | infeasible | unbounded | error
    summary: dict  # summary.json of the run (without the batch section)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)  # other files: solver log, error.txt
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # CPU time of the worker process meanwhile (all its threads)
    started: bool = False  # the scenario's plan started from the plans of earlier ones
    reason: str = ""  # why there is no plan (infeasible, limit, error)
    worker: str = ""


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def error_outcome(name: str, exc: BaseException, seconds: float = 0.0) -> Outcome:
    """The outcome of a scenario that raised: its reason, and the traceback in ``error.txt``."""
    if isinstance(exc, OptimizerError):  # a message meant for the user
        reason = str(exc)
    else:
        reason = f"{type(exc).__name__}: {exc}"
    tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    summary = {"status": "error", "reason": reason, "objective": None, "mip_gap": None}
    return Outcome(
        name=name,
        status="error",
        summary=summary,
        texts={"error.txt": tb},
        seconds=seconds,
        reason=reason,
        worker=worker_id(),
    )


class Engine:
    """Base class of the model engines. Subclasses are module-level classes (picklable)."""

    name = ""
    #: option name → (description, default); the engine's check_options enforces types and ranges
    OPTIONS: dict[str, tuple[str, Any]] = {}
    #: the kinds of summary.json a scenario's run folder may hold (see :func:`optimizer.summary.read_summary`):
    #: the model's summary of a result, then :class:`~optimizer.summary.BatchRun` (no result, any model)
    SUMMARY: tuple[type, ...] = (BatchRun,)

    def load_base(self, path: Path) -> Any:
        raise NotImplementedError

    def check_options(self, options: dict) -> tuple[dict, list[str]]:
        """Normalised options and the problems found (one message per bad key)."""
        raise NotImplementedError

    def check(self, base: Any, overrides: dict, options: dict) -> dict:
        """The normalised overrides of one scenario; raises InputError or ValueError naming what is wrong."""
        raise NotImplementedError

    def value(self, base: Any, overrides: dict, options: dict, key: str) -> Any:
        """The value parameter ``key`` takes in a scenario (for the summary's parameter columns)."""
        return overrides.get(key)

    def has_plan(self, summary) -> bool:
        """Whether a run's summary.json (read as one of :attr:`SUMMARY`) holds a usable result (a plan, a split)."""
        return summary.status in OK_STATUSES and summary.objective is not None

    def headline(self, summary) -> dict:
        """The objective, gap and bound columns of the batch summary."""
        return {"objective": summary.objective, "mip_gap": summary.mip_gap, "best_bound": summary.best_bound}

    def run(self, task: Task, base: Any) -> Outcome:
        """Run one scenario in a worker; may raise (``execute`` turns that into an outcome)."""
        raise NotImplementedError

    def write(self, outcome: Outcome, run: RunFolder) -> None:
        """Write the outcome's files (except summary.json, written by the runner) into ``run``."""
        for name, df in outcome.tables.items():
            run.write_table(name, df)
        for name, text in outcome.texts.items():
            run.write_text(name, text)

    def similarity_key(self, overrides: dict) -> str:
        """Scenarios with equal keys are alike: the runner sends them out together, so that each
        worker's earlier plans are near the next scenario's (starts)."""
        return ""

    def summary_columns(self, summary) -> dict:
        """Model-specific columns of the batch summary (flattened KPIs) from a run's summary.json (typed)."""
        return {}

    def execute(self, task: Task, base: Any) -> Outcome:
        """The task function sent to workers: :meth:`run`, with every failure turned into an outcome."""
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            outcome = self.run(task, base)
        except Exception as exc:  # noqa: BLE001 - a failing scenario must not stop the batch
            outcome = error_outcome(task.name, exc)
        outcome.seconds = time.perf_counter() - t0
        outcome.cpu_seconds = time.process_time() - c0
        outcome.worker = worker_id()
        return outcome


def flatten(prefix: str, value: Any, out: dict, depth: int = 2) -> dict:
    """Scalars of nested dicts as ``prefix.key.subkey`` columns (lists become text); ``depth`` levels."""
    if isinstance(value, dict) and depth > 0:
        for k, v in value.items():
            flatten(f"{prefix}.{k}" if prefix else str(k), v, out, depth - 1)
    elif isinstance(value, (list, tuple, dict)):
        return out
    else:
        out[prefix] = value
    return out
