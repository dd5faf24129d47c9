"""Where scenarios run: local worker processes, or an existing Dask distributed cluster.

Both executors take a task function ``fn(task, base)``, one shared ``base`` object (the loaded
instance or case, sent to each worker once) and the tasks, and yield ``(task, result)`` pairs as
tasks finish, in completion order. ``result`` is what ``fn`` returned, or the exception that kept
the task from finishing (``fn`` raised, or its worker died). Workers only compute: they never
write into the output folder, so a worker killed at any moment leaves nothing behind, and a Dask
cluster needs no file system shared with the client.

Local processes (:class:`LocalExecutor`) are started with ``spawn`` (no fork of a parent that
may hold HiGHS threads), ignore SIGINT (the parent decides what an interrupt means and
terminates them), die with their parent even when it is killed outright (Linux
``PR_SET_PDEATHSIG``), and receive at most ``workers + 1`` tasks at a time, so that when a worker
process dies (a crash in native code) only the tasks in flight are suspect: a new pool runs
them one at a time, and a task whose worker dies while it runs alone is reported as
:class:`WorkerDied`; the others go on as usual.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable, Iterable, Iterator

from ..errors import EXIT_INPUT, OptimizerError

TaskFn = Callable[[Any, Any], Any]

_BASE: Any = None  # the shared base object of a local worker process (set by its initializer)
_PR_SET_PDEATHSIG = 1  # prctl option (linux/prctl.h)


class WorkerDied(RuntimeError):
    """A task's worker process ended while running it (every attempt)."""


class ClusterUnavailable(OptimizerError):
    """The Dask scheduler cannot be reached, or it has no workers."""

    exit_code = EXIT_INPUT


def _die_with_parent(parent: int) -> None:
    """Ask Linux to kill this process when its parent dies (even by SIGKILL); elsewhere nothing happens."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request was made
        os._exit(1)


def _init_worker(base: Any, parent: int) -> None:
    global _BASE
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent(parent)
    _BASE = base


def _call_local(fn: TaskFn, task: Any) -> Any:
    return fn(task, _BASE)


def _terminate(pool: ProcessPoolExecutor) -> None:
    """Stop a pool now: drop queued work and end its processes (they hold no files)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for p in processes:
        if p.is_alive():
            p.terminate()
    for p in processes:
        p.join(timeout=5)
        if p.is_alive():
            p.kill()
            p.join(timeout=5)


class LocalExecutor:
    """Run tasks in ``workers`` local processes."""

    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self.workers = workers

    def describe(self) -> str:
        return f"{self.workers} local worker process{'es' if self.workers != 1 else ''}"

    def connect(self) -> None:
        """Nothing to connect to (processes start when the tasks run)."""

    def close(self) -> None:
        """Nothing to release (the pools end with :meth:`run`)."""

    def run(self, fn: TaskFn, base: Any, tasks: Iterable[Any]) -> Iterator[tuple[Any, Any]]:
        pending = deque(tasks)
        suspects: deque = deque()  # in flight when a worker died: each is retried alone
        ctx = multiprocessing.get_context("spawn")
        while pending or suspects:
            size = max(1, min(self.workers, len(pending) + len(suspects)))  # no idle processes to start
            pool = ProcessPoolExecutor(size, mp_context=ctx, initializer=_init_worker, initargs=(base, os.getpid()))
            in_flight: dict[Future, Any] = {}
            alone: set[Future] = set()
            finished = broken = False
            try:
                while True:
                    try:
                        if not broken and suspects and not in_flight:
                            fut = pool.submit(_call_local, fn, suspects[0])
                            in_flight[fut] = suspects.popleft()
                            alone.add(fut)
                        while not broken and not suspects and pending and len(in_flight) <= size:
                            fut = pool.submit(_call_local, fn, pending[0])
                            in_flight[fut] = pending.popleft()
                    except (BrokenProcessPool, OSError, ValueError):
                        # a worker died before its future said so; the pool may already have closed
                        # its queues, so starting a replacement process fails (OSError, or
                        # ValueError "bad value(s) in fds_to_keep" from the closed pipe)
                        broken = True
                    if not in_flight:
                        break
                    done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                    for fut in done:
                        task = in_flight.pop(fut)
                        exc = fut.exception()
                        if isinstance(exc, BrokenProcessPool):
                            broken = True
                            if fut in alone:
                                yield task, WorkerDied("its worker process died while running it")
                            else:
                                suspects.append(task)
                        elif exc is not None:
                            yield task, exc
                        else:
                            yield task, fut.result()
                finished = True
            finally:
                if finished and not broken:
                    pool.shutdown(wait=True)
                else:
                    # a broken pool's own shutdown can wait forever: it joins every worker it knows,
                    # and one started by a submit racing the breakage was never told to stop
                    _terminate(pool)


class DaskExecutor:
    """Run tasks on an existing Dask distributed cluster (``dask scheduler`` + ``dask worker``s).

    The base object is scattered to every worker once; each task is one Dask task. A task whose
    worker dies is rescheduled by Dask and reported as failed (``KilledWorker``) after Dask's
    ``allowed-failures``. Workers must be able to import this package (the same environment).
    """

    def __init__(self, address: str, *, connect_timeout: float = 15.0, workers_timeout: float = 60.0) -> None:
        self.address = address
        self.connect_timeout = connect_timeout
        self.workers_timeout = workers_timeout
        self._client = None

    def describe(self) -> str:
        return f"Dask cluster at {self.address}"

    def connect(self) -> None:
        """Reach the scheduler and wait for a worker now (raises :class:`ClusterUnavailable`), before anything is written."""
        if self._client is None:
            self._client = self._connect()

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def _connect(self):
        from distributed import Client

        try:
            client = Client(self.address, timeout=f"{self.connect_timeout}s", set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise ClusterUnavailable(f"cannot reach the Dask scheduler at {self.address}: {exc}") from None
        try:
            client.wait_for_workers(1, timeout=self.workers_timeout)
        except (TimeoutError, OSError) as exc:
            client.close()
            raise ClusterUnavailable(
                f"the Dask scheduler at {self.address} has no workers (waited {self.workers_timeout:g} s): {exc}"
            ) from None
        return client

    def run(self, fn: TaskFn, base: Any, tasks: Iterable[Any]) -> Iterator[tuple[Any, Any]]:
        from distributed import as_completed

        self.connect()
        client = self._client
        futures: dict = {}
        try:
            [base_future] = client.scatter([base], broadcast=True, hash=False)
            for task in tasks:
                futures[client.submit(fn, task, base_future, pure=False)] = task
            for fut in as_completed(list(futures), loop=client.loop):
                task = futures.pop(fut)
                if fut.status == "error":
                    yield task, fut.exception()
                else:
                    yield task, fut.result()
        finally:
            if futures:
                client.cancel(list(futures))
            self.close()
