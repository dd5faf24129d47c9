"""Long solves off the request thread: one worker thread runs the queued jobs one at a time, each in its own
child process (so Cancel can stop HiGHS at once, and a crash in a solve cannot take the server down).

The child solves through :mod:`optimizer.api` and writes an ordinary run folder (and its report) into the
folder the request reserved. It sends back, over a multiprocessing queue, what the ``optimizer`` logger
says and every improved MIP solution HiGHS reports (best plan, bound, gap: the solver's progress callback),
then ``done`` or ``error``. The page polls :meth:`JobManager.status` as JSON.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import queue
import shutil
import threading
import time
import traceback
import uuid
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger("optimizer.web")

#: log lines kept per job
KEEP_LINES = 40
#: progress events kept per job (the newest; the best plan is always the last)
KEEP_PROGRESS = 200


# ---------------------------------------------------------------------------- in the child process


class _QueueHandler(logging.Handler):
    def __init__(self, q) -> None:
        super().__init__(logging.INFO)
        self.q = q

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.q.put(("log", record.getMessage()))
        except Exception:  # noqa: BLE001 - a closed queue must not stop the solve
            pass


def _freight_child(q, instance_path: str, overrides: dict, out_dir: str, time_limit: float | None) -> None:
    """Solve one freight scenario and write its run folder; runs in a child process."""
    from ..errors import InfeasibleError, InputError
    from ..freight import run as freight_run

    root = logging.getLogger("optimizer")
    root.setLevel(logging.INFO)
    root.addHandler(_QueueHandler(q))
    original = freight_run._progress

    def progress(label: str):
        report = original(label)  # still logs a line every few seconds, as the CLI does

        def both(p) -> None:
            q.put(("progress", {"label": label, "seconds": p.seconds, "objective": p.objective, "bound": p.best_bound, "gap": p.mip_gap}))
            report(p)

        return both

    freight_run._progress = progress  # this process only: the worker's hook into the solver callback
    try:
        from .. import api

        q.put(("phase", "loading and solving"))
        res = api.solve_freight(instance_path, overrides=overrides, time_limit=time_limit)
        q.put(("phase", "writing the run folder"))
        api.write_run(res, out_dir)
        q.put(("phase", "writing the report"))
        api.write_report(out_dir)
        q.put(("done", {"status": res.summary.get("status"), "objective": res.summary.get("objective")}))
    except (InputError, InfeasibleError) as exc:
        q.put(("error", str(exc)))
    except BaseException as exc:  # noqa: BLE001 - reported to the page, logged by the server
        q.put(("error", f"internal error: {type(exc).__name__}: {exc}\n{traceback.format_exc()}"))


# ---------------------------------------------------------------------------- in the server


@dataclass
class Job:
    id: str
    kind: str
    title: str
    target: Path
    args: tuple
    status: str = "queued"  # queued | running | done | failed | cancelled
    phase: str = ""
    progress: list[dict] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    error: str | None = None
    result: dict = field(default_factory=dict)
    created: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None
    cancel_requested: bool = False
    process: object = None

    def as_dict(self) -> dict:
        best = self.progress[-1] if self.progress else None
        return {
            "id": self.id,
            "kind": self.kind,
            "title": self.title,
            "scenario": self.target.name,
            "status": self.status,
            "phase": self.phase,
            "best": best,
            "progress": self.progress[-20:],
            "lines": self.lines[-12:],
            "error": self.error,
            "result": self.result,
            "elapsed": round((self.finished or time.time()) - (self.started or time.time()), 1) if self.started else 0.0,
            "finished": self.status in ("done", "failed", "cancelled"),
        }


class JobManager:
    """Queue of solves, run one at a time by a worker thread, each in a child process."""

    def __init__(self) -> None:
        self.jobs: dict[str, Job] = {}
        self.lock = threading.Lock()
        self.pending: queue.Queue[Job] = queue.Queue()
        self.ctx = mp.get_context("spawn")  # never fork a threaded server
        self.worker = threading.Thread(target=self._work, name="optimizer-web-worker", daemon=True)
        self.worker.start()

    def submit_freight(self, title: str, instance_path: Path, overrides: dict, target: Path, time_limit: float | None = None) -> Job:
        job = Job(uuid.uuid4().hex[:12], "freight", title, target, (str(instance_path), dict(overrides), str(target), time_limit))
        with self.lock:
            self.jobs[job.id] = job
        self.pending.put(job)
        log.info(f"job {job.id}: queued {title} -> {target}")
        return job

    def get(self, job_id: str) -> Job | None:
        with self.lock:
            return self.jobs.get(job_id)

    def status(self, job_id: str) -> dict | None:
        job = self.get(job_id)
        if job is None:
            return None
        with self.lock:
            return job.as_dict()

    def active(self) -> list[dict]:
        with self.lock:
            return [j.as_dict() for j in self.jobs.values() if j.status in ("queued", "running")]

    def cancel(self, job_id: str) -> bool:
        job = self.get(job_id)
        if job is None:
            return False
        with self.lock:
            if job.status not in ("queued", "running"):
                return False
            job.cancel_requested = True
            proc = job.process
        if proc is not None:
            proc.terminate()
        log.info(f"job {job_id}: cancel requested")
        return True

    # -- worker ----------------------------------------------------------------------------
    def _work(self) -> None:
        while True:
            job = self.pending.get()
            try:
                self._run(job)
            except Exception:  # noqa: BLE001 - the worker must survive anything
                log.exception(f"job {job.id}: worker error")
                with self.lock:
                    job.status, job.error, job.finished = "failed", "internal error in the worker (see the server log)", time.time()
                _cleanup(job.target)

    def _run(self, job: Job) -> None:
        with self.lock:
            if job.cancel_requested:
                job.status, job.finished = "cancelled", time.time()
                _cleanup(job.target)
                return
            q = self.ctx.Queue()
            proc = self.ctx.Process(target=_freight_child, args=(q, *job.args), daemon=True)
            job.process, job.status, job.started, job.phase = proc, "running", time.time(), "starting a worker process"
        proc.start()
        outcome = None
        while outcome is None:
            try:
                kind, payload = q.get(timeout=0.2)
            except queue.Empty:
                if not proc.is_alive():
                    # drain what arrived just before the end
                    try:
                        kind, payload = q.get(timeout=0.5)
                    except queue.Empty:
                        break
                else:
                    continue
            with self.lock:
                if kind == "log":
                    job.lines.append(payload)
                    del job.lines[:-KEEP_LINES]
                elif kind == "phase":
                    job.phase = payload
                elif kind == "progress":
                    job.progress.append(payload)
                    del job.progress[:-KEEP_PROGRESS]
                elif kind in ("done", "error"):
                    outcome = (kind, payload)
        proc.join(timeout=10)
        with self.lock:
            job.finished = time.time()
            job.process = None
            if job.cancel_requested and (outcome is None or outcome[0] != "done"):
                job.status, job.phase = "cancelled", "cancelled"
            elif outcome is None:
                job.status, job.error = "failed", f"the worker process ended unexpectedly (exit code {proc.exitcode})"
            elif outcome[0] == "done":
                job.status, job.phase, job.result = "done", "done", outcome[1]
            else:
                job.status, job.error = "failed", outcome[1]
        if job.status != "done":
            _cleanup(job.target)
            if job.status == "failed":
                log.warning(f"job {job.id}: failed: {job.error}")
        log.info(f"job {job.id}: {job.status}")
        q.close()


def _cleanup(target: Path) -> None:
    """Remove a reserved run folder that stayed empty and any staging folder a killed child left."""
    for stale in target.parent.glob(f".{target.name}.partial-*"):
        shutil.rmtree(stale, ignore_errors=True)
    try:
        target.rmdir()
    except OSError:
        pass
