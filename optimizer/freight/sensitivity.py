r"""Sensitivity of a solved freight plan: what one more unit of a capacity or of demand is worth,
and how far a cost may move, with the plan's design fixed.

The freight model is a MIP, and a MIP has no duals. With the design of the plan fixed -- hubs open
:math:`\hat w`, services open :math:`\hat y`, trains :math:`\hat n`, hub-serves-destination
:math:`\hat v`, single-sourcing choices :math:`\hat z` -- what remains is an LP in the flows
:math:`x, x'` and the unserved boxes :math:`u, u'` (:func:`optimizer.solve.solve_fixed`):

.. math::

    \min \sum_A (f + \eta) x + \sum_{A'} (f + \eta) x' + \pi \Bigl(\sum u + \sum u'\Bigr)
    + \underbrace{\textstyle\sum k_r \hat n_r + \sum F_r \hat y_r + \sum G_h \hat w_h}_{\text{constant}}

    \text{s.t.}\quad \sum_r x_{cr} + u_{cd} = q_{cd}\ (\lambda_{cd}), \qquad
    \sum_{c} x_{cr} \le \kappa_r \hat n_r\ (\mu_r), \quad \sum_{c} x'_{cr} \le \kappa_r \hat n_r\ (\mu'_r),

    \sum_{h(r) = h} x_{cr} + \sum_{h(r) = h} x'_{cr} \le \bar U_h \hat w_h\ (\sigma_h), \qquad
    x_{cr} = 0 \text{ on routes of closed services and hubs}

The linking rows (:data:`LINK_FAMILIES`: :math:`x_{cr} \le q_{cd} y_r` and the like) are left out
once the design is fixed: on an open service their bound is the pair's whole demand, a big-M
that would bind whenever a city sends all its boxes one way and price its next box at the penalty;
on a closed one they become the bound :math:`x_{cr} = 0`. For the same reason the bounds
:math:`x_{cr} \le q_{cd}`, :math:`u_{cd} \le q_{cd}` (:data:`FLOW_FAMILIES`), which demand
balance implies, are dropped. The valid inequalities of :mod:`.cuts` (the search strategy's trains
rounded up per destination) are left out as well: with the trains fixed they would only put a price
on unserved boxes that the plan does not have.

Its duals (HiGHS ``row_dual``) and ranging (``getRanging``) give, per item of ``sensitivity.csv``
(columns ``kind, id, label, value, unit, low, high, note``; ``low``..``high`` is the interval of the
item's own quantity over which ``value`` holds, blank where it does not apply):

``hub_capacity`` (per hub)
    :math:`-\sigma_h`, CNY per TEU/yr of extra capacity; low/high: the capacity (TEU/yr) range.
    0 where the capacity cannot bind (no row, or :math:`U_h \ge Q_h`, the demand that could pass);
    blank for a hub closed in the plan (the design is fixed: ``optimizer freight whatif`` re-solves).
``gateway_capacity`` (per capped gateway)
    The gateway row :math:`\sum_{b(r)=b} n_r \le V_b` holds train counts only, which are fixed, so it
    has no dual; its value is that of the train slot it would let in: 0 while slots are free
    (:math:`\sum \hat n_r < V_b`), else :math:`\max(0, \max_r s_r)` over its open services that may
    still add a train, :math:`s_r` as below. CNY per train/yr.
``train_slot`` (per open service with a train count)
    :math:`s_r = \kappa_r(-\mu_r - \mu'_r) - k_r`: the saving of one more train a year on r (its
    westbound and return space, less its train cost; the negative of the reduced cost of
    :math:`n_r`); negative when another train would cost more than it saves. low/high: the train
    counts over which the space values hold.
``service_capacity`` (per open service and direction with a train capacity row)
    :math:`-\mu_r` (westbound, id ``SERVICE``) or :math:`-\mu'_r` (return, label says so): CNY per
    TEU of extra space on its trains; low/high: the space (TEU/yr) range.
``city_demand``, ``city_return_demand`` (per demand pair)
    :math:`\lambda_{cd}`: the marginal cost of one more TEU a year from city c to destination d
    (return: from d to c), CNY/TEU; the penalty :math:`\pi` where the marginal box is unserved or the
    pair has no route. low/high: the demand (TEU/yr) range. id ``ORIGIN/DESTINATION``.
``route_cost`` (per route that carries boxes)
    value: the route's cost per TEU :math:`f + \eta` (feeder plus handling); low/high: the interval
    of that cost over which the flows of the plan stay optimal. id ``ORIGIN/DESTINATION/SERVICE``.

Every value is local: it holds for small changes, with the design as it is (a hub or service that
the change would open or close is not seen), and where the LP is degenerate another dual is as
valid as the one HiGHS reports. ``summary.json`` gets a ``sensitivity`` section (status, the
objective of the fixed-design LP, which equals the plan's cost, and the number of items).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..solve import FixedLp
from .cuts import CUT_FAMILIES
from .model import FreightModel

COLUMNS = ["kind", "id", "label", "value", "unit", "low", "high", "note"]
KINDS = ("hub_capacity", "gateway_capacity", "train_slot", "service_capacity", "city_demand", "city_return_demand", "route_cost")
#: flows and slacks below this are zero (TEU)
TOL = 1e-6
#: what every report of these numbers says about them
LOCAL_NOTE = "local values with the design fixed (hubs, services and trains of the plan as they are)"


#: rows that only tie flows to a design decision (big-M rows): left out of the LP once it is fixed
LINK_FAMILIES = frozenset({"route_open", "route_open_east", "hub_route_open", "single_source"})
#: rows left out of the LP of the fixed design: the links, and the valid inequalities of
#: :mod:`.cuts`, which only tighten the MIP (with the trains fixed they would price unserved boxes)
LEFT_OUT_FAMILIES = LINK_FAMILIES | CUT_FAMILIES


#: columns whose upper bound (the pair's demand) demand balance implies: dropped in the LP
FLOW_FAMILIES = frozenset({"x", "xr", "u", "ur"})


def is_flow(column_label) -> bool:
    """Whether a column (its solver label, ``(family, key)``) is a flow or unserved amount."""
    return column_label[0] in FLOW_FAMILIES


def is_link(row_label) -> bool:
    """Whether a row (its solver label, ``((family, key), sense)``) is left out of the fixed-design
    LP: one of :data:`LEFT_OUT_FAMILIES`."""
    return row_label[0][0] in LEFT_OUT_FAMILIES


def _clean(v: float) -> float:
    """-0.0 and tiny round-off become 0; NaN stays (a blank cell), and so do infinities (no limit)."""
    if v is None or math.isnan(v):
        return math.nan
    return 0.0 if abs(v) < 1e-9 else float(v)


class _Lookup:
    """Positions in the compiled model of the freight model's rows (family, index) and columns."""

    def __init__(self, lp: FixedLp) -> None:
        comp = lp.compiled
        self.lp = lp
        self.row = {(con.parent_component().local_name, con.index()): i for i, (con, _) in enumerate(comp.rows)}
        self.col = {id(v): j for j, v in enumerate(comp.columns)}

    def row_of(self, family: str, keys: list, key) -> int | None:
        """The compiled row of family ``family`` whose key (``fm.row_keys``) is ``key``."""
        try:
            idx = keys.index(key)
        except ValueError:
            return None
        i = self.row.get((family, idx))
        return i if i is not None and self.lp.kept[i] else None

    def value(self, var) -> float:
        j = self.col.get(id(var))
        return float(self.lp.x[j]) if j is not None else float(var.value or 0.0)


