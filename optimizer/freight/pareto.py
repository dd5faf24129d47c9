r"""Cost against CO₂ (or against transit days): a Pareto front by the ε-constraint method.

:func:`pareto_front` solves the freight model several times, each time at least cost under a cap
on the second measure (the ε-constraint method of the published CR Express bi-objective study):

1. **least cost**: the plan without a cap; its emissions (or mean door-to-door days) are the
   front's upper end :math:`E^{hi}`, its unserved TEU :math:`U^0` the service level to keep;
2. **least measure**: the same model with the cost objective replaced by the measure
   (kg CO₂, :func:`~.business.co2_terms`, or TEU-days, :func:`~.business.days_terms`) and the service
   level kept (:func:`~.business.add_service_level`: at most :math:`U^0` TEU unserved; without it
   the lowest-emission plan would carry nothing). Its value is the lower end :math:`E^{lo}`;
3. **the caps in between**: :math:`\varepsilon_k = E^{hi} - k (E^{hi} - E^{lo}) / (P - 1)`,
   :math:`k = 1 \dots P - 1`, each solved at least cost with the cap as the business rule
   ``co2_cap`` (t a year) or ``max_avg_days`` (days), from the tightest to the loosest.

Every point is a complete freight solve (:func:`~.run.solve_instance`: the plan and today's
network), so every point is a full run folder. The front is **monotone by construction**: each
point starts from the plans of the tighter points (a :class:`~optimizer.solve.StartPool` holding
only them; a tighter plan is feasible under a looser cap), and should a solve stopped by its
time limit still come back dearer than a tighter point, the tighter plan is taken for it (the
summary says so). The costs are those of the objective, CO₂ price included if one is set.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import InfeasibleError, InputError, Problem
from ..instance.data import Instance
from ..instance.overrides import apply_overrides
from ..results import RunFolder
from ..solve import DEFAULT_STRATEGY, HighsSolver, StartPool, adds_cuts
from .kpis import compute_kpis, plan_tables
from .labels import freight_labels
from .business import add_service_level, co2_terms, days_terms, replace_objective
from .model import build_model
from .run import FreightResult, FreightStarts, solve_instance, write_run

log = logging.getLogger(__name__)

#: relative slack on a cap taken from a solved plan (so that plan stays feasible under it)
CAP_SLACK = 1e-7


@dataclass(frozen=True)
class Measure:
    """The second objective: its cap parameter, its KPI, and the model terms that count it."""

    name: str
    param: str  # the business rule that caps it
    kpi: str  # the KPI that reports it (same unit as the parameter)
    unit: str
    label: str


MEASURES = {
    "co2": Measure("co2", "co2_cap", "co2_t", "t CO₂/yr", "CO₂ emitted"),
    "days": Measure("days", "max_avg_days", "avg_days", "days", "mean door-to-door days"),
}


@dataclass
class ParetoPoint:
    """One point of the front: the cap it was solved under (None: no cap) and its full result."""

    name: str
    cap: float | None
    result: FreightResult
    note: str = ""

    @property
    def cost(self) -> float:
        return float(self.result.summary["kpis"]["total_cost"])

    def value(self, measure: Measure) -> float:
        return float(self.result.summary["kpis"][measure.kpi])


@dataclass
class ParetoResult:
    instance: str
    measure: Measure
    points: list[ParetoPoint]  # from least cost (highest measure) to least measure
    lowest: dict = field(default_factory=dict)  # the least-measure solve: status, value, gap
    monotone: bool = True

    def table(self) -> pd.DataFrame:
        """One row per point: cap, cost, the measure, service, status (``pareto.csv``)."""
        rows = []
        for p in self.points:
            s, k = p.result.summary, p.result.summary["kpis"]
            rows.append({
                "point": p.name,
                "cap": p.cap,
                "total_cost": k["total_cost"],
                self.measure.kpi: k[self.measure.kpi],
                "co2_t": k["co2_t"],
                "avg_days": k["avg_days"],
                "served_teu": k["served_teu"],
                "unserved_teu": k["unserved_teu"],
                "services_open": k["services_open"],
                "hubs_open": k["hubs_open"],
                "status": s["status"],
                "mip_gap": s["mip_gap"],
                "note": p.note,
            })
        frame = pd.DataFrame(rows)
        return frame.loc[:, ~frame.columns.duplicated()]

    def summary(self) -> dict:
        return {
            "instance": self.instance,
            "pareto": {"objective": self.measure.name, "cap_parameter": self.measure.param, "kpi": self.measure.kpi, "unit": self.measure.unit},
            "lowest": self.lowest,
            "monotone": self.monotone,
            "points": [{"name": p.name, "cap": p.cap, "total_cost": p.cost, self.measure.kpi: p.value(self.measure), "status": p.result.summary["status"], "folder": f"points/{p.name}", "note": p.note} for p in self.points],
        }


def _caps(hi: float, lo: float, points: int) -> list[float]:
    """The caps of the points after the least-cost one, loosest first, ending at ``lo``."""
    step = (hi - lo) / (points - 1)
    return [hi - k * step for k in range(1, points - 1)] + [lo]


def least_measure(instance: Instance, measure: Measure, cap: float, max_unserved: float, *, time_limit, mip_gap, pool: StartPool) -> dict:
    """Solve for the least measure at the service level (step 2 of the module docstring); the
    solution goes into ``pool``. Returns status, value (in the KPI's unit), gap and seconds."""
    inst = apply_overrides(instance, {measure.param: cap})
    fm = build_model(inst, cuts=adds_cuts(DEFAULT_STRATEGY))
    terms = co2_terms(fm, fm.data) if measure.name == "co2" else days_terms(fm, fm.data)
    replace_objective(fm, terms)
    add_service_level(fm, fm.data, max_unserved)
    label = f"least {measure.label}"
    log.info(f"{label}: minimising at the service level of the least-cost plan ({max_unserved:,.0f} TEU unserved at most)")
    res = HighsSolver(time_limit=time_limit, mip_gap=mip_gap).solve(fm.model, pool=pool, labels=freight_labels(fm))
    if not res.has_solution:
        raise InfeasibleError(f"no plan found for the {label}", [f"HiGHS ended with status {res.status} ({res.termination}); raise --time-limit"], status=res.status)
    kpis = compute_kpis(plan_tables(fm, "optimised"), inst, fm.data.penalty)
    value = float(kpis[measure.kpi])
    log.info(f"{label}: {value:,.{0 if abs(value) >= 100 else 3}f} {measure.unit} ({res.status}" + (f", gap {100 * res.mip_gap:.2f}%" if res.mip_gap else "") + f", {res.solve_seconds:.1f}s)")
    return {"status": res.status, "value": value, "mip_gap": res.mip_gap, "solve_seconds": round(res.solve_seconds, 3)}


def pareto_front(instance: Instance, objective: str = "co2", points: int = 8, *, time_limit: float | None = None, mip_gap: float | None = None) -> ParetoResult:
    """The cost–``objective`` front of ``instance`` with ``points`` points (module docstring)."""
    if objective not in MEASURES:
        raise InputError([Problem("--objective", f"must be one of {' | '.join(MEASURES)}, not {objective!r}")], source="pareto")
    if points < 2:
        raise InputError([Problem("--points", f"at least 2 points make a front, not {points}")], source="pareto")
    if instance.params.get(MEASURES[objective].param, math.inf) != math.inf:
        raise InputError([Problem("parameters", f"{MEASURES[objective].param} is set ({instance.params[MEASURES[objective].param]:g}): the front sets it point by point; clear it (--set {MEASURES[objective].param}=inf)", column=MEASURES[objective].param)], source="pareto")
    m = MEASURES[objective]
    opts = dict(time_limit=time_limit, mip_gap=mip_gap)
    log.info(f"pareto point 1 of {points}: least cost, no {m.param}")
    first = solve_instance(instance, **opts)
    hi = float(first.summary["kpis"][m.kpi])
    unserved = float(first.summary["kpis"]["unserved_teu"])
    tight = StartPool()
    lowest = least_measure(instance, m, hi * (1 + CAP_SLACK), unserved * (1 + CAP_SLACK) + 1e-6, pool=tight, **opts)
    lo = min(lowest["value"], hi)
    caps = _caps(hi, lo, points)
    base_pool = StartPool()
    solved: list[ParetoPoint] = []
    for i, cap in enumerate(reversed(caps)):  # tightest first: each starts from the tighter plans
        k = points - i
        cap = cap * (1 + CAP_SLACK)
        log.info(f"pareto point {k} of {points}: least cost with {m.param} = {cap:,.{0 if abs(cap) >= 100 else 3}f} {m.unit}")
        res = solve_instance(apply_overrides(instance, {m.param: cap}), starts=FreightStarts(plan=tight, baseline=base_pool), **opts)
        solved.append(ParetoPoint(f"{k:02d}", cap, res))
    solved.append(ParetoPoint("01", None, first))
    monotone = True
    for tighter, looser in zip(solved, solved[1:]):
        if looser.cost > tighter.cost * (1 + 1e-9):
            monotone = False
            log.warning(f"pareto point {looser.name} came back dearer than the tighter point {tighter.name} (time limit): its plan is replaced by that one")
            looser.result, looser.note = tighter.result, f"plan of point {tighter.name} (cheaper; the solve at this cap stopped at {looser.result.summary['status']})"
    return ParetoResult(instance=instance.name, measure=m, points=list(reversed(solved)), lowest=lowest, monotone=monotone)


def write_pareto(result: ParetoResult, out_dir: str | Path, *, inputs=()) -> Path:
    """Write the front atomically: ``pareto.csv``, ``summary.json`` and ``points/NN/``, one freight
    run folder per point."""
    with RunFolder(out_dir, "pareto", inputs=inputs) as run:
        for p in result.points:
            write_run(p.result, run.path(f"points/{p.name}"))
        run.write_table("pareto", result.table())
        run.write_json("summary.json", result.summary())
    return Path(out_dir)
