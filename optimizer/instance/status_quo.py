r"""Today's network of a generated corridor: every pair on the lines of its own platform or the nearest one with room.

:func:`status_quo_network` places each demand pair whole on the lines of the first hub that can
take it (the city's own platform, then by feeder cost), so that every platform runs its own lines
to the terminals its cities ship to, at today's load (:data:`TODAY_LOAD_FACTOR`), within line,
gateway and transit-time limits; :func:`hub_capacity_for_today` then lets each hub handle what it
handles today. :mod:`.generate` calls both while it builds a corridor.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .data import make_table

#: westbound load of today's trains (instances/landbridge's estimate for the assembly centres; 77–100 % loaded boxes, cr-express.md §8)
TODAY_LOAD_FACTOR = 0.85

#: a city opens a line of its own only if its westbound boxes fill this share of the line's minimum trains
OPEN_SHARE = 0.25

#: a hub's capacity is at least this multiple of its throughput today (as the city platforms of instances/landbridge)
TODAY_HUB_HEADROOM = 1.25

#: placements of today's network tried at most, each with the pairs that did not fit whole moved to the front
PLACEMENT_ROUNDS = 5


def status_quo_network(hubs: pd.DataFrame, gates: pd.DataFrame, legs: pd.DataFrame, demand: pd.DataFrame, services: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray, np.ndarray]:
    r"""Today's network: each pair rides the lines of its own city's hub or of the nearest one with room, and all demand is carried.

    Each pair (c, d) goes whole to the first hub of :func:`_route_options` (own hub, then by
    feeder cost) whose lines to d can take it within their maximum trains and their gateways'
    capacities (:meth:`_Lines.take`; transit times are filtered already). A pair opens a line
    only if its own westbound boxes fill at least :data:`OPEN_SHARE` of the line's minimum
    :math:`m_r \kappa_r`; a smaller one joins the first of its hubs that runs the line already
    (like the "+西欧" assembly lines of today) and opens one only where none does. So every
    platform runs its own lines to the terminals its cities ship to — many lines to the same
    terminals, the duplication the policy targets — and a pair moves on to a farther hub only
    when the nearer hubs' lines or their gateways are full.

    Pairs with fewer gateways among their routes go first (they have least choice), then the
    larger first. If some pair does not fit whole anywhere, the placement starts again with
    those pairs first, at most :data:`PLACEMENT_ROUNDS` times, and the round that leaves least
    unplaced is kept. A pair still without a hub (only where the corridor's own limits cannot
    carry its demand, e.g. a few cities shipping more than their lines may run) is spread over
    its hubs as far as their lines have room and gets no assignment row, so the baseline may
    route it over any of today's lines; what fits nowhere stays unserved.

    Placement counts the fewest trains a line needs (:meth:`_Lines.needed`); today's trains
    are then those at today's load factor as far as the gateways have room
    (:meth:`_Lines.todays_trains`). Returns ``status_quo`` (the lines and their trains),
    ``status_quo_assignments`` (each placed pair's hub) and each hub's throughput today in TEU
    both ways (for :func:`hub_capacity_for_today`), and the rows of the pairs that found no hub
    (:func:`~.generate.generate_corridor` then offers their lines the next gateway
    and places again); with them the baseline carries every box the corridor can carry.
    """
    options = _route_options(hubs, legs, demand, services)
    q, qr = demand["teu"].to_numpy(dtype=float), demand["return_teu"].to_numpy(dtype=float)
    gate_of = gates.index.get_indexer(services["gateway_id"])
    n_gates = np.array([len({gate_of[r] for _h, rs in opts for r in rs}) for opts in options])
    order = np.lexsort((-q, n_gates))
    best = None
    for _ in range(PLACEMENT_ROUNDS):
        lines, hub_of, left = _place(_Lines.empty(len(hubs), gates, services), options, q, qr, order)
        if best is None or left < best[2]:
            best = lines, hub_of, left
        missed = hub_of[order] < 0
        if not missed.any():
            break
        order = np.concatenate([order[missed], order[~missed]])
    lines, hub_of, _left = best
    trains = lines.todays_trains()
    used = np.flatnonzero(trains > 0)
    status_quo = make_table("status_quo", {"service_id": services.index.to_numpy()[used], "trains": trains[used]})
    a = np.flatnonzero(hub_of >= 0)
    assignments = make_table("status_quo_assignments", {"city_id": demand["origin"].to_numpy()[a], "destination_id": demand["destination"].to_numpy()[a], "hub_id": hubs.index.to_numpy()[hub_of[a]]})
    return status_quo, assignments, lines.hub_load, np.flatnonzero(hub_of < 0)


def _place(lines: _Lines, options: list, q: np.ndarray, qr: np.ndarray, order: np.ndarray) -> tuple[_Lines, np.ndarray, float]:
    """Place the pairs in ``order`` on ``lines`` (the rules of :func:`status_quo_network`); returns the lines, each pair's hub (-1: spread, no hub) and the TEU that fit nowhere."""
    hub_of = np.full(len(q), -1)
    unplaced = 0.0
    for pair in order:
        opening = [(h, [r for r in rs if lines.trains[r] > 0 or q[pair] >= OPEN_SHARE * lines.lo[r] * lines.kappa[r]]) for h, rs in options[pair]]
        hub_of[pair] = next((h for h, rs in (*opening, *options[pair]) if lines.take(h, rs, q[pair], qr[pair], whole=True) == 1.0), -1)
        left = 1.0 if hub_of[pair] < 0 else 0.0
        for h, rs in options[pair] if left else ():
            left *= 1.0 - lines.take(h, rs, left * q[pair], left * qr[pair], whole=False)
        unplaced += left * (q[pair] + qr[pair])
    return lines, hub_of, unplaced


def hub_capacity_for_today(hubs: pd.DataFrame, throughput: np.ndarray) -> pd.DataFrame:
    """``hubs`` with each capacity at least :data:`TODAY_HUB_HEADROOM` × today's throughput (rounded up to 1,000 TEU): today's platforms handle today's boxes."""
    need = np.ceil(TODAY_HUB_HEADROOM * throughput / 1000.0) * 1000.0
    return hubs.assign(capacity_teu=np.maximum(hubs["capacity_teu"].to_numpy(), need))


def _route_options(hubs: pd.DataFrame, legs: pd.DataFrame, demand: pd.DataFrame, services: pd.DataFrame) -> list[list[tuple[int, list[int]]]]:
    """Per demand row, its hubs in order of preference with their lines to the destination: [(hub row, [service rows])].

    Only routes within the pair's max_days count. Hubs by feeder cost (the city's own hub first,
    its leg costs 0), a hub's lines by train cost.
    """
    pairs = pd.DataFrame({"pair": np.arange(len(demand)), "city_id": demand["origin"].to_numpy(), "destination_id": demand["destination"].to_numpy(), "max_days": demand["max_days"].to_numpy()})
    svc = pd.DataFrame({"svc": np.arange(len(services)), "hub_id": services["hub_id"].to_numpy(), "destination_id": services["destination_id"].to_numpy(), "train_cost": services["cost_per_train"].to_numpy(), "svc_days": services["days"].to_numpy()})
    routes = pairs.merge(legs[["city_id", "hub_id", "cost_per_teu", "days"]], on="city_id").merge(svc, on=["hub_id", "destination_id"])
    routes = routes[routes["days"] + routes["svc_days"] <= routes["max_days"] + 1e-9]
    routes = routes.sort_values(["pair", "cost_per_teu", "hub_id", "train_cost", "svc"], kind="stable")
    options: list[list[tuple[int, list[int]]]] = [[] for _ in range(len(demand))]
    for pair, h, r in zip(routes["pair"].tolist(), hubs.index.get_indexer(routes["hub_id"]).tolist(), routes["svc"].tolist()):
        if not options[pair] or options[pair][-1][0] != h:
            options[pair].append((h, []))
        options[pair][-1][1].append(r)
    return options


@dataclass
class _Lines:
    r"""Today's lines while pairs are placed: TEU and trains per line (service), trains each gateway can still clear, TEU per hub.

    Line r carries :math:`W_r` westbound and :math:`E_r` return TEU on :math:`n_r` trains;
    gateway b can clear :math:`R_b` more trains.
    """

    kappa: np.ndarray  # per service: κ, m, M, row of its gateway
    lo: np.ndarray
    hi: np.ndarray
    gate: np.ndarray
    gate_room: np.ndarray  # R_b
    west: np.ndarray  # W_r, E_r, n_r
    east: np.ndarray
    trains: np.ndarray
    hub_load: np.ndarray  # TEU both ways per hub

    @classmethod
    def empty(cls, n_hubs: int, gates: pd.DataFrame, services: pd.DataFrame) -> _Lines:
        """No line running yet, every gateway at its full capacity."""
        zero = np.zeros(len(services))
        return cls(
            kappa=services["train_capacity_teu"].to_numpy(dtype=float),
            lo=services["min_trains"].to_numpy(dtype=float),
            hi=services["max_trains"].to_numpy(dtype=float),
            gate=gates.index.get_indexer(services["gateway_id"]),
            gate_room=gates["capacity_trains"].to_numpy(dtype=float).copy(),
            west=zero.copy(),
            east=zero.copy(),
            trains=zero.copy(),
            hub_load=np.zeros(n_hubs),
        )

    def share(self, r: int, q: float, qr: float, gate_room: float) -> float:
        r"""The largest share :math:`\phi \le 1` of (q, q') line r can take with ``gate_room`` trains left at its gateway.

        .. math::

            \max(W_r + \phi q,\ E_r + \phi q') \le \kappa_r \min(M_r,\ n_r + R_b), \qquad
            m_r \le R_b \text{ if r does not run yet}
        """
        if self.trains[r] == 0 and self.lo[r] > gate_room:
            return 0.0
        cap = self.kappa[r] * min(self.hi[r], self.trains[r] + gate_room)
        limits = [(cap - load) / amount for load, amount in ((self.west[r], q), (self.east[r], qr)) if amount > 0]
        return max(0.0, min([1.0, *limits]))

    def needed(self, r: int, west: float, east: float) -> float:
        r"""The fewest trains line r may run carrying (west, east) TEU: :math:`\max(m_r, \lceil \max(W_r, E_r) / \kappa_r \rceil)`."""
        return float(max(self.lo[r], math.ceil(max(west, east) / self.kappa[r] - 1e-9)))

    def todays_trains(self) -> np.ndarray:
        r"""Today's trains per line: at load :math:`\lambda` as far as the gateway has room, fuller where it has not.

        .. math::

            n_r = \underline n_r + \Bigl\lfloor (\hat n_r - \underline n_r)
            \min\Bigl(1, \frac{R_b}{\sum_{s : b(s) = b} (\hat n_s - \underline n_s)}\Bigr) \Bigr\rfloor,
            \qquad \hat n_r = \min\bigl(M_r, \max(m_r, \lceil \max(W_r, E_r) / (\kappa_r \lambda) \rceil)\bigr)

        with :math:`\underline n_r` the trains placement needed (:meth:`needed`), :math:`R_b` the
        gateway's room left and :math:`\lambda` = :data:`TODAY_LOAD_FACTOR`; lines carrying nothing run none.
        """
        running = self.trains > 0
        load = np.maximum(self.west, self.east) / self.kappa
        wanted = np.where(running, np.minimum(self.hi, np.maximum(self.lo, np.ceil(load / TODAY_LOAD_FACTOR - 1e-9))), 0.0)
        extra = np.maximum(wanted - self.trains, 0.0)
        asked = np.bincount(self.gate, weights=extra, minlength=len(self.gate_room))
        ratio = np.minimum(1.0, np.divide(self.gate_room, asked, out=np.ones_like(asked), where=asked > 0))
        return self.trains + np.floor(extra * ratio[self.gate] + 1e-9)

    def take(self, h: int, lines: list[int], q: float, qr: float, *, whole: bool) -> float:
        """Place (q, q') at hub h on ``lines`` in order, each taking what it can (:meth:`share`); returns the share placed.

        ``whole``: all or nothing (then 1.0 or 0.0).
        """
        gate_used: dict[int, float] = {}
        plan, left = [], 1.0
        for r in lines:
            if left <= 1e-12:
                break
            room = self.gate_room[self.gate[r]] - gate_used.get(self.gate[r], 0.0)
            phi = min(left, self.share(r, q, qr, room))
            if phi <= 1e-12:
                continue
            n = self.needed(r, self.west[r] + phi * q, self.east[r] + phi * qr)
            gate_used[self.gate[r]] = gate_used.get(self.gate[r], 0.0) + n - self.trains[r]
            plan.append((r, phi, n))
            left -= phi
        if whole and left > 1e-12:
            return 0.0
        for r, phi, n in plan:
            self.west[r] += phi * q
            self.east[r] += phi * qr
            self.gate_room[self.gate[r]] -= n - self.trains[r]
            self.trains[r] = n
            self.hub_load[h] += phi * (q + qr)
        return 1.0 if whole else 1.0 - left