def sensitivity_table(fm: FreightModel, lp: FixedLp) -> pd.DataFrame:
    """The tidy ``sensitivity.csv`` of a plan (see the module docstring); empty when the LP failed."""
    if not lp.ok:
        return pd.DataFrame(columns=COLUMNS)
    look = _Lookup(lp)
    rows: list[dict] = []
    keys = {name: list(k) for name, k in fm.row_keys.items()}
    rows += _hubs(fm, lp, look, keys)
    slot = _train_slots(fm, lp, look, keys)
    rows += _gateways(fm, look, slot)
    rows += [r for r in slot.values()]
    rows += _service_space(fm, lp, look, keys, slot)
    rows += _demand(fm, lp, look, keys)
    rows += _routes(fm, lp, look)
    df = pd.DataFrame(rows, columns=COLUMNS)
    for c in ("value", "low", "high"):
        df[c] = df[c].map(_clean).astype(float)
    return df


def _item(kind, id_, label, value, unit, low=math.nan, high=math.nan, note="") -> dict:
    return {"kind": kind, "id": id_, "label": label, "value": value, "unit": unit, "low": low, "high": high, "note": note}


def _hubs(fm: FreightModel, lp: FixedLp, look: _Lookup, keys: dict) -> list[dict]:
    d = fm.data
    hubs = d.hubs
    through = np.zeros(len(hubs))
    for flows, xs in ((d.west, fm.x), (d.east, fm.xr)):
        for j, x in zip(flows["hub"].tolist(), xs):
            through[j] += look.value(x)
    out = []
    for j, (h, U, cap) in enumerate(zip(hubs["hub_id"], hubs["U"], hubs["cap"])):
        w = fm.w.get(j)
        label = f"hub {h}: one more TEU/yr of capacity"
        if w is not None and look.value(w) < 0.5:
            out.append(_item("hub_capacity", h, label, math.nan, "CNY/TEU", note=f"closed in the plan (design fixed; optimizer freight whatif --hub {h} prices keeping it)"))
            continue
        i = look.row_of("hub_capacity", keys.get("hub_capacity", []), j)
        if not math.isfinite(U):
            out.append(_item("hub_capacity", h, label, 0.0, "CNY/TEU", note=f"unlimited capacity ({through[j]:,.0f} TEU/yr through)"))
        elif i is None or U > cap:
            out.append(_item("hub_capacity", h, label, 0.0, "CNY/TEU", note=f"capacity {U:,.0f} TEU/yr cannot bind: at most {cap:,.0f} TEU/yr could pass"))
        else:
            slack = lp.rhs[i] - lp.activity[i]
            state = "binding" if slack <= TOL * max(1.0, U) else f"{slack:,.0f} TEU/yr spare"
            out.append(_item("hub_capacity", h, label, -lp.row_dual[i], "CNY/TEU", lp.row_low[i], lp.row_high[i],
                             f"{state}: {lp.activity[i]:,.0f} of {U:,.0f} TEU/yr; holds for capacities low..high"))
    return out


