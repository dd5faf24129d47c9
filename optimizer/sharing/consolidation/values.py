r"""The cost of a coalition: the freight MIP with the demand of the other players removed.

Definition
----------
For an instance with players :math:`N` (groups of cities, :mod:`.players`) and a coalition
:math:`S \subseteq N`, let :math:`q^S_{cd} = q_{cd}` and :math:`q'^S_{cd} = q'_{cd}` for the cities
:math:`c` of the players in :math:`S` and 0 for every other city. Then

.. math::

    c(S) = \min \Bigl\{ \text{cost}(x, u, n, y, w) : (x, u, n, y, w) \text{ feasible for the freight
    model of } q^S, q'^S \Bigr\}

with the same instance and parameters: every hub and service available (except those the
instance itself closes), and S paying every cost it causes: feeder and handling costs, trains,
the fixed costs of the services and hubs it opens, and the penalty for boxes it leaves unserved
(:func:`optimizer.freight.model.add_objective`). :math:`c(\emptyset) = 0`, and :math:`c(N)` is
exactly the optimum of ``optimizer freight solve`` on the instance (the same model, built from
the same tables; with ``only`` the demand of the players left out is removed from it too).

The MIPs are solved to ``mip_gap`` (default 0). A coalition that stops at its time limit with a
plan keeps the plan's cost with status ``time_limit`` and its gap; one without a plan, or
infeasible, has no value (:class:`CoalitionFailed`).

Caching
-------
Values are kept in a :class:`CoalitionCache`: a JSON-lines file (one coalition per line, written
and flushed as each is solved), so that an interrupted run resumes where it stopped. The file
starts with the game's fingerprint (instance tables and parameters, players, MIP gap, time
limit); a cache with another fingerprint is not used.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from ...errors import InfeasibleError, OptimizerError
from ...instance.data import Instance
from ...solve import StartPool
from .players import Players

log = logging.getLogger(__name__)

#: statuses of a coalition value that can be used in the game
USABLE = ("optimal", "time_limit")


@dataclass(frozen=True)
class CoalitionValue:
    """c(S) of one coalition, with how it was found."""

    mask: int
    cost: float
    best_bound: float | None
    mip_gap: float | None
    status: str  # optimal | time_limit
    seconds: float
    started: bool = False  # HiGHS got a start from earlier coalitions' plans

    def as_record(self, players: Players) -> dict:
        return {
            "members": [p for i, p in enumerate(players.names) if self.mask >> i & 1],
            "cost": self.cost,
            "best_bound": self.best_bound,
            "mip_gap": self.mip_gap,
            "status": self.status,
            "seconds": round(self.seconds, 4),
            "started": self.started,
        }


class CoalitionFailed(OptimizerError):
    """A coalition has no plan: infeasible (possible only without the unserved penalty), or no plan
    within the time limit. Carries the coalition's members; exit code 3."""

    exit_code = 3

    def __init__(self, members: list[str], status: str, reasons: list[str]) -> None:
        self.members, self.status, self.reasons = members, status, reasons
        what = "is infeasible" if status == "infeasible" else "has no plan within the time limit"
        super().__init__(f"coalition {{{', '.join(members)}}} {what}" + "".join(f"\n  - {r}" for r in reasons))


def coalition_instance(instance: Instance, cities: set[str]) -> Instance:
    """``instance`` with the demand (west and return) of every city outside ``cities`` removed."""
    d = instance.demand
    kept = d[d["origin"].astype(str).isin(cities)].reset_index(drop=True)
    return dataclasses.replace(instance, demand=kept)


def solve_coalition(
    instance: Instance,
    players: Players,
    mask: int,
    *,
    mip_gap: float | None,
    time_limit: float | None,
    pool: StartPool | None,
) -> CoalitionValue:
    """c(S) for the coalition ``mask`` (see the module docstring); raises :class:`CoalitionFailed`."""
    from ...freight.run import solve_plan

    members = [p for i, p in enumerate(players.names) if mask >> i & 1]
    sub = coalition_instance(instance, players.cities_of(mask))
    t0 = time.perf_counter()
    try:
        plan = solve_plan(
            sub, baseline=False, time_limit=time_limit, mip_gap=mip_gap, log_path=None, pool=pool, label=f"coalition {{{', '.join(members)}}}"
        )
    except InfeasibleError as exc:
        raise CoalitionFailed(members, exc.status, exc.reasons) from None
    res = plan.solve
    return CoalitionValue(
        mask=mask,
        cost=float(res.objective),
        best_bound=res.best_bound,
        mip_gap=res.mip_gap,
        status=res.status,
        seconds=time.perf_counter() - t0,
        started=res.start is not None,
    )


