"""Run a scenario file: check everything, run the scenarios, write run folders and the summary.

Output folder layout::

    OUT/batch.json          the scenario file, base, options and every scenario with its hash
    OUT/runs/<scenario>/    one complete run folder per scenario (the files of a single solve;
                            summary.json carries a ``batch`` section: scenario, set, hash, seconds)
    OUT/summary.csv         one row per scenario, rebuilt from the run folders at the end
    OUT/summary.parquet     the same table
    OUT/summary.xlsx        the same table as a workbook (numbers as numbers, frozen header)

Guarantees: every run folder is published whole (staged, then renamed); ``summary.csv``,
``summary.parquet`` and ``summary.xlsx`` are rewritten atomically from the run folders, so they
never hold a partial or duplicated row; one batch at a time writes into a folder (a lock file). With ``resume`` a
scenario whose run folder has a summary.json with the same hash (same base contents, options
and overrides) and a result other than ``error`` is kept; every other one runs again. Leftover
staging folders of a killed batch are removed when a batch starts in the folder.

Run folders' summary.json are read back (resume, the summary table) through
:func:`optimizer.summary.read_summary`, as the kinds the engine declares (``Engine.SUMMARY``); one
that is missing, unreadable or holds a value of the wrong type counts as no finished run: the
scenario runs again.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Iterator

import pandas as pd

from .. import documents
from ..errors import (
    EXIT_INFEASIBLE,
    EXIT_INPUT,
    EXIT_INTERNAL,
    EXIT_OK,
    InputError,
    OptimizerError,
    Problem,
    ProblemCollector,
)
from ..results import RunFolder, atomic_write_text, check_target, default_run_dir, dumps, make_folders, remove_folders, write_marker
from ..summary import BatchRun, read_summary
from ..xlsx.write import write_table_workbook
from .engines import Engine, Outcome, Task, error_outcome
from .executors import DaskExecutor, LocalExecutor
from .progress import ProgressBar
from .scenarios import BatchSpec, content_hash, load_spec, raise_scenario_problems, scenario_hash

RUNS = "runs"
SUMMARY = "summary"
BATCH_JSON = "batch.json"
LOCK = ".batch.lock"
#: what a batch writes into its output folder (listed in the folder's marker)
BATCH_FILES = (BATCH_JSON, f"{SUMMARY}.csv", f"{SUMMARY}.parquet", f"{SUMMARY}.xlsx", RUNS, LOCK, "report.html")
FIXED_COLUMNS = ("scenario", "status", "has_plan", "objective", "mip_gap", "best_bound", "seconds", "started", "reason")
NUMERIC_COLUMNS = ("objective", "mip_gap", "best_bound", "seconds")


class FolderBusy(OptimizerError):
    """Another batch is writing into the output folder."""

    exit_code = EXIT_INPUT


def engine_for(model: str) -> Engine:
    """The engine of a model name (imported on demand: each pulls in its model's package)."""
    if model == "freight":
        from .freight_engine import FreightEngine

        return FreightEngine()
    if model == "enclave":
        from .enclave_engine import EnclaveEngine

        return EnclaveEngine()
    if model == "consolidation":
        from .consolidation_engine import ConsolidationEngine

        return ConsolidationEngine()
    raise ValueError(f"unknown model {model!r}")


@dataclass
class Plan:
    """A checked batch: everything needed to run it, nothing run yet."""

    spec: BatchSpec
    engine: Engine
    base: object
    base_hash: str
    tasks: list[Task]
    param_keys: list[str]


def prepare(path: str | Path, engine: Engine | None = None, *, yes: bool = False) -> Plan:
    """Read, expand and check a scenario file; one InputError (exit 2) lists every problem.

    Each scenario's overrides are applied to the loaded base by the engine, so a bad key or value
    is reported with the scenario's name before any scenario runs.
    """
    spec = load_spec(path, yes=yes)
    engine = engine or engine_for(spec.model)
    options, option_problems = engine.check_options(spec.options)
    if option_problems:
        collector = ProblemCollector(source=str(spec.path))
        for message in option_problems:
            collector.add(str(spec.path), message)
        collector.raise_if_any()
    base = engine.load_base(spec.base)
    base_hash = content_hash(spec.base)
    problems: dict[str, list[str]] = {}
    checked = []
    for s in spec.scenarios:
        try:
            checked.append((s.name, engine.check(base, s.overrides, options)))
        except InputError as exc:
            problems[s.name] = [p.message if p.column is None else f"{p.column}: {p.message}" for p in exc.problems]
        except ValueError as exc:
            problems[s.name] = [str(exc)]
    raise_scenario_problems(spec, problems)
    param_keys = spec.override_keys
    tasks = [
        Task(
            name=name,
            hash=scenario_hash(spec.model, base_hash, options, overrides),
            overrides=overrides,
            options=options,
            base_key=base_hash,
            params={k: engine.value(base, overrides, options, k) for k in param_keys},
        )
        for name, overrides in checked
    ]
    return Plan(spec=spec, engine=engine, base=base, base_hash=base_hash, tasks=tasks, param_keys=param_keys)


@dataclass
class BatchResult:
    """What a batch did. ``exit_code``: 0 every scenario has a plan, 3 some have none, 1 some failed."""

    out_dir: Path
    total: int
    kept: int = 0
    ran: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    summary: pd.DataFrame | None = None
    interrupted: bool = False

    @property
    def failed(self) -> int:
        return self.statuses.get("error", 0)

    @property
    def without_plan(self) -> int:
        if self.summary is None or self.summary.empty:
            return 0
        return int((~self.summary["has_plan"].astype(bool)).sum())

    @property
    def exit_code(self) -> int:
        if self.failed:
            return EXIT_INTERNAL
        if self.without_plan:
            return EXIT_INFEASIBLE
        return EXIT_OK


# ---------------------------------------------------------------------------------------------
# the output folder


class _Lock:
    """An exclusive lock on ``OUT/.batch.lock`` for the life of the batch (released by the OS on kill)."""

    def __init__(self, out_dir: Path) -> None:
        self.path = out_dir / LOCK
        self.fd: int | None = None

    @classmethod
    def probe(cls, out_dir: Path) -> None:
        """Raise :class:`FolderBusy` if another batch holds the lock of ``out_dir`` (creates nothing)."""
        lock = cls(out_dir)
        try:
            fd = os.open(lock.path, os.O_RDWR)
        except OSError:
            return
        lock._take(fd)  # closes fd and raises when the lock is held
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)

    def _take(self, fd: int) -> None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 64).decode(errors="replace").strip()
            os.close(fd)
            raise FolderBusy(f"another batch (pid {holder or '?'}) is writing into {self.path.parent}") from None

    def __enter__(self) -> "_Lock":
        if self.fd is not None:  # taken already (run_plan takes it before its with-block)
            return self
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        self._take(fd)
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self.fd = fd
        return self

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None