def _train_slots(fm: FreightModel, lp: FixedLp, look: _Lookup, keys: dict) -> dict[int, dict]:
    """One ``train_slot`` item per open service with a train count, by service position."""
    s = fm.data.services
    out: dict[int, dict] = {}
    for r, n in fm.n.items():
        y = fm.y.get(r)
        trains = look.value(n)
        if (y is not None and look.value(y) < 0.5) or (y is None and trains < 0.5):
            continue
        sid, kappa = s["service_id"].iat[r], float(s["kappa"].iat[r])
        j = look.col[id(n)]
        lows, highs, parts = [], [], []
        for family, word in (("train_capacity", "westbound"), ("train_capacity_east", "return")):
            i = look.row_of(family, keys.get(family, []), r)
            if i is None:
                continue
            lows.append(lp.row_low[i] / kappa)
            highs.append(lp.row_high[i] / kappa)
            parts.append(f"{word} space {-lp.row_dual[i] + 0.0:,.0f} CNY/TEU")
        note = f"{trains:g} trains/yr of {kappa:g} TEU; " + ("; ".join(parts) if parts else "no train capacity row") + f"; train cost {s['k'].iat[r]:,.0f}"
        out[r] = _item("train_slot", sid, f"service {sid}: one more train a year", -lp.col_reduced[j], "CNY/train",
                       max(lows) if lows else math.nan, min(highs) if highs else math.nan, note)
    return out


def _gateways(fm: FreightModel, look: _Lookup, slot: dict[int, dict]) -> list[dict]:
    d = fm.data
    s = d.services
    out = []
    for g, V in zip(d.gateways["gateway_id"].tolist(), d.gateways["V"].tolist()):
        svc = [r for r, gw in enumerate(s["gateway_id"].tolist()) if gw == g and r in fm.n]
        if not svc:
            continue
        used = sum(look.value(fm.n[r]) for r in svc)
        label = f"gateway {g}: one more train slot a year"
        if used < V - 0.5:
            out.append(_item("gateway_capacity", g, label, 0.0, "CNY/train", note=f"{used:g} of {V:g} train slots used"))
            continue
        room = [(slot[r]["value"], s["service_id"].iat[r]) for r in svc if r in slot and look.value(fm.n[r]) < s["max"].iat[r] - 0.5]
        best = max(room, default=(0.0, None))
        if best[1] is None or best[0] <= 0:
            note = f"full ({used:g} of {V:g} slots); no service through it would save by running another train"
            out.append(_item("gateway_capacity", g, label, 0.0, "CNY/train", note=note))
        else:
            out.append(_item("gateway_capacity", g, label, best[0], "CNY/train", note=f"full ({used:g} of {V:g} slots); the slot is worth most on service {best[1]}"))
    return out