def fingerprint(instance: Instance, players: Players, mip_gap: float | None, time_limit: float | None) -> str:
    """A hash of everything a coalition's value depends on."""
    h = hashlib.sha256()
    for name in ("cities", "hubs", "gateways", "destinations", "demand", "feeder_legs", "services"):
        h.update(name.encode())
        h.update(getattr(instance, name).to_csv().encode())
    h.update(json.dumps(instance.params, sort_keys=True, default=str).encode())
    h.update(json.dumps(players.as_dict(), sort_keys=True).encode())
    h.update(json.dumps([mip_gap, time_limit]).encode())
    return h.hexdigest()[:16]


class CoalitionCache:
    """Coalition values by mask, optionally backed by a JSON-lines file (see the module docstring)."""

    def __init__(self, players: Players, key: str, path: Path | None = None) -> None:
        self.players, self.key, self.path = players, key, path
        self.values: dict[int, CoalitionValue] = {}
        self.loaded = 0
        if path is not None:
            self._load(path)

    def _load(self, path: Path) -> None:
        index = {p: i for i, p in enumerate(self.players.names)}
        try:
            with open(path, encoding="utf-8") as f:
                lines = f.read(256 * 2**20).splitlines()
        except FileNotFoundError:
            lines = []
        except OSError as exc:
            log.warning(f"coalition cache {path} not read ({exc.strerror or exc}); every coalition is solved again")
            lines = []
        records = []
        for line in lines:
            try:
                records.append(json.loads(line))
            except ValueError:  # a line torn by an interrupted write
                continue
        if not records or not isinstance(records[0], dict) or records[0].get("fingerprint") != self.key:
            if records:
                log.info("coalition cache belongs to another game (instance, players or options changed); starting afresh")
            self._rewrite()
            return
        for rec in records[1:]:
            try:
                mask = sum(1 << index[p] for p in rec["members"])
                value = CoalitionValue(mask, float(rec["cost"]), rec.get("best_bound"), rec.get("mip_gap"), str(rec["status"]), float(rec["seconds"]), bool(rec.get("started")))
            except (KeyError, TypeError, ValueError):
                continue
            if value.status in USABLE:
                self.values[mask] = value
        self.loaded = len(self.values)

    def _rewrite(self) -> None:
        assert self.path is not None
        with open(self.path, "w", encoding="utf-8") as f:
            f.write(json.dumps({"fingerprint": self.key, "players": list(self.players.names)}) + "\n")

    def __contains__(self, mask: int) -> bool:
        return mask in self.values

    def __getitem__(self, mask: int) -> CoalitionValue:
        return self.values[mask]

    def add(self, value: CoalitionValue) -> None:
        self.values[value.mask] = value
        if self.path is not None:
            with open(self.path, "a", encoding="utf-8") as f:
                f.write(json.dumps(value.as_record(self.players)) + "\n")
                f.flush()
                os.fsync(f.fileno())

    def records(self) -> list[dict]:
        return [self.values[m].as_record(self.players) | {"size": m.bit_count()} for m in sorted(self.values, key=lambda m: (m.bit_count(), m))]


# ------------------------------------------------------------------------------------------------
# many coalitions: in this process, or on the batch executors


@dataclass(frozen=True)
class Evaluation:
    """What a worker needs to price coalitions (sent to each worker once)."""

    instance: Instance
    players: Players
    mip_gap: float | None
    time_limit: float | None
    starts: bool


_WORKER_POOL: dict[str, StartPool] = {}  # per worker process: the start pool of the game it prices


def _pool_for(ev: Evaluation) -> StartPool | None:
    if not ev.starts:
        return None
    key = ev.instance.name + "|" + ",".join(ev.players.names)
    if key not in _WORKER_POOL:
        _WORKER_POOL.clear()
        _WORKER_POOL[key] = StartPool()
    return _WORKER_POOL[key]


def evaluate_task(mask: int, ev: Evaluation) -> CoalitionValue:
    """Executor task: c(S) of one coalition (the worker keeps a start pool across its tasks)."""
    return solve_coalition(ev.instance, ev.players, mask, mip_gap=ev.mip_gap, time_limit=ev.time_limit, pool=_pool_for(ev))


def evaluate(ev: Evaluation, masks: Iterable[int], cache: CoalitionCache, executor=None, pool: StartPool | None = None) -> Iterator[CoalitionValue]:
    """Price every coalition of ``masks`` not in ``cache``, adding each to it as it finishes.

    ``executor``: a batch executor (:mod:`optimizer.batch.executors`; local processes or a Dask
    cluster); None solves them one after the other in this process, starting each from ``pool``.
    Yields the new values in completion order. A failed coalition raises :class:`CoalitionFailed`.
    """
    todo = sorted({m for m in masks if m and m not in cache}, key=lambda m: (m.bit_count(), m))
    if not todo:
        return
    if executor is None:
        for m in todo:
            value = solve_coalition(ev.instance, ev.players, m, mip_gap=ev.mip_gap, time_limit=ev.time_limit, pool=pool if ev.starts else None)
            cache.add(value)
            yield value
        return
    for mask, value in executor.run(evaluate_task, ev, todo):
        if isinstance(value, BaseException):
            raise value
        cache.add(value)
        yield value