def clean_leftovers(runs_dir: Path) -> None:
    """Remove staging folders a killed batch left; restore a replaced run whose successor never landed."""
    if not runs_dir.is_dir():
        return
    for p in runs_dir.iterdir():
        if not p.name.startswith("."):
            continue
        if ".old-" in p.name:
            final = runs_dir / p.name[1:].rsplit(".old-", 1)[0]
            if not final.exists() and (p / "summary.json").is_file():
                os.replace(p, final)
                continue
        if ".partial-" in p.name or ".old-" in p.name:
            shutil.rmtree(p, ignore_errors=True)


def read_json(path: Path) -> dict | None:
    """A JSON object's contents, or None when it is missing, unreadable or not an object."""
    try:
        data = documents.read_json(path, "summary").data
    except InputError:
        return None
    return data if isinstance(data, dict) else None


def read_run(run_dir: Path, engine: Engine):
    """The summary.json of a run folder, typed as one of ``engine.SUMMARY``; None when there is no
    complete one (missing, unreadable, or a value of the wrong type)."""
    try:
        summary, _ = read_summary(run_dir / "summary.json", engine.SUMMARY)
    except InputError:
        return None
    return summary


def of_task(summary: BatchRun | None, task: Task) -> bool:
    """Whether a run's summary was made for this scenario as it is now (the same hash)."""
    return summary is not None and summary.batch is not None and summary.batch.hash == task.hash