def _service_space(fm: FreightModel, lp: FixedLp, look: _Lookup, keys: dict, slot: dict[int, dict]) -> list[dict]:
    s = fm.data.services
    out = []
    for r in slot:
        sid = s["service_id"].iat[r]
        for family, word in (("train_capacity", "westbound"), ("train_capacity_east", "return")):
            i = look.row_of(family, keys.get(family, []), r)
            if i is None:
                continue
            slack = lp.rhs[i] - lp.activity[i]
            state = "full" if slack <= TOL * max(1.0, lp.rhs[i]) else f"{slack:,.0f} TEU/yr spare"
            out.append(_item("service_capacity", sid, f"service {sid}: one more TEU/yr of {word} space", -lp.row_dual[i], "CNY/TEU",
                             lp.row_low[i], lp.row_high[i], f"{state}: {lp.activity[i]:,.0f} of {lp.rhs[i]:,.0f} TEU/yr"))
    return out


def _demand(fm: FreightModel, lp: FixedLp, look: _Lookup, keys: dict) -> list[dict]:
    d = fm.data
    out = []
    for kind, family, pairs, us, word in (("city_demand", "demand", d.pairs, fm.u, "westbound"), ("city_return_demand", "demand_east", d.rpairs, fm.ur, "return")):
        fam_keys = keys.get(family, [])
        pos = {k: i for i, k in enumerate(fam_keys)}
        for p, (o, dest, q) in enumerate(zip(pairs["origin"].tolist(), pairs["destination"].tolist(), pairs["q"].tolist())):
            pid = f"{o}/{dest}"
            label = f"{o} → {dest} ({word}): one more TEU/yr" if word == "westbound" else f"{dest} → {o} ({word}): one more TEU/yr"
            unserved = look.value(us[p])
            i = look.row.get((family, pos[p])) if p in pos else None
            if i is None or not lp.kept[i]:
                out.append(_item(kind, pid, label, d.penalty, "CNY/TEU", note=f"no route: all {q:,.0f} TEU/yr unserved at the penalty"))
                continue
            note = f"{q:,.0f} TEU/yr" + (f", {unserved:,.0f} unserved" if unserved > TOL else ", all carried")
            out.append(_item(kind, pid, label, lp.row_dual[i], "CNY/TEU", lp.row_low[i], lp.row_high[i], note))
    return out


def _routes(fm: FreightModel, lp: FixedLp, look: _Lookup) -> list[dict]:
    d = fm.data
    svc = d.services["service_id"].tolist()
    out = []
    for flows, xs, pairs, word in ((d.west, fm.x, d.pairs, "westbound"), (d.east, fm.xr, d.rpairs, "return")):
        o_of, d_of = pairs["origin"].tolist(), pairs["destination"].tolist()
        cost = (flows["f"] + flows["eta"]).tolist()
        for x, p, r, c in zip(xs, flows["pair"].tolist(), flows["svc"].tolist(), cost):
            j = look.col[id(x)]
            teu = float(lp.x[j])
            if teu <= TOL:
                continue
            o, dest = o_of[p], d_of[p]
            out.append(_item("route_cost", f"{o}/{dest}/{svc[r]}", f"{o} → {dest} via {svc[r]} ({word}): feeder + handling cost",
                             c, "CNY/TEU", lp.cost_low[j], lp.cost_high[j], f"carries {teu:,.0f} TEU/yr; the flows stay optimal for costs low..high"))
    return out


def summary_section(lp: FixedLp, table: pd.DataFrame) -> dict:
    """The ``sensitivity`` section of summary.json."""
    return {"status": lp.status, "objective": lp.objective, "items": int(len(table)), "note": LOCAL_NOTE}