def is_finished(run_dir: Path, task: Task, engine: Engine) -> bool:
    """A run folder ``--resume`` keeps: complete, made for the same scenario hash, not an error."""
    summary = read_run(run_dir, engine)
    return of_task(summary, task) and summary.status != "error"


def find_resumable(spec_path: Path, root: Path = Path("results")) -> Path | None:
    """The newest ``root/<stem>-*`` folder whose batch.json was made from this scenario file."""
    candidates = []
    for p in root.glob(f"{spec_path.stem}-*"):
        meta = read_json(p / BATCH_JSON)
        if meta and Path(meta.get("scenario_file", "")) == spec_path.resolve():
            candidates.append(p)
    return max(candidates, key=lambda p: p.stat().st_mtime, default=None)


def write_outcome(plan: Plan, outcome: Outcome, task: Task, runs_dir: Path) -> None:
    """Publish one scenario's run folder atomically; summary.json gets the ``batch`` section."""
    summary = dict(outcome.summary)
    summary["status"] = outcome.status
    if outcome.reason and not summary.get("reason"):
        summary["reason"] = outcome.reason
    summary["batch"] = {
        "scenario": task.name,
        "scenario_file": str(plan.spec.path.resolve()),
        "set": task.overrides,
        "params": task.params,
        "options": task.options,
        "hash": task.hash,
        "seconds": round(outcome.seconds, 4),
        "cpu_seconds": round(outcome.cpu_seconds, 4),
        "started": outcome.started,
        "worker": outcome.worker,
    }
    with RunFolder(runs_dir / task.name, plan.spec.model, inputs=(plan.spec.path, plan.spec.base)) as run:
        plan.engine.write(outcome, run)
        run.write_json("summary.json", summary)


# ---------------------------------------------------------------------------------------------
# the summary table


def _cell(value):
    """A parameter value as one table cell: lists joined by commas, mappings as JSON."""
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True)
    return value


def summary_row(plan: Plan, task: Task, summary: BatchRun) -> dict:
    """The scenario's row of the summary table from its typed summary.json (one with a ``batch`` section)."""
    batch = summary.batch
    row: dict = {"scenario": task.name}
    for key in plan.param_keys:
        row[key if key not in FIXED_COLUMNS else f"set.{key}"] = _cell(task.params.get(key))
    row.update(status=summary.status, has_plan=plan.engine.has_plan(summary), **plan.engine.headline(summary))
    row.update(
        seconds=batch.seconds if batch else None,
        started=batch.started if batch else None,
        reason=summary.reason or "",
    )
    row.update(plan.engine.summary_columns(summary))
    return row


def collect_summary(plan: Plan, runs_dir: Path) -> pd.DataFrame:
    """One row per scenario of the plan that has a finished run folder (current hash), in file order."""
    rows = []
    for task in plan.tasks:
        summary = read_run(runs_dir / task.name, plan.engine)
        if of_task(summary, task):
            rows.append(summary_row(plan, task, summary))
    df = pd.DataFrame(rows)
    if df.empty:
        df = pd.DataFrame(columns=["scenario", *plan.param_keys, "status", "has_plan"])
    for col in NUMERIC_COLUMNS:
        if col in df:
            df[col] = pd.to_numeric(df[col], errors="coerce").astype(float)
    return _arrow_safe(df)


def _arrow_safe(df: pd.DataFrame) -> pd.DataFrame:
    """Columns of mixed Python types become text (Parquet needs one type per column)."""
    for col in df.columns:
        if df[col].dtype != object:
            continue
        kinds = {type(v) for v in df[col] if v is not None and not (isinstance(v, float) and pd.isna(v))}
        if len(kinds) > 1 and not kinds <= {int, float}:
            df[col] = df[col].map(lambda v: None if v is None or (isinstance(v, float) and pd.isna(v)) else str(v))
    return df


def write_summary(df: pd.DataFrame, out_dir: Path) -> None:
    """``summary.csv``, ``summary.parquet`` and ``summary.xlsx``, each replaced in one rename."""
    atomic_write_text(out_dir / f"{SUMMARY}.csv", df.to_csv(index=False, float_format="%.10g"))
    write_table_workbook(out_dir / f"{SUMMARY}.xlsx", SUMMARY, df, kind="batch summary")
    tmp = out_dir / f".{SUMMARY}.parquet.{os.getpid()}"
    try:
        df.to_parquet(tmp, index=False)
        os.replace(tmp, out_dir / f"{SUMMARY}.parquet")
    finally:
        if tmp.exists():
            tmp.unlink()


# ---------------------------------------------------------------------------------------------
# running


class _Terminate:
    """While active, SIGTERM and SIGHUP (a closed terminal) raise KeyboardInterrupt in the main thread,
    so the workers are stopped and the summary written as on Ctrl-C."""

    SIGNALS = (signal.SIGTERM, signal.SIGHUP)

    def __enter__(self) -> "_Terminate":
        self.previous: dict = {}
        if threading.current_thread() is threading.main_thread():
            self.previous = {s: signal.signal(s, self._raise) for s in self.SIGNALS}
        return self

    @staticmethod
    def _raise(signum, frame) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    def __exit__(self, *exc) -> None:
        for s, handler in self.previous.items():
            signal.signal(s, handler)


def make_executor(workers: int | None, scheduler: str | None):
    if scheduler:
        return DaskExecutor(scheduler)
    return LocalExecutor(workers or os.cpu_count() or 1)


def run_plan(
    plan: Plan,
    out_dir: Path,
    *,
    executor=None,
    resume: bool = False,
    quiet: bool = False,
    stream=None,
) -> BatchResult:
    """Run the plan's scenarios into ``out_dir``; see the module docstring for what is guaranteed.

    On KeyboardInterrupt (Ctrl-C, or SIGTERM while this runs in the main thread) the workers are
    stopped, the summary is written for the scenarios finished so far, and the interrupt is
    re-raised with ``BatchResult.interrupted`` set on ``exc.batch_result``.
    """
    executor = executor or make_executor(None, None)
    out_dir = Path(out_dir)
    _Lock.probe(out_dir)
    check_batch_target(plan, out_dir)
    runs_dir = out_dir / RUNS
    result = BatchResult(out_dir=out_dir, total=len(plan.tasks))
    executor.connect()  # an unreachable cluster fails here, before anything is written
    created: list[Path] = []
    try:
        created = make_folders(out_dir)
        lock = _Lock(out_dir).__enter__()
    except OSError as exc:
        remove_folders(created)
        executor.close()
        raise InputError([Problem(str(out_dir), f"cannot be written: {exc.strerror or exc}")], source="--out") from None
    with lock, _Terminate():
        write_marker(out_dir, "batch", BATCH_FILES, scenario_file=str(plan.spec.path.resolve()))
        clean_leftovers(runs_dir)
        _write_batch_json(plan, out_dir, executor)
        todo = [t for t in plan.tasks if not (resume and is_finished(runs_dir / t.name, t, plan.engine))]
        result.kept = len(plan.tasks) - len(todo)
        bar = ProgressBar(len(plan.tasks), done=result.kept, quiet=quiet, stream=stream)
        if result.kept:
            bar.note(f"resume: {result.kept} finished scenario(s) kept, {len(todo)} to run")
        outcomes = _outcomes(plan, executor, todo)
        try:
            for task, outcome in outcomes:
                write_outcome(plan, outcome, task, runs_dir)
                result.ran += 1
                if outcome.status == "error":
                    bar.note(f"{task.name}: error: {outcome.reason.splitlines()[0] if outcome.reason else ''}")
                written = read_run(runs_dir / task.name, plan.engine)  # as the summary table will read it
                bar.update(failed=written is None or not plan.engine.has_plan(written))
        except KeyboardInterrupt as exc:
            result.interrupted = True
            exc.batch_result = result  # type: ignore[attr-defined]
            raise
        finally:
            outcomes.close()  # an early end stops the workers now
            bar.close()
            result.summary = collect_summary(plan, runs_dir)
            write_summary(result.summary, out_dir)
            result.statuses = result.summary["status"].value_counts().to_dict() if len(result.summary) else {}
    return result


def _outcomes(plan: Plan, executor, todo: list[Task]) -> Iterator[tuple[Task, Outcome]]:
    """Run the tasks, turning executor-level failures (a dead worker, a lost task) into outcomes."""
    results = executor.run(plan.engine.execute, plan.base, _ordered(plan.engine, todo))
    try:
        for task, value in results:
            if isinstance(value, Outcome):
                yield task, value
            elif isinstance(value, BaseException):
                yield task, error_outcome(task.name, value)
            else:
                yield task, error_outcome(task.name, TypeError(f"a worker returned {type(value).__name__}"))
    finally:
        results.close()


def _ordered(engine: Engine, tasks: list[Task]) -> list[Task]:
    """Alike tasks next to each other, so each worker starts from plans of near scenarios."""
    return sorted(tasks, key=lambda t: engine.similarity_key(t.overrides))


def _write_batch_json(plan: Plan, out_dir: Path, executor) -> None:
    meta = {
        "scenario_file": str(plan.spec.path.resolve()),
        "model": plan.spec.model,
        "base": str(plan.spec.base),
        "base_hash": plan.base_hash,
        "options": plan.tasks[0].options if plan.tasks else {},
        "executor": executor.describe(),
        "started": datetime.now().isoformat(timespec="seconds"),
        "scenarios": [{"name": t.name, "set": t.overrides, "hash": t.hash} for t in plan.tasks],
    }
    atomic_write_text(out_dir / BATCH_JSON, dumps(meta) + "\n")


def check_batch_target(plan: Plan, out_dir: str | Path) -> Path:
    """Refuse (exit 2) an output folder that is not new, empty or a batch folder of this same scenario file."""
    return check_target(
        out_dir, "batch", inputs=(plan.spec.path, plan.spec.base), same={"scenario_file": str(plan.spec.path.resolve())}
    )


def output_dir(spec_path: Path, out: str | Path | None, resume: bool) -> Path:
    """``--out``, or for ``--resume`` the newest matching results folder, or a new timestamped one."""
    if out is not None:
        return Path(out)
    if resume:
        found = find_resumable(spec_path)
        if found is None:
            message = "--resume: no earlier batch of this file under results/; give its folder with --out"
            raise InputError([Problem(str(spec_path), message)], source=str(spec_path))
        return found
    return default_run_dir(spec_path.stem)


def run_batch(
    path: str | Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    quiet: bool = False,
    stream=None,
    yes: bool = False,
) -> BatchResult:
    """Check and run a scenario file: the API behind ``optimizer batch``."""
    plan = prepare(path, yes=yes)
    out_dir = output_dir(plan.spec.path, out, resume)
    return run_plan(plan, out_dir, executor=make_executor(workers, scheduler), resume=resume, quiet=quiet, stream=stream)
